//! Importing from an ad platform: what one platform's source yields, and the plan of
//! independent request sequences ("units") an import of one ad account is made of.
//!
//! The engine (`switchboard-library`) owns jobs, checkpoints, concurrency, pacing, storage
//! and asset downloads; a source only turns one step of one unit into normalised records
//! and says what comes next. A unit's cursor is an opaque string the source gave back, so
//! a job resumed after a crash continues exactly where its last committed step ended.

use crate::limits::{ApiVerdict, Usage};
use async_trait::async_trait;
use chrono::NaiveDate;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use switchboard_oauth::{AppCredentials, ProviderDescriptor};
pub use switchboard_store::domain::{
    AccountUpsert, AssetRef, CreativeAssetLink, CreativeUpsert, MetricUpsert, ObjectUpsert,
};

/// What an import covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportScope {
    /// The platform's id of the ad account (Meta without `act_`, Google's customer id
    /// without dashes).
    pub account: String,
    /// Only these campaigns (platform ids) and what hangs under them; empty = everything.
    #[serde(default)]
    pub campaigns: Vec<String>,
    /// Daily metrics from `since` to `until`, both included (account time zone); `None`
    /// imports no metrics.
    pub metrics: Option<MetricsWindow>,
    /// The manager account the grant reaches this account through (Google Ads MCC: sent
    /// as `login-customer-id`, over the app's configured one).
    #[serde(default)]
    pub manager: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsWindow {
    pub since: NaiveDate,
    pub until: NaiveDate,
}

impl MetricsWindow {
    pub fn days(&self) -> u32 {
        u32::try_from((self.until - self.since).num_days() + 1).unwrap_or(0)
    }
}

/// Which progress counter a unit feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Account,
    Campaigns,
    AdGroups,
    Ads,
    Creatives,
    /// Listings of images / videos (hash → URL); the downloads are the engine's.
    Assets,
    Metrics,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Account => "account",
            Stage::Campaigns => "campaigns",
            Stage::AdGroups => "ad_groups",
            Stage::Ads => "ads",
            Stage::Creatives => "creatives",
            Stage::Assets => "assets",
            Stage::Metrics => "metrics",
        }
    }
}

/// One independent sequence of requests: a listing followed page by page, one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSpec {
    /// Stable within a job (`campaigns`, `insights:ad:2026-01-01`), the checkpoint's key.
    pub key: String,
    pub stage: Stage,
    /// Source-specific parameters (a level, a date window, a GAQL resource).
    #[serde(default)]
    pub params: serde_json::Value,
    /// For metrics units: how many metric days this unit completes (progress).
    #[serde(default)]
    pub days: u32,
    /// Units whose stage must be done first (Google's metrics after its entities, …).
    #[serde(default)]
    pub after: Vec<Stage>,
}

/// Everything a step may use, passed in.
pub struct SourceCtx<'a> {
    pub http: &'a reqwest::Client,
    /// The descriptor with endpoint overrides applied: the source derives its API origin
    /// from it, so the emulator (tests, Demo mode) replaces the real host.
    pub descriptor: &'a ProviderDescriptor,
    pub app: &'a AppCredentials,
    pub token: &'a SecretString,
    pub scope: &'a ImportScope,
    /// Rows per page to ask for (sources clamp to the platform's maximum).
    pub page_size: u32,
    /// The ad account's ISO 4217 currency as last stored (from its account unit), filled by
    /// the engine. Budgets and bids arrive without a currency (Meta counts them in the
    /// currency's minor unit), and a step must not depend on an earlier step's memory; when
    /// it is `None` (the account unit has not run yet) sources leave those amounts out
    /// rather than guess, and keep them in `raw_json`.
    pub currency: Option<String>,
}

/// One normalised thing read from the platform.
// why: records are built once and moved into the store in batches; boxing the larger
// variants would add an allocation per row for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Account(AccountUpsert),
    Object(ObjectUpsert),
    Creative(CreativeUpsert),
    Asset(AssetRef),
    Metric(MetricUpsert),
    /// One object could not be read or understood: recorded and skipped.
    Broken {
        /// campaign, ad_group, ad, creative, asset, metric
        kind: String,
        external_id: String,
        message: String,
    },
}

/// What follows a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// More pages: call again with this cursor.
    Page(String),
    /// A report is being prepared: call again with this cursor after `after`.
    Poll {
        cursor: String,
        after: Duration,
    },
    Done,
}

/// The result of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub records: Vec<Record>,
    pub next: Next,
    /// The usage the platform reported with this answer.
    pub usage: Usage,
    /// Requests this step made.
    pub requests: u32,
    /// The total number of rows the listing holds, when the platform says (Meta
    /// `summary.total_count`), for progress bars.
    pub total: Option<u64>,
}

/// Why a step failed, classified (see [`ApiVerdict`]); the message never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{verdict:?}")]
pub struct SourceError {
    pub verdict: ApiVerdict,
    /// Requests made before the failure was known.
    pub requests: u32,
}

impl SourceError {
    pub fn new(verdict: ApiVerdict) -> Self {
        Self {
            verdict,
            requests: 1,
        }
    }

    pub fn transient(raw: impl Into<String>) -> Self {
        Self::new(ApiVerdict::Transient { raw: raw.into() })
    }

    pub fn permanent(raw: impl Into<String>) -> Self {
        Self::new(ApiVerdict::Permanent { raw: raw.into() })
    }

    /// The platform's message, for the job's error list.
    pub fn message(&self) -> &str {
        match &self.verdict {
            ApiVerdict::RateLimited { raw, .. }
            | ApiVerdict::ReconnectNeeded { raw }
            | ApiVerdict::BrokenObject { raw }
            | ApiVerdict::Transient { raw }
            | ApiVerdict::Permanent { raw } => raw,
        }
    }
}

/// How hard the engine may push a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLimits {
    /// API requests in flight at once for one ad account.
    pub concurrency: usize,
    /// Asset downloads in flight at once (CDN, not the API's quota).
    pub download_concurrency: usize,
    /// The most rows one page may ask for.
    pub max_page_size: u32,
}

/// One platform's import API.
#[async_trait]
pub trait ImportSource: Send + Sync {
    /// The units of an import of `scope`.
    fn plan(&self, scope: &ImportScope) -> Vec<UnitSpec>;

    /// Run one step of `unit` from `cursor` (`None` = from the start).
    async fn step(
        &self,
        ctx: &SourceCtx<'_>,
        unit: &UnitSpec,
        cursor: Option<&str>,
    ) -> Result<Step, SourceError>;

    fn limits(&self) -> SourceLimits;

    /// Extra headers an asset download needs (none for public CDN URLs).
    fn download_headers(&self, _ctx: &SourceCtx<'_>) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// The origin (`scheme://host[:port]`) of the descriptor's accounts endpoint: API calls go
/// to the host the (override-rewritten) descriptor names, so the emulator can stand in.
pub(crate) fn api_origin(descriptor: &ProviderDescriptor) -> Result<String, SourceError> {
    let url = descriptor
        .identity
        .accounts_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .ok_or_else(|| {
            SourceError::permanent(format!(
                "{} has no accounts endpoint to derive the API host from",
                descriptor.display_name
            ))
        })?;
    Ok(url.origin().ascii_serialization())
}

/// A transport failure, without the URL (queries may carry secrets).
pub(crate) fn transport_error(platform: &str, e: reqwest::Error) -> SourceError {
    SourceError::transient(format!(
        "{platform} could not be reached: {}",
        e.without_url()
    ))
}

/// The longest date window one metrics unit covers.
// why: shorter windows keep Meta's async reports from timing out on big accounts (research
// note §4, airbytehq/airbyte #8282, #54128) and bound one Google metrics stream.
pub const METRICS_WINDOW_DAYS: u32 = 31;

/// `window` cut into windows of at most [`METRICS_WINDOW_DAYS`] days: `(since, until, days)`.
pub fn metric_windows(window: MetricsWindow) -> Vec<(NaiveDate, NaiveDate, u32)> {
    let mut out = Vec::new();
    let mut start = window.since;
    while start <= window.until {
        let end =
            (start + chrono::Duration::days(i64::from(METRICS_WINDOW_DAYS) - 1)).min(window.until);
        let part = MetricsWindow {
            since: start,
            until: end,
        };
        out.push((start, end, part.days()));
        start = end + chrono::Duration::days(1);
    }
    out
}

/// The import source of a platform, by descriptor id.
pub fn source(platform: &str) -> Option<std::sync::Arc<dyn ImportSource>> {
    match platform {
        "meta" => Some(std::sync::Arc::new(crate::meta::MetaImport)),
        "google_ads" => Some(std::sync::Arc::new(crate::google_ads::GoogleAdsImport)),
        _ => None,
    }
}
