//! Incident tools on the simulator with a paused clock: guards that roll a sick route back by
//! themselves, `R` moving every Lambda route in one update, `u`, and the pre-flight estimate.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, MoveSource, Overlay};
use cutover::backend::sim::Scenario;
use cutover::domain::Target;
use support::{Drive, demo, log_lines};

const MINUTE: Duration = Duration::from_secs(60);

fn deployed(state: &cutover::app::model::state::State) -> bool {
    state.moves.last().is_some_and(|s| s.phase == MovePhase::Deployed)
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_with_auto_rollback_moves_only_the_sick_route_once_its_guard_is_breached() {
    let (mut session, backend) = demo(Scenario::BadDeploy, 5).await;
    session.state_mut().policy.auto_rollback = session.state().routes.iter().map(|r| r.path.clone()).collect();
    let lambda_before: Vec<String> =
        session.state().routes.iter().filter(|r| r.target == Some(Target::Lambda)).map(|r| r.path.clone()).collect();

    let acted = session.run_until(15 * MINUTE, |s| !s.moves.is_empty()).await;
    let log = log_lines(session.state());
    assert!(acted, "the guard never acted: {log:#?}");
    let attempt = &session.state().moves[0];
    assert_eq!((attempt.source, attempt.paths.as_slice()), (MoveSource::Automatic, &["/orders/*".to_string()][..]));
    // Not before the breach: the alert and the rollback come from the same refresh, in that order.
    let breach = log.iter().position(|l| l.starts_with("WARN /orders/* 5xx ")).expect("breach logged");
    let rollback = log
        .iter()
        .position(|l| l.contains("automatic rollback: /orders/* λ Lambda (apigw) → ◼ origin (legacy) by the guard"))
        .unwrap();
    assert_eq!(rollback, breach + 1, "{log:#?}");
    assert!(log[rollback].contains("because its guard was breached (/orders/*: 5xx "), "{}", log[rollback]);
    // Within K periods: the newest K minutes breach and the one before did not.
    let metrics = session.state().learned.metrics.as_ref().unwrap();
    let rates: Vec<f64> = metrics.series("/orders/*").iter().filter_map(|p| p.error_rate_pct()).rev().take(4).collect();
    assert!(rates[..3].iter().all(|r| *r > 5.0) && rates[3] <= 5.0, "rollback late or early: {rates:?}");

    assert!(session.run_until(10 * MINUTE, deployed).await, "{:#?}", log_lines(session.state()));
    for path in &lambda_before {
        let expected = if path == "/orders/*" { Target::Origin } else { Target::Lambda };
        assert_eq!(session.state().route(path).unwrap().target, Some(expected), "{path}");
    }
    // Never flaps: the route stays put and nothing else moves by itself.
    session.run_until(20 * MINUTE, |_| false).await;
    assert_eq!(session.state().moves.len(), 1);
    assert_eq!(backend.updates_accepted(), 1);
}

#[tokio::test(start_paused = true)]
async fn rollback_all_moves_every_lambda_route_in_one_update() {
    let (mut session, backend) = demo(Scenario::Calm, 1).await;
    let lambda: Vec<String> =
        session.state().routes.iter().filter(|r| r.target == Some(Target::Lambda)).map(|r| r.path.clone()).collect();
    assert_eq!(lambda.len(), 4);
    session.press(Command::RollbackAll);
    let Overlay::Confirm(confirm) = &session.state().view.overlay else { panic!("no confirmation") };
    assert_eq!(confirm.paths, lambda, "the confirmation lists the routes it moves");
    assert_eq!(confirm.title(), "roll back all 4 Lambda routes to the origin?");
    session.press(Command::Confirm);
    assert!(session.run_until(10 * MINUTE, deployed).await, "{:#?}", log_lines(session.state()));
    assert!(session.state().routes.iter().all(|r| r.target != Some(Target::Lambda)));
    assert_eq!(backend.updates_accepted(), 1, "one UpdateDistribution for all of them");
    assert!(
        log_lines(session.state())
            .iter()
            .any(|l| l.contains("rollback of every Lambda route: /user/* λ Lambda (apigw) → ◼ origin (legacy); "))
    );
}

#[tokio::test(start_paused = true)]
async fn undo_reverses_the_last_switch_after_a_confirmation() {
    let (mut session, backend) = demo(Scenario::Calm, 1).await;
    session.state_mut().view.selected = Some("/orders/*".into());
    session.press(Command::Switch);
    session.press(Command::Confirm);
    assert!(session.run_until(10 * MINUTE, deployed).await);
    session.press(Command::Undo);
    let Overlay::Confirm(confirm) = &session.state().view.overlay else { panic!("no confirmation") };
    assert_eq!((confirm.kind, confirm.from, confirm.to), (MoveSource::Undo, Target::Origin, Target::Lambda));
    session.press(Command::Confirm);
    assert!(session.run_until(10 * MINUTE, deployed).await);
    assert_eq!(session.state().route("/orders/*").unwrap().target, Some(Target::Lambda));
    assert_eq!(backend.updates_accepted(), 2);
}

#[tokio::test(start_paused = true)]
async fn preflight_warns_before_a_hot_route_goes_to_lambda_during_throttle_and_not_when_calm() {
    let (mut session, _) = demo(Scenario::Throttle, 3).await;
    // The batch job has taken the account's concurrency by the third minute; its data lands later.
    session.run_until(5 * MINUTE, |_| false).await;
    session.state_mut().view.selected = Some("*".into());
    session.press(Command::Switch);
    let Overlay::Confirm(confirm) = &session.state().view.overlay else { panic!("no confirmation") };
    assert!(confirm.health.iter().any(|h| h.starts_with("pre-flight: needs about ")), "{:#?}", confirm.health);
    let warning = confirm.warning.as_deref().unwrap_or_else(|| panic!("no warning: {:#?}", confirm.health));
    assert!(warning.starts_with("less than 10% of the account's Lambda concurrency would be left free"));

    let (mut calm, _) = demo(Scenario::Calm, 3).await;
    calm.state_mut().view.selected = Some("/payments/*".into());
    calm.press(Command::Switch);
    let Overlay::Confirm(confirm) = &calm.state().view.overlay else { panic!("no confirmation") };
    assert!(confirm.health.iter().any(|h| h.starts_with("pre-flight: needs about ")), "{:#?}", confirm.health);
    assert_eq!(confirm.warning, None, "{:#?}", confirm.health);
}
