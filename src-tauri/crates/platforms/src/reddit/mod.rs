//! Reddit, including the Ads API (`ads-api.reddit.com/api/v3`). API calls need a
//! descriptive `User-Agent`.

mod adapter;

pub use adapter::Reddit;

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, ResendOnRefresh, SignIn, TokenExchange,
    HOUR,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "reddit".into(),
        display_name: "Reddit".into(),
        docs_url: "https://github.com/reddit-archive/reddit/wiki/oauth2".into(),
        // why: an "installed app" gets no secret; it still uses Basic auth with the client
        // id and an empty password (docs_url).
        app_credentials: &[CredentialField::ClientId],
        // why: API calls go to oauth.reddit.com, not www (docs_url); `/api/v1/me` names the
        // account (`id`, `name`) and needs the `identity` scope.
        identity: IdentityEndpoints {
            profile_url: Some("https://oauth.reddit.com/api/v1/me".into()),
            // why: Reddit Ads API v3 reaches ad accounts through businesses:
            // `me/businesses`, then `businesses/{id}/ad_accounts`, both paged by
            // `pagination.next_url` (the reference's §1.7 and public v3 clients).
            accounts_url: Some("https://ads-api.reddit.com/api/v3/me/businesses".into()),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.reddit.com/api/v1/authorize".into(),
            token_url: "https://www.reddit.com/api/v1/access_token".into(),
            revoke_url: Some("https://www.reddit.com/api/v1/revoke_token".into()),
            // why: Reddit does not document PKCE (Grant and Arctic do not send it); Nango
            // sends S256 by default without harm, and `state` carries the CSRF defence.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::Basic,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            base_scopes: &["identity"],
            scopes: &[
                (Capability::ReadCampaigns, &["adsread"]),
                (Capability::ManageCampaigns, &["adsedit"]),
            ],
            // why: only `duration=permanent` yields a refresh token (docs_url).
            extra_authorize_params: &[("duration", "permanent")],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(HOUR),
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::UntilRevoked,
                    fixed_expiry: false,
                    rotates: false,
                    // why: https://python-social-auth.readthedocs.io/en/latest/backends/reddit.html
                    resend: &[ResendOnRefresh::RedirectUri],
                },
                idle_revocation: None,
            },
            // why: redirects match exactly, port included; a custom scheme was accepted in a
            // Tauri user's report (tauri-apps/plugins-workspace#1765) but deep links are
            // unreliable on Linux, so fixed-port loopback is the default.
            redirects: &[LOOPBACK_FIXED_PORTS, RedirectKind::CustomScheme],
            default_redirect: LOOPBACK_FIXED_PORTS,
        })),
    }
}
