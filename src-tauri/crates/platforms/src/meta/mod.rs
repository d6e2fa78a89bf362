//! Meta: Facebook Login for Pages and the Marketing API.

pub mod limits;

mod adapter;
mod import;
#[cfg(test)]
mod import_tests;
mod publish;
mod report_rows;

pub use adapter::{permissions_url, Meta};
pub use import::MetaImport;
pub use publish::FacebookPublisher;

/// The Graph API version every Meta call uses (sign-in, identity, import). One place, so a
/// version bump is one line.
pub const GRAPH_VERSION: &str = "v22.0";

use crate::LOOPBACK_FIXED_PORTS;
use switchboard_oauth::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, Lifetime, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn, TokenExchange, DAY,
};

pub fn descriptor() -> ProviderDescriptor {
    ProviderDescriptor {
        id: "meta".into(),
        display_name: "Meta (Facebook)".into(),
        docs_url: "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived".into(),
        app_credentials: &[CredentialField::ClientId, CredentialField::ClientSecret],
        // why: the ad accounts edge lists what the Marketing API reaches, with `account_id`
        // (without `act_`) and the currency (https://developers.facebook.com/docs/marketing-api/reference/user/adaccounts/,
        // not in the research note).
        identity: IdentityEndpoints {
            profile_url: Some(format!(
                "https://graph.facebook.com/{GRAPH_VERSION}/me?fields=id,name"
            )),
            accounts_url: Some(format!(
                "https://graph.facebook.com/{GRAPH_VERSION}/me/adaccounts?fields=account_id,name,currency,account_status&limit=100"
            )),
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: format!("https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"),
            token_url: format!("https://graph.facebook.com/{GRAPH_VERSION}/oauth/access_token"),
            // why: Meta documents no RFC 7009 endpoint; permissions are removed through the
            // Graph API (DELETE /me/permissions), which the adapter does.
            revoke_url: None,
            // why: Meta documents PKCE only with OIDC, "still in testing"
            // (https://developers.facebook.com/documentation/facebook-login/guides/advanced/oidc-token);
            // Nango sends a verifier to this dialog without harm (provider.client.ts).
            // Enforcement is unverified, so `state` carries the CSRF defence.
            pkce: Pkce::Supported,
            client_auth: ClientAuth::RequestBody,
            client_id_param: "client_id",
            // why: the login dialog documents `scope` as a comma-separated list
            // (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow).
            scope_separator: Some(","),
            base_scopes: &[],
            // why: Business apps can instead pass a Facebook Login for Business `config_id`
            // that holds the permissions
            // (https://developers.facebook.com/documentation/development/create-an-app/marketing-api-use-cases);
            // plain scopes are kept so the permissions are visible here
            // (https://developers.facebook.com/docs/permissions).
            scopes: &[
                (Capability::ReadCampaigns, &["ads_read", "business_management"]),
                (
                    Capability::ManageCampaigns,
                    &["ads_management", "pages_read_engagement", "pages_show_list"],
                ),
                (
                    Capability::Publish,
                    &[
                        "pages_show_list",
                        "pages_read_engagement",
                        "pages_manage_posts",
                        "instagram_basic",
                        "instagram_content_publish",
                    ],
                ),
            ],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::MetaShortToLongLived,
            refresh: RefreshRule {
                access_token: Lifetime::Seconds(60 * DAY),
                // why: Meta documents only the short- to long-lived exchange, and an expired
                // token cannot be exchanged
                // (https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived).
                // Nango re-exchanges a still-valid long-lived token, but its own guide says to
                // re-authorize at 60 days; the documented choice is kept.
                renewal: Renewal::Reauthorize,
                // why: permissions a user has not used for 90 days must be granted again
                // (https://developers.facebook.com/docs/permissions).
                idle_revocation: Some(90 * DAY),
            },
            // why: outside development mode Meta accepts only registered https redirects
            // (localhost only for apps in development, https://next-auth.js.org/providers/facebook),
            // and the long-lived exchange needs the app secret, which Meta wants server-side.
            redirects: &[RedirectKind::HttpsRelay, LOOPBACK_FIXED_PORTS],
            default_redirect: RedirectKind::HttpsRelay,
        })),
    }
}
