//! A panic leaves its message and a backtrace in the log file (the terminal's own hook, installed
//! after ours by ratatui, gives the screen back first). Its own test binary: it changes the
//! process's environment and panic hook.

mod support;

use support::pty::TempDir;

#[test]
fn a_panic_goes_to_the_log_file_with_a_backtrace() {
    let dir = TempDir::new("cutover-panic");
    // The state directory is the environment's: the panic happens in a child process given its
    // own (the crate forbids `unsafe`, and `set_var` is unsafe beside other threads).
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "panic_child", "--ignored", "--nocapture"])
        .env("XDG_STATE_HOME", dir.path())
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
    let path = std::fs::read_to_string(dir.path().join("log-path")).expect("the child says where it logged");
    assert!(std::path::Path::new(&path).starts_with(dir.path()), "{path}");
    let log = std::fs::read_to_string(&path).expect("the log file exists");
    assert!(log.contains("panic: ") && log.contains("boom on purpose"), "{log}");
    assert!(log.contains("panic_hook.rs"), "no backtrace frame naming this test:\n{log}");
}

#[test]
#[ignore = "run by a_panic_goes_to_the_log_file_with_a_backtrace, in its environment"]
fn panic_child() {
    let (guard, path) = cutover::logging::init("info").expect("logging starts");
    cutover::logging::install_panic_hook(Some(path.clone()));
    let result = std::panic::catch_unwind(|| panic!("boom on purpose"));
    assert!(result.is_err());
    drop(guard); // flushes the log writer
    let state = std::env::var("XDG_STATE_HOME").unwrap();
    std::fs::write(std::path::Path::new(&state).join("log-path"), path.to_string_lossy().as_bytes()).unwrap();
}
