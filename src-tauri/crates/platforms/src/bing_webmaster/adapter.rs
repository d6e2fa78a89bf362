//! Bing signs in the standard way; its identity is only a list of sites.

use async_trait::async_trait;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet};

use crate::http;

/// Bing Webmaster Tools.
pub struct BingWebmaster;

#[async_trait]
impl Adapter for BingWebmaster {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let body =
            http::get_bearer(ctx, http::accounts_url(ctx)?, &tokens.access_token, &[]).await?;
        // why: the WCF JSON endpoint wraps its result in `d` (docs_url of the descriptor).
        let accounts = http::objects(body.get("d"))
            .filter_map(|site| http::text(site.get("Url")))
            .map(|url| RemoteAccount {
                external_id: url,
                name: None,
                kind: "site".into(),
                currency: None,
                manager: None,
            })
            .collect();
        // Bing does not say who signed in, so the wrong-account guard cannot apply.
        Ok(Identity {
            account_id: None,
            name: None,
            accounts,
        })
    }
}
