//! An audit trail that cannot be written, in a console session: the failure is on screen from the
//! first failed write, survives the refreshes that clear other banners, and goes away only when a
//! record is written again.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, State};
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::sim::Scenario;
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::pty::TempDir;
use support::{Drive, demo};

const MINUTE: Duration = Duration::from_secs(60);
const BANNER: &str = "✖ AUDIT TRAIL NOT WRITTEN: cannot create the audit directory";

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, &Theme::default_dark())).unwrap();
    terminal.backend().to_string()
}

#[tokio::test(start_paused = true)]
async fn the_failure_stays_on_screen_until_a_record_is_written_again() {
    let dir = TempDir::new("cutover-audit-failure");
    // The state directory is a regular file: nothing can be created under it, for root either.
    let blocker = dir.path().join("state");
    std::fs::write(&blocker, "").unwrap();
    let log = AuditLog::at(blocker.join("cutover/audit.jsonl"));

    let (session, _) = demo(Scenario::BadDeploy, 5).await;
    let mut session = session.with_audit(log.clone());
    assert!(!screen(session.state()).contains("AUDIT TRAIL"));
    session.state_mut().view.selected = Some("/cart/*".into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    let failure = session.state().notices.audit_failure.clone().expect("the failed write is kept");
    assert!(failure.starts_with("cannot create the audit directory"), "{failure}");
    assert!(screen(session.state()).contains(BANNER), "{}", screen(session.state()));

    // Refreshes come and go, each clearing the read-error banner; this one stays.
    assert!(session.run_until(10 * MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await);
    assert!(session.state().learned.metrics.received_at() > Some(session.state().moves[0].requested_at));
    assert_eq!(session.state().notices.audit_failure.as_deref(), Some(failure.as_str()));
    assert!(screen(session.state()).contains(BANNER));

    // The disk is fixed; the next record (the switch's traffic seen moved, or the bad deploy's guard
    // breach) is written, and the banner goes.
    std::fs::remove_file(&blocker).unwrap();
    assert!(session.run_until(10 * MINUTE, |s| s.notices.audit_failure.is_none()).await, "no record was written again");
    assert!(!screen(session.state()).contains("AUDIT TRAIL"));
    let kinds: Vec<RecordKind> = read_trail(log.path()).unwrap().records().map(|r| r.kind).collect();
    assert_eq!(kinds.len(), 1, "{kinds:?}");
    assert!(matches!(kinds[0], RecordKind::TrafficMoved | RecordKind::GuardBreach), "{kinds:?}");
    let said: Vec<&str> = session.state().notices.log.iter().map(|e| e.message.as_str()).collect();
    assert!(said.contains(&"the audit trail is written again"), "{said:#?}");
}
