import { useCallback, useRef, useState } from 'react';
import { errorMessage, useBackend, type AppCredentialInfo, type Brand, type BreakerHealth, type Connection, type PlatformInfo } from '../backend';
import { useLoadAndRefresh } from './useVaultChanged';

export type ClientConnections = {
  platforms: PlatformInfo[];
  connections: Connection[];
  apps: AppCredentialInfo[];
  breakers: BreakerHealth[];
  brands: Brand[];
};

/** Everything the Connections page shows for one client, reloaded after every vault change. */
export function useClientConnections(clientId: string) {
  const backend = useBackend();
  const [data, setData] = useState<ClientConnections | null>(null);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++request.current;
    try {
      const [platforms, connections, apps, health, brands] = await Promise.all([
        backend.listPlatforms(),
        backend.listConnections(clientId),
        backend.listAppCredentials(null),
        backend.connectionHealth(),
        backend.listBrands(clientId),
      ]);
      if (mine !== request.current) return;
      setData({ platforms, connections, apps, breakers: health.breakers, brands });
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(errorMessage(e));
    }
  }, [backend, clientId]);

  useLoadAndRefresh(reload);

  return { data, error, reload };
}
