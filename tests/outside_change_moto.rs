//! A change made outside cutover, on the live path (issue 23): the console's own runtime and ports
//! as `cutover` builds them for a distribution on moto's CloudFront; the route is moved with the
//! SDK directly; the next read reports it (event, banner, `status`'s list) with "who: not known
//! yet", and CloudTrail's `LookupEvents` (scripted with `aws-smithy-mocks`: no emulator records
//! CloudFront's calls) then names who, by the ETag the write produced.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::Event as TrailEvent;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cutover::app::command::Command;
use cutover::app::model::state::State;
use cutover::app::model::team::Author;
use cutover::app::runtime::Runtime;
use cutover::backend::aws::CloudTrailAuthors;
use cutover::backend::pacer::Pacer;
use cutover::clock::Clock;
use cutover::commands::live::read_distribution;
use support::Drive;
use support::emulators::{clients, create_half_migrated_distribution};

const REGION: &str = "eu-west-1";
const USERS: &str = "/api/users/*";
const TERRAFORM: &str = "arn:aws:sts::123456789012:assumed-role/ci/terraform";

/// CloudTrail's record of the write that produced `etag` on `id`, as `LookupEvents` gives it.
fn lookup(id: &str, etag: &str) -> LookupEventsOutput {
    let record = format!(
        r#"{{"eventName":"UpdateDistribution","userIdentity":{{"type":"AssumedRole","arn":"{TERRAFORM}"}},
        "userAgent":"Terraform/1.9.0","requestParameters":{{"id":"{id}"}},"responseElements":{{"eTag":"{etag}"}}}}"#
    );
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let event = TrailEvent::builder()
        .event_id("ev-1")
        .event_name("UpdateDistribution")
        .event_time(DateTime::from_secs(now))
        .cloud_trail_event(record)
        .build();
    LookupEventsOutput::builder().events(event).build()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_route_moved_with_the_sdk_is_reported_and_cloudtrail_names_who() {
    let aws = clients(REGION);
    let id = create_half_migrated_distribution(&aws.cloudfront, "outside").await;
    let config = cutover::config::parse(
        &format!("[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"),
        "outside.toml",
    )
    .unwrap();
    let mut opened = read_distribution(&config, &id, &aws, Clock::real()).await.unwrap();

    // CloudTrail answers with the write that produced the ETag moto gives the SDK's update.
    let written: Arc<Mutex<String>> = Arc::default();
    let asked = Arc::new(Mutex::new(0));
    let rule = {
        let (id, written, asked) = (id.clone(), Arc::clone(&written), Arc::clone(&asked));
        mock!(Client::lookup_events).then_compute_output(move |_| {
            *asked.lock().unwrap() += 1;
            lookup(&id, &written.lock().unwrap())
        })
    };
    let cloudtrail: Client =
        mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&rule], |c| c.retry_config(RetryConfig::disabled()));
    opened.ports.change_authors = Some(Arc::new(CloudTrailAuthors::new(cloudtrail, Arc::new(Pacer::new(2)))));

    let mut runtime = Runtime::new(vec![(State::new(opened.setup), opened.ports)], Clock::real());
    assert!(runtime.run_until(Duration::from_secs(20), |s| s.learned.topology.as_ref().is_some()).await);
    assert!(runtime.state().team.outside.is_empty(), "nothing changed yet");

    // Someone moves /api/users/* to the origin with the SDK, as the AWS console or Terraform would.
    let got = aws.cloudfront.get_distribution_config().id(&id).send().await.unwrap();
    let mut distribution = got.distribution_config.clone().unwrap();
    let behaviors = distribution.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
    behaviors.iter_mut().find(|b| b.path_pattern == USERS).unwrap().target_origin_id = "legacy".into();
    let update =
        aws.cloudfront.update_distribution().id(&id).if_match(got.e_tag().unwrap()).distribution_config(distribution);
    *written.lock().unwrap() = update.send().await.unwrap().e_tag().unwrap().to_string();

    runtime.press(Command::Refresh);
    assert!(runtime.run_until(Duration::from_secs(20), |s| !s.team.outside.is_empty()).await);
    let change = runtime.state().team.outside[0].clone();
    assert_eq!((change.route.as_str(), change.from.as_str(), change.to.as_str()), (USERS, "λ Lambda", "◼ origin"));
    assert_eq!(change.etag_after.as_deref(), Some(written.lock().unwrap().as_str()));
    let banner = runtime.state().notices.banner.clone().unwrap();
    // With the ETags on both sides when they differ (moto keeps one ETag across updates).
    assert!(banner.starts_with(&format!("{USERS} changed outside cutover: now on ◼ origin")), "{banner}");

    let known = |s: &State| matches!(&s.team.outside[0].who, Author::Known(_));
    assert!(runtime.run_until(Duration::from_secs(20), known).await, "{:?}", runtime.state().team.outside);
    assert_eq!(runtime.state().team.outside[0].who, Author::Known(TERRAFORM.into()));
    assert!(*asked.lock().unwrap() >= 1);
    let lines = support::log_lines(runtime.state());
    assert!(
        lines.iter().any(|l| l.contains(&format!("{USERS} was changed outside cutover by {TERRAFORM}"))),
        "{lines:#?}"
    );
}
