//! `switchboard-cli import` and `library` as a user runs them: the real binary and OS
//! keyring (inside `.ci/session`), Meta played by the platform emulator (started here and
//! pointed at with SWITCHBOARD_ENDPOINT_OVERRIDES): connect, import and follow the job,
//! list jobs, search the library, export an asset.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn cli(dir: &Path, overrides: &str) -> Command {
    let mut c = Command::cargo_bin("switchboard-cli").unwrap();
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("SWITCHBOARD_PASSPHRASE")
        .env("SWITCHBOARD_ENDPOINT_OVERRIDES", overrides);
    c
}

fn json(dir: &Path, overrides: &str, args: &[&str]) -> Value {
    let out = cli(dir, overrides)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("CANARY"),
        "{args:?} printed a secret"
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn import_a_meta_account_follow_it_search_and_export_an_asset() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(switchboard_emulator::start(
            switchboard_emulator::EmulatorConfig::default(),
        ))
        .unwrap();
    let overrides = emu.overrides_json();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(d, &overrides, &["client", "add", "Acme"]);

    let mut add = cli(d, &overrides)
        .args([
            "--json",
            "app",
            "add",
            "meta",
            "--client-id",
            "demo-meta",
            "--client-secret-stdin",
            "--redirect",
            "loopback",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"CANARY-app-secret-meta-cli\n")
        .unwrap();
    assert!(add.wait_with_output().unwrap().status.success());

    // Connect: the CLI prints the authorization URL first; the test plays the browser.
    let mut connect = cli(d, &overrides)
        .args([
            "--json",
            "connect",
            "meta",
            "--client",
            "Acme",
            "--no-browser",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(connect.stdout.take().unwrap());
    let mut line = String::new();
    assert!(
        out.read_line(&mut line).unwrap() > 0,
        "the CLI printed no authorization URL"
    );
    let start: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(start["redirect"], "loopback", "{start}");
    let authorize = start["authorize_url"].as_str().unwrap().to_owned();
    let redirect = emu.approve(&authorize, "").expect("consent");
    rt.block_on(async { reqwest::get(&redirect).await.unwrap() });
    let status = connect.wait().unwrap();
    assert!(status.success(), "connect failed");
    let connections = json(d, &overrides, &["connections", "list"]);
    let connection = connections[0]["id"].as_str().unwrap().to_owned();
    let accounts = json(d, &overrides, &["connections", "accounts", &connection]);
    let account = accounts[0]["external_id"].as_str().unwrap().to_owned();

    // Import and follow: the command returns when the job has ended.
    let job = json(
        d,
        &overrides,
        &[
            "import",
            "start",
            "--client",
            "Acme",
            "--connection",
            &connection,
            "--account",
            &account,
            "--metrics-days",
            "7",
        ],
    );
    assert_eq!(job["job"]["state"], "completed", "{job}");
    let jobs = json(d, &overrides, &["import", "list", "--client", "Acme"]);
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    let shown = json(
        d,
        &overrides,
        &[
            "import",
            "show",
            jobs[0]["id"].as_str().unwrap(),
            "--client",
            "Acme",
        ],
    );
    let ads = shown["job"]["progress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "ads")
        .unwrap()
        .clone();
    assert_eq!(ads["done"], 48, "{shown}");
    // Starting the same import again while none runs is fine; retrying a clean job is not.
    let out = cli(d, &overrides)
        .args([
            "import",
            "retry",
            jobs[0]["id"].as_str().unwrap(),
            "--client",
            "Acme",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error ["));

    let hits = json(
        d,
        &overrides,
        &[
            "library",
            "search",
            &switchboard_emulator::searchable_word(5),
            "--client",
            "Acme",
        ],
    );
    assert!(!hits.as_array().unwrap().is_empty(), "{hits}");
    assert_eq!(hits[0]["kind"], "ad");

    // Export one ad's image: the decrypted bytes, where the user said.
    let page = json(
        d,
        &overrides,
        &[
            "library", "list", "--client", "Acme", "--level", "ad", "--limit", "50",
        ],
    );
    let asset = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["thumb_asset_id"].as_str())
        .expect("an ad with an image")
        .to_owned();
    let file = d.join("creative.png");
    json(
        d,
        &overrides,
        &[
            "library",
            "export-asset",
            &asset,
            "--client",
            "Acme",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // An existing file is not overwritten without --force.
    let out = cli(d, &overrides)
        .args([
            "library",
            "export-asset",
            &asset,
            "--client",
            "Acme",
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    rt.block_on(emu.shutdown());
}
