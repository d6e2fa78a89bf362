import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { toBackendError, useBackend, type BackendError, type MediaInfo, type PostInput, type ResolvedDue, type TargetCheck } from '../backend';
import { isWallTime } from '../lib/compose';

/** How long typing must pause before the backend is asked again. */
export const CHECK_DELAY_MS = 200;

/**
 * The live check of a composition against each target's network: counters and issues,
 * asked for once typing pauses. Answers to older texts are dropped.
 */
export function usePostCheck(clientId: string, input: PostInput, media: MediaInfo[]) {
  const backend = useBackend();
  const key = JSON.stringify([input, media]);
  const [debounced] = useDebouncedValue(key, CHECK_DELAY_MS);
  const [checks, setChecks] = useState<TargetCheck[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const [checkedInput, checkedMedia] = JSON.parse(debounced) as [PostInput, MediaInfo[]];
    if (checkedInput.targets.length === 0) {
      setChecks([]);
      return;
    }
    let current = true;
    backend
      .checkPost(clientId, checkedInput, checkedMedia)
      .then((found) => {
        if (!current) return;
        setChecks(found);
        setError(null);
      })
      .catch((e) => current && setError(toBackendError(e).message));
    return () => {
      current = false;
    };
  }, [backend, clientId, debounced]);

  return { checks, error, pending: debounced !== key };
}

/** A picked wall-clock time resolved in `zone` (UTC offset, DST warning) once picking pauses. */
export function useResolvedDue(zone: string, wallTime: string) {
  const backend = useBackend();
  const key = `${zone} ${wallTime}`;
  const [debounced] = useDebouncedValue(key, CHECK_DELAY_MS);
  const [result, setResult] = useState<{ key: string; due: ResolvedDue | null; error: BackendError | null } | null>(null);

  useEffect(() => {
    const [askedZone, asked] = debounced.split(' ');
    if (!isWallTime(asked)) return;
    let current = true;
    backend.resolveDue(askedZone, asked).then(
      (due) => current && setResult({ key: debounced, due, error: null }),
      (e) => current && setResult({ key: debounced, due: null, error: toBackendError(e) }),
    );
    return () => {
      current = false;
    };
  }, [backend, debounced]);

  // An answer for an older pick is not shown as if it were this one.
  const fresh = result?.key === key ? result : null;
  return { due: fresh?.due ?? null, error: fresh?.error ?? null };
}
