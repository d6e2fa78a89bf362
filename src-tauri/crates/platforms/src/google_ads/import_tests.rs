//! The Google Ads import against a local server answering recorded searchStream bodies.

use super::GoogleAdsImport;
use crate::import::{
    AccountUpsert, AssetRef, CreativeAssetLink, CreativeUpsert, ImportScope, ImportSource,
    MetricUpsert, MetricsWindow, Next, ObjectUpsert, Record, SourceError, Stage, UnitSpec,
};
use crate::limits::ApiVerdict;
use crate::test_server::{fixture, without_raw, Canned, Env, FakeApi, Seen, CANARY};
use chrono::NaiveDate;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::time::Duration;

const DEVELOPER_TOKEN: &str = "CANARY-developer-token";

async fn setup() -> (FakeApi, Env) {
    let api = FakeApi::start().await;
    let mut env = Env::new(api.descriptor(super::descriptor()), "123-456-7890");
    env.app.developer_token = Some(SecretString::from(DEVELOPER_TOKEN));
    env.app.login_customer_id = Some("987-654-3210".into());
    env.currency = Some("CHF".into());
    (api, env)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

fn unit(key: &str) -> UnitSpec {
    GoogleAdsImport
        .plan(&ImportScope {
            account: "1234567890".into(),
            campaigns: vec![],
            manager: None,
            metrics: Some(MetricsWindow {
                since: date("2026-01-01"),
                until: date("2026-01-31"),
            }),
        })
        .into_iter()
        .find(|u| u.key == key)
        .unwrap_or_else(|| panic!("no unit {key}"))
}

/// The one searchStream request of a step, with its headers checked; returns its query.
fn the_query(seen: &[Seen]) -> String {
    assert_eq!(seen.len(), 1, "one request per unit");
    let s = &seen[0];
    assert_eq!(s.method, "POST");
    assert_eq!(
        s.path, "/v22/customers/1234567890/googleAds:searchStream",
        "the customer id without dashes"
    );
    assert!(s.query.is_empty(), "nothing in the URL: {}", s.uri);
    assert_eq!(
        s.header("authorization"),
        Some(format!("Bearer {CANARY}").as_str())
    );
    assert_eq!(s.header("developer-token"), Some(DEVELOPER_TOKEN));
    assert_eq!(
        s.header("login-customer-id"),
        Some("9876543210"),
        "the manager id, digits only"
    );
    assert!(!s.uri.contains(CANARY), "no token in the URL");
    let body: Value = serde_json::from_str(&s.body).expect("a JSON body");
    body["query"].as_str().expect("a query").to_owned()
}

async fn run(api: &FakeApi, env: &Env, key: &str, canned: Canned) -> (Vec<Record>, String) {
    api.answer(canned);
    let step = GoogleAdsImport
        .step(&env.ctx(), &unit(key), None)
        .await
        .expect("a step");
    assert_eq!(step.next, Next::Done, "a unit is one request");
    assert_eq!(step.requests, 1);
    (step.records, the_query(&api.take()))
}

#[test]
fn the_plan_has_entities_then_metrics_per_level_and_window() {
    let units = GoogleAdsImport.plan(&ImportScope {
        account: "1".into(),
        campaigns: vec![],
        manager: None,
        metrics: Some(MetricsWindow {
            since: date("2026-01-15"),
            until: date("2026-02-20"),
        }),
    });
    let keys: Vec<(&str, Stage, u32)> = units
        .iter()
        .map(|u| (u.key.as_str(), u.stage, u.days))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("customer", Stage::Account, 0),
            ("campaigns", Stage::Campaigns, 0),
            ("ad_groups", Stage::AdGroups, 0),
            ("ads", Stage::Ads, 0),
            ("assets", Stage::Assets, 0),
            ("metrics:campaign:2026-01-15", Stage::Metrics, 31),
            ("metrics:campaign:2026-02-15", Stage::Metrics, 6),
            ("metrics:ad_group:2026-01-15", Stage::Metrics, 31),
            ("metrics:ad_group:2026-02-15", Stage::Metrics, 6),
            ("metrics:ad_group_ad:2026-01-15", Stage::Metrics, 31),
            ("metrics:ad_group_ad:2026-02-15", Stage::Metrics, 6),
        ]
    );
    assert_eq!(
        units[10].params,
        json!({"level": "ad_group_ad", "since": "2026-02-15", "until": "2026-02-20"})
    );
    let waiting: Vec<&str> = units
        .iter()
        .filter(|u| u.after == vec![Stage::Account])
        .map(|u| u.key.as_str())
        .collect();
    assert_eq!(
        waiting.len(),
        8,
        "campaigns, ad groups and every metrics unit wait for the currency: {waiting:?}"
    );
    assert_eq!(&waiting[..2], &["campaigns", "ad_groups"]);
    let limits = GoogleAdsImport.limits();
    assert_eq!(
        (
            limits.concurrency,
            limits.download_concurrency,
            limits.max_page_size
        ),
        (4, 16, 10_000)
    );
}

#[tokio::test]
async fn the_customer_is_read_with_its_manager_as_parent() {
    let (api, env) = setup().await;
    let (records, query) = run(
        &api,
        &env,
        "customer",
        Canned::json(200, fixture("google_ads/customer.json")),
    )
    .await;
    assert_eq!(query, "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, customer.manager, customer.status FROM customer");
    assert_eq!(
        without_raw(records),
        vec![Record::Account(AccountUpsert {
            platform: "google_ads".into(),
            external_id: "1234567890".into(),
            name: "Café Zürich ☕".into(),
            currency: Some("CHF".into()),
            timezone: Some("Europe/Zurich".into()),
            status: "active".into(),
            status_raw: Some("ENABLED".into()),
            parent_external_id: Some("9876543210".into()),
            ..AccountUpsert::default()
        })]
    );
}

#[tokio::test]
async fn campaigns_stream_in_several_batches_and_small_chunks() {
    let (api, mut env) = setup().await;
    env.scope.campaigns = vec!["111".into(), "112".into()];
    let (records, query) = run(
        &api,
        &env,
        "campaigns",
        Canned::json(200, fixture("google_ads/campaigns.json")).chunked(7),
    )
    .await;
    assert_eq!(
        query,
        "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type, campaign.bidding_strategy_type, campaign.start_date, campaign.end_date, campaign_budget.amount_micros, campaign_budget.total_amount_micros, campaign_budget.period FROM campaign WHERE campaign.id IN (111, 112)",
        "the selected campaigns"
    );
    let campaign = |id: &str, name: &str| ObjectUpsert {
        level: "campaign".into(),
        native_level: "campaign".into(),
        external_id: id.into(),
        name: name.into(),
        search_text: name.into(),
        currency: Some("CHF".into()),
        ..ObjectUpsert::default()
    };
    assert_eq!(
        without_raw(records),
        vec![
            Record::Object(ObjectUpsert {
                status: "active".into(),
                status_raw: Some("ENABLED".into()),
                objective: Some("traffic".into()),
                objective_raw: Some("SEARCH".into()),
                optimization_goal: Some("TARGET_SPEND".into()),
                budget_micros: Some(5_000_000),
                budget_period: Some("daily".into()),
                start_at: Some("2026-01-01".into()),
                end_at: None,
                ..campaign("111", "Search – brand")
            }),
            Record::Object(ObjectUpsert {
                status: "deleted".into(),
                status_raw: Some("REMOVED".into()),
                objective: Some("sales".into()),
                objective_raw: Some("PERFORMANCE_MAX".into()),
                optimization_goal: Some("MAXIMIZE_CONVERSION_VALUE".into()),
                budget_micros: Some(i64::MAX),
                budget_period: Some("lifetime".into()),
                start_at: Some("2025-11-01".into()),
                end_at: Some("2026-03-31".into()),
                ..campaign("112", "PMax \"quoted\", [brackets]")
            }),
            Record::Object(ObjectUpsert {
                status: "paused".into(),
                status_raw: Some("PAUSED".into()),
                objective: Some("app".into()),
                objective_raw: Some("MULTI_CHANNEL".into()),
                ..campaign("113", "App 📱")
            }),
            Record::Broken {
                kind: "campaign".into(),
                external_id: String::new(),
                message: "a campaign without an id".into()
            },
        ],
        "statuses, objectives, exact micros, open end date, a row without id"
    );
}

#[tokio::test]
async fn ad_groups_carry_their_campaign_and_bid() {
    let (api, env) = setup().await;
    let (records, query) = run(
        &api,
        &env,
        "ad_groups",
        Canned::json(200, fixture("google_ads/ad_groups.json")),
    )
    .await;
    assert_eq!(query, "SELECT ad_group.id, ad_group.name, ad_group.status, ad_group.type, ad_group.cpc_bid_micros, campaign.id FROM ad_group");
    assert_eq!(
        without_raw(records),
        vec![Record::Object(ObjectUpsert {
            level: "ad_group".into(),
            native_level: "ad group".into(),
            external_id: "211".into(),
            parent_external_id: Some("111".into()),
            name: "Brand exact".into(),
            search_text: "Brand exact".into(),
            status: "active".into(),
            status_raw: Some("ENABLED".into()),
            bid_micros: Some(1_500_000),
            currency: Some("CHF".into()),
            ..ObjectUpsert::default()
        })]
    );
}

#[tokio::test]
async fn each_ad_brings_its_creative_first() {
    let (api, env) = setup().await;
    let (records, query) = run(
        &api,
        &env,
        "ads",
        Canned::json(200, fixture("google_ads/ads.json")).chunked(64),
    )
    .await;
    assert!(
        query.starts_with("SELECT ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.type, ad_group_ad.ad.final_urls,")
            && query.ends_with("ad_group_ad.policy_summary.approval_status, ad_group.id, campaign.id FROM ad_group_ad"),
        "{query}"
    );
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let ad = |id: &str, name: &str, parent: &str| ObjectUpsert {
        level: "ad".into(),
        native_level: "ad".into(),
        external_id: id.into(),
        parent_external_id: Some(parent.into()),
        name: name.into(),
        search_text: name.into(),
        creative_external_id: Some(id.into()),
        ..ObjectUpsert::default()
    };
    assert_eq!(
        without_raw(records),
        vec![
            Record::Creative(CreativeUpsert {
                external_id: "311".into(),
                format: "text".into(),
                name: "Kaffee in Zürich".into(),
                headlines: strings(&["Kaffee in Zürich", "Frisch geröstet"]),
                bodies: strings(&["Jeden Tag ab 7 Uhr."]),
                landing_url: Some("https://example.ch/kaffee".into()),
                ..CreativeUpsert::default()
            }),
            Record::Object(ObjectUpsert {
                status: "active".into(),
                status_raw: Some("ENABLED".into()),
                review_status: Some("approved".into()),
                final_url: Some("https://example.ch/kaffee".into()),
                ..ad("311", "Kaffee in Zürich", "211")
            }),
            Record::Creative(CreativeUpsert {
                external_id: "312".into(),
                format: "image".into(),
                name: "Display Winter".into(),
                headlines: strings(&["Winterkaffee", "Der wärmste Kaffee der Stadt"]),
                bodies: strings(&["Jetzt probieren"]),
                landing_url: Some("https://example.ch/winter".into()),
                assets: vec![
                    CreativeAssetLink {
                        platform_key: "asset:customers/1234567890/assets/55".into(),
                        role: "marketing_image".into(),
                        position: 0
                    },
                    CreativeAssetLink {
                        platform_key: "asset:customers/1234567890/assets/56".into(),
                        role: "marketing_image".into(),
                        position: 1
                    },
                ],
                ..CreativeUpsert::default()
            }),
            Record::Object(ObjectUpsert {
                status: "paused".into(),
                status_raw: Some("PAUSED".into()),
                review_status: Some("approved_limited".into()),
                final_url: Some("https://example.ch/winter".into()),
                ..ad("312", "Display Winter", "212")
            }),
        ],
        "a search ad named by its first headline, a display ad with its images"
    );
}

#[tokio::test]
async fn image_and_youtube_assets() {
    let (api, env) = setup().await;
    let (records, query) = run(
        &api,
        &env,
        "assets",
        Canned::json(200, fixture("google_ads/assets.json")),
    )
    .await;
    assert!(
        query.ends_with("FROM asset WHERE asset.type IN ('IMAGE', 'YOUTUBE_VIDEO')"),
        "{query}"
    );
    assert_eq!(
        without_raw(records),
        vec![
            Record::Asset(AssetRef {
                platform_key: "asset:customers/1234567890/assets/55".into(),
                kind: "image".into(),
                name: "winter.png".into(),
                url: Some("https://tpc.googlesyndication.com/simgad/55".into()),
                announced_mime: Some("image/png".into()),
                width: Some(600),
                height: Some(314),
                ..AssetRef::default()
            }),
            Record::Asset(AssetRef {
                platform_key: "asset:customers/1234567890/assets/56".into(),
                kind: "image".into(),
                name: "56".into(),
                url: Some("https://tpc.googlesyndication.com/simgad/56".into()),
                announced_mime: Some("image/jpeg".into()),
                width: Some(1200),
                height: Some(1200),
                ..AssetRef::default()
            }),
            Record::Asset(AssetRef {
                platform_key: "asset:customers/1234567890/assets/57".into(),
                kind: "youtube".into(),
                name: "Our roastery".into(),
                url: None,
                ..AssetRef::default()
            }),
        ]
    );
}

#[tokio::test]
async fn metrics_convert_doubles_exactly_enough() {
    let (api, mut env) = setup().await;
    env.scope.campaigns = vec!["111".into()];
    let (records, query) = run(
        &api,
        &env,
        "metrics:campaign:2026-01-01",
        Canned::json(200, fixture("google_ads/metrics.json")).chunked(13),
    )
    .await;
    assert_eq!(
        query,
        "SELECT campaign.id, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value FROM campaign WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-31' AND campaign.id IN (111)"
    );
    match &records[0] {
        Record::Metric(m) => assert_eq!(
            serde_json::from_str::<Value>(&m.extra).expect("json"),
            json!({"impressions":"100","clicks":"5","costMicros":"1230000","conversions":1.5,"conversionsValue":30.0}),
            "the raw metrics are kept"
        ),
        other => panic!("{other:?}"),
    }
    let records: Vec<Record> = records
        .into_iter()
        .map(|mut r| {
            if let Record::Metric(m) = &mut r {
                m.extra.clear();
            }
            r
        })
        .collect();
    let day = |date: &str| MetricUpsert {
        level: "campaign".into(),
        external_id: "111".into(),
        date: date.into(),
        currency: Some("CHF".into()),
        ..MetricUpsert::default()
    };
    assert_eq!(
        records,
        vec![
            Record::Metric(MetricUpsert {
                impressions: 100,
                clicks: 5,
                spend_micros: 1_230_000,
                conversions_micros: 1_500_000,
                conversion_value_micros: 30_000_000,
                ..day("2026-01-02")
            }),
            Record::Metric(MetricUpsert {
                impressions: 7,
                conversions_micros: 333_333,
                conversion_value_micros: 3,
                ..day("2026-01-03")
            }),
            Record::Broken {
                kind: "metric".into(),
                external_id: "111".into(),
                message: "'\"x\"' is not a whole number".into()
            },
        ],
        "micros, micro-conversions rounded half away from zero, a bad row"
    );
}

#[tokio::test]
async fn an_empty_stream_is_a_done_unit_without_records() {
    let (api, env) = setup().await;
    let (records, _) = run(
        &api,
        &env,
        "campaigns",
        Canned::json(200, fixture("google_ads/empty.json")),
    )
    .await;
    assert!(records.is_empty());
}

async fn error_of(key: &str, canned: Canned) -> SourceError {
    let (api, env) = setup().await;
    api.answer(canned);
    let err = GoogleAdsImport
        .step(&env.ctx(), &unit(key), None)
        .await
        .expect_err("an error");
    the_query(&api.take());
    err
}

#[tokio::test]
async fn errors_are_classified_wherever_they_appear() {
    let in_stream = error_of(
        "campaigns",
        Canned::json(200, fixture("google_ads/error_in_stream.json")).chunked(50),
    )
    .await;
    assert_eq!(
        in_stream.verdict,
        ApiVerdict::Transient {
            raw: "INTERNAL: Internal error encountered.".into()
        },
        "an error element after a batch fails the unit"
    );

    let quota = error_of(
        "campaigns",
        Canned::json(429, fixture("google_ads/error_429.json")),
    )
    .await;
    assert_eq!(
        quota.verdict,
        ApiVerdict::RateLimited {
            wait: Some(Duration::from_secs(30)),
            raw: "RESOURCE_EXHAUSTED: Resource has been exhausted (e.g. check quota).".into()
        }
    );

    let dead = error_of(
        "customer",
        Canned::json(401, fixture("google_ads/error_401.json")),
    )
    .await;
    assert!(
        matches!(dead.verdict, ApiVerdict::ReconnectNeeded { .. }),
        "{dead:?}"
    );

    let bad_query = error_of(
        "campaigns",
        Canned::json(400, fixture("google_ads/error_400.json")),
    )
    .await;
    assert!(
        matches!(bad_query.verdict, ApiVerdict::Permanent { .. }),
        "{bad_query:?}"
    );

    let truncated = error_of(
        "campaigns",
        Canned::json(200, br#"[{"results":[{"campaign":{"id":"1"}}]}"#.to_vec()),
    )
    .await;
    assert!(
        matches!(&truncated.verdict, ApiVerdict::Transient { raw } if raw.contains("ended inside its array")),
        "{truncated:?}"
    );

    let not_array = error_of(
        "campaigns",
        Canned::json(200, b"<html>hello</html>".to_vec()),
    )
    .await;
    assert!(
        matches!(&not_array.verdict, ApiVerdict::Transient { raw } if raw.contains("not a JSON array")),
        "{not_array:?}"
    );

    for e in [
        &in_stream, &quota, &dead, &bad_query, &truncated, &not_array,
    ] {
        let shown = format!("{e:?}");
        assert!(!shown.contains(CANARY), "no token in {shown}");
        assert!(
            !shown.contains(DEVELOPER_TOKEN),
            "no developer token in {shown}"
        );
    }
    assert!(
        dead.message().contains("[redacted]"),
        "the echoed token is replaced: {}",
        dead.message()
    );
}

#[tokio::test]
async fn without_a_developer_token_nothing_is_sent() {
    let (api, mut env) = setup().await;
    env.app.developer_token = None;
    let err = GoogleAdsImport
        .step(&env.ctx(), &unit("customer"), None)
        .await
        .expect_err("refused");
    assert!(
        matches!(err.verdict, ApiVerdict::Permanent { .. }),
        "{err:?}"
    );
    assert!(api.take().is_empty(), "no request");
}

#[tokio::test]
async fn without_a_manager_no_login_customer_header_and_ids_are_checked() {
    let (api, mut env) = setup().await;
    env.app.login_customer_id = None;
    api.answer(Canned::json(200, fixture("google_ads/customer.json")));
    let step = GoogleAdsImport
        .step(&env.ctx(), &unit("customer"), None)
        .await
        .expect("a step");
    let seen = api.take();
    assert_eq!(seen[0].header("login-customer-id"), None);
    match &step.records[0] {
        Record::Account(a) => assert_eq!(a.parent_external_id, None, "no manager"),
        other => panic!("{other:?}"),
    }

    env.scope.campaigns = vec!["1) OR (1=1".into()];
    let err = GoogleAdsImport
        .step(&env.ctx(), &unit("campaigns"), None)
        .await
        .expect_err("refused");
    assert!(
        matches!(err.verdict, ApiVerdict::Permanent { .. }),
        "{err:?}"
    );
    assert!(api.take().is_empty(), "no GAQL with a foreign id is sent");
}
