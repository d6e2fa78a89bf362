//! The wire: a request as the handlers read it, and failures written in each platform's
//! own error shape.

use crate::platform::{Kind, Route};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{json, Map, Value};

/// One request to a platform endpoint.
pub(crate) struct Call {
    pub method: Method,
    pub route: Route,
    pub path: String,
    pub query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    json: Option<Map<String, Value>>,
    pub headers: HeaderMap,
}

impl Call {
    pub fn new(
        method: Method,
        route: Route,
        path: &str,
        query: Option<&str>,
        headers: HeaderMap,
        body: &[u8],
    ) -> Call {
        let pairs = |raw: &[u8]| -> Vec<(String, String)> {
            url::form_urlencoded::parse(raw).into_owned().collect()
        };
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (form, json) = if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => (Vec::new(), Some(m)),
                _ => (Vec::new(), None),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            (pairs(body), None)
        } else {
            (Vec::new(), None)
        };
        Call {
            method,
            route,
            path: path.to_owned(),
            query: pairs(query.unwrap_or("").as_bytes()),
            form,
            json,
            headers,
        }
    }

    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter where this request carries them: the query of a GET or DELETE, else
    /// the form or JSON body (RFC 6749 §3.2: token parameters go in the body).
    pub fn param(&self, key: &str) -> Option<String> {
        let value = if self.method == Method::GET || self.method == Method::DELETE {
            self.query(key).map(str::to_owned)
        } else if let Some(json) = &self.json {
            match json.get(key)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        } else {
            self.form
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        value.filter(|v| !v.is_empty())
    }

    pub fn is_json(&self) -> bool {
        self.json.is_some()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of `Authorization: Bearer …`.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }

    /// HTTP Basic client credentials, each part form-decoded (RFC 6749 §2.3.1).
    pub fn basic(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?;
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some((form_decode(id), form_decode(secret)))
    }

    /// `scheme://host:port` this request was sent to, for links in answers (paging).
    pub fn origin(&self) -> String {
        format!("http://{}", self.header("host").unwrap_or("127.0.0.1"))
    }
}

pub(crate) fn form_decode(s: &str) -> String {
    let bytes = s.replace('+', " ");
    let bytes = bytes.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why a call is refused, before it is written in the platform's shape.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// A missing or malformed parameter.
    InvalidRequest(String),
    /// The client id is not the registered one.
    UnknownClient(String),
    /// Client authentication failed (wrong or missing secret, wrong method).
    InvalidClient(String),
    /// An authorization code that is unknown, spent, expired or bound to something else.
    BadCode(String),
    /// A refresh token (or a token to exchange) that is unknown, retired, expired or revoked.
    InvalidGrant(String),
    UnsupportedGrantType(String),
    /// An API call without a working access token.
    InvalidToken(String),
    /// The token works but lacks a scope, or a required header is missing.
    Forbidden(String),
    RateLimited {
        retry_after: u64,
    },
    ServerError {
        status: u16,
    },
}

impl Failure {
    /// Whether this is the platform's `invalid_grant`, whatever its shape.
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Failure::BadCode(_) | Failure::InvalidGrant(_))
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: u16, body: Value) -> Response {
    json_text_response(status, body.to_string())
}

/// A JSON body already serialised (large pages written straight from structs).
pub(crate) fn json_text_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

pub(crate) fn ok(body: Value) -> Response {
    json_response(200, body)
}

/// An HTML page where JSON was expected: what a proxy or an outage page looks like.
pub(crate) fn malformed() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!DOCTYPE html><html><head><title>One moment…</title></head><body>Upstream is busy.</body></html>",
    )
        .into_response()
}

fn id() -> String {
    crate::state::random_token("log")
}

/// The failure in the platform's shape for this route.
pub(crate) fn failure(kind: Kind, route: Route, f: Failure) -> Response {
    let retry_after = match f {
        Failure::RateLimited { retry_after } => Some(retry_after),
        _ => None,
    };
    let (status, body) = match kind {
        Kind::Meta => graph(f),
        Kind::Instagram if route == Route::Token => instagram_oauth(f),
        Kind::Instagram => graph(f),
        Kind::TikTok if route.is_token() || route == Route::Revoke => tiktok_oauth(f),
        Kind::TikTok => tiktok_api(f),
        Kind::TikTokAds => tiktok_ads(f),
        Kind::Reddit if route.is_token() || route == Route::Revoke => reddit_oauth(f),
        Kind::Reddit => reddit_api(f),
        _ if route.is_token() || route == Route::Revoke => rfc(kind, f),
        Kind::GoogleAds | Kind::GoogleSearchConsole => google_api(f),
        Kind::MicrosoftAds => microsoft_api(f),
        Kind::LinkedIn => linkedin_api(f),
        Kind::X => x_api(f),
        Kind::WordPressCom => wordpress_api(f),
        Kind::Wix => wix_api(f),
        Kind::BingWebmaster => bing_api(f),
        Kind::Pinterest => pinterest_api(f),
    };
    let mut response = json_response(status, body);
    if let Some(seconds) = retry_after {
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// RFC 6749 §5.2 `{error, error_description}`, with Microsoft's AADSTS details.
fn rfc(kind: Kind, f: Failure) -> (u16, Value) {
    let (status, error, description) = match f {
        Failure::InvalidRequest(d) => (400, "invalid_request", d),
        Failure::UnknownClient(d) | Failure::InvalidClient(d) => (401, "invalid_client", d),
        Failure::BadCode(d) | Failure::InvalidGrant(d) => (400, "invalid_grant", d),
        Failure::UnsupportedGrantType(d) => (400, "unsupported_grant_type", d),
        Failure::InvalidToken(d) => (401, "invalid_token", d),
        Failure::Forbidden(d) => (403, "insufficient_scope", d),
        Failure::RateLimited { .. } => (429, "slow_down", "Too many requests".into()),
        Failure::ServerError { status } => (
            status,
            if status == 503 {
                "temporarily_unavailable"
            } else {
                "server_error"
            },
            "The service had a problem; try again later".into(),
        ),
    };
    let mut body = json!({"error": error, "error_description": description});
    if kind == Kind::MicrosoftAds {
        // why: Entra adds numeric codes and trace ids beside the RFC fields.
        body["error_codes"] = json!([70000]);
        body["trace_id"] = json!(id());
        body["correlation_id"] = json!(id());
    }
    (status, body)
}

/// Graph's `{error: {message, type, code, error_subcode, fbtrace_id}}` (Meta, Instagram's
/// graph host).
fn graph(f: Failure) -> (u16, Value) {
    let (status, code, subcode, message) = match f {
        Failure::InvalidRequest(d) | Failure::UnsupportedGrantType(d) => (400, 100, None, d),
        Failure::UnknownClient(d) => (400, 101, None, format!("Error validating application. {d}")),
        Failure::InvalidClient(d) => (400, 1, None, format!("Error validating client secret. {d}")),
        Failure::BadCode(d) => (400, 100, Some(36009), d),
        Failure::InvalidGrant(d) | Failure::InvalidToken(d) => (
            400,
            190,
            None,
            format!("Error validating access token: {d}"),
        ),
        Failure::Forbidden(d) => (403, 200, None, d),
        Failure::RateLimited { .. } => (429, 4, None, "Application request limit reached".into()),
        Failure::ServerError { status } => (
            status,
            2,
            None,
            "An unexpected error has occurred. Please retry your request later.".into(),
        ),
    };
    let mut error = json!({
        "message": message, "type": "OAuthException", "code": code, "fbtrace_id": id(),
    });
    if let Some(s) = subcode {
        error["error_subcode"] = json!(s);
    }
    (status, json!({ "error": error }))
}

/// api.instagram.com's legacy `{error_type, code, error_message}`.
fn instagram_oauth(f: Failure) -> (u16, Value) {
    let (status, message) = match f {
        Failure::BadCode(d) | Failure::InvalidGrant(d) => (
            400,
            format!("Matching code was not found or was already used ({d})"),
        ),
        Failure::InvalidRequest(d) | Failure::UnsupportedGrantType(d) => (400, d),
        Failure::UnknownClient(d) => (400, format!("Invalid platform app ({d})")),
        Failure::InvalidClient(d) => (400, format!("Invalid Client Secret ({d})")),
        Failure::InvalidToken(d) | Failure::Forbidden(d) => (400, d),
        Failure::RateLimited { .. } => (429, "Too many requests".into()),
        Failure::ServerError { status } => (status, "Oops, an error occurred.".into()),
    };
    (
        status,
        json!({"error_type": "OAuthException", "code": status, "error_message": message}),
    )
}

/// TikTok's OAuth errors: RFC names plus `log_id`, under HTTP 200 (see `token.rs`), except
/// throttling and outages.
fn tiktok_oauth(f: Failure) -> (u16, Value) {
    let (status, error, description) = match f {
        Failure::InvalidRequest(d) => (200, "invalid_request", d),
        Failure::UnknownClient(d) | Failure::InvalidClient(d) => (200, "invalid_client", d),
        Failure::BadCode(d) | Failure::InvalidGrant(d) => (200, "invalid_grant", d),
        Failure::UnsupportedGrantType(d) => (200, "unsupported_grant_type", d),
        Failure::InvalidToken(d) | Failure::Forbidden(d) => (200, "invalid_grant", d),
        Failure::RateLimited { .. } => (429, "rate_limit_exceeded", "Too many requests".into()),
        Failure::ServerError { status } => (status, "internal_error", "Internal error".into()),
    };
    (
        status,
        json!({"error": error, "error_description": description, "log_id": id()}),
    )
}

/// TikTok API v2 `{data, error: {code, message, log_id}}` with the documented statuses.
fn tiktok_api(f: Failure) -> (u16, Value) {
    let (status, code, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => {
            (401, "access_token_invalid", d)
        }
        Failure::Forbidden(d) => (401, "scope_not_authorized", d),
        Failure::RateLimited { .. } => (429, "rate_limit_exceeded", "Too many requests".into()),
        Failure::ServerError { status } => (status, "internal_error", "Internal error".into()),
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, "invalid_params", d),
    };
    (
        status,
        json!({"data": {}, "error": {"code": code, "message": message, "log_id": id()}}),
    )
}

/// TikTok Ads `{code, message, request_id, data}` under HTTP 200, except injected
/// throttling and outages.
fn tiktok_ads(f: Failure) -> (u16, Value) {
    let (status, code, message) = match f {
        Failure::InvalidRequest(d) | Failure::UnsupportedGrantType(d) => (200, 40002, d),
        Failure::UnknownClient(d) | Failure::InvalidClient(d) => (200, 40101, d),
        Failure::BadCode(d) | Failure::InvalidGrant(d) => (200, 40110, d),
        Failure::InvalidToken(d) => (200, 40105, d),
        Failure::Forbidden(d) => (200, 40001, d),
        Failure::RateLimited { .. } => (429, 40100, "Too many requests".into()),
        Failure::ServerError { status } => (status, 50000, "System error".into()),
    };
    (
        status,
        json!({"code": code, "message": message, "request_id": id(), "data": {}}),
    )
}

/// Reddit's token endpoint: a 401 without body fields for bad client credentials, and
/// `{error}` under HTTP 200 for the rest (prawcore's "Why are these OKAY responses?").
fn reddit_oauth(f: Failure) -> (u16, Value) {
    match f {
        Failure::UnknownClient(_) | Failure::InvalidClient(_) => {
            (401, json!({"message": "Unauthorized", "error": 401}))
        }
        Failure::RateLimited { .. } => (429, json!({"message": "Too Many Requests", "error": 429})),
        Failure::ServerError { status } => {
            (status, json!({"message": "Server Error", "error": status}))
        }
        Failure::BadCode(_) | Failure::InvalidGrant(_) | Failure::InvalidToken(_) => {
            (200, json!({"error": "invalid_grant"}))
        }
        Failure::UnsupportedGrantType(_) => (200, json!({"error": "unsupported_grant_type"})),
        Failure::InvalidRequest(_) | Failure::Forbidden(_) => {
            (200, json!({"error": "invalid_request"}))
        }
    }
}

fn reddit_api(f: Failure) -> (u16, Value) {
    let status = match f {
        Failure::Forbidden(_) => 403,
        Failure::RateLimited { .. } => 429,
        Failure::ServerError { status } => status,
        Failure::InvalidRequest(_) | Failure::UnsupportedGrantType(_) => 400,
        _ => 401,
    };
    let message = match status {
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        400 => "Bad Request",
        _ => "Server Error",
    };
    (status, json!({"message": message, "error": status}))
}

/// Google APIs `{error: {code, message, status}}`.
fn google_api(f: Failure) -> (u16, Value) {
    let (code, status, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => (
            401,
            "UNAUTHENTICATED",
            format!("Request had invalid authentication credentials. {d}"),
        ),
        Failure::Forbidden(d) => (403, "PERMISSION_DENIED", d),
        Failure::RateLimited { .. } => (429, "RESOURCE_EXHAUSTED", "Quota exceeded".into()),
        Failure::ServerError { status: 503 } => {
            (503, "UNAVAILABLE", "The service is unavailable".into())
        }
        Failure::ServerError { status } => {
            (status, "INTERNAL", "Internal error encountered".into())
        }
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, "INVALID_ARGUMENT", d),
    };
    (
        code,
        json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

/// Microsoft Graph `{error: {code, message, innerError}}`.
fn microsoft_api(f: Failure) -> (u16, Value) {
    let (status, code, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => {
            (401, "InvalidAuthenticationToken", d)
        }
        Failure::Forbidden(d) => (403, "Authorization_RequestDenied", d),
        Failure::RateLimited { .. } => (429, "TooManyRequests", "Too many requests".into()),
        Failure::ServerError { status } => {
            (status, "serviceNotAvailable", "Try again later".into())
        }
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, "BadRequest", d),
    };
    (
        status,
        json!({"error": {"code": code, "message": message, "innerError": {"request-id": id()}}}),
    )
}

/// LinkedIn `{status, serviceErrorCode, code, message}`.
fn linkedin_api(f: Failure) -> (u16, Value) {
    let (status, service, code, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => {
            (401, 65600, "INVALID_ACCESS_TOKEN", d)
        }
        Failure::Forbidden(d) => (403, 100, "ACCESS_DENIED", d),
        Failure::RateLimited { .. } => (
            429,
            101,
            "TOO_MANY_REQUESTS",
            "Resource level throttle limit reached".into(),
        ),
        Failure::ServerError { status } => (
            status,
            0,
            "INTERNAL_SERVER_ERROR",
            "Internal Server Error".into(),
        ),
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, 0, "BAD_REQUEST", d),
    };
    (
        status,
        json!({"status": status, "serviceErrorCode": service, "code": code, "message": message}),
    )
}

/// X API v2 problem details.
fn x_api(f: Failure) -> (u16, Value) {
    let (status, title, detail) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => {
            (401, "Unauthorized", d)
        }
        Failure::Forbidden(d) => (403, "Forbidden", d),
        Failure::RateLimited { .. } => (429, "Too Many Requests", "Too Many Requests".into()),
        Failure::ServerError { status } => {
            (status, "Service Unavailable", "Service Unavailable".into())
        }
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, "Invalid Request", d),
    };
    (
        status,
        json!({"title": title, "type": "about:blank", "status": status, "detail": detail}),
    )
}

/// WordPress.com REST `{error, message}`.
fn wordpress_api(f: Failure) -> (u16, Value) {
    let (status, error, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => (
            400,
            "invalid_token",
            format!("The OAuth2 token is invalid. {d}"),
        ),
        Failure::Forbidden(d) => (403, "unauthorized", d),
        Failure::RateLimited { .. } => (429, "rate_limit_exceeded", "Too many requests".into()),
        Failure::ServerError { status } => (status, "server_error", "Server error".into()),
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, "invalid_input", d),
    };
    (status, json!({"error": error, "message": message}))
}

/// Wix `{message, details: {applicationError: {code, description}}}`.
fn wix_api(f: Failure) -> (u16, Value) {
    let (status, code, message) = match f {
        Failure::InvalidToken(d)
        | Failure::InvalidGrant(d)
        | Failure::BadCode(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (401, "UNAUTHENTICATED", d),
        Failure::Forbidden(d) => (403, "PERMISSION_DENIED", d),
        Failure::RateLimited { .. } => (429, "RESOURCE_EXHAUSTED", "Too many requests".into()),
        Failure::ServerError { status } => (status, "UNAVAILABLE", "Service unavailable".into()),
        Failure::InvalidRequest(d) | Failure::UnsupportedGrantType(d) => {
            (400, "INVALID_ARGUMENT", d)
        }
    };
    (
        status,
        json!({"message": message, "details": {"applicationError": {"code": code, "description": message}}}),
    )
}

/// Bing Webmaster's JSON API `{ErrorCode, Message}`.
fn bing_api(f: Failure) -> (u16, Value) {
    let (status, code, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => (401, 14, d),
        Failure::Forbidden(d) => (403, 14, d),
        Failure::RateLimited { .. } => (429, 2, "ThrottleUser".into()),
        Failure::ServerError { status } => (status, 1, "InternalError".into()),
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, 3, d),
    };
    (
        status,
        json!({"ErrorCode": code, "Message": format!("ERROR!!! {message}")}),
    )
}

/// Pinterest v5 `{code, message}` (the schema is Pinterest's; the numeric codes here are
/// placeholders).
fn pinterest_api(f: Failure) -> (u16, Value) {
    let (status, message) = match f {
        Failure::InvalidToken(d) | Failure::InvalidGrant(d) | Failure::BadCode(d) => (401, d),
        Failure::Forbidden(d) => (403, d),
        Failure::RateLimited { .. } => (429, "Too many requests".into()),
        Failure::ServerError { status } => (status, "Something went wrong".into()),
        Failure::InvalidRequest(d)
        | Failure::UnsupportedGrantType(d)
        | Failure::UnknownClient(d)
        | Failure::InvalidClient(d) => (400, d),
    };
    (status, json!({"code": status, "message": message}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        let raw = base64::engine::general_purpose::STANDARD.encode("my%20app:s%3Acret");
        headers.insert("authorization", format!("Basic {raw}").parse().unwrap());
        let call = Call::new(Method::POST, Route::Token, "/t", None, headers, b"");
        assert_eq!(call.basic(), Some(("my app".into(), "s:cret".into())));
    }

    #[test]
    fn get_parameters_come_from_the_query_and_post_ones_from_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let post = Call::new(
            Method::POST,
            Route::Token,
            "/t",
            Some("code=q"),
            headers,
            b"code=b",
        );
        assert_eq!(
            post.param("code").as_deref(),
            Some("b"),
            "a token call reads its body"
        );
        let get = Call::new(
            Method::GET,
            Route::Token,
            "/t",
            Some("code=q"),
            HeaderMap::new(),
            b"",
        );
        assert_eq!(get.param("code").as_deref(), Some("q"));
    }
}
