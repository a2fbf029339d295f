//! The stage rollback on the demo, on tokio's paused clock: the bad deploy makes /orders/* fail on
//! Lambda, `D` lists the stage's deployments with the proxy to the monolith chosen first, Enter and
//! `y` move the stage, and within a couple of minutes of numbers the Lambda side's 5xx have stopped,
//! with no CloudFront rollout; `u` moves it back.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::runtime::Runtime;
use cutover::app::state::{Overlay, State};
use cutover::backend::sim::scenario::BAD_DEPLOY_ROUTE;
use cutover::backend::sim::stage::{PROXY_DEPLOYMENT, demo_route_stage};
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::stage::StageControl;
use cutover::backend::{ControlPlane, FaultSet};
use cutover::clock::Clock;
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Drive, demo_state, start};

/// The Lambda side's 5xx rate of the route in the newest minute that has Lambda requests.
fn lambda_error_pct(state: &State, path: &str) -> Option<f64> {
    let series = state.metrics.as_ref()?.series(path);
    series.iter().rev().find_map(|p| {
        let requests = p.lambda.requests.get().filter(|r| *r > 0.0)?;
        Some(p.lambda.errors_5xx.get().unwrap_or(0.0) / requests * 100.0)
    })
}

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, &Theme::default_dark())).unwrap();
    terminal.backend().to_string()
}

// Long: one scenario, step by step, each step's screen or numbers checked before the next key.
#[tokio::test(start_paused = true)]
async fn a_stage_rollback_stops_the_bad_deploys_errors_without_cloudfront_and_u_puts_it_back() {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::BadDeploy, seed: 1, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut state = demo_state(catalog::DISTRIBUTION_ID, Scenario::BadDeploy, &clock);
    state.stages = [(BAD_DEPLOY_ROUTE.to_string(), demo_route_stage())].into_iter().collect();
    let stages: Arc<dyn StageControl> = Arc::clone(&backend) as Arc<dyn StageControl>;
    let mut session =
        Runtime::single(state, Arc::clone(&backend), clock).with_stage_control(catalog::DISTRIBUTION_ID, stages);
    let etag = backend.get_config(catalog::DISTRIBUTION_ID).await.unwrap().1;

    let failing = session
        .run_until(Duration::from_secs(600), |s| lambda_error_pct(s, BAD_DEPLOY_ROUTE).is_some_and(|e| e > 8.0))
        .await;
    assert!(failing, "the bad deploy never showed: {:?}", lambda_error_pct(session.state(), BAD_DEPLOY_ROUTE));

    session.state_mut().view.selected = Some(BAD_DEPLOY_ROUTE.to_string());
    session.press(Command::StageRollback);
    let listed = session
        .run_until(
            Duration::from_secs(10),
            |s| matches!(&s.view.overlay, Overlay::StagePicker(p) if p.deployments.is_some()),
        )
        .await;
    assert!(listed, "{:?}", session.state().view.overlay);
    let picker = screen(session.state());
    assert!(picker.contains("d0"), "{picker}");
    assert!(picker.contains("proxy to monolith"), "{picker}");
    assert!(picker.contains("serving"), "{picker}");
    assert!(picker.contains("fallback"), "{picker}");

    session.press(Command::Confirm);
    let Overlay::ConfirmStage(confirm) = &session.state().view.overlay else {
        panic!("{:?}", session.state().view.overlay)
    };
    assert_eq!((confirm.from.as_str(), confirm.to.as_str()), ("d2", PROXY_DEPLOYMENT));
    assert!(screen(session.state()).contains("Every route behind this stage changes"));
    session.press(Command::Confirm);
    let accepted = session
        .run_until(Duration::from_secs(10), |s| s.stage_moves.last().is_some_and(|m| m.outcome == Some(Ok(()))))
        .await;
    assert!(accepted);
    assert!(screen(session.state()).contains("stage prod: d0 (proxy to monolith)"), "the detail says what it serves");

    let stopped = session
        .run_until(Duration::from_secs(240), |s| lambda_error_pct(s, BAD_DEPLOY_ROUTE).is_some_and(|e| e < 2.0))
        .await;
    assert!(stopped, "still failing: {:?}", lambda_error_pct(session.state(), BAD_DEPLOY_ROUTE));
    assert_eq!(backend.get_config(catalog::DISTRIBUTION_ID).await.unwrap().1, etag, "CloudFront untouched");
    assert_eq!(backend.updates_accepted(), 0);

    session.press(Command::Undo);
    assert!(matches!(&session.state().view.overlay, Overlay::ConfirmStage(c) if c.undo && c.to == "d2"));
    session.press(Command::Confirm);
    let back = session
        .run_until(Duration::from_secs(10), |s| s.stage_moves.len() == 2 && s.stage_moves[1].outcome.is_some())
        .await;
    assert!(back);
    assert_eq!(backend.deployments(&demo_route_stage().stage).await.unwrap().current, "d2");
}
