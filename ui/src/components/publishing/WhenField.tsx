import { Alert, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useResolvedDue } from '../../hooks/useComposeChecks';
import { formatInZone } from '../../lib/calendar';
import { isWallTime } from '../../lib/compose';

type Props = {
  value: string;
  zone: string;
  /** Whose zone it is, for the label ("the client's", "this post's"). */
  zoneOwner: string;
  onChange: (value: string) => void;
};

/** A wall-clock time in a zone, resolved live: its UTC offset, and a warning on DST nights. */
export function WhenField({ value, zone, zoneOwner, onChange }: Props) {
  const { due, error } = useResolvedDue(zone, value);
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <TextInput
          type="datetime-local"
          label="When"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid="compose-when"
          w={230}
        />
        <Text size="sm" c="dimmed" pb={8} data-testid="compose-zone">
          {zone} ({zoneOwner})
        </Text>
      </Group>
      {due && (
        <Text size="xs" c="dimmed" data-testid="compose-due">
          UTC{due.offset} · {formatInZone(due.at, 'UTC')} UTC
        </Text>
      )}
      {due?.warning && (
        <Alert color="yellow" icon={<IconAlertTriangle size={16} />} p="xs" data-testid="compose-dst-warning">
          <Text size="sm">{due.warning}</Text>
        </Alert>
      )}
      {error && isWallTime(value) && (
        <Text size="xs" c="red" data-testid="compose-due-error">
          {error.message}
        </Text>
      )}
    </Stack>
  );
}
