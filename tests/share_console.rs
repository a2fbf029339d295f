//! Shares in the console, on the demo world with a paused clock: a routed route moved through the
//! router's store is answered by its new side at the edge and moved in the numbers, and a rollback
//! (`R`) puts its share back to 0 and finishes there long before the behaviors' update deploys.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{MovePhase, State};
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::commands::headless::{ApplyArgs, EventPrinter, SwitchPlan, carry_out, describe, plan_weight};
use cutover::domain::Target;
use jiff::Timestamp;
use support::pty::TempDir;
use support::{Drive, log_lines, routed_demo};

/// When the log first said `text` about `path`.
fn said_at(state: &State, path: &str, text: &str) -> Option<Timestamp> {
    state.notices.log.iter().find(|e| e.route.as_deref() == Some(path) && e.message.contains(text)).map(|e| e.at)
}

#[tokio::test(start_paused = true)]
async fn a_share_moves_in_seconds_and_its_rollback_beats_the_behaviors() {
    let dir = TempDir::new("cutover-share-console");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let (runtime, _) = routed_demo(4).await;
    let mut runtime = runtime.with_audit(trail.clone());
    runtime.state_mut().view.selected = Some("/search/*".into());
    runtime.press(Command::Switch);
    runtime.press(Command::Confirm);
    let moved =
        runtime.run_until(Duration::from_secs(5 * 60), |s| said_at(s, "/search/*", "traffic moved:").is_some()).await;
    let state = runtime.state();
    assert!(moved, "{:#?}", log_lines(state));
    let attempt = &state.moves[0];
    assert!(attempt.by_router() && attempt.phase == MovePhase::Deployed);
    assert_eq!(state.route("/search/*").unwrap().share, Some(100));
    let accepted = attempt.accepted_at.unwrap();
    let edge = said_at(state, "/search/*", "edge: every probe answered by λ Lambda").expect("the edge saw it");
    assert!(edge.duration_since(accepted).as_secs() <= 30, "the edge took {:?}", edge.duration_since(accepted));

    // R: the behaviors on Lambda go back in one update, /search/*'s share to 0 in the store.
    runtime.press(Command::RollbackAll);
    runtime.press(Command::Confirm);
    let done = runtime
        .run_until(Duration::from_secs(10 * 60), |s| {
            s.moves.iter().skip(1).all(|a| a.phase == MovePhase::Deployed)
                && said_at(s, "/search/*", "edge: every probe answered by ◼ origin").is_some()
        })
        .await;
    let state = runtime.state();
    assert!(done, "{:#?}", log_lines(state));
    let behaviors = state.moves.iter().skip(1).find(|a| !a.by_router()).expect("the behaviors' update");
    let share = state.moves.iter().skip(1).find(|a| a.by_router()).expect("the share's move");
    assert_eq!((share.to(), behaviors.to()), (Some(Target::Origin), Some(Target::Origin)));
    let share_edge = said_at(state, "/search/*", "edge: every probe answered by ◼ origin").unwrap();
    let deployed = state
        .notices
        .log
        .iter()
        .find(|e| e.message.starts_with("Deployed after") && e.at > share.requested_at)
        .map(|e| e.at)
        .expect("the behaviors deployed");
    assert!(
        share_edge < deployed,
        "the share's rollback was seen at the edge at {share_edge}, the behaviors deployed at {deployed}"
    );
    assert_eq!(state.route("/search/*").unwrap().share, Some(0));

    // The trail has the share moves with their shares, and the edge for each.
    let trail = read_trail(trail.path()).unwrap();
    let records = trail.records();
    let search: Vec<_> = records.filter(|r| r.routes == ["/search/*"]).collect();
    let accepted_to =
        |pct: u8| search.iter().any(|r| r.kind == RecordKind::SwitchAccepted && r.shares[0].to_pct == pct);
    assert!(accepted_to(100) && accepted_to(0), "{search:#?}");
    let edges = search.iter().filter(|r| r.kind == RecordKind::EdgeMoved).count();
    assert_eq!(edges, 2, "the edge, after each whole move: {search:#?}");

    // R's two attempts were asked at the same instant; each has its id, and `log --stats` keeps
    // them apart: the behaviors' rollback via the behavior, the share move via the router.
    assert_eq!(share.requested_at, behaviors.requested_at, "one R, one instant");
    let stats = cutover::audit::stats::stats(trail.records(), Some(share.requested_at));
    let got: Vec<_> =
        stats.switches.iter().map(|s| (s.routes.contains(&"/search/*".to_string()), s.via, s.outcome)).collect();
    assert_eq!(got, [(false, "behavior", "deployed"), (true, "router", "accepted")], "{:#?}", stats.switches);
    let ids: std::collections::HashSet<_> =
        trail.records().filter(|r| r.requested_at == Some(share.requested_at)).map(|r| r.attempt.clone()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.iter().all(Option::is_some));
}

#[tokio::test(start_paused = true)]
async fn plus_steps_split_the_route_in_the_numbers() {
    let (mut runtime, _) = routed_demo(7).await;
    runtime.state_mut().view.selected = Some("/search/*".into());
    for _ in 0..5 {
        // 1, 5, 10, 25, 50 %: each confirmed once the store has taken the one before.
        runtime.press(Command::ShareUp);
        runtime.press(Command::Confirm);
        let taken = runtime.run_until(Duration::from_secs(10), |s| !s.shares_in_flight()).await;
        assert!(taken);
    }
    assert_eq!(runtime.state().route("/search/*").unwrap().share, Some(50));
    let taken_at = runtime.state().now;
    // Two refreshes later, the newest minute splits about half and half.
    runtime
        .run_until(Duration::from_secs(4 * 60), |s| {
            s.learned
                .metrics
                .as_ref()
                .and_then(|m| m.newest_datapoint)
                .is_some_and(|t| t > taken_at + jiff::SignedDuration::from_mins(1))
        })
        .await;
    let state = runtime.state();
    let point = *state.learned.metrics.as_ref().unwrap().latest("/search/*").unwrap();
    let lambda = point.lambda.requests.get().unwrap_or(0.0);
    let origin = point.origin.requests.get().unwrap_or(0.0);
    let pct = lambda / (lambda + origin) * 100.0;
    assert!((45.0..=55.0).contains(&pct), "λ {pct:.1} % of the newest minute");
}

/// Answers every question yes, as `--yes` would not even ask.
struct Yes;

impl cutover::commands::headless::Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, cutover::commands::headless::HeadlessError> {
        Ok(true)
    }
}

#[tokio::test(start_paused = true)]
async fn cutover_weight_shows_the_dialog_writes_the_store_and_waits_for_the_edge() {
    let (mut runtime, _) = routed_demo(4).await;
    let SwitchPlan::Change(plan) = plan_weight(&mut runtime, "/search/*", 100).unwrap() else {
        panic!("nothing to do?")
    };
    let text = describe(&plan);
    assert!(text.contains("move /search/* λ 0 % → 100 % by the router?"), "{text}");
    assert!(text.contains("share  /search/* λ 0 % → 100 % (router's store)"), "{text}");
    assert!(text.contains("pre-flight: needs about"), "the concurrency of the share being added: {text}");
    let args = ApplyArgs {
        yes: true,
        wait: true,
        timeout: Duration::from_secs(10 * 60),
        force: false,
        reason: None,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &[plan], &args, &mut Yes, &mut printer).await.unwrap();
    let (lines, error) = applied.finish();
    assert!(error.is_none(), "{error:?}");
    assert!(lines[0].contains("/search/* λ 0 % → 100 %: the router's store took it (ETag KV"), "{lines:?}");
    // --wait waited for the edge: the probes heard Lambda before it returned.
    let state = runtime.state();
    assert!(!state.edge_pending(state.moves[0].id), "{:#?}", log_lines(state));
    // Already there: nothing to do, said as such.
    let again = plan_weight(&mut runtime, "/search/*", 100).unwrap();
    assert!(matches!(again, SwitchPlan::AlreadyThere(ref m) if m.contains("already sends 100 %")));
    // An unrouted route is refused with what moves it in the demo.
    let refused = plan_weight(&mut runtime, "/auth/*", 10).err().expect("refused");
    assert!(refused.to_string().contains("s or `cutover switch` moves it by behavior"), "{refused}");
}
