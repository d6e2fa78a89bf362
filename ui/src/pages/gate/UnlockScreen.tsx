import { Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type AppStatus } from '../../backend';
import { GateCard } from './GateCard';

type Props = { message: string; onStatus: (status: AppStatus) => void };

export function UnlockScreen({ message, onStatus }: Props) {
  const backend = useBackend();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase) {
      setError('Enter your passphrase.');
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
    <GateCard title="Unlock your vault">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Text size="sm">{message || 'Your vault is protected by a passphrase. Enter it to open Switchboard.'}</Text>
          <PasswordInput
            label="Passphrase"
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
            error={error}
            autoFocus
            autoComplete="current-password"
            data-testid="unlock-passphrase"
          />
          <Button type="submit" loading={busy} data-testid="unlock-submit">
            Unlock
          </Button>
        </Stack>
      </form>
    </GateCard>
  );
}
