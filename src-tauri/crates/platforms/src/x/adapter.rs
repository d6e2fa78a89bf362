//! X signs in the standard way (public client, PKCE required); its profile sits under
//! `data`.

use async_trait::async_trait;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, TokenSet};

use crate::http;

/// X (formerly Twitter).
pub struct X;

#[async_trait]
impl Adapter for X {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let body =
            http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?;
        let user = body
            .get("data")
            .ok_or_else(|| FlowError::Malformed("X's users/me has no data".into()))?;
        Ok(Identity {
            account_id: http::text(user.get("id")),
            name: http::text(user.get("name")).or_else(|| http::text(user.get("username"))),
            accounts: Vec::new(),
        })
    }
}
