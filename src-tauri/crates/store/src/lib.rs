//! switchboard-store: the encrypted local vault every other Switchboard crate stores in.
//!
//! - [`Vault`] opens one SQLCipher database whose 256-bit key comes from the OS keyring
//!   (or, where there is none, from a passphrase through Argon2id);
//! - [`Read`] and [`Write`] are the only ways in: reads on pooled connections, writes in
//!   one transaction with a change batch for listeners;
//! - [`domain`] holds the baseline rows (workspace → clients → brands, settings, audit).

pub mod clock;
mod descriptor;
pub mod domain;
mod error;
pub mod files;
pub mod key;
pub mod migrate;
mod rw;
mod vault;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Result, StoreError};
pub use files::{AssetFiles, StagedFile, SweepReport};
pub use key::{KeyMode, NoKeyring, OsKeyring, SecretStore, VaultKey};
pub use migrate::Migrations;
pub use rw::{Change, ChangeBatch, ChangeKind, Origin, Read, Write};
pub use vault::{
    list_backups, newest_good_backup, restore_offline, validate_passphrase, BackupInfo,
    IntegrityReport, NewKey, OpenOptions, Pragmas, Vault, VaultInfo, VaultPaths,
    DEFAULT_BACKUPS_KEPT, PAGE_SIZE,
};

/// Key a raw connection the way the vault does (benchmarks compare it with plain SQLite).
#[doc(hidden)]
pub fn apply_key_for_bench(conn: &rusqlite::Connection, key: &VaultKey) {
    conn.execute_batch(&format!(
        "PRAGMA key = {}; PRAGMA cipher_page_size = {PAGE_SIZE};",
        key.pragma_literal().as_str()
    ))
    .expect("key pragma");
}
