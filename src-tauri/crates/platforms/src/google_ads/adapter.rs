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
        let direct: Vec<String> = body
            .get("resourceNames")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str())
            .map(|name| name.trim_start_matches("customers/").to_owned())
            .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
            .collect();
        let mut accounts: Vec<RemoteAccount> = Vec::new();
        for id in &direct {
            // why: listAccessibleCustomers names only the customers the user reaches
            // directly; a manager (MCC) is expanded with `customer_client` (level ≤ 1), and
            // its clients are then called with `login-customer-id: <manager>`
            // (import-apis reference §1.2; Airbyte PR #33707). A customer that cannot be
            // expanded is still listed.
            let rows = match customer_clients(ctx, tokens, developer_token, id).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(customer = %id, "Google Ads: manager hierarchy not read: {e}");
                    Vec::new()
                }
            };
            let own = rows.iter().find(|c| c.id == *id);
            accounts.push(RemoteAccount {
                external_id: id.clone(),
                name: own.and_then(|c| c.name.clone()),
                kind: if own.is_some_and(|c| c.manager) {
                    "manager".into()
                } else {
                    "customer".into()
                },
                currency: own.and_then(|c| c.currency.clone()),
                manager: None,
            });
            for client in rows.iter().filter(|c| c.level == 1 && !c.manager) {
                if direct.contains(&client.id)
                    || accounts.iter().any(|a| a.external_id == client.id)
                {
                    continue;
                }
                accounts.push(RemoteAccount {
                    external_id: client.id.clone(),
                    name: client.name.clone(),
                    kind: "customer".into(),
                    currency: client.currency.clone(),
                    manager: Some(id.clone()),
                });
            }
        }
        identity.accounts = accounts;
        Ok(identity)
    }
}

/// One row of a manager's `customer_client` listing.
struct CustomerClient {
    id: String,
    name: Option<String>,
    currency: Option<String>,
    manager: bool,
    level: u32,
}

/// `customer_client` rows (level ≤ 1) of one customer, called through that customer.
async fn customer_clients(
    ctx: &Ctx<'_>,
    tokens: &TokenSet,
    developer_token: &secrecy::SecretString,
    customer: &str,
) -> Result<Vec<CustomerClient>, FlowError> {
    let origin = http::accounts_url(ctx)?;
    let origin = url::Url::parse(origin)
        .map_err(|e| FlowError::Config(format!("Google Ads accounts URL: {e}")))?
        .origin()
        .ascii_serialization();
    let url = format!(
        "{origin}/{}/customers/{customer}/googleAds:searchStream",
        super::API_VERSION
    );
    let query = "SELECT customer_client.client_customer, customer_client.id, customer_client.descriptive_name, customer_client.manager, customer_client.level, customer_client.currency_code FROM customer_client WHERE customer_client.level <= 1";
    let response = ctx
        .http
        .post(url)
        .bearer_auth(tokens.access_token.expose_secret())
        .header("developer-token", developer_token.expose_secret())
        .header("login-customer-id", customer)
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .map_err(|e| {
            FlowError::Transport(if e.is_timeout() {
                "timed out".into()
            } else {
                "network error".into()
            })
        })?;
    let status = response.status().as_u16();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| FlowError::Malformed(format!("customer_client answer: {e}")))?;
    if !(200..300).contains(&status) {
        return Err(FlowError::Malformed(format!(
            "customer_client answered HTTP {status}"
        )));
    }
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    Ok(body
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|batch| {
            batch
                .get("results")
                .and_then(|r| r.as_array())
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|row| {
            let c = row.get("customerClient")?;
            Some(CustomerClient {
                id: text(c.get("id"))?,
                name: text(c.get("descriptiveName")),
                currency: text(c.get("currencyCode")),
                manager: c
                    .get("manager")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
                // int64 arrives as a JSON string; a number is read too.
                level: c
                    .get("level")
                    .and_then(|l| {
                        l.as_str()
                            .and_then(|s| s.parse().ok())
                            .or_else(|| l.as_u64())
                    })
                    .and_then(|l| u32::try_from(l).ok())
                    .unwrap_or(0),
            })
        })
        .collect())
}
