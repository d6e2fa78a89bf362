//! A world for scheduler tests: the platform emulator (sign-in and, for the end-to-end
//! tests, the publishing APIs), a vault, a client in New York, connected X and LinkedIn
//! accounts, a fixed clock and a scheduler with short waits.
//!
//! The logic tests publish through [`FakePlatform`], an in-memory platform that counts
//! every post it accepts and can be told to fail in each of the ways real platforms do;
//! the real publishers are tested against the emulator in `publish.rs` and `kill.rs`.

#![allow(dead_code)]

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_connect::{BeginRequest, Connector};
use switchboard_emulator::{EmulatorConfig, RunningEmulator};
use switchboard_oauth::EndpointOverrides;
use switchboard_platforms::publish::{
    Action, ActionRole, Destination, FailureClass, Lookup, Outcome, Progress, PublishCtx,
    PublishError, PublishRequest, Publisher, StepResult, POST_KEY,
};
use switchboard_scheduler::{Scheduler, SchedulerOptions};
use switchboard_store::domain::{AppCredentialInput, Due, NewClient, PostInput, TargetInput};
use switchboard_store::{
    Clock, FixedClock, NewKey, NoKeyring, OpenOptions, Origin, Vault, VaultPaths,
};

pub const PASSPHRASE: &str = "CANARY-passphrase-scheduler-tests";
pub const ZONE: &str = "America/New_York";

pub struct World {
    pub dir: tempfile::TempDir,
    pub vault: Arc<Vault>,
    pub clock: Arc<FixedClock>,
    pub connector: Arc<Connector>,
    pub emu: RunningEmulator,
    pub client_id: String,
    pub x: String,
    pub linkedin: String,
}

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("a test instant")
}

pub fn options(dir: &std::path::Path) -> SchedulerOptions {
    SchedulerOptions {
        base_backoff: Duration::from_millis(1000),
        request_timeout: Duration::from_secs(2),
        max_poll_wait: Duration::from_millis(20),
        ..SchedulerOptions::new(dir.join("scheduler"))
    }
}

pub fn open_vault(dir: &std::path::Path, clock: Arc<FixedClock>, create: bool) -> Arc<Vault> {
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock);
    o.passphrase = Some(SecretString::from(PASSPHRASE.to_owned()));
    if create {
        o.create = Some(NewKey::Auto);
    }
    Arc::new(Vault::open(VaultPaths::new(dir), o).expect("vault"))
}

pub fn connector(vault: &Arc<Vault>, clock: Arc<FixedClock>, overrides: &str) -> Arc<Connector> {
    Connector::new(
        vault.clone(),
        switchboard_oauth::client::http_client(&[]),
        clock,
        EndpointOverrides::from_json(overrides).unwrap(),
    )
    .unwrap()
}

pub async fn world_with(config: EmulatorConfig, start: DateTime<Utc>) -> World {
    let emu = switchboard_emulator::start(config).await.expect("emulator");
    let dir = tempfile::tempdir().unwrap();
    // Sign in at the real time (the emulator's tokens carry real expiry), then move the
    // clock where the test wants it; tokens are long-lived enough for every test here.
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let vault = open_vault(dir.path(), clock.clone(), true);
    let connector = connector(&vault, clock.clone(), &emu.overrides_json());
    let client_id = vault
        .write(Origin::User, |w| {
            w.ensure_workspace("Agency")?;
            for p in ["x", "linkedin", "meta"] {
                w.create_app_credential(
                    p,
                    AppCredentialInput {
                        client_id: Some(format!("demo-{p}")),
                        client_secret: Some(SecretString::from(format!("CANARY-app-secret-{p}"))),
                        ..Default::default()
                    },
                )?;
            }
            Ok(w.create_client(NewClient {
                name: "Acme".into(),
                timezone: Some(ZONE.into()),
                notes: None,
            })?
            .id)
        })
        .unwrap();
    let mut w = World {
        dir,
        vault,
        clock,
        connector,
        emu,
        client_id,
        x: String::new(),
        linkedin: String::new(),
    };
    w.x = connect(&w, "x").await;
    w.linkedin = connect(&w, "linkedin").await;
    w.clock.set(start);
    w
}

pub async fn world(start: DateTime<Utc>) -> World {
    world_with(EmulatorConfig::default(), start).await
}

/// X and LinkedIn redirect to fixed loopback ports: sign-ins of parallel tests take turns.
static SIGN_IN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Sign in to `platform` through the emulator's consent (loopback redirect).
pub async fn connect(w: &World, platform: &str) -> String {
    let _turn = SIGN_IN.lock().await;
    let begun = w
        .connector
        .begin(BeginRequest {
            platform: platform.into(),
            client_id: w.client_id.clone(),
            ..Default::default()
        })
        .await
        .expect("begin");
    let redirect = w.emu.approve(&begun.authorize_url, "").expect("consent");
    assert_eq!(
        begun.redirect, "loopback",
        "{platform} signs in through loopback"
    );
    reqwest::get(&redirect).await.expect("listener");
    begun
        .outcome
        .await
        .unwrap()
        .expect("connected")
        .connection
        .id
}

/// A small real PNG (the platforms' media endpoints sniff it).
pub fn png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 4, 4);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()
            .unwrap()
            .write_image_data(&[200u8; 48])
            .unwrap();
    }
    out
}

impl World {
    /// A scheduler publishing through the real publishers (against the emulator).
    pub fn real_scheduler(&self) -> Arc<Scheduler> {
        Scheduler::new(
            self.vault.clone(),
            self.connector.clone(),
            self.clock.clone(),
            options(self.dir.path()),
        )
        .expect("scheduler")
    }

    /// Where a connection can publish, from the platform (the emulator).
    pub async fn destinations(&self, connection: &str) -> Vec<Destination> {
        let access = self.connector.api_access(connection).await.expect("access");
        let platform = access.connection.platform.clone();
        switchboard_platforms::publish::publisher(&platform)
            .expect("a publisher")
            .destinations(&PublishCtx {
                http: self.connector.http(),
                descriptor: &access.descriptor,
                app: &access.app,
                token: &access.token,
                now: self.clock.now(),
            })
            .await
            .expect("destinations")
    }

    /// Save a post to the given (connection, destination) targets, attach media, and
    /// schedule it at `at`; the post.
    pub fn compose(
        &self,
        input: PostInput,
        media: &[Vec<u8>],
        at: &str,
    ) -> switchboard_store::domain::Post {
        self.vault
            .write(Origin::User, |w| {
                let mut c = w.client(&self.client_id)?;
                let post = c.save_post(None, &input)?;
                for (i, m) in media.iter().enumerate() {
                    let sha = sha_hex(m);
                    c.add_post_media(
                        &post.id,
                        switchboard_store::domain::BlobIn {
                            sha256: &sha,
                            mime: "image/png",
                            bytes: m,
                        },
                        &format!("image-{i}.png"),
                        None,
                        "file",
                    )?;
                }
                c.schedule_post(
                    &post.id,
                    &Due {
                        at: at.into(),
                        zone: ZONE.into(),
                        wall_time: "2026-06-01T08:00".into(),
                    },
                )
            })
            .expect("composed")
    }

    pub fn scheduler(&self, platform: Arc<FakePlatform>) -> Arc<Scheduler> {
        Scheduler::with_publishers(
            self.vault.clone(),
            self.connector.clone(),
            self.clock.clone(),
            options(self.dir.path()),
            Box::new(move |_| Some(platform.clone() as Arc<dyn Publisher>)),
        )
        .expect("scheduler")
    }

    /// A post to the X account, scheduled at `wall` in the client's zone; its target id.
    pub fn schedule(&self, text: &str, wall: &str) -> String {
        let due = switchboard_scheduler::due::resolve(ZONE, wall).expect("a due time");
        self.schedule_at(text, &due.at, wall)
    }

    pub fn schedule_at(&self, text: &str, at: &str, wall: &str) -> String {
        let post = self
            .vault
            .write(Origin::User, |w| {
                let mut c = w.client(&self.client_id)?;
                let post = c.save_post(
                    None,
                    &PostInput {
                        brand_id: None,
                        body: text.into(),
                        link: None,
                        first_comment: None,
                        thread: Vec::new(),
                        native_schedule: false,
                        targets: vec![TargetInput {
                            connection_id: self.x.clone(),
                            destination_id: "emu-x-user-1".into(),
                            destination_name: Some("Acme on X".into()),
                            destination_kind: "user".into(),
                            body: None,
                        }],
                    },
                )?;
                c.schedule_post(
                    &post.id,
                    &Due {
                        at: at.into(),
                        zone: ZONE.into(),
                        wall_time: wall.into(),
                    },
                )
            })
            .expect("scheduled");
        post.targets[0].id.clone()
    }

    pub fn target(&self, id: &str) -> switchboard_store::domain::PostTarget {
        self.vault
            .read(|r| r.target_work(id))
            .expect("target")
            .target
    }

    pub fn states(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for row in self
            .vault
            .debug_query(
                "SELECT state FROM post_targets WHERE client_id = ?1",
                &self.client_id,
            )
            .unwrap()
        {
            *out.entry(row).or_default() += 1;
        }
        out
    }
}

pub fn sha_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// What the fake platform does on the next call of an action.
#[derive(Debug, Clone)]
pub enum Script {
    Fail(FailureClass, Option<Duration>),
    /// Publish, then lose the answer (a timeout after the platform accepted).
    AcceptThenLose,
}

/// An in-memory platform: counts posts per target, follows scripted faults per action key
/// prefix, and answers lookups from what it holds.
#[derive(Default)]
pub struct FakePlatform {
    pub posts: Mutex<Vec<(String, String, DateTime<Utc>)>>,
    pub calls: Mutex<Vec<String>>,
    scripts: Mutex<HashMap<String, VecDeque<Script>>>,
    pub lookups_unavailable: Mutex<bool>,
}

impl FakePlatform {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn script(&self, key: &str, s: Script) {
        self.scripts
            .lock()
            .unwrap()
            .entry(key.into())
            .or_default()
            .push_back(s);
    }

    pub fn count(&self) -> usize {
        self.posts.lock().unwrap().len()
    }

    pub fn count_for(&self, target: &str) -> usize {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, _, _)| t == target)
            .count()
    }

    /// As if the platform had accepted a post for `target` (a crash right after the call).
    pub fn hold(&self, target: &str, text: &str, at: DateTime<Utc>) {
        self.posts
            .lock()
            .unwrap()
            .push((target.into(), text.into(), at));
    }
}

#[async_trait]
impl Publisher for FakePlatform {
    fn platform(&self) -> &'static str {
        "x"
    }

    async fn destinations(&self, _ctx: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError> {
        Ok(Vec::new())
    }

    fn next_action(&self, req: &PublishRequest, progress: &Progress) -> Option<Action> {
        for (i, _) in req.media.iter().enumerate() {
            let key = format!("media:{i}");
            if !progress.has(&key) {
                return Some(Action::new(key, ActionRole::Prepare));
            }
        }
        if !progress.has(POST_KEY) {
            return Some(Action::new(POST_KEY, ActionRole::Post));
        }
        for i in 0..req.thread.len() {
            let key = format!("thread:{i}");
            if !progress.has(&key) {
                return Some(Action::new(key, ActionRole::FollowUp));
            }
        }
        None
    }

    async fn perform(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        _progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError> {
        self.calls.lock().unwrap().push(action.key.clone());
        let script = self
            .scripts
            .lock()
            .unwrap()
            .get_mut(action.key.as_str())
            .and_then(|q| q.pop_front());
        let publish = |this: &Self| {
            if action.role.irreversible() {
                this.posts
                    .lock()
                    .unwrap()
                    .push((req.target_id.clone(), req.text.clone(), ctx.now));
            }
        };
        match script {
            Some(Script::Fail(class, retry_after)) => Err(PublishError {
                class,
                raw: format!("scripted {class:?}"),
                retry_after,
            }),
            Some(Script::AcceptThenLose) => {
                publish(self);
                Err(PublishError::new(
                    FailureClass::Uncertain,
                    "the request timed out after 60 s",
                ))
            }
            None => {
                publish(self);
                Ok(Outcome::Done(StepResult {
                    value: format!("{}-{}", action.key, req.target_id),
                    url: Some(format!("https://x.example/{}", req.target_id)),
                }))
            }
        }
    }

    async fn find(
        &self,
        _ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        _progress: &Progress,
        action: &Action,
    ) -> Result<Lookup, PublishError> {
        if *self.lookups_unavailable.lock().unwrap() {
            return Ok(Lookup::CannotTell);
        }
        Ok(if self.count_for(&req.target_id) > 0 {
            Lookup::Found(StepResult {
                value: format!("{}-{}", action.key, req.target_id),
                url: None,
            })
        } else {
            Lookup::NotFound
        })
    }
}
