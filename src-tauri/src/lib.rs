//! The Switchboard desktop shell: wires the core (`switchboard-api`) to Tauri —
//! commands, events, tray, single instance, deep links and the updater. No logic of
//! its own lives here.

mod assets;
mod commands;
pub mod ipc;
mod shell;

pub use shell::run;
