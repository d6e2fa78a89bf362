//! Wix has no OAuth: the "token" is the site owner's API key (the connect engine passes it
//! as the access token), sent as is in `Authorization` with the site in `wix-site-id`.

use async_trait::async_trait;
use switchboard_oauth::client::{self, ApiAuth};
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, Revoked, TokenSet};

use crate::http;

/// Wix site API keys.
pub struct Wix;

#[async_trait]
impl Adapter for Wix {
    async fn revoke(&self, _ctx: &Ctx<'_>, _tokens: &TokenSet) -> Result<Revoked, FlowError> {
        // API keys are deleted by the site owner in the Wix dashboard; nothing to call.
        Ok(Revoked::NotSupported)
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let site_id = ctx.app.site_id.as_deref().ok_or_else(|| {
            FlowError::Config("Wix needs the site id; enter it in the app credentials".into())
        })?;
        // why: an API key goes in `Authorization` without a scheme, the site in
        // `wix-site-id` (docs_url of the descriptor).
        let body = client::get_json(
            ctx.http,
            http::profile_url(ctx)?,
            ApiAuth::Header("Authorization", &tokens.access_token),
            &[("wix-site-id", site_id)],
            &ctx.app.secrets(),
        )
        .await?;
        let name = body
            .get("properties")
            .and_then(|p| http::text(p.get("siteDisplayName")));
        Ok(Identity {
            account_id: Some(site_id.to_owned()),
            name: name.clone(),
            accounts: vec![RemoteAccount {
                external_id: site_id.to_owned(),
                name,
                kind: "site".into(),
                currency: None,
                manager: None,
            }],
        })
    }
}
