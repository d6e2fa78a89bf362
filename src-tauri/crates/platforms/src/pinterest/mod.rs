//! Pinterest (API v5): pins, boards and ads.

mod adapter;

pub use adapter::Pinterest;

use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange, DAY,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "pinterest".into(),
        display_name: "Pinterest".into(),
        docs_url: "https://developers.pinterest.com/docs/getting-started/authentication/".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: `user_account` names the account (`username`, and `id` where answered);
        // `ad_accounts` lists ad accounts as `items[]`, paged with `bookmark` (API v5 reference).
        identity: IdentityEndpoints {
            profile_url: Some("https://api.pinterest.com/v5/user_account".into()),
            accounts_url: Some("https://api.pinterest.com/v5/ad_accounts".into()),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://www.pinterest.com/oauth/".into(),
            token_url: "https://api.pinterest.com/v5/oauth/token".into(),
            revoke_url: None,
            // why: only a third-party catalogue says Pinterest supports PKCE
            // (https://docs.alterauth.com/providers/pinterest); sending it is harmless.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::Basic,
            client_id_param: "client_id",
            // why: the research note is silent; Pinterest v5 clients in public code join scopes
            // with commas, as in the authorize example of docs_url (to re-check there).
            scope_separator: Some(","),
            // why: the profile call needs `user_accounts:read` whatever else is asked.
            base_scopes: &["user_accounts:read"],
            scopes: &[
                (Capability::ReadCampaigns, &["ads:read"]),
                (
                    Capability::Publish,
                    &["boards:read", "pins:write", "user_accounts:read"],
                ),
                (Capability::ReadProfile, &["user_accounts:read"]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(30 * DAY),
                // why: "continuous refresh" (each refresh returns a new 365-day refresh token)
                // is becoming the default (pinterest/pinterest-python-generated-api-client
                // docs/OauthApi.md, `refresh_on`); rotation is otherwise unverified, so the
                // token is treated as rotating.
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Seconds(365 * DAY),
                    fixed_expiry: false,
                    rotates: true,
                    resend: &[],
                },
                idle_revocation: None,
            },
            // why: redirect URIs are registered; the one local example registers
            // `https://localhost:{port}` (https://cdn.cdata.com/help/UPK/xls/pg_oauthcustomappcreate.htm)
            // and http loopback is unverified, so only an https relay is offered.
            redirects: &[RedirectKind::HttpsRelay],
            default_redirect: RedirectKind::HttpsRelay,
        })),
    }
}
