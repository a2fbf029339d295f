//! Traffic moved, from the numbers, on the demo world with a paused clock: after a switch the
//! console follows the route's per-side requests minute by minute and says when the new side
//! carries the threshold share — in the minute the simulated share crosses it, and never for a
//! route whose numbers on one side are unknown.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::State;
use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::clock::Clock;
use cutover::domain::Target;
use cutover::domain::traffic::side_share_pct;
use support::pty::TempDir;
use support::{Drive, demo, demo_state, log_lines, start};

const MINUTE: Duration = Duration::from_secs(60);

fn switch(runtime: &mut Runtime<SimBackend>, path: &str) {
    runtime.state_mut().view.selected = Some(path.to_string());
    runtime.press(Command::Switch);
    runtime.press(Command::Confirm);
}

fn moved_lines(state: &State, path: &str) -> Vec<String> {
    log_lines(state).into_iter().filter(|l| l.contains(path) && l.contains("traffic moved")).collect()
}

#[tokio::test(start_paused = true)]
async fn the_event_fires_for_the_minute_the_share_crosses_the_threshold_and_the_row_shows_it_moving() {
    let dir = TempDir::new("cutover-traffic-moved");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let (runtime, _) = demo(Scenario::Calm, 4).await;
    let mut runtime = runtime.with_audit(trail.clone());
    switch(&mut runtime, "/orders/*");
    let mut shares = Vec::new();
    for _ in 0..20 * 60 {
        if !moved_lines(runtime.state(), "/orders/*").is_empty() {
            break;
        }
        shares.extend(runtime.state().moving_share("/orders/*"));
        runtime.run_until(Duration::from_secs(1), |_| false).await;
    }
    let state = runtime.state();
    let lines = moved_lines(state, "/orders/*");
    assert_eq!(lines.len(), 1, "{:#?}", log_lines(state));

    // The first minute since the acceptance minute in which the origin carried ≥ 95 %.
    let accepted = state.moves[0].accepted_at.unwrap();
    let metrics = state.learned.metrics.as_ref().unwrap();
    let accepted_minute = accepted.as_second().div_euclid(60) * 60;
    let (index, share) = (metrics.series("/orders/*").iter().enumerate())
        .filter(|(i, _)| metrics.minute_start(*i).as_second() >= accepted_minute)
        .find_map(|(i, p)| side_share_pct(p, Target::Origin).filter(|s| *s >= 95.0).map(|s| (i, s)))
        .expect("the numbers show the move");
    let moved_at = metrics.minute_start(index) + jiff::SignedDuration::from_mins(1);
    assert_eq!(state.moved_marks.len(), 1);
    assert_eq!(state.moved_marks[0].at, moved_at, "the mark is the end of that minute");
    let after = cutover::domain::format::duration_short(moved_at.duration_since(accepted).as_secs());
    let expected = format!("traffic moved: {share:.0} % on ◼ origin (legacy), {after} after accepted");
    assert!(lines[0].ends_with(&expected), "{} vs {expected}", lines[0]);

    // Before it moved, the row showed the share growing on the origin side.
    assert!(shares.iter().all(|(to, _)| *to == Target::Origin));
    assert!(shares.iter().any(|(_, s)| *s > 0.0 && *s < 95.0), "the move was seen part-way: {shares:?}");
    assert_eq!(state.moving_share("/orders/*"), None, "the mark goes once it has moved");

    // The trail has the moment, from the request, for `cutover log --stats`.
    let records = read_trail(trail.path()).unwrap();
    let moved: Vec<_> = records.records().filter(|r| r.kind == RecordKind::TrafficMoved).collect();
    assert_eq!(moved.len(), 1);
    let requested = state.moves[0].requested_at;
    let expected_ms = moved_at.duration_since(requested).as_millis() as u64;
    assert_eq!(moved[0].traffic_moved_ms, Some(expected_ms));
    assert_eq!(moved[0].requested_at, Some(requested));
}

#[tokio::test(start_paused = true)]
async fn a_route_with_one_side_unmeasured_is_never_called_moved() {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 4, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options).with_unmeasured("/orders/*", Target::Origin));
    let state = demo_state(catalog::DISTRIBUTION_ID, Scenario::Calm, &clock);
    let mut runtime = Runtime::single(state, backend, clock);
    assert!(runtime.run_until(MINUTE, |s| s.learned.metrics.is_some()).await);
    switch(&mut runtime, "/orders/*");
    runtime.run_until(20 * MINUTE, |_| false).await;
    let state = runtime.state();
    assert!(moved_lines(state, "/orders/*").is_empty(), "{:#?}", log_lines(state));
    assert!(state.moved_marks.is_empty());
    let blind: Vec<String> =
        log_lines(state).into_iter().filter(|l| l.contains("cannot be confirmed from metrics")).collect();
    assert_eq!(blind.len(), 1, "said once: {blind:#?}");
    assert!(blind[0].contains("◼ origin has no metric source"), "{}", blind[0]);
}
