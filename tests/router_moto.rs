//! `cutover router` as the real binary against moto: the command line, the config, the reads and the
//! plan, and that `plan`, `status` and `install` without `--yes` change nothing in the distribution.
//! moto (5.2.5) has no `UpdateFunction`, `TestFunction` or `PublishFunction`, no KeyValueStore data
//! plane, and drops a behavior's `FunctionAssociations`: the live-fidelity harness puts the fakes of
//! `tests/support/fake_cloudfront.rs` in front of it and drives the router end to end.

mod support;

use std::path::PathBuf;

use cutover::backend::aws::KvsShareStore;
use cutover::backend::share::ShareStore as _;
use serde_json::Value;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::{clients, create_half_migrated_distribution};
use support::fake_cloudfront::FakeCloudFront;
use support::messy::{self, ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST, ELB, ELB_2, S3, behavior};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";

fn home_for(id: &str) -> (TempDir, PathBuf) {
    let home = TempDir::new("cutover-router");
    let config = home.path().join("cutover.toml");
    let text =
        format!("[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n");
    std::fs::write(&config, text).unwrap();
    (home, config)
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_status_and_install_without_yes_read_and_change_nothing() {
    let cloudfront = clients(REGION).cloudfront;
    let id = create_half_migrated_distribution(&cloudfront, "router-plan").await;
    let before = cloudfront.get_distribution_config().id(&id).send().await.unwrap().distribution_config;
    let (home, config) = home_for(&id);
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &[]));

    let plan = run(&["router", "plan", "--distribution", &id, "--json"]);
    assert_eq!(code(&plan), 0);
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let steps: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        ["create_store", "write_keys", "create_function", "test_function", "publish_function", "associate"]
    );
    assert_eq!(
        plan["steps"][1]["behaviors"], plan["steps"][5]["behaviors"],
        "the index lists what will run the router"
    );
    assert_eq!(
        plan["steps"][5]["behaviors"],
        serde_json::json!(["/api/users/*", "/api/orders/*", "/api/search/*", "*"]),
        "every switchable route, in the distribution's order"
    );

    let status = run(&["router", "status", "--distribution", &id]);
    assert_eq!(code(&status), 3, "not installed");
    assert!(stdout(&status).contains(&format!("store     cutover-{id}: absent")));

    let install = run(&["router", "install", "--distribution", &id, "--route", "/api/users/*"]);
    assert_eq!(code(&install), 0);
    assert!(stdout(&install).contains("add the router as viewer-request function to /api/users/* "));
    assert!(stdout(&install).contains("nothing was changed: add --yes to install the router"));

    let after = cloudfront.get_distribution_config().id(&id).send().await.unwrap().distribution_config;
    assert_eq!(after, before, "the distribution is as it was");
    assert!(!home.path().join("state/cutover/audit.jsonl").exists(), "nothing changed, nothing recorded");
}

/// A messy distribution (tests/support/messy.rs): static files on an S3 origin behind two
/// behaviors, the admin app on the second ELB with a policy that forwards the viewer's Host, API
/// Gateway, and `/api/*` on the monolith.
async fn create_messy_with_api(cloudfront: &aws_sdk_cloudfront::Client) -> String {
    let behaviors = vec![
        behavior("/static/*", S3, None),
        behavior("/images/*", S3, None),
        behavior("/admin/*", ELB_2, Some(ALL_VIEWER)),
        behavior("/api/*", ELB, Some(ALL_VIEWER_EXCEPT_HOST)),
    ];
    messy::create(cloudfront, "router-live", "static, two monoliths and Lambda", messy::origins(), behaviors).await
}

/// Every behavior's path pattern, target and policies, the default behavior's as `*`: what the
/// router must never change.
async fn where_every_route_is(cloudfront: &aws_sdk_cloudfront::Client, id: &str) -> Vec<[Option<String>; 4]> {
    let config = cloudfront.get_distribution_config().id(id).send().await.unwrap().distribution_config.unwrap();
    let default = config.default_cache_behavior.unwrap();
    let mut routes = vec![[
        Some("*".to_string()),
        Some(default.target_origin_id),
        default.cache_policy_id,
        default.origin_request_policy_id,
    ]];
    for b in config.cache_behaviors.and_then(|c| c.items).unwrap_or_default() {
        routes.push([Some(b.path_pattern), Some(b.target_origin_id), b.cache_policy_id, b.origin_request_policy_id]);
    }
    routes
}

/// The share the record of `/api/*` holds in the fake store, read back through cutover's own
/// store client (the real SDK, SigV4A, `*.localhost`).
async fn share_read_back(fake: &FakeCloudFront, store: &str) -> u8 {
    let arn = fake.world.lock().unwrap().stores[store].arn.clone();
    let sdk = support::emulators::sdk_config(&fake.data_endpoint(), REGION);
    let read = KvsShareStore::from_sdk_config(&sdk, &arn).read().await.unwrap();
    read.records["/api/*"].share
}

/// The live-fidelity harness: the real binary against moto for the distribution, and the local
/// fakes for what moto does not speak (Functions, KeyValueStores and their data plane, the
/// behaviors' FunctionAssociations). `router install` → the store holds the index and a share-0
/// record, and the function's test read it → `weight '/api/*' 10` → router.js under Node, fed that
/// store, sends 10 % ± 2 of 10,000 viewers to Lambda → `rollback-all` → share 0, read back.
// Long: one scenario, step by step, each checked against what the fakes and moto now hold.
#[tokio::test(flavor = "multi_thread")]
async fn the_router_routes_live_end_to_end_install_weight_edges_rollback() {
    let fake = FakeCloudFront::start(Some(support::emulators::moto())).await;
    let cloudfront = clients(REGION).cloudfront;
    let id = create_messy_with_api(&cloudfront).await;
    let before = where_every_route_is(&cloudfront, &id).await;
    let store = format!("cutover-{id}");
    let home = TempDir::new("cutover-router-live");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw-prod\"]\nlegacy_origins = [\"legacy-elb\", \"legacy-elb-2\"]\n"
    );
    std::fs::write(&config, text).unwrap();
    let env = fake.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &env));

    // Install on /api/*.
    let install = run(&["router", "install", "--distribution", &id, "--route", "/api/*", "--yes"]);
    assert_eq!(code(&install), 0, "{}", stderr(&install));
    let said = stdout(&install);
    assert!(said.contains("one UpdateKeys on KeyValueStore"), "{said}");
    assert!(said.contains("the function read route:/api/* and chose as its record says"), "{said}");
    let items = fake.items(&store);
    assert_eq!(items.get("routes").map(String::as_str), Some(r#"{"v":1,"routes":["/api/*"]}"#), "{items:?}");
    assert_eq!(
        items.get("route:/api/*").map(String::as_str),
        Some(r#"{"v":1,"share":0,"lambda":"apigw-prod","home":"legacy-elb"}"#)
    );
    let logs = fake.world.lock().unwrap().test_logs.clone();
    assert_eq!(
        logs[0],
        ["cutover-router: route:/api/* share 0 -> home"],
        "the function itself logged the record it read"
    );
    let trail = std::fs::read_to_string(home.path().join("state/cutover/audit.jsonl")).unwrap();
    let steps: Vec<Value> = trail.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(steps.iter().all(|s| s["kind"] == "router_step" && s["outcome"] == "accepted"), "{trail}");
    assert!(steps.iter().any(|s| s["message"].as_str().unwrap().starts_with("install write_keys")), "{trail}");

    // A second install finds everything in place.
    let again = run(&["router", "install", "--distribution", &id, "--route", "/api/*", "--yes"]);
    assert_eq!(code(&again), 0);
    assert!(stdout(&again).contains("nothing to do"), "{}", stdout(&again));

    // The association is on the behavior as the distribution says, the index lists it, the record reads.
    let status = run(&["router", "status", "--distribution", &id, "--route", "/api/*"]);
    assert_eq!(code(&status), 0, "{}", stdout(&status));
    assert!(
        stdout(&status)
            .contains("behavior  /api/* [wanted]: runs the router; the index lists it; record: 0 % to apigw-prod")
    );
    let s3 = run(&["router", "status", "--distribution", &id, "--route", "/api/*", "--route", "/admin/*"]);
    assert_eq!(code(&s3), 3, "a wanted behavior without the router: {}", stdout(&s3));

    // 10 % of /api/* to Lambda, through the store.
    let weight = run(&["weight", "/api/*", "10", "--yes"]);
    assert_eq!(code(&weight), 0, "{}", stderr(&weight));
    assert_eq!(share_read_back(&fake, &store).await, 10);

    // The edge: router.js under Node, fed the store as it now is.
    let edge = support::fake_cloudfront::run_node(
        "tests/router/route-viewers.mjs",
        &serde_json::json!({ "store": fake.items(&store), "uri": "/api/orders/17", "viewers": 10_000, "lambda": "apigw-prod" }),
    );
    let to_lambda = edge["lambda"].as_u64().unwrap();
    println!("router at λ 10 %: {to_lambda} of 10,000 viewers sent to Lambda by router.js over the store as written");
    assert!((800..=1200).contains(&to_lambda), "{to_lambda} of 10,000 viewers to Lambda at 10 %: {edge}");
    let admin = support::fake_cloudfront::run_node(
        "tests/router/route-viewers.mjs",
        &serde_json::json!({ "store": fake.items(&store), "uri": "/admin/x", "viewers": 1_000, "lambda": "apigw-prod" }),
    );
    assert_eq!(admin["lambda"], 0, "a path no routed pattern matches is left alone: {admin}");

    // Rollback: share 0, read back from the store.
    let rollback = run(&["rollback-all", "--yes"]);
    assert_eq!(code(&rollback), 0, "{}", stderr(&rollback));
    assert_eq!(share_read_back(&fake, &store).await, 0);
    let edge = support::fake_cloudfront::run_node(
        "tests/router/route-viewers.mjs",
        &serde_json::json!({ "store": fake.items(&store), "uri": "/api/orders/17", "viewers": 10_000, "lambda": "apigw-prod" }),
    );
    assert_eq!(edge["lambda"], 0, "{edge}");
    // The router did it all: every route is where it was, on its own origin with its own policies
    // (the bucket's two, the admin app forwarding Host on the second ELB, `/api/*` and the default
    // on the monolith).
    let after = where_every_route_is(&cloudfront, &id).await;
    assert_eq!(after, before);
    let targets: Vec<&str> = after.iter().map(|r| r[1].as_deref().unwrap()).collect();
    assert_eq!(targets, [ELB, S3, S3, ELB_2, ELB]);

    // And remove takes it all away: the association (moto's config, through the fake), the function,
    // the store.
    let remove = run(&["router", "remove", "--distribution", &id, "--yes"]);
    assert_eq!(code(&remove), 0, "{}", stdout(&remove));
    let world = fake.world.lock().unwrap();
    assert!(world.functions.is_empty() && !world.stores.contains_key(&store), "{:?}", world.functions.keys());
    let kept = world.associations.get(&(id.clone(), "/api/*".to_string())).unwrap();
    assert!(!kept.contains("cutover-router"), "the router is off /api/*: {kept}");
}
