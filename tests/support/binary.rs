//! The real binary, run as a runbook would run it: against the emulators, in a home of its own,
//! standard input not a terminal.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::emulators::binary_env;

/// Run `cutover --config CONFIG ARGS...` in `home` (state in `home/state`) as user `runbook` (unless
/// `extra_env` names another `USER`), and
/// print what it said so that a failing test shows it.
pub fn run_cutover(region: &str, home: &Path, config: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .envs(binary_env(region).iter().map(|(k, v)| (*k, v.as_str())))
        // A profile named in the developer's shell would be refused at start (it is not in this
        // home's profile files): the emulators' keys are the credentials here.
        .env_remove("AWS_PROFILE")
        .env("USER", "runbook")
        .envs(extra_env.iter().copied())
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
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

/// Run `cutover --config CONFIG ARGS...` with nothing of this machine's environment: only a home
/// of its own (`home`, with empty AWS profile files unless the test writes them), the instance
/// metadata service off, every AWS endpoint a closed port on 127.0.0.1 (nothing can reach the
/// internet), and `env`. For what must be refused before any call.
pub fn run_cutover_bare(home: &Path, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let aws = home.join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
    command
        .env_clear()
        .arg("--config")
        .arg(config)
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("USER", "runbook")
        .env("AWS_CONFIG_FILE", aws.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    shown(args, command.output().unwrap())
}
