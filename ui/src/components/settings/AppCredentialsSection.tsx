import { ActionIcon, Badge, Button, Divider, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useEffect, useState } from 'react';
import { useBackend, type AppCredentialInfo, type PlatformInfo } from '../../backend';
import { useLoadAndRefresh } from '../../hooks/useVaultChanged';
import { credentialFieldLabel, isSecretField, redirectLabel } from '../../lib/connections';
import { formatDateTime } from '../../lib/format';
import { notifyError, notifySuccess } from '../../lib/notify';
import { ConfirmDialog } from '../ConfirmDialog';
import { ExternalLink } from '../ExternalLink';
import { AppCredentialModal, type AppCredentialTarget } from './AppCredentialModal';
import { EnvImportForm } from './EnvImportForm';
import { Section } from './Section';

export const APP_CREDENTIALS_SECTION = 'app-credentials';

export function AppCredentialsSection() {
  const backend = useBackend();
  const [platforms, setPlatforms] = useState<PlatformInfo[] | null>(null);
  const [apps, setApps] = useState<AppCredentialInfo[]>([]);
  const [editing, setEditing] = useState<AppCredentialTarget | null>(null);
  const [toDelete, setToDelete] = useState<AppCredentialInfo | null>(null);
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(async () => {
    try {
      const [p, a] = await Promise.all([backend.listPlatforms(), backend.listAppCredentials(null)]);
      setPlatforms([...p].sort((x, y) => x.display_name.localeCompare(y.display_name)));
      setApps(a);
    } catch (e) {
      notifyError('Could not load the app credentials', e);
    }
  }, [backend]);

  useLoadAndRefresh(load);

  // Links such as "#/settings/app-credentials" (from the Connections page) land here.
  const loaded = platforms !== null;
  useEffect(() => {
    if (loaded && window.location.hash.endsWith(`/${APP_CREDENTIALS_SECTION}`))
      document.getElementById(`${APP_CREDENTIALS_SECTION}-title`)?.scrollIntoView({ block: 'start' });
  }, [loaded]);

  const platformName = (id: string) => platforms?.find((p) => p.id === id)?.display_name ?? id;

  const remove = async () => {
    if (!toDelete) return;
    setDeleting(true);
    try {
      await backend.deleteAppCredential(toDelete.id);
      notifySuccess(`Removed the ${platformName(toDelete.platform)} app "${toDelete.label}".`);
      setToDelete(null);
      await load();
    } catch (e) {
      notifyError('Could not remove the app credentials', e);
    } finally {
      setDeleting(false);
    }
  };

  return (
    <Section
      id={APP_CREDENTIALS_SECTION}
      title="App credentials"
      description="Your agency's own app registrations with each platform. Connections sign in through them; secrets stay in the encrypted vault and are never shown again."
    >
      <EnvImportForm platformName={platformName} />
      <Divider />
      {platforms === null ? (
        <Text size="sm" c="dimmed">
          Loading platforms…
        </Text>
      ) : (
        <Stack gap="xs">
          {platforms.map((p) => (
            <PlatformApps
              key={p.id}
              platform={p}
              apps={apps.filter((a) => a.platform === p.id)}
              onAdd={() => setEditing({ platform: p, app: null })}
              onEdit={(app) => setEditing({ platform: p, app })}
              onDelete={setToDelete}
            />
          ))}
        </Stack>
      )}

      <AppCredentialModal
        target={editing}
        onClose={() => setEditing(null)}
        onSaved={async (app, created) => {
          setEditing(null);
          notifySuccess(`${created ? 'Added' : 'Saved'} the ${platformName(app.platform)} app "${app.label}".`);
          await load();
        }}
      />

      <ConfirmDialog
        opened={toDelete !== null}
        title="Remove these app credentials?"
        confirmLabel="Remove"
        danger
        loading={deleting}
        onConfirm={remove}
        onCancel={() => setToDelete(null)}
      >
        {toDelete
          ? `Remove the ${platformName(toDelete.platform)} app "${toDelete.label}" and its secrets from the vault? Connections made through it can no longer be renewed.`
          : ''}
      </ConfirmDialog>
    </Section>
  );
}

type PlatformAppsProps = {
  platform: PlatformInfo;
  apps: AppCredentialInfo[];
  onAdd: () => void;
  onEdit: (app: AppCredentialInfo) => void;
  onDelete: (app: AppCredentialInfo) => void;
};

function PlatformApps({ platform, apps, onAdd, onEdit, onDelete }: PlatformAppsProps) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`app-cred-platform-${platform.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Title order={4} size="h5">
              {platform.display_name}
            </Title>
            <Text size="xs" c="dimmed">
              Needs {platform.app_credentials.map(credentialFieldLabel).join(', ').toLowerCase()} ·{' '}
              <ExternalLink href={platform.docs_url} size="xs">
                where to get {platform.app_credentials.length > 1 ? 'them' : 'it'}
              </ExternalLink>
            </Text>
          </div>
          <Button size="xs" variant="light" leftSection={<IconPlus size={14} />} onClick={onAdd} aria-label={`Add ${platform.display_name} app credentials`} data-testid={`app-cred-add-${platform.id}`}>
            Add
          </Button>
        </Group>
        {apps.length === 0 ? (
          <Text size="sm" c="dimmed">
            No app yet.
          </Text>
        ) : (
          apps.map((app) => <AppRow key={app.id} platform={platform} app={app} onEdit={() => onEdit(app)} onDelete={() => onDelete(app)} />)
        )}
      </Stack>
    </Paper>
  );
}

const SECRET_PRESENT: Record<string, (a: AppCredentialInfo) => boolean> = {
  client_secret: (a) => a.has_client_secret,
  developer_token: (a) => a.has_developer_token,
  api_key: (a) => a.has_api_key,
};

function AppRow({ platform, app, onEdit, onDelete }: { platform: PlatformInfo; app: AppCredentialInfo; onEdit: () => void; onDelete: () => void }) {
  const secrets = platform.app_credentials.filter(isSecretField);
  return (
    <Group justify="space-between" wrap="nowrap" data-testid="app-cred-row" data-app-id={app.id}>
      <Stack gap={2}>
        <Group gap="xs">
          <Text size="sm" fw={600}>
            {app.label}
          </Text>
          {app.client_id && (
            <Text size="xs" ff="monospace" c="dimmed">
              {app.client_id}
            </Text>
          )}
        </Group>
        <Group gap={4}>
          {secrets.map((field) => {
            const present = SECRET_PRESENT[field](app);
            return (
              <Badge key={field} size="xs" tt="none" variant="light" color={present ? 'teal' : 'red'}>
                {credentialFieldLabel(field)}: {present ? 'stored' : 'missing'}
              </Badge>
            );
          })}
          {platform.sign_in === 'oauth' && (
            <Badge size="xs" tt="none" variant="outline" color="gray">
              Redirect: {app.redirect ? redirectLabel(app.redirect) : 'platform default'}
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {app.secret_rotated_at ? `secret changed ${formatDateTime(app.secret_rotated_at)}` : `added ${formatDateTime(app.created_at)}`}
          </Text>
        </Group>
      </Stack>
      <Group gap={4} wrap="nowrap">
        <Tooltip label="Edit or rotate">
          <ActionIcon variant="subtle" aria-label={`Edit ${platform.display_name} app ${app.label}`} onClick={onEdit} data-testid={`app-cred-edit-${app.id}`}>
            <IconPencil size={16} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label="Remove">
          <ActionIcon variant="subtle" color="red" aria-label={`Remove ${platform.display_name} app ${app.label}`} onClick={onDelete} data-testid={`app-cred-remove-${app.id}`}>
            <IconTrash size={16} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Group>
  );
}
