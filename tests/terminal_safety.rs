//! Whatever the audit trail holds — records whose every field carries controls and format
//! characters, lines that are not records at all — the text `cutover log` prints has no control
//! character but the newlines between its lines, and no format character; neither do the progress
//! lines of the headless commands. The oracle is independent of the escaping code: std's
//! `char::is_control` (category Cc) and the format characters the strategies put in.

mod support;

use std::io::Write;

use cutover::app::model::setup::Setup;
use cutover::app::model::state::{Mode, State};
use cutover::audit::{AuditLog, AuditRecord, Environment, Outcome, RecordKind};
use cutover::cli::LogArgs;
use cutover::commands::headless::EventPrinter;
use cutover::commands::log::run_with;
use cutover::domain::{Level, Target};
use jiff::Timestamp;
use proptest::prelude::*;
use support::pty::TempDir;

/// Format characters (Cf) a spoof would reach for, from every range of the table.
const FORMAT: &[char] = &[
    '\u{ad}',
    '\u{600}',
    '\u{61c}',
    '\u{6dd}',
    '\u{70f}',
    '\u{890}',
    '\u{8e2}',
    '\u{180e}',
    '\u{200b}',
    '\u{200e}',
    '\u{200f}',
    '\u{202a}',
    '\u{202d}',
    '\u{202e}',
    '\u{2060}',
    '\u{2066}',
    '\u{2069}',
    '\u{206f}',
    '\u{feff}',
    '\u{fff9}',
    '\u{110bd}',
    '\u{110cd}',
    '\u{1343f}',
    '\u{1bca0}',
    '\u{1d173}',
    '\u{e0001}',
    '\u{e0041}',
    '\u{e007f}',
];

/// What the terminal would act on or hide: any control but `\n`, or one of [`FORMAT`].
fn offending(text: &str) -> Vec<char> {
    text.chars().filter(|&c| (c.is_control() && c != '\n') || FORMAT.contains(&c)).collect()
}

/// Text mixing the printable, every C0 control, DEL, C1 controls and format characters.
fn hostile_text() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        3 => prop::char::range(' ', '~'),
        2 => prop::char::range('\0', '\u{1f}'),
        1 => Just('\u{7f}'),
        1 => prop::char::range('\u{80}', '\u{9f}'),
        2 => prop::sample::select(FORMAT),
        1 => prop::sample::select(&['λ', '→', '◼', 'é', '日', '🙂'][..]),
    ];
    prop::collection::vec(c, 0..24).prop_map(String::from_iter)
}

fn record() -> impl Strategy<Value = AuditRecord> {
    let kinds = prop::sample::select(
        &[
            RecordKind::SwitchRequested,
            RecordKind::SwitchAccepted,
            RecordKind::SwitchFailed,
            RecordKind::GuardBreach,
            RecordKind::AutoRollback,
        ][..],
    );
    (
        kinds,
        (hostile_text(), hostile_text(), prop::collection::vec(hostile_text(), 0..3)),
        (prop::option::of(hostile_text()), prop::option::of(hostile_text()), prop::option::of(hostile_text())),
        (prop::option::of(hostile_text()), any::<bool>(), 0i64..100_000),
    )
        .prop_map(|(kind, (operator, distribution, routes), (error, message, arn), (etag, moved, secs))| {
            let time = Timestamp::from_second(1_767_225_600 + secs).unwrap();
            let mut record =
                AuditRecord::new(time, kind, Environment::Live, operator, distribution).with_routes(routes);
            if moved {
                record = record.with_targets(Target::Lambda, Target::Origin).with_outcome(Outcome::Failed);
            }
            record.error = error;
            record.message = message;
            record.caller_arn = arn;
            record.etag_before = etag;
            record
        })
}

/// A trail line: a record as cutover writes it, or raw bytes as anything else might.
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => record().prop_map(|r| serde_json::to_vec(&r).unwrap()),
        1 => hostile_text().prop_map(|t| format!("{{\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"{t}\"").into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

proptest! {
    #[test]
    fn log_text_from_any_trail_has_no_control_or_format_character(
        lines in prop::collection::vec(line(), 0..6),
        route_filter in prop::option::of(hostile_text()),
    ) {
        let dir = TempDir::new("cutover-terminal-safety");
        let path = dir.path().join("audit.jsonl");
        let mut file = std::fs::File::create(&path).unwrap();
        for line in &lines {
            file.write_all(line).unwrap();
            file.write_all(b"\n").unwrap();
        }
        drop(file);
        let args = LogArgs { route: route_filter, ..LogArgs::default() };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        run_with(&args, &path, Timestamp::from_second(1_767_400_000).unwrap(), &mut out, &mut err).unwrap();
        let (out, err) = (String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap());
        prop_assert_eq!(offending(&out), Vec::<char>::new(), "stdout: {:?}", out);
        prop_assert_eq!(offending(&err), Vec::<char>::new(), "stderr: {:?}", err);
    }

    #[test]
    fn headless_progress_lines_have_no_control_or_format_character(
        entries in prop::collection::vec((prop::option::of(hostile_text()), hostile_text()), 1..6),
    ) {
        let mut state = State::new(Setup::new("EDEMO7CUTOVER", Mode::Demo { scenario: "calm".into() }, "kim", Timestamp::UNIX_EPOCH));
        for (route, message) in &entries {
            state.log(Level::Error, route.as_deref(), message.clone());
        }
        let mut printer = EventPrinter::new(Vec::new());
        printer.print_new(&state);
        let printed = String::from_utf8(printer.into_inner()).unwrap();
        prop_assert_eq!(printed.lines().count(), entries.len(), "one line per entry: {:?}", printed);
        prop_assert_eq!(offending(&printed), Vec::<char>::new(), "{:?}", printed);
    }
}

/// The trail round-trips: what `--json` prints of a hostile record is that record, not an escaped copy.
#[test]
fn a_hostile_record_survives_the_trail_unchanged() {
    let dir = TempDir::new("cutover-terminal-safety-json");
    let log = AuditLog::at(dir.path().join("audit.jsonl"));
    let record = AuditRecord::new(Timestamp::UNIX_EPOCH, RecordKind::GuardBreach, Environment::Live, "a\x1b[2Jb", "E")
        .with_routes(["/\u{202e}x/*"]);
    log.append(&record).unwrap();
    let args = LogArgs { json: true, ..LogArgs::default() };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    run_with(&args, log.path(), Timestamp::UNIX_EPOCH, &mut out, &mut err).unwrap();
    let printed: AuditRecord = serde_json::from_slice(&out).unwrap();
    assert_eq!(printed, record);
}
