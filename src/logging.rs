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
/// runs first and this line lands on a restored terminal. The process goes on (for tests that catch
/// the panic); the binary uses [`install_fatal_panic_hook`].
pub fn install_panic_hook(log_file: Option<PathBuf>) {
    std::panic::set_hook(Box::new(move |info| report_panic(info, log_file.as_deref())));
}

/// Exit code of a process that panicked, as Rust's own.
pub const PANIC_EXIT_CODE: i32 = 101;

/// [`install_panic_hook`], then end the process with [`PANIC_EXIT_CODE`], whichever thread
/// panicked. Tokio would catch a panic in a background task and let the console run on, drawing on
/// a terminal that the panic already gave back and waiting for an answer that never comes; ending
/// is calmer, and loses nothing: the audit trail is synced record by record.
pub fn install_fatal_panic_hook(log_file: Option<PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        // The terminal's hook has left raw mode and the alternate screen; the cursor it hid is
        // shown again only when the terminal is dropped, which an exit from here never does.
        use std::io::IsTerminal as _;
        if std::io::stdout().is_terminal() {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
        }
        report_panic(info, log_file.as_deref());
        std::process::exit(PANIC_EXIT_CODE);
    }));
}

fn report_panic(info: &std::panic::PanicHookInfo, log_file: Option<&std::path::Path>) {
    let backtrace = std::backtrace::Backtrace::force_capture();
    // Written straight to the file, not through the logging thread: the process may end next.
    if let Some(path) = log_file {
        use std::io::Write as _;
        let entry = format!("{} ERROR panic: {info}\n{backtrace}\n", jiff::Timestamp::now());
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = file.write_all(entry.as_bytes());
        }
    }
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
    let details = log_file.map(|p| format!("; details in {}", p.display())).unwrap_or_default();
    eprintln!("cutover: internal error: {}{place}{details}", message.lines().next().unwrap_or_default());
}
