//! What every publisher shares on the wire: the API origin, sending a request and reading
//! the whole answer, turning an answer into a [`PublishError`] of the right class, reading
//! JSON into typed structs, multipart bodies, and scrubbing tokens out of messages.
//!
//! Each platform reads its own error shape into a [`Refusal`] (message, platform code,
//! whether the platform says it is a rate limit or a dead grant); [`classify`] then applies
//! the rules every platform shares: a refused connection sent nothing, a timeout or a 5xx
//! may have done it, 429 waits, 401 reconnects, another 4xx rejects the content.

use super::{FailureClass, PublishError};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;
use switchboard_oauth::ProviderDescriptor;

/// The origin (`scheme://host[:port]`) of the descriptor's identity endpoints: API calls go
/// to the host the (override-rewritten) descriptor names, so the emulator can stand in.
pub(crate) fn api_origin(descriptor: &ProviderDescriptor) -> Result<String, PublishError> {
    [
        descriptor.identity.profile_url.as_deref(),
        descriptor.identity.accounts_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .find_map(|u| url::Url::parse(u).ok())
    .map(|u| u.origin().ascii_serialization())
    .ok_or_else(|| {
        PublishError::new(
            FailureClass::Permanent,
            format!(
                "{} has no identity endpoint to derive the API host from",
                descriptor.display_name
            ),
        )
    })
}

/// A platform's answer, read whole.
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds (the only form platforms send to API clients).
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    }

    /// The body read into `T`; a body that is not what the platform documents means the
    /// answer was not understood, so whether the action happened is unknown.
    pub fn json<T: DeserializeOwned>(&self, platform: &str) -> Result<T, PublishError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            // The serde message names a line and column only, never the body.
            PublishError::new(
                FailureClass::Uncertain,
                format!(
                    "{platform} answered HTTP {} with a body Switchboard could not read ({e})",
                    self.status
                ),
            )
        })
    }

    /// The body as JSON, if it is any.
    pub fn value(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A short, printable excerpt of a body that is not JSON (HTML error pages).
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        let mut out: String = text.chars().take(160).collect();
        if text.chars().count() > 160 {
            out.push('…');
        }
        out
    }
}

/// Send a request and read the whole answer. A refused connection is `NotSent`; a timeout
/// or a connection lost after sending is `Uncertain` ([`PublishError::transport`]).
pub(crate) async fn send(
    platform: &str,
    request: reqwest::RequestBuilder,
) -> Result<Reply, PublishError> {
    let response = request
        .send()
        .await
        .map_err(|e| PublishError::transport(platform, e))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| PublishError::transport(platform, e))?
        .to_vec();
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// What a platform said when it refused, read from its own error shape.
#[derive(Debug, Default)]
pub(crate) struct Refusal {
    /// The platform's message, with its code (`(#506) Duplicate status message`).
    pub message: String,
    /// The platform says this is its rate limit, whatever the HTTP status.
    pub rate_limited: bool,
    /// The platform says the grant is dead or lacks a permission.
    pub reconnect: bool,
    /// The platform says the content is refused, whatever the HTTP status.
    pub rejected: bool,
    /// The platform says the failure was on its side (Graph's `is_transient`).
    pub transient: bool,
    /// The platform's own reset time.
    pub retry_after: Option<Duration>,
}

/// The class of a refused answer, from its status and what the platform said.
pub(crate) fn classify(platform: &str, reply: &Reply, refusal: Refusal) -> PublishError {
    let status = reply.status;
    let message = if refusal.message.is_empty() {
        format!("{platform} answered HTTP {status}: {}", reply.excerpt())
    } else {
        format!("{platform} answered HTTP {status}: {}", refusal.message)
    };
    let class = if refusal.rate_limited || status == 429 {
        FailureClass::RateLimited
    } else if refusal.reconnect || status == 401 {
        FailureClass::Reconnect
    } else if refusal.rejected {
        FailureClass::Rejected
    } else if refusal.transient || status >= 500 || status == 408 {
        FailureClass::Uncertain
    } else if (400..500).contains(&status) {
        FailureClass::Rejected
    } else {
        // A redirect (never followed) or anything else unexpected: not understood.
        FailureClass::Uncertain
    };
    PublishError {
        class,
        raw: message,
        retry_after: if class == FailureClass::RateLimited {
            refusal.retry_after.or_else(|| reply.retry_after())
        } else {
            None
        },
    }
}

/// The seconds from `now` until an epoch-seconds reset time (X's `x-rate-limit-reset`).
pub(crate) fn until_epoch(reset: &str, now: DateTime<Utc>) -> Option<Duration> {
    let reset: i64 = reset.trim().parse().ok()?;
    Some(Duration::from_secs(
        u64::try_from(reset - now.timestamp()).unwrap_or(0),
    ))
}

/// The error with every secret taken out of its message (platforms sometimes echo the
/// token they were sent).
pub(crate) fn scrub(mut e: PublishError, secrets: &[&SecretString]) -> PublishError {
    for s in secrets {
        let s = s.expose_secret();
        if s.len() >= 4 && e.raw.contains(s) {
            e.raw = e.raw.replace(s, "[redacted]");
        }
    }
    e
}

/// A `Permanent` error: something about the request that no retry can fix.
pub(crate) fn permanent(message: impl Into<String>) -> PublishError {
    PublishError::new(FailureClass::Permanent, message)
}

/// A `multipart/form-data` body (RFC 7578).
// why: reqwest's `multipart` feature would add `mime_guess` to every build of the
// workspace for the two forms publishing sends; the format is small enough to write here.
pub(crate) struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

impl Multipart {
    pub fn new() -> Self {
        // A random boundary, so no file's bytes can be made to contain it.
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let other = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Self {
            boundary: format!("switchboard-{random:016x}{other:016x}"),
            body: Vec::new(),
        }
    }

    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.head(name, None, None);
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    pub fn file(mut self, name: &str, filename: &str, mime: &str, bytes: &[u8]) -> Self {
        self.head(name, Some(filename), Some(mime));
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    fn head(&mut self, name: &str, filename: Option<&str>, mime: Option<&str>) {
        // Names and file names are ours (`media`, `source`, `media.jpg`): no quoting needed
        // beyond refusing quotes and line breaks.
        let clean = |s: &str| s.replace(['"', '\r', '\n'], "_");
        let mut head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
            self.boundary,
            clean(name)
        );
        if let Some(f) = filename {
            head.push_str(&format!("; filename=\"{}\"", clean(f)));
        }
        head.push_str("\r\n");
        if let Some(m) = mime {
            head.push_str(&format!("Content-Type: {}\r\n", clean(m)));
        }
        head.push_str("\r\n");
        self.body.extend_from_slice(head.as_bytes());
    }

    /// The request with this body and its `Content-Type`.
    pub fn attach(mut self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        self.body
            .extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        request
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={}", self.boundary),
            )
            .body(self.body)
    }
}

/// The file name a media file is sent under (platforms read the type from it or the part).
pub(crate) fn file_name(mime: &str) -> String {
    let ext = match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        _ => "bin",
    };
    format!("media.{ext}")
}

/// Text compared the way platforms give it back: without URLs (X shortens them and adds
/// one per attached media), HTML entities X escapes, and runs of white space.
pub(crate) fn comparable(text: &str) -> String {
    let unescaped = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    unescaped
        .split_whitespace()
        .filter(|w| !(w.starts_with("http://") || w.starts_with("https://")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, headers: &[(&'static str, &str)]) -> Reply {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().expect("a header value"));
        }
        Reply {
            status,
            headers: map,
            body: b"<html>busy</html>".to_vec(),
        }
    }

    #[test]
    fn shared_rules_classify_by_status() {
        let class = |status| classify("P", &reply(status, &[]), Refusal::default()).class;
        assert_eq!(class(429), FailureClass::RateLimited, "429 waits");
        assert_eq!(class(401), FailureClass::Reconnect, "401 reconnects");
        assert_eq!(
            class(500),
            FailureClass::Uncertain,
            "a 5xx may have happened"
        );
        assert_eq!(
            class(503),
            FailureClass::Uncertain,
            "a 5xx may have happened"
        );
        assert_eq!(class(400), FailureClass::Rejected, "another 4xx rejects");
        assert_eq!(
            class(302),
            FailureClass::Uncertain,
            "a redirect is not understood"
        );
        let limited = classify(
            "P",
            &reply(429, &[("retry-after", "17")]),
            Refusal::default(),
        );
        assert_eq!(
            limited.retry_after,
            Some(Duration::from_secs(17)),
            "Retry-After is the wait when the platform gives nothing better"
        );
        assert!(
            limited.raw.contains("<html>busy</html>"),
            "a body that is not the platform's shape is quoted: {}",
            limited.raw
        );
    }

    #[test]
    fn an_epoch_reset_becomes_a_wait_from_now() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
        assert_eq!(
            until_epoch("1700000090", now),
            Some(Duration::from_secs(90)),
            "90 s from now"
        );
        assert_eq!(
            until_epoch("1699999000", now),
            Some(Duration::ZERO),
            "a reset in the past waits nothing"
        );
        assert_eq!(
            until_epoch("soon", now),
            None,
            "an unreadable reset is none"
        );
    }

    #[test]
    fn secrets_are_scrubbed_from_messages() {
        let token = SecretString::from("CANARY-wire-token");
        let e = scrub(
            PublishError::new(FailureClass::Rejected, "bad token CANARY-wire-token"),
            &[&token],
        );
        assert!(!e.raw.contains("CANARY"), "scrubbed: {}", e.raw);
    }

    #[test]
    fn multipart_bodies_follow_rfc_7578() {
        let request = Multipart::new()
            .text("segment_index", "0")
            .file("media", "media.jpg", "image/jpeg", b"\xff\xd8bytes")
            .attach(reqwest::Client::new().post("http://127.0.0.1:9/"))
            .build()
            .expect("a request");
        let content_type = request.headers()["content-type"].to_str().expect("ascii");
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("a boundary");
        let body = request.body().and_then(|b| b.as_bytes()).expect("a body");
        let text = String::from_utf8_lossy(body);
        assert!(
            text.starts_with(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n0\r\n")),
            "the text part first: {text}"
        );
        assert!(
            text.contains(
                "name=\"media\"; filename=\"media.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            ),
            "the file part's head: {text}"
        );
        assert!(
            text.ends_with(&format!("--{boundary}--\r\n")),
            "closed: {text}"
        );
    }

    #[test]
    fn text_is_compared_without_urls_entities_or_spacing() {
        assert_eq!(
            comparable("Launch day &amp; more:  https://t.co/abc\nhttps://t.co/media"),
            comparable("Launch day & more: https://example.com/launch"),
            "X shortens links, adds media links and escapes &"
        );
        assert_ne!(
            comparable("one"),
            comparable("two"),
            "different words differ"
        );
    }
}
