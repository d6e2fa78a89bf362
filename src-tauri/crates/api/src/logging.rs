//! tracing to stderr and to daily-rolling files. Secrets are held in `secrecy` types
//! and error types that never carry them, so nothing here needs to scrub.

use std::path::Path;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Install the global subscriber. `stderr_level` is the default for the console; the
/// file gets `info` and up unless `SWITCHBOARD_LOG` says otherwise.
pub fn init(log_dir: &Path, file_prefix: &str, stderr_default: &str) -> Option<LogGuard> {
    let quiet = ",zbus=warn,tao=warn,wry=warn,tracing=warn,hyper=warn,reqwest=warn";
    let file_filter = std::env::var("SWITCHBOARD_LOG").unwrap_or_else(|_| "info".into()) + quiet;
    let err_filter =
        std::env::var("SWITCHBOARD_LOG").unwrap_or_else(|_| stderr_default.into()) + quiet;
    let file = std::fs::create_dir_all(log_dir).ok().and_then(|_| {
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix(file_prefix)
            .filename_suffix("log")
            .max_log_files(14)
            .build(log_dir)
            .ok()
    });
    let (file_layer, guard) = match file {
        Some(appender) => {
            let (nb, guard) = tracing_appender::non_blocking(appender);
            (
                Some(
                    fmt::layer()
                        .with_ansi(false)
                        .with_writer(nb)
                        .with_filter(EnvFilter::new(file_filter)),
                ),
                Some(LogGuard(guard)),
            )
        }
        None => (None, None),
    };
    let stderr_layer = fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_filter(EnvFilter::new(err_filter));
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    guard
}
