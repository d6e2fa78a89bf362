import { ActionIcon, Alert, Button, Collapse, Group, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type CustomProvider, type ProviderForm } from '../../backend';
import { useLoadAndRefresh } from '../../hooks/useVaultChanged';
import { notifyError, notifySuccess } from '../../lib/notify';
import { ConfirmDialog } from '../ConfirmDialog';
import { Section } from './Section';

type Endpoints = { authorize_url: string; token_url: string; revoke_url: string; userinfo_url: string; scopes: string; client_auth: string };

const NO_ENDPOINTS: Endpoints = { authorize_url: '', token_url: '', revoke_url: '', userinfo_url: '', scopes: '', client_auth: '' };

const ENDPOINT_FIELDS: { key: keyof Omit<Endpoints, 'client_auth'>; label: string; placeholder: string }[] = [
  { key: 'authorize_url', label: 'Authorization endpoint', placeholder: 'https://id.example.com/oauth2/authorize' },
  { key: 'token_url', label: 'Token endpoint', placeholder: 'https://id.example.com/oauth2/token' },
  { key: 'revoke_url', label: 'Revocation endpoint (optional)', placeholder: 'https://id.example.com/oauth2/revoke' },
  { key: 'userinfo_url', label: 'Userinfo endpoint (optional)', placeholder: 'https://id.example.com/userinfo' },
  { key: 'scopes', label: 'Scopes (optional)', placeholder: 'openid profile email offline_access' },
];

const orNull = (v: string) => v.trim() || null;

/** Generic OAuth 2.0 / OpenID Connect servers; each becomes a platform that can be connected. */
export function ProvidersSection() {
  const backend = useBackend();
  const [providers, setProviders] = useState<CustomProvider[] | null>(null);
  const [name, setName] = useState('');
  const [discovery, setDiscovery] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const [endpoints, setEndpoints] = useState<Endpoints>(NO_ENDPOINTS);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [toDelete, setToDelete] = useState<CustomProvider | null>(null);
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(async () => {
    try {
      setProviders(await backend.listProviders());
    } catch (e) {
      notifyError('Could not load the providers', e);
    }
  }, [backend]);

  useLoadAndRefresh(load);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setError('The provider needs a name.');
      return;
    }
    if (!discovery.trim() && !(endpoints.authorize_url.trim() && endpoints.token_url.trim())) {
      setError('Enter a discovery URL, or both the authorization and token endpoints under "Enter endpoints yourself".');
      return;
    }
    const form: ProviderForm = {
      display_name: name.trim(),
      discovery_url: orNull(discovery),
      authorize_url: orNull(endpoints.authorize_url),
      token_url: orNull(endpoints.token_url),
      revoke_url: orNull(endpoints.revoke_url),
      userinfo_url: orNull(endpoints.userinfo_url),
      scopes: orNull(endpoints.scopes),
      client_auth: orNull(endpoints.client_auth),
    };
    setBusy(true);
    setError(null);
    try {
      const p = await backend.addProvider(form);
      notifySuccess(`Added ${p.display_name}. Add its app credentials above, then connect it from Connections.`);
      setName('');
      setDiscovery('');
      setEndpoints(NO_ENDPOINTS);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await backend.deleteProvider(toDelete.id);
      notifySuccess(`Removed ${toDelete.display_name}.`);
      setToDelete(null);
      await load();
    } catch (e) {
      notifyError(`Could not remove ${toDelete.display_name}`, e);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Section
      id="providers"
      title="OAuth and OpenID Connect providers"
      description="Any standards-compliant sign-in server (Keycloak, Auth0, your own) can be added and connected like a built-in platform."
    >
      <form onSubmit={add} noValidate>
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput label="Name" placeholder="Acme SSO" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="provider-name" />
            <TextInput
              label="Discovery URL"
              placeholder="https://id.example.com/.well-known/openid-configuration"
              value={discovery}
              onChange={(e) => setDiscovery(e.currentTarget.value)}
              data-testid="provider-discovery"
            />
          </SimpleGrid>
          <Group>
            <Button
              variant="subtle"
              size="xs"
              leftSection={advanced ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
              onClick={() => setAdvanced((a) => !a)}
              aria-expanded={advanced}
              aria-controls="provider-endpoints"
              data-testid="provider-advanced"
            >
              Enter endpoints yourself
            </Button>
          </Group>
          <Collapse in={advanced} id="provider-endpoints">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
              {ENDPOINT_FIELDS.map(({ key, label, placeholder }) => (
                <TextInput
                  key={key}
                  label={label}
                  placeholder={placeholder}
                  value={endpoints[key]}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    setEndpoints((x) => ({ ...x, [key]: value }));
                  }}
                  data-testid={`provider-${key.replace(/_/g, '-')}`}
                />
              ))}
              <NativeSelect
                label="Client authentication"
                value={endpoints.client_auth}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setEndpoints((x) => ({ ...x, client_auth: value }));
                }}
                data={[
                  { value: '', label: 'From discovery (or HTTP Basic)' },
                  { value: 'basic', label: 'HTTP Basic (client_secret_basic)' },
                  { value: 'request_body', label: 'In the request body (client_secret_post)' },
                  { value: 'none', label: 'None: public client with PKCE' },
                ]}
                data-testid="provider-client-auth"
              />
            </SimpleGrid>
          </Collapse>
          {error && (
            <Alert color="red" data-testid="provider-error">
              {error}
            </Alert>
          )}
          <Group>
            <Button type="submit" leftSection={<IconPlus size={16} />} loading={busy} data-testid="provider-add">
              Add provider
            </Button>
          </Group>
        </Stack>
      </form>

      {providers === null ? (
        <Text size="sm" c="dimmed">
          Loading providers…
        </Text>
      ) : providers.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="providers-empty">
          No providers added.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Providers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Issuer or authorization endpoint</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {providers.map((p) => (
                <Table.Tr key={p.id} data-testid="provider-row">
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {p.display_name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {p.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {p.issuer ?? p.authorize_url}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{p.scopes || '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Remove">
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${p.display_name}`} onClick={() => setToDelete(p)}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <ConfirmDialog
        opened={toDelete !== null}
        title="Remove this provider?"
        confirmLabel="Remove"
        danger
        loading={deleting}
        onConfirm={remove}
        onCancel={() => setToDelete(null)}
      >
        {toDelete ? `Remove ${toDelete.display_name}? It can no longer be connected; add it again to bring it back.` : ''}
      </ConfirmDialog>
    </Section>
  );
}
