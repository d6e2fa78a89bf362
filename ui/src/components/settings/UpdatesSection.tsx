import { Alert, Button, Group, Text, TextInput, Textarea } from '@mantine/core';
import { IconCloudDownload } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useAppData } from '../../appData';
import { errorMessage, useBackend, type UpdateCheck } from '../../backend';
import { notifySuccess } from '../../lib/notify';
import { Section } from './Section';

export function UpdatesSection() {
  const backend = useBackend();
  const { settings, setSettings } = useAppData();
  const [endpoint, setEndpoint] = useState('');
  const [pubkey, setPubkey] = useState('');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<UpdateCheck | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);

  const savedEndpoint = settings?.updater_endpoint ?? '';
  const savedPubkey = settings?.updater_pubkey ?? '';
  useEffect(() => setEndpoint(savedEndpoint), [savedEndpoint]);
  useEffect(() => setPubkey(savedPubkey), [savedPubkey]);
  const dirty = endpoint.trim() !== savedEndpoint || pubkey.trim() !== savedPubkey;

  const save = async () => {
    setSaving(true);
    setSaveError(null);
    try {
      let latest = settings;
      if (endpoint.trim() !== savedEndpoint) latest = await backend.setSetting('updater.endpoint', endpoint.trim());
      if (pubkey.trim() !== savedPubkey) latest = await backend.setSetting('updater.pubkey', pubkey.trim());
      if (latest) setSettings(latest);
      notifySuccess('Update settings saved.');
    } catch (e) {
      setSaveError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const check = async () => {
    setChecking(true);
    setResult(null);
    setCheckError(null);
    try {
      setResult(await backend.checkForUpdate());
    } catch (e) {
      setCheckError(errorMessage(e));
    } finally {
      setChecking(false);
    }
  };

  return (
    <Section id="updates" title="Updates" description="Updates are downloaded only from this endpoint and installed only if signed with this public key.">
      <TextInput
        label="Update endpoint URL"
        placeholder="https://updates.example.com/switchboard/latest.json"
        value={endpoint}
        onChange={(e) => setEndpoint(e.currentTarget.value)}
        data-testid="updater-endpoint"
      />
      <Textarea
        label="Public key"
        autosize
        minRows={2}
        maxRows={5}
        value={pubkey}
        onChange={(e) => setPubkey(e.currentTarget.value)}
        error={saveError}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        data-testid="updater-pubkey"
      />
      <Group>
        <Button onClick={save} loading={saving} disabled={!dirty} data-testid="updater-save">
          Save
        </Button>
        <Button variant="light" leftSection={<IconCloudDownload size={16} />} loading={checking} onClick={check} data-testid="update-check">
          Check for updates
        </Button>
      </Group>
      <div data-testid="update-check-result" aria-live="polite">
        {checkError && <Alert color="red">{checkError}</Alert>}
        {result &&
          (result.available ? (
            <Alert color="blue" title={`Version ${result.version ?? '?'} is available`}>
              <Text size="sm">You have version {result.current_version}.</Text>
              {result.notes && (
                <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap' }}>
                  {result.notes}
                </Text>
              )}
            </Alert>
          ) : (
            <Alert color="teal">You are up to date (version {result.current_version}).</Alert>
          ))}
      </div>
    </Section>
  );
}
