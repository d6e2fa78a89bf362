//! The thread asset downloads run on: a single-threaded runtime of their own, so a
//! download's response is read, and its request slot handed to the next asset, as soon as
//! it arrives instead of waiting behind the parsing of listing and report pages on the
//! shared runtime's workers. Sealing the file runs on this runtime's blocking threads.
//!
//! why: downloads are latency-bound (16 in flight, each one request's round trip), so every
//! millisecond a finished response waits for a worker is lost from all 16 slots. At a
//! quarter of the import benchmark, with the downloads on the shared workers a fetch held its
//! slot 6 ms longer than the response took to arrive (68.4 against 62.8 ms); on this thread
//! the two are the same, and the benchmark went from 75-76 % to 77-78 % of its bound.

use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// A runtime on its own thread; dropping it ends the thread (work still on it is dropped).
pub(crate) struct Fetcher {
    handle: Handle,
    _stop: oneshot::Sender<()>,
}

impl Fetcher {
    /// Start the thread; `None` if the OS refused it (the caller then runs fetches where it is).
    pub(crate) fn start(name: &str) -> Option<Fetcher> {
        let (stop, stopped) = oneshot::channel::<()>();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = name.to_owned();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .thread_name(&thread)
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::warn!(error = %e, "no runtime for asset downloads");
                        return;
                    }
                };
                if tx.send(runtime.handle().clone()).is_err() {
                    return;
                }
                // Runs until the Fetcher is dropped (its sender with it).
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .ok()?;
        let handle = rx.recv().ok()?;
        Some(Fetcher {
            handle,
            _stop: stop,
        })
    }

    /// The download thread's runtime.
    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_runs_on_the_named_thread_and_dropping_the_fetcher_ends_it() {
        let fetcher = Fetcher::start("sb-test-fetch").expect("a thread");
        let handle = fetcher.handle().clone();
        let name = std::thread::spawn({
            let handle = handle.clone();
            move || {
                handle.block_on(async {
                    handle
                        .spawn(async { std::thread::current().name().map(str::to_owned) })
                        .await
                })
            }
        })
        .join()
        .unwrap()
        .unwrap();
        assert_eq!(name.as_deref(), Some("sb-test-fetch"));
        drop(fetcher);
        // The runtime shuts down with its thread: work handed to it afterwards never runs.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let ran = std::thread::spawn({
                let handle = handle.clone();
                move || handle.block_on(async { handle.spawn(async {}).await.is_ok() })
            })
            .join()
            .unwrap();
            if !ran {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the download thread kept running"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}
