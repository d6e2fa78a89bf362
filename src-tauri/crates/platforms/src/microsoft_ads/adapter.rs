//! Microsoft signs in the standard way (public client, PKCE, rotating refresh tokens the
//! default refresh keeps); only the identity differs: the ID token says who signed in.

use async_trait::async_trait;
use switchboard_oauth::{oidc_identity, Adapter, Ctx, FlowError, Identity, TokenSet};

use crate::http;

/// Microsoft Advertising.
pub struct MicrosoftAds;

#[async_trait]
impl Adapter for MicrosoftAds {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        // why: the access token is for the Advertising API, so the ID token that came with
        // it is the first place to look. `sub` rather than `oid` is the account id because
        // userinfo, the fallback, answers only `sub`, the same value for this app.
        if let Some(claims) = tokens.id_token_claims() {
            let identity = oidc_identity(&claims);
            if identity.account_id.is_some() {
                return Ok(identity);
            }
        }
        let body =
            http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?;
        Ok(oidc_identity(&body))
    }
}
