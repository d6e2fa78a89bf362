//! Pinterest signs in the standard way (Basic client authentication, from the descriptor);
//! its identity reads the account and its ad accounts, paged with a bookmark.

use async_trait::async_trait;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet};
use url::Url;

use crate::http;

/// Pinterest.
pub struct Pinterest;

#[async_trait]
impl Adapter for Pinterest {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let token = &tokens.access_token;
        let me = http::get_bearer(ctx, http::profile_url(ctx)?, token, &[]).await?;
        let first = http::accounts_url(ctx)?;
        let mut accounts = Vec::new();
        let mut bookmark: Option<String> = None;
        // why: ad accounts need `ads:read`; a Publish-only grant has none to list.
        let pages = if http::may_have_scope(tokens, &["ads:read"]) {
            http::MAX_PAGES
        } else {
            0
        };
        for page in 1..=pages {
            let mut url = Url::parse(first)
                .map_err(|e| FlowError::Config(format!("bad accounts endpoint: {e}")))?;
            if let Some(b) = &bookmark {
                url.query_pairs_mut().append_pair("bookmark", b);
            }
            let body = http::get_bearer(ctx, url.as_str(), token, &[]).await?;
            accounts.extend(http::objects(body.get("items")).filter_map(|a| {
                Some(RemoteAccount {
                    external_id: http::text(a.get("id"))?,
                    name: http::text(a.get("name")),
                    kind: "ad_account".into(),
                    currency: http::text(a.get("currency")),
                    manager: None,
                })
            }));
            bookmark = http::text(body.get("bookmark"));
            if bookmark.is_none() {
                break;
            }
            if page == http::MAX_PAGES {
                tracing::warn!(page, "Pinterest ad accounts: stopped paging");
            }
        }
        let username = http::text(me.get("username"));
        Ok(Identity {
            // why: `id` is not answered for every account type; the username is unique too.
            account_id: http::text(me.get("id")).or_else(|| username.clone()),
            name: username,
            accounts,
        })
    }
}
