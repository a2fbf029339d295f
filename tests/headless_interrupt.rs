//! Ctrl-C during `cutover switch --wait`: the switch under way gets its `abandoned` event and the
//! command exits 130. Its own test binary, because the signal goes to the whole test process and
//! would stop any other test following a switch at the same moment.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::model::state::MovePhase;
use cutover::app::runtime::Runtime;
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::clock::Clock;
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, SwitchPlan, carry_out, plan_switch,
};
use cutover::domain::Target;
use support::{Drive, demo_state, start};

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

/// Real time, at 10× speed: the rollout takes 6–18 s, so the signal arrives while it is followed.
#[tokio::test]
async fn ctrl_c_while_waiting_records_the_switch_as_abandoned_and_exits_130() {
    let clock = Clock::simulated(start(), 10.0);
    let backend = Arc::new(SimBackend::new(
        clock.clone(),
        SimOptions { scenario: Scenario::Calm, seed: 3, faults: FaultSet::NONE },
    ));
    let state = demo_state(catalog::DISTRIBUTION_ID, Scenario::Calm, &clock);
    let mut runtime = Runtime::single(state, backend, clock);
    assert!(runtime.run_until(Duration::from_secs(30), |s| s.learned.metrics.is_some()).await);
    let Ok(SwitchPlan::Change(plan)) = plan_switch(&mut runtime, "/orders/*", Target::Origin) else { panic!() };

    // The same signal a terminal sends for Ctrl-C, a second into the wait.
    let pid = std::process::id().to_string();
    let interrupt = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap()
    });
    let args = ApplyArgs {
        yes: true,
        wait: true,
        timeout: Duration::from_secs(30 * 60),
        force: false,
        reason: None,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let result = carry_out(&mut runtime, &[plan], &args, &mut Yes, &mut printer).await;
    assert!(interrupt.join().unwrap().success());

    let Err(error) = result else { panic!("finished despite Ctrl-C") };
    assert!(matches!(error, HeadlessError::Interrupted("SIGINT")), "{error}");
    assert_eq!(error.exit_code(), 130);
    let attempt = &runtime.state().moves[0];
    assert_eq!(attempt.phase, MovePhase::Abandoned);
    let printed = String::from_utf8(printer.into_inner()).unwrap();
    assert!(printed.contains("abandoned: cutover got SIGINT while following it"), "{printed}");
    assert!(printed.contains("CloudFront finishes it without cutover"), "{printed}");
}
