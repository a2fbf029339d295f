//! The audit file as a console session writes it: records for a switch that deploys and one that
//! fails, each switch's records named by when it was requested, a torn last line skipped with a
//! warning, and history shown again after a restart.

mod support;

use std::io::Write;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::history;
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{Mode, MovePhase, State};
use cutover::audit::{AuditLog, Outcome, RecordKind, is_history, read_trail};
use cutover::backend::sim::{ForeignWrite, Scenario, catalog};
use support::pty::TempDir;
use support::{Drive, demo, start};

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn switches_that_succeed_and_fail_are_on_disk_and_come_back_as_history() {
    let dir = TempDir::new("cutover-audit");
    let log = AuditLog::at(dir.path().join("audit.jsonl"));

    let (session, backend) = demo(Scenario::Calm, 12).await;
    let mut session = session.with_audit(log.clone());
    session.state_mut().view.selected = Some("/orders/*".into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    // Written before the request even leaves: a crash now still leaves a trace.
    assert_eq!(read_trail(log.path()).unwrap().entries.len(), 1);
    assert!(session.run_until(10 * MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await);

    backend.arm_foreign_write(ForeignWrite { repoint: Some(("/cart/*".into(), "canary".into())) });
    session.state_mut().view.selected = Some("/cart/*".into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    assert!(session.run_until(MINUTE, |s| s.moves[1].phase == MovePhase::Failed).await);

    let trail = read_trail(log.path()).unwrap();
    assert!(trail.warnings.is_empty());
    let steps: Vec<(RecordKind, Vec<String>, Option<Outcome>)> =
        trail.records().map(|r| (r.kind, r.routes.clone(), r.outcome)).collect();
    let orders = vec!["/orders/*".to_string()];
    let cart = vec!["/cart/*".to_string()];
    assert_eq!(
        steps,
        [
            (RecordKind::SwitchRequested, orders.clone(), None),
            (RecordKind::SwitchAccepted, orders.clone(), Some(Outcome::Accepted)),
            (RecordKind::SwitchDeployed, orders, Some(Outcome::Deployed)),
            (RecordKind::SwitchRequested, cart.clone(), None),
            (RecordKind::SwitchFailed, cart, Some(Outcome::Failed)),
        ]
    );
    // Each switch's records name it by when it was requested: the requested record's own time.
    let requested_at: Vec<_> = trail.records().map(|r| r.requested_at.expect("every switch record has it")).collect();
    let (orders_at, cart_at) = (trail.records().next().unwrap().time, trail.records().nth(3).unwrap().time);
    assert_eq!(requested_at, [orders_at, orders_at, orders_at, cart_at, cart_at]);
    assert_ne!(orders_at, cart_at);
    let failed = trail.records().last().unwrap();
    assert!(failed.error.as_deref().unwrap().starts_with("someone else changed the distribution"));
    let deployed = trail.records().nth(2).unwrap();
    assert!(deployed.accepted_to_deployed_ms.unwrap() >= 60_000, "rollouts take a minute or more");
    assert_ne!(deployed.etag_before, deployed.etag_after);

    // The process dies half-way through a line.
    let mut file = std::fs::OpenOptions::new().append(true).open(log.path()).unwrap();
    file.write_all(br#"{"time":"2026-01-15T22:41:00Z","kind":"switch_req"#).unwrap();
    drop(file);

    // A restart shows the earlier records, marked as history, and says which line was skipped.
    let state = restart_with(&log);
    let shown: Vec<&str> = state.notices.log.iter().filter(|e| is_history(e)).map(|e| e.message.as_str()).collect();
    assert_eq!(shown.len(), 5, "{shown:#?}");
    assert!(
        state.notices.log[0].message.contains("asked to switch /orders/*"),
        "oldest first: {:?}",
        state.notices.log[0]
    );
    let warning = state.notices.log.last().unwrap();
    assert!(warning.message.contains("line 6 skipped"), "{warning:?}");
}

#[tokio::test(start_paused = true)]
async fn a_restart_reads_only_the_end_of_a_long_trail() {
    let dir = TempDir::new("cutover-audit-long");
    let log = AuditLog::at(dir.path().join("audit.jsonl"));
    // Years of earlier lines, none of them readable: 8 MB that start-up must not read.
    let old = "an old line that is not JSON, padded to sixty-four bytes........\n";
    std::fs::write(log.path(), old.repeat(8 << 20 >> 6)).unwrap();

    let (session, _) = demo(Scenario::Calm, 12).await;
    let mut session = session.with_audit(log.clone());
    session.state_mut().view.selected = Some("/orders/*".into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    assert!(session.run_until(10 * MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await);

    let state = restart_with(&log);
    let shown: Vec<&str> = state.notices.log.iter().filter(|e| is_history(e)).map(|e| e.message.as_str()).collect();
    assert_eq!(shown.len(), 3, "requested, accepted, deployed: {shown:#?}");
    // With fewer records than the history shows, start-up looks as far back as its last window
    // (1 MiB): it reports the old lines in there, not the 131,072 of the whole file.
    let skipped = state.notices.log.iter().filter(|e| e.message.contains(" from the end skipped: ")).count();
    let window = cutover::audit::as_event_log::HISTORY_WINDOWS[2] as usize;
    assert!(skipped > 0 && skipped <= window / old.len(), "{skipped} old lines read");
}

#[cfg(unix)]
#[tokio::test(start_paused = true)]
async fn a_trail_pointed_at_an_endless_device_is_not_read() {
    let dir = TempDir::new("cutover-audit-device");
    let path = dir.path().join("audit.jsonl");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let state = restart_with(&AuditLog::at(&path));
    let warning = state.notices.log.last().unwrap();
    assert!(warning.message.starts_with("earlier sessions' records are not shown: "), "{warning:?}");
    assert!(warning.message.ends_with("it is not a regular file (a FIFO, socket or device)"), "{warning:?}");
}

/// A distribution's first state after a restart, with `log`'s history loaded as the console does.
fn restart_with(log: &AuditLog) -> State {
    let mut setup = Setup::new(catalog::DISTRIBUTION_ID, Mode::Demo { scenario: "calm".into() }, "kim", start());
    history::load_into(&mut setup, log);
    State::new(setup)
}
