//! The import APIs: Meta's Marketing API (`meta`), Google Ads' `searchStream` (`google`)
//! and a CDN serving the assets they point at (`cdn`).
//!
//! Nothing an account holds is stored. Every campaign, ad set, ad, creative, image, video
//! and day of metrics is a pure function of (account, index, day), so a 50,000-ad account
//! costs no memory and answers the same way on every run (`seed`). Ids carry the account
//! and the index, so any id can be looked up without a table.

pub(crate) mod cdn;
pub(crate) mod google;
pub(crate) mod meta;
pub(crate) mod seed;

use crate::config::{EmulatorConfig, ImportSeed};
use crate::fault::Fault;
use crate::platform::{Kind, Spec};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// One seeded ad account (Meta) or customer (Google Ads) whose content can be imported.
#[derive(Debug, Clone)]
pub(crate) struct SeedAccount {
    /// The position in [`Catalog::accounts`]; ids of its objects carry it.
    pub key: u32,
    /// The platform's id (Meta without `act_`, Google digits only).
    pub id: String,
    pub name: String,
    pub currency: &'static str,
    pub time_zone: &'static str,
    /// The seeded user who reaches it directly (`None`: only through its manager).
    pub owner: Option<String>,
    /// A Google Ads manager (MCC): no campaigns of its own, lists its clients.
    pub manager: bool,
    /// The manager a Google Ads client is also reached through (with `login-customer-id`).
    pub managed_by: Option<String>,
    /// Meta: the business the ad account belongs to (the usage header's key).
    pub business: (String, String),
}

/// The platform's import knobs and seeded accounts, fixed at start.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub seed: ImportSeed,
    pub accounts: Vec<SeedAccount>,
    /// The API version's path segment, read from the descriptor (`v22.0`, `v22`).
    pub version: String,
    pub latency: Duration,
    pub calls_per_window: u32,
    pub window: Duration,
    pub batch_rows: usize,
    pub report_polls: u32,
    /// Recently generated images (the CDN's).
    pub cache: std::sync::Mutex<cdn::Cache>,
}

impl Catalog {
    pub fn new(spec: &Spec, config: &EmulatorConfig) -> Catalog {
        let version = spec
            .descriptor
            .identity
            .accounts_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next().map(str::to_owned))
            })
            .unwrap_or_default();
        let mut accounts: Vec<SeedAccount> = Vec::new();
        let push = |accounts: &mut Vec<SeedAccount>, mut a: SeedAccount| {
            a.key = u32::try_from(accounts.len()).unwrap_or(u32::MAX);
            accounts.push(a);
        };
        if matches!(spec.kind, Kind::Meta | Kind::GoogleAds) {
            for (u, user) in spec.users.iter().enumerate() {
                for (n, account) in user.accounts.iter().enumerate() {
                    // why: one Google Ads account of the default user is a manager (MCC), so
                    // clients reached only through it exercise `login-customer-id`
                    // (https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid).
                    let manager = spec.kind == Kind::GoogleAds && u == 0 && n == 1;
                    push(
                        &mut accounts,
                        SeedAccount {
                            key: 0,
                            id: account.id.clone(),
                            name: if manager {
                                format!("{} (Manager)", account.name)
                            } else {
                                account.name.clone()
                            },
                            currency: account.currency,
                            time_zone: if n % 2 == 0 {
                                "America/Los_Angeles"
                            } else {
                                "Europe/Paris"
                            },
                            owner: Some(user.id.clone()),
                            manager,
                            managed_by: None,
                            business: (
                                format!("9{}00000000{}", u + 1, n + 1),
                                format!("Demo Agency {} — Büro ✨", u + 1),
                            ),
                        },
                    );
                }
            }
            if spec.kind == Kind::GoogleAds {
                if let Some(mcc) = accounts.iter().find(|a| a.manager).cloned() {
                    // The directly reachable first account is also one of its clients.
                    if let Some(first) = accounts.first_mut() {
                        first.managed_by = Some(mcc.id.clone());
                    }
                    for k in 1..=2 {
                        push(
                            &mut accounts,
                            SeedAccount {
                                key: 0,
                                id: format!("{}2{k}", mcc.id.get(..8).unwrap_or("10000000")),
                                name: format!("Client {k} — Café Olé 🍩"),
                                currency: "USD",
                                time_zone: "America/New_York",
                                owner: None,
                                manager: false,
                                managed_by: Some(mcc.id.clone()),
                                business: mcc.business.clone(),
                            },
                        );
                    }
                }
            }
        }
        Catalog {
            seed: config.import.clone(),
            accounts,
            version,
            latency: config.latency,
            calls_per_window: match spec.kind {
                Kind::GoogleAds => config.google_operations_per_window,
                _ => config.meta_calls_per_window,
            }
            .max(1),
            window: config.rate_window.max(Duration::from_secs(1)),
            batch_rows: config.google_batch_rows.clamp(1, 10_000),
            report_polls: config.report_polls,
            cache: std::sync::Mutex::default(),
        }
    }

    pub fn account(&self, id: &str) -> Option<&SeedAccount> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub fn by_key(&self, key: u32) -> Option<&SeedAccount> {
        self.accounts.get(usize::try_from(key).ok()?)
    }

    /// The path prefix of the import API, `/v22.0/` or `/v22/`.
    pub fn prefix(&self) -> String {
        format!("/{}/", self.version)
    }
}

/// What the import routes remember between calls (inside the platform's store).
#[derive(Debug, Default)]
pub(crate) struct ImportState {
    pub reports: HashMap<String, meta::ReportRun>,
    pub next_report: u64,
    /// Call times in the rolling window, per Meta ad account or Google developer token.
    pub calls: HashMap<String, VecDeque<DateTime<Utc>>>,
    /// Asset faults wait for the next CDN request.
    pub asset_faults: VecDeque<Fault>,
    /// Meta creatives that answer "Ad Creative Is Incomplete" ([`Fault::BrokenCreative`]).
    pub broken_creatives: std::collections::HashSet<String>,
    /// The most rows a Graph page may ask for before it answers "reduce the amount of
    /// data" ([`Fault::RowCap`]).
    pub row_cap: Option<usize>,
    /// CDN requests being served now.
    pub cdn_in_flight: u32,
}

impl ImportState {
    /// Drop calls older than the window; the calls still in it.
    pub fn window(
        &mut self,
        key: &str,
        now: DateTime<Utc>,
        window: Duration,
    ) -> &mut VecDeque<DateTime<Utc>> {
        let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::seconds(60));
        let calls = self.calls.entry(key.to_owned()).or_default();
        while calls.front().is_some_and(|t| *t + window <= now) {
            calls.pop_front();
        }
        calls
    }

    /// The seconds until the oldest call in the window leaves it.
    pub fn regain_secs(&mut self, key: &str, now: DateTime<Utc>, window: Duration) -> u64 {
        let span = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::seconds(60));
        self.window(key, now, window)
            .front()
            .map(|t| (*t + span - now).num_seconds().max(1))
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(1)
    }
}
