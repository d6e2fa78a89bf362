//! Publishing, for the app and the CLI: compose posts (text, variants, media, link, first
//! comment, threads), schedule them in the client's zone (with DST warnings and queue
//! slots), the calendar and the status summary, and the in-process scheduler.

use crate::error::{ApiError, ApiResult};
use crate::switchboard::Switchboard;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
pub use switchboard_compose::MediaInfo;
use switchboard_platforms::publish::{self, Destination, PublishCtx};
use switchboard_scheduler::due;
pub use switchboard_scheduler::due::ResolvedDue;
use switchboard_scheduler::{Scheduler, SchedulerError, SchedulerOptions};
use switchboard_store::domain::{
    BlobIn, Due, Post, PostFilter, PostInput, PostMedia, PostTarget, StatusCount, TargetEvent,
};
use switchboard_store::{Origin, Vault};

impl From<SchedulerError> for ApiError {
    fn from(e: SchedulerError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

/// When to publish.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum When {
    /// At a wall-clock time (`YYYY-MM-DDTHH:MM`) in `zone` (the client's when absent).
    At {
        wall_time: String,
        zone: Option<String>,
    },
    /// The client's next free queue slot.
    Queue,
    /// Right away.
    Now,
}

/// A post as scheduled, with any warning about the time chosen.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Scheduled {
    pub post: Post,
    pub due: ResolvedDue,
}

/// A connection's publishing destinations.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDestinations {
    pub connection_id: String,
    pub platform: String,
    pub destinations: Vec<Destination>,
}

/// What the scheduler is up to, for the tray and the status bar.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SchedulerStatus {
    pub running: bool,
    /// The next scheduled target: (due RFC 3339, client name, text).
    pub next_due: Option<String>,
    pub next_client: Option<String>,
    pub next_text: Option<String>,
    /// Failed, unconfirmed and missed targets.
    pub needs_attention: i64,
}

/// One target's validation: the live counters and the issues found.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetCheck {
    pub connection_id: String,
    pub destination_id: String,
    pub platform: String,
    /// The rule set applied (`x`, `linkedin`, `facebook_pages`).
    pub network: String,
    pub report: switchboard_compose::Report,
}

/// The compose rules of a target's platform (Meta publishes to Facebook Pages).
fn network_of(platform: &str) -> Option<switchboard_compose::Network> {
    switchboard_compose::Network::from_platform(match platform {
        "meta" => "facebook_pages",
        other => other,
    })
}

/// Check every target of a composition against its platform's rules.
pub fn check_input(
    platforms: &[(String, String, String)],
    input: &PostInput,
    media: &[switchboard_compose::MediaInfo],
) -> Vec<TargetCheck> {
    input
        .targets
        .iter()
        .filter_map(|t| {
            let platform = platforms
                .iter()
                .find(|(c, _, _)| *c == t.connection_id)
                .map(|(_, p, _)| p.clone())?;
            let network = network_of(&platform)?;
            let text = t.body.as_deref().unwrap_or(&input.body);
            let report = switchboard_compose::check(
                network,
                &switchboard_compose::Draft {
                    text,
                    link: input.link.as_deref().filter(|l| !l.trim().is_empty()),
                    media,
                    first_comment: input
                        .first_comment
                        .as_deref()
                        .filter(|c| !c.trim().is_empty()),
                    thread: &input.thread,
                },
            );
            Some(TargetCheck {
                connection_id: t.connection_id.clone(),
                destination_id: t.destination_id.clone(),
                platform,
                network: network.id().to_owned(),
                report,
            })
        })
        .collect()
}

/// A usual posting time of a client, in its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueSlot {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// Minutes after midnight.
    pub minute: u16,
}

/// Media files the platforms take, by sniffed type, and the largest file accepted at all
/// (each platform's own, lower limits are checked when composing).
const MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "video/mp4",
    "video/quicktime",
];
const MAX_IMAGE_BYTES: usize = 50 * 1024 * 1024;
const MAX_VIDEO_BYTES: usize = 1024 * 1024 * 1024;

impl Switchboard {
    /// The scheduler of the open vault, created on first use (the app at start, the CLI's
    /// `scheduler run`; other CLI commands never start one).
    pub fn scheduler(&self) -> ApiResult<Arc<Scheduler>> {
        let vault = self.vault()?;
        if let Some(s) = self.scheduler.read().expect("scheduler").clone() {
            return Ok(s);
        }
        let mut slot = self.scheduler.write().expect("scheduler");
        if let Some(s) = slot.clone() {
            return Ok(s);
        }
        let s = Scheduler::new(
            vault,
            self.connector()?,
            self.clock(),
            SchedulerOptions::new(self.data_dir().join("scheduler")),
        )?;
        let listeners = self.post_listeners.clone();
        s.on_event(move |e| {
            for l in listeners.lock().expect("post listeners").iter() {
                l(e);
            }
        });
        *slot = Some(s.clone());
        Ok(s)
    }

    /// Be told about every target the scheduler settles (notifications, tray).
    pub fn on_post_event(&self, f: impl Fn(&TargetEvent) + Send + Sync + 'static) {
        self.post_listeners
            .lock()
            .expect("post listeners")
            .push(Arc::new(f));
    }

    /// Run the scheduler until `stop` resolves.
    pub async fn run_scheduler(
        &self,
        stop: impl std::future::Future<Output = ()>,
    ) -> ApiResult<()> {
        self.scheduler()?.run(stop).await;
        Ok(())
    }

    fn nudge_scheduler(&self) {
        if let Some(s) = self.scheduler.read().expect("scheduler").clone() {
            s.wake();
        }
    }

    pub fn scheduler_status(&self) -> ApiResult<SchedulerStatus> {
        let vault = self.vault()?;
        let (next, needs_attention) =
            vault.read(|r| Ok((r.next_scheduled_post()?, r.targets_needing_attention()?)))?;
        let (next_due, next_client, next_text) = match next {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        };
        Ok(SchedulerStatus {
            running: self.scheduler.read().expect("scheduler").is_some(),
            next_due,
            next_client,
            next_text,
            needs_attention,
        })
    }

    /// Where a connection can publish: as last read, or read again from the platform.
    pub async fn publish_destinations(
        &self,
        client_id: &str,
        connection_id: &str,
        refresh: bool,
    ) -> ApiResult<ConnectionDestinations> {
        let vault = self.vault()?;
        let connection = vault.read(|r| {
            r.client(client_id)?;
            r.connection(connection_id)
        })?;
        if connection.client_id != client_id {
            return Err(ApiError::new(
                "not_found",
                "no such connection for this client",
            ));
        }
        let cached = vault.read(|r| r.publish_destinations(connection_id))?;
        let destinations = if refresh || cached.is_empty() {
            let publisher = publish::publisher(&connection.platform).ok_or_else(|| {
                ApiError::new(
                    "unsupported",
                    format!(
                        "Switchboard does not publish to {} yet",
                        connection.platform
                    ),
                )
            })?;
            let access = self.connector()?.api_access(connection_id).await?;
            let http = self.connector()?.http().clone();
            let found = publisher
                .destinations(&PublishCtx {
                    http: &http,
                    descriptor: &access.descriptor,
                    app: &access.app,
                    token: &access.token,
                    now: self.clock().now(),
                })
                .await
                .map_err(|e| ApiError::new("provider_error", e.raw))?;
            let rows: Vec<_> = found
                .iter()
                .map(|d| (d.id.clone(), d.name.clone(), d.kind.clone()))
                .collect();
            vault.write(Origin::User, |w| {
                w.store_publish_destinations(connection_id, &rows)
            })?;
            found
        } else {
            cached
                .into_iter()
                .map(|(id, name, kind)| Destination { id, name, kind })
                .collect()
        };
        Ok(ConnectionDestinations {
            connection_id: connection_id.to_owned(),
            platform: connection.platform,
            destinations,
        })
    }

    pub fn save_post(
        &self,
        client_id: &str,
        post_id: Option<&str>,
        input: &PostInput,
    ) -> ApiResult<Post> {
        let post = self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.save_post(post_id, input)
        })?;
        self.nudge_scheduler();
        Ok(post)
    }

    pub fn post(&self, client_id: &str, post_id: &str) -> ApiResult<Post> {
        Ok(self.vault()?.read(|r| r.client(client_id)?.post(post_id))?)
    }

    pub fn posts(&self, client_id: &str, filter: &PostFilter) -> ApiResult<Vec<Post>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.posts(filter, 2000))?)
    }

    pub fn post_status_summary(&self) -> ApiResult<Vec<StatusCount>> {
        Ok(self.vault()?.read(|r| r.post_status_summary())?)
    }

    /// Copy a file's bytes into the vault as media of a post. The type is read from the
    /// bytes, never from the name; what no platform takes is refused with the reason.
    pub fn add_post_media(
        &self,
        client_id: &str,
        post_id: &str,
        name: &str,
        bytes: &[u8],
        alt: Option<&str>,
    ) -> ApiResult<PostMedia> {
        let mime = infer::get(bytes).map(|t| t.mime_type()).ok_or_else(|| {
            ApiError::invalid(format!(
                "{name} is not an image or video Switchboard can publish (its content is not a known media type)"
            ))
        })?;
        if !MEDIA_TYPES.contains(&mime) {
            return Err(ApiError::invalid(format!(
                "{name} is not an image or video Switchboard can publish (its content is {mime}); posts take JPEG, PNG, GIF or WebP images and MP4 or MOV videos"
            )));
        }
        let limit = if mime.starts_with("video/") {
            MAX_VIDEO_BYTES
        } else {
            MAX_IMAGE_BYTES
        };
        if bytes.len() > limit {
            return Err(ApiError::invalid(format!(
                "{name} is {} MB; the largest {} any platform takes is {} MB",
                bytes.len() / (1024 * 1024),
                if mime.starts_with("video/") {
                    "video"
                } else {
                    "image"
                },
                limit / (1024 * 1024)
            )));
        }
        let sha = hex::encode(Sha256::digest(bytes));
        let clean_name: String = std::path::Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("media")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.add_post_media(
                post_id,
                BlobIn {
                    sha256: &sha,
                    mime,
                    bytes,
                },
                &clean_name,
                alt,
                "file",
            )
        })?)
    }

    pub fn add_post_media_from_library(
        &self,
        client_id: &str,
        post_id: &str,
        asset_id: &str,
    ) -> ApiResult<PostMedia> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?
                .add_post_media_from_library(post_id, asset_id)
        })?)
    }

    pub fn remove_post_media(
        &self,
        client_id: &str,
        post_id: &str,
        media_id: &str,
    ) -> ApiResult<()> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.remove_post_media(post_id, media_id)
        })?)
    }

    /// Validate a composition for each of its targets (live, as the user types).
    pub fn check_post(
        &self,
        client_id: &str,
        input: &PostInput,
        media: &[switchboard_compose::MediaInfo],
    ) -> ApiResult<Vec<TargetCheck>> {
        let platforms = self.vault()?.read(|r| {
            r.client(client_id)?;
            Ok(r.client_connections(client_id)?
                .into_iter()
                .map(|c| (c.id, c.platform, c.account_name.unwrap_or_default()))
                .collect::<Vec<_>>())
        })?;
        Ok(check_input(&platforms, input, media))
    }

    /// The stored post checked as it would be published; an error blocks scheduling.
    fn check_stored(&self, client_id: &str, post: &Post) -> ApiResult<()> {
        let input = PostInput {
            brand_id: post.brand_id.clone(),
            body: post.body.clone(),
            link: post.link.clone(),
            first_comment: post.first_comment.clone(),
            thread: post.thread.clone(),
            native_schedule: post.native_schedule,
            targets: post
                .targets
                .iter()
                .filter(|t| {
                    matches!(
                        t.state.as_str(),
                        "draft" | "scheduled" | "failed" | "missed" | "cancelled"
                    )
                })
                .filter_map(|t| {
                    Some(switchboard_store::domain::TargetInput {
                        connection_id: t.connection_id.clone()?,
                        destination_id: t.destination_id.clone(),
                        destination_name: t.destination_name.clone(),
                        destination_kind: t.destination_kind.clone(),
                        body: t.body.clone(),
                    })
                })
                .collect(),
        };
        let media: Vec<_> = post
            .media
            .iter()
            .map(|m| switchboard_compose::MediaInfo {
                mime: m.mime.clone(),
                size_bytes: m.size.max(0) as u64,
                width: None,
                height: None,
            })
            .collect();
        let problems: Vec<String> = self
            .check_post(client_id, &input, &media)?
            .into_iter()
            .flat_map(|c| {
                let name = post
                    .targets
                    .iter()
                    .find(|t| t.destination_id == c.destination_id)
                    .and_then(|t| t.destination_name.clone())
                    .unwrap_or(c.destination_id.clone());
                c.report
                    .issues
                    .into_iter()
                    .filter(|i| i.severity == switchboard_compose::Severity::Error)
                    .map(move |i| format!("{name} ({}): {}", c.network, i.message))
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(format!(
                "this post cannot be published as it is: {}",
                problems.join("; ")
            )))
        }
    }

    /// Resolve a wall-clock time in a zone (for live DST warnings while picking).
    pub fn resolve_due(&self, zone: &str, wall_time: &str) -> ApiResult<ResolvedDue> {
        Ok(due::resolve(zone, wall_time)?)
    }

    fn resolve_when(&self, vault: &Vault, client_id: &str, when: &When) -> ApiResult<ResolvedDue> {
        let now = self.clock().now();
        let client = vault.read(|r| Ok(r.client(client_id)?.info().clone()))?;
        match when {
            When::Now => Ok(ResolvedDue {
                at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                zone: client.timezone.clone(),
                wall_time: due::wall_of(&client.timezone, now)?,
                offset: String::new(),
                warning: None,
            }),
            When::At { wall_time, zone } => {
                let zone = zone.clone().unwrap_or(client.timezone.clone());
                let d = due::resolve(&zone, wall_time)?;
                let at: chrono::DateTime<chrono::Utc> = d.at.parse().expect("formatted");
                if at < now - chrono::Duration::minutes(1) {
                    return Err(ApiError::invalid(format!(
                        "{wall_time} in {zone} has already passed; pick a later time or publish now"
                    )));
                }
                Ok(d)
            }
            When::Queue => {
                let (slots, taken) = vault.read(|r| {
                    let c = r.client(client_id)?;
                    Ok((c.queue_slots()?, c.taken_due_times(&now.to_rfc3339())?))
                })?;
                if slots.is_empty() {
                    return Err(ApiError::invalid(
                        "this client has no queue slots yet; set its usual posting times first",
                    ));
                }
                let taken: Vec<_> = taken.iter().filter_map(|t| t.parse().ok()).collect();
                due::next_queue_slot(&client.timezone, &slots, &taken, now)?.ok_or_else(|| {
                    ApiError::invalid("every queue slot of the next 8 weeks is taken")
                })
            }
        }
    }

    /// Schedule (or reschedule, or publish now) a post's open targets.
    pub fn schedule_post(
        &self,
        client_id: &str,
        post_id: &str,
        when: &When,
    ) -> ApiResult<Scheduled> {
        let vault = self.vault()?;
        let due = self.resolve_when(&vault, client_id, when)?;
        let post = vault.read(|r| r.client(client_id)?.post(post_id))?;
        self.check_stored(client_id, &post)?;
        if post.native_schedule && !matches!(when, When::Now) {
            let at: chrono::DateTime<chrono::Utc> = due.at.parse().expect("formatted");
            for t in &post.targets {
                if let Some(lead) =
                    publish::publisher(&t.platform).and_then(|p| p.native_scheduling())
                {
                    if at < self.clock().now() + lead {
                        return Err(ApiError::invalid(format!(
                            "{} holds scheduled posts only from {} minutes ahead; pick a later time or turn off \"schedule on the platform\"",
                            t.platform,
                            lead.num_minutes()
                        )));
                    }
                }
            }
        }
        let post = vault.write(Origin::User, |w| {
            w.client(client_id)?.schedule_post(
                post_id,
                &Due {
                    at: due.at.clone(),
                    zone: due.zone.clone(),
                    wall_time: due.wall_time.clone(),
                },
            )
        })?;
        self.nudge_scheduler();
        Ok(Scheduled { post, due })
    }

    pub fn unschedule_post(&self, client_id: &str, post_id: &str) -> ApiResult<Post> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.unschedule_post(post_id)
        })?)
    }

    pub fn cancel_post(&self, client_id: &str, post_id: &str) -> ApiResult<Post> {
        Ok(self
            .vault()?
            .write(Origin::User, |w| w.client(client_id)?.cancel_post(post_id))?)
    }

    pub fn duplicate_post(&self, client_id: &str, post_id: &str) -> ApiResult<Post> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.duplicate_post(post_id)
        })?)
    }

    pub fn delete_post(&self, client_id: &str, post_id: &str) -> ApiResult<()> {
        Ok(self
            .vault()?
            .write(Origin::User, |w| w.client(client_id)?.delete_post(post_id))?)
    }

    /// A person checked an unconfirmed target on the platform.
    pub fn resolve_unconfirmed(
        &self,
        client_id: &str,
        target_id: &str,
        published: bool,
        url: Option<&str>,
    ) -> ApiResult<PostTarget> {
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?
                .resolve_unconfirmed(target_id, published, url)
        })?)
    }

    pub fn queue_slots(&self, client_id: &str) -> ApiResult<Vec<QueueSlot>> {
        Ok(self
            .vault()?
            .read(|r| r.client(client_id)?.queue_slots())?
            .into_iter()
            .map(|(weekday, minute)| QueueSlot { weekday, minute })
            .collect())
    }

    pub fn set_queue_slots(&self, client_id: &str, slots: &[QueueSlot]) -> ApiResult<()> {
        let slots: Vec<(u8, u16)> = slots.iter().map(|s| (s.weekday, s.minute)).collect();
        Ok(self.vault()?.write(Origin::User, |w| {
            w.client(client_id)?.set_queue_slots(&slots)
        })?)
    }
}
