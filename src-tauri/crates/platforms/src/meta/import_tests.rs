//! The Meta import against a local server answering recorded Graph API bodies.

use super::MetaImport;
use crate::import::{
    AccountUpsert, AssetRef, CreativeAssetLink, CreativeUpsert, ImportScope, ImportSource,
    MetricUpsert, MetricsWindow, Next, ObjectUpsert, Record, SourceError, Stage, UnitSpec,
};
use crate::limits::ApiVerdict;
use crate::test_server::{fixture, without_raw, Canned, Env, FakeApi, Seen, CANARY};
use chrono::NaiveDate;
use serde_json::{json, Value};
use std::time::Duration;

const STATUSES: &str = r#"{"field":"effective_status","operator":"IN","value":["ACTIVE","PAUSED","DELETED","ARCHIVED","PENDING_REVIEW","DISAPPROVED","PREAPPROVED","PENDING_BILLING_INFO","CAMPAIGN_PAUSED","ADSET_PAUSED","IN_PROCESS","WITH_ISSUES"]}"#;

async fn setup() -> (FakeApi, Env) {
    let api = FakeApi::start().await;
    let env = Env::new(api.descriptor(super::descriptor()), "123");
    (api, env)
}

fn unit(key: &str) -> UnitSpec {
    MetaImport
        .plan(&ImportScope {
            account: "123".into(),
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

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
}

/// Every request carried the token as a bearer header and never in its URL.
fn assert_token_only_in_header(seen: &[Seen]) {
    for s in seen {
        assert_eq!(
            s.header("authorization"),
            Some(format!("Bearer {CANARY}").as_str()),
            "the token goes in the Authorization header: {s:?}"
        );
        assert!(!s.uri.contains(CANARY), "no token in the URL: {}", s.uri);
        assert!(!s.body.contains(CANARY), "no token in the body: {}", s.body);
    }
}

fn page(records: Vec<Record>) -> Vec<Record> {
    without_raw(records)
}

#[test]
fn the_plan_lists_every_edge_and_cuts_metrics_into_31_day_windows() {
    let units = MetaImport.plan(&ImportScope {
        account: "123".into(),
        campaigns: vec![],
        manager: None,
        metrics: Some(MetricsWindow {
            since: date("2026-01-01"),
            until: date("2026-02-09"),
        }),
    });
    let keys: Vec<(&str, Stage, u32)> = units
        .iter()
        .map(|u| (u.key.as_str(), u.stage, u.days))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("account", Stage::Account, 0),
            ("campaigns", Stage::Campaigns, 0),
            ("adsets", Stage::AdGroups, 0),
            ("ads", Stage::Ads, 0),
            ("adcreatives", Stage::Creatives, 0),
            ("adimages", Stage::Assets, 0),
            ("advideos", Stage::Assets, 0),
            ("insights:campaign:2026-01-01", Stage::Metrics, 31),
            ("insights:campaign:2026-02-01", Stage::Metrics, 9),
            ("insights:adset:2026-01-01", Stage::Metrics, 31),
            ("insights:adset:2026-02-01", Stage::Metrics, 9),
            ("insights:ad:2026-01-01", Stage::Metrics, 31),
            ("insights:ad:2026-02-01", Stage::Metrics, 9),
        ],
        "units, stages and metric days"
    );
    assert_eq!(
        units[8].params,
        json!({"level": "campaign", "since": "2026-02-01", "until": "2026-02-09"}),
        "a window's params"
    );
    let waiting: Vec<&str> = units
        .iter()
        .filter(|u| u.after == vec![Stage::Account])
        .map(|u| u.key.as_str())
        .collect();
    assert_eq!(
        waiting,
        vec!["campaigns", "adsets"],
        "budgets wait for the account's currency; nothing else waits"
    );
    let without_metrics = MetaImport.plan(&ImportScope {
        account: "123".into(),
        campaigns: vec![],
        manager: None,
        metrics: None,
    });
    assert_eq!(without_metrics.len(), 7, "no metrics window, no insights");
}

#[tokio::test]
async fn the_account_is_read_with_its_currency_zone_status_and_business() {
    let (api, env) = setup().await;
    api.answer(Canned::json(200, fixture("meta/account.json")));
    let step = MetaImport
        .step(&env.ctx(), &unit("account"), None)
        .await
        .expect("a step");
    let seen = api.take();
    assert_token_only_in_header(&seen);
    assert_eq!(seen.len(), 1, "one request");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/v22.0/act_123", "the account's path");
    assert_eq!(
        seen[0].query,
        vec![(
            "fields".to_owned(),
            "account_id,name,currency,timezone_name,account_status,business".to_owned()
        )],
        "only the fields are asked for"
    );
    assert_eq!(step.next, Next::Done);
    assert_eq!(
        page(step.records),
        vec![Record::Account(AccountUpsert {
            platform: "meta".into(),
            external_id: "123".into(),
            name: "Bäckerei Müller — Ads".into(),
            currency: Some("JPY".into()),
            timezone: Some("Asia/Tokyo".into()),
            status: "active".into(),
            status_raw: Some("ACTIVE".into()),
            parent_external_id: Some("9001".into()),
            ..AccountUpsert::default()
        })],
        "the normalised account"
    );
}

#[tokio::test]
async fn campaigns_are_paged_by_cursor_with_filters_and_zero_decimal_budgets() {
    let (api, mut env) = setup().await;
    env.currency = Some("JPY".into());
    env.page_size = 2;
    env.scope.campaigns = vec!["111".into(), "112".into(), "113".into()];
    api.answer(Canned::json(200, fixture("meta/campaigns_1.json")).header(
        "x-ad-account-usage",
        r#"{"acc_id_util_pct":80.5,"reset_time_duration":0}"#,
    ));
    api.answer(Canned::json(200, fixture("meta/campaigns_2.json")));
    let unit = unit("campaigns");

    let first = MetaImport
        .step(&env.ctx(), &unit, None)
        .await
        .expect("page 1");
    assert_eq!(
        first.next,
        Next::Page("QVFIUmFmdGVy".into()),
        "the after cursor"
    );
    assert_eq!(first.total, Some(3), "summary.total_count");
    assert_eq!(first.usage.highest_pct, 80.5, "usage from the headers");
    assert_eq!(first.requests, 1);
    let second = MetaImport
        .step(&env.ctx(), &unit, Some("QVFIUmFmdGVy"))
        .await
        .expect("page 2");
    assert_eq!(second.next, Next::Done, "no paging.next: the last page");

    let seen = api.take();
    assert_token_only_in_header(&seen);
    let filtering = format!(
        r#"[{STATUSES},{{"field":"campaign.id","operator":"IN","value":["111","112","113"]}}]"#
    );
    let expected_query = |after: Option<&str>| {
        let mut q = vec![
            ("fields".to_owned(), "id,name,objective,status,configured_status,effective_status,daily_budget,lifetime_budget,start_time,stop_time,buying_type,bid_strategy,special_ad_categories,created_time,updated_time".to_owned()),
            ("limit".to_owned(), "2".to_owned()),
            ("summary".to_owned(), "total_count".to_owned()),
            ("filtering".to_owned(), filtering.clone()),
        ];
        q.extend(after.map(|a| ("after".to_owned(), a.to_owned())));
        q
    };
    assert_eq!(seen[0].path, "/v22.0/act_123/campaigns");
    assert_eq!(
        seen[0].query,
        expected_query(None),
        "fields, limit, summary, filtering"
    );
    assert_eq!(
        seen[1].query,
        expected_query(Some("QVFIUmFmdGVy")),
        "the cursor, never the next URL"
    );

    let raw: Value = serde_json::from_slice(&fixture("meta/campaigns_1.json")).expect("json");
    match &first.records[0] {
        Record::Object(o) => assert_eq!(
            serde_json::from_str::<Value>(&o.raw_json).expect("json"),
            raw["data"][0],
            "raw_json is the row as Meta sent it"
        ),
        other => panic!("{other:?}"),
    }
    let campaign = |id: &str, name: &str| ObjectUpsert {
        level: "campaign".into(),
        native_level: "campaign".into(),
        external_id: id.into(),
        name: name.into(),
        search_text: name.into(),
        ..ObjectUpsert::default()
    };
    assert_eq!(
        page(first.records),
        vec![
            Record::Object(ObjectUpsert {
                status: "active".into(),
                status_raw: Some("ACTIVE".into()),
                objective: Some("sales".into()),
                objective_raw: Some("OUTCOME_SALES".into()),
                budget_micros: Some(5_000_000_000),
                budget_period: Some("daily".into()),
                currency: Some("JPY".into()),
                start_at: Some("2026-01-05T01:00:00Z".into()),
                optimization_goal: Some("LOWEST_COST_WITHOUT_CAP".into()),
                ..campaign("111", "Spring sale")
            }),
            Record::Object(ObjectUpsert {
                status: "paused".into(),
                status_raw: Some("PAUSED".into()),
                objective: Some("traffic".into()),
                objective_raw: Some("LINK_CLICKS".into()),
                budget_micros: Some(123_456_789_012_000_000),
                budget_period: Some("lifetime".into()),
                currency: Some("JPY".into()),
                start_at: Some("2025-12-01T08:00:00Z".into()),
                end_at: Some("2026-02-01T08:00:00Z".into()),
                ..campaign("112", "Legacy clicks")
            }),
        ],
        "page 1: a zero-decimal daily budget, a legacy objective, a large lifetime budget, UTC times"
    );
    assert_eq!(
        page(second.records),
        vec![Record::Object(ObjectUpsert {
            status: "archived".into(),
            status_raw: Some("ARCHIVED".into()),
            objective: Some("other".into()),
            objective_raw: Some("SOMETHING_NEW".into()),
            currency: Some("JPY".into()),
            ..campaign("113", "Kampagne Ü — 夏 🌞")
        })],
        "page 2: unicode, an unknown objective, no budget"
    );
}

#[tokio::test]
async fn ad_sets_carry_budgets_bids_targeting_and_a_broken_row_is_skipped() {
    let (api, mut env) = setup().await;
    env.currency = Some("USD".into());
    api.answer(Canned::json(200, fixture("meta/adsets.json")));
    let step = MetaImport
        .step(&env.ctx(), &unit("adsets"), None)
        .await
        .expect("a step");
    let seen = api.take();
    assert_eq!(seen[0].path, "/v22.0/act_123/adsets");
    assert_eq!(
        seen[0].param("filtering"),
        Some(format!("[{STATUSES}]").as_str()),
        "only the status filter without selected campaigns"
    );
    assert_eq!(step.next, Next::Done);
    assert_eq!(
        page(step.records),
        vec![
            Record::Object(ObjectUpsert {
                level: "ad_group".into(),
                native_level: "ad set".into(),
                external_id: "211".into(),
                parent_external_id: Some("111".into()),
                name: "JP 25-44".into(),
                search_text: "JP 25-44".into(),
                status: "paused".into(),
                status_raw: Some("CAMPAIGN_PAUSED".into()),
                budget_micros: Some(12_000_000),
                budget_period: Some("daily".into()),
                bid_micros: Some(1_500_000),
                currency: Some("USD".into()),
                start_at: Some("2026-01-05T00:00:00Z".into()),
                end_at: Some("2026-03-01T00:00:00Z".into()),
                optimization_goal: Some("OFFSITE_CONVERSIONS".into()),
                targeting_summary: Some(
                    "countries: JP, KR; age: 25–44; platforms: facebook, instagram".into()
                ),
                ..ObjectUpsert::default()
            }),
            Record::Broken {
                kind: "ad_group".into(),
                external_id: String::new(),
                message: "an ad set without an id".into()
            },
        ],
        "the ad set, then the malformed row as Broken"
    );
}

#[tokio::test]
async fn without_a_known_currency_budgets_are_left_out() {
    let (api, env) = setup().await;
    api.answer(Canned::json(200, fixture("meta/adsets.json")));
    let step = MetaImport
        .step(&env.ctx(), &unit("adsets"), None)
        .await
        .expect("a step");
    match &step.records[0] {
        Record::Object(o) => {
            assert_eq!(
                (o.budget_micros, o.budget_period.as_deref(), o.bid_micros),
                (None, None, None),
                "no guessed currency"
            );
            assert!(o.raw_json.contains("\"daily_budget\":\"1200\""), "kept raw");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ads_carry_their_creative_and_review_feedback() {
    let (api, env) = setup().await;
    api.answer(Canned::json(200, fixture("meta/ads.json")));
    let step = MetaImport
        .step(&env.ctx(), &unit("ads"), None)
        .await
        .expect("a step");
    assert_eq!(api.take()[0].path, "/v22.0/act_123/ads");
    let ad = |id: &str, name: &str| ObjectUpsert {
        level: "ad".into(),
        native_level: "ad".into(),
        external_id: id.into(),
        parent_external_id: Some("211".into()),
        name: name.into(),
        search_text: name.into(),
        ..ObjectUpsert::default()
    };
    assert_eq!(
        page(step.records),
        vec![
            Record::Object(ObjectUpsert {
                status: "other".into(),
                status_raw: Some("DISAPPROVED".into()),
                creative_external_id: Some("411".into()),
                review_status: Some(
                    "disapproved: Unrealistic Outcomes: Ads may not promise unrealistic results."
                        .into()
                ),
                ..ad("311", "Ad A")
            }),
            Record::Object(ObjectUpsert {
                status: "deleted".into(),
                status_raw: Some("DELETED".into()),
                creative_external_id: Some("412".into()),
                ..ad("312", "Ad B")
            }),
        ],
        "ads: the creative id, the review state with its feedback, name-only search text"
    );
}

fn link(key: &str, role: &str, position: u32) -> CreativeAssetLink {
    CreativeAssetLink {
        platform_key: key.into(),
        role: role.into(),
        position,
    }
}

#[tokio::test]
async fn creatives_of_every_shape_are_normalised() {
    let (api, env) = setup().await;
    api.answer(Canned::json(200, fixture("meta/adcreatives.json")));
    let step = MetaImport
        .step(&env.ctx(), &unit("adcreatives"), None)
        .await
        .expect("a step");
    let seen = api.take();
    assert_eq!(seen[0].path, "/v22.0/act_123/adcreatives");
    assert_eq!(
        seen[0].param("filtering"),
        None,
        "creatives are listed whole"
    );
    assert_eq!(step.total, Some(7));
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        page(step.records),
        vec![
            Record::Creative(CreativeUpsert {
                external_id: "411".into(),
                format: "image".into(),
                name: "Image creative".into(),
                headlines: strings(&["Bäckerei Müller"]),
                bodies: strings(&["Fresh bread daily 🍞", "Open 7–19"]),
                cta: Some("SHOP_NOW".into()),
                landing_url: Some("https://example.com/bread".into()),
                url_tags: Some("utm_source=facebook".into()),
                source_post_id: Some("55_999".into()),
                assets: vec![link("image:abc123", "image", 0)],
                raw_json: String::new(),
            }),
            Record::Creative(CreativeUpsert {
                external_id: "412".into(),
                format: "video".into(),
                name: "Video creative".into(),
                headlines: strings(&["Behind the counter"]),
                bodies: strings(&["Watch us bake"]),
                cta: Some("LEARN_MORE".into()),
                landing_url: Some("https://example.com/video".into()),
                assets: vec![link("video:7001", "video", 0)],
                ..CreativeUpsert::default()
            }),
            Record::Creative(CreativeUpsert {
                external_id: "413".into(),
                format: "carousel".into(),
                name: "Carousel".into(),
                headlines: strings(&["Rye", "Spelt", "Clip"]),
                bodies: strings(&["Three loaves", "Dark"]),
                landing_url: Some("https://example.com/c".into()),
                assets: vec![
                    link("image:h1", "image", 0),
                    link("image:h2", "image", 1),
                    link("video:7002", "video", 2)
                ],
                ..CreativeUpsert::default()
            }),
            Record::Creative(CreativeUpsert {
                external_id: "414".into(),
                format: "dynamic".into(),
                name: "Dynamic".into(),
                headlines: strings(&["Title one"]),
                bodies: strings(&["Body one", "Body two", "Desc"]),
                cta: Some("ORDER_NOW".into()),
                landing_url: Some("https://example.com/dyn".into()),
                assets: vec![
                    link("image:h1", "image", 0),
                    link("image:h3", "image", 1),
                    link("video:7003", "video", 2)
                ],
                ..CreativeUpsert::default()
            }),
            Record::Creative(CreativeUpsert {
                external_id: "415".into(),
                format: "post".into(),
                name: "Boosted post".into(),
                source_post_id: Some("55_1000".into()),
                assets: vec![link("thumb:415", "thumbnail", 0)],
                ..CreativeUpsert::default()
            }),
            Record::Asset(AssetRef {
                platform_key: "thumb:415".into(),
                kind: "thumbnail".into(),
                name: "Boosted post".into(),
                url: Some("https://scontent.example/t/415.png".into()),
                ..AssetRef::default()
            }),
            Record::Creative(CreativeUpsert {
                external_id: "416".into(),
                format: "text".into(),
                headlines: strings(&["Plain title"]),
                bodies: strings(&["Plain body"]),
                cta: Some("NO_BUTTON".into()),
                ..CreativeUpsert::default()
            }),
            Record::Broken {
                kind: "creative".into(),
                external_id: String::new(),
                message: "a creative without an id".into()
            },
        ],
        "image, video, carousel, dynamic, post (with its thumbnail), text, and a broken row"
    );
}

#[tokio::test]
async fn images_and_videos_become_assets_with_posters() {
    let (api, env) = setup().await;
    api.answer(Canned::json(200, fixture("meta/adimages.json")));
    api.answer(Canned::json(200, fixture("meta/advideos.json")));
    let images = MetaImport
        .step(&env.ctx(), &unit("adimages"), None)
        .await
        .expect("images");
    let videos = MetaImport
        .step(&env.ctx(), &unit("advideos"), None)
        .await
        .expect("videos");
    let seen = api.take();
    assert_eq!(
        seen.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(),
        vec!["/v22.0/act_123/adimages", "/v22.0/act_123/advideos"]
    );
    assert_eq!(
        seen[0].param("fields"),
        Some("hash,name,url,url_128,permalink_url,width,height,status,updated_time")
    );
    assert_eq!(
        seen[1].param("fields"),
        Some("id,title,source,picture,length,updated_time")
    );
    assert_eq!(
        page(images.records),
        vec![
            Record::Asset(AssetRef {
                platform_key: "image:abc123".into(),
                kind: "image".into(),
                name: "bread.png".into(),
                url: Some("https://scontent.example/img/abc123.png?oe=6A0B0C0D".into()),
                width: Some(1080),
                height: Some(1350),
                ..AssetRef::default()
            }),
            Record::Broken {
                kind: "asset".into(),
                external_id: String::new(),
                message: "an ad image without a hash".into()
            },
        ],
        "images keyed by hash; a string height is read"
    );
    assert_eq!(
        page(videos.records),
        vec![
            Record::Asset(AssetRef {
                platform_key: "video:7001".into(),
                kind: "video".into(),
                name: "Behind the counter".into(),
                url: Some("https://video.example/vid/7001.mp4?oe=6A0B0C0D".into()),
                duration_ms: Some(15_370),
                ..AssetRef::default()
            }),
            Record::Asset(AssetRef {
                platform_key: "videopic:7001".into(),
                kind: "thumbnail".into(),
                name: "Behind the counter".into(),
                url: Some("https://scontent.example/vidpic/7001.png".into()),
                thumbnail_of: Some("video:7001".into()),
                ..AssetRef::default()
            }),
            Record::Asset(AssetRef {
                platform_key: "video:7002".into(),
                kind: "video".into(),
                name: "7002".into(),
                ..AssetRef::default()
            }),
        ],
        "videos with their source and poster; a bare video has neither"
    );
}

#[tokio::test]
async fn insights_are_created_polled_and_read_page_by_page() {
    let (api, mut env) = setup().await;
    env.scope.campaigns = vec!["111".into()];
    let unit = unit("insights:ad:2026-01-01");
    assert_eq!(unit.days, 31);
    api.answer(Canned::json(200, fixture("meta/insights_create.json")));
    api.answer(Canned::json(200, fixture("meta/insights_running.json")));
    api.answer(Canned::json(200, fixture("meta/insights_completed.json")));
    api.answer(
        Canned::json(200, fixture("meta/insights_page_1.json")).header(
            "x-fb-ads-insights-throttle",
            r#"{"app_id_util_pct":12,"acc_id_util_pct":30}"#,
        ),
    );
    api.answer(Canned::json(200, fixture("meta/insights_page_2.json")));

    let created = MetaImport
        .step(&env.ctx(), &unit, None)
        .await
        .expect("create");
    assert_eq!(
        created.next,
        Next::Poll {
            cursor: "run:6001".into(),
            after: Duration::from_secs(1)
        },
        "the report is polled next"
    );
    assert!(created.records.is_empty());
    let running = MetaImport
        .step(&env.ctx(), &unit, Some("run:6001"))
        .await
        .expect("poll");
    assert_eq!(
        running.next,
        Next::Poll {
            cursor: "run:6001~1".into(),
            after: Duration::from_secs(2)
        },
        "still running: the wait doubles"
    );
    let first = MetaImport
        .step(&env.ctx(), &unit, Some("run:6001~1"))
        .await
        .expect("completed");
    assert_eq!(first.requests, 2, "the poll and the first page");
    assert_eq!(first.next, Next::Page("page:6001:MQZDZD".into()));
    assert_eq!(
        first.usage.highest_pct, 30.0,
        "the insights throttle header"
    );
    let last = MetaImport
        .step(&env.ctx(), &unit, Some("page:6001:MQZDZD"))
        .await
        .expect("page 2");
    assert_eq!(last.next, Next::Done);

    let seen = api.take();
    assert_token_only_in_header(&seen);
    assert_eq!(
        seen.iter()
            .map(|s| (s.method.as_str(), s.path.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("POST", "/v22.0/act_123/insights"),
            ("GET", "/v22.0/6001"),
            ("GET", "/v22.0/6001"),
            ("GET", "/v22.0/6001/insights"),
            ("GET", "/v22.0/6001/insights"),
        ],
        "create, poll, poll, first page, next page"
    );
    let form = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        seen[0].form(),
        vec![
            form("level", "ad"),
            form("time_range", r#"{"since":"2026-01-01","until":"2026-01-31"}"#),
            form("time_increment", "1"),
            form("fields", "campaign_id,adset_id,ad_id,date_start,date_stop,impressions,clicks,spend,reach,actions,action_values,account_currency"),
            form("filtering", r#"[{"field":"campaign.id","operator":"IN","value":["111"]}]"#),
        ],
        "the report's form body, filtered by the selected campaign"
    );
    assert!(seen[0].query.is_empty(), "nothing in the POST's URL");
    assert_eq!(seen[3].query, vec![form("limit", "100")]);
    assert_eq!(
        seen[4].query,
        vec![form("limit", "100"), form("after", "MQZDZD")]
    );

    let records = first.records;
    match &records[0] {
        Record::Metric(m) => {
            let extra: Value = serde_json::from_str(&m.extra).expect("json");
            assert_eq!(
                extra["actions"][1],
                json!({"action_type": "purchase", "value": "3"}),
                "the raw actions are kept"
            );
        }
        other => panic!("{other:?}"),
    }
    let blank_extra = |records: Vec<Record>| -> Vec<Record> {
        records
            .into_iter()
            .map(|mut r| {
                if let Record::Metric(m) = &mut r {
                    m.extra.clear();
                }
                r
            })
            .collect()
    };
    assert_eq!(
        blank_extra(records),
        vec![
            Record::Metric(MetricUpsert {
                level: "ad".into(),
                external_id: "311".into(),
                date: "2026-01-02".into(),
                impressions: 1234,
                clicks: 56,
                spend_micros: 12_340_000,
                currency: Some("USD".into()),
                conversions_micros: 4_500_000,
                conversion_value_micros: 120_500_000,
                reach: Some(1000),
                ..MetricUpsert::default()
            }),
            Record::Broken {
                kind: "metric".into(),
                external_id: String::new(),
                message: "an insights row without ad_id".into()
            },
        ],
        "purchase + lead as conversions, purchase value, spend in micros"
    );
    assert_eq!(
        blank_extra(last.records),
        vec![Record::Metric(MetricUpsert {
            level: "ad".into(),
            external_id: "312".into(),
            date: "2026-01-04".into(),
            impressions: 99_999_999_999,
            clicks: 12,
            spend_micros: 99_999_999_999,
            currency: Some("USD".into()),
            ..MetricUpsert::default()
        })],
        "large numbers exactly"
    );
}

#[tokio::test]
async fn a_failed_report_is_created_again_then_given_up() {
    let (api, env) = setup().await;
    let unit = unit("insights:campaign:2026-01-01");
    api.answer(Canned::json(200, fixture("meta/insights_failed.json")));
    api.answer(Canned::json(200, br#"{"report_run_id":"6002"}"#.to_vec()));
    let again = MetaImport
        .step(&env.ctx(), &unit, Some("run:6001"))
        .await
        .expect("re-created");
    assert_eq!(
        again.next,
        Next::Poll {
            cursor: "run:6002@2".into(),
            after: Duration::from_secs(1)
        },
        "a new report, second attempt"
    );
    assert_eq!(again.requests, 2, "the poll and the new report");
    let seen = api.take();
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/v22.0/act_123/insights")
    );
    assert_eq!(
        seen[1].form()[0],
        ("level".to_owned(), "campaign".to_owned())
    );

    api.answer(Canned::json(200, fixture("meta/insights_failed.json")));
    let err = MetaImport
        .step(&env.ctx(), &unit, Some("run:6002@3"))
        .await
        .expect_err("the last attempt failed");
    assert!(
        matches!(err.verdict, ApiVerdict::Permanent { .. }),
        "retrying the same dead report cannot help: {err:?}"
    );
    assert!(err.message().contains("Job Failed"), "{}", err.message());
}

async fn error_of(status: u16, body: Vec<u8>, headers: &[(&'static str, &str)]) -> SourceError {
    let (api, env) = setup().await;
    let mut canned = Canned::json(status, body);
    for (k, v) in headers {
        canned = canned.header(k, v);
    }
    api.answer(canned);
    // why: a plain listing; `adcreatives` answers a broken object by reading around it.
    let err = MetaImport
        .step(&env.ctx(), &unit("adimages"), Some("QVFI"))
        .await
        .expect_err("an error");
    assert_token_only_in_header(&api.take());
    err
}

#[tokio::test]
async fn errors_are_classified_and_never_carry_the_token() {
    let limited = error_of(
        400,
        fixture("meta/error_80004.json"),
        &[(
            "x-business-use-case-usage",
            r#"{"9001":[{"type":"ads_management","call_count":100,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":5}]}"#,
        )],
    )
    .await;
    assert_eq!(
        limited.verdict,
        ApiVerdict::RateLimited {
            wait: Some(Duration::from_secs(300)),
            raw: "(80004/2446079) (#80004) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.".into()
        },
        "80004 waits for the business use case's regain estimate"
    );

    let dead = error_of(400, fixture("meta/error_190.json"), &[]).await;
    assert!(
        matches!(dead.verdict, ApiVerdict::ReconnectNeeded { .. }),
        "{dead:?}"
    );
    assert!(
        dead.message().contains("[redacted]"),
        "the echoed token is replaced: {}",
        dead.message()
    );

    let broken = error_of(400, fixture("meta/error_2446289.json"), &[]).await;
    assert_eq!(
        broken.verdict,
        ApiVerdict::BrokenObject {
            raw: "(100/2446289) Invalid parameter — Ad Creative Is Incomplete: The post you selected for your ad is not available. It could be deleted or you might not have permissions to see it. Please check your ad creative and try again.".into()
        },
        "the user title and text say what is wrong"
    );

    let server = error_of(500, fixture("meta/error_500.json"), &[]).await;
    assert!(
        matches!(server.verdict, ApiVerdict::Transient { .. }),
        "{server:?}"
    );

    let gateway = error_of(502, b"<html>Bad gateway</html>".to_vec(), &[]).await;
    assert!(
        matches!(gateway.verdict, ApiVerdict::Transient { .. }),
        "{gateway:?}"
    );

    let garbled = error_of(200, b"{\"data\": [".to_vec(), &[]).await;
    assert!(
        matches!(&garbled.verdict, ApiVerdict::Transient { raw } if raw.starts_with("Meta answered HTTP 200 with a body that is not JSON")),
        "{garbled:?}"
    );

    for e in [&limited, &dead, &broken, &server, &gateway, &garbled] {
        assert!(!e.message().contains(CANARY), "no token in {}", e.message());
        assert!(!format!("{e:?}").contains(CANARY), "no token in {e:?}");
    }
}

#[tokio::test]
async fn an_unreachable_api_is_transient_without_the_url() {
    let mut env = Env::new(super::descriptor(), "123");
    env.descriptor.identity.accounts_url = Some(format!(
        "http://127.0.0.1:1/v22.0/me/adaccounts?access_token={CANARY}"
    ));
    let err = MetaImport
        .step(&env.ctx(), &unit("account"), None)
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(err.verdict, ApiVerdict::Transient { .. }),
        "{err:?}"
    );
    assert!(!err.message().contains(CANARY), "{}", err.message());
    assert!(
        !err.message().contains("127.0.0.1"),
        "no URL: {}",
        err.message()
    );
}

#[tokio::test]
async fn a_bad_account_id_makes_no_request() {
    let (api, mut env) = setup().await;
    env.scope.account = "123/../../me".into();
    let err = MetaImport
        .step(&env.ctx(), &unit("account"), None)
        .await
        .expect_err("refused");
    assert!(
        matches!(err.verdict, ApiVerdict::Permanent { .. }),
        "{err:?}"
    );
    assert!(api.take().is_empty(), "no request was made");
}

#[test]
fn the_registry_knows_both_sources() {
    assert!(crate::import::source("meta").is_some());
    assert!(crate::import::source("google_ads").is_some());
    assert!(crate::import::source("tiktok_ads").is_none());
    let meta = MetaImport.limits();
    assert_eq!(
        (
            meta.concurrency,
            meta.download_concurrency,
            meta.max_page_size
        ),
        (8, 16, 500)
    );
}

#[test]
fn descriptor_urls_follow_the_graph_version() {
    let d = super::descriptor();
    assert_eq!(super::GRAPH_VERSION, "v22.0");
    assert!(d
        .identity
        .accounts_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://graph.facebook.com/v22.0/")));
}

fn json_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON")
}

#[tokio::test]
async fn a_broken_creative_is_recorded_and_the_rest_of_its_page_kept() {
    let (api, env) = setup().await;
    let listed: Value = serde_json::from_slice(&fixture("meta/adcreatives.json")).unwrap();
    let row = |i: usize| listed["data"][i].clone();
    let incomplete = || Canned::json(400, fixture("meta/error_2446289.json"));
    // The full page fails for the one creative whose post is gone.
    api.answer(incomplete());
    // The same page with ids only.
    api.answer(Canned::json(
        200,
        json_bytes(&json!({
            "data": [{"id": "411"}, {"id": "412"}, {"id": "413"}, {"id": "999"}],
            "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}, "next": "https://graph.facebook.com/v22.0/act_123/adcreatives?after=QVFJ"},
            "summary": {"total_count": 9},
        })),
    ));
    // All four by id fail; the halves are asked apart until 999 stands alone.
    api.answer(incomplete());
    api.answer(Canned::json(
        200,
        json_bytes(&json!({"411": row(0), "412": row(1)})),
    ));
    api.answer(incomplete());
    api.answer(Canned::json(200, json_bytes(&json!({"413": row(2)}))));
    // Meta's text for the last one echoes the token: the recorded message must not.
    let echoed = String::from_utf8(fixture("meta/error_2446289.json"))
        .unwrap()
        .replace("Please check", &format!("Token {CANARY}. Please check"));
    api.answer(Canned::json(400, echoed.into_bytes()));

    let step = MetaImport
        .step(&env.ctx(), &unit("adcreatives"), Some("QVFI"))
        .await
        .expect("the page is read around the broken creative");
    let seen = api.take();
    assert_token_only_in_header(&seen);
    assert_eq!(step.requests, 7, "every request is counted");
    assert_eq!(
        step.next,
        Next::Page("QVFJ".into()),
        "the id-only page's cursor"
    );
    assert_eq!(step.total, Some(9));
    type Asked<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);
    let asked: Vec<Asked> = seen
        .iter()
        .map(|s| {
            (
                s.path.as_str(),
                s.param("ids"),
                s.param("after"),
                s.param("limit"),
            )
        })
        .collect();
    assert_eq!(
        asked,
        vec![
            (
                "/v22.0/act_123/adcreatives",
                None,
                Some("QVFI"),
                Some("100")
            ),
            (
                "/v22.0/act_123/adcreatives",
                None,
                Some("QVFI"),
                Some("100")
            ),
            ("/v22.0/", Some("411,412,413,999"), None, None),
            ("/v22.0/", Some("411,412"), None, None),
            ("/v22.0/", Some("413,999"), None, None),
            ("/v22.0/", Some("413"), None, None),
            ("/v22.0/", Some("999"), None, None),
        ]
    );
    assert_eq!(seen[1].param("fields"), Some("id"), "ids only");
    assert_eq!(seen[1].param("summary"), Some("total_count"));
    assert_eq!(
        seen[0].param("fields"),
        seen[2].param("fields"),
        "by id, the same fields"
    );

    let records = page(step.records);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| match r {
            Record::Creative(c) => c.external_id.as_str(),
            Record::Broken { external_id, .. } => external_id.as_str(),
            _ => "",
        })
        .collect();
    assert_eq!(ids, vec!["411", "412", "413", "999"], "in listing order");
    assert!(
        matches!(&records[0], Record::Creative(c) if c.format == "image" && c.assets.len() == 1)
    );
    match &records[3] {
        Record::Broken { kind, message, .. } => {
            assert_eq!(kind, "creative");
            assert!(
                message.starts_with("Meta cannot read this creative: (100/2446289)")
                    && message.contains("Ad Creative Is Incomplete"),
                "{message}"
            );
            assert!(
                !message.contains(CANARY) && message.contains("[redacted]"),
                "{message}"
            );
        }
        other => panic!("999 is recorded as broken: {other:?}"),
    }
}

#[tokio::test]
async fn a_lookup_that_leaves_an_id_out_records_it_and_other_errors_fail_the_step() {
    let (api, env) = setup().await;
    api.answer(Canned::json(400, fixture("meta/error_2446289.json")));
    api.answer(Canned::json(
        200,
        json_bytes(
            &json!({"data": [{"id": "411"}, {"id": "412"}], "paging": {"cursors": {"after": "x"}}}),
        ),
    ));
    api.answer(Canned::json(
        200,
        json_bytes(&json!({"411": {"id": "411", "name": "Kept"}})),
    ));
    let step = MetaImport
        .step(&env.ctx(), &unit("adcreatives"), None)
        .await
        .expect("a step");
    assert_eq!(step.next, Next::Done, "no paging.next");
    assert!(matches!(
        &page(step.records)[..],
        [Record::Creative(c), Record::Broken { external_id, message, .. }]
            if c.external_id == "411" && external_id == "412" && message.contains("did not return it")
    ));
    api.take();

    // A rate limit while reading around it fails the step as a rate limit, all requests counted.
    api.answer(Canned::json(400, fixture("meta/error_2446289.json")));
    api.answer(Canned::json(
        200,
        json_bytes(&json!({"data": [{"id": "411"}], "paging": {"cursors": {"after": "x"}}})),
    ));
    api.answer(Canned::json(400, fixture("meta/error_80004.json")));
    let err = MetaImport
        .step(&env.ctx(), &unit("adcreatives"), None)
        .await
        .expect_err("the rate limit");
    assert!(
        matches!(err.verdict, ApiVerdict::RateLimited { .. }),
        "{err:?}"
    );
    assert_eq!(err.requests, 3);

    // Images cannot be read by id: their broken object fails the step as before.
    api.answer(Canned::json(400, fixture("meta/error_2446289.json")));
    let err = MetaImport
        .step(&env.ctx(), &unit("adimages"), None)
        .await
        .expect_err("no way around it");
    assert!(
        matches!(err.verdict, ApiVerdict::BrokenObject { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_page_too_heavy_is_asked_again_smaller_and_the_next_step_at_full_size() {
    let (api, env) = setup().await;
    let reduce = || Canned::json(500, fixture("meta/error_reduce_data.json"));
    api.answer(reduce());
    api.answer(reduce());
    api.answer(Canned::json(200, fixture("meta/campaigns_1.json")));
    api.answer(Canned::json(200, fixture("meta/campaigns_2.json")));
    let unit = unit("campaigns");
    let first = MetaImport
        .step(&env.ctx(), &unit, None)
        .await
        .expect("page 1 at a quarter of the size");
    assert_eq!(first.requests, 3);
    assert_eq!(first.next, Next::Page("QVFIUmFmdGVy".into()));
    let second = MetaImport
        .step(&env.ctx(), &unit, Some("QVFIUmFmdGVy"))
        .await
        .expect("page 2");
    assert_eq!(second.requests, 1);
    let limits: Vec<Option<String>> = api
        .take()
        .iter()
        .map(|s| s.param("limit").map(str::to_owned))
        .collect();
    assert_eq!(
        limits,
        vec![
            Some("100".into()),
            Some("50".into()),
            Some("25".into()),
            Some("100".into())
        ]
    );

    // Report pages too; and at one row Meta's answer is the step's error.
    for _ in 0..7 {
        api.answer(reduce());
    }
    let err = MetaImport
        .step(
            &env.ctx(),
            &unit_of_insights(),
            Some("page:6000000000001:QVFI"),
        )
        .await
        .expect_err("even one row is too much");
    assert!(
        matches!(&err.verdict, ApiVerdict::Transient { raw } if raw.contains("reduce the amount of data")),
        "{err:?}"
    );
    assert_eq!(err.requests, 7, "100, 50, 25, 12, 6, 3, 1");
    let limits: Vec<String> = api
        .take()
        .iter()
        .filter_map(|s| s.param("limit").map(str::to_owned))
        .collect();
    assert_eq!(limits, ["100", "50", "25", "12", "6", "3", "1"]);

    // Another 500 is not asked again smaller: the engine retries it with backoff.
    api.answer(Canned::json(500, fixture("meta/error_500.json")));
    let err = MetaImport
        .step(&env.ctx(), &unit, None)
        .await
        .expect_err("a plain 500");
    assert_eq!(err.requests, 1);
}

fn unit_of_insights() -> UnitSpec {
    unit("insights:ad:2026-01-01")
}
