import { Button, PasswordInput, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { AppStatus } from '../../backend';
import { GateCard } from './GateCard';
import { useUnlock } from './useUnlock';

type Props = { message: string; onStatus: (status: AppStatus) => void };

export function UnlockScreen({ message, onStatus }: Props) {
  const [passphrase, setPassphrase] = useState('');
  const { error, busy, unlock } = useUnlock(onStatus);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void unlock(passphrase, passphrase ? null : 'Enter your passphrase.');
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
