//! Where Instagram Login departs from the standards: the code exchange answers with a
//! 1 h token (flat, or wrapped in `data[]`) that is swapped at once for a 60-day one with
//! `ig_exchange_token`, and that token is renewed with `ig_refresh_token` only once it is a
//! day old. The code exchange host answers errors in Instagram's legacy shape; the Graph
//! host in Graph's.

use crate::graph;
use crate::http::{self, Answer, ISSUED_AT};
use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_oauth::{
    redact, Adapter, Ctx, FlowError, Identity, ProviderError, Renewal, TokenExchange, TokenSet,
};

/// Instagram Login (professional accounts).
pub struct Instagram;

#[async_trait]
impl Adapter for Instagram {
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        verifier: Option<&SecretString>,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        let TokenExchange::InstagramIgExchange { long_lived_url } = &flow.token_exchange else {
            return Err(FlowError::Config(
                "Instagram's descriptor has no long-lived exchange".into(),
            ));
        };
        let secret = http::client_secret(ctx)?;
        let mut secrets = ctx.app.secrets();
        secrets.push(code);
        secrets.extend(verifier);
        let mut form = vec![
            ("client_id", ctx.app.client_id.as_str()),
            ("client_secret", secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code.expose_secret()),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        let answer = http::send(ctx.http.post(&flow.token_url).form(&form)).await?;
        if !answer.is_success() {
            return Err(oauth_error(&answer, &secrets));
        }
        let short = ShortLived::read(&answer.object()?)?;
        secrets.push(&short.token);
        // why: `ig_exchange_token` needs the app secret and a still-valid short token; the
        // answer is `{access_token, token_type, expires_in}` for 60 days
        // (https://developers.facebook.com/documentation/instagram-platform/reference/access_token).
        let long = graph::get(
            ctx.http,
            long_lived_url,
            &[
                ("grant_type", "ig_exchange_token"),
                ("client_secret", secret.expose_secret()),
                ("access_token", short.token.expose_secret()),
            ],
            &secrets,
        )
        .await?;
        let mut tokens = TokenSet::from_json(&long, ctx.now)?;
        tokens.scopes = tokens.scopes.or(short.permissions);
        if let Some(user_id) = short.user_id {
            tokens
                .extra
                .insert("user_id".into(), Value::String(user_id));
        }
        tokens.extra.insert(ISSUED_AT.into(), issued(ctx.now));
        Ok(tokens)
    }

    async fn refresh(
        &self,
        ctx: &Ctx<'_>,
        tokens: &TokenSet,
        _redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        let Renewal::ExchangeAccessToken { url, min_age } = &flow.refresh.renewal else {
            return Err(FlowError::Config(
                "Instagram's descriptor has no token renewal".into(),
            ));
        };
        if tokens.expires_at.is_some_and(|at| at <= ctx.now) {
            // why: only an unexpired token can be renewed (docs_url of the descriptor).
            return Err(FlowError::provider(
                401,
                "expired_token",
                Some("an expired Instagram token cannot be renewed; reconnect".into()),
            ));
        }
        if let Some(issued) = issued_at(tokens) {
            let earliest = issued + Duration::seconds(*min_age as i64);
            if ctx.now < earliest {
                // why: `ig_refresh_token` refuses tokens younger than 24 h (IG1); asking
                // earlier would only earn an error from Instagram.
                return Err(FlowError::Config(format!(
                    "the Instagram token can be renewed from {} (a day after it was issued)",
                    earliest.to_rfc3339_opts(SecondsFormat::Secs, true)
                )));
            }
        }
        let token = &tokens.access_token;
        let answer = graph::get(
            ctx.http,
            url,
            &[
                ("grant_type", "ig_refresh_token"),
                ("access_token", token.expose_secret()),
            ],
            &graph::with(&ctx.app.secrets(), token),
        )
        .await?;
        let mut renewed = TokenSet::from_json(&answer, ctx.now)?;
        let mut extra = tokens.extra.clone();
        extra.extend(std::mem::take(&mut renewed.extra));
        extra.insert(ISSUED_AT.into(), issued(ctx.now));
        renewed.extra = extra;
        Ok(renewed.merged_over(tokens))
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let me = graph::get_bearer(
            ctx.http,
            http::profile_url(ctx)?,
            &tokens.access_token,
            &ctx.app.secrets(),
        )
        .await?;
        Ok(Identity {
            account_id: http::text(me.get("user_id")).or_else(|| http::text(me.get("id"))),
            name: http::text(me.get("username")),
            accounts: Vec::new(),
        })
    }
}

fn issued(now: DateTime<Utc>) -> Value {
    Value::String(now.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// When the stored token was issued, from `extra.issued_at`. Without it the renewal is
/// simply tried, and Instagram decides.
fn issued_at(tokens: &TokenSet) -> Option<DateTime<Utc>> {
    let raw = tokens.extra.get(ISSUED_AT)?.as_str()?;
    DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The short-lived answer of the code exchange.
struct ShortLived {
    token: SecretString,
    user_id: Option<String>,
    permissions: Option<Vec<String>>,
}

impl ShortLived {
    /// `{access_token, user_id, permissions}`, or the same inside `data[0]` (the shape
    /// Instagram's current reference shows).
    fn read(body: &Map<String, Value>) -> Result<Self, FlowError> {
        let inner = http::objects(body.get("data")).next().unwrap_or(body);
        let token = http::text(inner.get("access_token")).ok_or_else(|| {
            FlowError::Malformed("Instagram's code exchange returned no access_token".into())
        })?;
        let permissions = match inner.get("permissions") {
            Some(Value::String(s)) => Some(s.split(',').map(|p| p.trim().to_owned()).collect()),
            Some(Value::Array(a)) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => None,
        };
        Ok(Self {
            token: SecretString::from(token),
            user_id: http::text(inner.get("user_id")),
            permissions,
        })
    }
}

/// The code exchange host answers `{error_type, code, error_message}`; a message about the
/// code (spent, expired, not found) means the user starts over.
fn oauth_error(answer: &Answer, secrets: &[&SecretString]) -> FlowError {
    let json = answer.json();
    let Some(message) = json
        .as_ref()
        .and_then(|v| v.get("error_message"))
        .and_then(Value::as_str)
    else {
        return graph::error(answer, secrets);
    };
    let kind = json
        .as_ref()
        .and_then(|v| v.get("error_type"))
        .and_then(Value::as_str)
        .unwrap_or("OAuthException");
    // why: Instagram reports a used or unknown code as an OAuthException with HTTP 400 and
    // only the message tells it apart ("This authorization code has been used", "Matching
    // code was not found or was already used", in public code handling these answers).
    let about_the_code = message.to_ascii_lowercase().contains("code");
    FlowError::Provider(ProviderError {
        status: answer.status,
        error: if about_the_code {
            "invalid_grant".into()
        } else {
            kind.into()
        },
        description: Some(redact(message, secrets)),
        retry_after: answer.retry_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_oauth::ErrorClass;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_short_lived_answer_is_read_flat_or_wrapped() {
        let flat = ShortLived::read(&obj(serde_json::json!(
            {"access_token": "s1", "user_id": 17841400000000001_u64, "permissions": ["a", "b"]}
        )))
        .unwrap();
        assert_eq!(flat.token.expose_secret(), "s1");
        assert_eq!(
            flat.user_id.as_deref(),
            Some("17841400000000001"),
            "a numeric id is kept exactly"
        );
        assert_eq!(flat.permissions.unwrap(), ["a", "b"]);

        let wrapped = ShortLived::read(&obj(serde_json::json!(
            {"data": [{"access_token": "s2", "user_id": "99", "permissions": "a,b"}]}
        )))
        .unwrap();
        assert_eq!(wrapped.token.expose_secret(), "s2");
        assert_eq!(wrapped.user_id.as_deref(), Some("99"));
        assert_eq!(wrapped.permissions.unwrap(), ["a", "b"]);

        assert!(matches!(
            ShortLived::read(&obj(serde_json::json!({"data": []}))),
            Err(FlowError::Malformed(_))
        ));
    }

    #[test]
    fn legacy_errors_about_the_code_are_dead_grants() {
        let answer = |msg: &str| {
            Answer {
            status: 400,
            retry_after: None,
            body: serde_json::to_vec(
                &serde_json::json!({"error_type": "OAuthException", "code": 400, "error_message": msg}),
            )
            .unwrap(),
        }
        };
        let used = oauth_error(&answer("This authorization code has been used"), &[]);
        assert_eq!(used.class(), ErrorClass::GrantDead, "{used}");
        let app = oauth_error(&answer("Invalid platform app"), &[]);
        assert_eq!(app.class(), ErrorClass::Permanent, "{app}");
    }
}
