import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { SchedulerStatus } from '../../backend';
import { formatDateTime } from '../../lib/format';

/** Whether the scheduler runs, what goes out next (any client), and how much needs a person. */
export function SchedulerCard({ status }: { status: SchedulerStatus }) {
  return (
    <Paper withBorder p="sm" data-testid="scheduler-status" data-running={status.running}>
      <Stack gap={4}>
        <Group gap="xs">
          <Text size="sm" fw={600}>
            Scheduler
          </Text>
          <Badge size="sm" variant="light" color={status.running ? 'teal' : 'gray'}>
            {status.running ? 'Running' : 'Not running'}
          </Badge>
          <Badge size="sm" variant="light" color={status.needsAttention > 0 ? 'red' : 'gray'} data-testid="scheduler-attention-count">
            {status.needsAttention} need{status.needsAttention === 1 ? 's' : ''} attention
          </Badge>
        </Group>
        <Text size="sm" data-testid="scheduler-next">
          {status.nextDue
            ? `Next: ${formatDateTime(status.nextDue)}${status.nextClient ? ` · ${status.nextClient}` : ''}${status.nextText ? ` · “${status.nextText}”` : ''}`
            : 'Nothing is scheduled.'}
        </Text>
        {!status.running && (
          <Text size="xs" c="dimmed">
            Scheduled posts go out only while Switchboard runs (it keeps running in the tray when the window is closed).
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
