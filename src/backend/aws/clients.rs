//! The SDK clients cutover uses, built once from the standard AWS credential and region chain, and
//! those of the other accounts the Lambda side of some routes lives in (a profile, an assumed role).

use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sdk_sts::config::SharedCredentialsProvider;

/// CloudFront is global; its control plane and its metrics live in this region.
pub const GLOBAL_REGION: &str = "us-east-1";

/// How long a connection may take to open before the call counts as a network failure.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one attempt of a call may take before it is given up (the SDK then retries).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a call may take in all, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(40);

/// `--profile` and `--region` (and the config file's `region` for metrics) over the standard chain.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// No region in `--region`, the config file, the environment or the profile.
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error(
    "no AWS region is set; pass --region, set AWS_REGION, or add region = \"...\" to the config (the region of the Lambda functions)"
)]
pub struct NoRegion;

/// A profile cutover was told to use (`--profile`, or an account's `profile`) that the AWS profile
/// files do not define. Refused at start; should it vanish later, an account's reads fail with it,
/// never with other credentials (the environment's would read another account and say nothing).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("profile {profile} not found in {files}: {fix}")]
pub struct MissingProfile {
    pub profile: String,
    /// The files looked in, as the operator knows them (`~/.aws/config or ~/.aws/credentials`).
    pub files: String,
    /// What to do, for the place that names the profile.
    pub fix: String,
}

impl MissingProfile {
    /// `profile`, not found, named by `named_in` (`--profile`, `[distribution.lambda_accounts.x] in
    /// cutover.toml`).
    pub fn new(profile: &str, named_in: &str) -> Self {
        MissingProfile {
            profile: profile.to_string(),
            files: profile_files(),
            fix: format!(
                "create it (aws configure --profile {profile}, or aws configure sso --profile {profile}) or correct \
                 the name in {named_in} (aws configure list-profiles lists those there are)"
            ),
        }
    }
}

/// The two profile files the SDK reads, as the operator would look for them.
fn profile_files() -> String {
    let file = |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.to_string());
    format!(
        "{} or {}",
        file("AWS_CONFIG_FILE", "~/.aws/config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    )
}

/// Whether the AWS profile files (`~/.aws/config`, `~/.aws/credentials`, or the files
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name) define `profile`, read as the SDK reads
/// them. Files that cannot be read or parsed are an error in words. Nothing is called.
pub async fn profile_defined(profile: &str) -> Result<bool, String> {
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let (fs, env) = (aws_types::os_shim_internal::Fs::real(), aws_types::os_shim_internal::Env::real());
    match aws_config::profile::load(&fs, &env, &files, None).await {
        Ok(set) => Ok(set.get_profile(profile).is_some()),
        Err(error) => Err(format!("the AWS profile files ({}) could not be read: {error}", profile_files())),
    }
}

/// `profile` checked before anything is called: `Err` with what to do when the files do not define
/// it (or cannot be read), for `named_in`.
pub async fn check_profile(profile: &str, named_in: &str) -> Result<(), MissingProfile> {
    match profile_defined(profile).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(MissingProfile::new(profile, named_in)),
        Err(unreadable) => Err(MissingProfile {
            profile: profile.to_string(),
            files: profile_files(),
            fix: format!("{unreadable}; fix the files, then try again"),
        }),
    }
}

/// Credentials from `profile` alone: its keys, its SSO session, its role or its process, never
/// the environment's or an instance role's (the standard chain tries the environment first, even
/// for a named profile). `region` is where a role in the profile is assumed.
fn profile_credentials(profile: &str, region: Option<&str>) -> SharedCredentialsProvider {
    let config = ProviderConfig::default().with_region(region.map(|r| Region::new(r.to_string())));
    SharedCredentialsProvider::new(
        ProfileFileCredentialsProvider::builder().configure(&config).profile_name(profile).build(),
    )
}

/// Credentials that are never there, for a reason given once: every call made with them fails
/// before it is sent, with that reason (see `errors::from_sdk`).
#[derive(Debug)]
struct Refused(MissingProfile);

impl ProvideCredentials for Refused {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::invalid_configuration(self.0.clone())))
    }
}

/// One client per service; CloudWatch twice, because CloudFront's metrics are only in `us-east-1`.
#[derive(Clone, Debug)]
pub struct AwsClients {
    pub cloudfront: aws_sdk_cloudfront::Client,
    /// The KeyValueStore data plane, for the router's store (its ARN picks the endpoint).
    pub key_value_store: aws_sdk_cloudfrontkeyvaluestore::Client,
    /// CloudWatch in `us-east-1`, for `AWS/CloudFront` metrics.
    pub cloudwatch_global: aws_sdk_cloudwatch::Client,
    /// CloudWatch in the metrics region, for Lambda, API Gateway and ALB metrics.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub sts: aws_sdk_sts::Client,
    /// API Gateway REST APIs and HTTP APIs (v2), in the region, for the stage rollback.
    pub apigateway: aws_sdk_apigateway::Client,
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    /// IAM (global), for the role CloudFront assumes to write edge logs.
    pub iam: aws_sdk_iam::Client,
    /// CloudWatch Logs in the region, for the team's journal (see [`logs_client`]).
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// The region Lambda, API Gateway and ALB metrics are read from.
    pub region: String,
    /// The profile in use, for the header; `None` for the default chain without a named profile.
    pub profile: Option<String>,
    /// The SDK config these were built from: the source of other accounts' credentials.
    pub sdk: SdkConfig,
}

impl AwsClients {
    /// Loads credentials and region the way the AWS CLI does (environment, profiles, SSO, instance
    /// roles), honouring `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`; with `--profile`, as
    /// the CLI does too, the credentials are the profile's alone. Nothing is called yet. Fails only
    /// when no region is set anywhere, since regional metrics cannot be read without one.
    pub async fn load(options: &ConnectOptions) -> Result<Self, NoRegion> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts());
        if let Some(profile) = &options.profile {
            loader = loader
                .profile_name(profile)
                .credentials_provider(profile_credentials(profile, options.region.as_deref()));
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(NoRegion);
        }
        Ok(Self::from_sdk_config(&sdk, options.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok())))
    }

    /// The clients for an already loaded SDK config (tests build theirs by hand).
    pub fn from_sdk_config(sdk: &SdkConfig, profile: Option<String>) -> Self {
        let global = Region::new(GLOBAL_REGION);
        let region = sdk.region().map_or_else(|| GLOBAL_REGION.to_string(), |r| r.to_string());
        let cloudfront = aws_sdk_cloudfront::Client::from_conf(
            aws_sdk_cloudfront::config::Builder::from(sdk).region(global.clone()).build(),
        );
        let cloudwatch_global = aws_sdk_cloudwatch::Client::from_conf(
            aws_sdk_cloudwatch::config::Builder::from(sdk).region(global).build(),
        );
        AwsClients {
            cloudfront,
            key_value_store: key_value_store_client(sdk),
            cloudwatch_global,
            cloudwatch: aws_sdk_cloudwatch::Client::new(sdk),
            lambda: aws_sdk_lambda::Client::new(sdk),
            sts: aws_sdk_sts::Client::new(sdk),
            apigateway: aws_sdk_apigateway::Client::new(sdk),
            apigatewayv2: aws_sdk_apigatewayv2::Client::new(sdk),
            iam: aws_sdk_iam::Client::new(sdk),
            logs: logs_client(sdk),
            region,
            profile,
            sdk: sdk.clone(),
        }
    }
}

impl AwsClients {
    /// A Kinesis client in `region` (an edge-log stream's, from its ARN), honouring
    /// `AWS_ENDPOINT_URL_KINESIS` like the others.
    pub fn kinesis_in(&self, region: &str) -> aws_sdk_kinesis::Client {
        aws_sdk_kinesis::Client::from_conf(
            aws_sdk_kinesis::config::Builder::from(&self.sdk).region(Region::new(region.to_string())).build(),
        )
    }
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// How to reach one account the Lambda side of some routes lives in (the config's
/// `[distribution.lambda_accounts.NAME]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountSpec {
    pub name: String,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// The metrics region; the distribution's when `None`.
    pub region: Option<String>,
}

/// The clients of one such account: its CloudWatch and Lambda in its region, and STS to learn its id.
#[derive(Clone, Debug)]
pub struct AccountClients {
    /// The config's name for the account.
    pub name: String,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub sts: aws_sdk_sts::Client,
    pub region: String,
    /// The account id when known without asking: the role ARN's.
    pub account_id: Option<String>,
}

impl AccountClients {
    /// The clients for an already loaded SDK config (tests give each account its own keys).
    pub fn from_sdk_config(name: &str, sdk: &SdkConfig, account_id: Option<String>) -> Self {
        AccountClients {
            name: name.to_string(),
            cloudwatch: aws_sdk_cloudwatch::Client::new(sdk),
            lambda: aws_sdk_lambda::Client::new(sdk),
            sts: aws_sdk_sts::Client::new(sdk),
            region: sdk.region().map_or_else(|| GLOBAL_REGION.to_string(), |r| r.to_string()),
            account_id,
        }
    }

    /// The account's clients: credentials from its profile alone (never the environment's: those
    /// belong to another account), else those of `base` (the distribution's), then, with a role,
    /// exchanged for the role's through STS `AssumeRole` (session `session_name`, its external id),
    /// refreshed before they expire. Nothing is called yet: a role that cannot be assumed fails the
    /// account's first read, and so does a profile the files do not define, with [`MissingProfile`].
    pub async fn connect(base: &SdkConfig, spec: &AccountSpec, session_name: &str) -> Self {
        let region = spec
            .region
            .clone()
            .or_else(|| base.region().map(ToString::to_string))
            .unwrap_or_else(|| GLOBAL_REGION.to_string());
        let source = match &spec.profile {
            Some(profile) => {
                let credentials =
                    match check_profile(profile, &format!("[distribution.lambda_accounts.{}]", spec.name)).await {
                        Ok(()) => profile_credentials(profile, Some(&region)),
                        Err(missing) => SharedCredentialsProvider::new(Refused(missing)),
                    };
                aws_config::defaults(BehaviorVersion::latest())
                    .timeout_config(timeouts())
                    .profile_name(profile)
                    .region(Region::new(region.clone()))
                    .credentials_provider(credentials)
                    .load()
                    .await
            }
            None => base.to_builder().region(Region::new(region.clone())).build(),
        };
        // `AssumeRoleProvider` needs the clock that `aws_config::defaults` always sets; a config built
        // by hand (tests) may have none, so it gets the SDK's default one.
        let source = match source.time_source() {
            Some(_) => source,
            None => {
                let clock =
                    aws_sdk_sts::Config::builder().behavior_version(BehaviorVersion::latest()).build().time_source();
                let mut builder = source.to_builder();
                builder.set_time_source(clock);
                builder.build()
            }
        };
        let sdk = match &spec.role_arn {
            Some(role_arn) => {
                let mut role = AssumeRoleProvider::builder(role_arn)
                    .session_name(session_name)
                    .region(Region::new(region.clone()))
                    .configure(&source);
                if let Some(external_id) = &spec.external_id {
                    role = role.external_id(external_id);
                }
                let provider = role.build().await;
                source.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build()
            }
            None => source,
        };
        let account_id = spec.role_arn.as_deref().and_then(crate::config::role_arn_account).map(str::to_string);
        Self::from_sdk_config(&spec.name, &sdk, account_id)
    }

    /// The account's 12-digit id: the role ARN's, else STS `GetCallerIdentity`'s.
    pub async fn account_id(&self) -> Result<String, crate::backend::BackendError> {
        if let Some(id) = &self.account_id {
            return Ok(id.clone());
        }
        let out =
            self.sts.get_caller_identity().send().await.map_err(|e| super::errors::from_sdk("GetCallerIdentity", e))?;
        Ok(out.account().unwrap_or_default().to_string())
    }
}

/// The `AssumeRole` session name: `cutover-` and the operator's user name, cut to what STS accepts
/// (2 to 64 characters of letters, digits and `+=,.@-_`), so that CloudTrail says who read.
pub fn session_name(user: Option<&str>) -> String {
    let user: String = user
        .unwrap_or("operator")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) { c } else { '_' })
        .collect();
    format!("cutover-{user}").chars().take(64).collect()
}

/// The Kinesis client for the edge-log stream in `region` (the stream ARN's), from `sdk`'s
/// credentials and timeouts; `AWS_ENDPOINT_URL_KINESIS` (or `AWS_ENDPOINT_URL`) in a config that
/// aws-config loaded is honoured, as for the other clients. No retries: the reader paces and backs
/// off each shard's reads itself (a shard serves five reads a second, shared by every reader).
pub fn kinesis_client(sdk: &SdkConfig, region: &str) -> aws_sdk_kinesis::Client {
    let config = aws_sdk_kinesis::config::Builder::from(sdk)
        .region(Region::new(region.to_string()))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

/// The CloudTrail client that reads who changed a distribution: in [`GLOBAL_REGION`], where
/// CloudTrail records CloudFront's calls; `AWS_ENDPOINT_URL_CLOUDTRAIL` (or `AWS_ENDPOINT_URL`) in a
/// config aws-config loaded is honoured, as for the other clients. No retries: `LookupEvents` allows
/// 2 calls a second per account, which the caller's pacer keeps to, retries included.
pub fn cloudtrail_client(sdk: &SdkConfig) -> aws_sdk_cloudtrail::Client {
    let config = aws_sdk_cloudtrail::config::Builder::from(sdk)
        .region(Region::new(GLOBAL_REGION))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_cloudtrail::Client::from_conf(config)
}

/// A CloudWatch Logs client in `sdk`'s region (the config's), for the team's journal, honouring
/// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` (and `AWS_ENDPOINT_URL`) as the SDK does. It makes no retries
/// of its own: the journal's sender keeps a failed batch and retries it with its own backoff (and
/// the reader backs off between rounds), so an SDK retry would only hide the trouble longer and
/// hold a batch that newer records are waiting behind.
pub fn logs_client(sdk: &SdkConfig) -> aws_sdk_cloudwatchlogs::Client {
    let config = aws_sdk_cloudwatchlogs::config::Builder::from(sdk)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(config)
}

/// The KeyValueStore data plane client for `sdk`, in [`GLOBAL_REGION`] like CloudFront's control
/// plane. The data plane is global (its endpoint is the store ARN's account, not a region); an
/// endpoint URL in `sdk` is the endpoint rules' custom endpoint, with the ARN's account id put in
/// front of its host (`http://localhost:4566` becomes `http://123456789012.localhost:4566`), a name
/// no resolver knows: its HTTP client (the SDK's own, as `default-https-client` builds it) answers
/// `localhost` and every name under `.localhost` with the loopback address itself, as RFC 6761
/// says they are, and asks the system for every other name.
pub fn key_value_store_client(sdk: &SdkConfig) -> aws_sdk_cloudfrontkeyvaluestore::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_with_resolver(LocalhostIsLoopback);
    let config = aws_sdk_cloudfrontkeyvaluestore::config::Builder::from(sdk)
        .region(Region::new(GLOBAL_REGION))
        .http_client(http)
        .build();
    aws_sdk_cloudfrontkeyvaluestore::Client::from_conf(config)
}

/// A DNS resolver for which `localhost` and `*.localhost` are the loopback address (RFC 6761,
/// without asking anyone), and every other name is the system's answer.
#[derive(Clone, Debug)]
pub struct LocalhostIsLoopback;

impl LocalhostIsLoopback {
    pub fn is_local(name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        name == "localhost" || name.ends_with(".localhost")
    }
}

impl aws_smithy_runtime_api::client::dns::ResolveDns for LocalhostIsLoopback {
    fn resolve_dns<'a>(&'a self, name: &'a str) -> aws_smithy_runtime_api::client::dns::DnsFuture<'a> {
        use aws_smithy_runtime_api::client::dns::{DnsFuture, ResolveDnsError};
        if Self::is_local(name) {
            return DnsFuture::ready(Ok(vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)]));
        }
        let name = name.to_string();
        DnsFuture::new(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await.map_err(ResolveDnsError::new)?;
            Ok(found.map(|address| address.ip()).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_config::BehaviorVersion;
    use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
    use tokio::io::AsyncReadExt as _;
    use tokio::net::TcpListener;

    use super::*;

    /// The first bytes a client sends to a listener on 127.0.0.1 when asked for
    /// `GetCallerIdentity` at `scheme://127.0.0.1:port`; the call is dropped unanswered.
    async fn first_bytes(scheme: &str, through_aws_config: bool) -> Vec<u8> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("{scheme}://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let timeouts = TimeoutConfig::builder().operation_timeout(OPERATION_TIMEOUT).build();
        let credentials = SharedCredentialsProvider::new(Credentials::new("a", "b", None, None, "test"));
        let sdk = if through_aws_config {
            // As `AwsClients::load` builds it: aws-config's HTTP client.
            aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new("eu-west-1"))
                .credentials_provider(credentials)
                .endpoint_url(&endpoint)
                .timeout_config(timeouts)
                .load()
                .await
        } else {
            // No HTTP client given: the SDK crate's own default.
            SdkConfig::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("eu-west-1"))
                .credentials_provider(credentials)
                .endpoint_url(&endpoint)
                .timeout_config(timeouts)
                .build()
        };
        let clients = AwsClients::from_sdk_config(&sdk, None);
        let call = tokio::spawn(async move { clients.sts.get_caller_identity().send().await });
        let (mut socket, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
            .await
            .expect("the client connects")
            .unwrap();
        let mut bytes = vec![0; 6];
        tokio::time::timeout(Duration::from_secs(10), socket.read_exact(&mut bytes)).await.unwrap().unwrap();
        call.abort();
        bytes
    }

    #[test]
    fn localhost_and_names_under_it_are_loopback_and_nothing_else_is() {
        for name in ["localhost", "123456789012.localhost", "a.b.LOCALHOST", "localhost."] {
            assert!(LocalhostIsLoopback::is_local(name), "{name}");
        }
        for name in ["localhost.example.com", "notlocalhost", "cloudfront-kvs.global.api.aws", "127.0.0.1"] {
            assert!(!LocalhostIsLoopback::is_local(name), "{name}");
        }
    }

    #[tokio::test]
    async fn the_resolver_answers_localhost_itself_and_asks_the_system_for_the_rest() {
        use aws_smithy_runtime_api::client::dns::ResolveDns as _;
        let local = LocalhostIsLoopback.resolve_dns("123456789012.localhost").await.unwrap();
        assert_eq!(local, vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)]);
        let literal = LocalhostIsLoopback.resolve_dns("127.0.0.1").await.unwrap();
        assert_eq!(literal, vec![std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)]);
    }

    #[test]
    fn session_names_are_what_sts_accepts() {
        assert_eq!(session_name(Some("ana")), "cutover-ana");
        assert_eq!(session_name(Some("Ana María")), "cutover-Ana_Mar_a");
        assert_eq!(session_name(None), "cutover-operator");
        assert_eq!(session_name(Some(&"x".repeat(100))).len(), 64);
    }

    /// Real AWS is https: the SDK crates are built without their legacy `rustls` feature, so this
    /// checks that the current connector still does TLS, and plain http for the local emulators.
    #[tokio::test]
    async fn the_clients_speak_tls_to_https_endpoints_and_plain_http_to_http_ones() {
        for through_aws_config in [true, false] {
            let tls = first_bytes("https", through_aws_config).await;
            // A TLS record of type handshake (0x16), version 3.x, holding a ClientHello (0x01).
            assert_eq!((tls[0], tls[1], tls[5]), (0x16, 0x03, 0x01), "{tls:02x?}");
            let plain = first_bytes("http", through_aws_config).await;
            assert_eq!(plain, b"POST /", "{:?}", String::from_utf8_lossy(&plain));
        }
    }
}
