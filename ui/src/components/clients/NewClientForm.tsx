import { Button, Group, Paper, Stack, TextInput, Textarea, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Client } from '../../backend';
import { defaultTimeZone } from '../../lib/timezones';
import { TimeZoneSelect } from '../TimeZoneSelect';

export function NewClientForm({ onCreated }: { onCreated: (client: Client) => void }) {
  const backend = useBackend();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(defaultTimeZone);
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('A client needs a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const client = await backend.createClient({ name: name.trim(), timezone, notes: notes.trim() || null });
      setName('');
      setNotes('');
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
          <Group align="flex-start" grow wrap="wrap">
            <TextInput
              label="Name"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={error}
              data-testid="new-client-name"
            />
            <TimeZoneSelect value={timezone} onChange={setTimezone} testId="new-client-timezone" />
          </Group>
          <Textarea label="Notes" autosize minRows={1} maxRows={4} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
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
