//! Shared fixtures: vaults on the real OS keyring (run the suite inside `.ci/session`),
//! a clock tests move, and a migration set with a deliberately slow bulk migration.
#![allow(dead_code)]

use chrono::TimeZone;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use switchboard_store::*;

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap(),
    ))
}

pub fn keyring() -> Arc<dyn SecretStore> {
    let k = OsKeyring;
    if let Err(e) = k.probe() {
        panic!("these tests need the OS keyring; run them inside .ci/session ({e})");
    }
    Arc::new(k)
}

pub fn options(clock: Arc<FixedClock>) -> OpenOptions {
    OpenOptions::new(keyring(), clock)
}

pub fn open(dir: &Path, clock: Arc<FixedClock>) -> Vault {
    Vault::open(VaultPaths::new(dir), options(clock)).expect("open vault")
}

/// The embedded migrations plus one that writes ~`rows` rows of 100 bytes, so that
/// migrations, re-keys and backups take long enough to be interrupted.
pub fn with_bulk(rows: u32) -> Migrations {
    let mut files: Vec<(String, String)> = Migrations::embedded()
        .iter()
        .map(|m| (format!("{}_{}.sql", m.version, m.name), m.sql.clone()))
        .collect();
    files.push((
        "20991231000000_bulk.sql".into(),
        format!(
            "CREATE TABLE bulk (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO bulk (id, body) SELECT i, printf('%.100c', 'x') FROM n;"
        ),
    ));
    Migrations::from_files(files).expect("bulk migrations")
}

pub fn file_hash(path: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).expect("read file");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("{:016x}:{}", h.finish(), bytes.len())
}

pub fn dir_listing(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walk(dir);
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Copy a vault directory (same descriptor, so the same keyring entry opens it).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

pub fn client_names(v: &Vault) -> Vec<String> {
    v.read(|r| r.list_clients(true))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect()
}
