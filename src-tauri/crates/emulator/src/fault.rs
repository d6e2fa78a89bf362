//! Faults injected on demand, and the counters tests assert on.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A misbehaviour of one platform, injected with `RunningEmulator::inject` or
/// `POST /__emulator/faults` (JSON, e.g. `"invalid_grant"`, `{"server_error": 2}`,
/// `{"rate_limit": {"retry_after": 7}}`, `{"revoke_grant": "emu-meta-user-1"}`,
/// `{"publish_accept_then_timeout": 1}`, `{"media_processing": {"polls": 2, "fails": false}}`).
///
/// Faults queue up and each applies to the next call(s) to the platform's endpoints
/// (authorize pages and `/__emulator/*` excepted), in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The next token call (code exchange, refresh, long-lived exchange) answers
    /// `invalid_grant`, in the platform's own shape.
    InvalidGrant,
    /// Every grant of this seeded account is revoked now, as if the user removed the app.
    RevokeGrant(String),
    /// The next `n` calls answer 500, 503, 500, … in the platform's error shape.
    ServerError(u32),
    /// The next call answers 429 with `Retry-After`.
    RateLimit { retry_after: u64 },
    /// The next call is answered this many milliseconds late.
    Slow(u64),
    /// The next call answers HTTP 200 with an HTML page instead of JSON.
    MalformedJson,
    /// From now on this Meta ad creative is incomplete (the post behind it was deleted):
    /// reading it with any field but `id`, in the `adcreatives` listing or by id, answers
    /// Graph's #100 / 2446289 "Ad Creative Is Incomplete" for the whole request.
    BrokenCreative(String),
    /// From now on a Graph listing or insights page asking for more than this many rows
    /// answers HTTP 500, code 1 "Please reduce the amount of data you're asking for".
    RowCap(u32),
    /// The next CDN request (`/__cdn/…`) answers 404.
    AssetNotFound,
    /// The next CDN request answers an HTML page labelled `Content-Type: image/png`.
    AssetWrongType,
    /// The next CDN request streams 300 MB labelled `image/png`, without Content-Length.
    AssetOversized,
    /// The next `n` publish calls (a post, reply or comment; not uploads or reads) do what
    /// they were asked, then the answer is held past any client timeout and its
    /// connection dropped: the platform published, the client cannot know.
    PublishAcceptThenTimeout(u32),
    /// The next `calls` publish calls are refused as the platform's rate limit, resetting
    /// in `reset_secs` (X `x-rate-limit-reset`, Graph's usage header); nothing is kept.
    PublishRateLimited { calls: u32, reset_secs: u64 },
    /// The next `n` publish calls answer the platform's 5xx; nothing is kept.
    PublishServerError(u32),
    /// The next `n` publish calls are refused for their content (X duplicate, LinkedIn
    /// `DUPLICATE_POST`, Graph #368); nothing is kept.
    PublishRejected(u32),
    /// The next processed X upload (video or GIF) answers `in_progress` to `polls` STATUS
    /// polls before it `succeeded` (or `failed`, with `fails`).
    MediaProcessing { polls: u32, fails: bool },
}

impl Fault {
    /// Faults that wait for a CDN request rather than the next API call.
    pub(crate) fn is_asset(&self) -> bool {
        matches!(
            self,
            Fault::AssetNotFound | Fault::AssetWrongType | Fault::AssetOversized
        )
    }

    /// Faults that wait for a publish call rather than the next call of any kind.
    pub(crate) fn is_publish(&self) -> bool {
        matches!(
            self,
            Fault::PublishAcceptThenTimeout(_)
                | Fault::PublishRateLimited { .. }
                | Fault::PublishServerError(_)
                | Fault::PublishRejected(_)
        )
    }
}

/// What one platform was asked, for assertions such as "exactly one refresh".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Calls to the token endpoints (the long-lived exchange and renewal included), by
    /// grant type (`authorization_code`, `refresh_token`, `fb_exchange_token`,
    /// `ig_exchange_token`, `ig_refresh_token`), faulted calls included.
    pub token_calls: BTreeMap<String, u32>,
    /// Renewals that succeeded (`refresh_token`, `ig_refresh_token`).
    pub refreshes: u32,
    /// Revocations that succeeded.
    pub revocations: u32,
    /// Token calls answered with the platform's `invalid_grant` (injected ones included).
    pub invalid_grants: u32,
    /// Calls to the profile and accounts endpoints, faulted calls included.
    pub api_calls: u32,
    /// Import API requests by kind: Meta `account`, `campaigns`, `adsets`, `ads`,
    /// `adcreatives`, `adimages`, `advideos`, `insights_post`, `report_status`,
    /// `report_insights`; Google `search_stream:<resource>` (faulted and refused calls
    /// included).
    pub import_requests: BTreeMap<String, u32>,
    /// Asset downloads served by the CDN (`/__cdn/…`), faulted ones included.
    pub cdn_downloads: u32,
    /// The most CDN requests served at once (from arrival, latency included, until the
    /// answer is handed over): the client's real download concurrency.
    pub cdn_peak_in_flight: u32,
    /// Async insights report runs created (Meta `POST act_{id}/insights`).
    pub report_runs: u32,
    /// Publishing API requests by kind: X `tweets`, `media_initialize`, `media_append`,
    /// `media_finalize`, `media_status`, `user_tweets`; LinkedIn `posts_create`,
    /// `posts_by_author`, `images_initialize`, `image_upload`, `comments_create`,
    /// `comments_list`, `organization_acls`, `organization`; Facebook `me_accounts`, `page`,
    /// `feed_create`, `photos`, `feed_list`, `scheduled_posts`, `comments_create`,
    /// `comments_list` (faulted and refused calls included, generic faults excepted).
    pub publish_requests: BTreeMap<String, u32>,
    /// Publish faults applied (`publish_*`).
    pub publish_faults: u32,
}
