//! Google's authorization server and userinfo endpoint, shared by Google Ads and Search
//! Console.

use crate::http;
use crate::LOOPBACK_ANY_PORT;
use switchboard_oauth::{
    oidc_identity, Capability, ClientAuth, Ctx, FlowError, Identity, Lifetime, OAuthFlow, Pkce,
    RefreshRule, Renewal, TokenExchange, TokenSet, HOUR,
};

/// OpenID Connect userinfo: `sub` (the stable account id) and `email`.
pub(crate) const USERINFO_URL: &str = "https://openidconnect.googleapis.com/v1/userinfo";

pub(crate) fn flow(scopes: &'static [(Capability, &'static [&'static str])]) -> OAuthFlow {
    OAuthFlow {
        authorize_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
        // why: Google's native-app guide uses oauth2.googleapis.com/token
        // (https://developers.google.com/identity/protocols/oauth2/native-app); Nango's
        // google-ads entry still points at the older www.googleapis.com/oauth2/v3/token.
        token_url: "https://oauth2.googleapis.com/token".into(),
        revoke_url: Some("https://oauth2.googleapis.com/revoke".into()),
        pkce: Pkce::Supported,
        // why: a "Desktop app" client has a secret that Google says is not confidential
        // (native-app guide above); it is sent in the body as in Google's own examples.
        client_auth: ClientAuth::RequestBody,
        client_id_param: "client_id",
        scope_separator: Some(" "),
        // why: userinfo answers `sub` and `email` only for these scopes (OpenID Connect
        // Core §5.4); `sub` is what the wrong-account guard compares.
        base_scopes: &["openid", "email"],
        scopes,
        // why: without `prompt=consent` Google returns a refresh token only on the first
        // consent (django-allauth PR #308, google-api-php-client#1686).
        extra_authorize_params: &[("access_type", "offline"), ("prompt", "consent")],
        token_exchange: TokenExchange::Standard,
        refresh: RefreshRule {
            access_token: Lifetime::Seconds(HOUR),
            // why: in "Testing" publishing status refresh tokens die after 7 days, and only
            // the newest 100 per account per client live
            // (https://nango.dev/docs/api-integrations/google-ads/how-to-register-your-own-google-ads-api-oauth-app);
            // a published app's token lives until revoked.
            renewal: Renewal::RefreshToken {
                lifetime: Lifetime::UntilRevoked,
                fixed_expiry: false,
                rotates: false,
                resend: &[],
            },
            idle_revocation: None,
        },
        // why: a Desktop-app client accepts loopback on any port and nothing else: OOB is
        // blocked and custom schemes belong to mobile client types
        // (https://developers.google.com/identity/protocols/oauth2/resources/loopback-migration).
        redirects: &[LOOPBACK_ANY_PORT],
        default_redirect: LOOPBACK_ANY_PORT,
    }
}

/// Who signed in to Google, from the userinfo endpoint (the descriptor's profile URL).
pub(crate) async fn userinfo(ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
    let body = http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?;
    Ok(oidc_identity(&body))
}
