import { Alert, Button, Group, List, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconFileImport } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type EnvImportReport } from '../../backend';

/** Reads app credentials from an existing .env file; the report names variables, never values. */
export function EnvImportForm({ platformName }: { platformName: (id: string) => string }) {
  const backend = useBackend();
  const [path, setPath] = useState('');
  const [report, setReport] = useState<EnvImportReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!path.trim()) {
      setError('Enter the path of the .env file.');
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      setReport(await backend.importEnvFile(path.trim()));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const imported = report ? Object.entries(report.imported) : [];
  const skipped = report ? Object.entries(report.skipped) : [];

  return (
    <Stack gap="xs">
      <form onSubmit={submit} noValidate>
        <Group align="flex-end">
          <TextInput
            label="Import from a .env file"
            description="Full path of a .env file with variables such as META_APP_ID or GOOGLE_CLIENT_SECRET."
            placeholder="/home/me/agency/.env"
            value={path}
            onChange={(e) => setPath(e.currentTarget.value)}
            error={error}
            style={{ flex: 1 }}
            data-testid="env-import-path"
          />
          <Button type="submit" variant="light" leftSection={<IconFileImport size={16} />} loading={busy} data-testid="env-import-run">
            Import
          </Button>
        </Group>
      </form>
      {report && (
        <Alert color={imported.length > 0 ? 'teal' : 'yellow'} title={imported.length > 0 ? 'Imported' : 'Nothing was imported'} data-testid="env-import-report">
          <Stack gap="xs">
            {imported.length > 0 && (
              <Table verticalSpacing={2} aria-label="Imported variables" data-testid="env-import-imported">
                <Table.Tbody>
                  {imported.map(([platform, vars]) => (
                    <Table.Tr key={platform}>
                      <Table.Th w={200}>{platformName(platform)}</Table.Th>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {vars.join(', ')}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {skipped.length > 0 && (
              <div data-testid="env-import-skipped">
                <Text size="sm" fw={500}>
                  Skipped
                </Text>
                <List size="sm">
                  {skipped.map(([variable, reason]) => (
                    <List.Item key={variable}>
                      <code>{variable}</code>: {reason}
                    </List.Item>
                  ))}
                </List>
              </div>
            )}
            <Text size="xs" c="dimmed">
              Only variable names are shown; the values went straight into the vault.
            </Text>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
