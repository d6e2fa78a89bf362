//! Posts of one client and their targets, and the rows the scheduler works with: the
//! atomic claim of a due target, the steps a publish completed, the intents written before
//! irreversible calls, and the end states.
//!
//! Target states: draft → scheduled → publishing → published | scheduled_remote (handed to
//! the platform's own scheduler) | failed | unconfirmed (the platform may have published:
//! never retried automatically) | missed (overdue beyond the staleness window), and
//! cancelled. The scheduler that runs them lives in `switchboard-scheduler`.

use super::assets::{drop_unused_blobs, put_blob, BlobIn};
use super::clients::{ClientRead, ClientWrite};
use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read, Write};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// Every target state.
pub const TARGET_STATES: &[&str] = &[
    "draft",
    "scheduled",
    "publishing",
    "published",
    "scheduled_remote",
    "failed",
    "unconfirmed",
    "missed",
    "cancelled",
];

/// States a person may still change (edit, reschedule, cancel).
const OPEN_STATES: &str = "('draft', 'scheduled', 'failed', 'missed', 'cancelled')";

/// A composition with its media and targets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: String,
    pub client_id: String,
    pub brand_id: Option<String>,
    pub body: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub thread: Vec<String>,
    /// The IANA zone the wall-clock time was chosen in.
    pub zone: String,
    /// The wall-clock time chosen (`YYYY-MM-DDTHH:MM`), in `zone`.
    pub wall_time: Option<String>,
    /// The UTC instant it is due (RFC 3339).
    pub due_at: Option<String>,
    pub native_schedule: bool,
    pub created_at: String,
    pub updated_at: String,
    pub media: Vec<PostMedia>,
    pub targets: Vec<PostTarget>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PostMedia {
    pub id: String,
    pub position: i64,
    pub sha256: String,
    pub mime: String,
    pub size: i64,
    pub name: String,
    pub alt: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PostTarget {
    pub id: String,
    pub post_id: String,
    pub client_id: String,
    pub connection_id: Option<String>,
    pub platform: String,
    pub destination_id: String,
    pub destination_name: Option<String>,
    pub destination_kind: String,
    /// This target's own text; `None` = the post's body.
    pub body: Option<String>,
    pub state: String,
    pub due_at: Option<String>,
    pub next_at: Option<String>,
    pub attempts: i64,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub note: Option<String>,
    pub published_at: Option<String>,
    pub updated_at: String,
}

/// A target as composed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetInput {
    pub connection_id: String,
    pub destination_id: String,
    pub destination_name: Option<String>,
    pub destination_kind: String,
    pub body: Option<String>,
}

/// The editable content of a post.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PostInput {
    pub brand_id: Option<String>,
    pub body: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    #[serde(default)]
    pub thread: Vec<String>,
    #[serde(default)]
    pub native_schedule: bool,
    pub targets: Vec<TargetInput>,
}

/// When a post is due, as computed by the caller from the zone and wall time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub at: String,
    pub zone: String,
    pub wall_time: String,
}

/// A calendar query.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PostFilter {
    /// Due from (inclusive, RFC 3339 UTC); drafts without a time are included when
    /// `include_unscheduled`.
    pub from: Option<String>,
    pub to: Option<String>,
    pub platform: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub include_unscheduled: bool,
}

/// One line of the status summary: how many targets of a client on a platform are in a
/// state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub client_id: String,
    pub client_name: String,
    pub platform: String,
    pub state: String,
    pub count: i64,
}

/// What the scheduler needs to publish one claimed target.
#[derive(Debug, Clone)]
pub struct TargetWork {
    pub target: PostTarget,
    pub post: Post,
    /// Completed steps: key → (value, url).
    pub steps: Vec<(String, String, Option<String>)>,
    /// Intents with no outcome: (attempt id, action key, role).
    pub open_attempts: Vec<(i64, String, String)>,
}

/// A target that just changed state because of the scheduler, for notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TargetEvent {
    pub target_id: String,
    pub post_id: String,
    pub client_id: String,
    pub platform: String,
    pub destination: String,
    pub state: String,
    pub message: Option<String>,
}

const POST_COLS: &str = "id, client_id, brand_id, body, link, first_comment, thread, zone, wall_time, due_at, native_schedule, created_at, updated_at";
const TARGET_COLS: &str = "id, post_id, client_id, connection_id, platform, destination_id, destination_name, destination_kind, body, state, due_at, next_at, attempts, remote_id, remote_url, reason, message, note, published_at, updated_at";

fn post_row(r: &Row<'_>) -> rusqlite::Result<Post> {
    let thread: String = r.get(6)?;
    Ok(Post {
        id: r.get(0)?,
        client_id: r.get(1)?,
        brand_id: r.get(2)?,
        body: r.get(3)?,
        link: r.get(4)?,
        first_comment: r.get(5)?,
        thread: serde_json::from_str(&thread).unwrap_or_default(),
        zone: r.get(7)?,
        wall_time: r.get(8)?,
        due_at: r.get(9)?,
        native_schedule: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        media: Vec::new(),
        targets: Vec::new(),
    })
}

fn target_row(r: &Row<'_>) -> rusqlite::Result<PostTarget> {
    Ok(PostTarget {
        id: r.get(0)?,
        post_id: r.get(1)?,
        client_id: r.get(2)?,
        connection_id: r.get(3)?,
        platform: r.get(4)?,
        destination_id: r.get(5)?,
        destination_name: r.get(6)?,
        destination_kind: r.get(7)?,
        body: r.get(8)?,
        state: r.get(9)?,
        due_at: r.get(10)?,
        next_at: r.get(11)?,
        attempts: r.get(12)?,
        remote_id: r.get(13)?,
        remote_url: r.get(14)?,
        reason: r.get(15)?,
        message: r.get(16)?,
        note: r.get(17)?,
        published_at: r.get(18)?,
        updated_at: r.get(19)?,
    })
}

fn load_post(conn: &rusqlite::Connection, client_id: &str, post_id: &str) -> Result<Post> {
    let mut post = conn
        .query_row(
            &format!("SELECT {POST_COLS} FROM posts WHERE id = ?1 AND client_id = ?2"),
            params![post_id, client_id],
            post_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("post {post_id}")))?;
    fill_post(conn, &mut post)?;
    Ok(post)
}

fn fill_post(conn: &rusqlite::Connection, post: &mut Post) -> Result<()> {
    let mut media = conn.prepare_cached(
        "SELECT id, position, sha256, mime, size, name, alt, source FROM post_media WHERE post_id = ?1 ORDER BY position",
    )?;
    post.media = media
        .query_map([&post.id], |r| {
            Ok(PostMedia {
                id: r.get(0)?,
                position: r.get(1)?,
                sha256: r.get(2)?,
                mime: r.get(3)?,
                size: r.get(4)?,
                name: r.get(5)?,
                alt: r.get(6)?,
                source: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut targets = conn.prepare_cached(&format!(
        "SELECT {TARGET_COLS} FROM post_targets WHERE post_id = ?1 ORDER BY platform, destination_name, id"
    ))?;
    post.targets = targets
        .query_map([&post.id], target_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(())
}

fn check_input(input: &PostInput) -> Result<()> {
    if input.targets.is_empty() {
        return Err(StoreError::Invalid(
            "choose at least one account to publish to".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for t in &input.targets {
        if !seen.insert((&t.connection_id, &t.destination_id)) {
            return Err(StoreError::Invalid(format!(
                "{} is chosen twice",
                t.destination_name.as_deref().unwrap_or(&t.destination_id)
            )));
        }
    }
    Ok(())
}

impl Read<'_> {
    /// Targets whose time has come, earliest first.
    pub fn due_targets(&self, now: &str, limit: u32) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM post_targets WHERE state = 'scheduled' AND next_at <= ?1 ORDER BY next_at LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the next scheduled target is due (or due for a retry).
    pub fn next_due(&self) -> Result<Option<String>> {
        Ok(self.conn.query_row(
            "SELECT min(next_at) FROM post_targets WHERE state = 'scheduled'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The next scheduled target of any client, for the tray: (due, client, text).
    pub fn next_scheduled_post(&self) -> Result<Option<(String, String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT t.next_at, c.name, coalesce(t.body, p.body) FROM post_targets t
                 JOIN posts p ON p.id = t.post_id JOIN clients c ON c.id = t.client_id
                 WHERE t.state = 'scheduled' ORDER BY t.next_at LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Targets that need a person (failed, unconfirmed, missed), over every client.
    pub fn targets_needing_attention(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM post_targets WHERE state IN ('failed', 'unconfirmed', 'missed')",
            [],
            |r| r.get(0),
        )?)
    }

    /// Counts of targets by client, platform and state.
    pub fn post_status_summary(&self) -> Result<Vec<StatusCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.client_id, c.name, t.platform, t.state, count(*) FROM post_targets t JOIN clients c ON c.id = t.client_id
             GROUP BY t.client_id, t.platform, t.state ORDER BY c.name COLLATE NOCASE, t.platform, t.state",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StatusCount {
                client_id: r.get(0)?,
                client_name: r.get(1)?,
                platform: r.get(2)?,
                state: r.get(3)?,
                count: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Everything the scheduler needs to publish a target (any client: the scheduler
    /// serves them all, each target carries its client).
    pub fn target_work(&self, target_id: &str) -> Result<TargetWork> {
        let target = self
            .conn
            .query_row(
                &format!("SELECT {TARGET_COLS} FROM post_targets WHERE id = ?1"),
                [target_id],
                target_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("post target {target_id}")))?;
        let post = load_post(self.conn, &target.client_id, &target.post_id)?;
        let mut steps = self.conn.prepare_cached(
            "SELECT key, value, url FROM publish_steps WHERE target_id = ?1 ORDER BY at, key",
        )?;
        let steps = steps
            .query_map([target_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut open = self.conn.prepare_cached(
            "SELECT id, action, role FROM publish_attempts WHERE target_id = ?1 AND outcome IS NULL ORDER BY id",
        )?;
        let open_attempts = open
            .query_map([target_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(TargetWork {
            target,
            post,
            steps,
            open_attempts,
        })
    }

    /// Targets in `publishing` claimed by a scheduler other than `me`: (target, claimer).
    pub fn publishing_targets(&self) -> Result<Vec<(String, Option<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, claimed_by FROM post_targets WHERE state = 'publishing' ORDER BY claimed_at",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The whole content of a stored blob (post media are bounded by the platforms' limits).
    pub fn blob_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        let size: i64 = self
            .conn
            .query_row("SELECT size FROM blobs WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("blob {sha256}")))?;
        let mut out = Vec::with_capacity(size.max(0) as usize);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT data FROM blob_chunks WHERE sha256 = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([sha256], |r| r.get::<_, Vec<u8>>(0))?;
        for row in rows {
            out.extend_from_slice(&row?);
        }
        if out.len() as i64 != size {
            return Err(StoreError::Damaged {
                detail: format!("blob {sha256} holds {} of {size} bytes", out.len()),
            });
        }
        Ok(out)
    }

    /// Destinations last read for a connection.
    pub fn publish_destinations(
        &self,
        connection_id: &str,
    ) -> Result<Vec<(String, Option<String>, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, kind FROM publish_destinations WHERE connection_id = ?1 ORDER BY kind DESC, name",
        )?;
        let rows = stmt.query_map([connection_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ClientRead<'_> {
    pub fn post(&self, post_id: &str) -> Result<Post> {
        load_post(self.conn, &self.client.id, post_id)
    }

    /// Posts for the calendar and lists, by due time.
    pub fn posts(&self, filter: &PostFilter, limit: u32) -> Result<Vec<Post>> {
        let mut sql = format!(
            "SELECT {POST_COLS} FROM posts p WHERE client_id = ?1
               AND ((due_at IS NULL AND ?2) OR (due_at IS NOT NULL AND (?3 IS NULL OR due_at >= ?3) AND (?4 IS NULL OR due_at < ?4)))"
        );
        if filter.platform.is_some() {
            sql.push_str(" AND EXISTS (SELECT 1 FROM post_targets t WHERE t.post_id = p.id AND t.platform = ?5)");
        } else {
            sql.push_str(" AND ?5 IS NULL");
        }
        if filter.state.is_some() {
            sql.push_str(" AND EXISTS (SELECT 1 FROM post_targets t WHERE t.post_id = p.id AND t.state = ?6)");
        } else {
            sql.push_str(" AND ?6 IS NULL");
        }
        sql.push_str(" ORDER BY due_at IS NULL, due_at, created_at LIMIT ?7");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut posts = stmt
            .query_map(
                params![
                    self.client.id,
                    filter.include_unscheduled,
                    filter.from,
                    filter.to,
                    filter.platform,
                    filter.state,
                    limit.min(5000)
                ],
                post_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for p in &mut posts {
            fill_post(self.conn, p)?;
        }
        Ok(posts)
    }

    /// The client's queue slots: (weekday 0 = Monday, minute of the day).
    pub fn queue_slots(&self) -> Result<Vec<(u8, u16)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT weekday, minute FROM queue_slots WHERE client_id = ?1 ORDER BY weekday, minute",
        )?;
        let rows = stmt.query_map([&self.client.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Due times already taken by this client's scheduled posts (for "add to queue").
    pub fn taken_due_times(&self, from: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT due_at FROM post_targets WHERE client_id = ?1 AND due_at >= ?2
               AND state IN ('scheduled', 'publishing', 'published', 'scheduled_remote') ORDER BY due_at",
        )?;
        let rows = stmt.query_map(params![self.client.id, from], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl ClientWrite<'_, '_> {
    fn open_post(&self, post_id: &str) -> Result<Post> {
        let post = load_post(&self.w.tx, &self.client.id, post_id)?;
        if post.targets.iter().any(|t| t.state == "publishing") {
            return Err(StoreError::Conflict(
                "this post is being published right now; wait for it to finish".into(),
            ));
        }
        Ok(post)
    }

    /// Create a draft, or replace a post's content. Targets already published (or handed to
    /// the platform, or unconfirmed) are kept as they are; the others follow the input.
    pub fn save_post(&mut self, post_id: Option<&str>, input: &PostInput) -> Result<Post> {
        check_input(input)?;
        if let Some(brand) = &input.brand_id {
            ClientRead {
                conn: &self.w.tx,
                files: self.w.files,
                client: self.client.clone(),
            }
            .brand(brand)?;
        }
        let now = self.w.now();
        let thread = serde_json::to_string(&input.thread).expect("strings serialize");
        let id = match post_id {
            Some(id) => {
                self.open_post(id)?;
                self.w.tx.execute(
                    "UPDATE posts SET brand_id = ?3, body = ?4, link = ?5, first_comment = ?6, thread = ?7, native_schedule = ?8, updated_at = ?9
                     WHERE id = ?1 AND client_id = ?2",
                    params![id, self.client.id, input.brand_id, input.body, input.link, input.first_comment, thread, input.native_schedule, now],
                )?;
                id.to_owned()
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                self.w.tx.execute(
                    &format!("INSERT INTO posts ({POST_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, ?9, ?10, ?10)"),
                    params![id, self.client.id, input.brand_id, input.body, input.link, input.first_comment, thread, self.client.timezone, input.native_schedule, now],
                )?;
                id
            }
        };
        let post = load_post(&self.w.tx, &self.client.id, &id)?;
        for old in &post.targets {
            let kept = input.targets.iter().any(|t| {
                Some(&t.connection_id) == old.connection_id.as_ref()
                    && t.destination_id == old.destination_id
            });
            if !kept
                && !matches!(
                    old.state.as_str(),
                    "published" | "scheduled_remote" | "unconfirmed"
                )
            {
                self.w
                    .tx
                    .execute("DELETE FROM post_targets WHERE id = ?1", [&old.id])?;
            }
        }
        for t in &input.targets {
            let platform: String = self
                .w
                .tx
                .query_row(
                    "SELECT platform FROM connections WHERE id = ?1 AND client_id = ?2",
                    params![t.connection_id, self.client.id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    StoreError::not_found(format!("connection {} of this client", t.connection_id))
                })?;
            let existing = post.targets.iter().find(|o| {
                o.connection_id.as_ref() == Some(&t.connection_id)
                    && o.destination_id == t.destination_id
            });
            match existing {
                Some(o) => {
                    self.w.tx.execute(
                        &format!("UPDATE post_targets SET body = ?2, destination_name = ?3, updated_at = ?4 WHERE id = ?1 AND state IN {OPEN_STATES}"),
                        params![o.id, t.body, t.destination_name, now],
                    )?;
                }
                None => {
                    // A new target joins the post in the post's current schedule.
                    let state = if post.due_at.is_some()
                        && post.targets.iter().any(|o| o.state == "scheduled")
                    {
                        "scheduled"
                    } else {
                        "draft"
                    };
                    let next = (state == "scheduled")
                        .then(|| post.due_at.clone())
                        .flatten();
                    self.w.tx.execute(
                        "INSERT INTO post_targets (id, post_id, client_id, connection_id, platform, destination_id, destination_name, destination_kind, body, state, due_at, next_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                        params![uuid::Uuid::now_v7().to_string(), id, self.client.id, t.connection_id, platform, t.destination_id, t.destination_name, t.destination_kind, t.body, state, post.due_at, next, now],
                    )?;
                }
            }
        }
        self.w.changed("posts", &id, ChangeKind::Updated);
        load_post(&self.w.tx, &self.client.id, &id)
    }

    /// Copy bytes into the vault as the post's next media item.
    pub fn add_post_media(
        &mut self,
        post_id: &str,
        blob: BlobIn<'_>,
        name: &str,
        alt: Option<&str>,
        source: &str,
    ) -> Result<PostMedia> {
        self.open_post(post_id)?;
        let now = self.w.now();
        put_blob(&self.w.tx, blob, &now)?;
        let position: i64 = self.w.tx.query_row(
            "SELECT coalesce(max(position) + 1, 0) FROM post_media WHERE post_id = ?1",
            [post_id],
            |r| r.get(0),
        )?;
        let id = uuid::Uuid::now_v7().to_string();
        self.w.tx.execute(
            "INSERT INTO post_media (id, post_id, client_id, position, sha256, mime, size, name, alt, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![id, post_id, self.client.id, position, blob.sha256, blob.mime, blob.bytes.len() as i64, name, alt, source],
        )?;
        self.w.changed("posts", post_id, ChangeKind::Updated);
        Ok(PostMedia {
            id,
            position,
            sha256: blob.sha256.to_owned(),
            mime: blob.mime.to_owned(),
            size: blob.bytes.len() as i64,
            name: name.to_owned(),
            alt: alt.map(str::to_owned),
            source: source.to_owned(),
        })
    }

    /// Attach one of this client's library assets (already in the vault) to a post.
    pub fn add_post_media_from_library(
        &mut self,
        post_id: &str,
        asset_id: &str,
    ) -> Result<PostMedia> {
        self.open_post(post_id)?;
        let (sha, mime, size, name): (String, String, i64, String) = self
            .w
            .tx
            .query_row(
                "SELECT a.sha256, a.mime, a.size, a.name FROM lib_assets a WHERE a.id = ?1 AND a.client_id = ?2 AND a.status = 'done'",
                params![asset_id, self.client.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("library asset {asset_id}")))?;
        let position: i64 = self.w.tx.query_row(
            "SELECT coalesce(max(position) + 1, 0) FROM post_media WHERE post_id = ?1",
            [post_id],
            |r| r.get(0),
        )?;
        let id = uuid::Uuid::now_v7().to_string();
        let source = format!("library:{asset_id}");
        self.w.tx.execute(
            "INSERT INTO post_media (id, post_id, client_id, position, sha256, mime, size, name, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, post_id, self.client.id, position, sha, mime, size, name, source],
        )?;
        self.w.changed("posts", post_id, ChangeKind::Updated);
        Ok(PostMedia {
            id,
            position,
            sha256: sha,
            mime,
            size,
            name,
            alt: None,
            source,
        })
    }

    pub fn remove_post_media(&mut self, post_id: &str, media_id: &str) -> Result<()> {
        self.open_post(post_id)?;
        let n = self.w.tx.execute(
            "DELETE FROM post_media WHERE id = ?1 AND post_id = ?2 AND client_id = ?3",
            params![media_id, post_id, self.client.id],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!("media {media_id}")));
        }
        // Bytes no post or asset uses any more go with it.
        drop_unused_blobs(&self.w.tx)?;
        self.w.changed("posts", post_id, ChangeKind::Updated);
        Ok(())
    }

    /// Schedule (or reschedule) a post: its open targets become scheduled at `due`.
    /// Published, unconfirmed and handed-off targets are left alone.
    pub fn schedule_post(&mut self, post_id: &str, due: &Due) -> Result<Post> {
        self.open_post(post_id)?;
        let now = self.w.now();
        self.w.tx.execute(
            "UPDATE posts SET due_at = ?3, zone = ?4, wall_time = ?5, updated_at = ?6 WHERE id = ?1 AND client_id = ?2",
            params![post_id, self.client.id, due.at, due.zone, due.wall_time, now],
        )?;
        let n = self.w.tx.execute(
            &format!(
                "UPDATE post_targets SET state = 'scheduled', due_at = ?2, next_at = ?2, attempts = 0, reason = NULL, message = NULL, updated_at = ?3
                 WHERE post_id = ?1 AND state IN {OPEN_STATES}"
            ),
            params![post_id, due.at, now],
        )?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "nothing left to schedule: every target of this post is published, handed to its platform or waiting for a check".into(),
            ));
        }
        self.w.changed("posts", post_id, ChangeKind::Updated);
        self.w.changed("post_targets", post_id, ChangeKind::Updated);
        load_post(&self.w.tx, &self.client.id, post_id)
    }

    /// Back to draft: scheduled targets stop.
    pub fn unschedule_post(&mut self, post_id: &str) -> Result<Post> {
        self.open_post(post_id)?;
        let now = self.w.now();
        self.w.tx.execute(
            "UPDATE post_targets SET state = 'draft', next_at = NULL, updated_at = ?2 WHERE post_id = ?1 AND state IN ('scheduled', 'missed', 'failed', 'cancelled')",
            params![post_id, now],
        )?;
        self.w.changed("posts", post_id, ChangeKind::Updated);
        load_post(&self.w.tx, &self.client.id, post_id)
    }

    /// Cancel every target that has not gone out.
    pub fn cancel_post(&mut self, post_id: &str) -> Result<Post> {
        self.open_post(post_id)?;
        let now = self.w.now();
        self.w.tx.execute(
            "UPDATE post_targets SET state = 'cancelled', next_at = NULL, updated_at = ?2 WHERE post_id = ?1 AND state IN ('draft', 'scheduled', 'missed', 'failed')",
            params![post_id, now],
        )?;
        self.w.changed("posts", post_id, ChangeKind::Updated);
        load_post(&self.w.tx, &self.client.id, post_id)
    }

    /// A new draft with the same content, media and destinations.
    pub fn duplicate_post(&mut self, post_id: &str) -> Result<Post> {
        let src = load_post(&self.w.tx, &self.client.id, post_id)?;
        let input = PostInput {
            brand_id: src.brand_id.clone(),
            body: src.body.clone(),
            link: src.link.clone(),
            first_comment: src.first_comment.clone(),
            thread: src.thread.clone(),
            native_schedule: src.native_schedule,
            targets: src
                .targets
                .iter()
                .filter_map(|t| {
                    Some(TargetInput {
                        connection_id: t.connection_id.clone()?,
                        destination_id: t.destination_id.clone(),
                        destination_name: t.destination_name.clone(),
                        destination_kind: t.destination_kind.clone(),
                        body: t.body.clone(),
                    })
                })
                .collect(),
        };
        let copy = self.save_post(None, &input)?;
        self.w.tx.execute(
            "INSERT INTO post_media (id, post_id, client_id, position, sha256, mime, size, name, alt, source)
             SELECT lower(hex(randomblob(16))), ?2, client_id, position, sha256, mime, size, name, alt, source FROM post_media WHERE post_id = ?1",
            params![post_id, copy.id],
        )?;
        load_post(&self.w.tx, &self.client.id, &copy.id)
    }

    /// Delete a post that is not being published.
    pub fn delete_post(&mut self, post_id: &str) -> Result<()> {
        self.open_post(post_id)?;
        self.w.tx.execute(
            "DELETE FROM posts WHERE id = ?1 AND client_id = ?2",
            params![post_id, self.client.id],
        )?;
        drop_unused_blobs(&self.w.tx)?;
        self.w.changed("posts", post_id, ChangeKind::Deleted);
        Ok(())
    }

    /// A person settles an unconfirmed target: it is on the platform (`url` if known), or
    /// it is not and may be scheduled again.
    pub fn resolve_unconfirmed(
        &mut self,
        target_id: &str,
        published: bool,
        url: Option<&str>,
    ) -> Result<PostTarget> {
        let now = self.w.now();
        let n = if published {
            self.w.tx.execute(
                "UPDATE post_targets SET state = 'published', remote_url = coalesce(?3, remote_url), published_at = coalesce(published_at, ?4), reason = NULL, message = 'confirmed by a person', updated_at = ?4
                 WHERE id = ?1 AND client_id = ?2 AND state = 'unconfirmed'",
                params![target_id, self.client.id, url, now],
            )?
        } else {
            self.w.tx.execute(
                "UPDATE post_targets SET state = 'failed', reason = 'not_published', message = 'checked by a person: not on the platform', updated_at = ?3
                 WHERE id = ?1 AND client_id = ?2 AND state = 'unconfirmed'",
                params![target_id, self.client.id, now],
            )?
        };
        if n == 0 {
            return Err(StoreError::Conflict(
                "this target is not waiting for a check".into(),
            ));
        }
        if !published {
            // The open intent is settled by the person: the publish did not happen.
            self.w.tx.execute(
                "UPDATE publish_attempts SET outcome = 'not_found', ended_at = ?2, message = 'checked by a person' WHERE target_id = ?1 AND outcome IS NULL",
                params![target_id, now],
            )?;
            self.w.tx.execute(
                "DELETE FROM publish_steps WHERE target_id = ?1 AND key NOT LIKE 'media:%'",
                [target_id],
            )?;
        }
        self.w
            .changed("post_targets", target_id, ChangeKind::Updated);
        self.w
            .tx
            .query_row(
                &format!("SELECT {TARGET_COLS} FROM post_targets WHERE id = ?1"),
                [target_id],
                target_row,
            )
            .map_err(Into::into)
    }

    pub fn set_queue_slots(&mut self, slots: &[(u8, u16)]) -> Result<()> {
        self.w.tx.execute(
            "DELETE FROM queue_slots WHERE client_id = ?1",
            [&self.client.id],
        )?;
        for (day, minute) in slots {
            if *day > 6 || *minute > 1439 {
                return Err(StoreError::Invalid(format!(
                    "a queue slot is a weekday 0–6 and a minute 0–1439, not {day}/{minute}"
                )));
            }
            self.w.tx.execute(
                "INSERT OR IGNORE INTO queue_slots (client_id, weekday, minute) VALUES (?1, ?2, ?3)",
                params![self.client.id, day, minute],
            )?;
        }
        self.w
            .changed("queue_slots", &self.client.id, ChangeKind::Updated);
        Ok(())
    }
}

/// How a claimed target ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetEnd<'a> {
    pub state: &'a str,
    pub remote_id: Option<&'a str>,
    pub remote_url: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub message: Option<&'a str>,
    pub note: Option<&'a str>,
}

fn event_for(tx: &rusqlite::Connection, target_id: &str) -> Result<TargetEvent> {
    Ok(tx.query_row(
        "SELECT t.id, t.post_id, t.client_id, t.platform, coalesce(t.destination_name, t.destination_id), t.state, t.message
         FROM post_targets t WHERE t.id = ?1",
        [target_id],
        |r| {
            Ok(TargetEvent {
                target_id: r.get(0)?,
                post_id: r.get(1)?,
                client_id: r.get(2)?,
                platform: r.get(3)?,
                destination: r.get(4)?,
                state: r.get(5)?,
                message: r.get(6)?,
            })
        },
    )?)
}

/// The scheduler's writes. They span clients (one scheduler serves the vault) and are all
/// conditional on the state the scheduler expects, so two schedulers cannot both act.
impl Write<'_> {
    /// Scheduled targets overdue beyond the staleness window become missed.
    pub fn mark_missed(&mut self, now: &str, cutoff: &str) -> Result<Vec<TargetEvent>> {
        let ids: Vec<String> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT id FROM post_targets WHERE state = 'scheduled' AND next_at <= ?1 AND due_at < ?2",
            )?;
            let rows = stmt.query_map(params![now, cutoff], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut events = Vec::with_capacity(ids.len());
        for id in &ids {
            self.tx.execute(
                "UPDATE post_targets SET state = 'missed', next_at = NULL, reason = 'stale',
                   message = 'not published: the app was not running (or the clock moved) until long after its time. Publish now or reschedule?', updated_at = ?2
                 WHERE id = ?1 AND state = 'scheduled'",
                params![id, now],
            )?;
            events.push(event_for(&self.tx, id)?);
            self.changed("post_targets", id.clone(), ChangeKind::Updated);
        }
        Ok(events)
    }

    /// Take a due target for publishing. Returns false when it is no longer scheduled or
    /// not due (another scheduler took it, a person changed it).
    pub fn claim_target(&mut self, target_id: &str, scheduler: &str, now: &str) -> Result<bool> {
        let n = self.tx.execute(
            "UPDATE post_targets SET state = 'publishing', claimed_by = ?2, claimed_at = ?3, next_at = NULL, attempts = attempts + 1, updated_at = ?3
             WHERE id = ?1 AND state = 'scheduled' AND next_at <= ?3",
            params![target_id, scheduler, now],
        )?;
        if n == 1 {
            self.changed("post_targets", target_id, ChangeKind::Updated);
        }
        Ok(n == 1)
    }

    /// Take over a target left in `publishing` by a scheduler that stopped.
    pub fn adopt_target(
        &mut self,
        target_id: &str,
        from: Option<&str>,
        scheduler: &str,
    ) -> Result<bool> {
        let now = self.now();
        let n = self.tx.execute(
            "UPDATE post_targets SET claimed_by = ?3, claimed_at = ?4, updated_at = ?4
             WHERE id = ?1 AND state = 'publishing' AND claimed_by IS ?2",
            params![target_id, from, scheduler, now],
        )?;
        Ok(n == 1)
    }

    /// Write the intent before an irreversible call.
    pub fn begin_attempt(
        &mut self,
        target_id: &str,
        action: &str,
        role: &str,
        scheduler: &str,
    ) -> Result<i64> {
        let now = self.now();
        let owned: bool = self.tx.query_row(
            "SELECT count(*) FROM post_targets WHERE id = ?1 AND state = 'publishing' AND claimed_by = ?2",
            params![target_id, scheduler],
            |r| r.get::<_, i64>(0),
        )? == 1;
        if !owned {
            return Err(StoreError::Conflict(format!(
                "target {target_id} is not being published by this scheduler"
            )));
        }
        self.tx.execute(
            "INSERT INTO publish_attempts (target_id, action, role, scheduler, started_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![target_id, action, role, scheduler, now],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Close an intent.
    pub fn end_attempt(
        &mut self,
        attempt_id: i64,
        outcome: &str,
        message: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "UPDATE publish_attempts SET outcome = ?2, message = ?3, ended_at = ?4 WHERE id = ?1",
            params![attempt_id, outcome, message, now],
        )?;
        Ok(())
    }

    /// Store a completed action's remote id.
    pub fn record_step(
        &mut self,
        target_id: &str,
        key: &str,
        value: &str,
        url: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "INSERT INTO publish_steps (target_id, key, value, url, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (target_id, key) DO UPDATE SET value = excluded.value, url = excluded.url, at = excluded.at",
            params![target_id, key, value, url, now],
        )?;
        Ok(())
    }

    /// Forget completed preparation steps (uploaded media ids expire; a fresh try after a
    /// long wait uploads again).
    pub fn clear_steps(&mut self, target_id: &str, prefix: &str) -> Result<()> {
        self.tx.execute(
            "DELETE FROM publish_steps WHERE target_id = ?1 AND substr(key, 1, length(?2)) = ?2",
            params![target_id, prefix],
        )?;
        Ok(())
    }

    /// End a claimed target. Only the scheduler that holds it can.
    pub fn finish_target(
        &mut self,
        target_id: &str,
        scheduler: &str,
        end: &TargetEnd<'_>,
    ) -> Result<TargetEvent> {
        let now = self.now();
        let published_at = matches!(end.state, "published").then_some(now.as_str());
        let n = self.tx.execute(
            "UPDATE post_targets SET state = ?3, remote_id = coalesce(?4, remote_id), remote_url = coalesce(?5, remote_url), reason = ?6, message = ?7, note = ?8,
                    published_at = coalesce(?9, published_at), next_at = NULL, updated_at = ?10
             WHERE id = ?1 AND state = 'publishing' AND claimed_by = ?2",
            params![target_id, scheduler, end.state, end.remote_id, end.remote_url, end.reason, end.message, end.note, published_at, now],
        )?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "target {target_id} is not being published by this scheduler"
            )));
        }
        self.changed("post_targets", target_id, ChangeKind::Updated);
        event_for(&self.tx, target_id)
    }

    /// Put a claimed target back in the queue (a retry that provably publishes nothing
    /// twice, or a crash before any irreversible call). `refund_attempt` when nothing was
    /// tried (the account is waiting out a rate limit).
    pub fn requeue_target(
        &mut self,
        target_id: &str,
        scheduler: &str,
        next_at: &str,
        reason: Option<&str>,
        message: Option<&str>,
        refund_attempt: bool,
    ) -> Result<()> {
        let now = self.now();
        let n = self.tx.execute(
            "UPDATE post_targets SET state = 'scheduled', next_at = ?3, reason = ?4, message = ?5, claimed_by = NULL, updated_at = ?6,
                    attempts = attempts - ?7
             WHERE id = ?1 AND state = 'publishing' AND claimed_by = ?2",
            params![target_id, scheduler, next_at, reason, message, now, i64::from(refund_attempt)],
        )?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "target {target_id} is not being published by this scheduler"
            )));
        }
        self.changed("post_targets", target_id, ChangeKind::Updated);
        Ok(())
    }

    /// Register a scheduler (the app or `scheduler run`).
    pub fn register_scheduler(&mut self, id: &str, host: &str, pid: u32) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "INSERT INTO scheduler_leases (id, host, pid, started_at, heartbeat_at) VALUES (?1, ?2, ?3, ?4, ?4)
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            params![id, host, pid, now],
        )?;
        Ok(())
    }

    pub fn scheduler_heartbeat(&mut self, id: &str) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "UPDATE scheduler_leases SET heartbeat_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        Ok(())
    }

    pub fn unregister_scheduler(&mut self, id: &str) -> Result<()> {
        self.tx
            .execute("DELETE FROM scheduler_leases WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Remember where a connection can publish.
    pub fn store_publish_destinations(
        &mut self,
        connection_id: &str,
        destinations: &[(String, Option<String>, String)],
    ) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "DELETE FROM publish_destinations WHERE connection_id = ?1",
            [connection_id],
        )?;
        for (id, name, kind) in destinations {
            self.tx.execute(
                "INSERT INTO publish_destinations (connection_id, id, name, kind, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![connection_id, id, name, kind, now],
            )?;
        }
        self.changed("publish_destinations", connection_id, ChangeKind::Updated);
        Ok(())
    }
}
