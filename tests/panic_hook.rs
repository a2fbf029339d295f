//! A panic leaves its message and a backtrace in the log file (the terminal's own hook, installed
//! after ours by ratatui, gives the screen back first). Its own test binary: it changes the
//! process's environment and panic hook.

mod support;

use support::pty::TempDir;

#[test]
fn a_panic_goes_to_the_log_file_with_a_backtrace() {
    let dir = TempDir::new("cutover-panic");
    // SAFETY: the only test in this binary, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("XDG_STATE_HOME", dir.path()) };
    let (guard, path) = cutover::logging::init("info").expect("logging starts");
    assert!(path.starts_with(dir.path()), "{}", path.display());
    cutover::logging::install_panic_hook(Some(path.clone()));

    let result = std::panic::catch_unwind(|| panic!("boom on purpose"));
    assert!(result.is_err());
    drop(guard); // flushes the log writer

    let log = std::fs::read_to_string(&path).expect("the log file exists");
    assert!(log.contains("panic: ") && log.contains("boom on purpose"), "{log}");
    assert!(log.contains("panic_hook.rs"), "no backtrace frame naming this test:\n{log}");
}
