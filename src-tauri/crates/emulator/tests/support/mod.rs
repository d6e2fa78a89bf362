//! The harness the platform tests share: an emulator with every app registered, the
//! registry pointed at it through endpoint overrides, and the steps of a connection
//! (authorize, approve, callback, exchange, identity) done the way the app does them.

#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use switchboard_emulator::{EmulatorConfig, RegisteredApp, RunningEmulator};
use switchboard_oauth::callback::{parse_callback_query, Callback};
use switchboard_oauth::flow::{self, AuthorizeRequest, FlowStart};
use switchboard_oauth::{
    client, Adapter, AppCredentials, Capability, CredentialField, Ctx, EndpointOverrides,
    FlowError, Identity, ProviderDescriptor, RedirectKind, Revoked, TokenSet,
};

/// The loopback port the tests' "any port" redirects use.
pub const ANY_PORT: u16 = 50123;

/// The app secret every registered app has; it must never show in an error.
pub fn secret(id: &str) -> String {
    format!("CANARY-app-secret-{id}")
}

pub fn client_id(id: &str) -> String {
    format!("app-{id}")
}

/// Platforms whose apps are public clients, with no secret at all.
pub fn is_public(id: &str) -> bool {
    matches!(id, "microsoft_ads" | "x")
}

/// The redirect URI Switchboard would use for a platform (its default redirect kind).
pub fn redirect_uri(d: &ProviderDescriptor) -> String {
    let flow = d.oauth().expect("an OAuth platform");
    let ip = std::net::Ipv4Addr::LOCALHOST.into();
    match flow.default_redirect {
        RedirectKind::Loopback { any_port: true, .. } => {
            flow::loopback_redirect_uri(ip, ANY_PORT, &d.id)
        }
        RedirectKind::Loopback { fixed_ports, .. } => {
            flow::loopback_redirect_uri(ip, fixed_ports[0], &d.id)
        }
        RedirectKind::CustomScheme => flow::deep_link_redirect_uri("dev.switchboard.app", &d.id),
        RedirectKind::HttpsRelay => format!("https://relay.switchboard.test/callback/{}", d.id),
    }
}

/// The redirect URI as the user registers it with the platform.
fn registered_redirect(d: &ProviderDescriptor) -> String {
    match &*d.id {
        // A wildcard port (TikTok desktop) and any-port loopback (Google, Microsoft).
        "tiktok" => "http://127.0.0.1:*/callback/tiktok".into(),
        "google_ads" | "google_search_console" | "microsoft_ads" => {
            format!("http://127.0.0.1/callback/{}", d.id)
        }
        _ => redirect_uri(d),
    }
}

/// Every platform's app registered; Reddit as a confidential ("web") app.
pub fn registered_config() -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    for d in switchboard_platforms::registry() {
        let app = match d.oauth() {
            Some(_) => RegisteredApp {
                client_id: client_id(&d.id),
                client_secret: (!is_public(&d.id)).then(|| secret(&d.id)),
                redirect_uris: vec![registered_redirect(&d)],
            },
            // Wix: the site id and the API key.
            None => RegisteredApp {
                client_id: "emu-wix-site-1-1".into(),
                client_secret: Some(secret(&d.id)),
                redirect_uris: Vec::new(),
            },
        };
        config = config.with_app(&d.id, app);
    }
    config
}

/// A code obtained through the consent page, with what the exchange needs.
pub struct Authorized {
    pub start: FlowStart,
    pub redirect_uri: String,
    /// Where the browser was sent back to.
    pub redirect: String,
}

pub struct Harness {
    pub emu: RunningEmulator,
    pub descriptors: Vec<ProviderDescriptor>,
    pub http: reqwest::Client,
    skew: Mutex<Duration>,
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with(registered_config()).await
    }

    pub async fn with(config: EmulatorConfig) -> Harness {
        let emu = switchboard_emulator::start(config)
            .await
            .expect("the emulator starts");
        let descriptors = EndpointOverrides::from_json(&emu.overrides_json())
            .expect("the emulator's overrides parse")
            .apply(switchboard_platforms::registry())
            .expect("the emulator's overrides apply to the registry");
        Harness {
            emu,
            descriptors,
            http: client::http_client(&[]),
            skew: Mutex::new(Duration::zero()),
        }
    }

    pub fn descriptor(&self, id: &str) -> ProviderDescriptor {
        self.descriptors
            .iter()
            .find(|d| d.id == id)
            .unwrap_or_else(|| panic!("{id} is in the registry"))
            .clone()
    }

    pub fn adapter(&self, id: &str) -> Arc<dyn Adapter> {
        switchboard_platforms::adapter(id).unwrap_or_else(|| panic!("{id} has an adapter"))
    }

    /// Now, as the emulator sees it.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.skew.lock().unwrap()
    }

    /// Move time forward for the emulator and the adapters alike.
    pub fn advance(&self, by: Duration) {
        self.emu
            .advance_clock(by.to_std().expect("a positive duration"));
        *self.skew.lock().unwrap() += by;
    }

    /// The app credentials the user entered, matching the registered app.
    pub fn app(&self, id: &str) -> AppCredentials {
        let d = self.descriptor(id);
        let mut app = AppCredentials {
            client_id: client_id(id),
            ..AppCredentials::default()
        };
        if !is_public(id) && d.oauth().is_some() {
            app.client_secret = Some(SecretString::from(secret(id)));
        }
        if d.app_credentials.contains(&CredentialField::DeveloperToken) {
            app.developer_token = Some(SecretString::from(format!("CANARY-dev-token-{id}")));
        }
        if id == "wix" {
            app.api_key = Some(SecretString::from(secret(id)));
            app.site_id = Some("emu-wix-site-1-1".into());
        }
        app
    }

    pub fn ctx<'a>(&'a self, d: &'a ProviderDescriptor, app: &'a AppCredentials) -> Ctx<'a> {
        Ctx {
            http: &self.http,
            descriptor: d,
            app,
            now: self.now(),
        }
    }

    /// Start a flow for every capability the platform offers and approve it as `account`.
    pub fn authorize(&self, d: &ProviderDescriptor, account: &str) -> Authorized {
        let flow = d.oauth().expect("an OAuth platform");
        let capabilities: Vec<Capability> = flow.scopes.iter().map(|(c, _)| *c).collect();
        self.authorize_for(d, &capabilities, &redirect_uri(d), account)
    }

    pub fn authorize_for(
        &self,
        d: &ProviderDescriptor,
        capabilities: &[Capability],
        redirect_uri: &str,
        account: &str,
    ) -> Authorized {
        let flow = d.oauth().expect("an OAuth platform");
        let client_id = client_id(&d.id);
        let start = flow::start(
            flow,
            &AuthorizeRequest {
                client_id: &client_id,
                redirect_uri,
                capabilities,
                extra_scopes: &[],
            },
        )
        .expect("the authorize URL builds");
        let redirect = self
            .emu
            .approve(start.authorize_url.as_str(), account)
            .expect("the emulator shows the consent page");
        Authorized {
            start,
            redirect_uri: redirect_uri.to_owned(),
            redirect,
        }
    }

    /// Exchange the code of an approved authorization with the platform's adapter.
    pub async fn exchange(
        &self,
        d: &ProviderDescriptor,
        app: &AppCredentials,
        authorized: &Authorized,
    ) -> Result<TokenSet, FlowError> {
        let code = code_from(&authorized.redirect, &authorized.start.state);
        self.adapter(&d.id)
            .exchange_code(
                &self.ctx(d, app),
                &code,
                authorized.start.verifier.as_ref(),
                &authorized.redirect_uri,
            )
            .await
    }

    /// A whole connection as the default account: tokens and identity.
    pub async fn connect(&self, id: &str) -> (TokenSet, Identity) {
        let d = self.descriptor(id);
        let app = self.app(id);
        let tokens = if d.oauth().is_some() {
            let authorized = self.authorize(&d, "");
            self.exchange(&d, &app, &authorized)
                .await
                .unwrap_or_else(|e| panic!("{id}: the code exchange works: {}", checked(e)))
        } else {
            api_key_tokens(&app)
        };
        let identity = self
            .identity(id, &tokens)
            .await
            .unwrap_or_else(|e| panic!("{id}: identity works after connecting: {}", checked(e)));
        (tokens, identity)
    }

    pub async fn identity(&self, id: &str, tokens: &TokenSet) -> Result<Identity, FlowError> {
        let d = self.descriptor(id);
        let app = self.app(id);
        self.adapter(id).identity(&self.ctx(&d, &app), tokens).await
    }

    pub async fn refresh(&self, id: &str, tokens: &TokenSet) -> Result<TokenSet, FlowError> {
        let d = self.descriptor(id);
        let app = self.app(id);
        let redirect = d.oauth().map(|_| redirect_uri(&d)).unwrap_or_default();
        self.adapter(id)
            .refresh(&self.ctx(&d, &app), tokens, &redirect)
            .await
    }

    pub async fn revoke(&self, id: &str, tokens: &TokenSet) -> Result<Revoked, FlowError> {
        let d = self.descriptor(id);
        let app = self.app(id);
        self.adapter(id).revoke(&self.ctx(&d, &app), tokens).await
    }
}

/// Wix has no OAuth: the connect engine passes the API key as the access token.
pub fn api_key_tokens(app: &AppCredentials) -> TokenSet {
    TokenSet {
        access_token: app.api_key.clone().expect("Wix has an API key"),
        refresh_token: None,
        expires_at: None,
        refresh_expires_at: None,
        scopes: None,
        id_token: None,
        extra: Default::default(),
    }
}

/// The code of a redirect, read by the app's strict callback parser; the state must be ours.
pub fn code_from(redirect: &str, state: &str) -> SecretString {
    match callback(redirect) {
        Callback::Code { code, state: s, .. } => {
            assert_eq!(s, state, "the state comes back unchanged");
            code
        }
        other => panic!("expected a code in {redirect}, got {other:?}"),
    }
}

pub fn callback(redirect: &str) -> Callback {
    let query = redirect
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or_else(|| panic!("the redirect {redirect} has a query"));
    parse_callback_query(query).expect("the callback parser accepts the platform's redirect")
}

/// The error, after checking no app secret, developer token or API key leaked into it.
pub fn checked(e: FlowError) -> FlowError {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("CANARY"),
        "a secret leaked into an error: {text}"
    );
    e
}
