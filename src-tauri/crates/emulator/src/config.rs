//! What the emulator plays beyond its defaults: ports, registered apps, lifetimes.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// How to start the emulator. The default accepts any client on OS-chosen ports.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Listen on `port_base + i` for the i-th platform of the registry, instead of ports the
    /// OS picks (the binary's `--port-base`).
    pub port_base: Option<u16>,
    /// Apps registered per platform id. A platform with one enforces its client id, its
    /// secret and its redirect URIs the way the platform does; without one, any client
    /// (with a secret where the platform needs one) and any redirect URI is accepted.
    pub apps: BTreeMap<String, RegisteredApp>,
    /// How long an authorization code can be exchanged.
    pub code_lifetime: Duration,
    /// The most accounts answered per page where the platform pages them (Meta,
    /// Pinterest); small by default so that clients' paging is exercised.
    pub page_size: usize,
    /// The size of every seeded ad account's content (Meta ad accounts and Google Ads
    /// customers), generated lazily from (account, index).
    pub import: ImportSeed,
    /// Waited before answering every platform request (API and CDN alike), so a benchmark
    /// can model a real network round trip (e.g. 50 ms).
    pub latency: Duration,
    /// Meta: Graph calls one ad account may make per [`Self::rate_window`] before the
    /// usage headers pass 100 % and calls answer `#80004`.
    pub meta_calls_per_window: u32,
    /// Google Ads: operations (searchStream calls) one developer token may make per
    /// [`Self::rate_window`] before calls answer 429 `RESOURCE_EXHAUSTED`.
    pub google_operations_per_window: u32,
    /// The rolling window both budgets are counted over.
    pub rate_window: Duration,
    /// Google Ads: the most rows in one searchStream batch (the API's is 10,000); smaller
    /// values let tests see several batches.
    pub google_batch_rows: usize,
    /// Meta: how many status polls of an async insights report answer "Job Running"
    /// before it answers "Job Completed" (0: complete at once).
    pub report_polls: u32,
    /// Publish calls (posts, replies, comments) one author (X user, LinkedIn author,
    /// Facebook Page) may make per [`Self::publish_window`] before the platform answers its
    /// rate limit (X 429 with `x-rate-limit-reset`, LinkedIn 429, Graph #32).
    pub publish_budget: u32,
    /// The rolling window of [`Self::publish_budget`].
    pub publish_window: Duration,
    /// X: how many STATUS polls a video or GIF answers `in_progress` before `succeeded`.
    pub media_processing_polls: u32,
    /// How long a `publish_accept_then_timeout` answer is held before its connection is
    /// dropped: past any sane client timeout.
    pub accept_then_timeout_hold: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port_base: None,
            apps: BTreeMap::new(),
            code_lifetime: Duration::from_secs(60),
            page_size: 2,
            import: ImportSeed::default(),
            latency: Duration::ZERO,
            meta_calls_per_window: 10_000,
            google_operations_per_window: 10_000,
            rate_window: Duration::from_secs(60),
            google_batch_rows: 10_000,
            report_polls: 1,
            publish_budget: 1_000,
            publish_window: Duration::from_secs(24 * 3600),
            media_processing_polls: 1,
            accept_then_timeout_hold: Duration::from_secs(45),
        }
    }
}

impl EmulatorConfig {
    /// Register an app with one platform.
    pub fn with_app(mut self, platform: &str, app: RegisteredApp) -> Self {
        self.apps.insert(platform.to_owned(), app);
        self
    }
}

/// An app as registered in a platform's developer portal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RegisteredApp {
    /// The client id (TikTok's client key, TikTok Ads' app id). For Wix, the site id.
    pub client_id: String,
    /// `None` for a public client (X native app, Microsoft desktop app, Reddit installed
    /// app), which must then send none. For Wix, the API key.
    pub client_secret: Option<String>,
    /// Redirect URIs as registered, matched the way the platform matches them: exactly
    /// (X: port and trailing slash included), any loopback port (Google, Microsoft), or a
    /// `*` port (TikTok).
    pub redirect_uris: Vec<String>,
}

/// How much content every seeded ad account holds. Nothing is stored: each object is
/// computed from (account, index) when asked for, so a 50,000-ad account costs no memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSeed {
    pub campaigns: usize,
    /// Ad sets (Meta) or ad groups (Google) in each campaign.
    pub ad_sets_per_campaign: usize,
    /// Ads in each ad set or ad group; each Meta ad has its own creative.
    pub ads_per_ad_set: usize,
    /// Images in the account's library (Meta `adimages`, Google IMAGE assets).
    pub images: usize,
    /// Videos (Meta `advideos`, Google YOUTUBE_VIDEO assets).
    pub videos: usize,
    /// How many days back from the emulator's "today" ads may have delivered.
    pub days: u32,
    /// The width and height of every generated image.
    pub image_px: u32,
}

impl Default for ImportSeed {
    /// A small, realistic account for Demo mode and tests: 12 campaigns × 2 ad sets × 2 ads.
    fn default() -> Self {
        Self {
            campaigns: 12,
            ad_sets_per_campaign: 2,
            ads_per_ad_set: 2,
            images: 24,
            videos: 4,
            days: 90,
            image_px: 480,
        }
    }
}

impl ImportSeed {
    /// The benchmark's account: 5,000 campaigns × 2 ad sets × 5 ads = 50,000 ads, 20,000
    /// images, a year of metrics.
    pub fn bench() -> Self {
        Self {
            campaigns: 5_000,
            ad_sets_per_campaign: 2,
            ads_per_ad_set: 5,
            images: 20_000,
            videos: 40,
            days: 365,
            image_px: 480,
        }
    }

    pub fn ad_sets(&self) -> usize {
        self.campaigns * self.ad_sets_per_campaign
    }

    pub fn ads(&self) -> usize {
        self.ad_sets() * self.ads_per_ad_set
    }
}
