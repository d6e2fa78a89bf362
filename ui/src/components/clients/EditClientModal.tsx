import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Client } from '../../backend';
import { TimeZoneSelect } from '../TimeZoneSelect';

type Props = { client: Client | null; onClose: () => void; onSaved: (client: Client) => void };

export function EditClientModal({ client, onClose, onSaved }: Props) {
  const backend = useBackend();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!client) return;
    setName(client.name);
    setTimezone(client.timezone);
    setNotes(client.notes);
    setError(null);
  }, [client]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!client) return;
    if (!name.trim()) {
      setError('A client needs a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await backend.updateClient(client.id, {
        name: name.trim() !== client.name ? name.trim() : null,
        timezone: timezone !== client.timezone ? timezone : null,
        notes: notes !== client.notes ? notes : null,
      });
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={client !== null} onClose={onClose} title={client ? `Edit ${client.name}` : 'Edit client'} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={error} data-testid="edit-client-name" />
          <TimeZoneSelect value={timezone} onChange={setTimezone} testId="edit-client-timezone" />
          <Textarea label="Notes" autosize minRows={2} maxRows={6} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="edit-client-submit">
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
