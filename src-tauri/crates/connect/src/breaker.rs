//! A circuit breaker per platform: after repeated transient failures, calls to that
//! platform pause, then one probe decides whether to resume.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Consecutive transient failures that open the breaker.
pub const OPEN_AFTER: u32 = 5;
const FIRST_PAUSE_SECS: i64 = 60;
const MAX_PAUSE_SECS: i64 = 30 * 60;

#[derive(Debug, Clone, Default)]
struct State {
    failures: u32,
    opened: u32,
    open_until: Option<DateTime<Utc>>,
    probing: bool,
    last_error: Option<String>,
}

/// One platform's breaker as health shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BreakerHealth {
    pub platform: String,
    /// `closed`, `open` or `half_open`.
    pub state: String,
    pub consecutive_failures: u32,
    pub open_until: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Default)]
pub struct Breakers {
    by_platform: Mutex<HashMap<String, State>>,
}

/// Whether a call may go ahead.
#[derive(Debug, PartialEq, Eq)]
pub enum Permit {
    Go,
    /// The breaker just turned half-open: this call is the probe.
    Probe,
    Wait(DateTime<Utc>),
}

impl Breakers {
    pub fn permit(&self, platform: &str, now: DateTime<Utc>) -> Permit {
        let mut all = self.by_platform.lock().expect("breakers");
        let s = all.entry(platform.to_owned()).or_default();
        match s.open_until {
            None => Permit::Go,
            Some(until) if now < until => Permit::Wait(until),
            Some(until) if s.probing => Permit::Wait(until.max(now) + Duration::seconds(5)),
            Some(_) => {
                s.probing = true;
                Permit::Probe
            }
        }
    }

    pub fn success(&self, platform: &str) {
        let mut all = self.by_platform.lock().expect("breakers");
        all.insert(platform.to_owned(), State::default());
    }

    pub fn failure(&self, platform: &str, now: DateTime<Utc>, error: &str) {
        let mut all = self.by_platform.lock().expect("breakers");
        let s = all.entry(platform.to_owned()).or_default();
        s.failures += 1;
        s.last_error = Some(error.to_owned());
        if s.probing || s.failures >= OPEN_AFTER {
            s.opened += 1;
            let pause = (FIRST_PAUSE_SECS << (s.opened - 1).min(10)).min(MAX_PAUSE_SECS);
            s.open_until = Some(now + Duration::seconds(pause));
            s.probing = false;
        }
    }

    pub fn health(&self, now: DateTime<Utc>) -> Vec<BreakerHealth> {
        let all = self.by_platform.lock().expect("breakers");
        let mut out: Vec<_> = all
            .iter()
            .filter(|(_, s)| s.failures > 0 || s.open_until.is_some())
            .map(|(p, s)| BreakerHealth {
                platform: p.clone(),
                state: match s.open_until {
                    None => "closed",
                    Some(u) if now < u && !s.probing => "open",
                    Some(_) => "half_open",
                }
                .into(),
                consecutive_failures: s.failures,
                open_until: s.open_until.map(crate::engine::rfc3339),
                last_error: s.last_error.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.platform.cmp(&b.platform));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_n_failures_then_probes_once() {
        let b = Breakers::default();
        let t0: DateTime<Utc> = "2026-11-21T12:00:00Z".parse().unwrap();
        for _ in 0..OPEN_AFTER - 1 {
            b.failure("x", t0, "503");
            assert_eq!(b.permit("x", t0), Permit::Go);
        }
        b.failure("x", t0, "503");
        assert!(matches!(b.permit("x", t0), Permit::Wait(_)));
        assert_eq!(b.health(t0)[0].state, "open");
        let later = t0 + Duration::seconds(61);
        assert_eq!(b.permit("x", later), Permit::Probe);
        assert!(
            matches!(b.permit("x", later), Permit::Wait(_)),
            "one probe at a time"
        );
        b.failure("x", later, "503");
        assert!(
            matches!(
                b.permit("x", later + Duration::seconds(61)),
                Permit::Wait(_)
            ),
            "a failed probe reopens for longer"
        );
        b.success("x");
        assert_eq!(b.permit("x", later), Permit::Go);
        assert!(b.health(later).is_empty());
    }
}
