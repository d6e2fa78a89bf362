import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconUserExclamation } from '@tabler/icons-react';
import { useState } from 'react';
import { useBackend, type Connection } from '../../backend';
import { accountLabel } from '../../lib/connections';
import { notifyError, notifySuccess } from '../../lib/notify';

type Props = { connection: Connection; platformName: string; testId: string; onResolved: () => void };

/** A reconnect signed in as another account: the old grant keeps working until the user chooses. */
export function AccountMismatchAlert({ connection, platformName, testId, onResolved }: Props) {
  const backend = useBackend();
  const [busy, setBusy] = useState<'accept' | 'keep' | null>(null);
  const pending = accountLabel(connection.pending_account_name, connection.pending_account_id);
  const current = accountLabel(connection.account_name, connection.account_id);

  const resolve = async (accept: boolean) => {
    setBusy(accept ? 'accept' : 'keep');
    try {
      await backend.resolveAccountMismatch(connection.id, accept);
      notifySuccess(accept ? `${platformName} now uses ${pending}.` : `${platformName} keeps using ${current}.`);
      onResolved();
    } catch (e) {
      notifyError('Could not resolve the account switch', e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Alert color="orange" icon={<IconUserExclamation size={18} />} title="A different account signed in" data-testid={testId}>
      <Stack gap="xs">
        <Text size="sm">
          You signed in as <strong>{pending}</strong> but this connection uses <strong>{current}</strong>. The current account
          keeps working until you choose.
        </Text>
        <Group gap="xs">
          <Button size="xs" color="orange" loading={busy === 'accept'} disabled={busy !== null} onClick={() => resolve(true)} data-testid={`${testId}-accept`}>
            Use the new account
          </Button>
          <Button size="xs" variant="default" loading={busy === 'keep'} disabled={busy !== null} onClick={() => resolve(false)} data-testid={`${testId}-keep`}>
            Keep the current account
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
