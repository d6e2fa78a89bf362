//! Store errors. Every variant carries a stable `code()` the UI and CLI branch on.
//! No variant ever holds key material: key-handling paths map SQLite errors to
//! `WrongKey`/`Damaged` without the failing SQL.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "No OS keyring is available ({detail}). Choose a passphrase to protect the vault instead."
    )]
    KeyringUnavailable { detail: String },

    #[error("The vault key is not in the OS keyring (entry {account}). Restore the keyring entry, or if this vault was protected with a passphrase, unlock it with the passphrase.")]
    KeyMissing { account: String },

    #[error("This vault is protected by a passphrase; enter it to unlock.")]
    PassphraseRequired,

    #[error("The passphrase does not unlock this vault.")]
    WrongPassphrase,

    #[error("The key does not open the vault at {path}. Nothing was changed. If the keyring entry was replaced, restore it, or restore a backup made with the current key.")]
    WrongKey { path: PathBuf },

    #[error("The vault is damaged ({detail}). Nothing was discarded; restore the newest good backup (Settings → Vault → Restore, or `switchboard-cli restore`).")]
    Damaged { detail: String },

    #[error("This vault was written by a newer Switchboard (schema {found}, this version knows up to {known}). It was not touched; update Switchboard to open it.")]
    NewerSchema { found: String, known: String },

    #[error("There is no vault in {dir} yet. Start the app, or run a command that creates one (e.g. `switchboard-cli client add NAME`).")]
    NoVault { dir: PathBuf },

    #[error("The vault database is missing at {path} although its key descriptor exists. Nothing was created; restore a backup to recover.")]
    VaultMissing { path: PathBuf },

    #[error("The vault descriptor {path} is missing or unreadable ({detail}); without it the key cannot be found. Nothing was changed.")]
    DescriptorInvalid { path: PathBuf, detail: String },

    #[error("{what} was not found")]
    NotFound { what: String },

    #[error("{0}")]
    Invalid(String),

    #[error("{0}")]
    Conflict(String),

    #[error("The OS keyring refused the operation: {0}")]
    Keyring(String),

    #[error("storage error: {0}")]
    Sqlite(rusqlite::Error),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// A stable, machine-readable code for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::KeyringUnavailable { .. } => "keyring_unavailable",
            StoreError::KeyMissing { .. } => "key_missing",
            StoreError::PassphraseRequired => "passphrase_required",
            StoreError::WrongPassphrase => "wrong_passphrase",
            StoreError::WrongKey { .. } => "wrong_key",
            StoreError::Damaged { .. } => "vault_damaged",
            StoreError::NewerSchema { .. } => "newer_schema",
            StoreError::VaultMissing { .. } => "vault_missing",
            StoreError::NoVault { .. } => "no_vault",
            StoreError::DescriptorInvalid { .. } => "descriptor_invalid",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Invalid(_) => "invalid_input",
            StoreError::Conflict(_) => "conflict",
            StoreError::Keyring(_) => "keyring_error",
            StoreError::Sqlite(_) => "storage_error",
            StoreError::Io(_) => "io_error",
        }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }

    /// Maps SQLite's "this is not a database / is corrupt" family to `Damaged`,
    /// so any query that trips over a bad page says what happened.
    pub(crate) fn classify(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(f.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) {
                return StoreError::Damaged {
                    detail: format!("SQLite reported {:?}", f.code),
                };
            }
        }
        StoreError::Sqlite(e)
    }
}

/// Every SQLite error passes through [`StoreError::classify`], so a damaged page surfaces
/// as `Damaged` wherever it is hit.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::classify(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
