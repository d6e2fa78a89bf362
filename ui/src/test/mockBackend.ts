// In-memory fake of the Rust backend for UI tests: a small stateful model
// (clients, brands, settings, backups, audit log), not canned responses.
import {
  BackendError,
  type AppStatus,
  type AuditEntry,
  type Backend,
  type BackupInfo,
  type Brand,
  type Client,
  type ClientPatch,
  type DeepLinkReceived,
  type EntityChange,
  type IntegrityReport,
  type KeyMode,
  type NewClient,
  type SettingName,
  type Settings,
  type UpdateCheck,
  type VaultChanged,
  type VaultInfo,
  type VaultState,
  type Workspace,
} from '../backend';

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

  // ---- internals -----------------------------------------------------------

  private status(): AppStatus {
    return { vault: structuredClone(this.vault), version: '0.1.0', data_dir: '/data/switchboard', demo_mode: false };
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
