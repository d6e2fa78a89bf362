//! The import APIs against the running emulator over real HTTP: Meta's Marketing API
//! (listings, async insights, usage headers, errors), Google Ads' searchStream (batches,
//! manager hierarchy, quota) and the CDN (signatures, faults).

mod support;

use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;
use support::{registered_config, Harness};
use switchboard_emulator::{searchable_word, EmulatorConfig, Fault, ImportSeed};

const ALL_STATUSES: &str = r#"[{"field":"effective_status","operator":"IN","value":["ACTIVE","PAUSED","DELETED","ARCHIVED","CAMPAIGN_PAUSED","ADSET_PAUSED"]}]"#;

struct Import {
    h: Harness,
    http: reqwest::Client,
}

impl Import {
    async fn new(tweak: impl FnOnce(&mut EmulatorConfig)) -> Import {
        let mut config = registered_config();
        tweak(&mut config);
        Import {
            h: Harness::with(config).await,
            http: reqwest::Client::new(),
        }
    }

    /// An access token of a seeded user ("" for the default one).
    async fn token(&self, platform: &str, user: &str) -> String {
        let d = self.h.descriptor(platform);
        let app = self.h.app(platform);
        let authorized = self.h.authorize(&d, user);
        let tokens = self
            .h
            .exchange(&d, &app, &authorized)
            .await
            .expect("the code exchange works");
        tokens.access_token.expose_secret().to_owned()
    }

    fn meta(&self, path: &str) -> String {
        format!("{}/v22.0/{path}", self.h.emu.origin("meta").unwrap())
    }

    async fn get(
        &self,
        token: &str,
        url: &str,
        query: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let r = self
            .http
            .get(url)
            .bearer_auth(token)
            .query(query)
            .send()
            .await
            .expect("the emulator answers");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.json().await.unwrap_or(Value::Null);
        (status, headers, body)
    }

    /// Every item of a Meta listing, following the `after` cursor.
    async fn all(&self, token: &str, url: &str, query: &[(&str, &str)]) -> (Vec<Value>, u32) {
        let (mut items, mut pages, mut after) = (Vec::new(), 0, None::<String>);
        loop {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(a) = &after {
                q.push(("after", a));
            }
            let (status, _, body) = self.get(token, url, &q).await;
            assert_eq!(status, 200, "a page answers: {body}");
            pages += 1;
            items.extend(body["data"].as_array().cloned().unwrap_or_default());
            if body["paging"].get("next").is_none() {
                return (items, pages);
            }
            let next = body["paging"]["next"].as_str().unwrap();
            assert!(
                next.starts_with("http://127.0.0.1:"),
                "next points back at the emulator: {next}"
            );
            after = body["paging"]["cursors"]["after"]
                .as_str()
                .map(str::to_owned);
            assert!(pages < 1_000, "paging ends");
        }
    }

    async fn search(
        &self,
        token: &str,
        cid: &str,
        login: Option<&str>,
        query: &str,
    ) -> (u16, Value) {
        let url = format!(
            "{}/v22/customers/{cid}/googleAds:searchStream",
            self.h.emu.origin("google_ads").unwrap()
        );
        let mut req = self
            .http
            .post(url)
            .bearer_auth(token)
            .header("developer-token", "dev-token-1")
            .json(&json!({ "query": query }));
        if let Some(l) = login {
            req = req.header("login-customer-id", l);
        }
        let r = req.send().await.expect("the emulator answers");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

fn ids(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

const ACT: &str = "act_101000000000001";

#[tokio::test]
async fn meta_listings_page_every_object_once_and_hide_archived_unless_asked() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let seed = ImportSeed::default();

    let (all, pages) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/campaigns")),
            &[
                ("fields", "id,name,status,effective_status,daily_budget"),
                ("limit", "5"),
                ("filtering", ALL_STATUSES),
            ],
        )
        .await;
    let unique: HashSet<String> = ids(&all, "id").into_iter().collect();
    assert_eq!(all.len(), seed.campaigns, "every campaign once");
    assert_eq!(unique.len(), seed.campaigns, "no campaign twice");
    assert_eq!(pages, 3, "12 campaigns in pages of 5");
    let statuses: HashSet<&str> = all.iter().filter_map(|c| c["status"].as_str()).collect();
    for s in ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"] {
        assert!(
            statuses.contains(s),
            "a {s} campaign is seeded: {statuses:?}"
        );
    }

    let (default, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/campaigns")),
            &[("fields", "effective_status")],
        )
        .await;
    assert!(
        default.len() < all.len(),
        "archived and deleted are hidden by default"
    );
    assert!(
        default
            .iter()
            .all(|c| !matches!(c["effective_status"].as_str(), Some("ARCHIVED" | "DELETED"))),
        "no archived or deleted campaign without the filter"
    );
    assert!(
        default[0].get("name").is_none(),
        "only the asked fields (and id)"
    );

    let (_, _, first) = t
        .get(
            &token,
            &t.meta(&format!("{ACT}/ads")),
            &[
                ("summary", "total_count"),
                ("filtering", ALL_STATUSES),
                ("limit", "1000"),
            ],
        )
        .await;
    assert_eq!(
        first["summary"]["total_count"],
        json!(seed.ads()),
        "total_count counts every ad"
    );
    assert_eq!(
        first["data"].as_array().unwrap().len(),
        seed.ads().min(500),
        "limit is clamped to 500"
    );

    let (ads, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/ads")),
            &[
                ("fields", "id,adset_id,campaign_id,creative{id}"),
                ("limit", "7"),
                ("filtering", ALL_STATUSES),
            ],
        )
        .await;
    assert_eq!(
        ids(&ads, "id").into_iter().collect::<HashSet<_>>().len(),
        seed.ads()
    );
    let (adsets, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/adsets")),
            &[("limit", "100"), ("filtering", ALL_STATUSES)],
        )
        .await;
    assert_eq!(adsets.len(), seed.ad_sets());

    // Selected campaigns only.
    let chosen = all[0]["id"].as_str().unwrap().to_owned();
    let filter = format!(
        r#"[{{"field":"campaign.id","operator":"IN","value":["{chosen}"]}},{{"field":"effective_status","operator":"IN","value":["ACTIVE","PAUSED","ARCHIVED","DELETED","CAMPAIGN_PAUSED","ADSET_PAUSED"]}}]"#
    );
    let (only, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/ads")),
            &[("fields", "campaign_id"), ("filtering", &filter)],
        )
        .await;
    assert_eq!(only.len(), seed.ad_sets_per_campaign * seed.ads_per_ad_set);
    assert!(
        only.iter().all(|a| a["campaign_id"] == json!(chosen)),
        "only the chosen campaign's ads"
    );

    let stats = t.h.emu.stats("meta").unwrap();
    assert!(stats.import_requests["campaigns"] >= 4, "{stats:?}");
}

#[tokio::test]
async fn meta_creatives_carry_the_searchable_word_and_share_images() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let seed = ImportSeed::default();
    let (creatives, _) = t
        .all(&token, &t.meta(&format!("{ACT}/adcreatives")), &[(
            "fields",
            "id,name,body,image_hash,video_id,object_story_spec,asset_feed_spec,thumbnail_url",
        ), ("limit", "50")])
        .await;
    assert_eq!(creatives.len(), seed.ads(), "one creative per ad");
    for (n, c) in creatives.iter().enumerate() {
        let body = c["body"].as_str().unwrap_or_default();
        assert!(
            body.contains(&searchable_word(n)),
            "creative {n}'s body has its word: {body}"
        );
    }
    let shapes = |key: &str| {
        creatives
            .iter()
            .filter(|c| c.pointer(key).is_some())
            .count()
    };
    assert!(
        shapes("/object_story_spec/link_data/image_hash") > 0,
        "link ads"
    );
    assert!(
        shapes("/object_story_spec/video_data/video_id") > 0,
        "video ads"
    );
    assert!(
        shapes("/object_story_spec/link_data/child_attachments") > 0,
        "carousels"
    );
    assert!(shapes("/asset_feed_spec/images") > 0, "dynamic creatives");
    let hashes: Vec<&str> = creatives
        .iter()
        .filter_map(|c| c["image_hash"].as_str())
        .collect();
    let distinct: HashSet<&&str> = hashes.iter().collect();
    assert!(
        distinct.len() < hashes.len(),
        "several creatives share an image"
    );

    let (images, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/adimages")),
            &[("fields", "hash,url,width,height"), ("limit", "10")],
        )
        .await;
    assert_eq!(images.len(), seed.images);
    let download = |url: String| async move {
        let r = reqwest::get(url).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        r.bytes().await.unwrap()
    };
    let eight = download(images[8]["url"].as_str().unwrap().to_owned()).await;
    let nine = download(images[9]["url"].as_str().unwrap().to_owned()).await;
    let seven = download(images[7]["url"].as_str().unwrap().to_owned()).await;
    assert!(eight.starts_with(b"\x89PNG"), "a real PNG");
    assert_ne!(images[8]["hash"], images[9]["hash"], "different hashes");
    assert_eq!(eight, nine, "image 9 repeats image 8's bytes");
    assert_ne!(seven, eight, "other images differ");

    let (videos, _) = t
        .all(
            &token,
            &t.meta(&format!("{ACT}/advideos")),
            &[("fields", "id,source,picture,length")],
        )
        .await;
    assert_eq!(videos.len(), seed.videos);
    let r = reqwest::get(videos[0]["source"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "video/mp4");
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 starts with its ftyp box");
    assert!(t.h.emu.stats("meta").unwrap().cdn_downloads >= 4);
}

/// Sum of a metric per (key, date) over rows.
fn sums(rows: &[Value], key: &str) -> BTreeMap<(String, String), (u64, u64)> {
    let mut out = BTreeMap::new();
    for r in rows {
        let k = (
            r[key].as_str().unwrap().to_owned(),
            r["date_start"].as_str().unwrap().to_owned(),
        );
        let e: &mut (u64, u64) = out.entry(k).or_default();
        e.0 += r["impressions"].as_str().unwrap().parse::<u64>().unwrap();
        let spend: f64 = r["spend"].as_str().unwrap().parse().unwrap();
        e.1 += (spend * 100.0).round() as u64;
    }
    out
}

#[tokio::test]
async fn meta_async_insights_progress_page_and_reconcile() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let today = chrono::Utc::now().date_naive();
    let range = json!({"since": (today - chrono::Duration::days(30)).to_string(), "until": today.to_string()}).to_string();
    let fields = "campaign_id,adset_id,ad_id,date_start,date_stop,impressions,clicks,spend,reach,actions,action_values,account_currency";
    let mut rows_by_level = BTreeMap::new();
    for level in ["ad", "adset", "campaign"] {
        let r = t
            .http
            .post(t.meta(&format!("{ACT}/insights")))
            .bearer_auth(&token)
            .form(&[
                ("level", level),
                ("time_range", range.as_str()),
                ("time_increment", "1"),
                ("fields", fields),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            r.headers().contains_key("x-fb-ads-insights-throttle"),
            "insights carry the throttle header"
        );
        let run: Value = r.json().await.unwrap();
        let id = run["report_run_id"]
            .as_str()
            .expect("a report run id")
            .to_owned();
        let (_, _, status) = t.get(&token, &t.meta(&id), &[]).await;
        assert_eq!(
            status["async_status"], "Job Running",
            "the first poll: running"
        );
        let (early, _, _) = t.get(&token, &t.meta(&format!("{id}/insights")), &[]).await;
        assert_eq!(early, 400, "no rows before the job completes");
        let (_, _, status) = t.get(&token, &t.meta(&id), &[]).await;
        assert_eq!(status["async_status"], "Job Completed");
        assert_eq!(status["async_percent_completion"], 100);
        let (rows, _) = t
            .all(
                &token,
                &t.meta(&format!("{id}/insights")),
                &[("limit", "100")],
            )
            .await;
        assert!(!rows.is_empty(), "{level}: rows");
        assert!(
            rows.iter().all(|r| r["date_start"] == r["date_stop"]),
            "one day per row"
        );
        assert!(
            rows.iter()
                .all(|r| r["impressions"].as_str().unwrap() != "0"),
            "rows only for delivery days"
        );
        rows_by_level.insert(level, rows);
    }
    assert_eq!(t.h.emu.stats("meta").unwrap().report_runs, 3);
    let ads_by_set = sums(&rows_by_level["ad"], "adset_id");
    let sets = sums(&rows_by_level["adset"], "adset_id");
    assert_eq!(
        ads_by_set, sets,
        "an ad set's day is the sum of its ads' days"
    );
    let by_campaign = sums(&rows_by_level["ad"], "campaign_id");
    assert_eq!(
        by_campaign,
        sums(&rows_by_level["campaign"], "campaign_id"),
        "campaigns reconcile"
    );
    assert!(
        rows_by_level["ad"]
            .iter()
            .any(|r| r.get("actions").is_some()),
        "some rows convert"
    );
}

#[tokio::test]
async fn meta_usage_headers_rise_and_80004_past_the_budget() {
    let t = Import::new(|c| {
        c.meta_calls_per_window = 4;
        c.report_polls = 0;
    })
    .await;
    let token = t.token("meta", "").await;
    let url = t.meta(ACT);
    let mut last = 0;
    for _ in 0..4 {
        let (status, headers, _) = t.get(&token, &url, &[]).await;
        assert_eq!(status, 200);
        let usage: Value =
            serde_json::from_str(headers["x-ad-account-usage"].to_str().unwrap()).unwrap();
        let pct = usage["acc_id_util_pct"].as_u64().unwrap();
        assert!(pct > last, "usage rises: {pct} after {last}");
        last = pct;
        assert!(headers.contains_key("x-business-use-case-usage"));
    }
    let (status, headers, body) = t.get(&token, &url, &[]).await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(80004)),
        "{body}"
    );
    let buc: Value =
        serde_json::from_str(headers["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    let entry = &buc.as_object().unwrap().values().next().unwrap()[0];
    assert!(entry["call_count"].as_u64().unwrap() > 100, "{buc}");
    assert!(entry["estimated_time_to_regain_access"].as_u64().unwrap() >= 1);
    t.h.emu.advance_clock(Duration::from_secs(61));
    let (status, _, _) = t.get(&token, &url, &[]).await;
    assert_eq!(status, 200, "the window rolls over");
}

#[tokio::test]
async fn meta_refuses_other_users_revoked_tokens_and_plays_faults() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let other = t.token("meta", "emu-meta-user-2").await;
    let (status, _, body) = t
        .get(&other, &t.meta(&format!("{ACT}/campaigns")), &[])
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(200)),
        "another user's ad account: {body}"
    );

    t.h.emu.inject("meta", Fault::ServerError(1)).unwrap();
    let (status, _, body) = t.get(&token, &t.meta(ACT), &[]).await;
    assert_eq!(status, 500, "{body}");
    assert!(body["error"]["code"].is_i64());
    t.h.emu
        .inject("meta", Fault::RateLimit { retry_after: 120 })
        .unwrap();
    let (status, headers, body) = t.get(&token, &t.meta(ACT), &[]).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(80004)));
    assert!(headers["x-ad-account-usage"]
        .to_str()
        .unwrap()
        .contains("\"reset_time_duration\":120"));
    t.h.emu.inject("meta", Fault::MalformedJson).unwrap();
    let r = t
        .http
        .get(t.meta(ACT))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));

    t.h.emu
        .inject("meta", Fault::RevokeGrant("emu-meta-user-1".into()))
        .unwrap();
    let (status, _, body) = t.get(&token, &t.meta(ACT), &[]).await;
    assert_eq!(
        (
            status,
            body["error"]["code"].as_i64(),
            body["error"]["error_subcode"].as_i64()
        ),
        (400, Some(190), Some(458))
    );
}

#[tokio::test]
async fn meta_reads_by_ids_and_plays_a_broken_creative_and_a_row_cap() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let creatives = t.meta(&format!("{ACT}/adcreatives"));
    let fields = "id,name,object_story_spec";
    let (status, _, page) = t
        .get(&token, &creatives, &[("fields", fields), ("limit", "5")])
        .await;
    assert_eq!(status, 200, "{page}");
    let listed = ids(page["data"].as_array().unwrap(), "id");
    assert_eq!(listed.len(), 5);

    // By ids: an object keyed by id, with the asked fields only.
    let joined = listed.join(",");
    let (status, _, by_id) = t
        .get(&token, &t.meta(""), &[("ids", &joined), ("fields", fields)])
        .await;
    assert_eq!(status, 200, "{by_id}");
    let map = by_id.as_object().unwrap();
    assert_eq!(map.len(), 5);
    for (i, id) in listed.iter().enumerate() {
        assert_eq!(
            map[id], page["data"][i],
            "the same creative by id and in the listing"
        );
    }
    let too_many = vec![listed[0].as_str(); 51].join(",");
    let (status, _, body) = t.get(&token, &t.meta(""), &[("ids", &too_many)]).await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(100)),
        "{body}"
    );
    let (status, _, body) = t
        .get(&token, &t.meta(""), &[("ids", "2385999400000001")])
        .await;
    assert_eq!(
        (status, body["error"]["error_subcode"].as_i64()),
        (400, Some(33)),
        "an unknown id: {body}"
    );

    // A broken creative fails its page and any lookup naming it, but not an id-only page.
    t.h.emu
        .inject("meta", Fault::BrokenCreative(listed[2].clone()))
        .unwrap();
    let (status, _, body) = t
        .get(&token, &creatives, &[("fields", fields), ("limit", "5")])
        .await;
    assert_eq!(
        (
            status,
            body["error"]["code"].as_i64(),
            body["error"]["error_subcode"].as_i64()
        ),
        (400, Some(100), Some(2_446_289)),
        "{body}"
    );
    assert_eq!(
        body["error"]["error_user_title"],
        "Ad Creative Is Incomplete"
    );
    let (status, _, body) = t
        .get(&token, &creatives, &[("fields", "id"), ("limit", "5")])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(body["data"].as_array().unwrap(), "id"), listed);
    let (status, _, body) = t
        .get(&token, &t.meta(""), &[("ids", &joined), ("fields", fields)])
        .await;
    assert_eq!(
        (status, body["error"]["error_subcode"].as_i64()),
        (400, Some(2_446_289))
    );
    let others = format!("{},{}", listed[0], listed[4]);
    let (status, _, body) = t
        .get(&token, &t.meta(""), &[("ids", &others), ("fields", fields)])
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = t
        .get(&token, &creatives, &[("fields", fields), ("limit", "2")])
        .await;
    assert_eq!(status, 200, "the page before the broken one: {body}");

    // A row cap: more rows than it answers 500 / code 1; fewer pass.
    t.h.emu.inject("meta", Fault::RowCap(3)).unwrap();
    let (status, _, body) = t
        .get(&token, &creatives, &[("fields", "id"), ("limit", "4")])
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (500, Some(1)),
        "{body}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("reduce the amount of data"));
    let (status, _, _) = t
        .get(&token, &creatives, &[("fields", "id"), ("limit", "3")])
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cdn_signatures_expire_and_asset_faults_apply_once() {
    let t = Import::new(|_| {}).await;
    let token = t.token("meta", "").await;
    let (_, _, page) = t
        .get(
            &token,
            &t.meta(&format!("{ACT}/adimages")),
            &[("fields", "url")],
        )
        .await;
    let url = page["data"][0]["url"].as_str().unwrap().to_owned();
    assert!(url.contains("oe="), "{url}");
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    let forged = url.replace("oe=", "oe=F");
    assert_eq!(
        reqwest::get(&forged).await.unwrap().status(),
        403,
        "a changed expiry breaks the signature"
    );

    t.h.emu.inject("meta", Fault::AssetNotFound).unwrap();
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    t.h.emu.inject("meta", Fault::AssetWrongType).unwrap();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.text().await.unwrap().starts_with("<!DOCTYPE html>"),
        "HTML labelled as PNG"
    );
    t.h.emu.inject("meta", Fault::AssetOversized).unwrap();
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(
        r.content_length().is_none(),
        "no Content-Length on the oversized body"
    );
    drop(r);
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        200,
        "faults apply once"
    );

    t.h.emu.advance_clock(Duration::from_secs(2 * 3600));
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 403, "an expired URL is refused");
    assert!(r.text().await.unwrap().contains("expired"));
}

fn batches(body: &Value) -> &Vec<Value> {
    body.as_array()
        .expect("searchStream answers an array of batches")
}

fn results(body: &Value) -> Vec<Value> {
    batches(body)
        .iter()
        .flat_map(|b| b["results"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn google_search_stream_batches_hierarchy_and_errors() {
    let t = Import::new(|c| {
        c.google_batch_rows = 5;
        c.google_operations_per_window = 40;
    })
    .await;
    let token = t.token("google_ads", "").await;
    let seed = ImportSeed::default();
    let campaigns = "SELECT campaign.id, campaign.name, campaign.status, campaign.start_date, campaign.end_date, campaign_budget.amount_micros, campaign_budget.period FROM campaign";

    let (status, body) = t.search(&token, "1000000001", None, campaigns).await;
    assert_eq!(status, 200, "{body}");
    let rows = results(&body);
    assert_eq!(
        rows.len(),
        seed.campaigns,
        "every campaign, removed ones included"
    );
    assert_eq!(batches(&body).len(), 3, "12 rows in batches of 5");
    assert!(batches(&body)
        .iter()
        .all(|b| b["results"].as_array().is_some_and(|r| r.len() <= 5)));
    assert!(rows[0]["campaign"]["resourceName"]
        .as_str()
        .unwrap()
        .starts_with("customers/1000000001/campaigns/"));
    assert!(
        rows[0]["campaignBudget"]["amountMicros"].is_string(),
        "int64 as strings"
    );
    assert_eq!(batches(&body)[0]["fieldMask"], "campaign.id,campaign.name,campaign.status,campaign.startDate,campaign.endDate,campaignBudget.amountMicros,campaignBudget.period");
    let statuses: HashSet<&str> = rows
        .iter()
        .filter_map(|r| r["campaign"]["status"].as_str())
        .collect();
    assert_eq!(
        statuses.len(),
        3,
        "ENABLED, PAUSED and REMOVED: {statuses:?}"
    );

    // The manager lists its clients; a client answers only through it.
    let (_, body) = t.search(&token, "1000000002", None, "SELECT customer_client.id, customer_client.level, customer_client.manager FROM customer_client WHERE customer_client.level <= 1").await;
    let clients: Vec<String> = results(&body)
        .iter()
        .map(|r| r["customerClient"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        clients,
        ["1000000002", "1000000001", "1000000021", "1000000022"],
        "the manager, then its clients"
    );
    let (status, body) = t.search(&token, "1000000021", None, campaigns).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body[0]["error"]["status"], "PERMISSION_DENIED");
    assert_eq!(
        body[0]["error"]["details"][0]["errors"][0]["errorCode"]["authorizationError"],
        "USER_PERMISSION_DENIED"
    );
    let (status, body) = t
        .search(&token, "1000000021", Some("1000000002"), campaigns)
        .await;
    assert_eq!(
        (status, results(&body).len()),
        (200, seed.campaigns),
        "through the manager"
    );
    let (status, _) = t
        .search(&token, "1000000001", Some("1000000002"), campaigns)
        .await;
    assert_eq!(
        status, 200,
        "a direct client also answers through its manager"
    );
    let (status, body) = t.search(&token, "1000000002", None, campaigns).await;
    assert_eq!(status, 200);
    assert_eq!(batches(&body).len(), 1, "no rows: one batch");
    assert!(
        batches(&body)[0].get("results").is_none(),
        "without results"
    );

    let other = t.token("google_ads", "emu-google_ads-user-2").await;
    let (status, _) = t.search(&other, "1000000001", None, campaigns).await;
    assert_eq!(status, 403, "another user's customer");

    // Ads and assets.
    let (_, body) = t.search(&token, "1000000001", None, "SELECT ad_group_ad.ad.id, ad_group_ad.ad.type, ad_group_ad.ad.responsive_search_ad.descriptions, ad_group_ad.ad.responsive_display_ad.marketing_images, ad_group.id, campaign.id FROM ad_group_ad").await;
    let ads = results(&body);
    assert_eq!(ads.len(), seed.ads());
    assert!(ads
        .iter()
        .any(|a| a["adGroupAd"]["ad"]["type"] == "RESPONSIVE_DISPLAY_AD"));
    assert!(
        ads[0]["adGroupAd"]["ad"]["responsiveSearchAd"]["descriptions"][0]["text"]
            .as_str()
            .unwrap()
            .contains(&searchable_word(0))
    );
    let (_, body) = t.search(&token, "1000000001", None, "SELECT asset.id, asset.type, asset.image_asset.full_size.url, asset.youtube_video_asset.youtube_video_id FROM asset WHERE asset.type IN ('IMAGE', 'YOUTUBE_VIDEO')").await;
    let assets = results(&body);
    assert_eq!(assets.len(), seed.images + seed.videos);
    let url = assets[0]["asset"]["imageAsset"]["fullSize"]["url"]
        .as_str()
        .unwrap();
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["content-type"].to_str().unwrap()
        ),
        (200, "image/png")
    );

    // Metrics reconcile between levels.
    let today = chrono::Utc::now().date_naive();
    let window = format!(
        "segments.date BETWEEN '{}' AND '{today}'",
        today - chrono::Duration::days(30)
    );
    let metric = |from: &str, id: &str| {
        format!("SELECT {id}, campaign.id, segments.date, metrics.impressions, metrics.cost_micros, metrics.conversions FROM {from} WHERE {window}")
    };
    let (_, by_campaign) = t
        .search(
            &token,
            "1000000001",
            None,
            &metric("campaign", "campaign.id"),
        )
        .await;
    let (_, by_group) = t
        .search(
            &token,
            "1000000001",
            None,
            &metric("ad_group", "ad_group.id"),
        )
        .await;
    let total = |rows: Vec<Value>| -> BTreeMap<(String, String), u64> {
        let mut out = BTreeMap::new();
        for r in rows {
            let key = (
                r["campaign"]["id"].as_str().unwrap().to_owned(),
                r["segments"]["date"].as_str().unwrap().to_owned(),
            );
            *out.entry(key).or_default() += r["metrics"]["costMicros"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap();
        }
        out
    };
    let campaign_totals = total(results(&by_campaign));
    assert!(!campaign_totals.is_empty());
    assert_eq!(
        campaign_totals,
        total(results(&by_group)),
        "ad groups add up to campaigns"
    );

    // Errors: developer token, query, faults, quota.
    let r = t
        .http
        .post(format!(
            "{}/v22/customers/1000000001/googleAds:searchStream",
            t.h.emu.origin("google_ads").unwrap()
        ))
        .bearer_auth(&token)
        .json(&json!({"query": campaigns}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "the developer-token header is required");
    let (status, body) = t
        .search(
            &token,
            "1000000001",
            None,
            "SELECT nonsense.id FROM campaign",
        )
        .await;
    assert_eq!(status, 400);
    assert!(body[0]["error"]["details"][0]["errors"][0]["errorCode"]["queryError"].is_string());
    t.h.emu.inject("google_ads", Fault::ServerError(1)).unwrap();
    let (status, body) = t.search(&token, "1000000001", None, campaigns).await;
    assert_eq!(
        (status, body[0]["error"]["status"].as_str()),
        (500, Some("INTERNAL"))
    );
    t.h.emu
        .inject("google_ads", Fault::RateLimit { retry_after: 9 })
        .unwrap();
    let (status, body) = t.search(&token, "1000000001", None, campaigns).await;
    assert_eq!(status, 429);
    assert_eq!(
        body[0]["error"]["details"][0]["errors"][0]["details"]["quotaErrorDetails"]["retryDelay"],
        "9s"
    );
    let mut exhausted = None;
    for _ in 0..40 {
        let (status, body) = t
            .search(
                &token,
                "1000000001",
                None,
                "SELECT customer.id FROM customer",
            )
            .await;
        if status != 200 {
            exhausted = Some((status, body));
            break;
        }
    }
    let (status, body) = exhausted.expect("the operations budget runs out");
    assert_eq!(
        (status, body[0]["error"]["status"].as_str()),
        (429, Some("RESOURCE_EXHAUSTED"))
    );
    assert!(
        body[0]["error"]["details"][0]["errors"][0]["details"]["quotaErrorDetails"]["retryDelay"]
            .as_str()
            .unwrap()
            .ends_with('s')
    );
    assert!(t.h.emu.stats("google_ads").unwrap().import_requests["search_stream:campaign"] >= 5);

    t.h.emu
        .inject(
            "google_ads",
            Fault::RevokeGrant("emu-google_ads-user-1".into()),
        )
        .unwrap();
    t.h.emu.advance_clock(Duration::from_secs(61));
    let (status, body) = t.search(&token, "1000000001", None, campaigns).await;
    assert_eq!(
        (status, body[0]["error"]["status"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
}

#[tokio::test]
async fn a_bench_sized_account_pages_lazily() {
    let t = Import::new(|c| c.import = ImportSeed::bench()).await;
    let token = t.token("meta", "").await;
    let (status, _, body) = t
        .get(
            &token,
            &t.meta(&format!("{ACT}/ads")),
            &[
                ("summary", "total_count"),
                ("filtering", ALL_STATUSES),
                ("limit", "500"),
                ("fields", "id"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["summary"]["total_count"], 50_000,
        "50,000 ads without storing them"
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 500);
}
