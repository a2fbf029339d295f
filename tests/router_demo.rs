//! `cutover router` on the demo world: the simulated twin of the router's pieces
//! (`backend::sim::router`) through the same `execute` as live, on tokio's paused clock — install
//! then status agree once the rollout is done, remove undoes exactly what install did, a hand-edited
//! function is mended — and the real binary's `router plan --demo`, `status --demo` and `install
//! --demo`, with no config and no AWS at all, on the demo world kept between them.

mod support;

use std::time::Duration;

use cutover::backend::router_pieces::{RouterPieces, Snapshot};
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::{Backend as _, FaultSet};
use cutover::cli::{RouteChoice, RouterAction, RouterChangeArgs, RouterPlanArgs, RouterStatusArgs};
use cutover::clock::Clock;
use cutover::commands::headless::HeadlessError;
use cutover::commands::router::{Output, demo_spec, execute};
use cutover::router::install::Found;
use support::binary::{code, run_cutover_bare, stdout};
use support::pty::TempDir;

fn world() -> (SimBackend, Clock) {
    let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 11, faults: FaultSet::NONE };
    (SimBackend::new(clock.clone(), options), clock)
}

fn choice(routes: &[&str]) -> RouteChoice {
    RouteChoice { routes: routes.iter().map(|r| r.to_string()).collect() }
}

fn install(routes: &[&str]) -> RouterAction {
    RouterAction::Install(RouterChangeArgs { choice: choice(routes), yes: true })
}

fn remove(routes: &[&str]) -> RouterAction {
    RouterAction::Remove(RouterChangeArgs { choice: choice(routes), yes: true })
}

fn status(routes: &[&str]) -> RouterAction {
    RouterAction::Status(RouterStatusArgs { choice: choice(routes), json: false })
}

fn plan(routes: &[&str]) -> RouterAction {
    RouterAction::Plan(RouterPlanArgs { choice: choice(routes), json: true })
}

async fn run(world: &SimBackend, action: &RouterAction) -> (Result<u8, HeadlessError>, String) {
    let mut out = Output::new(Vec::new());
    let result = execute(world, &demo_spec(world.distribution_id()), action, None, &mut out).await;
    (result, String::from_utf8(out.into_inner()).unwrap())
}

/// What exists, without the ETags and the status, which every write moves on.
async fn found(world: &SimBackend) -> Found {
    let Snapshot { mut found, .. } = RouterPieces::read(world).await.unwrap();
    if let cutover::router::install::Keys::Read { etag, .. } = &mut found.keys {
        etag.clear();
    }
    found.deploying = None;
    found
}

/// Long enough for any of the world's rollouts to be at every edge.
async fn rollout_done(clock: &Clock) {
    clock.sleep(Duration::from_secs(5 * 60)).await;
}

#[tokio::test(start_paused = true)]
async fn an_install_on_a_world_without_the_router_then_status_agree_and_remove_undoes_all_of_it() {
    let (world, clock) = world();
    let world = world.without_router();
    let before = found(&world).await;
    assert!(before.store.is_none() && before.function.is_none(), "{before:?}");

    let (result, said) = run(&world, &install(&["/search/*", "/orders/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    for step in ["create_store", "write_keys", "create_function", "test_function", "publish_function", "associate"] {
        let described = match step {
            "create_store" => "KeyValueStore cutover-EDEMO7CUTOVER is READY",
            "write_keys" => "read back: the index lists /orders/*, /search/*, each with a readable record",
            "create_function" => "created CloudFront Function cutover-router-EDEMO7CUTOVER",
            "test_function" => "log: cutover-router: route:/orders/* share 0 -> home",
            "publish_function" => "published cutover-router-EDEMO7CUTOVER: LIVE runs the embedded router.js",
            _ => "added the router to /search/*, /orders/*",
        };
        assert!(said.contains(described), "{step}: {said}");
    }
    assert!(said.contains("done: 6 step(s) carried out"), "{said}");

    // At once the distribution is still deploying the association: status says so and fails.
    let (result, said) = run(&world, &status(&["/search/*", "/orders/*"])).await;
    assert_eq!(result.unwrap(), 3, "{said}");
    assert!(said.contains("the distribution is InProgress, not Deployed"), "{said}");
    rollout_done(&clock).await;
    let (result, said) = run(&world, &status(&["/search/*", "/orders/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("behavior  /orders/* [wanted]: runs the router; the index lists it; record: 0 % to apigw"));
    assert!(said.contains("behavior  /auth/* [      ]: no viewer-request function"), "{said}");
    // The console's side of the same world agrees: the store routes both, the behaviors run it.
    assert_eq!(world.routed(), ["/orders/*", "/search/*"]);
    let (plan_again, said) = run(&world, &plan(&["/search/*", "/orders/*"])).await;
    assert_eq!(plan_again.unwrap(), 0);
    assert!(said.contains("\"steps\": []"), "a second install has nothing to do: {said}");

    let (result, said) = run(&world, &remove(&[])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("done: 3 step(s) carried out"), "dissociate, delete the function, then the store: {said}");
    rollout_done(&clock).await;
    assert_eq!(found(&world).await, before, "remove undid exactly what install did");
    assert!(world.routed().is_empty());
}

#[tokio::test(start_paused = true)]
async fn adding_a_route_to_the_demos_router_and_taking_it_off_leaves_the_others_as_they_were() {
    let (world, clock) = world();
    let before = found(&world).await;
    assert_eq!(world.routed(), ["/payments/*", "/search/*"], "the demo's router, as the console shows it");

    let (result, said) = run(&world, &install(&["/cart/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("install plan, 2 step(s):"), "the store and the function are there already: {said}");
    rollout_done(&clock).await;
    let (result, said) = run(&world, &status(&["/cart/*", "/search/*", "/payments/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("index     lists /cart/*, /search/*, /payments/*"), "in the distribution's order: {said}");

    let (result, said) = run(&world, &remove(&["/cart/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("the record of /cart/* deleted"), "{said}");
    rollout_done(&clock).await;
    assert_eq!(found(&world).await, before);
}

#[tokio::test(start_paused = true)]
async fn a_hand_edited_function_is_planned_and_mended_and_a_denied_step_fails_with_what_to_do() {
    let (world, _) = world();
    world.edit_router_function("// edited in the console");
    let (result, said) = run(&world, &status(&["/search/*", "/payments/*"])).await;
    assert_eq!(result.unwrap(), 3);
    assert!(said.contains("LIVE differs from the embedded router.js"), "{said}");

    world.inject_faults(FaultSet::from(cutover::backend::Fault::Denied));
    let (result, said) = run(&world, &install(&["/search/*", "/payments/*"])).await;
    let error = result.unwrap_err().to_string();
    assert!(said.contains("step 1/3: update CloudFront Function"), "{said}");
    assert!(error.contains("step 1/3 (update_function) failed: access denied"), "{error}");
    assert!(error.contains("grant the IAM action cloudfront:UpdateFunction"), "{error}");

    world.inject_faults(FaultSet::NONE);
    let (result, said) = run(&world, &install(&["/search/*", "/payments/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
    assert!(said.contains("log: cutover-router: route:/search/* share 0 -> home"), "{said}");
    let (result, said) = run(&world, &status(&["/search/*", "/payments/*"])).await;
    assert_eq!(result.unwrap(), 0, "{said}");
}

fn bare(home: &TempDir, args: &[&str]) -> std::process::Output {
    // No config file there: --demo must not read one, nor reach AWS (every endpoint is closed).
    let config = home.path().join("no-such-cutover.toml");
    run_cutover_bare(home.path(), &config, args, &[])
}

#[test]
fn the_binary_plans_and_reads_the_router_of_the_demo_world_without_aws() {
    let home = TempDir::new("cutover-router-demo");
    let bare = |args: &[&str]| bare(&home, args);
    let plan = bare(&["router", "plan", "--demo", "--route", "/cart/*", "--route", "/search/*"]);
    assert_eq!(code(&plan), 0);
    let lines: Vec<String> = stdout(&plan).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        [
            "note: /search/* already runs the router",
            "install plan, 2 step(s):",
            "  1. one UpdateKeys on KeyValueStore cutover-EDEMO7CUTOVER (IfMatch): the index lists /cart/*, /search/*, /payments/*, and each has a record (share 0 where it has no readable one; a record that reads is kept)",
            "  2. one UpdateDistribution: add the router as viewer-request function to /cart/* (takes the usual minutes to deploy)",
        ]
    );

    let status = bare(&["router", "status", "--demo", "--route", "/search/*", "--route", "/payments/*"]);
    assert_eq!(code(&status), 0);
    let said = stdout(&status);
    let id = catalog::DISTRIBUTION_ID;
    for line in [
        format!("store     cutover-{id}: READY"),
        format!("function  cutover-router-{id}: LIVE matches the embedded router.js; DEVELOPMENT matches it"),
        "index     lists /search/*, /payments/*".to_string(),
        "behavior  /search/* [wanted]: runs the router; the index lists it; record: 0 % to apigw".to_string(),
        "behavior  /payments/* [wanted]: runs the router; the index lists it; record: 0 % to apigw".to_string(),
        "behavior  /orders/* [      ]: no viewer-request function".to_string(),
        "the router is installed on every wanted behavior: each runs the function, the index lists it and its record reads".to_string(),
    ] {
        assert!(said.lines().any(|l| l == line), "missing {line:?} in:\n{said}");
    }

    // Every switchable route wanted (the default): the demo routes two of them, so not complete.
    let all = bare(&["router", "status", "--demo"]);
    assert_eq!(code(&all), 3);
    assert!(stdout(&all).contains("problem: /orders/* is wanted but does not run the router"));

    let install = bare(&["router", "install", "--demo", "--yes", "--route", "/cart/*"]);
    assert_eq!(code(&install), 0);
    assert!(stdout(&install).contains("done: 2 step(s) carried out"));
    // The demo world is kept between commands (tests/demo_runbook.rs): the next one sees the install.
    let again = bare(&["router", "status", "--demo", "--route", "/cart/*"]);
    let said = stdout(&again);
    assert!(said.lines().any(|l| l.starts_with("behavior  /cart/* [wanted]: runs the router")), "{said}");
}
