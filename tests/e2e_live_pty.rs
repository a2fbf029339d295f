//! End to end, live: `cutover init` writes a config for a distribution in moto, then the real binary
//! opens the console on it in a pseudo-terminal (CloudFront and STS on moto, CloudWatch on
//! LocalStack), a route is switched with keys, and moto is asked whether the distribution changed.

mod support;

use std::time::Duration;

use cutover::backend::ControlPlane;
use cutover::backend::aws::CloudFrontControlPlane;
use support::emulators::{binary_env, clients, create_half_migrated_distribution};
use support::pty::{Console, TIMEOUT, TempDir, line_with};

const REGION: &str = "eu-west-1";

#[tokio::test(flavor = "multi_thread")]
async fn a_route_switched_with_keys_changes_the_distribution_in_the_emulator() {
    let home = TempDir::new("cutover-e2e-live");
    let clients = clients(REGION);
    let id = create_half_migrated_distribution(&clients.cloudfront, "e2e-live-pty").await;
    let env = binary_env(REGION);
    let config = home.path().join("cutover.toml");
    let config_arg = config.to_str().unwrap();

    let init = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .env_remove("AWS_PROFILE")
        .args(["init", "--distribution", &id, "--output", config_arg])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(init.status.success(), "cutover init failed: {}", String::from_utf8_lossy(&init.stderr));
    // LocalStack computes no percentiles, so this run reads average latency; a user would do the same.
    let written = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("latency_statistic = \"Average\"\n{written}")).unwrap();

    let mut console = tokio::task::block_in_place(|| Console::spawn(&["--config", config_arg], home.path(), &env));
    let screen = tokio::task::block_in_place(|| console.wait_for("/api/orders/*", TIMEOUT));
    assert!(screen.contains(" LIVE "), "no LIVE badge; screen:\n{screen}");
    assert!(screen.contains(&id), "no distribution id in the header; screen:\n{screen}");
    let row = line_with(&screen, "/api/users/*");
    assert!(row.contains('▶') && row.contains("λ Lambda"), "/api/users/* should be selected on Lambda: {row:?}");

    tokio::task::block_in_place(|| {
        console.type_keys("s");
        console.wait_for("switch /api/users/*?", TIMEOUT);
        console.type_keys("y");
        console.type_keys("e");
        let screen = console.wait_for("Deployed after", TIMEOUT);
        let row = line_with(&screen, "/api/users/*");
        assert!(row.contains("◼ origin"), "row should now target the origin: {row:?}\nscreen:\n{screen}");
        assert!(!screen.contains("failed"), "something failed on the way; screen:\n{screen}");
        console.type_keys("q");
        let status = console.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
    });

    let (after, _) =
        CloudFrontControlPlane::new(clients.cloudfront.clone(), dummy_spec(&id)).get_config(&id).await.unwrap();
    assert_eq!(CloudFrontControlPlane::origin_of(&after, "/api/users/*").as_deref(), Some("legacy"));
    assert_eq!(
        CloudFrontControlPlane::origin_of(&after, "/api/orders/*").as_deref(),
        Some("apigw"),
        "only one route moved"
    );
}

fn dummy_spec(id: &str) -> cutover::backend::aws::DistributionSpec {
    cutover::backend::aws::DistributionSpec::with_lists(id, &[], &[])
}
