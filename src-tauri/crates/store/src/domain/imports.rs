//! Import jobs of one client: the job, its resumable units (each with the cursor its last
//! committed step reached), progress counters, per-item errors, and the step write that
//! stores a page of records together with its unit's new cursor in one transaction.
//!
//! The engine that runs jobs lives in `switchboard-library`; this module only stores.

use super::clients::{ClientRead, ClientWrite};
use super::library::{AccountUpsert, AssetRef, CreativeUpsert, MetricUpsert, ObjectUpsert};
use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// The states a job moves through.
pub const JOB_STATES: &[&str] = &[
    "queued",
    "running",
    "paused",
    "completed",
    "completed_with_errors",
    "failed",
    "cancelled",
];

/// One import job, with its progress.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, specta::Type)]
pub struct ImportJob {
    pub id: String,
    pub client_id: String,
    pub connection_id: Option<String>,
    pub platform: String,
    pub account_external_id: String,
    /// The library account, once the import has read it.
    pub account_id: Option<String>,
    /// The scope as JSON (selected campaigns, metrics window).
    pub scope: String,
    pub state: String,
    /// Why a paused or failed job stopped: reconnect_needed, rate_limited, interrupted, error.
    pub reason: Option<String>,
    pub message: Option<String>,
    pub resume_after: Option<String>,
    pub trigger: String,
    pub created_at: String,
    pub pull_started: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub updated_at: String,
    pub requests: i64,
    pub run_ms: i64,
    pub progress: Vec<ImportProgress>,
    pub error_count: i64,
}

impl ImportJob {
    /// Whether the job has ended (completed, failed or cancelled).
    pub fn is_final(&self) -> bool {
        matches!(
            self.state.as_str(),
            "completed" | "completed_with_errors" | "failed" | "cancelled"
        )
    }
}

/// Counters of one kind: campaigns, ad_groups, ads, creatives, assets, metric_days.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct ImportProgress {
    pub kind: String,
    /// `None` while the platform has not said how many there are.
    pub total: Option<i64>,
    pub done: i64,
    pub failed: i64,
}

/// One object or asset that could not be read, recorded and skipped.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct ImportItemError {
    pub kind: String,
    pub external_id: String,
    pub message: String,
    pub at: String,
}

/// A job to create, with the units its source planned.
#[derive(Debug, Clone)]
pub struct NewImportJob {
    pub connection_id: Option<String>,
    pub platform: String,
    pub account_external_id: String,
    pub scope: String,
    pub trigger: String,
    pub units: Vec<NewUnit>,
    /// Initial totals per progress kind (metric days are known from the plan).
    pub totals: Vec<(String, i64)>,
}

#[derive(Debug, Clone)]
pub struct NewUnit {
    pub key: String,
    pub stage: String,
    pub spec: String,
}

/// A unit as stored: where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub key: String,
    pub stage: String,
    pub spec: String,
    pub cursor: Option<String>,
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
}

/// Everything one step of one unit produced, stored in one transaction with the unit's
/// new cursor: a crash either keeps the whole step or none of it.
#[derive(Debug, Clone, Default)]
pub struct StepWrite {
    pub unit_key: String,
    /// The cursor to resume from; `None` with `unit_state = "done"` at the end.
    pub cursor: Option<String>,
    /// pending (more steps), done, failed
    pub unit_state: String,
    pub unit_error: Option<String>,
    pub requests: u32,
    pub account: Option<AccountUpsert>,
    pub objects: Vec<ObjectUpsert>,
    pub creatives: Vec<CreativeUpsert>,
    pub assets: Vec<AssetRef>,
    pub metrics: Vec<MetricUpsert>,
    /// (kind, external id, message)
    pub errors: Vec<(String, String, String)>,
    /// (kind, total) reported by the platform for a listing.
    pub totals: Vec<(String, i64)>,
    /// (kind, done delta, failed delta)
    pub progress: Vec<(String, i64, i64)>,
}

const JOB_COLS: &str = "id, client_id, connection_id, platform, account_external_id, account_id, scope, state, reason, message, resume_after, trigger, created_at, pull_started, started_at, finished_at, updated_at, requests, run_ms";

fn job_row(r: &Row<'_>) -> rusqlite::Result<ImportJob> {
    Ok(ImportJob {
        id: r.get(0)?,
        client_id: r.get(1)?,
        connection_id: r.get(2)?,
        platform: r.get(3)?,
        account_external_id: r.get(4)?,
        account_id: r.get(5)?,
        scope: r.get(6)?,
        state: r.get(7)?,
        reason: r.get(8)?,
        message: r.get(9)?,
        resume_after: r.get(10)?,
        trigger: r.get(11)?,
        created_at: r.get(12)?,
        pull_started: r.get(13)?,
        started_at: r.get(14)?,
        finished_at: r.get(15)?,
        updated_at: r.get(16)?,
        requests: r.get(17)?,
        run_ms: r.get(18)?,
        progress: Vec::new(),
        error_count: 0,
    })
}

fn with_progress(conn: &rusqlite::Connection, mut job: ImportJob) -> Result<ImportJob> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, total, done, failed FROM import_progress WHERE job_id = ?1 ORDER BY CASE kind
            WHEN 'campaigns' THEN 1 WHEN 'ad_groups' THEN 2 WHEN 'ads' THEN 3 WHEN 'creatives' THEN 4
            WHEN 'assets' THEN 5 WHEN 'metric_days' THEN 6 ELSE 7 END",
    )?;
    job.progress = stmt
        .query_map([&job.id], |r| {
            Ok(ImportProgress {
                kind: r.get(0)?,
                total: r.get(1)?,
                done: r.get(2)?,
                failed: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    job.error_count = conn.query_row(
        "SELECT count(*) FROM import_errors WHERE job_id = ?1",
        [&job.id],
        |r| r.get(0),
    )?;
    Ok(job)
}

/// The progress kind an object level counts under.
pub fn progress_kind(level: &str) -> &'static str {
    match level {
        "campaign" => "campaigns",
        "ad_group" => "ad_groups",
        _ => "ads",
    }
}

impl Read<'_> {
    /// Jobs of every client that an app start should pick up again: running ones (the app
    /// stopped under them) and rate-limited pauses whose wait is over. `(client, job)`.
    pub fn resumable_import_jobs(&self, now: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT client_id, id FROM import_jobs
             WHERE state IN ('running', 'queued')
                OR (state = 'paused' AND reason = 'rate_limited' AND resume_after IS NOT NULL AND resume_after <= ?1)
             ORDER BY created_at",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Accounts with images waiting for the thumbnail pass: `(client, lib account)`.
    pub fn pending_thumbnail_accounts(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT client_id, account_id FROM lib_assets WHERE thumb_pending = 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Imported accounts whose auto-sync is due: `(client, lib account)`.
    pub fn due_auto_syncs(&self, now: &str) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.client_id, a.id FROM lib_accounts a
             WHERE a.auto_sync_hours IS NOT NULL AND a.connection_id IS NOT NULL AND a.removed_at IS NULL
               AND (a.last_import_at IS NULL OR unixepoch(a.last_import_at) + a.auto_sync_hours * 3600 <= unixepoch(?1))
               AND NOT EXISTS (SELECT 1 FROM import_jobs j WHERE j.account_id = a.id AND j.state IN ('queued', 'running', 'paused'))",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ClientRead<'_> {
    pub fn import_job(&self, job_id: &str) -> Result<ImportJob> {
        let job = self
            .conn
            .query_row(
                &format!("SELECT {JOB_COLS} FROM import_jobs WHERE id = ?1 AND client_id = ?2"),
                params![job_id, self.client.id],
                job_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("import job {job_id}")))?;
        with_progress(self.conn, job)
    }

    /// This client's jobs, newest first.
    pub fn import_jobs(&self, limit: u32) -> Result<Vec<ImportJob>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {JOB_COLS} FROM import_jobs WHERE client_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2"
        ))?;
        let jobs = stmt
            .query_map(params![self.client.id, limit.min(1000)], job_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        jobs.into_iter()
            .map(|j| with_progress(self.conn, j))
            .collect()
    }

    /// The job's units, in the order they were planned.
    pub fn import_units(&self, job_id: &str) -> Result<Vec<UnitRow>> {
        self.import_job(job_id)?;
        let mut stmt = self.conn.prepare(
            "SELECT key, stage, spec, cursor, state, attempts, error FROM import_units WHERE job_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([job_id], |r| {
            Ok(UnitRow {
                key: r.get(0)?,
                stage: r.get(1)?,
                spec: r.get(2)?,
                cursor: r.get(3)?,
                state: r.get(4)?,
                attempts: r.get(5)?,
                error: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The items a job could not import.
    pub fn import_errors(&self, job_id: &str, limit: u32) -> Result<Vec<ImportItemError>> {
        self.import_job(job_id)?;
        let mut stmt = self.conn.prepare(
            "SELECT kind, external_id, message, at FROM import_errors WHERE job_id = ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![job_id, limit.min(10_000)], |r| {
            Ok(ImportItemError {
                kind: r.get(0)?,
                external_id: r.get(1)?,
                message: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The job of this account that is not finished, if any (one at a time per account).
    pub fn active_import_for(
        &self,
        platform: &str,
        account_external_id: &str,
    ) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM import_jobs WHERE client_id = ?1 AND platform = ?2 AND account_external_id = ?3
                   AND state IN ('queued', 'running', 'paused') ORDER BY created_at DESC LIMIT 1",
                params![self.client.id, platform, account_external_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

impl ClientWrite<'_, '_> {
    /// Create a queued job with its planned units.
    pub fn create_import_job(&mut self, new: &NewImportJob) -> Result<ImportJob> {
        let now = self.w.now();
        let id = uuid::Uuid::now_v7().to_string();
        self.w.tx.execute(
            "INSERT INTO import_jobs (id, client_id, connection_id, platform, account_external_id, scope, state, trigger, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, ?8, ?8)",
            params![id, self.client.id, new.connection_id, new.platform, new.account_external_id, new.scope, new.trigger, now],
        )?;
        {
            let mut unit = self.w.tx.prepare_cached(
                "INSERT INTO import_units (job_id, key, stage, spec, state, updated_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
            )?;
            for u in &new.units {
                unit.execute(params![id, u.key, u.stage, u.spec, now])?;
            }
            let mut progress = self.w.tx.prepare_cached(
                "INSERT INTO import_progress (job_id, kind, total) VALUES (?1, ?2, ?3)",
            )?;
            for kind in [
                "campaigns",
                "ad_groups",
                "ads",
                "creatives",
                "assets",
                "metric_days",
            ] {
                let total = new.totals.iter().find(|(k, _)| k == kind).map(|(_, t)| *t);
                progress.execute(params![id, kind, total])?;
            }
        }
        self.w
            .changed("import_job", id.clone(), ChangeKind::Created);
        self.w.read().client(&self.client.id)?.import_job(&id)
    }

    fn job_exists(&self, job_id: &str) -> Result<()> {
        let found: Option<i64> = self
            .w
            .tx
            .query_row(
                "SELECT 1 FROM import_jobs WHERE id = ?1 AND client_id = ?2",
                params![job_id, self.client.id],
                |r| r.get(0),
            )
            .optional()?;
        found
            .map(|_| ())
            .ok_or_else(|| StoreError::not_found(format!("import job {job_id}")))
    }

    /// Move a job to `state`, with a reason and message for pauses and failures. Starting a
    /// run (state `running`) stamps `pull_started` once: a resumed job keeps the first one,
    /// so removal marks at the end cover the whole pull.
    pub fn set_import_state(
        &mut self,
        job_id: &str,
        state: &str,
        reason: Option<&str>,
        message: Option<&str>,
        resume_after: Option<&str>,
    ) -> Result<()> {
        if !JOB_STATES.contains(&state) {
            return Err(StoreError::Invalid(format!(
                "'{state}' is not an import state"
            )));
        }
        self.job_exists(job_id)?;
        let now = self.w.now();
        let finished = matches!(
            state,
            "completed" | "completed_with_errors" | "failed" | "cancelled"
        );
        self.w.tx.execute(
            "UPDATE import_jobs SET state = ?2, reason = ?3, message = ?4, resume_after = ?5, updated_at = ?6,
                 pull_started = CASE WHEN ?2 = 'running' THEN coalesce(pull_started, ?6) ELSE pull_started END,
                 started_at = CASE WHEN ?2 = 'running' THEN coalesce(started_at, ?6) ELSE started_at END,
                 finished_at = CASE WHEN ?7 THEN ?6 ELSE NULL END
             WHERE id = ?1",
            params![job_id, state, reason, message, resume_after, now, finished],
        )?;
        self.w.changed("import_job", job_id, ChangeKind::Updated);
        Ok(())
    }

    /// Add running time to a job (milliseconds measured by the engine's monotonic clock).
    pub fn add_import_run_time(&mut self, job_id: &str, ms: i64) -> Result<()> {
        self.w.tx.execute(
            "UPDATE import_jobs SET run_ms = run_ms + ?3 WHERE id = ?1 AND client_id = ?2",
            params![job_id, self.client.id, ms.max(0)],
        )?;
        Ok(())
    }

    /// Failed units back to pending (keeping their cursors) and the account's failed assets
    /// back to pending, for "retry failed items". Returns how many were re-queued.
    pub fn requeue_failed_import_items(&mut self, job_id: &str) -> Result<usize> {
        self.job_exists(job_id)?;
        let now = self.w.now();
        let units = self.w.tx.execute(
            "UPDATE import_units SET state = 'pending', attempts = 0, error = NULL, updated_at = ?2 WHERE job_id = ?1 AND state = 'failed'",
            params![job_id, now],
        )?;
        let assets = self.w.tx.execute(
            "UPDATE lib_assets SET status = 'pending', error = NULL
             WHERE client_id = ?2 AND status = 'failed' AND account_id = (SELECT account_id FROM import_jobs WHERE id = ?1)",
            params![job_id, self.client.id],
        )?;
        self.w.tx.execute(
            "UPDATE import_progress SET failed = 0 WHERE job_id = ?1",
            [job_id],
        )?;
        self.w
            .tx
            .execute("DELETE FROM import_errors WHERE job_id = ?1", [job_id])?;
        // Asset progress is recounted from the asset rows when downloads start.
        self.w.changed("import_job", job_id, ChangeKind::Updated);
        Ok(units + assets)
    }

    /// Store one step: its records, its unit's new cursor and state, progress and errors.
    pub fn apply_import_step(&mut self, job_id: &str, step: &StepWrite) -> Result<()> {
        let now = self.w.now();
        let account_id: Option<String> = self
            .w
            .tx
            .prepare_cached("SELECT account_id FROM import_jobs WHERE id = ?1 AND client_id = ?2")?
            .query_row(params![job_id, self.client.id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("import job {job_id}")))?;
        let account_id = match (&step.account, account_id) {
            (Some(account), _) => {
                let id = self.upsert_lib_account(account)?;
                self.w.tx.execute(
                    "UPDATE import_jobs SET account_id = ?2 WHERE id = ?1",
                    params![job_id, id],
                )?;
                Some(id)
            }
            (None, id) => id,
        };
        let has_rows = !(step.objects.is_empty()
            && step.creatives.is_empty()
            && step.assets.is_empty()
            && step.metrics.is_empty());
        if has_rows {
            let account_id = account_id.as_deref().ok_or_else(|| {
                StoreError::Invalid("the job's account was not imported before its objects".into())
            })?;
            if !step.objects.is_empty() {
                self.upsert_lib_objects(account_id, &step.objects)?;
            }
            if !step.creatives.is_empty() {
                self.upsert_lib_creatives(account_id, &step.creatives)?;
            }
            if !step.assets.is_empty() {
                self.upsert_lib_assets(account_id, &step.assets)?;
            }
            if !step.metrics.is_empty() {
                self.upsert_lib_metrics(account_id, &step.metrics)?;
            }
        }
        {
            let mut err = self.w.tx.prepare_cached(
                "INSERT INTO import_errors (job_id, kind, external_id, message, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (job_id, kind, external_id) DO UPDATE SET message = excluded.message, at = excluded.at",
            )?;
            for (kind, ext, msg) in &step.errors {
                err.execute(params![job_id, kind, ext, msg, now])?;
            }
            let mut total = self.w.tx.prepare_cached(
                "UPDATE import_progress SET total = ?3 WHERE job_id = ?1 AND kind = ?2",
            )?;
            for (kind, t) in &step.totals {
                total.execute(params![job_id, kind, t])?;
            }
            let mut progress = self.w.tx.prepare_cached(
                "UPDATE import_progress SET done = done + ?3, failed = failed + ?4 WHERE job_id = ?1 AND kind = ?2",
            )?;
            for (kind, done, failed) in &step.progress {
                progress.execute(params![job_id, kind, done, failed])?;
            }
        }
        if !step.unit_key.is_empty() {
            let n = self
                .w
                .tx
                .prepare_cached(
                    "UPDATE import_units SET cursor = ?3, state = ?4, error = ?5, updated_at = ?6,
                     attempts = CASE WHEN ?4 = 'failed' THEN attempts + 1 ELSE attempts END
                 WHERE job_id = ?1 AND key = ?2",
                )?
                .execute(params![
                    job_id,
                    step.unit_key,
                    step.cursor,
                    step.unit_state,
                    step.unit_error,
                    now
                ])?;
            if n != 1 {
                return Err(StoreError::not_found(format!(
                    "unit {} of job {job_id}",
                    step.unit_key
                )));
            }
        }
        self.w
            .tx
            .prepare_cached(
                "UPDATE import_jobs SET requests = requests + ?2, updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![job_id, step.requests, now])?;
        self.w.changed("import_job", job_id, ChangeKind::Updated);
        Ok(())
    }

    /// The end of a pull: link children imported before their parents, mark as removed
    /// whatever a complete listing no longer returned (never for a selective import),
    /// refresh lifetime totals, and stamp the account's last import.
    pub fn finish_import_pull(
        &mut self,
        job_id: &str,
        complete_levels: &[&str],
        complete_creatives: bool,
    ) -> Result<usize> {
        let job = self.w.read().client(&self.client.id)?.import_job(job_id)?;
        let Some(account_id) = job.account_id else {
            return Ok(0);
        };
        let pull_started = job.pull_started.unwrap_or_else(|| self.w.now());
        self.link_lib_parents(&account_id)?;
        let mut removed = 0;
        for level in complete_levels {
            removed += self.mark_lib_objects_removed(&account_id, level, &pull_started)?;
        }
        if complete_creatives {
            let now = self.w.now();
            removed += self.w.tx.execute(
                "UPDATE lib_creatives SET removed_at = ?4 WHERE client_id = ?1 AND account_id = ?2 AND last_seen < ?3 AND removed_at IS NULL",
                params![self.client.id, account_id, pull_started, now],
            )?;
        }
        self.settle_lib_totals(&account_id)?;
        let now = self.w.now();
        self.w.tx.execute(
            "UPDATE lib_accounts SET last_import_at = ?3 WHERE id = ?1 AND client_id = ?2",
            params![account_id, self.client.id, now],
        )?;
        Ok(removed)
    }

    /// Turn auto-sync of an imported account on (every `hours`) or off.
    pub fn set_auto_sync(&mut self, account_id: &str, hours: Option<u32>) -> Result<()> {
        if let Some(h) = hours {
            if !(1..=720).contains(&h) {
                return Err(StoreError::Invalid(
                    "auto-sync runs every 1 to 720 hours".into(),
                ));
            }
        }
        let n = self.w.tx.execute(
            "UPDATE lib_accounts SET auto_sync_hours = ?3 WHERE id = ?1 AND client_id = ?2",
            params![account_id, self.client.id, hours],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!(
                "library account {account_id}"
            )));
        }
        self.w
            .changed("lib_account", account_id, ChangeKind::Updated);
        Ok(())
    }
}
