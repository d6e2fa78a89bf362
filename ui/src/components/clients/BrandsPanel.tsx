import { ActionIcon, Button, Group, Paper, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconPencil, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type Brand, type Client } from '../../backend';
import { useVaultChanged } from '../../hooks/useVaultChanged';
import { notifyError } from '../../lib/notify';
import { ConfirmDialog } from '../ConfirmDialog';

/** Brands of one client: list, add, rename inline, delete with confirmation. */
export function BrandsPanel({ client }: { client: Client }) {
  const backend = useBackend();
  const [brands, setBrands] = useState<Brand[] | null>(null);
  const [newName, setNewName] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<{ id: string; name: string; error: string | null } | null>(null);
  const [toDelete, setToDelete] = useState<Brand | null>(null);
  const [deleting, setDeleting] = useState(false);
  const request = useRef(0);

  const load = useCallback(async () => {
    const mine = ++request.current;
    try {
      const list = await backend.listBrands(client.id);
      if (mine === request.current) setBrands(list);
    } catch (e) {
      if (mine === request.current) notifyError('Could not load brands', e);
    }
  }, [backend, client.id]);

  useEffect(() => {
    setBrands(null);
    setEditing(null);
    setAddError(null);
    void load();
  }, [load]);

  useVaultChanged(() => void load());

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!newName.trim()) {
      setAddError('A brand needs a name.');
      return;
    }
    setAdding(true);
    setAddError(null);
    try {
      await backend.createBrand(client.id, newName.trim());
      setNewName('');
      await load();
    } catch (err) {
      setAddError(errorMessage(err));
    } finally {
      setAdding(false);
    }
  };

  const saveRename = async () => {
    if (!editing) return;
    if (!editing.name.trim()) {
      setEditing({ ...editing, error: 'A brand needs a name.' });
      return;
    }
    try {
      await backend.renameBrand(client.id, editing.id, editing.name.trim());
      setEditing(null);
      await load();
    } catch (err) {
      setEditing({ ...editing, error: errorMessage(err) });
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await backend.deleteBrand(client.id, toDelete.id);
      setToDelete(null);
      await load();
    } catch (err) {
      notifyError(`Could not delete ${toDelete.name}`, err);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="brands-title" data-testid="brands-panel">
      <Stack gap="sm">
        <Title order={3} size="h5" id="brands-title">
          Brands of {client.name}
        </Title>

        {brands === null ? (
          <Text size="sm" c="dimmed">
            Loading brands…
          </Text>
        ) : brands.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="brands-empty">
            {client.name} has no brands yet.
          </Text>
        ) : (
          <Table verticalSpacing={4} aria-label={`Brands of ${client.name}`}>
            <Table.Tbody>
              {brands.map((b) => (
                <Table.Tr key={b.id} data-testid="brand-row">
                  {editing?.id === b.id ? (
                    <Table.Td colSpan={2}>
                      <Group gap="xs" align="flex-start" wrap="nowrap">
                        <TextInput
                          aria-label={`New name for ${b.name}`}
                          value={editing.name}
                          error={editing.error}
                          onChange={(e) => setEditing({ ...editing, name: e.currentTarget.value, error: null })}
                          onKeyDown={(e) => {
                            if (e.key === 'Enter') void saveRename();
                            if (e.key === 'Escape') setEditing(null);
                          }}
                          autoFocus
                          style={{ flex: 1 }}
                          data-testid="rename-brand-name"
                        />
                        <ActionIcon variant="light" size="lg" aria-label="Save name" onClick={saveRename}>
                          <IconCheck size={16} />
                        </ActionIcon>
                        <ActionIcon variant="default" size="lg" aria-label="Cancel rename" onClick={() => setEditing(null)}>
                          <IconX size={16} />
                        </ActionIcon>
                      </Group>
                    </Table.Td>
                  ) : (
                    <>
                      <Table.Td>
                        <Text size="sm">{b.name}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end" wrap="nowrap">
                          <Tooltip label="Rename">
                            <ActionIcon variant="subtle" aria-label={`Rename ${b.name}`} onClick={() => setEditing({ id: b.id, name: b.name, error: null })}>
                              <IconPencil size={16} />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label="Delete">
                            <ActionIcon variant="subtle" color="red" aria-label={`Delete ${b.name}`} onClick={() => setToDelete(b)}>
                              <IconTrash size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      </Table.Td>
                    </>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}

        <form onSubmit={add} noValidate>
          <Group gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              aria-label="New brand name"
              placeholder="New brand name"
              value={newName}
              onChange={(e) => setNewName(e.currentTarget.value)}
              error={addError}
              style={{ flex: 1 }}
              data-testid="new-brand-name"
            />
            <Button type="submit" loading={adding} leftSection={<IconPlus size={16} />} data-testid="new-brand-submit">
              Add brand
            </Button>
          </Group>
        </form>
      </Stack>

      <ConfirmDialog
        opened={toDelete !== null}
        title="Delete brand?"
        confirmLabel="Delete brand"
        danger
        loading={deleting}
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      >
        {`Delete the brand "${toDelete?.name ?? ''}" of ${client.name}? This cannot be undone.`}
      </ConfirmDialog>
    </Paper>
  );
}
