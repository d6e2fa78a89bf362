//! The connection engine against a standards-strict authorization server: `oidc-provider`
//! (npm), started here on loopback and added as a generic provider from its discovery
//! document. Real vault (passphrase-keyed, so no keyring is needed), real HTTP.

use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use switchboard_connect::discovery::{self, ProviderForm};
use switchboard_connect::{BeginRequest, ConnectError, Connector};
use switchboard_oauth::EndpointOverrides;
use switchboard_store::domain::{AppCredentialInput, NewClient};
use switchboard_store::{FixedClock, NewKey, NoKeyring, OpenOptions, Origin, Vault, VaultPaths};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// The harness server; killed when dropped.
struct Harness {
    child: Child,
    issuer: String,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn harness(access_ttl: u32) -> Harness {
    let mut child = Command::new("node")
        .arg(repo().join("tests/oidc/server.mjs"))
        .args(["--access-ttl", &access_ttl.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node runs tests/oidc/server.mjs (run `npm ci` in tests/)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the harness prints its address");
    let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
    Harness {
        child,
        issuer: v["issuer"].as_str().expect("issuer").to_owned(),
    }
}

impl Harness {
    async fn events(&self) -> serde_json::Value {
        reqwest::get(format!("{}/__test/events", self.issuer))
            .await
            .expect("events")
            .json()
            .await
            .expect("json")
    }
}

/// Log in and consent over HTTP, as a browser would; returns the redirect URL.
fn approve(url: &str, extra: &[&str]) -> String {
    let out = Command::new("node")
        .arg(repo().join("tests/oidc/approve.mjs"))
        .arg(url)
        .args(extra)
        .output()
        .expect("approve.mjs runs");
    assert!(
        out.status.success(),
        "approve failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

struct Setup {
    _dir: tempfile::TempDir,
    vault: Arc<Vault>,
    clock: Arc<FixedClock>,
    connector: Arc<Connector>,
    client_id: String,
}

async fn setup(h: &Harness, confidential: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock.clone());
    o.passphrase = Some(SecretString::from(
        "CANARY-passphrase-a1b2c3d4e5".to_owned(),
    ));
    o.create = Some(NewKey::Auto);
    let vault = Arc::new(Vault::open(VaultPaths::new(dir.path()), o).expect("vault"));
    vault
        .write(Origin::System, |w| w.ensure_workspace("Agency").map(|_| ()))
        .unwrap();
    let http = switchboard_oauth::client::http_client(&[]);
    let provider = discovery::resolve(
        &http,
        ProviderForm {
            display_name: "Test".into(),
            discovery_url: Some(h.issuer.clone()),
            authorize_url: None,
            token_url: None,
            revoke_url: None,
            userinfo_url: None,
            scopes: None,
            client_auth: Some(if confidential { "basic" } else { "none" }.into()),
        },
    )
    .await
    .expect("discovery");
    assert_eq!(provider.id, "oidc_test");
    assert!(provider.scopes.contains("offline_access"));
    let client_id = vault
        .write(Origin::User, |w| {
            w.save_custom_provider(provider)?;
            let mut input = AppCredentialInput {
                client_id: Some(
                    if confidential {
                        "switchboard-confidential"
                    } else {
                        "switchboard-native"
                    }
                    .into(),
                ),
                ..Default::default()
            };
            if confidential {
                input.client_secret = Some(SecretString::from(
                    "CANARY-oidc-client-secret-7c2a".to_owned(),
                ));
            }
            w.create_app_credential("oidc_test", input)?;
            let c = w.create_client(NewClient {
                name: "Acme".into(),
                timezone: None,
                notes: None,
            })?;
            Ok(c.id)
        })
        .unwrap();
    let connector = Connector::new(
        vault.clone(),
        http,
        clock.clone(),
        EndpointOverrides::default(),
    )
    .expect("connector");
    Setup {
        _dir: dir,
        vault,
        clock,
        connector,
        client_id,
    }
}

fn request(s: &Setup) -> BeginRequest {
    BeginRequest {
        platform: "oidc_test".into(),
        client_id: s.client_id.clone(),
        ..Default::default()
    }
}

/// Deliver the redirect to the loopback listener, as the browser does.
async fn deliver(redirect: &str) -> (u16, String) {
    let r = reqwest::get(redirect)
        .await
        .expect("the loopback listener answers");
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn loopback_sign_in_refresh_single_flight_guard_and_revoke() {
    let h = harness(3600);
    let s = setup(&h, false).await;

    // --- sign in through the loopback redirect ---
    let begun = s.connector.begin(request(&s)).await.expect("begin");
    assert_eq!(begun.redirect, "loopback");
    assert!(begun.redirect_uri.starts_with("http://127.0.0.1:"));
    assert!(begun.redirect_uri.ends_with("/callback/oidc_test"));
    let url = url::Url::parse(&begun.authorize_url).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["client_id"], "switchboard-native");
    let redirect = approve(&begun.authorize_url, &["--login", "alice"]);
    assert!(redirect.starts_with(&begun.redirect_uri), "{redirect}");
    let (status, page) = deliver(&redirect).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Connected"));
    let connected = begun.outcome.await.unwrap().expect("connected");
    let conn = connected.connection;
    assert_eq!(conn.account_id.as_deref(), Some("alice"));
    assert_eq!(conn.status, "active");
    assert!(conn.has_refresh_token);
    assert!(!connected.account_mismatch);

    // --- the same answer again: replayed state, nothing stored ---
    let query = url::Url::parse(&redirect)
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
    let replay = s.connector.complete_redirect("oidc_test", &query).await;
    assert!(
        matches!(replay, Err(ConnectError::State(ref m)) if m.contains("already used")),
        "{replay:?}"
    );
    assert_eq!(s.vault.read(|r| r.all_connections()).unwrap().len(), 1);

    // --- 50 concurrent callers on an expiring, rotating grant: exactly one refresh ---
    let before = s.vault.read(|r| r.tokens(&conn.id)).unwrap().unwrap();
    s.clock.advance(Duration::seconds(3600 - 60));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let c = s.connector.clone();
        let id = conn.id.clone();
        tasks.push(tokio::spawn(async move { c.access_token(&id).await }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(
            t.await
                .unwrap()
                .expect("a fresh token")
                .expose_secret()
                .to_owned(),
        );
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every caller got the one renewed token");
    assert_ne!(tokens[0], before.access_token.expose_secret());
    let after = s.vault.read(|r| r.tokens(&conn.id)).unwrap().unwrap();
    assert_ne!(
        after.refresh_token.as_ref().unwrap().expose_secret(),
        before.refresh_token.as_ref().unwrap().expose_secret(),
        "the rotated refresh token was stored"
    );
    let ev = h.events().await;
    assert_eq!(ev["refresh_token.consumed"], 1, "exactly one refresh: {ev}");
    assert_eq!(
        ev["refresh_token_reuse"], 0,
        "reuse detection never fired: {ev}"
    );
    assert_eq!(ev["grant.error"], 0, "no invalid_grant: {ev}");

    // --- a second refresh (user asked) rotates again, still no reuse ---
    s.connector.refresh_now(&conn.id).await.expect("refresh");
    let ev = h.events().await;
    assert_eq!(ev["refresh_token.consumed"], 2);
    assert_eq!(ev["refresh_token_reuse"], 0);

    // --- reconnect in place as someone else: flagged, never swapped ---
    let mut again = request(&s);
    again.connection_id = Some(conn.id.clone());
    let begun = s.connector.begin(again).await.unwrap();
    let redirect = approve(&begun.authorize_url, &["--login", "bob"]);
    let (status, page) = deliver(&redirect).await;
    assert_eq!(status, 200);
    assert!(page.contains("different account"), "{page}");
    let c = begun.outcome.await.unwrap().unwrap();
    assert!(c.account_mismatch);
    assert_eq!(c.connection.id, conn.id, "same connection id");
    assert_eq!(
        c.connection.account_id.as_deref(),
        Some("alice"),
        "not swapped"
    );
    assert_eq!(c.connection.pending_account_id.as_deref(), Some("bob"));
    let kept = s
        .connector
        .resolve_account_mismatch(&conn.id, false)
        .await
        .unwrap();
    assert_eq!(kept.account_id.as_deref(), Some("alice"));
    assert!(kept.pending_account_id.is_none());

    // --- reconnect in place as the same account: same id, fresh grant ---
    let mut again = request(&s);
    again.connection_id = Some(conn.id.clone());
    let begun = s.connector.begin(again).await.unwrap();
    deliver(&approve(&begun.authorize_url, &["--login", "alice"])).await;
    let c = begun.outcome.await.unwrap().unwrap();
    assert!(!c.account_mismatch);
    assert_eq!(c.connection.id, conn.id);

    // --- disconnect: revoked at the provider, tokens gone, audit kept ---
    let report = s.connector.disconnect(&conn.id).await.unwrap();
    assert_eq!(report.revocation, "revoked_at_provider");
    assert!(s.vault.read(|r| r.all_connections()).unwrap().is_empty());
    let audit = s.vault.read(|r| r.audit_log(100, None)).unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for expected in [
        "connection.created",
        "connection.refreshed",
        "connection.account_mismatch",
        "connection.reconnected",
        "connection.disconnected",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let ev = h.events().await;
    assert_eq!(ev["refresh_token_reuse"], 0, "{ev}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_callbacks_are_refused_and_store_nothing() {
    let h = harness(3600);
    let s = setup(&h, true).await;
    let none = |s: &Setup| s.vault.read(|r| r.all_connections()).unwrap().is_empty();

    // access_denied
    let begun = s.connector.begin(request(&s)).await.unwrap();
    let redirect = approve(&begun.authorize_url, &["--deny"]);
    let (status, page) = deliver(&redirect).await;
    assert_eq!(status, 400);
    assert!(page.contains("did not grant access"), "{page}");
    let e = begun.outcome.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "oauth_denied");
    assert!(e.to_string().contains("access_denied"));
    assert!(none(&s));

    // unknown state, missing code, duplicated and extra parameters
    for (query, needle) in [
        ("code=abc&state=not-ours", "did not start"),
        ("state=abc", "exactly one of code or error"),
        ("code=a&code=b&state=s", "repeats"),
        (
            "code=a&state=s&next=https://evil.example",
            "unexpected parameter",
        ),
    ] {
        let e = s
            .connector
            .complete_redirect("oidc_test", query)
            .await
            .unwrap_err();
        assert!(e.to_string().contains(needle), "{query}: {e}");
        assert!(!e.to_string().contains("abc"), "values are not echoed: {e}");
    }

    // expired: the answer comes back after the ten-minute lifetime
    let begun = s.connector.begin(request(&s)).await.unwrap();
    let redirect = approve(&begun.authorize_url, &[]);
    s.clock.advance(Duration::minutes(11));
    let (status, page) = deliver(&redirect).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired"), "{page}");
    assert!(none(&s));

    // an answer on another platform's path (mix-up) is refused
    s.clock.advance(Duration::minutes(-11));
    let begun = s.connector.begin(request(&s)).await.unwrap();
    let redirect = approve(&begun.authorize_url, &[]);
    let query = url::Url::parse(&redirect)
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
    let e = s
        .connector
        .complete_redirect("x", &query)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another platform"), "{e}");
    assert!(none(&s));

    // the confidential client (HTTP Basic with the canary secret) connects, and its
    // secret shows up nowhere in what the engine reports
    let begun = s.connector.begin(request(&s)).await.unwrap();
    deliver(&approve(&begun.authorize_url, &[])).await;
    let c = begun
        .outcome
        .await
        .unwrap()
        .expect("confidential client connects");
    let shown = format!("{c:?}");
    assert!(!shown.contains("CANARY"));
    assert_eq!(s.vault.read(|r| r.all_connections()).unwrap().len(), 1);

    // a dead grant: the user revokes access at the provider → needs reconnect, with the
    // provider's own error, after re-reading storage
    reqwest::Client::new()
        .post(format!("{}/__test/revoke-grants?sub=alice", h.issuer))
        .send()
        .await
        .unwrap();
    let e = s.connector.refresh_now(&c.connection.id).await.unwrap_err();
    assert_eq!(e.code(), "needs_reconnect", "{e}");
    let conn = s.vault.read(|r| r.connection(&c.connection.id)).unwrap();
    assert!(
        matches!(conn.status.as_str(), "needs_reconnect" | "revoked"),
        "{}",
        conn.status
    );
    assert!(conn.status_error.unwrap().contains("invalid_grant"));
    assert!(conn.status_action.unwrap().contains("Reconnect"));
    assert!(!format!("{e}").contains("CANARY"));
}
