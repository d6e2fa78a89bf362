//! The publishing APIs: X API v2 (posts, chunked media upload, user timelines), LinkedIn's
//! Posts API (images, posts, comments, organization roles) and Facebook Pages through the
//! Graph API (Page tokens, feed, photos, scheduled posts, comments), on each platform's own
//! listener beside its other routes.
//!
//! Everything published is kept ([`PublishedPost`], [`UploadedMedia`]) and every request
//! to these routes is recorded ([`PublishCall`], secrets left out), so tests assert what
//! a platform received and holds; `GET /__emulator/published` answers the posts as JSON.
//!
//! Faults aimed at publishing wait in their own queue for the next *publish call*: a call
//! that makes something visible (X `POST /2/tweets`, LinkedIn `POST /rest/posts` and
//! comments, Facebook `/feed`, a published `/photos`, comments). Media uploads and reads are
//! not publish calls; the generic faults (`server_error`, `rate_limit`, `malformed_json`,
//! `slow`) still apply to them as to any call.

// A refusal is the answer itself, built at most once per request; boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub(crate) mod facebook;
pub(crate) mod linkedin;
pub(crate) mod x;

use crate::config::EmulatorConfig;
use crate::fault::Fault;
use crate::platform::{Kind, Route};
use crate::server::Server;
use crate::wire::{failure, malformed, Failure};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

/// Where the posts a platform holds are answered as JSON (`GET`).
pub const PUBLISHED_PATH: &str = "/__emulator/published";

/// The largest upload body read (X chunks are at most 5 MB, photos and images whole).
pub(crate) const MAX_UPLOAD: usize = 16 * 1024 * 1024;

/// One thing a platform published: a post, an X reply, a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPost {
    pub platform: String,
    /// The platform's id: an X post id, `urn:li:share:…` / `urn:li:comment:…`, a Page post
    /// id `{page}_{n}` or a comment id.
    pub id: String,
    /// `post`, `reply` (X) or `comment`.
    pub kind: String,
    /// X user id, LinkedIn author URN, Facebook Page id.
    pub author: String,
    /// The text as the platform received it (LinkedIn: the escaped "little text").
    pub text: String,
    pub link: Option<String>,
    /// Media ids attached (X media ids, LinkedIn image URNs, Facebook photo ids).
    pub media: Vec<String>,
    /// The post a reply or a comment answers.
    pub reply_to: Option<String>,
    /// Facebook native scheduling: when the Page publishes it.
    pub scheduled_for: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    /// The seeded account whose token made it.
    pub by: String,
}

impl PublishedPost {
    /// Whether the public sees it at `now` (a natively scheduled post is held until then).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.scheduled_for.is_none_or(|t| t <= now)
    }
}

/// One media file a platform received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadedMedia {
    pub platform: String,
    /// X media id, `urn:li:image:…`, Facebook photo id.
    pub id: String,
    /// The X user, LinkedIn owner URN or Page that owns it.
    pub owner: String,
    pub mime: String,
    /// X `media_category`.
    pub category: Option<String>,
    /// What the client said it would send (X `total_bytes`).
    pub declared_bytes: Option<u64>,
    /// What arrived.
    pub bytes: u64,
    /// Chunks received (X APPEND).
    pub segments: u32,
    /// `uploading`, `processing`, `ready`, `failed`; Facebook `unpublished`, `published`.
    pub state: String,
    /// X STATUS polls answered.
    pub polls: u32,
    pub created: DateTime<Utc>,
}

/// A request to a publishing route, as received. The `Authorization` header and every
/// `access_token` are left out; `bearer` tells whether a bearer token came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// `content-type`, `linkedin-version`, `x-restli-protocol-version`, when sent.
    pub headers: BTreeMap<String, String>,
    pub bearer: bool,
    pub json: Option<Value>,
    /// Form fields (URL-encoded, or the text parts of a multipart body); an
    /// `access_token` field reads `[redacted]`.
    pub form: Vec<(String, String)>,
    /// Multipart files: (field name, content type, bytes).
    pub files: Vec<(String, String, u64)>,
    /// The HTTP status answered (before a held answer's connection is dropped).
    pub status: u16,
}

impl PublishCall {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The publishing knobs, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub budget: u32,
    pub window: Duration,
    pub media_polls: u32,
    pub hold: Duration,
}

impl Settings {
    pub fn new(config: &EmulatorConfig) -> Settings {
        Settings {
            budget: config.publish_budget.max(1),
            window: config.publish_window.max(Duration::from_secs(1)),
            media_polls: config.media_processing_polls,
            hold: config.accept_then_timeout_hold,
        }
    }
}

/// What the publishing routes remember (inside the platform's store).
#[derive(Debug, Default)]
pub(crate) struct PublishState {
    pub posts: Vec<PublishedPost>,
    pub media: Vec<UploadedMedia>,
    /// X media being processed: id → (STATUS polls still answering `in_progress`, fails).
    pub processing: HashMap<String, (u32, bool)>,
    /// LinkedIn upload URLs handed out: key → image URN.
    pub upload_keys: HashMap<String, String>,
    /// Facebook Page tokens: token → (grant, page id).
    pub page_tokens: HashMap<String, (usize, String)>,
    pub calls: Vec<PublishCall>,
    /// Faults waiting for the next publish call.
    pub faults: VecDeque<Fault>,
    /// `media_processing` faults waiting for the next processed upload.
    pub media_faults: VecDeque<Fault>,
    /// Publish calls in the rolling window, per author.
    pub windows: HashMap<String, VecDeque<DateTime<Utc>>>,
    pub next_id: u64,
}

impl PublishState {
    pub fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// What a publish call does after it is allowed through.
pub(crate) enum Gate {
    /// Carry on; `hold` when the answer is to be held and dropped after the post is kept.
    Go { hold: bool },
    /// Answer this instead (the fault's refusal, or the budget's).
    Refuse(Refusal),
}

/// Why a publish call is refused before anything is kept, for each platform to write in
/// its shape.
pub(crate) enum Refusal {
    RateLimited { reset_secs: u64 },
    ServerError,
    Rejected,
}

/// The publish fault that applies to this call, if any (counts go down one per call).
fn take_fault(server: &Server) -> Option<Fault> {
    let mut store = server.lock();
    let faults = &mut store.publish.faults;
    let front = faults.front_mut()?;
    let (applies, remaining) = match front {
        Fault::PublishAcceptThenTimeout(n)
        | Fault::PublishServerError(n)
        | Fault::PublishRejected(n)
        | Fault::PublishRateLimited { calls: n, .. } => {
            let applies = *n > 0;
            *n = n.saturating_sub(1);
            (applies, *n)
        }
        _ => (false, 0),
    };
    let fault = front.clone();
    if remaining == 0 {
        faults.pop_front();
    }
    if !applies {
        return None;
    }
    store.stats.publish_faults += 1;
    Some(fault)
}

/// Let a publish call by `author` through: its fault first, then the rolling budget.
pub(crate) fn gate(server: &Server, author: &str) -> Gate {
    match take_fault(server) {
        Some(Fault::PublishAcceptThenTimeout(_)) => {
            return match spend(server, author) {
                Ok(()) => Gate::Go { hold: true },
                Err(reset_secs) => Gate::Refuse(Refusal::RateLimited { reset_secs }),
            }
        }
        Some(Fault::PublishRateLimited { reset_secs, .. }) => {
            return Gate::Refuse(Refusal::RateLimited {
                reset_secs: reset_secs.max(1),
            })
        }
        Some(Fault::PublishServerError(_)) => return Gate::Refuse(Refusal::ServerError),
        Some(Fault::PublishRejected(_)) => return Gate::Refuse(Refusal::Rejected),
        _ => {}
    }
    match spend(server, author) {
        Ok(()) => Gate::Go { hold: false },
        Err(reset_secs) => Gate::Refuse(Refusal::RateLimited { reset_secs }),
    }
}

/// Count one publish call in the author's window; `Err(seconds until room)` when full.
fn spend(server: &Server, author: &str) -> Result<(), u64> {
    let now = server.now();
    let settings = &server.publish_settings;
    let span = chrono::Duration::from_std(settings.window).unwrap_or(chrono::Duration::days(1));
    let mut store = server.lock();
    let calls = store.publish.windows.entry(author.to_owned()).or_default();
    while calls.front().is_some_and(|t| *t + span <= now) {
        calls.pop_front();
    }
    if calls.len() >= settings.budget as usize {
        let reset = calls
            .front()
            .map(|t| (*t + span - now).num_seconds().max(1))
            .unwrap_or(1);
        return Err(u64::try_from(reset).unwrap_or(1));
    }
    calls.push_back(now);
    Ok(())
}

/// The author's window: (calls left, seconds until the oldest leaves it).
pub(crate) fn budget_left(server: &Server, author: &str) -> (u32, i64) {
    let now = server.now();
    let settings = &server.publish_settings;
    let span = chrono::Duration::from_std(settings.window).unwrap_or(chrono::Duration::days(1));
    let store = server.lock();
    let calls = store.publish.windows.get(author);
    let live: Vec<&DateTime<Utc>> = calls
        .into_iter()
        .flatten()
        .filter(|t| **t + span > now)
        .collect();
    let used = u32::try_from(live.len()).unwrap_or(u32::MAX);
    let reset = live
        .first()
        .map(|t| (**t + span - now).num_seconds().max(0))
        .unwrap_or_else(|| span.num_seconds());
    (settings.budget.saturating_sub(used), reset)
}

/// A request to a publishing route, parsed.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    /// The JSON body, if the body is JSON; `Err` when it claims to be and is not.
    pub json: Option<Result<Value, String>>,
    /// URL-encoded fields, or a multipart body's text parts.
    pub form: Vec<(String, String)>,
    pub files: Vec<FilePart>,
    pub raw: Bytes,
}

pub(crate) struct FilePart {
    pub name: String,
    pub content_type: String,
    pub bytes: Bytes,
}

impl Req {
    fn new(parts: &axum::http::request::Parts, body: Bytes) -> Req {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut req = Req {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            query: url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
            headers: parts.headers.clone(),
            json: None,
            form: Vec::new(),
            files: Vec::new(),
            raw: body.clone(),
        };
        if content_type.starts_with("application/json") {
            req.json = Some(serde_json::from_slice(&body).map_err(|e| e.to_string()));
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            req.form = url::form_urlencoded::parse(&body).into_owned().collect();
        } else if content_type.starts_with("multipart/form-data") {
            if let Some(boundary) = boundary(&content_type) {
                for part in multipart(&body, &boundary) {
                    match part.filename {
                        Some(_) => req.files.push(FilePart {
                            name: part.name,
                            content_type: part.content_type,
                            bytes: part.bytes,
                        }),
                        None => req
                            .form
                            .push((part.name, String::from_utf8_lossy(&part.bytes).into_owned())),
                    }
                }
            }
        }
        req
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files.iter().find(|f| f.name == name)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of `Authorization: Bearer …`.
    pub fn bearer(&self) -> Option<&str> {
        let (scheme, token) = self.header("authorization")?.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }

    /// `scheme://host:port` this request was sent to, for URLs in answers.
    pub fn origin(&self) -> String {
        format!("http://{}", self.header("host").unwrap_or("127.0.0.1"))
    }

    fn record(&self, status: u16) -> PublishCall {
        let headers = [
            "content-type",
            "linkedin-version",
            "x-restli-protocol-version",
        ]
        .into_iter()
        .filter_map(|h| {
            let v = self.header(h)?;
            // The multipart boundary is random: only the type is kept.
            let v = v.split(';').next().unwrap_or(v).trim();
            Some((h.to_owned(), v.to_owned()))
        })
        .collect();
        PublishCall {
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self
                .query
                .iter()
                .map(|(k, v)| (k.clone(), redacted(k, v)))
                .collect(),
            headers,
            bearer: self.bearer().is_some(),
            json: self.json.as_ref().and_then(|j| j.as_ref().ok().cloned()),
            form: self
                .form
                .iter()
                .map(|(k, v)| (k.clone(), redacted(k, v)))
                .collect(),
            files: self
                .files
                .iter()
                .map(|f| (f.name.clone(), f.content_type.clone(), f.bytes.len() as u64))
                .collect(),
            status,
        }
    }
}

fn redacted(key: &str, value: &str) -> String {
    if key == "access_token" {
        "[redacted]".into()
    } else {
        value.to_owned()
    }
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        (k.eq_ignore_ascii_case("boundary")).then(|| v.trim_matches('"').to_owned())
    })
}

struct Part {
    name: String,
    filename: Option<String>,
    content_type: String,
    bytes: Bytes,
}

/// The parts of a `multipart/form-data` body (RFC 7578); a malformed part is skipped.
fn multipart(body: &Bytes, boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut starts = Vec::new();
    let mut i = 0;
    while i + d.len() <= body.len() {
        if &body[i..i + d.len()] == d {
            starts.push(i);
            i += d.len();
        } else {
            i += 1;
        }
    }
    let mut parts = Vec::new();
    for pair in starts.windows(2) {
        let (start, end) = (pair[0] + d.len(), pair[1]);
        let chunk = &body[start..end];
        let Some(chunk) = chunk.strip_prefix(b"\r\n") else {
            continue;
        };
        let Some(split) = chunk.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&chunk[..split]).into_owned();
        let content = &chunk[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: "text/plain".into(),
            bytes: body.slice_ref(content),
        };
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':').unwrap_or((line, ""));
            if k.eq_ignore_ascii_case("content-disposition") {
                for attr in v.split(';').map(str::trim) {
                    if let Some(n) = attr.strip_prefix("name=") {
                        part.name = n.trim_matches('"').to_owned();
                    } else if let Some(f) = attr.strip_prefix("filename=") {
                        part.filename = Some(f.trim_matches('"').to_owned());
                    }
                }
            } else if k.eq_ignore_ascii_case("content-type") {
                part.content_type = v.trim().to_owned();
            }
        }
        if !part.name.is_empty() {
            parts.push(part);
        }
    }
    parts
}

/// Whether a path is one of the publishing routes of this platform (the caller matched
/// identity routes first).
pub(crate) fn wants(server: &Server, path: &str) -> bool {
    match server.spec.kind {
        Kind::X => x::wants(path),
        Kind::LinkedIn => linkedin::wants(path),
        Kind::Meta => facebook::wants(server, path),
        _ => false,
    }
}

/// Whether a request may carry a media file (its body may be large).
pub(crate) fn is_upload(server: &Server, method: &Method, path: &str) -> bool {
    let kind = server.spec.kind;
    (method == Method::POST || method == Method::PUT)
        && match kind {
            Kind::X => path.starts_with("/2/media/upload/"),
            Kind::LinkedIn => path.starts_with(linkedin::UPLOAD_PREFIX),
            Kind::Meta => path.ends_with("/photos"),
            _ => false,
        }
}

/// Answer one publishing call.
pub(crate) async fn handle(
    server: &Server,
    parts: axum::http::request::Parts,
    body: Bytes,
) -> Response {
    let req = Req::new(&parts, body);
    let kind = server.spec.kind;
    // The generic faults apply to publishing calls as to any other.
    match server.next_fault(false) {
        Some(Fault::Slow(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::ServerError(_)) => {
            let status = {
                let mut store = server.lock();
                store.server_errors += 1;
                if store.server_errors % 2 == 1 {
                    500
                } else {
                    503
                }
            };
            let r = failure(kind, Route::Accounts, Failure::ServerError { status });
            return finish(server, &req, r, false).await;
        }
        Some(Fault::RateLimit { retry_after }) => {
            let r = failure(kind, Route::Accounts, Failure::RateLimited { retry_after });
            return finish(server, &req, r, false).await;
        }
        Some(Fault::MalformedJson) => return finish(server, &req, malformed(), false).await,
        _ => {}
    }
    let (response, hold) = match kind {
        Kind::X => x::handle(server, &req),
        Kind::LinkedIn => linkedin::handle(server, &req),
        Kind::Meta => facebook::handle(server, &req),
        _ => (StatusCode::NOT_FOUND.into_response(), false),
    };
    finish(server, &req, response, hold).await
}

/// Record the call and its answer; a held answer waits, then loses its connection.
async fn finish(server: &Server, req: &Req, response: Response, hold: bool) -> Response {
    let status = response.status().as_u16();
    server.lock().publish.calls.push(req.record(status));
    if !hold {
        return response;
    }
    // why: the platform has done what it was asked; the client must not learn it. The
    // answer is held past any sane client timeout, then its connection is dropped.
    tokio::time::sleep(server.publish_settings.hold).await;
    let (parts, _) = response.into_parts();
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the emulator dropped the connection (accept_then_timeout)",
        ))
    });
    Response::from_parts(parts, Body::from_stream(broken))
}

/// Count a request by kind in the platform's stats.
pub(crate) fn count(server: &Server, what: &str) {
    *server
        .lock()
        .stats
        .publish_requests
        .entry(what.to_owned())
        .or_default() += 1;
}

/// The access a bearer or Page token gives: (grant, user, scopes).
pub(crate) fn user_of(server: &Server, token: &str) -> Option<(usize, String, Vec<String>)> {
    let now = server.now();
    let store = server.lock();
    let access = store.live_access(token, now)?;
    let grant = &store.grants[access.grant];
    Some((access.grant, grant.user.clone(), grant.scopes.clone()))
}

/// The seeded user's position (0 for `…-user-1`).
pub(crate) fn user_index(server: &Server, user: &str) -> Option<usize> {
    server.spec.users.iter().position(|u| u.id == user)
}

/// How many characters X counts for a text: URLs count 23, characters in the Latin,
/// punctuation and symbol ranges 1, everything else (CJK, emoji) 2.
// why: the weighting of twitter-text v3 (https://docs.x.com/fundamentals/counting-characters);
// NFC normalisation is left out.
pub(crate) fn x_weighted_length(text: &str) -> usize {
    let mut total = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        let bare = word.trim_end();
        if bare.starts_with("http://") || bare.starts_with("https://") {
            total += 23 + (word.len() - bare.len());
            continue;
        }
        total += word
            .chars()
            .map(|c| {
                let cp = c as u32;
                let light = matches!(cp, 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247);
                if light {
                    1
                } else {
                    2
                }
            })
            .sum::<usize>();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_read() {
        let body = Bytes::from_static(
            b"--b1\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n3\r\n--b1\r\nContent-Disposition: form-data; name=\"media\"; filename=\"m.mp4\"\r\nContent-Type: video/mp4\r\n\r\n\x00\x01\r\n\x02\r\n--b1--\r\n",
        );
        let parts = multipart(&body, "b1");
        assert_eq!(parts.len(), 2, "two parts");
        assert_eq!(parts[0].name, "segment_index");
        assert_eq!(&parts[0].bytes[..], b"3");
        assert_eq!(parts[1].filename.as_deref(), Some("m.mp4"));
        assert_eq!(parts[1].content_type, "video/mp4");
        assert_eq!(
            &parts[1].bytes[..],
            b"\x00\x01\r\n\x02",
            "binary content with CRLF inside is kept whole"
        );
    }

    #[test]
    fn x_counts_urls_as_23_and_wide_characters_as_2() {
        assert_eq!(x_weighted_length("hello"), 5);
        assert_eq!(
            x_weighted_length("see https://example.com/a/very/long/path/indeed"),
            4 + 23,
            "a URL is 23"
        );
        assert_eq!(x_weighted_length("日本"), 4, "CJK counts 2");
        assert_eq!(x_weighted_length("é"), 1, "Latin-1 counts 1");
    }
}
