//! Scenario tests: whole stories on the simulated world, with tokio's clock paused so minutes of
//! simulated time pass in milliseconds.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, State};
use cutover::backend::sim::{ForeignWrite, Scenario};
use cutover::domain::{DeployStatus, Target};
use support::{Drive, demo, demo_with_routes, log_lines};

const MINUTE: Duration = Duration::from_secs(60);

/// Select a route, open the confirm dialog and confirm, as the keys `s` `y` would.
fn switch(session: &mut cutover::app::runtime::Runtime<cutover::backend::sim::SimBackend>, path: &str) {
    session.state_mut().view.selected = Some(path.to_string());
    session.press(Command::Switch);
    session.press(Command::Confirm);
}

fn lines_about(state: &State, path: &str) -> Vec<String> {
    log_lines(state).into_iter().filter(|l| l.contains(path)).collect()
}

#[tokio::test(start_paused = true)]
async fn a_confirmed_switch_goes_in_progress_then_deployed_and_traffic_follows() {
    let (mut session, backend) = demo(Scenario::Calm, 7).await;
    switch(&mut session, "/orders/*");

    let accepted = session.run_until(MINUTE, |s| s.moves[0].phase == MovePhase::Propagating).await;
    assert!(accepted, "{:#?}", log_lines(session.state()));
    assert_eq!(session.state().learned.topology.as_ref().unwrap().status, DeployStatus::InProgress);
    assert_eq!(session.state().route("/orders/*").unwrap().target, Some(Target::Origin));
    assert!(session.state().route("/orders/*").unwrap().pending.is_some(), "pending mark while propagating");

    let deployed = session.run_until(5 * MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await;
    assert!(deployed, "{:#?}", log_lines(session.state()));
    assert_eq!(session.state().learned.topology.as_ref().unwrap().status, DeployStatus::Deployed);
    assert_eq!(session.state().route("/orders/*").unwrap().pending, None);
    assert_eq!(backend.updates_accepted(), 1);

    let steps = lines_about(session.state(), "/orders/*");
    assert!(
        steps[0].starts_with("INFO /orders/* switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) requested by kim"),
        "{steps:#?}"
    );
    assert!(steps[1].starts_with("INFO /orders/* UpdateDistribution accepted (ETag E"), "{steps:#?}");
    assert!(steps[1].ends_with("), InProgress: /orders/* λ Lambda (apigw) → ◼ origin (legacy)"), "{steps:#?}");
    assert!(steps.iter().any(|l| l.contains("still propagating")), "{steps:#?}");
    let deployed_after = steps.last().unwrap();
    assert!(
        deployed_after.starts_with("INFO /orders/* Deployed after 1m")
            || deployed_after.starts_with("INFO /orders/* Deployed after 2m")
            || deployed_after.starts_with("INFO /orders/* Deployed after 3m"),
        "{steps:#?}"
    );

    // A few minutes later the newest minute of /orders/* is served by the origin alone.
    session.run_until(4 * MINUTE, |_| false).await;
    let latest = *session.state().learned.metrics.as_ref().unwrap().latest("/orders/*").unwrap();
    assert!(latest.origin.requests.get().unwrap_or(0.0) > 1000.0, "{latest:?}");
    assert_eq!(latest.lambda.requests.get(), None, "Lambda reports no datapoint once it gets no traffic: {latest:?}");
    // And the hour's series shows the move: Lambda first, origin at the end.
    let series = session.state().learned.metrics.as_ref().unwrap().series("/orders/*");
    assert!(series[0].lambda.requests.get().is_some() && series[0].origin.requests.get().is_none());
}

#[tokio::test(start_paused = true)]
async fn traffic_moves_gradually_while_edges_pick_up_the_change() {
    let (mut session, _) = demo(Scenario::Calm, 3).await;
    switch(&mut session, "/search/*");
    // Read metrics every simulated minute until the rollout ends, and look for a mixed minute.
    let mut mixed = false;
    for _ in 0..6 {
        session.run_until(MINUTE, |_| false).await;
        let latest = session.state().learned.metrics.as_ref().unwrap().latest("/search/*").copied().unwrap();
        mixed |= latest.lambda.requests.get().is_some_and(|l| l > 0.0)
            && latest.origin.requests.get().is_some_and(|o| o > 0.0);
    }
    assert!(mixed, "no minute had traffic on both backends during the rollout");
}

#[tokio::test(start_paused = true)]
async fn a_stale_etag_is_reread_and_reapplied_when_the_route_is_unchanged() {
    let (mut session, backend) = demo(Scenario::Calm, 11).await;
    // Someone else edits an unrelated part of the distribution just before our update.
    backend.arm_foreign_write(ForeignWrite { repoint: None });
    switch(&mut session, "/cart/*");
    let accepted = session.run_until(MINUTE, |s| s.moves[0].phase == MovePhase::Propagating).await;
    assert!(accepted, "{:#?}", log_lines(session.state()));
    assert_eq!(backend.updates_accepted(), 2, "theirs and ours");
    let steps = lines_about(session.state(), "/cart/*");
    assert!(steps[1].starts_with("WARN /cart/* ETag E") && steps[1].contains("is stale"), "{steps:#?}");
    assert!(steps[2].contains("UpdateDistribution accepted"), "{steps:#?}");
    assert_eq!(session.state().route("/cart/*").unwrap().target, Some(Target::Origin));
}

#[tokio::test(start_paused = true)]
async fn a_stale_etag_where_someone_already_moved_the_route_where_we_wanted_counts_it_done() {
    let (mut session, backend) = demo(Scenario::Calm, 12).await;
    // Another responder rolls the same route back first.
    backend.arm_foreign_write(ForeignWrite { repoint: Some(("/cart/*".into(), "legacy".into())) });
    switch(&mut session, "/cart/*");
    let done = session.run_until(MINUTE, |s| s.moves[0].phase == MovePhase::Deployed).await;
    assert!(done, "{:#?}", log_lines(session.state()));
    assert_eq!(backend.updates_accepted(), 1, "only the other writer's update landed: ours had nothing left to do");
    let steps = lines_about(session.state(), "/cart/*");
    assert!(steps[1].contains("is stale"), "{steps:#?}");
    assert_eq!(steps.last().unwrap(), "INFO /cart/* already targets ◼ origin; nothing to change", "{steps:#?}");
    assert_eq!(session.state().route("/cart/*").unwrap().pending, None);
}

#[tokio::test(start_paused = true)]
async fn a_stale_etag_where_the_route_itself_changed_writes_nothing_and_says_so() {
    let (mut session, backend) = demo(Scenario::Calm, 12).await;
    // Someone else moves the same route first, somewhere else.
    backend.arm_foreign_write(ForeignWrite { repoint: Some(("/cart/*".into(), "canary".into())) });
    switch(&mut session, "/cart/*");
    let failed = session.run_until(MINUTE, |s| s.moves[0].phase == MovePhase::Failed).await;
    assert!(failed, "{:#?}", log_lines(session.state()));
    assert_eq!(backend.updates_accepted(), 1, "only the other writer's update landed");
    let last = lines_about(session.state(), "/cart/*").pop().unwrap();
    assert!(
        last.starts_with(
            "ERROR /cart/* switch /cart/* λ Lambda (apigw) → ◼ origin (legacy) failed: someone else changed the distribution"
        ),
        "{last}"
    );
    // The console re-reads the distribution and shows the route where the other writer put it.
    session.run_until(MINUTE, |s| s.route("/cart/*").unwrap().target == Some(Target::Origin)).await;
    assert_eq!(session.state().route("/cart/*").unwrap().target, Some(Target::Origin));
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_alerts_on_the_bad_route_only() {
    let (mut session, _) = demo(Scenario::BadDeploy, 5).await;
    let bells_before = session.bells;
    let alerted = session.run_until(12 * MINUTE, |s| !s.route("/orders/*").unwrap().alert.is_empty()).await;
    assert!(alerted, "{:#?}", log_lines(session.state()));
    let others: Vec<_> =
        session.state().routes.iter().filter(|r| !r.alert.is_empty()).map(|r| r.path.clone()).collect();
    assert_eq!(others, ["/orders/*"]);
    let warning = lines_about(session.state(), "/orders/*").pop().unwrap();
    assert!(warning.starts_with("WARN /orders/* 5xx "), "{warning}");
    assert!(warning.ends_with("> 5% for 3 periods") || warning.contains("> 5%, p99"), "{warning}");
    assert_eq!(session.bells, bells_before + 1);
}

#[tokio::test(start_paused = true)]
async fn throttle_scenario_throttles_every_lambda_route() {
    let (mut session, _) = demo(Scenario::Throttle, 9).await;
    session.run_until(5 * MINUTE, |_| false).await;
    let metrics = session.state().learned.metrics.as_ref().unwrap();
    assert_eq!(metrics.latest_concurrency(), Some(1000.0), "the account is at its limit");
    for row in &session.state().routes {
        let latest = metrics.latest(&row.path).unwrap();
        match row.target {
            Some(Target::Lambda) => {
                let throttled = latest.throttles.get().unwrap();
                assert!(throttled > 0.0, "{} not throttled: {latest:?}", row.path);
                // The refused requests are requests, and failed ones, as API Gateway counts them:
                // the row's 5xx rate is at least the share refused, never a healthy 0.1 %.
                let requests = latest.lambda.requests.get().unwrap();
                let refused_pct = throttled / requests * 100.0;
                let rate = latest.error_rate_pct().unwrap();
                assert!(
                    refused_pct > 5.0 && rate >= refused_pct,
                    "{}: 5xx {rate:.1} % with {refused_pct:.1} % refused",
                    row.path
                );
                assert!(latest.lambda.errors_5xx.get().unwrap() >= throttled, "{}: {latest:?}", row.path);
            }
            // The origin, and the S3 route on neither side.
            _ => assert_eq!(latest.throttles.get(), None, "{}", row.path),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn tv_spike_multiplies_traffic_and_pushes_concurrency_to_the_limit() {
    let (mut session, _) = demo(Scenario::TvSpike, 2).await;
    let before = session.state().learned.metrics.as_ref().unwrap().latest("*").unwrap().requests().unwrap();
    session.run_until(4 * MINUTE, |_| false).await;
    let metrics = session.state().learned.metrics.as_ref().unwrap();
    let after = metrics.latest("*").unwrap().requests().unwrap();
    assert!(after > before * 12.0, "{before} → {after}");
    assert!(metrics.latest_concurrency().unwrap() >= 900.0, "{:?}", metrics.latest_concurrency());
}

/// `demo --routes 1000`: a thousand quiet services stay calm (no throttles, no alerts, the account's
/// concurrency mostly free), and a switch of one of them still lands in one update.
#[tokio::test(start_paused = true)]
async fn a_thousand_routes_stay_calm_and_switch_like_eight() {
    let (mut session, backend) = demo_with_routes(Scenario::Calm, 5, 1000).await;
    assert_eq!(session.state().routes.len(), 1000);
    switch(&mut session, "/svc/501/*");
    session.run_until(10 * MINUTE, |_| false).await;
    let state = session.state();
    let metrics = state.learned.metrics.as_ref().unwrap();
    assert!(metrics.latest_concurrency().unwrap() < 500.0, "{:?}", metrics.latest_concurrency());
    assert!(state.routes.iter().all(|r| r.alert.is_empty()), "{:#?}", log_lines(state));
    assert!(state.routes.iter().all(|r| metrics.latest(&r.path).and_then(|p| p.throttles.get()).unwrap_or(0.0) == 0.0));
    assert_eq!(state.route("/svc/501/*").unwrap().target, Some(Target::Lambda));
    assert_eq!(state.moves[0].phase, MovePhase::Deployed, "{:#?}", log_lines(state));
    assert_eq!(backend.updates_accepted(), 1);
}

/// Switched away at the first bad minute: the bad minutes CloudWatch delivers after the switch all
/// came before it, so the breach they make is said as late, and the bell stays silent.
#[tokio::test(start_paused = true)]
async fn a_breach_from_before_the_switch_does_not_ring() {
    let (mut session, _) = demo(Scenario::BadDeploy, 5).await;
    let bad_minute = |s: &State| {
        s.learned
            .metrics
            .as_ref()
            .and_then(|m| m.latest("/orders/*"))
            .and_then(|p| p.error_rate_pct())
            .is_some_and(|r| r > 5.0)
    };
    assert!(session.run_until(12 * MINUTE, bad_minute).await, "{:#?}", log_lines(session.state()));
    assert!(session.state().route("/orders/*").unwrap().alert.is_empty(), "switched before the alarm");
    let bells_before = session.bells;
    session.press(Command::SelectDown);
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session.run_until(10 * MINUTE, |_| false).await;
    let lines = lines_about(session.state(), "/orders/*");
    assert!(lines.iter().any(|l| l.contains("from before the switch at")), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.starts_with("WARN /orders/* 5xx")), "{lines:#?}");
    assert_eq!(session.bells, bells_before, "{lines:#?}");
}
