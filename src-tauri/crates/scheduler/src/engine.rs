//! The scheduler: one per process (the app, or `switchboard-cli scheduler run`), any number
//! per vault.
//!
//! * **Waking.** [`Scheduler::run`] never sleeps long: it waits until the next due time or
//!   the tick (≤ 30 s), whichever is sooner, or until [`Scheduler::wake`] (any queue change).
//!   Every wait is measured on the wall clock as well as the monotonic one: a wall clock that
//!   moved much further than the monotonic one means the machine slept (or the clock
//!   jumped), which is logged and answered with an immediate pass.
//! * **A pass** ([`Scheduler::tick`]): targets overdue beyond the staleness window become
//!   *missed* (so a clock jumped days ahead publishes nothing); each due target is claimed by a
//!   conditional update (two schedulers cannot both win) and published in its own task.
//! * **Publishing a target** follows its publisher's actions. An intent is stored before
//!   every irreversible action and each remote id as soon as it exists. Only what provably
//!   did not publish is retried (a refused connection, a rate limit, a failure before the
//!   post call); an uncertain answer to an irreversible call makes the target *unconfirmed*
//!   unless the platform, asked, shows the post.
//! * **Recovery.** Each scheduler holds an OS lock on `<lock_dir>/<id>.lock` while it runs.
//!   Targets left in `publishing` by a scheduler whose lock is free (it died) are adopted:
//!   open intents are looked up on the platform, and the target resumes, is settled, or
//!   becomes unconfirmed.

use crate::error::{Result, SchedulerError};
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_connect::Connector;
use switchboard_platforms::publish::{
    self, Action, ActionRole, Destination, FailureClass, Lookup, MediaFile, Outcome, Progress,
    PublishCtx, PublishError, PublishRequest, Publisher, StepResult, POST_KEY,
};
use switchboard_store::domain::{TargetEnd, TargetEvent, TargetWork};
use switchboard_store::{Clock, Origin, Vault};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;

/// How the scheduler behaves; the defaults are the product's.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Overdue by more than this → missed ("publish now or reschedule?").
    pub staleness: ChronoDuration,
    /// The longest wait between passes.
    pub tick: Duration,
    /// Tries of one target (retries of what provably did not publish) before it fails.
    pub max_attempts: i64,
    /// The first retry wait; doubles per try, with 10 % jitter, up to an hour.
    pub base_backoff: Duration,
    /// After a rate limit that says no reset time: the first wait before trying again
    /// (doubling per refusal in a row, up to an hour).
    pub rate_probe: Duration,
    /// Targets published at once per platform.
    pub per_platform: usize,
    /// How long one platform request may take before its outcome is unknown.
    pub request_timeout: Duration,
    /// The longest a media processing poll may be asked to wait, and how many polls.
    pub max_poll_wait: Duration,
    pub max_polls: u32,
    /// Where the lock files live (the data directory's `scheduler/`).
    pub lock_dir: PathBuf,
}

impl SchedulerOptions {
    pub fn new(lock_dir: PathBuf) -> Self {
        SchedulerOptions {
            staleness: ChronoDuration::hours(2),
            tick: Duration::from_secs(30),
            max_attempts: 6,
            base_backoff: Duration::from_secs(60),
            rate_probe: Duration::from_secs(5),
            per_platform: 4,
            request_timeout: Duration::from_secs(60),
            max_poll_wait: Duration::from_secs(20),
            max_polls: 90,
            lock_dir,
        }
    }
}

type PublisherLookup = dyn Fn(&str) -> Option<Arc<dyn Publisher>> + Send + Sync;
type EventListener = dyn Fn(&TargetEvent) + Send + Sync;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub missed: usize,
    pub claimed: usize,
    pub recovered: usize,
}

pub struct Scheduler {
    id: String,
    vault: Arc<Vault>,
    connector: Arc<Connector>,
    clock: Arc<dyn Clock>,
    http: reqwest::Client,
    publishers: Box<PublisherLookup>,
    options: SchedulerOptions,
    wake: Notify,
    in_flight: Mutex<HashSet<String>>,
    limits: Mutex<HashMap<String, Arc<Semaphore>>>,
    tasks: tokio::sync::Mutex<JoinSet<()>>,
    listeners: Mutex<Vec<Box<EventListener>>>,
    /// Accounts waiting out a rate limit, until when: their other targets wait too instead
    /// of each being refused in turn.
    gates: Mutex<HashMap<String, Gate>>,
    _lock: File,
}

/// An account waiting out a rate limit.
#[derive(Debug, Clone, Copy)]
struct Gate {
    until: DateTime<Utc>,
    /// Refusals in a row that came without the platform saying when to come back.
    strikes: u32,
}

/// The rate-limited unit: one destination of one connection.
fn gate_key(work: &TargetWork) -> String {
    format!(
        "{}|{}",
        work.target.connection_id.as_deref().unwrap_or(""),
        work.target.destination_id
    )
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn lock_path(dir: &std::path::Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.lock"))
}

/// Whether the scheduler `id` still runs: its lock file is held.
fn is_alive(dir: &std::path::Path, id: &str) -> bool {
    let Ok(f) = File::options()
        .read(true)
        .write(true)
        .open(lock_path(dir, id))
    else {
        return false;
    };
    match f.try_lock() {
        Ok(()) => {
            let _ = f.unlock();
            false
        }
        Err(_) => true,
    }
}

impl Scheduler {
    /// A scheduler over the vault, publishing through the built-in publishers.
    pub fn new(
        vault: Arc<Vault>,
        connector: Arc<Connector>,
        clock: Arc<dyn Clock>,
        options: SchedulerOptions,
    ) -> Result<Arc<Self>> {
        Self::with_publishers(
            vault,
            connector,
            clock,
            options,
            Box::new(publish::publisher),
        )
    }

    /// The same, with the publishers looked up elsewhere (tests).
    pub fn with_publishers(
        vault: Arc<Vault>,
        connector: Arc<Connector>,
        clock: Arc<dyn Clock>,
        options: SchedulerOptions,
        publishers: Box<PublisherLookup>,
    ) -> Result<Arc<Self>> {
        std::fs::create_dir_all(&options.lock_dir)?;
        let id = uuid::Uuid::now_v7().to_string();
        let lock = File::options()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(lock_path(&options.lock_dir, &id))?;
        lock.try_lock().map_err(|e| {
            SchedulerError::Busy(format!("the scheduler lock is held elsewhere: {e}"))
        })?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "this machine".into());
        vault.write(Origin::Scheduler, |w| {
            w.register_scheduler(&id, &host, std::process::id())
        })?;
        let http = reqwest::Client::builder()
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend is compiled in");
        tracing::info!(scheduler = %id, "scheduler started");
        Ok(Arc::new(Scheduler {
            id,
            vault,
            connector,
            clock,
            http,
            publishers,
            options,
            wake: Notify::new(),
            in_flight: Mutex::new(HashSet::new()),
            limits: Mutex::new(HashMap::new()),
            tasks: tokio::sync::Mutex::new(JoinSet::new()),
            listeners: Mutex::new(Vec::new()),
            gates: Mutex::new(HashMap::new()),
            _lock: lock,
        }))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Be told about every target the scheduler settles (published, failed, unconfirmed,
    /// missed, handed to the platform): notifications, the tray.
    pub fn on_event(&self, f: impl Fn(&TargetEvent) + Send + Sync + 'static) {
        self.listeners.lock().expect("listeners").push(Box::new(f));
    }

    fn emit(&self, e: &TargetEvent) {
        tracing::info!(target_id = %e.target_id, platform = %e.platform, state = %e.state, "post target settled");
        for l in self.listeners.lock().expect("listeners").iter() {
            l(e);
        }
    }

    /// Look again now (the queue changed, the machine woke up).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until `stop` resolves: a pass, then a wait until the next due time, the tick
    /// or a wake-up, whichever comes first.
    pub async fn run(self: Arc<Self>, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        if let Err(e) = self.recover().await {
            tracing::warn!(error = %e, "scheduler recovery failed; retrying on the next pass");
        }
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "scheduler pass failed");
            }
            let wait = self.next_wait();
            let (wall_before, mono_before) = (self.clock.now(), Instant::now());
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
            let wall = (self.clock.now() - wall_before).num_milliseconds();
            let mono = mono_before.elapsed().as_millis() as i64;
            if wall - mono > 60_000 {
                tracing::info!(
                    wall_ms = wall,
                    monotonic_ms = mono,
                    "the wall clock moved further than the wait: the machine slept or the clock jumped; re-checking now"
                );
                let _ = self
                    .vault
                    .write(Origin::Scheduler, |w| w.scheduler_heartbeat(&self.id));
            } else if wall < -1_000 {
                tracing::info!(wall_ms = wall, "the wall clock went back; re-checking now");
            }
        }
        self.shutdown().await;
    }

    /// How long to wait before the next pass.
    fn next_wait(&self) -> Duration {
        let now = self.clock.now();
        let next = self
            .vault
            .read(|r| r.next_due())
            .ok()
            .flatten()
            .and_then(|s| s.parse::<DateTime<Utc>>().ok());
        let until = match next {
            Some(t) if t > now => (t - now).to_std().unwrap_or(self.options.tick),
            Some(_) => Duration::from_millis(50),
            None => self.options.tick,
        };
        until.min(self.options.tick)
    }

    /// One pass: mark stale targets missed, recover targets of schedulers that died, claim
    /// and start every due target.
    pub async fn tick(self: &Arc<Self>) -> Result<TickReport> {
        let now = self.clock.now();
        let now_s = rfc3339(now);
        let cutoff = rfc3339(now - self.options.staleness);
        let missed = self.vault.write(Origin::Scheduler, |w| {
            w.scheduler_heartbeat(&self.id)?;
            w.mark_missed(&now_s, &cutoff)
        })?;
        for e in &missed {
            self.emit(e);
        }
        let recovered = self.recover().await?;
        let mut claimed = 0;
        loop {
            let due = self.vault.read(|r| r.due_targets(&now_s, 500))?;
            if due.is_empty() {
                break;
            }
            let mut any = false;
            for id in due {
                if self.in_flight.lock().expect("in flight").contains(&id) {
                    continue;
                }
                let won = self
                    .vault
                    .write(Origin::Scheduler, |w| w.claim_target(&id, &self.id, &now_s))?;
                if won {
                    claimed += 1;
                    any = true;
                    self.spawn(id).await;
                }
            }
            if !any {
                break;
            }
        }
        Ok(TickReport {
            missed: missed.len(),
            claimed,
            recovered,
        })
    }

    /// Adopt targets left in `publishing` by schedulers that are gone (their lock is free).
    pub async fn recover(self: &Arc<Self>) -> Result<usize> {
        let stuck = self.vault.read(|r| r.publishing_targets())?;
        let mut n = 0;
        for (target, claimer) in stuck {
            if claimer.as_deref() == Some(self.id.as_str()) {
                continue;
            }
            if let Some(c) = &claimer {
                if is_alive(&self.options.lock_dir, c) {
                    continue;
                }
            }
            let adopted = self.vault.write(Origin::Scheduler, |w| {
                w.adopt_target(&target, claimer.as_deref(), &self.id)
            })?;
            if adopted {
                tracing::info!(target_id = %target, from = ?claimer, "recovering a target a stopped scheduler was publishing");
                n += 1;
                self.spawn(target).await;
            }
        }
        Ok(n)
    }

    async fn spawn(self: &Arc<Self>, target: String) {
        self.in_flight
            .lock()
            .expect("in flight")
            .insert(target.clone());
        let this = self.clone();
        let mut tasks = self.tasks.lock().await;
        // Finished publishes are let go here, so a scheduler running for weeks holds only
        // the ones in progress.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            let platform = this
                .vault
                .read(|r| r.target_work(&target))
                .map(|w| w.target.platform)
                .unwrap_or_default();
            let sem = this
                .limits
                .lock()
                .expect("limits")
                .entry(platform)
                .or_insert_with(|| Arc::new(Semaphore::new(this.options.per_platform)))
                .clone();
            let _permit = sem.acquire_owned().await;
            if let Err(e) = this.publish_target(&target).await {
                tracing::warn!(target_id = %target, error = %e, "publishing stopped on a storage error; the target is recovered on the next start");
            }
            this.in_flight.lock().expect("in flight").remove(&target);
        });
    }

    /// Wait for every publish in progress (tests, shutdown).
    pub async fn idle(&self) {
        let mut tasks = self.tasks.lock().await;
        while tasks.join_next().await.is_some() {}
    }

    /// Finish what is in progress, then let go of the lease.
    pub async fn shutdown(&self) {
        self.idle().await;
        let _ = self
            .vault
            .write(Origin::Scheduler, |w| w.unregister_scheduler(&self.id));
    }

    fn backoff(&self, attempts: i64, floor: Option<Duration>) -> Duration {
        let base = self.options.base_backoff.as_millis() as u64;
        let exp = base.saturating_mul(1u64 << attempts.clamp(0, 12).saturating_sub(1) as u32);
        let capped = exp.min(3_600_000);
        let jitter = rand::rng().random_range(0..=capped / 10 + 1);
        let d = Duration::from_millis(capped + jitter);
        floor.map_or(d, |f| d.max(f))
    }

    fn finish(&self, target: &str, end: TargetEnd<'_>) -> Result<()> {
        let event = self.vault.write(Origin::Scheduler, |w| {
            w.finish_target(target, &self.id, &end)
        })?;
        self.emit(&event);
        Ok(())
    }

    /// Requeue a target that provably published nothing, or fail it after too many tries.
    fn retry_or_fail(&self, work: &TargetWork, err: &PublishError) -> Result<()> {
        let target = &work.target.id;
        let class = class_name(err.class);
        // A rate limit refused the request: nothing happened, so it does not count as a try
        // (the staleness window still bounds how long a target waits).
        let refused = err.class == FailureClass::RateLimited;
        if !refused && work.target.attempts >= self.options.max_attempts {
            let message = format!("gave up after {} tries: {}", work.target.attempts, err.raw);
            return self.finish(
                target,
                TargetEnd {
                    state: "failed",
                    remote_id: None,
                    remote_url: None,
                    reason: Some(class),
                    message: Some(&message),
                    note: None,
                },
            );
        }
        let now = self.clock.now();
        let wait = match (err.class, err.retry_after) {
            // The platform said when: exactly then (plus a little jitter so a queue of
            // targets does not arrive in the same millisecond).
            (FailureClass::RateLimited, Some(after)) => {
                after + Duration::from_millis(rand::rng().random_range(0..=250))
            }
            // A limit with no reset given (LinkedIn): probe again soon, twice as late after
            // each refusal in a row, up to an hour; a success ends it.
            (FailureClass::RateLimited, None) => {
                let strikes = self
                    .gates
                    .lock()
                    .expect("gates")
                    .get(&gate_key(work))
                    .map_or(0, |g| g.strikes);
                let probe = self.options.rate_probe.as_millis() as u64;
                Duration::from_millis(probe.saturating_mul(1 << strikes.min(12)).min(3_600_000))
            }
            _ => self.backoff(work.target.attempts, err.retry_after),
        };
        let next = now + ChronoDuration::from_std(wait).unwrap_or_default();
        if refused {
            let mut gates = self.gates.lock().expect("gates");
            let gate = gates.entry(gate_key(work)).or_insert(Gate {
                until: next,
                strikes: 0,
            });
            // Several targets in flight may be refused for one limit: one strike per limit.
            if gate.until <= now || err.retry_after.is_some() {
                gate.strikes = if err.retry_after.is_some() {
                    0
                } else {
                    gate.strikes + 1
                };
            }
            gate.until = gate.until.max(next);
        }
        let message = format!("will try again at {}: {}", rfc3339(next), err.raw);
        self.vault.write(Origin::Scheduler, |w| {
            w.requeue_target(
                target,
                &self.id,
                &rfc3339(next),
                Some(class),
                Some(&message),
                refused,
            )
        })?;
        self.wake();
        Ok(())
    }

    fn request(&self, work: &TargetWork) -> Result<PublishRequest> {
        let post = &work.post;
        let media = post
            .media
            .iter()
            .map(|m| {
                let bytes = self.vault.read(|r| r.blob_bytes(&m.sha256))?;
                Ok(MediaFile {
                    id: m.id.clone(),
                    mime: m.mime.clone(),
                    bytes: Arc::new(bytes),
                    alt: m.alt.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let due = post
            .due_at
            .as_deref()
            .or(work.target.due_at.as_deref())
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| self.clock.now());
        Ok(PublishRequest {
            target_id: work.target.id.clone(),
            destination: Destination {
                id: work.target.destination_id.clone(),
                name: work.target.destination_name.clone(),
                kind: work.target.destination_kind.clone(),
            },
            text: work
                .target
                .body
                .clone()
                .unwrap_or_else(|| post.body.clone()),
            link: post.link.clone(),
            media,
            first_comment: post.first_comment.clone(),
            thread: post.thread.clone(),
            due,
            native_schedule: post.native_schedule,
        })
    }

    /// Publish one claimed target to its end state (or back into the queue).
    async fn publish_target(&self, target: &str) -> Result<()> {
        let work = self.vault.read(|r| r.target_work(target))?;
        let fail = |reason: &str, message: &str| {
            self.finish(
                target,
                TargetEnd {
                    state: "failed",
                    remote_id: None,
                    remote_url: None,
                    reason: Some(reason),
                    message: Some(message),
                    note: None,
                },
            )
        };
        let Some(publisher) = (self.publishers)(&work.target.platform) else {
            return fail(
                "permanent",
                &format!(
                    "Switchboard does not publish to {} yet",
                    work.target.platform
                ),
            );
        };
        // The account is waiting out a rate limit: wait with it, without spending a try.
        let gate = self
            .gates
            .lock()
            .expect("gates")
            .get(&gate_key(&work))
            .map(|g| g.until);
        if let Some(until) = gate.filter(|g| *g > self.clock.now()) {
            let message = format!(
                "waiting for the platform's rate limit until {}",
                rfc3339(until)
            );
            self.vault.write(Origin::Scheduler, |w| {
                w.requeue_target(
                    target,
                    &self.id,
                    &rfc3339(until),
                    Some("rate_limited"),
                    Some(&message),
                    true,
                )
            })?;
            return Ok(());
        }
        let Some(connection_id) = work.target.connection_id.clone() else {
            return fail(
                "reconnect",
                "the connection this post was composed for was removed; choose another account",
            );
        };
        // A fresh token (renewed first if it is close to expiry); a dead grant fails fast.
        let access = match self.connector.api_access(&connection_id).await {
            Ok(a) => a,
            Err(e) if matches!(e.code(), "needs_reconnect" | "not_found") => {
                return fail("reconnect", &format!("Reconnect needed: {e}"));
            }
            Err(e) => {
                let err = PublishError::new(FailureClass::NotSent, e.to_string());
                return self.retry_or_fail(&work, &err);
            }
        };
        let req = self.request(&work)?;
        let mut progress = Progress::default();
        for (key, value, url) in &work.steps {
            progress.steps.insert(
                key.clone(),
                StepResult {
                    value: value.clone(),
                    url: url.clone(),
                },
            );
        }
        let ctx = |now| PublishCtx {
            http: &self.http,
            descriptor: &access.descriptor,
            app: &access.app,
            token: &access.token,
            now,
        };

        // Intents left open by a crash or an uncertain answer: ask the platform.
        for (attempt, key, role) in &work.open_attempts {
            let action = Action::new(key.clone(), role_of(role));
            match publisher
                .find(&ctx(self.clock.now()), &req, &progress, &action)
                .await
            {
                Ok(Lookup::Found(found)) => {
                    self.vault.write(Origin::Scheduler, |w| {
                        w.record_step(target, key, &found.value, found.url.as_deref())?;
                        w.end_attempt(
                            *attempt,
                            "found",
                            Some("found on the platform after a restart"),
                        )
                    })?;
                    progress.steps.insert(key.clone(), found);
                }
                Ok(Lookup::NotFound) => {
                    self.vault.write(Origin::Scheduler, |w| {
                        w.end_attempt(
                            *attempt,
                            "not_found",
                            Some("not on the platform after a restart"),
                        )
                    })?;
                }
                Ok(Lookup::CannotTell) | Err(_) => {
                    let why = "Switchboard stopped while this was being published and the platform cannot say whether it went out. Check the account before publishing it again.";
                    return self.finish(
                        target,
                        TargetEnd {
                            state: "unconfirmed",
                            remote_id: progress.get(POST_KEY).map(|s| s.value.as_str()),
                            remote_url: progress.get(POST_KEY).and_then(|s| s.url.as_deref()),
                            reason: Some("interrupted"),
                            message: Some(why),
                            note: None,
                        },
                    );
                }
            }
        }

        // The staleness rule also holds for a target resumed late (after a crash).
        if !progress.has(POST_KEY) && self.clock.now() - req.due > self.options.staleness {
            let msg = "not published: it was interrupted and is now long past its time. Publish now or reschedule?";
            return self.finish(
                target,
                TargetEnd {
                    state: "missed",
                    remote_id: None,
                    remote_url: None,
                    reason: Some("stale"),
                    message: Some(msg),
                    note: None,
                },
            );
        }

        let mut notes: Vec<String> = Vec::new();
        let mut polls = 0u32;
        while let Some(action) = publisher.next_action(&req, &progress) {
            let attempt = if action.role.irreversible() {
                Some(self.vault.write(Origin::Scheduler, |w| {
                    w.begin_attempt(target, &action.key, role_name(action.role), &self.id)
                })?)
            } else {
                None
            };
            let result = publisher
                .perform(&ctx(self.clock.now()), &req, &progress, &action)
                .await;
            match result {
                Ok(Outcome::Done(done)) => {
                    self.vault.write(Origin::Scheduler, |w| {
                        w.record_step(target, &action.key, &done.value, done.url.as_deref())?;
                        if let Some(a) = attempt {
                            w.end_attempt(a, "done", None)?;
                        }
                        Ok(())
                    })?;
                    progress.steps.insert(action.key.clone(), done);
                    polls = 0;
                }
                Ok(Outcome::Again(after)) => {
                    if let Some(a) = attempt {
                        self.vault.write(Origin::Scheduler, |w| {
                            w.end_attempt(a, "failed", Some("asked to wait"))
                        })?;
                    }
                    polls += 1;
                    if polls > self.options.max_polls {
                        return fail(
                            "rejected",
                            "the platform was still processing the media after every check; try a smaller file",
                        );
                    }
                    tokio::time::sleep(after.min(self.options.max_poll_wait)).await;
                }
                Err(err) => {
                    return self
                        .failed_action(
                            &work,
                            &req,
                            &progress,
                            &*publisher,
                            &ctx(self.clock.now()),
                            &action,
                            attempt,
                            err,
                            &mut notes,
                        )
                        .await;
                }
            }
        }
        self.complete(&work, &progress, &notes)
    }

    fn complete(&self, work: &TargetWork, progress: &Progress, notes: &[String]) -> Result<()> {
        // The platform took a post: whatever limit the account waited out is over.
        self.gates.lock().expect("gates").remove(&gate_key(work));
        let post = progress.get(POST_KEY);
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let native = work.post.native_schedule && post.is_some();
        self.finish(
            &work.target.id,
            TargetEnd {
                state: if native {
                    "scheduled_remote"
                } else {
                    "published"
                },
                remote_id: post.map(|p| p.value.as_str()),
                remote_url: post.and_then(|p| p.url.as_deref()),
                reason: None,
                message: native.then_some("handed to the platform, which publishes it at its time"),
                note: note.as_deref(),
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    async fn failed_action(
        &self,
        work: &TargetWork,
        req: &PublishRequest,
        progress: &Progress,
        publisher: &dyn Publisher,
        ctx: &PublishCtx<'_>,
        action: &Action,
        attempt: Option<i64>,
        err: PublishError,
        notes: &mut Vec<String>,
    ) -> Result<()> {
        let target = &work.target.id;
        tracing::info!(target_id = %target, action = %action.key, class = ?err.class, "publish action failed");
        let provably_not_done = !matches!(err.class, FailureClass::Uncertain);
        if let Some(a) = attempt {
            if provably_not_done {
                self.vault.write(Origin::Scheduler, |w| {
                    w.end_attempt(a, "failed", Some(&err.raw))
                })?;
            }
        }
        let failed = |reason: &str, message: &str| {
            self.finish(
                target,
                TargetEnd {
                    state: "failed",
                    remote_id: None,
                    remote_url: None,
                    reason: Some(reason),
                    message: Some(message),
                    note: None,
                },
            )
        };
        // An uncertain answer to an irreversible call: the platform may have published.
        if action.role.irreversible() && !provably_not_done {
            let found = publisher.find(ctx, req, progress, action).await;
            if let Ok(Lookup::Found(done)) = found {
                self.vault.write(Origin::Scheduler, |w| {
                    w.record_step(target, &action.key, &done.value, done.url.as_deref())?;
                    w.end_attempt(
                        attempt.expect("irreversible actions have an intent"),
                        "found",
                        Some(&err.raw),
                    )
                })?;
                let mut progress = progress.clone();
                progress.steps.insert(action.key.clone(), done);
                // Carry on with the rest next time round (a restart resumes from the steps).
                return self.resume_after_found(work, &progress, notes);
            }
            // Not found right away proves nothing (the platform may not list it yet).
            if action.role == ActionRole::FollowUp {
                notes.push(format!(
                    "{}: the platform's answer was lost ({}); check whether it appeared",
                    follow_up_name(&action.key),
                    err.raw
                ));
                if let Some(a) = attempt {
                    self.vault.write(Origin::Scheduler, |w| {
                        w.end_attempt(a, "unknown", Some(&err.raw))
                    })?;
                }
                return self.complete(work, progress, notes);
            }
            if let Some(a) = attempt {
                self.vault.write(Origin::Scheduler, |w| {
                    w.end_attempt(a, "unknown", Some(&err.raw))
                })?;
            }
            let message = format!(
                "The platform may have published this but did not confirm it ({}). Check the account; Switchboard will not post it again by itself.",
                err.raw
            );
            return self.finish(
                target,
                TargetEnd {
                    state: "unconfirmed",
                    remote_id: None,
                    remote_url: None,
                    reason: Some("uncertain"),
                    message: Some(&message),
                    note: None,
                },
            );
        }
        // A follow-up that provably failed leaves the post published, with a note.
        if action.role == ActionRole::FollowUp && progress.has(POST_KEY) {
            notes.push(format!(
                "{} was not posted: {}",
                follow_up_name(&action.key),
                err.raw
            ));
            return self.complete(work, progress, notes);
        }
        match err.class {
            FailureClass::NotSent | FailureClass::RateLimited | FailureClass::Uncertain => {
                self.retry_or_fail(work, &err)
            }
            FailureClass::Rejected => failed("rejected", &err.raw),
            FailureClass::Reconnect => {
                failed("reconnect", &format!("Reconnect needed: {}", err.raw))
            }
            FailureClass::Permanent => failed("permanent", &err.raw),
        }
    }

    /// After a lost answer turned out to be a success: go on from the stored steps.
    fn resume_after_found(
        &self,
        work: &TargetWork,
        progress: &Progress,
        notes: &[String],
    ) -> Result<()> {
        let publisher = (self.publishers)(&work.target.platform);
        let req_done = publisher.is_none_or(|p| {
            self.request(work)
                .map(|req| p.next_action(&req, progress).is_none())
                .unwrap_or(true)
        });
        if req_done {
            return self.complete(work, progress, notes);
        }
        // More to do (thread parts, a comment): back in the queue right away; the steps and
        // the closed intent make the next run continue, not repeat.
        let now = rfc3339(self.clock.now());
        self.vault.write(Origin::Scheduler, |w| {
            w.requeue_target(
                &work.target.id,
                &self.id,
                &now,
                Some("resumed"),
                Some("continuing after a lost answer"),
                false,
            )
        })?;
        self.wake();
        Ok(())
    }
}

fn role_of(s: &str) -> ActionRole {
    match s {
        "post" => ActionRole::Post,
        "follow_up" => ActionRole::FollowUp,
        "poll" => ActionRole::Poll,
        _ => ActionRole::Prepare,
    }
}

fn role_name(r: ActionRole) -> &'static str {
    match r {
        ActionRole::Post => "post",
        ActionRole::FollowUp => "follow_up",
        ActionRole::Poll => "poll",
        ActionRole::Prepare => "prepare",
    }
}

fn class_name(c: FailureClass) -> &'static str {
    match c {
        FailureClass::NotSent => "not_sent",
        FailureClass::RateLimited => "rate_limited",
        FailureClass::Uncertain => "uncertain",
        FailureClass::Rejected => "rejected",
        FailureClass::Reconnect => "reconnect",
        FailureClass::Permanent => "permanent",
    }
}

fn follow_up_name(key: &str) -> String {
    match key.split_once(':') {
        Some(("thread", i)) => format!(
            "thread part {}",
            i.parse::<usize>().map(|n| n + 1).unwrap_or(0)
        ),
        _ if key == "comment" => "the first comment".into(),
        _ => key.to_owned(),
    }
}
