//! `cutover router` as the real binary against moto: the command line, the config, the reads and the
//! plan, and that `plan`, `status` and `install` without `--yes` change nothing in the distribution.
//! moto (5.2.5) answers `TestFunction` with a 404 and drops a behavior's `FunctionAssociations`, so
//! the install itself is tested with scripted answers (`tests/router_install.rs`), not here.

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::binary::{code, run_cutover, stdout};
use support::emulators::{clients, create_half_migrated_distribution};
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
    assert_eq!(steps, ["create_store", "create_function", "test_function", "publish_function", "associate"]);
    assert_eq!(
        plan["steps"][4]["behaviors"],
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
