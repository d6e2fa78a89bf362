//! Google Ads' `googleAds:searchStream` as an import reads it: a small GAQL reader
//! (`FROM`, the SELECT list, `campaign.id IN`, `segments.date BETWEEN`,
//! `customer_client.level <=`, `asset.type IN`), rows in REST camelCase, streamed as a JSON
//! array of batches (import contract, "Google Ads").

// A refusal is the answer itself, built at most once per request; boxing it buys nothing.
#![allow(clippy::result_large_err)]

use super::seed::{self, Day, Level, Obj};
use super::{cdn, Catalog, SeedAccount};
use crate::fault::Fault;
use crate::server::Server;
use crate::state::random_token;
use crate::wire::{json_response, malformed, Call};
use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use std::iter::Peekable;
use std::sync::Arc;

/// Every Google Ads object id the emulator makes starts with this.
pub(crate) const ID_PREFIX: &str = "7";

/// Mixed into Google's delivery so it differs from Meta's.
const SALT: u64 = 0x474f_4f47;

const STREAM_SUFFIX: &str = "/googleAds:searchStream";

/// The customer id of a `POST /v22/customers/{id}/googleAds:searchStream` path.
pub(crate) fn search_stream_customer(catalog: &Catalog, path: &str) -> Option<String> {
    if catalog.version.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(&format!("/{}/customers/", catalog.version))?;
    let id = rest.strip_suffix(STREAM_SUFFIX)?;
    (!id.is_empty() && !id.contains('/')).then(|| id.to_owned())
}

/// A Google Ads failure, array-wrapped as searchStream answers it.
fn google_error(
    c: &Catalog,
    status: u16,
    grpc: &str,
    message: &str,
    code: Value,
    detail: &str,
) -> Response {
    failure_with(
        c,
        status,
        grpc,
        message,
        json!({"errorCode": code, "message": detail}),
    )
}

fn failure_with(c: &Catalog, status: u16, grpc: &str, message: &str, error: Value) -> Response {
    let body = json!([{"error": {
        "code": status, "message": message, "status": grpc,
        "details": [{
            "@type": format!("type.googleapis.com/google.ads.googleads.{}.errors.GoogleAdsFailure", c.version),
            "errors": [error], "requestId": random_token("req"),
        }],
    }}]);
    json_response(status, body)
}

fn query_error(c: &Catalog, kind: &str, detail: &str) -> Response {
    google_error(
        c,
        400,
        "INVALID_ARGUMENT",
        "Request contains an invalid argument.",
        json!({"queryError": kind}),
        detail,
    )
}

fn permission_denied(c: &Catalog, detail: &str) -> Response {
    // why: a customer the user cannot reach, or a client reached without its manager in
    // `login-customer-id`, answers USER_PERMISSION_DENIED
    // (https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid).
    google_error(
        c,
        403,
        "PERMISSION_DENIED",
        "The caller does not have permission",
        json!({"authorizationError": "USER_PERMISSION_DENIED"}),
        detail,
    )
}

/// A parsed GAQL query.
#[derive(Debug, Clone)]
struct Gaql {
    fields: Vec<String>,
    resource: String,
    campaigns: Option<Vec<String>>,
    dates: Option<(NaiveDate, NaiveDate)>,
    max_level: Option<u64>,
    asset_types: Option<Vec<String>>,
}

/// The position of `needle` in `hay`, ASCII case-insensitively (GAQL keywords).
fn find(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

/// The values of `field IN (…)`, unquoted.
fn in_list(clause: &str, field: &str) -> Option<Vec<String>> {
    let at = find(clause, &format!("{field} in"))?;
    let rest = &clause[at..];
    let open = rest.find('(')?;
    let close = rest[open..].find(')')? + open;
    Some(
        rest[open + 1..close]
            .split(',')
            .map(|v| v.trim().trim_matches('\'').trim_matches('"').to_owned())
            .filter(|v| !v.is_empty())
            .collect(),
    )
}

fn parse(query: &str) -> Result<Gaql, String> {
    let q = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let select = find(&q, "select ")
        .filter(|i| *i == 0)
        .ok_or("the query must start with SELECT")?;
    let from = find(&q, " from ").ok_or("the query has no FROM clause")?;
    let fields: Vec<String> = q[select + 7..from]
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        return Err("the SELECT list is empty".into());
    }
    let after_from = &q[from + 6..];
    let resource = after_from
        .split(' ')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let clause = match find(after_from, " where ") {
        Some(w) => {
            let rest = &after_from[w + 7..];
            let end = [" order by ", " limit ", " parameters "]
                .iter()
                .filter_map(|k| find(rest, k))
                .min()
                .unwrap_or(rest.len());
            rest[..end].to_owned()
        }
        None => String::new(),
    };
    let dates = match find(&clause, "segments.date between") {
        Some(at) => {
            let quoted: Vec<&str> = clause[at..].split('\'').collect();
            let date =
                |s: Option<&&str>| s.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            match (date(quoted.get(1)), date(quoted.get(3))) {
                (Some(a), Some(b)) if a <= b => Some((a, b)),
                _ => {
                    return Err(
                        "segments.date BETWEEN needs two 'YYYY-MM-DD' dates in order".into(),
                    )
                }
            }
        }
        None => None,
    };
    let max_level = find(&clause, "customer_client.level").and_then(|at| {
        let rest = clause[at + "customer_client.level".len()..].trim_start();
        let (op, rest) = if let Some(r) = rest.strip_prefix("<=") {
            (0, r)
        } else if let Some(r) = rest.strip_prefix('<') {
            (1, r)
        } else {
            (0, rest.strip_prefix('=')?)
        };
        let n: u64 = rest.trim().split(' ').next()?.parse().ok()?;
        Some(if op == 1 { n.saturating_sub(1) } else { n })
    });
    Ok(Gaql {
        fields,
        resource,
        campaigns: in_list(&clause, "campaign.id"),
        dates,
        max_level,
        asset_types: in_list(&clause, "asset.type"),
    })
}

/// `ad_group_ad.ad.final_urls` → `["adGroupAd", "ad", "finalUrls"]`.
fn camel_path(field: &str) -> Vec<String> {
    field
        .split('.')
        .map(|part| {
            let mut out = String::new();
            let mut upper = false;
            for ch in part.chars() {
                if ch == '_' {
                    upper = true;
                } else if upper {
                    out.extend(ch.to_uppercase());
                    upper = false;
                } else {
                    out.push(ch);
                }
            }
            out
        })
        .collect()
}

/// Keep the selected fields of a full row, with the resource names of the resources
/// they belong to.
fn project(full: &Value, paths: &[Vec<String>]) -> Value {
    let mut out = Value::Object(Map::new());
    let mut copy = |path: &[String], value: &Value| {
        let mut at = &mut out;
        for (n, part) in path.iter().enumerate() {
            let Value::Object(map) = at else { return };
            if n + 1 == path.len() {
                map.insert(part.clone(), value.clone());
                return;
            }
            at = map
                .entry(part.clone())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    };
    for path in paths {
        let mut at = full;
        for (n, part) in path.iter().enumerate() {
            let Some(next) = at.get(part) else { break };
            if let Some(name) = next.get("resourceName") {
                let mut p: Vec<String> = path[..=n].to_vec();
                p.push("resourceName".into());
                copy(&p, name);
            }
            if n + 1 == path.len() {
                copy(path, next);
            }
            at = next;
        }
    }
    out
}

/// Answer one searchStream call for customer `cid`.
pub(crate) fn handle(
    server: &Arc<Server>,
    call: &Call,
    cid: &str,
    fault: Option<Fault>,
) -> Response {
    let c = server.catalog.clone();
    let raw_query = call.param("query").unwrap_or_default();
    let parsed = parse(&raw_query);
    let stat = match &parsed {
        Ok(q) => format!("search_stream:{}", q.resource),
        Err(_) => "search_stream".into(),
    };
    *server.lock().stats.import_requests.entry(stat).or_default() += 1;
    match fault {
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
            let (grpc, code) = if status == 500 {
                ("INTERNAL", "INTERNAL_ERROR")
            } else {
                ("UNAVAILABLE", "TRANSIENT_ERROR")
            };
            return google_error(
                &c,
                status,
                grpc,
                "Internal error encountered.",
                json!({"internalError": code}),
                "An internal error has occurred.",
            );
        }
        Some(Fault::RateLimit { retry_after }) => return exhausted(&c, retry_after.max(1)),
        Some(Fault::MalformedJson) => return malformed(),
        _ => {}
    }
    let now = server.now();
    let user = {
        let store = server.lock();
        match call.bearer().and_then(|t| store.live_access(t, now)) {
            Some(access) => store.grants[access.grant].user.clone(),
            None => {
                drop(store);
                return google_error(
                    &c,
                    401,
                    "UNAUTHENTICATED",
                    "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                    json!({"authenticationError": "AUTHENTICATION_ERROR"}),
                    "Authentication of the request failed.",
                );
            }
        }
    };
    // why: every Google Ads call needs the developer token header (GO3).
    let Some(developer_token) = call.header("developer-token").filter(|t| !t.is_empty()) else {
        return google_error(
            &c,
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            json!({"authenticationError": "DEVELOPER_TOKEN_PARAMETER_MISSING"}),
            "The developer token is not on the request (the developer-token header).",
        );
    };
    let login = call.header("login-customer-id").filter(|l| !l.is_empty());
    if login.is_some_and(|l| !l.bytes().all(|b| b.is_ascii_digit())) {
        return google_error(
            &c,
            400,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
            json!({"requestError": "INVALID_CUSTOMER_ID"}),
            "login-customer-id must be the customer id as digits only, without dashes.",
        );
    }
    let Some(account) = c.account(cid).cloned() else {
        return permission_denied(&c, "The customer is not reachable by this user.");
    };
    let direct = account.owner.as_deref() == Some(user.as_str());
    let allowed = match login {
        None => direct,
        Some(l) if l == cid => direct,
        Some(l) => {
            account.managed_by.as_deref() == Some(l)
                && c.account(l)
                    .is_some_and(|m| m.manager && m.owner.as_deref() == Some(user.as_str()))
        }
    };
    if !allowed {
        return permission_denied(
            &c,
            "User doesn't have permission to access customer. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header.",
        );
    }
    // The developer token's operations budget.
    {
        let mut store = server.lock();
        let key = format!("dev:{developer_token}");
        let used = store.import.window(&key, now, c.window).len();
        if used >= c.calls_per_window as usize {
            let regain = store.import.regain_secs(&key, now, c.window);
            drop(store);
            return exhausted(&c, regain);
        }
        store.import.window(&key, now, c.window).push_back(now);
    }
    let q = match parsed {
        Ok(q) => q,
        Err(why) => return query_error(&c, "UNEXPECTED_END_OF_QUERY", &why),
    };
    let known = [
        "customer",
        "customer_client",
        "campaign",
        "campaign_budget",
        "ad_group",
        "ad_group_ad",
        "asset",
        "metrics",
        "segments",
    ];
    if let Some(bad) = q
        .fields
        .iter()
        .find(|f| !known.contains(&f.split('.').next().unwrap_or("")))
    {
        return query_error(
            &c,
            "UNRECOGNIZED_FIELD",
            &format!("Unrecognized field in the query: '{bad}'."),
        );
    }
    let rows = match rows(c.clone(), &account, &q, &call.origin(), now) {
        Ok(rows) => rows,
        Err(r) => return r,
    };
    let paths: Vec<Vec<String>> = q.fields.iter().map(|f| camel_path(f)).collect();
    let mask = paths
        .iter()
        .map(|p| p.join("."))
        .collect::<Vec<_>>()
        .join(",");
    let batches = Batches {
        rows: (Box::new(rows.map(move |full| project(&full, &paths))) as Rows).peekable(),
        mask,
        request_id: random_token("req"),
        size: c.batch_rows,
        started: false,
        done: false,
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
        .body(Body::from_stream(futures_util::stream::iter(
            batches.map(Ok::<_, std::convert::Infallible>),
        )))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// 429 RESOURCE_EXHAUSTED with the `retryDelay` the quota error carries.
fn exhausted(c: &Catalog, retry: u64) -> Response {
    // why: quota errors carry `quotaErrorDetails.retryDelay` (import contract, "Errors").
    let mut response = failure_with(
        c,
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        json!({
            "errorCode": {"quotaError": "RESOURCE_EXHAUSTED"},
            "message": format!("Too many requests. Retry in {retry} seconds."),
            "details": {"quotaErrorDetails": {
                "rateScope": "DEVELOPER", "rateName": "Number of operations for basic access",
                "retryDelay": format!("{retry}s"),
            }},
        }),
    );
    if let Ok(v) = retry.to_string().parse() {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

type Rows = Box<dyn Iterator<Item = Value> + Send>;

/// The JSON array of batches, produced a batch at a time as the body is sent.
struct Batches {
    rows: Peekable<Rows>,
    mask: String,
    request_id: String,
    size: usize,
    started: bool,
    done: bool,
}

impl Iterator for Batches {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        if self.done {
            return None;
        }
        let mut out = String::from(if self.started { "," } else { "[" });
        self.started = true;
        let results: Vec<Value> = self.rows.by_ref().take(self.size).collect();
        let mut batch = json!({"fieldMask": self.mask, "requestId": self.request_id});
        // why: a query with no rows answers one batch without `results`
        // (import-apis reference §1.2, google-ads-php issue #52).
        if !results.is_empty() {
            batch["results"] = json!(results);
        }
        if self.rows.peek().is_none() {
            batch["queryResourceConsumption"] = json!("1");
            self.done = true;
        }
        out.push_str(&batch.to_string());
        if self.done {
            out.push(']');
        }
        Some(Bytes::from(out))
    }
}

fn resource_name(cid: &str, kind: &str, id: &str) -> String {
    format!("customers/{cid}/{kind}/{id}")
}

/// The full rows of a query, lazily.
fn rows(
    c: Arc<Catalog>,
    account: &SeedAccount,
    q: &Gaql,
    origin: &str,
    now: DateTime<Utc>,
) -> Result<Rows, Response> {
    let seed = c.seed.clone();
    let key = account.key;
    let cid = account.id.clone();
    let has_metrics = q
        .fields
        .iter()
        .any(|f| f.starts_with("metrics.") || f.starts_with("segments."));
    // A manager has no campaigns of its own.
    let own = |n: usize| if account.manager { 0 } else { n };
    let campaigns: Option<Vec<usize>> = q.campaigns.as_ref().map(|ids| {
        ids.iter()
            .filter_map(|id| seed::parse_id(ID_PREFIX, id))
            .filter(|(k, obj, _)| *k == key && *obj == Obj::Campaign)
            .map(|(_, _, i)| i)
            .collect()
    });
    let level = match q.resource.as_str() {
        "campaign" => Some(Level::Campaign),
        "ad_group" => Some(Level::AdSet),
        "ad_group_ad" => Some(Level::Ad),
        _ => None,
    };
    match (q.resource.as_str(), level) {
        ("customer", _) => Ok(Box::new(std::iter::once(
            json!({"customer": customer(account)}),
        ))),
        ("customer_client", _) => {
            let max = q.max_level.unwrap_or(u64::MAX);
            let mut list = vec![client_row(&cid, account, 0)];
            if account.manager && max >= 1 {
                list.extend(
                    c.accounts
                        .iter()
                        .filter(|a| a.managed_by.as_deref() == Some(cid.as_str()))
                        .map(|a| client_row(&cid, a, 1)),
                );
            }
            Ok(Box::new(list.into_iter()))
        }
        ("asset", _) => {
            let types = q
                .asset_types
                .clone()
                .unwrap_or_else(|| vec!["IMAGE".into(), "YOUTUBE_VIDEO".into()]);
            let images = if types.iter().any(|t| t == "IMAGE") {
                own(seed.images)
            } else {
                0
            };
            let videos = if types.iter().any(|t| t == "YOUTUBE_VIDEO") {
                own(seed.videos)
            } else {
                0
            };
            let origin = origin.to_owned();
            let px = seed.image_px;
            let cid2 = cid.clone();
            let image_rows = (0..images).map(move |i| image_asset(&cid, key, i, &origin, px));
            let video_rows = (0..videos).map(move |v| video_asset(&cid2, key, v));
            Ok(Box::new(image_rows.chain(video_rows)))
        }
        (_, Some(level)) => {
            let n = own(level.count(&seed));
            let wanted = move |i: usize| {
                campaigns
                    .as_ref()
                    .is_none_or(|list| list.contains(&level.campaign(&seed, i)))
            };
            let seed = c.seed.clone();
            if !has_metrics {
                let cid = cid.clone();
                return Ok(Box::new(
                    (0..n)
                        .filter(move |i| wanted(*i))
                        .map(move |i| object_row(&seed, &cid, key, level, i)),
                ));
            }
            let today = now.date_naive();
            let (since, until) = q
                .dates
                .unwrap_or_else(|| (today - Duration::days(i64::from(seed.days) - 1), today));
            let daily = q.fields.iter().any(|f| f == "segments.date");
            let slots: Vec<(NaiveDate, NaiveDate)> = if daily {
                let days = (until - since).num_days().max(0);
                (0..=days)
                    .map(|d| since + Duration::days(d))
                    .map(|d| (d, d))
                    .collect()
            } else {
                vec![(since, until)]
            };
            Ok(Box::new((0..n).filter(move |i| wanted(*i)).flat_map(
                move |i| {
                    let seed = seed.clone();
                    let cid = cid.clone();
                    slots.clone().into_iter().filter_map(move |(from, to)| {
                        let (newest, oldest) = seed::back_range(today, from, to, seed.days)?;
                        let mut day = Day::default();
                        for back in newest..=oldest {
                            day.add(&seed::level_day(SALT, &seed, key, level, i, back));
                        }
                        if !day.delivered() {
                            return None;
                        }
                        let mut row = object_row(&seed, &cid, key, level, i);
                        row["metrics"] = json!({
                            "impressions": day.impressions.to_string(),
                            "clicks": day.clicks.to_string(),
                            "costMicros": (day.spend_cents * 10_000).to_string(),
                            "conversions": (day.purchases + day.leads) as f64,
                            "conversionsValue": day.purchase_value_cents as f64 / 100.0,
                        });
                        if daily {
                            row["segments"] = json!({"date": from.to_string()});
                        }
                        Some(row)
                    })
                },
            )))
        }
        _ => Err(query_error(
            &c,
            "INVALID_RESOURCE_NAME",
            &format!("The emulator does not play FROM {}.", q.resource),
        )),
    }
}

fn customer(a: &SeedAccount) -> Value {
    json!({
        "resourceName": format!("customers/{}", a.id), "id": a.id, "descriptiveName": a.name,
        "currencyCode": a.currency, "timeZone": a.time_zone, "manager": a.manager, "status": "ENABLED",
    })
}

fn client_row(manager: &str, a: &SeedAccount, level: u64) -> Value {
    json!({"customerClient": {
        "resourceName": format!("customers/{manager}/customerClients/{}", a.id),
        "clientCustomer": format!("customers/{}", a.id), "id": a.id, "descriptiveName": a.name,
        "manager": a.manager, "level": level.to_string(), "currencyCode": a.currency,
        "timeZone": a.time_zone, "status": "ENABLED",
    }})
}

fn image_asset(cid: &str, key: u32, i: usize, origin: &str, px: u32) -> Value {
    let id = seed::object_id(ID_PREFIX, key, Obj::Image, i);
    let mut asset = json!({
        "resourceName": resource_name(cid, "assets", &id), "id": id, "type": "IMAGE",
        "imageAsset": {
            "mimeType": "IMAGE_PNG",
            // An estimate: the CDN re-encodes, as Google's does; never compare it to bytes.
            "fileSize": (u64::from(px) * u64::from(px) / 4 + 800).to_string(),
            "fullSize": {"url": cdn::simgad_url(origin, &id), "widthPixels": px, "heightPixels": px},
        },
    });
    if i % 5 != 4 {
        asset["name"] = json!(match i % 3 {
            1 => format!("Bannière été {i:04}"),
            2 => format!("商品バナー {i:04}"),
            _ => format!("Display banner {i:04}"),
        });
    }
    json!({ "asset": asset })
}

/// An 11-character YouTube id from the index.
fn youtube_id(key: u32, v: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut h = seed::mix(u64::from(key) + 77, v as u64);
    (0..11)
        .map(|_| {
            let ch = ALPHABET[(h % 64) as usize] as char;
            h /= 64;
            ch
        })
        .collect()
}

fn video_asset(cid: &str, key: u32, v: usize) -> Value {
    let id = seed::object_id(ID_PREFIX, key, Obj::Video, v);
    let mut video = json!({"youtubeVideoId": youtube_id(key, v)});
    if v % 3 != 2 {
        video["youtubeVideoTitle"] = json!(format!("Brand film {v} — 30s 🎬"));
    }
    json!({"asset": {
        "resourceName": resource_name(cid, "assets", &id), "id": id, "type": "YOUTUBE_VIDEO",
        "name": format!("YouTube video {v}"), "youtubeVideoAsset": video,
    }})
}

fn short(cid: &str, kind: &str, id: &str) -> Value {
    json!({"resourceName": resource_name(cid, kind, id), "id": id})
}

/// The full row of a campaign, ad group or ad (with its parents' ids).
fn object_row(
    seed: &crate::config::ImportSeed,
    cid: &str,
    key: u32,
    level: Level,
    i: usize,
) -> Value {
    let id = |obj: Obj, index: usize| seed::object_id(ID_PREFIX, key, obj, index);
    let h = seed::mix(u64::from(key) + 31, i as u64);
    let campaign = level.campaign(seed, i);
    let campaign_id = id(Obj::Campaign, campaign);
    let search = campaign.is_multiple_of(2);
    match level {
        Level::Campaign => {
            let budget_id = id(Obj::Budget, i);
            let mut row = json!({
                "campaign": {
                    "resourceName": resource_name(cid, "campaigns", &campaign_id), "id": campaign_id,
                    "name": seed::campaign_name(key, i), "status": seed::google_status(Obj::Campaign, i),
                    "advertisingChannelType": if search { "SEARCH" } else { "DISPLAY" },
                    "biddingStrategyType": seed::pick(&["MAXIMIZE_CONVERSIONS", "TARGET_CPA", "MANUAL_CPC", "TARGET_ROAS"], h),
                    "startDate": format!("2025-{:02}-{:02}", 1 + h % 12, 1 + (h >> 8) % 28),
                    // why: v22 still names these start_date / end_date; an open end is 2037-12-30
                    // (https://developers.google.com/google-ads/api/diff-tool/v23/versus-v22/diffs/resources/campaign).
                    "endDate": if i % 4 == 1 { "2026-12-31".to_owned() } else { "2037-12-30".to_owned() },
                    "campaignBudget": resource_name(cid, "campaignBudgets", &budget_id),
                },
                "campaignBudget": {
                    "resourceName": resource_name(cid, "campaignBudgets", &budget_id), "id": budget_id,
                    "amountMicros": ((5 + h % 200) * 1_000_000).to_string(),
                    "period": "DAILY",
                },
            });
            if i % 6 == 4 {
                row["campaignBudget"]["totalAmountMicros"] =
                    json!(((500 + h % 5_000) * 1_000_000).to_string());
                row["campaignBudget"]["period"] = json!("CUSTOM_PERIOD");
            }
            row
        }
        Level::AdSet => {
            let group = id(Obj::AdSet, i);
            json!({
                "adGroup": {
                    "resourceName": resource_name(cid, "adGroups", &group), "id": group,
                    "name": seed::ad_set_name(key, i), "status": seed::google_status(Obj::AdSet, i),
                    "type": if search { "SEARCH_STANDARD" } else { "DISPLAY_STANDARD" },
                    "cpcBidMicros": ((h % 300 + 20) * 10_000).to_string(),
                    "campaign": resource_name(cid, "campaigns", &campaign_id),
                },
                "campaign": short(cid, "campaigns", &campaign_id),
            })
        }
        Level::Ad => {
            let group = id(Obj::AdSet, i / seed.ads_per_ad_set.max(1));
            let ad_id = id(Obj::Ad, i);
            let body = seed::ad_body(key, i);
            let title = seed::ad_title(key, i);
            let mut ad = json!({
                "resourceName": resource_name(cid, "ads", &ad_id), "id": ad_id,
                "finalUrls": [format!("https://demo-brand.example/p/{i}?ref=gads")],
            });
            if search {
                ad["type"] = json!("RESPONSIVE_SEARCH_AD");
                ad["responsiveSearchAd"] = json!({
                    "headlines": [
                        {"text": title, "pinnedField": "HEADLINE_1"},
                        {"text": "Free Shipping Today"}, {"text": "Qualité garantie ✓"},
                    ],
                    "descriptions": [{"text": body}, {"text": "Shop now — 30-day returns."}],
                });
            } else {
                let images = seed.images;
                let marketing: Vec<Value> = seed::image_of_ad(i, images)
                    .map(|first| {
                        (0..2)
                            .map(|k| json!({"asset": resource_name(cid, "assets", &id(Obj::Image, (first + k) % images))}))
                            .collect()
                    })
                    .unwrap_or_default();
                ad["type"] = json!("RESPONSIVE_DISPLAY_AD");
                ad["name"] = json!(seed::ad_name(i));
                ad["responsiveDisplayAd"] = json!({
                    "marketingImages": marketing,
                    "headlines": [{"text": title}],
                    "longHeadline": {"text": format!("{title} — Découvrez la collection")},
                    "descriptions": [{"text": body}],
                    "businessName": "Demo Brand",
                });
            }
            json!({
                "adGroupAd": {
                    "resourceName": resource_name(cid, "adGroupAds", &format!("{group}~{ad_id}")),
                    "status": seed::google_status(Obj::Ad, i), "ad": ad,
                    "policySummary": {"approvalStatus": seed::pick(&["APPROVED", "APPROVED", "APPROVED", "APPROVED_LIMITED", "DISAPPROVED"], h)},
                },
                "adGroup": short(cid, "adGroups", &group),
                "campaign": short(cid, "campaigns", &campaign_id),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaql_reads_the_parts_the_import_sends() {
        let q = parse("SELECT campaign.id, segments.date, metrics.clicks FROM campaign WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-31' AND campaign.id IN (7001100000003, 7001100000004) ORDER BY segments.date").unwrap();
        assert_eq!(q.resource, "campaign");
        assert_eq!(q.fields.len(), 3);
        assert_eq!(q.campaigns.as_deref().map(<[String]>::len), Some(2));
        assert_eq!(
            q.dates.map(|(a, b)| (a.to_string(), b.to_string())),
            Some(("2026-01-01".into(), "2026-01-31".into()))
        );
        let q = parse(
            "SELECT customer_client.id FROM customer_client WHERE customer_client.level <= 1",
        )
        .unwrap();
        assert_eq!(q.max_level, Some(1));
        assert!(parse("campaign.id FROM campaign").is_err(), "no SELECT");
    }

    #[test]
    fn projection_keeps_selected_fields_and_resource_names() {
        let full = json!({"campaign": {"resourceName": "r", "id": "1", "name": "n"}, "metrics": {"clicks": "3", "impressions": "9"}});
        let paths = vec![camel_path("campaign.id"), camel_path("metrics.clicks")];
        assert_eq!(
            project(&full, &paths),
            json!({"campaign": {"resourceName": "r", "id": "1"}, "metrics": {"clicks": "3"}})
        );
        assert_eq!(
            camel_path("ad_group_ad.ad.final_urls"),
            ["adGroupAd", "ad", "finalUrls"]
        );
    }
}
