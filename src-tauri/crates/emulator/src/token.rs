//! The token endpoints: code exchange, refresh, Meta's and Instagram's long-lived
//! exchanges and renewal, and revocation, each with its platform's quirks.

use crate::platform::{Kind, Route, User};
use crate::server::Server;
use crate::state::{Pending, Store};
use crate::wire::{failure, ok, Call, Failure};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use switchboard_oauth::{ClientAuth, CredentialField};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The grant type a token call asks for, for the counters (known before faults apply).
pub(crate) fn grant_type(kind: Kind, call: &Call) -> String {
    match call.route {
        Route::LongLived => "ig_exchange_token".into(),
        Route::Renew => "ig_refresh_token".into(),
        // Meta's code exchange and TikTok Ads' JSON exchange carry no grant type.
        _ if kind == Kind::TikTokAds => "authorization_code".into(),
        _ => call
            .param("grant_type")
            .unwrap_or_else(|| "authorization_code".into()),
    }
}

/// Answer a call to a token route.
pub(crate) fn handle(server: &Server, call: &Call, injected_invalid_grant: bool) -> Response {
    let kind = server.spec.kind;
    let result = if injected_invalid_grant {
        Err(if grant_type(kind, call) == "authorization_code" {
            Failure::BadCode("the authorization code is no longer valid (injected)".into())
        } else {
            Failure::InvalidGrant("the grant is no longer valid (injected)".into())
        })
    } else {
        match call.route {
            Route::Token => exchange(server, call),
            Route::LongLived => ig_exchange(server, call),
            Route::Renew => ig_refresh(server, call),
            _ => Err(Failure::InvalidRequest("not a token endpoint".into())),
        }
    };
    match result {
        Ok(body) if kind == Kind::TikTokAds => ok(json!({
            "code": 0, "message": "OK", "request_id": crate::state::random_token("req"), "data": body,
        })),
        Ok(body) => ok(body),
        Err(f) => {
            if f.is_invalid_grant() {
                server.lock().stats.invalid_grants += 1;
            }
            failure(kind, call.route, f)
        }
    }
}

fn exchange(server: &Server, call: &Call) -> Result<Value, Failure> {
    let kind = server.spec.kind;
    if kind == Kind::TikTokAds && !call.is_json() {
        // why: TikTok Ads' token endpoint takes a JSON body (NangoHQ provider.client.ts).
        return Err(Failure::InvalidRequest(
            "the request body must be JSON".into(),
        ));
    }
    let client_id = authenticate(server, call)?;
    match grant_type(kind, call).as_str() {
        "authorization_code" => redeem(server, call, &client_id),
        "refresh_token" => refresh(server, call, &client_id),
        "fb_exchange_token" if kind == Kind::Meta => fb_exchange(server, call, &client_id),
        other => Err(Failure::UnsupportedGrantType(format!(
            "grant_type {other} is not supported"
        ))),
    }
}

/// Client authentication the platform's way; returns the client id.
pub(crate) fn authenticate(server: &Server, call: &Call) -> Result<String, Failure> {
    let spec = &server.spec;
    let kind = spec.kind;
    let Some(flow) = spec.descriptor.oauth() else {
        return Err(Failure::InvalidRequest("no OAuth here".into()));
    };
    let (id_key, secret_key) = match kind {
        Kind::TikTok => ("client_key", "client_secret"),
        Kind::TikTokAds => ("app_id", "secret"),
        _ => ("client_id", "client_secret"),
    };
    let body = || (call.param(id_key), call.param(secret_key));
    let confidential_public_client = flow.client_auth == ClientAuth::None
        && server
            .app
            .as_ref()
            .is_some_and(|a| a.client_secret.is_some());
    let (id, secret) = match flow.client_auth {
        // why: Reddit and Pinterest take client credentials only as HTTP Basic
        // (reddit-archive/reddit wiki oauth2; Pinterest v5 OAuth reference), and X's
        // confidential clients too.
        ClientAuth::Basic => match call.basic() {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => {
                return Err(Failure::InvalidClient(
                    "client credentials must be sent with HTTP Basic".into(),
                ))
            }
        },
        ClientAuth::None if confidential_public_client => match call.basic() {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => {
                return Err(Failure::InvalidClient(
                    "a confidential client uses HTTP Basic".into(),
                ))
            }
        },
        // Google takes either Basic or the body.
        _ if kind.is_google() && call.basic().is_some() => {
            let (id, secret) = call.basic().unwrap_or_default();
            (Some(id), Some(secret))
        }
        _ => body(),
    };
    let secret = secret.filter(|s| !s.is_empty());
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return Err(Failure::InvalidRequest(format!("{id_key} is required")));
    };
    // The offered secret is echoed back, as careless servers echo request values, so
    // that clients' redaction is exercised.
    let wrong_secret = |offered: Option<&str>| {
        Failure::InvalidClient(format!(
            "client authentication failed for secret '{}'",
            offered.unwrap_or("")
        ))
    };
    if kind == Kind::MicrosoftAds && secret.is_some() && !confidential_public_client {
        // why: Entra refuses a secret from an app registered as a public client
        // (AADSTS700025).
        return Err(Failure::InvalidClient(
            "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."
                .into(),
        ));
    }
    match &server.app {
        Some(app) => {
            if app.client_id != id {
                return Err(Failure::UnknownClient(format!(
                    "the app {id} does not exist"
                )));
            }
            if app.client_secret.as_deref() != secret.as_deref() && app.client_secret.is_some() {
                return Err(wrong_secret(secret.as_deref()));
            }
        }
        None => {
            let needs_secret = flow.client_auth != ClientAuth::None
                && spec
                    .descriptor
                    .app_credentials
                    .contains(&CredentialField::ClientSecret);
            if needs_secret && secret.is_none() {
                return Err(wrong_secret(None));
            }
        }
    }
    Ok(id)
}

/// RFC 6749 §4.1.3: a code is single use, short-lived and bound to its client, redirect
/// URI and PKCE challenge.
fn redeem(server: &Server, call: &Call, client_id: &str) -> Result<Value, Failure> {
    let kind = server.spec.kind;
    let code_param = if kind == Kind::TikTokAds {
        "auth_code"
    } else {
        "code"
    };
    let code = call
        .param(code_param)
        .ok_or_else(|| Failure::InvalidRequest(format!("{code_param} is required")))?;
    let now = server.now();
    let mut store = server.lock();
    // Descriptions echo the code, so that clients' redaction is exercised.
    if store.spent_codes.contains(&code) {
        return Err(Failure::BadCode(format!(
            "This authorization code has been used: {code}"
        )));
    }
    let Some(issued) = store.codes.remove(&code) else {
        return Err(Failure::BadCode(format!(
            "Invalid authorization code: {code}"
        )));
    };
    store.spent_codes.insert(code);
    if now - issued.issued > server.code_lifetime {
        return Err(Failure::BadCode(
            "This authorization code has expired".into(),
        ));
    }
    let auth = issued.auth;
    if auth.client_id != client_id {
        return Err(Failure::BadCode(
            "the code was issued to another client".into(),
        ));
    }
    if kind != Kind::TikTokAds && call.param("redirect_uri").as_deref() != Some(&auth.redirect_uri)
    {
        return Err(Failure::BadCode(
            "redirect_uri does not match the authorization request".into(),
        ));
    }
    if let Some(challenge) = &auth.challenge {
        let Some(verifier) = call.param("code_verifier") else {
            return Err(Failure::BadCode("Missing code verifier".into()));
        };
        let computed = switchboard_oauth::flow::challenge_of(&SecretString::from(verifier));
        if &computed != challenge {
            return Err(Failure::BadCode(
                "code_verifier does not match the code_challenge".into(),
            ));
        }
    }
    let user = server
        .spec
        .user(&issued.user)
        .cloned()
        .ok_or_else(|| Failure::BadCode("the account is gone".into()))?;
    let grant = store.new_grant(&user.id, client_id, auth.scopes.clone());
    let first_consent = store
        .consented
        .insert((client_id.to_owned(), user.id.clone()));
    Ok(issue_for_code(
        server,
        &mut store,
        grant,
        &auth,
        &user,
        first_consent,
        now,
    ))
}

/// The code exchange's answer, in the platform's shape.
fn issue_for_code(
    server: &Server,
    store: &mut Store,
    grant: usize,
    auth: &Pending,
    user: &User,
    first_consent: bool,
    now: DateTime<Utc>,
) -> Value {
    let kind = server.spec.kind;
    let space = auth.scopes.join(" ");
    let comma = auth.scopes.join(",");
    let openid = auth.scopes.iter().any(|s| s == "openid");
    match kind {
        // why: the code exchange gives a short-lived token (~1 h); the long-lived one comes
        // from `fb_exchange_token`.
        Kind::Meta => {
            let at = store.issue_access(grant, now, Some(HOUR), false);
            json!({"access_token": at, "token_type": "bearer", "expires_in": HOUR})
        }
        // why: Instagram's reference shows the short-lived answer wrapped in `data[]`.
        Kind::Instagram => {
            let at = store.issue_access(grant, now, Some(HOUR), false);
            json!({"data": [{"access_token": at, "user_id": user.id, "permissions": comma}]})
        }
        Kind::GoogleAds | Kind::GoogleSearchConsole => {
            let at = store.issue_access(grant, now, Some(HOUR - 1), false);
            let mut body = json!({
                "access_token": at, "expires_in": HOUR - 1, "scope": space, "token_type": "Bearer",
            });
            // why: a refresh token only with `access_type=offline`, and only on the first
            // consent unless `prompt=consent` (django-allauth PR #308, google-api-php-client#1686).
            if auth.offline && (auth.prompt_consent || first_consent) {
                body["refresh_token"] = json!(store.issue_refresh(grant, None));
            }
            if openid {
                body["id_token"] = json!(id_token(kind, user, &auth.client_id, now));
            }
            body
        }
        Kind::MicrosoftAds => {
            let at = store.issue_access(grant, now, Some(HOUR - 1), false);
            let mut body = json!({
                "token_type": "Bearer", "scope": space, "expires_in": HOUR - 1,
                "ext_expires_in": HOUR - 1, "access_token": at,
            });
            if auth.offline {
                body["refresh_token"] = json!(store.issue_refresh(grant, None));
            }
            if openid {
                body["id_token"] = json!(id_token(kind, user, &auth.client_id, now));
            }
            body
        }
        // why: refresh tokens last 365 days from consent, not extended by refreshing (LI1).
        Kind::LinkedIn => {
            let at = store.issue_access(grant, now, Some(60 * DAY), false);
            let expires = now + Duration::seconds(365 * DAY);
            store.grants[grant].refresh_expires = Some(expires);
            let rt = store.issue_refresh(grant, Some(expires));
            let mut body = json!({
                "access_token": at, "expires_in": 60 * DAY, "refresh_token": rt,
                "refresh_token_expires_in": 365 * DAY, "scope": comma,
            });
            if openid {
                body["id_token"] = json!(id_token(kind, user, &auth.client_id, now));
            }
            body
        }
        // why: a refresh token only with `duration=permanent` (reddit-archive wiki oauth2).
        Kind::Reddit => {
            let at = store.issue_access(grant, now, Some(HOUR), false);
            let mut body = json!({
                "access_token": at, "token_type": "bearer", "expires_in": HOUR, "scope": space,
            });
            if auth.offline {
                body["refresh_token"] = json!(store.issue_refresh(grant, None));
            }
            body
        }
        // why: flat answer with `open_id`, 2 h access and 180-day refresh tokens (TT3).
        Kind::TikTok => {
            let at = store.issue_access(grant, now, Some(2 * HOUR), false);
            let rt = store.issue_refresh(grant, Some(now + Duration::seconds(180 * DAY)));
            json!({
                "access_token": at, "expires_in": 2 * HOUR, "open_id": user.id,
                "refresh_token": rt, "refresh_expires_in": 180 * DAY, "scope": comma,
                "token_type": "Bearer",
            })
        }
        // why: a token that lives until revoked, with the advertisers the user picked
        // (https://pitchfire.app/docs/integrations/tiktok); `scope` is a list of permission ids.
        Kind::TikTokAds => {
            let at = store.issue_access(grant, now, None, true);
            let advertisers: Vec<&str> = user.accounts.iter().map(|a| a.id.as_str()).collect();
            json!({"access_token": at, "advertiser_ids": advertisers, "scope": [4, 5, 6]})
        }
        Kind::Pinterest => {
            let at = store.issue_access(grant, now, Some(30 * DAY), false);
            let rt = store.issue_refresh(grant, Some(now + Duration::seconds(365 * DAY)));
            json!({
                "access_token": at, "refresh_token": rt, "response_type": "authorization_code",
                "token_type": "bearer", "expires_in": 30 * DAY,
                "refresh_token_expires_in": 365 * DAY, "scope": comma,
            })
        }
        // why: a refresh token only with `offline.access` (X1).
        Kind::X => {
            let at = store.issue_access(grant, now, Some(2 * HOUR), false);
            let mut body = json!({
                "token_type": "bearer", "expires_in": 2 * HOUR, "access_token": at, "scope": space,
            });
            if auth.offline {
                body["refresh_token"] = json!(store.issue_refresh(grant, None));
            }
            body
        }
        Kind::BingWebmaster => {
            let at = store.issue_access(grant, now, Some(HOUR), false);
            let rt = store.issue_refresh(grant, None);
            json!({
                "access_token": at, "token_type": "bearer", "expires_in": HOUR,
                "refresh_token": rt, "scope": space,
            })
        }
        // why: the token never expires and names the blog it was granted for (ND-wp, WPC).
        Kind::WordPressCom | Kind::Wix => {
            let at = store.issue_access(grant, now, None, false);
            let blog = user.accounts.first();
            json!({
                "access_token": at, "token_type": "bearer",
                "blog_id": blog.map(|b| b.id.clone()).unwrap_or_default(),
                "blog_url": blog.map(|b| b.url.clone()).unwrap_or_default(),
                "scope": space,
            })
        }
    }
}

/// `grant_type=refresh_token`, with each platform's rotation rule.
fn refresh(server: &Server, call: &Call, client_id: &str) -> Result<Value, Failure> {
    let kind = server.spec.kind;
    let rotates_with_old_dying = matches!(kind, Kind::TikTok | Kind::X);
    if matches!(
        kind,
        Kind::Meta | Kind::Instagram | Kind::TikTokAds | Kind::WordPressCom | Kind::Wix
    ) {
        return Err(Failure::UnsupportedGrantType(
            "refresh_token is not supported".into(),
        ));
    }
    let token = call
        .param("refresh_token")
        .ok_or_else(|| Failure::InvalidRequest("refresh_token is required".into()))?;
    let now = server.now();
    let mut store = server.lock();
    let Some(record) = store.refresh.get(&token) else {
        return Err(Failure::InvalidGrant(format!(
            "Token has been expired or revoked: {token}"
        )));
    };
    let g = record.grant;
    if record.retired {
        return Err(Failure::InvalidGrant(
            "the refresh token was replaced by a newer one".into(),
        ));
    }
    if record.expires.is_some_and(|e| e <= now) {
        return Err(Failure::InvalidGrant(
            "the refresh token has expired".into(),
        ));
    }
    if store.grants[g].revoked {
        return Err(Failure::InvalidGrant(
            "Token has been expired or revoked.".into(),
        ));
    }
    if store.grants[g].client_id != client_id {
        return Err(Failure::InvalidGrant(
            "the refresh token was issued to another client".into(),
        ));
    }
    let scopes = store.grants[g].scopes.clone();
    let user = store.grants[g].user.clone();
    let space = scopes.join(" ");
    let comma = scopes.join(",");
    let openid = scopes.iter().any(|s| s == "openid");
    let user = server.spec.user(&user).cloned();
    let rotate = |store: &mut Store, expires: Option<DateTime<Utc>>| {
        if rotates_with_old_dying {
            // why: TikTok retires the old refresh token when it issues a new one (TT3); X's
            // are treated as single-use too (unverified, the descriptor's reading).
            if let Some(old) = store.refresh.get_mut(&token) {
                old.retired = true;
            }
        }
        store.issue_refresh(g, expires)
    };
    let body = match kind {
        // why: Google sends no new refresh token; the old one stays valid (GI).
        Kind::GoogleAds | Kind::GoogleSearchConsole => {
            let at = store.issue_access(g, now, Some(HOUR - 1), false);
            let mut body = json!({"access_token": at, "expires_in": HOUR - 1, "scope": space, "token_type": "Bearer"});
            if let (true, Some(u)) = (openid, &user) {
                body["id_token"] = json!(id_token(kind, u, client_id, now));
            }
            body
        }
        // why: every refresh returns a new refresh token; the previous one keeps working
        // for a while, as Microsoft's do (MS4).
        Kind::MicrosoftAds => {
            let at = store.issue_access(g, now, Some(HOUR - 1), false);
            let rt = rotate(&mut store, None);
            let mut body = json!({
                "token_type": "Bearer", "scope": space, "expires_in": HOUR - 1,
                "ext_expires_in": HOUR - 1, "access_token": at, "refresh_token": rt,
            });
            if let (true, Some(u)) = (openid, &user) {
                body["id_token"] = json!(id_token(kind, u, client_id, now));
            }
            body
        }
        // why: the same refresh token, with what is left of its fixed 365 days (LI1).
        Kind::LinkedIn => {
            let at = store.issue_access(g, now, Some(60 * DAY), false);
            let left = store.grants[g]
                .refresh_expires
                .map(|e| (e - now).num_seconds().max(0))
                .unwrap_or(365 * DAY);
            json!({
                "access_token": at, "expires_in": 60 * DAY, "refresh_token": token,
                "refresh_token_expires_in": left, "scope": comma,
            })
        }
        Kind::Reddit => {
            let at = store.issue_access(g, now, Some(HOUR), false);
            json!({"access_token": at, "token_type": "bearer", "expires_in": HOUR, "scope": space})
        }
        Kind::TikTok => {
            let at = store.issue_access(g, now, Some(2 * HOUR), false);
            let rt = rotate(&mut store, Some(now + Duration::seconds(180 * DAY)));
            json!({
                "access_token": at, "expires_in": 2 * HOUR,
                "open_id": user.as_ref().map(|u| u.id.clone()).unwrap_or_default(),
                "refresh_token": rt, "refresh_expires_in": 180 * DAY, "scope": comma,
                "token_type": "Bearer",
            })
        }
        // why: "continuous refresh" returns a new 365-day refresh token each time (PI2).
        Kind::Pinterest => {
            let at = store.issue_access(g, now, Some(30 * DAY), false);
            let rt = rotate(&mut store, Some(now + Duration::seconds(365 * DAY)));
            json!({
                "access_token": at, "refresh_token": rt, "response_type": "refresh_token",
                "token_type": "bearer", "expires_in": 30 * DAY,
                "refresh_token_expires_in": 365 * DAY, "scope": comma,
            })
        }
        Kind::X => {
            let at = store.issue_access(g, now, Some(2 * HOUR), false);
            let rt = rotate(&mut store, None);
            json!({"token_type": "bearer", "expires_in": 2 * HOUR, "access_token": at, "scope": space, "refresh_token": rt})
        }
        Kind::BingWebmaster => {
            let at = store.issue_access(g, now, Some(HOUR), false);
            let rt = rotate(&mut store, None);
            json!({"access_token": at, "token_type": "bearer", "expires_in": HOUR, "refresh_token": rt})
        }
        Kind::Meta | Kind::Instagram | Kind::TikTokAds | Kind::WordPressCom | Kind::Wix => {
            unreachable!("refused above")
        }
    };
    store.stats.refreshes += 1;
    Ok(body)
}

/// Meta's `grant_type=fb_exchange_token`: a still-valid token for a ~60-day one (FB1).
fn fb_exchange(server: &Server, call: &Call, client_id: &str) -> Result<Value, Failure> {
    let token = call
        .param("fb_exchange_token")
        .ok_or_else(|| Failure::InvalidRequest("fb_exchange_token is required".into()))?;
    let now = server.now();
    let mut store = server.lock();
    let Some(access) = store.live_access(&token, now) else {
        return Err(Failure::InvalidGrant(
            "the token to exchange is invalid or has expired".into(),
        ));
    };
    let grant = access.grant;
    if store.grants[grant].client_id != client_id {
        return Err(Failure::InvalidGrant(
            "the token belongs to another app".into(),
        ));
    }
    let at = store.issue_access(grant, now, Some(60 * DAY), true);
    Ok(json!({"access_token": at, "token_type": "bearer", "expires_in": 60 * DAY}))
}

/// The app secret a GET exchange carries (Instagram's `ig_exchange_token`).
fn check_secret(server: &Server, call: &Call) -> Result<(), Failure> {
    let offered = call.param("client_secret");
    let accepted = match (&server.app, &offered) {
        (Some(app), Some(s)) => app.client_secret.as_deref() == Some(s.as_str()),
        (None, Some(_)) => true,
        (_, None) => false,
    };
    if accepted {
        Ok(())
    } else {
        Err(Failure::InvalidClient(format!(
            "client authentication failed for secret '{}'",
            offered.unwrap_or_default()
        )))
    }
}

/// Instagram's `ig_exchange_token`: the short-lived token for a 60-day one (IG1).
fn ig_exchange(server: &Server, call: &Call) -> Result<Value, Failure> {
    if call.param("grant_type").as_deref() != Some("ig_exchange_token") {
        return Err(Failure::UnsupportedGrantType(
            "grant_type must be ig_exchange_token".into(),
        ));
    }
    check_secret(server, call)?;
    let token = call
        .param("access_token")
        .ok_or_else(|| Failure::InvalidRequest("access_token is required".into()))?;
    let now = server.now();
    let mut store = server.lock();
    let Some(access) = store.live_access(&token, now) else {
        return Err(Failure::InvalidGrant(
            "the short-lived token is invalid or has expired".into(),
        ));
    };
    if access.long_lived {
        return Err(Failure::InvalidRequest(
            "only a short-lived token can be exchanged".into(),
        ));
    }
    let grant = access.grant;
    let at = store.issue_access(grant, now, Some(60 * DAY), true);
    Ok(json!({"access_token": at, "token_type": "bearer", "expires_in": 60 * DAY}))
}

/// Instagram's `ig_refresh_token`: an unexpired long-lived token at least 24 h old for a
/// fresh 60-day one (IG1).
fn ig_refresh(server: &Server, call: &Call) -> Result<Value, Failure> {
    if call.param("grant_type").as_deref() != Some("ig_refresh_token") {
        return Err(Failure::UnsupportedGrantType(
            "grant_type must be ig_refresh_token".into(),
        ));
    }
    let token = call
        .param("access_token")
        .ok_or_else(|| Failure::InvalidRequest("access_token is required".into()))?;
    let now = server.now();
    let mut store = server.lock();
    let Some(access) = store.live_access(&token, now) else {
        return Err(Failure::InvalidGrant(
            "the token is invalid or has expired".into(),
        ));
    };
    if !access.long_lived {
        return Err(Failure::InvalidRequest(
            "only a long-lived token can be refreshed".into(),
        ));
    }
    if now - access.issued < Duration::seconds(DAY) {
        return Err(Failure::InvalidRequest(
            "the token must be at least 24 hours old to be refreshed".into(),
        ));
    }
    let grant = access.grant;
    let at = store.issue_access(grant, now, Some(60 * DAY), true);
    store.stats.refreshes += 1;
    Ok(json!({"access_token": at, "token_type": "bearer", "expires_in": 60 * DAY}))
}

/// A revocation endpoint: 200 (Reddit 204) even for unknown tokens (RFC 7009 §2.2).
pub(crate) fn revoke(server: &Server, call: &Call) -> Response {
    let kind = server.spec.kind;
    let route = call.route;
    let authenticated = match kind {
        // why: Google's revocation takes the token alone.
        Kind::GoogleAds | Kind::GoogleSearchConsole => Ok(String::new()),
        Kind::TikTokAds if !call.is_json() => Err(Failure::InvalidRequest(
            "the request body must be JSON".into(),
        )),
        _ => authenticate(server, call),
    };
    if let Err(f) = authenticated {
        return failure(kind, route, f);
    }
    let param = if kind == Kind::TikTokAds {
        "access_token"
    } else {
        "token"
    };
    let Some(token) = call.param(param) else {
        return failure(
            kind,
            route,
            Failure::InvalidRequest(format!("{param} is required")),
        );
    };
    {
        let mut store = server.lock();
        if let Some(g) = store.grant_of(&token) {
            store.grants[g].revoked = true;
        }
        store.stats.revocations += 1;
    }
    match kind {
        // why: prawcore expects 204 No Content from revoke_token.
        Kind::Reddit => StatusCode::NO_CONTENT.into_response(),
        Kind::TikTokAds => ok(
            json!({"code": 0, "message": "OK", "request_id": crate::state::random_token("req"), "data": {}}),
        ),
        Kind::X => ok(json!({"revoked": true})),
        _ => ok(json!({})),
    }
}

/// An unsigned OpenID Connect ID token (clients read, not verify, a token that came
/// straight from the token endpoint).
fn id_token(kind: Kind, user: &User, client_id: &str, now: DateTime<Utc>) -> String {
    let iss = match kind {
        Kind::MicrosoftAds => {
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"
        }
        Kind::LinkedIn => "https://www.linkedin.com/oauth",
        _ => "https://accounts.google.com",
    };
    let claims = json!({
        "iss": iss, "aud": client_id, "sub": user.id, "oid": format!("{}-oid", user.id),
        "iat": now.timestamp(), "exp": now.timestamp() + HOUR,
        "name": user.name, "email": user.email, "preferred_username": user.email,
    });
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.emulator-unsigned",
        b64(&json!({"alg": "RS256", "typ": "JWT", "kid": "emulator"})),
        b64(&claims)
    )
}
