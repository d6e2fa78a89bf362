import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, useBackend, type Post } from '../backend';
import { queryRange } from '../lib/calendar';
import { usePostChanges } from './usePostChanges';

/**
 * The client's posts due on the shown days (in any zone), optionally of one platform; loaded
 * again when posts change or the scheduler settles one. Answers to older queries are dropped.
 */
export function useCalendarPosts(clientId: string, days: string[], platform: string) {
  const backend = useBackend();
  const [posts, setPosts] = useState<Post[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);
  const first = days[0];
  const last = days[days.length - 1];

  const load = useCallback(async () => {
    const mine = ++request.current;
    const { from, to } = queryRange([first, last]);
    try {
      const found = await backend.listPosts(clientId, { from, to, platform: platform || null, state: null, includeUnscheduled: false });
      if (mine !== request.current) return;
      setPosts(found);
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(errorMessage(e));
    }
  }, [backend, clientId, first, last, platform]);

  useEffect(() => {
    void load();
  }, [load]);
  usePostChanges(() => void load());

  return { posts, error, reload: load };
}
