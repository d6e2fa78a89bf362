// Shared builders for connection-related test data, so tests state only what they check.
import type { AppCredentialInfo, Connection, PlatformInfo } from '../backend';

const BASE_TIME = '2025-01-01T00:00:00.000Z';

export function platformFixture(overrides: Partial<PlatformInfo> & { id: string }): PlatformInfo {
  return {
    display_name: overrides.id,
    docs_url: `https://developers.example/${overrides.id}`,
    custom: false,
    sign_in: 'oauth',
    app_credentials: ['client_id', 'client_secret'],
    capabilities: ['read_campaigns', 'read_profile'],
    redirects: ['loopback', 'custom_scheme'],
    fixed_ports: [],
    can_revoke: true,
    renewal: 'Access is renewed automatically.',
    ...overrides,
  };
}

/** A small catalogue shaped like the real one: OAuth with a secret, a developer token, an API key. */
export function defaultPlatforms(): PlatformInfo[] {
  return [
    platformFixture({
      id: 'meta',
      display_name: 'Meta (Facebook)',
      capabilities: ['read_campaigns', 'manage_campaigns', 'publish', 'read_profile'],
      redirects: ['loopback', 'custom_scheme', 'https_relay'],
      renewal: 'Access is extended automatically while in use.',
    }),
    platformFixture({
      id: 'google_ads',
      display_name: 'Google Ads',
      app_credentials: ['client_id', 'client_secret', 'developer_token', 'login_customer_id'],
      capabilities: ['read_campaigns', 'manage_campaigns', 'read_profile'],
    }),
    platformFixture({
      id: 'linkedin',
      display_name: 'LinkedIn',
      capabilities: ['read_campaigns', 'publish', 'read_profile'],
      redirects: ['loopback'],
      fixed_ports: [53682],
      can_revoke: false,
      renewal: 'Access is renewed automatically until a fixed end date.',
    }),
    platformFixture({
      id: 'wix',
      display_name: 'Wix',
      sign_in: 'api_key',
      app_credentials: ['api_key', 'site_id'],
      capabilities: [],
      redirects: [],
      can_revoke: false,
      renewal: 'API keys work until deleted on the platform.',
    }),
  ];
}

/** The scopes a platform asks for to get one capability. */
export function scopesFor(platform: string, capabilities: string[]): string[] {
  return capabilities.map((cap) => `${platform}.${cap}`);
}

export function connectionFixture(overrides: Partial<Connection> & { id: string; client_id: string; platform: string }): Connection {
  const capabilities = overrides.capabilities ?? ['read_campaigns', 'read_profile'];
  const scopes = scopesFor(overrides.platform, capabilities);
  return {
    brand_id: null,
    app_credential_id: null,
    account_id: 'acct-1',
    account_name: 'Main account',
    status: 'active',
    status_error: null,
    status_action: null,
    capabilities,
    scopes_requested: scopes,
    scopes_granted: scopes,
    expires_at: '2025-03-01T00:00:00.000Z',
    refresh_expires_at: '2025-12-01T00:00:00.000Z',
    has_refresh_token: true,
    last_refresh_at: null,
    refresh_failures: 0,
    next_refresh_at: '2025-02-28T00:00:00.000Z',
    pending_account_id: null,
    pending_account_name: null,
    connected_at: BASE_TIME,
    updated_at: BASE_TIME,
    ...overrides,
  };
}

export function appCredentialFixture(overrides: Partial<AppCredentialInfo> & { id: string; platform: string }): AppCredentialInfo {
  return {
    label: 'Default',
    client_id: `${overrides.platform}-client-id`,
    has_client_secret: true,
    has_developer_token: false,
    login_customer_id: null,
    has_api_key: false,
    site_id: null,
    redirect: null,
    relay_url: null,
    created_at: BASE_TIME,
    updated_at: BASE_TIME,
    secret_rotated_at: null,
    ...overrides,
  };
}
