import { ActionIcon, Alert, Anchor, Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronLeft, IconChevronRight, IconUsers } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useAppData } from '../appData';
import { useBackend, type Client, type Post } from '../backend';
import { EmptyState } from '../components/EmptyState';
import { MonthView, WeekView, type Placed } from '../components/publishing/CalendarGrid';
import { StateBadge } from '../components/publishing/StateBadge';
import { useCalendarPosts } from '../hooks/useCalendarPosts';
import { composeHref } from '../hooks/useHashRoute';
import {
  dayIn,
  formatInZone,
  hourOf,
  moveToDay,
  moveToHour,
  shiftAnchor,
  viewDays,
  viewTitle,
  wallOf,
  zoneAbbreviation,
  type CalendarView,
} from '../lib/calendar';
import { notifyError } from '../lib/notify';
import { platformName, PUBLISHING_PLATFORMS } from '../lib/posts';

export function CalendarPage() {
  const { clients, currentClientId } = useAppData();
  const client = clients?.find((c) => c.id === currentClientId) ?? null;
  return (
    <Stack maw={1500}>
      {clients === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : client ? (
        <ClientCalendar key={client.id} client={client} />
      ) : (
        <>
          <Title order={2}>Calendar</Title>
          <EmptyState icon={<IconUsers />} title="Choose a client first" testId="calendar-no-client">
            The calendar shows one client&apos;s posts. Pick a client with the client switcher at the top, or add one on the{' '}
            <Anchor href="#/clients">Clients page</Anchor>.
          </EmptyState>
        </>
      )}
    </Stack>
  );
}

/** The colours of the chips, in the order a post moves through them. */
const LEGEND = ['draft', 'scheduled', 'publishing', 'scheduled_remote', 'published', 'failed', 'unconfirmed', 'missed', 'cancelled'];

const PLATFORM_FILTERS = [{ value: '', label: 'All' }, ...PUBLISHING_PLATFORMS.map((p) => ({ value: p, label: platformName(p) }))];

function ClientCalendar({ client }: { client: Client }) {
  const backend = useBackend();
  const today = dayIn(Date.now(), client.timezone);
  const [view, setView] = useState<CalendarView>('month');
  const [anchor, setAnchor] = useState(today);
  const [platform, setPlatform] = useState('');
  /** Posts dropped on a new time and not yet confirmed by the backend: id -> the wall time. */
  const [moves, setMoves] = useState<Map<string, string>>(new Map());
  const days = useMemo(() => viewDays(view, anchor), [view, anchor]);
  const { posts, error, reload } = useCalendarPosts(client.id, days, platform);

  const placed = useMemo(() => {
    const byDay = new Map<string, Placed[]>();
    for (const post of posts ?? []) {
      if (!post.dueAt) continue;
      // A post is where it is due in its own zone; while a move is pending, where it was dropped.
      const wall = moves.get(post.id) ?? wallOf(post.dueAt, post.zone);
      const day = wall.slice(0, 10);
      const zoneNote = post.zone !== client.timezone ? `${zoneAbbreviation(post.dueAt, post.zone)} (${post.zone})` : null;
      const list = byDay.get(day) ?? [];
      list.push({ post, day, time: wall.slice(11, 16), hour: hourOf(wall), zoneNote });
      byDay.set(day, list);
    }
    for (const list of byDay.values()) list.sort((a, b) => a.time.localeCompare(b.time));
    return byDay;
  }, [posts, moves, client.timezone]);

  const open = (post: Post) => {
    window.location.hash = composeHref(post.id);
  };

  const move = async (post: Post, day: string, hour: number | null) => {
    if (!post.dueAt) return;
    // The time the person chose (a DST-shifted due time keeps its chosen wall time).
    const wall = post.wallTime ?? wallOf(post.dueAt, post.zone);
    const next = hour === null ? moveToDay(wall, day) : moveToHour(wall, day, hour);
    if (next === wall || next === wallOf(post.dueAt, post.zone)) return;
    setMoves((m) => new Map(m).set(post.id, next));
    try {
      const { due } = await backend.schedulePost(client.id, post.id, { kind: 'at', wall_time: next, zone: post.zone });
      notifications.show({
        color: due.warning ? 'yellow' : 'teal',
        title: 'Rescheduled',
        message: `${formatInZone(due.at, due.zone)} (${due.zone})${due.warning ? `. ${due.warning}` : ''}`,
        autoClose: due.warning ? 10_000 : 3000,
      });
      await reload();
    } catch (e) {
      notifyError('Could not move the post', e);
    } finally {
      setMoves((m) => {
        const rest = new Map(m);
        rest.delete(post.id);
        return rest;
      });
    }
  };

  const moving = useMemo(() => new Set(moves.keys()), [moves]);
  const visible = days.some((d) => placed.has(d));

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={2}>Calendar of {client.name}</Title>
          <Text size="xs" c="dimmed">
            Times are shown in each post&apos;s own time zone ({client.timezone} unless noted). Drag a post to another day to reschedule it.
          </Text>
        </Stack>
        <SegmentedControl size="xs" data={PLATFORM_FILTERS} value={platform} onChange={setPlatform} data-testid="calendar-platform" aria-label="Platform" />
      </Group>
      <Group justify="space-between">
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setAnchor(today)} data-testid="calendar-today">
            Today
          </Button>
          <ActionIcon variant="default" onClick={() => setAnchor((a) => shiftAnchor(view, a, -1))} aria-label={`Previous ${view}`} data-testid="calendar-prev">
            <IconChevronLeft size={16} />
          </ActionIcon>
          <ActionIcon variant="default" onClick={() => setAnchor((a) => shiftAnchor(view, a, 1))} aria-label={`Next ${view}`} data-testid="calendar-next">
            <IconChevronRight size={16} />
          </ActionIcon>
          <Text fw={600} data-testid="calendar-title">
            {viewTitle(view, anchor)}
          </Text>
        </Group>
        <Button.Group>
          <Button size="xs" variant={view === 'month' ? 'filled' : 'default'} onClick={() => setView('month')} data-testid="calendar-view-month" aria-pressed={view === 'month'}>
            Month
          </Button>
          <Button size="xs" variant={view === 'week' ? 'filled' : 'default'} onClick={() => setView('week')} data-testid="calendar-view-week" aria-pressed={view === 'week'}>
            Week
          </Button>
        </Button.Group>
      </Group>
      {error && (
        <Alert color="red" title="Could not load the posts">
          <Group gap="xs">
            <Text size="sm">{error}</Text>
            <Button size="xs" variant="default" onClick={() => void reload()}>
              Try again
            </Button>
          </Group>
        </Alert>
      )}
      {view === 'month' ? (
        <MonthView
          anchor={anchor}
          today={today}
          placed={placed}
          moving={moving}
          onOpen={open}
          onMove={(p, day, hour) => void move(p, day, hour)}
          onMore={(day) => {
            setAnchor(day);
            setView('week');
          }}
        />
      ) : (
        <WeekView days={days} anchor={anchor} today={today} placed={placed} moving={moving} onOpen={open} onMove={(p, day, hour) => void move(p, day, hour)} />
      )}
      <Group gap={6} data-testid="calendar-legend">
        {LEGEND.map((state) => (
          <StateBadge key={state} state={state} />
        ))}
      </Group>
      {posts && !visible && (
        <Text size="sm" c="dimmed" ta="center" data-testid="calendar-empty">
          Nothing {platform ? `on ${platformName(platform)} ` : ''}is scheduled in this {view}. <Anchor href={composeHref(null)}>Write a post</Anchor>
        </Text>
      )}
    </Stack>
  );
}
