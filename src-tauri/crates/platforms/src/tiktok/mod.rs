//! TikTok Login Kit for desktop, with the Content Posting API.

mod adapter;

pub use adapter::TikTok;

use crate::LOOPBACK_ANY_PORT;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RefreshRule, Renewal, SignIn, TokenExchange, DAY, HOUR,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "tiktok".into(),
        display_name: "TikTok".into(),
        docs_url: "https://developers.tiktok.com/doc/login-kit-desktop/".into(),
        // The client id is TikTok's "client key".
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: user info v2 answers the fields asked for, under `data.user`, for the
        // `user.info.basic` scope (https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info/).
        identity: IdentityEndpoints {
            profile_url: Some(
                "https://open.tiktokapis.com/v2/user/info/?fields=open_id,union_id,display_name"
                    .into(),
            ),
            accounts_url: None,
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.tiktok.com/v2/auth/authorize/".into(),
            token_url: "https://open.tiktokapis.com/v2/oauth/token/".into(),
            revoke_url: Some("https://open.tiktokapis.com/v2/oauth/revoke/".into()),
            // why: required for desktop and mobile apps
            // (https://developers.tiktok.com/doc/oauth-user-access-token-management).
            pkce: Pkce::Required,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_key",
            scope_separator: Some(","),
            base_scopes: &["user.info.basic"],
            // why: `video.publish` is Direct Post; `video.upload` would only leave a draft in
            // the user's inbox. Until the app passes TikTok's audit, posts are SELF_ONLY
            // (https://developers.tiktok.com/doc/content-posting-api-get-started/).
            scopes: &[
                (Capability::Publish, &["video.publish"]),
                (Capability::ReadProfile, &["user.info.basic"]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::TikTokClientKey,
            // why: TikTok's pages disagree: 24 h access / 365-day refresh on the older page
            // (https://developers.tiktok.com/doc/oauth-user-access-token-management) versus 2 h /
            // 180 days with rotation on the 2026 page
            // (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token). The newer
            // figures are used; `expires_in` and `refresh_expires_in` in each answer win anyway.
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(2 * HOUR),
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Seconds(180 * DAY),
                    fixed_expiry: false,
                    rotates: true,
                    resend: &[],
                },
                idle_revocation: None,
            },
            // why: desktop apps register http(s) loopback URIs with a required port that may be
            // the wildcard `*` (at most 10, no query or fragment, docs_url); the user registers
            // `http://127.0.0.1:*/…`, so any port works.
            redirects: &[LOOPBACK_ANY_PORT],
            default_redirect: LOOPBACK_ANY_PORT,
        })),
    }
}
