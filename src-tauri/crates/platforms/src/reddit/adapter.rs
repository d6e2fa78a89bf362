//! Where Reddit departs from the standards: the client always authenticates with HTTP
//! Basic (an installed app with an empty password), errors may come back under HTTP 200,
//! the redirect URI is sent again on refresh, and revocation also wants Basic.

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use switchboard_oauth::{
    Adapter, Ctx, FlowError, Identity, RemoteAccount, Renewal, ResendOnRefresh, Revoked, TokenSet,
};

use crate::http;

/// Reddit.
pub struct Reddit;

#[async_trait]
impl Adapter for Reddit {
    async fn exchange_code(
        &self,
        ctx: &Ctx<'_>,
        code: &SecretString,
        verifier: Option<&SecretString>,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.expose_secret()),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v.expose_secret()));
        }
        let mut secrets = ctx.app.secrets();
        secrets.push(code);
        secrets.extend(verifier);
        let body = token_call(ctx, &form, &secrets).await?;
        TokenSet::from_json(&body, ctx.now)
    }

    async fn refresh(
        &self,
        ctx: &Ctx<'_>,
        tokens: &TokenSet,
        redirect_uri: &str,
    ) -> Result<TokenSet, FlowError> {
        let flow = ctx.flow()?;
        let Some(refresh_token) = &tokens.refresh_token else {
            return Err(FlowError::provider(
                400,
                "invalid_grant",
                Some("Reddit issued no refresh token (duration=permanent was not granted)".into()),
            ));
        };
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ];
        if let Renewal::RefreshToken { resend, .. } = &flow.refresh.renewal {
            if resend.contains(&ResendOnRefresh::RedirectUri) {
                form.push(("redirect_uri", redirect_uri));
            }
        }
        let mut secrets = ctx.app.secrets();
        secrets.push(refresh_token);
        let body = token_call(ctx, &form, &secrets).await?;
        Ok(TokenSet::from_json(&body, ctx.now)?.merged_over(tokens))
    }

    async fn revoke(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let flow = ctx.flow()?;
        let Some(url) = &flow.revoke_url else {
            return Ok(Revoked::NotSupported);
        };
        let (token, hint) = match &tokens.refresh_token {
            Some(rt) => (rt, "refresh_token"),
            None => (&tokens.access_token, "access_token"),
        };
        let request = http::basic_auth(
            ctx.http.post(url),
            &ctx.app.client_id,
            ctx.app.client_secret.as_ref(),
        )
        .form(&[("token", token.expose_secret()), ("token_type_hint", hint)]);
        let answer = http::send(request).await?;
        if !answer.is_success() {
            let mut secrets = ctx.app.secrets();
            secrets.push(token);
            return Err(answer.error(&secrets));
        }
        Ok(Revoked::AtProvider)
    }

    async fn identity(&self, ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let me = http::get_bearer(ctx, http::profile_url(ctx)?, &tokens.access_token, &[]).await?;
        // why: without `adsread` the Ads API refuses (403); a publishing-only grant has no
        // ad accounts to list.
        let accounts = if http::may_have_scope(tokens, &["adsread", "adsedit"]) {
            ad_accounts(ctx, tokens).await?
        } else {
            Vec::new()
        };
        Ok(Identity {
            account_id: http::text(me.get("id")),
            name: http::text(me.get("name")),
            accounts,
        })
    }
}

/// Every page of a Reddit Ads v3 list, following `pagination.next_url` only while it stays
/// on the first page's endpoint (so the token goes nowhere else), at most 20 pages.
async fn all_pages(
    ctx: &Ctx<'_>,
    tokens: &TokenSet,
    first: &str,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, FlowError> {
    let mut out = Vec::new();
    let mut url = first.to_owned();
    for _ in 0..20 {
        let page = http::get_bearer(ctx, &url, &tokens.access_token, &[]).await?;
        out.extend(http::objects(page.get("data")).cloned());
        match page
            .get("pagination")
            .and_then(|p| p.get("next_url"))
            .and_then(|n| n.as_str())
        {
            Some(next) if http::same_endpoint(first, next) => url = next.to_owned(),
            _ => break,
        }
    }
    Ok(out)
}

/// The ad accounts of every business the user belongs to.
async fn ad_accounts(ctx: &Ctx<'_>, tokens: &TokenSet) -> Result<Vec<RemoteAccount>, FlowError> {
    let businesses_url = http::accounts_url(ctx)?;
    let base = businesses_url
        .strip_suffix("me/businesses")
        .ok_or_else(|| {
            FlowError::Config("the Reddit Ads accounts URL must end in me/businesses".into())
        })?;
    let mut accounts: Vec<RemoteAccount> = Vec::new();
    for business in all_pages(ctx, tokens, businesses_url).await? {
        let Some(id) = http::text(business.get("id")) else {
            continue;
        };
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        for a in all_pages(ctx, tokens, &format!("{base}businesses/{id}/ad_accounts")).await? {
            let Some(external_id) = http::text(a.get("id")) else {
                continue;
            };
            if accounts.iter().any(|x| x.external_id == external_id) {
                continue;
            }
            accounts.push(RemoteAccount {
                external_id,
                name: http::text(a.get("name")),
                kind: "ad_account".into(),
                currency: http::text(a.get("currency")),
                manager: None,
            });
        }
    }
    Ok(accounts)
}

/// A token call with Basic client authentication.
async fn token_call(
    ctx: &Ctx<'_>,
    form: &[(&str, &str)],
    secrets: &[&SecretString],
) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    let flow = ctx.flow()?;
    // why: Reddit authenticates every client with Basic, an installed app with an empty
    // password (https://github.com/reddit-archive/reddit/wiki/oauth2).
    let request = http::basic_auth(
        ctx.http.post(&flow.token_url),
        &ctx.app.client_id,
        ctx.app.client_secret.as_ref(),
    )
    .form(form);
    // why: Reddit answers some token errors (`invalid_grant`) with HTTP 200, as prawcore
    // notes (praw-dev/prawcore `auth.py`: "Why are these OKAY responses?").
    http::send(request).await?.into_token_object(secrets)
}
