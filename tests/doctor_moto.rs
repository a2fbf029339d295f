//! `cutover doctor` as the real binary against moto (CloudFront, STS, API Gateway, Kinesis,
//! CloudWatch Logs) and LocalStack (CloudWatch): a healthy set-up is all ✓ and exits 0; a metric
//! source with no data, and a router's store whose data plane does not answer, each fail with
//! their line and exit 1; and checks whose endpoint accepts and never answers end, ✗ and ?, instead
//! of hanging.
//!
//! moto has no Lambda `GetAccountSettings` and no IAM `SimulatePrincipalPolicy`: the healthy run
//! leaves those two checks out with `--skip lambda-limits,permissions` (and the summary says so),
//! rather than pretending they passed; `doctor_mocks.rs` scripts `SimulatePrincipalPolicy`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use jiff::{SignedDuration, Timestamp};
use support::api_gateway::deployable_rest_api;
use support::binary::{code, run_cutover, stdout};
use support::emulators::{clients, create_half_migrated_distribution, localstack, moto, sdk_config};
use support::fake_cloudfront::{ACCOUNT, FakeCloudFront, Function};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";

/// Something unique to this run, for names moto and LocalStack keep for as long as they run.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// A home with a config for distribution `id` and `rest` after its head.
fn home_for(id: &str, rest: &str) -> (TempDir, PathBuf) {
    let home = TempDir::new("cutover-doctor");
    let config = home.path().join("cutover.toml");
    let text =
        format!("[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n{rest}");
    std::fs::write(&config, text).unwrap();
    (home, config)
}

/// `cutover doctor ARGS` with the emulators' environment and `env`.
fn doctor(home: &Path, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    let endpoints = [
        ("AWS_ENDPOINT_URL_API_GATEWAY", moto()),
        ("AWS_ENDPOINT_URL_KINESIS", moto()),
        ("AWS_ENDPOINT_URL_IAM", moto()),
    ];
    let mut extra: Vec<(&str, &str)> = endpoints.iter().map(|(k, v)| (*k, v.as_str())).collect();
    extra.extend_from_slice(env);
    run_cutover(REGION, home, config, &all, &extra)
}

/// Invocations of `function` two minutes ago, in LocalStack.
async fn invoked(function: &str) {
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk_config(&localstack(), REGION));
    let at = Timestamp::now() - SignedDuration::from_mins(2);
    let datum = MetricDatum::builder()
        .metric_name("Invocations")
        .dimensions(Dimension::builder().name("FunctionName").value(function).build())
        .timestamp(DateTime::from_secs(at.as_second()))
        .value(12.0)
        .build();
    cloudwatch.put_metric_data().namespace("AWS/Lambda").metric_data(datum).send().await.expect("PutMetricData");
}

/// A REST API stage `prod` in moto serving a deployment: its id.
async fn rest_stage() -> String {
    let client = aws_sdk_apigateway::Client::new(&sdk_config(&moto(), REGION));
    let api_id = deployable_rest_api(&client, &unique("doctor")).await;
    let deployment = client.create_deployment().rest_api_id(&api_id).description("lambda").send().await.unwrap();
    let stage = client.create_stage().rest_api_id(&api_id).stage_name("prod");
    stage.deployment_id(deployment.id().unwrap()).send().await.unwrap();
    api_id
}

/// A Kinesis stream and a log group in moto: the stream's ARN and the group's name.
async fn stream_and_group() -> (String, String) {
    let sdk = sdk_config(&moto(), REGION);
    let kinesis = aws_sdk_kinesis::Client::new(&sdk);
    let name = unique("cutover-edge");
    kinesis.create_stream().stream_name(&name).shard_count(1).send().await.unwrap();
    let described = kinesis.describe_stream_summary().stream_name(&name).send().await.unwrap();
    let arn = described.stream_description_summary().unwrap().stream_arn().to_string();
    let group = unique("/cutover/doctor");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&sdk);
    logs.create_log_group().log_group_name(&group).send().await.unwrap();
    (arn, group)
}

/// The check lines of a text report (those under a `distribution` heading that start with a mark).
fn check_lines(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|l| l.starts_with("  ") && !l.trim_start().starts_with("fix:"))
        .map(|l| l.trim().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_healthy_set_up_is_all_ready_and_exits_0() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "doctor-healthy").await;
    let function = unique("doctor-fn");
    invoked(&function).await;
    let api_id = rest_stage().await;
    let (stream_arn, group) = stream_and_group().await;
    let rest = format!(
        "[distribution.stage]\nrest_api_id = \"{api_id}\"\nstage = \"prod\"\n\
         [distribution.edge_logs]\nstream_arn = \"{stream_arn}\"\n\
         [[distribution.route]]\npath = \"/api/users/*\"\nlambda_function = \"{function}\"\n\
         [team]\nlog_group = \"{group}\"\n"
    );
    let (home, config) = home_for(&id, &rest);

    let started = std::time::Instant::now();
    let out =
        tokio::task::block_in_place(|| doctor(home.path(), &config, &["--skip", "lambda-limits,permissions"], &[]));
    // Printed, not asserted: the book's figure for a healthy run (a process start and 7 checks on the
    // emulators); speed is measured, never a test's pass mark.
    eprintln!("doctor on a healthy set-up took {} ms, process start included", started.elapsed().as_millis());
    let lines = check_lines(&out);
    assert_eq!(code(&out), 0, "{lines:#?}");
    assert!(lines.iter().all(|l| l.starts_with('✓')), "{lines:#?}");
    for expected in [
        "credentials",
        "GetDistributionConfig",
        "metrics /api/users/*",
        "stage prod of REST API",
        "edge-log stream",
        "team journal",
    ] {
        assert!(lines.iter().any(|l| l.contains(expected)), "no {expected} line in {lines:#?}");
    }
    assert!(stdout(&out).contains("skipped: lambda-limits, permissions"), "{}", stdout(&out));

    let json = tokio::task::block_in_place(|| {
        doctor(home.path(), &config, &["--json", "--skip", "lambda-limits,permissions"], &[])
    });
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(code(&json), 0);
    assert_eq!(report["summary"]["missing"], 0);
    assert!(
        report["checks"].as_array().unwrap().iter().all(|c| c["status"] == "ready" && c["distribution"] == id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_metric_source_with_no_data_fails_with_its_line() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "doctor-empty").await;
    let (fed, empty) = (unique("doctor-fed"), unique("doctor-empty"));
    invoked(&fed).await;
    let rest = format!(
        "[[distribution.route]]\npath = \"/api/users/*\"\nlambda_function = \"{fed}\"\n\
         [[distribution.route]]\npath = \"/api/orders/*\"\nlambda_function = \"{empty}\"\n"
    );
    let (home, config) = home_for(&id, &rest);

    let out =
        tokio::task::block_in_place(|| doctor(home.path(), &config, &["--skip", "lambda-limits,permissions"], &[]));
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains(&format!(
            "✗ metrics /api/orders/* Lambda function {empty} (AWS/Lambda Invocations): no data in the last hour"
        )),
        "{text}"
    );
    assert!(text.contains("fix: check the names in lambda_function of route /api/orders/*"), "{text}");
    assert!(text.contains(&format!("✓ metrics /api/users/* Lambda function {fed}")), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_routers_store_that_does_not_answer_fails_with_its_line() {
    let fake = FakeCloudFront::start(Some(moto())).await;
    let control = aws_sdk_cloudfront::Client::new(&sdk_config(&fake.control_endpoint(), REGION));
    let id = create_half_migrated_distribution(&control, "doctor-store").await;
    let store_arn = format!("arn:aws:cloudfront::{ACCOUNT}:key-value-store/{}", unique("kvs"));
    fake.add_store(&format!("cutover-{id}"), &store_arn, &[]);
    let name = format!("cutover-router-{id}");
    let function = Function {
        name: name.clone(),
        comment: String::new(),
        development: "function handler(event) { return event.request; }".into(),
        live: Some("function handler(event) { return event.request; }".into()),
        store_arns: vec![store_arn.clone()],
        serial: 1,
    };
    fake.world.lock().unwrap().functions.insert(name, function);
    // A port nobody listens on: bound, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let data_plane = format!("http://localhost:{closed}");
    let (home, config) = home_for(&id, "");
    let env = [
        ("AWS_ENDPOINT_URL_CLOUDFRONT", fake.control_endpoint()),
        ("AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE", data_plane),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let out =
        tokio::task::block_in_place(|| doctor(home.path(), &config, &["--skip", "lambda-limits,permissions"], &env));
    let text = stdout(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(text.contains(&format!("✓ router's store cutover-{id} (DescribeKeyValueStore): READY")), "{text}");
    assert!(text.contains("✓ router's function cutover-router-"), "{text}");
    let records = text.lines().find(|l| l.contains("router's records")).unwrap_or_else(|| panic!("{text}"));
    assert!(records.trim_start().starts_with("✗"), "{records}");
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_whose_endpoint_never_answers_end_missing_or_unverifiable() {
    // Accepts every connection and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hung = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let function = unique("doctor-hung");
    let (home, config) = home_for(
        "EHUNG1234567",
        &format!("[[distribution.route]]\npath = \"/api/users/*\"\nlambda_function = \"{function}\"\n"),
    );
    let env: Vec<(&str, &str)> = [
        "AWS_ENDPOINT_URL_CLOUDFRONT",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_CLOUDWATCH",
        "AWS_ENDPOINT_URL_LAMBDA",
        "AWS_ENDPOINT_URL_IAM",
    ]
    .iter()
    .map(|k| (*k, hung.as_str()))
    .collect();

    let out = tokio::task::block_in_place(|| doctor(home.path(), &config, &[], &env));
    let lines = check_lines(&out);
    assert_eq!(code(&out), 1, "{lines:#?}");
    assert!(lines.iter().all(|l| l.starts_with('✗') || l.starts_with('?')), "{lines:#?}");
    assert!(lines.iter().any(|l| l.contains("no answer within 4 s")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with('?') && l.contains("not verifiable without a write")), "{lines:#?}");
}
