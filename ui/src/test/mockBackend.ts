// In-memory fake of the Rust backend for UI tests: a small stateful model
// (clients, brands, settings, backups, audit log, app credentials, connections),
// not canned responses.
import {
  BackendError,
  type ApiError,
  type AppCredentialForm,
  type AppCredentialInfo,
  type AppStatus,
  type AuditEntry,
  type Backend,
  type BackupInfo,
  type Brand,
  type Client,
  type ClientPatch,
  type BreakerHealth,
  type ConnectFinished,
  type DemoStatus,
  type Connected,
  type Connection,
  type ConnectionAccount,
  type ConnectRequest,
  type ConnectStart,
  type ConnectionDestinations,
  type CustomProvider,
  type Destination,
  type DeepLinkReceived,
  type DisconnectReport,
  type EnvImportReport,
  type Health,
  type EntityChange,
  type ImportEnded,
  type ImportItemError,
  type ImportJob,
  type ImportJobDetail,
  type ImportRequest,
  type LibAccountSummary,
  type LibFilter,
  type LibObjectDetail,
  type LibPage,
  type LibReview,
  type LibRow,
  type MediaInfo,
  type MetricPoint,
  type Post,
  type PostFilter,
  type PostInput,
  type PostMedia,
  type PostSettled,
  type PostTarget,
  type QueueSlot,
  type ResolvedDue,
  type Scheduled,
  type SchedulerStatus,
  type SearchHit,
  type StatusCount,
  type TargetCheck,
  type When,
  type IntegrityReport,
  type KeyMode,
  type NewClient,
  type PlatformInfo,
  type ProviderForm,
  type SettingName,
  type Settings,
  type UpdateCheck,
  type VaultChanged,
  type VaultInfo,
  type VaultState,
  type Workspace,
} from '../backend';
import { wallOf } from '../lib/calendar';
import { excerpt, isPublishingPlatform, OPEN_STATES } from '../lib/posts';
import {
  connectionFixture,
  defaultPlatforms,
  importJobFixture,
  libDetailFixture,
  platformFixture,
  postFixture,
  postTargetFixture,
  scopesFor,
} from './fixtures';
import { checkDraft, contentKey, decodeBase64, nextQueueSlot, resolveWall, sniffMime } from './mockPublishing';

type SecretField = 'client_secret' | 'developer_token' | 'api_key';
type Secrets = Record<SecretField, string | null>;
const REDIRECT_KINDS = ['loopback', 'custom_scheme', 'https_relay'];

/** How a sign-in in the (pretend) browser ends: as an account, or with an error. */
export type SignInOutcome = { account_id: string; account_name: string; scopes_granted?: string[] | null } | { error: ApiError };

export type MockOptions = {
  vault?: VaultState;
  passphrase?: string;
  keyringBackend?: string | null;
};

export class MockBackend implements Backend {
  vault: VaultState;
  passphrase: string | null;
  keyMode: KeyMode;
  keyringBackend: string | null;
  encryptedOnDisk = true;
  integrity: IntegrityReport = { ok: true, cipher_errors: [], sqlite_errors: [] };
  update: UpdateCheck = { available: false, version: null, notes: null, current_version: '0.1.0' };
  clients: Client[] = [];
  brands: Brand[] = [];
  backups: BackupInfo[] = [];
  audit: AuditEntry[] = [];
  workspace: Workspace = { id: 'ws-1', name: 'My agency', created_at: '2025-01-01T00:00:00Z' };
  settings: Settings = {
    backups_kept: 10,
    updater_endpoint: '',
    updater_pubkey: '',
    theme: 'system',
    current_client: null,
  };
  platforms: PlatformInfo[] = defaultPlatforms();
  appCredentials: AppCredentialInfo[] = [];
  /** Secret values as the vault would hold them; the UI never gets them back. */
  appSecrets = new Map<string, Secrets>();
  providers: CustomProvider[] = [];
  connections: Connection[] = [];
  accounts: ConnectionAccount[] = [];
  breakers: BreakerHealth[] = [];
  /** Sign-ins waiting in the browser, by flow id. */
  flows = new Map<string, ConnectRequest>();
  /** What importEnvFile reports for a path (a missing path fails like an unreadable file). */
  envFiles: Record<string, EnvImportReport> = {};
  /** What a disconnect of a platform that can revoke reports. */
  revocation = 'revoked_at_provider';
  /** Connection id -> the error the next refresh fails with. */
  refreshErrors = new Map<string, ApiError>();
  /** Every call made, as [method, ...args], for assertions. */
  calls: unknown[][] = [];
  opened: string[] = [];
  private listeners = new Set<(e: VaultChanged) => void>();
  private seq = 0;

  constructor(opts: MockOptions = {}) {
    this.vault = opts.vault ?? { state: 'open' };
    this.passphrase = opts.passphrase ?? null;
    this.keyringBackend = opts.keyringBackend === undefined ? 'Secret Service' : opts.keyringBackend;
    this.keyMode = this.passphrase ? 'passphrase' : 'keyring';
  }

  // ---- helpers for tests -------------------------------------------------

  seedClient(name: string, timezone = 'UTC', notes = ''): Client {
    const c = this.newClient(name, timezone, notes);
    this.clients.push(c);
    return c;
  }

  seedBrand(clientId: string, name: string): Brand {
    const now = this.now();
    const b: Brand = { id: this.id('brand'), client_id: clientId, name, created_at: now, updated_at: now };
    this.brands.push(b);
    return b;
  }

  seedBackup(file_name: string, created_at: string, reason = 'manual', size_bytes = 4096): BackupInfo {
    const b: BackupInfo = { file_name, path: `/data/backups/${file_name}`, size_bytes, created_at, reason };
    this.backups.push(b);
    return b;
  }

  /** Simulates a change made elsewhere (e.g. the scheduler) and emits "vault-changed". */
  emit(event: VaultChanged) {
    this.listeners.forEach((cb) => cb(event));
  }

  seedAppCredential(platform: string, info: Partial<AppCredentialInfo> = {}, secrets: Partial<Secrets> = {}): AppCredentialInfo {
    const now = this.now();
    const id = info.id ?? this.id('app');
    const stored: Secrets = { client_secret: null, developer_token: null, api_key: null, ...secrets };
    const app: AppCredentialInfo = {
      id,
      platform,
      label: 'Default',
      client_id: `${platform}-client-id`,
      login_customer_id: null,
      site_id: null,
      redirect: null,
      relay_url: null,
      created_at: now,
      updated_at: now,
      secret_rotated_at: null,
      ...info,
      has_client_secret: stored.client_secret !== null,
      has_developer_token: stored.developer_token !== null,
      has_api_key: stored.api_key !== null,
    };
    this.appCredentials.push(app);
    this.appSecrets.set(id, stored);
    return app;
  }

  seedConnection(overrides: Partial<Connection> & { client_id: string; platform: string }): Connection {
    const c = connectionFixture({ id: this.id('conn'), ...overrides });
    this.connections.push(c);
    return c;
  }

  seedAccount(connectionId: string, externalId: string, name: string, kind = 'ad_account'): ConnectionAccount {
    const a: ConnectionAccount = {
      connection_id: connectionId,
      external_id: externalId,
      name,
      kind,
      currency: kind === 'ad_account' ? 'EUR' : null,
      linked: false,
      linked_brand_id: null,
      manager: null,
      seen_at: this.now(),
    };
    this.accounts.push(a);
    return a;
  }

  /** The browser side of a sign-in: the callback arrived (or failed); emits "connect-finished". */
  finishConnect(flowId: string, outcome: SignInOutcome) {
    const request = this.flows.get(flowId);
    if (!request) throw new Error(`no flow ${flowId}`);
    this.flows.delete(flowId);
    if ('error' in outcome) {
      this.emitConnectFinished({ flow_id: flowId, ok: false, connection: null, account_mismatch: false, error: outcome.error });
      return;
    }
    const { connection, account_mismatch } = this.storeGrant(request, outcome);
    this.emitConnectFinished({ flow_id: flowId, ok: true, connection: { ...connection }, account_mismatch, error: null });
  }

  /** The refresher (or a failed API call) changed a connection's status. */
  setConnectionStatus(id: string, status: string, statusError: string | null = null, statusAction: string | null = null) {
    const c = this.connection(id);
    Object.assign(c, { status, status_error: statusError, status_action: statusAction, updated_at: this.now() });
    this.emit({ origin: 'scheduler', changes: [{ entity: 'connection', id, kind: 'updated' }] });
  }

  emitConnectFinished(e: ConnectFinished) {
    for (const cb of this.connectListeners) cb(e);
  }

  get listenerCount() {
    return this.listeners.size;
  }

  // ---- Backend -------------------------------------------------------------

  async appStatus(): Promise<AppStatus> {
    this.calls.push(['appStatus']);
    return this.status();
  }

  async unlockVault(passphrase: string): Promise<AppStatus> {
    this.calls.push(['unlockVault', passphrase]);
    if (this.vault.state === 'needs_new_passphrase') {
      if (passphrase.length < 10) throw new BackendError('invalid_input', 'Passphrase must be at least 10 characters.');
      this.passphrase = passphrase;
      this.keyMode = 'passphrase';
      this.vault = { state: 'open' };
    } else if (this.vault.state === 'needs_passphrase') {
      if (passphrase !== this.passphrase) throw new BackendError('wrong_passphrase', 'Wrong passphrase — the vault could not be decrypted.');
      this.vault = { state: 'open' };
    }
    return this.status();
  }

  async restoreDamagedVault(fileName: string): Promise<AppStatus> {
    this.calls.push(['restoreDamagedVault', fileName]);
    if (this.vault.state !== 'damaged') throw new BackendError('invalid_state', 'The vault is not damaged.');
    if (!this.backups.some((b) => b.file_name === fileName)) throw new BackendError('not_found', `No backup named ${fileName}.`);
    this.vault = { state: 'open' };
    return this.status();
  }

  async vaultInfo(): Promise<VaultInfo> {
    this.requireOpen();
    return {
      vault_id: 'vault-1',
      key_mode: this.keyMode,
      keyring_backend: this.keyMode === 'keyring' ? this.keyringBackend : null,
      cipher_version: '4.6.1 community',
      encrypted_on_disk: this.encryptedOnDisk,
      schema_version: 3,
      known_schema_version: 3,
      db_path: '/data/switchboard/vault.db',
      backups_dir: '/data/switchboard/backups',
      db_size_bytes: 1_572_864,
    };
  }

  async vaultIntegrityCheck(): Promise<IntegrityReport> {
    this.requireOpen();
    this.calls.push(['vaultIntegrityCheck']);
    return structuredClone(this.integrity);
  }

  async vaultBackup(): Promise<BackupInfo> {
    this.requireOpen();
    const at = this.now();
    const b = this.seedBackup(`vault-${this.backups.length + 1}.db`, at, 'manual');
    this.log('vault.backup', b.file_name);
    return { ...b };
  }

  async vaultBackups(): Promise<BackupInfo[]> {
    this.requireOpen();
    return [...this.backups].sort((a, b) => b.created_at.localeCompare(a.created_at)).map((b) => ({ ...b }));
  }

  async vaultRestore(fileName: string): Promise<null> {
    this.requireOpen();
    this.calls.push(['vaultRestore', fileName]);
    if (!this.backups.some((b) => b.file_name === fileName)) throw new BackendError('not_found', `No backup named ${fileName}.`);
    this.log('vault.restore', fileName);
    return null;
  }

  async vaultRekey(mode: KeyMode, passphrase: string | null): Promise<VaultInfo> {
    this.requireOpen();
    this.calls.push(['vaultRekey', mode, passphrase]);
    if (mode === 'passphrase') {
      if (!passphrase || passphrase.length < 10) throw new BackendError('invalid_input', 'Passphrase must be at least 10 characters.');
      this.passphrase = passphrase;
    } else {
      if (!this.keyringBackend) throw new BackendError('keyring_unavailable', 'No OS keyring is available.');
      this.passphrase = null;
    }
    this.keyMode = mode;
    this.log('vault.rekey', mode);
    return this.vaultInfo();
  }

  async getWorkspace(): Promise<Workspace> {
    this.requireOpen();
    return { ...this.workspace };
  }

  async renameWorkspace(name: string): Promise<Workspace> {
    this.requireOpen();
    if (!name.trim()) throw new BackendError('invalid_input', 'Workspace name must not be empty.');
    this.workspace = { ...this.workspace, name: name.trim() };
    this.log('workspace.rename', name.trim());
    this.changed([{ entity: 'workspace', id: this.workspace.id, kind: 'updated' }]);
    return { ...this.workspace };
  }

  async listClients(includeArchived: boolean): Promise<Client[]> {
    this.requireOpen();
    return this.clients
      .filter((c) => includeArchived || c.archived_at === null)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({ ...c }));
  }

  async createClient(input: NewClient): Promise<Client> {
    this.requireOpen();
    this.calls.push(['createClient', input]);
    const name = input.name.trim();
    this.checkClientName(name, null);
    const c = this.newClient(name, input.timezone ?? 'UTC', input.notes ?? '');
    this.clients.push(c);
    this.log('client.create', name, c.id);
    this.changed([{ entity: 'client', id: c.id, kind: 'created' }]);
    return { ...c };
  }

  async updateClient(clientId: string, patch: ClientPatch): Promise<Client> {
    this.requireOpen();
    this.calls.push(['updateClient', clientId, patch]);
    const c = this.client(clientId);
    if (patch.name !== null) {
      this.checkClientName(patch.name.trim(), clientId);
      c.name = patch.name.trim();
    }
    if (patch.timezone !== null) c.timezone = patch.timezone;
    if (patch.notes !== null) c.notes = patch.notes;
    c.updated_at = this.now();
    this.log('client.update', c.name, c.id);
    this.changed([{ entity: 'client', id: c.id, kind: 'updated' }]);
    return { ...c };
  }

  async archiveClient(clientId: string, archived: boolean): Promise<Client> {
    this.requireOpen();
    const c = this.client(clientId);
    c.archived_at = archived ? this.now() : null;
    this.log(archived ? 'client.archive' : 'client.unarchive', c.name, c.id);
    this.changed([{ entity: 'client', id: c.id, kind: 'updated' }]);
    return { ...c };
  }

  async deleteClient(clientId: string): Promise<null> {
    this.requireOpen();
    this.calls.push(['deleteClient', clientId]);
    const c = this.client(clientId);
    this.clients = this.clients.filter((x) => x.id !== clientId);
    this.brands = this.brands.filter((b) => b.client_id !== clientId);
    this.connections = this.connections.filter((x) => x.client_id !== clientId);
    if (this.settings.current_client === clientId) this.settings.current_client = null;
    this.log('client.delete', c.name, clientId);
    this.changed([{ entity: 'client', id: clientId, kind: 'deleted' }]);
    return null;
  }

  async listBrands(clientId: string): Promise<Brand[]> {
    this.requireOpen();
    this.client(clientId);
    return this.brands
      .filter((b) => b.client_id === clientId)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((b) => ({ ...b }));
  }

  async createBrand(clientId: string, name: string): Promise<Brand> {
    this.requireOpen();
    this.client(clientId);
    const trimmed = name.trim();
    this.checkBrandName(clientId, trimmed, null);
    const b = this.seedBrand(clientId, trimmed);
    this.log('brand.create', trimmed, clientId);
    this.changed([{ entity: 'brand', id: b.id, kind: 'created' }]);
    return { ...b };
  }

  async renameBrand(clientId: string, brandId: string, name: string): Promise<Brand> {
    this.requireOpen();
    const b = this.brand(clientId, brandId);
    const trimmed = name.trim();
    this.checkBrandName(clientId, trimmed, brandId);
    b.name = trimmed;
    b.updated_at = this.now();
    this.log('brand.rename', trimmed, clientId);
    this.changed([{ entity: 'brand', id: b.id, kind: 'updated' }]);
    return { ...b };
  }

  async deleteBrand(clientId: string, brandId: string): Promise<null> {
    this.requireOpen();
    const b = this.brand(clientId, brandId);
    this.brands = this.brands.filter((x) => x.id !== brandId);
    this.log('brand.delete', b.name, clientId);
    this.changed([{ entity: 'brand', id: brandId, kind: 'deleted' }]);
    return null;
  }

  async getSettings(): Promise<Settings> {
    this.requireOpen();
    return { ...this.settings };
  }

  async setSetting(key: SettingName, value: string): Promise<Settings> {
    this.requireOpen();
    this.calls.push(['setSetting', key, value]);
    switch (key) {
      case 'backup.keep': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 100) throw new BackendError('invalid_input', 'backup.keep must be between 1 and 100.');
        this.settings.backups_kept = n;
        break;
      }
      case 'updater.endpoint':
        if (value && !value.startsWith('https://')) throw new BackendError('invalid_input', 'The update endpoint must be an https:// URL.');
        this.settings.updater_endpoint = value;
        break;
      case 'updater.pubkey':
        this.settings.updater_pubkey = value;
        break;
      case 'ui.theme':
        if (value !== 'light' && value !== 'dark' && value !== 'system') throw new BackendError('invalid_input', `Unknown theme ${value}.`);
        this.settings.theme = value;
        break;
      case 'ui.current_client':
        if (value && !this.clients.some((c) => c.id === value)) throw new BackendError('not_found', 'No such client.');
        this.settings.current_client = value || null;
        break;
    }
    return { ...this.settings };
  }

  async auditLog(limit: number, before: number | null): Promise<AuditEntry[]> {
    this.requireOpen();
    return this.audit
      .filter((e) => before === null || e.seq < before)
      .sort((a, b) => b.seq - a.seq)
      .slice(0, limit)
      .map((e) => ({ ...e }));
  }

  async checkForUpdate(): Promise<UpdateCheck> {
    this.requireOpen();
    if (!this.settings.updater_endpoint) throw new BackendError('not_configured', 'No update endpoint is configured.');
    return { ...this.update };
  }

  async openExternal(url: string): Promise<null> {
    this.opened.push(url);
    return null;
  }

  // ---- connections ---------------------------------------------------------

  async listPlatforms(): Promise<PlatformInfo[]> {
    this.requireOpen();
    return this.catalogue().map((p) => structuredClone(p));
  }

  async listAppCredentials(platform: string | null): Promise<AppCredentialInfo[]> {
    this.requireOpen();
    return this.appCredentials
      .filter((a) => platform === null || a.platform === platform)
      .sort((a, b) => a.platform.localeCompare(b.platform) || a.label.localeCompare(b.label))
      .map((a) => ({ ...a }));
  }

  async createAppCredential(platform: string, form: AppCredentialForm): Promise<AppCredentialInfo> {
    this.requireOpen();
    this.calls.push(['createAppCredential', platform, form]);
    this.platform(platform);
    const label = (form.label ?? 'Default').trim() || 'Default';
    if (this.appCredentials.some((a) => a.platform === platform && a.label.toLowerCase() === label.toLowerCase()))
      throw new BackendError('conflict', `${platform} already has an app called '${label}'`);
    const app = this.seedAppCredential(platform, { label, client_id: '' });
    this.applyForm(app, { ...form, label: null });
    this.changed([{ entity: 'app_credential', id: app.id, kind: 'created' }]);
    return { ...app };
  }

  async updateAppCredential(id: string, form: AppCredentialForm): Promise<AppCredentialInfo> {
    this.requireOpen();
    this.calls.push(['updateAppCredential', id, form]);
    const app = this.appCredential(id);
    this.applyForm(app, form);
    this.changed([{ entity: 'app_credential', id, kind: 'updated' }]);
    return { ...app };
  }

  async deleteAppCredential(id: string): Promise<null> {
    this.requireOpen();
    this.calls.push(['deleteAppCredential', id]);
    this.appCredential(id);
    this.appCredentials = this.appCredentials.filter((a) => a.id !== id);
    this.appSecrets.delete(id);
    this.changed([{ entity: 'app_credential', id, kind: 'deleted' }]);
    return null;
  }

  async importEnvFile(path: string): Promise<EnvImportReport> {
    this.requireOpen();
    this.calls.push(['importEnvFile', path]);
    const report = this.envFiles[path];
    if (!report) throw new BackendError('not_found', `Could not read ${path}: No such file or directory`);
    for (const platform of Object.keys(report.imported)) {
      if (!this.appCredentials.some((a) => a.platform === platform && a.label === 'Imported from .env'))
        this.seedAppCredential(platform, { label: 'Imported from .env' }, { client_secret: 'imported-secret' });
    }
    this.changed([{ entity: 'app_credential', id: path, kind: 'created' }]);
    return structuredClone(report);
  }

  async listProviders(): Promise<CustomProvider[]> {
    this.requireOpen();
    return this.providers.map((p) => ({ ...p }));
  }

  async addProvider(form: ProviderForm): Promise<CustomProvider> {
    this.requireOpen();
    this.calls.push(['addProvider', form]);
    const name = form.display_name.trim();
    if (!name) throw new BackendError('invalid_input', 'The provider needs a name.');
    const discovery = form.discovery_url?.trim() || null;
    if (!discovery && !(form.authorize_url && form.token_url))
      throw new BackendError('invalid_input', 'Give a discovery URL, or both the authorization and token endpoints.');
    const id = `oidc_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
    if (this.providers.some((p) => p.id === id)) throw new BackendError('conflict', `A provider called "${name}" already exists.`);
    const origin = discovery ? new URL(discovery).origin : null;
    const provider: CustomProvider = {
      id,
      display_name: name,
      issuer: origin,
      discovery_url: discovery,
      authorize_url: form.authorize_url ?? `${origin}/authorize`,
      token_url: form.token_url ?? `${origin}/token`,
      revoke_url: form.revoke_url ?? null,
      userinfo_url: form.userinfo_url ?? (origin ? `${origin}/userinfo` : null),
      scopes: form.scopes ?? 'openid profile email offline_access',
      client_auth: form.client_auth ?? 'basic',
      created_at: this.now(),
    };
    this.providers.push(provider);
    this.changed([{ entity: 'custom_provider', id, kind: 'created' }]);
    return { ...provider };
  }

  async deleteProvider(id: string): Promise<null> {
    this.requireOpen();
    this.calls.push(['deleteProvider', id]);
    if (!this.providers.some((p) => p.id === id)) throw new BackendError('not_found', 'No such provider.');
    this.providers = this.providers.filter((p) => p.id !== id);
    this.changed([{ entity: 'custom_provider', id, kind: 'deleted' }]);
    return null;
  }

  async startConnect(request: ConnectRequest): Promise<ConnectStart> {
    this.requireOpen();
    this.calls.push(['startConnect', request]);
    const platform = this.platform(request.platform);
    if (platform.sign_in !== 'oauth')
      throw new BackendError('invalid_input', `${platform.display_name} connects with an API key, not a browser sign-in`);
    const app = this.pickApp(platform, request.app_credential_id);
    this.requireBrand(request.client_id, request.brand_id);
    if (request.connection_id && this.connection(request.connection_id).client_id !== request.client_id)
      throw new BackendError('invalid_input', 'That connection belongs to another client.');
    const unknown = request.capabilities.find((c) => !platform.capabilities.includes(c));
    if (unknown) throw new BackendError('invalid_input', `'${unknown}' is not a capability`);
    const redirect = request.redirect ?? app.redirect ?? platform.redirects[0];
    if (!platform.redirects.includes(redirect))
      throw new BackendError('invalid_input', `${platform.display_name} does not accept the ${redirect} redirect.`);
    const flowId = this.id('flow');
    this.flows.set(flowId, { ...request, app_credential_id: app.id });
    return {
      flow_id: flowId,
      authorize_url: `https://auth.example/${platform.id}/authorize?client_id=${app.client_id}&state=${flowId}`,
      redirect,
      redirect_uri: redirect === 'loopback' ? 'http://127.0.0.1:53682/callback' : `dev.switchboard.app://callback/${platform.id}`,
    };
  }

  async cancelConnect(flowId: string): Promise<null> {
    this.requireOpen();
    this.calls.push(['cancelConnect', flowId]);
    if (this.flows.delete(flowId)) {
      // Like the shell: the waiting sign-in resolves as cancelled, reported after the reply.
      queueMicrotask(() =>
        this.emitConnectFinished({
          flow_id: flowId,
          ok: false,
          connection: null,
          account_mismatch: false,
          error: { code: 'cancelled', message: 'The sign-in was cancelled.' },
        }),
      );
    }
    return null;
  }

  async connectApiKey(platformId: string, appCredentialId: string | null, clientId: string, brandId: string | null): Promise<Connected> {
    this.requireOpen();
    this.calls.push(['connectApiKey', platformId, appCredentialId, clientId, brandId]);
    const platform = this.platform(platformId);
    if (platform.sign_in !== 'api_key') throw new BackendError('invalid_input', `${platform.display_name} connects through a browser sign-in`);
    const app = this.pickApp(platform, appCredentialId);
    if (!this.appSecrets.get(app.id)?.api_key) throw new BackendError('invalid_input', 'Enter the API key in the app credentials first.');
    this.requireBrand(clientId, brandId);
    const request: ConnectRequest = {
      platform: platformId,
      client_id: clientId,
      brand_id: brandId,
      app_credential_id: app.id,
      connection_id: null,
      capabilities: [],
      redirect: null,
    };
    const site = app.site_id ?? 'site-1';
    return this.storeGrant(request, { account_id: site, account_name: `Site ${site}` });
  }

  async listConnections(clientId: string | null): Promise<Connection[]> {
    this.requireOpen();
    this.calls.push(['listConnections', clientId]);
    return this.connections.filter((c) => clientId === null || c.client_id === clientId).map((c) => structuredClone(c));
  }

  async connectionAccounts(connectionId: string): Promise<ConnectionAccount[]> {
    this.requireOpen();
    this.connection(connectionId);
    return this.accounts.filter((a) => a.connection_id === connectionId).map((a) => ({ ...a }));
  }

  async linkConnectionAccount(connectionId: string, externalId: string, linked: boolean, brandId: string | null): Promise<null> {
    this.requireOpen();
    this.calls.push(['linkConnectionAccount', connectionId, externalId, linked, brandId]);
    const conn = this.connection(connectionId);
    const account = this.accounts.find((a) => a.connection_id === connectionId && a.external_id === externalId);
    if (!account) throw new BackendError('not_found', 'No such account on this connection.');
    this.requireBrand(conn.client_id, brandId);
    account.linked = linked;
    account.linked_brand_id = brandId;
    this.changed([{ entity: 'connection', id: connectionId, kind: 'updated' }]);
    return null;
  }

  async refreshConnection(connectionId: string): Promise<Connection> {
    this.requireOpen();
    this.calls.push(['refreshConnection', connectionId]);
    const c = this.connection(connectionId);
    const failure = this.refreshErrors.get(connectionId);
    if (failure) {
      c.refresh_failures += 1;
      this.changed([{ entity: 'connection', id: connectionId, kind: 'updated' }]);
      throw new BackendError(failure.code, failure.message);
    }
    const now = this.now();
    Object.assign(c, { status: 'active', status_error: null, status_action: null, last_refresh_at: now, refresh_failures: 0, updated_at: now });
    this.changed([{ entity: 'connection', id: connectionId, kind: 'updated' }]);
    return structuredClone(c);
  }

  async disconnectConnection(connectionId: string): Promise<DisconnectReport> {
    this.requireOpen();
    this.calls.push(['disconnectConnection', connectionId]);
    const c = this.connection(connectionId);
    const platform = this.catalogue().find((p) => p.id === c.platform);
    this.connections = this.connections.filter((x) => x.id !== connectionId);
    this.accounts = this.accounts.filter((a) => a.connection_id !== connectionId);
    this.log('connection.disconnected', c.platform, c.client_id);
    this.changed([{ entity: 'connection', id: connectionId, kind: 'deleted' }]);
    return { connection_id: connectionId, revocation: platform?.can_revoke ? this.revocation : 'not_supported' };
  }

  async resolveAccountMismatch(connectionId: string, accept: boolean): Promise<Connection> {
    this.requireOpen();
    this.calls.push(['resolveAccountMismatch', connectionId, accept]);
    const c = this.connection(connectionId);
    if (c.pending_account_id === null && c.pending_account_name === null)
      throw new BackendError('invalid_input', 'this connection has no reconnect waiting for a decision');
    if (accept) {
      c.account_id = c.pending_account_id;
      c.account_name = c.pending_account_name;
    }
    c.pending_account_id = null;
    c.pending_account_name = null;
    c.updated_at = this.now();
    this.changed([{ entity: 'connection', id: connectionId, kind: 'updated' }]);
    return structuredClone(c);
  }

  async connectionHealth(): Promise<Health> {
    this.requireOpen();
    return { connections: this.connections.map((c) => structuredClone(c)), breakers: this.breakers.map((b) => ({ ...b })) };
  }

  demo: DemoStatus = { enabled: false, platforms: [] };

  async demoStatus(): Promise<DemoStatus> {
    this.requireOpen();
    return { ...this.demo, platforms: [...this.demo.platforms] };
  }

  async setDemoMode(enabled: boolean): Promise<DemoStatus> {
    this.requireOpen();
    this.demo = { enabled, platforms: enabled ? ['google_ads', 'meta', 'x'] : [] };
    return this.demoStatus();
  }

  autostart = false;

  async autostartStatus(): Promise<boolean> {
    return this.autostart;
  }

  async setAutostart(enabled: boolean): Promise<boolean> {
    this.autostart = enabled;
    return this.autostart;
  }

  private connectListeners = new Set<(e: ConnectFinished) => void>();

  onConnectFinished(cb: (e: ConnectFinished) => void): () => void {
    this.connectListeners.add(cb);
    return () => this.connectListeners.delete(cb);
  }

  onVaultChanged(cb: (e: VaultChanged) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private deepLinkListeners = new Set<(e: DeepLinkReceived) => void>();

  onDeepLink(cb: (e: DeepLinkReceived) => void): () => void {
    this.deepLinkListeners.add(cb);
    return () => this.deepLinkListeners.delete(cb);
  }

  /** Test helper: the shell reporting a deep link. */
  emitDeepLink(e: DeepLinkReceived) {
    for (const cb of this.deepLinkListeners) cb(e);
  }

  // ---- library and imports ------------------------------------------------

  libAccounts: LibAccountSummary[] = [];
  /** Every campaign, ad group and ad of every client's library. */
  libRows: LibRow[] = [];
  /** Object id -> its details beyond the row (the row itself always comes from libRows). */
  libDetails = new Map<string, Partial<LibObjectDetail>>();
  metrics = new Map<string, MetricPoint[]>();
  searchIndex: SearchHit[] = [];
  importJobs: ImportJob[] = [];
  importErrors = new Map<string, ImportItemError[]>();
  /** The error the next startImport fails with (e.g. import_running). */
  importFailure: ApiError | null = null;
  private importListeners = new Set<(e: ImportEnded) => void>();

  /** Test helper: the engine reporting that a job ended. */
  emitImportEnded(e: ImportEnded) {
    for (const cb of this.importListeners) cb(e);
  }

  onImportEnded(cb: (e: ImportEnded) => void): () => void {
    this.importListeners.add(cb);
    return () => this.importListeners.delete(cb);
  }

  async startImport(request: ImportRequest): Promise<ImportJob> {
    this.requireOpen();
    this.calls.push(['startImport', request]);
    if (this.importFailure) throw new BackendError(this.importFailure.code, this.importFailure.message);
    const conn = this.connection(request.connection_id);
    if (conn.client_id !== request.client_id) throw new BackendError('invalid_input', 'That connection belongs to another client.');
    const job = importJobFixture({
      id: this.id('job'),
      client_id: request.client_id,
      connection_id: conn.id,
      platform: conn.platform,
      account_external_id: request.account,
      state: 'queued',
      started_at: null,
      created_at: this.now(),
      scope: JSON.stringify({ campaigns: request.campaigns ?? [], metrics_days: request.metrics_days }),
    });
    this.importJobs.push(job);
    this.emit({ origin: 'import', changes: [{ entity: 'import_job', id: job.id, kind: 'created' }] });
    return structuredClone(job);
  }

  async listImportJobs(clientId: string): Promise<ImportJob[]> {
    this.requireOpen();
    this.calls.push(['listImportJobs', clientId]);
    return this.importJobs.filter((j) => j.client_id === clientId).map((j) => structuredClone(j));
  }

  async getImportJob(clientId: string, jobId: string): Promise<ImportJobDetail> {
    this.requireOpen();
    this.calls.push(['getImportJob', clientId, jobId]);
    return { job: structuredClone(this.importJob(clientId, jobId)), errors: structuredClone(this.importErrors.get(jobId) ?? []) };
  }

  async cancelImport(clientId: string, jobId: string): Promise<ImportJob> {
    return this.moveJob('cancelImport', clientId, jobId, ['queued', 'running', 'paused'], 'cancelled');
  }

  async resumeImport(clientId: string, jobId: string): Promise<ImportJob> {
    return this.moveJob('resumeImport', clientId, jobId, ['paused'], 'queued');
  }

  async retryImport(clientId: string, jobId: string): Promise<ImportJob> {
    return this.moveJob('retryImport', clientId, jobId, ['completed_with_errors', 'failed'], 'queued');
  }

  async libraryAccounts(clientId: string): Promise<LibAccountSummary[]> {
    this.requireOpen();
    this.client(clientId);
    return this.libAccounts.map((a) => ({ ...a }));
  }

  async libraryObjects(clientId: string, filter: LibFilter): Promise<LibPage> {
    this.requireOpen();
    this.calls.push(['libraryObjects', clientId, filter]);
    this.client(clientId);
    const keys: Record<string, (r: LibRow) => number | string> = {
      name: (r) => r.name,
      spend: (r) => r.spend_micros,
      impressions: (r) => r.impressions,
      clicks: (r) => r.clicks,
      conversions: (r) => r.conversions_micros,
      start: (r) => r.start_at ?? '',
      status: (r) => r.status,
    };
    let rows = this.libRows.filter(
      (r) =>
        r.level === filter.level &&
        (filter.account_id === null || r.account_id === filter.account_id) &&
        (filter.platform === null || r.platform === filter.platform) &&
        (filter.parent_id === null || r.parent_id === filter.parent_id) &&
        (!filter.statuses?.length || filter.statuses.includes(r.status)) &&
        (!filter.objectives?.length || (r.objective !== null && filter.objectives.includes(r.objective))) &&
        (filter.min_spend_micros === null || r.spend_micros >= filter.min_spend_micros) &&
        (filter.max_spend_micros === null || r.spend_micros <= filter.max_spend_micros) &&
        (filter.include_removed || r.removed_at === null),
    );
    const key = filter.sort ? keys[filter.sort] : null;
    if (key) {
      rows = [...rows].sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const order = x < y ? -1 : x > y ? 1 : 0;
        return filter.desc ? -order : order;
      });
    }
    return { total: filter.offset === 0 ? rows.length : null, total_capped: false, rows: rows.slice(filter.offset, filter.offset + filter.limit).map((r) => ({ ...r })) };
  }

  async libraryObject(clientId: string, objectId: string): Promise<LibObjectDetail> {
    this.requireOpen();
    this.calls.push(['libraryObject', clientId, objectId]);
    const row = this.libRows.find((r) => r.id === objectId);
    if (!row) throw new BackendError('not_found', 'No such library object.');
    return structuredClone(libDetailFixture(row, this.libDetails.get(objectId)));
  }

  async libraryMetrics(clientId: string, objectId: string, from: string, to: string): Promise<MetricPoint[]> {
    this.requireOpen();
    this.calls.push(['libraryMetrics', clientId, objectId, from, to]);
    return (this.metrics.get(objectId) ?? []).filter((p) => p.date >= from && p.date <= to).map((p) => ({ ...p }));
  }

  async librarySearch(clientId: string, query: string, limit: number): Promise<SearchHit[]> {
    this.requireOpen();
    this.calls.push(['librarySearch', clientId, query, limit]);
    const q = query.toLowerCase();
    return this.searchIndex.filter((h) => h.snippet.toLowerCase().includes(q) || h.name.toLowerCase().includes(q)).slice(0, limit);
  }

  async libraryReview(clientId: string, objectId: string, mark: string, note: string): Promise<LibReview> {
    this.requireOpen();
    this.calls.push(['libraryReview', clientId, objectId, mark, note]);
    if (!['approved', 'needs_changes', 'comment'].includes(mark)) throw new BackendError('invalid_input', `'${mark}' is not a review mark`);
    const row = this.libRows.find((r) => r.id === objectId);
    if (!row) throw new BackendError('not_found', 'No such library object.');
    const detail = this.libDetails.get(objectId) ?? {};
    const review: LibReview = { seq: (detail.reviews?.length ?? 0) + 1, mark, note, author: 'me', at: this.now() };
    this.libDetails.set(objectId, { ...detail, reviews: [...(detail.reviews ?? []), review] });
    row.review_mark = mark;
    this.changed([{ entity: 'lib_review', id: objectId, kind: 'created' }]);
    return { ...review };
  }

  async librarySetAutoSync(clientId: string, accountId: string, hours: number | null): Promise<null> {
    this.requireOpen();
    this.calls.push(['librarySetAutoSync', clientId, accountId, hours]);
    const account = this.libAccounts.find((a) => a.id === accountId);
    if (!account) throw new BackendError('not_found', 'No such library account.');
    account.auto_sync_hours = hours;
    return null;
  }

  private importJob(clientId: string, jobId: string): ImportJob {
    const job = this.importJobs.find((j) => j.id === jobId && j.client_id === clientId);
    if (!job) throw new BackendError('not_found', 'No such import job.');
    return job;
  }

  private moveJob(method: string, clientId: string, jobId: string, from: string[], to: string): ImportJob {
    this.requireOpen();
    this.calls.push([method, clientId, jobId]);
    const job = this.importJob(clientId, jobId);
    if (!from.includes(job.state)) throw new BackendError('invalid_state', `The import is ${job.state}.`);
    Object.assign(job, { state: to, reason: null, updated_at: this.now() });
    this.emit({ origin: 'import', changes: [{ entity: 'import_job', id: jobId, kind: 'updated' }] });
    return structuredClone(job);
  }

  // ---- publishing ------------------------------------------------------------

  posts: Post[] = [];
  /** Connection id -> where it publishes (X and LinkedIn default to the signed-in account). */
  destinations = new Map<string, Destination[]>();
  queueSlots = new Map<string, QueueSlot[]>();
  /** "Now" for the scheduling rules (past times, native-scheduling lead, queue). */
  clockMs = Date.UTC(2025, 0, 1, 12);
  /** Method name -> the error its next call fails with (once). */
  failures = new Map<string, ApiError>();
  private postSettledListeners = new Set<(e: PostSettled) => void>();

  /** A stored post; its targets default to draft, or scheduled when it has a due time. */
  seedPost(
    overrides: Partial<Post> & { clientId: string },
    targets: (Partial<PostTarget> & { platform: string })[] = [],
  ): Post {
    const id = overrides.id ?? this.id('post');
    const zone = overrides.zone ?? this.client(overrides.clientId).timezone;
    const dueAt = overrides.dueAt ?? (overrides.wallTime ? resolveWall(zone, overrides.wallTime).at : null);
    const wallTime = overrides.wallTime ?? (dueAt ? wallOf(dueAt, zone) : null);
    const post = postFixture({ ...overrides, id, zone, dueAt, wallTime });
    post.targets = targets.map((t) =>
      postTargetFixture({
        id: this.id('target'),
        postId: id,
        clientId: post.clientId,
        connectionId: this.connections.find((c) => c.client_id === post.clientId && c.platform === t.platform)?.id ?? null,
        state: dueAt ? 'scheduled' : 'draft',
        dueAt,
        ...t,
      }),
    );
    this.posts.push(post);
    return post;
  }

  /** The scheduler settling a target: its new state, then "post-settled" and "vault-changed". */
  settleTarget(targetId: string, state: string, message: string | null = null) {
    const target = this.posts.flatMap((p) => p.targets).find((t) => t.id === targetId);
    if (!target) throw new Error(`no target ${targetId}`);
    Object.assign(target, { state, message, updatedAt: this.now(), publishedAt: state === 'published' ? this.now() : target.publishedAt });
    this.emitPostSettled({
      client_id: target.clientId,
      post_id: target.postId,
      target_id: target.id,
      platform: target.platform,
      destination: target.destinationName ?? target.destinationId,
      state,
      message,
    });
    this.emit({ origin: 'scheduler', changes: [{ entity: 'post_targets', id: targetId, kind: 'updated' }] });
  }

  emitPostSettled(e: PostSettled) {
    for (const cb of this.postSettledListeners) cb(e);
  }

  onPostSettled(cb: (e: PostSettled) => void): () => void {
    this.postSettledListeners.add(cb);
    return () => this.postSettledListeners.delete(cb);
  }

  async publishDestinations(clientId: string, connectionId: string, refresh: boolean): Promise<ConnectionDestinations> {
    this.enter('publishDestinations', clientId, connectionId, refresh);
    const c = this.connection(connectionId);
    if (c.client_id !== clientId) throw new BackendError('not_found', 'no such connection for this client');
    if (!isPublishingPlatform(c.platform)) throw new BackendError('unsupported', `Switchboard does not publish to ${c.platform} yet`);
    const account = c.account_id ?? c.id;
    const fallback: Destination[] =
      c.platform === 'x'
        ? [{ id: account, name: c.account_name, kind: 'user' }]
        : c.platform === 'linkedin'
          ? [{ id: `urn:li:person:${account}`, name: c.account_name, kind: 'person' }]
          : [];
    return { connectionId, platform: c.platform, destinations: structuredClone(this.destinations.get(connectionId) ?? fallback) };
  }

  async savePost(clientId: string, postId: string | null, input: PostInput): Promise<Post> {
    this.enter('savePost', clientId, postId, structuredClone(input));
    const client = this.client(clientId);
    if (input.targets.length === 0) throw new BackendError('invalid_input', 'choose at least one account to publish to');
    const keys = input.targets.map((t) => `${t.connectionId}/${t.destinationId}`);
    const twice = input.targets.find((_, i) => keys.indexOf(keys[i]) !== i);
    if (twice) throw new BackendError('invalid_input', `${twice.destinationName ?? twice.destinationId} is chosen twice`);
    const platforms = input.targets.map((t) => {
      const c = this.connections.find((x) => x.id === t.connectionId && x.client_id === clientId);
      if (!c) throw new BackendError('not_found', `connection ${t.connectionId} of this client`);
      return c.platform;
    });
    const now = this.now();
    const content = {
      brandId: input.brandId,
      body: input.body,
      link: input.link,
      firstComment: input.firstComment,
      thread: [...(input.thread ?? [])],
      nativeSchedule: input.nativeSchedule ?? false,
      updatedAt: now,
    };
    let post: Post;
    if (postId) {
      post = this.openPost(clientId, postId);
      Object.assign(post, content);
    } else {
      post = postFixture({ id: this.id('post'), clientId, zone: client.timezone, createdAt: now, ...content });
      this.posts.push(post);
    }
    const same = (t: PostTarget, connectionId: string, destinationId: string) => t.connectionId === connectionId && t.destinationId === destinationId;
    // Targets already out (or waiting for a check) stay; the others follow the input.
    const kept = post.targets.filter(
      (old) => input.targets.some((t) => same(old, t.connectionId, t.destinationId)) || ['published', 'scheduled_remote', 'unconfirmed'].includes(old.state),
    );
    const joinScheduled = post.dueAt !== null && post.targets.some((t) => t.state === 'scheduled');
    input.targets.forEach((t, i) => {
      const existing = kept.find((old) => same(old, t.connectionId, t.destinationId));
      if (existing) {
        if (OPEN_STATES.has(existing.state)) Object.assign(existing, { body: t.body, destinationName: t.destinationName, updatedAt: now });
        return;
      }
      kept.push(
        postTargetFixture({
          id: this.id('target'),
          postId: post.id,
          clientId,
          connectionId: t.connectionId,
          platform: platforms[i],
          destinationId: t.destinationId,
          destinationName: t.destinationName,
          destinationKind: t.destinationKind,
          body: t.body,
          state: joinScheduled ? 'scheduled' : 'draft',
          dueAt: post.dueAt,
          nextAt: joinScheduled ? post.dueAt : null,
          updatedAt: now,
        }),
      );
    });
    post.targets = kept;
    this.changed([{ entity: 'posts', id: post.id, kind: postId ? 'updated' : 'created' }]);
    return structuredClone(post);
  }

  async getPost(clientId: string, postId: string): Promise<Post> {
    this.enter('getPost', clientId, postId);
    return structuredClone(this.post(clientId, postId));
  }

  async listPosts(clientId: string, filter: PostFilter): Promise<Post[]> {
    this.enter('listPosts', clientId, structuredClone(filter));
    this.client(clientId);
    return this.posts
      .filter(
        (p) =>
          p.clientId === clientId &&
          (p.dueAt === null
            ? !!filter.includeUnscheduled
            : (filter.from === null || p.dueAt >= filter.from) && (filter.to === null || p.dueAt < filter.to)) &&
          (filter.platform === null || p.targets.some((t) => t.platform === filter.platform)) &&
          (filter.state === null || p.targets.some((t) => t.state === filter.state)),
      )
      .sort((a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.createdAt.localeCompare(b.createdAt))
      .map((p) => structuredClone(p));
  }

  async postStatusSummary(): Promise<StatusCount[]> {
    this.enter('postStatusSummary');
    const counts = new Map<string, StatusCount>();
    for (const t of this.posts.flatMap((p) => p.targets)) {
      const key = `${t.clientId}/${t.platform}/${t.state}`;
      const row = counts.get(key) ?? { clientId: t.clientId, clientName: this.client(t.clientId).name, platform: t.platform, state: t.state, count: 0 };
      row.count += 1;
      counts.set(key, row);
    }
    return [...counts.values()].sort(
      (a, b) => a.clientName.localeCompare(b.clientName) || a.platform.localeCompare(b.platform) || a.state.localeCompare(b.state),
    );
  }

  async addPostMedia(clientId: string, postId: string, name: string, dataBase64: string, alt: string | null): Promise<PostMedia> {
    this.enter('addPostMedia', clientId, postId, name, dataBase64.length, alt);
    const post = this.openPost(clientId, postId);
    const bytes = decodeBase64(dataBase64);
    const mime = sniffMime(bytes);
    if (!mime) throw new BackendError('invalid_input', `${name} is not an image or video Switchboard can publish (its content is not a known media type)`);
    return this.attach(post, { sha256: contentKey(bytes), mime, size: bytes.length, name, alt, source: 'file' });
  }

  async addPostMediaFromLibrary(clientId: string, postId: string, assetId: string): Promise<PostMedia> {
    this.enter('addPostMediaFromLibrary', clientId, postId, assetId);
    const post = this.openPost(clientId, postId);
    const asset = [...this.libDetails.values()].flatMap((d) => d.assets ?? []).find((a) => a.id === assetId && a.status === 'done');
    if (!asset) throw new BackendError('not_found', `library asset ${assetId}`);
    return this.attach(post, {
      sha256: `lib-${assetId}`,
      mime: asset.mime ?? 'image/jpeg',
      size: asset.size ?? 0,
      name: asset.name,
      alt: null,
      source: `library:${assetId}`,
    });
  }

  async removePostMedia(clientId: string, postId: string, mediaId: string): Promise<null> {
    this.enter('removePostMedia', clientId, postId, mediaId);
    const post = this.openPost(clientId, postId);
    if (!post.media.some((m) => m.id === mediaId)) throw new BackendError('not_found', `media ${mediaId}`);
    post.media = post.media.filter((m) => m.id !== mediaId);
    this.changed([{ entity: 'posts', id: postId, kind: 'updated' }]);
    return null;
  }

  async resolveDue(zone: string, wallTime: string): Promise<ResolvedDue> {
    this.enter('resolveDue', zone, wallTime);
    return resolveWall(zone, wallTime);
  }

  async schedulePost(clientId: string, postId: string, when: When): Promise<Scheduled> {
    this.enter('schedulePost', clientId, postId, structuredClone(when));
    const due = this.resolveWhen(clientId, when);
    const post = this.openPost(clientId, postId);
    const problems = this.check(post.clientId, this.inputOfStored(post), this.mediaOf(post)).flatMap((c) =>
      c.report.issues.filter((i) => i.severity === 'error').map((i) => `${c.destinationId} (${c.network}): ${i.message}`),
    );
    if (problems.length > 0) throw new BackendError('invalid_input', `this post cannot be published as it is: ${problems.join('; ')}`);
    if (post.nativeSchedule && when.kind !== 'now' && post.targets.some((t) => t.platform === 'meta') && Date.parse(due.at) < this.clockMs + 10 * 60_000)
      throw new BackendError(
        'invalid_input',
        'meta holds scheduled posts only from 10 minutes ahead; pick a later time or turn off "schedule on the platform"',
      );
    const open = post.targets.filter((t) => OPEN_STATES.has(t.state));
    if (open.length === 0)
      throw new BackendError('conflict', 'nothing left to schedule: every target of this post is published, handed to its platform or waiting for a check');
    const now = this.now();
    Object.assign(post, { dueAt: due.at, zone: due.zone, wallTime: due.wallTime, updatedAt: now });
    for (const t of open) Object.assign(t, { state: 'scheduled', dueAt: due.at, nextAt: due.at, attempts: 0, reason: null, message: null, updatedAt: now });
    this.changed([
      { entity: 'posts', id: postId, kind: 'updated' },
      { entity: 'post_targets', id: postId, kind: 'updated' },
    ]);
    return { post: structuredClone(post), due };
  }

  async unschedulePost(clientId: string, postId: string): Promise<Post> {
    return this.moveTargets('unschedulePost', clientId, postId, ['scheduled', 'missed', 'failed', 'cancelled'], 'draft');
  }

  async cancelPost(clientId: string, postId: string): Promise<Post> {
    return this.moveTargets('cancelPost', clientId, postId, ['draft', 'scheduled', 'missed', 'failed'], 'cancelled');
  }

  async duplicatePost(clientId: string, postId: string): Promise<Post> {
    this.enter('duplicatePost', clientId, postId);
    const src = this.post(clientId, postId);
    const copy = await this.savePost(clientId, null, this.inputOfStored(src));
    const stored = this.post(clientId, copy.id);
    stored.media = src.media.map((m) => ({ ...m, id: this.id('media') }));
    return structuredClone(stored);
  }

  async deletePost(clientId: string, postId: string): Promise<null> {
    this.enter('deletePost', clientId, postId);
    this.openPost(clientId, postId);
    this.posts = this.posts.filter((p) => p.id !== postId);
    this.changed([{ entity: 'posts', id: postId, kind: 'deleted' }]);
    return null;
  }

  async resolveUnconfirmed(clientId: string, targetId: string, published: boolean, url: string | null): Promise<PostTarget> {
    this.enter('resolveUnconfirmed', clientId, targetId, published, url);
    const target = this.posts.flatMap((p) => p.targets).find((t) => t.id === targetId && t.clientId === clientId);
    if (!target || target.state !== 'unconfirmed') throw new BackendError('conflict', 'this target is not waiting for a check');
    const now = this.now();
    if (published)
      Object.assign(target, {
        state: 'published',
        remoteUrl: url ?? target.remoteUrl,
        publishedAt: target.publishedAt ?? now,
        reason: null,
        message: 'confirmed by a person',
        updatedAt: now,
      });
    else Object.assign(target, { state: 'failed', reason: 'not_published', message: 'checked by a person: not on the platform', updatedAt: now });
    this.changed([{ entity: 'post_targets', id: targetId, kind: 'updated' }]);
    return structuredClone(target);
  }

  async getQueueSlots(clientId: string): Promise<QueueSlot[]> {
    this.enter('getQueueSlots', clientId);
    this.client(clientId);
    return structuredClone(this.queueSlots.get(clientId) ?? []);
  }

  async setQueueSlots(clientId: string, slots: QueueSlot[]): Promise<null> {
    this.enter('setQueueSlots', clientId, structuredClone(slots));
    this.client(clientId);
    const bad = slots.find((s) => s.weekday < 0 || s.weekday > 6 || s.minute < 0 || s.minute >= 24 * 60);
    if (bad) throw new BackendError('invalid_input', `weekday ${bad.weekday}, minute ${bad.minute} is not a time of the week`);
    const unique = [...new Map(slots.map((s) => [`${s.weekday}/${s.minute}`, { ...s }])).values()];
    this.queueSlots.set(
      clientId,
      unique.sort((a, b) => a.weekday - b.weekday || a.minute - b.minute),
    );
    this.changed([{ entity: 'queue_slots', id: clientId, kind: 'updated' }]);
    return null;
  }

  async schedulerStatus(): Promise<SchedulerStatus> {
    this.enter('schedulerStatus');
    const scheduled = this.posts
      .flatMap((p) => p.targets.map((t) => ({ p, t })))
      .filter(({ t }) => t.state === 'scheduled' && t.dueAt !== null)
      .sort((a, b) => (a.t.dueAt as string).localeCompare(b.t.dueAt as string));
    const next = scheduled[0];
    return {
      running: true,
      nextDue: next?.t.dueAt ?? null,
      nextClient: next ? this.client(next.p.clientId).name : null,
      nextText: next ? excerpt(next.t.body ?? next.p.body, 80) : null,
      needsAttention: this.posts.flatMap((p) => p.targets).filter((t) => ['failed', 'unconfirmed', 'missed'].includes(t.state)).length,
    };
  }

  async checkPost(clientId: string, input: PostInput, media: MediaInfo[]): Promise<TargetCheck[]> {
    this.enter('checkPost', clientId, structuredClone(input), structuredClone(media));
    this.client(clientId);
    return this.check(clientId, input, media);
  }

  private enter(method: string, ...args: unknown[]) {
    this.requireOpen();
    this.calls.push([method, ...args]);
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw new BackendError(failure.code, failure.message);
    }
  }

  private check(clientId: string, input: PostInput, media: MediaInfo[]): TargetCheck[] {
    return input.targets.flatMap((t) => {
      const c = this.connections.find((x) => x.id === t.connectionId && x.client_id === clientId);
      const report = c
        ? checkDraft(c.platform, { text: t.body ?? input.body, link: input.link, firstComment: input.firstComment, thread: input.thread ?? [], media })
        : null;
      return c && report ? [{ connectionId: c.id, destinationId: t.destinationId, platform: c.platform, network: report.network, report }] : [];
    });
  }

  private inputOfStored(post: Post): PostInput {
    return {
      brandId: post.brandId,
      body: post.body,
      link: post.link,
      firstComment: post.firstComment,
      thread: post.thread,
      nativeSchedule: post.nativeSchedule,
      targets: post.targets
        .filter((t) => t.connectionId !== null && OPEN_STATES.has(t.state))
        .map((t) => ({
          connectionId: t.connectionId as string,
          destinationId: t.destinationId,
          destinationName: t.destinationName,
          destinationKind: t.destinationKind,
          body: t.body,
        })),
    };
  }

  private mediaOf(post: Post): MediaInfo[] {
    return post.media.map((m) => ({ mime: m.mime, sizeBytes: m.size, width: null, height: null }));
  }

  private resolveWhen(clientId: string, when: When): ResolvedDue {
    const zone = this.client(clientId).timezone;
    if (when.kind === 'now') return { at: new Date(this.clockMs).toISOString(), zone, wallTime: wallOf(this.clockMs, zone), offset: '', warning: null };
    if (when.kind === 'at') {
      const chosen = when.zone ?? zone;
      const due = resolveWall(chosen, when.wall_time);
      if (Date.parse(due.at) < this.clockMs - 60_000)
        throw new BackendError('invalid_input', `${when.wall_time} in ${chosen} has already passed; pick a later time or publish now`);
      return due;
    }
    const slots = this.queueSlots.get(clientId) ?? [];
    if (slots.length === 0) throw new BackendError('invalid_input', 'this client has no queue slots yet; set its usual posting times first');
    const taken = new Set(
      this.posts
        .flatMap((p) => p.targets)
        .filter((t) => t.clientId === clientId && t.dueAt !== null && ['scheduled', 'publishing', 'published', 'scheduled_remote'].includes(t.state))
        .map((t) => t.dueAt as string),
    );
    const due = nextQueueSlot(zone, slots, taken, this.clockMs);
    if (!due) throw new BackendError('invalid_input', 'every queue slot of the next 8 weeks is taken');
    return due;
  }

  private post(clientId: string, postId: string): Post {
    const p = this.posts.find((x) => x.id === postId && x.clientId === clientId);
    if (!p) throw new BackendError('not_found', `post ${postId}`);
    return p;
  }

  /** A post that may change: not while one of its targets is going out. */
  private openPost(clientId: string, postId: string): Post {
    const p = this.post(clientId, postId);
    if (p.targets.some((t) => t.state === 'publishing'))
      throw new BackendError('conflict', 'this post is being published right now; wait for it to finish');
    return p;
  }

  private attach(post: Post, media: Omit<PostMedia, 'id' | 'position'>): PostMedia {
    const item: PostMedia = { id: this.id('media'), position: post.media.length, ...media };
    post.media.push(item);
    this.changed([{ entity: 'posts', id: post.id, kind: 'updated' }]);
    return { ...item };
  }

  private moveTargets(method: string, clientId: string, postId: string, from: string[], to: string): Post {
    this.enter(method, clientId, postId);
    const post = this.openPost(clientId, postId);
    const now = this.now();
    for (const t of post.targets.filter((x) => from.includes(x.state))) Object.assign(t, { state: to, nextAt: null, updatedAt: now });
    this.changed([{ entity: 'posts', id: postId, kind: 'updated' }]);
    return structuredClone(post);
  }

  // ---- internals -----------------------------------------------------------

  private status(): AppStatus {
    return { vault: structuredClone(this.vault), version: '0.1.0', data_dir: '/data/switchboard', demo_mode: this.demo.enabled };
  }

  private requireOpen() {
    if (this.vault.state !== 'open') throw new BackendError('vault_locked', 'The vault is not open.');
  }

  private id(prefix: string) {
    return `${prefix}-${++this.seq}`;
  }

  private now() {
    return new Date(Date.UTC(2025, 0, 1) + ++this.seq * 1000).toISOString();
  }

  private newClient(name: string, timezone: string, notes: string): Client {
    const now = this.now();
    return { id: this.id('client'), name, timezone, notes, created_at: now, updated_at: now, archived_at: null };
  }

  private client(id: string): Client {
    const c = this.clients.find((x) => x.id === id);
    if (!c) throw new BackendError('not_found', 'No such client.');
    return c;
  }

  private brand(clientId: string, brandId: string): Brand {
    const b = this.brands.find((x) => x.id === brandId && x.client_id === clientId);
    if (!b) throw new BackendError('not_found', 'No such brand.');
    return b;
  }

  private catalogue(): PlatformInfo[] {
    const custom = this.providers.map((p) =>
      platformFixture({
        id: p.id,
        display_name: p.display_name,
        docs_url: p.discovery_url ?? p.authorize_url,
        custom: true,
        app_credentials: p.client_auth === 'none' ? ['client_id'] : ['client_id', 'client_secret'],
        capabilities: [],
        can_revoke: p.revoke_url !== null,
        renewal: 'Access is renewed automatically (single-use refresh tokens).',
      }),
    );
    return [...this.platforms, ...custom];
  }

  private platform(id: string): PlatformInfo {
    const p = this.catalogue().find((x) => x.id === id);
    if (!p) throw new BackendError('not_found', `no platform called '${id}'`);
    return p;
  }

  private appCredential(id: string): AppCredentialInfo {
    const a = this.appCredentials.find((x) => x.id === id);
    if (!a) throw new BackendError('not_found', 'No such app credentials.');
    return a;
  }

  private pickApp(platform: PlatformInfo, wanted: string | null): AppCredentialInfo {
    const apps = this.appCredentials.filter((a) => a.platform === platform.id);
    if (wanted) {
      const app = apps.find((a) => a.id === wanted);
      if (!app) throw new BackendError('not_found', `no ${platform.id} app credentials with id ${wanted}`);
      return app;
    }
    if (!apps[0]) throw new BackendError('invalid_input', `Add your ${platform.id} app credentials first (Settings → App credentials).`);
    return apps[0];
  }

  private connection(id: string): Connection {
    const c = this.connections.find((x) => x.id === id);
    if (!c) throw new BackendError('not_found', 'No such connection.');
    return c;
  }

  private requireBrand(clientId: string, brandId: string | null) {
    this.client(clientId);
    if (brandId !== null) this.brand(clientId, brandId);
  }

  /** The store's rules: null leaves a field alone, "" clears it, a new secret counts as a rotation. */
  private applyForm(app: AppCredentialInfo, form: AppCredentialForm) {
    if (form.label !== null) app.label = form.label.trim();
    if (form.client_id !== null) app.client_id = form.client_id.trim();
    if (form.login_customer_id !== null) app.login_customer_id = form.login_customer_id.trim() || null;
    if (form.site_id !== null) app.site_id = form.site_id.trim() || null;
    if (form.relay_url !== null) app.relay_url = form.relay_url.trim() || null;
    if (form.redirect !== null) {
      if (form.redirect && !REDIRECT_KINDS.includes(form.redirect))
        throw new BackendError('invalid_input', `'${form.redirect}' is not a redirect kind (loopback, custom_scheme, https_relay)`);
      app.redirect = form.redirect || null;
    }
    const secrets = this.appSecrets.get(app.id) ?? { client_secret: null, developer_token: null, api_key: null };
    let rotated = false;
    for (const field of ['client_secret', 'developer_token', 'api_key'] as const) {
      const value = form[field];
      if (value === null) continue;
      secrets[field] = value.trim() || null;
      rotated = true;
    }
    this.appSecrets.set(app.id, secrets);
    app.has_client_secret = secrets.client_secret !== null;
    app.has_developer_token = secrets.developer_token !== null;
    app.has_api_key = secrets.api_key !== null;
    app.updated_at = this.now();
    if (rotated) app.secret_rotated_at = app.updated_at;
  }

  /** Keeps a finished sign-in: a new connection, a renewed one, or a parked grant for a different account. */
  private storeGrant(request: ConnectRequest, account: { account_id: string; account_name: string; scopes_granted?: string[] | null }): Connected {
    const platform = this.platform(request.platform);
    const capabilities = request.capabilities.length > 0 ? request.capabilities : platform.capabilities;
    const requested = scopesFor(platform.id, capabilities);
    const granted = account.scopes_granted === undefined ? requested : account.scopes_granted;
    const now = this.now();
    const existing = request.connection_id ? this.connection(request.connection_id) : null;
    if (existing && existing.account_id !== account.account_id) {
      existing.pending_account_id = account.account_id;
      existing.pending_account_name = account.account_name;
      existing.updated_at = now;
      this.changed([{ entity: 'connection', id: existing.id, kind: 'updated' }]);
      return { connection: structuredClone(existing), account_mismatch: true };
    }
    const fresh = {
      status: 'active',
      status_error: null,
      status_action: null,
      capabilities,
      scopes_requested: requested,
      scopes_granted: granted,
      refresh_failures: 0,
      last_refresh_at: null,
      has_refresh_token: platform.sign_in === 'oauth',
      expires_at: platform.sign_in === 'oauth' ? '2025-03-01T00:00:00.000Z' : null,
      refresh_expires_at: null,
      updated_at: now,
    };
    if (existing) {
      Object.assign(existing, fresh);
      this.changed([{ entity: 'connection', id: existing.id, kind: 'updated' }]);
      return { connection: structuredClone(existing), account_mismatch: false };
    }
    const created = this.seedConnection({
      ...fresh,
      client_id: request.client_id,
      brand_id: request.brand_id,
      platform: platform.id,
      app_credential_id: request.app_credential_id,
      account_id: account.account_id,
      account_name: account.account_name,
      connected_at: now,
    });
    this.changed([{ entity: 'connection', id: created.id, kind: 'created' }]);
    return { connection: structuredClone(created), account_mismatch: false };
  }

  private checkClientName(name: string, self: string | null) {
    if (!name) throw new BackendError('invalid_input', 'Client name must not be empty.');
    if (this.clients.some((c) => c.id !== self && c.name.toLowerCase() === name.toLowerCase()))
      throw new BackendError('conflict', `A client named "${name}" already exists.`);
  }

  private checkBrandName(clientId: string, name: string, self: string | null) {
    if (!name) throw new BackendError('invalid_input', 'Brand name must not be empty.');
    if (this.brands.some((b) => b.client_id === clientId && b.id !== self && b.name.toLowerCase() === name.toLowerCase()))
      throw new BackendError('conflict', `This client already has a brand named "${name}".`);
  }

  private log(action: string, detail: string, client_id: string | null = null) {
    const seq = this.audit.length + 1;
    this.audit.push({ seq, at: this.now(), actor: 'user', action, client_id, connection_id: null, detail });
  }

  private changed(changes: EntityChange[]) {
    this.emit({ origin: 'user', changes });
  }
}
