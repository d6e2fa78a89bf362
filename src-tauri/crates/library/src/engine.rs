//! The import engine: jobs, units, workers, the single writer, downloads, and the end of
//! a pull. See the crate docs for the shape; the rules that make it safe:
//!
//! - a step's records and its unit's new cursor are written in one transaction, so a job
//!   killed at any point resumes from the last committed step and, since every write is an
//!   upsert, ends equal to an uninterrupted import;
//! - one writer task owns all writes of a job and batches whatever is queued into one
//!   transaction (few fsyncs, one change event per batch);
//! - requests go through the job's [`Pacer`], which follows the platform's usage figures;
//! - a dead grant pauses the job ("reconnect needed"), a long rate-limit wait pauses it
//!   until the platform's time, one broken object is recorded and skipped.

use crate::download::{self, DownloadError, Downloaded, SizeLimits};
use crate::error::{LibraryError, Result};
use crate::pacer::Pacer;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_connect::{ApiAccess, Connector};
use switchboard_platforms::import::{
    ImportScope, ImportSource, MetricsWindow, Next, Record, SourceCtx, SourceError, Stage, Step,
    UnitSpec,
};
use switchboard_platforms::limits::ApiVerdict;
use switchboard_store::domain::{
    progress_kind, BlobIn, ImportJob, NewImportJob, NewUnit, PendingAsset, StepWrite, UnitRow,
};
use switchboard_store::{Origin, StagedFile, Vault};
use tokio::sync::{mpsc, oneshot, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How the engine behaves; the defaults suit the app.
#[derive(Debug, Clone)]
pub struct ImporterOptions {
    /// Rows per page asked for (the source clamps it to the platform's maximum).
    pub page_size: u32,
    /// Metrics pulled by the first import of an account, in days back from today.
    pub first_import_days: u32,
    /// The rolling re-pull window of later imports (platforms restate recent days).
    pub repull_days: u32,
    pub size_limits: SizeLimits,
    /// Tries of one step before its unit is recorded as failed.
    pub max_attempts: u32,
    /// The first retry wait; doubles per try, with jitter, up to 60 s.
    pub base_backoff: Duration,
    /// A rate-limit wait longer than this pauses the job until then instead of waiting
    /// inside it (Google's daily quota answers hours).
    pub long_wait: Duration,
    /// Steps written per transaction at most.
    pub write_batch: usize,
    /// How long the writer gathers queued steps before it commits (group commit): one
    /// transaction for many downloads and pages instead of one each, so shared pages,
    /// the full-text index and the WAL sync are written once. A flush ends it at once.
    pub write_window: Duration,
    /// Videos downloaded at once (they are held in memory up to their size limit).
    pub video_concurrency: usize,
    /// The longest wait between polls of a platform's report job (tests shorten it).
    pub max_poll_wait: Duration,
}

impl Default for ImporterOptions {
    fn default() -> Self {
        ImporterOptions {
            page_size: 500,
            first_import_days: 90,
            repull_days: 28,
            size_limits: SizeLimits::default(),
            max_attempts: 6,
            base_backoff: Duration::from_millis(500),
            long_wait: Duration::from_secs(10 * 60),
            write_batch: 64,
            write_window: Duration::from_millis(100),
            video_concurrency: 2,
            max_poll_wait: Duration::from_secs(30),
        }
    }
}

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct StartImport {
    pub connection_id: String,
    /// The platform's id of the ad account (one the connection reaches).
    pub account: String,
    /// Only these campaigns (platform ids); empty = everything.
    pub campaigns: Vec<String>,
    /// Days of daily metrics back from today; `None` = the engine's default (first import
    /// or rolling re-pull), `Some(0)` = no metrics.
    pub metrics_days: Option<u32>,
    /// `user` or `auto`.
    pub trigger: String,
}

/// A job reached an end state (for notifications).
#[derive(Debug, Clone)]
pub struct JobEnded {
    pub client_id: String,
    pub job: ImportJob,
}

type SourceLookup = dyn Fn(&str) -> Option<Arc<dyn ImportSource>> + Send + Sync;
type EndListener = dyn Fn(&JobEnded) + Send + Sync;

/// Why a running job was told to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stop {
    Cancel,
    Pause {
        reason: String,
        message: String,
        resume_after: Option<DateTime<Utc>>,
    },
    /// The app is quitting: the job stays `running` and resumes at the next start.
    Shutdown,
}

/// Runs import jobs. One per app (or CLI) process.
pub struct Importer {
    vault: Arc<Vault>,
    connector: Arc<Connector>,
    sources: Box<SourceLookup>,
    downloads: reqwest::Client,
    /// The thread downloads run on (`None`: on the caller's runtime).
    fetcher: Option<crate::fetcher::Fetcher>,
    options: ImporterOptions,
    running: Mutex<HashMap<String, watch::Sender<Option<Stop>>>>,
    tasks: Mutex<JoinSet<()>>,
    listeners: Mutex<Vec<Box<EndListener>>>,
    /// Accounts whose thumbnail pass is running (one pass per account).
    thumbing: Mutex<HashSet<String>>,
    /// The process is ending: thumbnail passes stop between batches.
    closing: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Importer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer").finish_non_exhaustive()
    }
}

enum WriteMsg {
    Step(Box<StepWrite>),
    /// A downloaded asset, already sealed into a staged file by its download task.
    Asset {
        asset_id: String,
        file: StagedFile,
        mime: String,
    },
    AssetFailed {
        asset: PendingAsset,
        message: String,
    },
    Flush(oneshot::Sender<()>),
}

/// A message for the writer, with the page slot it holds until it is written.
struct Queued(WriteMsg, Option<PageHold>);

/// Page slots reserved for listing pages (objects, creatives, assets): metrics pages never
/// hold them.
// why: a big pull has a few dozen metrics units (levels × 31-day windows) against a handful
// of listings, and every unit waits for a free page slot after each page. With all slots
// shared, the listings got their turn about once a second behind the metrics pages (50,000
// ads listed in 72 s in the full-scale import benchmark, against 17 s with no metrics), so
// the library filled late and the creatives' assets were found late.
const LISTING_PAGE_SLOTS: usize = 4;

/// The pages waiting for the writer: `metrics` slots that only metrics pages take, and
/// `metrics` + [`LISTING_PAGE_SLOTS`] slots that every page takes (a metrics page one of
/// each). A page holds its slots until it is written.
struct PageSlots {
    all: Arc<Semaphore>,
    metrics: Arc<Semaphore>,
}

/// One page's slots (given back when dropped, once its batch is written).
struct PageHold {
    _page: tokio::sync::OwnedSemaphorePermit,
    _metrics: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl PageSlots {
    fn new(metrics: usize) -> Self {
        PageSlots {
            all: Arc::new(Semaphore::new(metrics + LISTING_PAGE_SLOTS)),
            metrics: Arc::new(Semaphore::new(metrics)),
        }
    }

    /// Wait for room for one more page; `None` once the slots are closed.
    async fn hold(&self, metrics_page: bool) -> Option<PageHold> {
        let metrics = if metrics_page {
            Some(self.metrics.clone().acquire_owned().await.ok()?)
        } else {
            None
        };
        let page = self.all.clone().acquire_owned().await.ok()?;
        Some(PageHold {
            _page: page,
            _metrics: metrics,
        })
    }
}

/// Messages the writer's queue holds at most. Pages (large) are bounded apart by the page
/// slots; the rest are small, and room for several seconds of downloads lets them go on
/// while the writer is held by a long transaction (the settling of a big pull).
const WRITE_QUEUE: usize = 2048;

/// What a finished unit left behind.
enum UnitEnd {
    Done,
    Failed,
    Stopped,
}

/// Everything the workers of one run share.
struct Run {
    client_id: String,
    job_id: String,
    connection_id: String,
    source: Arc<dyn ImportSource>,
    scope: ImportScope,
    access: tokio::sync::RwLock<ApiAccess>,
    pacer: Pacer,
    writes: mpsc::Sender<Queued>,
    /// Listing and metrics pages waiting for the writer at most (they hold whole pages of
    /// rows; memory stays flat however far the network runs ahead of the disk).
    page_slots: PageSlots,
    stop: watch::Sender<Option<Stop>>,
    writer_failed: Arc<Mutex<Option<String>>>,
    /// The account's currency once its unit has run (budgets are in its minor units).
    currency: std::sync::RwLock<Option<String>>,
}

impl Run {
    fn stopped(&self) -> bool {
        self.stop.borrow().is_some()
    }

    fn pause(&self, reason: &str, message: String, resume_after: Option<DateTime<Utc>>) {
        self.stop.send_if_modified(|s| {
            if s.is_none() {
                *s = Some(Stop::Pause {
                    reason: reason.into(),
                    message,
                    resume_after,
                });
                true
            } else {
                false
            }
        });
    }

    async fn write(&self, msg: WriteMsg) -> bool {
        let hold = match &msg {
            WriteMsg::Step(step) if carries_rows(step) => {
                let Some(h) = self.page_slots.hold(!step.metrics.is_empty()).await else {
                    return false;
                };
                Some(h)
            }
            _ => None,
        };
        self.writes.send(Queued(msg, hold)).await.is_ok()
    }

    async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self
            .writes
            .send(Queued(WriteMsg::Flush(tx), None))
            .await
            .is_ok()
        {
            let _ = rx.await;
        }
    }
}

/// Whether a step holds rows (a listing or metrics page), which take a page slot until
/// written; a bare progress or totals update does not.
// why: the download loop sends the assets' total as such an update; waiting for a page
// slot behind metrics pages stalled the loop and left download slots idle (downloads ran
// at about 170/s while metrics were written, against about 295/s after).
fn carries_rows(step: &StepWrite) -> bool {
    step.account.is_some()
        || !step.objects.is_empty()
        || !step.creatives.is_empty()
        || !step.assets.is_empty()
        || !step.metrics.is_empty()
        || !step.errors.is_empty()
}

fn now_str(vault: &Vault) -> String {
    vault
        .clock()
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn jitter(d: Duration) -> Duration {
    let f: f64 = rand::random_range(0.5..1.0);
    d.mul_f64(f)
}

impl Importer {
    pub fn new(
        vault: Arc<Vault>,
        connector: Arc<Connector>,
        options: ImporterOptions,
    ) -> Arc<Self> {
        Self::with_sources(
            vault,
            connector,
            options,
            Box::new(switchboard_platforms::import::source),
        )
    }

    /// With another source lookup (tests wrap the real sources).
    pub fn with_sources(
        vault: Arc<Vault>,
        connector: Arc<Connector>,
        options: ImporterOptions,
        sources: Box<SourceLookup>,
    ) -> Arc<Self> {
        Arc::new(Importer {
            vault,
            connector,
            sources,
            downloads: download::http_client(),
            fetcher: crate::fetcher::Fetcher::start("sb-downloads"),
            options,
            running: Mutex::new(HashMap::new()),
            tasks: Mutex::new(JoinSet::new()),
            listeners: Mutex::new(Vec::new()),
            thumbing: Mutex::new(HashSet::new()),
            closing: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Be told when a job ends (completed, with errors, failed or cancelled) or pauses.
    pub fn on_job_ended(&self, f: impl Fn(&JobEnded) + Send + Sync + 'static) {
        self.listeners.lock().expect("listeners").push(Box::new(f));
    }

    /// Whether a platform has an import.
    pub fn supports(&self, platform: &str) -> bool {
        (self.sources)(platform).is_some()
    }

    /// Plan and queue an import, and start it.
    pub async fn start(self: &Arc<Self>, client_id: &str, req: StartImport) -> Result<ImportJob> {
        let connection = self.vault.read(|r| r.connection(&req.connection_id))?;
        if connection.client_id != client_id {
            // why: tenant isolation — a client's import may only use its own connections.
            return Err(LibraryError::NotFound(format!(
                "connection {}",
                req.connection_id
            )));
        }
        let source = (self.sources)(&connection.platform)
            .ok_or_else(|| LibraryError::Unsupported(connection.platform.clone()))?;
        let account = req
            .account
            .trim()
            .trim_start_matches("act_")
            .replace('-', "");
        if account.is_empty()
            || !account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(LibraryError::Invalid(format!(
                "'{}' is not an ad account id",
                req.account
            )));
        }
        let reached = self.vault.read(|r| r.connection_accounts(&connection.id))?;
        let reached_account = reached
            .iter()
            .find(|a| a.external_id.trim_start_matches("act_").replace('-', "") == account);
        if !reached.is_empty() && reached_account.is_none() {
            return Err(LibraryError::Invalid(format!(
                "the {} connection does not reach ad account {account}",
                connection.platform
            )));
        }
        let campaigns: Vec<String> = req
            .campaigns
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        if let Some(bad) = campaigns
            .iter()
            .find(|c| !c.chars().all(|ch| ch.is_ascii_digit()))
        {
            return Err(LibraryError::Invalid(format!(
                "'{bad}' is not a campaign id"
            )));
        }
        let existing = self.vault.read(|r| {
            let c = r.client(client_id)?;
            let active = c.active_import_for(&connection.platform, &account)?;
            let imported_before = c.lib_accounts()?.iter().any(|a| {
                a.platform == connection.platform
                    && a.external_id == account
                    && a.last_import_at.is_some()
            });
            Ok((active, imported_before))
        })?;
        if let (Some(job), _) = &existing {
            return Err(LibraryError::AlreadyRunning(job.clone()));
        }
        let days = req.metrics_days.unwrap_or(if existing.1 {
            self.options.repull_days
        } else {
            self.options.first_import_days
        });
        let today = self.vault.clock().now().date_naive();
        let metrics = (days > 0).then(|| MetricsWindow {
            since: today - ChronoDuration::days(i64::from(days) - 1),
            until: today,
        });
        let scope = ImportScope {
            account: account.clone(),
            campaigns,
            metrics,
            // A client account reached through a manager (Google Ads MCC) is called
            // through that manager.
            manager: reached_account.and_then(|a| a.manager.clone()),
        };
        let plan = source.plan(&scope);
        let metric_days: i64 = plan
            .iter()
            .filter(|u| u.stage == Stage::Metrics)
            .map(|u| i64::from(u.days))
            .sum();
        let new = NewImportJob {
            connection_id: Some(connection.id.clone()),
            platform: connection.platform.clone(),
            account_external_id: account,
            scope: serde_json::to_string(&scope)
                .map_err(|e| LibraryError::Invalid(e.to_string()))?,
            trigger: if req.trigger.is_empty() {
                "user".into()
            } else {
                req.trigger.clone()
            },
            units: plan
                .iter()
                .map(|u| NewUnit {
                    key: u.key.clone(),
                    stage: u.stage.as_str().into(),
                    spec: serde_json::to_string(u).unwrap_or_default(),
                })
                .collect(),
            totals: vec![("metric_days".into(), metric_days)],
        };
        let job = self.vault.write(Origin::Import, |w| {
            w.client(client_id)?.create_import_job(&new)
        })?;
        self.spawn(client_id, &job.id);
        Ok(job)
    }

    /// Resume a paused or interrupted job.
    pub fn resume(self: &Arc<Self>, client_id: &str, job_id: &str) -> Result<ImportJob> {
        let job = self
            .vault
            .read(|r| r.client(client_id)?.import_job(job_id))?;
        if job.is_final() {
            return Err(LibraryError::Invalid(
                "this import has ended; start a new one or retry its failed items".into(),
            ));
        }
        self.spawn(client_id, job_id);
        Ok(job)
    }

    /// Re-queue a finished job's failed units and assets and run it again.
    pub fn retry_failed(self: &Arc<Self>, client_id: &str, job_id: &str) -> Result<ImportJob> {
        if self.running.lock().expect("running").contains_key(job_id) {
            return Err(LibraryError::AlreadyRunning(job_id.into()));
        }
        let job = self.vault.write(Origin::Import, |w| {
            let state = w.read().client(client_id)?.import_job(job_id)?.state;
            let mut c = w.client(client_id)?;
            if !matches!(
                state.as_str(),
                "completed_with_errors" | "failed" | "paused"
            ) {
                return Err(switchboard_store::StoreError::Invalid(
                    "only an import that ended with errors has failed items to retry".into(),
                ));
            }
            c.requeue_failed_import_items(job_id)?;
            c.set_import_state(job_id, "queued", None, None, None)?;
            w.read().client(client_id)?.import_job(job_id)
        })?;
        self.spawn(client_id, job_id);
        Ok(job)
    }

    /// Stop a job for good; what it imported so far stays.
    pub fn cancel(&self, client_id: &str, job_id: &str) -> Result<ImportJob> {
        let job = self
            .vault
            .read(|r| r.client(client_id)?.import_job(job_id))?;
        if job.is_final() {
            return Ok(job);
        }
        let signalled = self
            .running
            .lock()
            .expect("running")
            .get(job_id)
            .map(|tx| tx.send_replace(Some(Stop::Cancel)))
            .is_some();
        if !signalled {
            self.vault.write(Origin::Import, |w| {
                w.client(client_id)?.set_import_state(
                    job_id,
                    "cancelled",
                    None,
                    Some("Cancelled."),
                    None,
                )
            })?;
        }
        Ok(self
            .vault
            .read(|r| r.client(client_id)?.import_job(job_id))?)
    }

    /// Jobs the last run left running (app quit, crash, kill -9) and rate-limit pauses
    /// whose wait is over: start them again. Returns how many.
    pub fn resume_interrupted(self: &Arc<Self>) -> Result<usize> {
        let now = now_str(&self.vault);
        let jobs = self.vault.read(|r| r.resumable_import_jobs(&now))?;
        let n = jobs.len();
        for (client, job) in jobs {
            self.spawn(&client, &job);
        }
        // Thumbnails a quit or crash left unmade (their jobs had ended).
        for (client, account) in self.vault.read(|r| r.pending_thumbnail_accounts())? {
            let this = self.clone();
            self.tasks
                .lock()
                .expect("tasks")
                .spawn(async move { this.make_thumbnails(&client, &account).await });
        }
        Ok(n)
    }

    /// The thumbnail pass of one account: every image stored without a thumbnail gets one
    /// (or is marked as needing none), a few per transaction, decoded on one blocking
    /// thread so the rest of the machine stays responsive. Runs after a job's downloads
    /// (lists show the originals meanwhile) and resumes at the next start if cut short.
    async fn make_thumbnails(self: &Arc<Self>, client_id: &str, account_id: &str) {
        use std::sync::atomic::Ordering;
        if !self
            .thumbing
            .lock()
            .expect("thumbing")
            .insert(account_id.to_owned())
        {
            return;
        }
        loop {
            if self.closing.load(Ordering::Relaxed) {
                break;
            }
            let ids = match self
                .vault
                .read(|r| r.client(client_id)?.pending_thumbnails(account_id, 8))
            {
                Ok(ids) if !ids.is_empty() => ids,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the thumbnail pass could not read its work");
                    break;
                }
            };
            let (vault, client) = (self.vault.clone(), client_id.to_owned());
            let made = tokio::task::spawn_blocking(move || {
                ids.into_iter()
                    .map(|id| {
                        // The range is clamped to the asset's size: this is all of it.
                        let bytes = vault.read(|r| {
                            r.client(&client)?
                                .read_lib_asset_range(&id, false, 0, u64::MAX)
                        });
                        let thumb = bytes.ok().and_then(|b| download::thumbnail(&b));
                        (id, thumb)
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            let Ok(made) = made else { break };
            let written = self.vault.write(Origin::Import, |w| {
                let mut c = w.client(client_id)?;
                for (id, thumb) in &made {
                    c.set_lib_asset_thumbnail(
                        id,
                        thumb.as_ref().map(|(bytes, sha, mime)| BlobIn {
                            sha256: sha,
                            mime,
                            bytes,
                        }),
                    )?;
                }
                Ok(())
            });
            if let Err(e) = written {
                tracing::warn!(error = %e, "the thumbnail pass could not store its work");
                break;
            }
        }
        self.thumbing.lock().expect("thumbing").remove(account_id);
    }

    /// Start the imports whose auto-sync is due. Returns the jobs started.
    pub async fn auto_sync_tick(self: &Arc<Self>) -> Result<Vec<String>> {
        let now = now_str(&self.vault);
        let due = self.vault.read(|r| r.due_auto_syncs(&now))?;
        let mut started = Vec::new();
        for (client_id, account_id) in due {
            let account = self.vault.read(|r| {
                Ok(r.client(&client_id)?
                    .lib_accounts()?
                    .into_iter()
                    .find(|a| a.id == account_id))
            })?;
            let Some(account) = account else { continue };
            let Some(connection_id) = account.connection_id else {
                continue;
            };
            match self
                .start(
                    &client_id,
                    StartImport {
                        connection_id,
                        account: account.external_id,
                        trigger: "auto".into(),
                        ..StartImport::default()
                    },
                )
                .await
            {
                Ok(job) => started.push(job.id),
                Err(e) => tracing::warn!(error = %e, "auto-sync could not start"),
            }
        }
        Ok(started)
    }

    /// Tell running jobs the process is ending: they stop between steps and stay
    /// `running`, so the next start resumes them. Waits for them (at most `grace`).
    pub async fn shutdown(&self, grace: Duration) {
        self.closing
            .store(true, std::sync::atomic::Ordering::Relaxed);
        for tx in self.running.lock().expect("running").values() {
            tx.send_replace(Some(Stop::Shutdown));
        }
        let mut tasks = std::mem::take(&mut *self.tasks.lock().expect("tasks"));
        let _ =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        tasks.abort_all();
    }

    /// Wait until no job runs (tests, the CLI's `--wait`).
    pub async fn idle(&self) {
        loop {
            let mut tasks = std::mem::take(&mut *self.tasks.lock().expect("tasks"));
            if tasks.is_empty() {
                return;
            }
            while tasks.join_next().await.is_some() {}
        }
    }

    /// Whether a job is running in this process.
    pub fn is_running(&self, job_id: &str) -> bool {
        self.running.lock().expect("running").contains_key(job_id)
    }

    fn spawn(self: &Arc<Self>, client_id: &str, job_id: &str) {
        let (tx, _) = watch::channel(None);
        {
            let mut running = self.running.lock().expect("running");
            if running.contains_key(job_id) {
                return;
            }
            running.insert(job_id.to_owned(), tx.clone());
        }
        let this = self.clone();
        let (client_id, job_id) = (client_id.to_owned(), job_id.to_owned());
        self.tasks.lock().expect("tasks").spawn(async move {
            let started = Instant::now();
            let end = this.run_job(&client_id, &job_id, tx).await;
            this.running.lock().expect("running").remove(&job_id);
            let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            let job = this.vault.write(Origin::Import, |w| {
                let mut c = w.client(&client_id)?;
                c.add_import_run_time(&job_id, ms)?;
                if let Some((state, reason, message, resume_after)) = &end {
                    c.set_import_state(
                        &job_id,
                        state,
                        reason.as_deref(),
                        message.as_deref(),
                        resume_after.as_deref(),
                    )?;
                }
                w.read().client(&client_id)?.import_job(&job_id)
            });
            match job {
                Ok(job) if job.state != "running" => {
                    let account = job.account_id.clone();
                    let ended = JobEnded { client_id, job };
                    for l in this.listeners.lock().expect("listeners").iter() {
                        l(&ended);
                    }
                    // The job is over (its data browsable); thumbnails follow.
                    if let Some(account) = account {
                        this.make_thumbnails(&ended.client_id, &account).await;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "could not record the end of an import"),
            }
        });
    }

    /// Run a job until it ends, pauses or is stopped: the state to record (state, reason,
    /// message, resume_after), or `None` to leave it `running` (shutdown).
    async fn run_job(
        self: &Arc<Self>,
        client_id: &str,
        job_id: &str,
        stop: watch::Sender<Option<Stop>>,
    ) -> Option<(String, Option<String>, Option<String>, Option<String>)> {
        let fail = |e: &dyn std::fmt::Display| {
            Some((
                "failed".to_owned(),
                Some("error".to_owned()),
                Some(e.to_string()),
                None,
            ))
        };
        let job = match self.vault.read(|r| r.client(client_id)?.import_job(job_id)) {
            Ok(j) => j,
            Err(e) => return fail(&e),
        };
        if job.is_final() {
            return None;
        }
        let scope: ImportScope = match serde_json::from_str(&job.scope) {
            Ok(s) => s,
            Err(e) => return fail(&format!("the job's scope is unreadable: {e}")),
        };
        let Some(source) = (self.sources)(&job.platform) else {
            return fail(&format!("{} has no import", job.platform));
        };
        let Some(connection_id) = job.connection_id.clone() else {
            return Some(("paused".into(), Some("reconnect_needed".into()), Some("The connection this import used was removed. Reconnect the account and start a new import.".into()), None));
        };
        if let Err(e) = self.vault.write(Origin::Import, |w| {
            w.client(client_id)?
                .set_import_state(job_id, "running", None, None, None)
        }) {
            return fail(&e);
        }
        let access = match self.connector.api_access(&connection_id).await {
            Ok(a) => a,
            Err(e) if e.code() == "needs_reconnect" || e.code() == "not_found" => {
                return Some((
                    "paused".into(),
                    Some("reconnect_needed".into()),
                    Some(format!("Reconnect needed: {e}")),
                    None,
                ));
            }
            Err(e) => {
                return Some((
                    "paused".into(),
                    Some("interrupted".into()),
                    Some(format!(
                        "Could not reach {}: {e}. Resume when the connection is back.",
                        job.platform
                    )),
                    None,
                ));
            }
        };
        let limits = source.limits();
        // Room for every download slot's small message several times over, so downloads
        // never wait behind the writer; listing pages (large) are bounded apart, below.
        let (writes, rx) = mpsc::channel(WRITE_QUEUE);
        // Metrics pages waiting at most; listing pages have as many plus their own.
        let metrics_pages = limits.concurrency.max(4) * 2;
        let writer_failed = Arc::new(Mutex::new(None));
        let writer = {
            let vault = self.vault.clone();
            let (client_id, job_id) = (client_id.to_owned(), job_id.to_owned());
            let failed = writer_failed.clone();
            let batch = self.options.write_batch.max(1);
            let window = self.options.write_window;
            // A named thread of its own (not the blocking pool): it lives as long as the
            // job, and its CPU shows apart in profiles.
            let (done_tx, done_rx) = oneshot::channel::<()>();
            let spawned = std::thread::Builder::new()
                .name("sb-import-writer".into())
                .spawn(move || {
                    let gather = Gather {
                        batch,
                        window,
                        pages: (metrics_pages / 2).max(1),
                    };
                    writer_loop(&vault, &client_id, &job_id, rx, gather, &failed);
                    let _ = done_tx.send(());
                });
            if let Err(e) = spawned {
                return fail(&format!("could not start the import's writer: {e}"));
            }
            done_rx
        };
        let run = Arc::new(Run {
            client_id: client_id.to_owned(),
            job_id: job_id.to_owned(),
            connection_id,
            source: source.clone(),
            scope,
            access: tokio::sync::RwLock::new(access),
            pacer: Pacer::new(limits.concurrency),
            writes,
            page_slots: PageSlots::new(metrics_pages),
            stop: stop.clone(),
            writer_failed: writer_failed.clone(),
            currency: std::sync::RwLock::new(None),
        });
        // Downloads start as soon as assets are listed and overlap the remaining units
        // (signed URLs expire, and the CDN is not the API's quota).
        let (units_done, units_done_rx) = watch::channel(false);
        let downloads = {
            let (this, run) = (self.clone(), run.clone());
            tokio::spawn(async move { this.download_assets(&run, units_done_rx).await })
        };
        let outcome = self.run_units(&run).await;
        let _ = units_done.send(true);
        // Settle the pull (link parents, mark removals, lifetime totals) as soon as every
        // unit is done, while the last downloads still run: on a big account that one
        // transaction takes seconds, and downloads go on meanwhile (their small messages
        // wait in the writer's queue). Only assets are written after it, which it does
        // not read.
        let settling = if outcome.is_ok() && stop.borrow().is_none() {
            run.flush().await;
            let (this, run) = (self.clone(), run.clone());
            Some(tokio::task::spawn_blocking(move || this.settle(&run)))
        } else {
            None
        };
        let _ = downloads.await;
        run.flush().await;
        let stop_reason = stop.borrow().clone();
        let result = match (outcome, stop_reason) {
            (_, Some(Stop::Shutdown)) => None,
            (_, Some(Stop::Cancel)) => Some((
                "cancelled".into(),
                None,
                Some("Cancelled; what was imported so far is kept.".into()),
                None,
            )),
            (
                _,
                Some(Stop::Pause {
                    reason,
                    message,
                    resume_after,
                }),
            ) => Some((
                "paused".into(),
                Some(reason),
                Some(message),
                resume_after.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            )),
            (Err(e), None) => fail(&e),
            (Ok(()), None) => {
                let settled = match settling {
                    Some(task) => task
                        .await
                        .unwrap_or_else(|e| Err(LibraryError::Invalid(e.to_string()))),
                    None => self.settle(&run),
                };
                if let Some(e) = writer_failed.lock().expect("writer").clone() {
                    fail(&e)
                } else {
                    Some(self.finish(&run, settled))
                }
            }
        };
        drop(run);
        let _ = writer.await;
        result
    }

    /// Run every pending unit: the account first, then the rest concurrently (each waits
    /// for the stages it depends on).
    async fn run_units(self: &Arc<Self>, run: &Arc<Run>) -> Result<()> {
        let units = self
            .vault
            .read(|r| r.client(&run.client_id)?.import_units(&run.job_id))?;
        let mut done_stages: HashMap<Stage, usize> = HashMap::new();
        let mut stage_sizes: HashMap<Stage, usize> = HashMap::new();
        let mut pending = Vec::new();
        for u in units {
            let spec: UnitSpec = serde_json::from_str(&u.spec)
                .map_err(|e| LibraryError::Invalid(format!("unit {}: {e}", u.key)))?;
            *stage_sizes.entry(spec.stage).or_default() += 1;
            if u.state == "pending" {
                pending.push((spec, u));
            } else {
                *done_stages.entry(spec.stage).or_default() += 1;
            }
        }
        // The account row must exist before anything that hangs under it.
        let (accounts, mut rest): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(s, _)| s.stage == Stage::Account);
        for (spec, row) in accounts {
            if run.stopped() {
                return Ok(());
            }
            match self.clone().run_unit(run.clone(), spec.clone(), row).await {
                UnitEnd::Done => *done_stages.entry(Stage::Account).or_default() += 1,
                UnitEnd::Failed => {
                    run.flush().await;
                    return Err(LibraryError::Invalid(
                        "the ad account itself could not be read; see the job's errors".into(),
                    ));
                }
                UnitEnd::Stopped => return Ok(()),
            }
        }
        run.flush().await;
        let currency = self.vault.read(|r| {
            let c = r.client(&run.client_id)?;
            let job = c.import_job(&run.job_id)?;
            Ok(c.lib_accounts()?
                .into_iter()
                .find(|a| Some(&a.id) == job.account_id.as_ref())
                .and_then(|a| a.currency))
        })?;
        *run.currency.write().expect("currency") = currency;
        let mut set: JoinSet<(Stage, UnitEnd)> = JoinSet::new();
        let ready = |done: &HashMap<Stage, usize>, spec: &UnitSpec| {
            spec.after.iter().all(|s| {
                done.get(s).copied().unwrap_or(0) >= stage_sizes.get(s).copied().unwrap_or(0)
            })
        };
        loop {
            if !run.stopped() {
                let (now, later): (Vec<_>, Vec<_>) =
                    rest.into_iter().partition(|(s, _)| ready(&done_stages, s));
                rest = later;
                for (spec, row) in now {
                    let (this, run) = (self.clone(), run.clone());
                    set.spawn(async move {
                        let stage = spec.stage;
                        (stage, this.run_unit(run, spec, row).await)
                    });
                }
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            if let Ok((stage, end)) = joined {
                if matches!(end, UnitEnd::Done | UnitEnd::Failed) {
                    // A failed unit still counts as finished for ordering: the stages
                    // after it run with what there is, and the job ends with errors.
                    *done_stages.entry(stage).or_default() += 1;
                }
            }
        }
        Ok(())
    }

    /// One unit, step by step, from its stored cursor.
    async fn run_unit(self: Arc<Self>, run: Arc<Run>, spec: UnitSpec, row: UnitRow) -> UnitEnd {
        let mut cursor = row.cursor.clone();
        let mut attempt: u32 = 0;
        let mut renewed = false;
        loop {
            if run.stopped() || run.writer_failed.lock().expect("writer").is_some() {
                return UnitEnd::Stopped;
            }
            let result = {
                let slot = run.pacer.acquire().await;
                if run.stopped() {
                    return UnitEnd::Stopped;
                }
                let access = run.access.read().await;
                let ctx = SourceCtx {
                    http: self.connector.http(),
                    descriptor: &access.descriptor,
                    app: &access.app,
                    token: &access.token,
                    scope: &run.scope,
                    page_size: self.options.page_size,
                    currency: run.currency.read().expect("currency").clone(),
                };
                let r = run.source.step(&ctx, &spec, cursor.as_deref()).await;
                drop(slot);
                r
            };
            match result {
                Ok(step) => {
                    attempt = 0;
                    renewed = false;
                    run.pacer.observe(step.usage);
                    let first_page = cursor.is_none();
                    let next = step.next.clone();
                    let (next_cursor, state) = match &next {
                        Next::Page(c) | Next::Poll { cursor: c, .. } => {
                            (Some(c.clone()), "pending")
                        }
                        Next::Done => (None, "done"),
                    };
                    let write =
                        step_write(&run, &spec, step, first_page, next_cursor.clone(), state);
                    if !run.write(WriteMsg::Step(Box::new(write))).await {
                        return UnitEnd::Stopped;
                    }
                    match next {
                        Next::Done => return UnitEnd::Done,
                        Next::Page(c) => cursor = Some(c),
                        Next::Poll { cursor: c, after } => {
                            cursor = Some(c);
                            let mut stop = run.stop.subscribe();
                            tokio::select! {
                                _ = tokio::time::sleep(after.min(self.options.max_poll_wait)) => {}
                                _ = stop.wait_for(Option::is_some) => return UnitEnd::Stopped,
                            }
                        }
                    }
                }
                Err(e) => match self
                    .on_error(&run, &spec, &cursor, e, &mut attempt, &mut renewed)
                    .await
                {
                    Some(end) => return end,
                    None => continue,
                },
            }
        }
    }

    /// Decide what a failed step means: `None` = try again, else how the unit ends.
    async fn on_error(
        &self,
        run: &Run,
        spec: &UnitSpec,
        cursor: &Option<String>,
        e: SourceError,
        attempt: &mut u32,
        renewed: &mut bool,
    ) -> Option<UnitEnd> {
        let message = e.message().to_owned();
        match e.verdict {
            ApiVerdict::RateLimited { wait, .. } => {
                let wait = wait.unwrap_or(Duration::from_secs(60));
                if wait > self.options.long_wait {
                    let until = self.vault.clock().now()
                        + ChronoDuration::from_std(wait).unwrap_or(ChronoDuration::hours(24));
                    run.pause(
                        "rate_limited",
                        format!(
                            "{} asked Switchboard to wait until {} UTC: {message}",
                            run.source_name(),
                            until.format("%Y-%m-%d %H:%M")
                        ),
                        Some(until),
                    );
                    return Some(UnitEnd::Stopped);
                }
                run.pacer.pause_for(wait);
                *attempt += 1;
                // A rate-limit answer refused the request: waiting and asking again is safe,
                // but not forever.
                if *attempt > self.options.max_attempts * 3 {
                    return Some(
                        self.fail_unit(
                            run,
                            spec,
                            cursor,
                            format!("still rate-limited after {} tries: {message}", *attempt),
                        )
                        .await,
                    );
                }
                None
            }
            ApiVerdict::ReconnectNeeded { .. } => {
                if !*renewed {
                    *renewed = true;
                    // The token may just have expired mid-job: renew once and try again.
                    if self.connector.refresh_now(&run.connection_id).await.is_ok() {
                        if let Ok(access) = self.connector.api_access(&run.connection_id).await {
                            *run.access.write().await = access;
                            return None;
                        }
                    }
                }
                run.pause(
                    "reconnect_needed",
                    format!("Reconnect needed: {message}"),
                    None,
                );
                Some(UnitEnd::Stopped)
            }
            ApiVerdict::Transient { .. } => {
                *attempt += 1;
                if *attempt >= self.options.max_attempts {
                    return Some(
                        self.fail_unit(
                            run,
                            spec,
                            cursor,
                            format!("gave up after {} tries: {message}", *attempt),
                        )
                        .await,
                    );
                }
                let backoff = self
                    .options
                    .base_backoff
                    .saturating_mul(1 << (*attempt - 1).min(10))
                    .min(Duration::from_secs(60));
                let mut stop = run.stop.subscribe();
                tokio::select! {
                    _ = tokio::time::sleep(jitter(backoff)) => None,
                    _ = stop.wait_for(Option::is_some) => Some(UnitEnd::Stopped),
                }
            }
            ApiVerdict::BrokenObject { .. } | ApiVerdict::Permanent { .. } => {
                Some(self.fail_unit(run, spec, cursor, message).await)
            }
        }
    }

    /// Record a unit as failed (keeping its cursor for "retry failed").
    async fn fail_unit(
        &self,
        run: &Run,
        spec: &UnitSpec,
        cursor: &Option<String>,
        message: String,
    ) -> UnitEnd {
        tracing::warn!(job = %run.job_id, unit = %spec.key, %message, "import unit failed");
        let kind = stage_kind(spec.stage).unwrap_or("job").to_owned();
        let write = StepWrite {
            unit_key: spec.key.clone(),
            cursor: cursor.clone(),
            unit_state: "failed".into(),
            unit_error: Some(message.clone()),
            requests: 1,
            errors: vec![(kind, spec.key.clone(), message)],
            ..StepWrite::default()
        };
        run.write(WriteMsg::Step(Box::new(write))).await;
        UnitEnd::Failed
    }

    /// Download every pending asset of the account, a batch at a time.
    async fn download_assets(
        self: &Arc<Self>,
        run: &Arc<Run>,
        mut units_done: watch::Receiver<bool>,
    ) {
        let limits = run.source.limits();
        let slots = limits.download_concurrency.max(1);
        // A download holds one of `slots` requests only while it fetches: sealing the file
        // (encryption, write, sync) and handing it to the writer happen after the request
        // slot is free for the next asset. Up to `slots` more downloads may be sealing or
        // queued for the writer at once, which bounds the memory they hold.
        // why: the file's sync waits for the disk, which is busiest (WAL checkpoints) while
        // metrics are written; held through it, a request slot sat idle for that wait.
        let requests = Arc::new(Semaphore::new(slots));
        let tasks = slots * 2;
        let videos = Arc::new(Semaphore::new(self.options.video_concurrency.max(1)));
        let mut set: JoinSet<()> = JoinSet::new();
        let mut queue: std::collections::VecDeque<PendingAsset> = Default::default();
        let mut tried: HashSet<String> = HashSet::new();
        let mut after = String::new();
        let mut account_id: Option<String> = None;
        let mut flushed_after_units = false;
        loop {
            if run.stopped() {
                return;
            }
            let job = match self
                .vault
                .read(|r| r.client(&run.client_id)?.import_job(&run.job_id))
            {
                Ok(j) => j,
                Err(_) => return,
            };
            if account_id.is_none() {
                account_id = job.account_id.clone();
            }
            // Keyset paging by id; at the end it starts over once, for assets that became
            // pending again behind it. Each read is a seek, however many are pending.
            let batch = match &account_id {
                Some(id) => {
                    let read = |after: &str| {
                        self.vault
                            .read(|r| r.client(&run.client_id)?.pending_lib_assets(id, after, 256))
                    };
                    let raw = match read(&after) {
                        Ok(b) if b.is_empty() && !after.is_empty() => read(""),
                        other => other,
                    };
                    match raw {
                        Ok(b) => {
                            after = b.last().map(|a| a.id.clone()).unwrap_or_default();
                            b.into_iter()
                                .filter(|a| tried.insert(a.id.clone()))
                                .collect::<Vec<_>>()
                        }
                        Err(_) => return,
                    }
                }
                None => Vec::new(),
            };
            if batch.is_empty() && queue.is_empty() {
                if !set.is_empty() {
                    // Downloads still running: wait for one (or for more listings).
                    tokio::select! {
                        _ = set.join_next() => {}
                        _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                    }
                    continue;
                }
                if *units_done.borrow() {
                    if flushed_after_units || account_id.is_none() {
                        return;
                    }
                    // The last listing pages may still sit in the writer's queue.
                    run.flush().await;
                    flushed_after_units = true;
                    continue;
                }
                tokio::select! {
                    _ = units_done.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
                continue;
            }
            if !batch.is_empty() {
                flushed_after_units = false;
            }
            // Total = what this job stored or gave up on + what is still waiting.
            if let (Some(id), false) = (&account_id, batch.is_empty()) {
                let pending: i64 = self
                    .vault
                    .read(|r| r.client(&run.client_id)?.lib_asset_counts(id))
                    .map(|c| {
                        c.iter()
                            .filter(|(s, _)| s == "pending")
                            .map(|(_, n)| *n)
                            .sum()
                    })
                    .unwrap_or(0);
                let (done, failed) = job
                    .progress
                    .iter()
                    .find(|p| p.kind == "assets")
                    .map_or((0, 0), |p| (p.done, p.failed));
                run.write(WriteMsg::Step(Box::new(StepWrite {
                    totals: vec![("assets".into(), done + failed + pending)],
                    ..StepWrite::default()
                })))
                .await;
            }
            queue.extend(batch);
            // Keep every download slot busy: a finished download makes room for the next
            // one at once (no waiting for a whole batch), and more pending assets are read
            // as soon as the queue runs low.
            while !queue.is_empty() || !set.is_empty() {
                while set.len() < tasks && !queue.is_empty() {
                    let asset = queue.pop_front().expect("queued");
                    let (videos, requests, this, run) =
                        (videos.clone(), requests.clone(), self.clone(), run.clone());
                    let task = async move {
                        let _video = if asset.kind == "video" {
                            Some(videos.acquire_owned().await)
                        } else {
                            None
                        };
                        let Ok(request) = requests.acquire_owned().await else {
                            return;
                        };
                        if run.stopped() {
                            return;
                        }
                        let fetched = this.fetch_with_retries(&run, &asset).await;
                        drop(request);
                        let msg = match fetched {
                            Ok(dl) => match this.seal(dl).await {
                                Ok((file, mime)) => WriteMsg::Asset {
                                    asset_id: asset.id.clone(),
                                    file,
                                    mime,
                                },
                                Err(e) => WriteMsg::AssetFailed {
                                    message: format!("could not store the file: {e}"),
                                    asset,
                                },
                            },
                            Err(e) => WriteMsg::AssetFailed {
                                message: e.to_string(),
                                asset,
                            },
                        };
                        run.write(msg).await;
                    };
                    match &self.fetcher {
                        Some(fetcher) => set.spawn_on(task, fetcher.handle()),
                        None => set.spawn(task),
                    };
                }
                if run.stopped() {
                    set.abort_all();
                    return;
                }
                let _ = set.join_next().await;
                if queue.len() < tasks {
                    break;
                }
            }
        }
    }

    /// Seal downloaded bytes into a staged asset file on a blocking thread (encryption and
    /// the file's sync stay off the async workers and off the writer).
    async fn seal(&self, dl: Downloaded) -> std::result::Result<(StagedFile, String), String> {
        let files = self.vault.asset_files().map_err(|e| e.to_string())?;
        let Downloaded {
            bytes,
            sha256,
            mime,
        } = dl;
        let file = tokio::task::spawn_blocking(move || files.stage(&sha256, bytes))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        Ok((file, mime))
    }

    async fn fetch_with_retries(
        &self,
        run: &Run,
        asset: &PendingAsset,
    ) -> std::result::Result<Downloaded, DownloadError> {
        let mut attempt = 0;
        loop {
            match download::fetch(
                &self.downloads,
                &asset.url,
                &asset.kind,
                &self.options.size_limits,
            )
            .await
            {
                Err(e) if e.is_transient() && attempt < 3 && !run.stopped() => {
                    attempt += 1;
                    tokio::time::sleep(jitter(
                        self.options.base_backoff.saturating_mul(1 << attempt),
                    ))
                    .await;
                }
                other => return other,
            }
        }
    }

    /// Settle a pull whose units all finished: merge some search-index segments, link
    /// parents, mark removals, refresh lifetime totals; the number of objects marked removed.
    fn settle(&self, run: &Run) -> Result<usize> {
        Ok(self.vault.write(Origin::Import, |w| {
            let units = w.read().client(&run.client_id)?.import_units(&run.job_id)?;
            let stage_done = |stage: &str| {
                let of: Vec<_> = units.iter().filter(|u| u.stage == stage).collect();
                !of.is_empty() && of.iter().all(|u| u.state == "done")
            };
            let full = run.scope.campaigns.is_empty();
            let levels: Vec<&str> = [
                ("campaigns", "campaign"),
                ("ad_groups", "ad_group"),
                ("ads", "ad"),
            ]
            .into_iter()
            .filter(|(stage, _)| full && stage_done(stage))
            .map(|(_, level)| level)
            .collect();
            // Some segment merging of the search index after every import keeps lookups short.
            w.merge_library_search(500)?;
            w.client(&run.client_id)?.finish_import_pull(
                &run.job_id,
                &levels,
                full && stage_done("creatives"),
            )
        })?)
    }

    /// How a run whose units all finished went, once its pull is settled (`settled`: the
    /// objects marked removed, or why settling failed).
    fn finish(
        &self,
        run: &Run,
        settled: Result<usize>,
    ) -> (String, Option<String>, Option<String>, Option<String>) {
        let result = settled.and_then(|removed| {
            Ok(self.vault.read(|r| {
                let client = r.client(&run.client_id)?;
                let job = client.import_job(&run.job_id)?;
                let failed_units = client
                    .import_units(&run.job_id)?
                    .iter()
                    .filter(|u| u.state == "failed")
                    .count();
                Ok((job, failed_units, removed))
            })?)
        });
        match result {
            Ok((job, failed_units, removed)) => {
                let failed_items: i64 = job.progress.iter().map(|p| p.failed).sum();
                let removed_note = if removed > 0 {
                    format!(" {removed} objects no longer on the platform were marked removed.")
                } else {
                    String::new()
                };
                if failed_units == 0 && failed_items == 0 && job.error_count == 0 {
                    (
                        "completed".into(),
                        None,
                        Some(format!("Imported.{removed_note}")),
                        None,
                    )
                } else {
                    let n = job.error_count.max(failed_items);
                    (
                        "completed_with_errors".into(),
                        None,
                        Some(format!("Imported, but {n} item(s) could not be; see the list and retry them.{removed_note}")),
                        None,
                    )
                }
            }
            Err(e) => (
                "failed".into(),
                Some("error".into()),
                Some(e.to_string()),
                None,
            ),
        }
    }
}

impl Run {
    fn source_name(&self) -> String {
        self.access
            .try_read()
            .map(|a| a.descriptor.display_name.to_string())
            .unwrap_or_else(|_| "The platform".into())
    }
}

/// The progress counter a stage feeds, if any.
fn stage_kind(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::Campaigns => Some("campaigns"),
        Stage::AdGroups => Some("ad_groups"),
        Stage::Ads => Some("ads"),
        Stage::Creatives => Some("creatives"),
        Stage::Metrics => Some("metric_days"),
        Stage::Account | Stage::Assets => None,
    }
}

fn broken_kind(kind: &str) -> &'static str {
    match kind {
        "campaign" => "campaigns",
        "ad_group" => "ad_groups",
        "ad" => "ads",
        "creative" => "creatives",
        "asset" => "assets",
        _ => "metric_days",
    }
}

/// Turn a step's records into the write that stores them with the unit's new cursor.
fn step_write(
    run: &Run,
    spec: &UnitSpec,
    step: Step,
    first_page: bool,
    cursor: Option<String>,
    state: &str,
) -> StepWrite {
    let mut w = StepWrite {
        unit_key: spec.key.clone(),
        cursor,
        unit_state: state.into(),
        requests: step.requests,
        ..StepWrite::default()
    };
    let mut counts: HashMap<&'static str, (i64, i64)> = HashMap::new();
    for record in step.records {
        match record {
            Record::Account(mut a) => {
                a.connection_id = Some(run.connection_id.clone());
                w.account = Some(a);
            }
            Record::Object(o) => {
                counts.entry(progress_kind(&o.level)).or_default().0 += 1;
                w.objects.push(o);
            }
            Record::Creative(c) => {
                counts.entry("creatives").or_default().0 += 1;
                w.creatives.push(c);
            }
            Record::Asset(a) => w.assets.push(a),
            Record::Metric(m) => w.metrics.push(m),
            Record::Broken {
                kind,
                external_id,
                message,
            } => {
                counts.entry(broken_kind(&kind)).or_default().1 += 1;
                w.errors.push((kind, external_id, message));
            }
        }
    }
    if spec.stage == Stage::Metrics && state == "done" {
        counts.entry("metric_days").or_default().0 += i64::from(spec.days);
    }
    w.progress = counts
        .into_iter()
        .map(|(k, (d, f))| (k.to_owned(), d, f))
        .collect();
    if let (true, Some(total), Some(kind)) = (first_page, step.total, stage_kind(spec.stage)) {
        if spec.stage != Stage::Metrics {
            w.totals
                .push((kind.to_owned(), i64::try_from(total).unwrap_or(i64::MAX)));
        }
    }
    w
}

/// The job's single writer: batches queued writes into one transaction each. A batch that
/// fails is retried message by message, so one bad page fails only its own unit.
/// When the writer stops gathering and writes.
struct Gather {
    /// Messages per transaction at most.
    batch: usize,
    /// How long to gather after the first message.
    window: Duration,
    /// Pages (page slots held) that end the gathering early.
    pages: usize,
}

fn writer_loop(
    vault: &Vault,
    client_id: &str,
    job_id: &str,
    mut rx: mpsc::Receiver<Queued>,
    Gather {
        batch,
        window,
        pages,
    }: Gather,
    failed: &Mutex<Option<String>>,
) {
    use tokio::sync::mpsc::error::TryRecvError;
    while let Some(Queued(first, permit)) = rx.blocking_recv() {
        let mut flushes = Vec::new();
        let mut msgs = Vec::new();
        // Page slots are given back once the batch holding them is written.
        let mut permits: Vec<_> = permit.into_iter().collect();
        match first {
            WriteMsg::Flush(tx) => flushes.push(tx),
            m => msgs.push(m),
        }
        // Group commit: gather what arrives within the window (a flush, a full batch, or
        // half the page slots ends it early). The window is a throughput knob, not logic: it
        // only decides how many steps share a transaction.
        // why: page slots come back only once their batch is written, so a batch holding
        // every slot waited out the window with all listing units blocked; writing at half
        // the slots lets the units fill the other half meanwhile (insights pages read went
        // from about 55 to about 90 per second in the quarter-scale import benchmark).
        let deadline = std::time::Instant::now() + window;
        'gather: while flushes.is_empty() {
            while msgs.len() < batch {
                match rx.try_recv() {
                    Ok(Queued(WriteMsg::Flush(tx), _)) => {
                        flushes.push(tx);
                        break 'gather;
                    }
                    Ok(Queued(m, permit)) => {
                        msgs.push(m);
                        permits.extend(permit);
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => break 'gather,
                }
            }
            let now = std::time::Instant::now();
            if msgs.len() >= batch || permits.len() >= pages || now >= deadline {
                break;
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(5)));
        }
        if !msgs.is_empty() {
            let all = vault.write(Origin::Import, |w| {
                let mut c = w.client(client_id)?;
                for m in &msgs {
                    apply(&mut c, job_id, m)?;
                }
                Ok(())
            });
            if let Err(e) = all {
                tracing::warn!(error = %e, "an import batch failed; writing it item by item");
                for m in &msgs {
                    let one = vault.write(Origin::Import, |w| {
                        apply(&mut w.client(client_id)?, job_id, m)
                    });
                    if let Err(e) = one {
                        let fallback = match m {
                            WriteMsg::Step(s) => vault.write(Origin::Import, |w| {
                                w.client(client_id)?.apply_import_step(
                                    job_id,
                                    &StepWrite {
                                        unit_key: s.unit_key.clone(),
                                        cursor: None,
                                        unit_state: "failed".into(),
                                        unit_error: Some(format!("could not store a page: {e}")),
                                        errors: vec![(
                                            "page".into(),
                                            s.unit_key.clone(),
                                            format!("could not store a page: {e}"),
                                        )],
                                        ..StepWrite::default()
                                    },
                                )
                            }),
                            WriteMsg::Asset { asset_id, .. } => vault.write(Origin::Import, |w| {
                                w.client(client_id)?.fail_lib_asset(
                                    asset_id,
                                    &format!("could not store the file: {e}"),
                                )
                            }),
                            _ => Ok(()),
                        };
                        if let Err(e) = fallback {
                            *failed.lock().expect("writer") =
                                Some(format!("the library could not be written: {e}"));
                        }
                    }
                }
            }
        }
        drop(permits);
        for tx in flushes {
            let _ = tx.send(());
        }
    }
}

fn apply(
    c: &mut switchboard_store::domain::ClientWrite<'_, '_>,
    job_id: &str,
    m: &WriteMsg,
) -> switchboard_store::Result<()> {
    match m {
        WriteMsg::Step(s) => c.apply_import_step(job_id, s),
        WriteMsg::Asset {
            asset_id,
            file,
            mime,
        } => {
            c.store_lib_asset_file(asset_id, file, mime)?;
            c.apply_import_step(
                job_id,
                &StepWrite {
                    progress: vec![("assets".into(), 1, 0)],
                    ..StepWrite::default()
                },
            )
        }
        WriteMsg::AssetFailed { asset, message } => {
            c.fail_lib_asset(&asset.id, message)?;
            c.apply_import_step(
                job_id,
                &StepWrite {
                    progress: vec![("assets".into(), 0, 1)],
                    errors: vec![("asset".into(), asset.platform_key.clone(), message.clone())],
                    ..StepWrite::default()
                },
            )
        }
        WriteMsg::Flush(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `hold` gets its slot without waiting (time is paused: waiting ends at once).
    async fn at_once(
        hold: impl std::future::Future<Output = Option<PageHold>>,
    ) -> Option<PageHold> {
        tokio::time::timeout(Duration::from_secs(1), hold)
            .await
            .ok()
            .map(|h| h.expect("the slots are open"))
    }

    #[tokio::test(start_paused = true)]
    async fn metrics_pages_leave_listing_pages_slots_of_their_own() {
        let slots = PageSlots::new(3);
        let mut metrics = Vec::new();
        for _ in 0..3 {
            metrics.push(at_once(slots.hold(true)).await.expect("a metrics slot"));
        }
        assert!(
            at_once(slots.hold(true)).await.is_none(),
            "a fourth metrics page waits"
        );
        let mut listings = Vec::new();
        for _ in 0..LISTING_PAGE_SLOTS {
            listings.push(
                at_once(slots.hold(false))
                    .await
                    .expect("a listing slot while metrics wait"),
            );
        }
        assert!(
            at_once(slots.hold(false)).await.is_none(),
            "every slot is held"
        );
        // A written listing page makes room for a listing page, not for a metrics page.
        listings.pop();
        assert!(at_once(slots.hold(true)).await.is_none());
        listings.push(
            at_once(slots.hold(false))
                .await
                .expect("the freed listing slot"),
        );
        // A written metrics page makes room for a metrics page.
        metrics.pop();
        assert!(at_once(slots.hold(true)).await.is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn listing_pages_may_use_every_slot_when_no_metrics_are_waiting() {
        let slots = PageSlots::new(3);
        let mut held = Vec::new();
        for _ in 0..3 + LISTING_PAGE_SLOTS {
            held.push(at_once(slots.hold(false)).await.expect("a free slot"));
        }
        assert!(at_once(slots.hold(false)).await.is_none());
        assert!(
            at_once(slots.hold(true)).await.is_none(),
            "a metrics page needs a page slot too"
        );
        held.pop();
        assert!(at_once(slots.hold(true)).await.is_some());
    }
}
