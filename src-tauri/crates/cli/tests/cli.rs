//! The CLI as a user runs it: the real binary, the real OS keyring (run inside
//! `.ci/session`), a throwaway data dir.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn cli(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("switchboard-cli").unwrap();
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("SWITCHBOARD_PASSPHRASE")
        .env_remove("SWITCHBOARD_LOG");
    c
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = cli(dir).arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A failing command: non-zero exit and exactly one line on stderr naming the code.
fn fails(dir: &Path, args: &[&str], code: &str) -> String {
    let out = cli(dir).args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one-line reason expected, got: {err}"
    );
    assert!(
        err.starts_with(&format!("error [{code}]")),
        "{args:?}: expected code {code}, got: {err}"
    );
    err
}

#[test]
fn clients_and_brands_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let c = json(
        dir.path(),
        &["client", "add", "Acme GmbH", "--timezone", "Europe/Berlin"],
    );
    assert_eq!(c["name"], "Acme GmbH");
    assert_eq!(c["timezone"], "Europe/Berlin");
    json(dir.path(), &["brand", "add", "acme gmbh", "Acme Shoes"]);
    json(dir.path(), &["brand", "add", "Acme GmbH", "Acme Hats"]);
    let brands = json(dir.path(), &["brand", "list", "Acme GmbH"]);
    let names: Vec<&str> = brands
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Acme Hats", "Acme Shoes"]);
    json(
        dir.path(),
        &["brand", "rename", "Acme GmbH", "Acme Hats", "Acme Caps"],
    );
    json(dir.path(), &["brand", "delete", "Acme GmbH", "Acme Shoes"]);
    let brands = json(dir.path(), &["brand", "list", "Acme GmbH"]);
    assert_eq!(brands.as_array().unwrap().len(), 1);
    assert_eq!(brands[0]["name"], "Acme Caps");
    json(
        dir.path(),
        &["client", "edit", "Acme GmbH", "--name", "Acme AG"],
    );
    json(dir.path(), &["client", "archive", "Acme AG"]);
    assert_eq!(
        json(dir.path(), &["client", "list"])
            .as_array()
            .unwrap()
            .len(),
        0,
        "archived clients are hidden"
    );
    assert_eq!(
        json(dir.path(), &["client", "list", "--archived"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    fails(dir.path(), &["brand", "add", "Nobody", "X"], "not_found");
    fails(dir.path(), &["client", "add", "  "], "invalid_input");
    fails(
        dir.path(),
        &["client", "add", "Zed", "--timezone", "Moon/Base"],
        "invalid_input",
    );
}

#[test]
fn doctor_reports_keyring_encryption_schema_and_integrity() {
    let dir = tempfile::tempdir().unwrap();
    fails(dir.path(), &["doctor"], "no_vault");
    assert!(
        !dir.path().join("vault.db").exists(),
        "doctor never creates a vault"
    );
    json(dir.path(), &["client", "add", "Acme"]);
    let d = json(dir.path(), &["doctor"]);
    assert_eq!(d["key_mode"], "keyring");
    assert_eq!(d["keyring_backend"], "Secret Service (D-Bus)");
    assert_eq!(d["encrypted_on_disk"], true);
    assert_eq!(d["integrity_ok"], true);
    assert!(d["schema_version"].as_i64().unwrap() >= 20261121120000);
    let text = cli(dir.path()).arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("verified: file is encrypted"), "{text}");
}

#[test]
fn backup_restore_integrity_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    json(dir.path(), &["client", "add", "Before"]);
    let b = json(dir.path(), &["backup"]);
    let name = b["file_name"].as_str().unwrap().to_owned();
    json(dir.path(), &["client", "add", "After"]);
    let list = json(dir.path(), &["backups"]);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["file_name"] == name.as_str()));
    json(dir.path(), &["restore", &name]);
    let clients = json(dir.path(), &["client", "list"]);
    assert_eq!(clients.as_array().unwrap().len(), 1);
    assert_eq!(clients[0]["name"], "Before");
    assert_eq!(json(dir.path(), &["integrity"])["ok"], true);
    let audit = json(dir.path(), &["audit", "--limit", "100"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "vault.created",
        "vault.backup",
        "vault.restored",
        "vault.unlocked",
    ] {
        assert!(actions.contains(&a), "audit has {a}: {actions:?}");
    }
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "cli"));
    fails(dir.path(), &["restore", "vault-nope.db"], "not_found");
}

#[test]
fn damaged_vault_is_reported_and_restored_from_the_newest_good_backup() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        json(dir.path(), &["client", "add", &format!("Client {i}")]);
    }
    json(dir.path(), &["backup"]);
    let db = dir.path().join("vault.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[100] ^= 0xFF; // page 1: the schema page
    std::fs::write(&db, &bytes).unwrap();
    let err = fails(dir.path(), &["client", "list"], "vault_damaged");
    assert!(err.contains("restore"), "{err}");
    json(dir.path(), &["restore"]);
    assert_eq!(
        json(dir.path(), &["client", "list"])
            .as_array()
            .unwrap()
            .len(),
        40
    );
}

#[test]
fn secrets_never_reach_output_or_logs() {
    let dir = tempfile::tempdir().unwrap();
    let first = "CANARY-passphrase-a1b2c3d4e5";
    let second = "CANARY-passphrase-f6e7d8c9b0";
    let mut outputs = Vec::new();
    let mut run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = cli(dir.path());
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.args(args).output().unwrap();
        outputs.push(out.stdout.clone());
        outputs.push(out.stderr.clone());
        out.status.success()
    };
    // Create a passphrase vault, use it, re-key to a second passphrase, fail once with a
    // wrong one, and back to the keyring.
    assert!(
        run(
            &["client", "add", "Acme"],
            &[("SWITCHBOARD_PASSPHRASE", first)]
        ),
        "keyring vault first"
    );
    assert!(run(
        &["rekey", "--to", "passphrase"],
        &[("SWITCHBOARD_NEW_PASSPHRASE", first)]
    ));
    assert!(run(
        &["client", "list"],
        &[("SWITCHBOARD_PASSPHRASE", first)]
    ));
    assert!(
        !run(&["client", "list"], &[("SWITCHBOARD_PASSPHRASE", second)]),
        "wrong passphrase fails"
    );
    assert!(run(
        &["rekey", "--to", "passphrase"],
        &[
            ("SWITCHBOARD_PASSPHRASE", first),
            ("SWITCHBOARD_NEW_PASSPHRASE", second)
        ]
    ));
    assert!(run(
        &["doctor"],
        &[
            ("SWITCHBOARD_PASSPHRASE", second),
            ("SWITCHBOARD_LOG", "trace")
        ]
    ));

    // The raw key the passphrase derives to, from the descriptor's public KDF parameters.
    let d: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("vault.json")).unwrap())
            .unwrap();
    let kdf = &d["current"]["kdf"];
    let params = argon2::Params::new(
        kdf["memory_kib"].as_u64().unwrap() as u32,
        kdf["iterations"].as_u64().unwrap() as u32,
        kdf["parallelism"].as_u64().unwrap() as u32,
        Some(32),
    )
    .unwrap();
    let mut key = [0u8; 32];
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_into(
            second.as_bytes(),
            &hex::decode(kdf["salt_hex"].as_str().unwrap()).unwrap(),
            &mut key,
        )
        .unwrap();
    let key_hex = hex::encode(key);
    assert!(run(
        &["rekey", "--to", "keyring"],
        &[("SWITCHBOARD_PASSPHRASE", second)]
    ));

    let mut haystacks: Vec<(String, Vec<u8>)> = outputs
        .into_iter()
        .enumerate()
        .map(|(i, o)| (format!("output #{i}"), o))
        .collect();
    let logs = dir.path().join("logs");
    let files: Vec<_> = std::fs::read_dir(&logs)
        .expect("log dir exists")
        .flatten()
        .collect();
    assert!(!files.is_empty(), "the CLI writes log files");
    for f in files {
        haystacks.push((
            f.path().display().to_string(),
            std::fs::read(f.path()).unwrap(),
        ));
    }
    let log_text: String = haystacks
        .iter()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        log_text.contains("migration applied") || log_text.contains("vault"),
        "logs have content to scan"
    );
    for (name, bytes) in &haystacks {
        let text = String::from_utf8_lossy(bytes);
        for canary in [first, second, key_hex.as_str(), &key_hex.to_uppercase()] {
            assert!(
                !text.contains(canary),
                "{name} leaks a secret ({}…)",
                &canary[..12]
            );
        }
    }
}
