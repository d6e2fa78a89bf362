import { NativeSelect, Stack, Switch, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useBackend, type Brand, type Connection, type ConnectionAccount } from '../../backend';
import { useLoadAndRefresh } from '../../hooks/useVaultChanged';
import { notifyError } from '../../lib/notify';

type Props = { connection: Connection; brands: Brand[]; testId: string };

/** The ad accounts, pages or sites a grant reaches, and which of them Switchboard uses. */
export function AccountsList({ connection, brands, testId }: Props) {
  const backend = useBackend();
  const [accounts, setAccounts] = useState<ConnectionAccount[] | null>(null);

  const load = useCallback(async () => {
    try {
      setAccounts(await backend.connectionAccounts(connection.id));
    } catch (e) {
      notifyError('Could not load the accounts of a connection', e);
    }
  }, [backend, connection.id]);

  useLoadAndRefresh(load);

  const link = async (a: ConnectionAccount, linked: boolean, brandId: string | null) => {
    setAccounts((list) => list?.map((x) => (x.external_id === a.external_id ? { ...x, linked, linked_brand_id: brandId } : x)) ?? null);
    try {
      await backend.linkConnectionAccount(connection.id, a.external_id, linked, brandId);
    } catch (e) {
      notifyError(`Could not update ${a.name ?? a.external_id}`, e);
      void load();
    }
  };

  return (
    <Stack gap={4} data-testid={testId}>
      <Text size="xs" c="dimmed">
        Accounts
      </Text>
      {accounts === null ? (
        <Text size="sm" c="dimmed">
          Loading accounts…
        </Text>
      ) : accounts.length === 0 ? (
        <Text size="sm" c="dimmed">
          No ad accounts, pages or sites have been found for this connection yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={480}>
          <Table verticalSpacing={4} aria-label="Accounts of this connection">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Account</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Use</Table.Th>
                <Table.Th>Brand</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {accounts.map((a) => {
                const name = a.name ?? a.external_id;
                return (
                  <Table.Tr key={a.external_id} data-testid="connection-account-row">
                    <Table.Td>
                      <Text size="sm">{name}</Text>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {a.external_id}
                        {a.currency ? ` · ${a.currency}` : ''}
                        {a.manager ? ` · via manager ${a.manager}` : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{a.kind.replace(/_/g, ' ')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        checked={a.linked}
                        onChange={(e) => link(a, e.currentTarget.checked, a.linked_brand_id)}
                        aria-label={`Use ${name} in Switchboard`}
                      />
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        size="xs"
                        aria-label={`Brand for ${name}`}
                        value={a.linked_brand_id ?? ''}
                        disabled={!a.linked}
                        onChange={(e) => link(a, a.linked, e.currentTarget.value || null)}
                        data={[{ value: '', label: 'Any brand' }, ...brands.map((b) => ({ value: b.id, label: b.name }))]}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
