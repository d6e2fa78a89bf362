import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { AppDataProvider } from './appData';
import { BackendProvider, type Backend } from './backend';
import { AppLayout } from './components/AppLayout';
import { DeepLinkNotices } from './components/DeepLinkNotices';
import { StartupGate } from './components/StartupGate';
import { theme } from './theme';

type Props = {
  backend: Backend;
  /** "test" disables transitions and portals (used by the UI tests). */
  env?: 'default' | 'test';
};

export function App({ backend, env = 'default' }: Props) {
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" env={env}>
      <Notifications position="top-right" limit={4} />
      <BackendProvider backend={backend}>
        <DeepLinkNotices />
        <StartupGate>
          <AppDataProvider>
            <AppLayout />
          </AppDataProvider>
        </StartupGate>
      </BackendProvider>
    </MantineProvider>
  );
}
