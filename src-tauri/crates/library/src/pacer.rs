//! How many requests one import may have in flight, adjusted from the usage the platform
//! reports with every answer: full speed below 75 %, fewer requests from there, none at all
//! from 95 % until the platform's own regain estimate (see `switchboard_platforms::limits`).
//!
//! Time is tokio's, so tests run it paused and jump it.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_platforms::limits::{Pace, Usage};
use tokio::sync::Notify;
use tokio::time::Instant;

#[derive(Debug)]
struct State {
    max: usize,
    target: usize,
    in_flight: usize,
    paused_until: Option<Instant>,
}

/// Shared by the workers of one job.
#[derive(Debug, Clone)]
pub struct Pacer {
    state: Arc<Mutex<State>>,
    wake: Arc<Notify>,
}

/// A request slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot {
    pacer: Pacer,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.pacer.lock().in_flight -= 1;
        self.pacer.wake.notify_waiters();
    }
}

impl Pacer {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Pacer {
            state: Arc::new(Mutex::new(State {
                max,
                target: max,
                in_flight: 0,
                paused_until: None,
            })),
            wake: Arc::new(Notify::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wait for a slot: until any pause is over and fewer than the target are in flight.
    pub async fn acquire(&self) -> Slot {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait_until = {
                let mut s = self.lock();
                match s.paused_until {
                    Some(until) if until > Instant::now() => Some(until),
                    _ => {
                        s.paused_until = None;
                        if s.in_flight < s.target {
                            s.in_flight += 1;
                            return Slot {
                                pacer: self.clone(),
                            };
                        }
                        None
                    }
                }
            };
            match wait_until {
                Some(until) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(until) => {}
                        _ = &mut notified => {}
                    }
                }
                None => notified.await,
            }
        }
    }

    /// Take the usage an answer reported into account.
    pub fn observe(&self, usage: Usage) {
        let mut s = self.lock();
        match usage.pace() {
            Pace::Go => s.target = s.max,
            Pace::SlowDown { fraction } => {
                s.target = ((s.max as f64 * fraction).floor() as usize).clamp(1, s.max);
            }
            Pace::Pause { wait } => {
                s.target = 1;
                let until = Instant::now() + wait;
                s.paused_until = Some(s.paused_until.map_or(until, |u| u.max(until)));
            }
        }
        drop(s);
        self.wake.notify_waiters();
    }

    /// No requests until `wait` has passed (a rate-limit answer), then one at a time until
    /// an answer reports room again.
    pub fn pause_for(&self, wait: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + wait;
        s.paused_until = Some(s.paused_until.map_or(until, |u| u.max(until)));
        s.target = 1;
        drop(s);
        self.wake.notify_waiters();
    }

    /// Requests allowed in flight now.
    pub fn target(&self) -> usize {
        self.lock().target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slows_down_from_75_percent_and_pauses_at_95() {
        let p = Pacer::new(8);
        assert_eq!(p.target(), 8);
        p.observe(Usage {
            highest_pct: 50.0,
            regain_after: None,
        });
        assert_eq!(p.target(), 8);
        p.observe(Usage {
            highest_pct: 85.0,
            regain_after: None,
        });
        assert!(p.target() < 8 && p.target() >= 2, "{}", p.target());
        p.observe(Usage {
            highest_pct: 97.0,
            regain_after: Some(Duration::from_secs(120)),
        });
        let start = Instant::now();
        let slot = p.acquire().await;
        assert!(Instant::now() - start >= Duration::from_secs(120));
        drop(slot);
        p.observe(Usage::default());
        assert_eq!(p.target(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_in_flight_than_the_target() {
        let p = Pacer::new(3);
        let a = p.acquire().await;
        let b = p.acquire().await;
        let c = p.acquire().await;
        let p2 = p.clone();
        let waiter = tokio::spawn(async move { p2.acquire().await });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!waiter.is_finished(), "a fourth slot was handed out");
        drop(a);
        let d = tokio::time::timeout(Duration::from_secs(1), waiter).await;
        assert!(d.is_ok(), "a freed slot was not handed on");
        drop((b, c));
    }
}
