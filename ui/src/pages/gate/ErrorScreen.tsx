import { Alert, Button, Code, Group, Text } from '@mantine/core';
import { IconAlertOctagon, IconRefresh } from '@tabler/icons-react';
import { GateCard } from './GateCard';

type Props = { code: string; message: string; onRetry: () => void };

export function ErrorScreen({ code, message, onRetry }: Props) {
  return (
    <GateCard title="Switchboard cannot open the vault">
      <Alert color="red" icon={<IconAlertOctagon size={18} />}>
        <Text size="sm" data-testid="gate-error-message">
          {message}
        </Text>
      </Alert>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          Error code: <Code>{code}</Code>
        </Text>
        <Button leftSection={<IconRefresh size={16} />} onClick={onRetry} data-testid="gate-retry">
          Retry
        </Button>
      </Group>
    </GateCard>
  );
}
