//! The vault: one SQLCipher database, its key, its connections and its life cycle
//! (create, open, migrate, re-key, back up, restore, check).
//!
//! Files in the vault directory:
//! - `vault.db` (+ `-wal`, `-shm`): the encrypted database;
//! - `vault.json`: which key opens it (no secret);
//! - `vault.db.staged`: a complete database waiting to be renamed into place
//!   (first creation, restore);
//! - `vault.db.rekey`: the database being re-encrypted under a pending key;
//! - `backups/vault-<UTC>-<reason>.db`: encrypted online backups.

use crate::clock::Clock;
use crate::descriptor::{sibling, sync_dir, Descriptor, FORMAT};
use crate::error::{Result, StoreError};
use crate::files::{AssetFiles, SweepReport};
use crate::key::{KdfParams, KeyMode, KeySpec, SecretStore, VaultKey};
use crate::migrate::{self, Migrations};
use crate::rw::{ChangeBatch, Origin, Read, Write};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use secrecy::SecretString;
use serde::Serialize;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

const READER_POOL: usize = 4;
/// 16 KiB pages: SQLCipher's per-page cost (IV, HMAC, one AES call) is paid a quarter as
/// often as with the 4 KiB default; with it the library-shaped benchmark runs at plain
/// SQLite's speed (see benches/vault.rs). Every connection, backup and export uses it.
pub const PAGE_SIZE: u32 = 16384;
pub const DEFAULT_BACKUPS_KEPT: usize = 10;

#[derive(Debug, Clone)]
pub struct VaultPaths {
    pub dir: PathBuf,
    pub db: PathBuf,
    pub descriptor: PathBuf,
    pub backups: PathBuf,
}

impl VaultPaths {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        VaultPaths {
            db: dir.join("vault.db"),
            descriptor: dir.join("vault.json"),
            backups: dir.join("backups"),
            dir,
        }
    }
    fn staged(&self) -> PathBuf {
        sibling(&self.db, ".staged")
    }
    fn rekey(&self) -> PathBuf {
        sibling(&self.db, ".rekey")
    }
    fn wal(&self) -> PathBuf {
        sibling(&self.db, "-wal")
    }
    fn shm(&self) -> PathBuf {
        sibling(&self.db, "-shm")
    }
    pub fn exists(&self) -> bool {
        self.descriptor.exists() || self.db.exists()
    }
    /// Sealed asset files (see `files.rs`).
    pub fn assets(&self) -> PathBuf {
        self.dir.join("assets")
    }
}

/// How a brand-new vault is keyed.
pub enum NewKey {
    /// Keyring if one is available, otherwise the given passphrase, otherwise an error
    /// asking for one.
    Auto,
    Keyring,
    Passphrase(SecretString),
}

pub struct OpenOptions {
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
    /// For passphrase-mode vaults (or creating one).
    pub passphrase: Option<SecretString>,
    /// None: never create; opening a missing vault fails.
    pub create: Option<NewKey>,
    pub migrations: Migrations,
    /// Who is acting, for the audit log ("app", "cli", …).
    pub actor: String,
}

impl OpenOptions {
    pub fn new(secrets: Arc<dyn SecretStore>, clock: Arc<dyn Clock>) -> Self {
        OpenOptions {
            secrets,
            clock,
            passphrase: None,
            create: Some(NewKey::Auto),
            migrations: Migrations::embedded(),
            actor: "app".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, specta::Type)]
pub struct BackupInfo {
    pub file_name: String,
    pub path: PathBuf,
    pub size_bytes: u64,
    pub created_at: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, specta::Type)]
pub struct IntegrityReport {
    pub ok: bool,
    /// Pages whose HMAC failed (`PRAGMA cipher_integrity_check`).
    pub cipher_errors: Vec<String>,
    /// `PRAGMA integrity_check` output other than "ok".
    pub sqlite_errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pragmas {
    pub journal_mode: String,
    pub synchronous: i64,
    pub foreign_keys: bool,
    pub temp_store: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub vault_id: String,
    pub key_mode: KeyMode,
    pub keyring_backend: Option<String>,
    pub cipher_version: String,
    /// A plain-SQLite read of the file's first 16 bytes found no "SQLite format 3" header.
    pub encrypted_on_disk: bool,
    pub schema_version: Option<i64>,
    pub known_schema_version: Option<i64>,
    pub db_path: PathBuf,
    pub backups_dir: PathBuf,
    pub db_size_bytes: u64,
}

struct Conns {
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

struct Open {
    descriptor: Descriptor,
    key: VaultKey,
    conns: Option<Conns>,
    /// Sealed asset files beside the database, keyed by the data key inside it.
    files: Option<Arc<AssetFiles>>,
}

type Listener = Box<dyn Fn(&ChangeBatch) + Send + Sync>;

pub struct Vault {
    paths: VaultPaths,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    migrations: Migrations,
    actor: String,
    state: RwLock<Open>,
    listeners: Mutex<Vec<Listener>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("dir", &self.paths.dir)
            .finish_non_exhaustive()
    }
}

/// Open one connection and apply the key before anything else touches it. This is
/// the single per-connection init hook every vault connection goes through.
pub(crate) fn open_connection(path: &Path, key: &VaultKey, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // Failures are reported through our errors; SQLCipher's own stderr logging is off.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    // The key pragma is built from bytes; its error, if any, is reported without the SQL.
    // why: rarely (seen once under parallel tests) the first key pragma of a process fails
    // while SQLCipher sets up its crypto provider; a second try succeeds. Only the SQLite
    // result code is reported: the statement holds the key.
    let mut tries = 0;
    loop {
        tries += 1;
        match conn.execute_batch(&format!(
            "PRAGMA key = {}; PRAGMA cipher_page_size = {PAGE_SIZE};",
            key.pragma_literal().as_str()
        )) {
            Ok(()) => break,
            Err(e) if tries >= 3 => {
                let code = e
                    .sqlite_error_code()
                    .map(|c| format!("{c:?}"))
                    .unwrap_or_else(|| "no SQLite code".into());
                return Err(StoreError::Invalid(format!(
                    "SQLCipher refused the key pragma ({code})"
                )));
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    }
    Ok(conn)
}

/// Does `key` open the database at `path`? Reads page 1 only.
pub(crate) fn key_opens(path: &Path, key: &VaultKey) -> Result<bool> {
    let conn = open_connection(path, key, false)?;
    let r: rusqlite::Result<i64> =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
    match r {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                rusqlite::ffi::ErrorCode::NotADatabase | rusqlite::ffi::ErrorCode::DatabaseCorrupt
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(StoreError::Sqlite(e)),
    }
}

/// Per-connection settings. A 64 MiB page cache per connection matters more under
/// SQLCipher than plain SQLite: every page read from the OS cache is decrypted and
/// HMAC-checked, a page found in SQLite's cache is not.
fn configure(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -65536;",
    )
    .map_err(StoreError::classify)
}

/// The data key of the vault's asset files, made on first use.
fn asset_data_key(conn: &Connection) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let get = |c: &Connection| {
        c.query_row("SELECT key FROM vault_asset_key WHERE id = 1", [], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .optional()
    };
    if let Some(k) = get(conn)? {
        return Ok(zeroize::Zeroizing::new(k));
    }
    let fresh = zeroize::Zeroizing::new(crate::files::new_data_key()?);
    conn.execute(
        "INSERT OR IGNORE INTO vault_asset_key (id, key) VALUES (1, ?1)",
        [&fresh[..]],
    )?;
    Ok(zeroize::Zeroizing::new(
        get(conn)?.ok_or_else(|| StoreError::not_found("the asset key"))?,
    ))
}

/// The file names of every blob kept as a sealed file.
fn file_names_of(conn: &Connection, files: &AssetFiles) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT sha256 FROM blobs WHERE in_file = 1")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = HashSet::new();
    for sha in rows {
        out.insert(files.name_of(&sha?));
    }
    Ok(out)
}

/// The asset files a backup `vault-….db` refers to are listed in `vault-….db.assets`.
fn manifest_path(backup: &Path) -> PathBuf {
    sibling(backup, ".assets")
}

fn write_manifest(backup: &Path, names: &HashSet<String>) -> Result<()> {
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    let mut text = String::with_capacity(sorted.len() * 65);
    for n in sorted {
        text.push_str(n);
        text.push('\n');
    }
    let path = manifest_path(backup);
    let part = sibling(&path, ".part");
    fs::write(&part, text)?;
    seal_file(&part)?;
    fs::rename(&part, &path)?;
    Ok(())
}

fn read_manifest(backup: &Path) -> Result<HashSet<String>> {
    match fs::read_to_string(manifest_path(backup)) {
        Ok(t) => Ok(t
            .lines()
            .filter(|l| l.len() == 64 && l.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashSet::new()),
        Err(e) => Err(e.into()),
    }
}

/// The names a backup of `conn` must keep (none before the asset-file migration).
fn backup_file_names(conn: &Connection, paths: &VaultPaths) -> Result<HashSet<String>> {
    let has_key: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'vault_asset_key')",
        [],
        |r| r.get(0),
    )?;
    if !has_key {
        return Ok(HashSet::new());
    }
    let files = AssetFiles::new(paths.assets(), &asset_data_key(conn)?)?;
    file_names_of(conn, &files)
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Finish a file we wrote: owner-only permissions (SQLite gives its -wal and -shm the
/// database file's mode), then fsync.
fn seal_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?
        .sync_all()?;
    Ok(())
}

fn ensure_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn new_key_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// Material for a fresh key: its descriptor entry and the key itself. Keyring keys are
/// written to the keyring here, before any file refers to them.
fn make_key(
    vault_id: &str,
    choice: &NewKey,
    secrets: &dyn SecretStore,
    passphrase: Option<&SecretString>,
) -> Result<(KeySpec, VaultKey)> {
    let use_keyring = match choice {
        NewKey::Keyring => {
            secrets.probe()?;
            true
        }
        NewKey::Passphrase(_) => false,
        NewKey::Auto => match secrets.probe() {
            Ok(()) => true,
            Err(e @ StoreError::KeyringUnavailable { .. }) => {
                if passphrase.is_none() {
                    return Err(e);
                }
                false
            }
            Err(e) => return Err(e),
        },
    };
    let key_id = new_key_id();
    if use_keyring {
        let account = format!("vault:{vault_id}:{key_id}");
        let key = VaultKey::random();
        secrets.set(&account, &key)?;
        // Read it back: a store that accepts writes but cannot return them is not a keyring.
        match secrets.get(&account)? {
            Some(k) if k.bytes() == key.bytes() => {}
            _ => {
                return Err(StoreError::KeyringUnavailable {
                    detail: "the keyring accepted the key but did not return it".into(),
                })
            }
        }
        Ok((KeySpec::Keyring { key_id, account }, key))
    } else {
        let pass = match choice {
            NewKey::Passphrase(p) => p,
            _ => passphrase.ok_or(StoreError::PassphraseRequired)?,
        };
        validate_passphrase(pass)?;
        let kdf = KdfParams::new_random_salt();
        let key = kdf.derive(pass)?;
        Ok((KeySpec::Passphrase { key_id, kdf }, key))
    }
}

pub fn validate_passphrase(p: &SecretString) -> Result<()> {
    use secrecy::ExposeSecret;
    if p.expose_secret().chars().count() < 10 {
        return Err(StoreError::Invalid(
            "A vault passphrase needs at least 10 characters.".into(),
        ));
    }
    Ok(())
}

fn resolve_key(
    spec: &KeySpec,
    secrets: &dyn SecretStore,
    passphrase: Option<&SecretString>,
) -> Result<VaultKey> {
    match spec {
        KeySpec::Keyring { account, .. } => {
            secrets.get(account)?.ok_or_else(|| StoreError::KeyMissing {
                account: account.clone(),
            })
        }
        KeySpec::Passphrase { kdf, .. } => {
            kdf.derive(passphrase.ok_or(StoreError::PassphraseRequired)?)
        }
    }
}

fn list_backup_files(dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name
            .strip_prefix("vault-")
            .and_then(|s| s.strip_suffix(".db"))
        else {
            continue;
        };
        let (stamp, reason) = stem.split_once('-').unwrap_or((stem, ""));
        let created_at = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3fZ")
            .map(|t| t.and_utc().to_rfc3339())
            .unwrap_or_default();
        out.push(BackupInfo {
            size_bytes: entry.metadata()?.len(),
            path: entry.path(),
            file_name: name.clone(),
            created_at,
            reason: reason.to_owned(),
        });
    }
    // Newest first: names start with a fixed-width UTC stamp.
    out.sort_by(|a, b| b.file_name.cmp(&a.file_name));
    Ok(out)
}

/// Copy `src` (already keyed) into a new encrypted file at `dest` with the SQLite online
/// backup API, then fsync it. The destination is keyed with the same key.
fn backup_into(src: &Connection, dest: &Path, key: &VaultKey) -> Result<()> {
    remove_if_exists(dest)?;
    let mut out = open_connection(dest, key, true)?;
    {
        let b = rusqlite::backup::Backup::new(src, &mut out)?;
        b.run_to_completion(4096, std::time::Duration::ZERO, None)
            .map_err(StoreError::classify)?;
    }
    drop(out);
    seal_file(dest)
}

/// Re-encrypt `src_path` (opened with `from`) into `dest` under `to`.
fn export_with_key(src_path: &Path, from: &VaultKey, dest: &Path, to: &VaultKey) -> Result<()> {
    remove_if_exists(dest)?;
    let conn = open_connection(src_path, from, false)?;
    export_conn(&conn, dest, to)?;
    drop(conn);
    seal_file(dest)
}

/// Re-encrypt, in place and atomically per file, every backup that `from` opens.
fn reencrypt_backups(dir: &Path, from: &VaultKey, to: &VaultKey) -> Result<()> {
    for b in list_backup_files(dir)? {
        if key_opens(&b.path, from)? {
            let part = sibling(&b.path, ".part");
            export_with_key(&b.path, from, &part, to)?;
            fs::rename(&part, &b.path)?;
            sync_dir(&b.path)?;
        }
    }
    Ok(())
}

fn export_conn(conn: &Connection, dest: &Path, to: &VaultKey) -> Result<()> {
    let dest_str = dest
        .to_str()
        .ok_or_else(|| StoreError::Invalid("vault path is not valid UTF-8".into()))?;
    // Vault connections are opened without CREATE, which ATTACH inherits: make the
    // (empty, hence valid) file first.
    fs::File::create(dest)?;
    conn.execute("ATTACH DATABASE ?1 AS rekeyed KEY ''", [dest_str])
        .map_err(StoreError::classify)?;
    let result = (|| {
        conn.execute_batch(&format!(
            "PRAGMA rekeyed.key = {}; PRAGMA rekeyed.cipher_page_size = {PAGE_SIZE};",
            to.pragma_literal().as_str()
        ))
        .map_err(|_| StoreError::Invalid("SQLCipher refused the new key".into()))?;
        conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))
            .map_err(StoreError::classify)
    })();
    conn.execute_batch("DETACH DATABASE rekeyed")
        .map_err(StoreError::classify)?;
    result
}

fn integrity_of(conn: &Connection) -> Result<IntegrityReport> {
    let mut cipher_errors = Vec::new();
    {
        let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            cipher_errors.push(r.map_err(StoreError::classify)?);
        }
    }
    let mut sqlite_errors = Vec::new();
    match conn.prepare("PRAGMA integrity_check") {
        Ok(mut stmt) => {
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for r in rows {
                match r {
                    Ok(s) if s == "ok" => {}
                    Ok(s) => sqlite_errors.push(s),
                    Err(e) => sqlite_errors.push(e.to_string()),
                }
            }
        }
        Err(e) => sqlite_errors.push(e.to_string()),
    }
    Ok(IntegrityReport {
        ok: cipher_errors.is_empty() && sqlite_errors.is_empty(),
        cipher_errors,
        sqlite_errors,
    })
}

fn stamp(clock: &dyn Clock) -> String {
    clock.now().format("%Y%m%dT%H%M%S%.3fZ").to_string()
}

impl Vault {
    /// Open the vault in `paths.dir`, creating it if allowed and absent. Fails closed:
    /// a missing or wrong key never leads to a new, empty database.
    #[tracing::instrument(skip_all, fields(dir = %paths.dir.display()), err)]
    pub fn open(paths: VaultPaths, opts: OpenOptions) -> Result<Vault> {
        ensure_private_dir(&paths.dir)?;
        let descriptor = Descriptor::load(&paths.descriptor)?;
        let staged = paths.staged();
        let (descriptor, key, created) = match (descriptor, paths.db.exists()) {
            (None, false) => {
                let Some(choice) = opts.create.as_ref() else {
                    return Err(StoreError::NoVault {
                        dir: paths.db.parent().map(Into::into).unwrap_or_default(),
                    });
                };
                // A staged file without a descriptor is a first creation that crashed.
                remove_if_exists(&staged)?;
                let vault_id = uuid::Uuid::new_v4().to_string();
                let (spec, key) = make_key(
                    &vault_id,
                    choice,
                    opts.secrets.as_ref(),
                    opts.passphrase.as_ref(),
                )?;
                {
                    let mut conn = open_connection(&staged, &key, true)?;
                    configure(&conn)?;
                    for m in opts.migrations.iter() {
                        migrate::apply(&mut conn, m, &opts.clock.now().to_rfc3339())?;
                    }
                    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
                }
                seal_file(&staged)?;
                let d = Descriptor {
                    format: FORMAT,
                    vault_id,
                    current: spec,
                    pending: None,
                    retired: Vec::new(),
                };
                d.save(&paths.descriptor)?;
                fs::rename(&staged, &paths.db)?;
                sync_dir(&paths.db)?;
                tracing::info!(mode = ?d.current.mode(), "vault created");
                (d, key, true)
            }
            (None, true) => {
                return Err(StoreError::DescriptorInvalid {
                    path: paths.descriptor.clone(),
                    detail: "the file is missing".into(),
                })
            }
            (Some(_), false) if staged.exists() => {
                // A restore or creation was staged completely, then interrupted before the rename.
                fs::rename(&staged, &paths.db)?;
                sync_dir(&paths.db)?;
                return Vault::open(paths, opts);
            }
            (Some(_), false) => {
                return Err(StoreError::VaultMissing {
                    path: paths.db.clone(),
                })
            }
            (Some(d), true) => {
                if d.format > FORMAT {
                    return Err(StoreError::NewerSchema {
                        found: format!("descriptor format {}", d.format),
                        known: format!("descriptor format {FORMAT}"),
                    });
                }
                // Both exist: a staged leftover is incomplete.
                remove_if_exists(&staged)?;
                let (d, key) = Self::finish_interrupted_rekey(&paths, d, &opts)?;
                (d, key, false)
            }
        };

        let vault = Vault {
            paths,
            secrets: opts.secrets,
            clock: opts.clock,
            migrations: opts.migrations,
            actor: opts.actor,
            state: RwLock::new(Open {
                descriptor,
                key,
                conns: None,
                files: None,
            }),
            listeners: Mutex::new(Vec::new()),
        };
        vault.connect(opts.passphrase.is_some())?;
        {
            let mut st = vault.state.write().expect("vault state");
            vault.reencrypt_retired_backups(&mut st)?;
        }
        vault.sweep_asset_files()?;
        drop(opts.passphrase);
        vault.audit_system(
            if created {
                "vault.created"
            } else {
                "vault.unlocked"
            },
            "",
        )?;
        vault.backup_if_due()?;
        Ok(vault)
    }

    /// Decide which key opens `vault.db` after a possible crash mid re-key, and leave
    /// the descriptor saying exactly that.
    fn finish_interrupted_rekey(
        paths: &VaultPaths,
        mut d: Descriptor,
        opts: &OpenOptions,
    ) -> Result<(Descriptor, VaultKey)> {
        let pass = opts.passphrase.as_ref();
        let Some(pending) = d.pending.clone() else {
            let key = resolve_key(&d.current, opts.secrets.as_ref(), pass)?;
            return Ok((d, key));
        };
        tracing::warn!("a re-key was interrupted; recovering");
        // Try the current key first: the rename may not have happened.
        let current_key = resolve_key(&d.current, opts.secrets.as_ref(), pass);
        if let Ok(k) = &current_key {
            if key_opens(&paths.db, k)? {
                remove_if_exists(&paths.rekey())?;
                if let KeySpec::Keyring { account, .. } = &pending {
                    opts.secrets.delete(account)?;
                }
                d.pending = None;
                d.save(&paths.descriptor)?;
                tracing::info!("interrupted re-key rolled back; the old key stays");
                return Ok((d, current_key?));
            }
        }
        let pending_key = resolve_key(&pending, opts.secrets.as_ref(), pass)?;
        if key_opens(&paths.db, &pending_key)? {
            remove_if_exists(&paths.rekey())?;
            let old = std::mem::replace(&mut d.current, pending);
            d.pending = None;
            d.retired.push(old);
            d.save(&paths.descriptor)?;
            tracing::info!("interrupted re-key completed; the new key is in use");
            return Ok((d, pending_key));
        }
        // Neither key opens it: report as for a plain open with the current key.
        match current_key {
            Ok(_) => Err(StoreError::WrongKey {
                path: paths.db.clone(),
            }),
            Err(e) => Err(e),
        }
    }

    /// (Re)create the connections: verify the key, refuse newer schemas, back up before
    /// and then apply pending migrations.
    fn connect(&self, used_passphrase: bool) -> Result<()> {
        let mut st = self.state.write().expect("vault state");
        st.conns = None;
        let mut conn = open_connection(&self.paths.db, &st.key, false)?;
        if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            drop(conn);
            return Err(self.diagnose_open_failure(e, &st.key, used_passphrase));
        }
        let applied = migrate::applied(&conn)?;
        migrate::check_not_newer(&applied, &self.migrations)?;
        configure(&conn)?;
        let pending = migrate::pending(&applied, &self.migrations);
        if !pending.is_empty() {
            if !applied.is_empty() {
                let dest = self.backup_path("pre-migration");
                ensure_private_dir(&self.paths.backups)?;
                let part = sibling(&dest, ".part");
                backup_into(&conn, &part, &st.key)?;
                write_manifest(&dest, &backup_file_names(&conn, &self.paths)?)?;
                fs::rename(&part, &dest)?;
                sync_dir(&dest)?;
            }
            for m in pending {
                migrate::apply(&mut conn, m, &self.clock.now().to_rfc3339())?;
            }
        }
        st.files = Some(Arc::new(AssetFiles::new(
            self.paths.assets(),
            &asset_data_key(&conn)?,
        )?));
        st.conns = Some(Conns {
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        });
        Ok(())
    }

    /// The vault's sealed asset files (imports stage downloads into them).
    pub fn asset_files(&self) -> Result<Arc<AssetFiles>> {
        self.state
            .read()
            .expect("vault state")
            .files
            .clone()
            .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))
    }

    /// Remove asset files that neither the vault nor a kept backup refers to, and finish
    /// or drop moves a crash interrupted. Runs when the vault opens or is restored, while
    /// nothing writes files; holds the writer so no row appears meanwhile.
    pub fn sweep_asset_files(&self) -> Result<SweepReport> {
        let st = self.state.read().expect("vault state");
        let (Some(conns), Some(files)) = (st.conns.as_ref(), st.files.as_ref()) else {
            return Err(StoreError::Invalid("the vault is closed".into()));
        };
        let mut conn = conns.writer.lock().expect("writer");
        // The write lock keeps another process's import from committing a row (and
        // moving its file in) while the files are listed.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::classify)?;
        let (_, keep) = self.file_names_kept(&tx, files)?;
        let cutoff = std::time::SystemTime::from(self.clock.now() - chrono::Duration::hours(1));
        let report = files.sweep(&keep, cutoff)?;
        tx.finish().map_err(StoreError::classify)?;
        if report != SweepReport::default() {
            tracing::info!(
                removed = report.removed,
                recovered = report.recovered,
                "asset files swept"
            );
        }
        Ok(report)
    }

    /// The asset file names the database refers to, and those plus every name a kept
    /// backup's manifest lists.
    fn file_names_kept(
        &self,
        conn: &Connection,
        files: &AssetFiles,
    ) -> Result<(HashSet<String>, HashSet<String>)> {
        let live = file_names_of(conn, files)?;
        let mut keep = live.clone();
        for b in list_backup_files(&self.paths.backups)? {
            keep.extend(read_manifest(&b.path)?);
        }
        Ok((live, keep))
    }

    /// Asset files referenced by no row and no backup, counting temporary ones (always 0
    /// after a sweep with no import running, unless something went wrong), and rows whose
    /// file is missing.
    pub fn asset_file_check(&self) -> Result<(usize, usize)> {
        let st = self.state.read().expect("vault state");
        let (Some(conns), Some(files)) = (st.conns.as_ref(), st.files.as_ref()) else {
            return Err(StoreError::Invalid("the vault is closed".into()));
        };
        let conn = conns.writer.lock().expect("writer");
        let (wanted, keep) = self.file_names_kept(&conn, files)?;
        let present: HashSet<String> = files.names()?.into_iter().collect();
        let orphans = present.difference(&keep).count() + files.staged_count();
        let missing = wanted.difference(&present).count();
        Ok((orphans, missing))
    }

    fn diagnose_open_failure(
        &self,
        e: rusqlite::Error,
        key: &VaultKey,
        used_passphrase: bool,
    ) -> StoreError {
        let not_a_db = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ffi::ErrorCode::NotADatabase | rusqlite::ffi::ErrorCode::DatabaseCorrupt));
        if !not_a_db {
            return StoreError::Sqlite(e);
        }
        // If the same key opens a backup, the key is right and the file is damaged.
        let backup_opens = list_backup_files(&self.paths.backups)
            .unwrap_or_default()
            .iter()
            .any(|b| key_opens(&b.path, key).unwrap_or(false));
        if backup_opens {
            StoreError::Damaged {
                detail: "the database header does not decrypt with the right key".into(),
            }
        } else if used_passphrase {
            StoreError::WrongPassphrase
        } else {
            StoreError::WrongKey {
                path: self.paths.db.clone(),
            }
        }
    }

    pub fn paths(&self) -> &VaultPaths {
        &self.paths
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Register a listener for committed writes; each transaction arrives as one batch.
    pub fn subscribe(&self, f: impl Fn(&ChangeBatch) + Send + Sync + 'static) {
        self.listeners.lock().expect("listeners").push(Box::new(f));
    }

    /// Run `f` on a read-only snapshot.
    pub fn read<T>(&self, f: impl FnOnce(&Read<'_>) -> Result<T>) -> Result<T> {
        let st = self.state.read().expect("vault state");
        let conns = st
            .conns
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
        let mut conn = match conns.readers.lock().expect("readers").pop() {
            Some(c) => c,
            None => {
                let c = open_connection(&self.paths.db, &st.key, false)?;
                configure(&c)?;
                c
            }
        };
        let result = (|| {
            let tx = conn.transaction().map_err(StoreError::classify)?;
            let out = f(&Read::new(&tx, self.clock.as_ref(), st.files.as_deref()))?;
            tx.finish().map_err(StoreError::classify)?;
            Ok(out)
        })();
        let mut pool = conns.readers.lock().expect("readers");
        if pool.len() < READER_POOL {
            pool.push(conn);
        }
        result
    }

    /// Run `f` in one write transaction; it commits if `f` returns Ok. Listeners get the
    /// transaction's changes as one batch after the commit.
    pub fn write<T>(
        &self,
        origin: Origin,
        f: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let st = self.state.read().expect("vault state");
        let conns = st
            .conns
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
        let mut conn = conns.writer.lock().expect("writer");
        // why: an import commits every ~100 ms, and each commit is a checkpoint a crash can
        // only roll back to an earlier one (WAL never tears), after which the job resumes
        // from there; so import commits skip the WAL sync that every other write (tokens,
        // posts, review marks) keeps, and the next such write's sync makes them durable too.
        // On a busy disk the per-commit sync held the import's writer thread idle.
        let relaxed = origin == Origin::Import;
        if relaxed {
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(StoreError::classify)?;
        }
        let written = (|| -> Result<(T, _)> {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(StoreError::classify)?;
            let mut w = Write::new(
                tx,
                origin,
                self.clock.as_ref(),
                st.files.as_deref(),
                &self.actor,
            );
            let out = f(&mut w)?;
            Ok((out, w.commit()?))
        })();
        if relaxed {
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(StoreError::classify)?;
        }
        let (out, batch) = written?;
        drop(conn);
        drop(st);
        if !batch.changes.is_empty() {
            for l in self.listeners.lock().expect("listeners").iter() {
                l(&batch);
            }
        }
        Ok(out)
    }

    fn audit_system(&self, action: &str, detail: &str) -> Result<()> {
        self.write(Origin::System, |w| w.audit(action, None, None, detail))
    }

    /// Run a read-only query with one text parameter and return each row's columns as
    /// text joined by `|`. For tests and diagnostics that compare whole tables.
    #[doc(hidden)]
    pub fn debug_query(&self, sql: &str, param: &str) -> Result<Vec<String>> {
        self.read(|r| {
            let mut stmt = r.conn.prepare(sql)?;
            let n = stmt.column_count();
            let rows = stmt.query_map([param], |row| {
                let mut cols = Vec::with_capacity(n);
                for i in 0..n {
                    let v: rusqlite::types::Value = row.get(i)?;
                    cols.push(match v {
                        rusqlite::types::Value::Null => "∅".to_owned(),
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Real(f) => f.to_string(),
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Blob(b) => format!("<{} bytes>", b.len()),
                    });
                }
                Ok(cols.join("|"))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Run SQL statements (no parameters) in one write transaction. For diagnostics on a
    /// benchmark's vault (`examples/sql.rs`), never called by the app.
    #[doc(hidden)]
    pub fn debug_execute(&self, sql: &str) -> Result<()> {
        self.write(Origin::System, |w| Ok(w.tx.execute_batch(sql)?))
    }

    pub fn info(&self) -> Result<VaultInfo> {
        let (cipher_version, schema_version) = self.with_writer(|conn, _| {
            let cv: String = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
            Ok((cv, migrate::applied(conn)?.last().copied()))
        })?;
        let st = self.state.read().expect("vault state");
        let mut header = [0u8; 16];
        let encrypted_on_disk = {
            use std::io::Read as _;
            let mut f = fs::File::open(&self.paths.db)?;
            f.read_exact(&mut header)?;
            &header != b"SQLite format 3\0"
        };
        let mode = st.descriptor.current.mode();
        Ok(VaultInfo {
            vault_id: st.descriptor.vault_id.clone(),
            key_mode: mode,
            keyring_backend: (mode == KeyMode::Keyring).then(|| self.secrets.backend()),
            cipher_version,
            encrypted_on_disk,
            schema_version,
            known_schema_version: self.migrations.latest(),
            db_path: self.paths.db.clone(),
            backups_dir: self.paths.backups.clone(),
            db_size_bytes: fs::metadata(&self.paths.db).map(|m| m.len()).unwrap_or(0),
        })
    }

    /// The connection settings in force (for `doctor` and tests).
    pub fn pragmas(&self) -> Result<Pragmas> {
        self.with_writer(|c, _| {
            Ok(Pragmas {
                journal_mode: c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                synchronous: c.query_row("PRAGMA synchronous", [], |r| r.get(0))?,
                foreign_keys: c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                temp_store: c.query_row("PRAGMA temp_store", [], |r| r.get(0))?,
            })
        })
    }

    /// Run `f` on the writer connection (outside a transaction) with the current key.
    fn with_writer<T>(&self, f: impl FnOnce(&Connection, &VaultKey) -> Result<T>) -> Result<T> {
        let st = self.state.read().expect("vault state");
        let conns = st
            .conns
            .as_ref()
            .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
        let conn = conns.writer.lock().expect("writer");
        f(&conn, &st.key)
    }

    /// Sort every row of the test-only `bulk` table through a temp b-tree (ORDER BY on an
    /// unindexed expression) and count them: proves large sorts spill nowhere on disk.
    #[doc(hidden)]
    pub fn sort_probe(&self) -> Result<i64> {
        self.read(|r| {
            r.conn
                .query_row(
                    "SELECT count(*) FROM (SELECT body || id AS k FROM bulk ORDER BY k DESC)",
                    [],
                    |row| row.get(0),
                )
                .map_err(StoreError::classify)
        })
    }

    /// Both checks over every page: SQLCipher's HMACs and SQLite's structure.
    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        self.with_writer(|conn, _| {
            // Checkpoint so the check covers the main file, where backups read from.
            let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);");
            integrity_of(conn)
        })
    }

    fn backup_path(&self, reason: &str) -> PathBuf {
        self.paths
            .backups
            .join(format!("vault-{}-{reason}.db", stamp(self.clock.as_ref())))
    }

    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        list_backup_files(&self.paths.backups)
    }

    /// An encrypted online backup now; then prune to the configured number kept.
    #[tracing::instrument(skip(self), err)]
    pub fn backup_now(&self, reason: &str) -> Result<BackupInfo> {
        if !reason.chars().all(|c| c.is_ascii_lowercase() || c == '-') || reason.is_empty() {
            return Err(StoreError::Invalid(
                "backup reason must be lowercase letters and dashes".into(),
            ));
        }
        ensure_private_dir(&self.paths.backups)?;
        let dest = self.backup_path(reason);
        let part = sibling(&dest, ".part");
        let files = self.asset_files()?;
        let names = self.with_writer(|conn, key| {
            backup_into(conn, &part, key)?;
            file_names_of(conn, &files)
        })?;
        // The manifest first: a backup is listed only once its file is renamed in, and
        // from then on the sweep keeps the asset files it names.
        write_manifest(&dest, &names)?;
        fs::rename(&part, &dest)?;
        sync_dir(&dest)?;
        self.prune_backups()?;
        self.audit_system(
            "vault.backup",
            &format!(
                "{reason}: {}",
                dest.file_name().unwrap_or_default().to_string_lossy()
            ),
        )?;
        list_backup_files(&self.paths.backups)?
            .into_iter()
            .find(|b| b.path == dest)
            .ok_or_else(|| StoreError::not_found("the new backup"))
    }

    fn prune_backups(&self) -> Result<()> {
        let keep = self.read(|r| r.backups_kept())?;
        for old in list_backup_files(&self.paths.backups)?
            .into_iter()
            .skip(keep)
        {
            fs::remove_file(&old.path)?;
            remove_if_exists(&manifest_path(&old.path))?;
        }
        // Stale partial files from an interrupted backup.
        if let Ok(entries) = fs::read_dir(&self.paths.backups) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().ends_with(".part") {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }

    /// The daily backup: taken when the newest backup is older than 24 hours.
    pub fn backup_if_due(&self) -> Result<Option<BackupInfo>> {
        let newest = list_backup_files(&self.paths.backups)?
            .into_iter()
            .find_map(|b| chrono::DateTime::parse_from_rfc3339(&b.created_at).ok());
        let due = match newest {
            None => true,
            Some(t) => self.clock.now().signed_duration_since(t) >= chrono::Duration::hours(24),
        };
        if due {
            self.backup_now("daily").map(Some)
        } else {
            Ok(None)
        }
    }

    /// Replace the vault with `backup_file` (a name from [`Vault::backups`]). The
    /// replaced database is kept beside it as `vault.db.replaced-<UTC>`.
    #[tracing::instrument(skip(self), err)]
    pub fn restore(&self, backup_file: &str) -> Result<()> {
        {
            let mut st = self.state.write().expect("vault state");
            if let Some(c) = st.conns.take() {
                Self::close(c);
            }
            let r = restore_files(&self.paths, backup_file, &st.key, self.clock.as_ref());
            if let Err(e) = r {
                drop(st);
                // Keep the vault usable if the restore was refused before anything moved.
                let _ = self.connect(false);
                return Err(e);
            }
        }
        self.connect(false)?;
        self.sweep_asset_files()?;
        self.audit_system("vault.restored", backup_file)
    }

    fn close(conns: Conns) {
        let writer = conns.writer.into_inner().unwrap_or_else(|p| p.into_inner());
        let _ = writer.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);");
        drop(conns.readers);
        drop(writer);
    }

    /// Re-encrypt the vault under a new key: a fresh random keyring key, or a
    /// passphrase. Crash-safe at every step: afterwards `vault.db` opens with exactly
    /// one of the old or the new key, and `open` finishes or rolls back.
    #[tracing::instrument(skip_all, err)]
    pub fn rekey(&self, to: NewKey) -> Result<()> {
        self.rekey_with_hook(to, &mut |_| {})
    }

    /// `rekey`, calling `hook(step)` between steps (fault tests stop there).
    pub fn rekey_with_hook(&self, to: NewKey, hook: &mut dyn FnMut(&str)) -> Result<()> {
        let old_mode;
        {
            let mut st = self.state.write().expect("vault state");
            old_mode = st.descriptor.current.mode();
            let (spec, new_key) =
                make_key(&st.descriptor.vault_id, &to, self.secrets.as_ref(), None)?;
            hook("key-made");
            st.descriptor.pending = Some(spec.clone());
            st.descriptor.save(&self.paths.descriptor)?;
            hook("pending-saved");
            let conns = st
                .conns
                .take()
                .ok_or_else(|| StoreError::Invalid("the vault is closed".into()))?;
            let export = {
                let writer = conns.writer.lock().expect("writer");
                writer
                    .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
                    .map_err(StoreError::classify)?;
                export_conn(&writer, &self.paths.rekey(), &new_key)
            };
            Self::close(conns);
            if let Err(e) = export.and_then(|_| seal_file(&self.paths.rekey())) {
                let _ = fs::remove_file(self.paths.rekey());
                st.descriptor.pending = None;
                st.descriptor.save(&self.paths.descriptor)?;
                drop(st);
                self.connect(false)?;
                return Err(e);
            }
            hook("exported");
            // The old WAL must not be replayed onto the new file.
            remove_if_exists(&self.paths.wal())?;
            remove_if_exists(&self.paths.shm())?;
            fs::rename(self.paths.rekey(), &self.paths.db)?;
            sync_dir(&self.paths.db)?;
            hook("renamed");
            let old = std::mem::replace(&mut st.descriptor.current, spec);
            st.descriptor.pending = None;
            st.descriptor.retired.push(old);
            st.descriptor.save(&self.paths.descriptor)?;
            hook("committed");
            let old_key = std::mem::replace(&mut st.key, new_key);
            // Backups made under the old key are re-encrypted while it is still at hand.
            reencrypt_backups(&self.paths.backups, &old_key, &st.key)?;
            hook("backups-reencrypted");
        }
        self.connect(false)?;
        {
            let mut st = self.state.write().expect("vault state");
            self.reencrypt_retired_backups(&mut st)?;
        }
        let new_mode = self
            .state
            .read()
            .expect("vault state")
            .descriptor
            .current
            .mode();
        self.audit_system(
            "vault.rekeyed",
            &format!("{old_mode:?} -> {new_mode:?}").to_lowercase(),
        )
    }

    /// After a completed re-key: re-encrypt any backup still under a retired keyring
    /// key, then forget the retired keys.
    fn reencrypt_retired_backups(&self, st: &mut Open) -> Result<()> {
        if st.descriptor.retired.is_empty() {
            return Ok(());
        }
        let retired = std::mem::take(&mut st.descriptor.retired);
        for spec in &retired {
            if let KeySpec::Keyring { account, .. } = spec {
                if let Some(old) = self.secrets.get(account)? {
                    reencrypt_backups(&self.paths.backups, &old, &st.key)?;
                }
            }
        }
        // Passphrase-derived retired keys cannot be recomputed; their backups (only if a
        // crash hit the re-encryption) stay listed and refuse to restore with a clear error.
        st.descriptor.save(&self.paths.descriptor)?;
        for spec in &retired {
            if let KeySpec::Keyring { account, .. } = spec {
                self.secrets.delete(account)?;
            }
        }
        Ok(())
    }

    pub fn key_mode(&self) -> KeyMode {
        self.state
            .read()
            .expect("vault state")
            .descriptor
            .current
            .mode()
    }
}

/// Replace `vault.db` with a backup, checking the backup first. Usable when the vault
/// cannot be opened at all (damaged): see [`restore_offline`].
fn restore_files(
    paths: &VaultPaths,
    backup_file: &str,
    key: &VaultKey,
    clock: &dyn Clock,
) -> Result<()> {
    let backup = list_backup_files(&paths.backups)?
        .into_iter()
        .find(|b| b.file_name == backup_file)
        .ok_or_else(|| StoreError::not_found(format!("backup {backup_file}")))?;
    if !key_opens(&backup.path, key)? {
        return Err(StoreError::Invalid(format!(
            "backup {backup_file} does not open with the vault's key (it may predate a re-key that was interrupted)"
        )));
    }
    {
        let conn = open_connection(&backup.path, key, false)?;
        let report = integrity_of(&conn)?;
        if !report.ok {
            return Err(StoreError::Invalid(format!(
                "backup {backup_file} is itself damaged; choose another"
            )));
        }
    }
    let missing = read_manifest(&backup.path)?
        .iter()
        .filter(|n| !paths.assets().join(&n[..2]).join(n.as_str()).is_file())
        .count();
    if missing > 0 {
        return Err(StoreError::Invalid(format!(
            "backup {backup_file} refers to {missing} asset files that are no longer in the vault folder"
        )));
    }
    let staged = paths.staged();
    fs::copy(&backup.path, &staged)?;
    seal_file(&staged)?;
    if paths.db.exists() {
        let aside = sibling(&paths.db, &format!(".replaced-{}", stamp(clock)));
        fs::rename(&paths.db, &aside)?;
        if paths.wal().exists() {
            fs::rename(paths.wal(), sibling(&aside, "-wal"))?;
        }
        remove_if_exists(&paths.shm())?;
    }
    fs::rename(&staged, &paths.db)?;
    sync_dir(&paths.db)?;
    tracing::info!(backup = backup_file, "vault restored from backup");
    Ok(())
}

/// Backups of a vault that may not open (damaged), newest first.
pub fn list_backups(paths: &VaultPaths) -> Result<Vec<BackupInfo>> {
    list_backup_files(&paths.backups)
}

/// Restore without an open vault (the vault is damaged and will not open). Resolves the
/// key from the descriptor, then opens the restored vault.
pub fn restore_offline(paths: VaultPaths, backup_file: &str, opts: OpenOptions) -> Result<Vault> {
    let d = Descriptor::load(&paths.descriptor)?.ok_or_else(|| StoreError::DescriptorInvalid {
        path: paths.descriptor.clone(),
        detail: "the file is missing".into(),
    })?;
    let key = resolve_key(&d.current, opts.secrets.as_ref(), opts.passphrase.as_ref())?;
    restore_files(&paths, backup_file, &key, opts.clock.as_ref())?;
    let v = Vault::open(paths, opts)?;
    v.audit_system("vault.restored", backup_file)?;
    Ok(v)
}

/// The newest backup that opens and passes both integrity checks.
pub fn newest_good_backup(paths: &VaultPaths, opts: &OpenOptions) -> Result<Option<BackupInfo>> {
    let d = Descriptor::load(&paths.descriptor)?.ok_or_else(|| StoreError::DescriptorInvalid {
        path: paths.descriptor.clone(),
        detail: "the file is missing".into(),
    })?;
    let key = resolve_key(&d.current, opts.secrets.as_ref(), opts.passphrase.as_ref())?;
    for b in list_backup_files(&paths.backups)? {
        if key_opens(&b.path, &key)? {
            let conn = open_connection(&b.path, &key, false)?;
            if integrity_of(&conn)?.ok {
                return Ok(Some(b));
            }
        }
    }
    Ok(None)
}

impl Drop for Vault {
    fn drop(&mut self) {
        if let Ok(mut st) = self.state.write() {
            if let Some(c) = st.conns.take() {
                Self::close(c);
            }
        }
    }
}
