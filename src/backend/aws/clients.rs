//! The SDK clients cutover uses, built once from the standard AWS credential and region chain.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

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
    /// The region Lambda, API Gateway and ALB metrics are read from.
    pub region: String,
    /// The profile in use, for the header; `None` for the default chain without a named profile.
    pub profile: Option<String>,
}

impl AwsClients {
    /// Loads credentials and region the way the AWS CLI does (environment, profiles, SSO, instance
    /// roles), honouring `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`. Nothing is called yet.
    /// Fails only when no region is set anywhere, since regional metrics cannot be read without one.
    pub async fn load(options: &ConnectOptions) -> Result<Self, NoRegion> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
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
            region,
            profile,
        }
    }
}

/// The KeyValueStore data plane client for `sdk`, in [`GLOBAL_REGION`] like CloudFront's control
/// plane. The data plane is global (its endpoint is the store ARN's account, not a region); an
/// endpoint URL in `sdk` is the endpoint rules' custom endpoint, with the ARN's account id put in
/// front of its host (`http://localhost:4566` becomes `http://123456789012.localhost:4566`).
pub fn key_value_store_client(sdk: &SdkConfig) -> aws_sdk_cloudfrontkeyvaluestore::Client {
    let config = aws_sdk_cloudfrontkeyvaluestore::config::Builder::from(sdk).region(Region::new(GLOBAL_REGION)).build();
    aws_sdk_cloudfrontkeyvaluestore::Client::from_conf(config)
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
