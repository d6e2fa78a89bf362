//! Bing Webmaster Tools.

mod adapter;

pub use adapter::BingWebmaster;

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "bing_webmaster".into(),
        display_name: "Bing Webmaster Tools".into(),
        docs_url: "https://learn.microsoft.com/bingwebmaster/oauth2".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: the JSON API's `GetUserSites` lists the user's sites (`d[].Url`); Bing has no
        // call that says who the user is, so there is no profile endpoint.
        identity: IdentityEndpoints {
            profile_url: None,
            accounts_url: Some("https://ssl.bing.com/webmaster/api.svc/json/GetUserSites".into()),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.bing.com/webmasters/oauth/authorize".into(),
            // why: Nango refreshes at www.bing.com/webmasters/token, but Microsoft's page
            // (docs_url) names one token endpoint for both grants; that one is used.
            token_url: "https://www.bing.com/webmasters/oauth/token".into(),
            revoke_url: None,
            // why: unverified whether Bing enforces PKCE; Nango sends S256 by default.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            base_scopes: &[],
            scopes: &[(Capability::ReadSearchData, &["webmaster.read"])],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Unknown,
                // why: rotation is unverified; treating the token as rotating is the safe
                // reading (store the newest, refresh one at a time).
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Unknown,
                    fixed_expiry: false,
                    rotates: true,
                    resend: &[],
                },
                idle_revocation: None,
            },
            // why: the redirect must match the registered URI; whether http loopback is
            // accepted is unverified, so the fixed-port loopback is the default and a relay
            // the fallback.
            redirects: &[LOOPBACK_FIXED_PORTS, RedirectKind::HttpsRelay],
            default_redirect: LOOPBACK_FIXED_PORTS,
        })),
    }
}
