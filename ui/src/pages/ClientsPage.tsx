import { Grid, Group, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { IconBriefcase } from '@tabler/icons-react';
import { useState } from 'react';
import { useAppData } from '../appData';
import { useBackend, type Client } from '../backend';
import { BrandsPanel } from '../components/clients/BrandsPanel';
import { ClientTable } from '../components/clients/ClientTable';
import { EditClientModal } from '../components/clients/EditClientModal';
import { NewClientForm } from '../components/clients/NewClientForm';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { notifyError, notifySuccess } from '../lib/notify';

export function ClientsPage() {
  const backend = useBackend();
  const { clients, currentClientId, selectClient, refreshClients } = useAppData();
  const [showArchived, setShowArchived] = useState(false);
  const [editing, setEditing] = useState<Client | null>(null);
  const [toDelete, setToDelete] = useState<Client | null>(null);
  const [deleting, setDeleting] = useState(false);

  const visible = (clients ?? []).filter((c) => showArchived || c.archived_at === null);
  const selected = clients?.find((c) => c.id === currentClientId) ?? null;
  const archivedCount = (clients ?? []).filter((c) => c.archived_at !== null).length;

  const onCreated = async (client: Client) => {
    await refreshClients();
    notifySuccess(`Added ${client.name}.`);
    if (!currentClientId) await selectClient(client.id);
  };

  const archive = async (client: Client, archived: boolean) => {
    try {
      await backend.archiveClient(client.id, archived);
      await refreshClients();
      notifySuccess(archived ? `Archived ${client.name}.` : `Restored ${client.name} from the archive.`);
    } catch (e) {
      notifyError(`Could not ${archived ? 'archive' : 'unarchive'} ${client.name}`, e);
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await backend.deleteClient(toDelete.id);
      if (toDelete.id === currentClientId) await selectClient(null);
      await refreshClients();
      notifySuccess(`Deleted ${toDelete.name}.`);
      setToDelete(null);
    } catch (e) {
      notifyError(`Could not delete ${toDelete.name}`, e);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Clients</Title>
        <Switch
          label={`Show archived${archivedCount ? ` (${archivedCount})` : ''}`}
          checked={showArchived}
          onChange={(e) => setShowArchived(e.currentTarget.checked)}
          data-testid="show-archived"
        />
      </Group>

      <NewClientForm onCreated={onCreated} />

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Paper withBorder p="md" radius="md">
            {clients === null ? (
              <Text size="sm" c="dimmed">
                Loading clients…
              </Text>
            ) : visible.length === 0 ? (
              <EmptyState icon={<IconBriefcase />} title={clients.length === 0 ? 'No clients yet' : 'No active clients'} testId="clients-empty">
                {clients.length === 0 ? 'Add your first client with the form above.' : 'All clients are archived. Turn on "Show archived" to see them.'}
              </EmptyState>
            ) : (
              <ClientTable
                clients={visible}
                selectedId={currentClientId}
                onSelect={(c) => selectClient(c.id)}
                onEdit={setEditing}
                onArchive={archive}
                onDelete={setToDelete}
              />
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          {selected ? (
            <BrandsPanel client={selected} />
          ) : (
            <Paper withBorder p="md" radius="md">
              <Text size="sm" c="dimmed">
                Select a client to see and manage its brands.
              </Text>
            </Paper>
          )}
        </Grid.Col>
      </Grid>

      <EditClientModal
        client={editing}
        onClose={() => setEditing(null)}
        onSaved={async (c) => {
          setEditing(null);
          await refreshClients();
          notifySuccess(`Saved ${c.name}.`);
        }}
      />

      <ConfirmDialog
        opened={toDelete !== null}
        title="Delete client?"
        confirmLabel="Delete client"
        danger
        loading={deleting}
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      >
        {`Delete "${toDelete?.name ?? ''}" and all of its brands? This cannot be undone. Archive the client instead if you may need it later.`}
      </ConfirmDialog>
    </Stack>
  );
}
