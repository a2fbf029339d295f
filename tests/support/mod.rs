//! Shared set-up for integration tests: a demo session on tokio's paused clock.

#![allow(dead_code)]

pub mod binary;
pub mod emulators;
pub mod pty;

use std::sync::Arc;

use cutover::app::session::Session;
use cutover::app::state::{Mode, State};
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use jiff::Timestamp;

/// A fixed start, so screens and logs are the same on every run.
pub fn start() -> Timestamp {
    "2026-01-15T22:30:00Z".parse().unwrap()
}

/// A demo session that has read its distribution and first metrics. Call inside a
/// `#[tokio::test(start_paused = true)]`.
pub async fn demo(scenario: Scenario, seed: u64) -> (Session<SimBackend>, Arc<SimBackend>) {
    demo_with_routes(scenario, seed, cutover::backend::sim::catalog::DEFAULT_ROUTES).await
}

/// [`demo`] with `routes` routes, as `cutover demo --routes N`.
pub async fn demo_with_routes(scenario: Scenario, seed: u64, routes: usize) -> (Session<SimBackend>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario, seed, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options).with_routes(routes));
    let state = State::new(Mode::Demo { scenario: scenario.name().into() }, "kim", clock.now());
    let mut session = Session::new(state, Arc::clone(&backend), clock);
    let loaded = session.run_until(std::time::Duration::from_secs(30), |s| s.metrics.is_some()).await;
    assert!(loaded, "the demo world never answered");
    (session, backend)
}

/// Every log line as `LEVEL route message`.
pub fn log_lines(state: &State) -> Vec<String> {
    state.log.iter().map(|e| format!("{} {} {}", e.level, e.route.as_deref().unwrap_or("-"), e.message)).collect()
}
