//! Publishing to Facebook Pages through the Graph API, with the Page's own token.
//!
//! The Page token is a secret as strong as the user's: it is read inside every action
//! (`GET /{page-id}?fields=access_token` with the user token), held as a [`SecretString`]
//! for that action only, never returned, and scrubbed from every message.
//!
//! Plan (`next_action`), in order:
//! - one photo, published now: `post` (Post) is `POST /{page}/photos` (multipart `source`,
//!   `caption`), whose `post_id` is the post;
//! - otherwise `media:{i}` (Prepare) uploads each photo unpublished (`POST /{page}/photos`,
//!   `published=false`, plus `temporary=true` for a scheduled post), then `post` (Post) is
//!   `POST /{page}/feed` with `message`, `link`, `attached_media[i]={"media_fbid": …}`, and
//!   for native scheduling `published=false` with `scheduled_publish_time` (Unix seconds);
//! - `comment` (FollowUp) when there is a first comment: `POST /{post-id}/comments`.
//!
//! `find` reads `GET /{page}/feed?since=` (and `/scheduled_posts` for a native schedule,
//! and the post's comments) and matches the message; `destinations` are the Pages of
//! `GET /me/accounts`.

use super::limits as meta_limits;
use super::GRAPH_VERSION;
use crate::publish::wire::{self, Multipart, Refusal, Reply};
use crate::publish::{
    first_comment, key_of, lookup_since, Action, Destination, FailureClass, Key, Lookup, MediaFile,
    Outcome, Progress, PublishCtx, PublishError, PublishRequest, Publisher, StepResult,
};
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;

const PLATFORM: &str = "Facebook";

/// Publishing to Facebook Pages (the `meta` connection).
pub struct FacebookPublisher;

/// How far ahead a post must be for Facebook to hold it.
// why: the Pages API takes a `scheduled_publish_time` from 10 minutes ahead (Pages API
// posts guide; publishing research note §3).
const NATIVE_LEAD_MINUTES: i64 = 10;

/// Pages read per destinations call before giving up on paging.
const MAX_PAGES: usize = 20;

fn post_url(id: &str) -> String {
    format!("https://www.facebook.com/{id}")
}

/// One photo published now goes through the photos edge; anything else through the feed.
fn photo_post(req: &PublishRequest) -> bool {
    req.media.len() == 1 && !req.native_schedule
}

/// The post's message: the text, and the link when it cannot be the post's link (photos).
fn message(req: &PublishRequest) -> String {
    match req.link.as_deref().filter(|l| !l.is_empty()) {
        Some(link) if !req.media.is_empty() && !req.text.contains(link) => {
            format!("{} {link}", req.text.trim_end())
        }
        _ => req.text.clone(),
    }
}

/// Graph's answer to a refused call: `{error: {message, type, code, error_subcode,
/// is_transient}}` and the usage headers.
fn refusal(reply: &Reply) -> PublishError {
    let body = reply.value().unwrap_or(Value::Null);
    let Some(e) = body.get("error").filter(|e| e.is_object()) else {
        return wire::classify(PLATFORM, reply, Refusal::default());
    };
    let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
    let sub = e.get("error_subcode").and_then(Value::as_i64);
    let text = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message");
    let message = match sub {
        Some(s) => format!("{text} (Graph error {code}/{s})"),
        None => format!("{text} (Graph error {code})"),
    };
    let usage = meta_limits::usage(|name| reply.header(name).map(str::to_owned));
    wire::classify(
        PLATFORM,
        reply,
        Refusal {
            message,
            // why: 4, 17, 32 and 613 are Graph's throttling codes; 80001 is the Page
            // limit (Meta's rate-limiting guide).
            rate_limited: matches!(code, 4 | 17 | 32 | 613 | 80001),
            // why: 190 is a dead token, 102 a session, 10 and 200–299 a missing permission.
            reconnect: matches!(code, 190 | 102 | 10 | 200..=299),
            // why: 368 (blocked for policy), 506 (duplicate) and 100 (invalid parameter)
            // refuse the content itself, whatever HTTP status carries them.
            rejected: matches!(code, 100 | 368 | 506),
            // why: code 1 ("unknown") and 2 (service) are Graph's own failures.
            transient: e.get("is_transient").and_then(Value::as_bool) == Some(true)
                || matches!(code, 1 | 2),
            retry_after: usage.regain_after,
        },
    )
}

#[derive(Deserialize)]
struct PageToken {
    #[serde(default)]
    access_token: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    #[serde(default)]
    post_id: Option<String>,
}

#[derive(Deserialize)]
struct Listing<T> {
    #[serde(default = "Vec::new")]
    data: Vec<T>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct FeedPost {
    id: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    scheduled_publish_time: Option<Value>,
}

#[derive(Deserialize)]
struct Comment {
    id: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    from: Option<From>,
}

#[derive(Deserialize)]
struct From {
    id: String,
}

/// One call's view of the Graph API.
struct Api<'a> {
    ctx: &'a PublishCtx<'a>,
    base: String,
}

impl<'a> Api<'a> {
    fn new(ctx: &'a PublishCtx<'a>) -> Result<Self, PublishError> {
        Ok(Self {
            base: format!("{}/{GRAPH_VERSION}", wire::api_origin(ctx.descriptor)?),
            ctx,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Reply, PublishError> {
        let reply = wire::send(
            PLATFORM,
            request.header(reqwest::header::ACCEPT, "application/json"),
        )
        .await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(refusal(&reply))
        }
    }

    /// The Page's token, read with the user's.
    async fn page_token(&self, page: &str) -> Result<SecretString, PublishError> {
        let reply = self
            .send(
                self.ctx
                    .http
                    .get(self.url(&encode(page)))
                    .query(&[("fields", "access_token")])
                    .bearer_auth(self.ctx.token.expose_secret()),
            )
            .await?;
        reply
            .json::<PageToken>(PLATFORM)?
            .access_token
            .filter(|t| !t.is_empty())
            .map(SecretString::from)
            .ok_or_else(|| {
                PublishError::new(
                    FailureClass::Reconnect,
                    format!(
                        "Facebook gives this connection no token for the Page {page}: reconnect \
                         with a profile that manages the Page and allow pages_manage_posts"
                    ),
                )
            })
    }

    async fn upload_photo(
        &self,
        page: &str,
        token: &SecretString,
        media: &MediaFile,
        fields: &[(&str, &str)],
    ) -> Result<Created, PublishError> {
        check_image(media)?;
        let mut form = Multipart::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        let form = form.text("access_token", token.expose_secret()).file(
            "source",
            &wire::file_name(&media.mime),
            &media.mime,
            &media.bytes,
        );
        let url = self.url(&format!("{}/photos", encode(page)));
        let reply = self.send(form.attach(self.ctx.http.post(url))).await?;
        reply.json::<Created>(PLATFORM)
    }

    async fn post_form(
        &self,
        path: &str,
        token: &SecretString,
        mut form: Vec<(String, String)>,
    ) -> Result<Created, PublishError> {
        form.push(("access_token".into(), token.expose_secret().to_owned()));
        let reply = self
            .send(self.ctx.http.post(self.url(path)).form(&form))
            .await?;
        reply.json::<Created>(PLATFORM)
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: &SecretString,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, PublishError> {
        let reply = self
            .send(
                self.ctx
                    .http
                    .get(self.url(path))
                    .query(query)
                    .bearer_auth(token.expose_secret()),
            )
            .await?;
        Ok(reply.json::<Listing<T>>(PLATFORM)?.data)
    }
}

fn check_image(media: &MediaFile) -> Result<(), PublishError> {
    if media.mime.starts_with("image/") {
        Ok(())
    } else {
        Err(wire::permanent(format!(
            "Switchboard publishes only photos to Facebook Pages for now, not {}",
            media.mime
        )))
    }
}

/// A path segment, percent-encoded.
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// A Graph time or Unix seconds, as Unix seconds.
fn unix(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok().or_else(|| {
            chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
                .ok()
                .map(|t| t.timestamp())
        }),
        _ => None,
    }
}

impl FacebookPublisher {
    async fn perform_inner(
        &self,
        api: &Api<'_>,
        token: &SecretString,
        req: &PublishRequest,
        progress: &Progress,
        key: Key,
    ) -> Result<Outcome, PublishError> {
        let page = &req.destination.id;
        let created = match key {
            Key::Media(i) => {
                let media = req
                    .media
                    .get(i)
                    .ok_or_else(|| wire::permanent(format!("the post has no media {i}")))?;
                let mut fields = vec![("published", "false")];
                if req.native_schedule {
                    // why: photos of a scheduled post are uploaded as temporary (Pages API
                    // posts guide, scheduled posts with photos).
                    fields.push(("temporary", "true"));
                }
                let photo = api.upload_photo(page, token, media, &fields).await?;
                return Ok(Outcome::Done(StepResult {
                    value: photo.id,
                    url: None,
                }));
            }
            Key::Post if photo_post(req) => {
                let caption = message(req);
                let photo = api
                    .upload_photo(page, token, &req.media[0], &[("caption", &caption)])
                    .await?;
                photo.post_id.unwrap_or(photo.id)
            }
            Key::Post => {
                let mut form: Vec<(String, String)> = vec![("message".into(), message(req))];
                if let Some(link) = req.link.as_deref().filter(|l| !l.is_empty()) {
                    if req.media.is_empty() {
                        form.push(("link".into(), link.to_owned()));
                    }
                }
                for (i, media) in req.media.iter().enumerate() {
                    check_image(media)?;
                    let id = &Key::Media(i).needed(progress)?.value;
                    form.push((
                        format!("attached_media[{i}]"),
                        serde_json::json!({ "media_fbid": id }).to_string(),
                    ));
                }
                if req.native_schedule {
                    form.push(("published".into(), "false".into()));
                    form.push((
                        "scheduled_publish_time".into(),
                        req.due.timestamp().to_string(),
                    ));
                }
                let path = format!("{}/feed", encode(page));
                api.post_form(&path, token, form).await?.id
            }
            Key::Comment => {
                let text = first_comment(req)
                    .ok_or_else(|| wire::permanent("the post has no first comment"))?;
                let post = &Key::Post.needed(progress)?.value;
                let path = format!("{}/comments", encode(post));
                let id = api
                    .post_form(&path, token, vec![("message".into(), text.to_owned())])
                    .await?
                    .id;
                return Ok(Outcome::Done(StepResult {
                    value: id,
                    url: Some(post_url(post)),
                }));
            }
            Key::MediaStatus(_) | Key::Thread(_) => {
                return Err(wire::permanent(format!(
                    "Facebook has no action for this key ({key:?})"
                )))
            }
        };
        Ok(Outcome::Done(StepResult {
            url: Some(post_url(&created)),
            value: created,
        }))
    }

    async fn find_inner(
        &self,
        api: &Api<'_>,
        token: &SecretString,
        req: &PublishRequest,
        progress: &Progress,
        key: Key,
    ) -> Result<Lookup, PublishError> {
        let page = encode(&req.destination.id);
        let found = |id: String| {
            Lookup::Found(StepResult {
                url: Some(post_url(&id)),
                value: id,
            })
        };
        match key {
            Key::Post => {
                let want = message(req);
                if req.native_schedule {
                    let due = req.due.timestamp();
                    let held: Vec<FeedPost> = api
                        .list(
                            &format!("{page}/scheduled_posts"),
                            token,
                            &[
                                ("fields", "id,message,scheduled_publish_time".into()),
                                ("limit", "100".into()),
                            ],
                        )
                        .await?;
                    let hit = held.into_iter().find(|p| {
                        p.message.as_deref() == Some(want.as_str())
                            && p.scheduled_publish_time.as_ref().and_then(unix) == Some(due)
                    });
                    if let Some(p) = hit {
                        return Ok(found(p.id));
                    }
                    // Past its time, a held post is in the feed like any other.
                }
                let since = lookup_since(req, api.ctx.now).timestamp();
                let feed: Vec<FeedPost> = api
                    .list(
                        &format!("{page}/feed"),
                        token,
                        &[
                            ("fields", "id,message,created_time".into()),
                            ("since", since.to_string()),
                            ("limit", "100".into()),
                        ],
                    )
                    .await?;
                Ok(feed
                    .into_iter()
                    .find(|p| p.message.as_deref() == Some(want.as_str()))
                    .map_or(Lookup::NotFound, |p| found(p.id)))
            }
            Key::Comment => {
                let text = first_comment(req)
                    .ok_or_else(|| wire::permanent("the post has no first comment"))?;
                let post = Key::Post.needed(progress)?.value.clone();
                let comments: Vec<Comment> = api
                    .list(
                        &format!("{}/comments", encode(&post)),
                        token,
                        &[
                            ("fields", "id,message,from".into()),
                            ("limit", "100".into()),
                        ],
                    )
                    .await?;
                Ok(comments
                    .into_iter()
                    .find(|c| {
                        c.message.as_deref() == Some(text)
                            && c.from.as_ref().is_none_or(|f| f.id == req.destination.id)
                    })
                    .map_or(Lookup::NotFound, |c| {
                        Lookup::Found(StepResult {
                            value: c.id,
                            url: Some(post_url(&post)),
                        })
                    }))
            }
            Key::Media(_) | Key::MediaStatus(_) | Key::Thread(_) => Ok(Lookup::CannotTell),
        }
    }

    async fn destinations_inner(
        &self,
        ctx: &PublishCtx<'_>,
    ) -> Result<Vec<Destination>, PublishError> {
        let api = Api::new(ctx)?;
        // Only ids and names: the Page tokens this edge can carry are read per action.
        let first = format!("{}?fields=id,name&limit=100", api.url("me/accounts"));
        let mut url = first.clone();
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = api
                .send(ctx.http.get(&url).bearer_auth(ctx.token.expose_secret()))
                .await?;
            let listing = reply.json::<Listing<Page>>(PLATFORM)?;
            out.extend(listing.data.into_iter().map(|p| Destination {
                id: p.id,
                name: p.name,
                kind: "page".into(),
            }));
            match listing.paging.and_then(|p| p.next) {
                // The token is sent only back to the same endpoint.
                Some(next) if crate::http::same_endpoint(&first, &next) => url = next,
                _ => return Ok(out),
            }
        }
        tracing::warn!(
            pages = MAX_PAGES,
            "Facebook Pages list cut after too many pages"
        );
        Ok(out)
    }
}

#[async_trait]
impl Publisher for FacebookPublisher {
    fn platform(&self) -> &'static str {
        "meta"
    }

    #[tracing::instrument(skip_all, fields(platform = "meta"), err)]
    async fn destinations(&self, ctx: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError> {
        self.destinations_inner(ctx)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))
    }

    fn native_scheduling(&self) -> Option<chrono::Duration> {
        Some(chrono::Duration::minutes(NATIVE_LEAD_MINUTES))
    }

    fn next_action(&self, req: &PublishRequest, progress: &Progress) -> Option<Action> {
        let mut plan: Vec<Key> = if photo_post(req) {
            Vec::new()
        } else {
            (0..req.media.len()).map(Key::Media).collect()
        };
        plan.push(Key::Post);
        if first_comment(req).is_some() {
            plan.push(Key::Comment);
        }
        plan.into_iter()
            .find(|k| k.done(progress).is_none())
            .map(Key::action)
    }

    #[tracing::instrument(skip_all, fields(platform = "meta", target = %req.target_id, key = %action.key), err)]
    async fn perform(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Outcome, PublishError> {
        let key = key_of(PLATFORM, action)?;
        if key == Key::Comment && req.native_schedule {
            // why: a post Facebook holds for later cannot be commented on until it is out,
            // and nothing of Switchboard's may run then (the laptop may be shut).
            return Err(wire::permanent(
                "Facebook cannot take a first comment on a post it holds for later; add the \
                 comment once the post is out",
            ));
        }
        let api = Api::new(ctx)?;
        let token = api
            .page_token(&req.destination.id)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))?;
        self.perform_inner(&api, &token, req, progress, key)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token, &token]))
    }

    #[tracing::instrument(skip_all, fields(platform = "meta", target = %req.target_id, key = %action.key), err)]
    async fn find(
        &self,
        ctx: &PublishCtx<'_>,
        req: &PublishRequest,
        progress: &Progress,
        action: &Action,
    ) -> Result<Lookup, PublishError> {
        let key = key_of(PLATFORM, action)?;
        if !matches!(key, Key::Post | Key::Comment) {
            return Ok(Lookup::CannotTell);
        }
        let api = Api::new(ctx)?;
        let token = api
            .page_token(&req.destination.id)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))?;
        self.find_inner(&api, &token, req, progress, key)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token, &token]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::ActionRole;
    use std::sync::Arc;

    fn request(photos: usize, native: bool, comment: bool) -> PublishRequest {
        PublishRequest {
            target_id: "t".into(),
            destination: Destination {
                id: "201".into(),
                name: None,
                kind: "page".into(),
            },
            text: "Hello".into(),
            link: None,
            media: (0..photos)
                .map(|i| MediaFile {
                    id: format!("m{i}"),
                    mime: "image/jpeg".into(),
                    bytes: Arc::new(vec![0xff, 0xd8]),
                    alt: None,
                })
                .collect(),
            first_comment: comment.then(|| "First".into()),
            thread: Vec::new(),
            due: chrono::Utc::now(),
            native_schedule: native,
        }
    }

    fn plan(req: &PublishRequest) -> Vec<(String, ActionRole)> {
        let mut progress = Progress::default();
        let mut out = Vec::new();
        while let Some(a) = FacebookPublisher.next_action(req, &progress) {
            assert!(out.len() < 20, "the plan ends");
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

    fn keys(list: &[(&str, ActionRole)]) -> Vec<(String, ActionRole)> {
        list.iter().map(|(k, r)| ((*k).to_owned(), *r)).collect()
    }

    #[test]
    fn one_photo_is_the_post_itself() {
        use ActionRole::*;
        assert_eq!(
            plan(&request(1, false, true)),
            keys(&[("post", Post), ("comment", FollowUp)]),
            "the photos edge publishes a single photo with its caption"
        );
    }

    #[test]
    fn several_photos_or_a_schedule_upload_first() {
        use ActionRole::*;
        assert_eq!(
            plan(&request(3, false, false)),
            keys(&[
                ("media:0", Prepare),
                ("media:1", Prepare),
                ("media:2", Prepare),
                ("post", Post)
            ]),
            "unpublished photos, then the feed post"
        );
        assert_eq!(
            plan(&request(1, true, false)),
            keys(&[("media:0", Prepare), ("post", Post)]),
            "a scheduled photo goes through the feed as well"
        );
        assert_eq!(
            FacebookPublisher.native_scheduling(),
            Some(chrono::Duration::minutes(10)),
            "Facebook holds posts from 10 minutes ahead"
        );
    }

    #[test]
    fn graph_codes_choose_the_class() {
        let reply = |status: u16, code: i64| {
            Reply {
            status,
            headers: Default::default(),
            body: serde_json::json!({"error": {"message": "m", "type": "OAuthException", "code": code}})
                .to_string()
                .into_bytes(),
        }
        };
        for (code, class) in [
            (4, FailureClass::RateLimited),
            (17, FailureClass::RateLimited),
            (32, FailureClass::RateLimited),
            (613, FailureClass::RateLimited),
            (190, FailureClass::Reconnect),
            (10, FailureClass::Reconnect),
            (200, FailureClass::Reconnect),
            (100, FailureClass::Rejected),
            (368, FailureClass::Rejected),
            (506, FailureClass::Rejected),
            (2, FailureClass::Uncertain),
        ] {
            assert_eq!(refusal(&reply(400, code)).class, class, "Graph code {code}");
        }
        assert_eq!(
            refusal(&reply(500, 0)).class,
            FailureClass::Uncertain,
            "a 5xx may have happened"
        );
    }
}
