import { Center, Loader } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { AppStatusContext, type AppStatusContextValue } from '../appStatus';
import { errorMessage, useBackend, type AppStatus } from '../backend';
import { DamagedScreen } from '../pages/gate/DamagedScreen';
import { ErrorScreen } from '../pages/gate/ErrorScreen';
import { NewPassphraseScreen } from '../pages/gate/NewPassphraseScreen';
import { UnlockScreen } from '../pages/gate/UnlockScreen';

/** Decides the first screen from appStatus().vault.state; renders `children` only once the vault is open. */
export function StartupGate({ children }: { children: ReactNode }) {
  const backend = useBackend();
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);

  const load = useCallback(async () => {
    setStatus(null);
    setUnreachable(null);
    try {
      setStatus(await backend.appStatus());
    } catch (e) {
      setUnreachable(errorMessage(e));
    }
  }, [backend]);

  useEffect(() => {
    void load();
  }, [load]);

  const reloadApp = useCallback(async () => {
    setGeneration((g) => g + 1);
    await load();
  }, [load]);

  const context = useMemo<AppStatusContextValue | null>(() => (status ? { status, reloadApp } : null), [status, reloadApp]);

  if (unreachable !== null) {
    return <ErrorScreen code="backend_unreachable" message={`Could not reach the Switchboard backend: ${unreachable}`} onRetry={load} />;
  }
  if (!status || !context) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }

  const vault = status.vault;
  switch (vault.state) {
    case 'open':
      return (
        <AppStatusContext.Provider value={context} key={generation}>
          {children}
        </AppStatusContext.Provider>
      );
    case 'needs_passphrase':
      return <UnlockScreen message={vault.message} onStatus={setStatus} />;
    case 'needs_new_passphrase':
      return <NewPassphraseScreen message={vault.message} onStatus={setStatus} />;
    case 'damaged':
      return <DamagedScreen message={vault.message} backups={vault.backups} onStatus={setStatus} />;
    case 'error':
      return <ErrorScreen code={vault.code} message={vault.message} onRetry={load} />;
  }
}
