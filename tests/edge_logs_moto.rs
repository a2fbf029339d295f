//! `cutover edge-logs` as the real binary, end to end: Kinesis and IAM in moto, CloudFront's
//! distributions in moto behind the local fake of `tests/support/fake_cloudfront.rs`, which answers
//! the real-time log configuration calls moto lacks and keeps each behavior's
//! `RealtimeLogConfigArn` (moto takes it and never answers it). `plan` changes nothing; `install
//! --yes` makes the stream (on-demand), the role, the configuration and sets it on the chosen
//! behaviors of a messy distribution — read back here from moto and the fake, the whole config
//! otherwise unchanged — and `remove --yes` undoes exactly that.

mod support;

use std::path::PathBuf;

use aws_sdk_cloudfront::types::DistributionConfig;
use serde_json::Value;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::{moto, sdk_config};
use support::fake_cloudfront::FakeCloudFront;
use support::messy::{self, ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST, APIGW, ELB, ELB_2, S3, behavior};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";

/// The distribution's config through the fake (with the `RealtimeLogConfigArn`s it keeps).
async fn config_of(cloudfront: &aws_sdk_cloudfront::Client, id: &str) -> DistributionConfig {
    cloudfront.get_distribution_config().id(id).send().await.unwrap().distribution_config.unwrap()
}

fn with_log_config(mut config: DistributionConfig, paths: &[&str], arn: &str) -> DistributionConfig {
    for item in config.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap() {
        if paths.contains(&item.path_pattern.as_str()) {
            item.realtime_log_config_arn = Some(arn.to_string());
        }
    }
    if paths.contains(&"*") {
        config.default_cache_behavior.as_mut().unwrap().realtime_log_config_arn = Some(arn.to_string());
    }
    config
}

fn home_for(id: &str, stream_arn: &str) -> (TempDir, PathBuf) {
    let home = TempDir::new("cutover-edge-logs");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"{APIGW}\"]\nlegacy_origins = [\"{ELB}\", \"{ELB_2}\"]\n[distribution.edge_logs]\nstream_arn = \"{stream_arn}\"\nsampling_percent = 50\n"
    );
    std::fs::write(&config, text).unwrap();
    (home, config)
}

// Long: one scenario, step by step, each checked against what moto and the fake now hold.
#[tokio::test(flavor = "multi_thread")]
async fn install_then_remove_end_to_end_with_read_back() {
    let fake = FakeCloudFront::start(Some(moto())).await;
    let through_fake = aws_sdk_cloudfront::Client::new(&sdk_config(&fake.control_endpoint(), REGION));
    let behaviors = vec![
        behavior("/static/*", S3, None),
        behavior("/admin/*", ELB_2, Some(ALL_VIEWER)),
        behavior("/api/*", APIGW, Some(ALL_VIEWER_EXCEPT_HOST)),
        behavior("/orders/*", ELB, Some(ALL_VIEWER)),
    ];
    let id = messy::create(&through_fake, "edge-logs", "static, two monoliths and Lambda", messy::origins(), behaviors)
        .await;
    let name = format!("cutover-edge-{id}");
    let stream_arn = format!("arn:aws:kinesis:{REGION}:123456789012:stream/{name}");
    let before = config_of(&through_fake, &id).await;
    let (home, config) = home_for(&id, &stream_arn);
    let mut env = fake.env();
    env.push(("AWS_ENDPOINT_URL_KINESIS", moto()));
    env.push(("AWS_ENDPOINT_URL_IAM", moto()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = |args: &[&str]| tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, args, &env));
    let kinesis = aws_sdk_kinesis::Client::new(&sdk_config(&moto(), REGION));
    let iam = aws_sdk_iam::Client::new(&sdk_config(&moto(), REGION));

    // The plan: every piece, the switchable behaviors (never the S3 one), nothing changed.
    let plan = run(&["edge-logs", "plan", "--distribution", &id, "--json"]);
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    let steps: Vec<&str> =
        plan["plan"]["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["create_stream", "create_role", "put_role_policy", "create_realtime_log_config", "attach"]);
    let chosen = ["/admin/*", "/api/*", "/orders/*", "*"];
    assert_eq!(plan["plan"]["steps"][4]["behaviors"], serde_json::json!(chosen));
    assert_eq!(plan["complete"], false);
    let status = run(&["edge-logs", "status", "--distribution", &id]);
    assert_eq!(code(&status), 3, "not installed: {}", stdout(&status));

    // Install.
    let install = run(&["edge-logs", "install", "--distribution", &id, "--yes"]);
    assert_eq!(code(&install), 0, "{}\n{}", stdout(&install), stderr(&install));
    let said = stdout(&install);
    assert!(said.contains(&format!("created Kinesis data stream {name} (on-demand)")), "{said}");
    assert!(said.contains("read back: AWS shows the install as planned"), "{said}");

    // Read back from moto and the fake, not from cutover.
    let summary = kinesis.describe_stream_summary().stream_name(&name).send().await.unwrap();
    let summary = summary.stream_description_summary.unwrap();
    assert_eq!(summary.stream_mode_details.unwrap().stream_mode.as_str(), "ON_DEMAND");
    let role = iam.get_role().role_name(&name).send().await.unwrap().role.unwrap();
    let trust = role.assume_role_policy_document.unwrap_or_default();
    assert!(decode(&trust).contains("cloudfront.amazonaws.com"), "{trust}");
    let policy = iam.get_role_policy().role_name(&name).policy_name("cutover-edge-write-stream").send().await.unwrap();
    let document = decode(&policy.policy_document);
    assert!(document.contains("kinesis:PutRecords") && document.contains(&stream_arn), "{document}");
    let made = fake.world.lock().unwrap().realtime_configs.get(&name).cloned().expect("the configuration exists");
    assert_eq!((made.sampling_rate, made.fields.len(), made.stream_arn.as_str()), (50, 6, stream_arn.as_str()));
    assert_eq!(made.role_arn, role.arn);
    let after = config_of(&through_fake, &id).await;
    assert_eq!(after, with_log_config(before.clone(), &chosen, &made.arn), "only RealtimeLogConfigArn, only there");

    let trail = std::fs::read_to_string(home.path().join("state/cutover/audit.jsonl")).unwrap();
    let records: Vec<Value> = trail.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 5, "{trail}");
    assert!(records.iter().all(|r| r["kind"] == "edge_logs_step" && r["outcome"] == "accepted"), "{trail}");

    let status = run(&["edge-logs", "status", "--distribution", &id]);
    assert_eq!(code(&status), 0, "{}", stdout(&status));
    assert!(stdout(&status).contains(&format!("real-time log configuration {name} (cutover's): 50 % of requests")));
    assert!(stdout(&status).contains("open shard(s)"), "{}", stdout(&status));
    // Read as the console reads it: nothing has logged to the new stream yet.
    assert!(stdout(&status).contains("newest line on the stream: none in the last 5 minutes"), "{}", stdout(&status));
    let again = run(&["edge-logs", "install", "--distribution", &id, "--yes"]);
    assert_eq!(code(&again), 0);
    assert!(stdout(&again).contains("nothing to do"), "{}", stdout(&again));

    // Remove: exactly what install made.
    let remove = run(&["edge-logs", "remove", "--distribution", &id, "--yes"]);
    assert_eq!(code(&remove), 0, "{}\n{}", stdout(&remove), stderr(&remove));
    assert!(stdout(&remove).contains("read back: AWS shows the remove as planned"), "{}", stdout(&remove));
    assert_eq!(config_of(&through_fake, &id).await, before, "the distribution is as it was");
    assert!(fake.world.lock().unwrap().realtime_configs.is_empty());
    assert!(iam.get_role().role_name(&name).send().await.is_err(), "the role is gone");
    let stream = kinesis.describe_stream_summary().stream_name(&name).send().await;
    if let Ok(out) = stream {
        assert_eq!(out.stream_description_summary.unwrap().stream_status.as_str(), "DELETING");
    }
}

/// IAM's documents come URL-encoded.
fn decode(text: &str) -> String {
    support::fake_cloudfront::decode(text)
}
