import { Button, Group, Table, Text } from '@mantine/core';
import { IconDatabaseExport } from '@tabler/icons-react';
import { useCallback, useState } from 'react';
import { useAppStatus } from '../../appStatus';
import { useBackend, type BackupInfo } from '../../backend';
import { useLoadAndRefresh } from '../../hooks/useVaultChanged';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/notify';
import { BackupTable } from '../BackupTable';
import { ConfirmDialog } from '../ConfirmDialog';
import { Section } from './Section';

export function BackupsSection() {
  const backend = useBackend();
  const { reloadApp } = useAppStatus();
  const [backups, setBackups] = useState<BackupInfo[] | null>(null);
  const [backingUp, setBackingUp] = useState(false);
  const [toRestore, setToRestore] = useState<BackupInfo | null>(null);
  const [restoring, setRestoring] = useState(false);

  const load = useCallback(async () => {
    try {
      setBackups(await backend.vaultBackups());
    } catch (e) {
      notifyError('Could not list backups', e);
    }
  }, [backend]);

  useLoadAndRefresh(load);

  const backupNow = async () => {
    setBackingUp(true);
    try {
      const b = await backend.vaultBackup();
      notifySuccess(`Backup ${b.file_name} saved.`);
      await load();
    } catch (e) {
      notifyError('Backup failed', e);
    } finally {
      setBackingUp(false);
    }
  };

  const restore = async () => {
    if (!toRestore) return;
    setRestoring(true);
    try {
      await backend.vaultRestore(toRestore.file_name);
      setToRestore(null);
      notifySuccess(`Restored the vault from ${toRestore.file_name}.`);
      await reloadApp();
    } catch (e) {
      notifyError('Restore failed', e);
      setRestoring(false);
    }
  };

  return (
    <Section id="backups" title="Backups" description="Backups are encrypted copies of the vault, kept in the backups folder.">
      <Group>
        <Button leftSection={<IconDatabaseExport size={16} />} loading={backingUp} onClick={backupNow} data-testid="vault-backup-now">
          Back up now
        </Button>
      </Group>
      {backups === null ? (
        <Text size="sm" c="dimmed">
          Loading backups…
        </Text>
      ) : backups.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="backups-empty">
          There are no backups yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={520}>
          <BackupTable backups={backups} onRestore={setToRestore} rowTestId="backup-row" showFile />
        </Table.ScrollContainer>
      )}

      <ConfirmDialog
        opened={toRestore !== null}
        title="Restore this backup?"
        confirmLabel="Restore"
        danger
        loading={restoring}
        onConfirm={restore}
        onCancel={() => setToRestore(null)}
      >
        {toRestore
          ? `The vault will be replaced by the backup taken ${formatDateTime(toRestore.created_at)} (${toRestore.file_name}). Anything changed since then will be lost unless you back up now first.`
          : ''}
      </ConfirmDialog>
    </Section>
  );
}
