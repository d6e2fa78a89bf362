//! LinkedIn signs in the standard way; its Marketing API calls are versioned by header.

use async_trait::async_trait;
use switchboard_oauth::{
    oidc_identity, Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet,
};

use crate::http;

/// The Marketing API version every `/rest` call names, `YYYYMM`.
// why: LinkedIn supports each monthly version for at least a year and refuses calls
// without one (https://learn.microsoft.com/linkedin/marketing/versioning); bump it here.
pub const LINKEDIN_VERSION: &str = "202608";

/// LinkedIn.
pub struct LinkedIn;

#[async_trait]
impl Adapter for LinkedIn {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let token = &tokens.access_token;
        let me = http::get_bearer(ctx, http::profile_url(ctx)?, token, &[]).await?;
        let mut identity = oidc_identity(&me);
        // why: ad accounts need an ads scope; a Publish-only grant has none to list.
        if !http::may_have_scope(tokens, &["r_ads", "rw_ads"]) {
            return Ok(identity);
        }
        let body = http::get_bearer(
            ctx,
            http::accounts_url(ctx)?,
            token,
            &[
                ("linkedin-version", LINKEDIN_VERSION),
                ("x-restli-protocol-version", "2.0.0"),
            ],
        )
        .await?;
        // `account` is a URN, `urn:li:sponsoredAccount:{id}`; names need another call.
        identity.accounts = http::objects(body.get("elements"))
            .filter_map(|e| http::text(e.get("account")))
            .map(|urn| RemoteAccount {
                external_id: urn.rsplit(':').next().unwrap_or(&urn).to_owned(),
                name: None,
                kind: "ad_account".into(),
                currency: None,
                manager: None,
            })
            .collect();
        Ok(identity)
    }
}
