// Pages for features that are not built yet: an honest empty state, no fake rows.
import { Stack, Title } from '@mantine/core';
import { IconCalendar } from '@tabler/icons-react';
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

export function CalendarPage() {
  return (
    <ComingSoon title="Calendar" icon={<IconCalendar />} headline="Scheduling arrives in a later release — nothing is scheduled yet">
      Scheduled posts will appear here in each client&apos;s own time zone.
    </ComingSoon>
  );
}
