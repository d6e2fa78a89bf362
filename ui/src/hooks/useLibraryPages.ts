import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { errorMessage, useBackend, type LibFilter, type LibRow } from '../backend';
import { useThrottledVaultChanged } from './useVaultChanged';

/** Rows fetched per request; the table asks for the pages its visible rows fall in. */
export const PAGE_SIZE = 200;

export type LibQuery = Omit<LibFilter, 'offset' | 'limit'>;

type Cache = {
  /** Bumped on every reset or refresh; answers for an older generation are dropped. */
  gen: number;
  total: number | null;
  /** More rows match than the store counts (it stops at 100,000). */
  capped: boolean;
  pages: Map<number, LibRow[]>;
  /** Pages from before a refresh, shown until their fresh copy arrives (no flicker). */
  stale: Map<number, LibRow[]>;
  inflight: Set<number>;
};

const emptyCache = (gen: number): Cache => ({ gen, total: null, capped: false, pages: new Map(), stale: new Map(), inflight: new Set() });

/**
 * A library listing fetched lazily by pages of PAGE_SIZE, so a 100,000-row account costs
 * only the pages scrolled past. Refreshes (throttled) while imports write to the vault.
 */
export function useLibraryPages(clientId: string, query: LibQuery) {
  const backend = useBackend();
  const key = JSON.stringify(query);
  const cache = useRef<Cache>(emptyCache(0));
  const [version, bump] = useReducer((n: number) => n + 1, 0);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(
    async (page: number) => {
      const c = cache.current;
      if (c.inflight.has(page) || c.pages.has(page)) return;
      c.inflight.add(page);
      const gen = c.gen;
      try {
        const filter: LibFilter = { ...(JSON.parse(key) as LibQuery), offset: page * PAGE_SIZE, limit: PAGE_SIZE };
        const answer = await backend.libraryObjects(clientId, filter);
        if (gen !== cache.current.gen) return;
        c.pages.set(page, answer.rows);
        c.stale.delete(page);
        // The store counts with the first page only; later pages keep that count.
        if (answer.total !== null) {
          c.total = answer.total;
          c.capped = answer.total_capped;
        }
        setError(null);
      } catch (e) {
        if (gen === cache.current.gen) setError(errorMessage(e));
      } finally {
        if (gen === cache.current.gen) c.inflight.delete(page);
        bump();
      }
    },
    [backend, clientId, key],
  );

  // A new query starts from nothing.
  useEffect(() => {
    cache.current = emptyCache(cache.current.gen + 1);
    setError(null);
    bump();
    void fetchPage(0);
  }, [fetchPage]);

  const refresh = useCallback(() => {
    const c = cache.current;
    const next = emptyCache(c.gen + 1);
    next.total = c.total;
    next.capped = c.capped;
    next.stale = new Map([...c.stale, ...c.pages]);
    cache.current = next;
    bump();
    void fetchPage(0);
  }, [fetchPage]);

  useThrottledVaultChanged(refresh);

  /** Make sure the pages holding rows `first`..`last` are loaded or on their way. */
  const ensureRange = useCallback(
    (first: number, last: number) => {
      for (let page = Math.floor(first / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page++) void fetchPage(page);
    },
    [fetchPage],
  );

  const rowAt = useCallback((index: number): LibRow | undefined => {
    const page = Math.floor(index / PAGE_SIZE);
    const c = cache.current;
    return (c.pages.get(page) ?? c.stale.get(page))?.[index % PAGE_SIZE];
  }, []);

  return { total: cache.current.total, capped: cache.current.capped, rowAt, ensureRange, error, refresh, version };
}
