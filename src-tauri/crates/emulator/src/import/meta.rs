//! Meta's Marketing API as an import reads it: the ad account, its campaigns, ad sets,
//! ads, creatives, images and videos (cursor-paged), and async insights report runs, with
//! the usage headers and error shapes of Graph v22.0 (import contract, "Meta").

// A refusal is the answer itself, built at most once per request; boxing it buys nothing.
#![allow(clippy::result_large_err)]

use super::seed::{self, Day, Level, Obj};
use super::{cdn, Catalog, SeedAccount};
use crate::fault::Fault;
use crate::server::Server;
use crate::state::random_token;
use crate::wire::{json_response, json_text_response, malformed, Call};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Every Meta object id the emulator makes starts with this (real ids are as long).
pub(crate) const ID_PREFIX: &str = "2385";

/// Mixed into Meta's delivery so it differs from Google's for the same account key.
const SALT: u64 = 0x4d45_5441;

/// The page size when the client sends no `limit`, and the most it may ask for.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 500;

/// Effective statuses Meta hides unless the client filters for them.
const HIDDEN: &[&str] = &["ARCHIVED", "DELETED"];

/// An async insights report (`AdReportRun`).
#[derive(Debug, Clone)]
pub(crate) struct ReportRun {
    pub account: u32,
    pub owner: String,
    query: InsightsQuery,
    /// Status polls answered so far.
    polls: u32,
    created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
struct InsightsQuery {
    level: Level,
    since: NaiveDate,
    until: NaiveDate,
    daily: bool,
    campaigns: Option<Vec<usize>>,
    fields: Option<Vec<String>>,
}

/// A Graph error `{"error": {message, type, code, error_subcode, fbtrace_id}}`.
pub(crate) fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Response {
    let mut error = json!({
        "message": message, "type": "OAuthException", "code": code,
        "fbtrace_id": random_token("fbtrace"),
    });
    if let Some(s) = subcode {
        error["error_subcode"] = json!(s);
    }
    json_response(status, json!({ "error": error }))
}

fn bad_param(message: &str) -> Response {
    graph_error(400, 100, None, &format!("(#100) {message}"))
}

fn no_such_object(id: &str) -> Response {
    graph_error(
        400,
        100,
        Some(33),
        &format!("Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."),
    )
}

/// The most ids one `?ids=` lookup may name (Graph's limit).
const MAX_IDS: usize = 50;

/// Graph's answer to reading a creative whose post is gone (#100 / 2446289).
// why: the body Meta sends, as quoted in airbytehq/airbyte #65944.
fn incomplete_creative() -> Response {
    json_response(
        400,
        json!({"error": {
            "message": "Invalid parameter", "type": "OAuthException", "code": 100,
            "error_subcode": 2_446_289, "is_transient": false,
            "error_user_title": "Ad Creative Is Incomplete",
            "error_user_msg": "The post you selected for your ad is not available. It could be deleted or you might not have permissions to see it. Please check your ad creative and try again.",
            "fbtrace_id": random_token("fbtrace"),
        }}),
    )
}

/// Graph's answer to a page too heavy to build (HTTP 500, code 1).
// why: the body airbytehq/airbyte #25383 quotes; clients halve `limit` and retry.
fn reduce_data() -> Response {
    json_response(
        500,
        json!({"error": {
            "message": "Please reduce the amount of data you're asking for, then retry your request",
            "code": 1, "fbtrace_id": random_token("fbtrace"),
        }}),
    )
}

/// What a Graph path asks for.
enum Target {
    Account(String),
    /// Objects read by id (`GET /v22.0/?ids=…`), all of this ad account.
    Ids(String, Vec<(Edge, usize)>),
    Edge(String, Edge),
    InsightsPost(String),
    InsightsGet(String),
    ReportStatus(String),
    ReportInsights(String),
}

impl Target {
    fn stat(&self) -> String {
        match self {
            Target::Account(_) => "account".into(),
            Target::Ids(..) => "ids".into(),
            Target::Edge(_, e) => e.name().into(),
            Target::InsightsPost(_) => "insights_post".into(),
            Target::InsightsGet(_) => "insights".into(),
            Target::ReportStatus(_) => "report_status".into(),
            Target::ReportInsights(_) => "report_insights".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Campaigns,
    AdSets,
    Ads,
    Creatives,
    Images,
    Videos,
}

impl Edge {
    fn of(name: &str) -> Option<Edge> {
        Some(match name {
            "campaigns" => Edge::Campaigns,
            "adsets" => Edge::AdSets,
            "ads" => Edge::Ads,
            "adcreatives" => Edge::Creatives,
            "adimages" => Edge::Images,
            "advideos" => Edge::Videos,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Edge::Campaigns => "campaigns",
            Edge::AdSets => "adsets",
            Edge::Ads => "ads",
            Edge::Creatives => "adcreatives",
            Edge::Images => "adimages",
            Edge::Videos => "advideos",
        }
    }

    fn count(self, c: &Catalog) -> usize {
        match self {
            Edge::Campaigns => c.seed.campaigns,
            Edge::AdSets => c.seed.ad_sets(),
            Edge::Ads | Edge::Creatives => c.seed.ads(),
            Edge::Images => c.seed.images,
            Edge::Videos => c.seed.videos,
        }
    }

    fn level(self) -> Option<Level> {
        match self {
            Edge::Campaigns => Some(Level::Campaign),
            Edge::AdSets => Some(Level::AdSet),
            Edge::Ads => Some(Level::Ad),
            _ => None,
        }
    }
}

/// Whether a Graph path is one of the import routes (the caller matched identity routes
/// first).
pub(crate) fn is_import_path(catalog: &Catalog, path: &str) -> bool {
    !catalog.version.is_empty() && path.starts_with(&catalog.prefix())
}

fn target(catalog: &Catalog, method: &Method, path: &str) -> Option<Target> {
    let rest = path.strip_prefix(&catalog.prefix())?;
    let parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let is_get = method == Method::GET;
    Some(match parts.as_slice() {
        [act] if act.starts_with("act_") && is_get => Target::Account(act[4..].to_owned()),
        [act, "insights"] if act.starts_with("act_") => {
            if method == Method::POST {
                Target::InsightsPost(act[4..].to_owned())
            } else if is_get {
                Target::InsightsGet(act[4..].to_owned())
            } else {
                return None;
            }
        }
        [act, edge] if act.starts_with("act_") && is_get => {
            Target::Edge(act[4..].to_owned(), Edge::of(edge)?)
        }
        [] if is_get => Target::Ids(String::new(), Vec::new()),
        [id] if is_get => Target::ReportStatus((*id).to_owned()),
        [id, "insights"] if is_get => Target::ReportInsights((*id).to_owned()),
        _ => return None,
    })
}

/// The objects a `?ids=` lookup names. The emulator answers ids of one ad account per
/// call (an import asks for one account's objects); any other id is "does not exist".
fn ids_target(c: &Catalog, call: &Call) -> Result<Target, Response> {
    let raw = param(call, "ids").unwrap_or_default();
    let ids: Vec<&str> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(no_such_object(""));
    }
    if ids.len() > MAX_IDS {
        return Err(bad_param(&format!(
            "Too many IDs. Maximum: {MAX_IDS}. Received: {}.",
            ids.len()
        )));
    }
    let mut account: Option<u32> = None;
    let mut objects = Vec::with_capacity(ids.len());
    for id in ids {
        let edge = match seed::parse_id(ID_PREFIX, id) {
            Some((key, obj, i)) if account.is_none_or(|a| a == key) => {
                let edge = match obj {
                    Obj::Campaign => Edge::Campaigns,
                    Obj::AdSet => Edge::AdSets,
                    Obj::Ad => Edge::Ads,
                    Obj::Creative => Edge::Creatives,
                    Obj::Video => Edge::Videos,
                    _ => return Err(no_such_object(id)),
                };
                (c.by_key(key).is_some() && i < edge.count(c)).then_some((key, edge, i))
            }
            _ => None,
        };
        let Some((key, edge, i)) = edge else {
            return Err(no_such_object(id));
        };
        account = Some(key);
        objects.push((edge, i));
    }
    let id = account
        .and_then(|k| c.by_key(k))
        .map(|a| a.id.clone())
        .unwrap_or_default();
    Ok(Target::Ids(id, objects))
}

/// A parameter from the query or, for a POST, the form body.
fn param(call: &Call, key: &str) -> Option<String> {
    call.param(key)
        .or_else(|| call.query(key).map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// Answer one Graph import call; `fault` is the injected fault that applies to it.
pub(crate) fn handle(server: &Server, call: &Call, fault: Option<Fault>) -> Response {
    let catalog = &server.catalog;
    let Some(target) = target(catalog, &call.method, &call.path) else {
        return no_such_object(call.path.rsplit('/').next().unwrap_or(""));
    };
    let target = match target {
        Target::Ids(..) => match ids_target(catalog, call) {
            Ok(t) => t,
            Err(r) => return r,
        },
        t => t,
    };
    *server
        .lock()
        .stats
        .import_requests
        .entry(target.stat())
        .or_default() += 1;
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
            let mut error = json!({
                "message": "An unexpected error has occurred. Please retry your request later.",
                "type": "OAuthException", "code": 2, "is_transient": true,
                "fbtrace_id": random_token("fbtrace"),
            });
            if status == 503 {
                error["code"] = json!(1);
                error["message"] = json!("An unknown error occurred");
                error["error_subcode"] = json!(99);
            }
            return json_response(status, json!({ "error": error }));
        }
        Some(Fault::MalformedJson) => return malformed(),
        _ => {}
    }
    let now = server.now();
    // why: Graph answers a dead token with code 190 (subcode 458 when the user removed the
    // app, 463 when it expired) (import contract, "Errors").
    let user = {
        let store = server.lock();
        let token = call.bearer().unwrap_or("");
        match store.live_access(token, now) {
            Some(access) => {
                let grant = &store.grants[access.grant];
                let scoped = grant
                    .scopes
                    .iter()
                    .any(|s| s == "ads_read" || s == "ads_management");
                if !scoped {
                    return graph_error(
                        400,
                        200,
                        None,
                        "(#200) Requires ads_read or ads_management permission",
                    );
                }
                grant.user.clone()
            }
            None => {
                let (subcode, why) = match store.access.get(token) {
                    Some(a) if store.grants[a.grant].revoked => {
                        (Some(458), "The user has not authorized application 123.")
                    }
                    Some(_) => (Some(463), "Session has expired."),
                    None => (
                        None,
                        "Invalid OAuth access token - Cannot parse access token",
                    ),
                };
                return graph_error(
                    400,
                    190,
                    subcode,
                    &format!("Error validating access token: {why}"),
                );
            }
        }
    };
    // The ad account the call counts against.
    let account_id = match &target {
        Target::Account(a)
        | Target::Ids(a, _)
        | Target::Edge(a, _)
        | Target::InsightsPost(a)
        | Target::InsightsGet(a) => a.clone(),
        Target::ReportStatus(id) | Target::ReportInsights(id) => {
            let store = server.lock();
            match store.import.reports.get(id) {
                Some(r) if r.owner == user => catalog
                    .by_key(r.account)
                    .map(|a| a.id.clone())
                    .unwrap_or_default(),
                _ => return no_such_object(id),
            }
        }
    };
    let Some(account) = catalog.account(&account_id) else {
        return no_such_object(&format!("act_{account_id}"));
    };
    if account.owner.as_deref() != Some(user.as_str()) {
        // why: an ad account the user was not given answers permission error #200
        // (https://developers.facebook.com/docs/marketing-api/error-reference/).
        return graph_error(
            400,
            200,
            None,
            "(#200) Ad account owner has NOT grant ads_management or ads_read permission",
        );
    }
    let insights = matches!(
        target,
        Target::InsightsPost(_) | Target::InsightsGet(_) | Target::ReportInsights(_)
    );
    // Count the call in the account's rolling window.
    let (pct, regain) = {
        let mut store = server.lock();
        let budget = u64::from(catalog.calls_per_window);
        let used = store.import.window(&account.id, now, catalog.window).len() as u64;
        let forced = match fault {
            Some(Fault::RateLimit { retry_after }) => Some(retry_after.max(1)),
            _ => None,
        };
        if forced.is_some() || used >= budget {
            let regain = forced
                .unwrap_or_else(|| store.import.regain_secs(&account.id, now, catalog.window));
            let pct = ((used + 1) * 100 / budget).max(101);
            drop(store);
            // why: too many calls to one ad account answer #80004 / 2446079 while the
            // usage headers report more than 100 % (import contract, "Errors";
            // https://developers.facebook.com/docs/graph-api/overview/rate-limiting/).
            let mut response = graph_error(
                400,
                80004,
                Some(2_446_079),
                "(#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
            );
            // why: an injected throttle plays the ad-account limit (#80004): the account
            // header carries the wait; the business use case itself is not throttled.
            let business_pct = if forced.is_some() {
                (used * 100 / budget).min(99)
            } else {
                pct
            };
            usage_headers(&mut response, account, pct, business_pct, regain, insights);
            return response;
        }
        store
            .import
            .window(&account.id, now, catalog.window)
            .push_back(now);
        let pct = (used + 1) * 100 / budget;
        let regain = if pct >= 90 {
            store.import.regain_secs(&account.id, now, catalog.window)
        } else {
            0
        };
        (pct, regain)
    };
    let origin = call.origin();
    let paged = matches!(
        target,
        Target::Edge(..) | Target::InsightsGet(_) | Target::ReportInsights(_)
    );
    let row_cap = server.lock().import.row_cap;
    let broken = match &target {
        Target::Edge(_, Edge::Creatives) | Target::Ids(..) => {
            server.lock().import.broken_creatives.clone()
        }
        _ => Default::default(),
    };
    let mut response = match &target {
        _ if paged && row_cap.is_some_and(|cap| limit(call) > cap) => reduce_data(),
        Target::Account(_) => {
            json_response(200, project(account_json(account), fields(call).as_deref()))
        }
        Target::Ids(_, objects) => by_ids(catalog, call, account, objects, &broken, &origin, now),
        Target::Edge(_, edge) => listing(catalog, call, account, *edge, &broken, &origin, now),
        Target::InsightsPost(_) => match insights_query(call, now, catalog) {
            Ok(query) => {
                let mut store = server.lock();
                store.import.next_report += 1;
                let id = format!("60{:011}", store.import.next_report);
                store.stats.report_runs += 1;
                store.import.reports.insert(
                    id.clone(),
                    ReportRun {
                        account: account.key,
                        owner: user,
                        query,
                        polls: 0,
                        created: now,
                    },
                );
                json_response(200, json!({ "report_run_id": id }))
            }
            Err(r) => r,
        },
        Target::InsightsGet(_) => match insights_query(call, now, catalog) {
            Ok(query) => insights_page(catalog, call, account, &query, now),
            Err(r) => r,
        },
        Target::ReportStatus(id) => {
            let mut store = server.lock();
            let polls_needed = catalog.report_polls;
            match store.import.reports.get_mut(id) {
                Some(run) => {
                    let seen = run.polls;
                    run.polls = run.polls.saturating_add(1);
                    json_response(200, report_status(id, run, seen, polls_needed, account))
                }
                None => no_such_object(id),
            }
        }
        Target::ReportInsights(id) => {
            let run = server.lock().import.reports.get(id).cloned();
            match run {
                Some(run) if run.polls > catalog.report_polls || catalog.report_polls == 0 => {
                    insights_page(catalog, call, account, &run.query, now)
                }
                Some(_) => bad_param("The report run has not completed yet; poll its async_status"),
                None => no_such_object(id),
            }
        }
    };
    usage_headers(&mut response, account, pct, pct, regain, insights);
    response
}

/// The usage headers every Graph answer carries, from the account's rolling window.
fn usage_headers(
    response: &mut Response,
    account: &SeedAccount,
    pct: u64,
    business_pct: u64,
    regain: u64,
    insights: bool,
) {
    let minutes = if business_pct >= 100 {
        regain.div_ceil(60).max(1)
    } else {
        0
    };
    let kind = if insights {
        "ads_insights"
    } else {
        "ads_management"
    };
    let buc = json!({ &account.business.0: [{
        "type": kind, "call_count": business_pct, "total_cputime": business_pct / 2, "total_time": business_pct / 2,
        "estimated_time_to_regain_access": minutes,
    }]});
    let acc = json!({
        "acc_id_util_pct": pct, "reset_time_duration": regain,
        "ads_api_access_tier": "standard_access",
    });
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: Value| {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, v);
        }
    };
    set("x-business-use-case-usage", buc);
    set("x-ad-account-usage", acc);
    if insights {
        set(
            "x-fb-ads-insights-throttle",
            json!({"app_id_util_pct": pct / 2, "acc_id_util_pct": pct, "ads_api_access_tier": "standard_access"}),
        );
    }
}

/// The top-level names of a `fields` list (`creative{id}` gives `creative`).
fn fields(call: &Call) -> Option<Vec<String>> {
    let raw = param(call, "fields")?;
    let mut out = Vec::new();
    let (mut depth, mut current) = (0usize, String::new());
    for ch in raw.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => out.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(ch),
            _ => {}
        }
    }
    out.push(current);
    Some(
        out.into_iter()
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect(),
    )
}

/// Keep the asked fields (and `id`); Graph answers only `id` when none are asked.
fn project(full: Value, fields: Option<&[String]>) -> Value {
    let Value::Object(map) = full else {
        return full;
    };
    let wanted = |k: &str| k == "id" || fields.is_some_and(|f| f.iter().any(|x| x == k));
    Value::Object(map.into_iter().filter(|(k, _)| wanted(k)).collect())
}

fn account_json(a: &SeedAccount) -> Value {
    json!({
        "id": format!("act_{}", a.id), "account_id": a.id, "name": a.name,
        "currency": a.currency, "timezone_name": a.time_zone, "account_status": 1,
        "business": {"id": a.business.0, "name": a.business.1},
    })
}

/// Graph's time format, with a `-0700` style offset.
fn graph_time(t: DateTime<Utc>) -> String {
    let pacific = FixedOffset::west_opt(7 * 3600).unwrap_or(Utc.fix());
    t.with_timezone(&pacific)
        .format("%Y-%m-%dT%H:%M:%S%z")
        .to_string()
}

use chrono::Offset as _;

/// A day `back` days before today at a fixed time of day (creation and update times).
fn days_ago(now: DateTime<Utc>, back: i64, hour: u32) -> DateTime<Utc> {
    let date = now.date_naive() - Duration::days(back);
    date.and_time(NaiveTime::from_hms_opt(hour % 24, 17, 42).unwrap_or_default())
        .and_utc()
}

/// The status the object shows after its parents' (`CAMPAIGN_PAUSED`, `ADSET_PAUSED`).
fn effective(c: &Catalog, level: Level, i: usize) -> &'static str {
    let seed = &c.seed;
    match level {
        Level::Campaign => seed::meta_status(Obj::Campaign, i),
        Level::AdSet => {
            let own = seed::meta_status(Obj::AdSet, i);
            let parent = seed::meta_status(Obj::Campaign, Level::AdSet.campaign(seed, i));
            if HIDDEN.contains(&own) {
                own
            } else if HIDDEN.contains(&parent) {
                parent
            } else if parent == "PAUSED" {
                "CAMPAIGN_PAUSED"
            } else {
                own
            }
        }
        Level::Ad => {
            let own = seed::meta_status(Obj::Ad, i);
            let set = effective(c, Level::AdSet, i / seed.ads_per_ad_set.max(1));
            if HIDDEN.contains(&own) {
                own
            } else if HIDDEN.contains(&set) || set == "CAMPAIGN_PAUSED" {
                set
            } else if set == "PAUSED" {
                "ADSET_PAUSED"
            } else {
                own
            }
        }
    }
}

/// The `filtering` a listing or insights call sends.
struct Filter {
    statuses: Option<Vec<String>>,
    campaigns: Option<Vec<usize>>,
}

fn filter(call: &Call, account: &SeedAccount) -> Result<Filter, Response> {
    let mut f = Filter {
        statuses: None,
        campaigns: None,
    };
    let Some(raw) = param(call, "filtering") else {
        return Ok(f);
    };
    let Ok(Value::Array(rules)) = serde_json::from_str::<Value>(&raw) else {
        return Err(bad_param("Param filtering must be a JSON array"));
    };
    for rule in rules {
        let field = rule.get("field").and_then(Value::as_str).unwrap_or("");
        let op = rule.get("operator").and_then(Value::as_str).unwrap_or("");
        let values: Vec<String> = match rule.get("value") {
            Some(Value::Array(v)) => v
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        match (field, op) {
            ("effective_status", "IN")
            | ("campaign.effective_status", "IN")
            | ("adset.effective_status", "IN")
            | ("ad.effective_status", "IN") => f.statuses = Some(values),
            ("campaign.id", "IN") | ("campaign.id", "EQUAL") => {
                let ids = values
                    .iter()
                    .filter_map(|id| seed::parse_id(ID_PREFIX, id))
                    .filter(|(key, obj, _)| *key == account.key && *obj == Obj::Campaign)
                    .map(|(_, _, i)| i)
                    .collect();
                f.campaigns = Some(ids);
            }
            // Accepted and not applied: the emulator's objects all change together.
            ("updated_time", _) => {}
            _ => {
                return Err(bad_param(&format!(
                    "Filtering field {field} with operation {op} is not supported"
                )))
            }
        }
    }
    Ok(f)
}

fn limit(call: &Call) -> usize {
    param(call, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, MAX_LIMIT)
}

fn encode_cursor(position: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position)
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    String::from_utf8(raw).ok()
}

/// The `paging` object: cursors, and `next` (this listener, same query, new `after`)
/// unless this is the last page.
fn paging(call: &Call, before: &str, after: &str, more: bool) -> Value {
    let mut paging =
        json!({"cursors": {"before": encode_cursor(before), "after": encode_cursor(after)}});
    if more {
        let mut query: Vec<(String, String)> = call
            .query
            .iter()
            .filter(|(k, _)| k != "after" && k != "access_token")
            .cloned()
            .collect();
        query.push(("after".into(), encode_cursor(after)));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        paging["next"] = json!(format!("{}{}?{query}", call.origin(), call.path));
    }
    paging
}

/// Whether a creative answer would need a broken creative's story: any field but `id`.
fn reads_story(fields: Option<&[String]>) -> bool {
    fields.is_some_and(|f| f.iter().any(|x| x != "id"))
}

/// `GET /v22.0/?ids=a,b`: `{"a": {…}, "b": {…}}`; one unreadable object fails the call.
fn by_ids(
    c: &Catalog,
    call: &Call,
    account: &SeedAccount,
    objects: &[(Edge, usize)],
    broken: &HashSet<String>,
    origin: &str,
    now: DateTime<Utc>,
) -> Response {
    let fields = fields(call);
    let mut body = serde_json::Map::new();
    for &(edge, i) in objects {
        let v = object(c, account, edge, i, origin, now);
        let id = v.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
        if edge == Edge::Creatives && reads_story(fields.as_deref()) && broken.contains(&id) {
            return incomplete_creative();
        }
        body.insert(id, project(v, fields.as_deref()));
    }
    json_response(200, Value::Object(body))
}

fn listing(
    c: &Catalog,
    call: &Call,
    account: &SeedAccount,
    edge: Edge,
    broken: &HashSet<String>,
    origin: &str,
    now: DateTime<Utc>,
) -> Response {
    let f = match filter(call, account) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let n = edge.count(c);
    let start = match param(call, "after") {
        Some(cursor) => match decode_cursor(&cursor).and_then(|p| p.parse::<usize>().ok()) {
            Some(p) => p.min(n),
            None => return bad_param("The after cursor is not valid"),
        },
        None => 0,
    };
    let visible = |i: usize| -> bool {
        let Some(level) = edge.level() else {
            return true;
        };
        if let Some(campaigns) = &f.campaigns {
            if !campaigns.contains(&level.campaign(&c.seed, i)) {
                return false;
            }
        }
        let status = effective(c, level, i);
        match &f.statuses {
            Some(list) => list.iter().any(|s| s == status),
            None => !HIDDEN.contains(&status),
        }
    };
    let size = limit(call);
    let fields = fields(call);
    let mut data = Vec::new();
    let (mut i, mut first) = (start, None);
    let story = edge == Edge::Creatives && reads_story(fields.as_deref());
    while i < n && data.len() < size {
        if visible(i) {
            first.get_or_insert(i);
            let v = object(c, account, edge, i, origin, now);
            if story
                && v.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| broken.contains(id))
            {
                return incomplete_creative();
            }
            data.push(project(v, fields.as_deref()));
        }
        i += 1;
    }
    let more = (i..n).any(visible);
    let mut body = json!({
        "data": data,
        "paging": paging(call, &first.unwrap_or(start).to_string(), &i.to_string(), more),
    });
    if param(call, "summary")
        .is_some_and(|s| s.split(',').any(|x| x == "total_count" || x == "true"))
    {
        body["summary"] = json!({"total_count": (0..n).filter(|j| visible(*j)).count()});
    }
    json_response(200, body)
}

/// The length in seconds of video `v`.
pub(crate) fn video_length(v: usize) -> f64 {
    15.0 + (v % 4) as f64 * 7.5
}

fn object(
    c: &Catalog,
    a: &SeedAccount,
    edge: Edge,
    i: usize,
    origin: &str,
    now: DateTime<Utc>,
) -> Value {
    let seed = &c.seed;
    let key = a.key;
    let h = seed::mix(u64::from(key) + 11, i as u64);
    let days = i64::from(seed.days);
    let id = |obj: Obj, index: usize| seed::object_id(ID_PREFIX, key, obj, index);
    match edge {
        Edge::Campaigns => {
            let status = seed::meta_status(Obj::Campaign, i);
            let created = days_ago(now, days + (i % 30) as i64, 9);
            let mut v = json!({
                "id": id(Obj::Campaign, i), "account_id": a.id, "name": seed::campaign_name(key, i),
                "objective": seed::pick(&["OUTCOME_SALES", "OUTCOME_TRAFFIC", "OUTCOME_AWARENESS",
                    "OUTCOME_LEADS", "OUTCOME_ENGAGEMENT", "OUTCOME_APP_PROMOTION"], h),
                "status": status, "configured_status": status,
                "effective_status": effective(c, Level::Campaign, i),
                "start_time": graph_time(created + Duration::hours(3)),
                "buying_type": "AUCTION",
                "special_ad_categories": if i % 10 == 6 { json!(["HOUSING"]) } else { json!([]) },
                "created_time": graph_time(created),
                "updated_time": graph_time(days_ago(now, (i % 20) as i64, 14)),
            });
            // Campaign budget optimisation on even campaigns; lifetime budgets on some.
            if i.is_multiple_of(2) {
                let budget = (5_000 + h % 45_000).to_string();
                if i % 6 == 4 {
                    v["lifetime_budget"] = json!((h % 900_000 + 100_000).to_string());
                } else {
                    v["daily_budget"] = json!(budget);
                }
                v["bid_strategy"] = json!(seed::pick(
                    &[
                        "LOWEST_COST_WITHOUT_CAP",
                        "COST_CAP",
                        "LOWEST_COST_WITH_BID_CAP"
                    ],
                    h >> 7
                ));
            }
            if i % 4 == 1 {
                v["stop_time"] = json!(graph_time(days_ago(now, -30, 23)));
            }
            v
        }
        Edge::AdSets => {
            let status = seed::meta_status(Obj::AdSet, i);
            let campaign = Level::AdSet.campaign(seed, i);
            let mut v = json!({
                "id": id(Obj::AdSet, i), "account_id": a.id, "name": seed::ad_set_name(key, i),
                "campaign_id": id(Obj::Campaign, campaign),
                "status": status, "configured_status": status,
                "effective_status": effective(c, Level::AdSet, i),
                "optimization_goal": seed::pick(&["OFFSITE_CONVERSIONS", "LINK_CLICKS", "REACH", "LEAD_GENERATION"], h),
                "billing_event": "IMPRESSIONS",
                "bid_strategy": seed::pick(&["LOWEST_COST_WITHOUT_CAP", "COST_CAP"], h >> 5),
                "targeting": {
                    "geo_locations": {"countries": [seed::pick(&["US", "FR", "DE", "JP", "ES"], h >> 9)]},
                    "age_min": 18 + (h % 3) * 7, "age_max": 65,
                    "publisher_platforms": ["facebook", "instagram"],
                },
                "start_time": graph_time(days_ago(now, days + (campaign % 30) as i64, 12)),
                "updated_time": graph_time(days_ago(now, (i % 25) as i64, 15)),
            });
            if campaign % 2 == 1 {
                v["daily_budget"] = json!((2_000 + h % 20_000).to_string());
            }
            if i.is_multiple_of(3) {
                v["bid_amount"] = json!((50 + h % 450).to_string());
            }
            if i % 5 == 2 {
                v["end_time"] = json!(graph_time(days_ago(now, -14, 23)));
            }
            v
        }
        Edge::Ads => {
            let status = seed::meta_status(Obj::Ad, i);
            let set = i / seed.ads_per_ad_set.max(1);
            let mut v = json!({
                "id": id(Obj::Ad, i), "account_id": a.id, "name": seed::ad_name(i),
                "adset_id": id(Obj::AdSet, set),
                "campaign_id": id(Obj::Campaign, Level::Ad.campaign(seed, i)),
                "status": status, "configured_status": status,
                "effective_status": effective(c, Level::Ad, i),
                "creative": {"id": id(Obj::Creative, i)},
                "updated_time": graph_time(days_ago(now, (i % 28) as i64, 16)),
            });
            if i % 19 == 7 {
                v["ad_review_feedback"] = json!({"global": {"Landing Page Functionality": "The landing page could not be loaded."}});
            }
            v
        }
        Edge::Creatives => creative(c, a, i, origin, now),
        Edge::Images => {
            let hash = seed::image_hash(key, i);
            let url = cdn::signed(origin, &cdn::image_path(&hash), now);
            let name = match i % 6 {
                3 => format!("Été_bannière_{i:04}.png"),
                5 => format!("商品写真_{i:04}.png"),
                _ => format!("IMG_{i:04}.png"),
            };
            json!({
                "id": format!("{}:{hash}", a.id), "account_id": a.id, "hash": hash, "name": name,
                "url": url, "url_128": url,
                "permalink_url": format!("https://www.facebook.com/ads/image/?d={hash}"),
                "width": seed.image_px, "height": seed.image_px, "status": "ACTIVE",
                "created_time": graph_time(days_ago(now, days + (i % 40) as i64, 10)),
                "updated_time": graph_time(days_ago(now, (i % 50) as i64, 11)),
            })
        }
        Edge::Videos => {
            let vid = id(Obj::Video, i);
            let mut v = json!({
                "id": vid,
                "source": cdn::signed(origin, &cdn::video_path(&vid), now),
                "picture": cdn::signed(origin, &cdn::poster_path(&vid), now),
                "length": video_length(i),
                "created_time": graph_time(days_ago(now, days + (i % 40) as i64, 10)),
                "updated_time": graph_time(days_ago(now, (i % 50) as i64, 11)),
            });
            if i % 3 != 2 {
                v["title"] = json!(format!("Product demo {}s 🎬 #{i}", video_length(i)));
            }
            v
        }
    }
}

/// Ad `a`'s creative. Shapes rotate: link ad with an image (×2), video ad, carousel,
/// dynamic creative (`asset_feed_spec`); without videos, video shapes fall back to links.
fn creative(c: &Catalog, acc: &SeedAccount, a: usize, origin: &str, now: DateTime<Utc>) -> Value {
    let seed = &c.seed;
    let key = acc.key;
    let id = seed::object_id(ID_PREFIX, key, Obj::Creative, a);
    let body = seed::ad_body(key, a);
    let title = seed::ad_title(key, a);
    let link = format!("https://demo-brand.example/p/{a}?ref=fb");
    let cta = seed::pick(&["SHOP_NOW", "LEARN_MORE", "SIGN_UP"], a as u64);
    let image = seed::image_of_ad(a, seed.images);
    let hash_of = |i: usize| seed::image_hash(key, i % seed.images.max(1));
    let video_of = |n: usize| {
        (seed.videos > 0).then(|| seed::object_id(ID_PREFIX, key, Obj::Video, n % seed.videos))
    };
    let page = format!("10{}555000{}", acc.key, 1);
    let mut v = json!({
        "id": id, "account_id": acc.id, "name": format!("Creative {a:05} — {title}"),
        "title": title, "body": body, "call_to_action_type": cta,
        "thumbnail_url": cdn::signed(origin, &cdn::thumb_path(&id), now),
        "effective_object_story_id": format!("{page}_{}", 9_000_000 + a),
        "object_type": "SHARE",
    });
    if a % 7 != 3 {
        v["url_tags"] = json!(format!(
            "utm_source=facebook&utm_medium=paid&utm_content={a}"
        ));
    }
    let shape = match a % 5 {
        2 | 4 if seed.videos == 0 => 0,
        s => s,
    };
    let shape = if image.is_none() && shape != 2 {
        5
    } else {
        shape
    };
    let call_to_action = json!({"type": cta, "value": {"link": link}});
    match shape {
        0 | 1 => {
            let hash = image.map(hash_of).unwrap_or_default();
            v["image_hash"] = json!(hash);
            if shape == 0 {
                v["image_url"] = json!(cdn::signed(origin, &cdn::image_path(&hash), now));
            }
            v["object_story_spec"] = json!({"page_id": page, "link_data": {
                "message": body, "name": title, "link": link, "image_hash": hash,
                "call_to_action": call_to_action,
                "description": if shape == 0 { json!("Free returns · Retours gratuits") } else { Value::Null },
            }});
        }
        2 => {
            let video = video_of(a).unwrap_or_default();
            v["video_id"] = json!(video);
            v["object_type"] = json!("VIDEO");
            v["object_story_spec"] = json!({"page_id": page, "video_data": {
                "message": body, "title": title, "video_id": video,
                "image_url": cdn::signed(origin, &cdn::poster_path(&video), now),
                "call_to_action": call_to_action,
            }});
        }
        3 => {
            let first = image.unwrap_or(0);
            let mut children: Vec<Value> = (0..3)
                .map(|k| {
                    json!({
                        "link": format!("{link}&card={k}"), "name": format!("{title} · {}", k + 1),
                        "description": "Nouveautés", "image_hash": hash_of(first + k),
                    })
                })
                .collect();
            if let Some(video) = video_of(a + 1) {
                children.push(
                    json!({"link": format!("{link}&card=v"), "name": "Watch 🎬", "video_id": video,
                    "image_hash": hash_of(first + 3)}),
                );
            }
            v["object_story_spec"] = json!({"page_id": page, "link_data": {
                "message": body, "link": link, "child_attachments": children,
                "call_to_action": call_to_action,
            }});
        }
        4 => {
            let first = image.unwrap_or(0);
            let video = video_of(a).unwrap_or_default();
            v["asset_feed_spec"] = json!({
                "images": [{"hash": hash_of(first)}, {"hash": hash_of(first + 1)}],
                "videos": [{"video_id": video, "thumbnail_url": cdn::signed(origin, &cdn::poster_path(&video), now)}],
                "bodies": [{"text": body}, {"text": "Découvrez la collection — 新作"}],
                "titles": [{"text": title}, {"text": "Limited time ⏳"}],
                "descriptions": [{"text": "Free shipping"}],
                "call_to_action_types": [cta],
                "link_urls": [{"website_url": link}],
                "ad_formats": ["SINGLE_IMAGE", "SINGLE_VIDEO"],
            });
            v["object_story_spec"] = json!({"page_id": page});
        }
        // No library images: a link ad with an external picture only.
        _ => {
            v["object_story_spec"] = json!({"page_id": page, "link_data": {
                "message": body, "name": title, "link": link, "call_to_action": call_to_action,
            }});
        }
    }
    if let Some(link_data) = v
        .pointer_mut("/object_story_spec/link_data")
        .and_then(Value::as_object_mut)
    {
        link_data.retain(|_, x| !x.is_null());
    }
    v
}

/// The insights parameters of a POST (form body) or GET (query).
fn insights_query(call: &Call, now: DateTime<Utc>, c: &Catalog) -> Result<InsightsQuery, Response> {
    let level = match param(call, "level").as_deref() {
        Some("campaign") => Level::Campaign,
        Some("adset") => Level::AdSet,
        Some("ad") | None => Level::Ad,
        Some(other) => {
            return Err(bad_param(&format!(
                "level must be one of campaign, adset, ad (the emulator does not play '{other}')"
            )))
        }
    };
    let today = now.date_naive();
    let (since, until) = match param(call, "time_range") {
        Some(raw) => {
            let range: Value = serde_json::from_str(&raw)
                .map_err(|_| bad_param("time_range must be a JSON object {since, until}"))?;
            let date = |k: &str| {
                range
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            };
            match (date("since"), date("until")) {
                (Some(s), Some(u)) if s <= u => (s, u),
                _ => return Err(bad_param("time_range needs since <= until as YYYY-MM-DD")),
            }
        }
        // why: Graph's default date_preset is last_30d.
        None => (today - Duration::days(30), today - Duration::days(1)),
    };
    // why: insights go back 37 months (import-apis reference §1.1, "Incremental").
    if (today - since).num_days() > 37 * 31 {
        return Err(bad_param(
            "time_range.since is beyond the 37 months insights keep",
        ));
    }
    let daily = match param(call, "time_increment").as_deref() {
        Some("1") => true,
        None | Some("all_days") => false,
        Some(_) => return Err(bad_param("the emulator plays time_increment=1 or all_days")),
    };
    let account = c
        .accounts
        .iter()
        .find(|a| call.path.contains(&format!("act_{}", a.id)));
    let campaigns = match account {
        Some(a) => filter(call, a)?.campaigns,
        None => None,
    };
    Ok(InsightsQuery {
        level,
        since,
        until,
        daily,
        campaigns,
        fields: fields(call),
    })
}

fn report_status(id: &str, run: &ReportRun, seen: u32, needed: u32, a: &SeedAccount) -> Value {
    let done = seen >= needed;
    let mut v = json!({
        "id": id, "account_id": a.id,
        "async_status": if done { "Job Completed" } else { "Job Running" },
        "async_percent_completion": if done { 100 } else { (seen + 1) * 100 / (needed + 1) },
        "date_start": run.query.since.to_string(), "date_stop": run.query.until.to_string(),
        "time_ref": run.created.timestamp(),
    });
    if done {
        v["time_completed"] = json!(run.created.timestamp() + 1);
    }
    v
}

/// One page of insights rows after the cursor `object:day`.
fn insights_page(
    c: &Catalog,
    call: &Call,
    account: &SeedAccount,
    q: &InsightsQuery,
    now: DateTime<Utc>,
) -> Response {
    let seed = &c.seed;
    let today = now.date_naive();
    let n = q.level.count(seed);
    let ndays = (q.until - q.since).num_days().max(0) as usize + 1;
    let slots = if q.daily { ndays } else { 1 };
    let (mut obj, mut slot) = match param(call, "after") {
        Some(cursor) => match decode_cursor(&cursor).and_then(|p| {
            let (o, d) = p.split_once(':')?;
            Some((o.parse::<usize>().ok()?, d.parse::<usize>().ok()?))
        }) {
            Some(p) => p,
            None => return bad_param("The after cursor is not valid"),
        },
        None => (0, 0),
    };
    let size = limit(call);
    let before = format!("{obj}:{slot}");
    let wanted = |i: usize| {
        q.campaigns
            .as_ref()
            .is_none_or(|list| list.contains(&q.level.campaign(seed, i)))
    };
    // The delivery of object `i` on slot `s` (one day, or the whole range).
    let day_of = |i: usize, s: usize| -> Option<(Day, NaiveDate, NaiveDate)> {
        let (from, to) = if q.daily {
            let d = q.since + Duration::days(s as i64);
            (d, d)
        } else {
            (q.since, q.until)
        };
        let (newest, oldest) = seed::back_range(today, from, to, seed.days)?;
        let mut total = Day::default();
        for back in newest..=oldest {
            total.add(&seed::level_day(SALT, seed, account.key, q.level, i, back));
        }
        total.delivered().then_some((total, from, to))
    };
    let mut data = Vec::new();
    let mut more = false;
    while obj < n {
        if !wanted(obj) {
            obj += 1;
            slot = 0;
            continue;
        }
        if slot >= slots {
            obj += 1;
            slot = 0;
            continue;
        }
        if let Some((day, from, to)) = day_of(obj, slot) {
            if data.len() == size {
                more = true;
                break;
            }
            data.push(row(c, account, q, obj, &day, from, to));
        }
        slot += 1;
    }
    // Rows are serialised straight from structs: a page of 500 rows built as JSON values
    // cost the emulator more CPU than the importer spent reading it.
    #[derive(serde::Serialize)]
    struct Page<'a> {
        data: Vec<InsightRow<'a>>,
        paging: Value,
    }
    let page = Page {
        data,
        paging: paging(call, &before, &format!("{obj}:{slot}"), more),
    };
    json_text_response(200, serde_json::to_string(&page).unwrap_or_default())
}

/// One insights row as the Graph API writes it (numbers as strings, money in major units,
/// only the requested fields).
#[derive(serde::Serialize)]
struct InsightRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_currency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    adset_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ad_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    impressions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clicks: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spend: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reach: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<Vec<ActionValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_values: Option<Vec<ActionValue>>,
    date_start: String,
    date_stop: String,
}

#[derive(serde::Serialize)]
struct ActionValue {
    action_type: &'static str,
    value: String,
}

fn row<'a>(
    c: &Catalog,
    account: &'a SeedAccount,
    q: &InsightsQuery,
    i: usize,
    day: &Day,
    from: NaiveDate,
    to: NaiveDate,
) -> InsightRow<'a> {
    let seed = &c.seed;
    let id = |obj: Obj, index: usize| seed::object_id(ID_PREFIX, account.key, obj, index);
    let wants = |key: &str| q.fields.as_ref().is_none_or(|f| f.iter().any(|x| x == key));
    let pick = |key: &str, make: &dyn Fn() -> String| wants(key).then(make);
    let campaign = q.level.campaign(seed, i);
    let (adset, ad) = match q.level {
        Level::AdSet => (Some(i), None),
        Level::Ad => (Some(i / seed.ads_per_ad_set.max(1)), Some(i)),
        Level::Campaign => (None, None),
    };
    let actions: Vec<ActionValue> = [
        ("link_click", day.clicks),
        ("landing_page_view", day.landing_page_views),
        ("purchase", day.purchases),
        ("lead", day.leads),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(t, n)| ActionValue {
        action_type: t,
        value: n.to_string(),
    })
    .collect();
    InsightRow {
        account_id: wants("account_id").then_some(account.id.as_str()),
        account_currency: wants("account_currency").then_some(account.currency),
        campaign_id: pick("campaign_id", &|| id(Obj::Campaign, campaign)),
        campaign_name: pick("campaign_name", &|| {
            seed::campaign_name(account.key, campaign)
        }),
        adset_id: adset.and_then(|s| pick("adset_id", &|| id(Obj::AdSet, s))),
        ad_id: ad.and_then(|a| pick("ad_id", &|| id(Obj::Ad, a))),
        impressions: pick("impressions", &|| day.impressions.to_string()),
        clicks: pick("clicks", &|| day.clicks.to_string()),
        spend: pick("spend", &|| seed::major(day.spend_cents)),
        reach: pick("reach", &|| day.reach.to_string()),
        actions: (wants("actions") && !actions.is_empty()).then_some(actions),
        action_values: (wants("action_values") && day.purchase_value_cents > 0).then(|| {
            vec![ActionValue {
                action_type: "purchase",
                value: seed::major(day.purchase_value_cents),
            }]
        }),
        date_start: from.to_string(),
        date_stop: to.to_string(),
    }
}
