// Pages for features that are not built yet: an honest empty state, no fake rows.
import { Stack, Title } from '@mantine/core';
import { IconCalendar, IconListCheck, IconPencil, IconPhoto } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { EmptyState } from '../components/EmptyState';

function ComingSoon({ title, icon, headline, children }: { title: string; icon: ReactNode; headline: string; children: ReactNode }) {
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      <EmptyState icon={icon} title={headline} testId="coming-soon">
        {children}
      </EmptyState>
    </Stack>
  );
}

export function LibraryPage() {
  return (
    <ComingSoon title="Library" icon={<IconPhoto />} headline="The library arrives in a later release — nothing has been imported yet">
      The offline library will hold each client&apos;s posts, images and videos on this computer.
    </ComingSoon>
  );
}

export function ComposePage() {
  return (
    <ComingSoon title="Compose" icon={<IconPencil />} headline="Composing arrives in a later release — there are no drafts yet">
      You will write and preview posts for a client&apos;s connected accounts here.
    </ComingSoon>
  );
}

export function CalendarPage() {
  return (
    <ComingSoon title="Calendar" icon={<IconCalendar />} headline="Scheduling arrives in a later release — nothing is scheduled yet">
      Scheduled posts will appear here in each client&apos;s own time zone.
    </ComingSoon>
  );
}

export function JobsPage() {
  return (
    <ComingSoon title="Jobs" icon={<IconListCheck />} headline="Background jobs arrive in a later release — no jobs have run yet">
      Publishing, imports and syncs will be listed here with their progress and any errors.
    </ComingSoon>
  );
}
