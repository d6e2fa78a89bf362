//! Links in and out: the deep links the OS hands us, and the URLs we hand the OS.

use crate::error::ApiError;
use serde::Serialize;
use url::Url;

/// The private-use URI scheme (RFC 8252 §7.1: reverse DNS of a domain we control).
pub const DEEP_LINK_SCHEME: &str = "dev.switchboard.app";
const MAX_DEEP_LINK_LEN: usize = 4096;
/// A deep link that passed validation. Values are kept out of Debug output: an OAuth
/// code is a credential until it is exchanged.
#[derive(Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `dev.switchboard.app://oauth/callback/<platform>?code=…&state=…` (or `error=…`).
    OAuthCallback {
        /// The platform whose redirect path the answer came back on (RFC 8252 §8.10).
        platform: String,
        /// The validated query, handed on as is.
        query: String,
    },
}

impl std::fmt::Debug for DeepLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeepLink::OAuthCallback { platform, .. } => {
                write!(f, "OAuthCallback {{ platform: {platform:?} }}")
            }
        }
    }
}

fn reject(why: impl Into<String>) -> ApiError {
    ApiError::new(
        "deep_link_rejected",
        format!("Ignored a link: {}", why.into()),
    )
}

fn is_slug(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Validate a deep link strictly: exact scheme and host, `/callback/<platform>`; the
/// query parsed by the same strict reader as every other redirect (known parameters
/// only, each once, `state` and exactly one of `code`/`error`); bounded length.
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
    let platform = match (url.host_str(), url.path().strip_prefix("/callback/")) {
        (Some("oauth"), Some(p)) if is_slug(p) => p.to_owned(),
        // The host and path are not echoed: a misrouted link may carry a code there.
        _ => {
            return Err(reject(
                "unknown destination (only oauth/callback/<platform> is accepted)",
            ))
        }
    };
    let query = url.query().unwrap_or("").to_owned();
    switchboard_oauth::callback::parse_callback_query(&query).map_err(|e| reject(e.to_string()))?;
    Ok(DeepLink::OAuthCallback { platform, query })
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
        let l = parse_deep_link("dev.switchboard.app://oauth/callback/x?code=abc&state=xyz")
            .expect("valid");
        assert_eq!(
            l,
            DeepLink::OAuthCallback {
                platform: "x".into(),
                query: "code=abc&state=xyz".into()
            }
        );
        parse_deep_link(
            "dev.switchboard.app://oauth/callback/oidc_acme?error=access_denied&state=xyz",
        )
        .expect("valid");
    }

    #[test]
    fn debug_output_hides_values() {
        let l = parse_deep_link("dev.switchboard.app://oauth/callback/x?code=SECRETCODE&state=xyz")
            .unwrap();
        assert!(!format!("{l:?}").contains("SECRETCODE"));
    }

    #[test]
    fn rejects_malformed_links() {
        let long = format!(
            "dev.switchboard.app://oauth/callback/x?state=s&code={}",
            "a".repeat(5000)
        );
        let cases = [
            "not a url",
            "https://oauth/callback?code=a&state=b",
            "dev.switchboard.app://evil/callback?code=a&state=b",
            "dev.switchboard.app://oauth/other?code=a&state=b",
            "dev.switchboard.app://oauth/callback?code=a&state=b",
            "dev.switchboard.app://oauth/callback/X?code=a&state=b",
            "dev.switchboard.app://oauth/callback/x/y?code=a&state=b",
            "dev.switchboard.app://oauth/callback/x?code=a",
            "dev.switchboard.app://oauth/callback/x?state=b",
            "dev.switchboard.app://oauth/callback/x?code=a&error=x&state=b",
            "dev.switchboard.app://oauth/callback/x?code=a&code=b&state=c",
            "dev.switchboard.app://oauth/callback/x?code=a&state=b&redirect=https://x",
            "dev.switchboard.app://oauth/callback/x?code=&state=b",
            "dev.switchboard.app://oauth/callback/x?code=a&state=b#frag",
            "dev.switchboard.app://user:pw@oauth/callback/x?code=a&state=b",
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
            "dev.switchboard.app://oauth/callback/x",
        ] {
            assert!(check_external_url(bad).is_err(), "{bad} must be refused");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: std::env::var("SB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000), ..Default::default() })]
        /// Any input: no panic; anything accepted has the exact scheme, host and a slug.
        #[test]
        fn arbitrary_links_never_panic(tail in ".{0,300}") {
            for prefix in ["dev.switchboard.app://oauth/callback/", "dev.switchboard.app://", ""] {
                let raw = format!("{prefix}{tail}");
                if let Ok(DeepLink::OAuthCallback { platform, .. }) = parse_deep_link(&raw) {
                    proptest::prop_assert!(raw.starts_with("dev.switchboard.app://oauth/callback/"));
                    proptest::prop_assert!(is_slug(&platform));
                }
            }
        }
    }
}
