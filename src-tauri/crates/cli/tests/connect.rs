//! `switchboard-cli connect` end to end: a generic provider added from the discovery
//! document of a real, standards-strict authorization server (`oidc-provider`, started
//! here), app credentials from a .env file and stdin, authorization code + PKCE through the
//! loopback redirect, refresh with rotation, revocation. Real binary, real OS keyring.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("switchboard-cli").unwrap();
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("SWITCHBOARD_PASSPHRASE")
        .env_remove(switchboard_api_env());
    c
}

fn switchboard_api_env() -> &'static str {
    "SWITCHBOARD_ENDPOINT_OVERRIDES"
}

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = cli(dir).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut full = vec!["--json"];
    full.extend_from_slice(args);
    let (ok, out, err) = run(dir, &full);
    assert!(ok, "{args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}"))
}

struct Harness(std::process::Child, String);
impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn harness() -> Harness {
    let mut child = Command::new("node")
        .arg(repo().join("tests/oidc/server.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node (run `npm ci` in tests/)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    let issuer = v["issuer"].as_str().unwrap().to_owned();
    Harness(child, issuer)
}

fn events(issuer: &str) -> Value {
    let out = Command::new("node")
        .args([
            "-e",
            &format!("fetch('{issuer}/__test/events').then(r=>r.text()).then(t=>process.stdout.write(t))"),
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn connect_through_loopback_refresh_and_disconnect() {
    let h = harness();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(d, &["client", "add", "Acme"]);
    let p = json(d, &["provider", "add", "Test", "--discovery", &h.1]);
    assert_eq!(p["id"], "oidc_test");
    assert_eq!(p["issuer"], h.1.as_str());

    // App credentials: the secret comes on stdin, never on the command line.
    let mut add = cli(d)
        .args([
            "--json",
            "app",
            "add",
            "oidc_test",
            "--label",
            "Confidential",
            "--client-id",
            "switchboard-confidential",
            "--client-secret-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"CANARY-oidc-client-secret-7c2a\n")
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(app["has_client_secret"], true);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CANARY"));

    // The provider's client is confidential with Basic auth.
    let (ok, _, err) = run(d, &["provider", "remove", "oidc_test"]);
    assert!(ok, "{err}");
    json(
        d,
        &[
            "provider",
            "add",
            "Test",
            "--discovery",
            &h.1,
            "--client-auth",
            "basic",
        ],
    );
    let app_id = app["id"].as_str().unwrap().to_owned();

    // connect: the URL comes first on stdout; the browser part is done over HTTP.
    let mut connect = cli(d)
        .args([
            "--json",
            "connect",
            "oidc_test",
            "--client",
            "Acme",
            "--no-browser",
            "--app",
            &app_id,
            "--timeout-secs",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(connect.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let start: Value = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(start["redirect"], "loopback");
    let approve = Command::new("node")
        .arg(repo().join("tests/oidc/approve.mjs"))
        .arg(start["authorize_url"].as_str().unwrap())
        .args(["--login", "alice", "--follow"])
        .output()
        .unwrap();
    assert!(
        approve.status.success(),
        "{}",
        String::from_utf8_lossy(&approve.stderr)
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = connect.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut connect.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "connect failed: {err}");
    let done: Value = serde_json::from_str(&rest).unwrap_or_else(|e| panic!("{e}: {rest}"));
    assert_eq!(done["ok"], true);
    let conn_id = done["connection"]["id"].as_str().unwrap().to_owned();
    assert_eq!(done["connection"]["account_id"], "alice");

    let list = json(d, &["connections", "list", "--client", "Acme"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["status"], "active");

    // Refresh twice: each rotates the refresh token; reuse detection never fires.
    json(d, &["connections", "refresh", &conn_id]);
    json(d, &["connections", "refresh", &conn_id]);
    let ev = events(&h.1);
    assert_eq!(ev["refresh_token.consumed"], 2, "{ev}");
    assert_eq!(ev["refresh_token_reuse"], 0, "{ev}");

    let health = json(d, &["connections", "health"]);
    assert_eq!(health["connections"][0]["id"], conn_id.as_str());

    let r = json(d, &["connections", "disconnect", &conn_id]);
    assert_eq!(r["revocation"], "revoked_at_provider");
    assert!(json(d, &["connections", "list"])
        .as_array()
        .unwrap()
        .is_empty());
    let audit = json(d, &["audit", "--limit", "100"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"connection.created"), "{actions:?}");
    assert!(actions.contains(&"connection.disconnected"), "{actions:?}");
    let all = serde_json::to_string(&audit).unwrap();
    assert!(!all.contains("CANARY"), "no secret in the audit log");
}

#[test]
fn env_import_reports_what_it_took_and_never_echoes_values() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("legacy.env");
    std::fs::write(
        &env,
        "META_APP_ID=1234\nMETA_APP_SECRET=CANARY-meta-secret-env-91\nGOOGLE_ADS_DEVELOPER_TOKEN=CANARY-devtoken-env-22\nGOOGLE_CLIENT_ID=goog-1\nX_CLIENT_SECRET=CANARY-x-secret-env-33\nLINKEDIN_CLIENT_ID=\nTIKTOK_FOO=1\nUNRELATED=1\n",
    )
    .unwrap();
    let d = dir.path().join("vault");
    let r = json(&d, &["app", "import-env", env.to_str().unwrap()]);
    assert_eq!(
        r["imported"]["meta"],
        serde_json::json!(["META_APP_ID", "META_APP_SECRET"])
    );
    assert_eq!(
        r["imported"]["google_ads"],
        serde_json::json!(["GOOGLE_ADS_DEVELOPER_TOKEN", "GOOGLE_CLIENT_ID"])
    );
    assert!(r["imported"]["google_search_console"].is_array());
    assert_eq!(r["skipped"]["X_CLIENT_SECRET"], "x does not use this value");
    assert_eq!(r["skipped"]["LINKEDIN_CLIENT_ID"], "empty");
    assert_eq!(
        r["skipped"]["TIKTOK_FOO"],
        "not a variable Switchboard knows"
    );
    assert!(r["skipped"].get("UNRELATED").is_none());
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("CANARY"));
    let apps = json(&d, &["app", "list"]);
    let meta = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["platform"] == "meta")
        .unwrap();
    assert_eq!(meta["client_id"], "1234");
    assert_eq!(meta["has_client_secret"], true);
    assert!(!serde_json::to_string(&apps).unwrap().contains("CANARY"));
    // Importing again updates the same app instead of adding another.
    json(&d, &["app", "import-env", env.to_str().unwrap()]);
    assert_eq!(
        json(&d, &["app", "list", "--platform", "meta"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn connect_without_app_credentials_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(d, &["client", "add", "Acme"]);
    let (ok, _, err) = run(d, &["connect", "x", "--client", "Acme", "--no-browser"]);
    assert!(!ok);
    assert!(err.contains("Add your x app credentials first"), "{err}");
}
