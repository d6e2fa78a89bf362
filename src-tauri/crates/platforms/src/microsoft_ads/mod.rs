//! Microsoft Advertising, signed in through Microsoft Entra ID (v2 endpoints, `common` tenant).

mod adapter;

pub use adapter::MicrosoftAds;

use crate::LOOPBACK_ANY_PORT;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, ResendOnRefresh, SignIn, TokenExchange,
    DAY,
};

const MANAGE: &[&str] = &["https://ads.microsoft.com/msads.manage"];

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "microsoft_ads".into(),
        display_name: "Microsoft Advertising".into(),
        docs_url: "https://learn.microsoft.com/advertising/guides/authentication-oauth-get-tokens"
            .into(),
        // why: registered as a "Mobile and desktop applications" platform the app is a
        // public client with no secret; a "Web" platform would demand one (AADSTS70002,
        // https://learn.microsoft.com/answers/questions/968737).
        app_credentials: &[CredentialField::ClientId, CredentialField::DeveloperToken],
        // why: the ID token names the user; Microsoft Graph's OIDC userinfo is the fallback
        // when a token answer carries none. Advertising accounts come from the SOAP Customer
        // Management service, which is not part of sign-in.
        identity: IdentityEndpoints {
            profile_url: Some("https://graph.microsoft.com/oidc/userinfo".into()),
            // why: the REST form of Customer Management's GetAccountsInfo, a POST (Microsoft
            // Advertising API v13; SOAP is frozen), with the DeveloperToken header.
            accounts_url: Some(
                "https://clientcenter.api.bingads.microsoft.com/CustomerManagement/v13/AccountsInfo/Query"
                    .into(),
            ),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize".into(),
            token_url: "https://login.microsoftonline.com/common/oauth2/v2.0/token".into(),
            // why: Entra ID has no RFC 7009 endpoint; a grant is withdrawn in the account's
            // app settings.
            revoke_url: None,
            // why: Entra verifies S256 from public clients (Arctic always sends it); Nango's
            // opt-out applies to its confidential web client.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::None,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            // why: `openid profile` bring an ID token naming the user, as in Microsoft's
            // Advertising sample (MS1); without `offline_access` there is no refresh token.
            base_scopes: &["offline_access", "openid", "profile"],
            scopes: &[
                (Capability::ReadCampaigns, MANAGE),
                (Capability::ManageCampaigns, MANAGE),
                (Capability::ReadProfile, &["openid", "profile"]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Unknown,
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::UntilRevoked,
                    fixed_expiry: false,
                    rotates: true,
                    // why: Nango resends the scope on refresh (providers.yaml `refresh_params`).
                    resend: &[ResendOnRefresh::Scope],
                },
                // why: AADSTS700082 after 90 days without use
                // (https://learn.microsoft.com/answers/questions/1338428).
                idle_revocation: Some(90 * DAY),
            },
            // why: localhost/127.0.0.1 redirects match on any port; custom schemes are accepted
            // too (https://learn.microsoft.com/entra/identity-platform/reply-url), but deep-link
            // registration is unreliable on Linux, so loopback is the default.
            redirects: &[LOOPBACK_ANY_PORT, RedirectKind::CustomScheme],
            default_redirect: LOOPBACK_ANY_PORT,
        })),
    }
}
