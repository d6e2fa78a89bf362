import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, useBackend, type Connection, type Destination } from '../backend';
import { isPublishingPlatform, PUBLISHING_PLATFORMS } from '../lib/posts';

/** One connection of the client and where it can publish. */
export type TargetGroup = {
  connection: Connection;
  /** null while loading (or when loading failed). */
  destinations: Destination[] | null;
  error: string | null;
  refreshing: boolean;
};

const byPlatform = (a: Connection, b: Connection) =>
  PUBLISHING_PLATFORMS.indexOf(a.platform as never) - PUBLISHING_PLATFORMS.indexOf(b.platform as never) ||
  (a.account_name ?? '').localeCompare(b.account_name ?? '');

/**
 * The client's X, LinkedIn and Facebook connections with their destinations (as last read;
 * read from the platform the first time). `refresh` reads one connection's again.
 */
export function usePublishTargets(clientId: string) {
  const backend = useBackend();
  const [groups, setGroups] = useState<TargetGroup[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const patch = useCallback((connectionId: string, change: Partial<TargetGroup>) => {
    if (!alive.current) return;
    setGroups((list) => list?.map((g) => (g.connection.id === connectionId ? { ...g, ...change } : g)) ?? list);
  }, []);

  const loadDestinations = useCallback(
    async (connectionId: string, refresh: boolean) => {
      patch(connectionId, { refreshing: true });
      try {
        const found = await backend.publishDestinations(clientId, connectionId, refresh);
        patch(connectionId, { destinations: found.destinations, error: null, refreshing: false });
      } catch (e) {
        patch(connectionId, { error: errorMessage(e), refreshing: false });
      }
    },
    [backend, clientId, patch],
  );

  useEffect(() => {
    let current = true;
    backend
      .listConnections(clientId)
      .then((all) => {
        if (!current) return;
        const publishing = all.filter((c) => isPublishingPlatform(c.platform)).sort(byPlatform);
        setGroups(publishing.map((connection) => ({ connection, destinations: null, error: null, refreshing: true })));
        setError(null);
        for (const c of publishing) void loadDestinations(c.id, false);
      })
      .catch((e) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [backend, clientId, loadDestinations]);

  const refresh = useCallback((connectionId: string) => void loadDestinations(connectionId, true), [loadDestinations]);
  return { groups, error, refresh };
}
