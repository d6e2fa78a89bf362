//! What each platform may do differently, with the standard behaviour as the default.
//!
//! A platform folder in `switchboard-platforms` implements [`Adapter`] and overrides only
//! what departs from the standards (TikTok's `client_key`, Meta's long-lived exchange, …).

use crate::client::{self, AppCredentials};
use crate::token::{FlowError, TokenSet};
use crate::{ProviderDescriptor, Renewal, ResendOnRefresh};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::{Map, Value};

/// What an adapter call may use: all passed in, nothing global.
pub struct Ctx<'a> {
    pub http: &'a reqwest::Client,
    pub descriptor: &'a ProviderDescriptor,
    pub app: &'a AppCredentials,
    pub now: DateTime<Utc>,
}

impl Ctx<'_> {
    pub fn flow(&self) -> Result<&crate::OAuthFlow, FlowError> {
        self.descriptor.oauth().ok_or_else(|| {
            FlowError::Config(format!(
                "{} has no OAuth sign-in",
                self.descriptor.display_name
            ))
        })
    }
}

/// Who signed in, and what the grant reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The provider's stable id for the user or account; `None` when the platform does not
    /// say (then the wrong-account guard cannot apply, and the UI says so).
    pub account_id: Option<String>,
    pub name: Option<String>,
    /// Ad accounts, sites or pages, each linked to a client or brand by the user.
    pub accounts: Vec<RemoteAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAccount {
    pub external_id: String,
    pub name: Option<String>,
    /// `ad_account`, `site`, `page`, `customer`, `advertiser`, `blog`.
    pub kind: String,
    pub currency: Option<String>,
    /// The manager account the grant reaches this one through (a Google Ads MCC), which
    /// calls about it name (`login-customer-id`); `None` when reached directly.
    pub manager: Option<String>,
}

/// Whether the provider was told to forget the grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    AtProvider,
    /// The provider has no revocation endpoint; the tokens are only deleted here.
    NotSupported,
}

#[async_trait]
pub trait Adapter: Send + Sync {
    /// RFC 6749 §4.1.3.
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        verifier: Option<&SecretString>,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        client::exchange_code(
            ctx.http,
            ctx.flow()?,
            ctx.app,
            code,
            verifier,
            redirect_uri,
            ctx.now,
        )
        .await
    }

    /// A fresh access token without the user, per the descriptor's renewal rule.
    async fn refresh(
        &self,
        ctx: &Ctx<'_>,
        tokens: &TokenSet,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        match &flow.refresh.renewal {
            Renewal::RefreshToken { resend, .. } => {
                let Some(refresh_token) = &tokens.refresh_token else {
                    return Err(FlowError::provider(
                        400,
                        "invalid_grant",
                        Some("no refresh token was issued for this connection".into()),
                    ));
                };
                let mut extra = Vec::new();
                if resend.contains(&ResendOnRefresh::RedirectUri) {
                    extra.push(("redirect_uri", redirect_uri));
                }
                let scopes = if resend.contains(&ResendOnRefresh::Scope) {
                    tokens.scopes.clone().unwrap_or_default()
                } else {
                    Vec::new()
                };
                client::refresh(
                    ctx.http,
                    flow,
                    ctx.app,
                    refresh_token,
                    &extra,
                    &scopes,
                    ctx.now,
                )
                .await
                .map(|new| new.merged_over(tokens))
            }
            Renewal::ExchangeAccessToken { .. } => Err(FlowError::Config(
                "this platform's adapter must renew the token itself".into(),
            )),
            Renewal::Reauthorize => Err(FlowError::Config(format!(
                "{} tokens cannot be renewed without signing in again",
                ctx.descriptor.display_name
            ))),
        }
    }

    /// RFC 7009 at the revocation endpoint, refresh token first (which ends the grant).
    async fn revoke(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let flow = ctx.flow()?;
        let Some(url) = &flow.revoke_url else {
            return Ok(Revoked::NotSupported);
        };
        match &tokens.refresh_token {
            Some(rt) => client::revoke(ctx.http, url, flow, ctx.app, rt, "refresh_token").await?,
            None => {
                client::revoke(
                    ctx.http,
                    url,
                    flow,
                    ctx.app,
                    &tokens.access_token,
                    "access_token",
                )
                .await?
            }
        }
        Ok(Revoked::AtProvider)
    }

    /// Who signed in: the ID token's claims, else the profile endpoint (OIDC userinfo
    /// shape: `sub`, `name`, `email`).
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        if let Some(url) = &ctx.descriptor.identity.profile_url {
            let body = client::get_json(
                ctx.http,
                url,
                client::ApiAuth::Bearer(&tokens.access_token),
                &[],
                &ctx.app.secrets(),
            )
            .await?;
            return Ok(oidc_identity(&body));
        }
        Ok(tokens
            .id_token_claims()
            .map(|c| oidc_identity(&c))
            .unwrap_or_default())
    }
}

/// `sub` and a display name from OIDC claims or a userinfo answer.
pub fn oidc_identity(claims: &Map<String, Value>) -> Identity {
    let s = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
    Identity {
        account_id: s("sub"),
        name: s("name").or(s("email")).or(s("preferred_username")),
        accounts: Vec::new(),
    }
}

/// An adapter that does everything the standard way (generic OAuth 2.0 / OIDC providers).
pub struct Standard;

impl Adapter for Standard {}
