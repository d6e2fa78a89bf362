//! Connection benchmarks (run: `cargo bench -p switchboard-connect --bench connections`,
//! or `.ci/bench`):
//!
//! 1. Callback → connection stored, excluding the provider's own latency: the time from a
//!    deep-link answer arriving to the connection being committed, minus the measured
//!    time of the same token and userinfo HTTP round trips against the same local provider.
//! 2. The refresher with 1,000 connections: CPU while idle (nothing due) per 30 s tick, and
//!    the spread of scheduled renewals when all 1,000 were connected in the same second.

use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Instant;
use switchboard_connect::{next_refresh, BeginRequest, Connector};
use switchboard_oauth::EndpointOverrides;
use switchboard_store::domain::{
    AppCredentialInput, CustomProvider, NewClient, NewConnection, StoredTokens,
};
use switchboard_store::{FixedClock, NewKey, NoKeyring, OpenOptions, Origin, Vault, VaultPaths};

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (fields 14 and 15 of /proc/self/stat).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn provider() -> String {
    let app = Router::new()
        .route(
            "/token",
            post(|| async {
                Json(serde_json::json!({
                    "access_token": "bench-access", "token_type": "Bearer", "expires_in": 3600,
                    "refresh_token": "bench-refresh", "scope": "openid profile"
                }))
            }),
        )
        .route(
            "/userinfo",
            get(|| async { Json(serde_json::json!({"sub": "bench-user", "name": "Bench"})) }),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}")
}

fn vault(dir: &std::path::Path, clock: Arc<FixedClock>) -> Arc<Vault> {
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock);
    o.passphrase = Some(SecretString::from("bench-passphrase".to_owned()));
    o.create = Some(NewKey::Auto);
    let v = Vault::open(VaultPaths::new(dir), o).unwrap();
    v.write(Origin::System, |w| w.ensure_workspace("Bench").map(|_| ()))
        .unwrap();
    Arc::new(v)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let base = provider().await;
    let http = switchboard_oauth::client::http_client(&[]);

    // ---- 1. callback → stored ----
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let v = vault(dir.path(), clock.clone());
    let client = v
        .write(Origin::User, |w| {
            w.save_custom_provider(CustomProvider {
                id: "oidc_bench".into(),
                display_name: "Bench".into(),
                issuer: None,
                discovery_url: None,
                authorize_url: format!("{base}/authorize"),
                token_url: format!("{base}/token"),
                revoke_url: None,
                userinfo_url: Some(format!("{base}/userinfo")),
                scopes: "openid profile".into(),
                client_auth: "none".into(),
                created_at: String::new(),
            })?;
            w.create_app_credential(
                "oidc_bench",
                AppCredentialInput {
                    client_id: Some("bench".into()),
                    ..Default::default()
                },
            )?;
            Ok(w.create_client(NewClient {
                name: "Bench".into(),
                timezone: None,
                notes: None,
            })?
            .id)
        })
        .unwrap();
    let c = Connector::new(
        v.clone(),
        http.clone(),
        clock.clone(),
        EndpointOverrides::default(),
    )
    .unwrap();
    let rounds = 300;
    let mut total = Vec::new();
    for i in 0..rounds + 20 {
        let begun = c
            .begin(BeginRequest {
                platform: "oidc_bench".into(),
                client_id: client.clone(),
                redirect: Some("custom_scheme".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let state = url::Url::parse(&begun.authorize_url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let query = format!("code=bench-code-{i}&state={state}");
        let t = Instant::now();
        c.complete_redirect("oidc_bench", &query).await.unwrap();
        if i >= 20 {
            total.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    // The provider's own share: the same two round trips, measured alone.
    let mut provider_ms = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        http.post(format!("{base}/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", "bench"),
            ])
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        http.get(format!("{base}/userinfo"))
            .bearer_auth("bench-access")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        provider_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (t50, t95) = (percentile(&mut total, 0.5), percentile(&mut total, 0.95));
    let p50 = percentile(&mut provider_ms, 0.5);
    println!(
        "callback → connection stored ({rounds} sign-ins, passphrase vault, synchronous=FULL):"
    );
    println!("  total            p50 {t50:.2} ms   p95 {t95:.2} ms");
    println!("  provider (HTTP)  p50 {p50:.2} ms");
    println!(
        "  Switchboard      p50 {:.2} ms (total − provider)",
        t50 - p50
    );

    // ---- 2. refresher with 1,000 connections ----
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let v = vault(dir.path(), clock.clone());
    let now = clock.now_for_bench();
    let x = switchboard_platforms::x::descriptor();
    let (client, app) = v
        .write(Origin::User, |w| {
            let c = w.create_client(NewClient {
                name: "Bench".into(),
                timezone: None,
                notes: None,
            })?;
            let a = w.create_app_credential(
                "x",
                AppCredentialInput {
                    client_id: Some("bench".into()),
                    ..Default::default()
                },
            )?;
            Ok((c.id, a.id))
        })
        .unwrap();
    let mut times = Vec::new();
    v.write(Origin::User, |w| {
        for i in 0..1000 {
            let id = format!("conn-{i:04}-{}", uuid::Uuid::new_v4());
            let t = StoredTokens {
                access_token: SecretString::from("a".to_owned()),
                refresh_token: Some(SecretString::from("r".to_owned())),
                id_token: None,
                // All connected in the same second: the worst case for a herd.
                expires_at: Some((now + Duration::hours(2)).to_rfc3339()),
                refresh_expires_at: None,
                scopes_granted: None,
                extra: "{}".into(),
                version: 0,
            };
            w.save_connection(
                &NewConnection {
                    id: &id,
                    client_id: &client,
                    brand_id: None,
                    platform: "x",
                    app_credential_id: &app,
                    account_id: Some("u"),
                    account_name: None,
                    capabilities: &[],
                    scopes_requested: &[],
                    redirect_uri: "",
                },
                &t,
            )?;
            let next = next_refresh(&x, &id, &t, now, 0).unwrap();
            times.push((next - now).num_seconds());
            w.set_refresh_schedule(
                &id,
                Some(&next.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                0,
            )?;
        }
        Ok(())
    })
    .unwrap();
    times.sort();
    let mut per_second = std::collections::BTreeMap::new();
    for t in &times {
        *per_second.entry(*t).or_insert(0u32) += 1;
    }
    let busiest = per_second.values().max().copied().unwrap_or(0);
    let per_minute = {
        let mut m = std::collections::BTreeMap::new();
        for t in &times {
            *m.entry(t / 60).or_insert(0u32) += 1;
        }
        m.values().max().copied().unwrap_or(0)
    };
    println!("refresher, 1,000 X connections connected in the same second (2 h tokens):");
    println!(
        "  renewals scheduled from +{} s to +{} s; busiest second {busiest}, busiest minute {per_minute}",
        times[0],
        times[times.len() - 1]
    );
    let c = Connector::new(
        v.clone(),
        http.clone(),
        clock.clone(),
        EndpointOverrides::default(),
    )
    .unwrap();
    let ticks = 2000;
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    for _ in 0..ticks {
        let r = c.refresh_tick().await.unwrap();
        assert_eq!(r.due, 0);
    }
    let per_tick_ms = t0.elapsed().as_secs_f64() * 1000.0 / ticks as f64;
    let cpu_per_tick = (cpu_seconds() - cpu0) / ticks as f64;
    let sweep_t = Instant::now();
    c.status_sweep().unwrap();
    let sweep_ms = sweep_t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "  idle tick (nothing due): {per_tick_ms:.3} ms wall, {:.3} ms CPU",
        cpu_per_tick * 1000.0
    );
    println!(
        "  idle CPU at one tick per 30 s: {:.5} %  (+ a status sweep every 10 min: {sweep_ms:.1} ms)",
        cpu_per_tick / 30.0 * 100.0
    );
}

trait NowForBench {
    fn now_for_bench(&self) -> chrono::DateTime<Utc>;
}
impl NowForBench for FixedClock {
    fn now_for_bench(&self) -> chrono::DateTime<Utc> {
        switchboard_store::Clock::now(self)
    }
}
