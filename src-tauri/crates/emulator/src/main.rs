//! `switchboard-emulator [--port-base N]`: serve every platform on loopback, print the
//! endpoint overrides JSON as the first line of stdout, and serve until stdin closes or the
//! process is killed.

use std::io::{Read, Write};
use switchboard_emulator::{EmulatorConfig, ImportSeed};

const USAGE: &str =
    "usage: switchboard-emulator [--port-base N] [--import-size demo|bench] [--latency-ms MS]\n\n\
Serves every platform on 127.0.0.1 (port N+i for the i-th platform, else ports from the OS),\n\
prints the endpoint overrides JSON on the first line of stdout, and runs until stdin closes.\n\
--import-size: each seeded ad account's content (demo: 12 campaigns; bench: 50,000 ads).\n\
--latency-ms: wait this long before answering every API and CDN request.";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut config = EmulatorConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port-base" => match args.next().and_then(|v| v.parse().ok()) {
                Some(base) => config.port_base = Some(base),
                None => return fail("--port-base needs a port number"),
            },
            "--import-size" => match args.next().as_deref() {
                Some("demo") => config.import = ImportSeed::default(),
                Some("bench") => config.import = ImportSeed::bench(),
                _ => return fail("--import-size needs demo or bench"),
            },
            "--latency-ms" => match args.next().and_then(|v| v.parse().ok()) {
                Some(ms) => config.latency = std::time::Duration::from_millis(ms),
                None => return fail("--latency-ms needs a number of milliseconds"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return std::process::ExitCode::SUCCESS;
            }
            other => return fail(&format!("unknown argument '{other}'")),
        }
    }
    let emulator = match switchboard_emulator::start(config).await {
        Ok(e) => e,
        Err(e) => return fail(&e.to_string()),
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{}", emulator.overrides_json())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return fail("could not write to stdout");
    }
    // Serve until stdin reaches its end (the parent closed it or exited).
    let _ = tokio::task::spawn_blocking(|| {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    })
    .await;
    emulator.shutdown().await;
    std::process::ExitCode::SUCCESS
}

fn fail(message: &str) -> std::process::ExitCode {
    eprintln!("switchboard-emulator: {message}\n\n{USAGE}");
    std::process::ExitCode::FAILURE
}
