//! Where TikTok departs from the standards: the client identifier is `client_key` in every
//! token call, errors may come back under HTTP 200 (`{error, error_description, log_id}`),
//! revocation takes the client's credentials and the access token, and API answers carry
//! an `error` object whose `code` is `"ok"` on success.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_oauth::{
    redact, Adapter, Ctx, FlowError, Identity, ProviderError, Revoked, TokenSet,
};

use crate::http;

/// TikTok Login Kit.
pub struct TikTok;

#[async_trait]
impl Adapter for TikTok {
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        verifier: Option<&SecretString>,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let secret = http::client_secret(ctx)?;
        // why: `client_key` and `client_secret` in the form body, the verifier required for
        // desktop apps (https://developers.tiktok.com/doc/oauth-user-access-token-management).
        let mut form = vec![
            ("client_key", ctx.app.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("code", code.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        let mut secrets = ctx.app.secrets();
        secrets.push(code);
        secrets.extend(verifier);
        let body = token_call(ctx, &form, &secrets).await?;
        TokenSet::from_json(&body, ctx.now)
    }

    async fn refresh(
        &self,
        ctx: &Ctx<'_>,
        tokens: &TokenSet,
        _redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let secret = http::client_secret(ctx)?;
        let Some(refresh_token) = &tokens.refresh_token else {
            return Err(FlowError::provider(
                400,
                "invalid_grant",
                Some("TikTok issued no refresh token for this connection".into()),
            ));
        };
        let form = [
            ("client_key", ctx.app.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        let mut secrets = ctx.app.secrets();
        secrets.push(refresh_token);
        let body = token_call(ctx, &form, &secrets).await?;
        // why: the answer carries a new refresh token and the old one stops working
        // (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token), so the
        // caller must store this one before anything else.
        Ok(TokenSet::from_json(&body, ctx.now)?.merged_over(tokens))
    }

    async fn revoke(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let flow = ctx.flow()?;
        let Some(url) = &flow.revoke_url else {
            return Ok(Revoked::NotSupported);
        };
        let secret = http::client_secret(ctx)?;
        let token = &tokens.access_token;
        // why: revocation takes `client_key`, `client_secret` and the access token
        // (https://developers.tiktok.com/doc/oauth-user-access-token-management).
        let form = [
            ("client_key", ctx.app.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("token", token.expose_secret()),
        ];
        let answer = http::send(ctx.http.post(url).form(&form)).await?;
        let mut secrets = ctx.app.secrets();
        secrets.push(token);
        let body = answer.into_object(&secrets)?;
        if body
            .get("error")
            .and_then(Value::as_str)
            .is_some_and(|e| !e.is_empty())
        {
            return Err(body_error(200, &body, &secrets));
        }
        Ok(Revoked::AtProvider)
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let body =
            http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?;
        // why: API v2 answers `error.code == "ok"` on success; anything else is an error
        // even under HTTP 200 (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling).
        let code = body
            .get("error")
            .and_then(|e| e.get("code"))
            .and_then(Value::as_str);
        if code.is_some_and(|c| c != "ok") {
            let mut secrets = ctx.app.secrets();
            secrets.push(&tokens.access_token);
            return Err(body_error(200, &body, &secrets));
        }
        let user = body
            .get("data")
            .and_then(|d| d.get("user"))
            .and_then(Value::as_object)
            .ok_or_else(|| FlowError::Malformed("TikTok user info has no data.user".into()))?;
        Ok(Identity {
            account_id: http::text(user.get("open_id")),
            name: http::text(user.get("display_name")),
            accounts: Vec::new(),
        })
    }
}

/// A token call: form body, errors possibly under HTTP 200.
async fn token_call(
    ctx: &Ctx<'_>,
    form: &[(&str, &str)],
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    let flow = ctx.flow()?;
    http::send(ctx.http.post(&flow.token_url).form(form))
        .await?
        .into_token_object(secrets)
}

/// An error TikTok put in a body it answered with HTTP 200: `{error: "…"}` from OAuth, or
/// `{error: {code, message, log_id}}` from the API.
fn body_error(status: u16, body: &Map<String, Value>, secrets: &[&SecretString]) -> FlowError {
    let (error, description) = switchboard_oauth::error_fields(&Value::Object(body.clone()));
    let error = error.unwrap_or_else(|| "unknown_error".into());
    FlowError::Provider(ProviderError {
        status: documented_status(&error).unwrap_or(status),
        error,
        description: description.map(|d| redact(&d, secrets)),
        retry_after: None,
    })
}

/// The HTTP status TikTok documents for an API v2 error code, so the error is classed as
/// TikTok means it even when it arrived under HTTP 200
/// (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling).
fn documented_status(code: &str) -> Option<u16> {
    Some(match code {
        "access_token_invalid" | "scope_not_authorized" => 401,
        "rate_limit_exceeded" => 429,
        "internal_error" => 500,
        "invalid_params" => 400,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_oauth::ErrorClass;

    #[test]
    fn api_errors_under_http_200_are_classed_by_their_code() {
        let body = |code: &str| {
            serde_json::json!({"data": {}, "error": {"code": code, "message": "m", "log_id": "L"}})
                .as_object()
                .unwrap()
                .clone()
        };
        assert_eq!(
            body_error(200, &body("access_token_invalid"), &[]).class(),
            ErrorClass::GrantDead
        );
        assert_eq!(
            body_error(200, &body("rate_limit_exceeded"), &[]).class(),
            ErrorClass::Transient
        );
        assert_eq!(
            body_error(200, &body("invalid_params"), &[]).class(),
            ErrorClass::Permanent
        );
    }
}
