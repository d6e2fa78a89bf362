import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useRef } from 'react';
import { useAppData } from '../../appData';
import { useBackend } from '../../backend';
import { useVaultChanged } from '../../hooks/useVaultChanged';
import { accountLabel, ATTENTION_STATUSES, statusLook } from '../../lib/connections';

/**
 * Tells the user, on whatever page is open, when a connection stops working
 * (needs reconnect, revoked, error) — usually found out by the background refresher.
 */
export function ConnectionStatusNotices() {
  const backend = useBackend();
  const { clients } = useAppData();
  const clientsNow = useRef(clients);
  clientsNow.current = clients;
  // Connection id -> last status seen; null until the first load (nothing to compare with yet).
  const seen = useRef<Map<string, string> | null>(null);

  const check = useCallback(async () => {
    try {
      const connections = await backend.listConnections(null);
      const before = seen.current;
      seen.current = new Map(connections.map((c) => [c.id, c.status]));
      if (!before) return;
      const broken = connections.filter((c) => ATTENTION_STATUSES.has(c.status) && before.get(c.id) !== c.status);
      if (broken.length === 0) return;
      const platforms = await backend.listPlatforms();
      for (const c of broken) {
        const platform = platforms.find((p) => p.id === c.platform)?.display_name ?? c.platform;
        const client = clientsNow.current?.find((x) => x.id === c.client_id)?.name ?? 'A client';
        notifications.show({
          color: c.status === 'needs_reconnect' ? 'orange' : 'red',
          title: `${platform} for ${client}: ${statusLook(c.status).label.toLowerCase()}`,
          message: c.status_action ?? `${accountLabel(c.account_name, c.account_id)} can no longer be used. Open Connections to fix it.`,
          autoClose: false,
        });
      }
    } catch {
      // Background check: the Connections page shows load errors where they matter.
    }
  }, [backend]);

  useEffect(() => {
    void check();
  }, [check]);

  useVaultChanged((events) => {
    if (events.some((e) => e.changes.some((c) => c.entity === 'connection'))) void check();
  });

  return null;
}
