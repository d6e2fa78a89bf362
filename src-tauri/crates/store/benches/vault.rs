//! Vault benchmarks (run: `.ci/bench`, or `.ci/session -- cargo bench -p switchboard-store`).
//!
//! 1. Vault open → first query: raw keyring key vs passphrase (Argon2id).
//! 2. SQLCipher vs plain SQLite on the same library-shaped workload, in one run:
//!    100k rows inserted in batches, indexed lookups, FTS5 queries. Prints the ratio.

use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard_store::*;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn open_bench() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Keyring mode, real OS keyring (skipped when none is reachable).
    if OsKeyring.probe().is_ok() {
        let dir = tempfile::tempdir().unwrap();
        drop(
            Vault::open(
                VaultPaths::new(dir.path()),
                OpenOptions::new(Arc::new(OsKeyring), clock.clone()),
            )
            .unwrap(),
        );
        let mut t = Vec::new();
        for _ in 0..15 {
            let start = Instant::now();
            let v = Vault::open(
                VaultPaths::new(dir.path()),
                OpenOptions::new(Arc::new(OsKeyring), clock.clone()),
            )
            .unwrap();
            v.read(|r| r.list_clients(true)).unwrap();
            t.push(start.elapsed());
        }
        println!(
            "open→first query, raw key from OS keyring:   median {:>8.2} ms (15 runs)",
            ms(median(t))
        );
    } else {
        println!("open→first query, raw key from OS keyring:   skipped (no keyring; run inside .ci/session)");
    }
    let dir = tempfile::tempdir().unwrap();
    let pass = SecretString::from("benchmark passphrase 123".to_owned());
    let mk = |p: &SecretString| {
        let mut o = OpenOptions::new(Arc::new(NoKeyring), clock.clone());
        o.passphrase = Some(p.clone());
        o
    };
    drop(Vault::open(VaultPaths::new(dir.path()), mk(&pass)).unwrap());
    let mut t = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let v = Vault::open(VaultPaths::new(dir.path()), mk(&pass)).unwrap();
        v.read(|r| r.list_clients(true)).unwrap();
        t.push(start.elapsed());
    }
    println!(
        "open→first query, passphrase (Argon2id 64 MiB, t=3): median {:>8.2} ms (7 runs)",
        ms(median(t))
    );
}

const SCHEMA: &str = "
    CREATE TABLE ads (id INTEGER PRIMARY KEY, account TEXT NOT NULL, external_id TEXT NOT NULL,
                      name TEXT NOT NULL, body TEXT NOT NULL, spend_micros INTEGER NOT NULL, raw TEXT NOT NULL);
    CREATE UNIQUE INDEX ads_ext ON ads (account, external_id);
    CREATE VIRTUAL TABLE ads_fts USING fts5 (name, body, content='ads', content_rowid='id');";

const WORDS: [&str; 16] = [
    "summer",
    "sale",
    "shoes",
    "running",
    "trail",
    "winter",
    "jacket",
    "discount",
    "free",
    "shipping",
    "new",
    "collection",
    "limited",
    "offer",
    "outdoor",
    "premium",
];

struct Workload {
    insert: Duration,
    lookup: Duration,
    fts: Duration,
}

fn workload(conn: &mut rusqlite::Connection) -> Workload {
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;",
    )
    .unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let n = 100_000u64;
    let t = Instant::now();
    for batch in 0..(n / 5_000) {
        let tx = conn.transaction().unwrap();
        {
            let mut ins = tx
                .prepare("INSERT INTO ads (id, account, external_id, name, body, spend_micros, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                .unwrap();
            let mut fts = tx
                .prepare("INSERT INTO ads_fts (rowid, name, body) VALUES (?1, ?2, ?3)")
                .unwrap();
            for i in batch * 5_000..(batch + 1) * 5_000 {
                let w = |k: u64| WORDS[((i * 7 + k * 13) % 16) as usize];
                let name = format!("Ad {i} {} {}", w(1), w(2));
                let body = format!("{} {} {} {} — shop now", w(3), w(4), w(5), w(6));
                let raw = format!("{{\"id\":\"{i}\",\"status\":\"ACTIVE\",\"creative\":{{\"title\":\"{name}\"}}}}");
                ins.execute(rusqlite::params![
                    i as i64,
                    format!("act_{}", i % 50),
                    format!("{i}"),
                    name,
                    body,
                    (i * 1_000) as i64,
                    raw
                ])
                .unwrap();
                fts.execute(rusqlite::params![i as i64, name, body])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let insert = t.elapsed();
    let t = Instant::now();
    let mut stmt = conn
        .prepare("SELECT name, spend_micros FROM ads WHERE account = ?1 AND external_id = ?2")
        .unwrap();
    for i in 0..20_000u64 {
        let k = (i * 7919) % n;
        let _: (String, i64) = stmt
            .query_row(
                rusqlite::params![format!("act_{}", k % 50), format!("{k}")],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
    }
    let lookup = t.elapsed();
    drop(stmt);
    let t = Instant::now();
    // What a search box sends: a word or two plus a prefix, best matches first.
    let mut q = conn
        .prepare("SELECT a.id, a.name FROM ads_fts f JOIN ads a ON a.id = f.rowid WHERE ads_fts MATCH ?1 ORDER BY rank LIMIT 50")
        .unwrap();
    for i in 0..500usize {
        let term = match i % 3 {
            0 => format!("\"{}\"", (i * 7919) % 100_000),
            1 => format!(
                "{} {} {}",
                WORDS[i % 16],
                WORDS[(i * 5 + 3) % 16],
                WORDS[(i * 3 + 1) % 16]
            ),
            _ => format!("{}*", &WORDS[(i * 7) % 16][..3]),
        };
        let rows: Vec<i64> = q
            .query_map([term], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert!(rows.len() <= 50);
    }
    let fts = t.elapsed();
    Workload {
        insert,
        lookup,
        fts,
    }
}

fn cipher_vs_plain() {
    let mut plain_runs = Vec::new();
    let mut cipher_runs = Vec::new();
    // Alternate the two so both see the same machine conditions.
    for round in 0..3 {
        for encrypted in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = rusqlite::Connection::open(dir.path().join("b.db")).unwrap();
            if encrypted {
                let key = VaultKey::random();
                switchboard_store::apply_key_for_bench(&conn, &key);
            }
            if !encrypted {
                // The same page size as the vault, so only encryption differs.
                conn.execute_batch(&format!(
                    "PRAGMA page_size = {};",
                    switchboard_store::PAGE_SIZE
                ))
                .unwrap();
            }
            let w = workload(&mut conn);
            let _ = round;
            if encrypted {
                cipher_runs.push(w)
            } else {
                plain_runs.push(w)
            }
        }
    }
    let med =
        |runs: &Vec<Workload>, f: fn(&Workload) -> Duration| median(runs.iter().map(f).collect());
    println!(
        "\nSQLCipher vs plain SQLite (same library, same pragmas; median of 3 alternating runs)"
    );
    println!(
        "{:<44} {:>10} {:>10} {:>7}",
        "workload", "plain ms", "cipher ms", "ratio"
    );
    let mut total_p = 0.0;
    let mut total_c = 0.0;
    for (label, f) in [
        (
            "100k rows + FTS5 index, batches of 5k",
            (|w: &Workload| w.insert) as fn(&Workload) -> Duration,
        ),
        ("20k indexed point lookups", |w: &Workload| w.lookup),
        ("500 FTS5 searches (id, 3 words, prefix)", |w: &Workload| {
            w.fts
        }),
    ] {
        let p = ms(med(&plain_runs, f));
        let c = ms(med(&cipher_runs, f));
        total_p += p;
        total_c += c;
        println!("{label:<44} {p:>10.1} {c:>10.1} {:>6.3}x", c / p);
    }
    println!(
        "{:<44} {total_p:>10.1} {total_c:>10.1} {:>6.3}x",
        "whole workload",
        total_c / total_p
    );
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: keep that cheap.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    open_bench();
    cipher_vs_plain();
}
