//! Search Console signs in the standard Google way; only the identity reads its sites.

use async_trait::async_trait;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet};

use crate::http;

/// Google Search Console.
pub struct GoogleSearchConsole;

#[async_trait]
impl Adapter for GoogleSearchConsole {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let mut identity = crate::google::userinfo(ctx, tokens).await?;
        let body =
            http::get_bearer(ctx, http::accounts_url(ctx)?, &tokens.access_token, &[]).await?;
        // `siteEntry` is left out altogether when the user has no properties.
        identity.accounts = http::objects(body.get("siteEntry"))
            .filter_map(|site| http::text(site.get("siteUrl")))
            .map(|url| RemoteAccount {
                external_id: url,
                name: None,
                kind: "site".into(),
                currency: None,
                manager: None,
            })
            .collect();
        Ok(identity)
    }
}
