//! Publishing to LinkedIn (Posts API, versioned `/rest` endpoints) as the member or as a
//! company page the member administers.
//!
//! Plan (`next_action`), in order:
//! - `media:{i}` (Prepare) for every image: `POST /rest/images?action=initializeUpload`
//!   (`initializeUploadRequest.owner` = the author), then `PUT` the bytes to the `uploadUrl`
//!   it answers; the result is the `urn:li:image:…`.
//! - `post` (Post): `POST /rest/posts`; the new post's URN comes back in `x-restli-id`.
//! - `comment` (FollowUp) when there is a first comment:
//!   `POST /rest/socialActions/{post urn}/comments`.
//!
//! The commentary is "little text": the reserved characters are escaped ([`escape`]).
//! `find` reads `GET /rest/posts?q=author` (and the post's comments) and matches the
//! escaped text; `destinations` are the member (`/v2/userinfo`) and the organizations of
//! `GET /rest/organizationAcls?q=roleAssignee` where the member is an approved administrator.

use super::LINKEDIN_VERSION;
use crate::publish::wire::{self, Refusal, Reply};
use crate::publish::{
    first_comment, key_of, lookup_since, Action, Destination, FailureClass, Key, Lookup, MediaFile,
    Outcome, Progress, PublishCtx, PublishError, PublishRequest, Publisher, StepResult,
};
use async_trait::async_trait;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{json, Value};

const PLATFORM: &str = "LinkedIn";

/// Posts read per lookup (LinkedIn's page size for `q=author` goes up to 100).
const LOOKUP_COUNT: usize = 50;
/// Pages a lookup reads at most.
const LOOKUP_PAGES: usize = 20;

/// Publishing to LinkedIn.
pub struct LinkedInPublisher;

/// Text in LinkedIn's "little text" format: a backslash before each reserved character, so
/// the text is posted as written instead of being cut or read as mentions and markup.
// why: the Posts API documents `\ | { } @ [ ] ( ) < > # * _ ~` as reserved; unescaped,
// LinkedIn silently truncates or alters the commentary (publishing research note §3).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '|'
                | '{'
                | '}'
                | '@'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '#'
                | '*'
                | '_'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn post_url(urn: &str) -> String {
    format!("https://www.linkedin.com/feed/update/{urn}/")
}

/// The commentary as sent: the text, escaped; a link that cannot be the post's article
/// (the post has images) goes at its end.
fn commentary(req: &PublishRequest) -> String {
    let text = match req.link.as_deref().filter(|l| !l.is_empty()) {
        Some(link) if !req.media.is_empty() && !req.text.contains(link) => {
            format!("{} {link}", req.text.trim_end())
        }
        _ => req.text.clone(),
    };
    escape(&text)
}

/// LinkedIn's answer to a refused call: `{status, serviceErrorCode, code, message}`.
fn refusal(reply: &Reply) -> PublishError {
    let body = reply.value().unwrap_or(Value::Null);
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let code = text("code");
    let mut message = text("message");
    if let Some(service) = body.get("serviceErrorCode").and_then(Value::as_i64) {
        message = format!("{message} (serviceErrorCode {service})");
    }
    if !code.is_empty() && !message.contains(&code) {
        message = format!("{code}: {message}");
    }
    let duplicate = code == "DUPLICATE_POST" || message.contains("DUPLICATE_POST");
    let mut e = wire::classify(
        PLATFORM,
        reply,
        Refusal {
            message,
            rejected: duplicate,
            // why: LinkedIn answers 403 ACCESS_DENIED when the grant lacks a permission
            // (`w_organization_social`, the page admin role): the user must reconnect with
            // one that has it.
            reconnect: reply.status == 403,
            ..Refusal::default()
        },
    );
    // why: 426 means the `LinkedIn-Version` this build sends is no longer served; only an
    // update of Switchboard fixes that.
    if reply.status == 426 {
        e.class = FailureClass::Permanent;
    }
    e
}

#[derive(Deserialize)]
struct InitializeUpload {
    value: UploadTicket,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadTicket {
    upload_url: String,
    image: String,
}

#[derive(Deserialize)]
struct Elements<T> {
    #[serde(default = "Vec::new")]
    elements: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Post {
    id: String,
    #[serde(default)]
    commentary: String,
    #[serde(default)]
    created_at: Option<i64>,
}

#[derive(Deserialize)]
struct Comment {
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "$URN", default)]
    urn: Option<String>,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    message: Option<Text>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct UserInfo {
    sub: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Acl {
    #[serde(default)]
    organization: Option<String>,
    // why: versions before 2023 named the field `organizationTarget`.
    #[serde(default)]
    organization_target: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Organization {
    #[serde(default)]
    localized_name: Option<String>,
}

/// One call's view of the API.
struct Api<'a> {
    ctx: &'a PublishCtx<'a>,
    origin: String,
}

impl<'a> Api<'a> {
    fn new(ctx: &'a PublishCtx<'a>) -> Result<Self, PublishError> {
        Ok(Self {
            origin: wire::api_origin(ctx.descriptor)?,
            ctx,
        })
    }

    fn rest(&self, path: &str) -> String {
        format!("{}/rest/{path}", self.origin)
    }

    /// A versioned `/rest` call with the user's token.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Reply, PublishError> {
        let reply = wire::send(
            PLATFORM,
            request
                .bearer_auth(self.ctx.token.expose_secret())
                .header(reqwest::header::ACCEPT, "application/json")
                .header("LinkedIn-Version", LINKEDIN_VERSION)
                .header("X-Restli-Protocol-Version", "2.0.0"),
        )
        .await?;
        if reply.is_success() {
            Ok(reply)
        } else {
            Err(refusal(&reply))
        }
    }

    /// The URN a create call answered in `x-restli-id`; a success without it was not
    /// understood.
    fn created_id(reply: &Reply, what: &str) -> Result<String, PublishError> {
        reply
            .header("x-restli-id")
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                PublishError::new(
                    FailureClass::Uncertain,
                    format!(
                        "LinkedIn answered HTTP {} to the {what} without its id (x-restli-id)",
                        reply.status
                    ),
                )
            })
    }

    async fn upload_image(&self, author: &str, media: &MediaFile) -> Result<String, PublishError> {
        if !media.mime.starts_with("image/") {
            return Err(wire::permanent(format!(
                "Switchboard publishes only images to LinkedIn for now, not {}",
                media.mime
            )));
        }
        let reply = self
            .send(
                self.ctx
                    .http
                    .post(self.rest("images"))
                    .query(&[("action", "initializeUpload")])
                    .json(&json!({ "initializeUploadRequest": { "owner": author } })),
            )
            .await?;
        let ticket = reply.json::<InitializeUpload>(PLATFORM)?.value;
        let mut put = self
            .ctx
            .http
            .put(&ticket.upload_url)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(media.bytes.as_ref().clone());
        // The upload URL is LinkedIn's; the token goes nowhere else.
        if self.owns(&ticket.upload_url) {
            put = put.bearer_auth(self.ctx.token.expose_secret());
        }
        let reply = wire::send(PLATFORM, put).await?;
        if !reply.is_success() {
            return Err(refusal(&reply));
        }
        Ok(ticket.image)
    }

    /// Whether a URL LinkedIn handed out is on its own hosts (or the API's, under the
    /// emulator).
    fn owns(&self, url: &str) -> bool {
        let Ok(u) = url::Url::parse(url) else {
            return false;
        };
        u.origin().ascii_serialization() == self.origin
            || (u.scheme() == "https"
                && u.host_str()
                    .is_some_and(|h| h == "linkedin.com" || h.ends_with(".linkedin.com")))
    }

    async fn create_post(
        &self,
        req: &PublishRequest,
        progress: &Progress,
    ) -> Result<StepResult, PublishError> {
        let author = &req.destination.id;
        let mut body = json!({
            "author": author,
            "commentary": commentary(req),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": false,
        });
        let images = (0..req.media.len())
            .map(|i| {
                Key::Media(i).needed(progress).map(|r| {
                    (
                        r.value.clone(),
                        req.media[i].alt.clone().unwrap_or_default(),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        match images.as_slice() {
            [] => {
                if let Some(link) = req.link.as_deref().filter(|l| !l.is_empty()) {
                    body["content"] =
                        json!({ "article": { "source": link, "title": title_of(link) } });
                }
            }
            [(id, alt)] => {
                let mut media = json!({ "id": id });
                if !alt.is_empty() {
                    media["altText"] = json!(alt);
                }
                body["content"] = json!({ "media": media });
            }
            many => {
                let images: Vec<Value> = many
                    .iter()
                    .map(|(id, alt)| json!({ "id": id, "altText": alt }))
                    .collect();
                body["content"] = json!({ "multiImage": { "images": images } });
            }
        }
        let reply = self
            .send(self.ctx.http.post(self.rest("posts")).json(&body))
            .await?;
        let urn = Self::created_id(&reply, "post")?;
        Ok(StepResult {
            url: Some(post_url(&urn)),
            value: urn,
        })
    }

    fn comments_url(&self, post: &str) -> String {
        self.rest(&format!("socialActions/{}/comments", encode(post)))
    }

    async fn comment(
        &self,
        req: &PublishRequest,
        post: &str,
        text: &str,
    ) -> Result<StepResult, PublishError> {
        let reply = self
            .send(self.ctx.http.post(self.comments_url(post)).json(&json!({
                "actor": req.destination.id,
                "object": post,
                "message": { "text": escape(text) },
            })))
            .await?;
        // The comment's URN is in `x-restli-id`, and in the body LinkedIn sends back.
        let urn = match reply.header("x-restli-id").filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => {
                let c = reply.json::<Comment>(PLATFORM)?;
                c.urn.or(c.id).ok_or_else(|| {
                    PublishError::new(
                        FailureClass::Uncertain,
                        "LinkedIn answered the comment without its id",
                    )
                })?
            }
        };
        Ok(StepResult {
            value: urn,
            url: Some(post_url(post)),
        })
    }

    /// The author's posts, newest first, back to `since` (ms): every page, because a lookup
    /// that stopped at the first would miss a post made before a burst of others, and a
    /// missed post gets published twice.
    async fn posts_of(&self, author: &str, since: i64) -> Result<Vec<Post>, PublishError> {
        let mut out = Vec::new();
        for page in 0..LOOKUP_PAGES {
            let start = (page * LOOKUP_COUNT).to_string();
            let count = LOOKUP_COUNT.to_string();
            let reply = self
                .send(self.ctx.http.get(self.rest("posts")).query(&[
                    ("author", author),
                    ("q", "author"),
                    ("count", count.as_str()),
                    ("start", start.as_str()),
                    ("sortBy", "LAST_MODIFIED"),
                ]))
                .await?;
            let elements = reply.json::<Elements<Post>>(PLATFORM)?.elements;
            let done = elements.len() < LOOKUP_COUNT
                || elements
                    .last()
                    .and_then(|p| p.created_at)
                    .is_some_and(|t| t < since);
            out.extend(elements);
            if done {
                return Ok(out);
            }
        }
        Err(PublishError::new(
            FailureClass::Uncertain,
            format!(
                "LinkedIn: more than {LOOKUP_PAGES} pages of posts since the due time; cannot tell"
            ),
        ))
    }

    async fn comments_of(&self, post: &str) -> Result<Vec<Comment>, PublishError> {
        let reply = self
            .send(self.ctx.http.get(self.comments_url(post)))
            .await?;
        Ok(reply.json::<Elements<Comment>>(PLATFORM)?.elements)
    }
}

/// An article needs a title and LinkedIn does not read one from the page: the link's host.
fn title_of(link: &str) -> String {
    url::Url::parse(link)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .unwrap_or_else(|| link.to_owned())
}

/// A URN as one path segment (`urn%3Ali%3Ashare%3A1`).
fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

impl LinkedInPublisher {
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
                let media = req
                    .media
                    .get(i)
                    .ok_or_else(|| wire::permanent(format!("the post has no media {i}")))?;
                let urn = api.upload_image(&req.destination.id, media).await?;
                Ok(Outcome::Done(StepResult {
                    value: urn,
                    url: None,
                }))
            }
            Key::Post => api.create_post(req, progress).await.map(Outcome::Done),
            Key::Comment => {
                let text = first_comment(req)
                    .ok_or_else(|| wire::permanent("the post has no first comment"))?;
                let post = &Key::Post.needed(progress)?.value;
                api.comment(req, post, text).await.map(Outcome::Done)
            }
            Key::MediaStatus(_) | Key::Thread(_) => Err(wire::permanent(format!(
                "LinkedIn has no action '{}'",
                action.key
            ))),
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
        match key_of(PLATFORM, action)? {
            Key::Post => {
                let since = lookup_since(req, ctx.now).timestamp_millis();
                let want = commentary(req);
                let posts = api.posts_of(&req.destination.id, since).await?;
                Ok(posts
                    .into_iter()
                    .find(|p| p.commentary == want && p.created_at.is_none_or(|t| t >= since))
                    .map_or(Lookup::NotFound, |p| {
                        Lookup::Found(StepResult {
                            url: Some(post_url(&p.id)),
                            value: p.id,
                        })
                    }))
            }
            Key::Comment => {
                let text = first_comment(req)
                    .ok_or_else(|| wire::permanent("the post has no first comment"))?;
                let want = escape(text);
                let post = Key::Post.needed(progress)?.value.clone();
                let comments = api.comments_of(&post).await?;
                Ok(comments
                    .into_iter()
                    .find(|c| {
                        c.actor == req.destination.id
                            && c.message.as_ref().is_some_and(|m| m.text == want)
                    })
                    .and_then(|c| c.urn.or(c.id))
                    .map_or(Lookup::NotFound, |urn| {
                        Lookup::Found(StepResult {
                            value: urn,
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
        let userinfo = ctx
            .descriptor
            .identity
            .profile_url
            .clone()
            .unwrap_or_else(|| format!("{}/v2/userinfo", api.origin));
        let me = api
            .send(ctx.http.get(userinfo))
            .await?
            .json::<UserInfo>(PLATFORM)?;
        let mut out = vec![Destination {
            id: format!("urn:li:person:{}", me.sub),
            name: me.name,
            kind: "person".into(),
        }];
        let acls = api
            .send(ctx.http.get(api.rest("organizationAcls")).query(&[
                ("q", "roleAssignee"),
                ("role", "ADMINISTRATOR"),
                ("state", "APPROVED"),
            ]))
            .await?
            .json::<Elements<Acl>>(PLATFORM)?
            .elements;
        for urn in acls
            .into_iter()
            .filter_map(|a| a.organization.or(a.organization_target))
        {
            if out.iter().any(|d| d.id == urn) {
                continue;
            }
            // A name is nice to have: a page whose name cannot be read is still listed.
            let id = urn.rsplit(':').next().unwrap_or(&urn).to_owned();
            let name = match api
                .send(
                    ctx.http
                        .get(api.rest(&format!("organizations/{}", encode(&id)))),
                )
                .await
            {
                Ok(reply) => reply
                    .json::<Organization>(PLATFORM)
                    .ok()
                    .and_then(|o| o.localized_name),
                Err(e) if e.class == FailureClass::RateLimited => return Err(e),
                Err(_) => None,
            };
            out.push(Destination {
                id: urn,
                name,
                kind: "organization".into(),
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl Publisher for LinkedInPublisher {
    fn platform(&self) -> &'static str {
        "linkedin"
    }

    #[tracing::instrument(skip_all, fields(platform = "linkedin"), err)]
    async fn destinations(&self, ctx: &PublishCtx<'_>) -> Result<Vec<Destination>, PublishError> {
        self.destinations_inner(ctx)
            .await
            .map_err(|e| wire::scrub(e, &[ctx.token]))
    }

    fn next_action(&self, req: &PublishRequest, progress: &Progress) -> Option<Action> {
        let mut plan: Vec<Key> = (0..req.media.len()).map(Key::Media).collect();
        plan.push(Key::Post);
        if first_comment(req).is_some() {
            plan.push(Key::Comment);
        }
        plan.into_iter()
            .find(|k| k.done(progress).is_none())
            .map(Key::action)
    }

    #[tracing::instrument(skip_all, fields(platform = "linkedin", target = %req.target_id, key = %action.key), err)]
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

    #[tracing::instrument(skip_all, fields(platform = "linkedin", target = %req.target_id, key = %action.key), err)]
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
    use crate::publish::ActionRole;
    use std::sync::Arc;

    #[test]
    fn every_reserved_character_is_escaped() {
        assert_eq!(
            escape(r"a\b|c{d}e@f[g]h(i)j<k>l#m*n_o~p"),
            r"a\\b\|c\{d\}e\@f\[g\]h\(i\)j\<k\>l\#m\*n\_o\~p",
            "a backslash before each reserved character"
        );
        assert_eq!(
            escape("Plain text, 100% fine: ok? ünïcode ✨"),
            "Plain text, 100% fine: ok? ünïcode ✨",
            "everything else is left alone"
        );
    }

    #[test]
    fn images_then_the_post_then_the_first_comment() {
        let req = PublishRequest {
            target_id: "t".into(),
            destination: Destination {
                id: "urn:li:organization:1".into(),
                name: None,
                kind: "organization".into(),
            },
            text: "Hi".into(),
            link: None,
            media: (0..2)
                .map(|i| MediaFile {
                    id: format!("m{i}"),
                    mime: "image/png".into(),
                    bytes: Arc::new(vec![0]),
                    alt: None,
                })
                .collect(),
            first_comment: Some("First!".into()),
            thread: vec!["ignored".into()],
            due: chrono::Utc::now(),
            native_schedule: false,
        };
        let mut progress = Progress::default();
        let mut keys = Vec::new();
        while let Some(a) = LinkedInPublisher.next_action(&req, &progress) {
            assert!(keys.len() < 10, "the plan ends");
            progress.steps.insert(
                a.key.clone(),
                StepResult {
                    value: "v".into(),
                    url: None,
                },
            );
            keys.push((a.key, a.role));
        }
        assert_eq!(
            keys,
            vec![
                ("media:0".to_owned(), ActionRole::Prepare),
                ("media:1".to_owned(), ActionRole::Prepare),
                ("post".to_owned(), ActionRole::Post),
                ("comment".to_owned(), ActionRole::FollowUp),
            ],
            "LinkedIn has no threads"
        );
    }

    #[test]
    fn linkedin_errors_choose_the_class() {
        let reply = |status: u16, body: Value| Reply {
            status,
            headers: Default::default(),
            body: body.to_string().into_bytes(),
        };
        let duplicate = refusal(&reply(
            422,
            json!({"status": 422, "code": "DUPLICATE_POST", "message": "Content is a duplicate of urn:li:share:1"}),
        ));
        assert_eq!(duplicate.class, FailureClass::Rejected, "{duplicate}");
        assert!(duplicate.raw.contains("DUPLICATE_POST"), "{duplicate}");
        let throttled = refusal(&reply(429, json!({"status": 429, "message": "throttled"})));
        assert_eq!(
            (throttled.class, throttled.retry_after),
            (FailureClass::RateLimited, None),
            "no reset time from LinkedIn"
        );
        let denied = refusal(&reply(
            403,
            json!({"status": 403, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": "Not enough permissions"}),
        ));
        assert_eq!(denied.class, FailureClass::Reconnect, "{denied}");
        let version = refusal(&reply(
            426,
            json!({"status": 426, "code": "NONEXISTENT_VERSION"}),
        ));
        assert_eq!(
            version.class,
            FailureClass::Permanent,
            "an update fixes it: {version}"
        );
        let down = refusal(&reply(504, json!({"status": 504})));
        assert_eq!(down.class, FailureClass::Uncertain, "{down}");
    }

    #[test]
    fn an_article_is_titled_by_its_host() {
        assert_eq!(title_of("https://www.example.com/a?b=c"), "example.com");
        assert_eq!(title_of("not a url"), "not a url", "kept as is");
    }
}
