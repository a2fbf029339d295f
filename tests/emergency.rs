//! The real binary on a machine that misbehaves, no AWS needed: a state directory that cannot be
//! written, a broken theme file, an unknown `CUTOVER_THEME`, standard output and error closed
//! early, and a trail full of terminal escapes. What needs AWS (status, switch, rollback-all) is
//! in `emergency_moto.rs`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cutover::audit::{AuditLog, AuditRecord, Environment, RecordKind};
use cutover::domain::Target;
use support::binary::{shown, stderr, stdout};
use support::pty::TempDir;

/// A home for one run: state in `home/state`, themes in `home/config/cutover/themes`.
struct Home {
    dir: TempDir,
    state: PathBuf,
}

impl Home {
    fn new() -> Self {
        let dir = TempDir::new("cutover-emergency");
        let state = dir.path().join("state");
        Home { dir, state }
    }

    /// A state directory that cannot be created, for root too: its parent is a regular file.
    fn unwritable() -> Self {
        let home = Home::new();
        std::fs::write(home.dir.path().join("file"), "").unwrap();
        Home { state: home.dir.path().join("file/state"), ..home }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn trail(&self) -> PathBuf {
        self.state.join("cutover/audit.jsonl")
    }

    fn break_theme(&self) {
        let themes = self.path().join("config/cutover/themes");
        std::fs::create_dir_all(&themes).unwrap();
        std::fs::write(themes.join("dark.toml"), "[base\nfg = ").unwrap();
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
        command
            .args(args)
            .env("HOME", self.path())
            .env("XDG_STATE_HOME", &self.state)
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env_remove("CUTOVER_THEME")
            .env_remove("CUTOVER_CONFIG")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        shown(args, self.command(args).envs(env.iter().copied()).output().unwrap())
    }
}

/// Characters a terminal would act on, or hide: controls (std's `is_control` is category Cc)
/// other than `\n`, and the format characters these tests put in.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars().filter(|&c| (c.is_control() && c != '\n') || ['\u{202e}', '\u{200b}'].contains(&c)).collect()
}

/// A record whose every string field carries something a terminal would obey.
fn hostile_record() -> AuditRecord {
    let evil = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rOK \u{202e}gpj.exe\u{200b}\u{9b}31m";
    let mut record = AuditRecord::new(
        "2026-01-15T22:41:00Z".parse().unwrap(),
        RecordKind::SwitchFailed,
        Environment::Live,
        format!("mallory{evil}"),
        format!("E1{evil}"),
    )
    .with_routes([format!("/api/{evil}/*")])
    .with_targets(Target::Lambda, Target::Origin)
    .with_error(format!("AccessDenied{evil}"))
    .with_message(format!("line one\nline two{evil}"))
    .with_caller_arn(Some(format!("arn:aws:iam::1:user/{evil}")));
    record.etag_before = Some(format!("E{evil}"));
    record
}

#[test]
fn log_with_an_unwritable_state_directory_warns_once_and_works() {
    let home = Home::unwritable();
    let output = home.run(&["log"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "exactly one warning: {err}");
    assert!(err.starts_with("cutover: logging is off: cannot create the log directory "), "{err}");
    assert!(stdout(&output).starts_with("no audit records in "), "{}", stdout(&output));
}

#[test]
fn log_ignores_a_broken_theme_file_and_an_unknown_theme() {
    let home = Home::new();
    home.break_theme();
    AuditLog::at(home.trail())
        .append(&AuditRecord::new(
            "2026-01-15T22:41:00Z".parse().unwrap(),
            RecordKind::GuardBreach,
            Environment::Live,
            "ana",
            "E1",
        ))
        .unwrap();
    for env in [&[][..], &[("CUTOVER_THEME", "unknown")][..]] {
        let output = home.run(&["log"], env);
        assert_eq!(output.status.code(), Some(0), "{env:?}: {}", stderr(&output));
        assert!(stdout(&output).contains("guard_breach"), "{env:?}");
        assert_eq!(stderr(&output), "", "{env:?}");
    }
    let output = home.run(&["--theme", "nope", "log", "--json"], &[]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn screens_still_refuse_a_bad_theme_and_show_its_name_escaped() {
    let home = Home::new();
    let output = home.run(&["demo"], &[("CUTOVER_THEME", "evil\x1b]0;owned\x07\u{202e}")]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("cutover: unknown theme 'evil\\u{1b}]0;owned\\u{7}\\u{202e}'; available: "), "{err}");
    assert_eq!(terminal_controls(&err), Vec::<char>::new());

    home.break_theme();
    let output = home.run(&["demo"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("theme file "), "{}", stderr(&output));
}

#[test]
fn log_shows_terminal_escapes_from_the_trail_as_text_and_json_as_it_is() {
    let home = Home::new();
    let record = hostile_record();
    AuditLog::at(home.trail()).append(&record).unwrap();
    // A line that is not a record at all, with an escape in it, is reported, not replayed.
    let mut raw = std::fs::OpenOptions::new().append(true).open(home.trail()).unwrap();
    std::io::Write::write_all(&mut raw, b"{\"kind\":\"\x1b[31m\n").unwrap();
    drop(raw);

    let output = home.run(&["log"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(terminal_controls(&out), Vec::<char>::new(), "{out:?}");
    assert_eq!(terminal_controls(&err), Vec::<char>::new(), "{err:?}");
    assert_eq!(out.lines().count(), 2, "the header and one row: the message's newline stays in its cell");
    assert!(out.contains("mallory\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}\\u{1b}[2J\\rOK \\u{202e}gpj.exe\\u{200b}\\u{9b}31m"));
    assert!(out.contains("line one\\nline two"), "{out}");

    let output = home.run(&["log", "--json"], &[]);
    let line = stdout(&output);
    assert_eq!(terminal_controls(&line), Vec::<char>::new(), "JSON escapes: {line:?}");
    let parsed: AuditRecord = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(parsed, record, "--json is the record exactly");
}

#[cfg(unix)]
#[test]
fn a_closed_standard_output_and_error_are_not_a_panic() {
    let home = Home::unwritable();
    // The other ends are closed before cutover starts: every write it makes fails with EPIPE.
    let closed = || {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        writer
    };
    let status = home.command(&["log"]).stdout(closed()).stderr(closed()).status().unwrap();
    assert_eq!(status.code(), Some(0), "a panic would be 101");

    let home = Home::new();
    for i in 0..200 {
        let record = AuditRecord::new(
            "2026-01-15T22:41:00Z".parse().unwrap(),
            RecordKind::GuardBreach,
            Environment::Live,
            "ana",
            format!("E{i}"),
        );
        AuditLog::at(home.trail()).append(&record).unwrap();
    }
    let output = home.command(&["log"]).stdout(closed()).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "", "nothing to say about a reader that left");
    let output = home.command(&["demo"]).stdout(closed()).stderr(closed()).status().unwrap();
    assert_eq!(output.code(), Some(1), "no terminal for the demo: an error, not a panic");
}
