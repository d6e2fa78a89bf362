//! The Google Ads API (REST) as an [`ImportSource`]: each unit is ONE
//! `googleAds:searchStream` request whose answer (a JSON array of batches) is read batch
//! by batch as it arrives; there is no cursor (a retried unit asks again from the start).
//!
//! Units: `customer`, `campaigns`, `ad_groups`, `ads`, `assets`, and
//! `metrics:<level>:<since>` (params `level` = campaign | ad_group | ad_group_ad, `since`,
//! `until`) per window of at most 31 days.
//!
//! Records by unit: `customer` → one `Account` (parent = the login customer, the manager);
//! `campaigns`/`ad_groups` → `Object`s; `ads` → per ad a `Creative` (external id = the ad
//! id) followed by its `Object`; `assets` → `asset:<resource name>` `Asset`s (images, and
//! YouTube references without a URL); metrics → `Metric`s. Campaign start and end are
//! Google's account-local dates kept as `YYYY-MM-DD` text (no instant can be made of them);
//! the open end 2037-12-30 is `None`. An error element inside a 200 stream fails the
//! step (the records read before it are dropped; a retry reads the unit again).

use super::limits as google_limits;
use super::stream::ArraySplitter;
use super::API_VERSION;
use crate::http::text;
use crate::import::{
    api_origin, metric_windows, transport_error, AccountUpsert, AssetRef, CreativeAssetLink,
    CreativeUpsert, ImportScope, ImportSource, MetricUpsert, Next, ObjectUpsert, Record, SourceCtx,
    SourceError, SourceLimits, Stage, Step, UnitSpec,
};
use crate::limits::{ApiVerdict, Usage};
use crate::money;
use async_trait::async_trait;
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};

/// The Google Ads API import.
pub struct GoogleAdsImport;

const PLATFORM: &str = "Google Ads";

/// The largest single batch accepted (10,000 rows of a wide query stay far below).
const MAX_BATCH_BYTES: usize = 256 * 1024 * 1024;

/// The most of an error answer read.
const MAX_ERROR_BYTES: usize = 1024 * 1024;

/// Google's "no end date" (campaigns without an end carry this date).
// why: research note §1.2 ("open end = 2037-12-30").
const OPEN_END: &str = "2037-12-30";

const CUSTOMER_QUERY: &str = "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, customer.manager, customer.status FROM customer";
const CAMPAIGN_QUERY: &str = "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, campaign.bidding_strategy_type, campaign.start_date, campaign.end_date, campaign_budget.amount_micros, campaign_budget.total_amount_micros, campaign_budget.period FROM campaign";
const AD_GROUP_QUERY: &str = "SELECT ad_group.id, ad_group.name, ad_group.status, ad_group.type, ad_group.cpc_bid_micros, campaign.id FROM ad_group";
const AD_QUERY: &str = "SELECT ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.type, ad_group_ad.ad.final_urls, ad_group_ad.ad.responsive_search_ad.headlines, ad_group_ad.ad.responsive_search_ad.descriptions, ad_group_ad.ad.responsive_display_ad.marketing_images, ad_group_ad.ad.responsive_display_ad.headlines, ad_group_ad.ad.responsive_display_ad.long_headline, ad_group_ad.ad.responsive_display_ad.descriptions, ad_group_ad.status, ad_group_ad.policy_summary.approval_status, ad_group.id, campaign.id FROM ad_group_ad";
const ASSET_QUERY: &str = "SELECT asset.resource_name, asset.id, asset.name, asset.type, asset.image_asset.full_size.url, asset.image_asset.full_size.width_pixels, asset.image_asset.full_size.height_pixels, asset.image_asset.mime_type, asset.image_asset.file_size, asset.youtube_video_asset.youtube_video_id, asset.youtube_video_asset.youtube_video_title FROM asset WHERE asset.type IN ('IMAGE', 'YOUTUBE_VIDEO')";

/// The entity units: key, stage, query.
const ENTITY_UNITS: &[(&str, Stage, &str)] = &[
    ("customer", Stage::Account, CUSTOMER_QUERY),
    ("campaigns", Stage::Campaigns, CAMPAIGN_QUERY),
    ("ad_groups", Stage::AdGroups, AD_GROUP_QUERY),
    ("ads", Stage::Ads, AD_QUERY),
    ("assets", Stage::Assets, ASSET_QUERY),
];

/// Metrics levels: the GAQL resource, its id field, and the library's level.
const METRIC_LEVELS: &[(&str, &str, &str)] = &[
    ("campaign", "campaign.id", "campaign"),
    ("ad_group", "ad_group.id", "ad_group"),
    ("ad_group_ad", "ad_group_ad.ad.id", "ad"),
];

#[async_trait]
impl ImportSource for GoogleAdsImport {
    fn plan(&self, scope: &ImportScope) -> Vec<UnitSpec> {
        let mut units: Vec<UnitSpec> = ENTITY_UNITS
            .iter()
            .map(|(key, stage, _)| UnitSpec {
                key: (*key).into(),
                stage: *stage,
                params: Value::Null,
                days: 0,
                // Budgets, bids and metrics carry no currency: the engine fills
                // `SourceCtx::currency` from the stored customer, so those units wait for it.
                after: if matches!(*stage, Stage::Campaigns | Stage::AdGroups) {
                    vec![Stage::Account]
                } else {
                    Vec::new()
                },
            })
            .collect();
        if let Some(window) = scope.metrics {
            for (level, _, _) in METRIC_LEVELS {
                for (since, until, days) in metric_windows(window) {
                    units.push(UnitSpec {
                        key: format!("metrics:{level}:{since}"),
                        stage: Stage::Metrics,
                        params: json!({"level": level, "since": since.to_string(), "until": until.to_string()}),
                        days,
                        after: vec![Stage::Account],
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
        _cursor: Option<&str>,
    ) -> Result<Step, SourceError> {
        let (query, kind) = query_of(ctx.scope, unit)?;
        let records = search_stream(ctx, &query, kind.name(), |row, out| match kind {
            Kind::Customer => out.push(customer(
                row,
                ctx.scope
                    .manager
                    .as_deref()
                    .or(ctx.app.login_customer_id.as_deref()),
            )),
            Kind::Campaign => out.push(campaign(row, ctx.currency.as_deref())),
            Kind::AdGroup => out.push(ad_group(row, ctx.currency.as_deref())),
            Kind::Ad => out.extend(ad(row)),
            Kind::Asset => out.extend(asset(row)),
            Kind::Metric(level) => out.push(metric(row, level, ctx.currency.as_deref())),
        })
        .await
        .map_err(|e| redact(e, ctx))?;
        let total = Some(records.len() as u64);
        Ok(Step {
            records,
            next: Next::Done,
            usage: Usage::default(),
            requests: 1,
            total,
        })
    }

    fn limits(&self) -> SourceLimits {
        SourceLimits {
            concurrency: 4,
            download_concurrency: 16,
            max_page_size: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Customer,
    Campaign,
    AdGroup,
    Ad,
    Asset,
    /// The library's level.
    Metric(&'static str),
}

impl Kind {
    /// The kind named in [`Record::Broken`].
    fn name(self) -> &'static str {
        match self {
            Kind::Customer => "account",
            Kind::Campaign => "campaign",
            Kind::AdGroup => "ad_group",
            Kind::Ad => "ad",
            Kind::Asset => "asset",
            Kind::Metric(_) => "metric",
        }
    }
}

/// `'123', '456'` for a GAQL `IN (…)`; ids are digits only, so nothing can be injected.
fn id_list(ids: &[String]) -> Result<String, SourceError> {
    ids.iter()
        .map(|id| {
            let id = id.trim();
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
                Ok(id.to_owned())
            } else {
                Err(SourceError::permanent(format!(
                    "'{id}' is not a Google Ads campaign id"
                )))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(|ids| ids.join(", "))
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The GAQL query of a unit, with the selected campaigns.
fn query_of(scope: &ImportScope, unit: &UnitSpec) -> Result<(String, Kind), SourceError> {
    let campaigns = (!scope.campaigns.is_empty())
        .then(|| id_list(&scope.campaigns))
        .transpose()?;
    let in_campaigns = |q: &str, joiner: &str| match &campaigns {
        Some(ids) => format!("{q} {joiner} campaign.id IN ({ids})"),
        None => q.to_owned(),
    };
    if let Some((key, _, query)) = ENTITY_UNITS.iter().find(|(k, _, _)| *k == unit.key) {
        let kind = match *key {
            "customer" => Kind::Customer,
            "campaigns" => Kind::Campaign,
            "ad_groups" => Kind::AdGroup,
            "ads" => Kind::Ad,
            _ => Kind::Asset,
        };
        let query = match kind {
            Kind::Campaign | Kind::AdGroup | Kind::Ad => in_campaigns(query, "WHERE"),
            _ => (*query).to_owned(),
        };
        return Ok((query, kind));
    }
    let param = |k: &str| unit.params.get(k).and_then(Value::as_str);
    if let (Some(level), Some(since), Some(until)) =
        (param("level"), param("since"), param("until"))
    {
        let Some((resource, id_field, library_level)) =
            METRIC_LEVELS.iter().find(|(r, _, _)| *r == level)
        else {
            return Err(SourceError::permanent(format!(
                "'{level}' is not a Google Ads metrics level"
            )));
        };
        if !is_date(since) || !is_date(until) {
            return Err(SourceError::permanent(format!(
                "the metrics unit '{}' has no valid dates",
                unit.key
            )));
        }
        let query = format!(
            "SELECT {id_field}, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value FROM {resource} WHERE segments.date BETWEEN '{since}' AND '{until}'"
        );
        return Ok((in_campaigns(&query, "AND"), Kind::Metric(library_level)));
    }
    Err(SourceError::permanent(format!(
        "Google Ads has no import unit '{}'",
        unit.key
    )))
}

/// The customer id as the URL wants it: digits only (`123-456-7890` is accepted).
fn customer_id(raw: &str) -> Result<String, SourceError> {
    let digits: String = raw.chars().filter(|c| *c != '-').collect();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(SourceError::permanent(format!(
            "'{raw}' is not a Google Ads customer id"
        )))
    }
}

/// The token and the developer token never appear in a message.
fn redact(mut e: SourceError, ctx: &SourceCtx<'_>) -> SourceError {
    let mut secrets = vec![ctx.token.expose_secret()];
    secrets.extend(ctx.app.developer_token.as_ref().map(|t| t.expose_secret()));
    match &mut e.verdict {
        ApiVerdict::RateLimited { raw, .. }
        | ApiVerdict::ReconnectNeeded { raw }
        | ApiVerdict::BrokenObject { raw }
        | ApiVerdict::Transient { raw }
        | ApiVerdict::Permanent { raw } => {
            for s in secrets.into_iter().filter(|s| !s.is_empty()) {
                if raw.contains(s) {
                    *raw = raw.replace(s, "[redacted]");
                }
            }
        }
    }
    e
}

/// POST one query to searchStream and turn each row into records as its batch arrives.
async fn search_stream(
    ctx: &SourceCtx<'_>,
    query: &str,
    kind: &str,
    mut row: impl FnMut(&Map<String, Value>, &mut Vec<Record>),
) -> Result<Vec<Record>, SourceError> {
    let developer_token = ctx.app.developer_token.as_ref().ok_or_else(|| {
        SourceError::permanent(
            "Google Ads needs the developer token from the API Center; enter it in the app credentials",
        )
    })?;
    let customer = customer_id(&ctx.scope.account)?;
    let url = format!(
        "{}/{API_VERSION}/customers/{customer}/googleAds:searchStream",
        api_origin(ctx.descriptor)?
    );
    // why: every call carries `developer-token`; `login-customer-id` names the manager a
    // client account is reached through, digits only
    // (https://developers.google.com/google-ads/api/rest/auth).
    let mut request = ctx
        .http
        .post(url)
        .bearer_auth(ctx.token.expose_secret())
        .header("developer-token", developer_token.expose_secret())
        .json(&json!({ "query": query }));
    // The manager the account was reached through at sign-in wins over the app's own.
    let manager = ctx
        .scope
        .manager
        .as_deref()
        .or(ctx.app.login_customer_id.as_deref());
    if let Some(manager) = manager {
        let digits: String = manager.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            request = request.header("login-customer-id", digits);
        }
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| transport_error(PLATFORM, e))?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(PLATFORM, e))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ERROR_BYTES {
                break;
            }
        }
        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
        return Err(SourceError::new(google_limits::classify(status, &body)));
    }
    let mut splitter = ArraySplitter::new(MAX_BATCH_BYTES);
    let mut records = Vec::new();
    let malformed =
        |what: String| SourceError::transient(format!("Google Ads answered a stream that {what}"));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(PLATFORM, e))?
    {
        for batch in splitter
            .push(&chunk)
            .map_err(|e| malformed(format!("could not be read ({e})")))?
        {
            let batch: Value = serde_json::from_slice(&batch)
                .map_err(|e| malformed(format!("holds a batch that is not JSON ({e})")))?;
            // why: an error that happens mid-stream arrives as a later element of the
            // 200 answer's array (research note §1.2).
            if batch.get("error").is_some() {
                return Err(SourceError::new(google_limits::classify(status, &batch)));
            }
            for result in batch
                .get("results")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match result {
                    Value::Object(r) => row(r, &mut records),
                    _ => records.push(broken(kind, "", "a result row is not an object".into())),
                }
            }
        }
    }
    splitter
        .finish()
        .map_err(|e| malformed(format!("could not be read ({e})")))?;
    Ok(records)
}

fn broken(kind: &str, id: &str, message: String) -> Record {
    Record::Broken {
        kind: kind.to_owned(),
        external_id: id.to_owned(),
        message,
    }
}

fn raw(row: &Map<String, Value>) -> String {
    Value::Object(row.clone()).to_string()
}

fn at<'v>(row: &'v Map<String, Value>, path: &[&str]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(row.get(*first)?, |v, k| v.get(k))
}

fn text_at(row: &Map<String, Value>, path: &[&str]) -> Option<String> {
    text(at(row, path))
}

fn texts<'v>(v: Option<&'v Value>) -> impl Iterator<Item = String> + 'v {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| text(x.get("text")))
}

/// ENABLED / PAUSED / REMOVED, the statuses of campaigns, ad groups and ads.
pub(crate) fn status(raw: Option<&str>) -> &'static str {
    match raw {
        Some("ENABLED") => "active",
        Some("PAUSED") => "paused",
        Some("REMOVED") => "deleted",
        _ => "other",
    }
}

/// The objective a channel type stands for.
pub(crate) fn objective(channel: &str) -> &'static str {
    match channel {
        "SEARCH" => "traffic",
        "DISPLAY" => "awareness",
        "VIDEO" => "video_views",
        "PERFORMANCE_MAX" | "SHOPPING" => "sales",
        // why: app campaigns are MULTI_CHANNEL with an app sub-type
        // (https://developers.google.com/google-ads/api/reference/rpc/v22/AdvertisingChannelTypeEnum.AdvertisingChannelType).
        "MULTI_CHANNEL" => "app",
        _ => "other",
    }
}

fn customer(row: &Map<String, Value>, login_customer: Option<&str>) -> Record {
    let Some(id) = text_at(row, &["customer", "id"]) else {
        return broken("account", "", "a customer without an id".into());
    };
    let status_raw = text_at(row, &["customer", "status"]);
    let status = match status_raw.as_deref() {
        Some("ENABLED") => "active",
        Some("CANCELED" | "CLOSED") => "deleted",
        _ => "other",
    };
    let manager = login_customer
        .map(|m| m.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|m| !m.is_empty() && *m != id);
    Record::Account(AccountUpsert {
        platform: "google_ads".into(),
        name: text_at(row, &["customer", "descriptiveName"]).unwrap_or_else(|| id.clone()),
        external_id: id,
        currency: text_at(row, &["customer", "currencyCode"])
            .and_then(|c| money::currency(&c).ok()),
        timezone: text_at(row, &["customer", "timeZone"]),
        status: status.into(),
        status_raw,
        parent_external_id: manager,
        raw_json: raw(row),
        ..AccountUpsert::default()
    })
}

fn micros(v: Option<&Value>) -> Option<i64> {
    money::google_micros(&text(v)?).ok().map(|m| m.0)
}

/// Google's account-local date kept as `YYYY-MM-DD` text (there is no time or zone to turn
/// it into an instant); the open end is no end.
fn date(v: Option<&Value>) -> Option<String> {
    text(v).filter(|d| d != OPEN_END && is_date(d))
}

fn object(
    row: &Map<String, Value>,
    resource: &str,
    level: &str,
    native: &str,
    parent: Option<String>,
) -> Option<ObjectUpsert> {
    let id = text_at(row, &[resource, "id"])?;
    let status_raw = text_at(row, &[resource, "status"]);
    let name = text_at(row, &[resource, "name"]).unwrap_or_default();
    Some(ObjectUpsert {
        level: level.into(),
        native_level: native.into(),
        external_id: id,
        parent_external_id: parent,
        status: status(status_raw.as_deref()).into(),
        status_raw,
        search_text: name.clone(),
        name,
        raw_json: raw(row),
        ..ObjectUpsert::default()
    })
}

fn campaign(row: &Map<String, Value>, currency: Option<&str>) -> Record {
    let Some(mut o) = object(row, "campaign", "campaign", "campaign", None) else {
        return broken("campaign", "", "a campaign without an id".into());
    };
    let channel = text_at(row, &["campaign", "advertisingChannelType"]);
    o.objective = channel.as_deref().map(|c| objective(c).to_owned());
    o.objective_raw = channel;
    o.optimization_goal = text_at(row, &["campaign", "biddingStrategyType"]);
    let period = text_at(row, &["campaignBudget", "period"]);
    (o.budget_micros, o.budget_period) = match period.as_deref() {
        Some("DAILY") => (
            micros(at(row, &["campaignBudget", "amountMicros"])),
            Some("daily".into()),
        ),
        _ => match micros(at(row, &["campaignBudget", "totalAmountMicros"])) {
            Some(m) => (Some(m), Some("lifetime".into())),
            None => (None, None),
        },
    };
    o.currency = currency.map(str::to_owned);
    o.start_at = date(at(row, &["campaign", "startDate"]));
    o.end_at = date(at(row, &["campaign", "endDate"]));
    Record::Object(o)
}

fn ad_group(row: &Map<String, Value>, currency: Option<&str>) -> Record {
    let parent = text_at(row, &["campaign", "id"]);
    let Some(mut o) = object(row, "adGroup", "ad_group", "ad group", parent) else {
        return broken("ad_group", "", "an ad group without an id".into());
    };
    o.bid_micros = micros(at(row, &["adGroup", "cpcBidMicros"]));
    o.currency = currency.map(str::to_owned);
    Record::Object(o)
}

/// The creative format an ad type stands for.
fn ad_format(kind: &str) -> &'static str {
    match kind {
        "RESPONSIVE_SEARCH_AD" | "EXPANDED_TEXT_AD" | "TEXT_AD" | "CALL_AD" => "text",
        "RESPONSIVE_DISPLAY_AD" | "IMAGE_AD" | "DEMAND_GEN_MULTI_ASSET_AD" => "image",
        k if k.starts_with("VIDEO") => "video",
        _ => "other",
    }
}

/// An ad's creative (its copy and images, external id = the ad id), then the ad.
fn ad(row: &Map<String, Value>) -> Vec<Record> {
    let Some(ad) = at(row, &["adGroupAd", "ad"]).and_then(Value::as_object) else {
        return vec![broken("ad", "", "an ad row without its ad".into())];
    };
    let Some(id) = text(ad.get("id")) else {
        return vec![broken("ad", "", "an ad without an id".into())];
    };
    let rsa = ad.get("responsiveSearchAd");
    let rda = ad.get("responsiveDisplayAd");
    let mut headlines: Vec<String> = texts(rsa.and_then(|r| r.get("headlines"))).collect();
    headlines.extend(texts(rda.and_then(|r| r.get("headlines"))));
    headlines.extend(text(
        rda.and_then(|r| r.get("longHeadline"))
            .and_then(|l| l.get("text")),
    ));
    let mut bodies: Vec<String> = texts(rsa.and_then(|r| r.get("descriptions"))).collect();
    bodies.extend(texts(rda.and_then(|r| r.get("descriptions"))));
    let final_url = ad
        .get("finalUrls")
        .and_then(|u| u.get(0))
        .and_then(|u| text(Some(u)));
    let assets = rda
        .and_then(|r| r.get("marketingImages"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| text(i.get("asset")))
        .enumerate()
        .map(|(i, name)| CreativeAssetLink {
            platform_key: format!("asset:{name}"),
            role: "marketing_image".into(),
            position: u32::try_from(i).unwrap_or(u32::MAX),
        })
        .collect();
    let kind = text(ad.get("type"));
    let name = text(ad.get("name"))
        .or_else(|| headlines.first().cloned())
        .unwrap_or_else(|| format!("Ad {id}"));
    let creative = CreativeUpsert {
        external_id: id.clone(),
        format: ad_format(kind.as_deref().unwrap_or("")).into(),
        name: name.clone(),
        headlines,
        bodies,
        cta: None,
        landing_url: final_url.clone(),
        url_tags: None,
        source_post_id: None,
        assets,
        raw_json: Value::Object(ad.clone()).to_string(),
    };
    let status_raw = text_at(row, &["adGroupAd", "status"]);
    let object = ObjectUpsert {
        level: "ad".into(),
        native_level: "ad".into(),
        external_id: id.clone(),
        parent_external_id: text_at(row, &["adGroup", "id"]),
        status: status(status_raw.as_deref()).into(),
        status_raw,
        creative_external_id: Some(id),
        review_status: text_at(row, &["adGroupAd", "policySummary", "approvalStatus"])
            .map(|s| s.to_ascii_lowercase()),
        final_url,
        search_text: name.clone(),
        name,
        raw_json: raw(row),
        ..ObjectUpsert::default()
    };
    vec![Record::Creative(creative), Record::Object(object)]
}

/// Google's image MIME enum as a MIME type.
fn mime(raw: &str) -> Option<&'static str> {
    match raw {
        "IMAGE_PNG" => Some("image/png"),
        "IMAGE_JPEG" => Some("image/jpeg"),
        "IMAGE_GIF" => Some("image/gif"),
        "IMAGE_WEBP" => Some("image/webp"),
        _ => None,
    }
}

fn pixels(v: Option<&Value>) -> Option<u32> {
    let v = v?;
    v.as_u64()
        .or_else(|| v.as_str()?.trim().parse().ok())
        .and_then(|n| u32::try_from(n).ok())
}

fn asset(row: &Map<String, Value>) -> Option<Record> {
    let Some(name) = text_at(row, &["asset", "resourceName"]) else {
        return Some(broken(
            "asset",
            "",
            "an asset without a resource name".into(),
        ));
    };
    let key = format!("asset:{name}");
    let label = text_at(row, &["asset", "name"])
        .or_else(|| text_at(row, &["asset", "id"]))
        .unwrap_or_else(|| name.clone());
    match text_at(row, &["asset", "type"]).as_deref() {
        Some("IMAGE") => Some(Record::Asset(AssetRef {
            platform_key: key,
            kind: "image".into(),
            name: label,
            url: text_at(row, &["asset", "imageAsset", "fullSize", "url"]),
            announced_mime: text_at(row, &["asset", "imageAsset", "mimeType"])
                .and_then(|m| mime(&m))
                .map(str::to_owned),
            width: pixels(at(row, &["asset", "imageAsset", "fullSize", "widthPixels"])),
            height: pixels(at(
                row,
                &["asset", "imageAsset", "fullSize", "heightPixels"],
            )),
            raw_json: raw(row),
            ..AssetRef::default()
        })),
        // A YouTube video is a reference: there is no file to download.
        Some("YOUTUBE_VIDEO") => Some(Record::Asset(AssetRef {
            platform_key: key,
            kind: "youtube".into(),
            name: text_at(row, &["asset", "youtubeVideoAsset", "youtubeVideoTitle"])
                .unwrap_or(label),
            url: None,
            raw_json: raw(row),
            ..AssetRef::default()
        })),
        _ => None,
    }
}

fn count(v: Option<&Value>) -> Result<i64, String> {
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str()?.trim().parse().ok())
            .ok_or_else(|| format!("'{v}' is not a whole number")),
    }
}

fn double_micros(v: Option<&Value>) -> Result<i64, String> {
    match v {
        None | Some(Value::Null) => Ok(0),
        Some(v) => money::double_to_micros(v)
            .map(|m| m.0)
            .map_err(|e| e.to_string()),
    }
}

fn metric(row: &Map<String, Value>, level: &'static str, currency: Option<&str>) -> Record {
    let id = match level {
        "campaign" => text_at(row, &["campaign", "id"]),
        "ad_group" => text_at(row, &["adGroup", "id"]),
        _ => text_at(row, &["adGroupAd", "ad", "id"]),
    }
    .unwrap_or_default();
    let parsed = (|| -> Result<MetricUpsert, String> {
        if id.is_empty() {
            return Err("a metrics row without its object's id".into());
        }
        let date = text_at(row, &["segments", "date"]).ok_or("a metrics row without a date")?;
        let m = |k: &str| at(row, &["metrics", k]);
        Ok(MetricUpsert {
            level: level.into(),
            external_id: id.clone(),
            date,
            breakdown: String::new(),
            impressions: count(m("impressions"))?,
            clicks: count(m("clicks"))?,
            spend_micros: match text(m("costMicros")) {
                Some(c) => money::google_micros(&c).map_err(|e| e.to_string())?.0,
                None => 0,
            },
            currency: currency.map(str::to_owned),
            conversions_micros: double_micros(m("conversions"))?,
            conversion_value_micros: double_micros(m("conversionsValue"))?,
            video_views: None,
            reach: None,
            extra: Value::Object(
                row.get("metrics")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            )
            .to_string(),
        })
    })();
    match parsed {
        Ok(m) => Record::Metric(m),
        Err(message) => broken("metric", &id, message),
    }
}
