//! The Meta Marketing API as an [`ImportSource`]: the ad account, its campaigns, ad sets,
//! ads, creatives, images and videos (paged listings followed by their `after` cursor), and
//! daily insights per level (an async report: create, poll, read its pages).
//!
//! Units and cursors (the cursor is what the engine checkpoints after each step):
//! - `account`: one GET, no cursor.
//! - `campaigns`, `adsets`, `ads`, `adcreatives`, `adimages`, `advideos`: the cursor is
//!   Meta's `after` cursor of the next page.
//! - `insights:<level>:<since>` (params `level`, `since`, `until`): `None` creates the
//!   report; `run:<report id>[@<attempt>]` polls it (and reads its first page once it is
//!   complete); `page:<report id>:<after>` reads the following pages.
//!
//! A report that ends `Job Failed` or `Job Skipped` is created again within the polling
//! step (the step answers `Poll` with the new `run:<id>@<attempt>` cursor), so the engine
//! never has to drop a cursor; after three attempts the step fails `Permanent`.
//!
//! Records by unit: `account` → one `Account`; `campaigns`/`adsets`/`ads` → `Object`s;
//! `adcreatives` → `Creative`s (plus a `thumb:<creative id>` `Asset` for a creative with no
//! image or video of its own); `adimages` → `image:<hash>` `Asset`s; `advideos` →
//! `video:<id>` and `videopic:<id>` (its poster) `Asset`s; insights → `Metric`s. A row that
//! cannot be understood is a `Broken` record, never a failed step.

use super::limits as meta_limits;
use super::report_rows;
use super::GRAPH_VERSION;
use crate::http::text;
use crate::import::{
    api_origin, metric_windows, transport_error, AccountUpsert, AssetRef, CreativeAssetLink,
    CreativeUpsert, ImportScope, ImportSource, MetricUpsert, Next, ObjectUpsert, Record, SourceCtx,
    SourceError, SourceLimits, Stage, Step, UnitSpec,
};
use crate::limits::{ApiVerdict, Usage};
use crate::money;
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::Duration;

/// The Meta Marketing API import.
pub struct MetaImport;

const PLATFORM: &str = "Meta";

/// The wait before the first poll of a new report; it doubles after every poll that finds
/// the report still running, up to [`POLL_MAX`]. Small reports are ready in seconds; big
/// ones take minutes, and polls count against the insights throttle.
const POLL_FIRST: Duration = Duration::from_secs(1);
const POLL_MAX: Duration = Duration::from_secs(30);

fn poll_wait(polls: u32) -> Duration {
    POLL_FIRST.saturating_mul(1 << polls.min(5)).min(POLL_MAX)
}

/// `run:<id>[@<attempt>][~<polls>]`.
fn run_cursor(id: &str, attempt: u32, polls: u32) -> String {
    let mut c = format!("run:{id}");
    if attempt > 1 {
        c.push_str(&format!("@{attempt}"));
    }
    if polls > 0 {
        c.push_str(&format!("~{polls}"));
    }
    c
}

/// How many times one window's report is created before the unit fails.
const REPORT_ATTEMPTS: u32 = 3;

/// Every effective status, so archived and deleted objects are listed too.
// why: Meta leaves ARCHIVED and DELETED objects out unless the filter names them
// (research note §4; singer-io/tap-facebook #33).
const LISTED_STATUSES: &[&str] = &[
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
];

/// Action types counted as conversions (and their values) in insights.
pub(super) const CONVERSION_ACTIONS: &[&str] = &[
    "purchase",
    "lead",
    "complete_registration",
    "mobile_app_install",
];

const ACCOUNT_FIELDS: &str = "account_id,name,currency,timezone_name,account_status,business";
const CAMPAIGN_FIELDS: &str = "id,name,objective,status,configured_status,effective_status,daily_budget,lifetime_budget,start_time,stop_time,buying_type,bid_strategy,special_ad_categories,created_time,updated_time";
const ADSET_FIELDS: &str = "id,name,campaign_id,status,effective_status,daily_budget,lifetime_budget,bid_amount,bid_strategy,optimization_goal,billing_event,targeting,start_time,end_time,updated_time";
const AD_FIELDS: &str =
    "id,name,adset_id,campaign_id,status,effective_status,creative{id},ad_review_feedback,updated_time";
const CREATIVE_FIELDS: &str = "id,name,title,body,call_to_action_type,image_hash,image_url,thumbnail_url,video_id,object_story_spec,asset_feed_spec,url_tags,effective_object_story_id,object_type";
const IMAGE_FIELDS: &str = "hash,name,url,url_128,permalink_url,width,height,status,updated_time";
const VIDEO_FIELDS: &str = "id,title,source,picture,length,updated_time";
const INSIGHTS_FIELDS: &str = "campaign_id,adset_id,ad_id,date_start,date_stop,impressions,clicks,spend,reach,actions,action_values,account_currency";

/// One of the paged edges of an ad account.
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
    const ALL: [Edge; 6] = [
        Edge::Campaigns,
        Edge::AdSets,
        Edge::Ads,
        Edge::Creatives,
        Edge::Images,
        Edge::Videos,
    ];

    fn path(self) -> &'static str {
        match self {
            Edge::Campaigns => "campaigns",
            Edge::AdSets => "adsets",
            Edge::Ads => "ads",
            Edge::Creatives => "adcreatives",
            Edge::Images => "adimages",
            Edge::Videos => "advideos",
        }
    }

    fn fields(self) -> &'static str {
        match self {
            Edge::Campaigns => CAMPAIGN_FIELDS,
            Edge::AdSets => ADSET_FIELDS,
            Edge::Ads => AD_FIELDS,
            Edge::Creatives => CREATIVE_FIELDS,
            Edge::Images => IMAGE_FIELDS,
            Edge::Videos => VIDEO_FIELDS,
        }
    }

    fn stage(self) -> Stage {
        match self {
            Edge::Campaigns => Stage::Campaigns,
            Edge::AdSets => Stage::AdGroups,
            Edge::Ads => Stage::Ads,
            Edge::Creatives => Stage::Creatives,
            Edge::Images | Edge::Videos => Stage::Assets,
        }
    }

    /// Whether its objects can be read by id (`?ids=`); image ids are not Graph node ids.
    fn by_id(self) -> bool {
        !matches!(self, Edge::Images)
    }

    /// Whether the listing is filtered by status (and by the selected campaigns).
    fn filtered(self) -> bool {
        matches!(self, Edge::Campaigns | Edge::AdSets | Edge::Ads)
    }

    fn from_key(key: &str) -> Option<Edge> {
        Edge::ALL.into_iter().find(|e| e.path() == key)
    }
}

/// An insights level: Meta's word and the library's.
fn insights_level(meta: &str) -> Option<&'static str> {
    match meta {
        "campaign" => Some("campaign"),
        "adset" => Some("ad_group"),
        "ad" => Some("ad"),
        _ => None,
    }
}

#[async_trait]
impl ImportSource for MetaImport {
    fn plan(&self, scope: &ImportScope) -> Vec<UnitSpec> {
        let mut units = vec![UnitSpec {
            key: "account".into(),
            stage: Stage::Account,
            params: Value::Null,
            days: 0,
            after: Vec::new(),
        }];
        units.extend(Edge::ALL.into_iter().map(|e| UnitSpec {
            key: e.path().into(),
            stage: e.stage(),
            params: Value::Null,
            days: 0,
            // Budgets and bids need the account's currency (`SourceCtx::currency`), which
            // the engine knows once the account unit is stored. Insights rows carry their
            // own `account_currency`.
            after: if matches!(e, Edge::Campaigns | Edge::AdSets) {
                vec![Stage::Account]
            } else {
                Vec::new()
            },
        }));
        if let Some(window) = scope.metrics {
            for level in ["campaign", "adset", "ad"] {
                for (since, until, days) in metric_windows(window) {
                    units.push(UnitSpec {
                        key: format!("insights:{level}:{since}"),
                        stage: Stage::Metrics,
                        params: json!({"level": level, "since": since.to_string(), "until": until.to_string()}),
                        days,
                        after: Vec::new(),
                    });
                }
            }
        }
        units
    }

    async fn step(
        &self,
        ctx: &SourceCtx<'_>,
        unit: &UnitSpec,
        cursor: Option<&str>,
    ) -> Result<Step, SourceError> {
        let api = Api::new(ctx)?;
        let result = if unit.key == "account" {
            api.account().await
        } else if let Some(edge) = Edge::from_key(&unit.key) {
            api.listing(edge, cursor).await
        } else if unit.key.starts_with("insights:") {
            api.insights(unit, cursor).await
        } else {
            Err(SourceError::permanent(format!(
                "Meta has no import unit '{}'",
                unit.key
            )))
        };
        result.map_err(|e| redact(e, ctx.token.expose_secret()))
    }

    fn limits(&self) -> SourceLimits {
        SourceLimits {
            concurrency: 8,
            download_concurrency: 16,
            max_page_size: 500,
        }
    }
}

/// The token never appears in a message, even if Meta echoed it.
fn redact(mut e: SourceError, token: &str) -> SourceError {
    if token.is_empty() {
        return e;
    }
    let scrub = |raw: &mut String| {
        if raw.contains(token) {
            *raw = raw.replace(token, "[redacted]");
        }
    };
    match &mut e.verdict {
        ApiVerdict::RateLimited { raw, .. }
        | ApiVerdict::ReconnectNeeded { raw }
        | ApiVerdict::BrokenObject { raw }
        | ApiVerdict::Transient { raw }
        | ApiVerdict::Permanent { raw } => scrub(raw),
    }
    e
}

/// One step's view of the Graph API.
struct Api<'a> {
    ctx: &'a SourceCtx<'a>,
    base: String,
    account: String,
    limit: u32,
}

/// A successful Graph answer.
struct Answer {
    body: Map<String, Value>,
    usage: Usage,
}

/// A successful Graph answer before it is read as JSON.
struct RawAnswer {
    status: u16,
    bytes: bytes::Bytes,
    usage: Usage,
}

impl RawAnswer {
    fn into_object(self) -> Result<Answer, SourceError> {
        let status = self.status;
        match serde_json::from_slice::<Value>(&self.bytes) {
            Ok(Value::Object(body)) => Ok(Answer {
                body,
                usage: self.usage,
            }),
            Ok(_) => Err(SourceError::transient(format!(
                "Meta answered HTTP {status} with JSON that is not an object"
            ))),
            // The serde message names a line and column only, never the body.
            Err(e) => Err(SourceError::transient(format!(
                "Meta answered HTTP {status} with a body that is not JSON ({e})"
            ))),
        }
    }
}

impl<'a> Api<'a> {
    fn new(ctx: &'a SourceCtx<'a>) -> Result<Self, SourceError> {
        let account = ctx.scope.account.trim();
        let account = account.strip_prefix("act_").unwrap_or(account);
        if account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SourceError::permanent(format!(
                "'{account}' is not a Meta ad account id"
            )));
        }
        Ok(Self {
            base: format!("{}/{GRAPH_VERSION}", api_origin(ctx.descriptor)?),
            account: account.to_owned(),
            limit: ctx.page_size.clamp(1, 500),
            ctx,
        })
    }

    /// Send a request with the token in the `Authorization` header and read the answer.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, SourceError> {
        self.send_raw(request).await?.into_object()
    }

    /// Send a request; a successful answer's bytes, or the classified error.
    async fn send_raw(&self, request: reqwest::RequestBuilder) -> Result<RawAnswer, SourceError> {
        let response = request
            .bearer_auth(self.ctx.token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport_error(PLATFORM, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let usage = meta_limits::usage(header);
        let retry_after = header("retry-after")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport_error(PLATFORM, e))?;
        if !(200..300).contains(&status) {
            let body = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
            let verdict = match meta_limits::classify(status, &body) {
                ApiVerdict::RateLimited { wait: None, raw } => ApiVerdict::RateLimited {
                    wait: usage.regain_after.or(retry_after),
                    raw,
                },
                other => other,
            };
            return Err(SourceError::new(verdict));
        }
        Ok(RawAnswer {
            status,
            bytes,
            usage,
        })
    }

    fn filtering(&self, statuses: bool) -> Option<String> {
        let mut filters = Vec::new();
        if statuses {
            filters.push(
                json!({"field": "effective_status", "operator": "IN", "value": LISTED_STATUSES}),
            );
        }
        if !self.ctx.scope.campaigns.is_empty() {
            filters.push(
                json!({"field": "campaign.id", "operator": "IN", "value": self.ctx.scope.campaigns}),
            );
        }
        (!filters.is_empty()).then(|| Value::Array(filters).to_string())
    }

    async fn account(&self) -> Result<Step, SourceError> {
        let url = format!("{}/act_{}", self.base, self.account);
        let answer = self
            .send(self.ctx.http.get(url).query(&[("fields", ACCOUNT_FIELDS)]))
            .await?;
        let records = vec![account_record(&answer.body, &self.account)];
        Ok(done(records, answer.usage, 1, None))
    }

    /// GET one page with `query`, whose `limit` (added if missing) starts at `self.limit`
    /// and is halved while Meta answers "Please reduce the amount of data you're asking
    /// for" (HTTP 500, code 1).
    // why: that error comes from pages too heavy to build (big creatives, many actions);
    // the same request never succeeds, while a smaller page does. Airbyte halves `limit`
    // on it and goes back to the full size after a success (reference "Pagination";
    // airbytehq/airbyte #25383). The full size is asked again on the next step.
    async fn get_page(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<(RawAnswer, u32), SourceError> {
        let mut query = query.to_vec();
        let slot = match query.iter().position(|(k, _)| *k == "limit") {
            Some(i) => i,
            None => {
                query.push(("limit", String::new()));
                query.len() - 1
            }
        };
        let (mut limit, mut requests) = (self.limit, 0);
        loop {
            requests += 1;
            query[slot].1 = limit.to_string();
            match self.send_raw(self.ctx.http.get(url).query(&query)).await {
                Ok(answer) => return Ok((answer, requests)),
                Err(e) if limit > 1 && asks_less(&e) => limit /= 2,
                Err(e) => return Err(SourceError { requests, ..e }),
            }
        }
    }

    async fn listing(&self, edge: Edge, cursor: Option<&str>) -> Result<Step, SourceError> {
        let url = format!("{}/act_{}/{}", self.base, self.account, edge.path());
        let mut query = vec![
            ("fields", edge.fields().to_owned()),
            ("limit", String::new()),
            ("summary", "total_count".to_owned()),
        ];
        if edge.filtered() {
            query.extend(self.filtering(true).map(|f| ("filtering", f)));
        }
        if let Some(after) = cursor {
            query.push(("after", after.to_owned()));
        }
        let (answer, requests) = match self.get_page(&url, &query).await {
            Ok((page, requests)) => (
                page.into_object()
                    .map_err(|e| SourceError { requests, ..e })?,
                requests,
            ),
            Err(e) if edge.by_id() && matches!(e.verdict, ApiVerdict::BrokenObject { .. }) => {
                query[0].1 = "id".to_owned();
                return self
                    .around_broken(edge, &url, &query, cursor, e.requests)
                    .await;
            }
            Err(e) => return Err(e),
        };
        let currency = self.ctx.currency.as_deref();
        let mut records = Vec::new();
        for row in rows(&answer.body) {
            records.extend(edge_records(edge, row, currency));
        }
        let next = next_page(&answer.body, cursor).map_or(Next::Done, Next::Page);
        Ok(Step {
            records,
            next,
            usage: answer.usage,
            requests,
            total: total(&answer.body),
        })
    }

    /// A page Meta refuses because one object on it cannot be read (#100 / 2446289: a
    /// creative whose post was deleted). The same page is listed again with ids only
    /// (`id_query`), its objects are read by id in groups of [`IDS_PER_LOOKUP`], a group
    /// that fails the same way is halved until the broken object stands alone, and that
    /// object becomes a `Broken` record. The next cursor is the id-only page's: the same
    /// position the full page would have given.
    // why: Meta fails the whole listing for one such creative (airbytehq/airbyte #65944,
    // #66027), so a listing that stops there loses every creative after it.
    async fn around_broken(
        &self,
        edge: Edge,
        url: &str,
        id_query: &[(&str, String)],
        cursor: Option<&str>,
        before: u32,
    ) -> Result<Step, SourceError> {
        let (page, listed) = self
            .get_page(url, id_query)
            .await
            .and_then(|(page, n)| {
                page.into_object()
                    .map(|p| (p, n))
                    .map_err(|e| SourceError { requests: n, ..e })
            })
            .map_err(|e| SourceError {
                requests: before + e.requests,
                ..e
            })?;
        let mut requests = before + listed;
        let mut usage = page.usage;
        let ids: Vec<String> = rows(&page.body).filter_map(|r| text(r.get("id"))).collect();
        let mut found: HashMap<String, Value> = HashMap::with_capacity(ids.len());
        let mut unreadable: HashMap<String, String> = HashMap::new();
        let mut groups: Vec<&[String]> = ids.chunks(IDS_PER_LOOKUP).rev().collect();
        let lookup = format!("{}/", self.base);
        while let Some(group) = groups.pop() {
            requests += 1;
            let request = self.ctx.http.get(&lookup).query(&[
                ("ids", group.join(",")),
                ("fields", edge.fields().to_owned()),
            ]);
            match self.send(request).await {
                Ok(mut answer) => {
                    usage = higher(usage, answer.usage);
                    for id in group {
                        if let Some(object) = answer.body.remove(id) {
                            found.insert(id.clone(), object);
                        }
                    }
                }
                Err(e) if matches!(e.verdict, ApiVerdict::BrokenObject { .. }) => {
                    if let [id] = group {
                        // Kept in the job's error list: never with the token, even echoed.
                        let e = redact(e, self.ctx.token.expose_secret());
                        unreadable.insert(id.clone(), e.message().to_owned());
                    } else {
                        let (left, right) = group.split_at(group.len() / 2);
                        groups.push(right);
                        groups.push(left);
                    }
                }
                Err(e) => return Err(SourceError { requests, ..e }),
            }
        }
        let currency = self.ctx.currency.as_deref();
        let mut records = Vec::with_capacity(ids.len());
        for id in &ids {
            match (found.get(id), unreadable.remove(id)) {
                (Some(row), _) => records.extend(edge_records(edge, row, currency)),
                (None, Some(why)) => records.push(broken(
                    edge_kind(edge),
                    id,
                    format!(
                        "Meta cannot read this {}: {why}",
                        edge_kind(edge).replace('_', " ")
                    ),
                )),
                (None, None) => records.push(broken(
                    edge_kind(edge),
                    id,
                    "Meta listed it but did not return it by id".to_owned(),
                )),
            }
        }
        let next = next_page(&page.body, cursor).map_or(Next::Done, Next::Page);
        Ok(Step {
            records,
            next,
            usage,
            requests,
            total: total(&page.body),
        })
    }

    async fn insights(&self, unit: &UnitSpec, cursor: Option<&str>) -> Result<Step, SourceError> {
        let param = |k: &str| unit.params.get(k).and_then(Value::as_str);
        let (Some(level), Some(since), Some(until)) =
            (param("level"), param("since"), param("until"))
        else {
            return Err(SourceError::permanent(format!(
                "the insights unit '{}' lacks its level or dates",
                unit.key
            )));
        };
        let Some(library_level) = insights_level(level) else {
            return Err(SourceError::permanent(format!(
                "'{level}' is not an insights level"
            )));
        };
        match cursor {
            None => {
                self.create_report(level, since, until, 1, 0, Usage::default())
                    .await
            }
            Some(c) => {
                if let Some(run) = c.strip_prefix("run:") {
                    let (run, polls) = match run.split_once('~') {
                        Some((run, n)) => (run, n.parse().unwrap_or(0)),
                        None => (run, 0),
                    };
                    let (id, attempt) = match run.split_once('@') {
                        Some((id, n)) => (id, n.parse().unwrap_or(1)),
                        None => (run, 1),
                    };
                    self.poll(id, attempt, polls, library_level, (level, since, until))
                        .await
                } else if let Some(page) = c.strip_prefix("page:") {
                    let (id, after) = page.split_once(':').ok_or_else(|| {
                        SourceError::permanent(format!("'{c}' is not an insights cursor"))
                    })?;
                    self.report_page(id, Some(after), library_level, 0, Usage::default())
                        .await
                } else {
                    Err(SourceError::permanent(format!(
                        "'{c}' is not an insights cursor"
                    )))
                }
            }
        }
    }

    /// Create the async report of one level and window (attempt `attempt`), after
    /// `before` requests in this step.
    async fn create_report(
        &self,
        level: &str,
        since: &str,
        until: &str,
        attempt: u32,
        before: u32,
        usage: Usage,
    ) -> Result<Step, SourceError> {
        let url = format!("{}/act_{}/insights", self.base, self.account);
        let mut form = vec![
            ("level", level.to_owned()),
            (
                "time_range",
                json!({"since": since, "until": until}).to_string(),
            ),
            ("time_increment", "1".to_owned()),
            ("fields", INSIGHTS_FIELDS.to_owned()),
        ];
        form.extend(self.filtering(false).map(|f| ("filtering", f)));
        let answer = self
            .send(self.ctx.http.post(url).form(&form))
            .await
            .map_err(|e| SourceError {
                requests: before + 1,
                ..e
            })?;
        let id = text(answer.body.get("report_run_id")).ok_or_else(|| SourceError {
            requests: before + 1,
            ..SourceError::transient("Meta created no insights report (no report_run_id)")
        })?;
        Ok(Step {
            records: Vec::new(),
            next: Next::Poll {
                cursor: run_cursor(&id, attempt, 0),
                after: poll_wait(0),
            },
            usage: higher(usage, answer.usage),
            requests: before + 1,
            total: None,
        })
    }

    async fn poll(
        &self,
        id: &str,
        attempt: u32,
        polls: u32,
        library_level: &'static str,
        (level, since, until): (&str, &str, &str),
    ) -> Result<Step, SourceError> {
        check_id(id)?;
        let url = format!("{}/{id}", self.base);
        let answer = self.send(self.ctx.http.get(url)).await?;
        let status = answer
            .body
            .get("async_status")
            .and_then(Value::as_str)
            .unwrap_or("");
        match status {
            "Job Completed" => {
                self.report_page(id, None, library_level, 1, answer.usage)
                    .await
            }
            // why: a failed or skipped report does not recover; Airbyte and Singer create it
            // again (research note §1.1 "Async insights"). Re-creating it here, in the same
            // step, means the engine never has to know which cursors to drop.
            "Job Failed" | "Job Skipped" => {
                if attempt >= REPORT_ATTEMPTS {
                    // Permanent: retrying this cursor would only poll the same dead report;
                    // a new import (or a retried unit from no cursor) starts afresh.
                    Err(SourceError {
                        requests: 1,
                        ..SourceError::permanent(format!(
                            "Meta's insights report {level} {since}–{until} ended '{status}' {attempt} times"
                        ))
                    })
                } else {
                    self.create_report(level, since, until, attempt + 1, 1, answer.usage)
                        .await
                }
            }
            _ => Ok(Step {
                records: Vec::new(),
                next: Next::Poll {
                    cursor: run_cursor(id, attempt, polls + 1),
                    after: poll_wait(polls + 1),
                },
                usage: answer.usage,
                requests: 1,
                total: None,
            }),
        }
    }

    /// One page of a completed report's rows, after `before` requests in this step.
    async fn report_page(
        &self,
        id: &str,
        after: Option<&str>,
        library_level: &'static str,
        before: u32,
        usage: Usage,
    ) -> Result<Step, SourceError> {
        check_id(id)?;
        let url = format!("{}/{id}/insights", self.base);
        let mut query = vec![("limit", String::new())];
        if let Some(after) = after {
            query.push(("after", after.to_owned()));
        }
        let (answer, requests) = self
            .get_page(&url, &query)
            .await
            .map_err(|e| SourceError {
                requests: before + e.requests,
                ..e
            })
            .map(|(answer, n)| (answer, before + n))?;
        let general = |row: &Value| match row {
            Value::Object(row) => metric(row, library_level),
            other => broken(
                "metric",
                "",
                format!("an insights row is not an object: {}", short(other)),
            ),
        };
        let page_usage = answer.usage;
        let (records, body) = match report_rows::read(&answer.bytes, library_level, general) {
            Some(page) => (page.records, page.meta),
            None => {
                let answer = answer
                    .into_object()
                    .map_err(|e| SourceError { requests, ..e })?;
                (rows(&answer.body).map(general).collect(), answer.body)
            }
        };
        let next =
            next_page(&body, after).map_or(Next::Done, |a| Next::Page(format!("page:{id}:{a}")));
        Ok(Step {
            records,
            next,
            usage: higher(usage, page_usage),
            requests,
            total: total(&body),
        })
    }
}

/// A report id goes into a URL path: digits only.
fn check_id(id: &str) -> Result<(), SourceError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SourceError::permanent(format!(
            "'{id}' is not a Meta report id"
        )))
    }
}

fn higher(a: Usage, b: Usage) -> Usage {
    Usage {
        highest_pct: a.highest_pct.max(b.highest_pct),
        regain_after: a.regain_after.max(b.regain_after),
    }
}

fn done(records: Vec<Record>, usage: Usage, requests: u32, total: Option<u64>) -> Step {
    Step {
        records,
        next: Next::Done,
        usage,
        requests,
        total,
    }
}

fn rows(body: &Map<String, Value>) -> impl Iterator<Item = &Value> {
    body.get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn total(body: &Map<String, Value>) -> Option<u64> {
    body.get("summary")
        .and_then(|s| s.get("total_count"))
        .and_then(|n| n.as_u64().or_else(|| n.as_str()?.parse().ok()))
}

/// The `after` cursor of the next page: only when `paging.next` says there is one, and
/// never the cursor just read (a platform answering the same cursor would loop forever).
fn next_page(body: &Map<String, Value>, current: Option<&str>) -> Option<String> {
    let paging = body.get("paging")?;
    paging.get("next").and_then(Value::as_str)?;
    let after = paging
        .get("cursors")
        .and_then(|c| c.get("after"))
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())?;
    (Some(after) != current).then(|| after.to_owned())
}

/// How many ids one `?ids=` lookup names (Graph's maximum is 50).
const IDS_PER_LOOKUP: usize = 50;

/// Whether Meta asked for a smaller page.
fn asks_less(e: &SourceError) -> bool {
    matches!(e.verdict, ApiVerdict::Transient { .. })
        && e.message().contains("reduce the amount of data")
}

/// The records of one listing row.
fn edge_records(edge: Edge, row: &Value, currency: Option<&str>) -> Vec<Record> {
    match row {
        Value::Object(row) => match edge {
            Edge::Campaigns => vec![campaign(row, currency)],
            Edge::AdSets => vec![ad_set(row, currency)],
            Edge::Ads => vec![ad(row)],
            Edge::Creatives => creative(row),
            Edge::Images => vec![image(row)],
            Edge::Videos => video(row),
        },
        other => vec![broken(
            edge_kind(edge),
            "",
            format!("a listing row is not an object: {}", short(other)),
        )],
    }
}

fn edge_kind(edge: Edge) -> &'static str {
    match edge {
        Edge::Campaigns => "campaign",
        Edge::AdSets => "ad_group",
        Edge::Ads => "ad",
        Edge::Creatives => "creative",
        Edge::Images | Edge::Videos => "asset",
    }
}

fn broken(kind: &str, id: &str, message: String) -> Record {
    Record::Broken {
        kind: kind.to_owned(),
        external_id: id.to_owned(),
        message,
    }
}

/// A bounded excerpt of a malformed value for an error message.
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

fn raw(row: &Map<String, Value>) -> String {
    Value::Object(row.clone()).to_string()
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn field<'v>(row: &'v Map<String, Value>, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(row.get(*first)?, |v, k| v.get(k))
}

fn field_str<'v>(row: &'v Map<String, Value>, path: &[&str]) -> Option<&'v str> {
    field(row, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn account_record(row: &Map<String, Value>, account: &str) -> Record {
    let code = row.get("account_status").and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    });
    let (status, status_raw) = account_status(code);
    Record::Account(AccountUpsert {
        platform: "meta".into(),
        external_id: text(row.get("account_id")).unwrap_or_else(|| account.to_owned()),
        name: text(row.get("name")).unwrap_or_else(|| format!("act_{account}")),
        currency: text(row.get("currency")).and_then(|c| money::currency(&c).ok()),
        timezone: text(row.get("timezone_name")),
        status: status.into(),
        status_raw,
        parent_external_id: field(row, &["business", "id"]).and_then(|v| text(Some(v))),
        raw_json: raw(row),
        ..AccountUpsert::default()
    })
}

/// `account_status` codes.
// why: 1 ACTIVE, 2 DISABLED, 3 UNSETTLED, 7 PENDING_RISK_REVIEW, 8 PENDING_SETTLEMENT,
// 9 IN_GRACE_PERIOD, 100 PENDING_CLOSURE, 101 CLOSED, 201 ANY_ACTIVE, 202 ANY_CLOSED
// (https://developers.facebook.com/docs/marketing-api/reference/ad-account/).
fn account_status(code: Option<i64>) -> (&'static str, Option<String>) {
    let Some(code) = code else {
        return ("other", None);
    };
    let (status, name) = match code {
        1 => ("active", "ACTIVE"),
        2 => ("other", "DISABLED"),
        3 => ("other", "UNSETTLED"),
        7 => ("other", "PENDING_RISK_REVIEW"),
        8 => ("other", "PENDING_SETTLEMENT"),
        9 => ("active", "IN_GRACE_PERIOD"),
        100 => ("other", "PENDING_CLOSURE"),
        101 => ("deleted", "CLOSED"),
        201 => ("active", "ANY_ACTIVE"),
        202 => ("deleted", "ANY_CLOSED"),
        _ => return ("other", Some(code.to_string())),
    };
    (status, Some(name.to_owned()))
}

/// An object's normalised status from its effective status (or its own status).
pub(crate) fn object_status(raw: Option<&str>) -> &'static str {
    match raw.unwrap_or("") {
        "ACTIVE" => "active",
        "PAUSED" | "CAMPAIGN_PAUSED" | "ADSET_PAUSED" => "paused",
        "ARCHIVED" => "archived",
        "DELETED" => "deleted",
        _ => "other",
    }
}

/// `OUTCOME_*` objectives (ODAX, since v17 the only ones for new campaigns) and the legacy
/// names older campaigns still carry.
// why: https://developers.facebook.com/docs/marketing-api/reference/ad-campaign-group/ lists
// both sets; the legacy ones map onto the outcome they were folded into.
pub(crate) fn objective(raw: &str) -> &'static str {
    match raw {
        "OUTCOME_AWARENESS" | "BRAND_AWARENESS" | "REACH" => "awareness",
        "OUTCOME_TRAFFIC" | "LINK_CLICKS" | "TRAFFIC" => "traffic",
        "OUTCOME_ENGAGEMENT" | "POST_ENGAGEMENT" | "PAGE_LIKES" | "EVENT_RESPONSES"
        | "MESSAGES" | "ENGAGEMENT" => "engagement",
        "OUTCOME_LEADS" | "LEAD_GENERATION" => "leads",
        "OUTCOME_SALES" | "CONVERSIONS" | "PRODUCT_CATALOG_SALES" | "STORE_VISITS" => "sales",
        "OUTCOME_APP_PROMOTION" | "APP_INSTALLS" => "app",
        "VIDEO_VIEWS" => "video_views",
        _ => "other",
    }
}

/// Meta's ISO 8601 time (`2026-01-05T10:00:00-0800`) as a UTC RFC 3339 instant.
pub(crate) fn utc_time(raw: &str) -> Option<String> {
    DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(raw))
        .ok()
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Secs, true)
        })
}

/// A budget: daily when set (non-zero), else lifetime; in micros of `currency`.
fn budget(row: &Map<String, Value>, currency: Option<&str>) -> (Option<i64>, Option<String>) {
    let set = |k: &str| text(row.get(k)).filter(|v| v.trim() != "0");
    let (raw, period) = match (set("daily_budget"), set("lifetime_budget")) {
        (Some(d), _) => (d, "daily"),
        (None, Some(l)) => (l, "lifetime"),
        (None, None) => return (None, None),
    };
    match currency.map(|c| money::meta_minor_to_micros(&raw, c)) {
        Some(Ok(m)) => (Some(m.0), Some(period.into())),
        // Unknown currency or an unreadable amount: left out (it stays in raw_json).
        _ => (None, None),
    }
}

fn minor(row: &Map<String, Value>, key: &str, currency: Option<&str>) -> Option<i64> {
    let raw = text(row.get(key))?;
    money::meta_minor_to_micros(&raw, currency?)
        .ok()
        .map(|m| m.0)
}

fn object_base(
    row: &Map<String, Value>,
    level: &str,
    native: &str,
    id: String,
    parent: Option<String>,
) -> ObjectUpsert {
    let status_raw = text(row.get("effective_status")).or_else(|| text(row.get("status")));
    let name = text(row.get("name")).unwrap_or_default();
    ObjectUpsert {
        level: level.into(),
        native_level: native.into(),
        external_id: id,
        parent_external_id: parent,
        status: object_status(status_raw.as_deref()).into(),
        status_raw,
        search_text: name.clone(),
        name,
        raw_json: raw(row),
        ..ObjectUpsert::default()
    }
}

fn campaign(row: &Map<String, Value>, currency: Option<&str>) -> Record {
    let Some(id) = text(row.get("id")) else {
        return broken("campaign", "", "a campaign without an id".into());
    };
    let mut o = object_base(row, "campaign", "campaign", id, None);
    let objective_raw = text(row.get("objective"));
    o.objective = objective_raw.as_deref().map(|r| objective(r).to_owned());
    o.objective_raw = objective_raw;
    (o.budget_micros, o.budget_period) = budget(row, currency);
    o.currency = currency.map(str::to_owned);
    o.start_at = field_str(row, &["start_time"]).and_then(utc_time);
    o.end_at = field_str(row, &["stop_time"]).and_then(utc_time);
    o.optimization_goal = text(row.get("bid_strategy"));
    Record::Object(o)
}

fn ad_set(row: &Map<String, Value>, currency: Option<&str>) -> Record {
    let Some(id) = text(row.get("id")) else {
        return broken("ad_group", "", "an ad set without an id".into());
    };
    let mut o = object_base(row, "ad_group", "ad set", id, text(row.get("campaign_id")));
    (o.budget_micros, o.budget_period) = budget(row, currency);
    o.bid_micros = minor(row, "bid_amount", currency);
    o.currency = currency.map(str::to_owned);
    o.start_at = field_str(row, &["start_time"]).and_then(utc_time);
    o.end_at = field_str(row, &["end_time"]).and_then(utc_time);
    o.optimization_goal = text(row.get("optimization_goal"));
    o.targeting_summary = row.get("targeting").and_then(targeting_summary);
    Record::Object(o)
}

/// "countries: US, CA; age: 18–65; platforms: facebook, instagram".
pub(crate) fn targeting_summary(t: &Value) -> Option<String> {
    let list = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| text(Some(x)))
            .collect()
    };
    let mut parts = Vec::new();
    let countries = list(t.get("geo_locations").and_then(|g| g.get("countries")));
    if !countries.is_empty() {
        parts.push(format!("countries: {}", countries.join(", ")));
    }
    let (min, max) = (text(t.get("age_min")), text(t.get("age_max")));
    match (min, max) {
        (Some(a), Some(b)) => parts.push(format!("age: {a}–{b}")),
        (Some(a), None) => parts.push(format!("age: {a}+")),
        (None, Some(b)) => parts.push(format!("age: up to {b}")),
        (None, None) => {}
    }
    let platforms = list(t.get("publisher_platforms"));
    if !platforms.is_empty() {
        parts.push(format!("platforms: {}", platforms.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn ad(row: &Map<String, Value>) -> Record {
    let Some(id) = text(row.get("id")) else {
        return broken("ad", "", "an ad without an id".into());
    };
    let mut o = object_base(row, "ad", "ad", id, text(row.get("adset_id")));
    o.creative_external_id = field(row, &["creative", "id"]).and_then(|v| text(Some(v)));
    o.final_url =
        field_str(row, &["creative", "object_story_spec", "link_data", "link"]).map(str::to_owned);
    o.review_status = review_status(row);
    Record::Object(o)
}

/// The review state, with Meta's feedback when it gave any
/// (`ad_review_feedback: {"global": {"<policy>": "<text>"}}`).
fn review_status(row: &Map<String, Value>) -> Option<String> {
    let state = match row.get("effective_status").and_then(Value::as_str) {
        Some("DISAPPROVED") => Some("disapproved"),
        Some("PENDING_REVIEW") => Some("pending_review"),
        Some("WITH_ISSUES") => Some("with_issues"),
        Some("PREAPPROVED") => Some("preapproved"),
        _ => None,
    };
    let mut feedback = Vec::new();
    if let Some(Value::Object(scopes)) = row.get("ad_review_feedback") {
        for entries in scopes.values() {
            if let Value::Object(entries) = entries {
                for (policy, text) in entries {
                    match text.as_str() {
                        Some(t) if !t.is_empty() => feedback.push(format!("{policy}: {t}")),
                        _ => feedback.push(policy.clone()),
                    }
                }
            }
        }
    }
    match (state, feedback.is_empty()) {
        (state, false) => Some(format!(
            "{}: {}",
            state.unwrap_or("feedback"),
            feedback.join("; ")
        )),
        (Some(state), true) => Some(state.to_owned()),
        (None, true) => None,
    }
}

/// Strings pushed once each, in order.
#[derive(Default)]
struct Texts(Vec<String>);

impl Texts {
    fn push(&mut self, s: Option<&str>) {
        if let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) {
            if !self.0.iter().any(|x| x == s) {
                self.0.push(s.to_owned());
            }
        }
    }
}

fn texts_of<'v>(v: Option<&'v Value>, key: &'v str) -> impl Iterator<Item = &'v str> + 'v {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(move |x| x.get(key).and_then(Value::as_str))
}

/// A creative, and the thumbnail asset it brings when it has no image or video of its own.
fn creative(row: &Map<String, Value>) -> Vec<Record> {
    let Some(id) = text(row.get("id")) else {
        return vec![broken("creative", "", "a creative without an id".into())];
    };
    let link = field(row, &["object_story_spec", "link_data"]);
    let video_data = field(row, &["object_story_spec", "video_data"]);
    let feed = row.get("asset_feed_spec").filter(|v| v.is_object());
    let children = link
        .and_then(|l| l.get("child_attachments"))
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty());

    let mut headlines = Texts::default();
    headlines.push(field_str(row, &["title"]));
    headlines.push(link.and_then(|l| str_at(l, &["name"])));
    headlines.push(video_data.and_then(|v| str_at(v, &["title"])));
    for t in texts_of(feed.and_then(|f| f.get("titles")), "text") {
        headlines.push(Some(t));
    }
    for c in children.into_iter().flatten() {
        headlines.push(str_at(c, &["name"]));
    }

    let mut bodies = Texts::default();
    bodies.push(field_str(row, &["body"]));
    bodies.push(link.and_then(|l| str_at(l, &["message"])));
    bodies.push(video_data.and_then(|v| str_at(v, &["message"])));
    for t in texts_of(feed.and_then(|f| f.get("bodies")), "text") {
        bodies.push(Some(t));
    }
    bodies.push(link.and_then(|l| str_at(l, &["description"])));
    for t in texts_of(feed.and_then(|f| f.get("descriptions")), "text") {
        bodies.push(Some(t));
    }
    for c in children.into_iter().flatten() {
        bodies.push(str_at(c, &["description"]));
    }

    let cta = field_str(row, &["call_to_action_type"])
        .or_else(|| link.and_then(|l| str_at(l, &["call_to_action", "type"])))
        .or_else(|| video_data.and_then(|v| str_at(v, &["call_to_action", "type"])))
        .or_else(|| {
            feed.and_then(|f| f.get("call_to_action_types"))
                .and_then(|c| c.get(0))
                .and_then(Value::as_str)
        })
        .map(str::to_owned);
    let landing_url = link
        .and_then(|l| str_at(l, &["link"]))
        .or_else(|| link.and_then(|l| str_at(l, &["call_to_action", "value", "link"])))
        .or_else(|| video_data.and_then(|v| str_at(v, &["call_to_action", "value", "link"])))
        .or_else(|| texts_of(feed.and_then(|f| f.get("link_urls")), "website_url").next())
        .or_else(|| {
            children
                .and_then(|c| c.first())
                .and_then(|c| str_at(c, &["link"]))
        })
        .map(str::to_owned);

    let mut images = Texts::default();
    images.push(field_str(row, &["image_hash"]));
    images.push(link.and_then(|l| str_at(l, &["image_hash"])));
    for c in children.into_iter().flatten() {
        images.push(str_at(c, &["image_hash"]));
    }
    for h in texts_of(feed.and_then(|f| f.get("images")), "hash") {
        images.push(Some(h));
    }
    let mut videos = Texts::default();
    let video_id = |v: Option<&Value>| v.and_then(|v| text(v.get("video_id")));
    videos.push(video_id(Some(&Value::Object(row.clone()))).as_deref());
    videos.push(video_id(video_data).as_deref());
    for c in children.into_iter().flatten() {
        videos.push(video_id(Some(c)).as_deref());
    }
    for v in feed
        .and_then(|f| f.get("videos"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        videos.push(video_id(Some(v)).as_deref());
    }

    let source_post_id = field_str(row, &["effective_object_story_id"]).map(str::to_owned);
    let format = if feed.is_some() {
        "dynamic"
    } else if children.is_some() {
        "carousel"
    } else if !videos.0.is_empty() {
        "video"
    } else if !images.0.is_empty() {
        "image"
    } else if source_post_id.is_some() && row.get("object_story_spec").is_none() {
        "post"
    } else {
        "text"
    };

    let mut links = Vec::new();
    let mut link_to = |key: String, role: &str| {
        let position = u32::try_from(links.len()).unwrap_or(u32::MAX);
        links.push(CreativeAssetLink {
            platform_key: key,
            role: role.into(),
            position,
        });
    };
    for h in &images.0 {
        link_to(format!("image:{h}"), "image");
    }
    for v in &videos.0 {
        link_to(format!("video:{v}"), "video");
    }
    let mut records = Vec::new();
    // why: `thumbnail_url` expires within days and is often tiny (research note §4); it is
    // only worth keeping when the creative has no image or video of its own (a post).
    let thumb_url = field_str(row, &["thumbnail_url"]).or_else(|| field_str(row, &["image_url"]));
    if images.0.is_empty() && videos.0.is_empty() {
        if let Some(url) = thumb_url {
            let key = format!("thumb:{id}");
            link_to(key.clone(), "thumbnail");
            records.push(Record::Asset(AssetRef {
                platform_key: key,
                kind: "thumbnail".into(),
                name: text(row.get("name")).unwrap_or_else(|| id.clone()),
                url: Some(url.to_owned()),
                raw_json: json!({"creative_id": id, "thumbnail_url": url}).to_string(),
                ..AssetRef::default()
            }));
        }
    }
    records.insert(
        0,
        Record::Creative(CreativeUpsert {
            name: text(row.get("name")).unwrap_or_default(),
            external_id: id,
            format: format.into(),
            headlines: headlines.0,
            bodies: bodies.0,
            cta,
            landing_url,
            url_tags: field_str(row, &["url_tags"]).map(str::to_owned),
            source_post_id,
            assets: links,
            raw_json: raw(row),
        }),
    );
    records
}

fn dimension(row: &Map<String, Value>, key: &str) -> Option<u32> {
    let v = row.get(key)?;
    v.as_u64()
        .or_else(|| v.as_str()?.trim().parse().ok())
        .and_then(|n| u32::try_from(n).ok())
}

fn image(row: &Map<String, Value>) -> Record {
    let Some(hash) = text(row.get("hash")) else {
        return broken("asset", "", "an ad image without a hash".into());
    };
    Record::Asset(AssetRef {
        platform_key: format!("image:{hash}"),
        kind: "image".into(),
        name: text(row.get("name")).unwrap_or_else(|| hash.clone()),
        url: text(row.get("url")),
        width: dimension(row, "width"),
        height: dimension(row, "height"),
        raw_json: raw(row),
        ..AssetRef::default()
    })
}

/// A video and its poster image.
fn video(row: &Map<String, Value>) -> Vec<Record> {
    let Some(id) = text(row.get("id")) else {
        return vec![broken("asset", "", "an ad video without an id".into())];
    };
    let key = format!("video:{id}");
    let name = text(row.get("title")).unwrap_or_else(|| id.clone());
    let duration_ms = row
        .get("length")
        .and_then(|l| l.as_f64().or_else(|| l.as_str()?.trim().parse().ok()))
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| (s * 1000.0).round() as u64);
    let mut out = vec![Record::Asset(AssetRef {
        platform_key: key.clone(),
        kind: "video".into(),
        name: name.clone(),
        url: text(row.get("source")),
        duration_ms,
        raw_json: raw(row),
        ..AssetRef::default()
    })];
    if let Some(picture) = text(row.get("picture")) {
        out.push(Record::Asset(AssetRef {
            platform_key: format!("videopic:{id}"),
            kind: "thumbnail".into(),
            name,
            url: Some(picture.clone()),
            thumbnail_of: Some(key),
            raw_json: json!({"video_id": id, "picture": picture}).to_string(),
            ..AssetRef::default()
        }));
    }
    out
}

/// The sum of the conversion action types in an `actions`/`action_values` list.
fn conversions(list: Option<&Value>) -> Result<i64, money::MoneyError> {
    let mut sum = 0i64;
    for a in list.and_then(Value::as_array).into_iter().flatten() {
        let kind = a.get("action_type").and_then(Value::as_str).unwrap_or("");
        if CONVERSION_ACTIONS.contains(&kind) {
            let value = a.get("value").cloned().unwrap_or(Value::Null);
            sum = sum.saturating_add(money::json_major_to_micros(&value)?.0);
        }
    }
    Ok(sum)
}

fn count(row: &Map<String, Value>, key: &str) -> Result<Option<i64>, String> {
    match row.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str()?.trim().parse().ok())
            .map(Some)
            .ok_or_else(|| format!("{key} is not a whole number")),
    }
}

/// The row's action lists kept as they came, `{"action_values": …, "actions": …}`
/// (serialised from references: no copy of the lists per row).
fn extra_of(row: &Map<String, Value>) -> String {
    #[derive(serde::Serialize)]
    struct Extra<'a> {
        action_values: &'a Value,
        actions: &'a Value,
    }
    serde_json::to_string(&Extra {
        action_values: row.get("action_values").unwrap_or(&Value::Null),
        actions: row.get("actions").unwrap_or(&Value::Null),
    })
    .unwrap_or_else(|_| "{}".into())
}

pub(super) fn metric(row: &Map<String, Value>, level: &'static str) -> Record {
    let id_key = match level {
        "campaign" => "campaign_id",
        "ad_group" => "adset_id",
        _ => "ad_id",
    };
    let id = text(row.get(id_key)).unwrap_or_default();
    let parsed = (|| -> Result<MetricUpsert, String> {
        if id.is_empty() {
            return Err(format!("an insights row without {id_key}"));
        }
        let date = text(row.get("date_start")).ok_or("an insights row without date_start")?;
        let spend = match text(row.get("spend")) {
            Some(s) => money::decimal_to_micros(&s).map_err(|e| e.to_string())?.0,
            None => 0,
        };
        Ok(MetricUpsert {
            level: level.into(),
            external_id: id.clone(),
            date,
            breakdown: String::new(),
            impressions: count(row, "impressions")?.unwrap_or(0),
            clicks: count(row, "clicks")?.unwrap_or(0),
            spend_micros: spend,
            currency: text(row.get("account_currency")),
            conversions_micros: conversions(row.get("actions")).map_err(|e| e.to_string())?,
            conversion_value_micros: conversions(row.get("action_values"))
                .map_err(|e| e.to_string())?,
            video_views: None,
            reach: count(row, "reach")?,
            extra: extra_of(row),
        })
    })();
    match parsed {
        Ok(m) => Record::Metric(m),
        Err(message) => broken("metric", &id, message),
    }
}
