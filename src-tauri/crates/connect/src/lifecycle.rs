//! Keeping grants alive: when to renew, one renewal per connection at a time, what a
//! failure means, and the background refresher.

use crate::breaker::Permit;
use crate::engine::{rfc3339, Connector};
use crate::error::{ConnectError, Result};
use crate::tokens::{expires_at, from_stored, refresh_expires_at, to_stored};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::Serialize;
use std::sync::Arc;
use switchboard_oauth::{AppCredentials, ErrorClass, FlowError, ProviderDescriptor, Renewal};
use switchboard_store::domain::{Connection, StoredTokens};
use switchboard_store::Origin;

/// A token this close to expiry is renewed before use.
pub const USE_MARGIN_SECS: i64 = 120;
/// Warn this long before an expiry nothing can push back (Meta's 60 days, LinkedIn's year).
pub const EXPIRY_WARNING_DAYS: i64 = 7;
/// Grants are exercised at least this often (Nango's rule, against idle revocation).
const AT_LEAST_EVERY_SECS: i64 = 24 * 3600;
const MAX_BACKOFF_SECS: i64 = 6 * 3600;
const BASE_BACKOFF_SECS: i64 = 30;
/// How often the refresher wakes (the wall-clock tick).
pub const REFRESHER_TICK: std::time::Duration = std::time::Duration::from_secs(30);

/// A stable number in [0, 1) per connection, to spread renewals (no herd at one instant).
fn spread(connection_id: &str) -> f64 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(connection_id.as_bytes());
    let n = u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    (n >> 11) as f64 / (1u64 << 53) as f64
}

/// `active` or `expiring`, with what to do.
pub fn status_for(
    d: &ProviderDescriptor,
    t: &StoredTokens,
    now: DateTime<Utc>,
) -> (&'static str, Option<String>) {
    let warn = now + Duration::days(EXPIRY_WARNING_DAYS);
    let Some(flow) = d.oauth() else {
        return ("active", None);
    };
    let hard_end = match &flow.refresh.renewal {
        Renewal::Reauthorize => expires_at(t),
        Renewal::RefreshToken {
            fixed_expiry: true, ..
        } => refresh_expires_at(t),
        Renewal::RefreshToken { .. } => refresh_expires_at(t).filter(|_| t.refresh_token.is_some()),
        Renewal::ExchangeAccessToken { .. } => None,
    };
    match hard_end {
        Some(end) if end <= warn => (
            "expiring",
            Some(format!(
                "{} access ends on {} and cannot be extended: reconnect before then.",
                d.display_name,
                end.format("%Y-%m-%d")
            )),
        ),
        _ => ("active", None),
    }
}

/// When the refresher should next renew this grant, or `None` if it never can.
pub fn next_refresh(
    d: &ProviderDescriptor,
    connection_id: &str,
    t: &StoredTokens,
    now: DateTime<Utc>,
    failures: i64,
) -> Option<DateTime<Utc>> {
    let flow = d.oauth()?;
    let jitter = spread(connection_id);
    if failures > 0 {
        let backoff = (BASE_BACKOFF_SECS << failures.min(12)).min(MAX_BACKOFF_SECS) as f64;
        return Some(
            now + Duration::milliseconds((backoff * (0.5 + jitter / 2.0) * 1000.0) as i64),
        );
    }
    match &flow.refresh.renewal {
        Renewal::Reauthorize => None,
        Renewal::RefreshToken { .. } => {
            t.refresh_token.as_ref()?;
            let daily = now + Duration::seconds(AT_LEAST_EVERY_SECS - (jitter * 3600.0) as i64);
            let by_expiry = expires_at(t).map(|exp| {
                let life = (exp - now).num_seconds().max(0);
                // Renew in the last fifth of the lifetime (at most an hour early, at least
                // two minutes), spread across the first half of that window.
                let margin = (life / 5).clamp(USE_MARGIN_SECS, 3600);
                exp - Duration::seconds(margin)
                    + Duration::seconds((margin as f64 * jitter / 2.0) as i64)
                    - Duration::seconds(margin / 2)
            });
            Some(by_expiry.map_or(daily, |e| e.min(daily)).max(now))
        }
        Renewal::ExchangeAccessToken { min_age, .. } => {
            let issued = serde_json::from_str::<serde_json::Value>(&t.extra)
                .ok()
                .and_then(|v| {
                    v.get("issued_at")
                        .and_then(|x| x.as_str())
                        .map(str::to_owned)
                })
                .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                .map(|d| d.with_timezone(&Utc))
                .unwrap_or(now);
            let earliest = issued + Duration::seconds(*min_age as i64);
            let halfway = expires_at(t)
                .map(|e| e - (e - issued) / 2)
                .unwrap_or(earliest);
            Some(earliest.max(halfway) + Duration::seconds((jitter * 3600.0) as i64))
        }
    }
}

/// A connection as health reports it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Health {
    pub connections: Vec<Connection>,
    pub breakers: Vec<crate::breaker::BreakerHealth>,
}

/// What the refresher did in one pass.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub due: usize,
    pub renewed: usize,
    pub failed: usize,
}

/// Everything a platform API call needs; see [`Connector::api_access`].
pub struct ApiAccess {
    pub token: SecretString,
    pub app: AppCredentials,
    pub descriptor: Arc<ProviderDescriptor>,
    pub connection: Connection,
}

impl std::fmt::Debug for ApiAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAccess")
            .field("platform", &self.connection.platform)
            .field("connection", &self.connection.id)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// An access token valid for at least [`USE_MARGIN_SECS`], renewing first if needed.
    /// Concurrent callers share one renewal.
    pub async fn access_token(self: &Arc<Self>, connection_id: &str) -> Result<SecretString> {
        let t = self.renew_if_needed(connection_id, false).await?;
        Ok(t.access_token)
    }

    /// What a platform API call needs: a fresh access token, the app's credentials
    /// (developer token, login customer id) and the platform as configured (endpoint
    /// overrides applied). Imports and publishing call this before each run.
    pub async fn api_access(self: &Arc<Self>, connection_id: &str) -> Result<ApiAccess> {
        let token = self.access_token(connection_id).await?;
        let connection = self.vault.read(|r| r.connection(connection_id))?;
        let entry = self.catalogue().get(&connection.platform)?.clone();
        let app = match &connection.app_credential_id {
            Some(id) => self.app(id)?,
            None => AppCredentials {
                client_id: String::new(),
                client_secret: None,
                developer_token: None,
                login_customer_id: None,
                api_key: None,
                site_id: None,
            },
        };
        Ok(ApiAccess {
            token,
            app,
            descriptor: entry.descriptor,
            connection,
        })
    }

    /// Renew now (the user asked), unless another renewal just finished.
    pub async fn refresh_now(self: &Arc<Self>, connection_id: &str) -> Result<Connection> {
        self.renew_if_needed(connection_id, true).await?;
        Ok(self.vault.read(|r| r.connection(connection_id))?)
    }

    fn flight(&self, connection_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.flights
            .lock()
            .expect("flights")
            .entry(connection_id.to_owned())
            .or_default()
            .clone()
    }

    /// Single-flight renewal: one at a time per connection; whoever waited re-reads the
    /// vault after the lock and uses what the first one stored.
    async fn renew_if_needed(
        self: &Arc<Self>,
        connection_id: &str,
        force: bool,
    ) -> Result<StoredTokens> {
        let read = |this: &Self| -> Result<(Connection, Option<StoredTokens>)> {
            Ok(this
                .vault
                .read(|r| Ok((r.connection(connection_id)?, r.tokens(connection_id)?)))?)
        };
        let (conn, tokens) = read(self)?;
        let tokens = tokens.ok_or_else(|| {
            ConnectError::Invalid(format!("{} has no tokens: reconnect it.", conn.platform))
        })?;
        let fresh = |t: &StoredTokens, now: DateTime<Utc>| {
            expires_at(t).is_none_or(|e| e - now > Duration::seconds(USE_MARGIN_SECS))
        };
        if !force && fresh(&tokens, self.now()) {
            return Ok(tokens);
        }
        let started_version = tokens.version;
        let lock = self.flight(connection_id);
        let _guard = lock.lock().await;
        // Someone else may have renewed while we waited.
        let (conn, tokens) = read(self)?;
        let tokens = tokens.ok_or_else(|| {
            ConnectError::Invalid(format!("{} has no tokens: reconnect it.", conn.platform))
        })?;
        if tokens.version != started_version || (!force && fresh(&tokens, self.now())) {
            return Ok(tokens);
        }
        self.renew_locked(&conn, tokens).await
    }

    /// Renew with the per-connection lock held.
    async fn renew_locked(&self, conn: &Connection, tokens: StoredTokens) -> Result<StoredTokens> {
        let cat = self.catalogue();
        let entry = cat.get(&conn.platform)?.clone();
        let now = self.now();
        match self.breakers.permit(&conn.platform, now) {
            Permit::Wait(until) => {
                return Err(ConnectError::CircuitOpen {
                    platform: conn.platform.clone(),
                    until: rfc3339(until),
                })
            }
            Permit::Go | Permit::Probe => {}
        }
        let app_id = conn.app_credential_id.clone().ok_or_else(|| {
            ConnectError::Invalid("the app credentials of this connection were removed".into())
        })?;
        let app = self.app(&app_id)?;
        let ctx = self.ctx(&entry.descriptor, &app, now);
        let redirect_uri: String = self.vault.read(|r| r.connection_redirect_uri(&conn.id))?;
        let result = entry
            .adapter
            .refresh(&ctx, &from_stored(&tokens), &redirect_uri)
            .await;
        match result {
            Ok(new) => {
                self.breakers.success(&conn.platform);
                let mut stored = to_stored(&new, tokens.version);
                // An empty refresh token never overwrites a stored one.
                if stored.refresh_token.is_none() {
                    stored.refresh_token = tokens.refresh_token.clone();
                }
                let descriptor = entry.descriptor.clone();
                let saved = self.vault.write(Origin::System, |w| {
                    if !w.store_refreshed_tokens(&conn.id, &stored)? {
                        return Ok(false);
                    }
                    let (status, action) = status_for(&descriptor, &stored, now);
                    w.set_connection_status(&conn.id, status, None, action.as_deref())?;
                    let next = next_refresh(&descriptor, &conn.id, &stored, now, 0);
                    w.set_refresh_schedule(&conn.id, next.map(rfc3339).as_deref(), 0)?;
                    w.audit(
                        "connection.refreshed",
                        Some(&conn.client_id),
                        Some(&conn.id),
                        &conn.platform,
                    )?;
                    Ok(true)
                })?;
                let current = self.vault.read(|r| r.tokens(&conn.id))?;
                match (saved, current) {
                    (_, Some(t)) => Ok(t),
                    (_, None) => Err(ConnectError::Invalid(
                        "the connection was disconnected".into(),
                    )),
                }
            }
            Err(e) => self.renewal_failed(conn, &entry.descriptor, &tokens, e, now),
        }
    }

    fn renewal_failed(
        &self,
        conn: &Connection,
        d: &ProviderDescriptor,
        tokens: &StoredTokens,
        e: FlowError,
        now: DateTime<Utc>,
    ) -> Result<StoredTokens> {
        // Not a failure at the provider: the platform cannot renew this grant now (Meta,
        // or an Instagram token younger than a day). Nothing is recorded against it.
        if let FlowError::Config(why) = &e {
            return Err(ConnectError::Invalid(why.clone()));
        }
        let raw = e.to_string();
        match e.class() {
            ErrorClass::GrantDead => {
                // Re-read: a renewal stored elsewhere (another process on this vault) means
                // the grant is alive and our token was merely stale.
                if let Some(now_stored) = self.vault.read(|r| r.tokens(&conn.id))? {
                    if now_stored.version != tokens.version {
                        return Ok(now_stored);
                    }
                }
                let revoked = raw.contains("revoked");
                self.vault.write(Origin::System, |w| {
                    w.set_connection_status(
                        &conn.id,
                        if revoked { "revoked" } else { "needs_reconnect" },
                        Some(&raw),
                        Some(&format!(
                            "{} no longer accepts this connection's grant. Reconnect to sign in again.",
                            d.display_name
                        )),
                    )?;
                    w.set_refresh_schedule(&conn.id, None, conn.refresh_failures + 1)?;
                    w.audit(
                        "connection.grant_dead",
                        Some(&conn.client_id),
                        Some(&conn.id),
                        &format!("{}: {raw}", conn.platform),
                    )
                })?;
            }
            ErrorClass::Transient => {
                self.breakers.failure(&conn.platform, now, &raw);
                let failures = conn.refresh_failures + 1;
                let next = next_refresh(d, &conn.id, tokens, now, failures);
                self.vault.write(Origin::System, |w| {
                    w.set_refresh_schedule(&conn.id, next.map(rfc3339).as_deref(), failures)?;
                    // Still usable until it expires; say so only after repeated failures.
                    if failures >= 3 {
                        w.set_connection_status(
                            &conn.id,
                            "error",
                            Some(&raw),
                            Some("Switchboard keeps retrying; check the platform's status if this persists."),
                        )?;
                    }
                    Ok(())
                })?;
            }
            ErrorClass::Permanent => {
                self.vault.write(Origin::System, |w| {
                    w.set_connection_status(
                        &conn.id,
                        "error",
                        Some(&raw),
                        Some("Check the app credentials for this platform, then reconnect."),
                    )?;
                    w.set_refresh_schedule(&conn.id, None, conn.refresh_failures + 1)
                })?;
            }
        }
        Err(ConnectError::provider(&conn.platform, e))
    }

    /// One pass of the background refresher: renew every grant that is due, and update
    /// statuses of grants that cannot be renewed.
    pub async fn refresh_tick(self: &Arc<Self>) -> Result<TickReport> {
        let now = self.now();
        let cutoff = rfc3339(now);
        let due: Vec<String> = self.vault.read(|r| r.connections_due(&cutoff))?;
        let mut report = TickReport {
            due: due.len(),
            ..TickReport::default()
        };
        for id in due {
            match self.renew_if_needed(&id, true).await {
                Ok(_) => report.renewed += 1,
                Err(e) => {
                    report.failed += 1;
                    tracing::info!(connection = %id, code = e.code(), "renewal failed");
                }
            }
        }
        Ok(report)
    }

    /// Statuses of grants that cannot be renewed move to `expiring` as their end nears.
    pub fn status_sweep(&self) -> Result<usize> {
        let now = self.now();
        let cat = self.catalogue();
        let all = self.vault.read(|r| r.all_connections())?;
        let mut changed = 0;
        for c in all
            .iter()
            .filter(|c| c.status == "active" || c.status == "expiring")
        {
            let Ok(entry) = cat.get(&c.platform) else {
                continue;
            };
            let Some(t) = self.vault.read(|r| r.tokens(&c.id))? else {
                continue;
            };
            let (status, action) = status_for(&entry.descriptor, &t, now);
            if status != c.status {
                self.vault.write(Origin::System, |w| {
                    w.set_connection_status(&c.id, status, None, action.as_deref())
                })?;
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// One refresher pass: renew what is due; every 20th pass (10 minutes at the 30 s
    /// tick) also sweep statuses of grants that cannot be renewed.
    pub async fn refresher_pass(self: &Arc<Self>, pass: u64) {
        if let Err(e) = self.refresh_tick().await {
            tracing::warn!(code = e.code(), "refresher pass failed: {e}");
        }
        if pass.is_multiple_of(20) {
            if let Err(e) = self.status_sweep() {
                tracing::warn!("status sweep failed: {e}");
            }
        }
    }

    /// Run the refresher until `stop` resolves: a short wall-clock tick (never one long
    /// sleep, which would pause while the machine sleeps).
    pub async fn run_refresher(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(REFRESHER_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pass: u64 = 0;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => { if *stop.borrow() { return; } }
            }
            self.refresher_pass(pass).await;
            pass += 1;
        }
    }

    pub fn health(&self) -> Result<Health> {
        Ok(Health {
            connections: self.vault.read(|r| r.all_connections())?,
            breakers: self.breakers.health(self.now()),
        })
    }
}
