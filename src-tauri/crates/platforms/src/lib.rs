//! switchboard-platforms: everything Switchboard knows about each platform, one folder per
//! platform. For now that is the sign-in [`ProviderDescriptor`]; import, publishing, error
//! mapping and limits join each folder later.
//!
//! Adding a platform: a folder with `pub fn descriptor()`, and one line in [`registry`].

mod google;

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

use switchboard_oauth::{ProviderDescriptor, RedirectKind};

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

/// Every platform Switchboard can connect to.
pub fn registry() -> Vec<ProviderDescriptor> {
    vec![
        meta::descriptor(),
        instagram::descriptor(),
        google_ads::descriptor(),
        google_search_console::descriptor(),
        microsoft_ads::descriptor(),
        bing_webmaster::descriptor(),
        linkedin::descriptor(),
        reddit::descriptor(),
        tiktok::descriptor(),
        tiktok_ads::descriptor(),
        pinterest::descriptor(),
        x::descriptor(),
        wordpress_com::descriptor(),
        wix::descriptor(),
    ]
}

#[cfg(test)]
mod tests;
