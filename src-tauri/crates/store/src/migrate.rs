//! Forward-only migrations: timestamped SQL files in the top-level `migrations/`
//! (`YYYYMMDDHHMMSS_name.sql`), embedded at build time, each applied in its own
//! transaction and recorded in `_migrations`. A vault that has a migration this
//! build does not know was written by a newer Switchboard and is refused untouched.

use crate::error::{Result, StoreError};
use include_dir::{include_dir, Dir};
use rusqlite::{Connection, OptionalExtension};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../../migrations");

#[derive(Debug, Clone)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone)]
pub struct Migrations(Vec<Migration>);

impl Migrations {
    /// The migrations compiled into this build.
    pub fn embedded() -> Self {
        let files = EMBEDDED
            .files()
            .filter_map(|f| {
                let name = f.path().file_name()?.to_str()?.to_owned();
                let sql = f.contents_utf8()?.to_owned();
                Some((name, sql))
            })
            .collect::<Vec<_>>();
        Self::from_files(files).expect("embedded migrations are well-formed (checked by tests)")
    }

    /// Parse `(file name, sql)` pairs; names must be `YYYYMMDDHHMMSS_name.sql`.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Self> {
        let mut list = Vec::with_capacity(files.len());
        for (file, sql) in files {
            let stem = file
                .strip_suffix(".sql")
                .ok_or_else(|| StoreError::Invalid(format!("migration {file}: not a .sql file")))?;
            let (ts, name) = stem.split_once('_').ok_or_else(|| {
                StoreError::Invalid(format!("migration {file}: expected TIMESTAMP_name.sql"))
            })?;
            if ts.len() != 14 || !ts.bytes().all(|b| b.is_ascii_digit()) {
                return Err(StoreError::Invalid(format!(
                    "migration {file}: timestamp must be 14 digits (YYYYMMDDHHMMSS)"
                )));
            }
            let version: i64 = ts
                .parse()
                .map_err(|_| StoreError::Invalid(format!("migration {file}: bad timestamp")))?;
            list.push(Migration {
                version,
                name: name.to_owned(),
                sql,
            });
        }
        list.sort_by_key(|m| m.version);
        if let Some(w) = list.windows(2).find(|w| w[0].version == w[1].version) {
            return Err(StoreError::Invalid(format!(
                "two migrations share version {}",
                w[0].version
            )));
        }
        Ok(Migrations(list))
    }

    pub fn latest(&self) -> Option<i64> {
        self.0.last().map(|m| m.version)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Migration> {
        self.0.iter()
    }
}

/// Versions recorded in the vault, ascending. Reads only; creates nothing.
pub(crate) fn applied(conn: &Connection) -> Result<Vec<i64>> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_migrations'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::classify)?;
    if has_table.is_none() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare("SELECT version FROM _migrations ORDER BY version")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// Refuse a vault that carries migrations this build does not know.
pub(crate) fn check_not_newer(applied: &[i64], known: &Migrations) -> Result<()> {
    if let Some(unknown) = applied
        .iter()
        .find(|v| !known.iter().any(|m| m.version == **v))
    {
        return Err(StoreError::NewerSchema {
            found: unknown.to_string(),
            known: known
                .latest()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into()),
        });
    }
    Ok(())
}

pub(crate) fn pending<'m>(applied: &[i64], known: &'m Migrations) -> Vec<&'m Migration> {
    known
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .collect()
}

/// Apply one migration atomically: its SQL and its `_migrations` row commit together.
pub(crate) fn apply(conn: &mut Connection, m: &Migration, applied_at: &str) -> Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS _migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    tx.execute_batch(&m.sql).map_err(|e| {
        StoreError::Invalid(format!("migration {}_{} failed: {e}", m.version, m.name))
    })?;
    tx.execute(
        "INSERT INTO _migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
        rusqlite::params![m.version, m.name, applied_at],
    )?;
    tx.commit()?;
    tracing::info!(version = m.version, name = %m.name, "migration applied");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_parse_and_are_ordered() {
        let m = Migrations::embedded();
        let versions: Vec<i64> = m.iter().map(|m| m.version).collect();
        assert!(!versions.is_empty(), "no migrations embedded");
        let mut sorted = versions.clone();
        sorted.sort();
        assert_eq!(
            versions, sorted,
            "migrations must be applied in timestamp order"
        );
    }

    #[test]
    fn bad_names_are_rejected() {
        for bad in [
            "init.sql",
            "2026_init.sql",
            "20261121120000_init.txt",
            "2026112112000x_a.sql",
        ] {
            let r = Migrations::from_files(vec![(bad.to_owned(), "SELECT 1".to_owned())]);
            assert!(r.is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn newer_schema_is_detected() {
        let known =
            Migrations::from_files(vec![("20260101000000_a.sql".into(), "SELECT 1".into())])
                .unwrap();
        assert!(check_not_newer(&[20260101000000], &known).is_ok());
        let err = check_not_newer(&[20260101000000, 20270101000000], &known).unwrap_err();
        assert_eq!(err.code(), "newer_schema");
    }
}
