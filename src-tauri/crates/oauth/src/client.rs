//! Talking to token endpoints and platform APIs over HTTP.
//!
//! The standard code exchange and refresh are built by the `oauth2` crate (form body,
//! Basic or body client authentication, PKCE verifier). Its HTTP client is a shim over
//! `reqwest` that records the raw answer and smooths over the quirks real providers have
//! (no `token_type`, a 201 status), as the crate's maintainer recommends; the response is
//! then read by [`TokenSet::from_json`]. Revocation (RFC 7009) is a plain form POST, so it
//! also works against an http loopback emulator.

use crate::token::{error_from_body, FlowError, TokenSet};
use crate::{ClientAuth, OAuthFlow};
use chrono::{DateTime, Utc};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, PkceCodeVerifier, RedirectUrl,
    RefreshToken, Scope, TokenUrl,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The credentials of the user's own app registration with a provider.
#[derive(Clone, Default)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub developer_token: Option<SecretString>,
    pub login_customer_id: Option<String>,
    pub api_key: Option<SecretString>,
    pub site_id: Option<String>,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("login_customer_id", &self.login_customer_id)
            .field("site_id", &self.site_id)
            .finish_non_exhaustive()
    }
}

impl AppCredentials {
    /// Every secret of the app, for redaction.
    pub fn secrets(&self) -> Vec<&SecretString> {
        [&self.client_secret, &self.developer_token, &self.api_key]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// The HTTP client every provider call goes through: no redirects (a token endpoint that
/// redirects is refused, RFC 9700 §4.11), bounded time, a product user agent.
pub fn http_client(extra_roots: &[reqwest::Certificate]) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION")));
    for root in extra_roots {
        builder = builder.add_root_certificate(root.clone());
    }
    builder.build().expect("the TLS backend initialises")
}

/// The shim as a closure whose futures own what they use (so they are `Send`).
fn owning_shim(
    http: &reqwest::Client,
    seen: &Arc<Mutex<Raw>>,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send>,
> {
    let http = http.clone();
    let seen = seen.clone();
    move |req| {
        let http = http.clone();
        let seen = seen.clone();
        Box::pin(async move { shim(&http, &seen, req).await })
    }
}

#[derive(Default)]
struct Raw {
    status: u16,
    retry_after: Option<u64>,
    body: Vec<u8>,
}

/// Send the request `oauth2` built, remember the raw answer, and hand `oauth2` a
/// normalised one.
async fn shim(
    http: &reqwest::Client,
    seen: &Arc<Mutex<Raw>>,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let (parts, body) = request.into_parts();
    let mut headers = parts.headers;
    headers.insert(
        reqwest::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(headers)
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let bytes = response.bytes().await?.to_vec();
    let mut normalised = bytes.clone();
    let mut status_out = status.as_u16();
    if status.is_success() {
        status_out = 200;
        if let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&bytes) {
            m.entry("token_type")
                .or_insert(Value::String("bearer".into()));
            normalised = serde_json::to_vec(&m).unwrap_or(bytes.clone());
        }
    }
    *seen.lock().expect("not poisoned") = Raw {
        status: status.as_u16(),
        retry_after,
        body: bytes,
    };
    Ok(http::Response::builder()
        .status(status_out)
        .header("content-type", "application/json")
        .body(normalised)
        .expect("a valid response"))
}

pub fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// An `oauth2` client with the authorization and token endpoints set.
type CodeClient = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn oauth_client(flow: &OAuthFlow, app: &AppCredentials) -> Result<CodeClient, FlowError> {
    let config = |e: url::ParseError| FlowError::Config(format!("bad endpoint: {e}"));
    let mut client = BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_auth_uri(AuthUrl::new(flow.authorize_url.clone()).map_err(config)?)
        .set_token_uri(TokenUrl::new(flow.token_url.clone()).map_err(config)?)
        .set_auth_type(match flow.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::RequestBody | ClientAuth::None => AuthType::RequestBody,
        });
    if flow.client_auth != ClientAuth::None {
        if let Some(secret) = &app.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().into()));
        }
    }
    Ok(client)
}

/// Read what the shim recorded into tokens or the provider's error.
fn outcome(
    seen: &Arc<Mutex<Raw>>,
    sent: Result<(), String>,
    secrets: &[&SecretString],
    now: DateTime<Utc>,
) -> Result<TokenSet, FlowError> {
    let raw = std::mem::take(&mut *seen.lock().expect("not poisoned"));
    if raw.status == 0 {
        return Err(FlowError::Transport(
            sent.err().unwrap_or_else(|| "no answer".into()),
        ));
    }
    if !(200..300).contains(&raw.status) {
        return Err(error_from_body(
            raw.status,
            raw.retry_after,
            &raw.body,
            secrets,
        ));
    }
    parse_token_body(&raw.body, now)
}

/// A token endpoint's successful body, as tokens.
pub fn parse_token_body(body: &[u8], now: DateTime<Utc>) -> Result<TokenSet, FlowError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => TokenSet::from_json(&m, now),
        Ok(_) => Err(FlowError::Malformed(
            "the token response is not a JSON object".into(),
        )),
        Err(e) => Err(FlowError::Malformed(format!(
            "the token response is not JSON ({e})"
        ))),
    }
}

/// A transport failure without its URL: a GET exchange carries secrets in its query.
fn transport(e: reqwest::Error) -> String {
    e.without_url().to_string()
}

/// `oauth2`'s error wraps the shim's; it is used only when nothing was answered.
fn oauth_transport(
    e: oauth2::RequestTokenError<reqwest::Error, oauth2::basic::BasicErrorResponse>,
) -> String {
    match e {
        oauth2::RequestTokenError::Request(inner) => transport(inner),
        _ => "the answer could not be read".into(),
    }
}

/// RFC 6749 §4.1.3: exchange a code (with its PKCE verifier) for tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    flow: &OAuthFlow,
    app: &AppCredentials,
    code: &SecretString,
    verifier: Option<&SecretString>,
    redirect_uri: &str,
    now: DateTime<Utc>,
) -> Result<TokenSet, FlowError> {
    let client = oauth_client(flow, app)?.set_redirect_uri(
        RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| FlowError::Config(format!("bad redirect URI: {e}")))?,
    );
    let seen = Arc::new(Mutex::new(Raw::default()));
    let mut request = client.exchange_code(AuthorizationCode::new(code.expose_secret().into()));
    if let Some(v) = verifier {
        request = request.set_pkce_verifier(PkceCodeVerifier::new(v.expose_secret().into()));
    }
    let send = owning_shim(http, &seen);
    let sent = request
        .request_async(&send)
        .await
        .map(|_| ())
        .map_err(oauth_transport);
    let mut secrets = app.secrets();
    secrets.push(code);
    outcome(&seen, sent, &secrets, now)
}

/// RFC 6749 §6: a new access token from the refresh token.
pub async fn refresh(
    http: &reqwest::Client,
    flow: &OAuthFlow,
    app: &AppCredentials,
    refresh_token: &SecretString,
    extra: &[(&str, &str)],
    scopes: &[String],
    now: DateTime<Utc>,
) -> Result<TokenSet, FlowError> {
    let client = oauth_client(flow, app)?;
    let seen = Arc::new(Mutex::new(Raw::default()));
    let token = RefreshToken::new(refresh_token.expose_secret().into());
    let mut request = client.exchange_refresh_token(&token);
    for s in scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    for (k, v) in extra {
        request = request.add_extra_param(*k, *v);
    }
    let send = owning_shim(http, &seen);
    let sent = request
        .request_async(&send)
        .await
        .map(|_| ())
        .map_err(oauth_transport);
    let mut secrets = app.secrets();
    secrets.push(refresh_token);
    outcome(&seen, sent, &secrets, now)
}

/// RFC 7009 revocation: a form POST with the token and a type hint, authenticated the way
/// the token endpoint is.
pub async fn revoke(
    http: &reqwest::Client,
    url: &str,
    flow: &OAuthFlow,
    app: &AppCredentials,
    token: &SecretString,
    hint: &str,
) -> Result<(), FlowError> {
    let mut form: Vec<(&str, &str)> =
        vec![("token", token.expose_secret()), ("token_type_hint", hint)];
    let mut request = http.post(url);
    match (flow.client_auth, &app.client_secret) {
        (ClientAuth::Basic, Some(secret)) => {
            request = request.basic_auth(&app.client_id, Some(secret.expose_secret()));
        }
        (ClientAuth::RequestBody, Some(secret)) => {
            form.push(("client_id", &app.client_id));
            form.push(("client_secret", secret.expose_secret()));
        }
        _ => form.push(("client_id", &app.client_id)),
    }
    let response = request
        .form(&form)
        .send()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    let status = response.status().as_u16();
    let after = retry_after(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let mut secrets = app.secrets();
    secrets.push(token);
    Err(error_from_body(status, after, &body, &secrets))
}

/// How a platform API call authenticates.
pub enum ApiAuth<'a> {
    /// `Authorization: Bearer …` (RFC 6750 §2.1; never a query parameter).
    Bearer(&'a SecretString),
    /// A named header carrying the token as is (TikTok Ads `Access-Token`, Wix API keys).
    Header(&'static str, &'a SecretString),
}

/// GET a platform API URL and return its JSON object, or the platform's error.
pub async fn get_json(
    http: &reqwest::Client,
    url: &str,
    auth: ApiAuth<'_>,
    headers: &[(&'static str, &str)],
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    let mut request = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json");
    let token = match auth {
        ApiAuth::Bearer(t) => {
            request = request.bearer_auth(t.expose_secret());
            t
        }
        ApiAuth::Header(name, t) => {
            request = request.header(name, t.expose_secret());
            t
        }
    };
    for (name, value) in headers {
        let name = HeaderName::from_static(name);
        request = request.header(name, *value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    let status = response.status().as_u16();
    let after = retry_after(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    let mut all = secrets.to_vec();
    all.push(token);
    if !(200..300).contains(&status) {
        return Err(error_from_body(status, after, &body, &all));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(FlowError::Malformed(format!(
            "{} did not answer with a JSON object",
            url.split('?').next().unwrap_or(url)
        ))),
    }
}

/// POST a JSON body and return the JSON object answered (TikTok Ads' token endpoint).
pub async fn post_json(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    send_for_json(http.post(url).json(body), secrets).await
}

/// POST a form and return the JSON object answered (non-standard exchanges).
pub async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    send_for_json(http.post(url).form(form), secrets).await
}

/// GET with a query (Meta's and Instagram's long-lived exchanges are GET requests).
pub async fn get_query(
    http: &reqwest::Client,
    url: &str,
    query: &[(&str, &str)],
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    send_for_json(http.get(url).query(query), secrets).await
}

/// Send asking for JSON; the answer's object, or the platform's error.
async fn send_for_json(
    request: reqwest::RequestBuilder,
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    let response = request
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    read_json(response, secrets).await
}

async fn read_json(
    response: reqwest::Response,
    secrets: &[&SecretString],
) -> Result<Map<String, Value>, FlowError> {
    let status = response.status().as_u16();
    let after = retry_after(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| FlowError::Transport(transport(e)))?;
    if !(200..300).contains(&status) {
        return Err(error_from_body(status, after, &body, secrets));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(FlowError::Malformed(
            "the answer is not a JSON object".into(),
        )),
    }
}
