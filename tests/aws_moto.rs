//! CloudFront over the real REST-XML wire, against moto server: a distribution with a rich config is
//! switched through cutover's own code and read back whole; unknown routes, the default behavior,
//! switching back, the topology, and `cutover init` (as a function and as the real binary).
//!
//! moto keeps its state for the whole run and tests run in parallel, so every test creates its own
//! distribution under a unique caller reference. moto accepts any `IfMatch`, never changes the ETag,
//! reports `Deployed` after the first read, and drops function and Lambda@Edge associations (which
//! `cloudfront_fidelity.rs` covers with scripted responses instead).

mod support;

use std::process::Output;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudfront::types::{
    Aliases, AllowedMethods, CacheBehavior, CacheBehaviors, CachedMethods, CookiePreference, CustomErrorResponse,
    CustomErrorResponses, CustomHeaders, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, EventType,
    ForwardedValues, FunctionAssociation, FunctionAssociations, GeoRestriction, GeoRestrictionType, HttpVersion,
    ItemSelection, LoggingConfig, Method, MinimumProtocolVersion, Origin, OriginCustomHeader, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, OriginGroupMembers, OriginGroups, OriginProtocolPolicy,
    OriginSslProtocols, Origins, PriceClass, Restrictions, SslProtocol, SslSupportMethod, StatusCodes,
    ViewerCertificate, ViewerProtocolPolicy,
};
use cutover::backend::aws::control_plane::{origin_ids_of, routes_of};
use cutover::backend::aws::{CloudFrontControlPlane, DistributionSpec};
use cutover::backend::switch::switch_routes;
use cutover::backend::{BackendError, ControlPlane};
use cutover::commands::init::{AwsApiReads, InitError, write_config};
use cutover::config::{self, validate_against};
use cutover::domain::{DeployStatus, RouteChange, Target};
use support::emulators::{binary_env, clients};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";
const APIGW: &str = "apigw";
const LEGACY: &str = "legacy-elb";
const GROUP: &str = "failover";
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const CORS_HEADERS: &str = "5cc3b908-e619-4b99-88e5-2cf7f45965bd";
const WEB_ACL: &str =
    "arn:aws:wafv2:us-east-1:123456789012:global/webacl/cutover-test/a1b2c3d4-0000-1111-2222-333344445555";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
const FUNCTION: &str = "arn:aws:cloudfront::123456789012:function/add-security-headers";

/// A caller reference no other test or earlier run against the same moto has used.
fn reference(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("cutover-{test}-{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn custom_origin(id: &str, domain: &str, path: &str, policy: OriginProtocolPolicy) -> Origin {
    let tls = OriginSslProtocols::builder().quantity(1).items(SslProtocol::TlSv12).build().unwrap();
    let custom = CustomOriginConfig::builder()
        .http_port(80)
        .https_port(443)
        .origin_protocol_policy(policy)
        .origin_ssl_protocols(tls)
        .origin_read_timeout(45)
        .origin_keepalive_timeout(10)
        .build()
        .unwrap();
    let header = OriginCustomHeader::builder().header_name("X-Origin-Verify").header_value(id).build().unwrap();
    Origin::builder()
        .id(id)
        .domain_name(domain)
        .origin_path(path)
        .custom_headers(CustomHeaders::builder().quantity(1).items(header).build().unwrap())
        .custom_origin_config(custom)
        .connection_attempts(2)
        .connection_timeout(5)
        .build()
        .unwrap()
}

fn methods(items: &[Method], cached: &[Method]) -> AllowedMethods {
    let cached =
        CachedMethods::builder().quantity(cached.len() as i32).set_items(Some(cached.to_vec())).build().unwrap();
    AllowedMethods::builder()
        .quantity(items.len() as i32)
        .set_items(Some(items.to_vec()))
        .cached_methods(cached)
        .build()
        .unwrap()
}

fn functions() -> FunctionAssociations {
    let association =
        FunctionAssociation::builder().function_arn(FUNCTION).event_type(EventType::ViewerResponse).build().unwrap();
    FunctionAssociations::builder().quantity(1).items(association).build().unwrap()
}

/// A behavior on a managed cache policy.
fn policy_behavior(
    path: &str,
    origin: &str,
    cache_policy: &str,
    methods: AllowedMethods,
    compress: bool,
) -> CacheBehavior {
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .allowed_methods(methods)
        .compress(compress)
        .cache_policy_id(cache_policy)
        .origin_request_policy_id(ALL_VIEWER_EXCEPT_HOST)
        .function_associations(functions())
        .build()
        .unwrap()
}

/// A behavior on legacy cache settings: forwarded values and TTLs. Deprecated in the SDK, still found
/// in older distributions, so they must survive a switch too.
#[allow(deprecated)]
fn ttl_behavior(path: &str, origin: &str) -> CacheBehavior {
    let forwarded = ForwardedValues::builder()
        .query_string(true)
        .cookies(CookiePreference::builder().forward(ItemSelection::None).build().unwrap())
        .build()
        .unwrap();
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin)
        .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
        .allowed_methods(methods(&[Method::Get, Method::Head, Method::Options], &[Method::Get, Method::Head]))
        .compress(true)
        .forwarded_values(forwarded)
        .min_ttl(0)
        .default_ttl(86_400)
        .max_ttl(31_536_000)
        .build()
        .unwrap()
}

/// Two origins (API Gateway and a load balancer) and a failover group of both, logging, a WAF web ACL,
/// aliases with their certificate, custom error responses, geo restrictions, function associations,
/// and behaviors on different cache policies, methods and compression.
fn rich_config(caller_reference: &str) -> DistributionConfig {
    let all = [Method::Get, Method::Head, Method::Options, Method::Put, Method::Post, Method::Patch, Method::Delete];
    let read = [Method::Get, Method::Head];
    let behaviors = vec![
        policy_behavior("/api/users/*", LEGACY, CACHING_DISABLED, methods(&all, &read), false),
        policy_behavior("/api/orders/*", APIGW, CACHING_OPTIMIZED, methods(&read, &read), true),
        ttl_behavior("/static/*", LEGACY),
        policy_behavior("/reports/*", GROUP, CACHING_OPTIMIZED, methods(&read, &read), true),
    ];
    let default = DefaultCacheBehavior::builder()
        .target_origin_id(LEGACY)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .allowed_methods(methods(&all, &read))
        .compress(true)
        .cache_policy_id(CACHING_DISABLED)
        .origin_request_policy_id(ALL_VIEWER_EXCEPT_HOST)
        .response_headers_policy_id(CORS_HEADERS)
        .function_associations(functions())
        .build()
        .unwrap();
    let error = |code: i32, page: &str, ttl: i64| {
        CustomErrorResponse::builder()
            .error_code(code)
            .response_page_path(page)
            .response_code(code.to_string())
            .error_caching_min_ttl(ttl)
            .build()
            .unwrap()
    };
    let failover_codes = StatusCodes::builder().quantity(3).items(500).items(502).items(503).build().unwrap();
    let members = OriginGroupMembers::builder()
        .quantity(2)
        .items(OriginGroupMember::builder().origin_id(LEGACY).build().unwrap())
        .items(OriginGroupMember::builder().origin_id(APIGW).build().unwrap())
        .build()
        .unwrap();
    let group = OriginGroup::builder()
        .id(GROUP)
        .failover_criteria(OriginGroupFailoverCriteria::builder().status_codes(failover_codes).build())
        .members(members)
        .build()
        .unwrap();
    DistributionConfig::builder()
        .caller_reference(caller_reference)
        .aliases(Aliases::builder().quantity(2).items("api.example.com").items("www.example.com").build().unwrap())
        .default_root_object("index.html")
        .origins(
            Origins::builder()
                .quantity(2)
                .items(custom_origin(
                    APIGW,
                    "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
                    "/prod",
                    OriginProtocolPolicy::HttpsOnly,
                ))
                .items(custom_origin(
                    LEGACY,
                    "legacy-api-1234567890.eu-west-1.elb.amazonaws.com",
                    "",
                    OriginProtocolPolicy::MatchViewer,
                ))
                .build()
                .unwrap(),
        )
        .origin_groups(OriginGroups::builder().quantity(1).items(group).build().unwrap())
        .default_cache_behavior(default)
        .cache_behaviors(CacheBehaviors::builder().quantity(4).set_items(Some(behaviors)).build().unwrap())
        .custom_error_responses(
            CustomErrorResponses::builder()
                .quantity(2)
                .items(error(503, "/errors/maintenance.html", 10))
                .items(error(404, "/errors/not-found.html", 300))
                .build()
                .unwrap(),
        )
        .comment("cutover wire test: rich config")
        .logging(
            LoggingConfig::builder()
                .enabled(true)
                .include_cookies(true)
                .bucket("cutover-logs.s3.amazonaws.com")
                .prefix("cloudfront/")
                .build(),
        )
        .price_class(PriceClass::PriceClass100)
        .enabled(true)
        .viewer_certificate(
            ViewerCertificate::builder()
                .acm_certificate_arn(CERTIFICATE)
                .ssl_support_method(SslSupportMethod::SniOnly)
                .minimum_protocol_version(MinimumProtocolVersion::TlSv122021)
                .cloud_front_default_certificate(false)
                .build(),
        )
        .restrictions(
            Restrictions::builder()
                .geo_restriction(
                    GeoRestriction::builder()
                        .restriction_type(GeoRestrictionType::Whitelist)
                        .quantity(2)
                        .items("DE")
                        .items("FR")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .web_acl_id(WEB_ACL)
        .http_version(HttpVersion::Http2and3)
        .is_ipv6_enabled(true)
        .build()
        .unwrap()
}

/// Creates a distribution in moto with the rich config and returns its id.
async fn create(client: &aws_sdk_cloudfront::Client, test: &str) -> String {
    let out = client
        .create_distribution()
        .distribution_config(rich_config(&reference(test)))
        .send()
        .await
        .expect("moto creates the distribution");
    out.distribution.expect("a distribution").id
}

fn spec(id: &str) -> DistributionSpec {
    DistributionSpec::with_lists(id, &[APIGW], &[LEGACY])
}

async fn control_plane(test: &str) -> (CloudFrontControlPlane, String) {
    let client = clients(REGION).cloudfront;
    let id = create(&client, test).await;
    (CloudFrontControlPlane::new(client, spec(&id)), id)
}

fn change(path: &str, from: &str, to: &str) -> RouteChange {
    RouteChange::new(path, from, to, if to == APIGW { Target::Lambda } else { Target::Origin })
}

/// `config` with the behavior at `path` pointed at `origin_id`, changed by hand on a clone.
fn expected_with(config: &DistributionConfig, path: &str, origin_id: &str) -> DistributionConfig {
    let mut expected = config.clone();
    if path == "*" {
        expected.default_cache_behavior.as_mut().unwrap().target_origin_id = origin_id.to_string();
    } else {
        let items = expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
        let behavior = items.iter_mut().find(|b| b.path_pattern == path).expect("the behavior");
        behavior.target_origin_id = origin_id.to_string();
    }
    expected
}

/// The rich parts survived creation, so that comparing whole configs means something.
#[allow(deprecated)]
fn assert_rich(config: &DistributionConfig) {
    assert_eq!(config.aliases().map(|a| a.items().len()), Some(2), "aliases: {:?}", config.aliases());
    assert_eq!(config.origins().map(|o| o.items().len()), Some(2));
    assert_eq!(origin_ids_of(config), [APIGW, LEGACY, GROUP], "origin group missing: {:?}", config.origin_groups());
    assert!(config.logging().is_some_and(|l| l.enabled() && l.prefix() == "cloudfront/"), "{:?}", config.logging());
    assert_eq!(config.web_acl_id(), Some(WEB_ACL));
    assert_eq!(config.custom_error_responses().map(|e| e.items().len()), Some(2));
    let behaviors = config.cache_behaviors().and_then(|b| b.items.as_deref()).unwrap_or_default();
    assert_eq!(behaviors.len(), 4);
    let policies: Vec<Option<&str>> = behaviors.iter().map(|b| b.cache_policy_id()).collect();
    assert_eq!(policies[..2], [Some(CACHING_DISABLED), Some(CACHING_OPTIMIZED)]);
    assert_eq!(behaviors[2].default_ttl(), Some(86_400));
    assert_eq!(behaviors[0].allowed_methods().map(|m| m.items().len()), Some(7));
    assert_eq!(behaviors[0].compress(), Some(false));
    assert_eq!(config.viewer_certificate().and_then(|c| c.acm_certificate_arn()), Some(CERTIFICATE));
}

#[tokio::test]
async fn switching_one_route_changes_only_its_target_origin_and_switching_back_restores_the_config() {
    let (cp, id) = control_plane("switch-one").await;
    let (before, _) = cp.get_config(&id).await.unwrap();
    assert_rich(&before);

    let accepted = switch_routes(&cp, &id, &[change("/api/users/*", LEGACY, APIGW)], |_| {}).await.unwrap();
    assert!(accepted.already_there.is_empty());
    let (after, _) = cp.get_config(&id).await.unwrap();
    // Whole structs: caller reference, comment, origins, groups, every other behavior, logging, WAF...
    assert_eq!(after, expected_with(&before, "/api/users/*", APIGW));
    assert_ne!(after, before);
    assert_eq!(cp.deploy_status(&id).await.unwrap(), DeployStatus::Deployed);

    switch_routes(&cp, &id, &[change("/api/users/*", APIGW, LEGACY)], |_| {}).await.unwrap();
    let (back, _) = cp.get_config(&id).await.unwrap();
    assert_eq!(back, before);
}

#[tokio::test]
async fn the_default_behavior_switches_like_any_other_route() {
    let (cp, id) = control_plane("switch-default").await;
    let (before, _) = cp.get_config(&id).await.unwrap();

    switch_routes(&cp, &id, &[change("*", LEGACY, APIGW)], |_| {}).await.unwrap();
    let (after, _) = cp.get_config(&id).await.unwrap();
    assert_eq!(after, expected_with(&before, "*", APIGW));

    switch_routes(&cp, &id, &[change("*", APIGW, LEGACY)], |_| {}).await.unwrap();
    assert_eq!(cp.get_config(&id).await.unwrap().0, before);
}

#[tokio::test]
async fn several_routes_switch_in_one_update() {
    let (cp, id) = control_plane("switch-several").await;
    let (before, _) = cp.get_config(&id).await.unwrap();
    let changes = [change("/api/users/*", LEGACY, APIGW), change("/api/orders/*", APIGW, LEGACY)];
    switch_routes(&cp, &id, &changes, |_| {}).await.unwrap();
    let expected = expected_with(&expected_with(&before, "/api/users/*", APIGW), "/api/orders/*", LEGACY);
    assert_eq!(cp.get_config(&id).await.unwrap().0, expected);
}

#[tokio::test]
async fn a_route_the_distribution_does_not_have_is_a_clear_error_and_nothing_is_written() {
    let (cp, id) = control_plane("unknown-route").await;
    let (before, _) = cp.get_config(&id).await.unwrap();
    let changes = [change("/api/users/*", LEGACY, APIGW), change("/api/nope/*", LEGACY, APIGW)];
    let error = switch_routes(&cp, &id, &changes, |_| {}).await.unwrap_err();
    assert_eq!(error, BackendError::UnknownRoute("/api/nope/*".into()));
    assert_eq!(error.to_string(), "route /api/nope/* does not exist in the distribution");
    // The known route in the same batch was not switched either.
    assert_eq!(cp.get_config(&id).await.unwrap().0, before);
}

#[tokio::test]
async fn a_route_changed_meanwhile_is_not_switched() {
    let (cp, id) = control_plane("changed-elsewhere").await;
    let (before, _) = cp.get_config(&id).await.unwrap();
    // The operator saw /api/orders/* on the origin, but it is on Lambda.
    let error = switch_routes(&cp, &id, &[change("/api/orders/*", LEGACY, GROUP)], |_| {}).await.unwrap_err();
    assert!(matches!(error, BackendError::ChangedElsewhere { ref found, .. } if found == APIGW), "{error}");
    assert_eq!(cp.get_config(&id).await.unwrap().0, before);
}

#[tokio::test]
async fn the_topology_classes_routes_by_the_configured_origins() {
    let (cp, id) = control_plane("topology").await;
    let topology = cp.topology().await.unwrap();
    assert_eq!(topology.distribution_id, id);
    // moto: in progress on creation, deployed from the first read on.
    assert_eq!(topology.status, DeployStatus::Deployed);
    assert!(!topology.etag.is_empty());
    let routes: Vec<(&str, &str, Option<Target>)> =
        topology.routes.iter().map(|r| (r.path.as_str(), r.origin_id.as_str(), r.target)).collect();
    // /reports/* targets the origin group, which the spec lists in neither list: shown, never moved.
    assert_eq!(
        routes,
        [
            ("/api/users/*", LEGACY, Some(Target::Origin)),
            ("/api/orders/*", APIGW, Some(Target::Lambda)),
            ("/static/*", LEGACY, Some(Target::Origin)),
            ("/reports/*", GROUP, None),
            ("*", LEGACY, Some(Target::Origin)),
        ]
    );
    let reports = topology.route("/reports/*").unwrap();
    assert!(reports.not_switchable().unwrap().contains("origin group"), "{:?}", reports.pair);
    let orders = topology.route("/api/orders/*").unwrap().switchable().unwrap();
    assert_eq!((orders.1.lambda.as_str(), orders.1.legacy.as_str()), (APIGW, LEGACY));

    switch_routes(&cp, &id, &[change("/api/users/*", LEGACY, APIGW)], |_| {}).await.unwrap();
    let topology = cp.topology().await.unwrap();
    let users = topology.routes.iter().find(|r| r.path == "/api/users/*").unwrap();
    assert_eq!((users.origin_id.as_str(), users.target), (APIGW, Some(Target::Lambda)));
}

#[tokio::test]
async fn init_writes_a_config_that_loads_validates_and_drives_a_switch() {
    let dir = TempDir::new("cutover-moto-init");
    let clients = clients(REGION);
    let id = create(&clients.cloudfront, "init").await;
    let path = dir.path().join("nested/cutover.toml");

    let written = write_config(&clients.cloudfront, &AwsApiReads::new(&clients.sdk), &id, &path, false).await.unwrap();
    assert!(written.load_error.is_none(), "{:?}", written.load_error);
    assert_eq!(written.starter.routes, 5);
    assert_eq!(written.starter.lambda_origins, [APIGW]);
    assert_eq!(written.starter.legacy_origins, [LEGACY]);
    assert_eq!(written.starter.unclassified, [GROUP]);

    let loaded = config::load(&path).unwrap();
    assert_eq!(loaded.region(), Some(REGION));
    let cp = CloudFrontControlPlane::new(clients.cloudfront.clone(), DistributionSpec::find(&loaded, &id).unwrap());
    let (live, _) = cp.get_config(&id).await.unwrap();
    let paths: Vec<String> = routes_of(&live).into_iter().map(|(path, _)| path).collect();
    validate_against(&loaded, &id, &origin_ids_of(&live), &paths).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# kind = \"rest\"\n# api_name = \"API-NAME\"\n# stage = \"prod\"\n"), "{text}");

    // The spec the file makes switches a route to Lambda and back.
    assert_eq!(cp.spec().pair_for("/static/*", LEGACY).unwrap().lambda, APIGW);
    switch_routes(&cp, &id, &[change("/static/*", LEGACY, APIGW)], |_| {}).await.unwrap();
    assert_eq!(cp.get_config(&id).await.unwrap().0, expected_with(&live, "/static/*", APIGW));

    let again =
        write_config(&clients.cloudfront, &AwsApiReads::new(&clients.sdk), &id, &path, false).await.unwrap_err();
    assert!(matches!(again, InitError::Exists(_)) && again.exit_code() == 2, "{again}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    write_config(&clients.cloudfront, &AwsApiReads::new(&clients.sdk), &id, &path, true).await.unwrap();

    let missing = write_config(
        &clients.cloudfront,
        &AwsApiReads::new(&clients.sdk),
        "E0NOSUCHDIST00",
        &dir.path().join("x.toml"),
        false,
    )
    .await;
    let missing = missing.unwrap_err();
    assert!(matches!(missing, InitError::UnknownDistribution(_)) && missing.exit_code() == 1, "{missing}");
    assert!(!dir.path().join("x.toml").exists());
}

fn run_init(home: &TempDir, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .env_remove("AWS_PROFILE")
        .arg("init")
        .args(args)
        .envs(binary_env(REGION))
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("CUTOVER_CONFIG")
        .output()
        .expect("run cutover")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn the_init_command_writes_refuses_to_overwrite_and_needs_a_distribution() {
    let home = TempDir::new("cutover-moto-init-bin");
    let id = create(&clients(REGION).cloudfront, "init-bin").await;
    let path = home.path().join("cutover.toml");
    let output = path.to_str().unwrap();

    let ok = run_init(&home, &["--distribution", &id, "--output", output]);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "stderr: {}", stderr(&ok));
    assert!(stdout.starts_with(&format!("wrote {output} for distribution {id}: 5 routes;")), "{stdout}");
    assert!(
        stdout.contains("Lambda origins: apigw; legacy origins: legacy-elb; in neither list: failover"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("then run `cutover --config {output}`")), "{stdout}");
    assert!(stderr(&ok).contains("origin group `failover` mixes Lambda and other origins"), "{}", stderr(&ok));
    config::load(&path).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();

    let refused = run_init(&home, &["--distribution", &id, "--output", output]);
    assert_eq!(refused.status.code(), Some(2), "stderr: {}", stderr(&refused));
    assert_eq!(
        stderr(&refused).trim_end(),
        format!("cutover: {output} already exists; pass --force to overwrite it, or --output PATH to write elsewhere")
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);

    let forced = run_init(&home, &["--distribution", &id, "--output", output, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "stderr: {}", stderr(&forced));

    // --config names the output when --output does not.
    let via_config = home.path().join("via-config.toml");
    let configured = run_init(&home, &["--distribution", &id, "--config", via_config.to_str().unwrap()]);
    assert_eq!(configured.status.code(), Some(0), "stderr: {}", stderr(&configured));
    let next = format!("then run `cutover --config {}`", via_config.display());
    assert!(String::from_utf8_lossy(&configured.stdout).contains(&next), "{:?}", configured.stdout);
    config::load(&via_config).unwrap();

    let no_id = run_init(&home, &["--output", output]);
    assert_eq!(no_id.status.code(), Some(2), "stderr: {}", stderr(&no_id));
    let message = stderr(&no_id);
    assert!(message.starts_with("cutover: cutover init needs the distribution to read: pass --distribution ID"));
    assert_eq!(message.lines().count(), 1, "{message}");

    let unknown = run_init(
        &home,
        &["--distribution", "E0NOSUCHDIST00", "--output", home.path().join("u.toml").to_str().unwrap()],
    );
    assert_eq!(unknown.status.code(), Some(1), "stderr: {}", stderr(&unknown));
    assert!(stderr(&unknown).contains("distribution E0NOSUCHDIST00 does not exist"), "{}", stderr(&unknown));
}

#[tokio::test]
async fn init_without_a_lambda_origin_writes_the_file_and_says_what_to_fix() {
    let home = TempDir::new("cutover-moto-init-no-lambda");
    let mut config = rich_config(&reference("init-no-lambda"));
    config.origins.as_mut().unwrap().items[0].domain_name = "api.internal.example.com".into();
    let out = clients(REGION).cloudfront.create_distribution().distribution_config(config).send().await.unwrap();
    let id = out.distribution.unwrap().id;
    let path = home.path().join("cutover.toml");

    let run = run_init(&home, &["--distribution", &id, "--output", path.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "stderr: {}", stderr(&run));
    let (stdout, stderr) = (String::from_utf8_lossy(&run.stdout), stderr(&run));
    assert!(stdout.contains("Lambda origins: none; legacy origins: legacy-elb, apigw, failover"), "{stdout}");
    assert!(stdout.contains(&format!("next: edit {} as the warning above says", path.display())), "{stdout}");
    assert!(
        stderr.contains(&format!("cutover: warning: no origin of distribution {id} looks like API Gateway")),
        "{stderr}"
    );
    let load = config::load(&path).unwrap_err();
    assert!(load.to_string().contains("has no lambda_origins; add lambda_origins = ["), "{load}");
    assert!(stderr.contains(&format!("as written, the file does not load yet: {load}")), "{stderr}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# WARNING: no origin of distribution") && text.contains("lambda_origins = []"), "{text}");
}
