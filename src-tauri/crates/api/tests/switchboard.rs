//! The vault state machine the UI's first screen follows, on a machine with no keyring.

use secrecy::SecretString;
use std::sync::Arc;
use switchboard_api::{Config, NewClient, Switchboard, VaultState};
use switchboard_store::{FixedClock, NoKeyring};

fn start(dir: &std::path::Path) -> Switchboard {
    Switchboard::start(Config {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(NoKeyring),
        clock: Arc::new(FixedClock::new(
            chrono::DateTime::parse_from_rfc3339("2026-11-21T09:00:00Z")
                .unwrap()
                .into(),
        )),
        actor: "app".into(),
        create: true,
    })
}

fn pass(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

#[test]
fn without_a_keyring_the_user_chooses_a_passphrase_then_unlocks_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(dir.path());
    assert!(
        matches!(sb.status().vault, VaultState::NeedsNewPassphrase { ref message } if message.contains("No OS keyring")),
        "{:?}",
        sb.status().vault
    );
    assert_eq!(
        sb.list_clients(false).unwrap_err().code,
        "vault_locked",
        "nothing works before unlocking"
    );
    assert_eq!(sb.unlock(pass("short")).unwrap_err().code, "invalid_input");
    assert!(
        !dir.path().join("vault.db").exists(),
        "no vault from a refused passphrase"
    );
    assert_eq!(
        sb.unlock(pass("a good long passphrase")).unwrap().vault,
        VaultState::Open
    );
    sb.create_client(NewClient {
        name: "Acme".into(),
        timezone: None,
        notes: None,
    })
    .unwrap();
    assert_eq!(
        sb.vault_info().unwrap().key_mode,
        switchboard_api::KeyMode::Passphrase
    );
    drop(sb);

    let sb = start(dir.path());
    assert!(
        matches!(sb.status().vault, VaultState::NeedsPassphrase { .. }),
        "{:?}",
        sb.status().vault
    );
    let err = sb.unlock(pass("the wrong passphrase")).unwrap_err();
    assert_eq!(err.code, "wrong_passphrase");
    assert!(
        matches!(sb.status().vault, VaultState::NeedsPassphrase { .. }),
        "a wrong passphrase keeps the unlock screen"
    );
    sb.unlock(pass("a good long passphrase")).unwrap();
    assert_eq!(sb.list_clients(false).unwrap()[0].name, "Acme");
}

#[test]
fn a_damaged_vault_offers_its_backups_and_restores_one() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(dir.path());
    sb.unlock(pass("a good long passphrase")).unwrap();
    for i in 0..30 {
        sb.create_client(NewClient {
            name: format!("Client {i}"),
            timezone: None,
            notes: None,
        })
        .unwrap();
    }
    let backup = sb.backup_now().unwrap();
    drop(sb);
    let db = dir.path().join("vault.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[50] ^= 0x10;
    std::fs::write(&db, bytes).unwrap();

    let sb = start(dir.path());
    let opened = sb.unlock(pass("a good long passphrase"));
    assert_eq!(opened.unwrap_err().code, "vault_damaged");
    let VaultState::Damaged { backups, message } = sb.status().vault else {
        panic!("expected the damaged state, got {:?}", sb.status().vault)
    };
    assert!(message.contains("restore"), "{message}");
    assert!(
        backups.iter().any(|b| b.file_name == backup.file_name),
        "the manual backup is offered"
    );
    let status = sb
        .restore_damaged(&backup.file_name, Some(pass("a good long passphrase")))
        .unwrap();
    assert_eq!(status.vault, VaultState::Open);
    assert_eq!(sb.list_clients(false).unwrap().len(), 30);
}

#[test]
fn settings_are_validated_and_current_client_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let sb = start(dir.path());
    sb.unlock(pass("a good long passphrase")).unwrap();
    use switchboard_api::SettingName::*;
    assert_eq!(
        sb.set_setting(BackupKeep, "0").unwrap_err().code,
        "invalid_input"
    );
    assert_eq!(
        sb.set_setting(UpdaterEndpoint, "http://updates.example.com/x")
            .unwrap_err()
            .code,
        "invalid_input"
    );
    assert_eq!(
        sb.set_setting(UiCurrentClient, "no-such-client")
            .unwrap_err()
            .code,
        "not_found"
    );
    let c = sb
        .create_client(NewClient {
            name: "Acme".into(),
            timezone: None,
            notes: None,
        })
        .unwrap();
    let s = sb.set_setting(UiCurrentClient, &c.id).unwrap();
    assert_eq!(s.current_client.as_deref(), Some(c.id.as_str()));
    let s = sb.set_setting(UiCurrentClient, "").unwrap();
    assert_eq!(
        s.current_client, None,
        "an empty value clears the current client"
    );
    let s = sb.set_setting(BackupKeep, "5").unwrap();
    assert_eq!(s.backups_kept, 5);
}
