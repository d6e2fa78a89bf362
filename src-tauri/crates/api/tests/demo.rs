//! Demo mode: the emulator starts in-process, every platform points at it, demo apps
//! appear; turning it off restores the endpoints and removes what Demo mode added.

use secrecy::SecretString;
use std::sync::Arc;
use switchboard_api::connections::{ConnectRequest, DEMO_APP_LABEL};
use switchboard_api::{Config, NewClient, Switchboard};
use switchboard_store::{NoKeyring, SystemClock};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_points_platforms_at_the_emulator_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let sb = Switchboard::start(Config {
        data_dir: dir.path().to_path_buf(),
        secrets: Arc::new(NoKeyring),
        clock: Arc::new(SystemClock),
        actor: "app".into(),
        create: true,
    });
    sb.unlock(SecretString::from("a long enough passphrase".to_owned()))
        .unwrap();
    let client = sb
        .create_client(NewClient {
            name: "Acme".into(),
            timezone: None,
            notes: None,
        })
        .unwrap();
    assert!(!sb.demo_status().enabled);

    let status = sb.set_demo_mode(true).await.unwrap();
    assert!(status.enabled);
    assert!(status.platforms.contains(&"x".to_owned()));
    assert!(
        !status.platforms.contains(&"pinterest".to_owned()),
        "relay-only platforms are not offered"
    );
    let apps = sb.app_credentials(None).unwrap();
    assert!(apps.iter().any(|a| a.platform == "meta"
        && a.label == DEMO_APP_LABEL
        && a.redirect.as_deref() == Some("loopback")));

    // A sign-in now goes to the emulator on loopback; its consent page answers.
    let (start, _done) = sb
        .begin_connect(ConnectRequest {
            platform: "x".into(),
            client_id: client.id.clone(),
            brand_id: None,
            app_credential_id: None,
            connection_id: None,
            capabilities: vec![],
            redirect: None,
        })
        .await
        .unwrap();
    let url = url::Url::parse(&start.authorize_url).unwrap();
    assert_eq!(url.host_str(), Some("127.0.0.1"), "{url}");
    let page = reqwest::get(url.as_str()).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("X"));

    let off = sb.set_demo_mode(false).await.unwrap();
    assert!(!off.enabled);
    assert!(sb
        .app_credentials(None)
        .unwrap()
        .iter()
        .all(|a| a.label != DEMO_APP_LABEL));
    let audit = sb.audit_log(50, None).unwrap();
    assert!(audit.iter().any(|a| a.action == "demo_mode.on"));
    assert!(audit.iter().any(|a| a.action == "demo_mode.off"));
}
