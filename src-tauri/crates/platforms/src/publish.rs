//! Publishing to a platform: the contract between the scheduler (`switchboard-scheduler`)
//! and each platform's publisher (`x/publish.rs`, `linkedin/publish.rs`,
//! `meta/publish.rs`, …).
//!
//! A publish is a short sequence of **actions** (upload a photo, poll a video's processing,
//! create the post, reply to it, add a first comment). The scheduler asks the publisher for
//! the next action given what is already done ([`Progress`]), persists an *intent* before
//! every irreversible action, performs it, and persists the remote id it returned before
//! asking for the next one. So:
//! * a crash between actions resumes where the last stored action ended (uploaded media ids
//!   are reused, never uploaded twice);
//! * a crash or an unknown answer *during* an irreversible action leaves an intent without
//!   a result; the scheduler then asks the publisher to [`Publisher::find`] the post by its
//!   content and time, and only if the platform answers is the target settled (found →
//!   published; not there → safe to try again). Otherwise it is *unconfirmed* and never
//!   retried automatically.
//!
//! Publishers hold no state: everything they need is in the request, the progress and the
//! context (HTTP client, descriptor with endpoint overrides, token, the time).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use switchboard_oauth::{AppCredentials, ProviderDescriptor};

/// Somewhere a connection can publish to: the member or a company page (LinkedIn), the
/// user (X), a Facebook Page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// The platform's id (`urn:li:organization:123`, X user id, Page id).
    pub id: String,
    pub name: Option<String>,
    /// `person`, `organization`, `user`, `page`.
    pub kind: String,
}

/// One media file of a post, its bytes read from the vault.
#[derive(Clone)]
pub struct MediaFile {
    /// The media's id in Switchboard (stable across retries).
    pub id: String,
    pub mime: String,
    pub bytes: Arc<Vec<u8>>,
    pub alt: Option<String>,
}

impl std::fmt::Debug for MediaFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaFile")
            .field("id", &self.id)
            .field("mime", &self.mime)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// What one target publishes, with its variant applied.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// The target's id in Switchboard (publishers may use it as an idempotency hint where a
    /// platform takes one).
    pub target_id: String,
    pub destination: Destination,
    pub text: String,
    pub link: Option<String>,
    pub media: Vec<MediaFile>,
    /// Posted as a comment on the new post, where the platform has comments.
    pub first_comment: Option<String>,
    /// X threads: the follow-up posts, each a reply to the one before.
    pub thread: Vec<String>,
    /// When the post is due (UTC).
    pub due: DateTime<Utc>,
    /// Hand the schedule to the platform (Facebook `scheduled_publish_time`) instead of
    /// publishing now.
    pub native_schedule: bool,
}

/// A completed action's result, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepResult {
    /// The remote id the action produced (media id, post URN, tweet id).
    pub value: String,
    pub url: Option<String>,
}

/// The actions of one target already done, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub steps: BTreeMap<String, StepResult>,
}

impl Progress {
    pub fn get(&self, key: &str) -> Option<&StepResult> {
        self.steps.get(key)
    }
    pub fn has(&self, key: &str) -> bool {
        self.steps.contains_key(key)
    }
}

/// The role of an action in the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionRole {
    /// Uploading or preparing media: nothing is visible yet; safe to repeat.
    Prepare,
    /// Waiting for the platform (media processing): read-only.
    Poll,
    /// Creating the post itself: its id is the target's remote id.
    Post,
    /// Something published after the post (thread replies, the first comment). Failing it
    /// leaves the post published, with a note.
    FollowUp,
}

impl ActionRole {
    /// Whether performing the action may make something visible that cannot be taken back.
    pub fn irreversible(self) -> bool {
        matches!(self, ActionRole::Post | ActionRole::FollowUp)
    }
}

/// The next thing to do for a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Unique within the target: `media:0`, `media:0:status`, `post`, `thread:1`, `comment`.
    pub key: String,
    pub role: ActionRole,
}

impl Action {
    pub fn new(key: impl Into<String>, role: ActionRole) -> Self {
        Self {
            key: key.into(),
            role,
        }
    }
}

/// How an action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(StepResult),
    /// Not ready yet (media still processing): perform the same action again after this.
    Again(Duration),
}

/// Whether the platform shows that an irreversible action took place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(StepResult),
    /// The platform was asked and has no such post.
    NotFound,
    /// The platform cannot be asked (no read endpoint, no permission).
    CannotTell,
}

/// Why an action failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// The request never reached the platform (connection refused, DNS): nothing happened.
    NotSent,
    /// The platform refused because of its rate limit (429 or its code): nothing happened;
    /// try again after `retry_after`.
    RateLimited,
    /// A timeout, a 5xx or an answer that could not be read: the platform may or may not
    /// have carried the request out.
    Uncertain,
    /// The platform refused the content (4xx validation, duplicate post, media rules).
    Rejected,
    /// The grant is dead or lacks a permission: the user must reconnect.
    Reconnect,
    /// Anything else that retrying cannot fix (configuration, unsupported).
    Permanent,
}

/// An action's failure; `raw` is the platform's message, with no secret in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw}")]
pub struct PublishError {
    pub class: FailureClass,
    pub raw: String,
    /// The platform's own reset time, when it gave one.
    pub retry_after: Option<Duration>,
}

impl PublishError {
    pub fn new(class: FailureClass, raw: impl Into<String>) -> Self {
        Self {
            class,
            raw: raw.into(),
            retry_after: None,
        }
    }
    pub fn rate_limited(raw: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            class: FailureClass::RateLimited,
            raw: raw.into(),
            retry_after,
        }
    }
    /// A transport failure, without the URL (queries may carry secrets): a refused
    /// connection provably sent nothing; anything later may have been received.
    pub fn transport(platform: &str, e: reqwest::Error) -> Self {
        let class = if e.is_connect() {
            FailureClass::NotSent
        } else {
            FailureClass::Uncertain
        };
        Self::new(
            class,
            format!("{platform} could not be reached: {}", e.without_url()),
        )
    }
}

/// Everything an action may use, passed in.
pub struct PublishCtx<'a> {
    pub http: &'a reqwest::Client,
    /// With endpoint overrides applied: publishers derive their API origin from it.
    pub descriptor: &'a ProviderDescriptor,
    pub app: &'a AppCredentials,
    /// The connection's user token.
    pub token: &'a SecretString,
    /// The scheduler's clock reading when the action starts.
    pub now: DateTime<Utc>,
}

/// One platform's publishing.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// The platform id (`x`, `linkedin`, `meta`).
    fn platform(&self) -> &'static str;

    /// Where the connection can publish.
    async fn destinations(&self, ctx: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError>;

    /// Whether the platform can hold the post until its time (Facebook
    /// `scheduled_publish_time`): `Some(earliest lead)` when it can.
    fn native_scheduling(&self) -> Option<chrono::Duration> {
        None
    }

    /// The next action, given what is done; `None` when the target is complete.
    fn next_action(&self, req: &PublishRequest, progress: &Progress) -> Option<Action>;

    /// Perform one action.
    async fn perform(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError>;

    /// After a crash or an uncertain answer during the irreversible `action`: does the
    /// platform show it (looked up by content and time)?
    async fn find(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Lookup, PublishError>;
}

/// The publisher of a platform, if Switchboard publishes there.
pub fn publisher(platform: &str) -> Option<Arc<dyn Publisher>> {
    match platform {
        "x" => Some(Arc::new(crate::x::XPublisher)),
        "linkedin" => Some(Arc::new(crate::linkedin::LinkedInPublisher)),
        "meta" => Some(Arc::new(crate::meta::FacebookPublisher)),
        _ => None,
    }
}

/// The key of the action that creates the post itself.
pub const POST_KEY: &str = "post";

pub(crate) mod wire;

/// An action key, read: what the publishers' plans are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// `media:{i}`: upload (or prepare) `req.media[i]`.
    Media(usize),
    /// `media:{i}:status`: wait for the platform to process `req.media[i]`.
    MediaStatus(usize),
    /// `post`.
    Post,
    /// `thread:{n}`: the n-th reply of a thread (`req.thread[n - 1]`), n from 1; its parent
    /// is `post` for n = 1, else `thread:{n - 1}`.
    Thread(usize),
    /// `comment`: the first comment.
    Comment,
}

impl Key {
    pub fn parse(key: &str) -> Option<Key> {
        let mut parts = key.split(':');
        let key = match (parts.next()?, parts.next(), parts.next()) {
            ("media", Some(i), None) => Key::Media(i.parse().ok()?),
            ("media", Some(i), Some("status")) => Key::MediaStatus(i.parse().ok()?),
            ("post", None, None) => Key::Post,
            ("thread", Some(n), None) => Key::Thread(n.parse().ok().filter(|n| *n >= 1)?),
            ("comment", None, None) => Key::Comment,
            _ => return None,
        };
        parts.next().is_none().then_some(key)
    }

    pub fn action(self) -> Action {
        match self {
            Key::Media(i) => Action::new(format!("media:{i}"), ActionRole::Prepare),
            Key::MediaStatus(i) => Action::new(format!("media:{i}:status"), ActionRole::Poll),
            Key::Post => Action::new(POST_KEY, ActionRole::Post),
            Key::Thread(n) => Action::new(format!("thread:{n}"), ActionRole::FollowUp),
            Key::Comment => Action::new("comment", ActionRole::FollowUp),
        }
    }

    /// The stored result of this action.
    pub fn done(self, progress: &Progress) -> Option<&StepResult> {
        progress.get(&self.action().key)
    }

    /// The stored result this action needs, or a `Permanent` error naming it (the
    /// scheduler asked for an action before the one it depends on).
    pub fn needed(self, progress: &Progress) -> Result<&StepResult, PublishError> {
        self.done(progress).ok_or_else(|| {
            wire::permanent(format!(
                "the action '{}' has not been done yet",
                self.action().key
            ))
        })
    }
}

/// The key, or a `Permanent` error for a key this publisher never plans.
pub(crate) fn key_of(platform: &str, action: &Action) -> Result<Key, PublishError> {
    Key::parse(&action.key)
        .ok_or_else(|| wire::permanent(format!("{platform} has no action '{}'", action.key)))
}

/// The first comment, if there is one to post.
pub(crate) fn first_comment(req: &PublishRequest) -> Option<&str> {
    req.first_comment
        .as_deref()
        .filter(|c| !c.trim().is_empty())
}

/// How far back a lookup searches: a day before the post was due or the lookup started,
/// whichever is earlier ("publish now" may go out before its due time).
pub(crate) fn lookup_since(req: &PublishRequest, now: DateTime<Utc>) -> DateTime<Utc> {
    req.due.min(now) - chrono::Duration::hours(24)
}
