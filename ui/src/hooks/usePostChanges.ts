import { useEffect, useRef } from 'react';
import { useBackend, type PostSettled } from '../backend';
import { useVaultChanged } from './useVaultChanged';

/** Calls `onSettled` for every "post-settled" event (the scheduler finished with a target). */
export function usePostSettled(onSettled: (event: PostSettled) => void) {
  const backend = useBackend();
  const callback = useRef(onSettled);
  callback.current = onSettled;
  useEffect(() => backend.onPostSettled((e) => callback.current(e)), [backend]);
}

/** What publishing screens show comes from these tables. */
const POST_ENTITIES: ReadonlySet<string> = new Set(['posts', 'post_targets', 'queue_slots']);

/**
 * Calls `onChange` when posts, their targets or queue slots changed (debounced "vault-changed"),
 * and when the scheduler settles a target. Other writes (an import, say) are ignored.
 */
export function usePostChanges(onChange: () => void) {
  useVaultChanged((batch) => {
    if (batch.some((e) => e.changes.some((c) => POST_ENTITIES.has(c.entity)))) onChange();
  });
  usePostSettled(() => onChange());
}
