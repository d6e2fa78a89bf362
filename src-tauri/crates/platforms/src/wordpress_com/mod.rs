//! WordPress.com (and Jetpack-connected sites through it).

mod adapter;

pub use adapter::WordPressCom;

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "wordpress_com".into(),
        display_name: "WordPress.com".into(),
        docs_url: "https://github.com/wordpress-mobile/WordPress-Android/blob/trunk/docs/wpcom-authentication.md".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: REST v1.1 `me` names the account (`ID`, `display_name`) and `me/sites` lists
        // its blogs (`sites[]{ID, name, URL}`) (https://developer.wordpress.com/docs/api/,
        // not in the research note).
        identity: IdentityEndpoints {
            profile_url: Some("https://public-api.wordpress.com/rest/v1.1/me".into()),
            accounts_url: Some("https://public-api.wordpress.com/rest/v1.1/me/sites".into()),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://public-api.wordpress.com/oauth2/authorize".into(),
            token_url: "https://public-api.wordpress.com/oauth2/token".into(),
            revoke_url: None,
            // why: unverified whether WordPress.com enforces PKCE; Nango sends S256 by default.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            base_scopes: &[],
            // why: without a scope the token is bound to the one blog picked on the consent
            // screen; `global` reaches all of the account's sites
            // (https://hexdocs.pm/wpcom/Wpcom.Oauth2.html), which a client with several
            // brand sites needs from one connection.
            scopes: &[(Capability::Publish, &["global"])],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::UntilRevoked,
                renewal: Renewal::Reauthorize,
                idle_revocation: None,
            },
            // why: a "Native client" app accepts a custom scheme (the WordPress app uses
            // `wordpress://wpcom-authorize`, docs_url), the documented choice; redirects match
            // exactly, so a fixed-port loopback is offered too (unverified).
            redirects: &[RedirectKind::CustomScheme, LOOPBACK_FIXED_PORTS],
            default_redirect: RedirectKind::CustomScheme,
        })),
    }
}
