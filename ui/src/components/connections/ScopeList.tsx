import { Badge, Group, Stack, Text, VisuallyHidden } from '@mantine/core';
import { IconAlertTriangle, IconCheck } from '@tabler/icons-react';
import type { Connection } from '../../backend';
import { scopeStates, type ScopeState } from '../../lib/connections';

const LOOK: Record<ScopeState['state'], { color: string; variant: string; note: string }> = {
  granted: { color: 'teal', variant: 'light', note: 'granted' },
  missing: { color: 'red', variant: 'filled', note: 'not granted' },
  unknown: { color: 'gray', variant: 'light', note: 'not reported' },
  extra: { color: 'gray', variant: 'outline', note: 'granted, not asked for' },
};

/** The permissions asked for, each marked granted or missing. */
export function ScopeList({ connection, testId }: { connection: Connection; testId: string }) {
  const states = scopeStates(connection);
  const missing = states.filter((s) => s.state === 'missing').length;
  return (
    <Stack gap={4} data-testid={testId}>
      <Text size="xs" c="dimmed">
        Permissions
      </Text>
      {states.length === 0 ? (
        <Text size="sm">No extra permissions are asked for.</Text>
      ) : (
        <Group gap={4}>
          {states.map(({ scope, state }) => (
            <Badge
              key={scope}
              size="sm"
              tt="none"
              color={LOOK[state].color}
              variant={LOOK[state].variant}
              leftSection={state === 'granted' ? <IconCheck size={12} /> : state === 'missing' ? <IconAlertTriangle size={12} /> : undefined}
              data-state={state}
              title={LOOK[state].note}
            >
              {scope}
              <VisuallyHidden> ({LOOK[state].note})</VisuallyHidden>
            </Badge>
          ))}
        </Group>
      )}
      {connection.scopes_granted === null && states.length > 0 && (
        <Text size="xs" c="dimmed">
          The platform did not say which permissions it granted.
        </Text>
      )}
      {missing > 0 && (
        <Text size="xs" c="red" data-testid={`${testId}-missing`}>
          {missing === 1 ? '1 permission was' : `${missing} permissions were`} not granted. Reconnect and allow{' '}
          {missing === 1 ? 'it' : 'them'}, or some features will not work.
        </Text>
      )}
    </Stack>
  );
}
