//! Every platform through the whole connection engine against the platform emulator:
//! begin → consent → callback (loopback, deep link or https relay, as the platform takes
//! it) → exchange → identity → stored; renew or a clear "cannot renew"; disconnect with
//! revocation where the platform has it; faults through the breaker and the status.

use chrono::{Duration, Utc};
use secrecy::SecretString;
use std::sync::Arc;
use switchboard_connect::{BeginRequest, Connector};
use switchboard_emulator::{EmulatorConfig, Fault, RunningEmulator};
use switchboard_oauth::{CredentialField, EndpointOverrides};
use switchboard_store::domain::{AppCredentialInput, NewClient};
use switchboard_store::{FixedClock, NewKey, NoKeyring, OpenOptions, Origin, Vault, VaultPaths};

const RELAY: &str = "https://relay.agency.example/switchboard/";

struct World {
    _dir: tempfile::TempDir,
    vault: Arc<Vault>,
    clock: Arc<FixedClock>,
    connector: Arc<Connector>,
    emu: RunningEmulator,
    client_id: String,
}

async fn world() -> World {
    let emu = switchboard_emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock.clone());
    o.passphrase = Some(SecretString::from(
        "CANARY-passphrase-a1b2c3d4e5".to_owned(),
    ));
    o.create = Some(NewKey::Auto);
    let vault = Arc::new(Vault::open(VaultPaths::new(dir.path()), o).unwrap());
    let overrides = EndpointOverrides::from_json(&emu.overrides_json()).unwrap();
    let connector = Connector::new(
        vault.clone(),
        switchboard_oauth::client::http_client(&[]),
        clock.clone(),
        overrides,
    )
    .unwrap();
    let cat = connector.catalogue();
    let client_id = vault
        .write(Origin::User, |w| {
            w.ensure_workspace("Agency")?;
            for p in cat.list().into_iter().filter(|p| !p.custom) {
                let d = &cat.get(&p.id).unwrap().descriptor;
                let has = |f| d.app_credentials.contains(&f);
                w.create_app_credential(
                    &p.id,
                    AppCredentialInput {
                        client_id: has(CredentialField::ClientId).then(|| format!("demo-{}", p.id)),
                        client_secret: has(CredentialField::ClientSecret)
                            .then(|| SecretString::from(format!("CANARY-app-secret-{}", p.id))),
                        developer_token: has(CredentialField::DeveloperToken)
                            .then(|| SecretString::from("CANARY-app-secret-devtoken".to_owned())),
                        api_key: has(CredentialField::ApiKey)
                            .then(|| SecretString::from("CANARY-app-secret-wix-key".to_owned())),
                        site_id: has(CredentialField::SiteId).then(|| "emu-wix-site-1".into()),
                        relay_url: Some(RELAY.into()),
                        ..Default::default()
                    },
                )?;
            }
            Ok(w.create_client(NewClient {
                name: "Acme".into(),
                timezone: None,
                notes: None,
            })?
            .id)
        })
        .unwrap();
    World {
        _dir: dir,
        vault,
        clock,
        connector,
        emu,
        client_id,
    }
}

/// The browser's part: consent at the emulator, then the redirect arrives the way the
/// platform's redirect kind delivers it.
async fn sign_in(
    w: &World,
    platform: &str,
    connection_id: Option<String>,
) -> switchboard_connect::Result<switchboard_connect::Connected> {
    let begun = w
        .connector
        .begin(BeginRequest {
            platform: platform.into(),
            client_id: w.client_id.clone(),
            connection_id,
            ..Default::default()
        })
        .await?;
    let redirect = w.emu.approve(&begun.authorize_url, "").expect("consent");
    match begun.redirect.as_str() {
        "loopback" => {
            let r = reqwest::get(&redirect).await.expect("listener");
            assert!(r.status().is_success() || r.status().as_u16() == 400);
        }
        "custom_scheme" => {
            let (target, query) = redirect.split_once('?').unwrap();
            assert_eq!(
                target,
                format!("dev.switchboard.app://oauth/callback/{platform}")
            );
            let _ = w.connector.complete_redirect(platform, query).await;
        }
        "https_relay" => {
            // What the relay page does: drop `platform`, forward the rest to the deep link.
            assert!(redirect.starts_with(RELAY), "{redirect}");
            let url = url::Url::parse(&redirect).unwrap();
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(url.query_pairs().filter(|(k, _)| k != "platform"))
                .finish();
            let named = url.query_pairs().find(|(k, _)| k == "platform").unwrap().1;
            assert_eq!(named, platform);
            let _ = w.connector.complete_redirect(platform, &query).await;
        }
        other => panic!("{other}"),
    }
    begun.outcome.await.unwrap()
}

fn no_canary<T: serde::Serialize>(what: &str, v: &T) {
    let json = serde_json::to_string(v).unwrap();
    assert!(!json.contains("CANARY"), "{what} leaks a secret: {json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_connects_renews_and_disconnects() {
    let w = world().await;
    let cat = w.connector.catalogue();
    for p in cat.list().into_iter().filter(|p| !p.custom) {
        let connected = if p.sign_in == "api_key" {
            w.connector
                .connect_api_key(&p.id, None, &w.client_id, None)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", p.id))
        } else {
            sign_in(&w, &p.id, None)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", p.id))
        };
        let c = &connected.connection;
        assert_eq!(c.status, "active", "{}", p.id);
        if p.id != "bing_webmaster" {
            assert!(c.account_id.is_some(), "{}: who signed in", p.id);
        }
        let accounts = w.vault.read(|r| r.connection_accounts(&c.id)).unwrap();
        no_canary(&p.id, &connected);
        no_canary(&p.id, &accounts);

        // Renew, or be told plainly that this platform cannot.
        let renewable = !p.renewal.contains("cannot") && p.sign_in == "oauth";
        if p.id == "instagram" {
            // Instagram renews only tokens at least a day old.
            let e = w.connector.refresh_now(&c.id).await.unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{e}");
            w.clock.advance(Duration::hours(25));
            w.emu
                .advance_clock(std::time::Duration::from_secs(25 * 3600));
            w.connector
                .refresh_now(&c.id)
                .await
                .unwrap_or_else(|e| panic!("instagram: {e}"));
        } else if renewable {
            let before = w.emu.stats(&p.id).unwrap().refreshes;
            let r = w
                .connector
                .refresh_now(&c.id)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", p.id));
            assert_eq!(r.status, "active");
            assert_eq!(
                w.emu.stats(&p.id).unwrap().refreshes,
                before + 1,
                "{}",
                p.id
            );
        } else {
            let e = w.connector.refresh_now(&c.id).await.unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{}: {e}", p.id);
            let after = w.vault.read(|r| r.connection(&c.id)).unwrap();
            assert_eq!(after.status, "active", "{}: not marked failed", p.id);
        }
        no_canary(&p.id, &w.connector.health().unwrap());

        let report = w.connector.disconnect(&c.id).await.unwrap();
        let expected = if p.can_revoke || ["meta", "tiktok_ads"].contains(&p.id.as_str()) {
            "revoked_at_provider"
        } else {
            "not_supported"
        };
        assert_eq!(report.revocation, expected, "{}", p.id);
    }
    assert!(w.vault.read(|r| r.all_connections()).unwrap().is_empty());
    let audit = w.vault.read(|r| r.audit_log(1000, None)).unwrap();
    no_canary("audit log", &audit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_open_the_breaker_and_dead_grants_need_reconnect() {
    let w = world().await;
    let c = sign_in(&w, "google_ads", None).await.unwrap().connection;

    // 5xx five times: each a transient failure, then the breaker opens.
    w.emu.inject("google_ads", Fault::ServerError(5)).unwrap();
    for _ in 0..5 {
        let e = w.connector.refresh_now(&c.id).await.unwrap_err();
        assert_eq!(e.code(), "provider_unavailable", "{e}");
    }
    let e = w.connector.refresh_now(&c.id).await.unwrap_err();
    assert_eq!(e.code(), "circuit_open", "{e}");
    let health = w.connector.health().unwrap();
    assert_eq!(health.breakers[0].platform, "google_ads");
    assert_eq!(health.breakers[0].state, "open");
    let conn = w.vault.read(|r| r.connection(&c.id)).unwrap();
    assert_eq!(
        conn.status, "error",
        "after repeated failures the card says so"
    );
    assert!(conn.next_refresh_at.is_some(), "and a retry is scheduled");

    // After the pause, one probe goes through and closes the breaker.
    w.clock.advance(Duration::seconds(61));
    w.connector
        .refresh_now(&c.id)
        .await
        .expect("the probe succeeds");
    assert!(w.connector.health().unwrap().breakers.is_empty());
    assert_eq!(
        w.vault.read(|r| r.connection(&c.id)).unwrap().status,
        "active"
    );

    // 429 with Retry-After: transient, the wait is kept.
    w.emu
        .inject("google_ads", Fault::RateLimit { retry_after: 7 })
        .unwrap();
    let e = w.connector.refresh_now(&c.id).await.unwrap_err();
    assert_eq!(e.code(), "provider_unavailable");

    // invalid_grant: the grant is dead → needs reconnect, with the provider's own words.
    w.emu.inject("google_ads", Fault::InvalidGrant).unwrap();
    let e = w.connector.refresh_now(&c.id).await.unwrap_err();
    assert_eq!(e.code(), "needs_reconnect", "{e}");
    let conn = w.vault.read(|r| r.connection(&c.id)).unwrap();
    assert_eq!(conn.status, "needs_reconnect");
    assert!(conn
        .status_error
        .as_deref()
        .unwrap()
        .contains("invalid_grant"));
    assert!(conn.next_refresh_at.is_none(), "the refresher stops trying");

    // Reconnect in place: same id, active again.
    let again = sign_in(&w, "google_ads", Some(c.id.clone())).await.unwrap();
    assert_eq!(again.connection.id, c.id);
    assert_eq!(again.connection.status, "active");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_refresher_renews_what_is_due_and_nothing_else() {
    let w = world().await;
    let x = sign_in(&w, "x", None).await.unwrap().connection;
    let meta = sign_in(&w, "meta", None).await.unwrap().connection;
    assert!(
        meta.next_refresh_at.is_none(),
        "Meta cannot be renewed: never scheduled"
    );
    let r = w.connector.refresh_tick().await.unwrap();
    assert_eq!((r.due, r.renewed), (0, 0), "nothing due yet");
    // Two hours later X's token is at its end: the tick renews it (and only it).
    w.clock.advance(Duration::hours(2));
    let r = w.connector.refresh_tick().await.unwrap();
    assert_eq!((r.due, r.renewed, r.failed), (1, 1, 0));
    let renewed = w.vault.read(|r| r.connection(&x.id)).unwrap();
    assert!(renewed.last_refresh_at.is_some());
    // Meta's 60-day token: a week before its end the status turns to expiring.
    w.clock.advance(Duration::days(54));
    w.connector.status_sweep().unwrap();
    let m = w.vault.read(|r| r.connection(&meta.id)).unwrap();
    assert_eq!(m.status, "expiring");
    assert!(m.status_action.unwrap().contains("reconnect before"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_flow_still_completes_or_expires_cleanly() {
    let w = world().await;
    // WordPress.com answers through the deep link: the flow lives only in the vault.
    let begun = w
        .connector
        .begin(BeginRequest {
            platform: "wordpress_com".into(),
            client_id: w.client_id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(begun.redirect, "custom_scheme");
    let redirect = w.emu.approve(&begun.authorize_url, "").unwrap();
    let late = w
        .emu
        .approve(
            &w.connector
                .begin(BeginRequest {
                    platform: "wordpress_com".into(),
                    client_id: w.client_id.clone(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .authorize_url,
            "",
        )
        .unwrap();
    // "Restart": a new engine on the same vault, nothing in memory carried over.
    let restarted = Connector::new(
        w.vault.clone(),
        switchboard_oauth::client::http_client(&[]),
        w.clock.clone(),
        EndpointOverrides::from_json(&w.emu.overrides_json()).unwrap(),
    )
    .unwrap();
    let query = redirect.split_once('?').unwrap().1;
    let c = restarted
        .complete_redirect("wordpress_com", query)
        .await
        .expect("completes after the restart");
    assert_eq!(c.connection.platform, "wordpress_com");
    // A flow answered after its ten minutes expires cleanly and stores nothing.
    w.clock.advance(Duration::minutes(11));
    let e = restarted
        .complete_redirect("wordpress_com", late.split_once('?').unwrap().1)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    assert_eq!(w.vault.read(|r| r.all_connections()).unwrap().len(), 1);
}
