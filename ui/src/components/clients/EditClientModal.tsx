import { Button, Group, Modal, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Client } from '../../backend';
import { ClientFields, type ClientDraft } from './ClientFields';

type Props = { client: Client | null; onClose: () => void; onSaved: (client: Client) => void };

export function EditClientModal({ client, onClose, onSaved }: Props) {
  const backend = useBackend();
  const [draft, setDraft] = useState<ClientDraft>({ name: '', timezone: 'UTC', notes: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!client) return;
    setDraft({ name: client.name, timezone: client.timezone, notes: client.notes });
    setError(null);
  }, [client]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!client) return;
    const name = draft.name.trim();
    if (!name) {
      setError('A client needs a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await backend.updateClient(client.id, {
        name: name !== client.name ? name : null,
        timezone: draft.timezone !== client.timezone ? draft.timezone : null,
        notes: draft.notes !== client.notes ? draft.notes : null,
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
          <ClientFields value={draft} onChange={setDraft} error={error} testIdPrefix="edit-client" />
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
