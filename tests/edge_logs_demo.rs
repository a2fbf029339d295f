//! The edge logs on the paused-clock demo, as `cutover demo` wires them: the world's lines on its
//! in-process stream, read by the same reader as a live stream, counted per route. The bad deploy
//! shows at the edge within seconds (CloudWatch's minutes come later), and after `s y` the viewers
//! are said healthy again, in seconds, with a `viewers_healthy` record.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{MoveSource, State};
use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, RecordKind};
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use cutover::commands::headless::status::{DistributionStatus, StatusReport};
use support::{Drive, log_lines, start};

const ORDERS: &str = "/orders/*";

/// The demo as `cutover demo --scenario bad-deploy` starts it, its trail in `dir`.
async fn demo(dir: &std::path::Path) -> Runtime<SimBackend> {
    demo_with(dir, |_| {}).await
}

/// [`demo`], its setup adjusted first.
async fn demo_with(dir: &std::path::Path, adjust: impl FnOnce(&mut Setup)) -> Runtime<SimBackend> {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::BadDeploy, seed: 1, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut setup = cutover::commands::demo_world::setup(&backend);
    adjust(&mut setup);
    let state = State::new(setup);
    let ports = backend.ports(state.policy.probe_settings);
    Runtime::single(state, ports, clock).with_audit(AuditLog::at(dir.join("audit.jsonl")))
}

fn edge_5xx(state: &State) -> Option<f64> {
    state.edge_logs.as_ref()?.window(ORDERS, state.now)?.error_5xx_pct()
}

#[tokio::test(start_paused = true)]
async fn the_edge_sees_the_bad_deploy_in_seconds_and_the_viewers_healthy_after_the_rollback() {
    let dir = support::pty::TempDir::new("cutover-edge-demo");
    let mut session = demo(dir.path()).await;
    // The stream is read from five minutes back: numbers at once, before any CloudWatch minute.
    assert!(session.run_until(Duration::from_secs(30), |s| edge_5xx(s).is_some()).await, "no edge numbers");
    let healthy = edge_5xx(session.state()).unwrap();
    assert!(healthy < 2.0, "the calm minutes' edge 5xx: {healthy}");
    let edge = session.state().edge_logs.as_ref().unwrap();
    assert_eq!(edge.numbers.tally.bad, 0, "{:?}", edge.numbers.last_bad);
    // `status --json` gives the same window, for scripts.
    let status = DistributionStatus::from_state(session.state(), None, &HashMap::new());
    let json: serde_json::Value = serde_json::from_str(&StatusReport::new(start(), vec![status]).to_json()).unwrap();
    let orders = json["distributions"][0]["routes"].as_array().unwrap().iter().find(|r| r["path"] == ORDERS).unwrap();
    let mut keys: Vec<&String> = orders["edge"].as_object().expect("an edge window").keys().collect();
    keys.sort();
    assert_eq!(keys, ["age_s", "edge_errors", "error_5xx_pct", "p50_ms", "p99_ms", "requests_per_s", "window_s"]);
    assert!(orders["edge"]["requests_per_s"].as_f64().unwrap() > 50.0, "{}", orders["edge"]);

    // The bad deploy starts 150 s in; the edge's window is past the 5 % threshold within its window.
    let began = start() + jiff::SignedDuration::from_secs(150);
    assert!(session.run_until(Duration::from_secs(300), |s| edge_5xx(s).is_some_and(|e| e > 5.0)).await);
    let seen_after = session.state().now.duration_since(began).as_secs();
    println!("bad deploy seen at the edge {seen_after} s after it began");
    assert!(seen_after <= 40, "{seen_after} s");
    assert!(
        session.state().route(ORDERS).unwrap().alert.is_empty(),
        "CloudWatch's late minutes have not alerted yet: the edge is first"
    );

    // s y: back to the origin; the viewers are healthy again within the propagation, in seconds.
    session.state_mut().view.selected = Some(ORDERS.into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    let said = |s: &State| log_lines(s).iter().any(|l| l.contains("viewers healthy again"));
    assert!(session.run_until(Duration::from_secs(600), said).await, "{:#?}", log_lines(session.state()));
    let line = log_lines(session.state()).into_iter().find(|l| l.contains("viewers healthy again")).unwrap();
    println!("demo: {line}");
    assert!(line.starts_with("INFO /orders/* viewers healthy again: 5xx "), "{line}");
    let moved = session.state().moves.iter().find(|m| m.paths == [ORDERS]).unwrap();
    let healthy = &moved.viewers[0];
    let after = healthy.since.duration_since(moved.accepted_at.unwrap()).as_secs();
    println!("demo's time to viewers_healthy: {after} s after accepted");
    assert!(after < 180, "within the propagation: {after} s");
    assert!(moved.viewers_done);

    // The trail has it, with the time from the request.
    session.run_for(Duration::from_secs(1)).await;
    let trail = cutover::audit::read_trail(&dir.path().join("audit.jsonl")).unwrap();
    let record = trail.records().find(|r| r.kind == RecordKind::ViewersHealthy).expect("a viewers_healthy record");
    assert_eq!(record.routes, [ORDERS]);
    assert!(record.viewers_healthy_ms.is_some_and(|ms| ms >= after.unsigned_abs() * 1000), "{record:?}");
}

#[tokio::test(start_paused = true)]
async fn a_guard_with_auto_rollback_acts_on_the_edge_in_seconds() {
    let dir = support::pty::TempDir::new("cutover-edge-guard");
    let mut session = demo_with(dir.path(), |setup| {
        setup.auto_rollback.insert(ORDERS.to_string());
    })
    .await;
    let rolled_back = |s: &State| s.moves.iter().any(|m| m.source == MoveSource::Automatic);
    assert!(session.run_until(Duration::from_secs(400), rolled_back).await, "{:#?}", log_lines(session.state()));
    let began = start() + jiff::SignedDuration::from_secs(150);
    let after = session.state().now.duration_since(began).as_secs();
    println!("auto rollback on the edge's breach {after} s after the bad deploy began");
    assert!(after <= 45, "{after} s");
    let lines = log_lines(session.state());
    let breach = lines.iter().find(|l| l.contains("guard breached: edge")).expect("the edge breach is said");
    assert!(breach.starts_with("WARN /orders/* guard breached: edge "), "{breach}");
    assert!(breach.contains(" over the last "), "{breach}");
    assert!(session.state().route(ORDERS).unwrap().alert.is_empty(), "before CloudWatch's minutes could say it");
}

/// `cutover edge-logs tail ROUTE --demo`: the real binary, no config, no AWS: one line a second of
/// the kept demo world's edge window, as JSON, `--count` of them; an unknown route is refused.
#[test]
fn the_binary_tails_a_routes_edge_numbers_on_the_demo_world() {
    use support::binary::{code, run_cutover_bare, stdout};
    let home = support::pty::TempDir::new("cutover-edge-tail");
    let config = home.path().join("no-such-cutover.toml");
    let run = |args: &[&str]| run_cutover_bare(home.path(), &config, args, &[]);
    let output = run(&["edge-logs", "tail", ORDERS, "--demo", "--json", "--count", "2"]);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for line in &lines {
        assert_eq!(line["route"], ORDERS);
        let rate = line["edge"]["requests_per_s"].as_f64().expect("live edge numbers");
        assert!(rate > 50.0, "{line}");
        assert!(line["edge"]["age_s"].as_i64().unwrap() <= 5, "caught up before the first line: {line}");
    }
    let refused = run(&["edge-logs", "tail", "/nope/*", "--demo", "--count", "1"]);
    assert_eq!(code(&refused), 2, "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no route /nope/*"));
}

/// The screen with edge logs, 120×40: the table's edge numbers marked `ᵉ`, the bad deploy's `!`
/// in seconds, the header's age and cost, the detail pane's window in words and its seconds.
#[tokio::test(start_paused = true)]
async fn the_screen_shows_the_edge_window() {
    let dir = support::pty::TempDir::new("cutover-edge-screen");
    let mut session = demo(dir.path()).await;
    let breached = |s: &State| edge_5xx(s).is_some_and(|e| e > 5.0);
    assert!(session.run_until(Duration::from_secs(300), breached).await);
    session.state_mut().view.selected = Some(ORDERS.into());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let theme = cutover::theme::Theme::default_dark();
    terminal.draw(|frame| cutover::ui::render(frame, session.state(), &theme)).unwrap();
    insta::assert_snapshot!(terminal.backend());
}
