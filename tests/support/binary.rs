//! The real binary, run as a runbook would run it: against the emulators, in a home of its own,
//! standard input not a terminal.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::emulators::binary_env;

/// Run `cutover --config CONFIG ARGS...` in `home` (state in `home/state`) as user `runbook`, and
/// print what it said so that a failing test shows it.
pub fn run_cutover(region: &str, home: &Path, config: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .envs(binary_env(region).iter().map(|(k, v)| (*k, v.as_str())))
        .envs(extra_env.iter().copied())
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("USER", "runbook")
        .stdin(Stdio::null());
    shown(args, command.output().unwrap())
}

/// `output`, after printing what the command said, so that a failing test shows it.
pub fn shown(args: &[&str], output: Output) -> Output {
    eprintln!(
        "$ cutover {}\n--- exit {:?}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
