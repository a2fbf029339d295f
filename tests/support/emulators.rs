//! The local AWS emulators that `scripts/with-emulators` starts on 127.0.0.1, and SDK clients and
//! environments pointed at them with dummy credentials.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudfront::config::Credentials;
use cutover::backend::aws::AwsClients;

fn endpoint(var: &str) -> String {
    let url = std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run the tests with scripts/test (or scripts/with-emulators cargo test)")
    });
    assert!(url.starts_with("http://127.0.0.1:"), "{var} must point at 127.0.0.1, not {url}");
    url
}

/// moto server: CloudFront and STS.
pub fn moto() -> String {
    endpoint("CUTOVER_MOTO_ENDPOINT")
}

/// LocalStack: CloudWatch (CBOR) and STS.
pub fn localstack() -> String {
    endpoint("CUTOVER_LOCALSTACK_ENDPOINT")
}

/// An SDK config with dummy credentials whose every call goes to `endpoint`.
pub fn sdk_config(endpoint: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(aws_sdk_cloudfront::config::SharedCredentialsProvider::new(Credentials::for_tests()))
        .endpoint_url(endpoint)
        .build()
}

/// Clients for cutover whose CloudFront and STS go to moto and whose CloudWatch goes to LocalStack.
pub fn clients(region: &str) -> AwsClients {
    let moto = sdk_config(&moto(), region);
    let mut clients = AwsClients::from_sdk_config(&moto, None);
    let localstack = sdk_config(&localstack(), region);
    let global = aws_sdk_cloudwatch::config::Builder::from(&localstack).region(Region::new("us-east-1")).build();
    clients.cloudwatch = aws_sdk_cloudwatch::Client::new(&localstack);
    clients.cloudwatch_global = aws_sdk_cloudwatch::Client::from_conf(global);
    clients
}

/// Environment variables that point the real binary at the emulators, as a user would.
pub fn binary_env(region: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", region.into()),
        ("AWS_ENDPOINT_URL_CLOUDFRONT", moto()),
        ("AWS_ENDPOINT_URL_STS", moto()),
        ("AWS_ENDPOINT_URL_CLOUDWATCH", localstack()),
        // moto has no Lambda GetAccountSettings; LocalStack runs without Lambda: the limit is assumed.
        ("AWS_ENDPOINT_URL_LAMBDA", moto()),
        // The team's services (issue 23): CloudTrail is asked whenever a route changed outside
        // cutover, so every test binary must find it here and never at AWS.
        ("AWS_ENDPOINT_URL_CLOUDTRAIL", moto()),
        ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", moto()),
        ("AWS_ENDPOINT_URL_SNS", moto()),
        // `cutover init` asks API Gateway (REST and HTTP) about execute-api origins.
        ("AWS_ENDPOINT_URL_API_GATEWAY", moto()),
        ("AWS_ENDPOINT_URL_APIGATEWAYV2", moto()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
}

/// Clients whose every call fails fast to connect (a closed port on 127.0.0.1), for tests that
/// script the calls they care about and let the rest fail.
pub fn unreachable_clients() -> AwsClients {
    AwsClients::from_sdk_config(&sdk_config("http://127.0.0.1:1", "eu-west-1"), None)
}

/// A plain distribution config: an API Gateway origin `apigw` (Lambda), an ELB origin `legacy`, a
/// behavior per `(path, origin id)` and the default behavior on `legacy`.
pub fn distribution_config(reference: &str, routes: &[(&str, &str)]) -> aws_sdk_cloudfront::types::DistributionConfig {
    use aws_sdk_cloudfront::types::{
        CacheBehavior, CacheBehaviors, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, Origin,
        OriginProtocolPolicy, Origins, ViewerProtocolPolicy,
    };
    let origin = |id: &str, domain: &str| {
        let custom = CustomOriginConfig::builder()
            .http_port(80)
            .https_port(443)
            .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
            .build()
            .unwrap();
        Origin::builder().id(id).domain_name(domain).custom_origin_config(custom).build().unwrap()
    };
    let behaviors: Vec<CacheBehavior> = routes
        .iter()
        .map(|(path, origin)| {
            CacheBehavior::builder()
                .path_pattern(*path)
                .target_origin_id(*origin)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap()
        })
        .collect();
    DistributionConfig::builder()
        .caller_reference(reference)
        .comment("half-migrated API")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(2)
                .items(origin("apigw", "abc123.execute-api.eu-west-1.amazonaws.com"))
                .items(origin("legacy", "legacy-api-1234.eu-west-1.elb.amazonaws.com"))
                .build()
                .unwrap(),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("legacy")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        )
        .cache_behaviors(
            CacheBehaviors::builder().quantity(behaviors.len() as i32).set_items(Some(behaviors)).build().unwrap(),
        )
        .build()
        .unwrap()
}

/// Create, in moto, a distribution half-way through a migration: `/api/users/*` and `/api/orders/*`
/// on API Gateway (Lambda), `/api/search/*` and the default behavior on the ELB origin. Returns its id.
/// The caller reference is made unique, since moto keeps distributions for as long as it runs.
pub async fn create_half_migrated_distribution(cloudfront: &aws_sdk_cloudfront::Client, reference: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let reference = format!("{reference}-{}-{nanos}", std::process::id());
    let routes = [("/api/users/*", "apigw"), ("/api/orders/*", "apigw"), ("/api/search/*", "legacy")];
    let config = distribution_config(&reference, &routes);
    let out =
        cloudfront.create_distribution().distribution_config(config).send().await.expect("create distribution in moto");
    out.distribution.expect("a distribution").id
}

/// Run the ignored test `child` of this test binary in a process of its own whose only AWS
/// endpoint is `endpoint_var` (set to moto), with the emulators' keys and `env`: how a test checks
/// that a client takes its endpoint from the environment as aws-config loads it, without changing
/// this process's environment. Whether the child passed.
#[allow(dead_code)]
pub fn child_with_endpoint(child: &str, endpoint_var: &str, env: &[(&str, &str)]) -> bool {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--ignored", "--nocapture"])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env(endpoint_var, moto())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .status()
        .unwrap()
        .success()
}
