//! Shared set-up for integration tests: a demo session on tokio's paused clock.

#![allow(dead_code)]

pub mod api_gateway;
pub mod binary;
pub mod emulators;
pub mod fake_cloudfront;
pub mod fake_edge;
pub mod messy;
pub mod pty;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::event_loop;
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{Mode, State};
use cutover::app::runtime::{Runtime, TICK};
use cutover::backend::ports::Ports;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::{Backend, FaultSet};
use cutover::clock::Clock;
use jiff::Timestamp;

/// A fixed start, so screens and logs are the same on every run.
pub fn start() -> Timestamp {
    "2026-01-15T22:30:00Z".parse().unwrap()
}

/// A demo console that has read its distribution and first metrics. Call inside a
/// `#[tokio::test(start_paused = true)]`.
pub async fn demo(scenario: Scenario, seed: u64) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    demo_with_routes(scenario, seed, catalog::DEFAULT_ROUTES).await
}

/// [`demo`] with `routes` routes, as `cutover demo --routes N`.
pub async fn demo_with_routes(scenario: Scenario, seed: u64, routes: usize) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    demo_with_ports(scenario, seed, routes, |_, ports| ports).await
}

/// [`demo_with_routes`], its state and ports (only the backend) first given to `adjust`.
pub async fn demo_with_ports(
    scenario: Scenario,
    seed: u64,
    routes: usize,
    adjust: impl FnOnce(&mut State, Ports<SimBackend>) -> Ports<SimBackend>,
) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario, seed, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options).with_routes(routes));
    let mut state = demo_state(catalog::DISTRIBUTION_ID, scenario, &clock);
    let ports = adjust(&mut state, Ports::new(Arc::clone(&backend)));
    let mut runtime = Runtime::single(state, ports, clock);
    let loaded = runtime.run_until(Duration::from_secs(30), |s| s.learned.metrics.is_some()).await;
    assert!(loaded, "the demo world never answered");
    (runtime, backend)
}

/// [`demo`] with every route's Lambda side behind the demo's API Gateway stage, as `cutover demo`
/// configures it (so `D` and the remedies line offer the stage rollback).
pub async fn staged_demo(scenario: Scenario, seed: u64) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    demo_with_ports(scenario, seed, catalog::DEFAULT_ROUTES, |state, ports| {
        let routes = catalog::routes_of(catalog::DEFAULT_ROUTES).into_iter();
        let staged = routes.filter(|r| r.home != catalog::STATIC_ORIGIN_ID);
        state.policy.stages = staged.map(|r| (r.path, cutover::backend::sim::stage::demo_route_stage())).collect();
        let stages: Arc<dyn cutover::backend::stage::StageControl> = Arc::clone(&ports.backend) as _;
        ports.with_stage_control(stages)
    })
    .await
}

/// A demo distribution's first state, as `cutover demo` starts it (without the log's first lines).
pub fn demo_state(distribution_id: &str, scenario: Scenario, clock: &Clock) -> State {
    State::new(Setup::new(distribution_id, Mode::Demo { scenario: scenario.name().into() }, "kim", clock.now()))
}

/// The demo as `cutover demo` starts it: the router on `/search/*` and `/payments/*`.
pub async fn routed_demo(seed: u64) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    routed_demo_in(Scenario::Calm, seed, |_| {}).await
}

/// [`routed_demo`] with the console in live mode (a made-up account): what a live console says,
/// on the demo's world.
pub async fn routed_as_live(seed: u64) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    routed_demo_in(Scenario::Calm, seed, |setup| {
        setup.mode = cutover::app::model::state::Mode::Live { account: "000000000000".into(), profile: None };
    })
    .await
}

/// [`routed_demo`] in `scenario`, its setup adjusted by `adjust` before the console starts.
pub async fn routed_demo_in(
    scenario: Scenario,
    seed: u64,
    adjust: impl FnOnce(&mut Setup),
) -> (Runtime<SimBackend>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario, seed, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    (routed_console(&backend, clock, scenario, adjust).await, backend)
}

/// A console on an existing demo world (a restart: the world and its store go on), loaded.
pub async fn routed_console(
    backend: &Arc<SimBackend>,
    clock: Clock,
    scenario: Scenario,
    adjust: impl FnOnce(&mut Setup),
) -> Runtime<SimBackend> {
    let mode = Mode::Demo { scenario: scenario.name().into() };
    let mut setup = Setup::new(catalog::DISTRIBUTION_ID, mode, "kim", clock.now());
    setup.router = true;
    setup.probes = catalog::routes_of(catalog::DEFAULT_ROUTES)
        .into_iter()
        .map(|r| (r.path.clone(), cutover::backend::sim::demo_probe_spec(&r.path)))
        .collect();
    adjust(&mut setup);
    // The demo's own ports: its edges answer the probes, its store moves the shares.
    let ports = backend.ports(setup.probe_settings);
    let mut runtime = Runtime::single(State::new(setup), ports, clock);
    let loaded = runtime
        .run_until(Duration::from_secs(30), |s| {
            s.learned.metrics.is_some() && s.route("/search/*").is_some_and(|r| r.share.is_some())
        })
        .await;
    assert!(loaded, "the demo world never answered");
    runtime
}

/// Tests drive a runtime through the console's own event loop, with a deadline as the only input.
#[allow(async_fn_in_trait)]
pub trait Drive {
    /// The state of the distribution shown.
    fn state(&self) -> &State;
    /// The shown distribution's state, for a test to set up what a user would have done.
    fn state_mut(&mut self) -> &mut State;
    /// Let `real` time pass on tokio's clock as the console would: ticking, and applying backend
    /// results as they arrive. With a paused clock this runs in milliseconds.
    async fn run_for(&mut self, real: Duration);
    /// Run until `done` holds for the shown distribution, looking once per simulated second, or
    /// give up after `limit` of the console's (simulated) time.
    async fn run_until(&mut self, limit: Duration, done: impl FnMut(&State) -> bool) -> bool;
}

impl<B: Backend> Drive for Runtime<B> {
    fn state(&self) -> &State {
        self.console.shown()
    }

    fn state_mut(&mut self) -> &mut State {
        let shown = self.console.shown;
        &mut self.console.distributions[shown]
    }

    async fn run_for(&mut self, real: Duration) {
        let deadline = event_loop::deadline(tokio::time::Instant::now() + real);
        event_loop::run(self, deadline, TICK, |_, _| None).await;
        self.drain();
    }

    async fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&State) -> bool) -> bool {
        // A look once per simulated second, the way the snapshots were taken.
        let step = self.clock.real_duration(Duration::from_secs(1));
        for _ in 0..limit.as_secs().max(1) {
            if done(self.console.shown()) {
                return true;
            }
            self.run_for(step).await;
        }
        done(self.console.shown())
    }
}

/// Every log line as `LEVEL route message`.
pub fn log_lines(state: &State) -> Vec<String> {
    state
        .notices
        .log
        .iter()
        .map(|e| format!("{} {} {}", e.level, e.route.as_deref().unwrap_or("-"), e.message))
        .collect()
}

/// The demo's stage, whose `UpdateStage` never answers: a stage move stays out until whatever ends
/// the console or the headless run (quit, a signal, end of input, a draw error, a deadline).
pub struct UnansweredStage(pub Arc<SimBackend>);

#[async_trait::async_trait]
impl cutover::backend::stage::StageControl for UnansweredStage {
    async fn deployments(
        &self,
        stage: &cutover::domain::stage::StageRef,
    ) -> Result<cutover::domain::stage::StageDeployments, cutover::backend::BackendError> {
        self.0.deployments(stage).await
    }

    async fn set_deployment(
        &self,
        _: &cutover::domain::stage::StageRef,
        _: &str,
    ) -> Result<(), cutover::backend::BackendError> {
        std::future::pending().await
    }
}

/// The default demo with `/orders/*` on the demo's stage, whose `UpdateStage` is never answered,
/// its numbers read.
pub async fn unanswered_stage_demo() -> Runtime<SimBackend> {
    let (runtime, _) = demo_with_ports(Scenario::Calm, 1, catalog::DEFAULT_ROUTES, |state, ports| {
        let stage = cutover::backend::sim::stage::demo_route_stage();
        state.policy.stages.insert("/orders/*".into(), stage);
        let stages: Arc<dyn cutover::backend::stage::StageControl> =
            Arc::new(UnansweredStage(Arc::clone(&ports.backend)));
        ports.with_stage_control(stages)
    })
    .await;
    runtime
}
