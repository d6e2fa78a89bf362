//! The vault against real SQLCipher and the real OS keyring.

mod common;

use common::*;
use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use switchboard_store::domain::NewClient;
use switchboard_store::*;

fn new_client(v: &Vault, name: &str) -> String {
    v.write(Origin::User, |w| {
        w.create_client(NewClient {
            name: name.into(),
            timezone: Some("Europe/Berlin".into()),
            notes: None,
        })
    })
    .expect("create client")
    .id
}

#[test]
fn a_new_vault_is_keyring_keyed_encrypted_and_persistent() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let v = open(dir.path(), clock.clone());
        let info = v.info().unwrap();
        assert_eq!(
            info.key_mode,
            KeyMode::Keyring,
            "a keyring is available, so it is used"
        );
        assert!(
            info.encrypted_on_disk,
            "the file must not start with the SQLite header"
        );
        assert!(
            info.cipher_version.starts_with('4'),
            "SQLCipher 4 is linked: {}",
            info.cipher_version
        );
        assert_eq!(info.schema_version, Migrations::embedded().latest());
        new_client(&v, "Acme");
    }
    let len = std::fs::metadata(dir.path().join("vault.db"))
        .unwrap()
        .len();
    assert_eq!(
        len % PAGE_SIZE as u64,
        0,
        "the file is made of {PAGE_SIZE}-byte pages ({len} bytes)"
    );
    let v = open(dir.path(), clock);
    assert_eq!(client_names(&v), vec!["Acme"], "data survives a reopen");
    let desc = std::fs::read_to_string(dir.path().join("vault.json")).unwrap();
    assert!(
        desc.contains("\"mode\": \"keyring\""),
        "descriptor names the keyring mode: {desc}"
    );
}

#[test]
fn pragmas_are_durable_and_keep_temp_data_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    let p = v.pragmas().unwrap();
    assert_eq!(p.journal_mode, "wal");
    assert_eq!(p.synchronous, 2, "synchronous=FULL");
    assert!(p.foreign_keys, "foreign keys on");
    assert_eq!(p.temp_store, 2, "temp_store=MEMORY");
}

#[test]
fn only_import_writes_skip_the_wal_sync() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    let level = |origin| v.write(origin, |w| w.synchronous_level()).unwrap();
    assert_eq!(level(Origin::Import), 1, "an import commit: NORMAL");
    assert_eq!(level(Origin::User), 2, "a user's write: FULL");
    assert_eq!(level(Origin::System), 2);
    // A failed import write leaves the connection syncing again.
    let failed = v.write(Origin::Import, |_| -> switchboard_store::Result<()> {
        Err(switchboard_store::StoreError::Invalid("no".into()))
    });
    assert!(failed.is_err());
    assert_eq!(
        v.pragmas().unwrap().synchronous,
        2,
        "FULL again after an import write"
    );
    assert_eq!(level(Origin::User), 2);
}

#[test]
fn large_sorts_write_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // SQLite would put spill files in SQLITE_TMPDIR/TMPDIR; temp_store=MEMORY keeps them in RAM.
    std::env::set_var("SQLITE_TMPDIR", tmp.path());
    let mut o = options(clock());
    o.migrations = with_bulk(200_000);
    let v = Vault::open(VaultPaths::new(dir.path()), o).unwrap();
    let n = v.sort_probe().unwrap();
    assert_eq!(n, 200_000);
    assert!(
        dir_listing(tmp.path()).is_empty(),
        "temp files were written: {:?}",
        dir_listing(tmp.path())
    );
}

#[test]
fn files_are_unreadable_to_plain_sqlite_and_hold_no_canary() {
    let dir = tempfile::tempdir().unwrap();
    let canary = "CANARY-7f3e9b1c-client-name";
    let v = open(dir.path(), clock());
    new_client(&v, canary);
    v.backup_now("manual").unwrap();
    new_client(&v, "CANARY-second-wal-only");
    // While the vault is open the WAL holds the newest page images.
    let mut files = vec![dir.path().join("vault.db"), dir.path().join("vault.db-wal")];
    files.extend(v.backups().unwrap().into_iter().map(|b| b.path));
    for f in &files {
        assert!(f.exists(), "{} should exist", f.display());
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !contains(&bytes, canary.as_bytes()),
            "{} contains the canary in plaintext",
            f.display()
        );
        assert!(
            !contains(&bytes, b"CANARY-second"),
            "{} contains the canary in plaintext",
            f.display()
        );
        assert!(
            !contains(&bytes, b"SQLite format 3"),
            "{} has a plaintext SQLite header",
            f.display()
        );
    }
    drop(v);
    for f in [dir.path().join("vault.db")]
        .iter()
        .chain(files.iter().skip(2))
    {
        let out = std::process::Command::new("sqlite3")
            .arg(f)
            .arg("SELECT name FROM sqlite_master;")
            .output()
            .expect("run sqlite3 (apt package sqlite3)");
        assert!(!out.status.success(), "plain sqlite3 read {}", f.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a database"), "sqlite3 said: {err}");
    }
}

#[test]
fn a_wrong_key_fails_closed_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let account = {
        let v = open(dir.path(), clock.clone());
        new_client(&v, "Acme");
        let d: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("vault.json")).unwrap())
                .unwrap();
        d["current"]["account"].as_str().unwrap().to_owned()
    };
    let before_files = dir_listing(dir.path());
    let before_hash = file_hash(&dir.path().join("vault.db"));
    let kr = keyring();
    let real = kr.get(&account).unwrap().expect("key is in the keyring");
    kr.set(&account, &VaultKey::random()).unwrap();

    let err = Vault::open(VaultPaths::new(dir.path()), options(clock.clone()))
        .expect_err("a wrong key must not open");
    assert_eq!(err.code(), "wrong_key", "{err}");
    assert!(
        err.to_string().contains("Nothing was changed"),
        "message says nothing changed: {err}"
    );
    assert_eq!(
        file_hash(&dir.path().join("vault.db")),
        before_hash,
        "the file is untouched"
    );
    assert_eq!(
        dir_listing(dir.path()),
        before_files,
        "no new files (no fresh empty vault)"
    );

    kr.delete(&account).unwrap();
    let err = Vault::open(VaultPaths::new(dir.path()), options(clock.clone()))
        .expect_err("a missing key must not open");
    assert_eq!(err.code(), "key_missing", "{err}");
    assert!(
        err.to_string().contains("Restore the keyring entry"),
        "message says how to recover: {err}"
    );
    assert_eq!(
        file_hash(&dir.path().join("vault.db")),
        before_hash,
        "the file is untouched"
    );
    assert_eq!(dir_listing(dir.path()), before_files, "no new files");

    kr.set(&account, &real).unwrap();
    let v = open(dir.path(), clock);
    assert_eq!(
        client_names(&v),
        vec!["Acme"],
        "the right key still opens everything"
    );
}

#[test]
fn a_missing_database_is_never_replaced_by_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), clock()));
    std::fs::rename(dir.path().join("vault.db"), dir.path().join("moved.db")).unwrap();
    let err =
        Vault::open(VaultPaths::new(dir.path()), options(clock())).expect_err("must not create");
    assert_eq!(err.code(), "vault_missing");
    assert!(!dir.path().join("vault.db").exists(), "no new database");
}

#[test]
fn a_flipped_byte_reports_damage_and_restores_the_newest_good_backup() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let v = open(dir.path(), clock.clone());
        for i in 0..50 {
            new_client(&v, &format!("Client {i:02}"));
        }
        clock.advance(chrono::Duration::minutes(5));
        v.backup_now("manual").unwrap();
    }
    let db = dir.path().join("vault.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let page = PAGE_SIZE as usize;
    assert!(bytes.len() >= 3 * page, "need several pages");
    bytes[page + 200] ^= 0x55; // inside page 2
    std::fs::write(&db, &bytes).unwrap();
    let damaged_hash = file_hash(&db);

    let outcome = Vault::open(VaultPaths::new(dir.path()), options(clock.clone()));
    let err = match outcome {
        Err(e) => e,
        Ok(v) => {
            let report = v.integrity_check().unwrap();
            assert!(!report.ok, "integrity check must flag the flipped byte");
            assert!(
                !report.cipher_errors.is_empty(),
                "the page HMAC must fail: {report:?}"
            );
            let read = v.read(|r| r.list_clients(true));
            read.expect_err("reading the damaged page fails")
        }
    };
    assert_eq!(err.code(), "vault_damaged", "{err}");
    assert!(
        err.to_string().contains("restore"),
        "says how to recover: {err}"
    );

    let good = newest_good_backup(&VaultPaths::new(dir.path()), &options(clock.clone()))
        .unwrap()
        .expect("a good backup exists");
    let v = restore_offline(
        VaultPaths::new(dir.path()),
        &good.file_name,
        options(clock.clone()),
    )
    .unwrap();
    assert_eq!(client_names(&v).len(), 50, "all 50 clients are back");
    assert!(v.integrity_check().unwrap().ok);
    let kept: Vec<_> = dir_listing(dir.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("vault.db.replaced-"))
        .collect();
    assert!(
        kept.iter()
            .any(|p| !p.to_string_lossy().ends_with("-wal") && file_hash(p) == damaged_hash),
        "the damaged file is kept aside, not discarded: {kept:?}"
    );
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let mut o = options(clock.clone());
        o.migrations = with_bulk(10);
        drop(Vault::open(VaultPaths::new(dir.path()), o).unwrap());
    }
    let before = file_hash(&dir.path().join("vault.db"));
    let listing = dir_listing(dir.path());
    let err = Vault::open(VaultPaths::new(dir.path()), options(clock)).expect_err("newer schema");
    assert_eq!(err.code(), "newer_schema", "{err}");
    assert!(err.to_string().contains("update Switchboard"), "{err}");
    assert_eq!(
        file_hash(&dir.path().join("vault.db")),
        before,
        "not touched"
    );
    assert_eq!(
        dir_listing(dir.path()),
        listing,
        "no backup or other file written"
    );
}

#[test]
fn upgrading_applies_new_migrations_after_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    {
        let v = open(dir.path(), clock.clone());
        new_client(&v, "Before upgrade");
    }
    let mut o = options(clock.clone());
    o.migrations = with_bulk(100);
    let v = Vault::open(VaultPaths::new(dir.path()), o).unwrap();
    assert_eq!(v.info().unwrap().schema_version, Some(20991231000000));
    assert_eq!(client_names(&v), vec!["Before upgrade"]);
    let backups = v.backups().unwrap();
    assert!(
        backups.iter().any(|b| b.reason == "pre-migration"),
        "a pre-migration backup exists: {backups:?}"
    );
}

#[test]
fn backups_are_pruned_to_the_configured_count_and_daily_is_due_after_24h() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let v = open(dir.path(), clock.clone());
    assert_eq!(
        v.backups().unwrap().len(),
        1,
        "first open takes the daily backup"
    );
    assert!(
        v.backup_if_due().unwrap().is_none(),
        "not due again within 24 h"
    );
    clock.advance(chrono::Duration::hours(25));
    assert!(v.backup_if_due().unwrap().is_some(), "due after 24 h");
    v.write(Origin::User, |w| {
        w.set_setting(domain::SettingKey::BackupsKept, "3")
    })
    .unwrap();
    for _ in 0..5 {
        clock.advance(chrono::Duration::seconds(1));
        v.backup_now("manual").unwrap();
    }
    let list = v.backups().unwrap();
    assert_eq!(list.len(), 3, "pruned to 3: {list:?}");
    assert!(list[0].created_at > list[2].created_at, "newest first");
}

#[test]
fn restore_brings_back_the_backed_up_state_and_keeps_the_replaced_file() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let v = open(dir.path(), clock.clone());
    new_client(&v, "Kept");
    clock.advance(chrono::Duration::seconds(5));
    let b = v.backup_now("manual").unwrap();
    new_client(&v, "After backup");
    v.restore(&b.file_name).unwrap();
    assert_eq!(client_names(&v), vec!["Kept"]);
    assert!(
        dir_listing(dir.path())
            .iter()
            .any(|p| p.to_string_lossy().contains("replaced-")),
        "the replaced database is kept"
    );
    let err = v.restore("vault-nope.db").unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(
        client_names(&v),
        vec!["Kept"],
        "a refused restore leaves the vault usable"
    );
}

#[test]
fn rekey_round_trips_keyring_passphrase_keyring_with_data_and_backups() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let v = open(dir.path(), clock.clone());
    new_client(&v, "Acme");
    clock.advance(chrono::Duration::seconds(1));
    let backup = v.backup_now("manual").unwrap();
    let old_account = v.read(|_| Ok(())).map(|_| {
        let d: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("vault.json")).unwrap())
                .unwrap();
        d["current"]["account"].as_str().unwrap().to_owned()
    });
    let old_account = old_account.unwrap();

    v.rekey(NewKey::Keyring).unwrap();
    assert_eq!(client_names(&v), vec!["Acme"]);
    assert!(
        keyring().get(&old_account).unwrap().is_none(),
        "the retired key is removed from the keyring"
    );
    drop(v);
    let v = open(dir.path(), clock.clone());
    assert_eq!(client_names(&v), vec!["Acme"], "reopens with the new key");

    let pass = SecretString::from("a long test passphrase 1".to_owned());
    v.rekey(NewKey::Passphrase(pass.clone())).unwrap();
    assert_eq!(v.key_mode(), KeyMode::Passphrase);
    drop(v);
    let err = Vault::open(VaultPaths::new(dir.path()), options(clock.clone()))
        .expect_err("needs the passphrase");
    assert_eq!(err.code(), "passphrase_required");
    let mut o = options(clock.clone());
    o.passphrase = Some(SecretString::from("wrong passphrase!!".to_owned()));
    let err = Vault::open(VaultPaths::new(dir.path()), o).expect_err("wrong passphrase");
    assert_eq!(err.code(), "wrong_passphrase");
    let mut o = options(clock.clone());
    o.passphrase = Some(pass);
    let v = Vault::open(VaultPaths::new(dir.path()), o).unwrap();
    assert_eq!(client_names(&v), vec!["Acme"]);

    v.rekey(NewKey::Keyring).unwrap();
    assert_eq!(v.key_mode(), KeyMode::Keyring);
    // The backup taken under the first key was re-encrypted along the way.
    v.restore(&backup.file_name).unwrap();
    assert_eq!(client_names(&v), vec!["Acme"]);
    assert!(v.integrity_check().unwrap().ok);
}

#[test]
fn passphrase_mode_when_no_keyring_exists() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock());
    let err = Vault::open(VaultPaths::new(dir.path()), o).expect_err("needs a passphrase");
    assert_eq!(err.code(), "keyring_unavailable");
    assert!(
        !dir.path().join("vault.db").exists(),
        "nothing created without a key"
    );

    o = OpenOptions::new(Arc::new(NoKeyring), clock());
    o.passphrase = Some(SecretString::from("short".to_owned()));
    assert_eq!(
        Vault::open(VaultPaths::new(dir.path()), o)
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    o = OpenOptions::new(Arc::new(NoKeyring), clock());
    o.passphrase = Some(SecretString::from("correct horse battery".to_owned()));
    let v = Vault::open(VaultPaths::new(dir.path()), o).unwrap();
    assert_eq!(v.info().unwrap().key_mode, KeyMode::Passphrase);
    assert_eq!(v.info().unwrap().keyring_backend, None);
    new_client(&v, "Offline agency");
    drop(v);
    let desc = std::fs::read_to_string(dir.path().join("vault.json")).unwrap();
    assert!(
        desc.contains("argon2id") && !desc.contains("correct horse"),
        "descriptor holds KDF params only"
    );
    o = OpenOptions::new(Arc::new(NoKeyring), clock());
    o.passphrase = Some(SecretString::from("correct horse battery".to_owned()));
    assert_eq!(
        client_names(&Vault::open(VaultPaths::new(dir.path()), o).unwrap()),
        vec!["Offline agency"]
    );
}

#[test]
fn clients_cannot_see_or_touch_each_others_brands() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    let a = new_client(&v, "Client A");
    let b = new_client(&v, "Client B");
    let brand_a = v
        .write(Origin::User, |w| w.client(&a)?.create_brand("A Shoes"))
        .unwrap();
    v.write(Origin::User, |w| w.client(&b)?.create_brand("B Hats"))
        .unwrap();

    let b_brands = v.read(|r| r.client(&b)?.brands()).unwrap();
    assert_eq!(
        b_brands.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        vec!["B Hats"]
    );
    let err = v.read(|r| r.client(&b)?.brand(&brand_a.id)).unwrap_err();
    assert_eq!(err.code(), "not_found", "client B cannot read A's brand");
    let err = v
        .write(Origin::User, |w| {
            w.client(&b)?.rename_brand(&brand_a.id, "Stolen")
        })
        .unwrap_err();
    assert_eq!(err.code(), "not_found", "client B cannot rename A's brand");
    let err = v
        .write(Origin::User, |w| w.client(&b)?.delete_brand(&brand_a.id))
        .unwrap_err();
    assert_eq!(err.code(), "not_found", "client B cannot delete A's brand");
    let a_brands = v.read(|r| r.client(&a)?.brands()).unwrap();
    assert_eq!(a_brands, vec![brand_a], "A's brand is unchanged");
    assert_eq!(
        v.read(|r| r.client("no-such-client").map(|_| ()))
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn client_rules_duplicate_names_time_zones_and_cascade() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    let a = new_client(&v, "Acme");
    let dup = v.write(Origin::User, |w| {
        w.create_client(NewClient {
            name: " acme ".into(),
            timezone: None,
            notes: None,
        })
    });
    assert_eq!(
        dup.unwrap_err().code(),
        "conflict",
        "names are unique, case-insensitively"
    );
    let tz = v.write(Origin::User, |w| {
        w.create_client(NewClient {
            name: "Zed".into(),
            timezone: Some("Mars/Olympus".into()),
            notes: None,
        })
    });
    assert_eq!(tz.unwrap_err().code(), "invalid_input");
    let empty = v.write(Origin::User, |w| {
        w.create_client(NewClient {
            name: "   ".into(),
            timezone: None,
            notes: None,
        })
    });
    assert_eq!(empty.unwrap_err().code(), "invalid_input");
    v.write(Origin::User, |w| w.client(&a)?.create_brand("Acme Shoes"))
        .unwrap();
    v.write(Origin::User, |w| w.client(&a)?.delete()).unwrap();
    assert!(client_names(&v).is_empty());
    assert_eq!(
        v.read(|r| r.client(&a).map(|_| ())).unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn audit_entries_are_recorded_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    v.write(Origin::User, |w| {
        w.audit("token.read", None, Some("conn-1"), "refresh")
    })
    .unwrap();
    let entries = v.read(|r| r.audit_log(10, None)).unwrap();
    assert_eq!(entries[0].action, "token.read");
    assert_eq!(entries[0].connection_id.as_deref(), Some("conn-1"));
    assert!(
        entries.iter().any(|e| e.action == "vault.created"),
        "vault creation is audited"
    );
}

#[test]
fn each_transaction_reaches_listeners_as_one_tagged_batch() {
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), clock());
    let seen: Arc<Mutex<Vec<ChangeBatch>>> = Arc::default();
    let s = seen.clone();
    v.subscribe(move |b| s.lock().unwrap().push(b.clone()));
    v.write(Origin::Import, |w| {
        let c = w.create_client(NewClient {
            name: "Bulk".into(),
            timezone: None,
            notes: None,
        })?;
        let mut cw = w.client(&c.id)?;
        for i in 0..100 {
            cw.create_brand(&format!("Brand {i}"))?;
        }
        Ok(())
    })
    .unwrap();
    let failed = v.write(Origin::User, |w| {
        w.create_client(NewClient {
            name: "Rolled back".into(),
            timezone: None,
            notes: None,
        })?;
        Err::<(), _>(StoreError::Invalid("abort".into()))
    });
    assert!(failed.is_err());
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        1,
        "one batch for the committed transaction, none for the rolled-back one"
    );
    assert_eq!(seen[0].origin, Origin::Import);
    let count = |entity: &str| {
        seen[0]
            .changes
            .iter()
            .filter(|c| c.entity == entity)
            .count()
    };
    assert_eq!(
        (count("client"), count("brand")),
        (1, 100),
        "every row change is in the one batch"
    );
    assert!(
        !client_names(&v).contains(&"Rolled back".to_owned()),
        "rolled back"
    );
}
