//! A world for import tests: the platform emulator, a vault (passphrase-keyed; the OS
//! keyring is exercised by the store's own tests), app credentials, a client, a connected
//! Meta and Google Ads account, and an importer with short waits.

#![allow(dead_code)]

use chrono::Utc;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use switchboard_connect::{BeginRequest, Connector};
use switchboard_emulator::{EmulatorConfig, RunningEmulator};
use switchboard_library::{Importer, ImporterOptions};
use switchboard_oauth::{CredentialField, EndpointOverrides};
use switchboard_store::domain::{AppCredentialInput, NewClient};
use switchboard_store::{FixedClock, NewKey, NoKeyring, OpenOptions, Origin, Vault, VaultPaths};

pub const RELAY: &str = "https://relay.agency.example/switchboard/";
pub const PASSPHRASE: &str = "CANARY-passphrase-import-tests";

pub struct World {
    pub dir: tempfile::TempDir,
    pub vault: Arc<Vault>,
    pub clock: Arc<FixedClock>,
    pub connector: Arc<Connector>,
    pub importer: Arc<Importer>,
    pub emu: RunningEmulator,
    pub client_id: String,
}

pub fn options() -> ImporterOptions {
    ImporterOptions {
        base_backoff: Duration::from_millis(20),
        max_poll_wait: Duration::from_millis(20),
        ..ImporterOptions::default()
    }
}

pub fn open_vault(dir: &std::path::Path, clock: Arc<FixedClock>, create: bool) -> Arc<Vault> {
    let mut o = OpenOptions::new(Arc::new(NoKeyring), clock);
    o.passphrase = Some(SecretString::from(PASSPHRASE.to_owned()));
    if create {
        o.create = Some(NewKey::Auto);
    }
    Arc::new(Vault::open(VaultPaths::new(dir), o).expect("vault"))
}

pub fn connector(vault: &Arc<Vault>, clock: Arc<FixedClock>, overrides: &str) -> Arc<Connector> {
    Connector::new(
        vault.clone(),
        switchboard_oauth::client::http_client(&[]),
        clock,
        EndpointOverrides::from_json(overrides).unwrap(),
    )
    .unwrap()
}

pub async fn world_with(config: EmulatorConfig) -> World {
    let emu = switchboard_emulator::start(config).await.expect("emulator");
    world_on(emu).await
}

/// A world around an emulator that is already running (e.g. on its own runtime).
#[allow(dead_code)]
pub async fn world_on(emu: switchboard_emulator::RunningEmulator) -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(Utc::now()));
    let vault = open_vault(dir.path(), clock.clone(), true);
    let connector = connector(&vault, clock.clone(), &emu.overrides_json());
    let cat = connector.catalogue();
    let client_id = vault
        .write(Origin::User, |w| {
            w.ensure_workspace("Agency")?;
            for p in ["meta", "google_ads"] {
                let d = &cat.get(p).unwrap().descriptor;
                let has = |f| d.app_credentials.contains(&f);
                w.create_app_credential(
                    p,
                    AppCredentialInput {
                        client_id: Some(format!("demo-{p}")),
                        client_secret: Some(SecretString::from(format!("CANARY-app-secret-{p}"))),
                        developer_token: has(CredentialField::DeveloperToken)
                            .then(|| SecretString::from("CANARY-app-secret-devtoken".to_owned())),
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
    let importer = Importer::new(vault.clone(), connector.clone(), options());
    World {
        dir,
        vault,
        clock,
        connector,
        importer,
        emu,
        client_id,
    }
}

pub async fn world() -> World {
    world_with(EmulatorConfig {
        page_size: 7,
        ..EmulatorConfig::default()
    })
    .await
}

/// Sign in to `platform` for `client_id` through the emulator's consent; the connection id.
pub async fn connect(w: &World, platform: &str, client_id: &str) -> String {
    let begun = w
        .connector
        .begin(BeginRequest {
            platform: platform.into(),
            client_id: client_id.into(),
            redirect: if platform == "meta" {
                Some("https_relay".into())
            } else {
                None
            },
            ..Default::default()
        })
        .await
        .expect("begin");
    let redirect = w.emu.approve(&begun.authorize_url, "").expect("consent");
    match begun.redirect.as_str() {
        "loopback" => {
            reqwest::get(&redirect).await.expect("listener");
        }
        "https_relay" => {
            let url = url::Url::parse(&redirect).unwrap();
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(url.query_pairs().filter(|(k, _)| k != "platform"))
                .finish();
            let _ = w.connector.complete_redirect(platform, &query).await;
        }
        other => panic!("unexpected redirect {other}"),
    }
    begun
        .outcome
        .await
        .unwrap()
        .expect("connected")
        .connection
        .id
}

/// The first ad account the connection reaches (platform id without `act_`).
pub fn first_account(w: &World, connection_id: &str) -> String {
    let accounts = w
        .vault
        .read(|r| r.connection_accounts(connection_id))
        .unwrap();
    accounts[0]
        .external_id
        .trim_start_matches("act_")
        .to_owned()
}

/// Everything imported for a client, without ids and times: what two imports of the same
/// platform content must agree on.
pub fn library_dump(vault: &Vault, client_id: &str) -> Vec<String> {
    let q = |sql: &str| raw_rows(vault, sql, client_id);
    let mut out = Vec::new();
    out.extend(q("SELECT 'obj', o.level, o.external_id, o.name, o.status, coalesce(o.parent_external_id, ''), coalesce((SELECT p.external_id FROM lib_objects p WHERE p.id = o.parent_id), ''), coalesce(o.budget_micros, -1), coalesce(o.creative_external_id, ''), coalesce(o.removed_at IS NOT NULL, 0), o.spend_micros, o.impressions FROM lib_objects o WHERE o.client_id = ?1 ORDER BY 2, 3"));
    out.extend(q("SELECT 'cre', external_id, format, headlines, bodies, coalesce(cta, ''), coalesce(landing_url, ''), (SELECT group_concat(platform_key || ':' || role, ',') FROM (SELECT platform_key, role FROM lib_creative_assets l WHERE l.creative_id = c.id ORDER BY 1, 2)) FROM lib_creatives c WHERE client_id = ?1 ORDER BY 2"));
    out.extend(q("SELECT 'ast', platform_key, kind, status, coalesce(sha256, ''), coalesce(mime, ''), coalesce(size, -1), coalesce(thumb_sha256, '') FROM lib_assets WHERE client_id = ?1 ORDER BY 2"));
    out.extend(q("SELECT 'met', m.level, m.external_id, m.date, m.impressions, m.clicks, m.spend_micros, m.conversions_micros, m.conversion_value_micros FROM lib_metrics_daily m JOIN lib_accounts a ON a.id = m.account_id WHERE a.client_id = ?1 ORDER BY 2, 3, 4"));
    out.extend(q("SELECT 'blob', b.sha256, b.size, b.in_file, (SELECT count(*) FROM blob_chunks c WHERE c.sha256 = b.sha256) FROM blobs b WHERE EXISTS (SELECT 1 FROM lib_assets a WHERE a.client_id = ?1 AND (a.sha256 = b.sha256 OR a.thumb_sha256 = b.sha256)) ORDER BY 2"));
    out
}

/// Rows of a query as `|`-joined text (test inspection only).
pub fn raw_rows(vault: &Vault, sql: &str, client_id: &str) -> Vec<String> {
    vault.debug_query(sql, client_id).expect("query")
}
