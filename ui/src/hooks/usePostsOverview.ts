import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, useBackend, type Post, type SchedulerStatus, type StatusCount } from '../backend';
import { ATTENTION_STATES } from '../lib/posts';
import { usePostChanges } from './usePostChanges';

export type PostsOverview = {
  summary: StatusCount[];
  /** Posts with a failed, unconfirmed or missed target, earliest due first. */
  attention: Post[];
  /** Scheduled posts from now on, earliest first. */
  upcoming: Post[];
  scheduler: SchedulerStatus;
};

const UPCOMING = 20;

/** What the Posts page shows for a client, loaded again whenever posts change. */
export function usePostsOverview(clientId: string) {
  const backend = useBackend();
  const [data, setData] = useState<PostsOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);

  const load = useCallback(async () => {
    const mine = ++request.current;
    const filter = { from: null, to: null, platform: null, includeUnscheduled: false };
    try {
      const [summary, scheduler, upcoming, ...attention] = await Promise.all([
        backend.postStatusSummary(),
        backend.schedulerStatus(),
        backend.listPosts(clientId, { ...filter, from: new Date().toISOString(), state: 'scheduled' }),
        ...ATTENTION_STATES.map((state) => backend.listPosts(clientId, { ...filter, state })),
      ]);
      if (mine !== request.current) return;
      const byId = new Map(attention.flat().map((p) => [p.id, p]));
      setData({
        summary,
        scheduler,
        upcoming: upcoming.slice(0, UPCOMING),
        attention: [...byId.values()].sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? '')),
      });
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(errorMessage(e));
    }
  }, [backend, clientId]);

  useEffect(() => {
    void load();
  }, [load]);
  usePostChanges(() => void load());

  return { data, error, reload: load };
}
