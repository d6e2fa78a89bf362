//! switchboard-connect: connections to platforms.
//!
//! - [`Connector`] starts authorizations ([`Connector::begin`]), receives callbacks from
//!   the loopback listener, a deep link or the https relay, exchanges codes, finds out who
//!   signed in, stores grants in the vault, and keeps them alive
//!   ([`Connector::access_token`], [`Connector::run_refresher`]).
//! - [`catalogue`] lists the platforms: built-in ones and the generic providers the user
//!   added ([`discovery`]), with endpoint overrides applied.
//! - [`envimport`] reads app credentials from an existing `.env` file.
//!
//! Time, the HTTP client and the vault are passed in.

mod breaker;
pub mod catalogue;
pub mod discovery;
mod engine;
pub mod envimport;
mod error;
mod lifecycle;
mod loopback;
mod tokens;

pub use breaker::BreakerHealth;
pub use catalogue::PlatformInfo;
pub use engine::{
    BeginRequest, Begun, Connected, Connector, DisconnectReport, DEEP_LINK_SCHEME,
    FLOW_LIFETIME_MINUTES,
};
pub use error::{ConnectError, Result};
pub use lifecycle::{
    next_refresh, status_for, ApiAccess, Health, TickReport, REFRESHER_TICK, USE_MARGIN_SECS,
};
