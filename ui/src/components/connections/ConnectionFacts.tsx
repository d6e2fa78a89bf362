import { Badge, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { BreakerHealth, Connection } from '../../backend';
import { breakerLook } from '../../lib/connections';
import { formatDateTime } from '../../lib/format';

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={0} data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {typeof children === 'string' ? <Text size="sm">{children}</Text> : children}
    </Stack>
  );
}

function when(iso: string | null, none: string): string {
  if (!iso) return none;
  const past = new Date(iso).getTime() < Date.now();
  return `${formatDateTime(iso)}${past ? ' (passed)' : ''}`;
}

type Props = { connection: Connection; breaker: BreakerHealth | null; testId: string };

/** Expiry, renewal and the platform's circuit breaker for one connection. */
export function ConnectionFacts({ connection: c, breaker, testId }: Props) {
  const look = breakerLook(breaker?.state ?? 'closed');
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="xs" data-testid={testId}>
      <Fact label="Access expires">{when(c.expires_at, 'No expiry reported')}</Fact>
      <Fact label="Refresh token expires">{c.has_refresh_token ? when(c.refresh_expires_at, 'No end date reported') : 'No refresh token'}</Fact>
      <Fact label="Last refresh">{c.last_refresh_at ? formatDateTime(c.last_refresh_at) : 'Not yet'}</Fact>
      <Fact label="Next refresh">{c.next_refresh_at ? formatDateTime(c.next_refresh_at) : 'None planned'}</Fact>
      <Fact label="Refresh failures" testId={`${testId}-failures`}>
        <Text size="sm" c={c.refresh_failures > 0 ? 'red' : undefined} fw={c.refresh_failures > 0 ? 600 : undefined}>
          {c.refresh_failures}
        </Text>
      </Fact>
      <Fact label="Platform API calls" testId={`${testId}-breaker`}>
        <Stack gap={2} align="flex-start">
          <Badge size="sm" tt="none" variant="light" color={look.color} data-state={breaker?.state ?? 'closed'}>
            {look.label}
          </Badge>
          {breaker && breaker.state !== 'closed' && (
            <Text size="xs" c="dimmed">
              {breaker.consecutive_failures} failures in a row
              {breaker.open_until ? `; paused until ${formatDateTime(breaker.open_until)}` : ''}
              {breaker.last_error ? `: ${breaker.last_error}` : ''}
            </Text>
          )}
        </Stack>
      </Fact>
    </SimpleGrid>
  );
}
