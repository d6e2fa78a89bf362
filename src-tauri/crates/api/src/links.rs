//! Links in and out: the deep links the OS hands us, and the URLs we hand the OS.

use crate::error::ApiError;
use serde::Serialize;
use url::Url;

/// The private-use URI scheme (RFC 8252 §7.1: reverse DNS of a domain we control).
pub const DEEP_LINK_SCHEME: &str = "dev.switchboard.app";
const MAX_DEEP_LINK_LEN: usize = 4096;
const CALLBACK_PARAMS: [&str; 7] = [
    "code",
    "state",
    "error",
    "error_description",
    "error_uri",
    "iss",
    "scope",
];

/// A deep link that passed validation. Values are kept out of Debug output: an OAuth
/// code is a credential until it is exchanged.
#[derive(Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `dev.switchboard.app://oauth/callback?code=…&state=…` (or `error=…&state=…`).
    OAuthCallback { params: Vec<(String, String)> },
}

impl std::fmt::Debug for DeepLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeepLink::OAuthCallback { params } => {
                let keys: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
                write!(f, "OAuthCallback {{ keys: {keys:?} }}")
            }
        }
    }
}

impl DeepLink {
    pub fn param(&self, key: &str) -> Option<&str> {
        match self {
            DeepLink::OAuthCallback { params } => params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str()),
        }
    }
}

fn reject(why: impl Into<String>) -> ApiError {
    ApiError::new(
        "deep_link_rejected",
        format!("Ignored a link: {}", why.into()),
    )
}

/// Validate a deep link strictly: exact scheme, host and path; known parameters only,
/// each at most once; `state` and one of `code`/`error` present; bounded length.
pub fn parse_deep_link(raw: &str) -> Result<DeepLink, ApiError> {
    if raw.len() > MAX_DEEP_LINK_LEN {
        return Err(reject(format!(
            "it is longer than {MAX_DEEP_LINK_LEN} bytes"
        )));
    }
    let url = Url::parse(raw).map_err(|e| reject(format!("it is not a valid URL ({e})")))?;
    if url.scheme() != DEEP_LINK_SCHEME {
        return Err(reject(format!("unknown scheme '{}'", url.scheme())));
    }
    if !url.username().is_empty() || url.password().is_some() || url.port().is_some() {
        return Err(reject("it carries user info or a port"));
    }
    if url.fragment().is_some() {
        return Err(reject("it has a fragment"));
    }
    match (url.host_str(), url.path()) {
        (Some("oauth"), "/callback") => {}
        // The host and path are not echoed: a misrouted link may carry a code there.
        _ => {
            return Err(reject(
                "unknown destination (only oauth/callback is accepted)",
            ))
        }
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in url.query_pairs() {
        if !CALLBACK_PARAMS.contains(&k.as_ref()) {
            return Err(reject(format!(
                "unexpected parameter '{}'",
                k.chars().take(32).collect::<String>()
            )));
        }
        if params.iter().any(|(seen, _)| seen == k.as_ref()) {
            return Err(reject(format!("parameter '{k}' appears twice")));
        }
        if v.is_empty() {
            return Err(reject(format!("parameter '{k}' is empty")));
        }
        params.push((k.into_owned(), v.into_owned()));
    }
    let has = |k: &str| params.iter().any(|(p, _)| p == k);
    if !has("state") {
        return Err(reject("the sign-in callback has no state"));
    }
    if has("code") == has("error") {
        return Err(reject(
            "the sign-in callback needs exactly one of code or error",
        ));
    }
    Ok(DeepLink::OAuthCallback { params })
}

/// What the UI is told about a deep link: never its parameter values.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DeepLinkReport {
    pub accepted: bool,
    pub message: String,
}

/// Only `https:` URLs (and `http:` on loopback) may be opened in the system browser;
/// `file:`, `smb:`, `javascript:` and custom handlers never are.
pub fn check_external_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw).map_err(|_| ApiError::invalid("That is not a valid URL."))?;
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("[::1]") | Some("localhost")
    );
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        other => Err(ApiError::new(
            "url_not_allowed",
            format!("Switchboard only opens https links (not '{other}:')."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_well_formed_callback() {
        let l = parse_deep_link("dev.switchboard.app://oauth/callback?code=abc&state=xyz")
            .expect("valid");
        assert_eq!(l.param("code"), Some("abc"));
        assert_eq!(l.param("state"), Some("xyz"));
        let e =
            parse_deep_link("dev.switchboard.app://oauth/callback?error=access_denied&state=xyz")
                .expect("valid");
        assert_eq!(e.param("error"), Some("access_denied"));
    }

    #[test]
    fn debug_output_hides_values() {
        let l = parse_deep_link("dev.switchboard.app://oauth/callback?code=SECRETCODE&state=xyz")
            .unwrap();
        assert!(!format!("{l:?}").contains("SECRETCODE"));
    }

    #[test]
    fn rejects_malformed_links() {
        let long = format!(
            "dev.switchboard.app://oauth/callback?state=s&code={}",
            "a".repeat(5000)
        );
        let cases = [
            "not a url",
            "https://oauth/callback?code=a&state=b",
            "dev.switchboard.app://evil/callback?code=a&state=b",
            "dev.switchboard.app://oauth/other?code=a&state=b",
            "dev.switchboard.app://oauth/callback?code=a",
            "dev.switchboard.app://oauth/callback?state=b",
            "dev.switchboard.app://oauth/callback?code=a&error=x&state=b",
            "dev.switchboard.app://oauth/callback?code=a&code=b&state=c",
            "dev.switchboard.app://oauth/callback?code=a&state=b&redirect=https://x",
            "dev.switchboard.app://oauth/callback?code=&state=b",
            "dev.switchboard.app://oauth/callback?code=a&state=b#frag",
            "dev.switchboard.app://user:pw@oauth/callback?code=a&state=b",
            long.as_str(),
        ];
        for c in cases {
            let err = parse_deep_link(c).expect_err(c);
            assert_eq!(err.code, "deep_link_rejected", "{c}");
        }
    }

    #[test]
    fn external_url_allowlist() {
        assert!(check_external_url("https://business.facebook.com/settings").is_ok());
        assert!(check_external_url("http://127.0.0.1:8080/x").is_ok());
        for bad in [
            "file:///etc/passwd",
            "http://example.com",
            "javascript:alert(1)",
            "smb://host/share",
            "ms-msdt:x",
            "dev.switchboard.app://oauth/callback",
        ] {
            assert!(check_external_url(bad).is_err(), "{bad} must be refused");
        }
    }
}
