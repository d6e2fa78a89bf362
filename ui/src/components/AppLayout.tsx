import { AppShell, Badge, Burger, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBriefcase,
  IconCalendar,
  IconListCheck,
  IconListDetails,
  IconPencil,
  IconPhoto,
  IconPlugConnected,
  IconSettings,
  type Icon,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { useAppStatus } from '../appStatus';
import { pageHref, useHashRoute, type Page } from '../hooks/useHashRoute';
import { CalendarPage } from '../pages/CalendarPage';
import { ClientsPage } from '../pages/ClientsPage';
import { ComposePage } from '../pages/ComposePage';
import { ConnectionsPage } from '../pages/ConnectionsPage';
import { JobsPage } from '../pages/JobsPage';
import { LibraryPage } from '../pages/LibraryPage';
import { PostsPage } from '../pages/PostsPage';
import { SettingsPage } from '../pages/SettingsPage';
import { ClientSwitcher } from './ClientSwitcher';
import { ConnectionStatusNotices } from './connections/ConnectionStatusNotices';
import { ImportNotices } from './jobs/ImportNotices';
import { PostNotices } from './publishing/PostNotices';
import { ThemeToggle } from './ThemeToggle';

const NAV: { page: Page; label: string; icon: Icon }[] = [
  { page: 'clients', label: 'Clients', icon: IconBriefcase },
  { page: 'connections', label: 'Connections', icon: IconPlugConnected },
  { page: 'library', label: 'Library', icon: IconPhoto },
  { page: 'compose', label: 'Compose', icon: IconPencil },
  { page: 'calendar', label: 'Calendar', icon: IconCalendar },
  { page: 'posts', label: 'Posts', icon: IconListDetails },
  { page: 'jobs', label: 'Jobs', icon: IconListCheck },
  { page: 'settings', label: 'Settings', icon: IconSettings },
];

const PAGES: Record<Page, ComponentType> = {
  clients: ClientsPage,
  connections: ConnectionsPage,
  library: LibraryPage,
  compose: ComposePage,
  calendar: CalendarPage,
  posts: PostsPage,
  jobs: JobsPage,
  settings: SettingsPage,
};

export function AppLayout() {
  const { status } = useAppStatus();
  const [page, navigate] = useHashRoute();
  const [opened, { toggle, close }] = useDisclosure(false);
  const Current = PAGES[page];

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4" data-testid="app-title">
              Switchboard
            </Title>
            {status.demo_mode && (
              <Badge color="orange" variant="light" data-testid="demo-badge">
                Demo mode
              </Badge>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ClientSwitcher />
            <ThemeToggle />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <Stack justify="space-between" h="100%">
          <nav>
            {NAV.map(({ page: target, label, icon: NavIcon }) => (
              <NavLink
                key={target}
                href={pageHref(target)}
                label={label}
                leftSection={<NavIcon size={18} stroke={1.6} />}
                active={page === target}
                aria-current={page === target ? 'page' : undefined}
                data-testid={`nav-${target}`}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(target);
                  close();
                }}
              />
            ))}
          </nav>
          <Text size="xs" c="dimmed" px="sm" data-testid="app-version">
            Version {status.version}
          </Text>
        </Stack>
      </AppShell.Navbar>

      <AppShell.Main>
        <ConnectionStatusNotices />
        <ImportNotices />
        <PostNotices />
        <Current />
      </AppShell.Main>
    </AppShell>
  );
}
