//! Where Switchboard keeps its files. Overridable (`--data-dir`, `SWITCHBOARD_DATA_DIR`)
//! so tests and several agencies' vaults can live side by side.

use std::path::PathBuf;

pub const DATA_DIR_ENV: &str = "SWITCHBOARD_DATA_DIR";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "switchboard", "Switchboard")
}

/// The vault directory: explicit override, then the env var, then the OS app-data dir
/// (`~/.local/share/switchboard` on Linux, `~/Library/Application Support/dev.switchboard.Switchboard`
/// on macOS, `%APPDATA%\switchboard\Switchboard\data` on Windows).
pub fn data_dir(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| {
            std::env::var_os(DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".switchboard"))
}

/// Rolling log files: `<data dir>/logs` when the data dir is overridden (tests keep
/// everything in one place), otherwise the OS's per-user state/cache dir.
pub fn log_dir(data_dir_overridden: bool, data_dir: &std::path::Path) -> PathBuf {
    if data_dir_overridden {
        return data_dir.join("logs");
    }
    project_dirs()
        .map(|d| d.state_dir().unwrap_or(d.cache_dir()).join("logs"))
        .unwrap_or_else(|| data_dir.join("logs"))
}
