//! Lambda sides in other accounts, over the wire: an account's role assumed through moto's STS
//! (`AssumeRole` with a session name and an external id, then calls signed with what it gave), and
//! two accounts' metrics from LocalStack, which takes a 12-digit access key id as the account id, and
//! `status --json` of the real binary with a role assumed through moto.
//!
//! Run with `scripts/test`, or with CUTOVER_LOCALSTACK_ENDPOINT and CUTOVER_MOTO_ENDPOINT set.

mod support;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cutover::backend::aws::clients::session_name;
use cutover::backend::aws::{AccountClients, AccountSpec, AwsClients, CloudWatchMetrics};
use cutover::clock::Clock;
use jiff::{SignedDuration, Timestamp};
use support::emulators::{localstack, moto, sdk_config};

const REGION: &str = "eu-west-1";

#[tokio::test]
async fn an_accounts_role_is_assumed_through_sts_and_its_credentials_are_used() {
    let base = sdk_config(&moto(), REGION);
    let spec = AccountSpec {
        name: "payments".into(),
        role_arn: Some("arn:aws:iam::210987654321:role/cutover-read".into()),
        external_id: Some("ext-42".into()),
        region: Some("eu-central-1".into()),
        ..AccountSpec::default()
    };
    let account = AccountClients::connect(&base, &spec, &session_name(Some("ana"))).await;
    assert_eq!((account.name.as_str(), account.region.as_str()), ("payments", "eu-central-1"));
    assert_eq!(account.account_id().await.unwrap(), "210987654321", "from the role ARN, without a call");
    // The call is signed with the assumed role's credentials: moto says whose they are.
    let me = account.sts.get_caller_identity().send().await.expect("GetCallerIdentity with the role's credentials");
    assert_eq!(me.account(), Some("210987654321"));
    let arn = me.arn().unwrap_or_default();
    assert!(arn.contains("assumed-role/cutover-read/cutover-ana"), "{arn}");
}

#[tokio::test]
async fn an_account_without_a_role_is_read_with_the_distributions_credentials() {
    let base = sdk_config(&moto(), REGION);
    let spec = AccountSpec { name: "same".into(), ..AccountSpec::default() };
    let account = AccountClients::connect(&base, &spec, "cutover-test").await;
    assert_eq!(account.region, REGION);
    let id = account.account_id().await.expect("GetCallerIdentity");
    assert_eq!(id.len(), 12, "{id}");
}

/// An SDK config for LocalStack whose access key id is `account`: LocalStack's account id.
fn localstack_as(account: &str, endpoint: &str) -> aws_config::SdkConfig {
    use aws_sdk_cloudwatch::config::{Credentials, SharedCredentialsProvider};
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(account, "test", None, None, "test")))
        .endpoint_url(endpoint)
        .build()
}

/// Two fresh 12-digit account ids, unused by other tests and earlier runs.
fn two_accounts() -> (String, String) {
    let n = Timestamp::now().as_nanosecond().unsigned_abs() % 900_000_000_000 + 100_000_000_000;
    (format!("{n:012}"), format!("{:012}", n + 1))
}

fn minute_ago(minutes_ago: i64) -> Timestamp {
    let now = Timestamp::now().as_second();
    Timestamp::from_second(now - now.rem_euclid(60)).unwrap() - SignedDuration::from_mins(minutes_ago)
}

async fn put(client: &aws_sdk_cloudwatch::Client, metric: &str, dims: &[(&str, &str)], at: Timestamp, value: f64) {
    let dimensions = dims.iter().map(|(n, v)| Dimension::builder().name(*n).value(*v).build());
    let datum = MetricDatum::builder()
        .metric_name(metric)
        .set_dimensions(Some(dimensions.collect()))
        .timestamp(DateTime::from_secs(at.as_second()))
        .value(value)
        .build();
    client.put_metric_data().namespace("AWS/Lambda").metric_data(datum).send().await.expect("PutMetricData");
}

/// A distribution whose `/home/*` lives in the distribution's account and `/pay/*` in `payments`
/// (by its Lambda origin); both routes' functions have the same name, in their own accounts.
fn two_account_config(dist: &str, payments_account: &str, function: &str) -> cutover::config::Config {
    let text = format!(
        "latency_statistic = \"Average\"\nconcurrency_limit = 777\n\n[[distribution]]\nid = \"{dist}\"\n\
         lambda_origins = [\"lambda\", \"pay-api\"]\nlegacy_origins = [\"legacy\"]\n\n\
         [distribution.lambda_accounts.payments]\nrole_arn = \"arn:aws:iam::{payments_account}:role/cutover-read\"\n\
         concurrency_limit = 3000\nlambda_origins = [\"pay-api\"]\n\n\
         [[distribution.route]]\npath = \"/home/*\"\nlambda_function = \"{function}\"\n\n\
         [[distribution.route]]\npath = \"/pay/*\"\nlambda_origin = \"pay-api\"\nlambda_function = \"{function}\"\n"
    );
    cutover::config::parse(&text, "accounts.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

#[tokio::test]
async fn each_route_gets_its_own_accounts_numbers_and_each_gauge_its_own_concurrency() {
    let (home_id, pay_id) = two_accounts();
    let (home_sdk, pay_sdk) = (localstack_as(&home_id, &localstack()), localstack_as(&pay_id, &localstack()));
    let (home_cw, pay_cw) = (aws_sdk_cloudwatch::Client::new(&home_sdk), aws_sdk_cloudwatch::Client::new(&pay_sdk));
    let function = format!("api-{home_id}");
    let dist = format!("EACCT{home_id}");
    let m3 = minute_ago(3);
    let f = [("FunctionName", function.as_str())];
    put(&home_cw, "Invocations", &f, m3, 10.0).await;
    put(&home_cw, "Duration", &f, m3, 50.0).await;
    put(&home_cw, "ConcurrentExecutions", &[], m3, 42.0).await;
    put(&pay_cw, "Invocations", &f, m3, 77.0).await;
    put(&pay_cw, "Duration", &f, m3, 300.0).await;
    put(&pay_cw, "ConcurrentExecutions", &[], m3, 120.0).await;

    let config = two_account_config(&dist, &pay_id, &function);
    let clients = AwsClients::from_sdk_config(&home_sdk, None);
    let payments = AccountClients::from_sdk_config("payments", &pay_sdk, Some(pay_id.clone()));
    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real()).with_accounts(vec![payments], 3000);
    let paths: Vec<String> = ["/home/*", "/pay/*"].iter().map(|p| p.to_string()).collect();
    let (s, stats) = metrics.fetch_with_stats(&paths).await.expect("a refresh");

    // One series of calls per account: the home's (its route and concurrency) and the payments'.
    assert_eq!(stats.regional_batches, vec![5]);
    assert_eq!(stats.account_batches, vec![vec![5]]);
    let i = usize::try_from(m3.duration_since(s.window_start).as_mins()).unwrap();
    assert_eq!(s.series("/home/*")[i].lambda.requests.get(), Some(10.0));
    assert_eq!(s.series("/home/*")[i].lambda.latency_ms.get(), Some(50.0));
    assert_eq!(s.series("/pay/*")[i].lambda.requests.get(), Some(77.0));
    assert_eq!(s.series("/pay/*")[i].lambda.latency_ms.get(), Some(300.0));
    assert_eq!(s.accounts.len(), 2);
    let (home, pay) = (&s.accounts[0], &s.accounts[1]);
    assert_eq!(
        (home.label.as_str(), home.account_id.as_deref(), home.latest()),
        ("default", Some(home_id.as_str()), Some(42.0))
    );
    assert_eq!(
        (pay.label.as_str(), pay.account_id.as_deref(), pay.latest()),
        ("payments", Some(pay_id.as_str()), Some(120.0))
    );
    assert!(home.error.is_none() && pay.error.is_none(), "{home:?} {pay:?}");
    // LocalStack runs without Lambda: both limits are the configured ones, marked assumed.
    assert!(home.limit_assumed && pay.limit_assumed);
    assert_eq!((home.limit, pay.limit), (777, 3000), "each its own configured limit");
    assert_eq!(s.concurrency_of("/pay/*"), (Some(120.0), 3000));
    assert_eq!(s.concurrency_of("/home/*").0, Some(42.0));
    // The one-account fields still describe the distribution's own account.
    assert_eq!(s.latest_concurrency(), Some(42.0));
}

#[tokio::test]
async fn an_account_that_cannot_be_read_is_marked_while_the_other_refreshes() {
    let (home_id, pay_id) = two_accounts();
    let home_sdk = localstack_as(&home_id, &localstack());
    let home_cw = aws_sdk_cloudwatch::Client::new(&home_sdk);
    let function = format!("api-{home_id}");
    let dist = format!("EFAIL{home_id}");
    let m3 = minute_ago(3);
    put(&home_cw, "Invocations", &[("FunctionName", function.as_str())], m3, 10.0).await;
    put(&home_cw, "ConcurrentExecutions", &[], m3, 42.0).await;

    let config = two_account_config(&dist, &pay_id, &function);
    let clients = AwsClients::from_sdk_config(&home_sdk, None);
    // Nothing listens on port 1: every call of the payments account fails to connect.
    let payments = AccountClients::from_sdk_config("payments", &localstack_as(&pay_id, "http://127.0.0.1:1"), None);
    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real()).with_accounts(vec![payments], 3000);
    let paths: Vec<String> = ["/home/*", "/pay/*"].iter().map(|p| p.to_string()).collect();
    let s = metrics.fetch(&paths).await.expect("one account failing does not fail the refresh");

    let i = usize::try_from(m3.duration_since(s.window_start).as_mins()).unwrap();
    assert_eq!(s.series("/home/*")[i].lambda.requests.get(), Some(10.0));
    assert!(s.series("/pay/*").iter().all(|p| !p.has_data()));
    let (home, pay) = (&s.accounts[0], &s.accounts[1]);
    assert!(home.error.is_none() && home.as_of.is_some(), "{home:?}");
    assert_eq!(home.latest(), Some(42.0));
    assert!(pay.error.is_some() && pay.as_of.is_none(), "{pay:?}");
    assert_eq!((pay.latest(), pay.account_id.as_deref()), (None, None));
    assert_eq!(s.account_of("/pay/*").map(|a| a.label.as_str()), Some("payments"));
}

/// The real binary, as a runbook runs it: a route's Lambda side in an account reached by assuming a
/// role through moto's STS, read from LocalStack; `status --json` lists both accounts and says which
/// one the route is in.
#[tokio::test(flavor = "multi_thread")]
async fn status_json_lists_the_accounts_read_with_an_assumed_role() {
    use support::binary::{code, run_cutover, stderr, stdout};
    use support::emulators::{clients, create_half_migrated_distribution};
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "accounts-status").await;
    let home = support::pty::TempDir::new("cutover-accounts");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "latency_statistic = \"Average\"\n\n[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\n\
         legacy_origins = [\"legacy\"]\n\n[distribution.lambda_accounts.payments]\n\
         role_arn = \"arn:aws:iam::210987654321:role/cutover-read\"\nexternal_id = \"ext-42\"\n\n\
         [[distribution.route]]\npath = \"/api/orders/*\"\naccount = \"payments\"\nlambda_function = \"orders\"\n"
    );
    std::fs::write(&config, text).unwrap();
    let out = tokio::task::block_in_place(|| run_cutover(REGION, home.path(), &config, &["status", "--json"], &[]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let status: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let distribution = &status["distributions"][0];
    let accounts = distribution["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    assert_eq!((accounts[0]["name"].as_str(), accounts[1]["name"].as_str()), (Some("default"), Some("payments")));
    assert_eq!(accounts[1]["account_id"], "210987654321");
    assert_eq!(accounts[1]["error"], serde_json::Value::Null, "{accounts:?}");
    assert!(accounts[1]["as_of"].is_string(), "{accounts:?}");
    let route =
        |path: &str| distribution["routes"].as_array().unwrap().iter().find(|r| r["path"] == path).cloned().unwrap();
    assert_eq!(route("/api/orders/*")["lambda_account"], "payments");
    assert_eq!(route("/api/users/*")["lambda_account"], "default");
}

/// A config for `id` whose `/api/orders/*` lives in account `payments`, read with profile `payments`.
fn profile_account_config(home: &std::path::Path, id: &str) -> std::path::PathBuf {
    let config = home.join("cutover.toml");
    let text = format!(
        "latency_statistic = \"Average\"\n\n[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\n\
         legacy_origins = [\"legacy\"]\n\n[distribution.lambda_accounts.payments]\nprofile = \"payments\"\n\n\
         [[distribution.route]]\npath = \"/api/orders/*\"\naccount = \"payments\"\nlambda_function = \"orders\"\n"
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// `status --json`, run in `home` with `extra_env`, parsed; with its exit code.
fn status_json(
    home: &std::path::Path,
    config: &std::path::Path,
    extra_env: &[(&str, &str)],
) -> (i32, serde_json::Value) {
    use support::binary::{code, run_cutover, stdout};
    let out = tokio::task::block_in_place(|| run_cutover(REGION, home, config, &["status", "--json"], extra_env));
    let status = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    (code(&out), status)
}

/// An account's `profile` is the only source of its credentials: keys in the environment (the
/// distribution's) never stand in for it. STS is LocalStack here, which answers with the account a
/// 12-digit access key id names: the profile's keys say `210987654321`, the environment's `test`
/// would say LocalStack's default account.
#[tokio::test(flavor = "multi_thread")]
async fn an_accounts_profile_is_read_with_its_own_credentials_never_the_environments() {
    use support::emulators::{clients, create_half_migrated_distribution};
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "accounts-profile").await;
    let home = support::pty::TempDir::new("cutover-accounts-profile");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[payments]\naws_access_key_id = 210987654321\naws_secret_access_key = test\n",
    )
    .unwrap();
    let config = profile_account_config(home.path(), &id);
    let (code, status) = status_json(home.path(), &config, &[("AWS_ENDPOINT_URL_STS", &localstack())]);
    let accounts = status["distributions"][0]["accounts"].as_array().expect("accounts").clone();
    assert_eq!(code, 0, "{accounts:?}");
    assert_eq!(accounts[1]["name"], "payments");
    assert_eq!(accounts[1]["account_id"], "210987654321", "the profile's own account: {accounts:?}");
    assert_ne!(accounts[0]["account_id"], accounts[1]["account_id"], "{accounts:?}");
    assert_eq!(accounts[1]["error"], serde_json::Value::Null, "{accounts:?}");
    assert_eq!(status["healthy"], true);
}

/// An account that cannot be read (its profile's credential process fails) makes `status`
/// unhealthy, exit 1, and its `error` names the cause: the credentials, not the network.
#[tokio::test(flavor = "multi_thread")]
async fn an_account_that_cannot_be_read_makes_status_unhealthy_exit_1_naming_the_cause() {
    use support::emulators::{clients, create_half_migrated_distribution};
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "accounts-unread").await;
    let home = support::pty::TempDir::new("cutover-accounts-unread");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(aws.join("config"), "[profile payments]\ncredential_process = /bin/false\n").unwrap();
    let config = profile_account_config(home.path(), &id);
    let (code, status) = status_json(home.path(), &config, &[]);
    let accounts = status["distributions"][0]["accounts"].as_array().expect("accounts").clone();
    assert_eq!(code, 1, "{status}");
    assert_eq!(status["healthy"], false, "{status}");
    assert_eq!(accounts[0]["error"], serde_json::Value::Null, "the distribution's own account is read: {accounts:?}");
    let error = accounts[1]["error"].as_str().unwrap_or_else(|| panic!("payments has an error: {accounts:?}"));
    assert!(error.contains("the AWS credentials could not be loaded"), "{error}");
    assert!(error.contains("aws sso login") && error.contains("--profile"), "{error}");
    assert!(!error.contains("network"), "{error}");
}
