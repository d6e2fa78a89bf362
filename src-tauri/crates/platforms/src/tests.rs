//! Checks across the whole catalogue.

use super::registry;
use std::collections::BTreeSet;
use switchboard_oauth::{
    Capability, EndpointOverrides, OAuthError, OAuthFlow, Pkce, ProviderDescriptor, RedirectKind,
    SignIn,
};
use url::Url;

fn oauth_flows() -> Vec<(String, OAuthFlow)> {
    registry()
        .into_iter()
        .filter_map(|d| match d.sign_in {
            SignIn::OAuth(flow) => Some((d.id.into_owned(), *flow)),
            SignIn::ApiKeyOnly => None,
        })
        .collect()
}

fn ids_where(keep: impl Fn(&OAuthFlow) -> bool) -> Vec<String> {
    oauth_flows()
        .into_iter()
        .filter(|(_, flow)| keep(flow))
        .map(|(id, _)| id)
        .collect()
}

#[test]
fn ids_are_unique() {
    let ids: Vec<_> = registry().iter().map(|d| d.id.clone()).collect();
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate id in {ids:?}");
}

#[test]
fn every_descriptor_is_consistent() {
    for d in registry() {
        d.validate().unwrap_or_else(|e| panic!("{}: {e}", d.id));
    }
}

#[test]
fn every_endpoint_parses_and_is_https() {
    for d in registry() {
        for endpoint in d.endpoints() {
            let url = Url::parse(endpoint).unwrap_or_else(|e| panic!("{}: {endpoint}: {e}", d.id));
            assert_eq!(url.scheme(), "https", "{}: {endpoint}", d.id);
            assert!(url.host_str().is_some(), "{}: {endpoint} has no host", d.id);
        }
        Url::parse(&d.docs_url).unwrap_or_else(|e| panic!("{}: docs_url: {e}", d.id));
        assert!(
            d.docs_url.starts_with("https://"),
            "{}: {}",
            d.id,
            d.docs_url
        );
    }
}

#[test]
fn only_wix_signs_in_without_oauth() {
    let api_key_only: Vec<_> = registry()
        .into_iter()
        .filter(|d| d.sign_in == SignIn::ApiKeyOnly)
        .map(|d| d.id.clone())
        .collect();
    assert_eq!(api_key_only, ["wix"]);
}

#[test]
fn every_oauth_platform_offers_a_redirect_and_defaults_to_one_it_offers() {
    for (id, flow) in oauth_flows() {
        assert!(!flow.redirects.is_empty(), "{id} offers no redirect");
        assert!(
            flow.redirects.contains(&flow.default_redirect),
            "{id}: default {:?} is not among {:?}",
            flow.default_redirect,
            flow.redirects
        );
    }
}

#[test]
fn pkce_is_marked_as_the_reference_says() {
    assert_eq!(ids_where(|f| f.pkce == Pkce::Required), ["tiktok", "x"]);
    assert_eq!(
        ids_where(|f| f.pkce == Pkce::NotSupported),
        ["linkedin", "tiktok_ads"]
    );
}

#[test]
fn exact_match_providers_use_fixed_loopback_ports() {
    let fixed = |f: &OAuthFlow| {
        matches!(
            f.default_redirect,
            RedirectKind::Loopback { any_port: false, fixed_ports } if !fixed_ports.is_empty()
        )
    };
    assert!(
        ids_where(fixed).contains(&"x".to_owned()),
        "X matches redirects exactly"
    );
    let any_port = |f: &OAuthFlow| {
        matches!(
            f.default_redirect,
            RedirectKind::Loopback { any_port: true, .. }
        )
    };
    assert_eq!(
        ids_where(any_port),
        [
            "google_ads",
            "google_search_console",
            "microsoft_ads",
            "tiktok"
        ]
    );
}

#[test]
fn offered_capabilities_have_scopes_unless_chosen_in_the_portal() {
    for (id, flow) in oauth_flows() {
        for (capability, scopes) in flow.scopes {
            match flow.scope_separator {
                Some(_) => assert!(!scopes.is_empty(), "{id}: {capability:?} has no scopes"),
                None => assert!(scopes.is_empty(), "{id}: portal scopes listed in the URL"),
            }
        }
    }
    assert_eq!(ids_where(|f| f.scope_separator.is_none()), ["tiktok_ads"]);
}

#[test]
fn each_platform_offers_the_capabilities_it_is_for() {
    use Capability::*;
    let offered: Vec<(String, Vec<Capability>)> = oauth_flows()
        .into_iter()
        .map(|(id, flow)| (id, flow.scopes.iter().map(|(c, _)| *c).collect()))
        .collect();
    let expected: Vec<(String, Vec<Capability>)> = [
        ("meta", vec![ReadCampaigns, ManageCampaigns, Publish]),
        ("instagram", vec![Publish, ReadProfile]),
        ("google_ads", vec![ReadCampaigns, ManageCampaigns]),
        ("google_search_console", vec![ReadSearchData]),
        (
            "microsoft_ads",
            vec![ReadCampaigns, ManageCampaigns, ReadProfile],
        ),
        ("bing_webmaster", vec![ReadSearchData]),
        ("linkedin", vec![ReadCampaigns, ManageCampaigns, Publish]),
        ("reddit", vec![ReadCampaigns, ManageCampaigns]),
        ("tiktok", vec![Publish, ReadProfile]),
        ("tiktok_ads", vec![ReadCampaigns, ManageCampaigns]),
        ("pinterest", vec![ReadCampaigns, Publish, ReadProfile]),
        ("x", vec![Publish, ReadProfile]),
        ("wordpress_com", vec![Publish]),
    ]
    .into_iter()
    .map(|(id, caps)| (id.to_owned(), caps))
    .collect();
    assert_eq!(offered, expected);
}

/// The table a reviewer checks against the research note at a glance.
#[test]
fn catalogue_at_a_glance() {
    fn redirect(kind: &RedirectKind) -> &'static str {
        match kind {
            RedirectKind::Loopback { any_port: true, .. } => "loopback, any port",
            RedirectKind::Loopback {
                any_port: false, ..
            } => "loopback, fixed ports",
            RedirectKind::CustomScheme => "custom scheme",
            RedirectKind::HttpsRelay => "https relay",
        }
    }
    let rows: Vec<String> = registry()
        .iter()
        .map(|d| match &d.sign_in {
            SignIn::OAuth(f) => format!(
                "{:<22}{:<14}{:<13}{}",
                d.id,
                format!("{:?}", f.pkce),
                format!("{:?}", f.client_auth),
                redirect(&f.default_redirect)
            ),
            SignIn::ApiKeyOnly => format!("{:<22}api key only", d.id),
        })
        .collect();
    let expected = "\
meta                  Supported     RequestBody  https relay
instagram             Supported     RequestBody  https relay
google_ads            Supported     RequestBody  loopback, any port
google_search_console Supported     RequestBody  loopback, any port
microsoft_ads         Supported     None         loopback, any port
bing_webmaster        Supported     RequestBody  loopback, fixed ports
linkedin              NotSupported  RequestBody  loopback, fixed ports
reddit                Supported     Basic        loopback, fixed ports
tiktok                Required      RequestBody  loopback, any port
tiktok_ads            NotSupported  RequestBody  https relay
pinterest             Supported     Basic        https relay
x                     Required      None         loopback, fixed ports
wordpress_com         Supported     RequestBody  custom scheme
wix                   api key only";
    assert_eq!(rows.join("\n"), expected);
}

#[test]
fn a_star_override_rewrites_every_endpoint_of_any_platform() {
    for d in registry().into_iter().filter(|d| !d.endpoints().is_empty()) {
        let json = format!(r#"{{"{}": {{"*": "http://127.0.0.1:8123"}}}}"#, d.id);
        let overrides = EndpointOverrides::from_json(&json).expect("valid overrides");
        let rewritten = overrides.apply(registry()).expect("applies");
        let after = rewritten.iter().find(|r| r.id == d.id).unwrap();
        assert_eq!(after.endpoints().len(), d.endpoints().len());
        for (before, after) in d.endpoints().into_iter().zip(after.endpoints()) {
            let path = &before[Url::parse(before)
                .unwrap()
                .origin()
                .ascii_serialization()
                .len()..];
            assert_eq!(after, format!("http://127.0.0.1:8123{path}"), "{}", d.id);
        }
        after
            .validate()
            .expect("a loopback emulator is a valid endpoint");
        let untouched: Vec<&ProviderDescriptor> =
            rewritten.iter().filter(|r| r.id != d.id).collect();
        let originals = registry();
        assert!(
            untouched.iter().all(|r| originals.contains(r)),
            "overriding {} changed another platform",
            d.id
        );
    }
}

#[test]
fn instagram_hosts_can_go_to_different_emulators() {
    let overrides = EndpointOverrides::from_json(
        r#"{"instagram": {"https://graph.instagram.com": "http://127.0.0.1:9001", "*": "http://127.0.0.1:9000"}}"#,
    )
    .unwrap();
    let rewritten = overrides.apply(registry()).unwrap();
    let instagram = rewritten.iter().find(|d| d.id == "instagram").unwrap();
    assert_eq!(
        instagram.endpoints(),
        [
            "http://127.0.0.1:9000/oauth/authorize",
            "http://127.0.0.1:9000/oauth/access_token",
            "http://127.0.0.1:9001/access_token",
            "http://127.0.0.1:9001/refresh_access_token",
            "http://127.0.0.1:9001/v22.0/me?fields=user_id,username",
        ]
    );
}

#[test]
fn overrides_refuse_non_loopback_http_and_unknown_platforms() {
    let err = EndpointOverrides::from_json(r#"{"meta": {"*": "http://emulator.example:8123"}}"#)
        .unwrap_err();
    assert!(matches!(err, OAuthError::InsecureOrigin { .. }), "{err}");

    let err = EndpointOverrides::from_json(r#"{"facebook": {"*": "http://127.0.0.1:8123"}}"#)
        .unwrap()
        .apply(registry())
        .unwrap_err();
    assert!(
        matches!(err, OAuthError::UnknownProvider(ref id) if id == "facebook"),
        "{err}"
    );

    let err = EndpointOverrides::from_json(
        r#"{"wix": {"https://www.wix.com": "http://127.0.0.1:8123"}}"#,
    )
    .unwrap()
    .apply(registry())
    .unwrap_err();
    assert!(
        matches!(err, OAuthError::UnusedOverride { .. }),
        "wix calls only www.wixapis.com: {err}"
    );
}

#[test]
fn every_platform_has_an_adapter_and_says_who_signed_in_or_what_it_reaches() {
    let ids: Vec<String> = super::platforms()
        .iter()
        .map(|p| p.descriptor.id.to_string())
        .collect();
    let registry_ids: Vec<String> = registry().iter().map(|d| d.id.to_string()).collect();
    assert_eq!(
        ids, registry_ids,
        "platforms() and registry() list the same ids in order"
    );
    for id in &ids {
        assert!(super::adapter(id).is_some(), "{id} has an adapter");
    }
    for d in registry() {
        assert!(
            d.identity.profile_url.is_some() || d.identity.accounts_url.is_some(),
            "{} has neither a profile nor an accounts endpoint",
            d.id
        );
    }
    let without_profile: Vec<String> = registry()
        .into_iter()
        .filter(|d| d.identity.profile_url.is_none())
        .map(|d| d.id.into_owned())
        .collect();
    assert_eq!(
        without_profile,
        ["bing_webmaster"],
        "only Bing cannot say who signed in"
    );
}

/// The scopes the identity calls need are asked for on every sign-in.
#[test]
fn identity_scopes_are_base_scopes() {
    let base: Vec<(String, Vec<&str>)> = oauth_flows()
        .into_iter()
        .map(|(id, f)| (id, f.base_scopes.to_vec()))
        .filter(|(_, scopes)| !scopes.is_empty())
        .collect();
    let expected: Vec<(String, Vec<&str>)> = [
        ("instagram", vec!["instagram_business_basic"]),
        ("google_ads", vec!["openid", "email"]),
        ("google_search_console", vec!["openid", "email"]),
        ("microsoft_ads", vec!["offline_access", "openid", "profile"]),
        ("linkedin", vec!["openid", "profile"]),
        ("reddit", vec!["identity"]),
        ("tiktok", vec!["user.info.basic"]),
        ("pinterest", vec!["user_accounts:read"]),
        ("x", vec!["offline.access", "tweet.read", "users.read"]),
    ]
    .into_iter()
    .map(|(id, s)| (id.to_owned(), s))
    .collect();
    assert_eq!(base, expected);
}
