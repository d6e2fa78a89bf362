//! The shapes that cross the IPC boundary (TypeScript is generated from these).

use serde::{Deserialize, Serialize};
pub use switchboard_store::domain::{AuditEntry, Brand, Client, ClientPatch, NewClient, Workspace};
pub use switchboard_store::{BackupInfo, IntegrityReport, KeyMode};

/// Vault facts for Settings → Vault and `doctor`. No secret, no key material.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct VaultInfo {
    pub vault_id: String,
    pub key_mode: KeyMode,
    pub keyring_backend: Option<String>,
    pub cipher_version: String,
    pub encrypted_on_disk: bool,
    pub schema_version: Option<i64>,
    pub known_schema_version: Option<i64>,
    pub db_path: String,
    pub backups_dir: String,
    pub db_size_bytes: u64,
}

impl From<switchboard_store::VaultInfo> for VaultInfo {
    fn from(v: switchboard_store::VaultInfo) -> Self {
        VaultInfo {
            vault_id: v.vault_id,
            key_mode: v.key_mode,
            keyring_backend: v.keyring_backend,
            cipher_version: v.cipher_version,
            encrypted_on_disk: v.encrypted_on_disk,
            schema_version: v.schema_version,
            known_schema_version: v.known_schema_version,
            db_path: v.db_path.display().to_string(),
            backups_dir: v.backups_dir.display().to_string(),
            db_size_bytes: v.db_size_bytes,
        }
    }
}

/// What the app is doing with the vault; the UI's first screen follows from it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VaultState {
    Open,
    /// A passphrase-protected vault: ask for the passphrase.
    NeedsPassphrase {
        message: String,
    },
    /// No OS keyring and no vault yet: ask the user to choose a passphrase.
    NeedsNewPassphrase {
        message: String,
    },
    /// The database is damaged: offer the backups, newest first.
    Damaged {
        message: String,
        backups: Vec<BackupInfo>,
    },
    Error {
        code: String,
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AppStatus {
    pub vault: VaultState,
    pub version: String,
    pub data_dir: String,
    pub demo_mode: bool,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    System,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Settings {
    pub backups_kept: u32,
    pub updater_endpoint: String,
    pub updater_pubkey: String,
    pub theme: Theme,
    pub current_client: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, specta::Type, PartialEq, Eq)]
pub enum SettingName {
    #[serde(rename = "backup.keep")]
    BackupKeep,
    #[serde(rename = "updater.endpoint")]
    UpdaterEndpoint,
    #[serde(rename = "updater.pubkey")]
    UpdaterPubkey,
    #[serde(rename = "ui.theme")]
    UiTheme,
    #[serde(rename = "ui.current_client")]
    UiCurrentClient,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct UpdateCheck {
    pub available: bool,
    pub version: Option<String>,
    pub notes: Option<String>,
    pub current_version: String,
}
