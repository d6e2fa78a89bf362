//! Read and write access are different types. `Read` can only query; `Write` wraps
//! one transaction, records what it changed, and is the only way to mutate rows, so a
//! multi-table change is always atomic.

use crate::clock::Clock;
use crate::error::{Result, StoreError};
use crate::files::AssetFiles;
use rusqlite::Transaction;
use serde::Serialize;

/// Where a write came from, so the UI can tell its own edits from imports and syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A person, through the app window or the CLI.
    User,
    Import,
    Sync,
    Scheduler,
    /// The vault itself (audit entries, maintenance).
    System,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The table-level entity, e.g. "client", "brand", "setting".
    pub entity: &'static str,
    pub id: String,
    pub kind: ChangeKind,
}

/// Everything one transaction changed, delivered once after it commits.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeBatch {
    pub origin: Origin,
    pub changes: Vec<Change>,
}

pub struct Read<'t> {
    pub(crate) conn: &'t rusqlite::Connection,
    pub(crate) clock: &'t dyn Clock,
    /// The vault's sealed asset files (absent only before the vault is connected).
    pub(crate) files: Option<&'t AssetFiles>,
}

impl<'t> Read<'t> {
    /// The vault's clock, for domain code that stamps or compares times.
    pub fn clock(&self) -> &dyn Clock {
        self.clock
    }

    pub(crate) fn new(
        tx: &'t Transaction<'_>,
        clock: &'t dyn Clock,
        files: Option<&'t AssetFiles>,
    ) -> Self {
        Read {
            conn: tx,
            clock,
            files,
        }
    }
}

pub struct Write<'t> {
    pub(crate) tx: Transaction<'t>,
    pub(crate) clock: &'t dyn Clock,
    pub(crate) files: Option<&'t AssetFiles>,
    pub(crate) actor: &'t str,
    origin: Origin,
    changes: Vec<Change>,
}

impl<'t> Write<'t> {
    pub(crate) fn new(
        tx: Transaction<'t>,
        origin: Origin,
        clock: &'t dyn Clock,
        files: Option<&'t AssetFiles>,
        actor: &'t str,
    ) -> Self {
        Write {
            tx,
            clock,
            files,
            actor,
            origin,
            changes: Vec::new(),
        }
    }

    /// The connection's `synchronous` level for this transaction (2 = FULL, 1 = NORMAL),
    /// for tests of which writes sync.
    #[doc(hidden)]
    pub fn synchronous_level(&self) -> Result<i64> {
        Ok(self.tx.query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    /// Reads inside the same transaction see this transaction's writes.
    pub fn read(&self) -> Read<'_> {
        Read {
            conn: &self.tx,
            clock: self.clock,
            files: self.files,
        }
    }

    pub(crate) fn changed(
        &mut self,
        entity: &'static str,
        id: impl Into<String>,
        kind: ChangeKind,
    ) {
        self.changes.push(Change {
            entity,
            id: id.into(),
            kind,
        });
    }

    pub(crate) fn now(&self) -> String {
        self.clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    pub(crate) fn commit(self) -> Result<ChangeBatch> {
        self.tx.commit().map_err(StoreError::classify)?;
        Ok(ChangeBatch {
            origin: self.origin,
            changes: self.changes,
        })
    }
}
