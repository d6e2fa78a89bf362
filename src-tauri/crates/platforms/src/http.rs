//! HTTP that the shared helpers of `switchboard_oauth::client` do not cover: token calls
//! with platform-specific bodies or headers, answers that carry an error under HTTP 200,
//! and error shapes read from the raw body. Every call goes through the client the caller
//! passes in; transport errors never carry the URL (some queries hold secrets).

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_oauth::client::{self, retry_after, ApiAuth};
use switchboard_oauth::{error_from_body, Ctx, FlowError};
use url::Url;

/// The most pages of accounts read for one identity call; an account list longer than
/// this is cut (and logged) rather than followed forever.
pub(crate) const MAX_PAGES: usize = 20;

/// A platform's answer, read whole.
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as a JSON object; anything else means the answer was not understood.
    pub fn object(&self) -> Result<Map<String, Value>, FlowError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(FlowError::Malformed(
                "the answer is not a JSON object".into(),
            )),
            Err(e) => Err(FlowError::Malformed(format!(
                "the answer is not JSON ({e})"
            ))),
        }
    }

    /// The error, read the generic way (RFC 6749, `{error: {…}}`, `{code, message}`), with
    /// every secret of the request redacted.
    pub fn error(&self, secrets: &[&SecretString]) -> FlowError {
        error_from_body(self.status, self.retry_after, &self.body, secrets)
    }

    /// The JSON object of a successful answer, or the error read the generic way.
    pub fn into_object(self, secrets: &[&SecretString]) -> Result<Map<String, Value>, FlowError> {
        if self.is_success() {
            self.object()
        } else {
            Err(self.error(secrets))
        }
    }

    /// A token endpoint's answer: its JSON object, unless it is an error. Reddit and TikTok
    /// may answer errors with HTTP 200, so an object with an `error` and no `access_token`
    /// is an error whatever the status.
    pub fn into_token_object(
        self,
        secrets: &[&SecretString],
    ) -> Result<Map<String, Value>, FlowError> {
        let body = self.into_object(secrets)?;
        let has_error = body
            .get("error")
            .is_some_and(|e| !e.is_null() && e.as_str() != Some(""));
        if has_error && !body.contains_key("access_token") {
            return Err(self_error(&body, secrets));
        }
        Ok(body)
    }
}

/// An error carried by a successful HTTP answer.
fn self_error(body: &Map<String, Value>, secrets: &[&SecretString]) -> FlowError {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    error_from_body(200, None, &bytes, secrets)
}

/// Send a request and read the whole answer.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<Answer, FlowError> {
    let response = request
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response.bytes().await.map_err(transport)?.to_vec();
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}

fn transport(e: reqwest::Error) -> FlowError {
    FlowError::Transport(e.without_url().to_string())
}

/// HTTP Basic client authentication, each part form-encoded first (RFC 6749 §2.3.1). A
/// client without a secret (Reddit's installed apps) sends an empty password.
pub(crate) fn basic_auth(
    request: reqwest::RequestBuilder,
    client_id: &str,
    secret: Option<&SecretString>,
) -> reqwest::RequestBuilder {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let password = secret
        .map(|s| encode(s.expose_secret()))
        .unwrap_or_default();
    request.basic_auth(encode(client_id), Some(password))
}

/// GET a platform API with `Authorization: Bearer` and return its JSON object.
pub(crate) async fn get_bearer(
    ctx: &Ctx<'_>,
    url: &str,
    token: &SecretString,
    headers: &[(&'static str, &str)],
) -> Result<Map<String, Value>, FlowError> {
    client::get_json(
        ctx.http,
        url,
        ApiAuth::Bearer(token),
        headers,
        &ctx.app.secrets(),
    )
    .await
}

/// The descriptor's profile endpoint.
pub(crate) fn profile_url<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, FlowError> {
    ctx.descriptor
        .identity
        .profile_url
        .as_deref()
        .ok_or_else(|| missing(ctx, "profile"))
}

/// The descriptor's accounts endpoint.
pub(crate) fn accounts_url<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, FlowError> {
    ctx.descriptor
        .identity
        .accounts_url
        .as_deref()
        .ok_or_else(|| missing(ctx, "accounts"))
}

fn missing(ctx: &Ctx<'_>, what: &str) -> FlowError {
    FlowError::Config(format!(
        "{} has no {what} endpoint configured",
        ctx.descriptor.display_name
    ))
}

/// The app's client secret, for platforms whose exchange cannot work without it.
pub(crate) fn client_secret<'a>(ctx: &'a Ctx<'_>) -> Result<&'a SecretString, FlowError> {
    ctx.app.client_secret.as_ref().ok_or_else(|| {
        FlowError::Config(format!(
            "{} needs the app's client secret; enter it in the app credentials",
            ctx.descriptor.display_name
        ))
    })
}

/// A JSON value as text: platforms send ids as strings or as numbers.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The objects of a JSON array field (`data`, `items`, `sites`, …), or none.
pub(crate) fn objects<'a>(
    v: Option<&'a Value>,
) -> impl Iterator<Item = &'a Map<String, Value>> + 'a {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// Whether a paging link points at the same endpoint (origin and path) as the first page,
/// so following it sends the token nowhere else.
pub(crate) fn same_endpoint(first: &str, next: &str) -> bool {
    match (Url::parse(first), Url::parse(next)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && a.path() == b.path(),
        _ => false,
    }
}

/// Whether the grant may hold one of `scopes`: true when the token answer did not say
/// which scopes were granted (then the platform decides).
pub(crate) fn may_have_scope(tokens: &switchboard_oauth::TokenSet, scopes: &[&str]) -> bool {
    tokens
        .scopes
        .as_ref()
        .is_none_or(|granted| granted.iter().any(|g| scopes.contains(&g.as_str())))
}

/// The moment a token was issued, as an RFC 3339 string for `TokenSet::extra`.
pub(crate) const ISSUED_AT: &str = "issued_at";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_must_stay_on_the_same_endpoint() {
        let first = "https://graph.facebook.com/v22.0/me/adaccounts?fields=id&limit=100";
        assert!(same_endpoint(
            first,
            "https://graph.facebook.com/v22.0/me/adaccounts?fields=id&after=abc"
        ));
        for elsewhere in [
            "https://evil.example/v22.0/me/adaccounts?after=abc",
            "http://graph.facebook.com/v22.0/me/adaccounts?after=abc",
            "https://graph.facebook.com:8443/v22.0/me/adaccounts",
            "https://graph.facebook.com/v22.0/me/permissions",
            "not a url",
        ] {
            assert!(
                !same_endpoint(first, elsewhere),
                "{elsewhere} must not be followed"
            );
        }
    }

    #[test]
    fn ids_are_read_as_text_whether_strings_or_numbers() {
        let v = serde_json::json!({"a": "17841", "b": 17841, "c": "", "d": null});
        assert_eq!(text(v.get("a")).as_deref(), Some("17841"));
        assert_eq!(text(v.get("b")).as_deref(), Some("17841"));
        assert_eq!(text(v.get("c")), None, "an empty id is no id");
        assert_eq!(text(v.get("d")), None);
    }

    #[test]
    fn an_error_under_http_200_is_an_error() {
        let answer = Answer {
            status: 200,
            retry_after: None,
            body: br#"{"error": "invalid_grant"}"#.to_vec(),
        };
        let e = answer.into_token_object(&[]).expect_err("an error body");
        assert_eq!(e.class(), switchboard_oauth::ErrorClass::GrantDead, "{e}");

        let ok = Answer {
            status: 200,
            retry_after: None,
            body: br#"{"access_token": "a", "error": ""}"#.to_vec(),
        };
        assert!(
            ok.into_token_object(&[]).is_ok(),
            "an empty error is no error"
        );
    }
}
