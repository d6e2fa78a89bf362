//! Starting an authorization: `state`, the PKCE pair, and the authorize URL.

use crate::{Capability, OAuthFlow, Pkce, TokenExchange};
use oauth2::{CsrfToken, PkceCodeChallenge};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeSet;
use url::Url;

/// Everything a new authorization needs remembered until its callback.
pub struct FlowStart {
    /// 32 random bytes, base64url: single use, bound to the flow in the vault.
    pub state: String,
    /// The PKCE verifier (RFC 7636), when the provider takes one.
    pub verifier: Option<SecretString>,
    /// The scopes asked for, in the provider's order.
    pub scopes: Vec<String>,
    pub authorize_url: Url,
}

/// What the caller chose for this authorization.
pub struct AuthorizeRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub capabilities: &'a [Capability],
    /// Scopes the user configured beyond the descriptor's (generic providers).
    pub extra_scopes: &'a [String],
}

/// The scopes for the chosen capabilities: base scopes first, each scope once.
pub fn scopes_for(flow: &OAuthFlow, capabilities: &[Capability], extra: &[String]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let wanted = flow
        .scopes
        .iter()
        .filter(|(c, _)| capabilities.contains(c))
        .flat_map(|(_, s)| s.iter().copied());
    for scope in flow
        .base_scopes
        .iter()
        .copied()
        .chain(wanted)
        .chain(extra.iter().map(String::as_str))
    {
        if seen.insert(scope.to_owned()) {
            out.push(scope.to_owned());
        }
    }
    out
}

/// A fresh state and PKCE pair, and the URL to open in the system browser.
pub fn start(flow: &OAuthFlow, req: &AuthorizeRequest<'_>) -> Result<FlowStart, url::ParseError> {
    let state = CsrfToken::new_random_len(32).secret().clone();
    let scopes = scopes_for(flow, req.capabilities, req.extra_scopes);
    let mut url = Url::parse(&flow.authorize_url)?;
    let mut verifier = None;
    {
        let mut q = url.query_pairs_mut();
        let id_param = match flow.token_exchange {
            TokenExchange::TikTokAdsJsonDataWrapper => "app_id",
            _ => flow.client_id_param,
        };
        q.append_pair(id_param, req.client_id);
        if flow.token_exchange != TokenExchange::TikTokAdsJsonDataWrapper {
            q.append_pair("response_type", "code");
        }
        q.append_pair("redirect_uri", req.redirect_uri);
        if let Some(sep) = flow.scope_separator {
            if !scopes.is_empty() {
                q.append_pair("scope", &scopes.join(sep));
            }
        }
        q.append_pair("state", &state);
        if flow.pkce != Pkce::NotSupported {
            let (challenge, v) = PkceCodeChallenge::new_random_sha256_len(64);
            q.append_pair("code_challenge", challenge.as_str());
            q.append_pair("code_challenge_method", "S256");
            verifier = Some(SecretString::from(v.secret().clone()));
        }
        for (k, v) in flow.extra_authorize_params {
            q.append_pair(k, v);
        }
    }
    Ok(FlowStart {
        state,
        verifier,
        scopes,
        authorize_url: url,
    })
}

/// The S256 challenge of a verifier, for tests and checks.
pub fn challenge_of(verifier: &SecretString) -> String {
    let v = oauth2::PkceCodeVerifier::new(verifier.expose_secret().to_owned());
    PkceCodeChallenge::from_code_verifier_sha256(&v)
        .as_str()
        .to_owned()
}

/// The loopback redirect for a provider: an IP literal and a distinct path per provider
/// (RFC 8252 §7.3, §8.10).
pub fn loopback_redirect_uri(ip: std::net::IpAddr, port: u16, provider_id: &str) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => format!("http://{v4}:{port}/callback/{provider_id}"),
        std::net::IpAddr::V6(v6) => format!("http://[{v6}]:{port}/callback/{provider_id}"),
    }
}

/// The deep-link redirect for a provider (a distinct path per provider, RFC 8252 §8.10).
pub fn deep_link_redirect_uri(scheme: &str, provider_id: &str) -> String {
    format!("{scheme}://oauth/callback/{provider_id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::tests::sample;

    fn flow() -> OAuthFlow {
        *match sample().sign_in {
            crate::SignIn::OAuth(f) => f,
            crate::SignIn::ApiKeyOnly => unreachable!(),
        }
    }

    #[test]
    fn the_authorize_url_carries_everything() {
        let f = flow();
        let start = start(
            &f,
            &AuthorizeRequest {
                client_id: "app-1",
                redirect_uri: "http://127.0.0.1:5000/callback/sample",
                capabilities: &[Capability::Publish],
                extra_scopes: &["extra".into(), "posts:write".into()],
            },
        )
        .unwrap();
        let q: Vec<(String, String)> = start.authorize_url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("display"),
            Some("page"),
            "the descriptor's own query is kept"
        );
        assert_eq!(get("client_id"), Some("app-1"));
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("scope"), Some("posts:write,extra"));
        assert_eq!(get("state"), Some(start.state.as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        let verifier = start.verifier.expect("PKCE is supported");
        assert_eq!(
            get("code_challenge"),
            Some(challenge_of(&verifier).as_str())
        );
        assert_eq!(start.state.len(), 43, "32 bytes in base64url");
    }

    #[test]
    fn every_state_is_new() {
        let f = flow();
        let req = AuthorizeRequest {
            client_id: "a",
            redirect_uri: "http://127.0.0.1:1/cb",
            capabilities: &[],
            extra_scopes: &[],
        };
        let a = start(&f, &req).unwrap();
        let b = start(&f, &req).unwrap();
        assert_ne!(a.state, b.state);
    }

    #[test]
    fn redirect_uris_are_distinct_per_provider() {
        assert_eq!(
            loopback_redirect_uri("::1".parse().unwrap(), 80, "x"),
            "http://[::1]:80/callback/x"
        );
        assert_eq!(
            deep_link_redirect_uri("dev.switchboard.app", "reddit"),
            "dev.switchboard.app://oauth/callback/reddit"
        );
    }
}
