import { useEffect, useRef } from 'react';
import { useBackend, type VaultChanged } from '../backend';

/**
 * Calls `onChange` (debounced) whenever the backend reports "vault-changed".
 * Bursts of events (imports, sync) collapse into one refresh.
 */
export function useVaultChanged(onChange: (events: VaultChanged[]) => void, delayMs = 300) {
  const backend = useBackend();
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let pending: VaultChanged[] = [];
    const unsubscribe = backend.onVaultChanged((event) => {
      pending.push(event);
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const batch = pending;
        pending = [];
        timer = null;
        callback.current(batch);
      }, delayMs);
    });
    return () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  }, [backend, delayMs]);
}

/**
 * Runs `load` on mount (and whenever `load` itself changes, so memoise it with useCallback)
 * and again after every (debounced) vault change.
 */
export function useLoadAndRefresh(load: () => Promise<void>) {
  useEffect(() => {
    void load();
  }, [load]);
  useVaultChanged(() => void load());
}

/**
 * Like useVaultChanged, but for streams that never pause (an import writes every few
 * milliseconds): the first batch is delivered after `settleMs`, later ones at most once
 * every `intervalMs`, so a running job refreshes the page about once a second.
 */
export function useThrottledVaultChanged(onChange: (events: VaultChanged[]) => void, intervalMs = 1000, settleMs = 250) {
  const backend = useBackend();
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let pending: VaultChanged[] = [];
    let lastRun = -Infinity;
    const unsubscribe = backend.onVaultChanged((event) => {
      pending.push(event);
      if (timer) return;
      const wait = Math.max(settleMs, lastRun + intervalMs - Date.now());
      timer = setTimeout(() => {
        const batch = pending;
        pending = [];
        timer = null;
        lastRun = Date.now();
        callback.current(batch);
      }, wait);
    });
    return () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  }, [backend, intervalMs, settleMs]);
}
