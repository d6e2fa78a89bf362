// Shared builders for connection-related test data, so tests state only what they check.
import type {
  AppCredentialInfo,
  Connection,
  ImportJob,
  LibAccountSummary,
  LibAsset,
  LibCreative,
  LibObjectDetail,
  LibRow,
  PlatformInfo,
  Post,
  PostTarget,
} from '../backend';

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

// ---- library and imports ----------------------------------------------------


export function libAccountFixture(overrides: Partial<LibAccountSummary> & { id: string }): LibAccountSummary {
  return {
    platform: 'meta',
    external_id: `act_${overrides.id}`,
    name: 'Acme Ads',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    status: 'active',
    connection_id: null,
    last_import_at: BASE_TIME,
    auto_sync_hours: null,
    campaigns: 0,
    ad_groups: 0,
    ads: 0,
    assets_done: 0,
    assets_total: 0,
    ...overrides,
  };
}

export function libRowFixture(overrides: Partial<LibRow> & { id: string }): LibRow {
  return {
    account_id: 'acc-1',
    level: 'campaign',
    native_level: 'campaign',
    platform: 'meta',
    external_id: `ext-${overrides.id}`,
    parent_id: null,
    name: `Object ${overrides.id}`,
    status: 'active',
    status_raw: 'ACTIVE',
    objective: null,
    objective_raw: null,
    budget_micros: null,
    budget_period: null,
    currency: 'EUR',
    start_at: null,
    end_at: null,
    spend_micros: 0,
    impressions: 0,
    clicks: 0,
    conversions_micros: 0,
    removed_at: null,
    review_mark: null,
    thumb_asset_id: null,
    ...overrides,
  };
}

export function libCreativeFixture(overrides: Partial<LibCreative> = {}): LibCreative {
  return {
    id: 'cr-1',
    external_id: 'ext-cr-1',
    format: 'single_image',
    headlines: [],
    bodies: [],
    cta: null,
    landing_url: null,
    url_tags: null,
    ...overrides,
  };
}

export function libAssetFixture(overrides: Partial<LibAsset> & { id: string }): LibAsset {
  return {
    platform_key: `key-${overrides.id}`,
    kind: 'image',
    name: `${overrides.id}.jpg`,
    status: 'done',
    error: null,
    mime: 'image/jpeg',
    size: 1024,
    width: 1080,
    height: 1080,
    duration_ms: null,
    has_thumbnail: true,
    poster_id: null,
    role: 'image',
    ...overrides,
  };
}

export function libDetailFixture(row: LibRow, overrides: Partial<LibObjectDetail> = {}): LibObjectDetail {
  return {
    row,
    account_name: 'Acme Ads',
    crumbs: [{ id: row.id, level: row.level, native_level: row.native_level, name: row.name }],
    targeting_summary: null,
    optimization_goal: null,
    final_url: null,
    review_status: null,
    creative: null,
    assets: [],
    reviews: [],
    children: 0,
    first_seen: BASE_TIME,
    last_seen: BASE_TIME,
    raw_json: '{}',
    ...overrides,
  };
}

export function importJobFixture(overrides: Partial<ImportJob> & { id: string; client_id: string }): ImportJob {
  return {
    connection_id: 'conn-1',
    platform: 'meta',
    account_external_id: 'act_1',
    account_id: null,
    scope: '{}',
    state: 'running',
    reason: null,
    message: null,
    resume_after: null,
    trigger: 'user',
    created_at: BASE_TIME,
    pull_started: BASE_TIME,
    started_at: BASE_TIME,
    finished_at: null,
    updated_at: BASE_TIME,
    requests: 0,
    run_ms: 0,
    progress: [],
    error_count: 0,
    ...overrides,
  };
}

// ---- publishing ---------------------------------------------------------------

export function postFixture(overrides: Partial<Post> & { id: string; clientId: string }): Post {
  return {
    brandId: null,
    body: 'Fresh croissants every morning',
    link: null,
    firstComment: null,
    thread: [],
    zone: 'UTC',
    wallTime: null,
    dueAt: null,
    nativeSchedule: false,
    createdAt: BASE_TIME,
    updatedAt: BASE_TIME,
    media: [],
    targets: [],
    ...overrides,
  };
}

export function postTargetFixture(overrides: Partial<PostTarget> & { id: string; postId: string; clientId: string; platform: string }): PostTarget {
  return {
    connectionId: null,
    destinationId: `dest-${overrides.id}`,
    destinationName: 'Acme Bakery',
    destinationKind: overrides.platform === 'meta' ? 'page' : overrides.platform === 'x' ? 'user' : 'organization',
    body: null,
    state: 'draft',
    dueAt: null,
    nextAt: null,
    attempts: 0,
    remoteId: null,
    remoteUrl: null,
    reason: null,
    message: null,
    note: null,
    publishedAt: null,
    updatedAt: BASE_TIME,
    ...overrides,
  };
}
