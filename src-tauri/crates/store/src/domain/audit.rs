use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read, Write};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// One credential-access event: who, what, when, which connection. Never a secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub client_id: Option<String>,
    pub connection_id: Option<String>,
    pub detail: String,
}

impl Write<'_> {
    /// Append to the audit log (the table refuses updates and deletes).
    pub fn audit(
        &mut self,
        action: &str,
        client_id: Option<&str>,
        connection_id: Option<&str>,
        detail: &str,
    ) -> Result<()> {
        let now = self.now();
        let actor = self.actor.to_owned();
        self.tx.execute(
            "INSERT INTO audit_log (at, actor, action, client_id, connection_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![now, actor, action, client_id, connection_id, detail],
        )?;
        let seq = self.tx.last_insert_rowid();
        self.changed("audit", seq.to_string(), ChangeKind::Created);
        Ok(())
    }
}

impl Read<'_> {
    /// Newest first; `before` pages backwards by sequence number.
    pub fn audit_log(&self, limit: u32, before: Option<i64>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, action, client_id, connection_id, detail FROM audit_log
             WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![before.unwrap_or(i64::MAX), limit.min(10_000)],
            |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    client_id: r.get(4)?,
                    connection_id: r.get(5)?,
                    detail: r.get(6)?,
                })
            },
        )?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::classify)
    }
}
