//! Connections through the application API: app credentials, sign-ins, health.

use crate::error::{ApiError, ApiResult};
use crate::switchboard::Switchboard;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use switchboard_connect::discovery;
pub use switchboard_connect::discovery::ProviderForm;
use switchboard_connect::envimport::{self, EnvImportReport};
use switchboard_connect::{
    BeginRequest, ConnectError, Connected, Connector, DisconnectReport, Health, PlatformInfo,
};
use switchboard_oauth::EndpointOverrides;
use switchboard_store::domain::{
    AppCredentialInfo, AppCredentialInput, Connection, ConnectionAccount, CustomProvider,
};
use switchboard_store::{Origin, Vault};
use tokio::sync::oneshot;

/// Endpoint overrides from the environment: `SWITCHBOARD_ENDPOINT_OVERRIDES` (JSON) or
/// `SWITCHBOARD_ENDPOINT_OVERRIDES_FILE` (a path to the JSON). See
/// `switchboard_oauth::EndpointOverrides` for the format.
pub const OVERRIDES_ENV: &str = "SWITCHBOARD_ENDPOINT_OVERRIDES";
pub const OVERRIDES_FILE_ENV: &str = "SWITCHBOARD_ENDPOINT_OVERRIDES_FILE";

pub fn overrides_from_env() -> Result<EndpointOverrides, String> {
    let json = match (
        std::env::var(OVERRIDES_ENV),
        std::env::var(OVERRIDES_FILE_ENV),
    ) {
        (Ok(j), _) if !j.trim().is_empty() => j,
        (_, Ok(path)) if !path.trim().is_empty() => std::fs::read_to_string(&path)
            .map_err(|e| format!("could not read {OVERRIDES_FILE_ENV} ({path}): {e}"))?,
        _ => return Ok(EndpointOverrides::default()),
    };
    EndpointOverrides::from_json(&json).map_err(|e| e.to_string())
}

impl From<ConnectError> for ApiError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::Store(s) => s.into(),
            other => ApiError::new(other.code(), other.to_string()),
        }
    }
}

/// App credentials as typed in the UI or CLI. Secrets travel inbound only; `None` leaves
/// a field unchanged, `""` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
pub struct AppCredentialForm {
    pub label: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub developer_token: Option<String>,
    pub login_customer_id: Option<String>,
    pub api_key: Option<String>,
    pub site_id: Option<String>,
    pub redirect: Option<String>,
    pub relay_url: Option<String>,
}

impl From<AppCredentialForm> for AppCredentialInput {
    fn from(f: AppCredentialForm) -> Self {
        AppCredentialInput {
            label: f.label,
            client_id: f.client_id,
            client_secret: f.client_secret.map(SecretString::from),
            developer_token: f.developer_token.map(SecretString::from),
            login_customer_id: f.login_customer_id,
            api_key: f.api_key.map(SecretString::from),
            site_id: f.site_id,
            redirect: f.redirect,
            relay_url: f.relay_url,
        }
    }
}

/// What the UI needs to start waiting for a sign-in.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConnectStart {
    pub flow_id: String,
    pub authorize_url: String,
    pub redirect: String,
    pub redirect_uri: String,
}

/// How a sign-in ended, for the UI (an event) and the CLI.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ConnectFinished {
    pub flow_id: String,
    pub ok: bool,
    pub connection: Option<Connection>,
    pub account_mismatch: bool,
    /// `{code, message}` when it failed.
    pub error: Option<ApiError>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ConnectRequest {
    pub platform: String,
    pub client_id: String,
    pub brand_id: Option<String>,
    pub app_credential_id: Option<String>,
    pub connection_id: Option<String>,
    pub capabilities: Vec<String>,
    pub redirect: Option<String>,
}

impl Switchboard {
    pub(crate) fn attach_connector(&self, vault: &Arc<Vault>) {
        let overrides = match overrides_from_env() {
            Ok(o) => o,
            Err(e) => {
                tracing::error!("endpoint overrides ignored: {e}");
                EndpointOverrides::default()
            }
        };
        if !overrides.is_empty() {
            tracing::warn!(
                "endpoint overrides are active: platform traffic goes to the configured origins"
            );
        }
        let http = switchboard_oauth::client::http_client(&[]);
        match Connector::new(vault.clone(), http, vault.clock().clone(), overrides) {
            Ok(c) => *self.connector.write().expect("connector") = Some(c),
            Err(e) => tracing::error!("the connection engine did not start: {e}"),
        }
    }

    pub fn connector(&self) -> ApiResult<Arc<Connector>> {
        self.vault()?;
        self.connector
            .read()
            .expect("connector")
            .clone()
            .ok_or_else(|| ApiError::new("unavailable", "the connection engine is not running"))
    }

    pub fn platforms(&self) -> ApiResult<Vec<PlatformInfo>> {
        Ok(self.connector()?.catalogue().list())
    }

    // ---- app credentials ----

    pub fn app_credentials(&self, platform: Option<&str>) -> ApiResult<Vec<AppCredentialInfo>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.app_credentials(platform)))
    }

    pub fn create_app_credential(
        &self,
        platform: &str,
        form: AppCredentialForm,
    ) -> ApiResult<AppCredentialInfo> {
        self.connector()?.catalogue().get(platform)?;
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            w.create_app_credential(platform, form.into())
        }))
    }

    pub fn update_app_credential(
        &self,
        id: &str,
        form: AppCredentialForm,
    ) -> ApiResult<AppCredentialInfo> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.update_app_credential(id, form.into())))
    }

    pub fn delete_app_credential(&self, id: &str) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.delete_app_credential(id)))
    }

    pub fn import_env_file(&self, path: &Path) -> ApiResult<EnvImportReport> {
        let v = self.vault()?;
        let c = self.connector()?;
        Ok(envimport::import_env_file(&v, &c.catalogue(), path)?)
    }

    // ---- generic providers ----

    pub async fn add_provider(&self, form: ProviderForm) -> ApiResult<CustomProvider> {
        let c = self.connector()?;
        let resolved = discovery::resolve(c.http(), form).await?;
        let v = self.vault()?;
        let saved = self.guard(v.write(Origin::User, |w| w.save_custom_provider(resolved)))?;
        c.reload()?;
        Ok(saved)
    }

    pub fn custom_providers(&self) -> ApiResult<Vec<CustomProvider>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.custom_providers()))
    }

    pub fn delete_provider(&self, id: &str) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| w.delete_custom_provider(id)))?;
        self.connector()?.reload()?;
        Ok(())
    }

    // ---- sign-in ----

    /// Start a sign-in; the receiver resolves when it finished (any redirect kind).
    pub async fn begin_connect(
        &self,
        req: ConnectRequest,
    ) -> ApiResult<(ConnectStart, oneshot::Receiver<ConnectFinished>)> {
        let c = self.connector()?;
        let begun = c
            .begin(BeginRequest {
                platform: req.platform,
                app_credential_id: req.app_credential_id,
                client_id: req.client_id,
                brand_id: req.brand_id,
                connection_id: req.connection_id,
                capabilities: req.capabilities,
                redirect: req.redirect,
            })
            .await?;
        let flow_id = begun.flow_id.clone();
        let (tx, rx) = oneshot::channel();
        let outcome = begun.outcome;
        let id = flow_id.clone();
        tokio::spawn(async move {
            let finished = match outcome.await {
                Ok(result) => finished(&id, result),
                Err(_) => finished(&id, Err(ConnectError::Cancelled)),
            };
            let _ = tx.send(finished);
        });
        Ok((
            ConnectStart {
                flow_id,
                authorize_url: begun.authorize_url,
                redirect: begun.redirect,
                redirect_uri: begun.redirect_uri,
            },
            rx,
        ))
    }

    /// A deep link or relay forward carrying the sign-in answer for `platform`.
    pub async fn complete_connect(&self, platform: &str, query: &str) -> ApiResult<Connected> {
        Ok(self.connector()?.complete_redirect(platform, query).await?)
    }

    pub fn cancel_connect(&self, flow_id: &str) -> ApiResult<()> {
        Ok(self.connector()?.cancel(flow_id)?)
    }

    pub async fn connect_api_key(
        &self,
        platform: &str,
        app_credential_id: Option<&str>,
        client_id: &str,
        brand_id: Option<&str>,
    ) -> ApiResult<Connected> {
        Ok(self
            .connector()?
            .connect_api_key(platform, app_credential_id, client_id, brand_id)
            .await?)
    }

    // ---- connections ----

    pub fn list_connections(&self, client_id: Option<&str>) -> ApiResult<Vec<Connection>> {
        let v = self.vault()?;
        self.guard(v.read(|r| match client_id {
            Some(c) => r.client_connections(c),
            None => r.all_connections(),
        }))
    }

    pub fn connection_accounts(&self, connection_id: &str) -> ApiResult<Vec<ConnectionAccount>> {
        let v = self.vault()?;
        self.guard(v.read(|r| r.connection_accounts(connection_id)))
    }

    pub fn link_connection_account(
        &self,
        connection_id: &str,
        external_id: &str,
        linked: bool,
        brand_id: Option<&str>,
    ) -> ApiResult<()> {
        let v = self.vault()?;
        self.guard(v.write(Origin::User, |w| {
            w.link_connection_account(connection_id, external_id, linked, brand_id)
        }))
    }

    pub async fn refresh_connection(&self, connection_id: &str) -> ApiResult<Connection> {
        Ok(self.connector()?.refresh_now(connection_id).await?)
    }

    pub async fn disconnect(&self, connection_id: &str) -> ApiResult<DisconnectReport> {
        Ok(self.connector()?.disconnect(connection_id).await?)
    }

    pub async fn resolve_account_mismatch(
        &self,
        connection_id: &str,
        accept: bool,
    ) -> ApiResult<Connection> {
        Ok(self
            .connector()?
            .resolve_account_mismatch(connection_id, accept)
            .await?)
    }

    pub fn connection_health(&self) -> ApiResult<Health> {
        Ok(self.connector()?.health()?)
    }
}

fn finished(flow_id: &str, result: switchboard_connect::Result<Connected>) -> ConnectFinished {
    match result {
        Ok(c) => ConnectFinished {
            flow_id: flow_id.to_owned(),
            ok: true,
            account_mismatch: c.account_mismatch,
            connection: Some(c.connection),
            error: None,
        },
        Err(e) => ConnectFinished {
            flow_id: flow_id.to_owned(),
            ok: false,
            connection: None,
            account_mismatch: false,
            error: Some(e.into()),
        },
    }
}

/// The label of the app credentials Demo mode creates (and removes again).
pub const DEMO_APP_LABEL: &str = "Demo (emulator)";

/// Whether Demo mode is on: every platform is played by the built-in emulator.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DemoStatus {
    pub enabled: bool,
    /// Platforms that can be tried in Demo mode (those with a loopback or deep-link
    /// redirect; https-relay-only platforms need the agency's relay page).
    pub platforms: Vec<String>,
}

impl Switchboard {
    pub fn demo_status(&self) -> DemoStatus {
        let enabled = self.demo.lock().expect("demo").is_some();
        let platforms = if enabled {
            self.connector()
                .map(|c| {
                    c.catalogue()
                        .list()
                        .into_iter()
                        .filter(|p| !p.custom && demo_redirect(p).is_some())
                        .map(|p| p.id)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        DemoStatus { enabled, platforms }
    }

    /// Turn Demo mode on (start the emulator in this process, point every platform at it,
    /// add demo app credentials) or off (stop it, restore the configured endpoints, and
    /// remove the demo apps and the connections made with them).
    pub async fn set_demo_mode(&self, enabled: bool) -> ApiResult<DemoStatus> {
        let c = self.connector()?;
        let v = self.vault()?;
        if enabled {
            if self.demo.lock().expect("demo").is_some() {
                return Ok(self.demo_status());
            }
            let emu = switchboard_emulator::start(switchboard_emulator::EmulatorConfig::default())
                .await
                .map_err(|e| {
                    ApiError::new("demo_failed", format!("the emulator did not start: {e}"))
                })?;
            let overrides = EndpointOverrides::from_json(&emu.overrides_json())
                .map_err(|e| ApiError::new("demo_failed", e.to_string()))?;
            c.set_overrides(overrides)?;
            let platforms = c.catalogue().list();
            self.guard(v.write(Origin::User, |w| {
                for p in platforms.iter().filter(|p| !p.custom) {
                    let Some(redirect) = demo_redirect(p) else {
                        continue;
                    };
                    if w.read()
                        .app_credentials(Some(&p.id))?
                        .iter()
                        .any(|a| a.label == DEMO_APP_LABEL)
                    {
                        continue;
                    }
                    let has = |f: &str| p.app_credentials.iter().any(|x| x == f);
                    let demo = |v: &str| Some(SecretString::from(v.to_owned()));
                    w.create_app_credential(
                        &p.id,
                        AppCredentialInput {
                            label: Some(DEMO_APP_LABEL.into()),
                            client_id: has("client_id").then(|| format!("demo-{}", p.id)),
                            client_secret: if has("client_secret") {
                                demo("demo-secret")
                            } else {
                                None
                            },
                            developer_token: if has("developer_token") {
                                demo("demo-developer-token")
                            } else {
                                None
                            },
                            api_key: if has("api_key") {
                                demo("demo-api-key")
                            } else {
                                None
                            },
                            site_id: has("site_id").then(|| "emu-wix-site-1".into()),
                            redirect: (p.sign_in == "oauth").then(|| redirect.to_owned()),
                            ..Default::default()
                        },
                    )?;
                }
                w.audit(
                    "demo_mode.on",
                    None,
                    None,
                    "platforms point at the built-in emulator",
                )
            }))?;
            *self.demo.lock().expect("demo") = Some(emu);
        } else {
            let Some(emu) = self.demo.lock().expect("demo").take() else {
                return Ok(self.demo_status());
            };
            emu.shutdown().await;
            let restored = overrides_from_env().unwrap_or_default();
            c.set_overrides(restored)?;
            self.guard(v.write(Origin::User, |w| {
                let demo_apps: Vec<String> = w
                    .read()
                    .app_credentials(None)?
                    .into_iter()
                    .filter(|a| a.label == DEMO_APP_LABEL)
                    .map(|a| a.id)
                    .collect();
                for conn in w.read().all_connections()? {
                    if conn
                        .app_credential_id
                        .as_ref()
                        .is_some_and(|a| demo_apps.contains(a))
                    {
                        w.delete_connection(&conn.id)?;
                    }
                }
                for id in &demo_apps {
                    w.delete_app_credential(id)?;
                }
                w.audit(
                    "demo_mode.off",
                    None,
                    None,
                    "demo apps and their connections removed",
                )
            }))?;
        }
        Ok(self.demo_status())
    }
}

/// The redirect a platform uses in Demo mode: loopback where accepted, else the deep link;
/// `None` for platforms that only take an https relay.
fn demo_redirect(p: &PlatformInfo) -> Option<&'static str> {
    if p.sign_in == "api_key" {
        return Some("");
    }
    if p.redirects.iter().any(|r| r == "loopback") {
        Some("loopback")
    } else if p.redirects.iter().any(|r| r == "custom_scheme") {
        Some("custom_scheme")
    } else {
        None
    }
}
