//! switchboard-api: what the app can do, independent of the host. The Tauri shell and
//! the CLI both drive a [`Switchboard`]; neither holds logic of its own.

pub mod connections;
mod error;
pub mod library;
pub mod links;
pub mod logging;
pub mod paths;
pub mod publishing;
mod switchboard;
mod types;

pub use error::ApiError;
pub use switchboard::{Config, Switchboard};
pub use types::*;
