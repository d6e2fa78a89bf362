import { Alert, Badge, Button, Code, Group, List, Table, Text } from '@mantine/core';
import { IconCircleCheck, IconShieldCheck, IconShieldX, IconStethoscope } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { errorMessage, useBackend, type IntegrityReport, type VaultInfo } from '../../backend';
import { formatBytes } from '../../lib/format';
import { Section } from './Section';

export function keyModeLabel(info: VaultInfo): string {
  return info.key_mode === 'keyring' ? `OS keyring (${info.keyring_backend ?? 'unknown backend'})` : 'Passphrase';
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={180} fw={500}>
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

export function VaultSection({ info }: { info: VaultInfo }) {
  const backend = useBackend();
  const [checking, setChecking] = useState(false);
  const [report, setReport] = useState<IntegrityReport | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);

  const runCheck = async () => {
    setChecking(true);
    setCheckError(null);
    setReport(null);
    try {
      setReport(await backend.vaultIntegrityCheck());
    } catch (e) {
      setCheckError(errorMessage(e));
    } finally {
      setChecking(false);
    }
  };

  const errors = report ? [...report.cipher_errors, ...report.sqlite_errors] : [];

  return (
    <Section id="vault" title="Vault" description="Everything Switchboard stores lives in this one encrypted database on this computer.">
      <Table variant="vertical" layout="fixed" withTableBorder={false}>
        <Table.Tbody>
          <Row label="Encryption">
            {info.encrypted_on_disk ? (
              <Group gap="xs">
                <Badge color="teal" size="lg" tt="none" leftSection={<IconShieldCheck size={14} />} data-testid="vault-encryption-status">
                  Encrypted (SQLCipher {info.cipher_version})
                </Badge>
                <Text size="xs" c="dimmed">
                  verified on disk
                </Text>
              </Group>
            ) : (
              <Badge color="red" size="lg" tt="none" leftSection={<IconShieldX size={14} />} data-testid="vault-encryption-status">
                NOT encrypted
              </Badge>
            )}
          </Row>
          <Row label="Key">
            <Text size="sm" data-testid="vault-key-mode">
              {keyModeLabel(info)}
            </Text>
          </Row>
          <Row label="Schema version">
            <Text size="sm" data-testid="vault-schema-version">
              {info.schema_version ?? 'unknown'} of {info.known_schema_version ?? 'unknown'} known
            </Text>
          </Row>
          <Row label="Database file">
            <Code>{info.db_path}</Code>
          </Row>
          <Row label="Backups folder">
            <Code>{info.backups_dir}</Code>
          </Row>
          <Row label="Size">
            <Text size="sm">{formatBytes(info.db_size_bytes)}</Text>
          </Row>
        </Table.Tbody>
      </Table>

      <Group>
        <Button variant="light" leftSection={<IconStethoscope size={16} />} loading={checking} onClick={runCheck} data-testid="vault-integrity-run">
          Run integrity check
        </Button>
      </Group>
      <div data-testid="vault-integrity-result" aria-live="polite">
        {checkError && (
          <Alert color="red" title="The integrity check could not run">
            {checkError}
          </Alert>
        )}
        {report && report.ok && errors.length === 0 && (
          <Alert color="teal" icon={<IconCircleCheck size={18} />} title="OK">
            The integrity check found no problems.
          </Alert>
        )}
        {report && (!report.ok || errors.length > 0) && (
          <Alert color="red" icon={<IconShieldX size={18} />} title="Problems found">
            {errors.length === 0 ? (
              'The check failed without details.'
            ) : (
              <List size="sm">
                {errors.map((err, i) => (
                  <List.Item key={i}>{err}</List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
      </div>
    </Section>
  );
}
