import { Group, Table, Text } from '@mantine/core';
import type { StatusCount } from '../../backend';
import { platformName, stateLook, summaryTable } from '../../lib/posts';
import { PlatformIcon } from './PlatformIcon';

/** How many targets of every client are in each state, by platform. */
export function StatusSummary({ summary, currentClientId }: { summary: StatusCount[]; currentClientId: string }) {
  const { rows, states } = summaryTable(summary);
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No posts yet.
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing={4} aria-label="Posts by client, platform and state" data-testid="status-summary">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Client</Table.Th>
            <Table.Th>Platform</Table.Th>
            {states.map((s) => (
              <Table.Th key={s} ta="right">
                {stateLook(s).label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr
              key={`${r.clientId}/${r.platform}`}
              data-testid="status-summary-row"
              data-client-id={r.clientId}
              data-platform={r.platform}
              fw={r.clientId === currentClientId ? 600 : undefined}
            >
              <Table.Td>{r.clientName}</Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <PlatformIcon platform={r.platform} size={14} />
                  {platformName(r.platform)}
                </Group>
              </Table.Td>
              {states.map((s) => (
                <Table.Td
                  key={s}
                  ta="right"
                  data-state={s}
                  c={r.counts[s] && ['failed', 'unconfirmed', 'missed'].includes(s) ? stateLook(s).color : r.counts[s] ? undefined : 'dimmed'}
                >
                  {r.counts[s] ?? '—'}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
