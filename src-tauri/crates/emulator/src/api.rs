//! The identity endpoints: who signed in, and the ad accounts, sites or blogs the grant
//! reaches. Tokens are read from headers only, so a client that puts them in a URL fails.

use crate::platform::{Account, Kind, Route, User};
use crate::server::Server;
use crate::state::random_token;
use crate::wire::{failure, ok, Call, Failure};
use axum::response::Response;
use serde_json::{json, Value};

/// Answer a call to a profile, accounts or permissions route.
pub(crate) fn handle(server: &Server, call: &Call) -> Response {
    match answer(server, call) {
        // why: TikTok Ads wraps every answer in `{code, message, request_id, data}`.
        Ok(body) if server.spec.kind == Kind::TikTokAds => ok(json!({
            "code": 0, "message": "OK", "request_id": random_token("req"), "data": body,
        })),
        Ok(body) => ok(body),
        Err(f) => failure(server.spec.kind, call.route, f),
    }
}

/// Scopes a call needs: all of the first list, and one of the second if it is not empty.
fn scopes_needed(kind: Kind, route: Route) -> (&'static [&'static str], &'static [&'static str]) {
    match (kind, route) {
        (Kind::GoogleAds | Kind::GoogleSearchConsole | Kind::MicrosoftAds, Route::Profile) => {
            (&["openid"], &[])
        }
        (Kind::LinkedIn, Route::Profile) => (&["openid", "profile"], &[]),
        (Kind::LinkedIn, Route::Accounts) => (&[], &["r_ads", "rw_ads"]),
        (Kind::Reddit, Route::Profile) => (&["identity"], &[]),
        (Kind::Reddit, Route::Accounts) => (&[], &["adsread", "adsedit"]),
        (Kind::TikTok, Route::Profile) => (&["user.info.basic"], &[]),
        (Kind::Pinterest, Route::Profile) => (&["user_accounts:read"], &[]),
        (Kind::Pinterest, Route::Accounts) => (&["ads:read"], &[]),
        (Kind::X, Route::Profile) => (&["tweet.read", "users.read"], &[]),
        (Kind::Meta, Route::Accounts) => (&[], &["ads_read", "ads_management"]),
        _ => (&[], &[]),
    }
}

fn answer(server: &Server, call: &Call) -> Result<Value, Failure> {
    let kind = server.spec.kind;
    if kind == Kind::Wix {
        return wix(server, call);
    }
    let token = match kind {
        // why: TikTok Ads wants the token in `Access-Token`, not `Authorization` (PF).
        Kind::TikTokAds => call.header("access-token"),
        _ => call.bearer(),
    }
    .ok_or_else(|| Failure::InvalidToken("no access token in the request headers".into()))?;
    let now = server.now();
    let (user_id, scopes, grant) = {
        let store = server.lock();
        let access = store.live_access(token, now).ok_or_else(|| {
            Failure::InvalidToken("The access token is invalid or has expired".into())
        })?;
        let grant = &store.grants[access.grant];
        (grant.user.clone(), grant.scopes.clone(), access.grant)
    };
    let (all, any) = scopes_needed(kind, call.route);
    let has = |s: &&str| scopes.iter().any(|x| x == s);
    if let Some(missing) = all.iter().find(|s| !has(s)) {
        return Err(Failure::Forbidden(format!(
            "the token lacks the {missing} scope"
        )));
    }
    if !any.is_empty() && !any.iter().any(has) {
        return Err(Failure::Forbidden(format!(
            "the token needs one of: {}",
            any.join(", ")
        )));
    }
    let user = server
        .spec
        .user(&user_id)
        .ok_or_else(|| Failure::InvalidToken("the account is gone".into()))?;
    match (kind, call.route) {
        (Kind::Meta, Route::Profile) => Ok(json!({"id": user.id, "name": user.name})),
        (Kind::Meta, Route::Accounts) => Ok(meta_ad_accounts(server, call, user)),
        (Kind::Meta, Route::Permissions) => {
            let mut store = server.lock();
            store.grants[grant].revoked = true;
            store.stats.revocations += 1;
            Ok(json!({"success": true}))
        }
        (Kind::Instagram, Route::Profile) => Ok(json!({
            "user_id": user.id, "username": user.username, "id": format!("{}-app-scoped", user.id),
        })),
        (Kind::GoogleAds | Kind::GoogleSearchConsole | Kind::MicrosoftAds, Route::Profile) => {
            Ok(json!({
                "sub": user.id, "name": user.name, "given_name": "Demo", "email": user.email,
                "email_verified": true, "picture": "https://emulator.test/avatar.png",
            }))
        }
        (Kind::GoogleAds, Route::Accounts) => {
            // why: every Google Ads call needs the developer token header (GO3).
            if call.header("developer-token").is_none_or(str::is_empty) {
                return Err(Failure::InvalidRequest(
                    "DEVELOPER_TOKEN_PARAMETER_MISSING: the developer-token header is required"
                        .into(),
                ));
            }
            let names: Vec<String> = user
                .accounts
                .iter()
                .map(|a| format!("customers/{}", a.id))
                .collect();
            Ok(json!({"resourceNames": names}))
        }
        (Kind::MicrosoftAds, Route::Accounts) => {
            // why: every Microsoft Advertising call needs the DeveloperToken header (MS2).
            if call.header("developertoken").is_none_or(str::is_empty) {
                return Err(Failure::InvalidRequest(
                    "105: InvalidCredentials - the DeveloperToken header is required".into(),
                ));
            }
            Ok(json!({
                "AccountsInfo": user.accounts.iter().map(|a| json!({
                    "AccountLifeCycleStatus": "Active", "Id": a.id.parse::<i64>().unwrap_or_default(),
                    "Name": a.name, "Number": format!("F{}", a.id), "PauseReason": null,
                })).collect::<Vec<_>>(),
            }))
        }
        (Kind::GoogleSearchConsole, Route::Accounts) => Ok(json!({
            "siteEntry": user.accounts.iter()
                .map(|a| json!({"siteUrl": a.url, "permissionLevel": "siteOwner"}))
                .collect::<Vec<_>>(),
        })),
        (Kind::BingWebmaster, Route::Accounts) => Ok(json!({
            "d": user.accounts.iter().map(|a| json!({
                "__type": "Site:#Microsoft.Bing.Webmaster.Api",
                "AuthenticationCode": random_token("auth"), "DnsVerificationCode": random_token("dns"),
                "IsVerified": true, "Url": a.url,
            })).collect::<Vec<_>>(),
        })),
        (Kind::LinkedIn, Route::Profile) => Ok(json!({
            "sub": user.id, "name": user.name, "given_name": "Demo", "family_name": "User",
            "email": user.email, "email_verified": true, "locale": {"country": "US", "language": "en"},
        })),
        (Kind::LinkedIn, Route::Accounts) => {
            // why: versioned `/rest` calls refuse a request without `LinkedIn-Version`.
            if call.header("linkedin-version").is_none() {
                return Err(Failure::InvalidRequest(
                    "VERSION_MISSING: a LinkedIn-Version header is required".into(),
                ));
            }
            Ok(json!({
                "elements": user.accounts.iter().map(|a| json!({
                    "account": format!("urn:li:sponsoredAccount:{}", a.id),
                    "role": "ACCOUNT_MANAGER", "user": format!("urn:li:person:{}", user.id),
                })).collect::<Vec<_>>(),
                "paging": {"start": 0, "count": user.accounts.len(), "total": user.accounts.len(), "links": []},
            }))
        }
        (Kind::Reddit, Route::Accounts) => {
            // One business per user; its ad accounts under /businesses/{id}/ad_accounts.
            let business = format!("biz-{}", user.id);
            if call.path.ends_with("/me/businesses") {
                Ok(
                    json!({"data": [{"id": business, "name": format!("{} Business", user.name)}],
                          "pagination": {"next_url": null}}),
                )
            } else if call.path == format!("/api/v3/businesses/{business}/ad_accounts") {
                Ok(json!({
                    "data": user.accounts.iter().map(|a| json!({
                        "id": a.id, "name": a.name, "currency": a.currency, "business_id": business,
                    })).collect::<Vec<_>>(),
                    "pagination": {"next_url": null},
                }))
            } else {
                Err(Failure::Forbidden("not a business of this user".into()))
            }
        }
        (Kind::Reddit, Route::Profile) => Ok(json!({
            "id": user.id, "name": user.username, "is_employee": false, "created_utc": 1_600_000_000.0,
        })),
        (Kind::TikTok, Route::Profile) => Ok(tiktok_user(call, user)),
        (Kind::TikTokAds, Route::Profile) => Ok(json!({
            "core_user_id": user.id, "display_name": user.name, "email": user.email, "create_time": 1_600_000_000,
        })),
        (Kind::TikTokAds, Route::Accounts) => {
            check_app_query(server, call)?;
            Ok(json!({
                "list": user.accounts.iter()
                    .map(|a| json!({"advertiser_id": a.id, "advertiser_name": a.name}))
                    .collect::<Vec<_>>(),
            }))
        }
        (Kind::Pinterest, Route::Profile) => Ok(json!({
            "account_type": "BUSINESS", "id": user.id, "username": user.username,
            "website_url": "https://demo-brand.example",
        })),
        (Kind::Pinterest, Route::Accounts) => Ok(pinterest_ad_accounts(server, call, user)),
        (Kind::X, Route::Profile) => {
            Ok(json!({"data": {"id": user.id, "name": user.name, "username": user.username}}))
        }
        (Kind::WordPressCom, Route::Profile) => Ok(json!({
            "ID": user.id, "display_name": user.name, "username": user.username, "email": user.email,
            "primary_blog": user.accounts.first().map(|a| a.id.clone()),
        })),
        (Kind::WordPressCom, Route::Accounts) => Ok(json!({
            "sites": user.accounts.iter()
                .map(|a| json!({"ID": a.id, "name": a.name, "URL": a.url}))
                .collect::<Vec<_>>(),
        })),
        _ => Err(Failure::InvalidRequest("not an identity endpoint".into())),
    }
}

/// Meta's ad accounts, paged with `limit` and an `after` cursor; `paging.next` is a full
/// URL on this listener.
fn meta_ad_accounts(server: &Server, call: &Call, user: &User) -> Value {
    let limit: usize = call
        .query("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let (page, next) = page_of(
        &user.accounts,
        call.query("after"),
        limit.min(server.page_size),
    );
    let data: Vec<Value> = page
        .iter()
        .map(|a| {
            json!({
                "account_id": a.id, "id": format!("act_{}", a.id), "name": a.name,
                "currency": a.currency, "account_status": 1,
            })
        })
        .collect();
    let mut paging =
        json!({"cursors": {"before": "cursor-0", "after": next.clone().unwrap_or_default()}});
    if let Some(cursor) = next {
        let mut query: Vec<(String, String)> = call
            .query
            .iter()
            .filter(|(k, _)| k != "after")
            .cloned()
            .collect();
        query.push(("after".into(), cursor));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        paging["next"] = json!(format!("{}{}?{query}", call.origin(), call.path));
    }
    json!({"data": data, "paging": paging})
}

/// Pinterest's ad accounts, paged with `page_size` and a `bookmark`.
fn pinterest_ad_accounts(server: &Server, call: &Call, user: &User) -> Value {
    let size: usize = call
        .query("page_size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let (page, next) = page_of(
        &user.accounts,
        call.query("bookmark"),
        size.min(server.page_size),
    );
    json!({
        "items": page.iter().map(|a| json!({
            "id": a.id, "name": a.name, "owner": {"username": user.username},
            "country": "US", "currency": a.currency,
        })).collect::<Vec<_>>(),
        "bookmark": next,
    })
}

/// One page of accounts after an opaque cursor (`cursor-<offset>`), and the next cursor.
fn page_of<'a>(
    accounts: &'a [Account],
    cursor: Option<&str>,
    size: usize,
) -> (&'a [Account], Option<String>) {
    let start = cursor
        .and_then(|c| c.strip_prefix("cursor-"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(accounts.len());
    let end = (start + size.max(1)).min(accounts.len());
    let next = (end < accounts.len()).then(|| format!("cursor-{end}"));
    (&accounts[start..end], next)
}

/// TikTok user info v2: the fields asked for, under `data.user`, with `error.code = "ok"`.
fn tiktok_user(call: &Call, user: &User) -> Value {
    let fields = call.query("fields").unwrap_or("open_id");
    let mut out = serde_json::Map::new();
    for field in fields.split(',') {
        let value = match field {
            "open_id" => json!(user.id),
            "union_id" => json!(format!("{}-union", user.id)),
            "display_name" => json!(user.name),
            "avatar_url" => json!("https://emulator.test/avatar.png"),
            _ => continue,
        };
        out.insert(field.to_owned(), value);
    }
    json!({"data": {"user": out}, "error": {"code": "ok", "message": "", "log_id": random_token("log")}})
}

/// TikTok Ads' advertiser list takes the app's id and secret in the query.
fn check_app_query(server: &Server, call: &Call) -> Result<(), Failure> {
    let (id, secret) = (call.query("app_id"), call.query("secret"));
    let valid = match (&server.app, id, secret) {
        (Some(app), Some(id), Some(secret)) => {
            app.client_id == id && app.client_secret.as_deref() == Some(secret)
        }
        (None, Some(id), Some(secret)) => !id.is_empty() && !secret.is_empty(),
        _ => false,
    };
    if valid {
        Ok(())
    } else {
        Err(Failure::InvalidClient(
            "app_id and secret do not match an app".into(),
        ))
    }
}

/// Wix: the API key in `Authorization` as is, the site in `wix-site-id`. A registered app's
/// secret is the one key accepted; otherwise any key is.
fn wix(server: &Server, call: &Call) -> Result<Value, Failure> {
    let key = call
        .header("authorization")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Failure::InvalidToken("an API key is required in Authorization".into()))?;
    if let Some(app) = &server.app {
        if app.client_secret.as_deref() != Some(key) {
            return Err(Failure::InvalidToken("the API key is not valid".into()));
        }
    }
    let site = call
        .header("wix-site-id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failure::InvalidRequest("the wix-site-id header is required".into()))?;
    let owner = server
        .spec
        .users
        .iter()
        .find(|u| u.accounts.iter().any(|a| a.id == site));
    let name = owner
        .and_then(|u| u.accounts.iter().find(|a| a.id == site))
        .map(|a| a.name.clone())
        .unwrap_or_else(|| "Demo Wix Site".into());
    Ok(json!({"properties": {
        "siteDisplayName": name, "businessName": name,
        "email": owner.map(|u| u.email.clone()).unwrap_or_else(|| "owner@wix.emulator.test".into()),
        "locale": {"languageCode": "en", "country": "US"}, "timeZone": "Etc/UTC",
    }}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(n: usize) -> Vec<Account> {
        (0..n)
            .map(|i| Account {
                id: i.to_string(),
                name: String::new(),
                currency: "USD",
                url: String::new(),
            })
            .collect()
    }

    #[test]
    fn pages_walk_every_account_once() {
        let all = accounts(5);
        let mut cursor: Option<String> = None;
        let mut seen = Vec::new();
        loop {
            let (page, next) = page_of(&all, cursor.as_deref(), 2);
            seen.extend(page.iter().map(|a| a.id.clone()));
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, ["0", "1", "2", "3", "4"]);
    }
}
