//! What the emulator plays beyond its defaults: ports, registered apps, lifetimes.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// How to start the emulator. The default accepts any client on OS-chosen ports.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Listen on `port_base + i` for the i-th platform of the registry, instead of ports the
    /// OS picks (the binary's `--port-base`).
    pub port_base: Option<u16>,
    /// Apps registered per platform id. A platform with one enforces its client id, its
    /// secret and its redirect URIs the way the platform does; without one, any client
    /// (with a secret where the platform needs one) and any redirect URI is accepted.
    pub apps: BTreeMap<String, RegisteredApp>,
    /// How long an authorization code can be exchanged.
    pub code_lifetime: Duration,
    /// The most accounts answered per page where the platform pages them (Meta,
    /// Pinterest); small by default so that clients' paging is exercised.
    pub page_size: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port_base: None,
            apps: BTreeMap::new(),
            code_lifetime: Duration::from_secs(60),
            page_size: 2,
        }
    }
}

impl EmulatorConfig {
    /// Register an app with one platform.
    pub fn with_app(mut self, platform: &str, app: RegisteredApp) -> Self {
        self.apps.insert(platform.to_owned(), app);
        self
    }
}

/// An app as registered in a platform's developer portal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RegisteredApp {
    /// The client id (TikTok's client key, TikTok Ads' app id). For Wix, the site id.
    pub client_id: String,
    /// `None` for a public client (X native app, Microsoft desktop app, Reddit installed
    /// app), which must then send none. For Wix, the API key.
    pub client_secret: Option<String>,
    /// Redirect URIs as registered, matched the way the platform matches them: exactly
    /// (X: port and trailing slash included), any loopback port (Google, Microsoft), or a
    /// `*` port (TikTok).
    pub redirect_uris: Vec<String>,
}
