import { Alert, Button, Checkbox, Group, Modal, NativeSelect, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, useBackend, type AppCredentialInfo, type PlatformInfo } from '../../backend';
import {
  appCredentialForm,
  credentialFieldLabel,
  emptyDraft,
  isSecretField,
  redirectLabel,
  type AppCredentialBaseline,
  type AppCredentialDraft,
  type SecretField,
  type TextField,
} from '../../lib/connections';

/** Which app to edit: a new one for `platform`, or `app`. */
export type AppCredentialTarget = { platform: PlatformInfo; app: AppCredentialInfo | null };

type Props = { target: AppCredentialTarget | null; onClose: () => void; onSaved: (app: AppCredentialInfo, created: boolean) => void };

const HAS_SECRET: Record<SecretField, (a: AppCredentialInfo) => boolean> = {
  client_secret: (a) => a.has_client_secret,
  developer_token: (a) => a.has_developer_token,
  api_key: (a) => a.has_api_key,
};

const testId = (field: string) => `app-cred-${field.replace(/_/g, '-')}`;

function baselineOf(app: AppCredentialInfo): AppCredentialBaseline {
  return {
    label: app.label,
    text: { client_id: app.client_id, login_customer_id: app.login_customer_id ?? '', site_id: app.site_id ?? '' },
    redirect: app.redirect ?? '',
    relay_url: app.relay_url ?? '',
  };
}

/** Add or edit one app registration. Stored secrets are never shown: typing replaces, "clear" deletes. */
export function AppCredentialModal({ target, onClose, onSaved }: Props) {
  const backend = useBackend();
  const [draft, setDraft] = useState<AppCredentialDraft>(emptyDraft);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!target) return;
    const next = emptyDraft();
    if (target.app) Object.assign(next, baselineOf(target.app));
    setDraft(next);
    setError(null);
  }, [target]);

  if (!target) return <Modal opened={false} onClose={onClose} title="App credentials" />;
  const { platform, app } = target;
  const fields = platform.app_credentials;
  const oauth = platform.sign_in === 'oauth';

  const setField = (field: 'label' | 'redirect' | 'relay_url', value: string) => setDraft((d) => ({ ...d, [field]: value }));
  const setText = (field: TextField, value: string) => setDraft((d) => ({ ...d, text: { ...d.text, [field]: value } }));
  const setSecret = (field: SecretField, value: string) => setDraft((d) => ({ ...d, secrets: { ...d.secrets, [field]: value } }));
  const setClear = (field: SecretField, clear: boolean) =>
    setDraft((d) => ({ ...d, clear: { ...d.clear, [field]: clear }, secrets: { ...d.secrets, [field]: '' } }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (app && !draft.label.trim()) {
      setError('The app needs a name.');
      return;
    }
    if (fields.includes('client_id') && !draft.text.client_id.trim()) {
      setError('Enter the client id.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const form = appCredentialForm(draft, app ? baselineOf(app) : null);
      const saved = app ? await backend.updateAppCredential(app.id, form) : await backend.createAppCredential(platform.id, form);
      onSaved(saved, app === null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const secretInput = (field: SecretField) => {
    const stored = app !== null && HAS_SECRET[field](app);
    return (
      <Stack key={field} gap={4}>
        <PasswordInput
          label={credentialFieldLabel(field)}
          description={stored ? 'A value is stored. Leave this empty to keep it; type a new one to replace it.' : undefined}
          placeholder={stored ? '•••••••• (stored, not shown)' : 'Not set'}
          value={draft.secrets[field]}
          onChange={(e) => setSecret(field, e.currentTarget.value)}
          disabled={draft.clear[field]}
          autoComplete="off"
          data-testid={testId(field)}
        />
        {stored && (
          <Checkbox
            size="xs"
            label={`Delete the stored ${credentialFieldLabel(field).toLowerCase()}`}
            checked={draft.clear[field]}
            onChange={(e) => setClear(field, e.currentTarget.checked)}
            data-testid={`${testId(field)}-clear`}
          />
        )}
      </Stack>
    );
  };

  const textInput = (field: TextField) => (
    <TextInput
      key={field}
      label={credentialFieldLabel(field)}
      required={field === 'client_id'}
      value={draft.text[field]}
      onChange={(e) => setText(field, e.currentTarget.value)}
      autoComplete="off"
      data-testid={testId(field)}
    />
  );

  return (
    <Modal opened onClose={onClose} title={app ? `Edit ${platform.display_name}: ${app.label}` : `Add ${platform.display_name} app credentials`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            {oauth
              ? `The app you registered with ${platform.display_name}. Secrets are kept in the encrypted vault and never shown again.`
              : `The API key ${platform.display_name} gave you. It is kept in the encrypted vault and never shown again.`}
          </Text>
          <TextInput
            label="Name"
            description="To tell several apps for the same platform apart."
            placeholder="Default"
            value={draft.label}
            onChange={(e) => setField('label', e.currentTarget.value)}
            data-testid="app-cred-label"
          />
          {fields.map((field) => (isSecretField(field) ? secretInput(field) : textInput(field as TextField)))}
          {oauth && platform.redirects.length > 0 && (
            <NativeSelect
              label="Redirect"
              description="How the browser comes back to Switchboard after sign-in; register the matching redirect URI with the platform."
              value={draft.redirect}
              onChange={(e) => setField('redirect', e.currentTarget.value)}
              data={[
                { value: '', label: `Platform default (${redirectLabel(platform.redirects[0])})` },
                ...platform.redirects.map((r) => ({ value: r, label: redirectLabel(r) })),
              ]}
              data-testid="app-cred-redirect"
            />
          )}
          {(draft.redirect === 'https_relay' || (draft.redirect === '' && platform.redirects[0] === 'https_relay')) && (
            <TextInput
              label="Relay URL"
              description="The https:// page you host that forwards the sign-in back to Switchboard."
              placeholder="https://relay.example.com/switchboard"
              value={draft.relay_url}
              onChange={(e) => setField('relay_url', e.currentTarget.value)}
              data-testid="app-cred-relay-url"
            />
          )}
          {platform.fixed_ports.length > 0 && (
            <Text size="xs" c="dimmed">
              {platform.display_name} only accepts loopback redirects on registered ports: register port{platform.fixed_ports.length > 1 ? 's' : ''}{' '}
              {platform.fixed_ports.join(', ')} with your app.
            </Text>
          )}
          {error && (
            <Alert color="red" data-testid="app-cred-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} data-testid="app-cred-save">
              {app ? 'Save' : 'Add'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
