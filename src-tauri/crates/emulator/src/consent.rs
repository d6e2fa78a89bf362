//! The authorize endpoint: the request is checked the way the platform checks it, a
//! consent page is shown, and the decision goes back to the redirect URI.

use crate::platform::Kind;
use crate::server::Server;
use crate::state::{random_token, Code, Pending};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use switchboard_oauth::{Pkce, TokenExchange};
use url::Url;

/// Why an authorization request is not shown to the user.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// An error page: with an unknown client or an unregistered redirect URI nothing may be
    /// sent to that URI (RFC 6749 §4.1.2.1).
    Page(String),
    /// Sent back to the (trusted) redirect URI as `error=…` (RFC 6749 §4.1.2.1).
    Redirect(String),
}

/// Check an authorization request's query.
pub(crate) fn check(server: &Server, query: &[(String, String)]) -> Result<Pending, Refusal> {
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let spec = &server.spec;
    let Some(flow) = spec.descriptor.oauth() else {
        return Err(Refusal::Page(format!(
            "{} has no sign-in page",
            spec.display_name
        )));
    };
    let id_param = flow.client_id_param;
    let Some(client_id) = get(id_param) else {
        return Err(Refusal::Page(format!("the request has no {id_param}")));
    };
    if let Some(app) = &server.app {
        if app.client_id != client_id {
            return Err(Refusal::Page(format!(
                "{client_id} is not a registered app"
            )));
        }
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Refusal::Page("the request has no redirect_uri".into()));
    };
    if let Some(app) = &server.app {
        if !app
            .redirect_uris
            .iter()
            .any(|r| redirect_matches(spec.kind, r, redirect_uri))
        {
            return Err(Refusal::Page(format!(
                "redirect_uri {redirect_uri} does not match a registered one"
            )));
        }
    }
    let state = get("state").map(str::to_owned);
    let refuse = |error: &str, description: &str| {
        Refusal::Redirect(with_params(
            redirect_uri,
            &[
                ("error", error),
                ("error_description", description),
                ("state", state.as_deref().unwrap_or("")),
            ],
        ))
    };
    // TikTok Ads' portal takes no response_type (`flow::start` sends none).
    if flow.token_exchange != TokenExchange::TikTokAdsJsonDataWrapper
        && get("response_type") != Some("code")
    {
        return Err(refuse(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    let challenge = get("code_challenge").map(str::to_owned);
    if challenge.is_some() && get("code_challenge_method") != Some("S256") {
        return Err(refuse(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    if flow.pkce == Pkce::Required && challenge.is_none() {
        // why: TikTok (desktop) and X refuse an authorization without PKCE.
        return Err(refuse("invalid_request", "code_challenge is required"));
    }
    let scopes: Vec<String> = match (flow.scope_separator, get("scope")) {
        (Some(sep), Some(s)) => s
            .split(sep)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    if spec.kind == Kind::X && scopes.is_empty() {
        return Err(refuse("invalid_request", "scope is required"));
    }
    let has_scope = |s: &str| scopes.iter().any(|x| x == s);
    // Each platform's way of asking for a refresh token.
    let offline = match spec.kind {
        Kind::GoogleAds | Kind::GoogleSearchConsole => get("access_type") == Some("offline"),
        Kind::MicrosoftAds => has_scope("offline_access"),
        Kind::X => has_scope("offline.access"),
        Kind::Reddit => get("duration") == Some("permanent"),
        _ => true,
    };
    Ok(Pending {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state,
        scopes,
        challenge,
        prompt_consent: get("prompt") == Some("consent"),
        offline,
    })
}

/// Whether a requested redirect URI matches a registered one, the platform's way.
fn redirect_matches(kind: Kind, registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    match kind {
        // why: loopback redirects match on any port (RFC 8252 §7.3): Google's desktop
        // clients and Microsoft's `http://localhost` registrations.
        Kind::GoogleAds | Kind::GoogleSearchConsole | Kind::MicrosoftAds => {
            match (Url::parse(registered), Url::parse(requested)) {
                (Ok(mut r), Ok(q)) if is_loopback(&q) => {
                    r.set_port(q.port()).is_ok() && r.as_str() == q.as_str()
                }
                _ => false,
            }
        }
        // why: TikTok desktop apps register a port or the wildcard `*`
        // (https://developers.tiktok.com/doc/login-kit-desktop/).
        Kind::TikTok => match Url::parse(requested) {
            Ok(q) if registered.contains(":*") => q
                .port()
                .is_some_and(|p| registered.replacen(":*", &format!(":{p}"), 1) == requested),
            _ => false,
        },
        // Everyone else (X included: trailing slash and port) matches exactly.
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// `uri` with query parameters appended.
fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    let params: Vec<_> = params.iter().filter(|(_, v)| !v.is_empty()).collect();
    match Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in &params {
                    q.append_pair(k, v);
                }
            }
            url.into()
        }
        Err(_) => {
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params.iter().map(|(k, v)| (*k, *v)))
                .finish();
            let sep = if uri.contains('?') { '&' } else { '?' };
            format!("{uri}{sep}{query}")
        }
    }
}

/// The user's decision, as the URL the browser is sent back to.
pub(crate) fn decide(
    server: &Server,
    auth: Pending,
    account: Option<&str>,
    approve: bool,
) -> Result<String, String> {
    let spec = &server.spec;
    let state = auth.state.clone().unwrap_or_default();
    if !approve {
        let mut params = vec![
            ("error", "access_denied"),
            ("error_description", "The user denied the request"),
        ];
        if matches!(spec.kind, Kind::Meta | Kind::Instagram) {
            // why: Meta's and Instagram's dialogs add `error_reason=user_denied`
            // (Facebook Login manual-flow guide).
            params.push(("error_reason", "user_denied"));
        }
        params.push(("state", &state));
        return Ok(with_params(&auth.redirect_uri, &params));
    }
    let user = match account.filter(|a| !a.is_empty()) {
        Some(a) => spec
            .user(a)
            .ok_or_else(|| format!("{a} is not a seeded {} account", spec.display_name))?,
        None => &spec.users[0],
    };
    let code = random_token("code");
    let now = server.now();
    let scopes = auth.scopes.join(" ");
    let prompt_consent = auth.prompt_consent;
    let redirect_uri = auth.redirect_uri.clone();
    let tiktok_scopes = auth.scopes.join(",");
    server.lock().codes.insert(
        code.clone(),
        Code {
            auth,
            user: user.id.clone(),
            issued: now,
        },
    );
    let code_param = if spec.kind == Kind::TikTokAds {
        // why: TikTok Ads names the code `auth_code` on the redirect.
        "auth_code"
    } else {
        "code"
    };
    let mut params = vec![(code_param, code.as_str())];
    match spec.kind {
        // why: Google echoes the granted scopes and the account index (and `prompt`).
        Kind::GoogleAds | Kind::GoogleSearchConsole => {
            params.push(("scope", &scopes));
            params.push(("authuser", "0"));
            if prompt_consent {
                params.push(("prompt", "consent"));
            }
        }
        // why: TikTok echoes the granted scopes as `scopes`.
        Kind::TikTok => params.push(("scopes", &tiktok_scopes)),
        _ => {}
    }
    params.push(("state", &state));
    Ok(with_params(&redirect_uri, &params))
}

/// The consent page for a pending request.
pub(crate) fn page(server: &Server, request_id: &str, auth: &Pending) -> Response {
    let spec = &server.spec;
    let scopes: String = if auth.scopes.is_empty() {
        "<li>the permissions set for this app in the developer portal</li>".into()
    } else {
        auth.scopes
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", escape(s)))
            .collect()
    };
    let accounts: String = spec
        .users
        .iter()
        .map(|u| {
            format!(
                r#"<option value="{}">{} ({})</option>"#,
                escape(&u.id),
                escape(&u.name),
                escape(&u.email)
            )
        })
        .collect();
    let name = escape(&spec.display_name);
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to {name} — Switchboard emulator</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}}</style></head>
<body>
<p><small>Switchboard platform emulator — no real {name} account is used.</small></p>
<h1>{name}</h1>
<p>The app <strong>{client}</strong> would like to:</p>
<ul>{scopes}</ul>
<form method="post" action="/__emulator/consent">
<input type="hidden" name="request" value="{request}">
<p><label>Sign in as <select name="account">{accounts}</select></label></p>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></p>
</form>
</body></html>"#,
        client = escape(&auth.client_id),
        request = escape(request_id),
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// An error page (nothing is redirected).
pub(crate) fn error_page(server: &Server, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name} — error</title></head>\
         <body><h1>{name}</h1><p>This sign-in request was refused: {message}</p></body></html>",
        name = escape(&server.spec.display_name),
        message = escape(message),
    );
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_matching_follows_each_platform() {
        let x = "http://127.0.0.1:47615/callback/x";
        assert!(redirect_matches(Kind::X, x, x));
        assert!(
            !redirect_matches(Kind::X, x, "http://127.0.0.1:47615/callback/x/"),
            "X: trailing slash"
        );
        assert!(
            !redirect_matches(Kind::X, x, "http://127.0.0.1:47616/callback/x"),
            "X: port"
        );

        let google = "http://127.0.0.1/callback/google_ads";
        assert!(redirect_matches(
            Kind::GoogleAds,
            google,
            "http://127.0.0.1:50123/callback/google_ads"
        ));
        assert!(!redirect_matches(
            Kind::GoogleAds,
            google,
            "http://127.0.0.1:50123/callback/other"
        ));
        assert!(!redirect_matches(
            Kind::GoogleAds,
            "https://app.example/cb",
            "https://app.example:444/cb"
        ));

        let tiktok = "http://127.0.0.1:*/callback/tiktok";
        assert!(redirect_matches(
            Kind::TikTok,
            tiktok,
            "http://127.0.0.1:50123/callback/tiktok"
        ));
        assert!(!redirect_matches(
            Kind::TikTok,
            tiktok,
            "http://127.0.0.1:50123/callback/tiktok/"
        ));
    }

    #[test]
    fn parameters_are_appended_to_any_redirect_uri() {
        assert_eq!(
            with_params(
                "http://127.0.0.1:1/cb?x=1",
                &[("code", "a b"), ("state", "")]
            ),
            "http://127.0.0.1:1/cb?x=1&code=a+b"
        );
        assert_eq!(
            with_params(
                "dev.switchboard.app://oauth/callback/wordpress_com",
                &[("code", "c")]
            ),
            "dev.switchboard.app://oauth/callback/wordpress_com?code=c"
        );
    }
}
