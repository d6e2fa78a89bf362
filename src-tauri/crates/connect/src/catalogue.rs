//! The platforms Switchboard can connect to right now: the built-in ones, the generic
//! providers the user added, with endpoint overrides (Demo mode, tests) applied.

use crate::error::{ConnectError, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use switchboard_oauth::{
    Adapter, Capability, ClientAuth, CredentialField, EndpointOverrides, IdentityEndpoints,
    Lifetime, OAuthFlow, Pkce, ProviderDescriptor, RedirectKind, RefreshRule, Renewal, SignIn,
    Standard, TokenExchange,
};
use switchboard_store::domain::CustomProvider;

const LOOPBACK_ANY_PORT: RedirectKind = RedirectKind::Loopback {
    any_port: true,
    fixed_ports: &[],
};

/// One platform as the connection engine uses it.
#[derive(Clone)]
pub struct Entry {
    pub descriptor: Arc<ProviderDescriptor>,
    pub adapter: Arc<dyn Adapter>,
    /// Scopes asked for on every sign-in beyond the descriptor's (generic providers).
    pub extra_scopes: Vec<String>,
    /// The issuer an RFC 9207 `iss` on the callback must equal, where known.
    pub issuer: Option<String>,
    pub custom: bool,
}

/// What the UI shows about a platform.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PlatformInfo {
    pub id: String,
    pub display_name: String,
    pub docs_url: String,
    pub custom: bool,
    /// `oauth` or `api_key`.
    pub sign_in: String,
    /// What the user enters for their own app registration.
    pub app_credentials: Vec<String>,
    /// Capabilities the platform offers (`read_campaigns`, `publish`, …).
    pub capabilities: Vec<String>,
    /// Redirect kinds the platform accepts, the default first.
    pub redirects: Vec<String>,
    /// Loopback ports to register with the platform when it matches them exactly.
    pub fixed_ports: Vec<u16>,
    pub can_revoke: bool,
    /// How the grant is kept alive, in words.
    pub renewal: String,
}

#[derive(Clone, Default)]
pub struct Catalogue {
    entries: BTreeMap<String, Entry>,
}

pub fn redirect_name(r: &RedirectKind) -> &'static str {
    match r {
        RedirectKind::Loopback { .. } => "loopback",
        RedirectKind::CustomScheme => "custom_scheme",
        RedirectKind::HttpsRelay => "https_relay",
    }
}

fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Catalogue {
    pub fn build(custom: &[CustomProvider], overrides: &EndpointOverrides) -> Result<Catalogue> {
        let builtin = switchboard_platforms::platforms();
        let mut descriptors: Vec<ProviderDescriptor> =
            builtin.iter().map(|p| p.descriptor.clone()).collect();
        let mut adapters: Vec<Arc<dyn Adapter>> =
            builtin.iter().map(|p| p.adapter.clone()).collect();
        let mut extras = vec![Vec::new(); descriptors.len()];
        let mut issuers = vec![None; descriptors.len()];
        for c in custom {
            descriptors.push(custom_descriptor(c));
            adapters.push(Arc::new(Standard));
            extras.push(c.scopes.split_whitespace().map(str::to_owned).collect());
            issuers.push(c.issuer.clone());
        }
        let builtin_count = builtin.len();
        let descriptors = overrides
            .apply(descriptors)
            .map_err(|e| ConnectError::Invalid(format!("endpoint overrides: {e}")))?;
        let mut entries = BTreeMap::new();
        for (i, ((d, a), (x, iss))) in descriptors
            .into_iter()
            .zip(adapters)
            .zip(extras.into_iter().zip(issuers))
            .enumerate()
        {
            entries.insert(
                d.id.to_string(),
                Entry {
                    descriptor: Arc::new(d),
                    adapter: a,
                    extra_scopes: x,
                    issuer: iss,
                    custom: i >= builtin_count,
                },
            );
        }
        Ok(Catalogue { entries })
    }

    pub fn get(&self, platform: &str) -> Result<&Entry> {
        self.entries
            .get(platform)
            .ok_or_else(|| ConnectError::NotFound(format!("no platform called '{platform}'")))
    }

    pub fn list(&self) -> Vec<PlatformInfo> {
        self.entries.values().map(info).collect()
    }
}

fn info(e: &Entry) -> PlatformInfo {
    let d = &e.descriptor;
    let flow = d.oauth();
    let mut redirects: Vec<String> = Vec::new();
    let mut fixed_ports = Vec::new();
    if let Some(f) = flow {
        redirects.push(redirect_name(&f.default_redirect).into());
        for r in f.redirects {
            let n = redirect_name(r).to_owned();
            if !redirects.contains(&n) {
                redirects.push(n);
            }
            if let RedirectKind::Loopback { fixed_ports: p, .. } = r {
                fixed_ports.extend_from_slice(p);
            }
        }
    }
    PlatformInfo {
        id: d.id.to_string(),
        display_name: d.display_name.to_string(),
        docs_url: d.docs_url.to_string(),
        custom: e.custom,
        sign_in: if flow.is_some() { "oauth" } else { "api_key" }.into(),
        app_credentials: d.app_credentials.iter().map(snake).collect(),
        capabilities: flow
            .map(|f| f.scopes.iter().map(|(c, _)| snake(c)).collect())
            .unwrap_or_default(),
        redirects,
        fixed_ports,
        can_revoke: flow.is_some_and(|f| f.revoke_url.is_some()),
        renewal: flow
            .map(|f| renewal_words(&f.refresh.renewal))
            .unwrap_or_else(|| "API keys work until deleted on the platform.".into()),
    }
}

fn renewal_words(r: &Renewal) -> String {
    match r {
        Renewal::Reauthorize => "Access cannot be renewed: sign in again before it expires.".into(),
        Renewal::RefreshToken {
            fixed_expiry: true, ..
        } => "Access is renewed automatically until a fixed end date.".into(),
        Renewal::RefreshToken { rotates: true, .. } => {
            "Access is renewed automatically (single-use refresh tokens).".into()
        }
        Renewal::RefreshToken { .. } => "Access is renewed automatically.".into(),
        Renewal::ExchangeAccessToken { .. } => {
            "Access is extended automatically while in use.".into()
        }
    }
}

/// A user-added provider as a descriptor: authorization code + PKCE, loopback on any
/// port or the deep link, the standard refresh (treated as rotating, the safe reading).
pub fn custom_descriptor(c: &CustomProvider) -> ProviderDescriptor {
    let client_auth = match c.client_auth.as_str() {
        "basic" => ClientAuth::Basic,
        "request_body" => ClientAuth::RequestBody,
        _ => ClientAuth::None,
    };
    let app_credentials: &'static [CredentialField] = match client_auth {
        ClientAuth::None => &[CredentialField::ClientId],
        _ => &[CredentialField::ClientId, CredentialField::ClientSecret],
    };
    ProviderDescriptor {
        id: c.id.clone().into(),
        display_name: c.display_name.clone().into(),
        docs_url: c
            .discovery_url
            .clone()
            .unwrap_or_else(|| c.authorize_url.clone())
            .into(),
        app_credentials,
        identity: IdentityEndpoints {
            profile_url: c.userinfo_url.clone(),
            accounts_url: None,
        },
        sign_in: SignIn::OAuth(Box::new(OAuthFlow {
            authorize_url: c.authorize_url.clone(),
            token_url: c.token_url.clone(),
            revoke_url: c.revoke_url.clone(),
            pkce: Pkce::Supported,
            client_auth,
            client_id_param: "client_id",
            scope_separator: Some(" "),
            base_scopes: &[],
            scopes: &[],
            extra_authorize_params: &[],
            token_exchange: TokenExchange::Standard,
            refresh: RefreshRule {
                access_token: Lifetime::Unknown,
                renewal: Renewal::RefreshToken {
                    lifetime: Lifetime::Unknown,
                    fixed_expiry: false,
                    rotates: true,
                    resend: &[],
                },
                idle_revocation: None,
            },
            redirects: &[LOOPBACK_ANY_PORT, RedirectKind::CustomScheme],
            default_redirect: LOOPBACK_ANY_PORT,
        })),
    }
}

/// The capabilities named in strings, refusing unknown ones.
pub fn parse_capabilities(names: &[String]) -> Result<Vec<Capability>> {
    names
        .iter()
        .map(|n| {
            serde_json::from_value::<Capability>(serde_json::Value::String(n.clone()))
                .map_err(|_| ConnectError::Invalid(format!("'{n}' is not a capability")))
        })
        .collect()
}
