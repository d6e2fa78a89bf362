//! Scheduler benchmark (the figures of the publishing issue):
//!
//! * **lateness**: 100,000 targets queued, of which `SB_BENCH_DUE` (default 2,000) fall due
//!   at random moments of the next `SB_BENCH_WINDOW_S` seconds (default 60); the real run
//!   loop (wall clock, sleeps until the next due time or the 30 s tick) publishes them
//!   through a publisher that only records when it was called. Lateness = call time − due
//!   time; p50 / p99 / max.
//! * **idle CPU**: the scheduler running over 100,000 queued targets none of which is due
//!   for a day, for `SB_BENCH_IDLE_S` seconds (default 60): process CPU time ÷ wall time.
//! * **memory**: resident memory of a process running the scheduler over an empty queue vs
//!   over 100,000 queued targets (each in its own child process, after the same warm-up).
//!
//! Run: `cargo bench -p switchboard-scheduler --bench scheduler` (inside `.ci/session`, or
//! with a passphrase vault as here: no keyring needed).

use async_trait::async_trait;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rand::Rng;
use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_connect::Connector;
use switchboard_oauth::EndpointOverrides;
use switchboard_platforms::publish::{
    Action, ActionRole, Destination, Lookup, Outcome, Progress, PublishCtx, PublishError,
    PublishRequest, Publisher, StepResult, POST_KEY,
};
use switchboard_scheduler::{Scheduler, SchedulerOptions};
use switchboard_store::domain::{
    AppCredentialInput, Due, NewClient, NewConnection, PostInput, StoredTokens, TargetInput,
};
use switchboard_store::{NewKey, NoKeyring, OpenOptions, Origin, SystemClock, Vault, VaultPaths};

const QUEUED: usize = 100_000;
const PASSPHRASE: &str = "bench-passphrase-scheduler";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Records when each target's post call came.
#[derive(Default)]
struct Recorder {
    lateness_ms: Mutex<Vec<f64>>,
}

#[async_trait]
impl Publisher for Recorder {
    fn platform(&self) -> &'static str {
        "x"
    }
    async fn destinations(&self, _: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError> {
        Ok(Vec::new())
    }
    fn next_action(&self, _: &PublishRequest, p: &Progress) -> Option<Action> {
        (!p.has(POST_KEY)).then(|| Action::new(POST_KEY, ActionRole::Post))
    }
    async fn perform(
        &self,
        _ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        _: &Progress,
        _: &Action,
    ) -> Result<Outcome, PublishError> {
        let late = (Utc::now() - req.due).num_microseconds().unwrap_or(0) as f64 / 1000.0;
        self.lateness_ms.lock().unwrap().push(late);
        Ok(Outcome::Done(StepResult {
            value: req.target_id.clone(),
            url: None,
        }))
    }
    async fn find(
        &self,
        _: &PublishCtx<'_>,
        _: &PublishRequest,
        _: &Progress,
        _: &Action,
    ) -> Result<Lookup, PublishError> {
        Ok(Lookup::NotFound)
    }
}

fn open(dir: &std::path::Path, create: bool) -> Arc<Vault> {
    let mut o = OpenOptions::new(Arc::new(NoKeyring), Arc::new(SystemClock));
    o.passphrase = Some(SecretString::from(PASSPHRASE.to_owned()));
    if create {
        o.create = Some(NewKey::Auto);
    }
    Arc::new(Vault::open(VaultPaths::new(dir), o).expect("vault"))
}

/// A vault with a client, an X connection holding a long-lived token, and `due` targets
/// at the given instants plus `queued - due.len()` targets a day or more ahead.
fn build(dir: &std::path::Path, queued: usize, due: &[DateTime<Utc>]) {
    let vault = open(dir, true);
    let now = Utc::now();
    vault
        .write(Origin::User, |w| {
            w.ensure_workspace("Bench agency")?;
            let app = w.create_app_credential(
                "x",
                AppCredentialInput {
                    client_id: Some("bench".into()),
                    ..Default::default()
                },
            )?;
            let client = w.create_client(NewClient {
                name: "Bench client".into(),
                timezone: Some("Europe/Paris".into()),
                notes: None,
            })?;
            let conn_id = "bench-x-connection";
            w.save_connection(
                &NewConnection {
                    id: conn_id,
                    client_id: &client.id,
                    brand_id: None,
                    platform: "x",
                    app_credential_id: &app.id,
                    account_id: Some("bench-user"),
                    account_name: Some("Bench"),
                    capabilities: &["publish".to_owned()],
                    scopes_requested: &[],
                    redirect_uri: "http://127.0.0.1/callback/x",
                },
                &StoredTokens {
                    access_token: SecretString::from("bench-access-token".to_owned()),
                    refresh_token: None,
                    id_token: None,
                    expires_at: Some((now + ChronoDuration::days(30)).to_rfc3339()),
                    refresh_expires_at: None,
                    scopes_granted: None,
                    extra: "{}".into(),
                    version: 0,
                },
            )?;
            let mut c = w.client(&client.id)?;
            let mut rng = rand::rng();
            for i in 0..queued {
                let at = match due.get(i) {
                    Some(t) => *t,
                    None => {
                        now + ChronoDuration::days(1)
                            + ChronoDuration::seconds(rng.random_range(0..30 * 86_400))
                    }
                };
                let post = c.save_post(
                    None,
                    &PostInput {
                        brand_id: None,
                        body: format!("bench post {i}"),
                        link: None,
                        first_comment: None,
                        thread: Vec::new(),
                        native_schedule: false,
                        targets: vec![TargetInput {
                            connection_id: conn_id.into(),
                            destination_id: "bench-user".into(),
                            destination_name: None,
                            destination_kind: "user".into(),
                            body: None,
                        }],
                    },
                )?;
                c.schedule_post(
                    &post.id,
                    &Due {
                        at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        zone: "Europe/Paris".into(),
                        wall_time: "2026-01-01T09:00".into(),
                    },
                )?;
            }
            Ok(())
        })
        .expect("bench vault");
}

fn scheduler(dir: &std::path::Path, recorder: Arc<Recorder>) -> Arc<Scheduler> {
    let vault = open(dir, false);
    let connector = Connector::new(
        vault.clone(),
        switchboard_oauth::client::http_client(&[]),
        Arc::new(SystemClock),
        EndpointOverrides::from_json("{}").unwrap(),
    )
    .unwrap();
    Scheduler::with_publishers(
        vault,
        connector,
        Arc::new(SystemClock),
        SchedulerOptions::new(dir.join("scheduler")),
        Box::new(move |_| Some(recorder.clone() as Arc<dyn Publisher>)),
    )
    .expect("scheduler")
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn cpu_seconds() -> f64 {
    // utime + stime from /proc/self/stat, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    ticks as f64 / 100.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Child process: open the vault at `dir`, run the scheduler idle for `secs`, print
/// `rss_kib cpu_s wall_s`.
fn child_idle(dir: &std::path::Path, secs: u64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = scheduler(dir, Arc::new(Recorder::default()));
        let run = tokio::spawn(
            s.clone()
                .run(tokio::time::sleep(Duration::from_secs(secs + 5))),
        );
        // Warm-up: the first passes (recovery, the due query) settle.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (cpu0, t0) = (cpu_seconds(), Instant::now());
        tokio::time::sleep(Duration::from_secs(secs)).await;
        let (cpu, wall) = (cpu_seconds() - cpu0, t0.elapsed().as_secs_f64());
        println!("RESULT {} {cpu:.3} {wall:.3}", rss_kib());
        let _ = run.await;
    });
}

fn run_child(mode: &str, dir: &std::path::Path, secs: u64) -> (u64, f64, f64) {
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .env("SB_BENCH_CHILD", mode)
        .env("SB_BENCH_CHILD_DIR", dir)
        .env("SB_BENCH_IDLE_S", secs.to_string())
        .arg("--bench")
        .output()
        .expect("child");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| {
            panic!(
                "child {mode} printed no result: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let v: Vec<&str> = line.split_whitespace().collect();
    (
        v[1].parse().unwrap(),
        v[2].parse().unwrap(),
        v[3].parse().unwrap(),
    )
}

fn main() {
    if let Ok(mode) = std::env::var("SB_BENCH_CHILD") {
        let dir = std::path::PathBuf::from(std::env::var("SB_BENCH_CHILD_DIR").unwrap());
        let _ = mode;
        child_idle(&dir, env_num("SB_BENCH_IDLE_S", 60));
        return;
    }
    let queued = env_num("SB_BENCH_QUEUED", QUEUED as u64) as usize;
    let due_n = env_num("SB_BENCH_DUE", 2_000) as usize;
    let window = env_num("SB_BENCH_WINDOW_S", 60);
    let idle = env_num("SB_BENCH_IDLE_S", 60);

    // Memory and idle CPU: empty queue vs 100k queued, each in a fresh process.
    let empty = tempfile::tempdir().unwrap();
    build(empty.path(), 0, &[]);
    let full = tempfile::tempdir().unwrap();
    let t = Instant::now();
    build(full.path(), queued, &[]);
    let build_time = t.elapsed();
    println!(
        "built a vault with {queued} queued targets in {:.1} s",
        build_time.as_secs_f64()
    );
    let (rss0, _, _) = run_child("idle", empty.path(), 10);
    let (rss_full, cpu, wall) = run_child("idle", full.path(), idle);
    println!(
        "memory: RSS {:.1} MiB with 0 queued, {:.1} MiB with {queued} queued (growth {:.1} MiB)",
        rss0 as f64 / 1024.0,
        rss_full as f64 / 1024.0,
        (rss_full as f64 - rss0 as f64) / 1024.0
    );
    println!(
        "idle CPU with {queued} queued: {:.3} s over {:.0} s = {:.3} % of a core",
        cpu,
        wall,
        100.0 * cpu / wall
    );

    // Lateness: `due_n` targets due at random moments of the next `window` seconds, among
    // `queued` in all.
    // The window opens after this vault is built and the scheduler is up (building takes
    // as long as the one above; twice that plus 10 s leaves room).
    let dir = tempfile::tempdir().unwrap();
    let lead = ChronoDuration::from_std(build_time * 2 + Duration::from_secs(10)).unwrap();
    let start = Utc::now() + lead;
    let mut rng = rand::rng();
    let mut due: Vec<DateTime<Utc>> = (0..due_n)
        .map(|_| start + ChronoDuration::milliseconds(rng.random_range(0..window as i64 * 1000)))
        .collect();
    due.sort();
    build(dir.path(), queued, &due);
    let recorder = Arc::new(Recorder::default());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let scheduler_up = rt.block_on(async {
        let s = scheduler(dir.path(), recorder.clone());
        let up = Utc::now();
        let until = (start + ChronoDuration::seconds(window as i64 + 5) - Utc::now())
            .to_std()
            .unwrap_or_default();
        s.clone().run(tokio::time::sleep(until)).await;
        up
    });
    assert!(
        scheduler_up < start,
        "the scheduler started after the window opened; the lateness would measure the build"
    );
    let mut late = recorder.lateness_ms.lock().unwrap().clone();
    late.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "lateness over {} of {due_n} due targets ({queued} queued): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        late.len(),
        percentile(&late, 0.5),
        percentile(&late, 0.99),
        late.last().copied().unwrap_or(f64::NAN)
    );
}
