//! One provider's sign-in, described as data.

use crate::origin::is_secure_endpoint;
use crate::refresh::{RefreshRule, Renewal};
use crate::OAuthError;
use serde::Serialize;
use std::borrow::Cow;
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderDescriptor {
    /// Stable slug stored with every connection: lowercase ASCII letters, digits and `_`.
    pub id: Cow<'static, str>,
    pub display_name: Cow<'static, str>,
    /// The provider's own documentation the facts come from.
    pub docs_url: Cow<'static, str>,
    /// What the user copies from the provider's developer portal into Switchboard.
    pub app_credentials: &'static [CredentialField],
    pub sign_in: SignIn,
    /// The platform API calls that say who signed in and which accounts they reach.
    pub identity: IdentityEndpoints,
}

/// Where a platform says who the token belongs to; both are rewritten by endpoint
/// overrides like every other endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IdentityEndpoints {
    /// The signed-in user or account (its stable id is what the wrong-account guard compares).
    pub profile_url: Option<String>,
    /// The ad accounts, sites or pages the grant reaches, which the user links to clients.
    pub accounts_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignIn {
    /// OAuth 2.0 authorization-code grant in the system browser (RFC 8252).
    #[serde(rename = "oauth")]
    OAuth(Box<OAuthFlow>),
    /// No consent redirect at all: the user pastes credentials created on the platform (Wix).
    ApiKeyOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuthFlow {
    pub authorize_url: String,
    pub token_url: String,
    /// RFC 7009 revocation endpoint, where the provider has one.
    pub revoke_url: Option<String>,
    pub pkce: Pkce,
    pub client_auth: ClientAuth,
    /// The name of the client identifier in the authorize URL (`client_id` unless told).
    pub client_id_param: &'static str,
    /// How scopes are joined in the `scope` parameter; `None` when they are chosen in the
    /// provider's developer portal and the URL carries none (TikTok Ads).
    pub scope_separator: Option<&'static str>,
    /// Requested on every sign-in (e.g. `offline_access`, without which there is no refresh token).
    pub base_scopes: &'static [&'static str],
    /// The scopes each capability needs; a capability not listed is not offered.
    pub scopes: &'static [(Capability, &'static [&'static str])],
    pub extra_authorize_params: &'static [(&'static str, &'static str)],
    pub token_exchange: TokenExchange,
    pub refresh: RefreshRule,
    /// The redirect kinds the provider accepts, and the one Switchboard uses unless told.
    pub redirects: &'static [RedirectKind],
    pub default_redirect: RedirectKind,
}

/// PKCE (RFC 7636), always S256 when sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pkce {
    /// The provider refuses a code exchange without a verifier.
    Required,
    /// Sent (RFC 9700 §2.1.1: a public client uses it wherever it can); whether the provider
    /// enforces it may be unknown, so `state` stays mandatory.
    Supported,
    /// Not sent: the provider's flow has no place for it.
    NotSupported,
}

/// How the client proves itself at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic `client_id:client_secret` (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` as request parameters.
    RequestBody,
    /// Public client: the client identifier only, no secret.
    None,
}

/// What a connection can be used for; each maps to the provider's scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Campaigns, ad sets, ads and their reports.
    ReadCampaigns,
    /// Create and change campaigns and ads.
    ManageCampaigns,
    /// Post to pages, profiles, boards or blogs.
    Publish,
    /// Search analytics (Search Console, Bing Webmaster).
    ReadSearchData,
    /// Who signed in, so a reconnect to a different account is noticed.
    ReadProfile,
}

/// The code exchange, where it departs from RFC 6749 §4.1.3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenExchange {
    /// A form POST of the code to `token_url`.
    Standard,
    /// Standard, then `grant_type=fb_exchange_token` at `token_url` with the app secret turns
    /// the ~1 h token into a ~60-day one.
    MetaShortToLongLived,
    /// Standard (a 1 h token), then `grant_type=ig_exchange_token` at `long_lived_url` with
    /// the app secret for a 60-day one.
    InstagramIgExchange { long_lived_url: String },
    /// Standard, except the client identifier is sent as `client_key`.
    TikTokClientKey,
    /// The callback carries `auth_code`; the exchange POSTs JSON `{app_id, secret, auth_code}`
    /// and the answer is wrapped in `{code, message, data}`.
    TikTokAdsJsonDataWrapper,
}

/// Where the provider may send the browser back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectKind {
    /// `http://127.0.0.1:{port}/…` (RFC 8252 §7.3; the IP literal, never `localhost`).
    /// `any_port`: the provider ignores the loopback port (or takes a registered `*`), so the
    /// OS picks it. Otherwise Switchboard listens on the first free port of `fixed_ports`,
    /// each of which the user registers with the provider.
    Loopback {
        any_port: bool,
        fixed_ports: &'static [u16],
    },
    /// The app's private-use URI scheme (RFC 8252 §7.1), delivered as a deep link.
    CustomScheme,
    /// An https page the agency hosts that hands the code to Switchboard; it can also keep a
    /// secret the provider wants kept server-side.
    HttpsRelay,
}

/// A value the user enters for their own app registration with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialField {
    ClientId,
    ClientSecret,
    /// Sent as a header on every API call (Google Ads, Microsoft Advertising).
    DeveloperToken,
    /// Optional: the manager (MCC) account the client accounts are reached through.
    LoginCustomerId,
    ApiKey,
    SiteId,
}

impl ProviderDescriptor {
    /// Every URL Switchboard calls for this provider; endpoint overrides rewrite exactly these.
    pub fn endpoints(&self) -> Vec<&str> {
        let mut all: Vec<&str> = match &self.sign_in {
            SignIn::OAuth(flow) => flow.endpoints().into_iter().map(|e| &**e).collect(),
            SignIn::ApiKeyOnly => Vec::new(),
        };
        all.extend(self.identity.profile_url.as_deref());
        all.extend(self.identity.accounts_url.as_deref());
        all
    }

    pub(crate) fn endpoints_mut(&mut self) -> Vec<&mut String> {
        let mut all = match &mut self.sign_in {
            SignIn::OAuth(flow) => flow.endpoints_mut(),
            SignIn::ApiKeyOnly => Vec::new(),
        };
        all.extend(self.identity.profile_url.as_mut());
        all.extend(self.identity.accounts_url.as_mut());
        all
    }

    /// The OAuth flow, unless the provider signs in with an API key only.
    pub fn oauth(&self) -> Option<&OAuthFlow> {
        match &self.sign_in {
            SignIn::OAuth(flow) => Some(flow),
            SignIn::ApiKeyOnly => None,
        }
    }

    /// Check the facts hang together: a well-formed id, secure endpoints, a default
    /// redirect that is accepted, and scopes for every capability offered.
    pub fn validate(&self) -> Result<(), OAuthError> {
        let invalid = |reason: String| OAuthError::InvalidDescriptor {
            provider: self.id.to_string(),
            reason,
        };
        let slug = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        if self.id.is_empty() || !self.id.chars().all(slug) {
            return Err(invalid("the id is not a lowercase slug".into()));
        }
        for endpoint in self.endpoints() {
            match Url::parse(endpoint) {
                Ok(url) if is_secure_endpoint(&url) => {}
                Ok(_) => return Err(invalid(format!("endpoint '{endpoint}' is not https"))),
                Err(e) => return Err(invalid(format!("endpoint '{endpoint}': {e}"))),
            }
        }
        let has = |field| self.app_credentials.contains(&field);
        let SignIn::OAuth(flow) = &self.sign_in else {
            return Ok(());
        };
        if !has(CredentialField::ClientId) {
            return Err(invalid("an OAuth app needs a client id".into()));
        }
        if flow.client_auth == ClientAuth::None && has(CredentialField::ClientSecret) {
            return Err(invalid("a public client has no secret to enter".into()));
        }
        if flow.client_auth == ClientAuth::RequestBody && !has(CredentialField::ClientSecret) {
            return Err(invalid(
                "the token request sends a secret nobody enters".into(),
            ));
        }
        if !flow.redirects.contains(&flow.default_redirect) {
            return Err(invalid(
                "the default redirect is not an accepted one".into(),
            ));
        }
        for redirect in flow.redirects {
            if let RedirectKind::Loopback {
                any_port,
                fixed_ports,
            } = redirect
            {
                let has_fixed_ports = !fixed_ports.is_empty();
                if *any_port == has_fixed_ports {
                    return Err(invalid(
                        "a loopback redirect needs any port or fixed ports, not both".into(),
                    ));
                }
            }
        }
        for (i, (capability, scopes)) in flow.scopes.iter().enumerate() {
            if flow.scopes[..i].iter().any(|(c, _)| c == capability) {
                return Err(invalid(format!("{capability:?} is listed twice")));
            }
            if flow.scope_separator.is_some() == scopes.is_empty() {
                return Err(invalid(format!(
                    "{capability:?} must list scopes exactly when they go in the URL"
                )));
            }
        }
        if flow.scope_separator.is_none() && !flow.base_scopes.is_empty() {
            return Err(invalid("base scopes need a scope separator".into()));
        }
        Ok(())
    }
}

impl OAuthFlow {
    fn endpoints(&self) -> Vec<&String> {
        let mut all = vec![&self.authorize_url, &self.token_url];
        all.extend(&self.revoke_url);
        if let TokenExchange::InstagramIgExchange { long_lived_url } = &self.token_exchange {
            all.push(long_lived_url);
        }
        if let Renewal::ExchangeAccessToken { url, .. } = &self.refresh.renewal {
            all.push(url);
        }
        all
    }

    fn endpoints_mut(&mut self) -> Vec<&mut String> {
        let mut all = vec![&mut self.authorize_url, &mut self.token_url];
        all.extend(&mut self.revoke_url);
        if let TokenExchange::InstagramIgExchange { long_lived_url } = &mut self.token_exchange {
            all.push(long_lived_url);
        }
        if let Renewal::ExchangeAccessToken { url, .. } = &mut self.refresh.renewal {
            all.push(url);
        }
        all
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::refresh::{Lifetime, DAY, HOUR};

    /// A provider using every kind of endpoint, for tests in this crate.
    pub(crate) fn sample() -> ProviderDescriptor {
        ProviderDescriptor {
            id: "sample".into(),
            display_name: "Sample".into(),
            docs_url: "https://docs.example.com/oauth".into(),
            identity: IdentityEndpoints::default(),
            app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
            sign_in: SignIn::OAuth(Box::new(OAuthFlow {
                authorize_url: "https://www.example.com/oauth/authorize?display=page".into(),
                token_url: "https://api.example.com/oauth/token".into(),
                revoke_url: Some("https://api.example.com/oauth/revoke".into()),
                pkce: Pkce::Supported,
                client_auth: ClientAuth::RequestBody,
                client_id_param: "client_id",
                scope_separator: Some(","),
                base_scopes: &[],
                scopes: &[(Capability::Publish, &["posts:write"])],
                extra_authorize_params: &[],
                token_exchange: TokenExchange::InstagramIgExchange {
                    long_lived_url: "https://graph.example.com/access_token".into(),
                },
                refresh: RefreshRule {
                    access_token: Lifetime::Seconds(60 * DAY),
                    renewal: Renewal::ExchangeAccessToken {
                        url: "https://graph.example.com/refresh_access_token".into(),
                        min_age: 24 * HOUR,
                    },
                    idle_revocation: None,
                },
                redirects: &[RedirectKind::CustomScheme, RedirectKind::HttpsRelay],
                default_redirect: RedirectKind::CustomScheme,
            })),
        }
    }

    fn flow(d: &mut ProviderDescriptor) -> &mut OAuthFlow {
        match &mut d.sign_in {
            SignIn::OAuth(flow) => flow,
            SignIn::ApiKeyOnly => unreachable!("sample is an OAuth provider"),
        }
    }

    fn refusal(d: &ProviderDescriptor) -> String {
        d.validate().expect_err("must be refused").to_string()
    }

    #[test]
    fn endpoints_lists_every_url_of_the_flow() {
        assert_eq!(
            sample().endpoints(),
            [
                "https://www.example.com/oauth/authorize?display=page",
                "https://api.example.com/oauth/token",
                "https://api.example.com/oauth/revoke",
                "https://graph.example.com/access_token",
                "https://graph.example.com/refresh_access_token",
            ]
        );
        let mut d = sample();
        let by_ref: Vec<String> = d.endpoints().into_iter().map(String::from).collect();
        let by_mut: Vec<String> = d.endpoints_mut().into_iter().map(|e| e.clone()).collect();
        assert_eq!(by_ref, by_mut, "endpoints and endpoints_mut must agree");
    }

    #[test]
    fn serializes_with_snake_case_names() {
        let json = serde_json::to_value(sample()).expect("serializable");
        let flow = &json["sign_in"]["oauth"];
        assert_eq!(flow["pkce"], "supported");
        assert_eq!(flow["client_auth"], "request_body");
        assert_eq!(
            flow["scopes"][0],
            serde_json::json!(["publish", ["posts:write"]])
        );
        assert_eq!(flow["default_redirect"], "custom_scheme");
        assert_eq!(
            flow["refresh"]["access_token"],
            serde_json::json!({"seconds": 60 * DAY})
        );
        assert_eq!(
            json["app_credentials"],
            serde_json::json!(["client_id", "client_secret"])
        );
    }

    #[test]
    fn a_consistent_descriptor_validates() {
        sample().validate().expect("sample is consistent");
    }

    #[test]
    fn validation_refuses_inconsistent_descriptors() {
        let mut d = sample();
        d.id = "Sample Provider".into();
        assert!(refusal(&d).contains("slug"));

        let mut d = sample();
        flow(&mut d).token_url = "http://api.example.com/token".into();
        assert!(refusal(&d).contains("not https"));

        let mut d = sample();
        flow(&mut d).revoke_url = Some("not a url".into());
        assert!(refusal(&d).contains("'not a url'"));

        let mut d = sample();
        flow(&mut d).default_redirect = RedirectKind::Loopback {
            any_port: true,
            fixed_ports: &[],
        };
        assert!(refusal(&d).contains("default redirect"));

        let mut d = sample();
        flow(&mut d).redirects = &[RedirectKind::Loopback {
            any_port: true,
            fixed_ports: &[8080],
        }];
        flow(&mut d).default_redirect = flow(&mut d).redirects[0];
        assert!(refusal(&d).contains("not both"));

        let mut d = sample();
        flow(&mut d).scopes = &[(Capability::Publish, &[])];
        assert!(refusal(&d).contains("Publish"));

        let mut d = sample();
        flow(&mut d).scopes = &[(Capability::Publish, &["a"]), (Capability::Publish, &["b"])];
        assert!(refusal(&d).contains("twice"));

        let mut d = sample();
        flow(&mut d).client_auth = ClientAuth::None;
        assert!(refusal(&d).contains("public client"));

        let mut d = sample();
        d.app_credentials = &[CredentialField::ClientId];
        assert!(refusal(&d).contains("secret nobody enters"));

        let mut d = sample();
        d.app_credentials = &[CredentialField::ApiKey];
        assert!(refusal(&d).contains("client id"));
    }

    #[test]
    fn loopback_http_endpoints_are_accepted_for_emulators() {
        let mut d = sample();
        flow(&mut d).token_url = "http://127.0.0.1:8123/oauth/token".into();
        d.validate().expect("http on loopback is allowed");
    }
}
