// Data shared by the whole app shell once the vault is open: the client list,
// the settings (current client, theme, ...). Refreshed on "vault-changed".
import { useMantineColorScheme } from '@mantine/core';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useBackend, type Client, type Settings } from './backend';
import { useVaultChanged } from './hooks/useVaultChanged';
import { notifyError } from './lib/notify';

export type AppData = {
  /** All clients including archived ones; null while loading. */
  clients: Client[] | null;
  settings: Settings | null;
  currentClientId: string | null;
  refreshClients: () => Promise<void>;
  refreshSettings: () => Promise<void>;
  setSettings: (settings: Settings) => void;
  selectClient: (id: string | null) => Promise<void>;
  setTheme: (theme: 'light' | 'dark') => Promise<void>;
};

const AppDataContext = createContext<AppData | null>(null);

export function useAppData(): AppData {
  const value = useContext(AppDataContext);
  if (!value) throw new Error('useAppData must be used inside <AppDataProvider>');
  return value;
}

export function AppDataProvider({ children }: { children: ReactNode }) {
  const backend = useBackend();
  const { setColorScheme } = useMantineColorScheme();
  const [clients, setClients] = useState<Client[] | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);

  const refreshClients = useCallback(async () => {
    try {
      setClients(await backend.listClients(true));
    } catch (e) {
      notifyError('Could not load clients', e);
    }
  }, [backend]);

  const refreshSettings = useCallback(async () => {
    try {
      setSettings(await backend.getSettings());
    } catch (e) {
      notifyError('Could not load settings', e);
    }
  }, [backend]);

  useEffect(() => {
    void refreshClients();
    void refreshSettings();
  }, [refreshClients, refreshSettings]);

  useVaultChanged(() => {
    void refreshClients();
    void refreshSettings();
  });

  // Apply the persisted theme ("system" follows the OS).
  const theme = settings?.theme;
  useEffect(() => {
    if (theme) setColorScheme(theme === 'system' ? 'auto' : theme);
  }, [theme, setColorScheme]);

  const selectClient = useCallback(
    async (id: string | null) => {
      setSettings((s) => (s ? { ...s, current_client: id } : s));
      try {
        setSettings(await backend.setSetting('ui.current_client', id ?? ''));
      } catch (e) {
        notifyError('Could not switch client', e);
        void refreshSettings();
      }
    },
    [backend, refreshSettings],
  );

  const setTheme = useCallback(
    async (next: 'light' | 'dark') => {
      setColorScheme(next);
      setSettings((s) => (s ? { ...s, theme: next } : s));
      try {
        setSettings(await backend.setSetting('ui.theme', next));
      } catch (e) {
        notifyError('Could not save the theme', e);
      }
    },
    [backend, setColorScheme],
  );

  const currentClientId = useMemo(() => {
    const id = settings?.current_client ?? null;
    return id && clients?.some((c) => c.id === id) ? id : null;
  }, [settings, clients]);

  const value = useMemo<AppData>(
    () => ({ clients, settings, currentClientId, refreshClients, refreshSettings, setSettings, selectClient, setTheme }),
    [clients, settings, currentClientId, refreshClients, refreshSettings, selectClient, setTheme],
  );

  return <AppDataContext.Provider value={value}>{children}</AppDataContext.Provider>;
}
