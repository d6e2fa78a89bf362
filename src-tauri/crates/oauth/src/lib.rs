//! switchboard-oauth: what Switchboard needs to know to sign in to a platform, as data.
//!
//! - [`ProviderDescriptor`] describes one provider: endpoints, PKCE, client authentication,
//!   scopes per [`Capability`], token lifetimes ([`RefreshRule`]), accepted redirects and
//!   the app credentials the user enters. The descriptors themselves live in
//!   `switchboard-platforms`, one folder per platform.
//! - [`EndpointOverrides`] points a provider's endpoints at another origin (a local
//!   emulator in tests and Demo mode).
//!
//! - [`flow`] starts an authorization (state, PKCE, authorize URL), [`callback`] reads the
//!   provider's answer strictly, [`client`] talks to token endpoints and APIs with an
//!   HTTP client passed in, and [`Adapter`] is what a platform overrides.

mod adapter;
pub mod callback;
pub mod client;
mod descriptor;
mod error;
pub mod flow;
mod origin;
mod refresh;
mod token;

pub use adapter::{oidc_identity, Adapter, Ctx, Identity, RemoteAccount, Revoked, Standard};
pub use client::AppCredentials;
pub use token::{
    error_fields, error_from_body, redact, ErrorClass, FlowError, ProviderError, TokenSet,
};

pub use descriptor::{
    Capability, ClientAuth, CredentialField, IdentityEndpoints, OAuthFlow, Pkce,
    ProviderDescriptor, RedirectKind, SignIn, TokenExchange,
};
pub use error::OAuthError;
pub use origin::EndpointOverrides;
pub use refresh::{Lifetime, RefreshRule, Renewal, ResendOnRefresh, DAY, HOUR};
