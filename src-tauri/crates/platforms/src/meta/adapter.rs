//! Where Meta departs from the standards: the code is exchanged with a GET, the ~1 h token
//! is swapped at once for a ~60-day one, errors come in Graph's shape, ad accounts are
//! paged with `paging.next`, and revocation is a Graph call.

use crate::graph;
use crate::http::{self, ISSUED_AT};
use async_trait::async_trait;
use chrono::Duration;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_oauth::{
    Adapter, Ctx, FlowError, Identity, Lifetime, ProviderDescriptor, ProviderError, RemoteAccount,
    Revoked, TokenSet,
};
use url::Url;

/// Facebook Login for Pages and the Marketing API.
pub struct Meta;

#[async_trait]
impl Adapter for Meta {
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        verifier: Option<&SecretString>,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        let secret = http::client_secret(ctx)?;
        let mut secrets = ctx.app.secrets();
        secrets.push(code);
        secrets.extend(verifier);
        // why: Meta documents the code exchange as a GET with the code and the app secret in
        // the query (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow).
        let mut query = vec![
            ("client_id", ctx.app.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("client_secret", secret.expose_secret()),
            ("code", code.expose_secret()),
        ];
        if let Some(v) = verifier {
            query.push(("code_verifier", v.expose_secret()));
        }
        let short = graph::get(ctx.http, &flow.token_url, &query, &secrets).await?;
        let short = TokenSet::from_json(&short, ctx.now)?;
        secrets.push(&short.access_token);
        // why: `grant_type=fb_exchange_token` with the app secret turns the ~1 h token into a
        // ~60-day one; an expired token cannot be exchanged, so it happens right away (docs_url).
        let long = graph::get(
            ctx.http,
            &flow.token_url,
            &[
                ("grant_type", "fb_exchange_token"),
                ("client_id", ctx.app.client_id.as_str()),
                ("client_secret", secret.expose_secret()),
                ("fb_exchange_token", short.access_token.expose_secret()),
            ],
            &secrets,
        )
        .await?;
        let mut tokens = TokenSet::from_json(&long, ctx.now)?;
        if tokens.expires_at.is_none() {
            // why: the long-lived answer may leave out `expires_in`; the documented lifetime
            // then stands, so the token is not taken to live forever.
            if let Lifetime::Seconds(s) = flow.refresh.access_token {
                tokens.expires_at = Some(ctx.now + Duration::seconds(s as i64));
            }
        }
        tokens.scopes = tokens.scopes.or(short.scopes);
        tokens
            .extra
            .insert(ISSUED_AT.into(), Value::String(ctx.now.to_rfc3339()));
        Ok(tokens)
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let token = &tokens.access_token;
        let secrets = ctx.app.secrets();
        let me = graph::get_bearer(ctx.http, http::profile_url(ctx)?, token, &secrets).await?;
        let first = http::accounts_url(ctx)?;
        let mut accounts = Vec::new();
        let mut next = Some(first.to_owned());
        let mut pages = 0;
        while let Some(url) = next.take() {
            if pages == http::MAX_PAGES {
                tracing::warn!(pages, "Meta ad accounts: stopped paging");
                break;
            }
            pages += 1;
            let page = match graph::get_bearer(ctx.http, &url, token, &secrets).await {
                Ok(page) => page,
                // why: without an ads permission (a Publish-only connection) Graph refuses
                // the edge with a permissions error (code 10 or 200–299); the connection
                // still stands, with no ad accounts.
                Err(FlowError::Provider(p)) if pages == 1 && is_permission_error(&p) => break,
                Err(e) => return Err(e),
            };
            accounts.extend(http::objects(page.get("data")).filter_map(ad_account));
            // why: `paging.next` is a full URL from the answer; it is followed only on the
            // same endpoint, so the token never goes anywhere the descriptor does not name.
            next = page
                .get("paging")
                .and_then(|p| p.get("next"))
                .and_then(Value::as_str)
                .filter(|n| http::same_endpoint(first, n))
                .map(str::to_owned);
        }
        Ok(Identity {
            account_id: http::text(me.get("id")),
            name: http::text(me.get("name")),
            accounts,
        })
    }

    async fn revoke(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let url = permissions_url(ctx.descriptor).ok_or_else(|| {
            FlowError::Config("Meta has no profile endpoint to revoke through".into())
        })?;
        let token = &tokens.access_token;
        // why: Meta has no RFC 7009 endpoint; DELETE /me/permissions withdraws everything the
        // user granted the app (Facebook Login "request-revoke" guide; not in the research note).
        let answer = http::send(ctx.http.delete(url).bearer_auth(token.expose_secret())).await?;
        graph::read(answer, &graph::with(&ctx.app.secrets(), token))?;
        Ok(Revoked::AtProvider)
    }
}

/// `…/me/permissions` next to the profile endpoint (so endpoint overrides move it too).
pub fn permissions_url(descriptor: &ProviderDescriptor) -> Option<String> {
    let mut url = Url::parse(descriptor.identity.profile_url.as_deref()?).ok()?;
    url.set_query(None);
    url.path_segments_mut().ok()?.push("permissions");
    Some(url.into())
}

fn is_permission_error(p: &ProviderError) -> bool {
    p.status == 403
        || p.error
            .parse::<u16>()
            .is_ok_and(|c| c == 10 || (200..300).contains(&c))
}

fn ad_account(a: &Map<String, Value>) -> Option<RemoteAccount> {
    let id = http::text(a.get("account_id"))
        .or_else(|| http::text(a.get("id")).map(|id| id.trim_start_matches("act_").to_owned()))?;
    Some(RemoteAccount {
        external_id: id,
        name: http::text(a.get("name")),
        kind: "ad_account".into(),
        currency: http::text(a.get("currency")),
        manager: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_sit_next_to_the_profile() {
        assert_eq!(
            permissions_url(&super::super::descriptor()).as_deref(),
            Some("https://graph.facebook.com/v22.0/me/permissions")
        );
    }

    #[test]
    fn ad_accounts_without_account_id_use_the_act_id() {
        let a = serde_json::json!({"id": "act_42", "name": "Brand", "currency": "EUR"});
        let account = ad_account(a.as_object().unwrap()).expect("an account");
        assert_eq!(account.external_id, "42");
        assert_eq!(account.currency.as_deref(), Some("EUR"));
    }
}
