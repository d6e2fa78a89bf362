//! Endpoint-origin overrides: send a provider's traffic to another origin, such as a local
//! emulator in tests and Demo mode.

use crate::{OAuthError, ProviderDescriptor};
use std::collections::{BTreeMap, BTreeSet};
use url::{Host, Position, Url};

/// Stands for every upstream origin not named explicitly.
const EVERY_OTHER_ORIGIN: &str = "*";

/// Per provider id, a map from an upstream origin (or `"*"`, every other one) to its
/// replacement. JSON:
///
/// ```json
/// {
///   "meta": { "*": "http://127.0.0.1:8123" },
///   "instagram": {
///     "https://graph.instagram.com": "http://127.0.0.1:8124",
///     "*": "http://127.0.0.1:8125"
///   }
/// }
/// ```
///
/// Only scheme, host and port change; paths and queries are kept. Every origin is
/// `scheme://host[:port]` with nothing after it, and a replacement is https or http on a
/// loopback address (127.0.0.0/8, `[::1]`, `localhost`): nothing else may stand in for a
/// provider that is handed codes and secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOverrides {
    /// provider id → (normalized upstream origin or `*` → replacement origin)
    by_provider: BTreeMap<String, BTreeMap<String, String>>,
}

impl EndpointOverrides {
    pub fn from_json(json: &str) -> Result<Self, OAuthError> {
        let raw: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(json)?;
        let mut by_provider = BTreeMap::new();
        for (provider, replacements) in raw {
            let mut checked = BTreeMap::new();
            for (upstream, replacement) in replacements {
                let upstream = if upstream == EVERY_OTHER_ORIGIN {
                    upstream
                } else {
                    parse_origin(&upstream)?.origin().ascii_serialization()
                };
                let replacement = parse_origin(&replacement)?;
                if !is_secure_endpoint(&replacement) {
                    return Err(OAuthError::InsecureOrigin {
                        origin: replacement.origin().ascii_serialization(),
                    });
                }
                checked.insert(upstream, replacement.origin().ascii_serialization());
            }
            by_provider.insert(provider, checked);
        }
        Ok(Self { by_provider })
    }

    pub fn is_empty(&self) -> bool {
        self.by_provider.is_empty()
    }

    /// Rewrite the endpoints of the named providers. Refused as a whole when an override
    /// names an unknown provider or an origin none of its endpoints use (a typo would
    /// otherwise send traffic to the real platform unnoticed).
    pub fn apply(
        &self,
        mut descriptors: Vec<ProviderDescriptor>,
    ) -> Result<Vec<ProviderDescriptor>, OAuthError> {
        for (provider, replacements) in &self.by_provider {
            let descriptor = descriptors
                .iter_mut()
                .find(|d| d.id == provider.as_str())
                .ok_or_else(|| OAuthError::UnknownProvider(provider.clone()))?;
            let mut used = BTreeSet::new();
            for endpoint in descriptor.endpoints_mut() {
                let url = Url::parse(endpoint).map_err(|e| OAuthError::InvalidDescriptor {
                    provider: provider.clone(),
                    reason: format!("endpoint '{endpoint}': {e}"),
                })?;
                let origin = url.origin().ascii_serialization();
                let Some((key, replacement)) = replacements
                    .get_key_value(&origin)
                    .or_else(|| replacements.get_key_value(EVERY_OTHER_ORIGIN))
                else {
                    continue;
                };
                used.insert(key);
                *endpoint = format!("{replacement}{}", &url[Position::BeforePath..]);
            }
            if let Some(unused) = replacements.keys().find(|k| !used.contains(k)) {
                return Err(OAuthError::UnusedOverride {
                    provider: provider.clone(),
                    origin: unused.clone(),
                });
            }
        }
        Ok(descriptors)
    }
}

/// `scheme://host[:port]`, optionally with a lone `/`, and nothing else.
fn parse_origin(raw: &str) -> Result<Url, OAuthError> {
    let refuse = |reason| OAuthError::NotAnOrigin {
        value: raw.to_owned(),
        reason,
    };
    let url = Url::parse(raw).map_err(|_| refuse("not a URL"))?;
    if url.host().is_none() {
        return Err(refuse("no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it carries user info"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("it has a path, query or fragment"));
    }
    Ok(url)
}

/// https anywhere, or http on a loopback address.
pub(crate) fn is_secure_endpoint(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(domain)) => domain == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => loopback,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::tests::sample;

    #[test]
    fn a_star_rewrites_every_endpoint_and_keeps_paths() {
        let overrides =
            EndpointOverrides::from_json(r#"{"sample": {"*": "http://127.0.0.1:8123"}}"#)
                .expect("valid overrides");
        let [d] = <[_; 1]>::try_from(overrides.apply(vec![sample()]).expect("applies")).unwrap();
        assert_eq!(
            d.endpoints(),
            [
                "http://127.0.0.1:8123/oauth/authorize?display=page",
                "http://127.0.0.1:8123/oauth/token",
                "http://127.0.0.1:8123/oauth/revoke",
                "http://127.0.0.1:8123/access_token",
                "http://127.0.0.1:8123/refresh_access_token",
            ]
        );
        d.validate()
            .expect("a loopback emulator is a valid endpoint");
    }

    #[test]
    fn a_named_origin_wins_over_the_star() {
        let overrides = EndpointOverrides::from_json(
            r#"{"sample": {"https://graph.example.com/": "https://emulator.test:8443", "*": "http://[::1]:9000"}}"#,
        )
        .expect("valid overrides");
        let d = overrides.apply(vec![sample()]).expect("applies").remove(0);
        assert_eq!(
            d.endpoints(),
            [
                "http://[::1]:9000/oauth/authorize?display=page",
                "http://[::1]:9000/oauth/token",
                "http://[::1]:9000/oauth/revoke",
                "https://emulator.test:8443/access_token",
                "https://emulator.test:8443/refresh_access_token",
            ]
        );
    }

    #[test]
    fn providers_not_named_are_untouched() {
        let overrides = EndpointOverrides::from_json("{}").expect("empty is valid");
        assert!(overrides.is_empty());
        assert_eq!(overrides.apply(vec![sample()]).unwrap(), vec![sample()]);
    }

    #[test]
    fn replacements_must_be_https_or_loopback_http() {
        for insecure in [
            "http://example.com",
            "http://10.0.0.1:8123",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
        ] {
            let json = format!(r#"{{"sample": {{"*": "{insecure}"}}}}"#);
            let err = EndpointOverrides::from_json(&json).expect_err(insecure);
            assert!(
                matches!(err, OAuthError::InsecureOrigin { .. }),
                "{insecure}: {err}"
            );
        }
        for loopback in [
            "http://127.0.0.2:1",
            "http://localhost:8123",
            "http://[::1]",
        ] {
            let json = format!(r#"{{"sample": {{"*": "{loopback}"}}}}"#);
            EndpointOverrides::from_json(&json).expect(loopback);
        }
    }

    #[test]
    fn origins_carry_nothing_after_the_port() {
        for not_origin in [
            "http://127.0.0.1:8123/api",
            "http://127.0.0.1:8123/?x=1",
            "https://user:pw@emulator.test",
            "127.0.0.1:8123",
        ] {
            let json = format!(r#"{{"sample": {{"*": "{not_origin}"}}}}"#);
            let err = EndpointOverrides::from_json(&json).expect_err(not_origin);
            assert!(
                matches!(err, OAuthError::NotAnOrigin { .. }),
                "{not_origin}: {err}"
            );
        }
        let err = EndpointOverrides::from_json(r#"{"sample": ["http://127.0.0.1"]}"#).unwrap_err();
        assert!(matches!(err, OAuthError::OverridesSyntax(_)), "{err}");
    }

    #[test]
    fn typos_are_refused_rather_than_ignored() {
        let unknown = EndpointOverrides::from_json(r#"{"sampel": {"*": "http://127.0.0.1:1"}}"#)
            .unwrap()
            .apply(vec![sample()])
            .unwrap_err();
        assert!(matches!(unknown, OAuthError::UnknownProvider(ref p) if p == "sampel"));

        let unused = EndpointOverrides::from_json(
            r#"{"sample": {"https://graph.exmaple.com": "http://127.0.0.1:1"}}"#,
        )
        .unwrap()
        .apply(vec![sample()])
        .unwrap_err();
        assert!(
            matches!(unused, OAuthError::UnusedOverride { ref origin, .. } if origin == "https://graph.exmaple.com"),
            "{unused}"
        );
    }
}
