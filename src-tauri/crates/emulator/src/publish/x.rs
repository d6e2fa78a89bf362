//! X API v2 publishing: `POST /2/tweets`, the chunked media upload
//! (`/2/media/upload/initialize`, `/{id}/append`, `/{id}/finalize`, `?command=STATUS`) and
//! `GET /2/users/{id}/tweets`, with X's problem-details errors and rate-limit headers.

use super::{
    budget_left, count, gate, user_of, x_weighted_length, Gate, PublishedPost, Refusal, Req,
    UploadedMedia,
};
use crate::server::Server;
use crate::wire::json_response;
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// The most characters (weighted) a post may have.
const MAX_WEIGHT: usize = 280;
/// The most bytes one APPEND may carry.
const MAX_SEGMENT: usize = 5 * 1024 * 1024;

pub(crate) fn wants(path: &str) -> bool {
    path == "/2/tweets"
        || path == "/2/media/upload"
        || path.starts_with("/2/media/upload/")
        || (path.starts_with("/2/users/") && path.ends_with("/tweets"))
}

/// X's problem details.
fn problem(status: u16, title: &str, detail: &str, kind: &str) -> Response {
    json_response(
        status,
        json!({"title": title, "detail": detail, "type": kind, "status": status}),
    )
}

fn invalid(message: &str) -> Response {
    json_response(
        400,
        json!({
            "errors": [{"message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }),
    )
}

fn forbidden(detail: &str) -> Response {
    problem(403, "Forbidden", detail, "about:blank")
}

fn unauthorized() -> Response {
    problem(401, "Unauthorized", "Unauthorized", "about:blank")
}

/// `x-rate-limit-*` on an answer.
fn rate_headers(response: &mut Response, limit: u32, remaining: u32, reset: i64) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", limit.to_string()),
        ("x-rate-limit-remaining", remaining.to_string()),
        ("x-rate-limit-reset", reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
}

/// The default rate-limit headers of the read and upload endpoints (a 15-minute window).
pub(crate) fn default_rate_headers(response: &mut Response, now: DateTime<Utc>) {
    if !response.headers().contains_key("x-rate-limit-limit") {
        rate_headers(response, 900, 899, now.timestamp() + 900);
    }
}

pub(crate) fn handle(server: &Server, req: &Req) -> (Response, bool) {
    let now = server.now();
    let (mut response, hold) = answer(server, req);
    default_rate_headers(&mut response, now);
    (response, hold)
}

fn answer(server: &Server, req: &Req) -> (Response, bool) {
    let Some((_, user, scopes)) = req.bearer().and_then(|t| user_of(server, t)) else {
        return (unauthorized(), false);
    };
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let missing = |needed: &[&str]| -> Option<Response> {
        let gap = needed.iter().find(|s| !has(s))?;
        Some(problem(
            403,
            "Forbidden",
            &format!("The token lacks the {gap} scope this endpoint needs."),
            "https://api.twitter.com/2/problems/client-forbidden",
        ))
    };
    let path = req.path.as_str();
    let method = &req.method;
    if path == "/2/tweets" && method == Method::POST {
        count(server, "tweets");
        if let Some(r) = missing(&["tweet.read", "tweet.write", "users.read"]) {
            return (r, false);
        }
        return create(server, req, &user);
    }
    if path == "/2/media/upload/initialize" && method == Method::POST {
        count(server, "media_initialize");
        if let Some(r) = missing(&["media.write"]) {
            return (r, false);
        }
        return (initialize(server, req, &user), false);
    }
    if let Some(rest) = path.strip_prefix("/2/media/upload/") {
        if method == Method::POST {
            if let Some(r) = missing(&["media.write"]) {
                return (r, false);
            }
            if let Some(id) = rest.strip_suffix("/append") {
                count(server, "media_append");
                return (append(server, req, &user, id), false);
            }
            if let Some(id) = rest.strip_suffix("/finalize") {
                count(server, "media_finalize");
                return (finalize(server, &user, id), false);
            }
        }
    }
    if path == "/2/media/upload" && method == Method::GET {
        count(server, "media_status");
        if let Some(r) = missing(&["media.write"]) {
            return (r, false);
        }
        return (status(server, req, &user), false);
    }
    if let Some(id) = path
        .strip_prefix("/2/users/")
        .and_then(|p| p.strip_suffix("/tweets"))
    {
        if method == Method::GET {
            count(server, "user_tweets");
            if let Some(r) = missing(&["tweet.read", "users.read"]) {
                return (r, false);
            }
            return (timeline(server, req, id), false);
        }
    }
    (
        problem(404, "Not Found Error", "Not found", "about:blank"),
        false,
    )
}

fn create(server: &Server, req: &Req, user: &str) -> (Response, bool) {
    let body = match &req.json {
        Some(Ok(Value::Object(m))) => m.clone(),
        Some(Ok(_)) | Some(Err(_)) | None => {
            return (invalid("The request body is not a JSON object."), false)
        }
    };
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let media_ids: Vec<String> = match body.get("media") {
        None => Vec::new(),
        Some(m) => match m.get("media_ids").and_then(Value::as_array) {
            Some(ids) => ids
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect(),
            None => {
                return (
                    invalid("media.media_ids must be an array of strings."),
                    false,
                )
            }
        },
    };
    let reply_to = body
        .get("reply")
        .and_then(|r| r.get("in_reply_to_tweet_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if text.is_empty() && media_ids.is_empty() {
        return (
            invalid("The text field is required when there is no media."),
            false,
        );
    }
    if x_weighted_length(text) > MAX_WEIGHT {
        // why: X refuses an over-long post with 403 and this detail (API v2 create post).
        return (
            forbidden("Your Tweet text is too long. For more information on how X determines text length see https://github.com/twitter/twitter-text."),
            false,
        );
    }
    if media_ids.len() > 4 {
        return (
            invalid("Your media IDs are invalid: at most 4 media may be attached."),
            false,
        );
    }
    {
        let store = server.lock();
        let mut processed = 0;
        for id in &media_ids {
            let ok = store
                .publish
                .media
                .iter()
                .find(|m| &m.id == id && m.owner == user);
            match ok {
                Some(m) if m.state == "ready" => {
                    if m.category.as_deref() != Some("tweet_image") {
                        processed += 1;
                    }
                }
                _ => {
                    return (
                        invalid(&format!("Your media IDs are invalid: {id}.")),
                        false,
                    )
                }
            }
        }
        if processed > 0 && media_ids.len() > 1 {
            return (
                invalid("Your media IDs are invalid: a video or GIF must be the only media."),
                false,
            );
        }
        if let Some(parent) = &reply_to {
            if !store
                .publish
                .posts
                .iter()
                .any(|p| p.platform == "x" && &p.id == parent)
            {
                return (
                    forbidden(
                        "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    ),
                    false,
                );
            }
        }
        let duplicate = !text.is_empty()
            && store
                .publish
                .posts
                .iter()
                .any(|p| p.platform == "x" && p.author == user && p.text == text);
        if duplicate {
            return (
                forbidden("You are not allowed to create a Tweet with duplicate content."),
                false,
            );
        }
    }
    let hold = match gate(server, user) {
        Gate::Go { hold } => hold,
        Gate::Refuse(refusal) => return (refuse(server, refusal), false),
    };
    let now = server.now();
    let id = {
        let mut store = server.lock();
        let id = format!("18{:017}", store.publish.next());
        store.publish.posts.push(PublishedPost {
            platform: "x".into(),
            id: id.clone(),
            kind: if reply_to.is_some() { "reply" } else { "post" }.into(),
            author: user.to_owned(),
            text: text.to_owned(),
            link: None,
            media: media_ids,
            reply_to,
            scheduled_for: None,
            created: now,
            by: user.to_owned(),
        });
        id
    };
    let mut response = json_response(
        201,
        json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}}),
    );
    let (left, reset) = budget_left(server, user);
    rate_headers(
        &mut response,
        server.publish_settings.budget,
        left,
        now.timestamp() + reset,
    );
    (response, hold)
}

/// A publish call refused before anything is kept.
fn refuse(server: &Server, refusal: Refusal) -> Response {
    let now = server.now();
    match refusal {
        Refusal::RateLimited { reset_secs } => {
            let mut r = problem(429, "Too Many Requests", "Too Many Requests", "about:blank");
            let reset = now.timestamp() + i64::try_from(reset_secs).unwrap_or(i64::MAX / 2);
            rate_headers(&mut r, server.publish_settings.budget, 0, reset);
            r
        }
        Refusal::ServerError => problem(
            503,
            "Service Unavailable",
            "Service Unavailable",
            "about:blank",
        ),
        Refusal::Rejected => {
            forbidden("You are not allowed to create a Tweet with duplicate content.")
        }
    }
}

fn initialize(server: &Server, req: &Req, user: &str) -> Response {
    let Some(Ok(Value::Object(body))) = &req.json else {
        return invalid("The request body is not a JSON object.");
    };
    let mime = body.get("media_type").and_then(Value::as_str).unwrap_or("");
    let total = body.get("total_bytes").and_then(Value::as_u64).unwrap_or(0);
    let category = body
        .get("media_category")
        .and_then(Value::as_str)
        .unwrap_or("tweet_image");
    let limit: u64 = match (category, mime) {
        ("tweet_image", "image/jpeg" | "image/png" | "image/webp" | "image/gif") => 5 << 20,
        ("tweet_gif", "image/gif") => 15 << 20,
        ("tweet_video" | "amplify_video", "video/mp4" | "video/quicktime") => 512 << 20,
        _ => {
            return invalid(&format!(
                "media_type '{mime}' does not fit media_category '{category}'."
            ))
        }
    };
    if total == 0 || total > limit {
        return invalid(&format!(
            "total_bytes must be between 1 and {limit} for {category}."
        ));
    }
    let now = server.now();
    let mut store = server.lock();
    let id = format!("19{:017}", store.publish.next());
    store.publish.media.push(UploadedMedia {
        platform: "x".into(),
        id: id.clone(),
        owner: user.to_owned(),
        mime: mime.to_owned(),
        category: Some(category.to_owned()),
        declared_bytes: Some(total),
        bytes: 0,
        segments: 0,
        state: "uploading".into(),
        polls: 0,
        created: now,
    });
    json_response(
        200,
        json!({"data": {"id": id, "media_key": media_key(category, &id), "expires_after_secs": 86_400}}),
    )
}

fn media_key(category: &str, id: &str) -> String {
    let prefix = match category {
        "tweet_image" => 3,
        "tweet_gif" => 16,
        _ => 7,
    };
    format!("{prefix}_{id}")
}

fn append(server: &Server, req: &Req, user: &str, id: &str) -> Response {
    let Some(chunk) = req.file("media") else {
        return invalid("The media field (a multipart file) is required.");
    };
    let Some(index) = req
        .field("segment_index")
        .and_then(|s| s.parse::<u32>().ok())
    else {
        return invalid("segment_index is required.");
    };
    if index > 999 {
        return invalid("segment_index must be between 0 and 999.");
    }
    if chunk.bytes.len() > MAX_SEGMENT {
        return invalid("A segment must be at most 5 MB.");
    }
    let mut store = server.lock();
    let Some(media) = store
        .publish
        .media
        .iter_mut()
        .find(|m| m.id == id && m.owner == user && m.platform == "x")
    else {
        return invalid(&format!("The media id {id} is invalid."));
    };
    if media.state != "uploading" || index != media.segments {
        return invalid(&format!(
            "Segment {index} is out of order or the upload of {id} is finalized."
        ));
    }
    media.bytes += chunk.bytes.len() as u64;
    media.segments += 1;
    let expires = server.now().timestamp() + 86_400;
    json_response(200, json!({"data": {"expires_at": expires}}))
}

fn finalize(server: &Server, user: &str, id: &str) -> Response {
    let polls = server.publish_settings.media_polls;
    let mut store = server.lock();
    let fault = store.publish.media_faults.pop_front();
    let Some(media) = store
        .publish
        .media
        .iter_mut()
        .find(|m| m.id == id && m.owner == user && m.platform == "x")
    else {
        return invalid(&format!("The media id {id} is invalid."));
    };
    if media.state != "uploading" {
        return invalid(&format!("The upload of {id} is already finalized."));
    }
    if Some(media.bytes) != media.declared_bytes {
        return invalid(&format!(
            "The segments of {id} add up to {} bytes, not the {} declared.",
            media.bytes,
            media.declared_bytes.unwrap_or(0)
        ));
    }
    let processed = media.category.as_deref() != Some("tweet_image");
    let (polls, fails) = match fault {
        Some(crate::fault::Fault::MediaProcessing { polls, fails }) => (polls, fails),
        _ => (if processed { polls } else { 0 }, false),
    };
    let mut data = json!({
        "id": media.id, "media_key": media_key(media.category.as_deref().unwrap_or(""), &media.id),
        "size": media.bytes, "expires_after_secs": 86_400,
    });
    if polls == 0 && !fails {
        media.state = "ready".into();
        if processed {
            data["processing_info"] = json!({"state": "succeeded", "progress_percent": 100});
        }
    } else {
        media.state = "processing".into();
        data["processing_info"] = json!({"state": "pending", "check_after_secs": 1});
        let id = media.id.clone();
        store.publish.processing.insert(id, (polls, fails));
    }
    json_response(200, json!({ "data": data }))
}

fn status(server: &Server, req: &Req, user: &str) -> Response {
    if req.query("command") != Some("STATUS") {
        return invalid("command must be STATUS.");
    }
    let Some(id) = req.query("media_id") else {
        return invalid("media_id is required.");
    };
    let mut store = server.lock();
    let remaining = store.publish.processing.get(id).copied();
    let Some(media) = store
        .publish
        .media
        .iter_mut()
        .find(|m| m.id == id && m.owner == user && m.platform == "x")
    else {
        return invalid(&format!("The media id {id} is invalid."));
    };
    media.polls += 1;
    let key = media_key(media.category.as_deref().unwrap_or(""), &media.id);
    let info = match (media.state.as_str(), remaining) {
        ("processing", Some((left, fails))) if left > 0 => {
            let polls = media.polls;
            let info = json!({"state": "in_progress", "check_after_secs": 1,
                "progress_percent": (polls * 100 / (polls + left)).min(99)});
            store
                .publish
                .processing
                .insert(id.to_owned(), (left - 1, fails));
            info
        }
        ("processing", Some((_, true))) => {
            media.state = "failed".into();
            store.publish.processing.remove(id);
            json!({"state": "failed", "progress_percent": 50,
                "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}})
        }
        ("processing", _) => {
            media.state = "ready".into();
            store.publish.processing.remove(id);
            json!({"state": "succeeded", "progress_percent": 100})
        }
        ("failed", _) => json!({"state": "failed", "progress_percent": 50,
            "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}}),
        ("uploading", _) => return invalid(&format!("The upload of {id} is not finalized.")),
        _ => json!({"state": "succeeded", "progress_percent": 100}),
    };
    json_response(
        200,
        json!({"data": {"id": id, "media_key": key, "processing_info": info}}),
    )
}

fn timeline(server: &Server, req: &Req, author: &str) -> Response {
    let max: usize = match req.query("max_results").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (5..=100).contains(&n) => n,
        _ => return invalid("max_results must be between 5 and 100."),
    };
    let since = match req.query("start_time") {
        None => None,
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => return invalid("start_time must be an RFC 3339 time."),
        },
    };
    let no_replies = req
        .query("exclude")
        .is_some_and(|e| e.split(',').any(|x| x == "replies"));
    let fields: Vec<&str> = req
        .query("tweet.fields")
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let store = server.lock();
    let mut tweets: Vec<&PublishedPost> = store
        .publish
        .posts
        .iter()
        .filter(|p| p.platform == "x" && p.author == author)
        .filter(|p| since.is_none_or(|s| p.created >= s))
        .filter(|p| !(no_replies && p.kind == "reply"))
        .collect();
    tweets.reverse();
    // why: X pages the timeline with an opaque `meta.next_token`, sent back as
    // `pagination_token` (https://docs.x.com/x-api/posts/user-posts-timeline-by-user-id).
    let offset: usize = match req.query("pagination_token") {
        None => 0,
        Some(t) => match t.strip_prefix("emu-page-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return invalid("The pagination_token is invalid."),
        },
    };
    let more = tweets.len() > offset + max;
    let tweets: Vec<&PublishedPost> = tweets.into_iter().skip(offset).take(max).collect();
    let data: Vec<Value> = tweets
        .iter()
        .map(|p| {
            let mut t = json!({"id": p.id, "text": p.text, "edit_history_tweet_ids": [p.id]});
            if fields.contains(&"created_at") {
                t["created_at"] = json!(p.created.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            if fields.contains(&"referenced_tweets") {
                if let Some(parent) = &p.reply_to {
                    t["referenced_tweets"] = json!([{"type": "replied_to", "id": parent}]);
                }
            }
            t
        })
        .collect();
    let mut meta = json!({"result_count": data.len()});
    if let (Some(first), Some(last)) = (tweets.first(), tweets.last()) {
        meta["newest_id"] = json!(first.id);
        meta["oldest_id"] = json!(last.id);
    }
    if more {
        meta["next_token"] = json!(format!("emu-page-{}", offset + max));
    }
    if data.is_empty() {
        json_response(200, json!({ "meta": meta }))
    } else {
        json_response(200, json!({ "data": data, "meta": meta }))
    }
}
