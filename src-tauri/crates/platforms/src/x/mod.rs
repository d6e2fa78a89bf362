//! X (formerly Twitter), OAuth 2.0 as a "Native App".

mod adapter;
mod publish;

pub use adapter::X;
pub use publish::XPublisher;

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RefreshRule, Renewal, SignIn, TokenExchange, HOUR,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "x".into(),
        display_name: "X".into(),
        docs_url: "https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code"
            .into(),
        // why: a "Native App" is a public client (client id in the body, no secret); a
        // confidential one would use Basic (https://docs.x.com/fundamentals/developer-apps).
        app_credentials: &[CredentialField::ClientId],
        // why: `users/me` answers `data{id, name, username}` and needs `tweet.read` and
        // `users.read` (X API v2 reference).
        identity: IdentityEndpoints {
            profile_url: Some("https://api.x.com/2/users/me".into()),
            accounts_url: None,
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://x.com/i/oauth2/authorize".into(),
            token_url: "https://api.x.com/2/oauth2/token".into(),
            // why: the revocation URL is from Arctic (pilcrowonpaper/arctic v3), still on the
            // api.twitter.com host, which keeps answering beside api.x.com.
            revoke_url: Some("https://api.twitter.com/2/oauth2/revoke".into()),
            pkce: Pkce::Required,
            client_auth: ClientAuth::None,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            // why: without `offline.access` there is no refresh token (docs_url); the
            // profile call needs `tweet.read` and `users.read`.
            base_scopes: &["offline.access", "tweet.read", "users.read"],
            // why: the v2 media upload endpoints need `media.write` with an OAuth 2.0 user
            // token (https://docs.x.com/x-api/media/quickstart/media-upload-chunked).
            scopes: &[
                (
                    Capability::Publish,
                    &["tweet.read", "tweet.write", "users.read", "media.write"],
                ),
                (Capability::ReadProfile, &["users.read"]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(2 * HOUR),
                // why: whether X rotates refresh tokens is unverified; they are treated as
                // single-use, the safe reading.
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Unknown,
                    fixed_expiry: false,
                    rotates: true,
                    resend: &[],
                },
                idle_revocation: None,
            },
            // why: X matches callback URLs exactly, trailing slash and port included, allows
            // at most 10, and wants `http://127.0.0.1` rather than localhost
            // (https://docs.x.com/fundamentals/developer-apps): fixed ports, each registered.
            redirects: &[LOOPBACK_FIXED_PORTS],
            default_redirect: LOOPBACK_FIXED_PORTS,
        })),
    }
}
