//! Every success is read back, headless: a world that accepts a write and then shows something else
//! (CloudFront's `UpdateDistribution`, the router's `UpdateKeys`, API Gateway's `UpdateStage`) makes
//! `switch`, `weight` and `stage` fail with exit 1, naming the route (or stage) and where it is now;
//! never `Deployed`, never exit 0.

mod support;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cutover::app::model::state::{MovePhase, State};
use cutover::app::runtime::Runtime;
use cutover::backend::ports::Ports;
use cutover::backend::share::{ShareStore, StoreState};
use cutover::backend::sim::stage::demo_route_stage;
use cutover::backend::sim::{Scenario, SimBackend, SimDistributionConfig, SimOptions, catalog};
use cutover::backend::stage::{StageControl, StageDeployments, StageRef};
use cutover::backend::{Backend, BackendError, ControlPlane, FaultSet, MetricsSource, UpdateAccepted};
use cutover::clock::Clock;
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, StageArgs, SwitchPlan, carry_out, plan_switch, plan_weight,
    run_stage,
};
use cutover::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind};
use cutover::domain::{DeployStatus, MetricsSnapshot, ReadBack, Target, Topology};
use cutover::router::RouteRecord;
use support::{Drive, demo_state, start};

/// The demo world, except that every write is answered as taken and then dropped: reads show the
/// world as it was.
struct Forgetful(Arc<SimBackend>);

#[async_trait]
impl ControlPlane for Forgetful {
    type Config = SimDistributionConfig;

    async fn topology(&self) -> Result<Topology, BackendError> {
        self.0.topology().await
    }
    async fn get_config(&self, id: &str) -> Result<(SimDistributionConfig, String), BackendError> {
        self.0.get_config(id).await
    }
    async fn update_config(&self, id: &str, _: SimDistributionConfig, _: &str) -> Result<UpdateAccepted, BackendError> {
        let (_, etag) = self.0.get_config(id).await?;
        Ok(UpdateAccepted { etag, status: DeployStatus::Deployed })
    }
    async fn deploy_status(&self, id: &str) -> Result<DeployStatus, BackendError> {
        self.0.deploy_status(id).await
    }
    async fn read_back(&self, id: &str) -> Result<ReadBack, BackendError> {
        self.0.read_back(id).await
    }
    fn origin_of(config: &SimDistributionConfig, path: &str) -> Option<String> {
        SimBackend::origin_of(config, path)
    }
    fn set_origin(config: &mut SimDistributionConfig, path: &str, origin_id: &str) {
        SimBackend::set_origin(config, path, origin_id)
    }
    fn behavior_of(config: &SimDistributionConfig, path: &str) -> Option<BehaviorPolicies> {
        SimBackend::behavior_of(config, path)
    }
    fn set_request_policy(config: &mut SimDistributionConfig, path: &str, policy_id: &str) {
        SimBackend::set_request_policy(config, path, policy_id)
    }
    async fn policy_book(&self, wanted: &[(PolicyKind, String)]) -> PolicyBook {
        self.0.policy_book(wanted).await
    }
}

#[async_trait]
impl MetricsSource for Forgetful {
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        self.0.fetch(paths).await
    }
}

impl Backend for Forgetful {}

#[async_trait]
impl ShareStore for Forgetful {
    async fn read(&self) -> Result<StoreState, BackendError> {
        self.0.read().await
    }
    async fn put(&self, _: &[(String, RouteRecord)], _: &str) -> Result<String, BackendError> {
        Ok(self.0.read().await?.etag)
    }
}

#[async_trait]
impl StageControl for Forgetful {
    async fn deployments(&self, stage: &StageRef) -> Result<StageDeployments, BackendError> {
        self.0.deployments(stage).await
    }
    async fn set_deployment(&self, _: &StageRef, _: &str) -> Result<(), BackendError> {
        Ok(())
    }
}

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

/// The routed demo behind a world that forgets its writes, loaded.
async fn forgetful() -> (Runtime<Forgetful>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 1, faults: FaultSet::NONE };
    let sim = Arc::new(SimBackend::new(clock.clone(), options));
    let mut state: State = demo_state(catalog::DISTRIBUTION_ID, Scenario::Calm, &clock);
    state.policy.router = true;
    let world = Arc::new(Forgetful(Arc::clone(&sim)));
    state.policy.stages = [("/orders/*".to_string(), demo_route_stage())].into_iter().collect();
    let store: Arc<dyn ShareStore> = Arc::new(Forgetful(Arc::clone(&sim)));
    let stages: Arc<dyn StageControl> = Arc::new(Forgetful(Arc::clone(&sim)));
    let ports = Ports::new(world).with_share_store(store).with_stage_control(stages);
    let mut runtime = Runtime::single(state, ports, clock);
    let loaded = runtime
        .run_until(Duration::from_secs(30), |s| {
            s.learned.metrics.is_some() && s.route("/search/*").is_some_and(|r| r.share.is_some())
        })
        .await;
    assert!(loaded, "the demo world never answered");
    (runtime, sim)
}

async fn carry(runtime: &mut Runtime<Forgetful>, plan: SwitchPlan) -> (Vec<String>, Option<HeadlessError>) {
    let SwitchPlan::Change(plan) = plan else { panic!("nothing to do") };
    let args = ApplyArgs {
        yes: true,
        wait: true,
        timeout: Duration::from_secs(30 * 60),
        force: false,
        reason: None,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    carry_out(runtime, &[plan], &args, &mut Yes, &mut printer).await.unwrap().finish()
}

#[tokio::test(start_paused = true)]
async fn a_switch_cloudfront_accepts_but_does_not_show_exits_1_naming_where_the_route_is() {
    let (mut runtime, _) = forgetful().await;
    let plan = plan_switch(&mut runtime, "/orders/*", Target::Origin).unwrap();
    let (lines, error) = carry(&mut runtime, plan).await;
    assert!(lines.is_empty(), "no success line: {lines:?}");
    let error = error.expect("a failure");
    assert_eq!(error.exit_code(), 1, "{error}");
    let said = error.to_string();
    assert!(said.contains("/orders/* is still on apigw (λ Lambda), not on legacy as asked"), "{said}");
    assert!(said.ends_with("check with `cutover status` and switch again"), "{said}");
    let state = runtime.state();
    assert_eq!(state.moves[0].phase, MovePhase::Failed);
    assert_eq!(state.route("/orders/*").unwrap().target, Some(Target::Lambda));
    assert!(state.notices.banner.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_share_the_store_takes_but_does_not_show_exits_1_naming_the_share_it_has() {
    let (mut runtime, _) = forgetful().await;
    let before = runtime.state().route("/search/*").unwrap().share.unwrap();
    let plan = plan_weight(&mut runtime, "/search/*", if before == 10 { 25 } else { 10 }).unwrap();
    let (lines, error) = carry(&mut runtime, plan).await;
    assert!(lines.is_empty(), "no success line: {lines:?}");
    let error = error.expect("a failure");
    assert_eq!(error.exit_code(), 1, "{error}");
    let said = error.to_string();
    assert!(said.contains(&format!("read back /search/* sends λ {before} % to Lambda")), "{said}");
    assert_eq!(runtime.state().moves[0].phase, MovePhase::Failed);
}

#[tokio::test(start_paused = true)]
async fn a_stage_move_api_gateway_takes_but_does_not_show_exits_1_naming_the_deployment_it_serves() {
    let (mut runtime, _) = forgetful().await;
    let args = StageArgs {
        route: "/orders/*".into(),
        list: false,
        json: false,
        deployment: Some("d0".into()),
        yes: true,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let error = run_stage(&mut runtime, &args, &mut printer, &mut Yes).await.expect_err("never moved");
    assert_eq!(error.exit_code(), 1, "{error}");
    let said = error.to_string();
    assert!(said.contains("read back the stage serves deployment d2, not d0 as asked"), "{said}");
    assert_eq!(runtime.state().moves[0].phase, MovePhase::Failed);
}
