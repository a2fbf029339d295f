//! The headless commands' logic on the simulator with a paused clock: `switch` and `rollback-all`
//! open the console's own dialog, ask (or refuse without a terminal), send one update and follow it;
//! `status` reports targets, numbers and breaches with the documented exit codes. The same code
//! against the real SDK and the real binary is in `headless_moto.rs`.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use cutover::app::intent::dialog::Part;
use cutover::app::model::state::MovePhase;
use cutover::app::runtime::Runtime;
use cutover::backend::sim::{Scenario, SimBackend};
use cutover::commands::headless::status::{DistributionStatus, StatusReport};
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, SwitchPlan, carry_out, describe, plan_rollback_all, plan_switch,
};
use cutover::domain::{DeployStatus, Target};
use support::{Drive, demo, staged_demo, start};

const MINUTE: Duration = Duration::from_secs(60);

/// Answers every question the same way and counts the questions.
struct Answer {
    yes: bool,
    asked: Vec<String>,
}

impl Answer {
    fn yes() -> Self {
        Answer { yes: true, asked: Vec::new() }
    }
    fn no() -> Self {
        Answer { yes: false, asked: Vec::new() }
    }
}

impl Confirmer for Answer {
    fn confirm(&mut self, question: &str) -> Result<bool, HeadlessError> {
        self.asked.push(question.to_string());
        Ok(self.yes)
    }
}

/// Standard input is not a terminal.
struct NoTerminal;

impl Confirmer for NoTerminal {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Err(HeadlessError::Refused("standard input is not a terminal".into()))
    }
}

fn apply(yes: bool, wait: bool) -> ApplyArgs {
    ApplyArgs { yes, wait, timeout: Duration::from_secs(30 * 60), force: false, reason: None, no_audit: false }
}

fn printed(printer: EventPrinter<Vec<u8>>) -> String {
    String::from_utf8(printer.into_inner()).unwrap()
}

async fn switch(
    runtime: &mut Runtime<SimBackend>,
    route: &str,
    to: Target,
    args: &ApplyArgs,
    confirmer: &mut dyn Confirmer,
) -> (Result<Vec<String>, HeadlessError>, String) {
    let mut printer = EventPrinter::new(Vec::new());
    let plan = match plan_switch(runtime, route, to) {
        Ok(SwitchPlan::Change(plan)) => plan,
        Ok(SwitchPlan::AlreadyThere(message)) => return (Ok(vec![message]), String::new()),
        Err(error) => return (Err(error), String::new()),
    };
    let result = carry_out(runtime, &[plan], args, confirmer, &mut printer).await;
    let result = result.and_then(|applied| match applied.finish() {
        (lines, None) => Ok(lines),
        (_, Some(error)) => Err(error),
    });
    (result, printed(printer))
}

#[tokio::test(start_paused = true)]
async fn switch_shows_the_dialog_asks_once_sends_one_update_and_waits_until_deployed() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let Ok(SwitchPlan::Change(plan)) = plan_switch(&mut runtime, "/payments/*", Target::Lambda) else {
        panic!("no plan")
    };
    let text = describe(&plan);
    assert!(
        text.contains("switch /payments/*?") && text.contains("from   ◼ origin") && text.contains("to     λ Lambda")
    );
    assert!(text.contains("pre-flight: needs about "), "the console's pre-flight estimate is shown:\n{text}");

    let mut answer = Answer::yes();
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &[plan], &apply(false, true), &mut answer, &mut printer).await.unwrap();
    let (lines, error) = applied.finish();
    assert!(error.is_none());
    assert_eq!(answer.asked, ["Send this change to CloudFront?"]);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("/payments/* ◼ origin (payments-elb) → λ Lambda (apigw): Deployed after "), "{lines:?}");
    assert_eq!(runtime.state().route("/payments/*").unwrap().target, Some(Target::Lambda));
    assert_eq!(backend.updates_accepted(), 1);
    let events = printed(printer);
    for step in [
        "switch /payments/* ◼ origin (payments-elb) → λ Lambda (apigw) requested by kim",
        "UpdateDistribution accepted",
        "Deployed after",
    ] {
        assert!(events.contains(step), "no `{step}` among the printed events:\n{events}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_wait_it_stops_once_cloudfront_has_accepted_the_change() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let (result, _) = switch(&mut runtime, "/orders/*", Target::Origin, &apply(true, false), &mut NoTerminal).await;
    let lines = result.unwrap();
    assert!(lines[0].contains("accepted (ETag ") && lines[0].contains("add --wait"), "{lines:?}");
    // The attempt still ends: abandoned, saying why and what CloudFront is doing meanwhile.
    assert_eq!(runtime.state().moves[0].phase, MovePhase::Abandoned);
    let last = runtime.state().notices.log.last().unwrap().message.clone();
    assert!(last.contains("abandoned: cutover stops following at acceptance without --wait"), "{last}");
    assert!(last.contains("CloudFront finishes it without cutover"), "{last}");
    assert_eq!(backend.updates_accepted(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_no_or_no_terminal_leaves_the_distribution_alone() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let mut answer = Answer::no();
    let (result, _) = switch(&mut runtime, "/orders/*", Target::Origin, &apply(false, true), &mut answer).await;
    let error = result.unwrap_err();
    assert!(matches!(error, HeadlessError::Cancelled), "{error}");
    assert_eq!(error.exit_code(), 1);

    let (result, _) = switch(&mut runtime, "/orders/*", Target::Origin, &apply(false, true), &mut NoTerminal).await;
    let error = result.unwrap_err();
    assert_eq!(error.exit_code(), 2, "refused: {error}");

    runtime.run_until(5 * MINUTE, |_| false).await;
    assert!(runtime.state().moves.is_empty());
    assert_eq!(backend.updates_accepted(), 0);
    assert_eq!(runtime.state().route("/orders/*").unwrap().target, Some(Target::Lambda));
}

#[tokio::test(start_paused = true)]
async fn yes_needs_no_terminal() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let (result, _) = switch(&mut runtime, "/orders/*", Target::Origin, &apply(true, true), &mut NoTerminal).await;
    assert!(result.unwrap()[0].contains("Deployed after"));
    assert_eq!(backend.updates_accepted(), 1);
}

#[tokio::test(start_paused = true)]
async fn already_there_is_success_and_asks_and_sends_nothing() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let mut answer = Answer::yes();
    let (result, _) = switch(&mut runtime, "/orders/*", Target::Lambda, &apply(false, true), &mut answer).await;
    let lines = result.unwrap();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with("/orders/* on EDEMO7CUTOVER already targets λ Lambda; nothing to do"), "{lines:?}");
    assert!(answer.asked.is_empty());
    assert_eq!(backend.updates_accepted(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_route_is_refused_with_the_routes_there_are() {
    let (mut runtime, _) = demo(Scenario::Calm, 1).await;
    let Err(error) = plan_switch(&mut runtime, "/order/*", Target::Origin) else { panic!("planned") };
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(message.starts_with("no route `/order/*` in EDEMO7CUTOVER; routes are: /user/*, /orders/*"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_and_says_why() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    runtime.state_mut().read_only = Some("started with --read-only".into());
    let Err(error) = plan_switch(&mut runtime, "/orders/*", Target::Origin) else { panic!("planned") };
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("read-only (started with --read-only)"), "{error}");
    let Err(error) = plan_rollback_all(&mut runtime) else { panic!("planned") };
    assert_eq!(error.exit_code(), 2);
    assert_eq!(backend.updates_accepted(), 0);
}

#[tokio::test(start_paused = true)]
async fn rollback_all_moves_every_lambda_route_in_one_update_and_then_has_nothing_to_do() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    let (plans, notes) = plan_rollback_all(&mut runtime).unwrap();
    assert!(notes.is_empty());
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].confirm.paths, ["/user/*", "/orders/*", "/cart/*", "/catalog/*"]);
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &plans, &apply(true, true), &mut NoTerminal, &mut printer).await.unwrap();
    let (lines, error) = applied.finish();
    assert!(error.is_none());
    assert!(lines[0].contains("/catalog/* λ Lambda (apigw) → ◼ origin (legacy): Deployed after"));
    assert_eq!(backend.updates_accepted(), 1, "one UpdateDistribution for every route");
    assert!(runtime.state().routes.iter().all(|r| r.target != Some(Target::Lambda)));

    let (plans, notes) = plan_rollback_all(&mut runtime).unwrap();
    assert!(plans.is_empty());
    assert_eq!(notes, ["EDEMO7CUTOVER: no route is on Lambda; nothing to roll back"]);
}

fn report(session: &Runtime<SimBackend>) -> StatusReport {
    let distribution = DistributionStatus::from_state(session.state(), None, &HashMap::new());
    StatusReport::new(start(), vec![distribution])
}

#[tokio::test(start_paused = true)]
async fn status_is_zero_when_calm_and_three_once_a_guard_is_breached() {
    let (session, _) = demo(Scenario::Calm, 1).await;
    let calm = report(&session);
    assert_eq!((calm.exit_code(), calm.healthy), (0, true));

    let (mut session, _) = demo(Scenario::BadDeploy, 5).await;
    let breached = |s: &cutover::app::model::state::State| s.routes.iter().any(|r| !r.alert.is_empty());
    assert!(session.run_until(15 * MINUTE, breached).await);
    let sick = report(&session);
    assert_eq!((sick.exit_code(), sick.healthy), (3, false));
    let json: serde_json::Value = serde_json::from_str(&sick.to_json()).unwrap();
    let orders = &json["distributions"][0]["routes"][1];
    assert_eq!(orders["path"], "/orders/*");
    assert_eq!(orders["target"], "lambda");
    assert_eq!(orders["guard"]["breached"], true);
    assert_eq!(orders["guard"]["breaches"][0]["kind"], "error_rate");
    assert!(orders["errors_5xx_pct"].as_f64().unwrap() > 5.0);
    insta::assert_snapshot!("status_bad_deploy", sick.to_text());
}

#[tokio::test(start_paused = true)]
async fn status_marks_a_route_pending_while_its_switch_deploys_and_numbers_missing_as_an_error() {
    let (mut runtime, _) = demo(Scenario::Calm, 1).await;
    let (result, _) = switch(&mut runtime, "/cart/*", Target::Origin, &apply(true, false), &mut NoTerminal).await;
    result.unwrap();
    let pending = report(&runtime);
    let cart = pending.distributions[0].routes.iter().find(|r| r.path == "/cart/*").unwrap();
    assert!(cart.pending && cart.target == Some(Target::Origin));
    assert!(pending.to_text().contains("◼ origin (deploying)"));

    let broken = DistributionStatus::from_state(runtime.state(), Some("network error".into()), &HashMap::new());
    let report = StatusReport::new(start(), vec![broken]);
    assert_eq!((report.exit_code(), report.healthy), (1, false));
    assert!(report.to_text().contains("numbers unavailable: network error"));
}

/// The JSON schema is part of cutover's interface: every documented field is present.
#[tokio::test(start_paused = true)]
async fn status_json_has_every_documented_field() {
    let (mut session, _) = staged_demo(Scenario::Calm, 1).await;
    assert!(session.run_until(Duration::from_secs(30), |s| !s.learned.stage_serving.is_empty()).await);
    let json: serde_json::Value = serde_json::from_str(&report(&session).to_json()).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&json), ["distributions", "generated_at", "healthy", "schema_version"]);
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["generated_at"], "2026-01-15T22:30:00Z");
    let distribution = &json["distributions"][0];
    assert_eq!(
        keys(distribution),
        [
            "accounts",
            "concurrency",
            "edge_logs_error",
            "id",
            "latency_statistic",
            "metrics_error",
            "newest_datapoint",
            "outside_changes",
            "router_error",
            "routes",
            "stages",
            "status"
        ]
    );
    let stage = &distribution["stages"][0];
    assert_eq!(keys(stage), ["description", "fallback", "routes", "serving", "stage"]);
    assert_eq!(stage["fallback"], false, "the calm demo's stage serves its newest deployment: {stage}");
    assert!(report(&session).to_text().contains("serves"), "{}", report(&session).to_text());
    // One account: its numbers are `concurrency`; several fill `accounts` (see below).
    assert_eq!(distribution["accounts"], serde_json::json!([]));
    assert_eq!(keys(&distribution["concurrency"]), ["limit", "limit_assumed", "used"]);
    let route = &distribution["routes"][0];
    assert_eq!(
        keys(route),
        [
            "edge",
            "errors_5xx_pct",
            "guard",
            "lambda_account",
            "lambda_origin",
            "lambda_share_pct",
            "latency_ms",
            "legacy_origin",
            "minute",
            "origin_id",
            "path",
            "pending",
            "requests_per_min",
            "router",
            "router_share_unknown",
            "switchable",
            "target",
            "throttles_per_min",
            "why_not_switchable"
        ]
    );
    assert_eq!(keys(&route["guard"]), ["breached", "breaches", "periods"]);
}

/// Lambda sides in two accounts: `accounts` lists each, and each route names its Lambda side's.
#[tokio::test(start_paused = true)]
async fn status_lists_each_account_and_the_account_of_each_route() {
    use cutover::domain::AccountConcurrency;
    let (session, _) = demo(Scenario::Calm, 1).await;
    let mut state = session.state().clone();
    let metrics = state.learned.metrics.last_mut().unwrap();
    metrics.accounts = vec![
        AccountConcurrency { label: "default".into(), used: vec![Some(834.0)], limit: 1000, ..Default::default() },
        AccountConcurrency {
            label: "payments".into(),
            account_id: Some("210987654321".into()),
            limit: 3000,
            limit_assumed: true,
            error: Some("AccessDenied".into()),
            ..Default::default()
        },
    ];
    let path = state.routes[0].path.clone();
    metrics.route_accounts = HashMap::from([(path.clone(), 1)]);
    let status = DistributionStatus::from_state(&state, None, &HashMap::new());
    let json: serde_json::Value = serde_json::to_value(&status).unwrap();
    let mut keys: Vec<&String> = json["accounts"][1].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["account_id", "as_of", "error", "limit", "limit_assumed", "name", "used"]);
    assert_eq!(json["accounts"][0]["used"], 834.0);
    assert_eq!(json["accounts"][1]["account_id"], "210987654321");
    assert_eq!(json["accounts"][1]["used"], serde_json::Value::Null);
    assert_eq!(json["routes"][0]["lambda_account"], "payments");
    assert_eq!(json["routes"][1]["lambda_account"], serde_json::Value::Null);
    let text = StatusReport::new(start(), vec![status]).to_text();
    assert!(
        text.contains("account payments 210987654321  concurrency –/3,000 (assumed)  not read: AccessDenied"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_switch_the_preflight_blocks_is_refused_with_the_cause_and_goes_only_with_force_and_a_reason() {
    let (mut runtime, backend) = demo(Scenario::Calm, 1).await;
    // The demo's /auth/* forwards the viewer's Host (managed AllViewer): API Gateway would answer 403.
    let Ok(SwitchPlan::Change(plan)) = plan_switch(&mut runtime, "/auth/*", Target::Lambda) else { panic!("no plan") };
    let text = describe(&plan);
    assert!(text.contains("move   /auth/* ◼ origin (legacy) → λ Lambda (apigw)"), "{text}");
    assert!(text.contains("✗ pre-flight: /auth/* would send the viewer's Host header to Lambda"), "{text}");
    assert!(text.contains("AllViewerExceptHostHeader"), "the block names the fix:\n{text}");
    // Headless prints every line the console's dialog says, from the same list the screen draws.
    for line in plan.confirm.lines(None).iter().filter(|l| l.part != Part::On) {
        assert!(text.contains(&line.text), "{:?} missing from:\n{text}", line.part);
    }
    assert!(text.contains("  origin legacy → apigw"), "{text}");
    assert!(text.contains("Changes this behavior's TargetOriginId only; edges follow within minutes."), "{text}");

    let mut answer = Answer::yes();
    let mut printer = EventPrinter::new(Vec::new());
    let refused = carry_out(&mut runtime, &[plan], &apply(true, false), &mut answer, &mut printer).await;
    let error = refused.err().expect("refused");
    assert_eq!(error.exit_code(), 2, "{error}");
    assert!(error.to_string().contains("--force --reason"), "{error}");
    assert!(answer.asked.is_empty(), "refused before asking");
    assert_eq!(backend.updates_accepted(), 0);
    assert_eq!(runtime.state().route("/auth/*").unwrap().target, Some(Target::Origin));

    let forced = ApplyArgs { force: true, reason: Some("custom domain on the API".into()), ..apply(true, true) };
    let (result, events) = switch(&mut runtime, "/auth/*", Target::Lambda, &forced, &mut answer).await;
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(backend.updates_accepted(), 1);
    assert!(
        events.contains("pre-flight overridden: custom domain on the API (overriding: /auth/* would send"),
        "{events}"
    );
    let attempt = &runtime.state().moves[0];
    assert!(attempt.override_reason.as_deref().unwrap().starts_with("custom domain on the API"));
}

/// A `status` run after a `switch` that did not wait knows nothing of that session: what is pending
/// comes from the trail, the route's current target and CloudFront's status together.
#[tokio::test(start_paused = true)]
async fn a_switch_from_the_trail_is_pending_only_while_deploying_and_only_if_the_route_took_its_target() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    // Another distribution change is rolling out: the distribution says InProgress.
    session.press(cutover::app::command::Command::SelectFirst);
    session.press(cutover::app::command::Command::SelectDown);
    session.press(cutover::app::command::Command::Switch);
    session.press(cutover::app::command::Command::Confirm);
    let in_progress = |s: &cutover::app::model::state::State| {
        s.learned.topology.as_ref().is_some_and(|t| t.status == DeployStatus::InProgress)
    };
    assert!(session.run_until(MINUTE, in_progress).await);
    let trail = |route: &str, to: Target| HashMap::from([(route.to_string(), Some(to))]);
    let pending_of = |pending: &HashMap<String, Option<Target>>, path: &str| {
        let status = DistributionStatus::from_state(session.state(), None, pending);
        status.routes.iter().find(|r| r.path == path).unwrap().pending
    };
    // The trail says /cart/* was sent to the origin, and it is there: deploying.
    let mut on_origin = session.state().clone();
    on_origin.routes.iter_mut().find(|r| r.path == "/cart/*").unwrap().target = Some(Target::Origin);
    let status = DistributionStatus::from_state(&on_origin, None, &trail("/cart/*", Target::Origin));
    assert!(status.routes.iter().find(|r| r.path == "/cart/*").unwrap().pending);
    // It is still on Lambda (the switch never took, or was undone): not pending, whatever the trail says.
    assert!(!pending_of(&trail("/cart/*", Target::Origin), "/cart/*"));
    // Once the distribution is Deployed, nothing from the trail is pending.
    assert!(session.run_until(10 * MINUTE, |s| !in_progress(s)).await);
    let mut deployed = session.state().clone();
    deployed.routes.iter_mut().find(|r| r.path == "/cart/*").unwrap().target = Some(Target::Origin);
    let status = DistributionStatus::from_state(&deployed, None, &trail("/cart/*", Target::Origin));
    assert!(!status.routes.iter().find(|r| r.path == "/cart/*").unwrap().pending);
}
