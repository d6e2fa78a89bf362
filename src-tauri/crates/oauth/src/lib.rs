//! switchboard-oauth: what Switchboard needs to know to sign in to a platform, as data.
//!
//! - [`ProviderDescriptor`] describes one provider: endpoints, PKCE, client authentication,
//!   scopes per [`Capability`], token lifetimes ([`RefreshRule`]), accepted redirects and
//!   the app credentials the user enters. The descriptors themselves live in
//!   `switchboard-platforms`, one folder per platform.
//! - [`EndpointOverrides`] points a provider's endpoints at another origin (a local
//!   emulator in tests and Demo mode).
//!
//! No I/O here: the sign-in flow that reads these descriptors comes later.

mod descriptor;
mod error;
mod origin;
mod refresh;

pub use descriptor::{
    Capability, ClientAuth, CredentialField, OAuthFlow, Pkce, ProviderDescriptor, RedirectKind,
    SignIn, TokenExchange,
};
pub use error::OAuthError;
pub use origin::EndpointOverrides;
pub use refresh::{Lifetime, RefreshRule, Renewal, ResendOnRefresh, DAY, HOUR};
