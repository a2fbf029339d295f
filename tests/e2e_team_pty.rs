//! End to end, live, as a team (issue 23): bob's console (the real binary in a pseudo-terminal,
//! `[team]` on moto's CloudWatch Logs, CloudFront on moto) while alice switches a route with the
//! headless binary: bob's event log shows her records with her name and his header says she is
//! acting; then a route moved with the SDK directly is shown as changed outside cutover, `✎` on
//! its row.

mod support;

use std::time::Duration;

use support::binary::{code, run_cutover, stderr};
use support::emulators::{binary_env, clients, create_half_migrated_distribution};
use support::pty::{Console, TIMEOUT, TempDir, line_with};

const REGION: &str = "eu-west-1";
const USERS: &str = "/api/users/*";
const ORDERS: &str = "/api/orders/*";

#[tokio::test(flavor = "multi_thread")]
async fn bob_sees_alices_switch_and_a_change_outside_cutover() {
    let aws = clients(REGION);
    let id = create_half_migrated_distribution(&aws.cloudfront, "e2e-team").await;
    let bob_home = TempDir::new("cutover-e2e-team-bob");
    let alice_home = TempDir::new("cutover-e2e-team-alice");
    let text = format!(
        "latency_statistic = \"Average\"\n\n[team]\nlog_group = \"/cutover/e2e-{id}\"\n\n[[distribution]]\n\
         id = \"{id}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"
    );
    let config = bob_home.path().join("cutover.toml");
    std::fs::write(&config, &text).unwrap();
    let mut env = binary_env(REGION);
    env.push(("USER", "bob".into()));

    let mut console =
        tokio::task::block_in_place(|| Console::spawn(&["--config", config.to_str().unwrap()], bob_home.path(), &env));
    tokio::task::block_in_place(|| {
        console.wait_for(ORDERS, TIMEOUT);
        console.type_keys("e");
        console.wait_for("team journal: /cutover/e2e-", TIMEOUT)
    });

    let switched = tokio::task::block_in_place(|| {
        run_cutover(
            REGION,
            alice_home.path(),
            &config,
            &["switch", USERS, "--to", "origin", "--yes"],
            &[("USER", "alice")],
        )
    });
    assert_eq!(code(&switched), 0, "{}", stderr(&switched));

    tokio::task::block_in_place(|| {
        // Read every 5 s: her request, with her name, within a few reads.
        let screen = console.wait_for("alice asked to switch", Duration::from_secs(30));
        let line = line_with(&screen, "alice asked to switch");
        assert!(line.contains("alice@") && line.contains(USERS), "{line:?}\nscreen:\n{screen}");
        assert!(screen.contains("acting"), "the header names her acting; screen:\n{screen}");
    });

    // Someone moves /api/orders/* to the origin with the SDK: the next read shows it.
    let got = aws.cloudfront.get_distribution_config().id(&id).send().await.unwrap();
    let mut distribution = got.distribution_config.clone().unwrap();
    let behaviors = distribution.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
    behaviors.iter_mut().find(|b| b.path_pattern == ORDERS).unwrap().target_origin_id = "legacy".into();
    let update =
        aws.cloudfront.update_distribution().id(&id).if_match(got.e_tag().unwrap()).distribution_config(distribution);
    update.send().await.unwrap();

    tokio::task::block_in_place(|| {
        console.type_keys("r");
        let screen = console.wait_for("changed outside cutover", TIMEOUT);
        let row = |path: &str| screen.lines().find(|l| l.starts_with('│') && l.contains(path)).unwrap_or_default();
        assert!(row(ORDERS).contains('✎') && row(ORDERS).contains("◼ origin"), "{:?}\nscreen:\n{screen}", row(ORDERS));
        assert!(!row(USERS).contains('✎'), "alice's move is no outside change:\n{screen}");
        assert!(
            line_with(&screen, "✖").contains(&format!("{ORDERS} changed outside cutover")),
            "the banner:\n{screen}"
        );
        console.type_keys("q");
        let status = console.wait_exit(Duration::from_secs(20));
        assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
    });
}
