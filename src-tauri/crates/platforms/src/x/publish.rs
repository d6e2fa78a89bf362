//! Publishing to X (API v2): chunked media upload, the post, and a thread as a chain of
//! replies.
//!
//! Plan (`next_action`), in order:
//! - `media:{i}` (Prepare) for every media file: `POST /2/media/upload/initialize`
//!   (`media_type`, `total_bytes`, `media_category`), one `POST /2/media/upload/{id}/append`
//!   per chunk of at most [`CHUNK`] bytes (multipart `media`, `segment_index`), then
//!   `POST /2/media/upload/{id}/finalize`; the result is the media id.
//! - `media:{i}:status` (Poll) after a video or GIF: `GET /2/media/upload?command=STATUS`
//!   until `succeeded` (`Again(check_after_secs)` meanwhile; `failed` is `Rejected`).
//! - `post` (Post): `POST /2/tweets` with `text` (the link appended) and `media.media_ids`.
//! - `thread:{n}` (FollowUp) for every follow-up: `POST /2/tweets` with
//!   `reply.in_reply_to_tweet_id` = the id of the part before it.
//!
//! `find` reads `GET /2/users/{id}/tweets` from a day before the post was due and matches
//! the text (and, for a reply, its parent); `destinations` is the user of `/2/users/me`.

use crate::publish::wire::{self, Multipart, Refusal, Reply};
use crate::publish::{
    key_of, lookup_since, Action, Destination, FailureClass, Key, Lookup, Outcome, Progress,
    PublishCtx, PublishError, PublishRequest, Publisher, StepResult,
};
use async_trait::async_trait;
use chrono::SecondsFormat;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

const PLATFORM: &str = "X";

/// The largest chunk one APPEND carries.
// why: X takes at most 5 MB per segment (chunked media guide); 4 MiB stays under it
// whichever "MB" is meant.
pub const CHUNK: usize = 4 * 1024 * 1024;

/// The wait before a STATUS poll when X names none.
const DEFAULT_CHECK_AFTER: Duration = Duration::from_secs(5);

/// Publishing to X.
pub struct XPublisher;

/// `media_category` of a file: videos and GIFs are processed after upload and polled.
fn category(mime: &str) -> &'static str {
    if mime == "image/gif" {
        "tweet_gif"
    } else if mime.starts_with("video/") {
        "tweet_video"
    } else {
        "tweet_image"
    }
}

fn is_processed(mime: &str) -> bool {
    category(mime) != "tweet_image"
}

/// The post's text: the link, when there is one, goes at its end (X counts it as 23).
fn post_text(req: &PublishRequest) -> String {
    match req.link.as_deref().filter(|l| !l.is_empty()) {
        Some(link) if !req.text.contains(link) => {
            if req.text.trim().is_empty() {
                link.to_owned()
            } else {
                format!("{} {link}", req.text.trim_end())
            }
        }
        _ => req.text.clone(),
    }
}

fn post_url(id: &str) -> String {
    format!("https://x.com/i/web/status/{id}")
}

/// X's answer to a refused call: problem details (`title`, `detail`, `type`) or
/// `{errors: [{message}]}`.
fn refusal(reply: &Reply, now: chrono::DateTime<chrono::Utc>) -> PublishError {
    let body = reply.value().unwrap_or(Value::Null);
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let first_error = body
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .and_then(|e| e.get("message").or_else(|| e.get("detail")))
        .and_then(Value::as_str)
        .unwrap_or("");
    let message = [text("detail"), first_error, text("title")]
        .into_iter()
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(" — ");
    let kind = text("type");
    // why: X answers 403 both for content it refuses (duplicates, text too long) and for a
    // client or grant that may not do this; only the latter is fixed by reconnecting.
    let reconnect = reply.status == 403
        && [
            "client-forbidden",
            "unsupported-authentication",
            "oauth1-permissions",
        ]
        .iter()
        .any(|t| kind.ends_with(t));
    let retry_after = reply
        .header("x-rate-limit-reset")
        .and_then(|r| wire::until_epoch(r, now));
    wire::classify(
        PLATFORM,
        reply,
        Refusal {
            message,
            reconnect,
            retry_after,
            ..Refusal::default()
        },
    )
}

/// One call's view of the API.
struct Api<'a> {
    ctx: &'a PublishCtx<'a>,
    origin: String,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct MediaState {
    id: String,
    #[serde(default)]
    processing_info: Option<Processing>,
}

#[derive(Deserialize)]
struct Processing {
    state: String,
    #[serde(default)]
    check_after_secs: Option<u64>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

#[derive(Deserialize)]
struct Timeline {
    #[serde(default)]
    data: Vec<Tweet>,
    meta: Option<TimelineMeta>,
}

#[derive(Deserialize)]
struct TimelineMeta {
    next_token: Option<String>,
}

/// Pages of 100 a lookup reads at most.
const LOOKUP_PAGES: usize = 20;

#[derive(Deserialize)]
struct Tweet {
    id: String,
    text: String,
    #[serde(default)]
    referenced_tweets: Vec<Reference>,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

impl<'a> Api<'a> {
    fn new(ctx: &'a PublishCtx<'a>) -> Result<Self, PublishError> {
        Ok(Self {
            origin: wire::api_origin(ctx.descriptor)?,
            ctx,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Send with the user's token; a refusal is classified, a success returned whole.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Reply, PublishError> {
        let reply = wire::send(
            PLATFORM,
            request
                .bearer_auth(self.ctx.token.expose_secret())
                .header(reqwest::header::ACCEPT, "application/json"),
        )
        .await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(refusal(&reply, self.ctx.now))
        }
    }

    async fn upload(&self, media: &crate::publish::MediaFile) -> Result<MediaState, PublishError> {
        let init = self
            .send(
                self.ctx
                    .http
                    .post(self.url("/2/media/upload/initialize"))
                    .json(&json!({
                        "media_type": media.mime,
                        "total_bytes": media.bytes.len(),
                        "media_category": category(&media.mime),
                    })),
            )
            .await?;
        let id = init.json::<Data<Created>>(PLATFORM)?.data.id;
        let name = wire::file_name(&media.mime);
        for (index, chunk) in media.bytes.chunks(CHUNK).enumerate() {
            let form = Multipart::new()
                .text("segment_index", &index.to_string())
                .file("media", &name, &media.mime, chunk);
            let url = self.url(&format!("/2/media/upload/{id}/append"));
            self.send(form.attach(self.ctx.http.post(url))).await?;
        }
        let url = self.url(&format!("/2/media/upload/{id}/finalize"));
        let done = self.send(self.ctx.http.post(url)).await?;
        let state = done.json::<Data<MediaState>>(PLATFORM)?.data;
        check_processing(&state)?;
        Ok(state)
    }

    async fn status(&self, media_id: &str) -> Result<MediaState, PublishError> {
        let reply = self
            .send(
                self.ctx
                    .http
                    .get(self.url("/2/media/upload"))
                    .query(&[("command", "STATUS"), ("media_id", media_id)]),
            )
            .await?;
        Ok(reply.json::<Data<MediaState>>(PLATFORM)?.data)
    }

    async fn tweet(&self, body: Value) -> Result<StepResult, PublishError> {
        let reply = self
            .send(self.ctx.http.post(self.url("/2/tweets")).json(&body))
            .await?;
        let id = reply.json::<Data<Created>>(PLATFORM)?.data.id;
        Ok(StepResult {
            url: Some(post_url(&id)),
            value: id,
        })
    }

    async fn timeline(
        &self,
        user: &str,
        since: chrono::DateTime<chrono::Utc>,
        replies: bool,
    ) -> Result<Vec<Tweet>, PublishError> {
        let start = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut query = vec![
            ("start_time", start.as_str()),
            ("max_results", "100"),
            ("tweet.fields", "created_at,referenced_tweets"),
        ];
        if !replies {
            query.push(("exclude", "replies"));
        }
        let url = self.url(&format!("/2/users/{}/tweets", encode(user)));
        // Every page back to `since`: a lookup that stopped at the first page would miss a
        // post made before a burst of others, and a missed post gets published twice.
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..LOOKUP_PAGES {
            let mut q = query.clone();
            if let Some(t) = &token {
                q.push(("pagination_token", t.as_str()));
            }
            let reply = self.send(self.ctx.http.get(url.clone()).query(&q)).await?;
            let page = reply.json::<Timeline>(PLATFORM)?;
            out.extend(page.data);
            match page.meta.and_then(|m| m.next_token) {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
        Err(PublishError::new(
            FailureClass::Uncertain,
            format!("X: more than {LOOKUP_PAGES} pages of posts since the due time; cannot tell"),
        ))
    }
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// A media file X failed to process is refused content.
fn check_processing(state: &MediaState) -> Result<(), PublishError> {
    match &state.processing_info {
        Some(p) if p.state == "failed" => {
            let why = p
                .error
                .as_ref()
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            Err(PublishError::new(
                FailureClass::Rejected,
                format!("X could not process media {}: {why}", state.id),
            ))
        }
        _ => Ok(()),
    }
}

/// The id the part `n` of a thread replies to.
fn parent_of(n: usize, progress: &Progress) -> Result<&StepResult, PublishError> {
    if n == 1 {
        Key::Post.needed(progress)
    } else {
        Key::Thread(n - 1).needed(progress)
    }
}

impl XPublisher {
    async fn perform_inner(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError> {
        let api = Api::new(ctx)?;
        match key_of(PLATFORM, action)? {
            Key::Media(i) => {
                let media = media_at(req, i)?;
                let state = api.upload(media).await?;
                Ok(Outcome::Done(StepResult {
                    value: state.id,
                    url: None,
                }))
            }
            Key::MediaStatus(i) => {
                let id = &Key::Media(i).needed(progress)?.value;
                let state = api.status(id).await?;
                check_processing(&state)?;
                match state.processing_info {
                    Some(p) if p.state != "succeeded" => Ok(Outcome::Again(
                        p.check_after_secs
                            .map(Duration::from_secs)
                            .unwrap_or(DEFAULT_CHECK_AFTER)
                            .clamp(Duration::from_secs(1), Duration::from_secs(300)),
                    )),
                    _ => Ok(Outcome::Done(StepResult {
                        value: id.clone(),
                        url: None,
                    })),
                }
            }
            Key::Post => {
                let mut body = json!({ "text": post_text(req) });
                let ids = (0..req.media.len())
                    .map(|i| Key::Media(i).needed(progress).map(|r| r.value.clone()))
                    .collect::<Result<Vec<_>, _>>()?;
                if !ids.is_empty() {
                    body["media"] = json!({ "media_ids": ids });
                }
                api.tweet(body).await.map(Outcome::Done)
            }
            Key::Thread(n) => {
                let text = req
                    .thread
                    .get(n - 1)
                    .ok_or_else(|| wire::permanent(format!("the thread has no part {n}")))?;
                let parent = &parent_of(n, progress)?.value;
                api.tweet(json!({
                    "text": text,
                    "reply": { "in_reply_to_tweet_id": parent },
                }))
                .await
                .map(Outcome::Done)
            }
            Key::Comment => Err(wire::permanent("X posts have no first comment")),
        }
    }

    async fn find_inner(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Lookup, PublishError> {
        let api = Api::new(ctx)?;
        let since = lookup_since(req, ctx.now);
        let author = &req.destination.id;
        let found = |t: Tweet| {
            Lookup::Found(StepResult {
                url: Some(post_url(&t.id)),
                value: t.id,
            })
        };
        match key_of(PLATFORM, action)? {
            Key::Post => {
                let want = wire::comparable(&post_text(req));
                let tweets = api.timeline(author, since, false).await?;
                Ok(tweets
                    .into_iter()
                    .find(|t| wire::comparable(&t.text) == want)
                    .map_or(Lookup::NotFound, found))
            }
            Key::Thread(n) => {
                let text = req
                    .thread
                    .get(n - 1)
                    .ok_or_else(|| wire::permanent(format!("the thread has no part {n}")))?;
                let want = wire::comparable(text);
                let parent = parent_of(n, progress)?.value.clone();
                let tweets = api.timeline(author, since, true).await?;
                Ok(tweets
                    .into_iter()
                    .find(|t| {
                        wire::comparable(&t.text) == want
                            && t.referenced_tweets
                                .iter()
                                .any(|r| r.kind == "replied_to" && r.id == parent)
                    })
                    .map_or(Lookup::NotFound, found))
            }
            // Uploads and polls change nothing visible: there is nothing to look up.
            Key::Media(_) | Key::MediaStatus(_) | Key::Comment => Ok(Lookup::CannotTell),
        }
    }
}

fn media_at(req: &PublishRequest, i: usize) -> Result<&crate::publish::MediaFile, PublishError> {
    req.media
        .get(i)
        .ok_or_else(|| wire::permanent(format!("the post has no media {i}")))
}

#[async_trait]
impl Publisher for XPublisher {
    fn platform(&self) -> &'static str {
        "x"
    }

    #[tracing::instrument(skip_all, fields(platform = "x"), err)]
    async fn destinations(&self, ctx: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError> {
        let run = async {
            let api = Api::new(ctx)?;
            let reply = api.send(ctx.http.get(api.url("/2/users/me"))).await?;
            let user = reply.json::<Data<User>>(PLATFORM)?.data;
            Ok(vec![Destination {
                name: user.name.or_else(|| user.username.map(|u| format!("@{u}"))),
                id: user.id,
                kind: "user".into(),
            }])
        };
        run.await.map_err(|e| wire::scrub(e, &[ctx.token]))
    }

    fn next_action(&self, req: &PublishRequest, progress: &Progress) -> Option<Action> {
        let mut plan = Vec::new();
        for (i, media) in req.media.iter().enumerate() {
            plan.push(Key::Media(i));
            if is_processed(&media.mime) {
                plan.push(Key::MediaStatus(i));
            }
        }
        plan.push(Key::Post);
        plan.extend((1..=req.thread.len()).map(Key::Thread));
        // X has no comments apart from replies: a first comment is the thread's job.
        plan.into_iter()
            .find(|k| k.done(progress).is_none())
            .map(Key::action)
    }

    #[tracing::instrument(skip_all, fields(platform = "x", target = %req.target_id, key = %action.key), err)]
    async fn perform(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError> {
        self.perform_inner(ctx, req, progress, action)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))
    }

    #[tracing::instrument(skip_all, fields(platform = "x", target = %req.target_id, key = %action.key), err)]
    async fn find(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Lookup, PublishError> {
        self.find_inner(ctx, req, progress, action)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::{ActionRole, MediaFile};
    use std::sync::Arc;

    fn request(media: &[&str], thread: usize) -> PublishRequest {
        PublishRequest {
            target_id: "t1".into(),
            destination: Destination {
                id: "42".into(),
                name: None,
                kind: "user".into(),
            },
            text: "Hello".into(),
            link: None,
            media: media
                .iter()
                .enumerate()
                .map(|(i, mime)| MediaFile {
                    id: format!("m{i}"),
                    mime: (*mime).into(),
                    bytes: Arc::new(vec![1, 2, 3]),
                    alt: None,
                })
                .collect(),
            first_comment: Some("ignored on X".into()),
            thread: (0..thread).map(|i| format!("part {}", i + 2)).collect(),
            due: chrono::Utc::now(),
            native_schedule: false,
        }
    }

    /// Every action of the plan, marking each done as it goes.
    fn plan(req: &PublishRequest) -> Vec<(String, ActionRole)> {
        let mut progress = Progress::default();
        let mut out = Vec::new();
        while let Some(a) = XPublisher.next_action(req, &progress) {
            assert!(out.len() < 50, "the plan ends");
            progress.steps.insert(
                a.key.clone(),
                StepResult {
                    value: "1".into(),
                    url: None,
                },
            );
            out.push((a.key, a.role));
        }
        out
    }

    #[test]
    fn images_are_uploaded_then_posted_then_the_thread_follows() {
        use ActionRole::*;
        let keys = plan(&request(&["image/jpeg", "image/png"], 2));
        let expected: Vec<(String, ActionRole)> = [
            ("media:0", Prepare),
            ("media:1", Prepare),
            ("post", Post),
            ("thread:1", FollowUp),
            ("thread:2", FollowUp),
        ]
        .into_iter()
        .map(|(k, r)| (k.to_owned(), r))
        .collect();
        assert_eq!(keys, expected, "no polls for images; no comment on X");
    }

    #[test]
    fn videos_and_gifs_are_polled_after_upload() {
        use ActionRole::*;
        let keys = plan(&request(&["video/mp4"], 0));
        assert_eq!(
            keys,
            vec![
                ("media:0".to_owned(), Prepare),
                ("media:0:status".to_owned(), Poll),
                ("post".to_owned(), Post)
            ],
            "a video is polled until processed"
        );
        assert_eq!(
            category("image/gif"),
            "tweet_gif",
            "GIFs are their own category"
        );
        assert!(is_processed("image/gif"), "GIFs are processed");
    }

    #[test]
    fn x_errors_choose_the_class() {
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
        let reply = |status: u16, body: Value, reset: Option<&str>| {
            let mut headers = reqwest::header::HeaderMap::new();
            if let Some(r) = reset {
                headers.insert("x-rate-limit-reset", r.parse().expect("a header"));
            }
            Reply {
                status,
                headers,
                body: body.to_string().into_bytes(),
            }
        };
        let limited = refusal(
            &reply(
                429,
                json!({"title": "Too Many Requests"}),
                Some("1700000300"),
            ),
            now,
        );
        assert_eq!(
            (limited.class, limited.retry_after),
            (FailureClass::RateLimited, Some(Duration::from_secs(300))),
            "x-rate-limit-reset minus now"
        );
        let duplicate = refusal(
            &reply(
                403,
                json!({"title": "Forbidden", "type": "about:blank",
                "detail": "You are not allowed to create a Tweet with duplicate content."}),
                None,
            ),
            now,
        );
        assert_eq!(duplicate.class, FailureClass::Rejected, "{duplicate}");
        let forbidden = refusal(
            &reply(
                403,
                json!({"title": "Forbidden",
                "type": "https://api.twitter.com/2/problems/client-forbidden", "detail": "no access"}),
                None,
            ),
            now,
        );
        assert_eq!(forbidden.class, FailureClass::Reconnect, "{forbidden}");
        let invalid = refusal(
            &reply(
                400,
                json!({"errors": [{"message": "Your media IDs are invalid."}],
                "title": "Invalid Request"}),
                None,
            ),
            now,
        );
        assert_eq!(invalid.class, FailureClass::Rejected, "{invalid}");
        assert!(
            invalid.raw.contains("media IDs are invalid"),
            "X's message: {invalid}"
        );
    }

    #[test]
    fn the_link_goes_at_the_end_of_the_text_once() {
        let mut req = request(&[], 0);
        req.link = Some("https://example.com/a".into());
        assert_eq!(post_text(&req), "Hello https://example.com/a", "appended");
        req.text = "See https://example.com/a today".into();
        assert_eq!(
            post_text(&req),
            "See https://example.com/a today",
            "not twice when the text has it"
        );
    }
}
