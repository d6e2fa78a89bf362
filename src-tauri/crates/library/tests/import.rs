//! Imports end to end against the platform emulator: Meta and Google Ads accounts into the
//! encrypted library, assets content-addressed, search over ad copy, faults (5xx and 429
//! storms, slow answers, a grant revoked mid-job, broken asset URLs), retry of failed items
//! only, and tenant isolation.

mod common;

use common::*;
use std::time::Duration;
use switchboard_emulator::{searchable_word, EmulatorConfig, Fault, ImportSeed};
use switchboard_library::StartImport;
use switchboard_store::domain::{ImportJob, LibFilter, NewClient};
use switchboard_store::Origin;

fn job(w: &World, client: &str, id: &str) -> ImportJob {
    w.vault.read(|r| r.client(client)?.import_job(id)).unwrap()
}

fn progress(job: &ImportJob, kind: &str) -> (Option<i64>, i64, i64) {
    let p = job.progress.iter().find(|p| p.kind == kind).unwrap();
    (p.total, p.done, p.failed)
}

async fn import(w: &World, connection: &str, account: &str, days: u32) -> ImportJob {
    let started = w
        .importer
        .start(
            &w.client_id,
            StartImport {
                connection_id: connection.into(),
                account: account.into(),
                metrics_days: Some(days),
                ..StartImport::default()
            },
        )
        .await
        .expect("start");
    tokio::time::timeout(Duration::from_secs(120), w.importer.idle())
        .await
        .expect("the import did not end within 2 minutes");
    job(w, &w.client_id, &started.id)
}

fn assert_sound(w: &World) {
    let report = w.vault.integrity_check().unwrap();
    assert!(report.ok, "{report:?}");
    let (orphans, damaged) = w
        .vault
        .read(|r| Ok((r.orphan_blob_count()?, r.damaged_blob_count()?)))
        .unwrap();
    assert_eq!((orphans, damaged), (0, 0), "orphan or damaged blobs");
    assert_eq!(
        w.vault.asset_file_check().unwrap(),
        (0, 0),
        "orphan or missing asset files"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_account_imports_whole_with_assets_metrics_and_search() {
    let w = world().await;
    let seed = ImportSeed::default();
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let job = import(&w, &conn, &account, 30).await;
    assert_eq!(job.state, "completed", "{job:?}");
    assert_eq!(job.error_count, 0);
    assert_eq!(
        progress(&job, "campaigns"),
        (Some(seed.campaigns as i64), seed.campaigns as i64, 0)
    );
    assert_eq!(
        progress(&job, "ad_groups"),
        (Some(seed.ad_sets() as i64), seed.ad_sets() as i64, 0)
    );
    assert_eq!(
        progress(&job, "ads"),
        (Some(seed.ads() as i64), seed.ads() as i64, 0)
    );
    assert_eq!(
        progress(&job, "metric_days"),
        (Some(90), 90, 0),
        "30 days × 3 levels"
    );
    let (assets_total, assets_done, assets_failed) = progress(&job, "assets");
    assert_eq!(assets_failed, 0);
    assert_eq!(assets_total, Some(assets_done));
    assert!(assets_done >= (seed.images + seed.videos) as i64);

    let accounts = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_accounts())
        .unwrap();
    assert_eq!(accounts.len(), 1);
    let a = &accounts[0];
    assert_eq!(
        (a.platform.as_str(), a.external_id.as_str()),
        ("meta", account.as_str())
    );
    assert_eq!(
        (a.campaigns, a.ad_groups, a.ads),
        (
            seed.campaigns as i64,
            seed.ad_sets() as i64,
            seed.ads() as i64
        )
    );
    assert_eq!(a.assets_done, a.assets_total);
    assert!(a.currency.is_some() && a.last_import_at.is_some());

    // Archived and deleted objects are imported (Meta hides them unless asked).
    let statuses = raw_rows(
        &w.vault,
        "SELECT DISTINCT status FROM lib_objects WHERE client_id = ?1 ORDER BY 1",
        &w.client_id,
    );
    assert!(
        statuses.iter().any(|s| s == "archived" || s == "deleted"),
        "{statuses:?}"
    );
    // Every ad set and ad hangs under its parent.
    let orphans = raw_rows(&w.vault, "SELECT count(*) FROM lib_objects WHERE client_id = ?1 AND level != 'campaign' AND parent_id IS NULL", &w.client_id);
    assert_eq!(orphans, vec!["0"]);
    // Budgets in micros with the account's currency.
    let budgets = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_objects WHERE client_id = ?1 AND budget_micros > 0",
        &w.client_id,
    );
    assert_ne!(budgets, vec!["0"]);

    // Content addressing: byte-identical images (every tenth repeats the one before) are
    // stored once.
    let images = raw_rows(&w.vault, "SELECT count(*), count(DISTINCT sha256) FROM lib_assets WHERE client_id = ?1 AND kind = 'image'", &w.client_id);
    let dupes = (0..seed.images)
        .filter(|i| switchboard_emulator::duplicate_image_of(*i).is_some())
        .count();
    assert_eq!(
        images,
        vec![format!("{}|{}", seed.images, seed.images - dupes)]
    );
    let videos = raw_rows(&w.vault, "SELECT count(*) FROM lib_assets WHERE client_id = ?1 AND kind = 'video' AND mime = 'video/mp4'", &w.client_id);
    assert_eq!(videos, vec![seed.videos.to_string()]);

    // Search finds an ad by a word of its copy; its creative image is stored and readable.
    let word = searchable_word(5);
    let hits = w
        .vault
        .read(|r| r.client(&w.client_id)?.search_library(&word, 10))
        .unwrap();
    assert!(!hits.is_empty(), "no hit for {word}");
    assert_eq!(hits[0].kind, "ad");
    assert!(
        hits[0].snippet.contains(&format!("[{word}]")),
        "{:?}",
        hits[0]
    );
    let detail = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_object(&hits[0].id))
        .unwrap();
    let creative = detail.creative.as_ref().expect("the ad's creative");
    assert!(
        creative.bodies.iter().any(|b| b.contains(&word)),
        "{creative:?}"
    );
    let shown = detail
        .assets
        .iter()
        .find(|a| a.status == "done" && (a.kind == "image" || a.kind == "thumbnail"));
    if let Some(image) = shown {
        let bytes = w
            .vault
            .read(|r| {
                r.client(&w.client_id)?
                    .read_lib_asset_range(&image.id, false, 0, u64::MAX)
            })
            .unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(Some(bytes.len() as i64), image.size);
        let thumb = w
            .vault
            .read(|r| r.client(&w.client_id)?.lib_asset_content(&image.id, true))
            .unwrap();
        assert_eq!(
            thumb.mime, "image/jpeg",
            "480 px images get a 256 px thumbnail"
        );
    } else {
        assert!(
            detail.assets.iter().any(|a| a.kind == "video"),
            "{:?}",
            detail.assets
        );
    }

    // Daily metrics: campaign rows equal the sum of their ads' rows.
    let mismatched = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_metrics_daily c JOIN lib_accounts a ON a.id = c.account_id
         WHERE a.client_id = ?1 AND c.level = 'campaign' AND c.spend_micros != (
            SELECT coalesce(sum(m.spend_micros), 0) FROM lib_metrics_daily m JOIN lib_objects o ON o.account_id = m.account_id AND o.level = 'ad' AND o.external_id = m.external_id
            JOIN lib_objects g ON g.id = o.parent_id JOIN lib_objects cp ON cp.id = g.parent_id
            WHERE m.account_id = c.account_id AND m.level = 'ad' AND m.date = c.date AND cp.external_id = c.external_id)",
        &w.client_id,
    );
    assert_eq!(mismatched, vec!["0"]);
    let days = raw_rows(&w.vault, "SELECT count(*) FROM lib_metrics_daily m JOIN lib_accounts a ON a.id = m.account_id WHERE a.client_id = ?1", &w.client_id);
    assert_ne!(days, vec!["0"]);
    let page = w
        .vault
        .read(|r| {
            r.client(&w.client_id)?.lib_objects(&LibFilter {
                level: "campaign".into(),
                sort: Some("spend".into()),
                desc: true,
                limit: 5,
                include_removed: true,
                ..LibFilter::default()
            })
        })
        .unwrap();
    assert!(
        page.rows[0].spend_micros > 0,
        "totals are refreshed at the end of a pull"
    );

    // No secret in anything the job recorded.
    let text = serde_json::to_string(&job).unwrap();
    assert!(!text.contains("CANARY"), "{text}");
    assert_sound(&w);

    // A re-import keeps review marks and first-seen times, and changes nothing else.
    let before = library_dump(&w.vault, &w.client_id);
    let ad = hits[0].id.clone();
    w.vault
        .write(Origin::User, |wr| {
            wr.client(&w.client_id)?
                .add_lib_review(&ad, "needs_changes", "Logo too small")
        })
        .unwrap();
    w.clock.advance(chrono::Duration::seconds(5));
    let again = import(&w, &conn, &account, 30).await;
    assert_eq!(again.state, "completed", "{again:?}");
    assert_eq!(library_dump(&w.vault, &w.client_id), before);
    let detail = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_object(&ad))
        .unwrap();
    assert_eq!(detail.row.review_mark.as_deref(), Some("needs_changes"));
    assert_eq!(detail.reviews[0].note, "Logo too small");
    let requests = w.emu.stats("meta").unwrap().cdn_downloads;
    assert!(requests > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_run_in_parallel_and_never_over_the_platforms_download_slots() {
    let w = world_with(EmulatorConfig {
        page_size: 7,
        latency: Duration::from_millis(30),
        ..EmulatorConfig::default()
    })
    .await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let job = import(&w, &conn, &account, 0).await;
    assert_eq!(job.state, "completed", "{job:?}");
    let stats = w.emu.stats("meta").unwrap();
    let slots = switchboard_platforms::import::source("meta")
        .map(|s| s.limits().download_concurrency)
        .unwrap() as u32;
    assert!(stats.cdn_downloads >= slots * 2, "{stats:?}");
    assert!(
        (4..=slots).contains(&stats.cdn_peak_in_flight),
        "the CDN saw {} downloads at once (slots: {slots})",
        stats.cdn_peak_in_flight
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_ads_account_imports_with_searchstream() {
    let w = world().await;
    let conn = connect(&w, "google_ads", &w.client_id).await;
    let account = first_account(&w, &conn);
    let job = import(&w, &conn, &account, 14).await;
    assert_eq!(job.state, "completed", "{job:?}");
    let accounts = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_accounts())
        .unwrap();
    let a = &accounts[0];
    assert_eq!(a.platform, "google_ads");
    assert!(a.campaigns > 0 && a.ad_groups > 0 && a.ads > 0, "{a:?}");
    let removed = raw_rows(&w.vault, "SELECT count(*) FROM lib_objects WHERE client_id = ?1 AND status_raw = 'REMOVED' AND status = 'deleted'", &w.client_id);
    assert_ne!(
        removed,
        vec!["0"],
        "REMOVED campaigns are kept and shown as deleted"
    );
    let youtube = raw_rows(&w.vault, "SELECT count(*) FROM lib_assets WHERE client_id = ?1 AND kind = 'youtube' AND status = 'external'", &w.client_id);
    assert_ne!(youtube, vec!["0"]);
    let images = raw_rows(&w.vault, "SELECT count(*) FROM lib_assets WHERE client_id = ?1 AND kind = 'image' AND status = 'done' AND mime LIKE 'image/%'", &w.client_id);
    assert_ne!(images, vec!["0"]);
    let hits = w
        .vault
        .read(|r| {
            r.client(&w.client_id)?
                .search_library(&searchable_word(1), 5)
        })
        .unwrap();
    assert!(!hits.is_empty());
    let metrics = raw_rows(&w.vault, "SELECT count(DISTINCT level) FROM lib_metrics_daily m JOIN lib_accounts a ON a.id = m.account_id WHERE a.client_id = ?1", &w.client_id);
    assert_eq!(metrics, vec!["3"]);
    let stats = w.emu.stats("google_ads").unwrap();
    assert!(
        stats
            .import_requests
            .keys()
            .any(|k| k.starts_with("search_stream")),
        "{stats:?}"
    );
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_and_rate_limit_storms_slow_answers_still_complete_exactly() {
    let clean = world().await;
    let conn = connect(&clean, "meta", &clean.client_id).await;
    let account = first_account(&clean, &conn);
    assert_eq!(import(&clean, &conn, &account, 7).await.state, "completed");
    let expected = library_dump(&clean.vault, &clean.client_id);

    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    for fault in [
        Fault::ServerError(4),
        Fault::RateLimit { retry_after: 1 },
        Fault::Slow(400),
        Fault::ServerError(3),
        Fault::MalformedJson,
        Fault::RateLimit { retry_after: 1 },
    ] {
        w.emu.inject("meta", fault).unwrap();
    }
    let job = import(&w, &conn, &account, 7).await;
    assert_eq!(job.state, "completed", "{job:?}");
    assert_eq!(library_dump(&w.vault, &w.client_id), expected);
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_creative_is_listed_and_skipped_and_heavy_pages_are_asked_smaller() {
    let clean = world().await;
    let conn = connect(&clean, "meta", &clean.client_id).await;
    let account = first_account(&clean, &conn);
    assert_eq!(import(&clean, &conn, &account, 7).await.state, "completed");
    let expected = library_dump(&clean.vault, &clean.client_id);
    // An image creative in the middle of the listing: its images are shared, so only its
    // own row goes missing.
    let broken_line = expected
        .iter()
        .filter(|l| l.starts_with("cre|") && l.split('|').nth(2) == Some("image"))
        .nth(5)
        .expect("image creatives")
        .clone();
    let broken_id = broken_line.split('|').nth(1).unwrap().to_owned();

    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    w.emu
        .inject("meta", Fault::BrokenCreative(broken_id.clone()))
        .unwrap();
    w.emu.inject("meta", Fault::RowCap(60)).unwrap();
    let job = import(&w, &conn, &account, 7).await;
    assert_eq!(job.state, "completed_with_errors", "{job:?}");
    let (total, done, failed) = progress(&job, "creatives");
    assert_eq!(failed, 1, "{job:?}");
    assert_eq!(Some(done + failed), total, "every other creative is stored");
    let errors = w
        .vault
        .read(|r| r.client(&w.client_id)?.import_errors(&job.id, 50))
        .unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].kind.as_str(), errors[0].external_id.as_str()),
        ("creative", broken_id.as_str())
    );
    assert!(
        errors[0].message.contains("Ad Creative Is Incomplete"),
        "{errors:?}"
    );
    let without: Vec<String> = expected.into_iter().filter(|l| *l != broken_line).collect();
    assert_eq!(
        library_dump(&w.vault, &w.client_id),
        without,
        "the same library but the one creative (its ad is kept and still names it)"
    );
    let stats = w.emu.stats("meta").unwrap();
    let lookups = stats.import_requests.get("ids").copied().unwrap_or(0);
    assert!(lookups >= 2, "read by id around the broken one: {stats:?}");
    let total = |s: &switchboard_emulator::Stats| s.import_requests.values().sum::<u32>();
    let clean_total = total(&clean.emu.stats("meta").unwrap());
    // Each listing and report page of at most 60 rows took 500, 250, 125 and 62 first.
    assert!(
        total(&stats) - lookups >= clean_total + 4 * 8,
        "pages were asked again smaller: {} vs {clean_total}",
        total(&stats)
    );
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_revoked_mid_job_pauses_it_for_reconnect_and_a_resume_finishes_it() {
    let w = world_with(EmulatorConfig {
        page_size: 5,
        latency: Duration::from_millis(40),
        ..EmulatorConfig::default()
    })
    .await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let started = w
        .importer
        .start(
            &w.client_id,
            StartImport {
                connection_id: conn.clone(),
                account: account.clone(),
                metrics_days: Some(30),
                ..StartImport::default()
            },
        )
        .await
        .unwrap();
    // Wait until the job has stored something, then the user removes the app at Meta.
    for _ in 0..200 {
        if job(&w, &w.client_id, &started.id).requests > 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    w.emu
        .inject("meta", Fault::RevokeGrant("emu-meta-user-1".into()))
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), w.importer.idle())
        .await
        .unwrap();
    let paused = job(&w, &w.client_id, &started.id);
    assert_eq!(
        (paused.state.as_str(), paused.reason.as_deref()),
        ("paused", Some("reconnect_needed")),
        "{paused:?}"
    );
    assert!(
        paused
            .message
            .as_deref()
            .unwrap_or("")
            .contains("Reconnect"),
        "{paused:?}"
    );
    assert!(!serde_json::to_string(&paused).unwrap().contains("CANARY"));
    assert_sound(&w);

    // Reconnect (same connection), resume: the job finishes from where it stopped.
    let begun = w
        .connector
        .begin(switchboard_connect::BeginRequest {
            platform: "meta".into(),
            client_id: w.client_id.clone(),
            connection_id: Some(conn.clone()),
            redirect: Some("https_relay".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let redirect = w.emu.approve(&begun.authorize_url, "").unwrap();
    let url = url::Url::parse(&redirect).unwrap();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(url.query_pairs().filter(|(k, _)| k != "platform"))
        .finish();
    let _ = w.connector.complete_redirect("meta", &query).await;
    begun.outcome.await.unwrap().unwrap();
    w.importer.resume(&w.client_id, &started.id).unwrap();
    tokio::time::timeout(Duration::from_secs(120), w.importer.idle())
        .await
        .unwrap();
    let done = job(&w, &w.client_id, &started.id);
    assert_eq!(done.state, "completed", "{done:?}");
    let seed = ImportSeed::default();
    assert_eq!(progress(&done, "ads").1, seed.ads() as i64);
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_asset_urls_are_listed_per_item_and_retry_fetches_only_those() {
    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    for fault in [
        Fault::AssetNotFound,
        Fault::AssetWrongType,
        Fault::AssetOversized,
    ] {
        w.emu.inject("meta", fault).unwrap();
    }
    let first = import(&w, &conn, &account, 0).await;
    assert_eq!(first.state, "completed_with_errors", "{first:?}");
    let (_, _, failed) = progress(&first, "assets");
    assert_eq!(failed, 3);
    let errors = w
        .vault
        .read(|r| r.client(&w.client_id)?.import_errors(&first.id, 50))
        .unwrap();
    let messages: Vec<&str> = errors
        .iter()
        .filter(|e| e.kind == "asset")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(messages.len(), 3, "{errors:?}");
    assert!(
        messages.iter().any(|m| m.contains("HTTP 404")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("web page") || m.contains("announced")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("larger than")),
        "{messages:?}"
    );
    let failed_rows = raw_rows(&w.vault, "SELECT count(*) FROM lib_assets WHERE client_id = ?1 AND status = 'failed' AND sha256 IS NULL", &w.client_id);
    assert_eq!(failed_rows, vec!["3"], "a failed asset stores no bytes");
    assert_sound(&w);
    // Everything else is in place: objects are complete.
    assert_eq!(progress(&first, "ads").2, 0);

    let cdn_before = w.emu.stats("meta").unwrap().cdn_downloads;
    let api_before: u32 = w.emu.stats("meta").unwrap().import_requests.values().sum();
    w.importer.retry_failed(&w.client_id, &first.id).unwrap();
    tokio::time::timeout(Duration::from_secs(60), w.importer.idle())
        .await
        .unwrap();
    let retried = job(&w, &w.client_id, &first.id);
    assert_eq!(retried.state, "completed", "{retried:?}");
    let stats = w.emu.stats("meta").unwrap();
    assert_eq!(
        stats.cdn_downloads - cdn_before,
        3,
        "only the three failed files are fetched again"
    );
    assert_eq!(
        stats.import_requests.values().sum::<u32>(),
        api_before,
        "no listing is read again"
    );
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_clients_import_never_writes_or_shows_under_another() {
    let w = world().await;
    let other = w
        .vault
        .write(Origin::User, |wr| {
            Ok(wr
                .create_client(NewClient {
                    name: "Globex".into(),
                    timezone: None,
                    notes: None,
                })?
                .id)
        })
        .unwrap();
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    // Client B cannot import through client A's connection.
    let refused = w
        .importer
        .start(
            &other,
            StartImport {
                connection_id: conn.clone(),
                account: account.clone(),
                ..StartImport::default()
            },
        )
        .await;
    assert!(
        matches!(refused, Err(switchboard_library::LibraryError::NotFound(_))),
        "{refused:?}"
    );
    let job = import(&w, &conn, &account, 7).await;
    assert_eq!(job.state, "completed");

    let b = |f: &dyn Fn(
        &switchboard_store::domain::ClientRead<'_>,
    ) -> switchboard_store::Result<usize>| {
        w.vault.read(|r| f(&r.client(&other)?)).unwrap()
    };
    assert_eq!(b(&|c| Ok(c.lib_accounts()?.len())), 0);
    assert_eq!(
        b(&|c| Ok(c.search_library(&searchable_word(3), 10)?.len())),
        0
    );
    assert_eq!(
        b(&|c| Ok(c
            .lib_objects(&LibFilter {
                level: "ad".into(),
                limit: 10,
                ..LibFilter::default()
            })?
            .total
            .unwrap_or(-1) as usize)),
        0
    );
    assert_eq!(b(&|c| Ok(c.import_jobs(10)?.len())), 0);
    let a_asset = raw_rows(
        &w.vault,
        "SELECT id FROM lib_assets WHERE client_id = ?1 AND status = 'done' LIMIT 1",
        &w.client_id,
    );
    let a_object = raw_rows(
        &w.vault,
        "SELECT id FROM lib_objects WHERE client_id = ?1 LIMIT 1",
        &w.client_id,
    );
    let asset_for_b = w
        .vault
        .read(|r| r.client(&other)?.lib_asset_content(&a_asset[0], false));
    assert!(
        matches!(
            asset_for_b,
            Err(switchboard_store::StoreError::NotFound { .. })
        ),
        "{asset_for_b:?}"
    );
    let object_for_b = w.vault.read(|r| r.client(&other)?.lib_object(&a_object[0]));
    assert!(object_for_b.is_err());
    let review_for_b = w.vault.write(Origin::User, |wr| {
        wr.client(&other)?
            .add_lib_review(&a_object[0], "approved", "")
    });
    assert!(review_for_b.is_err());
    let job_for_b = w.vault.read(|r| r.client(&other)?.import_job(&job.id));
    assert!(job_for_b.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selected_campaigns_only_import_what_hangs_under_them_and_mark_nothing_removed() {
    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let all = import(&w, &conn, &account, 0).await;
    assert_eq!(all.state, "completed");
    let campaigns = raw_rows(&w.vault, "SELECT external_id FROM lib_objects WHERE client_id = ?1 AND level = 'campaign' AND status = 'active' ORDER BY external_id LIMIT 2", &w.client_id);
    assert_eq!(campaigns.len(), 2);

    let other = w
        .vault
        .write(Origin::User, |wr| {
            Ok(wr
                .create_client(NewClient {
                    name: "Initech".into(),
                    timezone: None,
                    notes: None,
                })?
                .id)
        })
        .unwrap();
    let conn2 = connect(&w, "meta", &other).await;
    let started = w
        .importer
        .start(
            &other,
            StartImport {
                connection_id: conn2,
                account: account.clone(),
                campaigns: campaigns.clone(),
                metrics_days: Some(7),
                ..StartImport::default()
            },
        )
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), w.importer.idle())
        .await
        .unwrap();
    let sel = job(&w, &other, &started.id);
    assert_eq!(sel.state, "completed", "{sel:?}");
    let imported = raw_rows(&w.vault, "SELECT external_id FROM lib_objects WHERE client_id = ?1 AND level = 'campaign' ORDER BY external_id", &other);
    assert_eq!(imported, campaigns);
    let strays = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_objects a JOIN lib_objects g ON g.id = a.parent_id JOIN lib_objects c ON c.id = g.parent_id WHERE a.client_id = ?1 AND a.level = 'ad'",
        &other,
    );
    let ads = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_objects WHERE client_id = ?1 AND level = 'ad'",
        &other,
    );
    assert_eq!(strays, ads, "every ad hangs under a selected campaign");
    let metric_objects = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_metrics_daily m JOIN lib_accounts a ON a.id = m.account_id WHERE a.client_id = ?1 AND m.level = 'campaign' AND m.external_id NOT IN (SELECT external_id FROM lib_objects WHERE client_id = ?1 AND level = 'campaign')",
        &other,
    );
    assert_eq!(metric_objects, vec!["0"]);
    let removed = raw_rows(
        &w.vault,
        "SELECT count(*) FROM lib_objects WHERE removed_at IS NOT NULL AND ?1 = ''",
        "",
    );
    assert_eq!(
        removed,
        vec!["0"],
        "a selective import marks nothing removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_job_and_keeps_what_was_stored() {
    let w = world_with(EmulatorConfig {
        page_size: 3,
        latency: Duration::from_millis(30),
        ..EmulatorConfig::default()
    })
    .await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let started = w
        .importer
        .start(
            &w.client_id,
            StartImport {
                connection_id: conn.clone(),
                account: account.clone(),
                metrics_days: Some(60),
                ..StartImport::default()
            },
        )
        .await
        .unwrap();
    let again = w
        .importer
        .start(
            &w.client_id,
            StartImport {
                connection_id: conn,
                account,
                ..StartImport::default()
            },
        )
        .await;
    assert!(
        matches!(
            again,
            Err(switchboard_library::LibraryError::AlreadyRunning(_))
        ),
        "one import per account at a time"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.importer.cancel(&w.client_id, &started.id).unwrap();
    tokio::time::timeout(Duration::from_secs(30), w.importer.idle())
        .await
        .unwrap();
    let j = job(&w, &w.client_id, &started.id);
    assert_eq!(j.state, "cancelled", "{j:?}");
    assert!(j.finished_at.is_some());
    assert!(
        w.importer.resume(&w.client_id, &started.id).is_err(),
        "a cancelled job does not resume"
    );
    assert_sound(&w);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_sync_reimports_an_account_when_its_interval_has_passed() {
    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    assert_eq!(import(&w, &conn, &account, 3).await.state, "completed");
    let lib_account = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_accounts())
        .unwrap()[0]
        .id
        .clone();
    assert!(
        w.importer.auto_sync_tick().await.unwrap().is_empty(),
        "auto-sync is off by default"
    );
    w.vault
        .write(Origin::User, |wr| {
            wr.client(&w.client_id)?
                .set_auto_sync(&lib_account, Some(24))
        })
        .unwrap();
    w.clock.advance(chrono::Duration::hours(23));
    assert!(
        w.importer.auto_sync_tick().await.unwrap().is_empty(),
        "not due before 24 h"
    );
    w.clock.advance(chrono::Duration::hours(2));
    let started = w.importer.auto_sync_tick().await.unwrap();
    assert_eq!(started.len(), 1);
    assert!(
        w.importer.auto_sync_tick().await.unwrap().is_empty(),
        "one job at a time per account"
    );
    tokio::time::timeout(Duration::from_secs(60), w.importer.idle())
        .await
        .unwrap();
    let j = job(&w, &w.client_id, &started[0]);
    assert_eq!(
        (j.state.as_str(), j.trigger.as_str()),
        ("completed", "auto")
    );
    let refused = w.vault.write(Origin::User, |wr| {
        wr.client(&w.client_id)?
            .set_auto_sync(&lib_account, Some(0))
    });
    assert!(refused.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_ads_client_accounts_under_a_manager_are_listed_and_imported_through_it() {
    let w = world().await;
    let conn = connect(&w, "google_ads", &w.client_id).await;
    let accounts = w.vault.read(|r| r.connection_accounts(&conn)).unwrap();
    let manager = accounts
        .iter()
        .find(|a| a.kind == "manager")
        .expect("the seeded manager (MCC) is listed");
    let client = accounts
        .iter()
        .find(|a| a.manager.as_deref() == Some(manager.external_id.as_str()))
        .expect("a client reached only through the manager is listed with it");
    assert!(
        client.name.is_some() && client.currency.is_some(),
        "{client:?}"
    );
    let job = import(&w, &conn, &client.external_id, 7).await;
    assert_eq!(job.state, "completed", "{job:?}");
    let lib = w
        .vault
        .read(|r| r.client(&w.client_id)?.lib_accounts())
        .unwrap();
    let a = lib
        .iter()
        .find(|a| a.external_id == client.external_id)
        .unwrap();
    assert!(a.campaigns > 0, "{a:?}");
    let parent = raw_rows(
        &w.vault,
        "SELECT parent_external_id FROM lib_accounts WHERE client_id = ?1",
        &w.client_id,
    );
    assert_eq!(parent, vec![manager.external_id.clone()]);
}

/// Thumbnails are made by a pass after the job: when `import` returns (the job and its
/// pass done) every large image has one and none waits. A pass cut short (here: its work
/// undone in the vault, as a quit would leave it) is finished by the next start's
/// `resume_interrupted`, with the same bytes; identical images share one thumbnail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumbnails_follow_the_job_and_an_interrupted_pass_resumes() {
    let w = world().await;
    let conn = connect(&w, "meta", &w.client_id).await;
    let account = first_account(&w, &conn);
    let job = import(&w, &conn, &account, 3).await;
    assert_eq!(job.state, "completed", "{job:?}");
    let state = |w: &World| {
        raw_rows(
            &w.vault,
            "SELECT id, coalesce(thumb_sha256, '-'), thumb_pending FROM lib_assets
             WHERE client_id = ?1 AND status = 'done' AND mime LIKE 'image/%' ORDER BY id",
            &w.client_id,
        )
    };
    let made = state(&w);
    assert!(!made.is_empty());
    assert!(
        made.iter().all(|r| r.ends_with("|0")),
        "none left waiting: {made:?}"
    );
    assert!(
        made.iter().all(|r| !r.contains("|-|")),
        "480 px images all get a thumbnail: {made:?}"
    );
    // Identical image bytes have one thumbnail.
    let shared = raw_rows(
        &w.vault,
        "SELECT count(*) FROM (SELECT sha256 FROM lib_assets WHERE client_id = ?1 AND sha256 IS NOT NULL
         GROUP BY sha256 HAVING count(DISTINCT thumb_sha256) > 1)",
        &w.client_id,
    );
    assert_eq!(shared, vec!["0"]);

    w.vault
        .debug_execute(
            "UPDATE lib_assets SET thumb_pending = 1, thumb_sha256 = NULL WHERE status = 'done' AND mime LIKE 'image/%'",
        )
        .unwrap();
    let waiting = state(&w);
    assert!(waiting.iter().all(|r| r.ends_with("|-|1")));
    let next = switchboard_library::Importer::new(w.vault.clone(), w.connector.clone(), options());
    assert_eq!(
        next.resume_interrupted().unwrap(),
        0,
        "no job to resume, only thumbnails"
    );
    tokio::time::timeout(Duration::from_secs(60), next.idle())
        .await
        .expect("the thumbnail pass ends");
    assert_eq!(state(&w), made, "the same thumbnails again");
    assert_sound(&w);
}
