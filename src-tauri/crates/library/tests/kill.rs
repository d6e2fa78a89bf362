//! kill -9 during an import, over and over, then resume: the vault passes its integrity
//! checks, no blob is orphaned, and the library equals an uninterrupted import of the same
//! account row for row and byte for byte.
//!
//! The importing process is this test binary re-run as a child (`child_import_worker`,
//! which does nothing unless `SB_KILL_CHILD` is set); the parent keeps the emulator running
//! and SIGKILLs the child at random moments.

mod common;

use common::*;
use rand::Rng;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_emulator::{EmulatorConfig, ImportSeed};
use switchboard_library::{Importer, ImporterOptions, StartImport};
use switchboard_store::FixedClock;

const KILLS: usize = 22;

fn small_pages() -> ImporterOptions {
    // Small pages make many steps, so kills land between and inside them.
    ImporterOptions {
        page_size: 8,
        ..options()
    }
}

fn config() -> EmulatorConfig {
    EmulatorConfig {
        latency: Duration::from_millis(6),
        import: ImportSeed {
            campaigns: 24,
            ad_sets_per_campaign: 2,
            ads_per_ad_set: 3,
            images: 48,
            videos: 3,
            days: 60,
            image_px: 400,
        },
        ..EmulatorConfig::default()
    }
}

#[test]
fn child_import_worker() {
    let Some(dir) = std::env::var_os("SB_KILL_CHILD") else {
        return;
    };
    let overrides = std::env::var("SB_KILL_OVERRIDES").expect("overrides");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let clock = Arc::new(FixedClock::new(chrono::Utc::now()));
        let vault = open_vault(std::path::Path::new(&dir), clock.clone(), false);
        let connector = connector(&vault, clock, &overrides);
        let importer = Importer::new(vault, connector, small_pages());
        importer.resume_interrupted().expect("resume");
        importer.idle().await;
    });
}

#[test]
fn kill_nine_at_random_points_then_resume_equals_an_uninterrupted_import() {
    if std::env::var_os("SB_KILL_CHILD").is_some() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // The reference: the same account imported without interruption.
        let clean = world_with(config()).await;
        let clean = World { importer: Importer::new(clean.vault.clone(), clean.connector.clone(), small_pages()), ..clean };
        let conn = connect(&clean, "meta", &clean.client_id).await;
        let account = first_account(&clean, &conn);
        let reference = clean
            .importer
            .start(&clean.client_id, StartImport { connection_id: conn, account: account.clone(), metrics_days: Some(45), ..StartImport::default() })
            .await
            .unwrap();
        clean.importer.idle().await;
        let reference = clean.vault.read(|r| r.client(&clean.client_id)?.import_job(&reference.id)).unwrap();
        assert_eq!(reference.state, "completed", "{reference:?}");
        let expected = library_dump(&clean.vault, &clean.client_id);
        assert!(expected.len() > 500, "the reference import is too small to be interesting");

        // The victim: queue the same import, then let child processes run it and kill them.
        let w = world_with(config()).await;
        let conn = connect(&w, "meta", &w.client_id).await;
        let job = w
            .importer
            .start(&w.client_id, StartImport { connection_id: conn, account, metrics_days: Some(45), ..StartImport::default() })
            .await
            .unwrap();
        w.importer.shutdown(Duration::ZERO).await;
        let exe = std::env::current_exe().unwrap();
        let (dir, overrides) = (w.dir.path().to_owned(), w.emu.overrides_json());
        let spawn = move || {
            Command::new(&exe)
                .args(["child_import_worker", "--exact", "--nocapture", "--test-threads=1"])
                .env("SB_KILL_CHILD", &dir)
                .env("SB_KILL_OVERRIDES", &overrides)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("child")
        };
        // How long a child takes to open the vault (Argon2id), so kills land in the import.
        let t = Instant::now();
        drop(open_vault(w.dir.path(), Arc::new(FixedClock::new(chrono::Utc::now())), false));
        let open = t.elapsed();
        let mut kills = 0;
        let mut rng = rand::rng();
        let mut progress = Vec::new();
        while kills < KILLS {
            let mut child = spawn();
            let delay = open + Duration::from_millis(rng.random_range(20..400));
            tokio::time::sleep(delay).await;
            if child.try_wait().unwrap().is_some() {
                break;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            let now = w.vault.read(|r| r.client(&w.client_id)?.import_job(&job.id)).unwrap();
            progress.push(now.requests);
        }
        assert!(kills >= 20, "the import ended after {kills} kills; make it bigger (progress {progress:?})");
        assert!(progress.windows(2).any(|p| p[1] > p[0]), "no progress between kills: {progress:?}");
        // Let the last run finish.
        let last = spawn.clone();
        let status = tokio::task::spawn_blocking(move || {
            let mut child = last();
            child.wait()
        })
        .await
        .unwrap()
        .unwrap();
        assert!(status.success());

        let done = w.vault.read(|r| r.client(&w.client_id)?.import_job(&job.id)).unwrap();
        assert_eq!(done.state, "completed", "{done:?}");
        let report = w.vault.integrity_check().unwrap();
        assert!(report.ok, "{report:?}");
        let (orphans, damaged) = w.vault.read(|r| Ok((r.orphan_blob_count()?, r.damaged_blob_count()?))).unwrap();
        assert_eq!((orphans, damaged), (0, 0));
        // Sealed asset files: none left over from a killed download, none missing. (The
        // sweep leaves temporary files younger than an hour to a possible other process.)
        w.clock.advance(chrono::Duration::hours(2));
        w.vault.sweep_asset_files().unwrap();
        assert_eq!(w.vault.asset_file_check().unwrap(), (0, 0), "orphan or missing asset files");
        let units = w.vault.read(|r| r.client(&w.client_id)?.import_units(&job.id)).unwrap();
        assert!(units.iter().all(|u| u.state == "done"), "{units:?}");
        let got = library_dump(&w.vault, &w.client_id);
        if got != expected {
            let missing: Vec<_> = expected.iter().filter(|l| !got.contains(l)).take(5).collect();
            let extra: Vec<_> = got.iter().filter(|l| !expected.contains(l)).take(5).collect();
            panic!("after {kills} kills the library differs: {} vs {} rows; missing {missing:?}; extra {extra:?}", got.len(), expected.len());
        }
        eprintln!("{kills} kills at requests {progress:?}; library identical ({} rows)", got.len());
    });
}
