//! Where Google Ads departs from the standards: every API call carries the developer token
//! (and the manager account, if any) in headers. The OAuth part is Google's standard one.

use async_trait::async_trait;
use secrecy::ExposeSecret;
use switchboard_oauth::{Adapter, Ctx, FlowError, Identity, RemoteAccount, TokenSet};

use crate::http;

/// Google Ads API.
pub struct GoogleAds;

#[async_trait]
impl Adapter for GoogleAds {
    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let developer_token = ctx.app.developer_token.as_ref().ok_or_else(|| {
            FlowError::Config(
                "Google Ads needs the developer token from the API Center; enter it in the app credentials"
                    .into(),
            )
        })?;
        let mut identity = crate::google::userinfo(ctx, tokens).await?;
        // why: `developer-token` on every call, `login-customer-id` when reaching clients
        // through a manager account (https://developers.google.com/google-ads/api/rest/auth).
        let mut headers = vec![("developer-token", developer_token.expose_secret())];
        if let Some(manager) = ctx.app.login_customer_id.as_deref() {
            headers.push(("login-customer-id", manager));
        }
        let body = http::get_bearer(
            ctx,
            http::accounts_url(ctx)?,
            &tokens.access_token,
            &headers,
        )
        .await?;
        identity.accounts = body
            .get("resourceNames")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str())
            .map(|name| RemoteAccount {
                external_id: name.trim_start_matches("customers/").to_owned(),
                name: None,
                kind: "customer".into(),
                currency: None,
            })
            .collect();
        Ok(identity)
    }
}
