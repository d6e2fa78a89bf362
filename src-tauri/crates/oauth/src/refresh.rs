//! How long a provider's tokens live and how Switchboard keeps a connection alive.

use serde::Serialize;

pub const HOUR: u64 = 3600;
pub const DAY: u64 = 24 * HOUR;

/// A documented token lifetime. The `expires_in` of a real token response always wins;
/// this is what to expect (and what to tell the user) before one arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifetime {
    Seconds(u64),
    /// Valid until the user or the provider revokes it.
    UntilRevoked,
    /// The provider documents no figure.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefreshRule {
    /// The access token Switchboard keeps, i.e. after any long-lived exchange.
    pub access_token: Lifetime,
    pub renewal: Renewal,
    /// A grant left unused this long (seconds) is revoked, so keep it in use.
    pub idle_revocation: Option<u64>,
}

/// How a fresh access token is obtained without the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Renewal {
    /// Nothing renews the grant: the user signs in again when it expires (or never has to).
    Reauthorize,
    /// `grant_type=refresh_token` at the token endpoint.
    RefreshToken {
        lifetime: Lifetime,
        /// The expiry is set at consent; refreshing does not push it back (LinkedIn).
        fixed_expiry: bool,
        /// Each refresh returns a new refresh token and retires the old one, so the new one
        /// is persisted before use and refreshes run one at a time (RFC 9700 §4.14.2).
        rotates: bool,
        /// Parameters the provider wants again on every refresh.
        resend: &'static [ResendOnRefresh],
    },
    /// The still-valid access token is exchanged at `url` for a new one once it is at
    /// least `min_age` seconds old; an expired token cannot be (Instagram `ig_refresh_token`).
    ExchangeAccessToken { url: String, min_age: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResendOnRefresh {
    RedirectUri,
    Scope,
}
