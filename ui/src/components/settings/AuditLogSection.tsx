import { Button, Group, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import { useBackend, type AuditEntry } from '../../backend';
import { useLoadAndRefresh } from '../../hooks/useVaultChanged';
import { formatDateTime } from '../../lib/format';
import { notifyError } from '../../lib/notify';
import { Section } from './Section';

const PAGE = 100;

export function AuditLogSection() {
  const backend = useBackend();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);

  const load = useCallback(async () => {
    try {
      const page = await backend.auditLog(PAGE, null);
      setEntries(page);
      setMore(page.length === PAGE);
    } catch (e) {
      notifyError('Could not load the audit log', e);
    }
  }, [backend]);

  useLoadAndRefresh(load);

  const loadOlder = async () => {
    if (!entries || entries.length === 0) return;
    setLoadingMore(true);
    try {
      const before = Math.min(...entries.map((e) => e.seq));
      const page = await backend.auditLog(PAGE, before);
      setEntries([...entries, ...page]);
      setMore(page.length === PAGE);
    } catch (e) {
      notifyError('Could not load older entries', e);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <Section id="audit" title="Audit log" description="What was changed in the vault, newest first.">
      {entries === null ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : entries.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="audit-empty">
          Nothing has been recorded yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={600} mah={420}>
          <Table striped stickyHeader aria-label="Audit log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => (
                <Table.Tr key={e.seq} data-testid="audit-row">
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.at)}</Table.Td>
                  <Table.Td>{e.actor}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {e.action}
                    </Text>
                  </Table.Td>
                  <Table.Td>{e.detail}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {more && (
        <Group>
          <Button variant="default" size="xs" loading={loadingMore} onClick={loadOlder}>
            Load older entries
          </Button>
        </Group>
      )}
    </Section>
  );
}
