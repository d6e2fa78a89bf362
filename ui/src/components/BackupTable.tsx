import { Button, Table, Text } from '@mantine/core';
import type { BackupInfo } from '../backend';
import { formatBytes, formatDateTime } from '../lib/format';

type Props = {
  backups: BackupInfo[];
  onRestore: (backup: BackupInfo) => void;
  rowTestId: string;
  /** Adds a File column; otherwise the file name is only a tooltip on the date. */
  showFile?: boolean;
  /** File name being restored: its button spins, the others are disabled. */
  restoring?: string | null;
};

/** Backups, newest first, each with a Restore button. */
export function BackupTable({ backups, onRestore, rowTestId, showFile = false, restoring = null }: Props) {
  const sorted = [...backups].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <Table striped highlightOnHover aria-label="Backups">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Taken</Table.Th>
          {showFile && <Table.Th>File</Table.Th>}
          <Table.Th>Size</Table.Th>
          <Table.Th>Reason</Table.Th>
          <Table.Th />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {sorted.map((b) => (
          <Table.Tr key={b.file_name} data-testid={rowTestId}>
            <Table.Td title={b.file_name}>{formatDateTime(b.created_at)}</Table.Td>
            {showFile && (
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {b.file_name}
                </Text>
              </Table.Td>
            )}
            <Table.Td>{formatBytes(b.size_bytes)}</Table.Td>
            <Table.Td>{b.reason}</Table.Td>
            <Table.Td ta="right">
              <Button
                size="xs"
                variant="light"
                loading={restoring === b.file_name}
                disabled={restoring !== null && restoring !== b.file_name}
                onClick={() => onRestore(b)}
                aria-label={showFile ? `Restore ${b.file_name}` : `Restore backup from ${formatDateTime(b.created_at)}`}
              >
                Restore
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
