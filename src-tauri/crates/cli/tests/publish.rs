//! `switchboard-cli post` and `scheduler run` as a user runs them: the real binary and OS
//! keyring (inside `.ci/session`), X played by the platform emulator: connect, compose a
//! post with an image and a thread from flags and another from a file, refuse a file that
//! is not an image, publish through `scheduler run`, and see the states.

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

fn png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 8, 8);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()
            .unwrap()
            .write_image_data(&[90u8; 192])
            .unwrap();
    }
    out
}

#[test]
fn compose_schedule_and_publish_through_scheduler_run() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = rt
        .block_on(switchboard_emulator::start(
            switchboard_emulator::EmulatorConfig::default(),
        ))
        .unwrap();
    let overrides = emu.overrides_json();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(
        d,
        &overrides,
        &["client", "add", "Acme", "--timezone", "Europe/Paris"],
    );
    let mut add = cli(d, &overrides)
        .args([
            "--json",
            "app",
            "add",
            "x",
            "--client-id",
            "demo-x",
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
        .write_all(b"CANARY-app-secret-x-cli\n")
        .unwrap();
    assert!(
        add.wait_with_output().unwrap().status.success(),
        "app added"
    );
    let mut connect = cli(d, &overrides)
        .args(["--json", "connect", "x", "--client", "Acme", "--no-browser"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    // Kept open until the command ends: it prints its result there too.
    let mut stdout = BufReader::new(connect.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let start: Value = serde_json::from_str(&line).unwrap();
    let redirect = emu
        .approve(start["authorize_url"].as_str().unwrap(), "")
        .expect("consent");
    rt.block_on(async { reqwest::get(&redirect).await.unwrap() });
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let done = connect.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "connected: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let connection = json(d, &overrides, &["connections", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A file that claims to be an image but is a web page: refused, the draft kept.
    let fake = d.join("boots.png");
    std::fs::write(
        &fake,
        b"<!doctype html><html><body>not an image</body></html>",
    )
    .unwrap();
    let out = cli(d, &overrides)
        .args([
            "post",
            "compose",
            "--client",
            "Acme",
            "--to",
            &connection,
            "--text",
            "draft with a bad file",
            "--media",
        ])
        .arg(&fake)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a web page is not an image");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("boots.png") && err.contains("not an image"),
        "a clear reason: {err}"
    );

    // Compose from flags: an image and a thread, published now.
    let image = d.join("winter.png");
    std::fs::write(&image, png()).unwrap();
    let now = json(
        d,
        &overrides,
        &[
            "post",
            "compose",
            "--client",
            "Acme",
            "--to",
            &connection,
            "--text",
            "Winter boots are back",
            "--thread",
            "Free shipping this week",
            "--media",
            image.to_str().unwrap(),
            "--now",
        ],
    );
    assert_eq!(now["targets"][0]["state"], "scheduled", "{now}");
    assert_eq!(
        now["media"].as_array().unwrap().len(),
        1,
        "the image is in the vault"
    );
    // Compose from a file, scheduled next week in the client's zone.
    let file = d.join("post.json");
    std::fs::write(&file, r#"{"text": "See you next week", "thread": []}"#).unwrap();
    let later = json(
        d,
        &overrides,
        &[
            "post",
            "compose",
            "--client",
            "Acme",
            "--to",
            &connection,
            "--file",
            file.to_str().unwrap(),
            "--at",
            "2099-03-02T09:00",
        ],
    );
    assert_eq!(later["zone"], "Europe/Paris", "the client's zone");
    assert_eq!(
        later["dueAt"], "2099-03-02T08:00:00.000Z",
        "09:00 in Paris in March is 08:00 UTC"
    );

    // Publish: `scheduler run` until the post is out, then Ctrl-C.
    let mut run = cli(d, &overrides)
        .args(["scheduler", "run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while emu.published("x").unwrap().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));
    Command::new("kill")
        .args(["-INT", &run.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while run.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = run.try_wait().unwrap();
    if status.is_none() {
        run.kill().unwrap();
    }
    let output = run.wait_with_output().unwrap();
    assert!(
        status.is_some_and(|s| s.success()),
        "Ctrl-C stops the scheduler cleanly: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("published"),
        "the scheduler printed what it published: {printed}"
    );
    let posts = emu.published("x").unwrap();
    assert_eq!(
        posts.iter().filter(|p| p.kind == "post").count(),
        1,
        "one post: {posts:?}"
    );
    assert_eq!(
        posts.iter().filter(|p| p.kind == "reply").count(),
        1,
        "its thread part"
    );
    let shown = json(
        d,
        &overrides,
        &[
            "post",
            "show",
            now["id"].as_str().unwrap(),
            "--client",
            "Acme",
        ],
    );
    assert_eq!(shown["targets"][0]["state"], "published", "{shown}");
    let summary = json(d, &overrides, &["post", "summary"]);
    let states: Vec<(String, i64)> = summary
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["state"].as_str().unwrap().to_owned(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    for want in ["published", "scheduled", "draft"] {
        assert!(
            states.iter().any(|(s, n)| s == want && *n == 1),
            "summary has one {want}: {states:?}"
        );
    }

    // Queue slots and "add to queue".
    let slots = json(
        d,
        &overrides,
        &[
            "post",
            "slots",
            "--client",
            "Acme",
            "--set",
            "mon 09:00, thu 14:30",
        ],
    );
    assert_eq!(slots.as_array().unwrap().len(), 2, "{slots}");
    let queued = json(
        d,
        &overrides,
        &[
            "post",
            "compose",
            "--client",
            "Acme",
            "--to",
            &connection,
            "--text",
            "In the queue",
            "--queue",
        ],
    );
    let wall = queued["wallTime"].as_str().unwrap();
    assert!(
        wall.ends_with("T09:00") || wall.ends_with("T14:30"),
        "a slot time: {wall}"
    );
}
