//! Library at scale: 100k campaigns / 200k ad groups / 1M ads with their creatives' copy in
//! one client's library (SQLCipher, the app's pragmas). Measures full-text search p50/p95,
//! a filtered and sorted page p95, and open-to-first-screen (vault open → accounts list and
//! the first page of campaigns).
//!
//! `cargo bench -p switchboard-library --bench library` (SB_BENCH_ADS to change the size).

use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_store::domain::{
    AccountUpsert, CreativeUpsert, LibFilter, MetricUpsert, NewClient, ObjectUpsert,
};
use switchboard_store::{NewKey, NoKeyring, OpenOptions, Origin, SystemClock, Vault, VaultPaths};

const WORDS: &[&str] = &[
    "summer",
    "sale",
    "spring",
    "launch",
    "shoes",
    "running",
    "organic",
    "coffee",
    "winter",
    "jacket",
    "free",
    "shipping",
    "limited",
    "offer",
    "new",
    "collection",
    "premium",
    "design",
    "studio",
    "discover",
    "today",
    "black",
    "friday",
    "holiday",
    "gift",
    "ideas",
    "family",
    "travel",
    "beach",
    "mountain",
    "city",
    "week",
    "flash",
    "deal",
    "members",
    "exclusive",
    "book",
    "now",
    "learn",
    "more",
    "download",
    "app",
    "fitness",
];

fn opts(dir: &std::path::Path, create: bool) -> (VaultPaths, OpenOptions) {
    let mut o = OpenOptions::new(Arc::new(NoKeyring), Arc::new(SystemClock));
    o.passphrase = Some(SecretString::from("bench-passphrase-not-secret".to_owned()));
    if create {
        o.create = Some(NewKey::Auto);
    }
    (VaultPaths::new(dir), o)
}

/// Write the library: campaigns, ad groups, ads and their creatives. The client id and a
/// note on how long it took.
fn load(
    vault: &Vault,
    campaigns: usize,
    ad_groups: usize,
    ads: usize,
    dir: &std::path::Path,
) -> (String, String) {
    let client = vault
        .write(Origin::User, |w| {
            w.ensure_workspace("Bench")?;
            Ok(w.create_client(NewClient {
                name: "Bench client".into(),
                timezone: None,
                notes: None,
            })?
            .id)
        })
        .unwrap();
    let t = Instant::now();
    let account = vault
        .write(Origin::Import, |w| {
            w.client(&client)?.upsert_lib_account(&AccountUpsert {
                platform: "meta".into(),
                external_id: "1000".into(),
                name: "Bench account".into(),
                currency: Some("USD".into()),
                status: "active".into(),
                raw_json: "{}".into(),
                ..Default::default()
            })
        })
        .unwrap();
    let word = |i: usize, k: usize| WORDS[(i * 7 + k * 13) % WORDS.len()];
    let batch = 10_000;
    let status = |i: usize| ["active", "paused", "archived", "deleted"][i % 4];
    let objective = |i: usize| ["sales", "traffic", "awareness", "leads", "engagement"][i % 5];
    let mut made = 0;
    for (level, count, parent_every) in [
        ("campaign", campaigns, 0),
        ("ad_group", ad_groups, 2),
        ("ad", ads, 5),
    ] {
        let mut start = 0;
        while start < count {
            let end = (start + batch).min(count);
            let objects: Vec<ObjectUpsert> = (start..end)
                .map(|i| ObjectUpsert {
                    level: level.into(),
                    native_level: level.replace('_', " "),
                    external_id: format!("{i}"),
                    parent_external_id: (parent_every > 0).then(|| format!("{}", i / parent_every)),
                    name: format!(
                        "{} {} {} {level} {i:07}",
                        word(i, 1),
                        word(i, 2),
                        word(i, 3)
                    ),
                    status: status(i).into(),
                    objective: Some(objective(i).into()),
                    budget_micros: Some((i as i64 % 500 + 1) * 1_000_000),
                    budget_period: Some("daily".into()),
                    currency: Some("USD".into()),
                    start_at: Some(format!(
                        "2026-{:02}-{:02}T00:00:00Z",
                        i % 12 + 1,
                        i % 28 + 1
                    )),
                    creative_external_id: (level == "ad").then(|| format!("c{i}")),
                    raw_json: "{}".into(),
                    ..Default::default()
                })
                .collect();
            let creatives: Vec<CreativeUpsert> = if level == "ad" {
                (start..end)
                    .map(|i| CreativeUpsert {
                        external_id: format!("c{i}"),
                        format: "image".into(),
                        headlines: vec![format!(
                            "{} {} for the {} crowd",
                            word(i, 4),
                            word(i, 5),
                            word(i, 6)
                        )],
                        bodies: vec![format!(
                            "Our {} {} is back with {} {} and token{i} — {} {}.",
                            word(i, 7),
                            word(i, 8),
                            word(i, 9),
                            word(i, 10),
                            word(i, 11),
                            word(i, 12)
                        )],
                        cta: Some("SHOP_NOW".into()),
                        raw_json: "{}".into(),
                        ..Default::default()
                    })
                    .collect()
            } else {
                Vec::new()
            };
            vault
                .write(Origin::Import, |w| {
                    let mut c = w.client(&client)?;
                    c.upsert_lib_objects(&account, &objects)?;
                    if !creatives.is_empty() {
                        c.upsert_lib_creatives(&account, &creatives)?;
                    }
                    Ok(())
                })
                .unwrap();
            made += end - start;
            start = end;
        }
    }
    vault
        .write(Origin::Import, |w| {
            let mut c = w.client(&client)?;
            c.link_lib_parents(&account)?;
            c.refresh_lib_totals(&account)?;
            Ok(())
        })
        .unwrap();
    let load = t.elapsed();
    let size = std::fs::metadata(dir.join("vault.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    (
        client,
        format!(
            "{made} objects written in {:.1} s; vault {:.0} MiB",
            load.as_secs_f64(),
            size as f64 / 1048576.0
        ),
    )
}

/// One day of metrics per object (a third spent nothing, the rest a skewed amount), then
/// the lifetime totals lists sort by — so sorting by spend is not sorting ties.
fn load_metrics(
    vault: &Vault,
    client: &str,
    campaigns: usize,
    ad_groups: usize,
    ads: usize,
) -> String {
    let t = Instant::now();
    let account_id = vault.read(|r| r.client(client)?.lib_accounts()).unwrap()[0]
        .id
        .clone();
    for (level, count) in [
        ("campaign", campaigns),
        ("ad_group", ad_groups),
        ("ad", ads),
    ] {
        let mut start = 0;
        while start < count {
            let end = (start + 20_000).min(count);
            let rows: Vec<MetricUpsert> = (start..end)
                .map(|i| {
                    let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                    let spend = if h.is_multiple_of(3) {
                        0
                    } else {
                        ((h % 1000) * (h % 1000)) as i64 * 10_000
                    };
                    MetricUpsert {
                        level: level.into(),
                        external_id: format!("{i}"),
                        date: "2026-11-01".into(),
                        breakdown: String::new(),
                        impressions: spend / 5_000,
                        clicks: spend / 500_000,
                        spend_micros: spend,
                        currency: Some("USD".into()),
                        ..Default::default()
                    }
                })
                .collect();
            vault
                .write(Origin::Import, |w| {
                    w.client(client)?.upsert_lib_metrics(&account_id, &rows)
                })
                .unwrap();
            start = end;
        }
    }
    vault
        .write(Origin::Import, |w| {
            w.client(client)?.refresh_lib_totals(&account_id)
        })
        .unwrap();
    format!(
        "metrics and totals written in {:.1} s",
        t.elapsed().as_secs_f64()
    )
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1000.0
}

fn main() {
    let ads: usize = std::env::var("SB_BENCH_ADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let campaigns = ads / 10;
    let ad_groups = ads / 5;
    // SB_BENCH_DIR keeps the vault between runs (loading 1M ads takes minutes).
    let temp = tempfile::tempdir().unwrap();
    let dir_path = std::env::var_os("SB_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir_path).unwrap();
    let reuse = dir_path.join("vault.db").exists();
    let (paths, o) = opts(&dir_path, !reuse);
    let vault = Vault::open(paths, o).unwrap();
    let (client, made_note) = if reuse {
        let client = vault.read(|r| r.list_clients(false)).unwrap()[0].id.clone();
        (client, "reused".to_owned())
    } else {
        load(&vault, campaigns, ad_groups, ads, &dir_path)
    };
    println!("library: {campaigns} campaigns, {ad_groups} ad groups, {ads} ads + creatives ({made_note})");
    let spent = vault
        .debug_query(
            "SELECT count(*) FROM lib_objects WHERE client_id = ?1 AND spend_micros > 0",
            &client,
        )
        .unwrap();
    if spent[0] == "0" {
        println!(
            "{}",
            load_metrics(&vault, &client, campaigns, ad_groups, ads)
        );
    }

    if std::env::var_os("SB_BENCH_OPTIMIZE").is_some() || !reuse {
        let t = Instant::now();
        vault
            .write(Origin::System, |w| w.optimize_library_search())
            .unwrap();
        println!(
            "search index merged into one segment in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    // Search: a distinctive token (one ad), two common words, a prefix, a campaign name.
    let n_queries: usize = std::env::var("SB_BENCH_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let queries: Vec<String> = (0..n_queries)
        .map(|i| match i % 5 {
            0 => format!("token{}", (i * 4999) % ads),
            // Two words that appear together in names (word slots 13 apart).
            1 => format!(
                "{} {}",
                WORDS[(i * 7 + 13) % WORDS.len()],
                WORDS[(i * 7 + 26) % WORDS.len()]
            ),
            2 => WORDS[i % WORDS.len()][..3].to_string(),
            3 => format!("campaign {:07}", (i * 37) % campaigns),
            _ => format!("{} crowd", WORDS[(i * 5) % WORDS.len()]),
        })
        .collect();
    let mut times = Vec::new();
    let mut found = 0;
    let mut by_kind = vec![Vec::new(); 5];
    for (i, q) in queries.iter().enumerate() {
        let t = Instant::now();
        let hits = vault
            .read(|r| r.client(&client)?.search_library(q, 50))
            .unwrap();
        times.push(t.elapsed());
        by_kind[i % 5].push(t.elapsed());
        found += usize::from(!hits.is_empty());
    }
    for (k, mut v) in by_kind.into_iter().enumerate() {
        let name = [
            "rare token",
            "two words together",
            "3-letter prefix",
            "campaign + number",
            "word + 'crowd'",
        ][k];
        println!(
            "  {name}: p50 {:.2} ms, p95 {:.2} ms",
            pct(&mut v.clone(), 0.5),
            pct(&mut v, 0.95)
        );
    }
    let (p50, p95) = (pct(&mut times.clone(), 0.5), pct(&mut times, 0.95));
    println!(
        "search (50 hits, {} queries, {found} with hits): p50 {p50:.2} ms, p95 {p95:.2} ms",
        queries.len()
    );

    // Filtered pages as the Library page asks for them (200 rows, the count included):
    // status + objective filters, sorted by spend, name or a metric, at offsets down to
    // row 5,000, across the whole client and within the account.
    let account_id = vault.read(|r| r.client(&client)?.lib_accounts()).unwrap()[0]
        .id
        .clone();
    let kinds = [
        "campaigns by spend",
        "ads by name",
        "ads of the account by spend",
        "campaigns by impressions",
    ];
    let mut by_kind = vec![Vec::new(); kinds.len()];
    let mut times = Vec::new();
    for i in 0..120usize {
        let kind = i % kinds.len();
        let (level, sort) = match kind {
            0 => ("campaign", "spend"),
            1 => ("ad", "name"),
            2 => ("ad", "spend"),
            _ => ("campaign", "impressions"),
        };
        let filter = LibFilter {
            level: level.into(),
            account_id: (kind == 2).then(|| account_id.clone()),
            statuses: vec!["active".into(), "paused".into()],
            objectives: if i % 3 == 0 {
                vec!["sales".into()]
            } else {
                Vec::new()
            },
            sort: Some(sort.into()),
            desc: (i / kinds.len()).is_multiple_of(2),
            offset: ((i * 7919) % 25) as u32 * 200,
            limit: 200,
            ..LibFilter::default()
        };
        let t = Instant::now();
        let page = vault
            .read(|r| r.client(&client)?.lib_objects(&filter))
            .unwrap();
        times.push(t.elapsed());
        by_kind[kind].push(t.elapsed());
        assert_eq!(page.rows.len(), 200);
        if std::env::var_os("SB_BENCH_VERBOSE").is_some() {
            println!(
                "    {}: offset {} desc {} objectives {:?}: {:.2} ms",
                kinds[kind],
                filter.offset,
                filter.desc,
                filter.objectives,
                t.elapsed().as_secs_f64() * 1000.0
            );
        }
    }
    for (k, mut v) in by_kind.into_iter().enumerate() {
        println!(
            "  {}: p50 {:.2} ms, p95 {:.2} ms",
            kinds[k],
            pct(&mut v.clone(), 0.5),
            pct(&mut v, 0.95)
        );
    }
    let (p50, p95) = (pct(&mut times.clone(), 0.5), pct(&mut times, 0.95));
    println!("filtered page (200 rows, count included): p50 {p50:.2} ms, p95 {p95:.2} ms");

    drop(vault);
    // Open to first screen: unlock (Argon2id passphrase here; a keyring key skips it),
    // then what the Library page shows first.
    let mut times = Vec::new();
    let mut kdf = Vec::new();
    for _ in 0..5 {
        let (paths, o) = opts(&dir_path, false);
        let t = Instant::now();
        let vault = Vault::open(paths, o).unwrap();
        let opened = t.elapsed();
        let accounts = vault.read(|r| r.client(&client)?.lib_accounts()).unwrap();
        let page = vault
            .read(|r| {
                r.client(&client)?.lib_objects(&LibFilter {
                    level: "campaign".into(),
                    account_id: Some(accounts[0].id.clone()),
                    limit: 200,
                    ..LibFilter::default()
                })
            })
            .unwrap();
        assert_eq!(page.rows.len(), 200);
        times.push(t.elapsed());
        kdf.push(opened);
    }
    let (p50, _) = (pct(&mut times.clone(), 0.5), 0);
    let open = pct(&mut kdf, 0.5);
    println!(
        "open to first screen: p50 {p50:.0} ms (of which vault open incl. Argon2id {open:.0} ms; accounts + first 200 campaigns {:.0} ms)",
        p50 - open
    );
}
