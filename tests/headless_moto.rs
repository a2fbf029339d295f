//! The headless commands as the real binary, against moto (CloudFront, STS) and LocalStack
//! (CloudWatch), as a runbook would run them: `switch --yes --wait` changes the distribution,
//! `status --json` reflects it, `rollback-all --yes` moves every Lambda route in one update,
//! `log --json` returns the records, and the exit codes are the documented ones; `probe` of a route
//! whose probe names no host sends to the name CloudFront gives the distribution.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cutover::backend::ControlPlane;
use cutover::backend::aws::{CloudFrontControlPlane, DistributionSpec};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::{binary_env, clients, create_half_migrated_distribution};
use support::fake_edge::{Behind, FakeEdge};
use support::pty::{Console, TIMEOUT, TempDir};

const REGION: &str = "eu-west-1";
const USERS: &str = "/api/users/*";
const ORDERS: &str = "/api/orders/*";

/// A home with a config for `id` (LocalStack computes no percentiles, so latency is `Average`).
fn home_for(id: &str, routes: &str) -> (TempDir, PathBuf) {
    let home = TempDir::new("cutover-headless");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "latency_statistic = \"Average\"\n\n[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\n\
         legacy_origins = [\"legacy\"]\n{routes}"
    );
    std::fs::write(&config, text).unwrap();
    (home, config)
}

/// Run the binary with `args` in `home`, standard input not a terminal.
fn cutover(home: &Path, config: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
    run_cutover(REGION, home, config, args, extra_env)
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

/// The route's target in `status --json`.
fn target_in(status: &Value, path: &str) -> String {
    let routes = status["distributions"][0]["routes"].as_array().unwrap();
    let route = routes.iter().find(|r| r["path"] == path).unwrap_or_else(|| panic!("no {path} in {status}"));
    route["target"].as_str().unwrap().to_string()
}

/// What moto says the route targets now.
async fn origin_in_moto(id: &str, path: &str) -> String {
    let spec = DistributionSpec::with_lists(id, &[], &[]);
    let plane = CloudFrontControlPlane::new(clients(REGION).cloudfront, spec);
    let (config, _) = plane.get_config(id).await.unwrap();
    CloudFrontControlPlane::origin_of(&config, path).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn switch_yes_wait_changes_the_distribution_and_status_json_and_log_json_show_it() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-switch").await;
    let (home, config) = home_for(&id, "");
    let run = |args: &[&str]| tokio::task::block_in_place(|| cutover(home.path(), &config, args, &[]));

    let before = run(&["status", "--json"]);
    assert_eq!(code(&before), 0, "{}", stderr(&before));
    assert_eq!(target_in(&json(&before), USERS), "lambda");

    let switched = run(&["switch", USERS, "--to", "origin", "--yes", "--wait"]);
    assert_eq!(code(&switched), 0);
    assert!(
        stdout(&switched).contains(&format!("{id}: {USERS} λ Lambda (apigw) → ◼ origin (legacy): Deployed after "))
    );
    assert!(stderr(&switched).contains("λ Lambda (apigw) → ◼ origin (legacy) requested by runbook"));
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
    assert_eq!(origin_in_moto(&id, ORDERS).await, "apigw", "only the one route moved");

    let after = run(&["status", "--json"]);
    assert_eq!(code(&after), 0);
    let status = json(&after);
    assert_eq!(target_in(&status, USERS), "origin");
    assert_eq!(target_in(&status, ORDERS), "lambda");
    assert_eq!(status["distributions"][0]["status"], "Deployed");

    let again = run(&["switch", USERS, "--to", "origin"]);
    assert_eq!(code(&again), 0, "idempotent: already there is success, and needs no terminal");
    assert!(stdout(&again).contains("already targets ◼ origin; nothing to do"));

    let log = run(&["log", "--json"]);
    assert_eq!(code(&log), 0);
    let records: Vec<Value> = stdout(&log).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let kinds: Vec<&str> = records.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["switch_requested", "switch_accepted", "switch_deployed"]);
    for record in &records {
        assert_eq!((record["distribution"].as_str(), record["routes"][0].as_str()), (Some(id.as_str()), Some(USERS)));
        assert_eq!((record["operator"].as_str(), record["mode"].as_str()), (Some("runbook"), Some("live")));
        assert!(record["caller_arn"].as_str().is_some_and(|arn| arn.starts_with("arn:aws:sts::")), "{record}");
    }
    assert_eq!((records[2]["from"].as_str(), records[2]["to"].as_str()), (Some("lambda"), Some("origin")));
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_change_nothing_and_exit_2() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-refuse").await;
    let (home, config) = home_for(&id, "");
    let run = |args: &[&str]| tokio::task::block_in_place(|| cutover(home.path(), &config, args, &[]));

    let no_terminal = run(&["switch", USERS, "--to", "origin"]);
    assert_eq!(code(&no_terminal), 2);
    assert!(stderr(&no_terminal).contains("standard input is not a terminal, so nobody can confirm; add --yes"));
    assert!(stderr(&no_terminal).contains("switch /api/users/*?"), "the dialog is shown before refusing");

    let read_only = run(&["--read-only", "switch", USERS, "--to", "origin", "--yes"]);
    assert_eq!(code(&read_only), 2);
    assert!(stderr(&read_only).contains("read-only (started with --read-only)"));
    let read_only = run(&["rollback-all", "--yes", "--read-only"]);
    assert_eq!(code(&read_only), 2);

    let unknown = run(&["switch", "/api/user/*", "--to", "origin", "--yes"]);
    assert_eq!(code(&unknown), 2);
    assert!(stderr(&unknown).contains("no route `/api/user/*`"), "{}", stderr(&unknown));

    let missing =
        tokio::task::block_in_place(|| cutover(home.path(), &home.path().join("nope.toml"), &["status"], &[]));
    assert_eq!(code(&missing), 2);

    assert_eq!(origin_in_moto(&id, USERS).await, "apigw");
    assert_eq!(origin_in_moto(&id, ORDERS).await, "apigw");
    let log = run(&["log", "--json"]);
    assert_eq!(stdout(&log), "", "nothing was tried, so nothing was recorded");
}

#[tokio::test(flavor = "multi_thread")]
async fn rollback_all_yes_moves_every_lambda_route_in_one_update() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-rollback").await;
    let (home, config) = home_for(&id, "");
    let run = |args: &[&str]| tokio::task::block_in_place(|| cutover(home.path(), &config, args, &[]));

    let rolled = run(&["rollback-all", "--yes", "--wait"]);
    assert_eq!(code(&rolled), 0);
    assert!(stderr(&rolled).contains("roll back all 2 Lambda routes to the origin?"));
    assert!(stdout(&rolled).contains(&format!("{id}: {USERS} λ Lambda (apigw) → ◼ origin (legacy); {ORDERS} λ Lambda (apigw) → ◼ origin (legacy): Deployed after ")));
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
    assert_eq!(origin_in_moto(&id, ORDERS).await, "legacy");

    let log = run(&["log", "--json"]);
    let records: Vec<Value> = stdout(&log).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let accepted: Vec<&Value> = records.iter().filter(|r| r["kind"] == "switch_accepted").collect();
    assert_eq!(accepted.len(), 1, "one UpdateDistribution: {records:#?}");
    assert_eq!(accepted[0]["routes"], serde_json::json!([USERS, ORDERS]));

    let nothing_left = run(&["rollback-all", "--yes"]);
    assert_eq!(code(&nothing_left), 0);
    assert!(stdout(&nothing_left).contains("no route is on Lambda; nothing to roll back"));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_exits_3_when_a_guard_is_breached_and_1_when_cloudwatch_cannot_be_read() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-status").await;
    // Equal-width unique names: LocalStack matches dimension values by substring.
    let function = format!("fn{:0>20}", Timestamp::now().as_nanosecond() % 10i128.pow(20));
    let (home, config) =
        home_for(&id, &format!("\n[[distribution.route]]\npath = \"{USERS}\"\nlambda_function = \"{function}\"\n"));
    let now = Timestamp::now().as_second();
    let minute = |ago: i64| Timestamp::from_second(now - now.rem_euclid(60)).unwrap() - SignedDuration::from_mins(ago);
    let cloudwatch = clients(REGION).cloudwatch;
    for (metric, value) in [("Invocations", 200.0), ("Errors", 50.0), ("Duration", 120.0)] {
        let data = (2..=6).map(|ago| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(Dimension::builder().name("FunctionName").value(&function).build())
                .timestamp(DateTime::from_secs(minute(ago).as_second()))
                .value(value)
                .build()
        });
        cloudwatch
            .put_metric_data()
            .namespace("AWS/Lambda")
            .set_metric_data(Some(data.collect()))
            .send()
            .await
            .unwrap();
    }

    let breached = tokio::task::block_in_place(|| cutover(home.path(), &config, &["status", "--json"], &[]));
    assert_eq!(code(&breached), 3);
    let status = json(&breached);
    let users = &status["distributions"][0]["routes"][0];
    assert_eq!(users["path"], USERS);
    assert_eq!((users["requests_per_min"].as_f64(), users["errors_5xx_pct"].as_f64()), (Some(200.0), Some(25.0)));
    assert_eq!(users["guard"]["breaches"][0]["text"], "5xx 25.0% > 5%");
    assert_eq!(status["healthy"], false);
    let table = tokio::task::block_in_place(|| cutover(home.path(), &config, &["status"], &[]));
    assert_eq!(code(&table), 3);
    assert!(stdout(&table).contains("BREACHED 5xx 25.0% > 5% for 3 periods"), "{}", stdout(&table));

    let unreachable = [("AWS_ENDPOINT_URL_CLOUDWATCH", "http://127.0.0.1:1")];
    let failed = tokio::task::block_in_place(|| cutover(home.path(), &config, &["status", "--json"], &unreachable));
    assert_eq!(code(&failed), 1);
    let status = json(&failed);
    let error = status["distributions"][0]["metrics_error"].as_str().unwrap();
    assert!(error.contains("could not reach AWS"), "{error}");
    assert_eq!(target_in(&status, USERS), "lambda", "targets are still reported");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_yes_it_asks_on_the_terminal_and_only_yes_switches() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-ask").await;
    let (home, config) = home_for(&id, "");
    let env = binary_env(REGION);
    let args = ["--config", config.to_str().unwrap(), "switch", USERS, "--to", "origin"];

    let status = tokio::task::block_in_place(|| {
        let mut console = Console::spawn(&args, home.path(), &env);
        console.wait_for("Send this change to CloudFront? [y/N]", TIMEOUT);
        console.type_keys("n\r");
        console.wait_exit(Duration::from_secs(10))
    });
    assert_eq!(status.exit_code(), 1);
    assert_eq!(origin_in_moto(&id, USERS).await, "apigw");

    let status = tokio::task::block_in_place(|| {
        let mut console = Console::spawn(&args, home.path(), &env);
        console.wait_for("Send this change to CloudFront? [y/N]", TIMEOUT);
        console.type_keys("y\r");
        // moto reports `Deployed` in the update's own answer, so there is nothing to wait for.
        console.wait_for(&format!("{id}: {USERS} λ Lambda (apigw) → ◼ origin (legacy): "), TIMEOUT);
        console.wait_exit(Duration::from_secs(10))
    });
    assert_eq!(status.exit_code(), 0);
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_two_distributions_status_and_rollback_all_cover_both_and_switch_needs_to_know_which() {
    let cloudfront = clients(REGION).cloudfront;
    let first = create_half_migrated_distribution(&cloudfront, "headless-two-a").await;
    let second = create_half_migrated_distribution(&cloudfront, "headless-two-b").await;
    let (home, config) = home_for(&first, "");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[[distribution]]\nid = \"{second}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"
    ));
    std::fs::write(&config, text).unwrap();
    let run = |args: &[&str]| tokio::task::block_in_place(|| cutover(home.path(), &config, args, &[]));

    let status = run(&["status", "--json"]);
    assert_eq!(code(&status), 0);
    let report = json(&status);
    let ids: Vec<&str> =
        report["distributions"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);

    let ambiguous = run(&["switch", USERS, "--to", "origin", "--yes"]);
    assert_eq!(code(&ambiguous), 2);
    assert!(stderr(&ambiguous).contains("is in several distributions"), "{}", stderr(&ambiguous));
    let chosen = run(&["--distribution", &second, "switch", USERS, "--to", "origin", "--yes"]);
    assert_eq!(code(&chosen), 0);
    assert_eq!(
        (origin_in_moto(&first, USERS).await, origin_in_moto(&second, USERS).await),
        ("apigw".into(), "legacy".into())
    );

    let rolled = run(&["rollback-all", "--yes"]);
    assert_eq!(code(&rolled), 0);
    for id in [&first, &second] {
        assert_eq!(origin_in_moto(id, USERS).await, "legacy");
        assert_eq!(origin_in_moto(id, ORDERS).await, "legacy");
    }
    let log = run(&["log", "--json"]);
    let records: Vec<Value> = stdout(&log).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // One runtime follows both updates at once, so their records are in the order AWS answered.
    let mut rollbacks: Vec<(&str, usize)> = records
        .iter()
        .filter(|r| r["kind"] == "switch_accepted" && r["message"].as_str().is_some_and(|m| m.contains("rollback")))
        .map(|r| (r["distribution"].as_str().unwrap(), r["routes"].as_array().unwrap().len()))
        .collect();
    rollbacks.sort();
    let mut expected = [(first.as_str(), 2), (second.as_str(), 1)];
    expected.sort();
    assert_eq!(rollbacks, expected, "one update per distribution: {records:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_without_a_host_sends_to_the_name_cloudfront_gives_the_distribution() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "headless-probe").await;
    let edge = FakeEdge::start(Behind::RestApi);
    let routes = format!(
        "[[distribution.route]]\npath = \"{USERS}\"\n[distribution.route.probe]\npath = \"/api/users/health\"\n\
         base_url = \"{}\"\n",
        edge.base_url()
    );
    let (home, config) = home_for(&id, &routes);
    let args = ["probe", USERS, "--count", "1", "--json"];
    let probed = tokio::task::block_in_place(|| cutover(home.path(), &config, &args, &[]));
    assert_eq!(code(&probed), 0, "{}", stderr(&probed));
    let report = json(&probed);
    let host = report["request"]["host"].as_str().unwrap().to_string();
    assert!(host.ends_with(".cloudfront.net"), "no alias: the distribution's own name, not {host}");
    let requests = edge.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].contains(&format!("\r\nhost: {}\r\n", host.to_ascii_lowercase())), "{}", requests[0]);
    assert!(!requests[0].contains("authorization"), "the probe carries no credentials: {}", requests[0]);
    assert_eq!(report["summary"]["one_side"], "lambda");
}
