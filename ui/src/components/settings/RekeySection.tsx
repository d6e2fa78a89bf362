import { Alert, Button, Group, Radio, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { useBackend, type KeyMode, type VaultInfo } from '../../backend';
import { validateNewPassphrase } from '../../lib/passphrase';
import { notifyError, notifySuccess } from '../../lib/notify';
import { ConfirmDialog } from '../ConfirmDialog';
import { PassphrasePair } from '../PassphrasePair';
import { Section } from './Section';
import { keyModeLabel } from './VaultSection';

export function RekeySection({ info, onChanged }: { info: VaultInfo; onChanged: (info: VaultInfo) => void }) {
  const backend = useBackend();
  const [mode, setMode] = useState<KeyMode>('keyring');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const start = () => {
    if (mode === 'passphrase') {
      const problem = validateNewPassphrase(passphrase, confirm);
      if (problem) {
        setError(problem);
        return;
      }
    }
    setError(null);
    setConfirming(true);
  };

  const rekey = async () => {
    setBusy(true);
    try {
      const next = await backend.vaultRekey(mode, mode === 'passphrase' ? passphrase : null);
      setPassphrase('');
      setConfirm('');
      setConfirming(false);
      onChanged(next);
      notifySuccess(`The vault was re-encrypted. Key: ${keyModeLabel(next)}.`);
    } catch (e) {
      setConfirming(false);
      notifyError('Re-keying failed', e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section id="rekey" title="Re-key the vault" description={`Current key: ${keyModeLabel(info)}.`}>
      <Radio.Group value={mode} onChange={(v) => setMode(v as KeyMode)} label="New key" data-testid="rekey-mode">
        <Stack gap="xs" mt="xs">
          <Radio value="keyring" label="New random key in OS keyring" description="Switchboard opens without asking for anything." />
          <Radio value="passphrase" data-testid="rekey-mode-passphrase" label="Switch to passphrase" description="You type it every time Switchboard starts. It cannot be recovered if lost." />
        </Stack>
      </Radio.Group>
      {mode === 'passphrase' && (
        <Group grow align="flex-start">
          <PassphrasePair
            label="New passphrase"
            passphrase={passphrase}
            confirm={confirm}
            onPassphraseChange={setPassphrase}
            onConfirmChange={setConfirm}
            error={error}
            testId="rekey-passphrase"
          />
        </Group>
      )}
      <Group>
        <Button variant="light" color="orange" leftSection={<IconKey size={16} />} onClick={start} data-testid="rekey-start">
          Re-key vault…
        </Button>
      </Group>

      <ConfirmDialog opened={confirming} title="Re-key the vault?" confirmLabel="Re-key now" danger loading={busy} onConfirm={rekey} onCancel={() => setConfirming(false)}>
        <Stack gap="xs">
          <Text size="sm">
            The whole vault is re-encrypted with {mode === 'keyring' ? 'a new random key stored in the OS keyring' : 'your new passphrase'}.
            Back up first if you have not recently.
          </Text>
          {mode === 'passphrase' && (
            <Alert color="yellow" p="xs">
              Without this passphrase the vault cannot be opened. Nobody can recover it for you.
            </Alert>
          )}
        </Stack>
      </ConfirmDialog>
    </Section>
  );
}
