//! LinkedIn: Marketing (Advertising API) and Community Management (page posts).

mod adapter;
mod publish;

pub use adapter::{LinkedIn, LINKEDIN_VERSION};
pub use publish::{escape, LinkedInPublisher};

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange, DAY,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "linkedin".into(),
        display_name: "LinkedIn".into(),
        docs_url:
            "https://learn.microsoft.com/linkedin/shared/authentication/programmatic-refresh-tokens"
                .into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: "Sign In with LinkedIn using OpenID Connect" answers userinfo for the
        // `openid profile` scopes; `adAccountUsers?q=authenticatedUser` lists the ad accounts
        // the member has a role on (Marketing API, versioned `/rest` endpoints).
        identity: IdentityEndpoints {
            profile_url: Some("https://api.linkedin.com/v2/userinfo".into()),
            accounts_url: Some(
                "https://api.linkedin.com/rest/adAccountUsers?q=authenticatedUser".into(),
            ),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.linkedin.com/oauth/v2/authorization".into(),
            token_url: "https://www.linkedin.com/oauth/v2/accessToken".into(),
            revoke_url: None,
            // why: the standard 3-legged flow has no PKCE (Nango sets `disable_pkce`); the
            // native PKCE flow must be enabled per app by LinkedIn
            // (https://learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow-native).
            pkce: Pkce::NotSupported,
            // why: LinkedIn reads the secret from the body; Arctic notes Basic seems unsupported.
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            // why: userinfo needs the OpenID Connect scopes, whatever else is asked.
            base_scopes: &["openid", "profile"],
            // why: an agency posts to its clients' company pages (the organization scopes of
            // the Community Management API) and sometimes as a person (`w_member_social`);
            // https://learn.microsoft.com/linkedin/marketing/increasing-access.
            scopes: &[
                (Capability::ReadCampaigns, &["r_ads", "r_ads_reporting"]),
                (Capability::ManageCampaigns, &["rw_ads"]),
                (
                    Capability::Publish,
                    &[
                        "w_organization_social",
                        "r_organization_social",
                        "w_member_social",
                    ],
                ),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(60 * DAY),
                // why: only approved apps (Marketing Developer Platform / Advertising API) get
                // refresh tokens; 365 days from consent, not extended by refreshing (docs_url).
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Seconds(365 * DAY),
                    fixed_expiry: true,
                    rotates: false,
                    resend: &[],
                },
                idle_revocation: None,
            },
            // why: sources disagree on http loopback for the standard flow: one project found
            // it https-only (profullstack/mynaposter v0.3.1), others register http://localhost
            // (https://better-auth.com/docs/authentication/linkedin). Exact-match loopback on
            // fixed ports is the default, a relay the fallback.
            redirects: &[LOOPBACK_FIXED_PORTS, RedirectKind::HttpsRelay],
            default_redirect: LOOPBACK_FIXED_PORTS,
        })),
    }
}
