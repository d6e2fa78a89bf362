import { Alert, Button, Stack, Table, Text } from '@mantine/core';
import { IconAlertOctagon } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage, useBackend, type AppStatus, type BackupInfo } from '../../backend';
import { formatBytes, formatDateTime } from '../../lib/format';
import { GateCard } from './GateCard';

type Props = { message: string; backups: BackupInfo[]; onStatus: (status: AppStatus) => void };

export function DamagedScreen({ message, backups, onStatus }: Props) {
  const backend = useBackend();
  const [restoring, setRestoring] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sorted = [...backups].sort((a, b) => b.created_at.localeCompare(a.created_at));

  const restore = async (fileName: string) => {
    setRestoring(fileName);
    setError(null);
    try {
      onStatus(await backend.restoreDamagedVault(fileName));
    } catch (err) {
      setError(errorMessage(err));
      setRestoring(null);
    }
  };

  return (
    <GateCard title="Your vault is damaged" wide>
      <Alert color="red" icon={<IconAlertOctagon size={18} />} data-testid="damaged-message">
        {message}
      </Alert>
      {sorted.length === 0 ? (
        <Text size="sm">
          No backups were found, so there is nothing to restore from. Switchboard has not changed or deleted the damaged
          vault file.
        </Text>
      ) : (
        <Stack gap="xs">
          <Text size="sm">
            Pick a backup to restore. The newest is listed first; anything changed after it was taken will be missing.
          </Text>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Taken</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((b) => (
                <Table.Tr key={b.file_name} data-testid="damaged-backup-row">
                  <Table.Td title={b.file_name}>{formatDateTime(b.created_at)}</Table.Td>
                  <Table.Td>{formatBytes(b.size_bytes)}</Table.Td>
                  <Table.Td>{b.reason}</Table.Td>
                  <Table.Td ta="right">
                    <Button
                      size="xs"
                      loading={restoring === b.file_name}
                      disabled={restoring !== null && restoring !== b.file_name}
                      onClick={() => restore(b.file_name)}
                      aria-label={`Restore backup from ${formatDateTime(b.created_at)}`}
                    >
                      Restore
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      )}
      {error && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
    </GateCard>
  );
}
