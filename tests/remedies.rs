//! The responder's remedies on the paused-clock demo (`--scenario bad-deploy`): the footer's first
//! remedy at the first `!`, how long each remedy takes from there to a clean minute on screen, and
//! `u` after a stage rollback warning that it serves the breaching deployment again.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::intent::remedies;
use cutover::app::model::state::{Overlay, State};
use cutover::app::runtime::Runtime;
use cutover::backend::sim::{Scenario, SimBackend};
use cutover::theme::Theme;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Drive, log_lines, staged_demo};

const MINUTE: Duration = Duration::from_secs(60);
const ORDERS: &str = "/orders/*";

/// The first `!` on `/orders/*`: its newest minute past the 5xx threshold.
fn first_bang(state: &State) -> bool {
    let row = state.route(ORDERS).expect("the demo has /orders/*");
    remedies::breaching(state, row)
}

/// The demo's healthy 5xx rate is a few tenths of a percent; the bad deploy's, over 15 %.
const ERRORS_STOPPED_PCT: f64 = 1.0;

/// The errors have stopped on screen: the newest minute of `/orders/*` began after `since` and its
/// 5xx rate is back to the healthy few tenths (under the threshold is not enough: a switch still
/// propagating leaves some of the bad side's errors in it).
fn clean_minute_after(state: &State, since: Timestamp) -> bool {
    let Some(metrics) = state.learned.metrics.as_ref() else { return false };
    let Some(end) = metrics.newest_minute_end(ORDERS) else { return false };
    let rate = metrics.latest(ORDERS).and_then(|p| p.error_rate_pct());
    end - jiff::SignedDuration::from_mins(1) >= since && rate.is_some_and(|r| r < ERRORS_STOPPED_PCT)
}

/// The bad deploy up to its first `!`, `/orders/*` selected and its stage read.
async fn at_the_first_bang() -> Runtime<SimBackend> {
    let (mut session, _) = staged_demo(Scenario::BadDeploy, 5).await;
    session.press(Command::SelectDown);
    assert!(session.run_until(12 * MINUTE, first_bang).await, "{:#?}", log_lines(session.state()));
    assert_eq!(session.state().selected_route().map(|r| r.path.as_str()), Some(ORDERS));
    session
}

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, &Theme::default_dark())).unwrap();
    terminal.backend().to_string()
}

#[tokio::test(start_paused = true)]
async fn at_the_first_bang_the_footer_puts_the_stage_rollback_first() {
    let session = at_the_first_bang().await;
    let state = session.state();
    let offered: Vec<&str> = remedies::for_breach(state, ORDERS).iter().map(|r| r.key).collect();
    assert_eq!(offered, ["D", "s"], "the stage rollback (seconds) before the switch (minutes)");
    let screen = screen(state);
    assert!(screen.contains("▲ /orders/* fastest: D stage → d0: seconds, every route behind prod"), "{screen}");
}

/// The remedy the screen puts first (`D`, Enter, `y`) against the switch (`s`, `y`): simulated
/// seconds from the first `!` to a clean minute of `/orders/*` on screen. The numbers go in the
/// closing note: `cargo test --test remedies -- --nocapture`.
#[tokio::test(start_paused = true)]
async fn the_stage_rollback_stops_the_errors_sooner_than_the_switch() {
    let mut by_stage = at_the_first_bang().await;
    let bang = by_stage.state().now;
    by_stage.press(Command::StageRollback);
    let listed = by_stage
        .run_until(MINUTE, |s| matches!(&s.view.overlay, Overlay::StagePicker(p) if p.deployments.is_some()))
        .await;
    assert!(listed, "{:#?}", log_lines(by_stage.state()));
    by_stage.press(Command::Confirm); // Enter: the fallback, chosen first
    by_stage.press(Command::Confirm); // y
    let asked = by_stage.state().now;
    let stage_done = by_stage.run_until(10 * MINUTE, |s| clean_minute_after(s, asked)).await;
    assert!(stage_done, "{:#?}", log_lines(by_stage.state()));
    let stage_secs = by_stage.state().now.duration_since(bang).as_secs();

    let mut by_switch = at_the_first_bang().await;
    let bang = by_switch.state().now;
    by_switch.press(Command::Switch);
    by_switch.press(Command::Confirm);
    let asked = by_switch.state().now;
    let switch_done = by_switch.run_until(20 * MINUTE, |s| clean_minute_after(s, asked)).await;
    assert!(switch_done, "{:#?}", log_lines(by_switch.state()));
    let switch_secs = by_switch.state().now.duration_since(bang).as_secs();

    eprintln!("first ! to a clean minute on screen: D Enter y {stage_secs} s; s y {switch_secs} s");
    assert!(stage_secs < switch_secs, "D took {stage_secs} s, s took {switch_secs} s");
    let lines = log_lines(by_stage.state());
    assert!(lines.iter().any(|l| l.contains("now serves deployment d0")), "{lines:#?}");
}

#[tokio::test(start_paused = true)]
async fn undo_after_the_stage_rollback_warns_it_serves_the_breaching_deployment_again() {
    let mut session = at_the_first_bang().await;
    // Wait for the alert itself, so the warning has the breach's numbers.
    let alerted = session.run_until(10 * MINUTE, |s| !s.route(ORDERS).unwrap().alert.is_empty()).await;
    assert!(alerted, "{:#?}", log_lines(session.state()));
    session.press(Command::StageRollback);
    session.run_until(MINUTE, |s| matches!(&s.view.overlay, Overlay::StagePicker(p) if p.deployments.is_some())).await;
    session.press(Command::Confirm);
    session.press(Command::Confirm);
    let served = session
        .run_until(MINUTE, |s| s.notices.log.iter().any(|e| e.message.contains("now serves deployment d0")))
        .await;
    assert!(served, "{:#?}", log_lines(session.state()));
    session.press(Command::Undo);
    let Overlay::ConfirmStage(confirm) = &session.state().view.overlay else {
        panic!("u opened {:?}", session.state().view.overlay)
    };
    let warning = confirm.warning().expect("a warning");
    assert!(warning.starts_with("d2 was breaching when the stage left it (/orders/* 5xx "), "{warning}");
    let screen = screen(session.state());
    assert!(screen.contains("! d2 was breaching when the stage left it"), "{screen}");
}
