//! What no emulator produces, scripted with `aws-smithy-mocks` on the real SDK client and its real
//! REST-XML error parsing: a stale ETag (412) once, a stale ETag where the route itself changed,
//! `Throttling` on `GetDistribution`, and `AccessDenied` on `UpdateDistribution`; and the live
//! start looking up the router's store: found, absent, or not allowed to look.

mod support;

use support::Drive;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::operation::describe_key_value_store::DescribeKeyValueStoreOutput;
use aws_sdk_cloudfront::operation::get_distribution::GetDistributionOutput;
use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput;
use aws_sdk_cloudfront::operation::update_distribution::UpdateDistributionOutput;
use aws_sdk_cloudfront::types::{Distribution, DistributionConfig, KeyValueStore};
use aws_smithy_mocks::{MockResponse, Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::app::command::Command;
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{Mode, MovePhase, State};
use cutover::app::runtime::Runtime;
use cutover::backend::aws::{AwsBackend, AwsClients, CloudFrontControlPlane, CloudWatchMetrics, DistributionSpec};
use cutover::backend::switch::switch_routes;
use cutover::backend::{BackendError, ControlPlane};
use cutover::clock::Clock;
use cutover::commands::live::read_distribution;
use cutover::domain::{DeployStatus, Level, RouteChange, Target};

const ID: &str = "EMOCK0CUTOVER";

fn config(orders_origin: &str) -> DistributionConfig {
    support::emulators::distribution_config("mock", &[("/orders/*", orders_origin), ("/search/*", "legacy")])
}

fn get_config(orders_origin: &'static str, etag: &'static str) -> Rule {
    mock!(Client::get_distribution_config).then_output(move || {
        GetDistributionConfigOutput::builder().distribution_config(config(orders_origin)).e_tag(etag).build()
    })
}

fn distribution(status: &str, orders_origin: &str) -> Distribution {
    Distribution::builder()
        .id(ID)
        .arn(format!("arn:aws:cloudfront::000000000000:distribution/{ID}"))
        .status(status)
        .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
        .in_progress_invalidation_batches(0)
        .domain_name("d111111abcdef8.cloudfront.net")
        .distribution_config(config(orders_origin))
        .build()
        .unwrap()
}

fn update_ok(etag: &'static str) -> Rule {
    mock!(Client::update_distribution).then_output(move || {
        UpdateDistributionOutput::builder().distribution(distribution("InProgress", "legacy")).e_tag(etag).build()
    })
}

/// An error as CloudFront sends it: REST-XML body and status, parsed by the SDK's own deserializer.
fn xml_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(
        r#"<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>4f1c7a</RequestId></ErrorResponse>"#
    );
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

fn update_fails(status: u16, code: &'static str, message: &'static str) -> Rule {
    mock!(Client::update_distribution).then_http_response(move || xml_error(status, code, message))
}

/// A CloudFront client answering with `rules` in order; retries off so each rule is one call.
fn client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, rules, |c| c.retry_config(RetryConfig::disabled()))
}

fn spec() -> DistributionSpec {
    DistributionSpec::with_lists(ID, &["apigw"], &["legacy"])
}

fn to_origin() -> Vec<RouteChange> {
    vec![RouteChange::new("/orders/*", "apigw", "legacy", Target::Origin)]
}

#[tokio::test]
async fn a_stale_etag_is_re_read_and_the_change_re_applied_once() {
    let (first, stale, second, ok) = (
        get_config("apigw", "E1"),
        update_fails(412, "PreconditionFailed", "The If-Match version is missing or not valid for the resource."),
        get_config("apigw", "E2"),
        update_ok("E3"),
    );
    // What the distribution says after the update: read back, and handed to the caller.
    let after = mock!(Client::get_distribution).then_output(|| {
        GetDistributionOutput::builder().distribution(distribution("InProgress", "legacy")).e_tag("E3").build()
    });
    let cp = CloudFrontControlPlane::new(client(&[&first, &stale, &second, &ok, &after]), spec());
    let mut conflicts = Vec::new();
    let accepted = switch_routes(&cp, ID, &to_origin(), |etag| conflicts.push(etag.to_string())).await.unwrap();
    assert_eq!(conflicts, ["E1"], "one stale ETag, seen and reported");
    assert_eq!((accepted.etag_before.as_str(), accepted.accepted.etag.as_str()), ("E2", "E3"));
    assert_eq!([first.num_calls(), stale.num_calls(), second.num_calls(), ok.num_calls()], [1, 1, 1, 1]);
    let read_back = accepted.read_back.unwrap();
    assert_eq!((read_back.status, read_back.origin_of("/orders/*")), (DeployStatus::InProgress, Some("legacy")));
}

#[tokio::test]
async fn a_stale_etag_where_the_route_itself_changed_writes_nothing() {
    let first = get_config("apigw", "E1");
    let stale =
        update_fails(412, "PreconditionFailed", "The If-Match version is missing or not valid for the resource.");
    // Meanwhile someone pointed /orders/* at the origin themselves.
    let second = get_config("legacy-canary", "E2");
    let never = update_ok("E3");
    let cp = CloudFrontControlPlane::new(client(&[&first, &stale, &second, &never]), spec());
    let error = switch_routes(&cp, ID, &to_origin(), |_| {}).await.unwrap_err();
    assert_eq!(
        error,
        BackendError::ChangedElsewhere {
            path: "/orders/*".into(),
            expected: "apigw".into(),
            found: "legacy-canary".into()
        }
    );
    assert!(
        error
            .to_string()
            .starts_with("someone else changed the distribution: /orders/* now targets origin 'legacy-canary'")
    );
    assert_eq!(never.num_calls(), 0, "no second UpdateDistribution");
}

#[tokio::test]
async fn cloudfront_error_codes_become_the_errors_the_console_acts_on() {
    let denied = update_fails(
        403,
        "AccessDenied",
        "User: arn:aws:iam::000000000000:user/viewer is not authorized to perform: cloudfront:UpdateDistribution",
    );
    let read = get_config("apigw", "E1");
    let cp = CloudFrontControlPlane::new(client(&[&read, &denied]), spec());
    let error = switch_routes(&cp, ID, &to_origin(), |_| {}).await.unwrap_err();
    assert!(
        matches!(&error, BackendError::AccessDenied(m) if m.contains("UpdateDistribution is not allowed")),
        "{error:?}"
    );

    let throttled =
        mock!(Client::get_distribution).then_http_response(|| xml_error(400, "Throttling", "Rate exceeded"));
    let cp = CloudFrontControlPlane::new(client(&[&throttled]), spec());
    assert_eq!(cp.deploy_status(ID).await.unwrap_err(), BackendError::Throttling);
}

/// A live session whose CloudFront is `cloudfront` and whose CloudWatch and Lambda answer nothing.
fn session(cloudfront: Client) -> Runtime<AwsBackend> {
    let clock = Clock::simulated(support::start(), 1.0);
    let clients = AwsClients { cloudfront: cloudfront.clone(), ..support::emulators::unreachable_clients() };
    let config = cutover::config::parse(
        &format!("[[distribution]]\nid = \"{ID}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"),
        "mock.toml",
    )
    .unwrap();
    let metrics = CloudWatchMetrics::new(&clients, &config, ID, clock.clone());
    let backend = Arc::new(AwsBackend::new(CloudFrontControlPlane::new(cloudfront, spec()), metrics));
    let mode = Mode::Live { account: "000000000000".into(), profile: None };
    let state = State::new(Setup::new(ID, mode, "kim", clock.now()));
    Runtime::single(state, backend, clock)
}

async fn switch_orders(session: &mut Runtime<AwsBackend>) {
    assert!(session.run_until(Duration::from_secs(30), |s| s.learned.topology.is_some()).await, "topology read");
    session.press(Command::SelectFirst);
    session.press(Command::Switch);
    session.press(Command::Confirm);
}

#[tokio::test(start_paused = true)]
async fn throttled_deploy_polls_back_off_and_the_rollout_is_still_tracked_to_deployed() {
    // After the update is accepted, CloudFront throttles the next THROTTLED GetDistribution calls:
    // the read-back right after acceptance, topology reads and deploy polls all meet it.
    const THROTTLED: usize = 6;
    let accepted = Arc::new(AtomicBool::new(false));
    let throttled = Arc::new(AtomicUsize::new(0));
    let get_distribution = mock!(Client::get_distribution).then_compute_response({
        let (accepted, throttled) = (Arc::clone(&accepted), Arc::clone(&throttled));
        move |_| {
            if !accepted.load(Ordering::SeqCst) {
                let out = GetDistributionOutput::builder().distribution(distribution("Deployed", "apigw")).e_tag("E1");
                return MockResponse::Output(out.build());
            }
            if throttled.fetch_add(1, Ordering::SeqCst) < THROTTLED {
                return MockResponse::Http(xml_error(400, "Throttling", "Rate exceeded"));
            }
            let out = GetDistributionOutput::builder().distribution(distribution("Deployed", "legacy")).e_tag("E2");
            MockResponse::Output(out.build())
        }
    });
    let read = get_config("apigw", "E1");
    let update = mock!(Client::update_distribution).then_compute_output({
        let accepted = Arc::clone(&accepted);
        move |_| {
            accepted.store(true, Ordering::SeqCst);
            UpdateDistributionOutput::builder().distribution(distribution("InProgress", "legacy")).e_tag("E2").build()
        }
    });
    let cloudfront = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, &[&get_distribution, &read, &update], |c| {
        c.retry_config(RetryConfig::disabled())
    });
    let mut session = session(cloudfront);
    switch_orders(&mut session).await;
    let done = session
        .run_until(Duration::from_secs(900), |s| s.moves.first().is_some_and(|a| a.phase == MovePhase::Deployed))
        .await;
    let log = support::log_lines(session.state());
    assert!(done, "never deployed:\n{}", log.join("\n"));
    assert!(throttled.load(Ordering::SeqCst) > THROTTLED, "every throttled answer was seen");
    let waits: Vec<&str> = log
        .iter()
        .filter(|l| l.contains("deploy status") && l.contains("AWS is throttling"))
        .map(|l| l.rsplit("next try in ").next().unwrap())
        .collect();
    // Topology reads meet some of the throttling too; the deploy polls that do wait twice as long
    // each time, each pause drawn from the upper half of its step (jitter): 20 s, 40 s, 80 s, 160 s.
    assert!(waits.len() >= 2, "{log:#?}");
    for (failures, wait) in waits.iter().enumerate() {
        let step = 20 << failures;
        let secs = seconds_of(wait);
        assert!(
            step / 2 <= secs && secs <= step,
            "wait {} is {wait}, outside {}..={step} s: {log:#?}",
            failures + 1,
            step / 2
        );
    }
    assert!(log.iter().any(|l| l.starts_with("INFO /orders/* Deployed after ")), "{log:#?}");
    assert_eq!(session.state().route("/orders/*").unwrap().target, Some(Target::Origin));
}

#[tokio::test(start_paused = true)]
async fn access_denied_on_update_turns_the_console_read_only() {
    let topology = mock!(Client::get_distribution).then_output(|| {
        GetDistributionOutput::builder().distribution(distribution("Deployed", "apigw")).e_tag("E1").build()
    });
    let read = get_config("apigw", "E1");
    let denied = update_fails(
        403,
        "AccessDenied",
        "User: arn:aws:iam::000000000000:user/viewer is not authorized to perform: cloudfront:UpdateDistribution",
    );
    let mut session = session(client(&[&topology, &read, &denied]));
    switch_orders(&mut session).await;
    let failed = session
        .run_until(Duration::from_secs(60), |s| s.moves.first().is_some_and(|a| a.phase == MovePhase::Failed))
        .await;
    assert!(failed);
    assert!(session.state().read_only.is_some(), "read-only after AccessDenied");
    assert_eq!(session.state().route("/orders/*").unwrap().target, Some(Target::Lambda), "nothing changed");
    let log = support::log_lines(session.state());
    assert!(log.iter().any(|l| l.contains("failed: access denied: UpdateDistribution is not allowed (AccessDenied: User: arn:aws:iam::000000000000:user/viewer is not authorized")), "{log:#?}");
    // The switch key now explains instead of asking.
    session.press(Command::Switch);
    assert!(support::log_lines(session.state()).last().unwrap().contains("the console is read-only"));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_one_short_network_error() {
    let clients = support::emulators::unreachable_clients();
    let cp = CloudFrontControlPlane::new(clients.cloudfront, spec());
    let error = cp.deploy_status(ID).await.unwrap_err();
    assert!(error.is_transient());
    let text = error.to_string();
    assert!(text.starts_with("network error: GetDistribution could not reach AWS ("), "{text}");
    assert!(text.contains("Connection refused") && text.len() < 160, "{text}");
}

/// `"1m 20s"` → 80, `"17s"` → 17: a pause as the event log writes it.
fn seconds_of(text: &str) -> u64 {
    text.split(' ')
        .map(|part| match part.strip_suffix('m') {
            Some(minutes) => minutes.parse::<u64>().unwrap() * 60,
            None => part.trim_end_matches('s').parse::<u64>().unwrap(),
        })
        .sum()
}

/// `read_distribution` on a CloudFront that answers `GetDistribution` and then `store` for the
/// router's store; STS, CloudWatch and Lambda answer nothing.
async fn opened_with_store(store: Rule) -> cutover::commands::live::Opened {
    let read = mock!(Client::get_distribution).then_output(|| {
        GetDistributionOutput::builder().distribution(distribution("Deployed", "apigw")).e_tag("E1").build()
    });
    let clients = AwsClients { cloudfront: client(&[&read, &store]), ..support::emulators::unreachable_clients() };
    let config = cutover::config::parse(
        &format!("[[distribution]]\nid = \"{ID}\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"),
        "mock.toml",
    )
    .unwrap();
    let opened = read_distribution(&config, ID, &clients, Clock::simulated(support::start(), 1.0)).await.unwrap();
    assert_eq!(store.num_calls(), 1, "one DescribeKeyValueStore, by the store's name");
    opened
}

fn store_lines(opened: &cutover::commands::live::Opened) -> Vec<String> {
    opened
        .setup
        .log
        .iter()
        .filter(|e| e.message.contains("router shares") || e.message.contains("router's store"))
        .map(|e| e.message.clone())
        .collect()
}

#[tokio::test]
async fn the_live_start_finds_the_routers_store_and_a_failed_look_up_is_a_line_not_a_refusal() {
    let store_in = |status: &'static str| {
        mock!(Client::describe_key_value_store)
            .match_requests(|r| r.name() == Some(&format!("cutover-{ID}")))
            .then_output(move || {
                let store = KeyValueStore::builder()
                    .name(format!("cutover-{ID}"))
                    .id("327284aa-bcd5-499f-a3ff-26b9a9d31b58")
                    .comment("")
                    .arn("arn:aws:cloudfront::000000000000:key-value-store/327284aa-bcd5-499f-a3ff-26b9a9d31b58")
                    .status(status)
                    .last_modified_time(aws_sdk_cloudfront::primitives::DateTime::from_secs(0))
                    .build()
                    .unwrap();
                DescribeKeyValueStoreOutput::builder().key_value_store(store).e_tag("ETVPDKIKX0DER").build()
            })
    };
    let opened = opened_with_store(store_in("READY")).await;
    assert!(opened.ports.share_store.is_some());
    assert!(store_lines(&opened).is_empty(), "{:?}", store_lines(&opened));
    // Edge numbers and concurrency, and with the router its function's health: four more a refresh.
    assert_eq!(opened.setup.metrics_per_refresh, Some(3 + 4));

    let opened = opened_with_store(store_in("PROVISIONING")).await;
    assert!(opened.ports.share_store.is_none(), "a store not READY cannot be read yet");
    assert_eq!(
        store_lines(&opened),
        [format!(
            "router shares are off: its store cutover-{ID} is PROVISIONING, not READY; run `cutover router install` to finish it"
        )]
    );

    let absent = mock!(Client::describe_key_value_store)
        .then_http_response(|| xml_error(404, "EntityNotFound", "The specified key value store does not exist."));
    let opened = opened_with_store(absent).await;
    assert!(opened.ports.share_store.is_none(), "no router, no store");
    assert!(store_lines(&opened).is_empty(), "nothing to say without the router: {:?}", store_lines(&opened));
    assert_eq!(opened.setup.metrics_per_refresh, Some(3), "no router, no router metrics");

    let denied = mock!(Client::describe_key_value_store).then_http_response(|| {
        xml_error(403, "AccessDenied", "User: arn:aws:iam::000000000000:user/viewer is not authorized")
    });
    let opened = opened_with_store(denied).await;
    // A lookup that fails is not "no router": the shares are unknown, so a store stands in whose
    // every read fails with why (unknown is not healthy).
    let store = opened.ports.share_store.as_ref().expect("a failed lookup is an unreadable store, not no router");
    let read = cutover::backend::share::ShareStore::read(store.as_ref())
        .await
        .expect_err("every read of a store that could not be found fails");
    assert!(read.to_string().contains("looking up the store failed: access denied"), "{read}");
    let lines = store_lines(&opened);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("looking up the router's store failed: access denied"), "{}", lines[0]);
    assert!(lines[0].contains("grant the IAM action cloudfront:DescribeKeyValueStore"), "{}", lines[0]);
    let entry = opened.setup.log.iter().find(|e| e.message == lines[0]).unwrap();
    assert_eq!(entry.level, Level::Warn);
}
