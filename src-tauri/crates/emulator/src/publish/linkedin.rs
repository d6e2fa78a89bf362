//! LinkedIn's Posts API as a publisher uses it: `POST /rest/images?action=initializeUpload`
//! and the upload URL it hands out, `POST`/`GET /rest/posts`, comments under
//! `/rest/socialActions/{urn}/comments`, `GET /rest/organizationAcls?q=roleAssignee` and
//! `GET /rest/organizations/{id}`, with LinkedIn's version header and error shape.

use super::{count, gate, user_index, user_of, Gate, PublishedPost, Refusal, Req, UploadedMedia};
use crate::server::Server;
use crate::state::random_token;
use crate::wire::json_response;
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use serde_json::{json, Map, Value};

/// Where image bytes are `PUT` (LinkedIn's own upload host in reality).
pub(crate) const UPLOAD_PREFIX: &str = "/dms-uploads/";

/// The longest commentary LinkedIn takes.
const MAX_COMMENTARY: usize = 3000;

pub(crate) fn wants(path: &str) -> bool {
    path == "/rest/posts"
        || path == "/rest/images"
        || path == "/rest/organizationAcls"
        || path.starts_with("/rest/organizations/")
        || (path.starts_with("/rest/socialActions/") && path.ends_with("/comments"))
        || path.starts_with(UPLOAD_PREFIX)
}

/// The organizations (company pages) a seeded member administers: the default member two,
/// the second one.
pub(crate) fn organizations(index: usize) -> Vec<(String, String)> {
    let u = index + 1;
    (1..=if u == 1 { 2 } else { 1 })
        .map(|n| {
            (
                format!("urn:li:organization:7{u}00000{n}"),
                format!("Demo Brand {u}.{n} (Company Page)"),
            )
        })
        .collect()
}

/// LinkedIn's `{status, serviceErrorCode, code, message}`.
fn error(status: u16, service: i64, code: &str, message: &str) -> Response {
    json_response(
        status,
        json!({"status": status, "serviceErrorCode": service, "code": code, "message": message}),
    )
}

fn unprocessable(message: &str) -> Response {
    error(422, 100, "UNPROCESSABLE_ENTITY", message)
}

fn denied(what: &str) -> Response {
    error(
        403,
        100,
        "ACCESS_DENIED",
        &format!("Not enough permissions to access: {what}"),
    )
}

/// Who a call acts for.
struct Caller {
    user: String,
    member: String,
    scopes: Vec<String>,
    organizations: Vec<String>,
}

impl Caller {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Whether the caller may write as `author` (the member, or a page it administers).
    fn may_write_as(&self, author: &str) -> bool {
        if author == self.member {
            self.has("w_member_social")
        } else {
            self.has("w_organization_social") && self.organizations.iter().any(|o| o == author)
        }
    }

    fn may_read_as(&self, author: &str) -> bool {
        if author == self.member {
            self.has("r_member_social") || self.has("w_member_social")
        } else {
            self.has("r_organization_social") && self.organizations.iter().any(|o| o == author)
        }
    }
}

pub(crate) fn handle(server: &Server, req: &Req) -> (Response, bool) {
    let Some((_, user, scopes)) = req.bearer().and_then(|t| user_of(server, t)) else {
        return (
            error(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
            false,
        );
    };
    let organizations = user_index(server, &user)
        .map(organizations)
        .unwrap_or_default()
        .into_iter()
        .map(|(urn, _)| urn)
        .collect();
    let caller = Caller {
        member: format!("urn:li:person:{user}"),
        user,
        scopes,
        organizations,
    };
    let path = req.path.as_str();
    if let Some(key) = path.strip_prefix(UPLOAD_PREFIX) {
        count(server, "image_upload");
        return (upload(server, req, key), false);
    }
    // why: versioned `/rest` calls refuse a request without `LinkedIn-Version`, and a
    // version that is not (or no longer) served (https://learn.microsoft.com/linkedin/marketing/versioning).
    match req.header("linkedin-version") {
        None => {
            return (
                error(
                    400,
                    0,
                    "VERSION_MISSING",
                    "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                ),
                false,
            )
        }
        Some(v) if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) || v < "202401" => {
            return (
                error(
                    426,
                    0,
                    "NONEXISTENT_VERSION",
                    &format!("Requested version {v} is not active"),
                ),
                false,
            )
        }
        Some(_) => {}
    }
    let method = &req.method;
    if path == "/rest/posts" {
        if req.header("x-restli-protocol-version") != Some("2.0.0") {
            return (
                error(
                    400,
                    0,
                    "BAD_REQUEST",
                    "The Posts API requires X-Restli-Protocol-Version: 2.0.0",
                ),
                false,
            );
        }
        if method == Method::POST {
            count(server, "posts_create");
            return create(server, req, &caller);
        }
        if method == Method::GET {
            count(server, "posts_by_author");
            return (by_author(server, req, &caller), false);
        }
    }
    if path == "/rest/images" && method == Method::POST {
        count(server, "images_initialize");
        return (initialize_upload(server, req, &caller), false);
    }
    if let Some(encoded) = path
        .strip_prefix("/rest/socialActions/")
        .and_then(|p| p.strip_suffix("/comments"))
    {
        let post = crate::wire::form_decode(encoded);
        if method == Method::POST {
            count(server, "comments_create");
            return comment(server, req, &caller, &post);
        }
        if method == Method::GET {
            count(server, "comments_list");
            return (comments(server, &post), false);
        }
    }
    if path == "/rest/organizationAcls" && method == Method::GET {
        count(server, "organization_acls");
        return (acls(req, &caller), false);
    }
    if let Some(id) = path.strip_prefix("/rest/organizations/") {
        if method == Method::GET {
            count(server, "organization");
            return (organization(server, id), false);
        }
    }
    (error(404, 0, "NOT_FOUND", "Not Found"), false)
}

fn json_body(req: &Req) -> Result<Map<String, Value>, Response> {
    match &req.json {
        Some(Ok(Value::Object(m))) => Ok(m.clone()),
        _ => Err(error(
            400,
            0,
            "BAD_REQUEST",
            "Unable to parse the request body as JSON",
        )),
    }
}

fn initialize_upload(server: &Server, req: &Req, caller: &Caller) -> Response {
    if req.query("action") != Some("initializeUpload") {
        return error(400, 0, "BAD_REQUEST", "Unknown action");
    }
    let body = match json_body(req) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(owner) = body
        .get("initializeUploadRequest")
        .and_then(|r| r.get("owner"))
        .and_then(Value::as_str)
    else {
        return unprocessable("ERROR :: /initializeUploadRequest/owner :: field is required but not found and has no default value");
    };
    if !caller.may_write_as(owner) {
        return denied("images.action.initializeUpload");
    }
    let now = server.now();
    let mut store = server.lock();
    let urn = format!("urn:li:image:D4E{:012}", store.publish.next());
    let key = random_token("upload");
    store.publish.upload_keys.insert(key.clone(), urn.clone());
    store.publish.media.push(UploadedMedia {
        platform: "linkedin".into(),
        id: urn.clone(),
        owner: owner.to_owned(),
        mime: String::new(),
        category: None,
        declared_bytes: None,
        bytes: 0,
        segments: 0,
        state: "uploading".into(),
        polls: 0,
        created: now,
    });
    json_response(
        200,
        json!({"value": {
            "uploadUrlExpiresAt": (now + chrono::Duration::hours(24)).timestamp_millis(),
            "uploadUrl": format!("{}{UPLOAD_PREFIX}{key}", req.origin()),
            "image": urn,
        }}),
    )
}

fn upload(server: &Server, req: &Req, key: &str) -> Response {
    if req.method != Method::PUT && req.method != Method::POST {
        return error(405, 0, "METHOD_NOT_ALLOWED", "Use PUT");
    }
    let mut store = server.lock();
    let Some(urn) = store.publish.upload_keys.get(key).cloned() else {
        return error(404, 0, "NOT_FOUND", "Unknown upload URL");
    };
    if req.raw.is_empty() {
        return error(400, 0, "BAD_REQUEST", "The upload is empty");
    }
    if let Some(m) = store.publish.media.iter_mut().find(|m| m.id == urn) {
        m.bytes = req.raw.len() as u64;
        m.segments = 1;
        m.mime = sniff(&req.raw).to_owned();
        m.state = "ready".into();
    }
    store.publish.upload_keys.remove(key);
    json_response(201, json!({}))
}

/// The image type of some bytes, by their signature.
fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xff, 0xd8]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else {
        "application/octet-stream"
    }
}

/// The image URNs of a post's content, checked against what was uploaded by `author`.
fn content_media(server: &Server, author: &str, content: &Value) -> Result<Vec<String>, Response> {
    let mut ids = Vec::new();
    if let Some(media) = content.get("media") {
        match media.get("id").and_then(Value::as_str) {
            Some(id) => ids.push(id.to_owned()),
            None => {
                return Err(unprocessable(
                    "ERROR :: /content/media/id :: field is required",
                ))
            }
        }
    } else if let Some(multi) = content.get("multiImage") {
        let images = multi.get("images").and_then(Value::as_array);
        let Some(images) = images.filter(|i| (2..=20).contains(&i.len())) else {
            return Err(unprocessable(
                "ERROR :: /content/multiImage/images :: a multi-image post takes 2 to 20 images",
            ));
        };
        for image in images {
            match image.get("id").and_then(Value::as_str) {
                Some(id) => ids.push(id.to_owned()),
                None => {
                    return Err(unprocessable(
                        "ERROR :: /content/multiImage/images/id :: field is required",
                    ))
                }
            }
        }
    } else if let Some(article) = content.get("article") {
        let source = article.get("source").and_then(Value::as_str).unwrap_or("");
        if !(source.starts_with("http://") || source.starts_with("https://")) {
            return Err(unprocessable(
                "ERROR :: /content/article/source :: must be a URL",
            ));
        }
        if article
            .get("title")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(unprocessable(
                "ERROR :: /content/article/title :: field is required",
            ));
        }
    } else {
        return Err(unprocessable("ERROR :: /content :: unknown content type"));
    }
    let store = server.lock();
    for id in &ids {
        let ready = store
            .publish
            .media
            .iter()
            .any(|m| &m.id == id && m.owner == author && m.state == "ready");
        if !ready {
            return Err(unprocessable(&format!(
                "ERROR :: /content :: the image {id} was not uploaded by {author}"
            )));
        }
    }
    Ok(ids)
}

fn create(server: &Server, req: &Req, caller: &Caller) -> (Response, bool) {
    let body = match json_body(req) {
        Ok(b) => b,
        Err(r) => return (r, false),
    };
    let field = |k: &str| body.get(k).and_then(Value::as_str);
    let Some(author) = field("author") else {
        return (
            unprocessable(
                "ERROR :: /author :: field is required but not found and has no default value",
            ),
            false,
        );
    };
    let commentary = field("commentary").unwrap_or("");
    if !matches!(
        field("visibility"),
        Some("PUBLIC" | "CONNECTIONS" | "LOGGED_IN")
    ) {
        return (
            unprocessable("ERROR :: /visibility :: must be PUBLIC, CONNECTIONS or LOGGED_IN"),
            false,
        );
    }
    let feed = body
        .get("distribution")
        .and_then(|d| d.get("feedDistribution"))
        .and_then(Value::as_str);
    if !matches!(feed, Some("MAIN_FEED" | "NONE")) {
        return (
            unprocessable("ERROR :: /distribution/feedDistribution :: field is required"),
            false,
        );
    }
    if !matches!(field("lifecycleState"), Some("PUBLISHED" | "DRAFT")) {
        return (
            unprocessable("ERROR :: /lifecycleState :: must be PUBLISHED or DRAFT"),
            false,
        );
    }
    if commentary.chars().count() > MAX_COMMENTARY {
        return (
            unprocessable("ERROR :: /commentary :: length must be at most 3000"),
            false,
        );
    }
    if !caller.may_write_as(author) {
        return (
            denied(&format!("partnerApiPostsExternal.CREATE (as {author})")),
            false,
        );
    }
    let (media, link) = match body.get("content") {
        None => (Vec::new(), None),
        Some(content) => match content_media(server, author, content) {
            Ok(ids) => (
                ids,
                content
                    .get("article")
                    .and_then(|a| a.get("source"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            ),
            Err(r) => return (r, false),
        },
    };
    {
        let store = server.lock();
        let duplicate = store.publish.posts.iter().find(|p| {
            p.platform == "linkedin"
                && p.kind == "post"
                && p.author == author
                && p.text == commentary
        });
        if let Some(original) = duplicate {
            // why: LinkedIn refuses repeated content with 422 DUPLICATE_POST (publishing
            // research note §2).
            return (
                error(
                    422,
                    0,
                    "DUPLICATE_POST",
                    &format!("Content is a duplicate of {}", original.id),
                ),
                false,
            );
        }
    }
    let hold = match gate(server, author) {
        Gate::Go { hold } => hold,
        Gate::Refuse(r) => return (refuse(r), false),
    };
    let now = server.now();
    let urn = {
        let mut store = server.lock();
        let urn = format!("urn:li:share:7{:018}", store.publish.next());
        store.publish.posts.push(PublishedPost {
            platform: "linkedin".into(),
            id: urn.clone(),
            kind: "post".into(),
            author: author.to_owned(),
            text: commentary.to_owned(),
            link,
            media,
            reply_to: None,
            scheduled_for: None,
            created: now,
            by: caller.user.clone(),
        });
        urn
    };
    let mut response = json_response(201, json!({}));
    if let Ok(v) = HeaderValue::from_str(&urn) {
        response.headers_mut().insert("x-restli-id", v);
    }
    (response, hold)
}

fn refuse(refusal: Refusal) -> Response {
    match refusal {
        // why: LinkedIn's throttling answers 429 without a reset time.
        Refusal::RateLimited { .. } => error(
            429,
            101,
            "TOO_MANY_REQUESTS",
            "Resource level throttle limit for calls to this resource is reached.",
        ),
        Refusal::ServerError => error(500, 0, "INTERNAL_SERVER_ERROR", "Internal Server Error"),
        Refusal::Rejected => error(
            422,
            0,
            "DUPLICATE_POST",
            "Content is a duplicate of urn:li:share:7000000000000000000",
        ),
    }
}

fn post_json(p: &PublishedPost) -> Value {
    let mut post = json!({
        "id": p.id, "author": p.author, "commentary": p.text, "visibility": "PUBLIC",
        "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false,
        "createdAt": p.created.timestamp_millis(), "publishedAt": p.created.timestamp_millis(),
        "lastModifiedAt": p.created.timestamp_millis(),
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
    });
    match (p.media.as_slice(), &p.link) {
        ([], Some(link)) => post["content"] = json!({"article": {"source": link}}),
        ([], None) => {}
        ([one], _) => post["content"] = json!({"media": {"id": one}}),
        (many, _) => {
            post["content"] = json!({"multiImage": {"images": many.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()}})
        }
    }
    post
}

fn by_author(server: &Server, req: &Req, caller: &Caller) -> Response {
    if req.query("q") != Some("author") {
        return error(400, 0, "BAD_REQUEST", "Unsupported finder; use q=author");
    }
    let Some(author) = req.query("author") else {
        return error(400, 0, "BAD_REQUEST", "author is required");
    };
    if !caller.may_read_as(author) {
        return denied(&format!(
            "partnerApiPostsExternal.FINDER-author (as {author})"
        ));
    }
    let count: usize = req
        .query("count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(10)
        .min(100);
    let start: usize = req.query("start").and_then(|c| c.parse().ok()).unwrap_or(0);
    let store = server.lock();
    let mut posts: Vec<&PublishedPost> = store
        .publish
        .posts
        .iter()
        .filter(|p| p.platform == "linkedin" && p.kind == "post" && p.author == author)
        .collect();
    posts.reverse();
    let total = posts.len();
    let elements: Vec<Value> = posts
        .into_iter()
        .skip(start)
        .take(count)
        .map(post_json)
        .collect();
    json_response(
        200,
        json!({"elements": elements, "paging": {"start": start, "count": count, "total": total, "links": []}}),
    )
}

fn comment(server: &Server, req: &Req, caller: &Caller, post: &str) -> (Response, bool) {
    let body = match json_body(req) {
        Ok(b) => b,
        Err(r) => return (r, false),
    };
    let exists = server
        .lock()
        .publish
        .posts
        .iter()
        .any(|p| p.platform == "linkedin" && p.kind == "post" && p.id == post);
    if !exists {
        return (
            error(404, 0, "NOT_FOUND", &format!("{post} does not exist")),
            false,
        );
    }
    let actor = body.get("actor").and_then(Value::as_str).unwrap_or("");
    let object = body.get("object").and_then(Value::as_str).unwrap_or(post);
    let text = body
        .get("message")
        .and_then(|m| m.get("text"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if object != post {
        return (
            unprocessable("ERROR :: /object :: must be the post of the path"),
            false,
        );
    }
    if text.is_empty() {
        return (
            unprocessable("ERROR :: /message/text :: field is required"),
            false,
        );
    }
    if !caller.may_write_as(actor) {
        return (denied(&format!("comments.CREATE (as {actor})")), false);
    }
    let hold = match gate(server, actor) {
        Gate::Go { hold } => hold,
        Gate::Refuse(r) => return (refuse(r), false),
    };
    let now = server.now();
    let (urn, number) = {
        let mut store = server.lock();
        let number = store.publish.next();
        let urn = format!("urn:li:comment:({post},{number})");
        store.publish.posts.push(PublishedPost {
            platform: "linkedin".into(),
            id: urn.clone(),
            kind: "comment".into(),
            author: actor.to_owned(),
            text: text.to_owned(),
            link: None,
            media: Vec::new(),
            reply_to: Some(post.to_owned()),
            scheduled_for: None,
            created: now,
            by: caller.user.clone(),
        });
        (urn, number)
    };
    let mut response = json_response(
        201,
        json!({
            "actor": actor, "object": post, "message": {"text": text}, "id": number.to_string(),
            "$URN": urn, "created": {"actor": actor, "time": now.timestamp_millis()},
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&urn) {
        response.headers_mut().insert("x-restli-id", v);
    }
    (response, hold)
}

fn comments(server: &Server, post: &str) -> Response {
    let store = server.lock();
    let elements: Vec<Value> = store
        .publish
        .posts
        .iter()
        .filter(|p| {
            p.platform == "linkedin" && p.kind == "comment" && p.reply_to.as_deref() == Some(post)
        })
        .map(|c| {
            json!({
                "actor": c.author, "object": post, "message": {"text": c.text},
                "id": c.id.rsplit(',').next().unwrap_or("").trim_end_matches(')'),
                "$URN": c.id, "created": {"actor": c.author, "time": c.created.timestamp_millis()},
            })
        })
        .collect();
    json_response(
        200,
        json!({"elements": elements, "paging": {"start": 0, "count": 10, "total": elements.len()}}),
    )
}

fn acls(req: &Req, caller: &Caller) -> Response {
    if req.query("q") != Some("roleAssignee") {
        return error(
            400,
            0,
            "BAD_REQUEST",
            "Unsupported finder; use q=roleAssignee",
        );
    }
    let readable = [
        "r_organization_social",
        "w_organization_social",
        "rw_organization_admin",
        "r_organization_admin",
    ];
    if !readable.iter().any(|s| caller.has(s)) {
        return denied("organizationAcls.FINDER-roleAssignee");
    }
    let role_ok = req.query("role").is_none_or(|r| r == "ADMINISTRATOR");
    let state_ok = req.query("state").is_none_or(|s| s == "APPROVED");
    let elements: Vec<Value> = if role_ok && state_ok {
        caller
            .organizations
            .iter()
            .map(|o| {
                json!({"roleAssignee": caller.member, "state": "APPROVED", "role": "ADMINISTRATOR", "organization": o})
            })
            .collect()
    } else {
        Vec::new()
    };
    json_response(
        200,
        json!({"elements": elements, "paging": {"start": 0, "count": 10, "total": elements.len()}}),
    )
}

fn organization(server: &Server, id: &str) -> Response {
    let found = (0..server.spec.users.len())
        .flat_map(organizations)
        .find(|(urn, _)| urn.rsplit(':').next() == Some(id));
    match found {
        Some((_, name)) => json_response(
            200,
            json!({"id": id.parse::<i64>().unwrap_or_default(), "localizedName": name,
                "vanityName": name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-")}),
        ),
        None => error(404, 0, "NOT_FOUND", &format!("Organization {id} not found")),
    }
}
