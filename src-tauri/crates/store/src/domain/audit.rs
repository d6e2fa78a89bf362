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

#[cfg(test)]
mod tests {
    use crate::migrate::{apply, Migrations};

    fn migrated() -> rusqlite::Connection {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        for m in Migrations::embedded().iter() {
            apply(&mut c, m, "2026-01-01T00:00:00Z").unwrap();
        }
        c
    }

    #[test]
    fn audit_rows_cannot_be_changed_or_removed() {
        let c = migrated();
        c.execute(
            "INSERT INTO audit_log (at, actor, action) VALUES ('t', 'app', 'token.read')",
            [],
        )
        .unwrap();
        let upd = c.execute("UPDATE audit_log SET action = 'nothing'", []);
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = c.execute("DELETE FROM audit_log", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'token.read'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "the row is still there");
    }

    #[test]
    fn deleting_a_client_removes_its_brands() {
        let c = migrated();
        c.execute_batch(
            "INSERT INTO workspace VALUES ('w', 'W', 't');
             INSERT INTO clients (id, workspace_id, name, created_at, updated_at) VALUES ('c', 'w', 'C', 't', 't');
             INSERT INTO brands VALUES ('b', 'c', 'B', 't', 't');
             DELETE FROM clients WHERE id = 'c';",
        )
        .unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM brands", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "brands cascade with their client");
    }
}
