//! switchboard-emulator: a local server that plays each platform Switchboard connects to —
//! its authorize page, token, revocation and identity endpoints — with that platform's
//! quirks, so tests, Demo mode and the CLI can run every flow without the real platforms.
//!
//! - [`start`] binds one loopback listener per platform (ports from the OS, or
//!   `port_base + i`) and serves the *real paths* of each platform's endpoints, read from
//!   `switchboard_platforms::registry()`, so the app and the emulator cannot drift.
//!   [`RunningEmulator::overrides_json`] gives the endpoint overrides that point the app
//!   at it.
//! - Each platform has two seeded accounts (`emu-<platform>-user-1`, the default, and
//!   `…-user-2`) with ad accounts, sites or blogs where the platform has them.
//! - The authorize endpoint shows a consent page; tests decide with
//!   [`RunningEmulator::approve`] / [`RunningEmulator::deny`] or by posting the form to
//!   `/__emulator/consent`.
//! - The import APIs (Meta's Marketing API, Google Ads' searchStream) serve each seeded
//!   ad account's content, generated lazily from [`ImportSeed`], and a CDN under
//!   `/__cdn/` serves the images and videos they point at (see the `import` module).
//! - The publishing APIs (X posts and chunked media, LinkedIn's Posts API, Facebook Pages)
//!   keep every post, reply, comment and upload: [`RunningEmulator::published`],
//!   [`RunningEmulator::uploaded_media`], [`RunningEmulator::publish_calls`] and
//!   `GET /__emulator/published` (see the `publish` module).
//! - [`Fault`]s are injected with [`RunningEmulator::inject`] or `POST /__emulator/faults`;
//!   [`Stats`] count what each platform was asked.
//!
//! Without a [`RegisteredApp`] a platform accepts any client; with one it enforces the
//! client id, secret, authentication method and redirect URIs the way the platform does.

mod api;
mod config;
mod consent;
mod fault;
mod import;
mod platform;
mod publish;
mod server;
mod state;
mod token;
mod wire;

pub use config::{EmulatorConfig, ImportSeed, RegisteredApp};
pub use fault::{Fault, Stats};
pub use import::seed::{duplicate_image_of, image_of_ad, searchable_word};
pub use publish::{PublishCall, PublishedPost, UploadedMedia, PUBLISHED_PATH};
pub use server::{start, EmulatorError, RunningEmulator, CONSENT_PATH, FAULTS_PATH, STATS_PATH};
