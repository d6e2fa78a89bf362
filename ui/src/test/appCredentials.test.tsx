import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AppCredentialForm } from '../backend';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

const STORED_SECRET = 'stored-secret-value-never-shown';

async function openSettings(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-settings'));
  await screen.findByTestId('app-cred-platform-meta');
  return result;
}

function formsSent(backend: MockBackend, method: 'createAppCredential' | 'updateAppCredential'): AppCredentialForm[] {
  return backend.calls.filter((c) => c[0] === method).map((c) => c[2] as AppCredentialForm);
}

describe('settings: app credentials', () => {
  it('adds app credentials with the fields the platform needs', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);

    await user.click(screen.getByTestId('app-cred-add-meta'));
    expect(screen.queryByTestId('app-cred-developer-token')).not.toBeInTheDocument();
    await user.type(screen.getByTestId('app-cred-client-id'), '1234567890');
    await user.type(screen.getByTestId('app-cred-client-secret'), 'brand-new-secret');
    await user.click(screen.getByTestId('app-cred-save'));

    const row = await within(screen.getByTestId('app-cred-platform-meta')).findByTestId('app-cred-row');
    expect(row).toHaveTextContent('1234567890');
    expect(row).toHaveTextContent('Client secret: stored');
    expect(formsSent(backend, 'createAppCredential')).toEqual([
      {
        label: null,
        client_id: '1234567890',
        client_secret: 'brand-new-secret',
        developer_token: null,
        login_customer_id: null,
        api_key: null,
        site_id: null,
        redirect: null,
        relay_url: null,
      },
    ]);
    expect(backend.appSecrets.get(backend.appCredentials[0].id)?.client_secret).toBe('brand-new-secret');
    expect(document.body).not.toHaveTextContent('brand-new-secret');
  });

  it('asks Google Ads for its developer token and Wix for an API key', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    await user.click(screen.getByTestId('app-cred-add-google_ads'));
    expect(screen.getByTestId('app-cred-developer-token')).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('app-cred-login-customer-id')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));

    await user.click(screen.getByTestId('app-cred-add-wix'));
    expect(screen.getByTestId('app-cred-api-key')).toHaveAttribute('type', 'password');
    expect(screen.getByTestId('app-cred-site-id')).toBeInTheDocument();
    expect(screen.queryByTestId('app-cred-client-id')).not.toBeInTheDocument();
    expect(screen.queryByTestId('app-cred-redirect')).not.toBeInTheDocument();
  });

  it('never shows a stored secret and sends only what changed', async () => {
    const backend = mockBackend();
    const app = backend.seedAppCredential('meta', { label: 'Agency app', client_id: 'old-id' }, { client_secret: STORED_SECRET });
    const { user } = await openSettings(backend);
    const edit = async () => {
      await user.click(await screen.findByTestId(`app-cred-edit-${app.id}`));
      return screen.findByTestId('app-cred-client-secret');
    };

    // 1. Change only the client id: the secret is left alone (null).
    let secret = await edit();
    expect(secret).toHaveValue('');
    expect(secret).toHaveAttribute('placeholder', expect.stringContaining('stored, not shown'));
    expect(screen.getByTestId('app-cred-client-id')).toHaveValue('old-id');
    await user.clear(screen.getByTestId('app-cred-client-id'));
    await user.type(screen.getByTestId('app-cred-client-id'), 'new-id');
    await user.click(screen.getByTestId('app-cred-save'));
    await waitFor(() => expect(formsSent(backend, 'updateAppCredential')).toHaveLength(1));
    expect(formsSent(backend, 'updateAppCredential')[0]).toEqual({
      label: null,
      client_id: 'new-id',
      client_secret: null,
      developer_token: null,
      login_customer_id: null,
      api_key: null,
      site_id: null,
      redirect: null,
      relay_url: null,
    });
    expect(backend.appSecrets.get(app.id)?.client_secret).toBe(STORED_SECRET);

    // 2. Rotate: a typed secret replaces the stored one.
    secret = await edit();
    expect(secret).toHaveValue('');
    await user.type(secret, 'rotated-secret');
    await user.click(screen.getByTestId('app-cred-save'));
    await waitFor(() => expect(formsSent(backend, 'updateAppCredential')).toHaveLength(2));
    expect(formsSent(backend, 'updateAppCredential')[1]).toMatchObject({ client_id: null, client_secret: 'rotated-secret' });

    // 3. Clear: "" deletes it.
    await edit();
    await user.click(screen.getByTestId('app-cred-client-secret-clear'));
    await user.click(screen.getByTestId('app-cred-save'));
    await waitFor(() => expect(formsSent(backend, 'updateAppCredential')).toHaveLength(3));
    expect(formsSent(backend, 'updateAppCredential')[2]).toMatchObject({ client_secret: '' });
    expect(await within(screen.getByTestId('app-cred-platform-meta')).findByText('Client secret: missing')).toBeInTheDocument();

    expect(document.body).not.toHaveTextContent(STORED_SECRET);
  });

  it('chooses a relay redirect with its URL', async () => {
    const backend = mockBackend();
    const app = backend.seedAppCredential('meta', {}, { client_secret: STORED_SECRET });
    const { user } = await openSettings(backend);
    await user.click(await screen.findByTestId(`app-cred-edit-${app.id}`));
    expect(screen.queryByTestId('app-cred-relay-url')).not.toBeInTheDocument();
    await user.selectOptions(screen.getByTestId('app-cred-redirect'), 'https_relay');
    await user.type(screen.getByTestId('app-cred-relay-url'), 'https://relay.example/sb');
    await user.click(screen.getByTestId('app-cred-save'));
    await waitFor(() => expect(backend.appCredentials[0].redirect).toBe('https_relay'));
    expect(backend.appCredentials[0].relay_url).toBe('https://relay.example/sb');
    expect(formsSent(backend, 'updateAppCredential')[0]).toMatchObject({ redirect: 'https_relay', relay_url: 'https://relay.example/sb', client_secret: null });
  });

  it('removes app credentials after confirmation', async () => {
    const backend = mockBackend();
    const app = backend.seedAppCredential('meta', { label: 'Old app' });
    const { user } = await openSettings(backend);
    await user.click(await screen.findByTestId(`app-cred-remove-${app.id}`));
    expect(await screen.findByTestId('confirm-dialog')).toHaveTextContent('Old app');
    await user.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(backend.appCredentials).toHaveLength(0));
    expect(backend.calls).toContainEqual(['deleteAppCredential', app.id]);
  });

  it('reports a .env import by variable name, with the skipped ones and why', async () => {
    const backend = mockBackend();
    backend.envFiles['/home/me/.env'] = {
      imported: { meta: ['META_APP_ID', 'META_APP_SECRET'] },
      skipped: { TIKTOK_SECRET: 'TikTok needs a client key too', GOOGLE_CLIENT_SECRET: 'empty value' },
    };
    const { user } = await openSettings(backend);

    await user.type(screen.getByTestId('env-import-path'), '/nowhere/.env');
    await user.click(screen.getByTestId('env-import-run'));
    expect(await screen.findByText('Could not read /nowhere/.env: No such file or directory')).toBeInTheDocument();

    await user.clear(screen.getByTestId('env-import-path'));
    await user.type(screen.getByTestId('env-import-path'), '/home/me/.env');
    await user.click(screen.getByTestId('env-import-run'));
    const report = await screen.findByTestId('env-import-report');
    expect(within(report).getByTestId('env-import-imported')).toHaveTextContent('Meta (Facebook)META_APP_ID, META_APP_SECRET');
    const skipped = within(report).getByTestId('env-import-skipped');
    expect(skipped).toHaveTextContent('TIKTOK_SECRET: TikTok needs a client key too');
    expect(skipped).toHaveTextContent('GOOGLE_CLIENT_SECRET: empty value');
    expect(await within(screen.getByTestId('app-cred-platform-meta')).findByText('Imported from .env')).toBeInTheDocument();
  });
});

describe('settings: providers', () => {
  it('adds a provider by discovery URL, lists it and removes it', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    expect(screen.getByTestId('providers-empty')).toBeInTheDocument();

    await user.type(screen.getByTestId('provider-name'), 'Acme SSO');
    await user.click(screen.getByTestId('provider-add'));
    expect(await screen.findByTestId('provider-error')).toHaveTextContent('Enter a discovery URL');
    expect(backend.calls.some((c) => c[0] === 'addProvider')).toBe(false);

    await user.type(screen.getByTestId('provider-discovery'), 'https://id.acme.example/.well-known/openid-configuration');
    await user.click(screen.getByTestId('provider-add'));
    const row = await screen.findByTestId('provider-row');
    expect(row).toHaveTextContent('Acme SSO');
    expect(row).toHaveTextContent('oidc_acme_sso');
    // It becomes a platform that can get app credentials.
    expect(await screen.findByTestId('app-cred-platform-oidc_acme_sso')).toBeInTheDocument();

    await user.click(within(row).getByRole('button', { name: 'Remove Acme SSO' }));
    await user.click(await screen.findByTestId('confirm-ok'));
    expect(await screen.findByTestId('providers-empty')).toBeInTheDocument();
    expect(backend.providers).toHaveLength(0);
  });

  it('adds a provider from typed endpoints', async () => {
    const backend = mockBackend();
    const { user } = await openSettings(backend);
    await user.type(screen.getByTestId('provider-name'), 'Legacy OAuth');
    await user.click(screen.getByTestId('provider-advanced'));
    await user.type(screen.getByTestId('provider-authorize-url'), 'https://legacy.example/authorize');
    await user.type(screen.getByTestId('provider-token-url'), 'https://legacy.example/token');
    await user.selectOptions(screen.getByTestId('provider-client-auth'), 'request_body');
    await user.click(screen.getByTestId('provider-add'));
    await screen.findByTestId('provider-row');
    expect(backend.calls).toContainEqual([
      'addProvider',
      {
        display_name: 'Legacy OAuth',
        discovery_url: null,
        authorize_url: 'https://legacy.example/authorize',
        token_url: 'https://legacy.example/token',
        revoke_url: null,
        userinfo_url: null,
        scopes: null,
        client_auth: 'request_body',
      },
    ]);
  });
});

describe('settings: demo mode', () => {
  it('turns demo mode on with a clear label and off again', async () => {
    const backend = mockBackend();
    const { user } = await renderOpenApp(backend);
    await user.click(screen.getByTestId('nav-settings'));
    const toggle = await screen.findByTestId('demo-mode-switch');
    expect(screen.queryByTestId('demo-badge')).not.toBeInTheDocument();
    await user.click(toggle);
    expect(await screen.findByTestId('demo-badge')).toHaveTextContent('Demo mode');
    await user.click(screen.getByTestId('nav-settings'));
    expect(await screen.findByTestId('demo-mode-on')).toHaveTextContent('google_ads, meta, x');
    await user.click(await screen.findByTestId('demo-mode-switch'));
    await waitFor(() => expect(screen.queryByTestId('demo-badge')).not.toBeInTheDocument());
    expect(backend.demo.enabled).toBe(false);
  });
});
