//! Time read-only SQL against a passphrase vault (diagnostics for the library benchmark's
//! vault): `cargo run --release -p switchboard-store --example sql -- <dir> <passphrase> <sql>…`.
//! Each statement runs five times; prints its rows once and the fastest time. `?1` binds
//! the first client's id. A statement starting with `EXPLAIN` prints the plan; one starting
//! with `WRITE ` runs once in a write transaction.

use secrecy::SecretString;
use std::sync::Arc;
use std::time::Instant;
use switchboard_store::{NoKeyring, OpenOptions, SystemClock, Vault, VaultPaths};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, pass, sqls) = (&args[0], &args[1], &args[2..]);
    let mut o = OpenOptions::new(Arc::new(NoKeyring), Arc::new(SystemClock));
    o.passphrase = Some(SecretString::from(pass.clone()));
    let vault = Vault::open(VaultPaths::new(std::path::Path::new(dir)), o).expect("open");
    let client = vault.read(|r| r.list_clients(false)).expect("clients")[0]
        .id
        .clone();
    for sql in sqls {
        if let Some(ddl) = sql.strip_prefix("WRITE ") {
            let t = Instant::now();
            vault.debug_execute(ddl).expect("write");
            println!("{:8.0} ms  {ddl}", t.elapsed().as_secs_f64() * 1000.0);
            continue;
        }
        let mut best = f64::MAX;
        let mut rows = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            rows = vault.debug_query(sql, &client).expect("query");
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!("{best:8.2} ms  {} rows  {sql}", rows.len());
        for r in rows
            .iter()
            .take(if sql.starts_with("EXPLAIN") { 50 } else { 5 })
        {
            println!("           {r}");
        }
    }
}
