//! TikTok Ads (Marketing API). API calls carry the token in an `Access-Token` header, not
//! `Authorization: Bearer`.

mod adapter;

pub use adapter::TikTokAds;

use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "tiktok_ads".into(),
        display_name: "TikTok Ads".into(),
        docs_url: "https://docs.redpointglobal.com/bpd/tiktok-api".into(),
        // The client id is the Marketing API "app id".
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: `user/info/` names the signed-in business user (`core_user_id`,
        // `display_name`; TikTok portal doc 1739665513181185, as used by the SocialiteProviders
        // TikTok Business provider) and `oauth2/advertiser/get/` lists the advertisers the
        // grant reaches (`data.list[]{advertiser_id, advertiser_name}`).
        identity: IdentityEndpoints {
            profile_url: Some("https://business-api.tiktok.com/open_api/v1.3/user/info/".into()),
            accounts_url: Some(
                "https://business-api.tiktok.com/open_api/v1.3/oauth2/advertiser/get/".into(),
            ),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: "https://business-api.tiktok.com/portal/auth".into(),
            token_url: "https://business-api.tiktok.com/open_api/v1.3/oauth2/access_token/".into(),
            revoke_url: Some(
                "https://business-api.tiktok.com/open_api/v1.3/oauth2/revoke_token/".into(),
            ),
            pkce: Pkce::NotSupported,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "app_id",
            // Permissions are chosen in the TikTok developer portal, not in the URL
            // (https://pitchfire.app/docs/integrations/tiktok).
            scope_separator: None,
            base_scopes: &[],
            scopes: &[
                (Capability::ReadCampaigns, &[]),
                (Capability::ManageCampaigns, &[]),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::TikTokAdsJsonDataWrapper,
            refresh: RefreshRule {
                access_token: Lifetime::UntilRevoked,
                renewal: Renewal::Reauthorize,
                idle_revocation: None,
            },
            // why: the portal holds a single "Advertiser Redirect URL" and loopback is
            // unverified; the exchange needs the app secret, which belongs behind the relay.
            redirects: &[RedirectKind::HttpsRelay],
            default_redirect: RedirectKind::HttpsRelay,
        })),
    }
}
