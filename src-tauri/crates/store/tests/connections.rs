//! Connection rows in the vault: secrets stay inside, flows are single use, renewals
//! store only over the version they started from.

mod common;

use secrecy::{ExposeSecret, SecretString};
use switchboard_store::domain::{
    AppCredentialInput, FlowTake, NewClient, NewConnection, PendingFlow, StoredTokens,
};
use switchboard_store::Origin;

fn tokens(access: &str, refresh: Option<&str>, version: i64) -> StoredTokens {
    StoredTokens {
        access_token: SecretString::from(access.to_owned()),
        refresh_token: refresh.map(|r| SecretString::from(r.to_owned())),
        id_token: None,
        expires_at: Some("2026-11-21T10:00:00.000Z".into()),
        refresh_expires_at: None,
        scopes_granted: Some(vec!["a".into()]),
        extra: "{}".into(),
        version,
    }
}

#[test]
fn app_credentials_report_secrets_only_as_present() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let app = v
        .write(Origin::User, |w| {
            w.create_app_credential(
                "meta",
                AppCredentialInput {
                    label: Some("Main".into()),
                    client_id: Some("123".into()),
                    client_secret: Some(SecretString::from("CANARY-app-secret-store".to_owned())),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert!(app.has_client_secret);
    assert!(!serde_json::to_string(&app).unwrap().contains("CANARY"));
    let secrets = v.read(|r| r.app_secrets(&app.id)).unwrap();
    assert_eq!(
        secrets.client_secret.unwrap().expose_secret(),
        "CANARY-app-secret-store"
    );
    // Same label on the same platform is a conflict; another label is a second app.
    let dup = v.write(Origin::User, |w| {
        w.create_app_credential(
            "meta",
            AppCredentialInput {
                label: Some("main".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(dup.unwrap_err().code(), "conflict");
    v.write(Origin::User, |w| {
        w.create_app_credential(
            "meta",
            AppCredentialInput {
                label: Some("Second".into()),
                ..Default::default()
            },
        )
    })
    .unwrap();
    // Rotating: a new secret replaces the old, "" clears it, None keeps it.
    let rotated = v
        .write(Origin::User, |w| {
            w.update_app_credential(
                &app.id,
                AppCredentialInput {
                    client_secret: Some(SecretString::from("".to_owned())),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert!(!rotated.has_client_secret);
    let bad = v.write(Origin::User, |w| {
        w.update_app_credential(
            &app.id,
            AppCredentialInput {
                redirect: Some("webview".into()),
                ..Default::default()
            },
        )
    });
    assert_eq!(bad.unwrap_err().code(), "invalid_input");
    let audit = v.read(|r| r.audit_log(50, None)).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "app_credential.secret_changed"));
    assert!(!serde_json::to_string(&audit).unwrap().contains("CANARY"));
}

#[test]
fn flows_are_single_use_and_expire() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (client, app) = v
        .write(Origin::User, |w| {
            let c = w.create_client(NewClient {
                name: "Acme".into(),
                timezone: None,
                notes: None,
            })?;
            let a = w.create_app_credential("x", AppCredentialInput::default())?;
            Ok((c.id, a.id))
        })
        .unwrap();
    let flow = |hash: &str, expires: &str| PendingFlow {
        state_hash: hash.into(),
        platform: "x".into(),
        app_credential_id: app.clone(),
        client_id: client.clone(),
        brand_id: None,
        connection_id: None,
        capabilities: vec!["publish".into()],
        scopes: vec!["tweet.write".into()],
        verifier: Some(SecretString::from("CANARY-token-verifier".to_owned())),
        redirect_uri: "http://127.0.0.1:47615/callback/x".into(),
        created_at: "2026-11-21T09:00:00.000Z".into(),
        expires_at: expires.into(),
    };
    v.write(Origin::User, |w| {
        w.insert_flow(&flow("h1", "2026-11-21T09:10:00.000Z"))?;
        w.insert_flow(&flow("h2", "2026-11-21T09:10:00.000Z"))
    })
    .unwrap();
    let now = "2026-11-21T09:05:00.000Z";
    let first = v.write(Origin::User, |w| w.take_flow("h1", now)).unwrap();
    let FlowTake::Taken(f) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        f.0.verifier.unwrap().expose_secret(),
        "CANARY-token-verifier"
    );
    assert_eq!(
        v.write(Origin::User, |w| w.take_flow("h1", now)).unwrap(),
        FlowTake::AlreadyUsed
    );
    assert_eq!(
        v.write(Origin::User, |w| w.take_flow("nope", now)).unwrap(),
        FlowTake::Unknown
    );
    let late = "2026-11-21T09:10:00.001Z";
    assert_eq!(
        v.write(Origin::User, |w| w.take_flow("h2", late)).unwrap(),
        FlowTake::Expired
    );
    // A flow survives a restart (it lives in the vault).
    v.write(Origin::User, |w| {
        w.insert_flow(&flow("h3", "2026-11-21T09:10:00.000Z"))
    })
    .unwrap();
    drop(v);
    let v = common::open(dir.path(), common::clock());
    assert!(matches!(
        v.write(Origin::User, |w| w.take_flow("h3", now)).unwrap(),
        FlowTake::Taken(_)
    ));
}

#[test]
fn renewals_store_only_over_the_version_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let v = common::open(dir.path(), common::clock());
    let (client, app) = v
        .write(Origin::User, |w| {
            let c = w.create_client(NewClient {
                name: "Acme".into(),
                timezone: None,
                notes: None,
            })?;
            let a = w.create_app_credential("x", AppCredentialInput::default())?;
            Ok((c.id, a.id))
        })
        .unwrap();
    v.write(Origin::User, |w| {
        w.save_connection(
            &NewConnection {
                id: "c1",
                client_id: &client,
                brand_id: None,
                platform: "x",
                app_credential_id: &app,
                account_id: Some("u1"),
                account_name: Some("User One"),
                capabilities: &["publish".into()],
                scopes_requested: &["tweet.write".into()],
                redirect_uri: "http://127.0.0.1:47615/callback/x",
            },
            &tokens("a1", Some("r1"), 0),
        )
    })
    .unwrap();
    let read = v.read(|r| r.tokens("c1")).unwrap().unwrap();
    assert_eq!(read.version, 1);
    assert!(v
        .write(Origin::System, |w| w.store_refreshed_tokens(
            "c1",
            &tokens("CANARY-token-a2", Some("r2"), read.version)
        ))
        .unwrap());
    // A second renewal that started from the old version must not overwrite.
    assert!(!v
        .write(Origin::System, |w| w.store_refreshed_tokens(
            "c1",
            &tokens("a-stale", Some("r-stale"), read.version)
        ))
        .unwrap());
    let now = v.read(|r| r.tokens("c1")).unwrap().unwrap();
    assert_eq!(now.access_token.expose_secret(), "CANARY-token-a2");
    assert_eq!(now.refresh_token.unwrap().expose_secret(), "r2");
    let listed = v.read(|r| r.all_connections()).unwrap();
    assert!(listed[0].has_refresh_token);
    assert!(!serde_json::to_string(&listed).unwrap().contains("CANARY"));
    // Deleting the client removes its connections.
    v.write(Origin::User, |w| w.client(&client)?.delete())
        .unwrap();
    assert!(v.read(|r| r.all_connections()).unwrap().is_empty());
}
