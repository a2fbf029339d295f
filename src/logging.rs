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

/// On a panic: the whole message and a backtrace to the log file, one line to standard error.
/// Installed before the terminal is taken, so the terminal's own hook (which gives the screen back)
/// runs first and this line lands on a restored terminal.
pub fn install_panic_hook(log_file: Option<PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{backtrace}");
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_string());
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let details = log_file.as_ref().map(|p| format!("; details in {}", p.display())).unwrap_or_default();
        eprintln!("cutover: internal error: {}{place}{details}", message.lines().next().unwrap_or_default());
    }));
}
