//! Logs go to a file: the terminal belongs to the UI.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::domain::visible;
use crate::private_files;

/// Where the log file goes: the user's state directory (or data directory where there is none).
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "cutover")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// The log file's name in the log directory.
pub const FILE_NAME: &str = "cutover.log";

/// Start logging to `<log dir>/cutover.log` at `level`; `RUST_LOG`, when set, wins.
/// Keep the guard alive for as long as logs should be written.
///
/// A log file that cannot be opened is an error to warn about, never a panic: the emergency
/// commands must run on a machine whose state directory is read-only or full.
pub fn init(level: &str) -> anyhow::Result<(WorkerGuard, PathBuf)> {
    let dir = log_dir().context("no home directory to keep the log file in")?;
    let file = open_log_file(&dir)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_default_env().or_else(|_| EnvFilter::try_new(format!("cutover={level}")))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot start logging: {error}"))?;
    Ok((guard, dir.join(FILE_NAME)))
}

/// `<dir>/cutover.log` opened for appending, the directory (0700) and the file (0600) created when
/// missing. Opened here rather than by `tracing_appender::rolling`, which panics when it cannot.
pub fn open_log_file(dir: &Path) -> anyhow::Result<File> {
    private_files::create_dir(dir).with_context(|| format!("cannot create the log directory {}", dir.display()))?;
    let path = dir.join(FILE_NAME);
    private_files::open_append(&path).with_context(|| format!("cannot open the log file {}", path.display()))
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
        if let Ok(mut file) = private_files::open_append(path) {
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
    // Not `eprintln!`: a second panic here, on a closed standard error, would abort the process.
    let line = format!("internal error: {}{place}{details}", message.lines().next().unwrap_or_default());
    crate::output::stderr_line(&format!("cutover: {}", visible::escape(&line)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        crate::testing::scratch_dir(&format!("logging-{name}"))
    }

    #[test]
    fn a_log_file_that_cannot_be_opened_is_an_error_that_names_it() {
        let dir = scratch("blocked");
        std::fs::write(dir.join("file"), "").unwrap();
        // A directory under a regular file cannot exist, for root too.
        let error = open_log_file(&dir.join("file/state/cutover")).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(format!("{error:#}").starts_with("cannot create the log directory "), "{error:#}");
    }

    #[cfg(unix)]
    #[test]
    fn the_log_file_is_0600_in_a_0700_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("modes");
        let logs = dir.join("state/cutover");
        drop(open_log_file(&logs).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let modes = (mode(&logs), mode(&logs.join(FILE_NAME)));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(modes, (0o700, 0o600));
    }
}
