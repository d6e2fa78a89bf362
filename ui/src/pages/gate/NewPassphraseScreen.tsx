import { Alert, Button, PasswordInput, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type AppStatus } from '../../backend';
import { validateNewPassphrase } from '../../lib/passphrase';
import { GateCard } from './GateCard';

type Props = { message: string; onStatus: (status: AppStatus) => void };

/** First start without an OS keyring: the user chooses the vault passphrase. */
export function NewPassphraseScreen({ message, onStatus }: Props) {
  const backend = useBackend();
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = validateNewPassphrase(passphrase, confirm);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onStatus(await backend.unlockVault(passphrase));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
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
          <PasswordInput
            label="Passphrase"
            description="At least 10 characters."
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
            autoFocus
            autoComplete="new-password"
            data-testid="new-passphrase"
          />
          <PasswordInput
            label="Repeat passphrase"
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={error}
            autoComplete="new-password"
            data-testid="new-passphrase-confirm"
          />
          <Button type="submit" loading={busy} data-testid="new-passphrase-submit">
            Create vault
          </Button>
        </Stack>
      </form>
    </GateCard>
  );
}
