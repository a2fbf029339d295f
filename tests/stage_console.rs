//! The stage rollback on the demo, on tokio's paused clock: the bad deploy makes /orders/* fail on
//! Lambda, `D` lists the stage's deployments with the proxy to the monolith chosen first, Enter and
//! `y` move the stage, and within a couple of minutes of numbers the Lambda side's 5xx have stopped,
//! with no CloudFront rollout; `u` moves it back.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, Overlay, State};
use cutover::app::runtime::Runtime;
use cutover::backend::ports::Ports;
use cutover::backend::sim::scenario::BAD_DEPLOY_ROUTE;
use cutover::backend::sim::stage::{PROXY_DEPLOYMENT, demo_route_stage};
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::stage::StageControl;
use cutover::backend::{ControlPlane, FaultSet};
use cutover::clock::Clock;
use cutover::commands::headless::{Confirmer, EventPrinter, HeadlessError, StageArgs, run_stage};
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Drive, demo_state, start};

/// The Lambda side's 5xx rate of the route in the newest minute that has Lambda requests.
fn lambda_error_pct(state: &State, path: &str) -> Option<f64> {
    let series = state.learned.metrics.as_ref()?.series(path);
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
    state.policy.stages = [(BAD_DEPLOY_ROUTE.to_string(), demo_route_stage())].into_iter().collect();
    let stages: Arc<dyn StageControl> = Arc::clone(&backend) as Arc<dyn StageControl>;
    let mut session = Runtime::single(state, Ports::new(Arc::clone(&backend)).with_stage_control(stages), clock);
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
        .run_until(Duration::from_secs(10), |s| s.moves.last().is_some_and(|m| m.phase == MovePhase::Deployed))
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
    let back =
        session.run_until(Duration::from_secs(10), |s| s.moves.len() == 2 && !s.moves[1].phase.unfinished()).await;
    assert!(back);
    assert_eq!(backend.deployments(&demo_route_stage().stage).await.unwrap().current, "d2");
}

/// A demo console whose /orders/* names the demo's stage, loaded.
async fn staged_demo() -> (Runtime<SimBackend>, Arc<SimBackend>) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 1, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut state = demo_state(catalog::DISTRIBUTION_ID, Scenario::Calm, &clock);
    state.policy.stages = [("/orders/*".to_string(), demo_route_stage())].into_iter().collect();
    let stages: Arc<dyn StageControl> = Arc::clone(&backend) as Arc<dyn StageControl>;
    let mut session = Runtime::single(state, Ports::new(Arc::clone(&backend)).with_stage_control(stages), clock);
    assert!(session.run_until(Duration::from_secs(30), |s| s.learned.metrics.is_some()).await);
    (session, backend)
}

struct Answer(bool);

impl Confirmer for Answer {
    fn confirm(&mut self, _question: &str) -> Result<bool, HeadlessError> {
        Ok(self.0)
    }
}

fn args(list: bool, json: bool, deployment: Option<&str>, yes: bool) -> StageArgs {
    StageArgs {
        route: "/orders/*".into(),
        list,
        json,
        deployment: deployment.map(str::to_string),
        yes,
        no_audit: false,
    }
}

#[tokio::test(start_paused = true)]
async fn headless_stage_lists_and_moves_as_the_console_does() {
    let (mut session, backend) = staged_demo().await;
    let mut printer = EventPrinter::new(Vec::new());

    let listed =
        run_stage(&mut session, &args(true, false, None, false), &mut printer, &mut Answer(false)).await.unwrap();
    assert!(listed[0].starts_with("stage REST demo4pi7x1/prod of /orders/*"), "{listed:?}");
    assert!(listed.iter().any(|l| l.starts_with("d2") && l.ends_with("serving")), "{listed:?}");
    assert!(listed.iter().any(|l| l.starts_with("d0") && l.contains("proxy to monolith") && l.ends_with("fallback")));

    let json = run_stage(&mut session, &args(true, true, None, false), &mut printer, &mut Answer(false)).await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&json[0]).unwrap();
    assert_eq!(
        (json["api"].as_str(), json["current"].as_str(), json["fallback"].as_str()),
        (Some("rest"), Some("d2"), Some("d0"))
    );
    assert_eq!(json["deployments"].as_array().unwrap().len(), 3);

    let no = run_stage(&mut session, &args(false, false, Some("d0"), false), &mut printer, &mut Answer(false)).await;
    assert!(matches!(no, Err(HeadlessError::Cancelled)), "{no:?}");
    let unknown = run_stage(&mut session, &args(false, false, Some("d9"), true), &mut printer, &mut Answer(true)).await;
    assert!(
        matches!(&unknown, Err(HeadlessError::Refusal(why)) if why.sentence().contains("not one of the stage's")),
        "{unknown:?}"
    );

    let moved =
        run_stage(&mut session, &args(false, false, Some("d0"), true), &mut printer, &mut Answer(false)).await.unwrap();
    assert_eq!(moved, ["stage REST demo4pi7x1/prod now serves deployment d0"]);
    assert_eq!(backend.deployments(&demo_route_stage().stage).await.unwrap().current, "d0");
    let again =
        run_stage(&mut session, &args(false, false, Some("d0"), true), &mut printer, &mut Answer(true)).await.unwrap();
    assert!(again[0].contains("already serves deployment d0; nothing to do"), "{again:?}");

    // Read-only lists, and refuses a move.
    session.state_mut().read_only = Some("--read-only".into());
    let listed = run_stage(&mut session, &args(true, false, None, false), &mut printer, &mut Answer(true)).await;
    assert!(listed.is_ok(), "{listed:?}");
    let refused = run_stage(&mut session, &args(false, false, Some("d2"), true), &mut printer, &mut Answer(true)).await;
    assert!(
        matches!(&refused, Err(HeadlessError::Refusal(why)) if why.sentence().starts_with("read-only")),
        "{refused:?}"
    );
    assert_eq!(backend.deployments(&demo_route_stage().stage).await.unwrap().current, "d0");
}

#[tokio::test(start_paused = true)]
async fn headless_stage_that_gets_no_answer_records_stage_abandoned_and_fails() {
    let dir = support::pty::TempDir::new("cutover-stage-no-answer");
    let trail = cutover::audit::AuditLog::at(dir.path().join("audit.jsonl"));
    let mut session = support::unanswered_stage_demo().await.with_audit(trail.clone());
    let mut printer = EventPrinter::new(Vec::new());
    let result = run_stage(&mut session, &args(false, false, Some("d0"), true), &mut printer, &mut Answer(true)).await;
    assert!(matches!(&result, Err(HeadlessError::Failed(why)) if why.contains("no answer within 60 s")), "{result:?}");
    let trail = cutover::audit::read_trail(trail.path()).unwrap();
    let last = trail.records().last().unwrap();
    assert_eq!(last.kind, cutover::audit::RecordKind::StageAbandoned);
    assert!(last.error.as_deref().unwrap().contains("UpdateStage did not answer within 60 s"), "{last:?}");
}
