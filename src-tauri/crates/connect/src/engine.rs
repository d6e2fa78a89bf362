//! The connection engine: start an authorization, receive its callback however it comes
//! back, exchange the code, find out who signed in, store the grant, keep it alive.

use crate::breaker::Breakers;
use crate::catalogue::{parse_capabilities, redirect_name, Catalogue, Entry};
use crate::error::{ConnectError, Result};
use crate::loopback;
use crate::tokens::{from_stored, to_stored};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use switchboard_oauth::callback::{parse_callback_query, Callback};
use switchboard_oauth::flow::{self, AuthorizeRequest};
use switchboard_oauth::{AppCredentials, Ctx, EndpointOverrides, Identity, RedirectKind, TokenSet};
use switchboard_store::domain::{Connection, CustomProvider, FlowTake, NewConnection, PendingFlow};
use switchboard_store::{Clock, Origin, Vault};
use tokio::sync::oneshot;

/// How long a started sign-in stays valid (state lifetime).
pub const FLOW_LIFETIME_MINUTES: i64 = 10;

/// The deep-link scheme the app registers (RFC 8252 §7.1).
pub const DEEP_LINK_SCHEME: &str = "dev.switchboard.app";

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct BeginRequest {
    pub platform: String,
    /// The app registration to use; `None`: the platform's only (or first) one.
    pub app_credential_id: Option<String>,
    pub client_id: String,
    pub brand_id: Option<String>,
    /// Reconnect this connection in place.
    pub connection_id: Option<String>,
    /// Capabilities to ask for (`read_campaigns`, `publish`, …); empty: all offered.
    pub capabilities: Vec<String>,
    /// `loopback`, `custom_scheme` or `https_relay`; `None`: the app's or platform's default.
    pub redirect: Option<String>,
}

/// A sign-in waiting in the browser.
pub struct Begun {
    /// Identifies the flow for `cancel` (the state's hash, never the state).
    pub flow_id: String,
    pub authorize_url: String,
    /// `loopback`, `custom_scheme` or `https_relay`.
    pub redirect: String,
    pub redirect_uri: String,
    /// Resolves when the callback has been handled (or the flow timed out / was cancelled).
    pub outcome: oneshot::Receiver<Result<Connected>>,
}

/// A finished sign-in.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Connected {
    pub connection: Connection,
    /// A reconnect signed in as a different account: the new grant waits for the user,
    /// the old one keeps working.
    pub account_mismatch: bool,
}

struct Waiter {
    tx: oneshot::Sender<Result<Connected>>,
    stop_listener: Option<oneshot::Sender<()>>,
}

pub struct Connector {
    pub(crate) vault: Arc<Vault>,
    pub(crate) http: reqwest::Client,
    pub(crate) clock: Arc<dyn Clock>,
    catalogue: RwLock<Arc<Catalogue>>,
    overrides: RwLock<EndpointOverrides>,
    waiters: Mutex<HashMap<String, Waiter>>,
    pub(crate) flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    pub(crate) breakers: Breakers,
    /// Loopback listeners give up after this long.
    pub loopback_timeout: std::time::Duration,
}

pub(crate) fn state_hash(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Connector {
    pub fn new(
        vault: Arc<Vault>,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
        overrides: EndpointOverrides,
    ) -> Result<Arc<Connector>> {
        let c = Connector {
            vault,
            http,
            clock,
            catalogue: RwLock::new(Arc::new(Catalogue::default())),
            overrides: RwLock::new(overrides),
            waiters: Mutex::new(HashMap::new()),
            flights: Mutex::new(HashMap::new()),
            breakers: Breakers::default(),
            loopback_timeout: std::time::Duration::from_secs(FLOW_LIFETIME_MINUTES as u64 * 60),
        };
        c.reload()?;
        Ok(Arc::new(c))
    }

    /// Rebuild the catalogue (after a provider was added, or overrides changed).
    pub fn reload(&self) -> Result<()> {
        let custom: Vec<CustomProvider> = self.vault.read(|r| r.custom_providers())?;
        let overrides = self.overrides.read().expect("overrides").clone();
        let cat = Catalogue::build(&custom, &overrides)?;
        *self.catalogue.write().expect("catalogue") = Arc::new(cat);
        Ok(())
    }

    pub fn set_overrides(&self, overrides: EndpointOverrides) -> Result<()> {
        let previous =
            std::mem::replace(&mut *self.overrides.write().expect("overrides"), overrides);
        if let Err(e) = self.reload() {
            *self.overrides.write().expect("overrides") = previous;
            return Err(e);
        }
        Ok(())
    }

    /// The HTTP client every platform call goes through (redirects off).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn catalogue(&self) -> Arc<Catalogue> {
        self.catalogue.read().expect("catalogue").clone()
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// What an adapter call gets: the HTTP client, the platform, the app, the time.
    pub(crate) fn ctx<'a>(
        &'a self,
        descriptor: &'a switchboard_oauth::ProviderDescriptor,
        app: &'a AppCredentials,
        now: DateTime<Utc>,
    ) -> Ctx<'a> {
        Ctx {
            http: &self.http,
            descriptor,
            app,
            now,
        }
    }

    pub(crate) fn app(&self, id: &str) -> Result<AppCredentials> {
        let (info, secrets) = self
            .vault
            .read(|r| Ok((r.app_credential(id)?, r.app_secrets(id)?)))?;
        Ok(AppCredentials {
            client_id: info.client_id,
            client_secret: secrets.client_secret,
            developer_token: secrets.developer_token,
            login_customer_id: info.login_customer_id,
            api_key: secrets.api_key,
            site_id: info.site_id,
        })
    }

    fn pick_app(&self, platform: &str, wanted: Option<&str>) -> Result<String> {
        let apps = self.vault.read(|r| r.app_credentials(Some(platform)))?;
        match wanted {
            Some(id) => apps
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.id.clone())
                .ok_or_else(|| {
                    ConnectError::NotFound(format!("no {platform} app credentials with id {id}"))
                }),
            None => apps.first().map(|a| a.id.clone()).ok_or_else(|| {
                ConnectError::Invalid(format!(
                    "Add your {platform} app credentials first (Settings → App credentials)."
                ))
            }),
        }
    }

    // ------------------------------------------------------------------ begin

    /// Start a sign-in: remember it in the vault, open a loopback listener if that is the
    /// redirect, and return the URL to open in the system browser.
    pub async fn begin(self: &Arc<Self>, req: BeginRequest) -> Result<Begun> {
        let cat = self.catalogue();
        let entry = cat.get(&req.platform)?.clone();
        let flow_desc = entry.descriptor.oauth().ok_or_else(|| {
            ConnectError::Invalid(format!(
                "{} connects with an API key, not a browser sign-in",
                entry.descriptor.display_name
            ))
        })?;
        let app_id = self.pick_app(&req.platform, req.app_credential_id.as_deref())?;
        let app_info = self.vault.read(|r| r.app_credential(&app_id))?;
        if app_info.client_id.is_empty() {
            return Err(ConnectError::Invalid(format!(
                "The {} app '{}' has no client id.",
                entry.descriptor.display_name, app_info.label
            )));
        }
        // The client (and brand) must exist; reconnects must be of this client's connection.
        self.vault.read(|r| {
            let c = r.client(&req.client_id)?;
            if let Some(b) = &req.brand_id {
                if !c.brands()?.iter().any(|x| &x.id == b) {
                    return Err(switchboard_store::StoreError::Invalid(
                        "that brand does not belong to this client".into(),
                    ));
                }
            }
            Ok(())
        })?;
        if let Some(cid) = &req.connection_id {
            let existing = self.vault.read(|r| r.connection(cid))?;
            if existing.client_id != req.client_id || existing.platform != req.platform {
                return Err(ConnectError::Invalid(
                    "that connection belongs to another client or platform".into(),
                ));
            }
        }
        let capabilities = if req.capabilities.is_empty() {
            flow_desc.scopes.iter().map(|(c, _)| *c).collect()
        } else {
            parse_capabilities(&req.capabilities)?
        };
        let redirect_name_wanted = req
            .redirect
            .clone()
            .or(app_info.redirect.clone())
            .unwrap_or_else(|| redirect_name(&flow_desc.default_redirect).to_owned());
        let redirect = *flow_desc
            .redirects
            .iter()
            .find(|r| redirect_name(r) == redirect_name_wanted)
            .ok_or_else(|| {
                ConnectError::Invalid(format!(
                    "{} does not accept a '{redirect_name_wanted}' redirect",
                    entry.descriptor.display_name
                ))
            })?;

        let platform = entry.descriptor.id.to_string();
        let mut listener = None;
        let redirect_uri = match redirect {
            RedirectKind::Loopback {
                any_port,
                fixed_ports,
            } => {
                let bound = loopback::bind(any_port, fixed_ports).await?;
                let uri = flow::loopback_redirect_uri(bound.ip(), bound.port(), &platform);
                listener = Some(bound);
                uri
            }
            RedirectKind::CustomScheme => flow::deep_link_redirect_uri(DEEP_LINK_SCHEME, &platform),
            RedirectKind::HttpsRelay => {
                let relay = app_info.relay_url.clone().ok_or_else(|| {
                    ConnectError::Invalid(
                        "An https relay redirect needs the relay page's URL in the app credentials."
                            .into(),
                    )
                })?;
                relay_redirect_uri(&relay, &platform)?
            }
        };

        let capability_names: Vec<String> = capabilities
            .iter()
            .map(|c| {
                serde_json::to_value(c)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .collect();
        let start = flow::start(
            flow_desc,
            &AuthorizeRequest {
                client_id: &app_info.client_id,
                redirect_uri: &redirect_uri,
                capabilities: &capabilities,
                extra_scopes: &entry.extra_scopes,
            },
        )
        .map_err(|e| ConnectError::Invalid(format!("bad authorize URL: {e}")))?;
        let now = self.now();
        let hash = state_hash(&start.state);
        let pending = PendingFlow {
            state_hash: hash.clone(),
            platform: platform.clone(),
            app_credential_id: app_id,
            client_id: req.client_id.clone(),
            brand_id: req.brand_id.clone(),
            connection_id: req.connection_id.clone(),
            capabilities: capability_names,
            scopes: start.scopes.clone(),
            verifier: start.verifier.clone(),
            redirect_uri: redirect_uri.clone(),
            created_at: rfc3339(now),
            expires_at: rfc3339(now + Duration::minutes(FLOW_LIFETIME_MINUTES)),
        };
        self.vault.write(Origin::User, |w| {
            w.insert_flow(&pending)?;
            w.audit(
                "connection.authorize_started",
                Some(&req.client_id),
                req.connection_id.as_deref(),
                &format!("{platform} via {}", redirect_name(&redirect)),
            )
        })?;
        let (tx, rx) = oneshot::channel();
        let stop_listener = listener.map(|l| {
            let (stop_tx, stop_rx) = oneshot::channel();
            loopback::serve(
                self.clone(),
                l,
                platform.clone(),
                hash.clone(),
                stop_rx,
                self.loopback_timeout,
            );
            stop_tx
        });
        self.waiters
            .lock()
            .expect("waiters")
            .insert(hash.clone(), Waiter { tx, stop_listener });
        tracing::info!(platform = %platform, redirect = redirect_name(&redirect), "sign-in started");
        Ok(Begun {
            flow_id: hash,
            authorize_url: start.authorize_url.to_string(),
            redirect: redirect_name(&redirect).into(),
            redirect_uri,
            outcome: rx,
        })
    }

    /// Stop waiting for a sign-in; its state can no longer be used.
    pub fn cancel(&self, flow_id: &str) -> Result<()> {
        let now = rfc3339(self.now());
        self.vault.write(Origin::User, |w| {
            if let FlowTake::Taken(_) = w.take_flow(flow_id, &now)? {
                w.finish_flow(flow_id, "cancelled")?;
            }
            Ok(())
        })?;
        if let Some(w) = self.waiters.lock().expect("waiters").remove(flow_id) {
            if let Some(stop) = w.stop_listener {
                let _ = stop.send(());
            }
            let _ = w.tx.send(Err(ConnectError::Cancelled));
        }
        Ok(())
    }

    /// A loopback listener gave up.
    pub(crate) fn listener_timed_out(&self, flow_id: &str) {
        if let Some(w) = self.waiters.lock().expect("waiters").remove(flow_id) {
            let _ =
                w.tx.send(Err(ConnectError::TimedOut(FLOW_LIFETIME_MINUTES as u64)));
        }
    }

    // ------------------------------------------------------------------ complete

    /// A deep link `dev.switchboard.app://oauth/callback/<platform>?…` (already checked for
    /// scheme, host and parameters by the host) or a relay forward.
    pub async fn complete_redirect(
        self: &Arc<Self>,
        platform: &str,
        query: &str,
    ) -> Result<Connected> {
        let result = self.complete_inner(platform, query).await;
        self.notify(query, &result);
        result
    }

    fn notify(&self, query: &str, result: &Result<Connected>) {
        let Ok(cb) = parse_callback_query(query) else {
            return;
        };
        let hash = state_hash(cb.state());
        if let Some(w) = self.waiters.lock().expect("waiters").remove(&hash) {
            if let Some(stop) = w.stop_listener {
                let _ = stop.send(());
            }
            let _ = w.tx.send(match result {
                Ok(c) => Ok(c.clone()),
                Err(e) => Err(clone_error(e)),
            });
        }
    }

    async fn complete_inner(self: &Arc<Self>, platform: &str, query: &str) -> Result<Connected> {
        let cb = parse_callback_query(query)
            .map_err(|e| ConnectError::State(format!("Ignored a sign-in response: {e}.")))?;
        let hash = state_hash(cb.state());
        let now = self.now();
        let taken = self
            .vault
            .write(Origin::User, |w| w.take_flow(&hash, &rfc3339(now)))?;
        let flow = match taken {
            FlowTake::Taken(f) => f.0,
            FlowTake::Unknown => return Err(ConnectError::State(
                "Ignored a sign-in response that this Switchboard did not start (unknown state)."
                    .into(),
            )),
            FlowTake::AlreadyUsed => {
                return Err(ConnectError::State(
                    "Ignored a sign-in response that was already used (replayed state).".into(),
                ))
            }
            FlowTake::Expired => {
                return Err(ConnectError::State(format!(
                    "This sign-in expired (after {FLOW_LIFETIME_MINUTES} minutes). Start it again."
                )))
            }
        };
        // Mix-up defence (RFC 8252 §8.10): the response came back on this platform's path.
        if flow.platform != platform {
            self.finish(&hash, "wrong_redirect");
            return Err(ConnectError::State(
                "Ignored a sign-in response that arrived on another platform's redirect.".into(),
            ));
        }
        let cat = self.catalogue();
        let entry = cat.get(&flow.platform)?.clone();
        let name = entry.descriptor.display_name.to_string();
        let (code, iss) = match cb {
            Callback::Error {
                error, description, ..
            } => {
                self.finish(&hash, "denied");
                self.audit(&flow, None, &format!("{} refused: {error}", flow.platform));
                return Err(ConnectError::Denied {
                    platform: name,
                    error,
                    description,
                });
            }
            Callback::Code { code, iss, .. } => (code, iss),
        };
        if let (Some(got), Some(expected)) = (&iss, &entry.issuer) {
            if got != expected {
                self.finish(&hash, "issuer_mismatch");
                return Err(ConnectError::State(format!(
                    "Ignored a sign-in response from an unexpected issuer (RFC 9207); expected {expected}."
                )));
            }
        }
        let result = self.exchange_and_store(&entry, &flow, &code).await;
        self.finish(
            &hash,
            match &result {
                Ok(c) if c.account_mismatch => "account_mismatch",
                Ok(_) => "connected",
                Err(_) => "failed",
            },
        );
        result
    }

    fn finish(&self, hash: &str, outcome: &str) {
        if let Err(e) = self
            .vault
            .write(Origin::User, |w| w.finish_flow(hash, outcome))
        {
            tracing::warn!("could not record the flow outcome: {e}");
        }
    }

    fn audit(&self, flow: &PendingFlow, connection_id: Option<&str>, detail: &str) {
        if let Err(e) = self.vault.write(Origin::User, |w| {
            w.audit(
                "connection.authorize_finished",
                Some(&flow.client_id),
                connection_id,
                detail,
            )
        }) {
            tracing::warn!("audit failed: {e}");
        }
    }

    async fn exchange_and_store(
        &self,
        entry: &Entry,
        flow: &PendingFlow,
        code: &SecretString,
    ) -> Result<Connected> {
        let app = self.app(&flow.app_credential_id)?;
        let now = self.now();
        let platform = entry.descriptor.id.to_string();
        let ctx = self.ctx(&entry.descriptor, &app, now);
        let tokens = entry
            .adapter
            .exchange_code(&ctx, code, flow.verifier.as_ref(), &flow.redirect_uri)
            .await
            .map_err(|e| ConnectError::provider(&platform, e))?;
        let identity = entry
            .adapter
            .identity(&ctx, &tokens)
            .await
            .map_err(|e| ConnectError::provider(&platform, e))?;
        self.store_grant(entry, flow, tokens, identity)
    }

    /// Save a fresh grant: a new connection, a reconnect in place, or — when a reconnect
    /// signed in as someone else — a parked grant the user must confirm.
    fn store_grant(
        &self,
        entry: &Entry,
        flow: &PendingFlow,
        tokens: TokenSet,
        identity: Identity,
    ) -> Result<Connected> {
        let platform = entry.descriptor.id.to_string();
        let stored = to_stored(&tokens, 0);
        let now = self.now();
        let (connection, mismatch) = self.vault.write(Origin::User, |w| {
            let existing = match &flow.connection_id {
                Some(id) => Some(w.read().connection(id)?),
                None => None,
            };
            let id = existing
                .as_ref()
                .map(|c| c.id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            if let Some(old) = &existing {
                let differs = match (&old.account_id, &identity.account_id) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                };
                if differs {
                    w.park_mismatched_grant(
                        &id,
                        identity.account_id.as_deref(),
                        identity.name.as_deref(),
                        &stored,
                    )?;
                    w.audit(
                        "connection.account_mismatch",
                        Some(&flow.client_id),
                        Some(&id),
                        &format!(
                            "{platform}: reconnected as a different account; waiting for the user"
                        ),
                    )?;
                    return Ok((w.read().connection(&id)?, true));
                }
            }
            w.save_connection(
                &NewConnection {
                    id: &id,
                    client_id: &flow.client_id,
                    brand_id: flow.brand_id.as_deref(),
                    platform: &platform,
                    app_credential_id: &flow.app_credential_id,
                    account_id: identity.account_id.as_deref(),
                    account_name: identity.name.as_deref(),
                    capabilities: &flow.capabilities,
                    scopes_requested: &flow.scopes,
                    redirect_uri: &flow.redirect_uri,
                },
                &stored,
            )?;
            let accounts: Vec<_> = identity
                .accounts
                .iter()
                .map(|a| {
                    (
                        a.external_id.clone(),
                        a.name.clone(),
                        a.kind.clone(),
                        a.currency.clone(),
                        a.manager.clone(),
                    )
                })
                .collect();
            w.set_connection_accounts(&id, &accounts)?;
            let (status, action) = crate::lifecycle::status_for(&entry.descriptor, &stored, now);
            w.set_connection_status(&id, status, None, action.as_deref())?;
            let next = crate::lifecycle::next_refresh(&entry.descriptor, &id, &stored, now, 0);
            w.set_refresh_schedule(&id, next.map(rfc3339).as_deref(), 0)?;
            w.audit(
                if existing.is_some() {
                    "connection.reconnected"
                } else {
                    "connection.created"
                },
                Some(&flow.client_id),
                Some(&id),
                &format!("{platform} as {}", identity.account_name_for_audit()),
            )?;
            Ok((w.read().connection(&id)?, false))
        })?;
        tracing::info!(platform = %platform, mismatch, "connection stored");
        Ok(Connected {
            connection,
            account_mismatch: mismatch,
        })
    }

    /// Connect a platform that signs in with an API key (Wix): check the key works, then
    /// keep it like a token.
    pub async fn connect_api_key(
        &self,
        platform: &str,
        app_credential_id: Option<&str>,
        client_id: &str,
        brand_id: Option<&str>,
    ) -> Result<Connected> {
        let cat = self.catalogue();
        let entry = cat.get(platform)?.clone();
        if entry.descriptor.oauth().is_some() {
            return Err(ConnectError::Invalid(format!(
                "{} connects through a browser sign-in",
                entry.descriptor.display_name
            )));
        }
        let app_id = self.pick_app(platform, app_credential_id)?;
        let app = self.app(&app_id)?;
        let key = app.api_key.clone().ok_or_else(|| {
            ConnectError::Invalid("Enter the API key in the app credentials first.".into())
        })?;
        let tokens = TokenSet {
            access_token: key,
            refresh_token: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: None,
            id_token: None,
            extra: Default::default(),
        };
        let now = self.now();
        let ctx = self.ctx(&entry.descriptor, &app, now);
        let identity = entry
            .adapter
            .identity(&ctx, &tokens)
            .await
            .map_err(|e| ConnectError::provider(platform, e))?;
        self.vault.read(|r| r.client(client_id).map(|_| ()))?;
        let flow = PendingFlow {
            state_hash: String::new(),
            platform: platform.into(),
            app_credential_id: app_id,
            client_id: client_id.into(),
            brand_id: brand_id.map(str::to_owned),
            connection_id: None,
            capabilities: Vec::new(),
            scopes: Vec::new(),
            verifier: None,
            redirect_uri: String::new(),
            created_at: rfc3339(now),
            expires_at: rfc3339(now),
        };
        self.store_grant(&entry, &flow, tokens, identity)
    }

    /// The user decided about a reconnect that signed in as a different account: `accept`
    /// swaps the connection to the new account; otherwise the new grant is revoked and
    /// forgotten, and the old one stays.
    pub async fn resolve_account_mismatch(
        &self,
        connection_id: &str,
        accept: bool,
    ) -> Result<Connection> {
        let (conn, parked) = self.vault.read(|r| {
            Ok((
                r.connection(connection_id)?,
                r.pending_tokens(connection_id)?,
            ))
        })?;
        let parked = parked.ok_or_else(|| {
            ConnectError::Invalid("this connection has no reconnect waiting for a decision".into())
        })?;
        let cat = self.catalogue();
        let entry = cat.get(&conn.platform)?.clone();
        if accept {
            let now = self.now();
            self.vault.write(Origin::User, |w| {
                let app_id = conn.app_credential_id.clone().unwrap_or_default();
                w.save_connection(
                    &NewConnection {
                        id: &conn.id,
                        client_id: &conn.client_id,
                        brand_id: conn.brand_id.as_deref(),
                        platform: &conn.platform,
                        app_credential_id: &app_id,
                        account_id: conn.pending_account_id.as_deref(),
                        account_name: conn.pending_account_name.as_deref(),
                        capabilities: &conn.capabilities,
                        scopes_requested: &conn.scopes_requested,
                        redirect_uri: "",
                    },
                    &parked,
                )?;
                let (status, action) =
                    crate::lifecycle::status_for(&entry.descriptor, &parked, now);
                w.set_connection_status(&conn.id, status, None, action.as_deref())?;
                w.audit(
                    "connection.account_switched",
                    Some(&conn.client_id),
                    Some(&conn.id),
                    &format!("{}: the user accepted the different account", conn.platform),
                )
            })?;
        } else {
            if let Some(app_id) = &conn.app_credential_id {
                let app = self.app(app_id)?;
                let ctx = self.ctx(&entry.descriptor, &app, self.now());
                if let Err(e) = entry.adapter.revoke(&ctx, &from_stored(&parked)).await {
                    tracing::warn!(platform = %conn.platform, "could not revoke the discarded grant: {e}");
                }
            }
            self.vault.write(Origin::User, |w| {
                w.clear_parked_grant(&conn.id)?;
                w.audit(
                    "connection.account_mismatch_discarded",
                    Some(&conn.client_id),
                    Some(&conn.id),
                    &conn.platform,
                )
            })?;
        }
        Ok(self.vault.read(|r| r.connection(connection_id))?)
    }

    /// Revoke at the provider where it can, then delete the connection and its tokens.
    /// The audit log keeps the event. A provider that cannot be reached does not keep
    /// the tokens here: they are deleted anyway and the answer says revocation failed.
    pub async fn disconnect(&self, connection_id: &str) -> Result<DisconnectReport> {
        let (conn, tokens) = self
            .vault
            .read(|r| Ok((r.connection(connection_id)?, r.tokens(connection_id)?)))?;
        let cat = self.catalogue();
        let revoked = match (cat.get(&conn.platform), &tokens, &conn.app_credential_id) {
            (Ok(entry), Some(t), Some(app_id)) => {
                let app = self.app(app_id)?;
                let ctx = self.ctx(&entry.descriptor, &app, self.now());
                match entry.adapter.revoke(&ctx, &from_stored(t)).await {
                    Ok(switchboard_oauth::Revoked::AtProvider) => "revoked_at_provider".to_owned(),
                    Ok(switchboard_oauth::Revoked::NotSupported) => "not_supported".to_owned(),
                    Err(e) => format!("failed: {e}"),
                }
            }
            _ => "no_tokens".to_owned(),
        };
        self.vault.write(Origin::User, |w| {
            w.delete_connection(&conn.id)?;
            w.audit(
                "connection.disconnected",
                Some(&conn.client_id),
                Some(&conn.id),
                &format!("{}: {revoked}", conn.platform),
            )
        })?;
        Ok(DisconnectReport {
            connection_id: conn.id,
            revocation: revoked,
        })
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DisconnectReport {
    pub connection_id: String,
    /// `revoked_at_provider`, `not_supported`, `no_tokens`, or `failed: …`.
    pub revocation: String,
}

trait AuditName {
    fn account_name_for_audit(&self) -> String;
}

impl AuditName for Identity {
    fn account_name_for_audit(&self) -> String {
        match (&self.name, &self.account_id) {
            (Some(n), Some(id)) => format!("{n} ({id})"),
            (None, Some(id)) => id.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => "an account the platform does not name".into(),
        }
    }
}

/// The relay page gets the platform as a query parameter so it can forward to the right
/// deep link or loopback path.
fn relay_redirect_uri(relay: &str, platform: &str) -> Result<String> {
    let mut url = url::Url::parse(relay)
        .map_err(|_| ConnectError::Invalid("the relay URL is not a valid URL".into()))?;
    if url.scheme() != "https" {
        return Err(ConnectError::Invalid("the relay page must be https".into()));
    }
    url.query_pairs_mut().append_pair("platform", platform);
    Ok(url.to_string())
}

/// `ConnectError` is not `Clone` (it wraps store errors); waiters get an equivalent.
pub(crate) fn clone_error(e: &ConnectError) -> ConnectError {
    match e {
        ConnectError::Denied {
            platform,
            error,
            description,
        } => ConnectError::Denied {
            platform: platform.clone(),
            error: error.clone(),
            description: description.clone(),
        },
        ConnectError::Provider { platform, source } => ConnectError::Provider {
            platform: platform.clone(),
            source: source.clone(),
        },
        ConnectError::State(m) => ConnectError::State(m.clone()),
        ConnectError::Cancelled => ConnectError::Cancelled,
        ConnectError::TimedOut(m) => ConnectError::TimedOut(*m),
        other => ConnectError::Invalid(other.to_string()),
    }
}
