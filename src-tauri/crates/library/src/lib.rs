//! switchboard-library: imports from the ad platforms into the encrypted offline library.
//!
//! - [`Importer`] runs import jobs: it plans a job's units with the platform's
//!   [`ImportSource`](switchboard_platforms::import::ImportSource), runs them concurrently
//!   within the platform's limits ([`pacer`]), stores each page with its unit's cursor in one
//!   transaction (so a killed job resumes where it stopped), downloads the assets creatives
//!   reference ([`download`]) into content-addressed blobs in the vault, and ends the pull
//!   by marking what disappeared;
//! - the queries the review UI uses live in `switchboard_store::domain` (browse, search,
//!   assets), reached through a client's read handle.

pub mod download;
mod engine;
mod error;
mod fetcher;
pub mod pacer;

pub use engine::{Importer, ImporterOptions, JobEnded, StartImport};
pub use error::{LibraryError, Result};
