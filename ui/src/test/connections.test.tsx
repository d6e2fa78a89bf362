import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectRequest } from '../backend';
import type { MockBackend } from './mockBackend';
import { mockBackend, renderOpenApp } from './render';

/** A current client with Meta and Google Ads app credentials. */
function setup() {
  const backend = mockBackend();
  const client = backend.seedClient('Acme Bakery');
  backend.settings.current_client = client.id;
  const meta = backend.seedAppCredential('meta', {}, { client_secret: 'meta-secret' });
  backend.seedAppCredential('google_ads', {}, { client_secret: 'g-secret', developer_token: 'dev-token' });
  return { backend, client, meta };
}

async function openConnections(backend: MockBackend) {
  const result = await renderOpenApp(backend);
  await result.user.click(screen.getByTestId('nav-connections'));
  await screen.findByTestId('connection-card-meta');
  return result;
}

function lastStart(backend: MockBackend): ConnectRequest {
  const call = backend.calls.filter((c) => c[0] === 'startConnect').at(-1);
  if (!call) throw new Error('startConnect was not called');
  return call[1] as ConnectRequest;
}

const lastFlowId = (backend: MockBackend) => [...backend.flows.keys()].at(-1) as string;

describe('connections page', () => {
  it('asks for a client when none is selected', async () => {
    const backend = mockBackend();
    const { user } = await renderOpenApp(backend);
    await user.click(screen.getByTestId('nav-connections'));
    expect(await screen.findByTestId('connections-no-client')).toHaveTextContent('Choose a client first');
  });

  it('shows an onboarding empty state and a card per platform when nothing is connected', async () => {
    const { backend } = setup();
    await openConnections(backend);
    expect(screen.getByTestId('connections-empty')).toHaveTextContent('Acme Bakery has no connections yet');
    expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Not connected');
    // LinkedIn has no app credentials: its Connect button is off and says where to add them.
    expect(screen.getByTestId('connect-linkedin')).toBeDisabled();
    const hint = screen.getByTestId('connect-needs-app-linkedin');
    expect(hint).toHaveTextContent('Settings → App credentials');
    expect(within(hint).getByRole('link')).toHaveAttribute('href', '#/settings/app-credentials');
    expect(screen.getByTestId('connect-meta')).toBeEnabled();
  });

  it('links a platform without app credentials to Settings → App credentials', async () => {
    const { backend } = setup();
    const { user } = await openConnections(backend);
    await user.click(within(screen.getByTestId('connect-needs-app-linkedin')).getByRole('link'));
    expect(await screen.findByTestId('app-cred-add-linkedin')).toBeInTheDocument();
    expect(screen.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');
  });

  it('renders a connection with its status, account, missing scopes, provider error and breaker, connected first', async () => {
    const { backend, client } = setup();
    backend.seedConnection({
      client_id: client.id,
      platform: 'google_ads',
      account_id: '123-456-7890',
      account_name: 'Acme Ads',
      status: 'needs_reconnect',
      status_error: 'invalid_grant: Token has been expired or revoked.',
      status_action: 'Reconnect Google Ads: the grant was revoked.',
      scopes_requested: ['adwords', 'openid'],
      scopes_granted: ['openid'],
      refresh_failures: 3,
    });
    backend.breakers = [{ platform: 'google_ads', state: 'open', consecutive_failures: 5, open_until: '2025-01-02T00:00:00Z', last_error: 'HTTP 503' }];
    await openConnections(backend);

    const cards = screen.getAllByTestId(/^connection-card-/);
    expect(cards[0]).toHaveAttribute('data-testid', 'connection-card-google_ads');
    expect(screen.queryByTestId('connections-empty')).not.toBeInTheDocument();
    expect(screen.getByTestId('connection-status-google_ads')).toHaveTextContent('Needs reconnect');
    expect(screen.getByTestId('connection-account-name-google_ads')).toHaveTextContent('Acme Ads (123-456-7890)');
    expect(screen.getByTestId('connection-error-google_ads')).toHaveTextContent('invalid_grant: Token has been expired or revoked.');
    expect(screen.getByTestId('connection-action-google_ads')).toHaveTextContent('Reconnect Google Ads: the grant was revoked.');
    const scopes = screen.getByTestId('connection-scopes-google_ads');
    expect(within(scopes).getByText('adwords').closest('[data-state]')).toHaveAttribute('data-state', 'missing');
    expect(within(scopes).getByText('openid').closest('[data-state]')).toHaveAttribute('data-state', 'granted');
    expect(screen.getByTestId('connection-scopes-google_ads-missing')).toHaveTextContent('1 permission was not granted');
    expect(screen.getByTestId('connection-facts-google_ads-failures')).toHaveTextContent('3');
    expect(screen.getByTestId('connection-facts-google_ads-breaker')).toHaveTextContent('Paused after failures');
    expect(screen.getByTestId('connection-facts-google_ads-breaker')).toHaveTextContent('HTTP 503');
    expect(screen.getByTestId('connections-summary')).toHaveTextContent('1 needs attention');
  });

  it('connects: starts a flow with the chosen brand and capabilities, waits, then shows the connection', async () => {
    const { backend, client, meta } = setup();
    const brand = backend.seedBrand(client.id, 'Acme Sourdough');
    const { user } = await openConnections(backend);

    await user.click(screen.getByTestId('connect-meta'));
    await user.selectOptions(await screen.findByTestId('connect-brand'), brand.id);
    await user.click(screen.getByLabelText('Publish posts'));
    await user.click(screen.getByTestId('connect-submit'));

    const waiting = await screen.findByTestId('connect-waiting');
    expect(waiting).toHaveTextContent('Finish signing in in your browser…');
    const flowId = lastFlowId(backend);
    expect(screen.getByTestId('connect-authorize-url')).toHaveTextContent(`https://auth.example/meta/authorize?client_id=meta-client-id&state=${flowId}`);
    expect(lastStart(backend)).toEqual({
      platform: 'meta',
      client_id: client.id,
      brand_id: brand.id,
      app_credential_id: meta.id,
      connection_id: null,
      capabilities: ['read_campaigns', 'manage_campaigns', 'read_profile'],
      redirect: null,
    });

    // The link is opened through the backend, never inside the app's webview.
    await user.click(screen.getByTestId('connect-authorize-url'));
    expect(backend.opened).toEqual([expect.stringContaining('https://auth.example/meta/authorize')]);

    act(() => backend.finishConnect(flowId, { account_id: '1789', account_name: 'Acme Bakery Page' }));
    await waitFor(() => expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument());
    // The badge exists before too ("Not connected"): wait for the reload, not for the element.
    await waitFor(() => expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Active'));
    expect(screen.getByTestId('connection-account-name-meta')).toHaveTextContent('Acme Bakery Page (1789)');
    expect(screen.getByTestId('connection-meta')).toHaveTextContent('Brand: Acme Sourdough');
    expect(await screen.findByText('Connected Meta (Facebook) as Acme Bakery Page (1789).')).toBeInTheDocument();
  });

  it('handles a sign-in that finishes before startConnect has even answered', async () => {
    const { backend } = setup();
    const start = backend.startConnect.bind(backend);
    backend.startConnect = async (request) => {
      const started = await start(request);
      backend.finishConnect(started.flow_id, { account_id: '9', account_name: 'Quick Page' });
      return started;
    };
    const { user } = await openConnections(backend);
    await user.click(screen.getByTestId('connect-meta'));
    await user.click(await screen.findByTestId('connect-submit'));
    expect(await screen.findByTestId('connection-account-name-meta')).toHaveTextContent('Quick Page (9)');
    expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument();
  });

  it('shows the error of a failed sign-in and lets it be dismissed', async () => {
    const { backend } = setup();
    const { user } = await openConnections(backend);
    await user.click(screen.getByTestId('connect-meta'));
    await user.click(await screen.findByTestId('connect-submit'));
    await screen.findByTestId('connect-waiting');

    act(() => backend.finishConnect(lastFlowId(backend), { error: { code: 'oauth_denied', message: 'Meta said: the user denied the request.' } }));
    const error = await screen.findByTestId('connect-error-meta');
    expect(error).toHaveTextContent('Meta said: the user denied the request.');
    expect(error).toHaveTextContent('oauth_denied');
    expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument();
    expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Not connected');

    await user.click(within(error).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('connect-error-meta')).not.toBeInTheDocument();
  });

  it('cancels a waiting sign-in without reporting an error', async () => {
    const { backend } = setup();
    const { user } = await openConnections(backend);
    await user.click(screen.getByTestId('connect-meta'));
    await user.click(await screen.findByTestId('connect-submit'));
    await screen.findByTestId('connect-waiting');
    const flowId = lastFlowId(backend);

    await user.click(screen.getByTestId('connect-cancel'));
    await waitFor(() => expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument());
    expect(backend.calls).toContainEqual(['cancelConnect', flowId]);
    expect(backend.flows.size).toBe(0);
    expect(screen.queryByTestId('connect-error-meta')).not.toBeInTheDocument();
    expect(screen.getByTestId('connect-meta')).toBeEnabled();
  });

  it('shows the start error when a sign-in cannot begin', async () => {
    const { backend, meta } = setup();
    const { user } = await openConnections(backend);
    // Removed elsewhere (e.g. the CLI) after the page loaded.
    backend.appCredentials = backend.appCredentials.filter((a) => a.id !== meta.id);
    await user.click(screen.getByTestId('connect-meta'));
    await user.click(await screen.findByTestId('connect-submit'));
    const error = await screen.findByTestId('connect-error-meta');
    expect(error).toHaveTextContent(`no meta app credentials with id ${meta.id}`);
    expect(error).toHaveTextContent('not_found');
    expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument();
  });

  it('reconnecting as another account asks which account to keep', async () => {
    const { backend, client, meta } = setup();
    const conn = backend.seedConnection({ client_id: client.id, platform: 'meta', app_credential_id: meta.id, account_id: '111', account_name: 'Old Page' });
    const { user } = await openConnections(backend);

    await user.click(screen.getByTestId('reconnect-meta'));
    await screen.findByTestId('connect-waiting');
    expect(lastStart(backend)).toMatchObject({ platform: 'meta', connection_id: conn.id, capabilities: conn.capabilities });

    act(() => backend.finishConnect(lastFlowId(backend), { account_id: '222', account_name: 'New Page' }));
    const alert = await screen.findByTestId('connection-mismatch-meta');
    expect(alert).toHaveTextContent('You signed in as New Page (222) but this connection uses Old Page (111)');
    expect(screen.getByTestId('connection-account-name-meta')).toHaveTextContent('Old Page (111)');

    await user.click(within(alert).getByRole('button', { name: 'Use the new account' }));
    await waitFor(() => expect(screen.queryByTestId('connection-mismatch-meta')).not.toBeInTheDocument());
    expect(backend.calls).toContainEqual(['resolveAccountMismatch', conn.id, true]);
    expect(screen.getByTestId('connection-account-name-meta')).toHaveTextContent('New Page (222)');
  });

  it('keeps the current account when asked to', async () => {
    const { backend, client, meta } = setup();
    const conn = backend.seedConnection({
      client_id: client.id,
      platform: 'meta',
      app_credential_id: meta.id,
      account_id: '111',
      account_name: 'Old Page',
      pending_account_id: '222',
      pending_account_name: 'New Page',
    });
    const { user } = await openConnections(backend);
    await user.click(await screen.findByRole('button', { name: 'Keep the current account' }));
    await waitFor(() => expect(screen.queryByTestId('connection-mismatch-meta')).not.toBeInTheDocument());
    expect(backend.calls).toContainEqual(['resolveAccountMismatch', conn.id, false]);
    expect(screen.getByTestId('connection-account-name-meta')).toHaveTextContent('Old Page (111)');
  });

  it('disconnects only after confirmation and says whether the platform revoked access', async () => {
    const { backend, client, meta } = setup();
    const conn = backend.seedConnection({ client_id: client.id, platform: 'meta', app_credential_id: meta.id, account_name: 'Acme Page' });
    const { user } = await openConnections(backend);

    await user.click(screen.getByTestId('disconnect-meta'));
    expect(await screen.findByTestId('confirm-dialog')).toHaveTextContent('Switchboard asks Meta (Facebook) to revoke its access');
    await user.click(screen.getByTestId('confirm-cancel'));
    expect(backend.connections).toHaveLength(1);

    await user.click(screen.getByTestId('disconnect-meta'));
    await user.click(await screen.findByTestId('confirm-ok'));
    expect(await screen.findByTestId('disconnect-result-meta')).toHaveTextContent('Meta (Facebook) confirmed that Switchboard\'s access was revoked.');
    expect(backend.calls).toContainEqual(['disconnectConnection', conn.id]);
    await waitFor(() => expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Not connected'));
  });

  it('reports a revocation the platform could not confirm', async () => {
    const { backend, client } = setup();
    backend.revocation = 'failed: HTTP 500 from the revoke endpoint';
    backend.seedConnection({ client_id: client.id, platform: 'meta' });
    const { user } = await openConnections(backend);
    await user.click(screen.getByTestId('disconnect-meta'));
    await user.click(await screen.findByTestId('confirm-ok'));
    const result = await screen.findByTestId('disconnect-result-meta');
    expect(result).toHaveTextContent('did not confirm the revocation (HTTP 500 from the revoke endpoint)');
  });

  it('refreshes a connection on demand', async () => {
    const { backend, client } = setup();
    const conn = backend.seedConnection({ client_id: client.id, platform: 'meta', status: 'expiring', last_refresh_at: null });
    const { user } = await openConnections(backend);
    expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Expiring soon');
    await user.click(screen.getByTestId('refresh-meta'));
    await waitFor(() => expect(screen.getByTestId('connection-status-meta')).toHaveTextContent('Active'));
    expect(backend.calls).toContainEqual(['refreshConnection', conn.id]);
  });

  it('connects an API-key platform without a browser', async () => {
    const { backend, client } = setup();
    const wix = backend.seedAppCredential('wix', { client_id: '', site_id: 'site-42' }, { api_key: 'wix-key' });
    const { user } = await openConnections(backend);
    expect(screen.getByTestId('connect-wix')).toHaveTextContent('Connect with API key');
    await user.click(screen.getByTestId('connect-wix'));
    expect(screen.queryByLabelText('Publish posts')).not.toBeInTheDocument();
    await user.click(await screen.findByTestId('connect-submit'));
    expect(await screen.findByTestId('connection-account-name-wix')).toHaveTextContent('Site site-42');
    expect(backend.calls).toContainEqual(['connectApiKey', 'wix', wix.id, client.id, null]);
    expect(screen.queryByTestId('connect-waiting')).not.toBeInTheDocument();
  });

  it('links an account of a connection to a brand', async () => {
    const { backend, client } = setup();
    const brand = backend.seedBrand(client.id, 'Acme Sourdough');
    const conn = backend.seedConnection({ client_id: client.id, platform: 'meta' });
    backend.seedAccount(conn.id, 'act_1', 'Acme Ads EU');
    const { user } = await openConnections(backend);

    const row = await screen.findByTestId('connection-account-row');
    expect(row).toHaveTextContent('Acme Ads EU');
    await user.click(within(row).getByRole('switch', { name: 'Use Acme Ads EU in Switchboard' }));
    await waitFor(() => expect(backend.accounts[0].linked).toBe(true));
    await user.selectOptions(within(row).getByRole('combobox', { name: 'Brand for Acme Ads EU' }), brand.id);
    await waitFor(() => expect(backend.accounts[0].linked_brand_id).toBe(brand.id));
    expect(backend.calls).toContainEqual(['linkConnectionAccount', conn.id, 'act_1', true, brand.id]);
  });

  it('notifies on any page when a connection stops working', async () => {
    const { backend, client } = setup();
    const conn = backend.seedConnection({ client_id: client.id, platform: 'meta' });
    await renderOpenApp(backend);
    await screen.findByTestId('client-row');
    // The notifier's baseline: statuses before the change.
    await waitFor(() => expect(backend.calls).toContainEqual(['listConnections', null]));

    act(() => backend.setConnectionStatus(conn.id, 'needs_reconnect', 'invalid_grant', 'Reconnect Meta: the token was revoked.'));
    expect(await screen.findByText('Meta (Facebook) for Acme Bakery: needs reconnect', undefined, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByText('Reconnect Meta: the token was revoked.')).toBeInTheDocument();
  });
});
