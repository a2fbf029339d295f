//! Rollout plans on the demo world with a paused clock: a plan walks its steps through the
//! router's store as each hold passes with quiet guards; a breach on the Lambda side puts the share
//! back to 0 and ends it; and a console restarted mid-plan picks it up from the audit trail where
//! the store says it is, and finishes it.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::history;
use cutover::app::model::plan_run::PlanPhase;
use cutover::app::model::state::State;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::share::ShareStore;
use cutover::backend::sim::Scenario;
use cutover::domain::plan::RolloutPlan;
use support::pty::TempDir;
use support::{Drive, log_lines, routed_console, routed_demo_in};

const ROUTE: &str = "/search/*";

fn quick() -> RolloutPlan {
    RolloutPlan::parse("quick", "5% 2m, 25% 2m, 100%").unwrap()
}

fn phase(state: &State) -> Option<PlanPhase> {
    state.plans.iter().rev().find(|r| r.route == ROUTE).map(|r| r.phase.clone())
}

fn step(state: &State) -> usize {
    state.plans.iter().rev().find(|r| r.route == ROUTE).map_or(0, |r| r.step)
}

fn start_plan(runtime: &mut cutover::app::runtime::Runtime<cutover::backend::sim::SimBackend>) {
    runtime.state_mut().view.selected = Some(ROUTE.into());
    runtime.press(Command::StartPlan);
    runtime.press(Command::Confirm);
}

#[tokio::test(start_paused = true)]
async fn a_plan_walks_its_steps_as_each_hold_passes_quietly() {
    let (mut runtime, backend) = routed_demo_in(Scenario::Calm, 4, |s| s.default_plan = quick()).await;
    start_plan(&mut runtime);
    let started = runtime.state().now;
    let done = runtime.run_until(Duration::from_secs(20 * 60), |s| phase(s) == Some(PlanPhase::Done)).await;
    let state = runtime.state();
    assert!(done, "{:#?}", log_lines(state));
    assert_eq!(state.route(ROUTE).unwrap().share, Some(100));
    assert_eq!(backend.read().await.unwrap().records[ROUTE].share, 100, "the store has it");
    // Two holds of two minutes at least, and the numbers arrive a minute or two late.
    let took = state.now.duration_since(started).as_secs();
    assert!(took >= 4 * 60, "the plan took {took} s");
    let steps: Vec<String> = log_lines(state).into_iter().filter(|l| l.contains("rollout plan quick")).collect();
    assert!(steps.iter().any(|l| l.contains("step 1/3: λ 5 %")), "{steps:#?}");
    assert!(steps.iter().any(|l| l.contains("step 2/3: λ 25 %")), "{steps:#?}");
    assert!(steps.last().unwrap().contains("rollout plan quick done: λ 100 %"), "{steps:#?}");
}

#[tokio::test(start_paused = true)]
async fn a_lambda_breach_puts_the_share_back_to_zero_and_ends_the_plan() {
    // Another workload takes the account's concurrency: Lambda throttles on every route it serves.
    let (mut runtime, backend) = routed_demo_in(Scenario::Throttle, 4, |s| s.default_plan = quick()).await;
    start_plan(&mut runtime);
    let aborted =
        runtime.run_until(Duration::from_secs(20 * 60), |s| matches!(phase(s), Some(PlanPhase::Aborted { .. }))).await;
    let state = runtime.state();
    assert!(aborted, "{:#?}", log_lines(state));
    let Some(PlanPhase::Aborted { why }) = phase(state) else { unreachable!() };
    assert!(why.contains("Lambda's guard was breached"), "{why}");
    assert_eq!(step(state), 0, "it never got past its first step");
    let back = runtime.run_until(Duration::from_secs(30), |s| s.route(ROUTE).unwrap().share == Some(0)).await;
    assert!(back, "{:#?}", log_lines(runtime.state()));
    assert_eq!(backend.read().await.unwrap().records[ROUTE].share, 0);
}

#[tokio::test(start_paused = true)]
async fn a_restarted_console_finishes_the_plan_from_the_trail() {
    let dir = TempDir::new("cutover-plans-restart");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let (runtime, backend) = routed_demo_in(Scenario::Calm, 7, |s| s.default_plan = quick()).await;
    let mut runtime = runtime.with_audit(trail.clone());
    start_plan(&mut runtime);
    let second = runtime
        .run_until(Duration::from_secs(10 * 60), |s| {
            step(s) == 1 && matches!(phase(s), Some(PlanPhase::Holding { .. }))
        })
        .await;
    assert!(second, "{:#?}", log_lines(runtime.state()));
    let clock = runtime.clock.clone();
    drop(runtime);

    // A new console on the same world: the trail says step 2/3, the store says 25 %.
    let mut runtime = routed_console(&backend, clock, Scenario::Calm, |setup| {
        history::load_plans(setup, &trail);
    })
    .await
    .with_audit(trail.clone());
    let resumed = log_lines(runtime.state()).into_iter().find(|l| l.contains("resumed from the audit trail"));
    assert!(
        resumed.as_deref().is_some_and(|l| l.contains("at step 2/3 (λ 25 %)")),
        "{:#?}",
        log_lines(runtime.state())
    );
    let done = runtime.run_until(Duration::from_secs(10 * 60), |s| phase(s) == Some(PlanPhase::Done)).await;
    assert!(done, "{:#?}", log_lines(runtime.state()));
    assert_eq!(backend.read().await.unwrap().records[ROUTE].share, 100);

    let records = read_trail(trail.path()).unwrap();
    let states: Vec<String> = records
        .records()
        .filter(|r| r.kind == RecordKind::PlanStep)
        .map(|r| r.plan.as_ref().unwrap().state.clone())
        .collect();
    assert_eq!(states, ["started", "step", "step", "done"], "the trail tells the plan's story");
}

/// Answers every question yes.
struct Yes;

impl cutover::commands::headless::Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, cutover::commands::headless::HeadlessError> {
        Ok(true)
    }
}

#[tokio::test(start_paused = true)]
async fn cutover_rollout_wait_follows_the_plan_to_its_end() {
    use cutover::commands::headless::{ApplyArgs, EventPrinter, carry_out, describe, follow_plan, plan_rollout};
    let (mut runtime, _) = routed_demo_in(Scenario::Calm, 4, |_| {}).await;
    let plan = plan_rollout(&mut runtime, ROUTE, Some(quick())).unwrap();
    let text = describe(&plan);
    assert!(text.contains("start rollout plan quick on /search/*?"), "{text}");
    assert!(text.contains("rollout plan quick: 5% 2m, 25% 2m, 100%"), "{text}");
    let args = ApplyArgs {
        yes: true,
        wait: false,
        timeout: Duration::from_secs(30 * 60),
        force: false,
        reason: None,
        no_audit: false,
    };
    let distribution_id = plan.distribution_id.clone();
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &[plan], &args, &mut Yes, &mut printer).await.unwrap();
    assert!(applied.finish().1.is_none());
    let done = follow_plan(&mut runtime, ROUTE, &distribution_id, args.timeout, &mut printer).await.unwrap();
    assert_eq!(done, "/search/*: rollout plan done, λ 100 %");
    // A plan that cannot start says why: an unknown route, a plan already done.
    assert!(plan_rollout(&mut runtime, "/nowhere/*", None).is_err());
    let refused = plan_rollout(&mut runtime, ROUTE, Some(quick())).err().expect("at 100 % already");
    assert!(refused.to_string().contains("has no step above it"), "{refused}");
}
