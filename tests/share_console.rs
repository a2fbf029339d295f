//! Shares in the console, on the demo world with a paused clock: a routed route moved through the
//! router's store is answered by its new side at the edge and moved in the numbers, and a rollback
//! (`R`) puts its share back to 0 and finishes there long before the behaviors' update deploys.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::runtime::Runtime;
use cutover::app::state::{State, SwitchPhase};
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::FaultSet;
use cutover::backend::share::ShareStore;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::clock::Clock;
use cutover::domain::Target;
use jiff::Timestamp;
use support::pty::TempDir;
use support::{Drive, log_lines, start};

/// The demo as `cutover demo` starts it: the router on `/search/*` and `/payments/*`.
async fn routed_demo(seed: u64) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut setup = cutover::app::setup::Setup::new(
        catalog::DISTRIBUTION_ID,
        cutover::app::state::Mode::Demo { scenario: "calm".into() },
        "kim",
        clock.now(),
    );
    setup.router = true;
    setup.probes = catalog::routes_of(catalog::DEFAULT_ROUTES)
        .into_iter()
        .map(|r| (r.path.clone(), cutover::backend::sim::demo_probe_spec(&r.path)))
        .collect();
    let prober = Arc::new(cutover::backend::sim::SimProber::new(Arc::clone(&backend), setup.probe_settings));
    let store: Arc<dyn ShareStore> = Arc::clone(&backend) as Arc<dyn ShareStore>;
    let mut runtime = Runtime::single(State::new(setup), Arc::clone(&backend), clock)
        .with_prober(catalog::DISTRIBUTION_ID, prober)
        .with_share_store(catalog::DISTRIBUTION_ID, store);
    let loaded = runtime
        .run_until(Duration::from_secs(30), |s| {
            s.metrics.is_some() && s.route("/search/*").is_some_and(|r| r.share.is_some())
        })
        .await;
    assert!(loaded, "the demo world never answered");
    (runtime, backend)
}

/// When the log first said `text` about `path`.
fn said_at(state: &State, path: &str, text: &str) -> Option<Timestamp> {
    state.log.iter().find(|e| e.route.as_deref() == Some(path) && e.message.contains(text)).map(|e| e.at)
}

#[tokio::test(start_paused = true)]
async fn a_share_moves_in_seconds_and_its_rollback_beats_the_behaviors() {
    let dir = TempDir::new("cutover-share-console");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let (runtime, _) = routed_demo(4).await;
    let mut runtime = runtime.with_audit(trail.clone());
    runtime.state_mut().view.selected = Some("/search/*".into());
    runtime.press(Command::Switch);
    runtime.press(Command::Confirm);
    let moved =
        runtime.run_until(Duration::from_secs(5 * 60), |s| said_at(s, "/search/*", "traffic moved:").is_some()).await;
    let state = runtime.state();
    assert!(moved, "{:#?}", log_lines(state));
    let attempt = &state.switches[0];
    assert!(attempt.by_router() && attempt.phase == SwitchPhase::Deployed);
    assert_eq!(state.route("/search/*").unwrap().share, Some(100));
    let accepted = attempt.accepted_at.unwrap();
    let edge = said_at(state, "/search/*", "edge: every probe answered by λ Lambda").expect("the edge saw it");
    assert!(edge.duration_since(accepted).as_secs() <= 30, "the edge took {:?}", edge.duration_since(accepted));

    // R: the behaviors on Lambda go back in one update, /search/*'s share to 0 in the store.
    runtime.press(Command::RollbackAll);
    runtime.press(Command::Confirm);
    let done = runtime
        .run_until(Duration::from_secs(10 * 60), |s| {
            s.switches.iter().skip(1).all(|a| a.phase == SwitchPhase::Deployed)
                && said_at(s, "/search/*", "edge: every probe answered by ◼ origin").is_some()
        })
        .await;
    let state = runtime.state();
    assert!(done, "{:#?}", log_lines(state));
    let behaviors = state.switches.iter().skip(1).find(|a| !a.by_router()).expect("the behaviors' update");
    let share = state.switches.iter().skip(1).find(|a| a.by_router()).expect("the share's move");
    assert_eq!((share.to, behaviors.to), (Target::Origin, Target::Origin));
    let share_edge = said_at(state, "/search/*", "edge: every probe answered by ◼ origin").unwrap();
    let deployed = state
        .log
        .iter()
        .find(|e| e.message.starts_with("Deployed after") && e.at > share.requested_at)
        .map(|e| e.at)
        .expect("the behaviors deployed");
    assert!(
        share_edge < deployed,
        "the share's rollback was seen at the edge at {share_edge}, the behaviors deployed at {deployed}"
    );
    assert_eq!(state.route("/search/*").unwrap().share, Some(0));

    // The trail has the share moves with their shares, and the edge for each.
    let trail = read_trail(trail.path()).unwrap();
    let records = trail.records();
    let search: Vec<_> = records.filter(|r| r.routes == ["/search/*"]).collect();
    let accepted_to =
        |pct: u8| search.iter().any(|r| r.kind == RecordKind::SwitchAccepted && r.shares[0].to_pct == pct);
    assert!(accepted_to(100) && accepted_to(0), "{search:#?}");
    let edges = search.iter().filter(|r| r.kind == RecordKind::EdgeMoved).count();
    assert_eq!(edges, 2, "the edge, after each whole move: {search:#?}");
}

#[tokio::test(start_paused = true)]
async fn plus_steps_split_the_route_in_the_numbers() {
    let (mut runtime, _) = routed_demo(7).await;
    runtime.state_mut().view.selected = Some("/search/*".into());
    for _ in 0..5 {
        // 1, 5, 10, 25, 50 %: each confirmed once the store has taken the one before.
        runtime.press(Command::ShareUp);
        runtime.press(Command::Confirm);
        let taken = runtime.run_until(Duration::from_secs(10), |s| !s.shares_in_flight()).await;
        assert!(taken);
    }
    assert_eq!(runtime.state().route("/search/*").unwrap().share, Some(50));
    let taken_at = runtime.state().now;
    // Two refreshes later, the newest minute splits about half and half.
    runtime
        .run_until(Duration::from_secs(4 * 60), |s| {
            s.metrics
                .as_ref()
                .and_then(|m| m.newest_datapoint)
                .is_some_and(|t| t > taken_at + jiff::SignedDuration::from_mins(1))
        })
        .await;
    let state = runtime.state();
    let point = state.metrics.as_ref().unwrap().latest("/search/*").unwrap().clone();
    let lambda = point.lambda.requests.get().unwrap_or(0.0);
    let origin = point.origin.requests.get().unwrap_or(0.0);
    let pct = lambda / (lambda + origin) * 100.0;
    assert!((45.0..=55.0).contains(&pct), "λ {pct:.1} % of the newest minute");
}
