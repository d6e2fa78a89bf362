import { Alert, Stack, Text } from '@mantine/core';
import { IconAlertOctagon } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage, useBackend, type AppStatus, type BackupInfo } from '../../backend';
import { BackupTable } from '../../components/BackupTable';
import { GateCard } from './GateCard';

type Props = { message: string; backups: BackupInfo[]; onStatus: (status: AppStatus) => void };

export function DamagedScreen({ message, backups, onStatus }: Props) {
  const backend = useBackend();
  const [restoring, setRestoring] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const restore = async ({ file_name }: BackupInfo) => {
    setRestoring(file_name);
    setError(null);
    try {
      onStatus(await backend.restoreDamagedVault(file_name));
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
      {backups.length === 0 ? (
        <Text size="sm">
          No backups were found, so there is nothing to restore from. Switchboard has not changed or deleted the damaged
          vault file.
        </Text>
      ) : (
        <Stack gap="xs">
          <Text size="sm">
            Pick a backup to restore. The newest is listed first; anything changed after it was taken will be missing.
          </Text>
          <BackupTable backups={backups} onRestore={restore} rowTestId="damaged-backup-row" restoring={restoring} />
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
