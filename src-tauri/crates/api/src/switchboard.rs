use crate::error::{ApiError, ApiResult};
use crate::types::*;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use switchboard_store::domain::SettingKey;
use switchboard_store::{
    ChangeBatch, Clock, NewKey, OpenOptions, Origin, SecretStore, StoreError, Vault, VaultPaths,
};

pub struct Config {
    pub data_dir: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    /// Who acts, for the audit log: "app" or "cli".
    pub actor: String,
    /// Create a vault when none exists (the app does; `doctor` does not).
    pub create: bool,
}

enum Slot {
    Open(Arc<Vault>),
    Closed(VaultState),
}

type ChangeListener = Arc<dyn Fn(&ChangeBatch) + Send + Sync>;

/// One agency's Switchboard: the vault and everything done through it.
pub struct Switchboard {
    config: Config,
    slot: RwLock<Slot>,
    listeners: Arc<Mutex<Vec<ChangeListener>>>,
    /// The connection engine of the open vault.
    pub(crate) connector: RwLock<Option<Arc<switchboard_connect::Connector>>>,
    /// The in-process platform emulator while Demo mode is on.
    pub(crate) demo: Mutex<Option<switchboard_emulator::RunningEmulator>>,
    /// The import engine of the open vault.
    pub(crate) importer: RwLock<Option<Arc<switchboard_library::Importer>>>,
    pub(crate) import_listeners: Arc<Mutex<Vec<ImportListener>>>,
    /// The publishing scheduler of the open vault, once started.
    pub(crate) scheduler: RwLock<Option<Arc<switchboard_scheduler::Scheduler>>>,
    pub(crate) post_listeners: Arc<Mutex<Vec<PostListener>>>,
}

type PostListener = Arc<dyn Fn(&switchboard_store::domain::TargetEvent) + Send + Sync>;

type ImportListener = Arc<dyn Fn(&switchboard_library::JobEnded) + Send + Sync>;

fn state_for(
    err: &StoreError,
    vault_exists: bool,
    backups: impl FnOnce() -> Vec<BackupInfo>,
) -> VaultState {
    match err {
        StoreError::PassphraseRequired if vault_exists => VaultState::NeedsPassphrase {
            message: "This vault is protected by a passphrase.".into(),
        },
        StoreError::PassphraseRequired | StoreError::KeyringUnavailable { .. } if !vault_exists => {
            VaultState::NeedsNewPassphrase {
                message: format!(
                    "No OS keyring is available ({}). Choose a passphrase to protect the vault; it cannot be recovered if lost.",
                    match err {
                        StoreError::KeyringUnavailable { detail } => detail.as_str(),
                        _ => "no Secret Service",
                    }
                ),
            }
        }
        StoreError::Damaged { .. } => VaultState::Damaged {
            message: err.to_string(),
            backups: backups(),
        },
        other => VaultState::Error {
            code: other.code().into(),
            message: other.to_string(),
        },
    }
}

impl Switchboard {
    /// Try to open (or create) the vault without a passphrase. Never fails: what went
    /// wrong becomes the `VaultState` the UI shows.
    pub fn start(config: Config) -> Switchboard {
        let sb = Switchboard {
            config,
            slot: RwLock::new(Slot::Closed(VaultState::Error {
                code: "starting".into(),
                message: "starting".into(),
            })),
            listeners: Arc::new(Mutex::new(Vec::new())),
            connector: RwLock::new(None),
            demo: Mutex::new(None),
            importer: RwLock::new(None),
            import_listeners: Arc::new(Mutex::new(Vec::new())),
            scheduler: RwLock::new(None),
            post_listeners: Arc::new(Mutex::new(Vec::new())),
        };
        let slot = sb.try_open(None);
        *sb.slot.write().expect("slot") = slot;
        sb
    }

    fn paths(&self) -> VaultPaths {
        VaultPaths::new(&self.config.data_dir)
    }

    fn options(&self, passphrase: Option<SecretString>) -> OpenOptions {
        let mut o = OpenOptions::new(self.config.secrets.clone(), self.config.clock.clone());
        o.passphrase = passphrase;
        o.actor = self.config.actor.clone();
        o.create = self.config.create.then_some(NewKey::Auto);
        o
    }

    fn try_open(&self, passphrase: Option<SecretString>) -> Slot {
        let paths = self.paths();
        let existed = paths.exists();
        match Vault::open(paths.clone(), self.options(passphrase)) {
            Ok(v) => Slot::Open(self.attach(v)),
            Err(e) => {
                tracing::warn!(code = e.code(), "vault not opened: {e}");
                Slot::Closed(state_for(&e, existed, || {
                    switchboard_store::list_backups(&paths).unwrap_or_default()
                }))
            }
        }
    }

    fn attach(&self, v: Vault) -> Arc<Vault> {
        let listeners = self.listeners.clone();
        v.subscribe(move |batch| {
            for l in listeners.lock().expect("listeners").iter() {
                l(batch);
            }
        });
        if let Err(e) = v.write(Origin::System, |w| {
            w.ensure_workspace("My agency").map(|_| ())
        }) {
            tracing::error!("could not create the workspace: {e}");
        }
        let v = Arc::new(v);
        self.attach_connector(&v);
        self.attach_importer(&v);
        v
    }

    /// Be told about every committed write (one batch per transaction).
    pub fn on_change(&self, f: impl Fn(&ChangeBatch) + Send + Sync + 'static) {
        self.listeners.lock().expect("listeners").push(Arc::new(f));
    }

    /// The clock the hosts passed in (the wall clock, or a test's).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.config.clock.clone()
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    pub fn status(&self) -> AppStatus {
        let vault = match &*self.slot.read().expect("slot") {
            Slot::Open(_) => VaultState::Open,
            Slot::Closed(s) => s.clone(),
        };
        AppStatus {
            vault,
            version: env!("CARGO_PKG_VERSION").into(),
            data_dir: self.config.data_dir.display().to_string(),
            demo_mode: self.demo.lock().expect("demo").is_some(),
        }
    }

    /// Unlock a passphrase vault, or create one when there is no keyring.
    pub fn unlock(&self, passphrase: SecretString) -> ApiResult<AppStatus> {
        if matches!(&*self.slot.read().expect("slot"), Slot::Open(_)) {
            return Ok(self.status());
        }
        if !self.paths().exists() {
            switchboard_store::validate_passphrase(&passphrase)?;
        }
        let existed = self.paths().exists();
        match Vault::open(self.paths(), self.options(Some(passphrase))) {
            Ok(v) => {
                *self.slot.write().expect("slot") = Slot::Open(self.attach(v));
                Ok(self.status())
            }
            Err(e) => {
                let paths = self.paths();
                let state = state_for(&e, existed, || {
                    switchboard_store::list_backups(&paths).unwrap_or_default()
                });
                // A wrong passphrase keeps the unlock screen up; the error says why.
                if !matches!(e, StoreError::WrongPassphrase) {
                    *self.slot.write().expect("slot") = Slot::Closed(state);
                }
                Err(e.into())
            }
        }
    }

    /// Restore a backup into a vault that is too damaged to open.
    pub fn restore_damaged(
        &self,
        file_name: &str,
        passphrase: Option<SecretString>,
    ) -> ApiResult<AppStatus> {
        if !matches!(
            &*self.slot.read().expect("slot"),
            Slot::Closed(VaultState::Damaged { .. })
        ) {
            return Err(ApiError::invalid(
                "The vault is not damaged; use Settings → Vault → Restore.",
            ));
        }
        let v =
            switchboard_store::restore_offline(self.paths(), file_name, self.options(passphrase))?;
        *self.slot.write().expect("slot") = Slot::Open(self.attach(v));
        Ok(self.status())
    }

    pub fn vault(&self) -> ApiResult<Arc<Vault>> {
        match &*self.slot.read().expect("slot") {
            Slot::Open(v) => Ok(v.clone()),
            Slot::Closed(state) => Err(match state {
                VaultState::Error { code, message } => ApiError::new(code, message.clone()),
                VaultState::Damaged { message, .. } => {
                    ApiError::new("vault_damaged", message.clone())
                }
                _ => ApiError::new("vault_locked", "The vault is locked."),
            }),
        }
    }

    /// Map a damaged-vault error seen mid-session to the Damaged state, so the UI offers
    /// a restore instead of failing call after call.
    pub(crate) fn guard<T>(&self, r: Result<T, StoreError>) -> ApiResult<T> {
        if let Err(e @ StoreError::Damaged { .. }) = &r {
            let paths = self.paths();
            *self.slot.write().expect("slot") = Slot::Closed(VaultState::Damaged {
                message: e.to_string(),
                backups: switchboard_store::list_backups(&paths).unwrap_or_default(),
            });
        }
        r.map_err(ApiError::from)
    }

    // ---- vault maintenance ----

    pub fn vault_info(&self) -> ApiResult<VaultInfo> {
        let v = self.vault()?;
        self.guard(v.info()).map(Into::into)
    }

    pub fn integrity_check(&self) -> ApiResult<IntegrityReport> {
        let v = self.vault()?;
        let r = self.guard(v.integrity_check())?;
        if !r.ok {
            tracing::error!(
                cipher = r.cipher_errors.len(),
                sqlite = r.sqlite_errors.len(),
                "integrity check failed"
            );
        }
        Ok(r)
    }

    pub fn backup_now(&self) -> ApiResult<BackupInfo> {
        let v = self.vault()?;
        self.guard(v.backup_now("manual"))
    }

    pub fn backups(&self) -> ApiResult<Vec<BackupInfo>> {
        switchboard_store::list_backups(&self.paths()).map_err(Into::into)
    }

    /// The newest backup that opens with the vault's key and passes both integrity checks.
    pub fn newest_good_backup(
        &self,
        passphrase: Option<SecretString>,
    ) -> ApiResult<Option<BackupInfo>> {
        switchboard_store::newest_good_backup(&self.paths(), &self.options(passphrase))
            .map_err(Into::into)
    }

    pub fn restore(&self, file_name: &str) -> ApiResult<()> {
        let v = self.vault()?;
        v.restore(file_name).map_err(Into::into)
    }

    pub fn rekey(&self, mode: KeyMode, passphrase: Option<SecretString>) -> ApiResult<VaultInfo> {
        let v = self.vault()?;
        let to = match (mode, passphrase) {
            (KeyMode::Keyring, None) => NewKey::Keyring,
            (KeyMode::Passphrase, Some(p)) => {
                switchboard_store::validate_passphrase(&p)?;
                NewKey::Passphrase(p)
            }
            (KeyMode::Keyring, Some(_)) => {
                return Err(ApiError::invalid("a keyring key takes no passphrase"))
            }
            (KeyMode::Passphrase, None) => {
                return Err(ApiError::invalid("choose a passphrase to switch to"))
            }
        };
        v.rekey(to)?;
        self.vault_info()
    }

    /// Periodic upkeep: the daily backup.
    pub fn maintenance_tick(&self) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.backup_if_due()).map(|_| ())
    }

    // ---- workspace, clients, brands ----

    /// The workspace row is created when the vault is attached, so this only reads.
    pub fn workspace(&self) -> ApiResult<Workspace> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.workspace()))?
            .ok_or_else(|| ApiError::new("not_found", "the workspace has not been created"))
    }

    pub fn rename_workspace(&self, name: &str) -> ApiResult<Workspace> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.rename_workspace(name)))
    }

    pub fn list_clients(&self, include_archived: bool) -> ApiResult<Vec<Client>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.list_clients(include_archived)))
    }

    pub fn create_client(&self, new: NewClient) -> ApiResult<Client> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.create_client(new)))
    }

    pub fn update_client(&self, client_id: &str, patch: ClientPatch) -> ApiResult<Client> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.client(client_id)?.update(patch)))
    }

    pub fn archive_client(&self, client_id: &str, archived: bool) -> ApiResult<Client> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            w.client(client_id)?.set_archived(archived)
        }))
    }

    pub fn delete_client(&self, client_id: &str) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.client(client_id)?.delete()))
    }

    pub fn list_brands(&self, client_id: &str) -> ApiResult<Vec<Brand>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.client(client_id)?.brands()))
    }

    pub fn create_brand(&self, client_id: &str, name: &str) -> ApiResult<Brand> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.client(client_id)?.create_brand(name)))
    }

    pub fn rename_brand(&self, client_id: &str, brand_id: &str, name: &str) -> ApiResult<Brand> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            w.client(client_id)?.rename_brand(brand_id, name)
        }))
    }

    pub fn delete_brand(&self, client_id: &str, brand_id: &str) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            w.client(client_id)?.delete_brand(brand_id)
        }))
    }

    // ---- settings and audit ----

    pub fn settings(&self) -> ApiResult<Settings> {
        let v = self.vault()?;
        self.guard(v.read(|r| {
            let theme = match r.setting(SettingKey::Theme)?.as_deref() {
                Some("light") => Theme::Light,
                Some("dark") => Theme::Dark,
                _ => Theme::System,
            };
            Ok(Settings {
                backups_kept: r.backups_kept()? as u32,
                updater_endpoint: r.setting(SettingKey::UpdaterEndpoint)?.unwrap_or_default(),
                updater_pubkey: r.setting(SettingKey::UpdaterPubkey)?.unwrap_or_default(),
                theme,
                current_client: r
                    .setting(SettingKey::CurrentClient)?
                    .filter(|s| !s.is_empty()),
            })
        }))
    }

    pub fn set_setting(&self, name: SettingName, value: &str) -> ApiResult<Settings> {
        let key = match name {
            SettingName::BackupKeep => SettingKey::BackupsKept,
            SettingName::UpdaterEndpoint => SettingKey::UpdaterEndpoint,
            SettingName::UpdaterPubkey => SettingKey::UpdaterPubkey,
            SettingName::UiTheme => SettingKey::Theme,
            SettingName::UiCurrentClient => SettingKey::CurrentClient,
        };
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            if key == SettingKey::CurrentClient && !value.is_empty() {
                w.read().client(value)?;
            }
            w.set_setting(key, value)
        }))?;
        self.settings()
    }

    pub fn audit_log(&self, limit: u32, before: Option<i64>) -> ApiResult<Vec<AuditEntry>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.audit_log(limit, before)))
    }
}
