//! Instagram: Instagram Login (professional accounts, content publishing).

mod adapter;

pub use adapter::Instagram;

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange, DAY, HOUR,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "instagram".into(),
        display_name: "Instagram".into(),
        docs_url: "https://developers.facebook.com/documentation/instagram-platform/reference/access_token".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: `me` on graph.instagram.com names the professional account (`user_id`,
        // `username`); that account is itself what gets published to, so there is no list.
        identity: IdentityEndpoints {
            profile_url: Some("https://graph.instagram.com/v22.0/me?fields=user_id,username".into()),
            accounts_url: None,
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.instagram.com/oauth/authorize".into(),
            token_url: "https://api.instagram.com/oauth/access_token".into(),
            revoke_url: None,
            // why: no source says whether Instagram Login verifies PKCE; Nango sends S256
            // to it by default (providers.yaml sets no `disable_pkce`), so sending is harmless.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_id",
            scope_separator: Some(","),
            // why: the profile call needs `instagram_business_basic` whatever else is asked.
            base_scopes: &["instagram_business_basic"],
            scopes: &[
                (
                    Capability::Publish,
                    &[
                        "instagram_business_basic",
                        "instagram_business_content_publish",
                    ],
                ),
                (Capability::ReadProfile, &["instagram_business_basic"]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::InstagramIgExchange {
                long_lived_url: "https://graph.instagram.com/access_token".into(),
            },
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(60 * DAY),
                renewal: Renewal::ExchangeAccessToken {
                    url: "https://graph.instagram.com/refresh_access_token".into(),
                    min_age: 24 * HOUR,
                },
                idle_revocation: None,
            },
            // why: Instagram Login runs on the same Meta app as Facebook Login, with the same
            // https-only redirect rule outside development mode and a server-side secret.
            redirects: &[RedirectKind::HttpsRelay, LOOPBACK_FIXED_PORTS],
            default_redirect: RedirectKind::HttpsRelay,
        })),
    }
}
