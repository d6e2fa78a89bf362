import { Select } from '@mantine/core';
import { IconBuildingStore } from '@tabler/icons-react';
import { useAppData } from '../appData';

/** Header picker for the client everything else works on; persisted as "ui.current_client". */
export function ClientSwitcher() {
  const { clients, currentClientId, selectClient } = useAppData();
  const options = (clients ?? [])
    .filter((c) => c.archived_at === null || c.id === currentClientId)
    .map((c) => ({ value: c.id, label: c.archived_at ? `${c.name} (archived)` : c.name }));
  const empty = options.length === 0;
  return (
    <Select
      aria-label="Current client"
      placeholder={empty ? 'No clients yet' : 'Choose a client'}
      data={options}
      value={currentClientId}
      onChange={(id) => id && selectClient(id)}
      disabled={empty}
      searchable
      allowDeselect={false}
      nothingFoundMessage="No matching client"
      leftSection={<IconBuildingStore size={16} />}
      w={{ base: 160, sm: 240 }}
      data-testid="client-switcher"
    />
  );
}
