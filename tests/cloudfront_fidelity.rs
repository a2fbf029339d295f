//! What cutover sends in `UpdateDistribution` is exactly what `GetDistributionConfig` returned, except
//! the one `TargetOriginId` of the switched route, including the parts moto drops (function and
//! Lambda@Edge associations) and ones it does not model (field-level encryption, real-time logs, trusted
//! key groups, origin shield, origin access control, gRPC, continuous deployment). Scripted with
//! `aws-smithy-mocks` on the real SDK client: once as typed structs, once on the wire as REST-XML.

use std::sync::{Arc, Mutex};

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudfront::operation::get_distribution::GetDistributionOutput;
use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput;
use aws_sdk_cloudfront::operation::update_distribution::UpdateDistributionOutput;
use aws_sdk_cloudfront::types::{
    AllowedMethods, CacheBehavior, CacheBehaviors, CachedMethods, CustomOriginConfig, DefaultCacheBehavior,
    Distribution, DistributionConfig, EventType, FunctionAssociation, FunctionAssociations, GrpcConfig,
    LambdaFunctionAssociation, LambdaFunctionAssociations, LoggingConfig, Method, Origin, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, OriginGroupMembers, OriginGroupSelectionCriteria, OriginGroups,
    OriginProtocolPolicy, OriginShield, Origins, S3OriginConfig, StatusCodes, TrustedKeyGroups, ViewerProtocolPolicy,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::backend::aws::{CloudFrontControlPlane, DistributionSpec};
use cutover::backend::switch::switch_routes;
use cutover::domain::{RouteChange, Target};

const ID: &str = "EFIDELITY0TEST";
const ETAG: &str = "E2QWRUHAPOMQZL";
const APIGW: &str = "apigw";
const LEGACY: &str = "legacy-elb";

fn spec() -> DistributionSpec {
    DistributionSpec::with_lists(ID, &[APIGW], &[LEGACY])
}

fn change(path: &str, from: &str, to: &str) -> RouteChange {
    RouteChange::new(path, from, to, if to == APIGW { Target::Lambda } else { Target::Origin })
}

fn methods(items: &[Method]) -> AllowedMethods {
    let cached = CachedMethods::builder().quantity(2).items(Method::Get).items(Method::Head).build().unwrap();
    AllowedMethods::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items.to_vec()))
        .cached_methods(cached)
        .build()
        .unwrap()
}

fn functions(name: &str) -> FunctionAssociations {
    let arn = format!("arn:aws:cloudfront::123456789012:function/{name}");
    let association = FunctionAssociation::builder().function_arn(arn).event_type(EventType::ViewerRequest).build();
    FunctionAssociations::builder().quantity(1).items(association.unwrap()).build().unwrap()
}

fn lambdas(name: &str) -> LambdaFunctionAssociations {
    let association = LambdaFunctionAssociation::builder()
        .lambda_function_arn(format!("arn:aws:lambda:us-east-1:123456789012:function:{name}:7"))
        .event_type(EventType::OriginRequest)
        .include_body(true)
        .build()
        .unwrap();
    LambdaFunctionAssociations::builder().quantity(1).items(association).build().unwrap()
}

fn key_groups() -> TrustedKeyGroups {
    TrustedKeyGroups::builder().enabled(true).quantity(1).items("K2JCJMDEHXQW5F").build().unwrap()
}

fn behavior(path: &str, origin: &str, edge: &str) -> CacheBehavior {
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin)
        .trusted_key_groups(key_groups())
        .viewer_protocol_policy(ViewerProtocolPolicy::HttpsOnly)
        .allowed_methods(methods(&[Method::Get, Method::Head, Method::Options]))
        .smooth_streaming(false)
        .compress(true)
        .lambda_function_associations(lambdas(edge))
        .function_associations(functions(edge))
        .field_level_encryption_id(format!("fle-{edge}"))
        .realtime_log_config_arn(format!("arn:aws:cloudfront::123456789012:realtime-log-config/{edge}"))
        .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
        .origin_request_policy_id("b689b0a8-53d0-40ab-baf2-68738e2966ac")
        .response_headers_policy_id("67f7725c-6f97-4210-82d7-5512b31e9d03")
        .grpc_config(GrpcConfig::builder().enabled(false).build().unwrap())
        .build()
        .unwrap()
}

fn origin(id: &str, domain: &str) -> Origin {
    let custom = CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
        .build()
        .unwrap();
    Origin::builder()
        .id(id)
        .domain_name(domain)
        .origin_path("")
        .custom_origin_config(custom)
        .connection_attempts(3)
        .connection_timeout(10)
        .origin_shield(OriginShield::builder().enabled(true).origin_shield_region("eu-west-1").build().unwrap())
        .build()
        .unwrap()
}

/// A config with every association and id that a rebuilt behavior would lose.
fn rich() -> DistributionConfig {
    let assets = Origin::builder()
        .id("assets")
        .domain_name("cutover-assets.s3.eu-west-1.amazonaws.com")
        .origin_path("")
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .origin_access_control_id("E2OACCUTOVER01")
        .build()
        .unwrap();
    let members = OriginGroupMembers::builder()
        .quantity(2)
        .items(OriginGroupMember::builder().origin_id(LEGACY).build().unwrap())
        .items(OriginGroupMember::builder().origin_id(APIGW).build().unwrap())
        .build()
        .unwrap();
    let codes = StatusCodes::builder().quantity(2).items(502).items(503).build().unwrap();
    let group = OriginGroup::builder()
        .id("failover")
        .failover_criteria(OriginGroupFailoverCriteria::builder().status_codes(codes).build())
        .members(members)
        .selection_criteria(OriginGroupSelectionCriteria::Default)
        .build()
        .unwrap();
    let behaviors = vec![
        behavior("/api/users/*", LEGACY, "users-edge"),
        behavior("/api/orders/*", APIGW, "orders-edge"),
        behavior("/assets/*", "assets", "assets-edge"),
    ];
    let default = DefaultCacheBehavior::builder()
        .target_origin_id(LEGACY)
        .trusted_key_groups(key_groups())
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .allowed_methods(methods(&[
            Method::Get,
            Method::Head,
            Method::Options,
            Method::Put,
            Method::Post,
            Method::Patch,
            Method::Delete,
        ]))
        .compress(false)
        .lambda_function_associations(lambdas("default-edge"))
        .function_associations(functions("default-edge"))
        .field_level_encryption_id("fle-default")
        .realtime_log_config_arn("arn:aws:cloudfront::123456789012:realtime-log-config/default")
        .cache_policy_id("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
        .build()
        .unwrap();
    DistributionConfig::builder()
        .caller_reference("terraform-20240102030405")
        .origins(
            Origins::builder()
                .quantity(3)
                .items(origin(APIGW, "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"))
                .items(origin(LEGACY, "legacy-1234567890.eu-west-1.elb.amazonaws.com"))
                .items(assets)
                .build()
                .unwrap(),
        )
        .origin_groups(OriginGroups::builder().quantity(1).items(group).build().unwrap())
        .default_cache_behavior(default)
        .cache_behaviors(CacheBehaviors::builder().quantity(3).set_items(Some(behaviors)).build().unwrap())
        .comment("fidelity")
        .logging(LoggingConfig::builder().enabled(true).bucket("logs.s3.amazonaws.com").prefix("cf/").build())
        .enabled(true)
        .web_acl_id("arn:aws:wafv2:us-east-1:123456789012:global/webacl/fidelity/0000")
        .continuous_deployment_policy_id("cdp-1234")
        .staging(false)
        .build()
        .unwrap()
}

/// `config` with the behavior at `path` pointed at `origin_id`, by hand on a clone.
fn expected_with(config: &DistributionConfig, path: &str, origin_id: &str) -> DistributionConfig {
    let mut expected = config.clone();
    if path == "*" {
        expected.default_cache_behavior.as_mut().unwrap().target_origin_id = origin_id.to_string();
    } else {
        let items = expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
        items.iter_mut().find(|b| b.path_pattern == path).unwrap().target_origin_id = origin_id.to_string();
    }
    expected
}

fn accepted(config: DistributionConfig) -> UpdateDistributionOutput {
    let distribution = Distribution::builder()
        .id(ID)
        .arn(format!("arn:aws:cloudfront::123456789012:distribution/{ID}"))
        .status("InProgress")
        .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
        .in_progress_invalidation_batches(0)
        .domain_name("d111111abcdef8.cloudfront.net")
        .distribution_config(config)
        .build()
        .unwrap();
    UpdateDistributionOutput::builder().distribution(distribution).e_tag("E3NEWETAG").build()
}

/// An `UpdateDistribution` rule that checks the id and `IfMatch` and keeps the config it was sent.
fn update_capturing(sent: &Arc<Mutex<Vec<DistributionConfig>>>) -> Rule {
    let sent = Arc::clone(sent);
    mock!(Client::update_distribution)
        .match_requests(|input| input.id() == Some(ID) && input.if_match() == Some(ETAG))
        .then_compute_output(move |input| {
            let config = input.distribution_config().cloned().expect("a config is sent");
            sent.lock().unwrap().push(config.clone());
            accepted(config)
        })
}

/// The `GetDistribution` that reads the switch back: the distribution with the config last sent.
fn read_back_of(sent: &Arc<Mutex<Vec<DistributionConfig>>>) -> Rule {
    let sent = Arc::clone(sent);
    mock!(Client::get_distribution).match_requests(|input| input.id() == Some(ID)).then_compute_output(move |_| {
        let config = sent.lock().unwrap().last().cloned().expect("read back after the update");
        let accepted = accepted(config);
        GetDistributionOutput::builder().set_distribution(accepted.distribution).e_tag("E3NEWETAG").build()
    })
}

/// The body of every request the client sends, as it goes on the wire.
#[derive(Clone, Debug, Default)]
struct Bodies(Arc<Mutex<Vec<String>>>);

impl Intercept for Bodies {
    fn name(&self) -> &'static str {
        "Bodies"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.request().body().bytes().unwrap_or_default();
        self.0.lock().unwrap().push(String::from_utf8_lossy(body).into_owned());
        Ok(())
    }
}

fn client(rules: &[&Rule], bodies: &Bodies) -> Client {
    let bodies = bodies.clone();
    mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, rules, move |c| c
        .retry_config(RetryConfig::disabled())
        .interceptor(bodies.clone()))
}

async fn switched_config(path: &str, from: &str, to: &str) -> (DistributionConfig, DistributionConfig) {
    let read = rich();
    let returned = read.clone();
    let get =
        mock!(Client::get_distribution_config).match_requests(|input| input.id() == Some(ID)).then_output(move || {
            GetDistributionConfigOutput::builder().distribution_config(returned.clone()).e_tag(ETAG).build()
        });
    let sent = Arc::new(Mutex::new(Vec::new()));
    let update = update_capturing(&sent);
    let read_back = read_back_of(&sent);
    let cp = CloudFrontControlPlane::new(client(&[&get, &update, &read_back], &Bodies::default()), spec());
    let switched = switch_routes(&cp, ID, &[change(path, from, to)], |_| {}).await.unwrap();
    assert_eq!((get.num_calls(), update.num_calls(), read_back.num_calls()), (1, 1, 1));
    assert_eq!(switched.read_back.unwrap().origin_of(path), Some(to), "read back where it was asked");
    let mut sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    (read, sent.remove(0))
}

#[tokio::test]
async fn the_config_sent_is_the_config_read_except_one_target_origin() {
    let (read, sent) = switched_config("/api/users/*", LEGACY, APIGW).await;
    assert_eq!(sent, expected_with(&read, "/api/users/*", APIGW));
    // The parts a rebuilt behavior would lose are really there, on the switched behavior too.
    let users = &sent.cache_behaviors().unwrap().items()[0];
    assert_eq!(users.target_origin_id(), APIGW);
    assert_eq!(users.function_associations().unwrap().items()[0].event_type(), &EventType::ViewerRequest);
    assert_eq!(users.lambda_function_associations().unwrap().items()[0].include_body(), Some(true));
    assert_eq!(users.field_level_encryption_id(), Some("fle-users-edge"));
    assert_eq!(users.trusted_key_groups().unwrap().items(), ["K2JCJMDEHXQW5F"]);
    assert_eq!(sent.continuous_deployment_policy_id(), Some("cdp-1234"));
}

#[tokio::test]
async fn the_default_behavior_is_switched_the_same_way() {
    let (read, sent) = switched_config("*", LEGACY, APIGW).await;
    assert_eq!(sent, expected_with(&read, "*", APIGW));
    let default = sent.default_cache_behavior().unwrap();
    assert_eq!(default.lambda_function_associations().unwrap().quantity(), 1);
    assert_eq!(default.realtime_log_config_arn(), Some("arn:aws:cloudfront::123456789012:realtime-log-config/default"));
}

/// XML with the layout between elements removed, without the declaration and the namespace, so that
/// CloudFront's indented answer and the SDK's compact request compare; then one element per line, so
/// that a difference shows as a line.
fn canonical(xml: &str) -> String {
    let xml = xml.trim();
    let xml = match xml.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, body)| body),
        None => xml,
    };
    let compact: String = xml.lines().map(str::trim).collect();
    compact.replace(r#" xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/""#, "").replace("><", ">\n<")
}

/// A `GetDistributionConfig` answer as CloudFront writes it, with `{users}` and `{default}` for the
/// two target origins that the tests switch.
const WIRE_CONFIG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
  <CallerReference>terraform-20240102030405</CallerReference>
  <Aliases><Quantity>1</Quantity><Items><CNAME>api.example.com</CNAME></Items></Aliases>
  <DefaultRootObject></DefaultRootObject>
  <Origins>
    <Quantity>2</Quantity>
    <Items>
      <Origin>
        <Id>apigw</Id>
        <DomainName>a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com</DomainName>
        <OriginPath>/prod</OriginPath>
        <CustomHeaders><Quantity>1</Quantity><Items><OriginCustomHeader><HeaderName>X-Origin-Verify</HeaderName><HeaderValue>s3cr3t</HeaderValue></OriginCustomHeader></Items></CustomHeaders>
        <CustomOriginConfig>
          <HTTPPort>80</HTTPPort>
          <HTTPSPort>443</HTTPSPort>
          <OriginProtocolPolicy>https-only</OriginProtocolPolicy>
          <OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols>
          <OriginReadTimeout>30</OriginReadTimeout>
          <OriginKeepaliveTimeout>5</OriginKeepaliveTimeout>
        </CustomOriginConfig>
        <ConnectionAttempts>3</ConnectionAttempts>
        <ConnectionTimeout>10</ConnectionTimeout>
        <OriginShield><Enabled>true</Enabled><OriginShieldRegion>eu-west-1</OriginShieldRegion></OriginShield>
        <OriginAccessControlId></OriginAccessControlId>
      </Origin>
      <Origin>
        <Id>legacy-elb</Id>
        <DomainName>legacy-1234567890.eu-west-1.elb.amazonaws.com</DomainName>
        <OriginPath></OriginPath>
        <CustomHeaders><Quantity>0</Quantity></CustomHeaders>
        <CustomOriginConfig>
          <HTTPPort>80</HTTPPort>
          <HTTPSPort>443</HTTPSPort>
          <OriginProtocolPolicy>match-viewer</OriginProtocolPolicy>
          <OriginSslProtocols><Quantity>1</Quantity><Items><SslProtocol>TLSv1.2</SslProtocol></Items></OriginSslProtocols>
          <OriginReadTimeout>60</OriginReadTimeout>
          <OriginKeepaliveTimeout>5</OriginKeepaliveTimeout>
        </CustomOriginConfig>
        <ConnectionAttempts>3</ConnectionAttempts>
        <ConnectionTimeout>10</ConnectionTimeout>
        <OriginShield><Enabled>false</Enabled></OriginShield>
        <OriginAccessControlId></OriginAccessControlId>
      </Origin>
    </Items>
  </Origins>
  <OriginGroups>
    <Quantity>1</Quantity>
    <Items>
      <OriginGroup>
        <Id>failover</Id>
        <FailoverCriteria><StatusCodes><Quantity>2</Quantity><Items><StatusCode>502</StatusCode><StatusCode>503</StatusCode></Items></StatusCodes></FailoverCriteria>
        <Members><Quantity>2</Quantity><Items><OriginGroupMember><OriginId>legacy-elb</OriginId></OriginGroupMember><OriginGroupMember><OriginId>apigw</OriginId></OriginGroupMember></Items></Members>
        <SelectionCriteria>default</SelectionCriteria>
      </OriginGroup>
    </Items>
  </OriginGroups>
  <DefaultCacheBehavior>
    <TargetOriginId>{default}</TargetOriginId>
    <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
    <TrustedKeyGroups><Enabled>true</Enabled><Quantity>1</Quantity><Items><KeyGroup>K2JCJMDEHXQW5F</KeyGroup></Items></TrustedKeyGroups>
    <ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy>
    <AllowedMethods><Quantity>7</Quantity><Items><Method>HEAD</Method><Method>DELETE</Method><Method>POST</Method><Method>GET</Method><Method>OPTIONS</Method><Method>PUT</Method><Method>PATCH</Method></Items><CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
    <SmoothStreaming>false</SmoothStreaming>
    <Compress>true</Compress>
    <LambdaFunctionAssociations><Quantity>1</Quantity><Items><LambdaFunctionAssociation><LambdaFunctionARN>arn:aws:lambda:us-east-1:123456789012:function:auth-edge:12</LambdaFunctionARN><EventType>viewer-request</EventType><IncludeBody>false</IncludeBody></LambdaFunctionAssociation></Items></LambdaFunctionAssociations>
    <FunctionAssociations><Quantity>1</Quantity><Items><FunctionAssociation><FunctionARN>arn:aws:cloudfront::123456789012:function/security-headers</FunctionARN><EventType>viewer-response</EventType></FunctionAssociation></Items></FunctionAssociations>
    <FieldLevelEncryptionId>fle-default</FieldLevelEncryptionId>
    <RealtimeLogConfigArn>arn:aws:cloudfront::123456789012:realtime-log-config/default</RealtimeLogConfigArn>
    <CachePolicyId>4135ea2d-6df8-44a3-9df3-4b5a84be39ad</CachePolicyId>
    <OriginRequestPolicyId>b689b0a8-53d0-40ab-baf2-68738e2966ac</OriginRequestPolicyId>
    <ResponseHeadersPolicyId>67f7725c-6f97-4210-82d7-5512b31e9d03</ResponseHeadersPolicyId>
    <GrpcConfig><Enabled>false</Enabled></GrpcConfig>
  </DefaultCacheBehavior>
  <CacheBehaviors>
    <Quantity>2</Quantity>
    <Items>
      <CacheBehavior>
        <PathPattern>/api/users/*</PathPattern>
        <TargetOriginId>{users}</TargetOriginId>
        <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
        <TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>
        <ViewerProtocolPolicy>https-only</ViewerProtocolPolicy>
        <AllowedMethods><Quantity>3</Quantity><Items><Method>HEAD</Method><Method>GET</Method><Method>OPTIONS</Method></Items><CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
        <SmoothStreaming>false</SmoothStreaming>
        <Compress>false</Compress>
        <LambdaFunctionAssociations><Quantity>1</Quantity><Items><LambdaFunctionAssociation><LambdaFunctionARN>arn:aws:lambda:us-east-1:123456789012:function:users-origin:3</LambdaFunctionARN><EventType>origin-request</EventType><IncludeBody>true</IncludeBody></LambdaFunctionAssociation></Items></LambdaFunctionAssociations>
        <FunctionAssociations><Quantity>1</Quantity><Items><FunctionAssociation><FunctionARN>arn:aws:cloudfront::123456789012:function/rewrite-users</FunctionARN><EventType>viewer-request</EventType></FunctionAssociation></Items></FunctionAssociations>
        <FieldLevelEncryptionId>fle-users</FieldLevelEncryptionId>
        <RealtimeLogConfigArn></RealtimeLogConfigArn>
        <CachePolicyId>4135ea2d-6df8-44a3-9df3-4b5a84be39ad</CachePolicyId>
        <OriginRequestPolicyId>b689b0a8-53d0-40ab-baf2-68738e2966ac</OriginRequestPolicyId>
      </CacheBehavior>
      <CacheBehavior>
        <PathPattern>/static/*</PathPattern>
        <TargetOriginId>legacy-elb</TargetOriginId>
        <TrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></TrustedSigners>
        <TrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></TrustedKeyGroups>
        <ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>
        <AllowedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items><CachedMethods><Quantity>2</Quantity><Items><Method>HEAD</Method><Method>GET</Method></Items></CachedMethods></AllowedMethods>
        <SmoothStreaming>false</SmoothStreaming>
        <Compress>true</Compress>
        <LambdaFunctionAssociations><Quantity>0</Quantity></LambdaFunctionAssociations>
        <FunctionAssociations><Quantity>0</Quantity></FunctionAssociations>
        <FieldLevelEncryptionId></FieldLevelEncryptionId>
        <ForwardedValues><QueryString>false</QueryString><Cookies><Forward>none</Forward></Cookies><Headers><Quantity>0</Quantity></Headers><QueryStringCacheKeys><Quantity>0</Quantity></QueryStringCacheKeys></ForwardedValues>
        <MinTTL>0</MinTTL>
        <DefaultTTL>86400</DefaultTTL>
        <MaxTTL>31536000</MaxTTL>
      </CacheBehavior>
    </Items>
  </CacheBehaviors>
  <CustomErrorResponses><Quantity>1</Quantity><Items><CustomErrorResponse><ErrorCode>503</ErrorCode><ResponsePagePath>/errors/503.html</ResponsePagePath><ResponseCode>503</ResponseCode><ErrorCachingMinTTL>10</ErrorCachingMinTTL></CustomErrorResponse></Items></CustomErrorResponses>
  <Comment>wire fidelity &amp; &lt;escaping&gt;</Comment>
  <Logging><Enabled>true</Enabled><IncludeCookies>false</IncludeCookies><Bucket>logs.s3.amazonaws.com</Bucket><Prefix>cf/</Prefix></Logging>
  <PriceClass>PriceClass_100</PriceClass>
  <Enabled>true</Enabled>
  <ViewerCertificate><ACMCertificateArn>arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d</ACMCertificateArn><SSLSupportMethod>sni-only</SSLSupportMethod><MinimumProtocolVersion>TLSv1.2_2021</MinimumProtocolVersion><Certificate>arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d</Certificate><CertificateSource>acm</CertificateSource></ViewerCertificate>
  <Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions>
  <WebACLId>arn:aws:wafv2:us-east-1:123456789012:global/webacl/fidelity/0000</WebACLId>
  <HttpVersion>http2and3</HttpVersion>
  <IsIPV6Enabled>true</IsIPV6Enabled>
  <ContinuousDeploymentPolicyId></ContinuousDeploymentPolicyId>
  <Staging>false</Staging>
</DistributionConfig>
"#;

fn wire_config(users: &str, default: &str) -> String {
    WIRE_CONFIG.replace("{users}", users).replace("{default}", default)
}

fn xml_answer(body: String) -> HttpResponse {
    let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(body));
    response.headers_mut().insert("ETag", ETAG);
    response.headers_mut().insert("Content-Type", "text/xml");
    response
}

/// Reads [`WIRE_CONFIG`] as CloudFront's answer, switches `path`, and returns the body of the update.
async fn sent_on_the_wire(path: &str) -> String {
    let answer = wire_config(LEGACY, LEGACY);
    let get = mock!(Client::get_distribution_config).then_http_response(move || xml_answer(answer.clone()));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let update = update_capturing(&sent);
    let read_back = read_back_of(&sent);
    let bodies = Bodies::default();
    let cp = CloudFrontControlPlane::new(client(&[&get, &update, &read_back], &bodies), spec());
    switch_routes(&cp, ID, &[change(path, LEGACY, APIGW)], |_| {}).await.unwrap();
    let bodies = bodies.0.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "one read, one update, one read back");
    assert_eq!(bodies[0], "", "GetDistributionConfig has no body");
    bodies[1].clone()
}

#[tokio::test]
async fn the_xml_sent_is_the_xml_read_except_one_target_origin() {
    let sent = sent_on_the_wire("/api/users/*").await;
    assert_eq!(canonical(&sent), canonical(&wire_config(APIGW, LEGACY)));
}

#[tokio::test]
async fn the_default_behavior_on_the_wire() {
    let sent = sent_on_the_wire("*").await;
    assert_eq!(canonical(&sent), canonical(&wire_config(LEGACY, APIGW)));
}

#[test]
fn canonical_xml_ignores_layout_only() {
    assert_eq!(canonical("<?xml version=\"1.0\"?>\n<A>\n  <B>x y</B>\n</A>\n"), "<A>\n<B>x y</B>\n</A>");
    assert_eq!(canonical("<A><B>x y</B></A>"), canonical("<A>\n  <B>x y</B>\n</A>"));
    assert_ne!(canonical("<A><B>x</B></A>"), canonical("<A><B>y</B></A>"));
}
