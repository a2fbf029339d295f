//! What the console and the headless commands believe about the router's store, and never more
//! than AWS says (issue 19): a route is routed only when its behavior runs the router's function,
//! the store's index lists it and its record decodes; an unreadable record is never dropped and is
//! overwritten with share 0 by `rollback-all` and `weight ROUTE 0`; a route with the function and
//! the index but no record gets one on its first share move; a store that cannot be read is unknown,
//! not healthy (exit 1). On the demo world with a paused clock, driven as the headless commands
//! drive it (in live mode where the test reads what a live console says).

mod support;

use std::collections::HashMap;
use std::time::Duration;

use cutover::app::model::routing::{NO_FUNCTION, NO_RECORD, NOT_IN_INDEX, RECORD_UNREADABLE, Via};
use cutover::app::runtime::Runtime;
use cutover::backend::BackendError;
use cutover::backend::share::{Seen, ShareStore};
use cutover::backend::sim::SimBackend;
use cutover::commands::headless::status::{DistributionStatus, StatusReport};
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, SwitchPlan, carry_out, describe, plan_rollback_all, plan_switch,
    plan_weight, router_unknown,
};
use cutover::domain::Target;
use support::{Drive, routed_as_live, routed_demo, start};

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

fn yes() -> ApplyArgs {
    ApplyArgs { yes: true, wait: false, timeout: Duration::from_secs(600), force: false, reason: None, no_audit: false }
}

fn report(runtime: &Runtime<SimBackend>) -> StatusReport {
    let distributions =
        runtime.console.distributions.iter().map(|s| DistributionStatus::from_state(s, None, &HashMap::new()));
    StatusReport::new(start(), distributions.collect())
}

/// Let the console read the store again (its next refresh) until `done` holds.
async fn reread(runtime: &mut Runtime<SimBackend>, done: impl FnMut(&cutover::app::State) -> bool) {
    assert!(runtime.run_until(Duration::from_secs(180), done).await, "the console never read the change");
}

/// Carry `plan` out with `--yes` and return the outcome lines, or the error it ends with.
async fn apply(runtime: &mut Runtime<SimBackend>, plan: SwitchPlan) -> Result<Vec<String>, HeadlessError> {
    let SwitchPlan::Change(plan) = plan else { panic!("nothing to do") };
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(runtime, &[plan], &yes(), &mut Yes, &mut printer).await?;
    match applied.finish() {
        (lines, None) => Ok(lines),
        (_, Some(error)) => Err(error),
    }
}

#[tokio::test(start_paused = true)]
async fn a_record_the_index_does_not_list_is_not_routed_and_weight_is_refused_naming_the_index() {
    let (mut runtime, backend) = routed_as_live(11).await;
    // A share on /search/*, then someone takes it out of the index: the function no longer finds it.
    let plan = plan_weight(&mut runtime, "/search/*", 10).unwrap();
    apply(&mut runtime, plan).await.unwrap();
    backend.drop_from_index("/search/*");
    reread(&mut runtime, |s| s.route("/search/*").is_some_and(|r| r.share.is_none())).await;

    let row = runtime.state().route("/search/*").unwrap();
    assert_eq!(row.router_missing(), [NOT_IN_INDEX]);
    assert_eq!(row.via_router(), Via::Share(0), "the function sends nobody: it never finds the route");
    let status = report(&runtime);
    let search = status.distributions[0].routes.iter().find(|r| r.path == "/search/*").unwrap();
    assert_eq!(search.lambda_share_pct, None, "not `λ 10 % (router)`");
    assert_eq!(search.router.as_deref(), Some("not routed: not in the router's index, its record says λ 10 %"));
    assert!(
        status.to_text().contains("router: /search/* not routed: not in the router's index"),
        "{}",
        status.to_text()
    );

    let refused = plan_weight(&mut runtime, "/search/*", 25).err().expect("refused");
    assert_eq!(refused.exit_code(), 2);
    let text = refused.to_string();
    assert!(text.contains(NOT_IN_INDEX) && text.contains("cutover router install"), "{text}");
    // The log said it once, with which piece is missing.
    assert!(runtime.state().notices.log.iter().any(|e| e.message.contains("not routed: not in the router's index")));
}

#[tokio::test(start_paused = true)]
async fn weight_on_a_behavior_without_the_router_function_is_refused_and_says_what_to_do() {
    let (mut runtime, backend) = routed_as_live(12).await;
    backend.take_router_off("/payments/*");
    reread(&mut runtime, |s| s.route("/payments/*").is_some_and(|r| !r.runs_router && r.share.is_none())).await;

    let refused = plan_weight(&mut runtime, "/payments/*", 10).err().expect("refused, not `the edges follow`");
    assert_eq!(refused.exit_code(), 2);
    let text = refused.to_string();
    assert!(text.contains(NO_FUNCTION), "{text}");
    assert!(text.contains("cutover router install --distribution EDEMO7CUTOVER --route /payments/*"), "{text}");
    // `switch` on it is a behavior switch again, not a share move.
    let SwitchPlan::Change(plan) = plan_switch(&mut runtime, "/payments/*", Target::Lambda).unwrap() else {
        panic!("nothing to do?")
    };
    assert!(plan.confirm.shares.is_empty() && plan.confirm.changes.len() == 1, "{}", describe(&plan));
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_record_counts_as_possibly_on_lambda_and_rollback_all_overwrites_it_with_share_zero() {
    let (mut runtime, backend) = routed_demo(13).await;
    // router.js reads `"share":100.0` as 100 %; Rust's decoder refuses it. Never dropped.
    backend.garble_record("/payments/*", r#"{"v":1,"share":100.0,"lambda":"apigw","home":"payments-elb"}"#);
    reread(&mut runtime, |s| s.route("/payments/*").is_some_and(|r| r.via_router() == Via::Unknown)).await;

    let row = runtime.state().route("/payments/*").unwrap();
    assert_eq!(row.router_missing(), [RECORD_UNREADABLE]);
    let status = report(&runtime);
    let payments = status.distributions[0].routes.iter().find(|r| r.path == "/payments/*").unwrap();
    assert!(payments.router_share_unknown, "counted as possibly sending viewers to Lambda");
    assert!(
        status.to_text().contains("/payments/*") && status.to_text().contains("λ ? (router)"),
        "{}",
        status.to_text()
    );

    let (plans, _) = plan_rollback_all(&mut runtime).unwrap();
    assert_eq!(plans.len(), 1, "the unreadable record alone is something to roll back");
    let share = plans[0].confirm.shares.iter().find(|c| c.path == "/payments/*").expect("in the rollback");
    assert!(matches!(share.seen, Seen::Unreadable { .. }) && share.to == 0, "{share:?}");
    let text = describe(&plans[0]);
    assert!(text.contains("record unreadable") && text.contains("share-0 record, the safe direction"), "{text}");

    let plan = plans.into_iter().next().unwrap();
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &[plan], &yes(), &mut Yes, &mut printer).await.unwrap();
    let (lines, error) = applied.finish();
    let failures: Vec<_> = runtime.state().moves.iter().map(|a| (a.phase, a.failure.clone())).collect();
    assert!(error.is_none(), "{error:?} {failures:?}");
    assert!(!lines.is_empty());
    // The share move goes beside the behaviors' update, in seconds.
    reread(&mut runtime, |s| s.route("/payments/*").is_some_and(|r| r.share == Some(0))).await;
    let moved = runtime.state().moves.iter().find(|a| a.shares().iter().any(|c| c.path == "/payments/*")).unwrap();
    assert!(moved.moves().contains("/payments/* λ ? % (record unreadable) → 0 %"), "{}", moved.moves());
    let store = ShareStore::read(backend.as_ref()).await.unwrap();
    assert_eq!(store.records["/payments/*"].share, 0, "a readable share-0 record now");
    assert!(store.unreadable.is_empty());
}

#[tokio::test(start_paused = true)]
async fn weight_zero_overwrites_an_unreadable_record_and_weight_up_on_it_is_refused() {
    let (mut runtime, backend) = routed_as_live(14).await;
    backend.garble_record("/search/*", r#"{"v":1,"share":1e1,"lambda":"apigw","home":"legacy"}"#);
    reread(&mut runtime, |s| s.route("/search/*").is_some_and(|r| r.via_router() == Via::Unknown)).await;

    let up = plan_weight(&mut runtime, "/search/*", 10).err().expect("refused");
    assert!(up.to_string().contains(RECORD_UNREADABLE) && up.to_string().contains("weight /search/* 0"), "{up}");
    let plan = plan_weight(&mut runtime, "/search/*", 0).unwrap();
    let lines = apply(&mut runtime, plan).await.unwrap();
    assert!(lines[0].contains("record unreadable"), "{lines:?}");
    let store = ShareStore::read(backend.as_ref()).await.unwrap();
    assert_eq!((store.records["/search/*"].share, store.records["/search/*"].home.as_str()), (0, "legacy"));
}

#[tokio::test(start_paused = true)]
async fn a_route_with_the_function_and_the_index_but_no_record_gets_one_on_its_first_share_move() {
    let (mut runtime, backend) = routed_demo(15).await;
    backend.delete_record("/search/*");
    reread(&mut runtime, |s| s.route("/search/*").is_some_and(|r| r.share.is_none())).await;
    assert_eq!(runtime.state().route("/search/*").unwrap().router_missing(), [NO_RECORD]);

    let SwitchPlan::Change(plan) = plan_weight(&mut runtime, "/search/*", 10).unwrap() else { panic!() };
    assert!(describe(&plan).contains("no router record yet: its first is written"), "{}", describe(&plan));
    apply(&mut runtime, SwitchPlan::Change(plan)).await.unwrap();
    let store = ShareStore::read(backend.as_ref()).await.unwrap();
    let record = &store.records["/search/*"];
    assert_eq!((record.share, record.lambda.as_str(), record.home.as_str()), (10, "apigw", "legacy"));
    reread(&mut runtime, |s| s.route("/search/*").is_some_and(|r| r.share == Some(10))).await;
}

#[tokio::test(start_paused = true)]
async fn a_store_that_cannot_be_read_is_unknown_and_status_switch_and_rollback_all_exit_one() {
    let (mut runtime, backend) = routed_demo(16).await;
    backend.fail_store_reads(Some(BackendError::AccessDenied(
        "cloudfront-keyvaluestore:ListKeys on the router's store".into(),
    )));
    reread(&mut runtime, |s| s.router_unknown().is_some()).await;

    let status = report(&runtime);
    assert!(!status.healthy);
    assert_eq!(status.exit_code(), 1);
    let why = status.distributions[0].router_error.clone().unwrap();
    assert!(why.contains("viewers may still reach Lambda through the router"), "{why}");
    assert!(status.to_text().contains("router shares unknown:"), "{}", status.to_text());
    assert!(
        runtime.state().notices.banner.as_deref().is_some_and(|b| b.contains("could not be read")),
        "{:?}",
        runtime.state().notices.banner
    );

    // rollback-all with nothing it can see on Lambda still ends in 1.
    let (plans, notes) = plan_rollback_all(&mut runtime).unwrap();
    assert!(plans.iter().all(|p| p.confirm.shares.is_empty()), "no share is known to zero");
    let unknown = router_unknown(&runtime).expect("unknown is not healthy");
    assert_eq!(unknown.exit_code(), 1);
    let _ = notes;
    // A switch that went through still ends in 1 while the store is unknown.
    let plan = plan_switch(&mut runtime, "/orders/*", Target::Origin).unwrap();
    let result = apply(&mut runtime, plan).await;
    let error = result.expect_err("exit 1");
    assert_eq!(error.exit_code(), 1);
    assert!(error.to_string().contains("viewers may still reach Lambda"), "{error}");

    // Readable again: healthy again.
    backend.fail_store_reads(None);
    reread(&mut runtime, |s| s.router_unknown().is_none()).await;
    assert!(router_unknown(&runtime).is_none());
}
