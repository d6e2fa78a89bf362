//! Microsoft signs in the standard way (public client, PKCE, rotating refresh tokens the
//! default refresh keeps); only the identity differs: the ID token says who signed in, and
//! the ad accounts come from Customer Management's `AccountsInfo/Query`.

use async_trait::async_trait;
use secrecy::ExposeSecret;
use switchboard_oauth::{
    oidc_identity, Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet,
};

use crate::http;

/// Microsoft Advertising.
pub struct MicrosoftAds;

#[async_trait]
impl Adapter for MicrosoftAds {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        // why: the access token is for the Advertising API, so the ID token that came with
        // it is the first place to look. `sub` rather than `oid` is the account id because
        // userinfo, the fallback, answers only `sub`, the same value for this app.
        let mut identity = match tokens.id_token_claims().map(|c| oidc_identity(&c)) {
            Some(i) if i.account_id.is_some() => i,
            _ => oidc_identity(
                &http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?,
            ),
        };
        identity.accounts = ad_accounts(ctx, tokens).await?;
        Ok(identity)
    }
}

/// `POST …/CustomerManagement/v13/AccountsInfo/Query` with the bearer token and the
/// `DeveloperToken` header (MS2); `{}` asks for every account the user reaches.
async fn ad_accounts(ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Vec<RemoteAccount>, FlowError> {
    let developer_token = ctx.app.developer_token.as_ref().ok_or_else(|| {
        FlowError::Config(
            "Microsoft Advertising needs the developer token from its developer portal; enter it in the app credentials"
                .into(),
        )
    })?;
    let request = ctx
        .http
        .post(http::accounts_url(ctx)?)
        .bearer_auth(tokens.access_token.expose_secret())
        .header("DeveloperToken", developer_token.expose_secret())
        .json(&serde_json::json!({}));
    let mut secrets = ctx.app.secrets();
    secrets.push(&tokens.access_token);
    let body = http::send(request).await?.into_object(&secrets)?;
    Ok(http::objects(body.get("AccountsInfo"))
        .filter_map(|a| {
            Some(RemoteAccount {
                external_id: http::text(a.get("Id"))?,
                name: http::text(a.get("Name")),
                kind: "ad_account".into(),
                currency: None,
                manager: None,
            })
        })
        .collect())
}
