//! Facebook Pages through the Graph API, as a publisher uses it: `GET /me/accounts` and
//! `GET /{page}?fields=access_token` (Page tokens), `POST /{page}/feed`, `POST /{page}/photos`
//! (multipart `source`), `POST`/`GET /{post}/comments`, `GET /{page}/feed` and
//! `GET /{page}/scheduled_posts`, with Graph's error shape and the usage header.

use super::{count, gate, user_index, user_of, Gate, PublishedPost, Refusal, Req, UploadedMedia};
use crate::import::meta::graph_error;
use crate::server::Server;
use crate::state::random_token;
use crate::wire::json_response;
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

/// How soon and how far ahead a Page takes a `scheduled_publish_time`.
const MIN_LEAD: Duration = Duration::minutes(10);
const MAX_LEAD: Duration = Duration::days(30);

/// The Pages a seeded user manages: two each.
pub(crate) fn pages(index: usize) -> Vec<(String, String)> {
    let u = index + 1;
    (1..=2)
        .map(|n| {
            (
                format!("20{u}000000000000{n}"),
                format!("Demo Brand {u}.{n} — Café Page"),
            )
        })
        .collect()
}

fn all_pages(server: &Server) -> Vec<(String, String)> {
    (0..server.spec.users.len()).flat_map(pages).collect()
}

/// The path after `/v22.0/`, split.
fn segments<'a>(server: &Server, path: &'a str) -> Option<Vec<&'a str>> {
    let prefix = server.catalog.prefix();
    if server.catalog.version.is_empty() {
        return None;
    }
    Some(
        path.strip_prefix(&prefix)?
            .split('/')
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

pub(crate) fn wants(server: &Server, path: &str) -> bool {
    let Some(parts) = segments(server, path) else {
        return false;
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["me", "accounts"] => true,
        [id] => all_pages(server).iter().any(|(p, _)| p == id),
        [id, "feed" | "photos" | "scheduled_posts"] => numeric(id),
        [id, "comments"] => id.contains('_'),
        _ => false,
    }
}

fn bad_param(message: &str) -> Response {
    graph_error(400, 100, None, &format!("(#100) {message}"))
}

fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// The token a Graph call carries: the form's `access_token`, the bearer, or the query's.
fn token_of(req: &Req) -> Option<String> {
    req.field("access_token")
        .or_else(|| req.bearer())
        .or_else(|| req.query("access_token"))
        .map(str::to_owned)
}

fn invalid_token(why: &str, subcode: Option<i64>) -> Response {
    graph_error(
        400,
        190,
        subcode,
        &format!("Error validating access token: {why}"),
    )
}

/// The Page token of `page` a call must carry, with the grant's user and scopes.
fn page_access(
    server: &Server,
    req: &Req,
    page: &str,
    write: bool,
) -> Result<(String, Vec<String>), Response> {
    let Some(token) = token_of(req) else {
        return Err(graph_error(
            400,
            104,
            None,
            "An access token is required to request this resource.",
        ));
    };
    let held = server.lock().publish.page_tokens.get(&token).cloned();
    let Some((grant, token_page)) = held else {
        if user_of(server, &token).is_some() {
            // why: since 2018 a Page is written and read as the Page, with its own token.
            return Err(graph_error(
                403,
                200,
                None,
                "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission",
            ));
        }
        return Err(invalid_token("Cannot parse access token", None));
    };
    let (user, scopes, revoked) = {
        let store = server.lock();
        let g = &store.grants[grant];
        (g.user.clone(), g.scopes.clone(), g.revoked)
    };
    if revoked {
        return Err(invalid_token(
            "The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
            Some(460),
        ));
    }
    if token_page != page {
        return Err(graph_error(
            403,
            200,
            None,
            "(#200) The Page access token belongs to another Page",
        ));
    }
    let needed: &[&str] = if write {
        &["pages_manage_posts", "pages_read_engagement"]
    } else {
        &["pages_read_engagement"]
    };
    if let Some(gap) = needed.iter().find(|s| !scopes.iter().any(|x| x == *s)) {
        return Err(graph_error(
            403,
            200,
            None,
            &format!("(#200) Requires the {gap} permission"),
        ));
    }
    Ok((user, scopes))
}

pub(crate) fn handle(server: &Server, req: &Req) -> (Response, bool) {
    let Some(parts) = segments(server, &req.path) else {
        return (bad_param("Unknown path"), false);
    };
    let method = &req.method;
    match (method.clone(), parts.as_slice()) {
        (Method::GET, ["me", "accounts"]) => {
            count(server, "me_accounts");
            (accounts(server, req), false)
        }
        (Method::GET, [page]) => {
            count(server, "page");
            (page_token(server, req, page), false)
        }
        (Method::POST, [page, "feed"]) => {
            count(server, "feed_create");
            feed(server, req, page)
        }
        (Method::POST, [page, "photos"]) => {
            count(server, "photos");
            photos(server, req, page)
        }
        (Method::GET, [page, "feed"]) => {
            count(server, "feed_list");
            (listing(server, req, page, false), false)
        }
        (Method::GET, [page, "scheduled_posts"]) => {
            count(server, "scheduled_posts");
            (listing(server, req, page, true), false)
        }
        (Method::POST, [post, "comments"]) => {
            count(server, "comments_create");
            comment(server, req, post)
        }
        (Method::GET, [post, "comments"]) => {
            count(server, "comments_list");
            (comments(server, req, post), false)
        }
        _ => (
            graph_error(
                400,
                100,
                Some(33),
                "Unsupported request. Object does not exist or does not support this operation.",
            ),
            false,
        ),
    }
}

/// The user's token from the bearer (never the query in Switchboard, but Graph takes it).
fn user_access(server: &Server, req: &Req) -> Result<(usize, String, Vec<String>), Response> {
    let token = req
        .bearer()
        .map(str::to_owned)
        .or_else(|| req.query("access_token").map(str::to_owned))
        .ok_or_else(|| {
            graph_error(
                400,
                104,
                None,
                "An access token is required to request this resource.",
            )
        })?;
    user_of(server, &token)
        .ok_or_else(|| invalid_token("Session has expired or is invalid.", Some(463)))
}

/// A Page token for (grant, page), the same one each time it is asked for.
fn token_for(server: &Server, grant: usize, page: &str) -> String {
    let mut store = server.lock();
    if let Some((t, _)) = store
        .publish
        .page_tokens
        .iter()
        .find(|(_, (g, p))| *g == grant && p == page)
    {
        return t.clone();
    }
    // `at` marks it as a credential (`CANARY-token-…`), so leak scans catch it.
    let token = random_token("at");
    store
        .publish
        .page_tokens
        .insert(token.clone(), (grant, page.to_owned()));
    token
}

fn fields(req: &Req) -> Option<Vec<String>> {
    req.query("fields")
        .map(|f| f.split(',').map(|s| s.trim().to_owned()).collect())
}

fn project(full: Map<String, Value>, wanted: Option<&[String]>) -> Value {
    match wanted {
        None => Value::Object(full),
        Some(w) => Value::Object(
            full.into_iter()
                .filter(|(k, _)| k == "id" || w.iter().any(|x| x == k))
                .collect(),
        ),
    }
}

fn accounts(server: &Server, req: &Req) -> Response {
    let (grant, user, scopes) = match user_access(server, req) {
        Ok(a) => a,
        Err(r) => return r,
    };
    // why: without pages_show_list the edge answers an empty list, not an error.
    let list = if scopes.iter().any(|s| s == "pages_show_list") {
        user_index(server, &user).map(pages).unwrap_or_default()
    } else {
        Vec::new()
    };
    let limit: usize = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25)
        .clamp(1, server.page_size.max(1));
    let start: usize = req
        .query("after")
        .and_then(|c| c.strip_prefix("cursor-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
        .min(list.len());
    let end = (start + limit).min(list.len());
    let wanted = fields(req);
    let data: Vec<Value> = list[start..end]
        .iter()
        .map(|(id, name)| {
            let mut full = Map::new();
            full.insert("id".into(), json!(id));
            full.insert("name".into(), json!(name));
            full.insert("category".into(), json!("Bakery"));
            full.insert(
                "tasks".into(),
                json!([
                    "ANALYZE",
                    "ADVERTISE",
                    "MODERATE",
                    "CREATE_CONTENT",
                    "MANAGE"
                ]),
            );
            // Only a caller who asks for the tokens gets them.
            if wanted.is_none()
                || wanted
                    .as_ref()
                    .is_some_and(|w| w.iter().any(|f| f == "access_token"))
            {
                full.insert("access_token".into(), json!(token_for(server, grant, id)));
            }
            project(full, wanted.as_deref())
        })
        .collect();
    let mut paging =
        json!({"cursors": {"before": format!("cursor-{start}"), "after": format!("cursor-{end}")}});
    if end < list.len() {
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "after" && k != "access_token")
            .cloned()
            .collect();
        query.push(("after".into(), format!("cursor-{end}")));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        paging["next"] = json!(format!("{}{}?{query}", req.origin(), req.path));
    }
    json_response(200, json!({"data": data, "paging": paging}))
}

fn page_token(server: &Server, req: &Req, page: &str) -> Response {
    let (grant, user, scopes) = match user_access(server, req) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let managed = user_index(server, &user)
        .map(pages)
        .unwrap_or_default()
        .into_iter()
        .find(|(id, _)| id == page);
    let Some((id, name)) = managed else {
        return graph_error(
            400,
            100,
            Some(33),
            &format!("Unsupported get request. Object with ID '{page}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
        );
    };
    let mut full = Map::new();
    full.insert("id".into(), json!(id));
    full.insert("name".into(), json!(name));
    // why: a Page token comes only with a permission that lets the user act for the Page.
    if scopes.iter().any(|s| s.starts_with("pages_")) {
        full.insert("access_token".into(), json!(token_for(server, grant, page)));
    }
    json_response(200, project(full, fields(req).as_deref()))
}

/// `scheduled_publish_time` as Unix seconds or ISO 8601.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    s.parse::<i64>()
        .ok()
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .or_else(|| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

fn refuse(page: &str, refusal: Refusal) -> Response {
    match refusal {
        Refusal::RateLimited { reset_secs } => {
            let mut r = graph_error(400, 32, None, "(#32) Page request limit reached");
            let minutes = reset_secs.div_ceil(60).max(1);
            let usage = json!({ page: [{"type": "pages", "call_count": 100, "total_cputime": 40, "total_time": 40, "estimated_time_to_regain_access": minutes}]});
            if let Ok(v) = HeaderValue::from_str(&usage.to_string()) {
                r.headers_mut().insert("x-business-use-case-usage", v);
            }
            r
        }
        Refusal::ServerError => json_response(
            500,
            json!({"error": {"message": "An unexpected error has occurred. Please retry your request later.",
                "type": "OAuthException", "is_transient": true, "code": 2, "fbtrace_id": random_token("fbtrace")}}),
        ),
        Refusal::Rejected => graph_error(
            400,
            368,
            Some(1_390_008),
            "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        ),
    }
}

fn feed(server: &Server, req: &Req, page: &str) -> (Response, bool) {
    let (user, _) = match page_access(server, req, page, true) {
        Ok(a) => a,
        Err(r) => return (r, false),
    };
    let now = server.now();
    let message = req.field("message").unwrap_or("").to_owned();
    let link = req
        .field("link")
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    let published = req.field("published").is_none_or(|p| p != "false");
    let scheduled = match req.field("scheduled_publish_time") {
        None => None,
        Some(t) => match parse_time(t) {
            Some(t) => Some(t),
            None => {
                return (
                    bad_param("The specified scheduled publish time is invalid."),
                    false,
                )
            }
        },
    };
    match (published, scheduled) {
        (true, Some(_)) => {
            return (
                bad_param("Cannot specify a scheduled publish time on a published post"),
                false,
            )
        }
        (false, None) => {
            return (
                bad_param(
                    "The emulator plays unpublished Page posts only with a scheduled_publish_time",
                ),
                false,
            )
        }
        (false, Some(t)) if t < now + MIN_LEAD || t > now + MAX_LEAD => {
            return (
                bad_param("The specified scheduled publish time is invalid."),
                false,
            )
        }
        _ => {}
    }
    let mut attached: Vec<(usize, String)> = Vec::new();
    for (k, v) in &req.form {
        let Some(i) = k
            .strip_prefix("attached_media[")
            .and_then(|r| r.strip_suffix(']'))
            .and_then(|i| i.parse::<usize>().ok())
        else {
            continue;
        };
        let fbid = serde_json::from_str::<Value>(v).ok().and_then(|m| {
            m.get("media_fbid")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        match fbid {
            Some(id) => attached.push((i, id)),
            None => {
                return (
                    bad_param(&format!(
                        "param attached_media[{i}] must be {{\"media_fbid\": …}}"
                    )),
                    false,
                )
            }
        }
    }
    attached.sort();
    let media: Vec<String> = attached.into_iter().map(|(_, id)| id).collect();
    if message.is_empty() && link.is_none() && media.is_empty() {
        return (bad_param("Missing message or attachment"), false);
    }
    {
        let store = server.lock();
        for id in &media {
            let ok = store
                .publish
                .media
                .iter()
                .any(|m| &m.id == id && m.owner == page && m.state == "unpublished");
            if !ok {
                return (
                    bad_param(&format!("attached_media has an invalid media_fbid {id}")),
                    false,
                );
            }
        }
        let duplicate = !message.is_empty()
            && media.is_empty()
            && store.publish.posts.iter().any(|p| {
                p.platform == "meta"
                    && p.kind == "post"
                    && p.author == page
                    && p.text == message
                    && p.link == link
                    && p.created + Duration::days(1) > now
            });
        if duplicate {
            // why: Graph refuses the same status twice in a row with #506.
            return (
                graph_error(400, 506, Some(1_455_006), "Duplicate status message"),
                false,
            );
        }
    }
    let hold = match gate(server, page) {
        Gate::Go { hold } => hold,
        Gate::Refuse(r) => return (refuse(page, r), false),
    };
    let id = {
        let mut store = server.lock();
        let id = format!("{page}_{}", store.publish.next());
        for m in store
            .publish
            .media
            .iter_mut()
            .filter(|m| media.contains(&m.id))
        {
            m.state = "attached".into();
        }
        store.publish.posts.push(PublishedPost {
            platform: "meta".into(),
            id: id.clone(),
            kind: "post".into(),
            author: page.to_owned(),
            text: message,
            link,
            media,
            reply_to: None,
            scheduled_for: scheduled,
            created: now,
            by: user,
        });
        id
    };
    (json_response(200, json!({ "id": id })), hold)
}

fn photos(server: &Server, req: &Req, page: &str) -> (Response, bool) {
    let (user, _) = match page_access(server, req, page, true) {
        Ok(a) => a,
        Err(r) => return (r, false),
    };
    let Some(source) = req.file("source") else {
        return (
            graph_error(400, 324, None, "(#324) Requires upload file"),
            false,
        );
    };
    let image = source.bytes.starts_with(&[0xff, 0xd8])
        || source.bytes.starts_with(b"\x89PNG")
        || source.bytes.starts_with(b"GIF8")
        || (source.bytes.starts_with(b"RIFF") && source.bytes.get(8..12) == Some(b"WEBP"));
    if !image {
        return (
            graph_error(
                400,
                324,
                Some(2_069_019),
                "(#324) Missing or invalid image file",
            ),
            false,
        );
    }
    let published = req.field("published").is_none_or(|p| p != "false");
    let caption = req.field("caption").unwrap_or("").to_owned();
    let now = server.now();
    let mime = source.content_type.clone();
    let bytes = source.bytes.len() as u64;
    let new_photo = |state: &str| {
        let mut store = server.lock();
        let id = format!("{}", 5_000_000_000_000_u64 + store.publish.next());
        store.publish.media.push(UploadedMedia {
            platform: "meta".into(),
            id: id.clone(),
            owner: page.to_owned(),
            mime: mime.clone(),
            category: None,
            declared_bytes: None,
            bytes,
            segments: 1,
            state: state.into(),
            polls: 0,
            created: now,
        });
        id
    };
    if !published {
        let id = new_photo("unpublished");
        return (json_response(200, json!({ "id": id })), false);
    }
    let hold = match gate(server, page) {
        Gate::Go { hold } => hold,
        Gate::Refuse(r) => return (refuse(page, r), false),
    };
    let photo = new_photo("published");
    let post = {
        let mut store = server.lock();
        let post = format!("{page}_{}", store.publish.next());
        store.publish.posts.push(PublishedPost {
            platform: "meta".into(),
            id: post.clone(),
            kind: "post".into(),
            author: page.to_owned(),
            text: caption,
            link: None,
            media: vec![photo.clone()],
            reply_to: None,
            scheduled_for: None,
            created: now,
            by: user,
        });
        post
    };
    (
        json_response(200, json!({ "id": photo, "post_id": post })),
        hold,
    )
}

fn listing(server: &Server, req: &Req, page: &str, scheduled: bool) -> Response {
    if let Err(r) = page_access(server, req, page, false) {
        return r;
    }
    let now = server.now();
    let since = req.query("since").and_then(parse_time);
    let limit: usize = req
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let wanted = fields(req);
    let store = server.lock();
    let mut posts: Vec<&PublishedPost> = store
        .publish
        .posts
        .iter()
        .filter(|p| p.platform == "meta" && p.kind == "post" && p.author == page)
        .filter(|p| {
            if scheduled {
                !p.is_live(now)
            } else {
                p.is_live(now)
            }
        })
        .filter(|p| since.is_none_or(|s| p.scheduled_for.unwrap_or(p.created) >= s))
        .collect();
    posts.sort_by_key(|p| std::cmp::Reverse(p.scheduled_for.unwrap_or(p.created)));
    posts.truncate(limit);
    let data: Vec<Value> = posts
        .into_iter()
        .map(|p| {
            let mut full = Map::new();
            full.insert("id".into(), json!(p.id));
            if !p.text.is_empty() {
                full.insert("message".into(), json!(p.text));
            }
            full.insert(
                "created_time".into(),
                json!(graph_time(
                    p.scheduled_for.filter(|_| !scheduled).unwrap_or(p.created)
                )),
            );
            if let Some(t) = p.scheduled_for.filter(|_| scheduled) {
                full.insert("scheduled_publish_time".into(), json!(t.timestamp()));
            }
            // Graph answers id, message and created_time when no fields are asked for.
            let default = ["message", "created_time"].map(String::from).to_vec();
            project(full, Some(wanted.as_deref().unwrap_or(&default)))
        })
        .collect();
    json_response(
        200,
        json!({"data": data, "paging": {"cursors": {"before": "cursor-0", "after": "cursor-0"}}}),
    )
}

/// The post a comment path names, and its Page.
fn post_of(server: &Server, post: &str) -> Option<PublishedPost> {
    server
        .lock()
        .publish
        .posts
        .iter()
        .find(|p| p.platform == "meta" && p.kind == "post" && p.id == post)
        .cloned()
}

fn comment(server: &Server, req: &Req, post: &str) -> (Response, bool) {
    let Some(target) = post_of(server, post) else {
        return (
            graph_error(
                400,
                100,
                Some(33),
                &format!("Unsupported post request. Object with ID '{post}' does not exist"),
            ),
            false,
        );
    };
    let page = target.author.clone();
    let (user, _) = match page_access(server, req, &page, true) {
        Ok(a) => a,
        Err(r) => return (r, false),
    };
    let now = server.now();
    if !target.is_live(now) {
        return (
            bad_param("Cannot comment on a post that is not published yet"),
            false,
        );
    }
    let message = req.field("message").unwrap_or("").to_owned();
    if message.is_empty() {
        return (bad_param("Missing message or attachment"), false);
    }
    let hold = match gate(server, &page) {
        Gate::Go { hold } => hold,
        Gate::Refuse(r) => return (refuse(&page, r), false),
    };
    let id = {
        let mut store = server.lock();
        let number = post.rsplit('_').next().unwrap_or(post).to_owned();
        let id = format!("{number}_{}", store.publish.next());
        store.publish.posts.push(PublishedPost {
            platform: "meta".into(),
            id: id.clone(),
            kind: "comment".into(),
            author: page,
            text: message,
            link: None,
            media: Vec::new(),
            reply_to: Some(post.to_owned()),
            scheduled_for: None,
            created: now,
            by: user,
        });
        id
    };
    (json_response(200, json!({ "id": id })), hold)
}

fn comments(server: &Server, req: &Req, post: &str) -> Response {
    let Some(target) = post_of(server, post) else {
        return graph_error(
            400,
            100,
            Some(33),
            &format!("Unsupported get request. Object with ID '{post}' does not exist"),
        );
    };
    if let Err(r) = page_access(server, req, &target.author, false) {
        return r;
    }
    let names = all_pages(server);
    let store = server.lock();
    let data: Vec<Value> = store
        .publish
        .posts
        .iter()
        .filter(|p| {
            p.platform == "meta" && p.kind == "comment" && p.reply_to.as_deref() == Some(post)
        })
        .map(|c| {
            let name = names
                .iter()
                .find(|(id, _)| *id == c.author)
                .map(|(_, n)| n.clone());
            json!({"id": c.id, "message": c.text, "created_time": graph_time(c.created),
                "from": {"id": c.author, "name": name}})
        })
        .collect();
    json_response(
        200,
        json!({"data": data, "paging": {"cursors": {"before": "cursor-0", "after": "cursor-0"}}}),
    )
}
