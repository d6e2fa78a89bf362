//! Tokens and the errors providers answer with.

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::fmt;

/// The tokens of one grant. Secrets are wrapped; Debug shows only what is safe.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, if the provider said.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the refresh token stops working, if the provider said (LinkedIn, TikTok).
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// The scopes granted, when the response lists them.
    pub scopes: Option<Vec<String>>,
    /// An OpenID Connect ID token, when one came back.
    pub id_token: Option<SecretString>,
    /// Other fields of the response that are not credentials (`open_id`,
    /// `advertiser_ids`, `blog_id`, …), kept for the adapter.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "…"))
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("scopes", &self.scopes)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Keys never kept in `extra`: they are credentials or already parsed.
const NOT_EXTRA: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "token_type",
    "expires_in",
    "refresh_token_expires_in",
    "refresh_expires_in",
    "scope",
    "client_secret",
    "secret",
];

impl TokenSet {
    /// Read an RFC 6749 §5.1 token response leniently: `expires_in` as a number or a
    /// numeric string, `token_type` optional, scopes split on commas or spaces.
    pub fn from_json(body: &Map<String, Value>, now: DateTime<Utc>) -> Result<Self, FlowError> {
        let text = |k: &str| match body.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        let seconds = |k: &str| match body.get(k) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        let at = |k: &str| {
            seconds(k)
                .filter(|s| *s > 0)
                .map(|s| now + Duration::seconds(s))
        };
        let access_token = text("access_token")
            .ok_or_else(|| FlowError::Malformed("the token response has no access_token".into()))?;
        let scopes = text("scope").map(|s| {
            s.split([' ', ','])
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        });
        let extra = body
            .iter()
            .filter(|(k, _)| !NOT_EXTRA.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(TokenSet {
            access_token: SecretString::from(access_token),
            refresh_token: text("refresh_token").map(SecretString::from),
            expires_at: at("expires_in"),
            refresh_expires_at: at("refresh_token_expires_in").or(at("refresh_expires_in")),
            scopes,
            id_token: text("id_token").map(SecretString::from),
            extra,
        })
    }

    /// A renewed grant: keep the stored refresh token when the provider sent none (Google
    /// does not resend it; an empty one must never overwrite a good one).
    pub fn merged_over(mut self, previous: &TokenSet) -> TokenSet {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
            if self.refresh_expires_at.is_none() {
                self.refresh_expires_at = previous.refresh_expires_at;
            }
        }
        if self.scopes.is_none() {
            self.scopes = previous.scopes.clone();
        }
        self
    }

    /// The `sub` claim of the ID token. The token came straight from the token endpoint
    /// over TLS, so its signature need not be checked (OpenID Connect Core §3.1.3.7).
    pub fn id_token_claims(&self) -> Option<Map<String, Value>> {
        use base64::Engine as _;
        let jwt = self.id_token.as_ref()?;
        let payload = jwt.expose_secret().split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// How a failure should be handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The grant is dead (`invalid_grant`, revoked, expired): the user must reconnect.
    GrantDead,
    /// Try again later: network trouble, 5xx, 429.
    Transient,
    /// The request itself is wrong (bad client credentials, bad scope): retrying will not
    /// help; the user must fix settings.
    Permanent,
}

/// A provider's own error, kept raw so the user can see exactly what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub status: u16,
    /// The provider's error code (`invalid_grant`, `190`, `access_denied`, …).
    pub error: String,
    pub description: Option<String>,
    /// Seconds the provider asked us to wait (Retry-After, or a platform's own header).
    pub retry_after: Option<u64>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.description {
            Some(d) => write!(f, "{}: {} (HTTP {})", self.error, d, self.status),
            None => write!(f, "{} (HTTP {})", self.error, self.status),
        }
    }
}

/// Why a call to a provider failed. Messages carry no tokens or secrets: request
/// secrets are redacted from anything a provider echoes back.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FlowError {
    #[error("{0}")]
    Provider(ProviderError),
    #[error("could not reach the provider: {0}")]
    Transport(String),
    #[error("the provider's answer was not understood: {0}")]
    Malformed(String),
    #[error("{0}")]
    Config(String),
}

impl FlowError {
    pub fn class(&self) -> ErrorClass {
        match self {
            FlowError::Provider(p) => classify(p),
            FlowError::Transport(_) => ErrorClass::Transient,
            // A garbled body is usually a proxy or an outage page.
            FlowError::Malformed(_) => ErrorClass::Transient,
            FlowError::Config(_) => ErrorClass::Permanent,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            FlowError::Provider(p) => p.retry_after,
            _ => None,
        }
    }

    /// The provider's raw error text, for display.
    pub fn raw(&self) -> String {
        self.to_string()
    }

    pub fn provider(status: u16, error: impl Into<String>, description: Option<String>) -> Self {
        FlowError::Provider(ProviderError {
            status,
            error: error.into(),
            description,
            retry_after: None,
        })
    }
}

fn classify(p: &ProviderError) -> ErrorClass {
    match p.error.as_str() {
        "invalid_grant" | "access_denied" | "unauthorized" | "invalid_token" | "token_revoked"
        | "expired_token" | "190" | "UNAUTHENTICATED" => ErrorClass::GrantDead,
        "temporarily_unavailable" | "server_error" | "slow_down" | "rate_limited" => {
            ErrorClass::Transient
        }
        // The app registration is wrong (secret, client id): a settings problem, not a
        // dead grant, whatever the status code.
        "invalid_client" | "unauthorized_client" | "invalid_scope" | "invalid_request" => {
            ErrorClass::Permanent
        }
        _ if p.status == 429 || p.status >= 500 || p.status == 408 => ErrorClass::Transient,
        _ if p.status == 401 => ErrorClass::GrantDead,
        _ => ErrorClass::Permanent,
    }
}

/// Remove every secret used in a request from text a provider sent back.
pub fn redact(text: &str, secrets: &[&SecretString]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let s = s.expose_secret();
        if s.len() >= 4 {
            out = out.replace(s, "[redacted]");
        }
    }
    out
}

/// Build an error from a non-success HTTP answer: an RFC 6749 §5.2 body, a platform's own
/// JSON shape, or plain text (shortened).
pub fn error_from_body(
    status: u16,
    retry_after: Option<u64>,
    body: &[u8],
    secrets: &[&SecretString],
) -> FlowError {
    let text = redact(&String::from_utf8_lossy(body), secrets);
    let json: Option<Value> = serde_json::from_str(&text).ok();
    let (error, description) = match &json {
        Some(v) => error_fields(v),
        None => (None, None),
    };
    let error = error.unwrap_or_else(|| format!("http_{status}"));
    let description = description.or_else(|| {
        let t = text.trim();
        (!t.is_empty() && json.is_none()).then(|| t.chars().take(300).collect())
    });
    FlowError::Provider(ProviderError {
        status,
        error,
        description,
        retry_after,
    })
}

/// `{error, error_description}` (RFC 6749), `{error: {code, message}}` (Graph, Google),
/// `{code, message}` (TikTok), `{message}`.
pub fn error_fields(v: &Value) -> (Option<String>, Option<String>) {
    let s = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    match v.get("error") {
        Some(Value::String(e)) => (
            Some(e.clone()),
            s(v.get("error_description")).or(s(v.get("message"))),
        ),
        Some(obj @ Value::Object(_)) => (
            s(obj.get("status"))
                .filter(|st| st.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                .or(s(obj.get("code"))),
            s(obj.get("message")),
        ),
        _ => (s(v.get("code")), s(v.get("message"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_lenient_token_response() {
        let t = TokenSet::from_json(
            &obj(
                json!({"access_token": "a", "expires_in": "3600", "refresh_token": "r",
                        "refresh_token_expires_in": 31536000, "scope": "a,b c",
                        "open_id": "u1"}),
            ),
            now(),
        )
        .unwrap();
        assert_eq!(t.expires_at, Some(now() + Duration::hours(1)));
        assert_eq!(t.refresh_expires_at, Some(now() + Duration::days(365)));
        assert_eq!(
            t.scopes.as_deref(),
            Some(&["a".into(), "b".into(), "c".into()][..])
        );
        assert_eq!(t.extra.keys().collect::<Vec<_>>(), ["open_id"]);
        assert!(TokenSet::from_json(&obj(json!({"token_type": "bearer"})), now()).is_err());
    }

    #[test]
    fn a_renewal_without_refresh_token_keeps_the_old_one() {
        let old = TokenSet::from_json(
            &obj(json!({"access_token": "a", "refresh_token": "keep"})),
            now(),
        )
        .unwrap();
        let new = TokenSet::from_json(
            &obj(json!({"access_token": "b", "refresh_token": ""})),
            now(),
        )
        .unwrap()
        .merged_over(&old);
        assert_eq!(new.refresh_token.unwrap().expose_secret(), "keep");
    }

    #[test]
    fn errors_in_every_shape() {
        let e = error_from_body(400, None, br#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#, &[]);
        assert_eq!(
            e.to_string(),
            "invalid_grant: Token has been expired or revoked. (HTTP 400)"
        );
        assert_eq!(e.class(), ErrorClass::GrantDead);
        let e = error_from_body(400, None, br#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190}}"#, &[]);
        assert_eq!(e.class(), ErrorClass::GrantDead);
        let e = error_from_body(503, Some(7), b"<html>down</html>", &[]);
        assert_eq!(e.class(), ErrorClass::Transient);
        assert_eq!(e.retry_after(), Some(7));
        let secret = SecretString::from("CANARY-secret-echo");
        let e = error_from_body(401, None, b"bad client CANARY-secret-echo", &[&secret]);
        assert!(!e.to_string().contains("CANARY"), "{e}");
    }

    #[test]
    fn debug_hides_tokens() {
        let t = TokenSet::from_json(
            &obj(json!({"access_token": "CANARY-a", "refresh_token": "CANARY-r", "id_token": "CANARY-i"})),
            now(),
        )
        .unwrap();
        assert!(!format!("{t:?}").contains("CANARY"));
    }
}
