//! Faults on the simulated world, with tokio's clock paused: under each, the console keeps the last
//! good numbers marked stale, backs off, takes keys, ends every switch attempt, and recovers by itself
//! once the fault clears; a failing router function trips the router's guard, once, until it recovers.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, State};
use cutover::app::runtime::Runtime;
use cutover::backend::sim::{Scenario, SimBackend};
use cutover::backend::{Fault, FaultSet};
use cutover::domain::Target;
use support::{Drive, demo, log_lines, routed_demo};

const MINUTE: Duration = Duration::from_secs(60);

/// Press the demo's fault key until `wanted` is what the simulated AWS has.
fn inject(session: &mut Runtime<SimBackend>, wanted: FaultSet) {
    for _ in 0..7 {
        if session.state().faults == wanted {
            return;
        }
        session.press(Command::CycleFaults);
    }
    panic!("the fault key never reached {wanted}");
}

fn switch(session: &mut Runtime<SimBackend>, path: &str) {
    session.state_mut().view.selected = Some(path.to_string());
    session.press(Command::Switch);
    session.press(Command::Confirm);
}

fn ended(state: &State) -> bool {
    state.moves.iter().all(|s| matches!(s.phase, MovePhase::Deployed | MovePhase::Failed))
}

#[tokio::test(start_paused = true)]
async fn every_read_fault_keeps_the_last_numbers_marked_stale_backs_off_and_recovers() {
    for fault in [Fault::Throttling, Fault::Timeouts, Fault::Offline] {
        let (mut session, backend) = demo(Scenario::Calm, 11).await;
        let good = session.state().learned.metrics.as_ref().cloned();
        inject(&mut session, fault.into());
        assert_eq!(backend.faults(), FaultSet::from(fault), "the key reaches the simulated AWS");

        session.run_until(10 * MINUTE, |_| false).await;
        let state = session.state();
        assert!(state.is_stale(), "{fault:?}: {:#?}", log_lines(state));
        assert_eq!(state.learned.metrics.as_ref().cloned(), good, "{fault:?}: the last good numbers stay on screen");
        let trouble = state.learned.read_trouble.as_ref().expect("reads are failing");
        // A fixed 15 s retry would fail about 40 times in 10 minutes; backing off to 2 minutes, under 10.
        assert!((3..=10).contains(&trouble.failures), "{fault:?}: {} failures", trouble.failures);

        // Keys still work while AWS does not.
        let before = session.state().view.selected.clone();
        session.press(Command::SelectDown);
        assert_ne!(session.state().view.selected, before, "{fault:?}");

        inject(&mut session, FaultSet::NONE);
        let recovered = session.run_until(4 * MINUTE, |s| s.learned.read_trouble.is_none() && !s.is_stale()).await;
        assert!(recovered, "{fault:?}: {:#?}", log_lines(session.state()));
        assert_eq!(session.state().notices.banner, None);
        assert!(log_lines(session.state()).iter().any(|l| l.contains("AWS answers again after")), "{fault:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn conflicts_are_reread_and_reapplied_so_the_switch_lands_once() {
    let (mut session, backend) = demo(Scenario::Calm, 12).await;
    inject(&mut session, Fault::Conflicts.into());
    switch(&mut session, "/orders/*");
    let deployed = session.run_until(6 * MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await;
    let lines = log_lines(session.state());
    assert!(deployed, "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("is stale (someone else updated the distribution)")), "{lines:#?}");
    assert_eq!(session.state().route("/orders/*").unwrap().target, Some(Target::Origin));
    assert_eq!(backend.most_updates_in_flight(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_denied_update_fails_with_its_reason_and_switching_comes_back_with_the_fault_gone() {
    let (mut session, _backend) = demo(Scenario::Calm, 13).await;
    inject(&mut session, Fault::Denied.into());
    switch(&mut session, "/orders/*");
    assert!(session.run_until(MINUTE, ended).await);
    assert_eq!(session.state().moves[0].phase, MovePhase::Failed);
    assert!(session.state().read_only.is_some());
    assert!(!session.state().is_stale(), "reads still work: the numbers are current");
    assert!(log_lines(session.state()).iter().any(|l| l.contains("demo fault: denied")));

    inject(&mut session, FaultSet::NONE);
    assert_eq!(session.state().read_only, None);
    switch(&mut session, "/orders/*");
    let deployed = session.run_until(6 * MINUTE, |s| s.moves.get(1).is_some_and(|a| a.phase == MovePhase::Deployed));
    assert!(deployed.await, "{:#?}", log_lines(session.state()));
}

#[tokio::test(start_paused = true)]
async fn a_switch_that_times_out_ends_failed_with_the_reason_and_the_route_is_read_again() {
    let (mut session, backend) = demo(Scenario::Calm, 14).await;
    inject(&mut session, Fault::Timeouts.into());
    switch(&mut session, "/orders/*");
    assert!(session.run_until(2 * MINUTE, ended).await, "{:#?}", log_lines(session.state()));
    let lines = log_lines(session.state());
    assert!(
        lines.iter().any(|l| l
            .contains("/orders/* switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) failed: the call timed out")),
        "{lines:#?}"
    );
    assert_eq!(backend.updates_accepted(), 0);
    assert_eq!(session.state().route("/orders/*").unwrap().pending, None);
}

#[tokio::test(start_paused = true)]
async fn a_failing_router_trips_its_guard_once_and_the_console_says_when_it_recovers() {
    let (mut session, backend) = routed_demo(15).await;
    assert!(session.state().learned.router_alert.is_empty());
    inject(&mut session, Fault::RouterErrors.into());
    assert_eq!(backend.faults(), FaultSet::from(Fault::RouterErrors));
    let tripped = session.run_until(8 * MINUTE, |s| !s.learned.router_alert.is_empty()).await;
    assert!(tripped, "{:#?}", log_lines(session.state()));
    let state = session.state();
    assert!(!state.is_stale(), "calls still answer: only the function fails");
    let banner = state.notices.banner.as_deref().unwrap_or_default();
    assert!(banner.starts_with("router in trouble (the demo's injected fault): f cycles it off"), "{banner}");

    session.run_until(3 * MINUTE, |_| false).await;
    let warnings = log_lines(session.state()).into_iter().filter(|l| l.contains("itself is in trouble")).count();
    assert_eq!(warnings, 1, "said once while it lasts");
    assert!(session.state().notices.banner.is_some(), "the banner stays while it lasts");

    inject(&mut session, FaultSet::NONE);
    let recovered = session.run_until(6 * MINUTE, |s| s.learned.router_alert.is_empty()).await;
    assert!(recovered, "{:#?}", log_lines(session.state()));
    assert_eq!(session.state().notices.banner, None);
    assert!(log_lines(session.state()).iter().any(|l| l.contains("the router is healthy again")));
}
