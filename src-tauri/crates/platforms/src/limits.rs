//! What a platform API answer means for an import: go on, slow down, wait, reconnect,
//! skip one object, or retry. Each platform folder reads its own signals into these.

use std::time::Duration;

/// How hard the platform says the caller is pushing (the highest of its usage figures).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    /// 0–100 (can exceed 100 when already throttled).
    pub highest_pct: f64,
    /// The platform's own estimate of when full access returns.
    pub regain_after: Option<Duration>,
}

/// Usage from which callers slow down, and from which they stop until access returns.
pub const SLOW_DOWN_AT_PCT: f64 = 75.0;
pub const STOP_AT_PCT: f64 = 95.0;
/// The shortest pause once the platform is at its limit.
pub const MIN_PAUSE: Duration = Duration::from_secs(60);

/// What to do next, from the usage the platform reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    Go,
    /// Fewer requests in flight; `fraction` of the allowed concurrency (0 < f < 1).
    SlowDown {
        fraction: f64,
    },
    /// No requests until `wait` has passed.
    Pause {
        wait: Duration,
    },
}

impl Usage {
    pub fn pace(&self) -> Pace {
        if self.highest_pct >= STOP_AT_PCT {
            Pace::Pause {
                wait: self.regain_after.unwrap_or(MIN_PAUSE).max(MIN_PAUSE),
            }
        } else if self.highest_pct >= SLOW_DOWN_AT_PCT {
            // Linear from full speed at 75 % to a quarter at 95 %.
            let over = (self.highest_pct - SLOW_DOWN_AT_PCT) / (STOP_AT_PCT - SLOW_DOWN_AT_PCT);
            Pace::SlowDown {
                fraction: (1.0 - 0.75 * over).clamp(0.25, 1.0),
            }
        } else {
            Pace::Go
        }
    }
}

/// An API error, classified for the import engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiVerdict {
    /// Too many calls: wait (the platform's figure when it gives one) and retry.
    RateLimited { wait: Option<Duration>, raw: String },
    /// The grant no longer works: pause the job with "reconnect needed", never fail it.
    ReconnectNeeded { raw: String },
    /// This one object cannot be read (deleted post behind a creative, …): record it and
    /// skip it, never the whole job.
    BrokenObject { raw: String },
    /// Worth retrying with backoff (5xx, timeouts, the platform's "transient" flag).
    Transient { raw: String },
    /// The request is wrong; retrying will not help.
    Permanent { raw: String },
}
