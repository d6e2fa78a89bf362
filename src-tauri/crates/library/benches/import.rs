//! Import of a seeded emulator account — 5,000 campaigns, 10,000 ad sets, 50,000 ads,
//! 20,000 images, 40 videos, 365 days of metrics — with 50 ms latency on every request and
//! Meta's usage headers / limits played by the emulator. Reports wall time against the
//! lower bound the limits and latency allow, requests made, and peak RSS.
//!
//! `cargo bench -p switchboard-library --bench import` (SB_BENCH_SCALE=0.25 for a quarter
//! of the account, to compare peak memory across sizes).

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use std::time::{Duration, Instant};
use switchboard_emulator::{EmulatorConfig, ImportSeed};
use switchboard_library::{Importer, ImporterOptions, StartImport};
use switchboard_platforms::import::ImportSource;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let scale: f64 = std::env::var("SB_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let full = ImportSeed::bench();
    let seed = ImportSeed {
        campaigns: ((full.campaigns as f64 * scale) as usize).max(1),
        images: ((full.images as f64 * scale) as usize).max(1),
        videos: ((full.videos as f64 * scale) as usize).max(1),
        ..full
    };
    let latency = Duration::from_millis(50);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let w = world_with(EmulatorConfig { latency, import: seed.clone(), ..EmulatorConfig::default() }).await;
        let importer = Importer::new(w.vault.clone(), w.connector.clone(), ImporterOptions::default());
        let conn = connect(&w, "meta", &w.client_id).await;
        let account = first_account(&w, &conn);
        let before = w.emu.stats("meta").unwrap();
        let rss_before = peak_rss_mib();
        let t = Instant::now();
        let job = importer
            .start(&w.client_id, StartImport { connection_id: conn, account, metrics_days: Some(std::env::var("SB_BENCH_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(seed.days)), ..StartImport::default() })
            .await
            .unwrap();
        importer.idle().await;
        let wall = t.elapsed();
        let job = w.vault.read(|r| r.client(&w.client_id)?.import_job(&job.id)).unwrap();
        assert_eq!(job.state, "completed", "{job:?}");
        let after = w.emu.stats("meta").unwrap();
        let api: u32 = after.import_requests.values().sum::<u32>() - before.import_requests.values().sum::<u32>();
        let cdn = after.cdn_downloads - before.cdn_downloads;
        let limits = switchboard_platforms::meta::MetaImport.limits();
        let api_bound = latency.mul_f64(f64::from(api) / limits.concurrency as f64);
        let cdn_bound = latency.mul_f64(f64::from(cdn) / limits.download_concurrency as f64);
        let bound = api_bound.max(cdn_bound);
        let counts = w.vault.read(|r| r.client(&w.client_id)?.lib_accounts()).unwrap();
        let metric_rows = raw_rows(&w.vault, "SELECT count(*) FROM lib_metrics_daily m JOIN lib_accounts a ON a.id = m.account_id WHERE a.client_id = ?1", &w.client_id);
        let a = &counts[0];
        println!(
            "import (scale {scale}): {} campaigns, {} ad sets, {} ads, {}/{} assets, {} metric rows",
            a.campaigns, a.ad_groups, a.ads, a.assets_done, a.assets_total, metric_rows[0]
        );
        println!(
            "  requests: {api} API ({} in flight at most) + {cdn} CDN ({} at most), {} ms latency each",
            limits.concurrency, limits.download_concurrency, latency.as_millis()
        );
        println!(
            "  wall {:.1} s; lower bound {:.1} s (API {:.1} s, CDN {:.1} s, overlapping) → {:.0}% of the bound",
            wall.as_secs_f64(),
            bound.as_secs_f64(),
            api_bound.as_secs_f64(),
            cdn_bound.as_secs_f64(),
            100.0 * bound.as_secs_f64() / wall.as_secs_f64()
        );
        println!("  peak RSS {:.0} MiB (before the import {:.0} MiB; emulator in the same process)", peak_rss_mib(), rss_before);
    });
}
