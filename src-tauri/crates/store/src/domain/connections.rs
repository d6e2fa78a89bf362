//! Connections: app credentials, authorizations in flight, connected accounts and tokens.
//!
//! Secrets (client secrets, developer tokens, API keys, access/refresh/ID tokens, PKCE
//! verifiers) are stored only in these vault rows and come out wrapped in
//! [`SecretString`]; the serializable row types carry none of them.

use super::clean_name;
use crate::error::{Result, StoreError};
use crate::rw::{ChangeKind, Read, Write};
use rusqlite::{params, OptionalExtension, Row};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- app credentials

/// One OAuth app registration (or API key) the agency made with a platform. Secret
/// fields are reported only as present or not.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct AppCredentialInfo {
    pub id: String,
    pub platform: String,
    pub label: String,
    pub client_id: String,
    pub has_client_secret: bool,
    pub has_developer_token: bool,
    pub login_customer_id: Option<String>,
    pub has_api_key: bool,
    pub site_id: Option<String>,
    /// `loopback`, `custom_scheme` or `https_relay`; `None`: the platform's default.
    pub redirect: Option<String>,
    pub relay_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub secret_rotated_at: Option<String>,
}

/// The secret half of an app registration, for the code that signs in.
#[derive(Clone, Default)]
pub struct AppSecrets {
    pub client_secret: Option<SecretString>,
    pub developer_token: Option<SecretString>,
    pub api_key: Option<SecretString>,
}

/// Fields to set on an app registration; `None` leaves a field as it is. For secrets,
/// `Some("")` clears the stored value.
#[derive(Default)]
pub struct AppCredentialInput {
    pub label: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub developer_token: Option<SecretString>,
    pub login_customer_id: Option<String>,
    pub api_key: Option<SecretString>,
    pub site_id: Option<String>,
    pub redirect: Option<String>,
    pub relay_url: Option<String>,
}

const APP_COLS: &str = "id, platform, label, client_id, client_secret IS NOT NULL, developer_token IS NOT NULL, login_customer_id, api_key IS NOT NULL, site_id, redirect, relay_url, created_at, updated_at, secret_rotated_at";

fn app_row(r: &Row<'_>) -> rusqlite::Result<AppCredentialInfo> {
    Ok(AppCredentialInfo {
        id: r.get(0)?,
        platform: r.get(1)?,
        label: r.get(2)?,
        client_id: r.get(3)?,
        has_client_secret: r.get(4)?,
        has_developer_token: r.get(5)?,
        login_customer_id: r.get(6)?,
        has_api_key: r.get(7)?,
        site_id: r.get(8)?,
        redirect: r.get(9)?,
        relay_url: r.get(10)?,
        created_at: r.get(11)?,
        updated_at: r.get(12)?,
        secret_rotated_at: r.get(13)?,
    })
}

fn opt_secret(v: Option<String>) -> Option<SecretString> {
    v.map(SecretString::from)
}

fn plain(s: &Option<SecretString>) -> Option<&str> {
    s.as_ref().map(|s| s.expose_secret())
}

fn check_redirect(r: &str) -> Result<()> {
    match r {
        "loopback" | "custom_scheme" | "https_relay" => Ok(()),
        other => Err(StoreError::Invalid(format!(
            "'{other}' is not a redirect kind (loopback, custom_scheme, https_relay)"
        ))),
    }
}

fn check_text(what: &str, v: &str) -> Result<()> {
    if v.len() > 4096 || v.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "{what} is too long or contains control characters"
        )));
    }
    Ok(())
}

impl Read<'_> {
    pub fn app_credentials(&self, platform: Option<&str>) -> Result<Vec<AppCredentialInfo>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {APP_COLS} FROM app_credentials WHERE ?1 IS NULL OR platform = ?1 ORDER BY platform, label"
        ))?;
        let rows = stmt.query_map([platform], app_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn app_credential(&self, id: &str) -> Result<AppCredentialInfo> {
        self.conn
            .query_row(
                &format!("SELECT {APP_COLS} FROM app_credentials WHERE id = ?1"),
                [id],
                app_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("app credentials {id}")))
    }

    pub fn app_secrets(&self, id: &str) -> Result<AppSecrets> {
        self.conn
            .query_row(
                "SELECT client_secret, developer_token, api_key FROM app_credentials WHERE id = ?1",
                [id],
                |r| {
                    Ok(AppSecrets {
                        client_secret: opt_secret(r.get(0)?),
                        developer_token: opt_secret(r.get(1)?),
                        api_key: opt_secret(r.get(2)?),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("app credentials {id}")))
    }
}

impl Write<'_> {
    pub fn create_app_credential(
        &mut self,
        platform: &str,
        input: AppCredentialInput,
    ) -> Result<AppCredentialInfo> {
        let id = uuid::Uuid::now_v7().to_string();
        let now = self.now();
        let label = clean_name("App", input.label.as_deref().unwrap_or("Default"))?;
        self.tx.execute(
            "INSERT INTO app_credentials (id, platform, label, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, platform, label, now],
        ).map_err(|e| super::clients::unique_violation(e, &format!("A {platform} app called '{label}'")))?;
        self.changed("app_credential", id.clone(), ChangeKind::Created);
        let info = self.update_app_credential(
            &id,
            AppCredentialInput {
                label: None,
                ..input
            },
        )?;
        self.audit(
            "app_credential.created",
            None,
            None,
            &format!("{platform} app '{label}'"),
        )?;
        Ok(info)
    }

    pub fn update_app_credential(
        &mut self,
        id: &str,
        input: AppCredentialInput,
    ) -> Result<AppCredentialInfo> {
        self.apply_app_input(id, input, false)
    }

    fn apply_app_input(
        &mut self,
        id: &str,
        input: AppCredentialInput,
        is_new: bool,
    ) -> Result<AppCredentialInfo> {
        let before = self.read().app_credential(id)?;
        let now = self.now();
        if let Some(label) = &input.label {
            let label = clean_name("App", label)?;
            self.tx.execute(
                "UPDATE app_credentials SET label = ?2 WHERE id = ?1",
                params![id, label],
            )?;
        }
        if let Some(v) = &input.client_id {
            check_text("The client id", v)?;
            self.tx.execute(
                "UPDATE app_credentials SET client_id = ?2 WHERE id = ?1",
                params![id, v.trim()],
            )?;
        }
        for (col, v) in [
            ("login_customer_id", &input.login_customer_id),
            ("site_id", &input.site_id),
            ("relay_url", &input.relay_url),
        ] {
            if let Some(v) = v {
                check_text(col, v)?;
                let v = v.trim();
                self.tx.execute(
                    &format!("UPDATE app_credentials SET {col} = ?2 WHERE id = ?1"),
                    params![id, (!v.is_empty()).then_some(v)],
                )?;
            }
        }
        if let Some(r) = &input.redirect {
            if !r.is_empty() {
                check_redirect(r)?;
            }
            self.tx.execute(
                "UPDATE app_credentials SET redirect = ?2 WHERE id = ?1",
                params![id, (!r.is_empty()).then_some(r.as_str())],
            )?;
        }
        let mut rotated = false;
        for (col, v) in [
            ("client_secret", &input.client_secret),
            ("developer_token", &input.developer_token),
            ("api_key", &input.api_key),
        ] {
            if let Some(v) = plain(v) {
                check_text(col, v)?;
                let v = v.trim();
                self.tx.execute(
                    &format!("UPDATE app_credentials SET {col} = ?2 WHERE id = ?1"),
                    params![id, (!v.is_empty()).then_some(v)],
                )?;
                rotated = true;
            }
        }
        self.tx.execute(
            "UPDATE app_credentials SET updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        if rotated && !is_new {
            self.tx.execute(
                "UPDATE app_credentials SET secret_rotated_at = ?2 WHERE id = ?1",
                params![id, now],
            )?;
            self.audit(
                "app_credential.secret_changed",
                None,
                None,
                &format!("{} app '{}'", before.platform, before.label),
            )?;
        }
        self.changed("app_credential", id, ChangeKind::Updated);
        self.read().app_credential(id)
    }

    pub fn delete_app_credential(&mut self, id: &str) -> Result<()> {
        let before = self.read().app_credential(id)?;
        self.tx
            .execute("DELETE FROM app_credentials WHERE id = ?1", [id])?;
        self.changed("app_credential", id, ChangeKind::Deleted);
        self.audit(
            "app_credential.deleted",
            None,
            None,
            &format!("{} app '{}'", before.platform, before.label),
        )
    }
}

// ---------------------------------------------------------------- custom providers

/// A standards-compliant OAuth 2.0 / OpenID Connect server the user added.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct CustomProvider {
    /// `oidc_<slug>`; used as the platform id of its connections.
    pub id: String,
    pub display_name: String,
    pub issuer: Option<String>,
    pub discovery_url: Option<String>,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// Space-separated scopes requested on every sign-in.
    pub scopes: String,
    /// `basic`, `request_body` or `none`.
    pub client_auth: String,
    pub created_at: String,
}

const PROVIDER_COLS: &str = "id, display_name, issuer, discovery_url, authorize_url, token_url, revoke_url, userinfo_url, scopes, client_auth, created_at";

fn provider_row(r: &Row<'_>) -> rusqlite::Result<CustomProvider> {
    Ok(CustomProvider {
        id: r.get(0)?,
        display_name: r.get(1)?,
        issuer: r.get(2)?,
        discovery_url: r.get(3)?,
        authorize_url: r.get(4)?,
        token_url: r.get(5)?,
        revoke_url: r.get(6)?,
        userinfo_url: r.get(7)?,
        scopes: r.get(8)?,
        client_auth: r.get(9)?,
        created_at: r.get(10)?,
    })
}

impl Read<'_> {
    pub fn custom_providers(&self) -> Result<Vec<CustomProvider>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PROVIDER_COLS} FROM custom_providers ORDER BY display_name"
        ))?;
        let rows = stmt.query_map([], provider_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Write<'_> {
    /// Add or replace a provider (same id).
    pub fn save_custom_provider(&mut self, mut p: CustomProvider) -> Result<CustomProvider> {
        p.display_name = clean_name("Provider", &p.display_name)?;
        p.created_at = self.now();
        self.tx.execute(
            &format!("INSERT OR REPLACE INTO custom_providers ({PROVIDER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
            params![p.id, p.display_name, p.issuer, p.discovery_url, p.authorize_url, p.token_url, p.revoke_url, p.userinfo_url, p.scopes, p.client_auth, p.created_at],
        ).map_err(|e| match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_CHECK => {
                StoreError::Invalid("the provider id must be oidc_ followed by lowercase letters, digits or _".into())
            }
            _ => StoreError::classify(e),
        })?;
        self.changed("custom_provider", p.id.clone(), ChangeKind::Updated);
        self.audit(
            "provider.saved",
            None,
            None,
            &format!("{} ({})", p.display_name, p.id),
        )?;
        Ok(p)
    }

    pub fn delete_custom_provider(&mut self, id: &str) -> Result<()> {
        let n = self
            .tx
            .execute("DELETE FROM custom_providers WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::not_found(format!("provider {id}")));
        }
        self.changed("custom_provider", id, ChangeKind::Deleted);
        self.audit("provider.deleted", None, None, id)
    }
}

// ---------------------------------------------------------------- flows in flight

/// An authorization waiting for its callback.
#[derive(Clone)]
pub struct PendingFlow {
    pub state_hash: String,
    pub platform: String,
    pub app_credential_id: String,
    pub client_id: String,
    pub brand_id: Option<String>,
    pub connection_id: Option<String>,
    pub capabilities: Vec<String>,
    pub scopes: Vec<String>,
    pub verifier: Option<SecretString>,
    pub redirect_uri: String,
    pub created_at: String,
    pub expires_at: String,
}

/// Why a callback's state was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowTake {
    Taken(Box<PendingFlowBox>),
    Unknown,
    AlreadyUsed,
    Expired,
}

/// Boxed so [`FlowTake`] stays small.
#[derive(Clone)]
pub struct PendingFlowBox(pub PendingFlow);

impl std::fmt::Debug for PendingFlowBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PendingFlow({})", self.0.platform)
    }
}
impl PartialEq for PendingFlowBox {
    fn eq(&self, other: &Self) -> bool {
        self.0.state_hash == other.0.state_hash
    }
}
impl Eq for PendingFlowBox {}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).expect("a list of strings serializes")
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

impl Write<'_> {
    pub fn insert_flow(&mut self, f: &PendingFlow) -> Result<()> {
        self.tx.execute(
            "INSERT INTO oauth_flows (state_hash, platform, app_credential_id, client_id, brand_id, connection_id, capabilities, scopes, verifier, redirect_uri, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                f.state_hash, f.platform, f.app_credential_id, f.client_id, f.brand_id, f.connection_id,
                json_list(&f.capabilities), json_list(&f.scopes), plain(&f.verifier), f.redirect_uri,
                f.created_at, f.expires_at
            ],
        )?;
        self.changed("oauth_flow", f.platform.clone(), ChangeKind::Created);
        Ok(())
    }

    /// Take a flow by its state hash, once: the row is marked consumed in this
    /// transaction, so a replayed state finds it used. `now` is RFC 3339.
    pub fn take_flow(&mut self, state_hash: &str, now: &str) -> Result<FlowTake> {
        let row = self
            .tx
            .query_row(
                "SELECT state_hash, platform, app_credential_id, client_id, brand_id, connection_id, capabilities, scopes, verifier, redirect_uri, created_at, expires_at, consumed_at
                 FROM oauth_flows WHERE state_hash = ?1",
                [state_hash],
                |r| {
                    Ok((
                        PendingFlow {
                            state_hash: r.get(0)?,
                            platform: r.get(1)?,
                            app_credential_id: r.get(2)?,
                            client_id: r.get(3)?,
                            brand_id: r.get(4)?,
                            connection_id: r.get(5)?,
                            capabilities: parse_list(&r.get::<_, String>(6)?),
                            scopes: parse_list(&r.get::<_, String>(7)?),
                            verifier: opt_secret(r.get(8)?),
                            redirect_uri: r.get(9)?,
                            created_at: r.get(10)?,
                            expires_at: r.get(11)?,
                        },
                        r.get::<_, Option<String>>(12)?,
                    ))
                },
            )
            .optional()?;
        let Some((flow, consumed)) = row else {
            return Ok(FlowTake::Unknown);
        };
        if consumed.is_some() {
            return Ok(FlowTake::AlreadyUsed);
        }
        // The verifier is needed once; it is wiped as the state is consumed.
        self.tx.execute(
            "UPDATE oauth_flows SET consumed_at = ?2, verifier = NULL WHERE state_hash = ?1",
            params![state_hash, now],
        )?;
        if flow.expires_at.as_str() <= now {
            self.tx.execute(
                "UPDATE oauth_flows SET outcome = 'expired' WHERE state_hash = ?1",
                [state_hash],
            )?;
            return Ok(FlowTake::Expired);
        }
        Ok(FlowTake::Taken(Box::new(PendingFlowBox(flow))))
    }

    pub fn finish_flow(&mut self, state_hash: &str, outcome: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE oauth_flows SET outcome = ?2 WHERE state_hash = ?1",
            params![state_hash, outcome],
        )?;
        Ok(())
    }

    /// Forget flows whose lifetime ended more than a day ago.
    pub fn prune_flows(&mut self, older_than: &str) -> Result<usize> {
        Ok(self.tx.execute(
            "DELETE FROM oauth_flows WHERE expires_at < ?1",
            [older_than],
        )?)
    }
}

impl Read<'_> {
    /// Flows not yet used or expired (`now` is RFC 3339), newest first.
    pub fn open_flows(&self, now: &str) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT platform, client_id, expires_at FROM oauth_flows WHERE consumed_at IS NULL AND expires_at > ?1 ORDER BY created_at DESC",
        )?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

// ---------------------------------------------------------------- connections

/// A connected account as the UI sees it: no token values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct Connection {
    pub id: String,
    pub client_id: String,
    pub brand_id: Option<String>,
    pub platform: String,
    pub app_credential_id: Option<String>,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    /// `active`, `expiring`, `needs_reconnect`, `revoked`, `error`.
    pub status: String,
    /// The provider's own error, verbatim (secrets removed).
    pub status_error: Option<String>,
    /// What the user should do about it.
    pub status_action: Option<String>,
    pub capabilities: Vec<String>,
    pub scopes_requested: Vec<String>,
    pub scopes_granted: Option<Vec<String>>,
    pub expires_at: Option<String>,
    pub refresh_expires_at: Option<String>,
    pub has_refresh_token: bool,
    pub last_refresh_at: Option<String>,
    pub refresh_failures: i64,
    pub next_refresh_at: Option<String>,
    /// Set when a reconnect signed in as a different account.
    pub pending_account_id: Option<String>,
    pub pending_account_name: Option<String>,
    pub connected_at: String,
    pub updated_at: String,
}

/// The tokens of a connection, for the code that uses or renews them.
#[derive(Clone)]
pub struct StoredTokens {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub id_token: Option<SecretString>,
    pub expires_at: Option<String>,
    pub refresh_expires_at: Option<String>,
    pub scopes_granted: Option<Vec<String>>,
    /// Non-secret fields of the token response, JSON.
    pub extra: String,
    pub version: i64,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("expires_at", &self.expires_at)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// What a connection becomes after a successful authorization.
pub struct NewConnection<'a> {
    pub id: &'a str,
    pub client_id: &'a str,
    pub brand_id: Option<&'a str>,
    pub platform: &'a str,
    pub app_credential_id: &'a str,
    pub account_id: Option<&'a str>,
    pub account_name: Option<&'a str>,
    pub capabilities: &'a [String],
    pub scopes_requested: &'a [String],
    pub redirect_uri: &'a str,
}

/// A reached account as identity calls report it: (external id, name, kind, currency,
/// manager account it is reached through).
pub type ReachedAccount = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// An account a grant reaches (ad account, site, page).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, specta::Type)]
pub struct ConnectionAccount {
    pub connection_id: String,
    pub external_id: String,
    pub name: Option<String>,
    pub kind: String,
    pub currency: Option<String>,
    pub linked: bool,
    pub linked_brand_id: Option<String>,
    pub seen_at: String,
    /// The manager account (Google Ads MCC) this one is reached through, if any.
    pub manager: Option<String>,
}

const CONN_COLS: &str = "id, client_id, brand_id, platform, app_credential_id, account_id, account_name, status, status_error, status_action, capabilities, scopes_requested, scopes_granted, expires_at, refresh_expires_at, refresh_token IS NOT NULL, last_refresh_at, refresh_failures, next_refresh_at, pending_account_id, pending_account_name, connected_at, updated_at";

fn conn_row(r: &Row<'_>) -> rusqlite::Result<Connection> {
    Ok(Connection {
        id: r.get(0)?,
        client_id: r.get(1)?,
        brand_id: r.get(2)?,
        platform: r.get(3)?,
        app_credential_id: r.get(4)?,
        account_id: r.get(5)?,
        account_name: r.get(6)?,
        status: r.get(7)?,
        status_error: r.get(8)?,
        status_action: r.get(9)?,
        capabilities: parse_list(&r.get::<_, String>(10)?),
        scopes_requested: parse_list(&r.get::<_, String>(11)?),
        scopes_granted: r.get::<_, Option<String>>(12)?.map(|s| parse_list(&s)),
        expires_at: r.get(13)?,
        refresh_expires_at: r.get(14)?,
        has_refresh_token: r.get(15)?,
        last_refresh_at: r.get(16)?,
        refresh_failures: r.get(17)?,
        next_refresh_at: r.get(18)?,
        pending_account_id: r.get(19)?,
        pending_account_name: r.get(20)?,
        connected_at: r.get(21)?,
        updated_at: r.get(22)?,
    })
}

fn tokens_json(t: &StoredTokens) -> String {
    serde_json::json!({
        "access_token": t.access_token.expose_secret(),
        "refresh_token": plain(&t.refresh_token),
        "id_token": plain(&t.id_token),
        "expires_at": t.expires_at,
        "refresh_expires_at": t.refresh_expires_at,
        "scopes_granted": t.scopes_granted,
        "extra": t.extra,
    })
    .to_string()
}

fn tokens_from_json(s: &str) -> Option<StoredTokens> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Some(StoredTokens {
        access_token: SecretString::from(text("access_token")?),
        refresh_token: opt_secret(text("refresh_token")),
        id_token: opt_secret(text("id_token")),
        expires_at: text("expires_at"),
        refresh_expires_at: text("refresh_expires_at"),
        scopes_granted: v
            .get("scopes_granted")
            .and_then(|x| serde_json::from_value(x.clone()).ok()),
        extra: text("extra").unwrap_or_else(|| "{}".into()),
        version: 0,
    })
}

impl Read<'_> {
    pub fn connection(&self, id: &str) -> Result<Connection> {
        self.conn
            .query_row(
                &format!("SELECT {CONN_COLS} FROM connections WHERE id = ?1"),
                [id],
                conn_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("connection {id}")))
    }

    /// Every connection of the workspace, for the refresher and health.
    pub fn all_connections(&self) -> Result<Vec<Connection>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CONN_COLS} FROM connections ORDER BY connected_at"
        ))?;
        let rows = stmt.query_map([], conn_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Connections of one client (and optionally one brand).
    pub fn client_connections(&self, client_id: &str) -> Result<Vec<Connection>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CONN_COLS} FROM connections WHERE client_id = ?1 ORDER BY platform, connected_at"
        ))?;
        let rows = stmt.query_map([client_id], conn_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn tokens(&self, connection_id: &str) -> Result<Option<StoredTokens>> {
        let row = self
            .conn
            .query_row(
                "SELECT access_token, refresh_token, id_token, expires_at, refresh_expires_at, scopes_granted, token_extra, token_version FROM connections WHERE id = ?1",
                [connection_id],
                |r| {
                    let access: Option<String> = r.get(0)?;
                    Ok(access.map(|a| StoredTokens {
                        access_token: SecretString::from(a),
                        refresh_token: opt_secret(r.get(1).unwrap_or(None)),
                        id_token: opt_secret(r.get(2).unwrap_or(None)),
                        expires_at: r.get(3).unwrap_or(None),
                        refresh_expires_at: r.get(4).unwrap_or(None),
                        scopes_granted: r
                            .get::<_, Option<String>>(5)
                            .unwrap_or(None)
                            .map(|s| parse_list(&s)),
                        extra: r.get(6).unwrap_or_else(|_| "{}".into()),
                        version: r.get(7).unwrap_or(0),
                    }))
                },
            )
            .optional()?;
        match row {
            None => Err(StoreError::not_found(format!("connection {connection_id}"))),
            Some(t) => Ok(t),
        }
    }

    /// The redirect URI the grant was made with (some providers want it on refresh).
    pub fn connection_redirect_uri(&self, id: &str) -> Result<String> {
        self.conn
            .query_row(
                "SELECT redirect_uri FROM connections WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(format!("connection {id}")))
    }

    /// Connections whose renewal is due at `now` (RFC 3339), soonest first.
    pub fn connections_due(&self, now: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM connections WHERE next_refresh_at IS NOT NULL AND next_refresh_at <= ?1 AND access_token IS NOT NULL ORDER BY next_refresh_at",
        )?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Tokens that a reconnect as a different account left waiting for the user.
    pub fn pending_tokens(&self, connection_id: &str) -> Result<Option<StoredTokens>> {
        let s: Option<String> = self
            .conn
            .query_row(
                "SELECT pending_tokens FROM connections WHERE id = ?1",
                [connection_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(s.as_deref().and_then(tokens_from_json))
    }

    pub fn connection_accounts(&self, connection_id: &str) -> Result<Vec<ConnectionAccount>> {
        let mut stmt = self.conn.prepare(
            "SELECT connection_id, external_id, name, kind, currency, linked, linked_brand_id, seen_at, manager FROM connection_accounts WHERE connection_id = ?1 ORDER BY name, external_id",
        )?;
        let rows = stmt.query_map([connection_id], |r| {
            Ok(ConnectionAccount {
                connection_id: r.get(0)?,
                external_id: r.get(1)?,
                name: r.get(2)?,
                kind: r.get(3)?,
                currency: r.get(4)?,
                linked: r.get(5)?,
                linked_brand_id: r.get(6)?,
                seen_at: r.get(7)?,
                manager: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Write<'_> {
    /// Create a connection, or re-point an existing one (reconnect in place) at a new
    /// grant of the same account.
    pub fn save_connection(&mut self, c: &NewConnection<'_>, tokens: &StoredTokens) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "INSERT INTO connections (id, client_id, brand_id, platform, app_credential_id, account_id, account_name, status, capabilities, scopes_requested, redirect_uri, connected_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT(id) DO UPDATE SET app_credential_id = excluded.app_credential_id,
                 account_id = excluded.account_id, account_name = excluded.account_name,
                 status = 'active', status_error = NULL, status_action = NULL,
                 capabilities = excluded.capabilities, scopes_requested = excluded.scopes_requested,
                 redirect_uri = excluded.redirect_uri, refresh_failures = 0,
                 pending_account_id = NULL, pending_account_name = NULL, pending_tokens = NULL,
                 updated_at = excluded.updated_at",
            params![c.id, c.client_id, c.brand_id, c.platform, c.app_credential_id, c.account_id, c.account_name,
                    json_list(c.capabilities), json_list(c.scopes_requested), c.redirect_uri, now],
        )?;
        self.write_tokens(c.id, tokens)?;
        self.changed("connection", c.id, ChangeKind::Updated);
        Ok(())
    }

    fn write_tokens(&mut self, id: &str, t: &StoredTokens) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "UPDATE connections SET access_token = ?2, refresh_token = ?3, id_token = ?4, expires_at = ?5,
                 refresh_expires_at = ?6, scopes_granted = ?7, token_extra = ?8,
                 token_version = token_version + 1, updated_at = ?9 WHERE id = ?1",
            params![
                id,
                t.access_token.expose_secret(),
                plain(&t.refresh_token),
                plain(&t.id_token),
                t.expires_at,
                t.refresh_expires_at,
                t.scopes_granted.as_ref().map(|s| json_list(s)),
                t.extra,
                now
            ],
        )?;
        Ok(())
    }

    /// Store renewed tokens only if nobody else stored newer ones since `t.version` was
    /// read. Returns false (and stores nothing) when the version moved on.
    pub fn store_refreshed_tokens(&mut self, id: &str, t: &StoredTokens) -> Result<bool> {
        let current: Option<i64> = self
            .tx
            .query_row(
                "SELECT token_version FROM connections WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        match current {
            None => Err(StoreError::not_found(format!("connection {id}"))),
            Some(v) if v != t.version => Ok(false),
            Some(_) => {
                self.write_tokens(id, t)?;
                let now = self.now();
                self.tx.execute(
                    "UPDATE connections SET last_refresh_at = ?2, refresh_failures = 0 WHERE id = ?1",
                    params![id, now],
                )?;
                self.changed("connection", id, ChangeKind::Updated);
                Ok(true)
            }
        }
    }

    /// Record the connection's health.
    pub fn set_connection_status(
        &mut self,
        id: &str,
        status: &str,
        error: Option<&str>,
        action: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        let n = self.tx.execute(
            "UPDATE connections SET status = ?2, status_error = ?3, status_action = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, status, error, action, now],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!("connection {id}")));
        }
        self.changed("connection", id, ChangeKind::Updated);
        Ok(())
    }

    pub fn set_refresh_schedule(
        &mut self,
        id: &str,
        next_refresh_at: Option<&str>,
        failures: i64,
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE connections SET next_refresh_at = ?2, refresh_failures = ?3 WHERE id = ?1",
            params![id, next_refresh_at, failures],
        )?;
        Ok(())
    }

    /// A reconnect signed in as a different account: keep the old grant working and park
    /// the new one for the user to accept or discard.
    pub fn park_mismatched_grant(
        &mut self,
        id: &str,
        account_id: Option<&str>,
        account_name: Option<&str>,
        tokens: &StoredTokens,
    ) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "UPDATE connections SET pending_account_id = ?2, pending_account_name = ?3, pending_tokens = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, account_id, account_name, tokens_json(tokens), now],
        )?;
        self.changed("connection", id, ChangeKind::Updated);
        Ok(())
    }

    /// Forget a parked grant (after the user decided).
    pub fn clear_parked_grant(&mut self, id: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE connections SET pending_account_id = NULL, pending_account_name = NULL, pending_tokens = NULL WHERE id = ?1",
            [id],
        )?;
        self.changed("connection", id, ChangeKind::Updated);
        Ok(())
    }

    /// Delete the tokens but keep the row (revoked: shown until the user removes it).
    pub fn delete_tokens(&mut self, id: &str) -> Result<()> {
        let now = self.now();
        self.tx.execute(
            "UPDATE connections SET access_token = NULL, refresh_token = NULL, id_token = NULL, pending_tokens = NULL,
                 expires_at = NULL, refresh_expires_at = NULL, token_version = token_version + 1,
                 next_refresh_at = NULL, updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
        self.changed("connection", id, ChangeKind::Updated);
        Ok(())
    }

    pub fn delete_connection(&mut self, id: &str) -> Result<()> {
        let n = self
            .tx
            .execute("DELETE FROM connections WHERE id = ?1", [id])?;
        if n == 0 {
            return Err(StoreError::not_found(format!("connection {id}")));
        }
        self.changed("connection", id, ChangeKind::Deleted);
        Ok(())
    }

    /// Replace the list of accounts a grant reaches, keeping the user's links.
    /// Each is (external id, name, kind, currency, manager).
    pub fn set_connection_accounts(
        &mut self,
        connection_id: &str,
        accounts: &[ReachedAccount],
    ) -> Result<()> {
        let now = self.now();
        for (external_id, name, kind, currency, manager) in accounts {
            self.tx.execute(
                "INSERT INTO connection_accounts (connection_id, external_id, name, kind, currency, seen_at, manager) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT(connection_id, external_id) DO UPDATE SET name = excluded.name, kind = excluded.kind, currency = excluded.currency, seen_at = excluded.seen_at, manager = excluded.manager",
                params![connection_id, external_id, name, kind, currency, now, manager],
            )?;
        }
        self.changed("connection", connection_id, ChangeKind::Updated);
        Ok(())
    }

    /// Link (or unlink) one reached account to the connection's client, optionally a brand.
    pub fn link_connection_account(
        &mut self,
        connection_id: &str,
        external_id: &str,
        linked: bool,
        brand_id: Option<&str>,
    ) -> Result<()> {
        let n = self.tx.execute(
            "UPDATE connection_accounts SET linked = ?3, linked_brand_id = ?4 WHERE connection_id = ?1 AND external_id = ?2",
            params![connection_id, external_id, linked, brand_id],
        )?;
        if n == 0 {
            return Err(StoreError::not_found(format!("account {external_id}")));
        }
        self.changed("connection", connection_id, ChangeKind::Updated);
        Ok(())
    }
}
