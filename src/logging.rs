//! Logs go to a file: the terminal belongs to the UI.

use std::path::PathBuf;

use anyhow::Context as _;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where the log file goes: the user's state directory (or data directory where there is none).
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "cutover")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// Start logging to `<log dir>/cutover.log` at `level`; `RUST_LOG`, when set, wins.
/// Keep the guard alive for as long as logs should be written.
pub fn init(level: &str) -> anyhow::Result<(WorkerGuard, PathBuf)> {
    let dir = log_dir().context("no home directory to keep the log file in")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::never(&dir, "cutover.log"));
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(format!("cutover={level}")))?;
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer).with_ansi(false).init();
    Ok((guard, dir.join("cutover.log")))
}
