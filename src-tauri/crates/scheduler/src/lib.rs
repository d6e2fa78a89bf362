//! switchboard-scheduler: publishes scheduled posts, exactly once or with a clear reason
//! why not. Tauri-free; the app and `switchboard-cli scheduler run` both host it, with the
//! clock passed in.
//!
//! * [`engine`]: the [`Scheduler`] (waking, claims, publishing through each platform's
//!   publisher, retries of what provably did not publish, recovery after a crash).
//! * [`due`]: wall-clock times in a client's IANA zone → UTC instants, DST warnings, queue
//!   slots.

pub mod due;
pub mod engine;
mod error;

pub use engine::{Scheduler, SchedulerOptions, TickReport};
pub use error::{Result, SchedulerError};
