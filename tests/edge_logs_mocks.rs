//! `cutover edge-logs install` and `remove` over the real CloudFront client with `aws-smithy-mocks`
//! (no emulator has real-time log configurations): `CreateRealtimeLogConfig` refused while a new
//! role is not yet usable and asked again, `GetRealtimeLogConfig` absent then read back, a stale
//! ETag on the behaviors' update re-read, `DeleteRealtimeLogConfig` in use; and on a messy
//! distribution (an S3 origin, two ELBs, an origin group, managed policies) the whole
//! `DistributionConfig` sent is the one fetched with `RealtimeLogConfigArn` set on the chosen
//! behaviors and nothing else. Kinesis and IAM answer from memory here (`edge_logs_moto` drives
//! them against moto).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::operation::create_realtime_log_config::CreateRealtimeLogConfigOutput;
use aws_sdk_cloudfront::operation::delete_realtime_log_config::DeleteRealtimeLogConfigOutput;
use aws_sdk_cloudfront::operation::get_distribution::GetDistributionOutput;
use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput;
use aws_sdk_cloudfront::operation::get_realtime_log_config::GetRealtimeLogConfigOutput;
use aws_sdk_cloudfront::operation::update_distribution::UpdateDistributionOutput;
use aws_sdk_cloudfront::types::{
    Distribution, DistributionConfig, EndPoint, KinesisStreamConfig, OriginGroup, OriginGroupFailoverCriteria,
    OriginGroupMember, OriginGroupMembers, OriginGroups, RealtimeLogConfig, StatusCodes,
};
use aws_smithy_mocks::{MockResponse, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::backend::BackendError;
use cutover::backend::aws::DistributionSpec;
use cutover::backend::aws::edge_logs::EdgeLogControl;
use cutover::backend::edge_log_steps::{EdgeLogCalls, EdgeLogError, LogConfigRef, NewLogConfig};
use cutover::cli::{EdgeLogsAction, EdgeLogsChangeArgs, RouteChoice};
use cutover::commands::edge_logs::execute;
use cutover::commands::router::Output;
use cutover::config::EdgeLogSettings;
use cutover::edge_logs::install::{FoundBehavior, FoundLogConfig, FoundRole, FoundStream};
use support::messy::{self, ALL_VIEWER, ALL_VIEWER_EXCEPT_HOST, APIGW, ELB, ELB_2, S3};

const ID: &str = "EMOCKEDGE";
const STREAM: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/cutover-edge-EMOCKEDGE";
const CONFIG_ARN: &str = "arn:aws:cloudfront::123456789012:realtime-log-config/cutover-edge-EMOCKEDGE";

fn xml_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4f1c7a</RequestId></ErrorResponse>"#
    );
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

/// A distribution shaped like a real one: static files on S3, the monolith and an admin app on two
/// ELBs, API Gateway, an origin group failing over between the ELBs, managed policies.
fn messy_config() -> DistributionConfig {
    let member = |id: &str| OriginGroupMember::builder().origin_id(id).build().unwrap();
    let group = OriginGroup::builder()
        .id("elb-failover")
        .failover_criteria(
            OriginGroupFailoverCriteria::builder()
                .status_codes(StatusCodes::builder().quantity(2).items(502).items(503).build().unwrap())
                .build(),
        )
        .members(OriginGroupMembers::builder().quantity(2).items(member(ELB)).items(member(ELB_2)).build().unwrap())
        .build()
        .unwrap();
    let behaviors = vec![
        messy::behavior("/static/*", S3, None),
        messy::behavior("/api/*", APIGW, Some(ALL_VIEWER_EXCEPT_HOST)),
        messy::behavior("/admin/*", ELB_2, Some(ALL_VIEWER)),
        messy::behavior("/orders/*", ELB, Some(ALL_VIEWER)),
        messy::behavior("/failover/*", "elb-failover", None),
    ];
    let base = support::emulators::distribution_config("edge-mock", &[]);
    let origins = messy::origins();
    DistributionConfig::builder()
        .caller_reference("edge-mock")
        .comment(base.comment())
        .enabled(true)
        .origins(
            aws_sdk_cloudfront::types::Origins::builder()
                .quantity(origins.len() as i32)
                .set_items(Some(origins))
                .build()
                .unwrap(),
        )
        .origin_groups(OriginGroups::builder().quantity(1).items(group).build().unwrap())
        .default_cache_behavior(
            aws_sdk_cloudfront::types::DefaultCacheBehavior::builder()
                .target_origin_id(ELB)
                .viewer_protocol_policy(aws_sdk_cloudfront::types::ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id(messy::CACHING_DISABLED)
                .build()
                .unwrap(),
        )
        .cache_behaviors(
            aws_sdk_cloudfront::types::CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn log_config(fields: &[String], rate: i64, role: &str) -> RealtimeLogConfig {
    let kinesis = KinesisStreamConfig::builder().role_arn(role).stream_arn(STREAM).build().unwrap();
    RealtimeLogConfig::builder()
        .arn(CONFIG_ARN)
        .name(format!("cutover-edge-{ID}"))
        .sampling_rate(rate)
        .end_points(EndPoint::builder().stream_type("Kinesis").kinesis_stream_config(kinesis).build().unwrap())
        .set_fields(Some(fields.to_vec()))
        .build()
        .unwrap()
}

/// What the mocked CloudFront holds and was asked.
#[derive(Default)]
struct Cloud {
    config: Option<DistributionConfig>,
    etag: u32,
    log_config: Option<RealtimeLogConfig>,
    /// Each `UpdateDistribution`'s If-Match and config, in order.
    updates: Vec<(String, DistributionConfig)>,
    /// How many `UpdateDistribution` calls meet a stale ETag first.
    stale: u32,
    /// How many `CreateRealtimeLogConfig` calls meet a role CloudFront cannot use yet.
    role_not_ready: u32,
    /// `DeleteRealtimeLogConfig` says it is in use.
    in_use: bool,
    creates: u32,
    /// `UpdateDistribution` answers yes and keeps the old config.
    forget: bool,
}

fn cloudfront(cloud: &Arc<Mutex<Cloud>>) -> Client {
    let c = Arc::clone(cloud);
    let get_distribution = mock!(Client::get_distribution).then_compute_output(move |_| {
        let cloud = c.lock().unwrap();
        let distribution = Distribution::builder()
            .id(ID)
            .arn(format!("arn:aws:cloudfront::123456789012:distribution/{ID}"))
            .status("Deployed")
            .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
            .in_progress_invalidation_batches(0)
            .domain_name("d111111abcdef8.cloudfront.net")
            .distribution_config(cloud.config.clone().unwrap())
            .build()
            .unwrap();
        GetDistributionOutput::builder().distribution(distribution).e_tag(format!("E{}", cloud.etag)).build()
    });
    let c = Arc::clone(cloud);
    let get_config = mock!(Client::get_distribution_config).then_compute_output(move |_| {
        let cloud = c.lock().unwrap();
        GetDistributionConfigOutput::builder()
            .distribution_config(cloud.config.clone().unwrap())
            .e_tag(format!("E{}", cloud.etag))
            .build()
    });
    let c = Arc::clone(cloud);
    let update = mock!(Client::update_distribution).then_compute_response(move |input| {
        let mut cloud = c.lock().unwrap();
        let if_match = input.if_match().unwrap_or_default().to_string();
        cloud.updates.push((if_match.clone(), input.distribution_config().cloned().unwrap()));
        if cloud.stale > 0 {
            // Someone else wrote first.
            cloud.stale -= 1;
            cloud.etag += 1;
            return MockResponse::Http(xml_error(412, "PreconditionFailed", "The If-Match version is not valid."));
        }
        assert_eq!(if_match, format!("E{}", cloud.etag), "the update carries the ETag it read");
        if !cloud.forget {
            cloud.config = input.distribution_config().cloned();
        }
        cloud.etag += 1;
        MockResponse::Output(UpdateDistributionOutput::builder().e_tag(format!("E{}", cloud.etag)).build())
    });
    let c = Arc::clone(cloud);
    let get_log = mock!(Client::get_realtime_log_config).then_compute_response(move |input| {
        let cloud = c.lock().unwrap();
        let asked = |c: &RealtimeLogConfig| input.name() == Some(c.name()) || input.arn() == Some(c.arn());
        match cloud.log_config.clone().filter(asked) {
            Some(config) => {
                MockResponse::Output(GetRealtimeLogConfigOutput::builder().realtime_log_config(config).build())
            }
            None => MockResponse::Http(xml_error(
                404,
                "NoSuchRealtimeLogConfig",
                "The real-time log configuration does not exist.",
            )),
        }
    });
    let c = Arc::clone(cloud);
    let create_log = mock!(Client::create_realtime_log_config).then_compute_response(move |input| {
        let mut cloud = c.lock().unwrap();
        cloud.creates += 1;
        if cloud.role_not_ready > 0 {
            cloud.role_not_ready -= 1;
            return MockResponse::Http(xml_error(400, "InvalidArgument", "CloudFront could not assume the role."));
        }
        let role = input.end_points()[0].kinesis_stream_config().unwrap().role_arn().to_string();
        let made = log_config(input.fields(), input.sampling_rate().unwrap(), &role);
        cloud.log_config = Some(made.clone());
        MockResponse::Output(CreateRealtimeLogConfigOutput::builder().realtime_log_config(made).build())
    });
    let c = Arc::clone(cloud);
    let delete_log = mock!(Client::delete_realtime_log_config).then_compute_response(move |_| {
        let mut cloud = c.lock().unwrap();
        if cloud.in_use {
            return MockResponse::Http(xml_error(400, "RealtimeLogConfigInUse", "It is attached to a cache behavior."));
        }
        cloud.log_config = None;
        MockResponse::Output(DeleteRealtimeLogConfigOutput::builder().build())
    });
    mock_client!(
        aws_sdk_cloudfront,
        RuleMode::MatchAny,
        &[&get_distribution, &get_config, &update, &get_log, &create_log, &delete_log],
        |c| c.retry_config(RetryConfig::disabled())
    )
}

/// The mocked CloudFront through cutover's own calls, and Kinesis and IAM in memory.
struct World {
    cloudfront: EdgeLogControl,
    stream: Mutex<Option<FoundStream>>,
    role: Mutex<Option<FoundRole>>,
    calls: Mutex<Vec<String>>,
}

impl World {
    fn new(cloud: &Arc<Mutex<Cloud>>) -> Self {
        let nowhere = support::emulators::sdk_config("http://127.0.0.1:1", "us-east-1");
        let mut control = EdgeLogControl::new(
            cloudfront(cloud),
            aws_sdk_kinesis::Client::new(&nowhere),
            aws_sdk_iam::Client::new(&nowhere),
            ID,
        );
        control.poll_every = Duration::ZERO;
        World { cloudfront: control, stream: Mutex::default(), role: Mutex::default(), calls: Mutex::default() }
    }

    fn called(&self, call: &str) {
        self.calls.lock().unwrap().push(call.to_string());
    }
}

#[async_trait]
impl EdgeLogCalls for World {
    type Config = DistributionConfig;

    fn distribution_id(&self) -> &str {
        ID
    }
    fn polls(&self) -> u32 {
        3
    }
    async fn pause(&self) {}
    async fn create_stream(&self, name: &str) -> Result<(), EdgeLogError> {
        self.called(&format!("CreateStream {name}"));
        let stream = FoundStream {
            arn: STREAM.into(),
            status: "ACTIVE".into(),
            mode: Some("ON_DEMAND".into()),
            open_shards: Some(4),
        };
        *self.stream.lock().unwrap() = Some(stream);
        Ok(())
    }
    async fn describe_stream(&self, _: &str) -> Result<Option<FoundStream>, EdgeLogError> {
        Ok(self.stream.lock().unwrap().clone())
    }
    async fn delete_stream(&self, name: &str) -> Result<(), EdgeLogError> {
        self.called(&format!("DeleteStream {name}"));
        *self.stream.lock().unwrap() = None;
        Ok(())
    }
    async fn get_role(&self, _: &str) -> Result<Option<FoundRole>, EdgeLogError> {
        Ok(self.role.lock().unwrap().clone())
    }
    async fn create_role(&self, name: &str, trust: &str) -> Result<String, EdgeLogError> {
        self.called(&format!("CreateRole {name}"));
        assert!(trust.contains("cloudfront.amazonaws.com"));
        let arn = format!("arn:aws:iam::123456789012:role/{name}");
        *self.role.lock().unwrap() = Some(FoundRole { arn: arn.clone(), has_policy: false });
        Ok(arn)
    }
    async fn put_role_policy(&self, role: &str, _: &str, document: &str) -> Result<(), EdgeLogError> {
        self.called(&format!("PutRolePolicy {role}"));
        assert!(document.contains(STREAM) && document.contains("kinesis:PutRecords"));
        self.role.lock().unwrap().as_mut().unwrap().has_policy = true;
        Ok(())
    }
    async fn delete_role_policy(&self, role: &str, _: &str) -> Result<(), EdgeLogError> {
        self.called(&format!("DeleteRolePolicy {role}"));
        Ok(())
    }
    async fn delete_role(&self, name: &str) -> Result<(), EdgeLogError> {
        self.called(&format!("DeleteRole {name}"));
        *self.role.lock().unwrap() = None;
        Ok(())
    }
    async fn get_log_config(&self, which: LogConfigRef<'_>) -> Result<Option<FoundLogConfig>, EdgeLogError> {
        self.cloudfront.get_log_config(which).await
    }
    async fn create_log_config(&self, new: &NewLogConfig<'_>) -> Result<FoundLogConfig, EdgeLogError> {
        self.cloudfront.create_log_config(new).await
    }
    async fn delete_log_config(&self, name: &str) -> Result<(), EdgeLogError> {
        self.cloudfront.delete_log_config(name).await
    }
    async fn distribution(&self) -> Result<(Vec<FoundBehavior>, Option<String>, Vec<(String, String)>), EdgeLogError> {
        self.cloudfront.distribution().await
    }
    async fn distribution_config(&self) -> Result<(DistributionConfig, String), EdgeLogError> {
        self.cloudfront.distribution_config().await
    }
    fn set_log_config(
        &self,
        config: &mut DistributionConfig,
        paths: &[String],
        arn: Option<&str>,
    ) -> Result<Vec<String>, String> {
        self.cloudfront.set_log_config(config, paths, arn)
    }
    fn behaviors_of(&self, config: &DistributionConfig) -> Vec<FoundBehavior> {
        self.cloudfront.behaviors_of(config)
    }
    async fn update_distribution(
        &self,
        config: DistributionConfig,
        etag: &str,
    ) -> Result<Option<String>, BackendError> {
        self.cloudfront.update_distribution(config, etag).await
    }
}

fn settings() -> EdgeLogSettings {
    EdgeLogSettings {
        stream_arn: STREAM.into(),
        realtime_log_config_arn: None,
        fields: cutover::domain::edge_log::Field::READ.iter().map(|f| f.name().to_string()).collect(),
        sampling_percent: 25,
        window: Duration::from_secs(30),
    }
}

fn spec() -> DistributionSpec {
    DistributionSpec::with_lists(ID, &[APIGW], &[ELB, ELB_2])
}

fn change(routes: &[&str], yes: bool) -> EdgeLogsChangeArgs {
    EdgeLogsChangeArgs { choice: RouteChoice { routes: routes.iter().map(|r| r.to_string()).collect() }, yes }
}

async fn run(world: &World, action: EdgeLogsAction) -> (Result<u8, String>, String) {
    run_with(world, &settings(), action).await
}

async fn run_with(world: &World, settings: &EdgeLogSettings, action: EdgeLogsAction) -> (Result<u8, String>, String) {
    let mut out = Output::new(Vec::new());
    let result = execute(world, settings, &spec(), &action, None, None, &mut out).await.map_err(|e| e.to_string());
    (result, String::from_utf8(out.into_inner()).unwrap())
}

/// The config with `RealtimeLogConfigArn` set to `arn` on `paths` by hand, field by field.
fn with_log_config(mut config: DistributionConfig, paths: &[&str], arn: Option<&str>) -> DistributionConfig {
    for item in config.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap() {
        if paths.contains(&item.path_pattern.as_str()) {
            item.realtime_log_config_arn = arn.map(String::from);
        }
    }
    if paths.contains(&"*") {
        config.default_cache_behavior.as_mut().unwrap().realtime_log_config_arn = arn.map(String::from);
    }
    config
}

#[tokio::test]
async fn install_on_a_messy_distribution_changes_only_the_chosen_behaviors_log_config_then_remove_undoes_it() {
    let before = messy_config();
    let cloud = Arc::new(Mutex::new(Cloud {
        config: Some(before.clone()),
        etag: 1,
        stale: 1,
        role_not_ready: 2,
        ..Cloud::default()
    }));
    let world = World::new(&cloud);

    // Without --yes: the plan, nothing changed.
    let (result, out) = run(&world, EdgeLogsAction::Install(change(&[], false))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("install plan, 5 step(s):"), "{out}");
    assert!(cloud.lock().unwrap().updates.is_empty());

    // Default choice: the switchable routes of the config (those on an ELB or API Gateway the spec
    // names), never the S3 or origin-group behaviors.
    let (result, out) = run(&world, EdgeLogsAction::Install(change(&[], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("created real-time log configuration cutover-edge-EMOCKEDGE"), "{out}");
    assert!(out.contains("read back: AWS shows the install as planned"), "{out}");
    let chosen = ["/api/*", "/admin/*", "/orders/*", "*"];
    let sent = {
        let cloud_now = cloud.lock().unwrap();
        assert_eq!(cloud_now.creates, 3, "asked again twice while the new role was not yet usable");
        let made = cloud_now.log_config.clone().unwrap();
        assert_eq!((made.sampling_rate(), made.fields().len()), (25, 6));
        assert_eq!(cloud_now.updates.len(), 2, "one stale ETag, then one update");
        assert_eq!(cloud_now.updates[0].0, "E1");
        assert_eq!(cloud_now.updates[1].0, "E2", "re-read after the stale ETag");
        cloud_now.updates[1].1.clone()
    };
    // The whole config sent is the one fetched with RealtimeLogConfigArn on the chosen behaviors.
    assert_eq!(sent, with_log_config(before.clone(), &chosen, Some(CONFIG_ARN)));
    assert!(sent.origin_groups().is_some() && sent.origins().unwrap().quantity() == 4);
    let calls = world.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            "CreateStream cutover-edge-EMOCKEDGE",
            "CreateRole cutover-edge-EMOCKEDGE",
            "PutRolePolicy cutover-edge-EMOCKEDGE"
        ]
    );

    // Again: nothing to do.
    let (result, out) = run(&world, EdgeLogsAction::Install(change(&[], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("nothing to do"), "{out}");

    // Remove while CloudFront still has it in use: a clear message, the detach stays done.
    cloud.lock().unwrap().in_use = true;
    let (result, out) = run(&world, EdgeLogsAction::Remove(change(&[], true))).await;
    let error = result.unwrap_err();
    assert!(error.contains("still in use") && error.contains("the 1 step(s) before it stay done"), "{error}\n{out}");
    assert_eq!(cloud.lock().unwrap().config.clone().unwrap(), before, "the detach restored the config exactly");

    cloud.lock().unwrap().in_use = false;
    let (result, out) = run(&world, EdgeLogsAction::Remove(change(&[], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("read back: AWS shows the remove as planned"), "{out}");
    assert!(cloud.lock().unwrap().log_config.is_none());
    let calls = world.calls.lock().unwrap().clone();
    assert_eq!(
        calls[3..],
        [
            "DeleteRolePolicy cutover-edge-EMOCKEDGE",
            "DeleteRole cutover-edge-EMOCKEDGE",
            "DeleteStream cutover-edge-EMOCKEDGE"
        ]
    );
}

#[tokio::test]
async fn a_behavior_named_with_route_is_the_only_one_changed() {
    let before = messy_config();
    let cloud = Arc::new(Mutex::new(Cloud { config: Some(before.clone()), etag: 1, ..Cloud::default() }));
    let world = World::new(&cloud);
    let (result, out) = run(&world, EdgeLogsAction::Install(change(&["/static/*"], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    let after = cloud.lock().unwrap().config.clone().unwrap();
    assert_eq!(after, with_log_config(before, &["/static/*"], Some(CONFIG_ARN)));
}

#[tokio::test]
async fn an_update_the_read_back_does_not_show_fails() {
    let before = messy_config();
    // CloudFront takes the update but the config read back does not have it.
    let cloud = Arc::new(Mutex::new(Cloud { config: Some(before.clone()), etag: 1, forget: true, ..Cloud::default() }));
    let world = World::new(&cloud);
    let (result, out) = run(&world, EdgeLogsAction::Install(change(&["/api/*"], true))).await;
    let error = result.unwrap_err();
    assert!(error.contains("reading it back, /api/* are not as asked"), "{error}\n{out}");
    assert!(error.contains("step 5/5 (attach) failed"), "{error}");
}

#[tokio::test]
async fn an_adopted_configuration_is_read_by_arn_put_on_behaviors_and_never_deleted() {
    const TEAM: &str = "arn:aws:cloudfront::123456789012:realtime-log-config/team-logs";
    let before = messy_config();
    let fields: Vec<String> = ["timestamp", "c-ip", "sc-status"].map(String::from).to_vec();
    let kinesis = KinesisStreamConfig::builder()
        .role_arn("arn:aws:iam::123456789012:role/team")
        .stream_arn(STREAM)
        .build()
        .unwrap();
    let team = RealtimeLogConfig::builder()
        .arn(TEAM)
        .name("team-logs")
        .sampling_rate(10)
        .end_points(EndPoint::builder().stream_type("Kinesis").kinesis_stream_config(kinesis).build().unwrap())
        .set_fields(Some(fields))
        .build()
        .unwrap();
    let cloud = Arc::new(Mutex::new(Cloud {
        config: Some(before.clone()),
        etag: 1,
        log_config: Some(team),
        ..Cloud::default()
    }));
    let world = World::new(&cloud);
    *world.stream.lock().unwrap() =
        Some(FoundStream { arn: STREAM.into(), status: "ACTIVE".into(), mode: None, open_shards: Some(1) });
    let adopted = EdgeLogSettings { realtime_log_config_arn: Some(TEAM.into()), ..settings() };

    let (result, out) = run_with(&world, &adopted, EdgeLogsAction::Install(change(&["/api/*"], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("adopting the real-time log configuration team-logs (10 % of requests)"), "{out}");
    assert!(
        out.contains("it lacks 4 of the fields cutover reads: time-taken, x-edge-location, x-edge-detailed-result-type, cache-behavior-path-pattern"),
        "{out}"
    );
    assert_eq!(cloud.lock().unwrap().creates, 0, "nothing made");
    assert!(world.calls.lock().unwrap().is_empty(), "no stream, no role");
    let after = cloud.lock().unwrap().config.clone().unwrap();
    assert_eq!(after, with_log_config(before.clone(), &["/api/*"], Some(TEAM)));

    // Remove without --route: nothing; with it: off that behavior, and the configuration stays.
    let (result, out) = run_with(&world, &adopted, EdgeLogsAction::Remove(change(&[], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    assert!(out.contains("only the behaviors named with --route"), "{out}");
    let (result, out) = run_with(&world, &adopted, EdgeLogsAction::Remove(change(&["/api/*"], true))).await;
    assert_eq!(result, Ok(0), "{out}");
    let after = cloud.lock().unwrap().config.clone().unwrap();
    assert_eq!(after, before);
    assert!(cloud.lock().unwrap().log_config.is_some(), "an adopted configuration is never deleted");
}
