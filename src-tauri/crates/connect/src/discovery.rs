//! Adding a generic OAuth 2.0 / OpenID Connect provider from its discovery document
//! (OpenID Connect Discovery 1.0, RFC 8414).

use crate::error::{ConnectError, Result};
use switchboard_store::domain::CustomProvider;
use url::Url;

/// What the user typed to add a provider (also the IPC and CLI input).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, specta::Type)]
pub struct ProviderForm {
    pub display_name: String,
    /// Either a discovery URL (or issuer), or the endpoints typed by hand.
    pub discovery_url: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub revoke_url: Option<String>,
    pub userinfo_url: Option<String>,
    /// Space-separated; default `openid profile email offline_access` for OIDC servers.
    pub scopes: Option<String>,
    /// `basic`, `request_body` or `none`; default: what the server supports, preferring
    /// `none` (a desktop app is a public client, RFC 8252 §8.5).
    pub client_auth: Option<String>,
}

fn check_endpoint(what: &str, raw: &str) -> Result<String> {
    let url =
        Url::parse(raw).map_err(|_| ConnectError::Invalid(format!("the {what} is not a URL")))?;
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1") | Some("[::1]") | Some("localhost")
    );
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        _ => Err(ConnectError::Invalid(format!(
            "the {what} must be https (or http on this computer)"
        ))),
    }
}

/// A slug for the provider id from its name: `oidc_` + lowercase letters, digits, `_`.
pub fn provider_id(display_name: &str) -> String {
    let mut slug: String = display_name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while slug.contains("__") {
        slug = slug.replace("__", "_");
    }
    let slug = slug.trim_matches('_');
    format!("oidc_{}", if slug.is_empty() { "provider" } else { slug })
}

/// Fetch and check a discovery document, or take typed endpoints.
pub async fn resolve(http: &reqwest::Client, p: ProviderForm) -> Result<CustomProvider> {
    let id = provider_id(&p.display_name);
    let Some(discovery) = p.discovery_url.as_deref().filter(|s| !s.trim().is_empty()) else {
        let authorize_url = check_endpoint(
            "authorization endpoint",
            p.authorize_url.as_deref().unwrap_or(""),
        )?;
        let token_url = check_endpoint("token endpoint", p.token_url.as_deref().unwrap_or(""))?;
        return Ok(CustomProvider {
            id,
            display_name: p.display_name,
            issuer: None,
            discovery_url: None,
            authorize_url,
            token_url,
            revoke_url: p
                .revoke_url
                .as_deref()
                .map(|u| check_endpoint("revocation endpoint", u))
                .transpose()?,
            userinfo_url: p
                .userinfo_url
                .as_deref()
                .map(|u| check_endpoint("userinfo endpoint", u))
                .transpose()?,
            scopes: p.scopes.unwrap_or_default(),
            client_auth: p.client_auth.unwrap_or_else(|| "none".into()),
            created_at: String::new(),
        });
    };
    let mut url = check_endpoint("discovery URL", discovery.trim())?;
    if !url.contains("/.well-known/") {
        url = format!(
            "{}/.well-known/openid-configuration",
            url.trim_end_matches('/')
        );
    }
    let doc = fetch_public_json(http, &url).await?;
    let s = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let issuer = s("issuer")
        .ok_or_else(|| ConnectError::Invalid("the discovery document has no issuer".into()))?;
    // OpenID Connect Discovery §4.3: the issuer must be the URL the document came from.
    let expected_prefix = url.split("/.well-known/").next().unwrap_or_default();
    if issuer.trim_end_matches('/') != expected_prefix.trim_end_matches('/') {
        return Err(ConnectError::Invalid(format!(
            "the discovery document names issuer {issuer}, not {expected_prefix}; refusing it (OpenID Connect Discovery §4.3)"
        )));
    }
    let authorize_url = check_endpoint(
        "authorization endpoint",
        &s("authorization_endpoint").unwrap_or_default(),
    )?;
    let token_url = check_endpoint("token endpoint", &s("token_endpoint").unwrap_or_default())?;
    let list = |k: &str| -> Vec<String> {
        doc.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let methods = list("code_challenge_methods_supported");
    if !methods.is_empty() && !methods.iter().any(|m| m == "S256") {
        return Err(ConnectError::Invalid(
            "the provider does not support PKCE with S256".into(),
        ));
    }
    let auth_methods = list("token_endpoint_auth_methods_supported");
    let client_auth = p.client_auth.unwrap_or_else(|| {
        let supports = |m: &str| {
            auth_methods.is_empty() && m == "client_secret_basic"
                || auth_methods.iter().any(|x| x == m)
        };
        if supports("none") {
            "none".into()
        } else if supports("client_secret_basic") {
            "basic".into()
        } else {
            "request_body".into()
        }
    });
    let supported_scopes = list("scopes_supported");
    let scopes = p.scopes.unwrap_or_else(|| {
        ["openid", "profile", "email", "offline_access"]
            .into_iter()
            .filter(|s| supported_scopes.is_empty() || supported_scopes.iter().any(|x| x == s))
            .collect::<Vec<_>>()
            .join(" ")
    });
    Ok(CustomProvider {
        id,
        display_name: p.display_name,
        issuer: Some(issuer),
        discovery_url: Some(url),
        authorize_url,
        token_url,
        revoke_url: s("revocation_endpoint")
            .map(|u| check_endpoint("revocation endpoint", &u))
            .transpose()?,
        userinfo_url: s("userinfo_endpoint")
            .map(|u| check_endpoint("userinfo endpoint", &u))
            .transpose()?,
        scopes,
        client_auth,
        created_at: String::new(),
    })
}

async fn fetch_public_json(
    http: &reqwest::Client,
    url: &str,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let resp = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| {
            ConnectError::Invalid(format!(
                "could not fetch the discovery document: {}",
                e.without_url()
            ))
        })?;
    if !resp.status().is_success() {
        return Err(ConnectError::Invalid(format!(
            "the discovery document answered HTTP {}",
            resp.status().as_u16()
        )));
    }
    let bytes = resp.bytes().await.map_err(|e| {
        ConnectError::Invalid(format!(
            "could not read the discovery document: {}",
            e.without_url()
        ))
    })?;
    if bytes.len() > 512 * 1024 {
        return Err(ConnectError::Invalid(
            "the discovery document is too large".into(),
        ));
    }
    match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(ConnectError::Invalid(
            "the discovery document is not a JSON object".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs() {
        assert_eq!(provider_id("Acme SSO (EU)"), "oidc_acme_sso_eu");
        assert_eq!(provider_id("  "), "oidc_provider");
    }
}
