//! Where TikTok Ads departs from the standards: the code arrives as `auth_code` and is
//! exchanged as JSON `{app_id, secret, auth_code}`; every answer is wrapped in
//! `{code, message, request_id, data}` with HTTP 200 and `code != 0` for errors; API calls
//! carry the token in an `Access-Token` header; there is no refresh.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use switchboard_oauth::{
    redact, Adapter, Ctx, FlowError, Identity, ProviderError, RemoteAccount, Revoked, TokenSet,
};

use crate::http::{self, Answer};

/// TikTok Ads (Marketing API).
pub struct TikTokAds;

/// The header carrying the access token (not `Authorization: Bearer`).
const ACCESS_TOKEN: &str = "Access-Token";

#[async_trait]
impl Adapter for TikTokAds {
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        _verifier: Option<&SecretString>,
        _redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        let secret = http::client_secret(ctx)?;
        let body = json!({
            "app_id": ctx.app.client_id,
            "secret": secret.expose_secret(),
            "auth_code": code.expose_secret(),
        });
        let mut secrets = ctx.app.secrets();
        secrets.push(code);
        let answer = http::send(ctx.http.post(&flow.token_url).json(&body)).await?;
        // `data` is `{access_token, advertiser_ids, scope}`; the advertiser ids stay in `extra`.
        TokenSet::from_json(&envelope(answer, &secrets)?, ctx.now)
    }

    async fn revoke(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let flow = ctx.flow()?;
        let Some(url) = &flow.revoke_url else {
            return Ok(Revoked::NotSupported);
        };
        let secret = http::client_secret(ctx)?;
        let token = &tokens.access_token;
        let body = json!({
            "app_id": ctx.app.client_id,
            "secret": secret.expose_secret(),
            "access_token": token.expose_secret(),
        });
        let request = ctx
            .http
            .post(url)
            .header(ACCESS_TOKEN, token.expose_secret())
            .json(&body);
        let mut secrets = ctx.app.secrets();
        secrets.push(token);
        envelope(http::send(request).await?, &secrets)?;
        Ok(Revoked::AtProvider)
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let secret = http::client_secret(ctx)?;
        let token = &tokens.access_token;
        let mut secrets = ctx.app.secrets();
        secrets.push(token);
        let user = ctx
            .http
            .get(http::profile_url(ctx)?)
            .header(ACCESS_TOKEN, token.expose_secret());
        let user = envelope(http::send(user).await?, &secrets)?;
        // why: the advertiser list is asked with the app's id and secret in the query, as
        // TikTok defines `oauth2/advertiser/get/`; transport errors never show the URL.
        let advertisers = ctx
            .http
            .get(http::accounts_url(ctx)?)
            .query(&[
                ("app_id", ctx.app.client_id.as_str()),
                ("secret", secret.expose_secret()),
            ])
            .header(ACCESS_TOKEN, token.expose_secret());
        let advertisers = envelope(http::send(advertisers).await?, &secrets)?;
        let mut accounts: Vec<RemoteAccount> = http::objects(advertisers.get("list"))
            .filter_map(|a| {
                Some(RemoteAccount {
                    external_id: http::text(a.get("advertiser_id"))?,
                    name: http::text(a.get("advertiser_name")),
                    kind: "advertiser".into(),
                    currency: None,
                    manager: None,
                })
            })
            .collect();
        // The exchange named the advertisers too; any the list left out are kept, unnamed.
        let granted = tokens.extra.get("advertiser_ids").and_then(Value::as_array);
        for id in granted
            .into_iter()
            .flatten()
            .filter_map(|v| http::text(Some(v)))
        {
            if !accounts.iter().any(|a| a.external_id == id) {
                accounts.push(RemoteAccount {
                    external_id: id,
                    name: None,
                    kind: "advertiser".into(),
                    currency: None,
                    manager: None,
                });
            }
        }
        Ok(Identity {
            account_id: http::text(user.get("core_user_id")),
            name: http::text(user.get("display_name")),
            accounts,
        })
    }
}

/// The `data` of a `{code, message, request_id, data}` answer, or its error.
fn envelope(answer: Answer, secrets: &[&SecretString]) -> Result<Map<String, Value>, FlowError> {
    let status = answer.status;
    let retry_after = answer.retry_after;
    let body = answer.into_object(secrets)?;
    let Some(code) = body.get("code").and_then(Value::as_i64) else {
        return Err(FlowError::Malformed(
            "TikTok Ads answered without a code".into(),
        ));
    };
    if code != 0 {
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .map(|m| redact(m, secrets))
            .unwrap_or_default();
        return Err(FlowError::Provider(ProviderError {
            status,
            error: error_name(code),
            description: Some(format!("{message} (TikTok Ads code {code})")),
            retry_after,
        }));
    }
    Ok(match body.get("data") {
        Some(Value::Object(data)) => data.clone(),
        _ => Map::new(),
    })
}

/// TikTok Ads codes under a name the shared classification understands; others as is.
fn error_name(code: i64) -> String {
    // why: the codes are as public clients of the API handle them: 40100 too many requests,
    // 40101 invalid app id or secret, 40105 access token invalid or revoked, 40110 invalid or
    // expired auth code (its TTL is 10 minutes); 5xxxx are TikTok's own failures.
    match code {
        40100 => "rate_limited".into(),
        40101 => "invalid_client".into(),
        40105 => "invalid_token".into(),
        40110 => "invalid_grant".into(),
        50000..=59999 => "server_error".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_oauth::ErrorClass;

    fn answer(body: Value) -> Answer {
        Answer {
            status: 200,
            retry_after: None,
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    #[test]
    fn codes_other_than_zero_are_errors_under_http_200() {
        let ok = envelope(
            answer(json!({"code": 0, "message": "OK", "data": {"a": 1}})),
            &[],
        )
        .unwrap();
        assert_eq!(ok["a"], 1);
        let cases = [
            (40110, ErrorClass::GrantDead),
            (40105, ErrorClass::GrantDead),
            (40100, ErrorClass::Transient),
            (40101, ErrorClass::Permanent),
            (51000, ErrorClass::Transient),
            (40002, ErrorClass::Permanent),
        ];
        for (code, class) in cases {
            let e = envelope(
                answer(json!({"code": code, "message": "m", "request_id": "r"})),
                &[],
            )
            .expect_err("an error");
            assert_eq!(e.class(), class, "code {code}: {e}");
            assert!(
                e.to_string().contains(&code.to_string()),
                "the code stays visible: {e}"
            );
        }
        assert!(matches!(
            envelope(answer(json!({"message": "?"})), &[]),
            Err(FlowError::Malformed(_))
        ));
    }
}
