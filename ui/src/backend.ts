// The ONLY module of the UI that talks to the Rust side. Everything else uses
// the `Backend` interface (via `useBackend()`), so tests can swap in the
// in-memory fake from src/test/mockBackend.ts.
import { createContext, createElement, useContext, type ReactNode } from 'react';
import { commands, events } from './bindings';
import type {
  ApiError,
  DemoStatus,
  AppCredentialForm,
  AppCredentialInfo,
  AppStatus,
  AuditEntry,
  BackupInfo,
  Brand,
  Client,
  ClientPatch,
  ConnectFinished,
  Connected,
  Connection,
  ConnectionAccount,
  ConnectRequest,
  ConnectStart,
  ConnectionDestinations,
  CustomProvider,
  DeepLinkReceived,
  DisconnectReport,
  EnvImportReport,
  Health,
  ImportEnded,
  ImportJob,
  ImportJobDetail,
  ImportRequest,
  IntegrityReport,
  KeyMode,
  LibAccountSummary,
  LibFilter,
  LibObjectDetail,
  LibPage,
  LibReview,
  MediaInfo,
  MetricPoint,
  NewClient,
  PlatformInfo,
  Post,
  PostFilter,
  PostInput,
  PostMedia,
  PostSettled,
  PostTarget,
  ProviderForm,
  QueueSlot,
  ResolvedDue,
  Scheduled,
  SchedulerStatus,
  SearchHit,
  SettingName,
  Settings,
  StatusCount,
  TargetCheck,
  UpdateCheck,
  VaultInfo,
  When,
  Workspace,
} from './bindings';

// Every generated IPC type, for the rest of the UI (which never imports the bindings).
export type * from './bindings';

/** Payload of the "vault-changed" Tauri event. */
export type ChangeOrigin = 'user' | 'import' | 'sync' | 'scheduler' | 'system';
export type EntityChange = { entity: string; id: string; kind: 'created' | 'updated' | 'deleted' };
export type VaultChanged = { origin: ChangeOrigin; changes: EntityChange[] };

type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

/** Error raised by every Backend method when the command answered {status:"error"}. */
export class BackendError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }
}

export interface Backend {
  /** Never fails on the Rust side (may still reject when not running inside Tauri). */
  appStatus(): Promise<AppStatus>;
  unlockVault(passphrase: string): Promise<AppStatus>;
  restoreDamagedVault(fileName: string): Promise<AppStatus>;
  vaultInfo(): Promise<VaultInfo>;
  vaultIntegrityCheck(): Promise<IntegrityReport>;
  vaultBackup(): Promise<BackupInfo>;
  vaultBackups(): Promise<BackupInfo[]>;
  vaultRestore(fileName: string): Promise<null>;
  vaultRekey(mode: KeyMode, passphrase: string | null): Promise<VaultInfo>;
  getWorkspace(): Promise<Workspace>;
  renameWorkspace(name: string): Promise<Workspace>;
  listClients(includeArchived: boolean): Promise<Client[]>;
  createClient(input: NewClient): Promise<Client>;
  updateClient(clientId: string, patch: ClientPatch): Promise<Client>;
  archiveClient(clientId: string, archived: boolean): Promise<Client>;
  deleteClient(clientId: string): Promise<null>;
  listBrands(clientId: string): Promise<Brand[]>;
  createBrand(clientId: string, name: string): Promise<Brand>;
  renameBrand(clientId: string, brandId: string, name: string): Promise<Brand>;
  deleteBrand(clientId: string, brandId: string): Promise<null>;
  getSettings(): Promise<Settings>;
  setSetting(key: SettingName, value: string): Promise<Settings>;
  auditLog(limit: number, before: number | null): Promise<AuditEntry[]>;
  checkForUpdate(): Promise<UpdateCheck>;
  openExternal(url: string): Promise<null>;
  listPlatforms(): Promise<PlatformInfo[]>;
  /** `platform` null: the app credentials of every platform. */
  listAppCredentials(platform: string | null): Promise<AppCredentialInfo[]>;
  createAppCredential(platform: string, form: AppCredentialForm): Promise<AppCredentialInfo>;
  /** A null field is left unchanged; "" clears it. */
  updateAppCredential(id: string, form: AppCredentialForm): Promise<AppCredentialInfo>;
  deleteAppCredential(id: string): Promise<null>;
  importEnvFile(path: string): Promise<EnvImportReport>;
  listProviders(): Promise<CustomProvider[]>;
  addProvider(form: ProviderForm): Promise<CustomProvider>;
  deleteProvider(id: string): Promise<null>;
  /** Opens the sign-in in the system browser; the outcome arrives as a "connect-finished" event. */
  startConnect(request: ConnectRequest): Promise<ConnectStart>;
  cancelConnect(flowId: string): Promise<null>;
  connectApiKey(platform: string, appCredentialId: string | null, clientId: string, brandId: string | null): Promise<Connected>;
  /** `clientId` null: the connections of every client. */
  listConnections(clientId: string | null): Promise<Connection[]>;
  connectionAccounts(connectionId: string): Promise<ConnectionAccount[]>;
  linkConnectionAccount(connectionId: string, externalId: string, linked: boolean, brandId: string | null): Promise<null>;
  refreshConnection(connectionId: string): Promise<Connection>;
  disconnectConnection(connectionId: string): Promise<DisconnectReport>;
  /** `accept` switches the connection to the account of the latest sign-in; otherwise that grant is dropped. */
  resolveAccountMismatch(connectionId: string, accept: boolean): Promise<Connection>;
  connectionHealth(): Promise<Health>;
  demoStatus(): Promise<DemoStatus>;
  /** Demo mode: every platform is played by the built-in emulator (off removes what it added). */
  setDemoMode(enabled: boolean): Promise<DemoStatus>;
  autostartStatus(): Promise<boolean>;
  setAutostart(enabled: boolean): Promise<boolean>;
  /** Starts importing an ad account into the library (fails with `import_running` while one runs). */
  startImport(request: ImportRequest): Promise<ImportJob>;
  listImportJobs(clientId: string): Promise<ImportJob[]>;
  getImportJob(clientId: string, jobId: string): Promise<ImportJobDetail>;
  cancelImport(clientId: string, jobId: string): Promise<ImportJob>;
  resumeImport(clientId: string, jobId: string): Promise<ImportJob>;
  /** Runs a finished job again for the items that failed only. */
  retryImport(clientId: string, jobId: string): Promise<ImportJob>;
  libraryAccounts(clientId: string): Promise<LibAccountSummary[]>;
  /** A filtered, sorted page of campaigns, ad groups or ads. */
  libraryObjects(clientId: string, filter: LibFilter): Promise<LibPage>;
  libraryObject(clientId: string, objectId: string): Promise<LibObjectDetail>;
  /** Daily metrics between two dates (YYYY-MM-DD, inclusive). */
  libraryMetrics(clientId: string, objectId: string, from: string, to: string): Promise<MetricPoint[]>;
  /** Full-text search over names and ad copy; snippets mark the match with `[` and `]`. */
  librarySearch(clientId: string, query: string, limit: number): Promise<SearchHit[]>;
  /** `mark`: approved, needs_changes or comment. */
  libraryReview(clientId: string, objectId: string, mark: string, note: string): Promise<LibReview>;
  /** Re-import an account every `hours` (null: off). */
  librarySetAutoSync(clientId: string, accountId: string, hours: number | null): Promise<null>;
  /** Where a connection can publish (pages, organizations, the account); `refresh` reads them again from the platform. */
  publishDestinations(clientId: string, connectionId: string, refresh: boolean): Promise<ConnectionDestinations>;
  /** Creates a draft (`postId` null) or saves a post's content and targets. */
  savePost(clientId: string, postId: string | null, input: PostInput): Promise<Post>;
  getPost(clientId: string, postId: string): Promise<Post>;
  listPosts(clientId: string, filter: PostFilter): Promise<Post[]>;
  /** Targets by client, platform and state, over every client. */
  postStatusSummary(): Promise<StatusCount[]>;
  /** Copies a file (base64) into the vault as the post's next media item; the type is read from the bytes. */
  addPostMedia(clientId: string, postId: string, name: string, dataBase64: string, alt: string | null): Promise<PostMedia>;
  addPostMediaFromLibrary(clientId: string, postId: string, assetId: string): Promise<PostMedia>;
  removePostMedia(clientId: string, postId: string, mediaId: string): Promise<null>;
  /** A wall-clock time (`YYYY-MM-DDTHH:MM`) in a zone as a UTC instant, with a DST warning when it has one. */
  resolveDue(zone: string, wallTime: string): Promise<ResolvedDue>;
  /** Schedules, reschedules, adds to the queue or publishes now the post's open targets. */
  schedulePost(clientId: string, postId: string, when: When): Promise<Scheduled>;
  unschedulePost(clientId: string, postId: string): Promise<Post>;
  cancelPost(clientId: string, postId: string): Promise<Post>;
  duplicatePost(clientId: string, postId: string): Promise<Post>;
  deletePost(clientId: string, postId: string): Promise<null>;
  /** A person checked an unconfirmed target: it is on the platform (`published`), or it is not. */
  resolveUnconfirmed(clientId: string, targetId: string, published: boolean, url: string | null): Promise<PostTarget>;
  getQueueSlots(clientId: string): Promise<QueueSlot[]>;
  setQueueSlots(clientId: string, slots: QueueSlot[]): Promise<null>;
  schedulerStatus(): Promise<SchedulerStatus>;
  /** Checks a composition against each target platform's rules (live counters and issues). */
  checkPost(clientId: string, input: PostInput, media: MediaInfo[]): Promise<TargetCheck[]>;
  /** Subscribe to "post-settled" (the scheduler published, handed off, failed, could not confirm or missed a target). */
  onPostSettled(cb: (event: PostSettled) => void): () => void;
  /** Subscribe to "import-ended" (a job finished, failed, was cancelled or paused). */
  onImportEnded(cb: (event: ImportEnded) => void): () => void;
  /** Subscribe to "vault-changed"; returns an unsubscribe function. */
  onVaultChanged(cb: (event: VaultChanged) => void): () => void;
  /** Subscribe to "deep-link-received" (the outcome of a link the OS handed us). */
  onDeepLink(cb: (event: DeepLinkReceived) => void): () => void;
  /** Subscribe to "connect-finished" (a sign-in started with startConnect ended). */
  onConnectFinished(cb: (event: ConnectFinished) => void): () => void;
}

/** Turns anything thrown or returned as an error into a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const api = e as ApiError;
    return new BackendError(String(api.code), String(api.message));
  }
  if (e instanceof Error) return new BackendError('internal', e.message);
  return new BackendError('internal', String(e));
}

async function unwrap<T>(pending: Promise<Result<T, ApiError>>): Promise<T> {
  let result: Result<T, ApiError>;
  try {
    result = await pending;
  } catch (e) {
    throw toBackendError(e);
  }
  if (result.status === 'error') throw toBackendError(result.error);
  return result.data;
}

/** The real implementation, on top of the tauri-specta generated `commands`. */
export const tauriBackend: Backend = {
  appStatus: () => unwrap(commands.appStatus()),
  unlockVault: (passphrase) => unwrap(commands.unlockVault(passphrase)),
  restoreDamagedVault: (fileName) => unwrap(commands.restoreDamagedVault(fileName)),
  vaultInfo: () => unwrap(commands.vaultInfo()),
  vaultIntegrityCheck: () => unwrap(commands.vaultIntegrityCheck()),
  vaultBackup: () => unwrap(commands.vaultBackup()),
  vaultBackups: () => unwrap(commands.vaultBackups()),
  vaultRestore: (fileName) => unwrap(commands.vaultRestore(fileName)),
  vaultRekey: (mode, passphrase) => unwrap(commands.vaultRekey(mode, passphrase)),
  getWorkspace: () => unwrap(commands.getWorkspace()),
  renameWorkspace: (name) => unwrap(commands.renameWorkspace(name)),
  listClients: (includeArchived) => unwrap(commands.listClients(includeArchived)),
  createClient: (input) => unwrap(commands.createClient(input)),
  updateClient: (clientId, patch) => unwrap(commands.updateClient(clientId, patch)),
  archiveClient: (clientId, archived) => unwrap(commands.archiveClient(clientId, archived)),
  deleteClient: (clientId) => unwrap(commands.deleteClient(clientId)),
  listBrands: (clientId) => unwrap(commands.listBrands(clientId)),
  createBrand: (clientId, name) => unwrap(commands.createBrand(clientId, name)),
  renameBrand: (clientId, brandId, name) => unwrap(commands.renameBrand(clientId, brandId, name)),
  deleteBrand: (clientId, brandId) => unwrap(commands.deleteBrand(clientId, brandId)),
  getSettings: () => unwrap(commands.getSettings()),
  setSetting: (key, value) => unwrap(commands.setSetting(key, value)),
  auditLog: (limit, before) => unwrap(commands.auditLog(limit, before)),
  checkForUpdate: () => unwrap(commands.checkForUpdate()),
  openExternal: (url) => unwrap(commands.openExternal(url)),
  listPlatforms: () => unwrap(commands.listPlatforms()),
  listAppCredentials: (platform) => unwrap(commands.listAppCredentials(platform)),
  createAppCredential: (platform, form) => unwrap(commands.createAppCredential(platform, form)),
  updateAppCredential: (id, form) => unwrap(commands.updateAppCredential(id, form)),
  deleteAppCredential: (id) => unwrap(commands.deleteAppCredential(id)),
  importEnvFile: (path) => unwrap(commands.importEnvFile(path)),
  listProviders: () => unwrap(commands.listProviders()),
  addProvider: (form) => unwrap(commands.addProvider(form)),
  deleteProvider: (id) => unwrap(commands.deleteProvider(id)),
  startConnect: (request) => unwrap(commands.startConnect(request)),
  cancelConnect: (flowId) => unwrap(commands.cancelConnect(flowId)),
  connectApiKey: (platform, appCredentialId, clientId, brandId) => unwrap(commands.connectApiKey(platform, appCredentialId, clientId, brandId)),
  listConnections: (clientId) => unwrap(commands.listConnections(clientId)),
  connectionAccounts: (connectionId) => unwrap(commands.connectionAccounts(connectionId)),
  linkConnectionAccount: (connectionId, externalId, linked, brandId) =>
    unwrap(commands.linkConnectionAccount(connectionId, externalId, linked, brandId)),
  refreshConnection: (connectionId) => unwrap(commands.refreshConnection(connectionId)),
  disconnectConnection: (connectionId) => unwrap(commands.disconnectConnection(connectionId)),
  resolveAccountMismatch: (connectionId, accept) => unwrap(commands.resolveAccountMismatch(connectionId, accept)),
  connectionHealth: () => unwrap(commands.connectionHealth()),
  demoStatus: () => unwrap(commands.demoStatus()),
  setDemoMode: (enabled) => unwrap(commands.setDemoMode(enabled)),
  autostartStatus: () => unwrap(commands.autostartStatus()),
  setAutostart: (enabled) => unwrap(commands.setAutostart(enabled)),
  startImport: (request) => unwrap(commands.startImport(request)),
  listImportJobs: (clientId) => unwrap(commands.listImportJobs(clientId)),
  getImportJob: (clientId, jobId) => unwrap(commands.getImportJob(clientId, jobId)),
  cancelImport: (clientId, jobId) => unwrap(commands.cancelImport(clientId, jobId)),
  resumeImport: (clientId, jobId) => unwrap(commands.resumeImport(clientId, jobId)),
  retryImport: (clientId, jobId) => unwrap(commands.retryImport(clientId, jobId)),
  libraryAccounts: (clientId) => unwrap(commands.libraryAccounts(clientId)),
  libraryObjects: (clientId, filter) => unwrap(commands.libraryObjects(clientId, filter)),
  libraryObject: (clientId, objectId) => unwrap(commands.libraryObject(clientId, objectId)),
  libraryMetrics: (clientId, objectId, from, to) => unwrap(commands.libraryMetrics(clientId, objectId, from, to)),
  librarySearch: (clientId, query, limit) => unwrap(commands.librarySearch(clientId, query, limit)),
  libraryReview: (clientId, objectId, mark, note) => unwrap(commands.libraryReview(clientId, objectId, mark, note)),
  librarySetAutoSync: (clientId, accountId, hours) => unwrap(commands.librarySetAutoSync(clientId, accountId, hours)),
  publishDestinations: (clientId, connectionId, refresh) => unwrap(commands.publishDestinations(clientId, connectionId, refresh)),
  savePost: (clientId, postId, input) => unwrap(commands.savePost(clientId, postId, input)),
  getPost: (clientId, postId) => unwrap(commands.getPost(clientId, postId)),
  listPosts: (clientId, filter) => unwrap(commands.listPosts(clientId, filter)),
  postStatusSummary: () => unwrap(commands.postStatusSummary()),
  addPostMedia: (clientId, postId, name, dataBase64, alt) => unwrap(commands.addPostMedia(clientId, postId, name, dataBase64, alt)),
  addPostMediaFromLibrary: (clientId, postId, assetId) => unwrap(commands.addPostMediaFromLibrary(clientId, postId, assetId)),
  removePostMedia: (clientId, postId, mediaId) => unwrap(commands.removePostMedia(clientId, postId, mediaId)),
  resolveDue: (zone, wallTime) => unwrap(commands.resolveDue(zone, wallTime)),
  schedulePost: (clientId, postId, when) => unwrap(commands.schedulePost(clientId, postId, when)),
  unschedulePost: (clientId, postId) => unwrap(commands.unschedulePost(clientId, postId)),
  cancelPost: (clientId, postId) => unwrap(commands.cancelPost(clientId, postId)),
  duplicatePost: (clientId, postId) => unwrap(commands.duplicatePost(clientId, postId)),
  deletePost: (clientId, postId) => unwrap(commands.deletePost(clientId, postId)),
  resolveUnconfirmed: (clientId, targetId, published, url) => unwrap(commands.resolveUnconfirmed(clientId, targetId, published, url)),
  getQueueSlots: (clientId) => unwrap(commands.getQueueSlots(clientId)),
  setQueueSlots: (clientId, slots) => unwrap(commands.setQueueSlots(clientId, slots)),
  schedulerStatus: () => unwrap(commands.schedulerStatus()),
  checkPost: (clientId, input, media) => unwrap(commands.checkPost(clientId, input, media)),
  onPostSettled: (cb) => subscribe(events.postSettled, cb),
  onImportEnded: (cb) => subscribe(events.importEnded, cb),
  onVaultChanged: (cb) => subscribe(events.vaultChanged, (p) => cb(p as VaultChanged)),
  onDeepLink: (cb) => subscribe(events.deepLinkReceived, cb),
  onConnectFinished: (cb) => subscribe(events.connectFinished, cb),
};

/** Listen to a generated event; the returned function unsubscribes (even before the listener is up). */
function subscribe<T>(
  event: { listen: (cb: (e: { payload: T }) => void) => Promise<() => void> },
  cb: (payload: T) => void,
): () => void {
  let unlisten: (() => void) | null = null;
  let cancelled = false;
  event
    .listen((e) => cb(e.payload))
    .then((fn) => {
      if (cancelled) fn();
      else unlisten = fn;
    })
    .catch(() => {
      // Not running inside Tauri (e.g. plain browser): no events to listen to.
    });
  return () => {
    cancelled = true;
    unlisten?.();
  };
}

const BackendContext = createContext<Backend>(tauriBackend);

/** Provides a Backend to the tree; tests pass the in-memory fake here. */
export function BackendProvider({ backend, children }: { backend: Backend; children: ReactNode }) {
  return createElement(BackendContext.Provider, { value: backend }, children);
}

export function useBackend(): Backend {
  return useContext(BackendContext);
}

/** Human-readable message for anything caught from a Backend call. */
export function errorMessage(e: unknown): string {
  return toBackendError(e).message;
}
