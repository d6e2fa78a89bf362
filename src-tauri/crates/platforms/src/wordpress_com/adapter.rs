//! WordPress.com signs in the standard way with a token that never expires (the answer
//! also names the blog it was granted for, `blog_id`/`blog_url`, kept in `extra`); its
//! identity reads the account and its blogs.

use async_trait::async_trait;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet};

use crate::http;

/// WordPress.com.
pub struct WordPressCom;

#[async_trait]
impl Adapter for WordPressCom {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let token = &tokens.access_token;
        let me = http::get_bearer(ctx, http::profile_url(ctx)?, token, &[]).await?;
        let sites = http::get_bearer(ctx, http::accounts_url(ctx)?, token, &[]).await?;
        let accounts = http::objects(sites.get("sites"))
            .filter_map(|s| {
                Some(RemoteAccount {
                    external_id: http::text(s.get("ID"))?,
                    name: http::text(s.get("name")).or_else(|| http::text(s.get("URL"))),
                    kind: "blog".into(),
                    currency: None,
                    manager: None,
                })
            })
            .collect();
        Ok(Identity {
            account_id: http::text(me.get("ID")),
            name: http::text(me.get("display_name")).or_else(|| http::text(me.get("username"))),
            accounts,
        })
    }
}
