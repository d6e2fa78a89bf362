import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { AppStatus } from '../../backend';
import { PassphrasePair } from '../../components/PassphrasePair';
import { validateNewPassphrase } from '../../lib/passphrase';
import { GateCard } from './GateCard';
import { useUnlock } from './useUnlock';

type Props = { message: string; onStatus: (status: AppStatus) => void };

/** First start without an OS keyring: the user chooses the vault passphrase. */
export function NewPassphraseScreen({ message, onStatus }: Props) {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const { error, busy, unlock } = useUnlock(onStatus);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void unlock(passphrase, validateNewPassphrase(passphrase, confirm));
  };

  return (
    <GateCard title="Choose a vault passphrase">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle size={18} />}>
            No OS keyring (Secret Service) was found, so your vault will be protected by this passphrase. It cannot be
            recovered if lost.
          </Alert>
          {message && (
            <Text size="sm" c="dimmed">
              {message}
            </Text>
          )}
          <PassphrasePair
            label="Passphrase"
            passphrase={passphrase}
            confirm={confirm}
            onPassphraseChange={setPassphrase}
            onConfirmChange={setConfirm}
            error={error}
            testId="new-passphrase"
            autoFocus
          />
          <Button type="submit" loading={busy} data-testid="new-passphrase-submit">
            Create vault
          </Button>
        </Stack>
      </form>
    </GateCard>
  );
}
