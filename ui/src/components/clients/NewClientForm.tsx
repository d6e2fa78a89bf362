import { Button, Group, Paper, Stack, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Client } from '../../backend';
import { defaultTimeZone } from '../../lib/timezones';
import { ClientFields, type ClientDraft } from './ClientFields';

export function NewClientForm({ onCreated }: { onCreated: (client: Client) => void }) {
  const backend = useBackend();
  const [draft, setDraft] = useState<ClientDraft>(() => ({ name: '', timezone: defaultTimeZone(), notes: '' }));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const name = draft.name.trim();
    if (!name) {
      setError('A client needs a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const client = await backend.createClient({ name, timezone: draft.timezone, notes: draft.notes.trim() || null });
      setDraft((d) => ({ ...d, name: '', notes: '' }));
      onCreated(client);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="new-client-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={3} size="h5" id="new-client-title">
            New client
          </Title>
          <ClientFields value={draft} onChange={setDraft} error={error} testIdPrefix="new-client" compact />
          <Group justify="flex-end">
            <Button type="submit" loading={busy} leftSection={<IconPlus size={16} />} data-testid="new-client-submit">
              Add client
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
