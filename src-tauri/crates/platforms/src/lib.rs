//! switchboard-platforms: everything Switchboard knows about each platform, one folder per
//! platform. For now that is the sign-in [`ProviderDescriptor`] and the [`Adapter`] that
//! carries out what departs from the standards (Meta's long-lived exchange, TikTok's
//! `client_key`, who signed in and which accounts the grant reaches); import, publishing,
//! error mapping and limits join each folder later.
//!
//! Adding a platform: a folder with `pub fn descriptor()` and an adapter, and one line in
//! [`platforms`].

mod google;
mod graph;
mod http;
pub mod import;
pub mod limits;
pub mod money;
pub mod publish;

pub mod bing_webmaster;
pub mod google_ads;
pub mod google_search_console;
pub mod instagram;
pub mod linkedin;
pub mod meta;
pub mod microsoft_ads;
pub mod pinterest;
pub mod reddit;
pub mod tiktok;
pub mod tiktok_ads;
pub mod wix;
pub mod wordpress_com;
pub mod x;

use std::sync::Arc;
use switchboard_oauth::{Adapter, ProviderDescriptor, RedirectKind};

/// Ports Switchboard listens on for providers that match loopback redirects exactly, port
/// included; the user registers `http://127.0.0.1:{port}/…` for each.
// why: below the IANA ephemeral range (49152+), so the OS does not hand them to other
// programs' outgoing connections; three, so two busy ones still leave a way in.
pub const FIXED_LOOPBACK_PORTS: &[u16] = &[47615, 47616, 47617];

const LOOPBACK_FIXED_PORTS: RedirectKind = RedirectKind::Loopback {
    any_port: false,
    fixed_ports: FIXED_LOOPBACK_PORTS,
};
const LOOPBACK_ANY_PORT: RedirectKind = RedirectKind::Loopback {
    any_port: true,
    fixed_ports: &[],
};

/// One platform: what is known about its sign-in, and the code that talks to it.
#[derive(Clone)]
pub struct Platform {
    pub descriptor: ProviderDescriptor,
    pub adapter: Arc<dyn Adapter>,
}

impl Platform {
    fn new(descriptor: ProviderDescriptor, adapter: impl Adapter + 'static) -> Self {
        Self {
            descriptor,
            adapter: Arc::new(adapter),
        }
    }
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("id", &self.descriptor.id)
            .finish_non_exhaustive()
    }
}

/// Every platform Switchboard can connect to, with its adapter.
pub fn platforms() -> Vec<Platform> {
    vec![
        Platform::new(meta::descriptor(), meta::Meta),
        Platform::new(instagram::descriptor(), instagram::Instagram),
        Platform::new(google_ads::descriptor(), google_ads::GoogleAds),
        Platform::new(
            google_search_console::descriptor(),
            google_search_console::GoogleSearchConsole,
        ),
        Platform::new(microsoft_ads::descriptor(), microsoft_ads::MicrosoftAds),
        Platform::new(bing_webmaster::descriptor(), bing_webmaster::BingWebmaster),
        Platform::new(linkedin::descriptor(), linkedin::LinkedIn),
        Platform::new(reddit::descriptor(), reddit::Reddit),
        Platform::new(tiktok::descriptor(), tiktok::TikTok),
        Platform::new(tiktok_ads::descriptor(), tiktok_ads::TikTokAds),
        Platform::new(pinterest::descriptor(), pinterest::Pinterest),
        Platform::new(x::descriptor(), x::X),
        Platform::new(wordpress_com::descriptor(), wordpress_com::WordPressCom),
        Platform::new(wix::descriptor(), wix::Wix),
    ]
}

/// Every platform's descriptor, in [`platforms`] order.
pub fn registry() -> Vec<ProviderDescriptor> {
    platforms().into_iter().map(|p| p.descriptor).collect()
}

/// The adapter of a built-in platform, by id.
pub fn adapter(id: &str) -> Option<Arc<dyn Adapter>> {
    platforms()
        .into_iter()
        .find(|p| p.descriptor.id == id)
        .map(|p| p.adapter)
}

#[cfg(test)]
mod test_server;
#[cfg(test)]
mod tests;
