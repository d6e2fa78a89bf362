import { ActionIcon, Anchor, Badge, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconArchive, IconArchiveOff, IconPencil, IconTrash } from '@tabler/icons-react';
import type { Client } from '../../backend';

type Props = {
  clients: Client[];
  selectedId: string | null;
  onSelect: (client: Client) => void;
  onEdit: (client: Client) => void;
  onArchive: (client: Client, archived: boolean) => void;
  onDelete: (client: Client) => void;
};

export function ClientTable({ clients, selectedId, onSelect, onEdit, onArchive, onDelete }: Props) {
  return (
    <Table highlightOnHover verticalSpacing="xs" aria-label="Clients">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Time zone</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {clients.map((c) => {
          const selected = c.id === selectedId;
          const archived = c.archived_at !== null;
          return (
            <Table.Tr
              key={c.id}
              data-testid="client-row"
              data-client-id={c.id}
              data-selected={selected || undefined}
              bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
            >
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Anchor component="button" type="button" data-testid="client-open" fw={selected ? 700 : 500} onClick={() => onSelect(c)} aria-current={selected || undefined}>
                    {c.name}
                  </Anchor>
                  {archived && (
                    <Badge size="xs" color="gray" variant="light">
                      Archived
                    </Badge>
                  )}
                </Group>
                {c.notes && (
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {c.notes}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.timezone}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} justify="flex-end" wrap="nowrap">
                  <Tooltip label="Edit">
                    <ActionIcon variant="subtle" aria-label={`Edit ${c.name}`} onClick={() => onEdit(c)}>
                      <IconPencil size={16} />
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label={archived ? 'Unarchive' : 'Archive'}>
                    <ActionIcon variant="subtle" aria-label={`${archived ? 'Unarchive' : 'Archive'} ${c.name}`} onClick={() => onArchive(c, !archived)}>
                      {archived ? <IconArchiveOff size={16} /> : <IconArchive size={16} />}
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Delete">
                    <ActionIcon variant="subtle" color="red" aria-label={`Delete ${c.name}`} onClick={() => onDelete(c)}>
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
