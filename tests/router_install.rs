//! `cutover router install | remove` against the real CloudFront client with scripted answers
//! (`aws-smithy-mocks`, in sequence, so the order of the calls is part of what is checked), and the
//! real KeyValueStore client against the data-plane fake of `tests/support/fake_cloudfront.rs`: no
//! emulator implements CloudFront Functions or KeyValueStores, and moto drops function
//! associations. A fresh install runs its steps in order with the right inputs, writes the index
//! and a share-0 record per routed behavior before the function is tested on a routed path, and
//! changes only the chosen behaviors' function associations; a second install is a no-op; a record
//! with a share is never lowered; an index that disagrees is named by status and mended by install;
//! someone else's viewer-request function is refused before anything is created; remove undoes it
//! in order.

mod support;

use std::sync::{Arc, Mutex};

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::retry::RetryConfig;
use aws_sdk_cloudfront::operation::create_function::CreateFunctionOutput;
use aws_sdk_cloudfront::operation::create_key_value_store::CreateKeyValueStoreOutput;
use aws_sdk_cloudfront::operation::delete_function::DeleteFunctionOutput;
use aws_sdk_cloudfront::operation::delete_key_value_store::DeleteKeyValueStoreOutput;
use aws_sdk_cloudfront::operation::describe_function::DescribeFunctionOutput;
use aws_sdk_cloudfront::operation::describe_key_value_store::DescribeKeyValueStoreOutput;
use aws_sdk_cloudfront::operation::get_distribution::GetDistributionOutput;
use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigOutput;
use aws_sdk_cloudfront::operation::get_function::GetFunctionOutput;
use aws_sdk_cloudfront::operation::publish_function::PublishFunctionOutput;
use aws_sdk_cloudfront::operation::test_function::TestFunctionOutput;
use aws_sdk_cloudfront::operation::update_distribution::UpdateDistributionOutput;
use aws_sdk_cloudfront::operation::update_function::UpdateFunctionOutput;
use aws_sdk_cloudfront::primitives::{Blob, DateTime};
use aws_sdk_cloudfront::types::{
    Distribution, DistributionConfig, EventType, FunctionAssociation, FunctionAssociations, FunctionConfig,
    FunctionMetadata, FunctionRuntime, FunctionStage, FunctionSummary, KeyValueStore, KeyValueStoreAssociation,
    KeyValueStoreAssociations, TestResult,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::audit::{AuditLog, AuditRecord, Outcome, RecordKind};
use cutover::backend::aws::DistributionSpec;
use cutover::backend::aws::router::RouterControl;
use cutover::cli::{RouteChoice, RouterAction, RouterChangeArgs};
use cutover::commands::headless::HeadlessError;
use cutover::commands::router::{Audit, Output, execute};
use cutover::router::{ROUTER_JS, RouteRecord, index_entries};
use support::fake_cloudfront::FakeCloudFront;

const ID: &str = "EMOCKROUTER";
const STORE: &str = "cutover-EMOCKROUTER";
const FUNCTION: &str = "cutover-router-EMOCKROUTER";
const STORE_ARN: &str = "arn:aws:cloudfront::000000000000:key-value-store/0f1e2d3c";
const FUNCTION_ARN: &str = "arn:aws:cloudfront::000000000000:function/cutover-router-EMOCKROUTER";
const FOREIGN_ARN: &str = "arn:aws:cloudfront::000000000000:function/auth-check";

/// `/orders/*` on API Gateway, `/search/*` and the default on the monolith, and `/static/*` on
/// the monolith with a viewer-response function that must survive everything.
fn config(viewer_request: &[(&str, &str)]) -> DistributionConfig {
    let mut config = support::emulators::distribution_config(
        "mock",
        &[("/orders/*", "apigw"), ("/search/*", "legacy"), ("/static/*", "legacy")],
    );
    let items = config.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
    items[2].function_associations =
        Some(functions(&[("arn:aws:cloudfront::000000000000:function/headers", EventType::ViewerResponse)]));
    for (path, arn) in viewer_request {
        if *path == "*" {
            config.default_cache_behavior.as_mut().unwrap().function_associations =
                Some(functions(&[(arn, EventType::ViewerRequest)]));
        } else {
            let items = config.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
            let b = items.iter_mut().find(|b| b.path_pattern == *path).unwrap();
            b.function_associations = Some(functions(&[(arn, EventType::ViewerRequest)]));
        }
    }
    config
}

fn functions(list: &[(&str, EventType)]) -> FunctionAssociations {
    let mut f = FunctionAssociations::builder().quantity(list.len() as i32).build().unwrap();
    f.items = Some(
        list.iter()
            .map(|(arn, e)| FunctionAssociation::builder().function_arn(*arn).event_type(e.clone()).build().unwrap())
            .collect(),
    );
    f
}

fn xml_error(status: u16, code: &str) -> HttpResponse {
    let body = format!(
        r#"<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{code}</Message></Error><RequestId>4f1c7a</RequestId></ErrorResponse>"#
    );
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

fn store(status: &str) -> KeyValueStore {
    KeyValueStore::builder()
        .name(STORE)
        .id("0f1e2d3c")
        .comment("cutover router store")
        .arn(STORE_ARN)
        .status(status)
        .last_modified_time(DateTime::from_secs(0))
        .build()
        .unwrap()
}

fn summary(stage: FunctionStage) -> FunctionSummary {
    let kvs = KeyValueStoreAssociations::builder()
        .quantity(1)
        .items(KeyValueStoreAssociation::builder().key_value_store_arn(STORE_ARN).build().unwrap())
        .build()
        .unwrap();
    FunctionSummary::builder()
        .name(FUNCTION)
        .function_config(
            FunctionConfig::builder()
                .comment("cutover router")
                .runtime(FunctionRuntime::CloudfrontJs20)
                .key_value_store_associations(kvs)
                .build()
                .unwrap(),
        )
        .function_metadata(
            FunctionMetadata::builder()
                .function_arn(FUNCTION_ARN)
                .stage(stage)
                .last_modified_time(DateTime::from_secs(0))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// GetDistribution, as `router` reads the behaviors with the distribution's status.
fn get_distribution(config: DistributionConfig, etag: &'static str) -> Rule {
    mock!(Client::get_distribution).then_output(move || {
        let distribution = Distribution::builder()
            .id(ID)
            .arn(format!("arn:aws:cloudfront::000000000000:distribution/{ID}"))
            .status("Deployed")
            .last_modified_time(DateTime::from_secs(0))
            .in_progress_invalidation_batches(0)
            .domain_name("d111111abcdef8.cloudfront.net")
            .distribution_config(config.clone())
            .build()
            .unwrap();
        GetDistributionOutput::builder().distribution(distribution).e_tag(etag).build()
    })
}

fn get_config(config: DistributionConfig, etag: &'static str) -> Rule {
    mock!(Client::get_distribution_config).then_output(move || {
        GetDistributionConfigOutput::builder().distribution_config(config.clone()).e_tag(etag).build()
    })
}

/// The reads of a fresh account: no store, no function.
fn reads_fresh(config: DistributionConfig) -> Vec<Rule> {
    vec![
        mock!(Client::describe_key_value_store)
            .match_requests(|r| r.name() == Some(STORE))
            .then_http_response(|| xml_error(404, "EntityNotFound")),
        mock!(Client::describe_function)
            .match_requests(|r| r.name() == Some(FUNCTION))
            .then_http_response(|| xml_error(404, "NoSuchFunctionExists")),
        get_distribution(config, "E1"),
    ]
}

/// The reads of a complete install.
fn reads_installed(config: DistributionConfig) -> Vec<Rule> {
    vec![
        mock!(Client::describe_key_value_store).then_output(|| {
            DescribeKeyValueStoreOutput::builder().key_value_store(store("READY")).e_tag("EKVS").build()
        }),
        mock!(Client::describe_function).then_output(|| {
            DescribeFunctionOutput::builder().function_summary(summary(FunctionStage::Development)).e_tag("EF2").build()
        }),
        mock!(Client::get_function)
            .match_requests(|r| r.stage() == Some(&FunctionStage::Development))
            .then_output(|| GetFunctionOutput::builder().function_code(Blob::new(ROUTER_JS)).e_tag("EF2").build()),
        mock!(Client::get_function)
            .match_requests(|r| r.stage() == Some(&FunctionStage::Live))
            .then_output(|| GetFunctionOutput::builder().function_code(Blob::new(ROUTER_JS)).e_tag("EF3").build()),
        get_distribution(config, "E2"),
    ]
}

fn client(rules: &[Rule]) -> Client {
    let refs: Vec<&Rule> = rules.iter().collect();
    mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, &refs, |c| c.retry_config(RetryConfig::disabled()))
}

/// The store's data plane: the fake, holding `items` in the store the scripted answers name.
async fn data_plane(items: &[(&str, &str)]) -> FakeCloudFront {
    let fake = FakeCloudFront::start(None).await;
    fake.add_store(STORE, STORE_ARN, items);
    fake
}

/// A record as install writes it for the routes of `config`: Lambda `apigw`, home `legacy`.
fn record(share: u8) -> String {
    RouteRecord::new(share, "apigw", "legacy", None).unwrap().encode().unwrap()
}

/// The keys of a store in which `routes` are routed, each at share 0.
fn routed_keys(routes: &[&str]) -> Vec<(String, String)> {
    let patterns: Vec<String> = routes.iter().map(|r| r.to_string()).collect();
    let mut keys = index_entries(&patterns).unwrap();
    keys.extend(routes.iter().map(|r| (format!("route:{r}"), record(0))));
    keys
}

fn refs(keys: &[(String, String)]) -> Vec<(&str, &str)> {
    keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn control(client: Client, fake: &FakeCloudFront) -> RouterControl {
    let sdk = support::emulators::sdk_config(&fake.data_endpoint(), "eu-west-1");
    let kvs = cutover::backend::aws::clients::key_value_store_client(&sdk);
    let mut control = RouterControl::new(client, ID).with_key_value_store(kvs);
    control.poll_every = std::time::Duration::ZERO;
    control
}

fn spec() -> DistributionSpec {
    DistributionSpec::with_lists(ID, &["apigw"], &["legacy"])
}

fn install(routes: &[&str], yes: bool) -> RouterAction {
    RouterAction::Install(RouterChangeArgs {
        choice: RouteChoice { routes: routes.iter().map(|r| r.to_string()).collect() },
        yes,
    })
}

fn remove(yes: bool) -> RouterAction {
    RouterAction::Remove(RouterChangeArgs { choice: RouteChoice::default(), yes })
}

/// A fresh audit trail in the temporary directory.
fn audit(name: &str) -> Audit {
    let path = std::env::temp_dir().join(format!("cutover-router-{name}-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    Audit { log: AuditLog::at(path), caller_arn: Some("arn:aws:iam::000000000000:user/ana".into()), clock: None }
}

fn records(audit: &Audit) -> Vec<AuditRecord> {
    std::fs::read_to_string(audit.log.path())
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn run(
    control: &RouterControl,
    action: &RouterAction,
    audit: Option<&Audit>,
) -> (Result<u8, HeadlessError>, String) {
    let mut out = Output::new(Vec::new());
    let result = execute(control, &spec(), action, audit, &mut out).await;
    (result, String::from_utf8(out.into_inner()).unwrap())
}

// Long: one scripted call per rule, in order, each checking its input.
#[tokio::test]
async fn a_fresh_install_runs_every_step_in_order_and_changes_only_the_chosen_behaviors() {
    let sent: Arc<Mutex<Option<(DistributionConfig, String)>>> = Arc::default();
    let captured = sent.clone();
    let mut rules = reads_fresh(config(&[]));
    rules.extend([
        mock!(Client::create_key_value_store).match_requests(|r| r.name() == Some(STORE)).then_output(|| {
            CreateKeyValueStoreOutput::builder().key_value_store(store("PROVISIONING")).e_tag("EK0").build()
        }),
        mock!(Client::describe_key_value_store).then_output(|| {
            DescribeKeyValueStoreOutput::builder().key_value_store(store("READY")).e_tag("EK1").build()
        }),
        mock!(Client::create_function)
            .match_requests(|r| {
                let config = r.function_config().unwrap();
                let kvs = config.key_value_store_associations().unwrap().items();
                r.name() == Some(FUNCTION)
                    && r.function_code().map(|c| c.as_ref()) == Some(ROUTER_JS.as_bytes())
                    && config.runtime() == &FunctionRuntime::CloudfrontJs20
                    && kvs.len() == 1
                    && kvs[0].key_value_store_arn() == STORE_ARN
            })
            .then_output(|| {
                CreateFunctionOutput::builder()
                    .function_summary(summary(FunctionStage::Development))
                    .e_tag("EF1")
                    .build()
            }),
        mock!(Client::test_function)
            .match_requests(|r| r.if_match() == Some("EF1") && r.stage() == Some(&FunctionStage::Development))
            .sequence()
            .output(|| {
                TestFunctionOutput::builder()
                    .test_result(
                        TestResult::builder()
                            .compute_utilization("12")
                            .function_execution_logs("cutover-router: route:/orders/* share 0 -> home")
                            .build(),
                    )
                    .build()
            })
            .times(3)
            .build(),
        mock!(Client::publish_function)
            .match_requests(|r| r.name() == Some(FUNCTION) && r.if_match() == Some("EF1"))
            .then_output(|| PublishFunctionOutput::builder().function_summary(summary(FunctionStage::Live)).build()),
        get_config(config(&[]), "E1"),
        mock!(Client::update_distribution).then_compute_output(move |input| {
            *captured.lock().unwrap() =
                Some((input.distribution_config().unwrap().clone(), input.if_match().unwrap().to_string()));
            UpdateDistributionOutput::builder().e_tag("E2").build()
        }),
    ]);
    // The service made the store (the scripted CreateKeyValueStore): its data plane starts empty.
    let fake = data_plane(&[]).await;
    let control = control(client(&rules), &fake);
    let trail = audit("fresh");
    let (result, printed) = run(&control, &install(&["/orders/*", "*"], true), Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    for rule in &rules {
        assert!(rule.num_calls() > 0, "a scripted call was not made:\n{printed}");
    }
    assert_eq!(rules[6].num_calls(), 3, "TestFunction on a routed path and both sample events");
    assert!(printed.contains("step 1/6: create KeyValueStore cutover-EMOCKROUTER"), "{printed}");
    assert!(printed.contains("step 2/6: one UpdateKeys on KeyValueStore cutover-EMOCKROUTER"), "{printed}");
    assert!(printed.contains("the function read route:/orders/* and chose as its record says"), "{printed}");
    assert!(printed.contains("compute utilization 12 %"), "{printed}");
    assert!(printed.contains("step 6/6: one UpdateDistribution"), "{printed}");
    // The store holds the index, in the distribution's order, and a share-0 record for each.
    let items = fake.items(STORE);
    assert_eq!(items.get("routes").map(String::as_str), Some(r#"{"v":1,"routes":["/orders/*","*"]}"#));
    assert_eq!(items.get("route:/orders/*"), Some(&record(0)));
    assert_eq!(items.get("route:*"), Some(&record(0)));
    assert_eq!(items.len(), 3);
    let writes: Vec<String> = fake.calls().into_iter().filter(|c| c.starts_with("POST")).collect();
    assert_eq!(writes.len(), 1, "one UpdateKeys: {writes:?}");

    let (body, if_match) = sent.lock().unwrap().take().expect("one UpdateDistribution");
    assert_eq!(if_match, "E1");
    let mut expected = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    assert_eq!(body, expected, "only the chosen behaviors' FunctionAssociations changed");
    // And the difference from what was fetched is exactly those two associations.
    expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap()[0].function_associations =
        config(&[]).cache_behaviors.unwrap().items.unwrap()[0].function_associations.clone();
    expected.default_cache_behavior.as_mut().unwrap().function_associations = None;
    assert_eq!(expected, config(&[]));

    let kinds: Vec<(RecordKind, Option<Outcome>)> = records(&trail).iter().map(|r| (r.kind, r.outcome)).collect();
    assert_eq!(kinds, vec![(RecordKind::RouterStep, Some(Outcome::Accepted)); 6]);
    assert!(records(&trail)[1].message.as_deref().unwrap().starts_with("install write_keys"));
    let last = records(&trail).pop().unwrap();
    assert_eq!(last.routes, ["/orders/*", "*"]);
    assert_eq!((last.etag_before.as_deref(), last.etag_after.as_deref()), (Some("E1"), Some("E2")));
    assert!(last.message.unwrap().starts_with("install associate"));
}

#[tokio::test]
async fn a_second_install_changes_nothing() {
    let installed = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    let rules = reads_installed(installed);
    let keys = routed_keys(&["/orders/*", "*"]);
    let fake = data_plane(&refs(&keys)).await;
    let control = control(client(&rules), &fake);
    let trail = audit("second");
    let (result, printed) = run(&control, &install(&["/orders/*", "*"], true), Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    assert!(printed.contains("nothing to do"), "{printed}");
    assert!(records(&trail).is_empty(), "nothing written, nothing recorded");
    // Status agrees: association, index and record, for both.
    let rules = reads_installed(config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]));
    let status = RouterAction::Status(cutover::cli::RouterStatusArgs {
        choice: RouteChoice { routes: vec!["/orders/*".into(), "*".into()] },
        json: false,
    });
    let (result, printed) = run(&control_of(&rules, &fake), &status, None).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    assert!(printed.contains("LIVE matches the embedded router.js"), "{printed}");
    assert!(
        printed.contains("behavior  /orders/* [wanted]: runs the router; the index lists it; record: 0 % to apigw"),
        "{printed}"
    );
}

fn control_of(rules: &[Rule], fake: &FakeCloudFront) -> RouterControl {
    control(client(rules), fake)
}

#[tokio::test]
async fn someone_elses_viewer_request_function_is_refused_before_anything_is_created() {
    // Only the reads are scripted: any create call would find no rule and fail the test.
    let rules = reads_fresh(config(&[("/search/*", FOREIGN_ARN)]));
    let trail = audit("foreign");
    let fake = data_plane(&[]).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&[], true), Some(&trail)).await;
    let error = result.unwrap_err();
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(message.starts_with("nothing was changed: /search/* already has a viewer-request function"), "{message}");
    assert!(message.contains(FOREIGN_ARN) && message.contains("one per event type"), "{message}");
    assert!(records(&trail).is_empty());
    assert!(printed.contains("refused:"), "{printed}");
}

#[tokio::test]
async fn without_yes_the_plan_is_printed_and_nothing_changes() {
    let rules = reads_fresh(config(&[]));
    let fake = data_plane(&[]).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&[], false), None).await;
    assert_eq!(result.unwrap(), 0);
    // Every switchable route by default: /orders/*, /search/*, /static/* and the default.
    assert!(
        printed.contains("add the router as viewer-request function to /orders/*, /search/*, /static/*, *"),
        "{printed}"
    );
    assert!(printed.contains("nothing was changed: add --yes to install the router"), "{printed}");
}

#[tokio::test]
async fn remove_takes_it_off_then_deletes_the_function_then_the_store() {
    let sent: Arc<Mutex<Option<DistributionConfig>>> = Arc::default();
    let captured = sent.clone();
    let installed = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    let mut rules = reads_installed(installed.clone());
    rules.extend([
        get_config(installed, "E2"),
        mock!(Client::update_distribution).match_requests(|r| r.if_match() == Some("E2")).then_compute_output(
            move |input| {
                *captured.lock().unwrap() = Some(input.distribution_config().unwrap().clone());
                UpdateDistributionOutput::builder().e_tag("E3").build()
            },
        ),
        mock!(Client::delete_function)
            .match_requests(|r| r.name() == Some(FUNCTION) && r.if_match() == Some("EF2"))
            .then_output(|| DeleteFunctionOutput::builder().build()),
        mock!(Client::delete_key_value_store)
            .match_requests(|r| r.name() == Some(STORE) && r.if_match() == Some("EKVS"))
            .then_output(|| DeleteKeyValueStoreOutput::builder().build()),
    ]);
    let trail = audit("remove");
    let keys = routed_keys(&["/orders/*", "*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &remove(true), Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    for rule in &rules {
        assert!(rule.num_calls() > 0, "a scripted call was not made:\n{printed}");
    }
    let body = sent.lock().unwrap().take().unwrap();
    let mut expected = config(&[]);
    // Taken off: a quantity of 0 and no items, as CloudFront sends a behavior without functions.
    let none = FunctionAssociations::builder().quantity(0).build().unwrap();
    expected.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap()[0].function_associations = Some(none.clone());
    expected.default_cache_behavior.as_mut().unwrap().function_associations = Some(none);
    assert_eq!(body, expected, "the viewer-response function on /static/* stays");
    let messages: Vec<String> = records(&trail).into_iter().map(|r| r.message.unwrap()).collect();
    assert_eq!(messages.len(), 3);
    for (message, kind) in messages.iter().zip(["dissociate", "delete_function", "delete_store"]) {
        assert!(message.starts_with(&format!("remove {kind}:")), "{messages:?}");
    }
}

#[tokio::test]
async fn access_denied_names_the_iam_action_and_is_recorded() {
    let mut rules = reads_fresh(config(&[]));
    rules.push(mock!(Client::create_key_value_store).then_http_response(|| xml_error(403, "AccessDenied")));
    let trail = audit("denied");
    let fake = data_plane(&[]).await;
    let (result, _) = run(&control_of(&rules, &fake), &install(&["/orders/*"], true), Some(&trail)).await;
    let message = result.unwrap_err().to_string();
    assert!(message.contains("grant the IAM action cloudfront:CreateKeyValueStore"), "{message}");
    assert!(message.contains("nothing was changed"), "{message}");
    let records = records(&trail);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Some(Outcome::Failed));
}

#[tokio::test]
async fn a_function_still_in_use_after_the_update_says_when_to_run_remove_again() {
    let installed = config(&[("/orders/*", FUNCTION_ARN)]);
    let mut rules = reads_installed(installed.clone());
    rules.extend([
        get_config(installed, "E2"),
        mock!(Client::update_distribution).then_output(|| UpdateDistributionOutput::builder().e_tag("E3").build()),
        mock!(Client::delete_function).then_http_response(|| xml_error(409, "FunctionInUse")),
    ]);
    let trail = audit("in-use");
    let keys = routed_keys(&["/orders/*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &remove(true), Some(&trail)).await;
    let error = result.unwrap_err();
    assert_eq!(error.exit_code(), 1);
    let message = error.to_string();
    assert!(message.contains("still in use while CloudFront deploys"), "{message}\n{printed}");
    assert!(message.contains("the 1 step(s) before it stay done"), "{message}");
    let outcomes: Vec<Option<Outcome>> = records(&trail).iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Some(Outcome::Accepted), Some(Outcome::Failed)]);
}

#[tokio::test]
async fn a_stale_etag_on_the_association_update_is_re_read_and_re_applied() {
    let mut rules = reads_installed(config(&[]));
    rules.extend([
        get_config(config(&[]), "E2"),
        mock!(Client::update_distribution)
            .match_requests(|r| r.if_match() == Some("E2"))
            .then_http_response(|| xml_error(412, "PreconditionFailed")),
        get_config(config(&[]), "E5"),
        mock!(Client::update_distribution)
            .match_requests(|r| r.if_match() == Some("E5"))
            .then_output(|| UpdateDistributionOutput::builder().e_tag("E6").build()),
    ]);
    let trail = audit("stale");
    let keys = routed_keys(&["/orders/*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*"], true), Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    let records = records(&trail);
    assert_eq!(records.len(), 1, "one step: the association");
    assert_eq!((records[0].etag_before.as_deref(), records[0].etag_after.as_deref()), (Some("E5"), Some("E6")));
}

#[tokio::test]
async fn a_function_error_in_the_test_stops_the_install_before_anything_is_published() {
    let mut rules = reads_installed(config(&[]));
    // The function's code drifted: update, then the test fails.
    rules[2] = mock!(Client::get_function)
        .match_requests(|r| r.stage() == Some(&FunctionStage::Development))
        .then_output(|| GetFunctionOutput::builder().function_code(Blob::new("// old")).e_tag("EF2").build());
    rules.extend([
        mock!(Client::update_function)
            .match_requests(|r| {
                r.if_match() == Some("EF2") && r.function_code().map(|c| c.as_ref()) == Some(ROUTER_JS.as_bytes())
            })
            .then_output(|| UpdateFunctionOutput::builder().e_tag("EF4").build()),
        mock!(Client::test_function).match_requests(|r| r.if_match() == Some("EF4")).then_output(|| {
            TestFunctionOutput::builder()
                .test_result(
                    TestResult::builder().compute_utilization("3").function_error_message("ReferenceError: x").build(),
                )
                .build()
        }),
    ]);
    let keys = routed_keys(&["/orders/*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*"], true), None).await;
    let message = result.unwrap_err().to_string();
    assert!(message.contains("ReferenceError: x") && message.contains("nothing was published"), "{message}");
    assert!(printed.contains("step 1/4: update CloudFront Function"), "{printed}");
}

#[tokio::test]
async fn status_says_what_is_missing_and_exits_3() {
    let rules = reads_fresh(config(&[]));
    let status = RouterAction::Status(cutover::cli::RouterStatusArgs { choice: RouteChoice::default(), json: true });
    let fake = data_plane(&[]).await;
    let (result, printed) = run(&control_of(&rules, &fake), &status, None).await;
    assert_eq!(result.unwrap(), 3);
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["complete"], false);
    assert_eq!(json["wanted"], serde_json::json!(["/orders/*", "/search/*", "/static/*", "*"]));
    assert_eq!(json["plan"]["steps"][0]["step"], "create_store");
}

fn status_of(routes: &[&str], json: bool) -> RouterAction {
    RouterAction::Status(cutover::cli::RouterStatusArgs {
        choice: RouteChoice { routes: routes.iter().map(|r| r.to_string()).collect() },
        json,
    })
}

#[tokio::test]
async fn status_exits_3_when_the_index_leaves_out_a_routed_behavior_and_install_mends_it() {
    let installed = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    // The index lists only /orders/*: the function would leave the default behavior's viewers alone.
    let mut keys = routed_keys(&["/orders/*"]);
    keys.push(("route:*".into(), record(0)));
    let fake = data_plane(&refs(&keys)).await;
    let rules = reads_installed(installed.clone());
    let (result, printed) = run(&control_of(&rules, &fake), &status_of(&["/orders/*", "*"], true), None).await;
    assert_eq!(result.unwrap(), 3, "{printed}");
    let json: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(json["complete"], false);
    let problems = json["problems"].to_string();
    assert!(problems.contains("* runs the router but the index does not list it"), "{problems}");
    assert_eq!(json["plan"]["steps"][0]["step"], "write_keys", "{printed}");

    let rules = reads_installed(installed.clone());
    let trail = audit("mend-index");
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*", "*"], true), Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    assert!(printed.contains("step 1/1: one UpdateKeys"), "{printed}");
    assert!(printed.contains("read back: the index lists /orders/*, *, each with a readable record"), "{printed}");
    assert_eq!(fake.items(STORE)["routes"], r#"{"v":1,"routes":["/orders/*","*"]}"#);
    assert_eq!(records(&trail).len(), 1);

    let rules = reads_installed(installed);
    let (result, printed) = run(&control_of(&rules, &fake), &status_of(&["/orders/*", "*"], false), None).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
}

#[tokio::test]
async fn install_never_lowers_a_record_with_a_share_and_mends_an_unreadable_one_at_share_0() {
    let installed = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    let keys = [
        ("route:/orders/*", record(40)),
        ("route:*", r#"{"v":1,"share":100.0,"lambda":"apigw","home":"legacy"}"#.to_string()),
    ];
    let keys: Vec<(String, String)> = keys.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let fake = data_plane(&refs(&keys)).await;
    let rules = reads_installed(installed.clone());
    let (result, printed) = run(&control_of(&rules, &fake), &status_of(&["/orders/*", "*"], false), None).await;
    assert_eq!(result.unwrap(), 3, "{printed}");
    assert!(printed.contains("problem: the record of * is unreadable"), "{printed}");
    assert!(
        printed.contains("problem: the store has no index") || printed.contains("index     the store has no index"),
        "{printed}"
    );

    let rules = reads_installed(installed);
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*", "*"], true), None).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    let items = fake.items(STORE);
    assert_eq!(items["route:/orders/*"], record(40), "a share that reads is never lowered by install");
    assert_eq!(items["route:*"], record(0), "the unreadable one is written at share 0");
    assert!(
        printed.contains("a share-0 record for * (Lambda apigw, home legacy): its record was unreadable"),
        "{printed}"
    );
}

#[tokio::test]
async fn removing_one_route_takes_it_out_of_the_index_and_deletes_its_record() {
    let installed = config(&[("/orders/*", FUNCTION_ARN), ("*", FUNCTION_ARN)]);
    let keys = routed_keys(&["/orders/*", "*"]);
    let fake = data_plane(&refs(&keys)).await;
    let mut rules = reads_installed(installed.clone());
    rules.extend([
        get_config(installed, "E2"),
        mock!(Client::update_distribution).then_output(|| UpdateDistributionOutput::builder().e_tag("E3").build()),
    ]);
    let action = RouterAction::Remove(RouterChangeArgs { choice: RouteChoice { routes: vec!["*".into()] }, yes: true });
    let trail = audit("remove-one");
    let (result, printed) = run(&control_of(&rules, &fake), &action, Some(&trail)).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    let items = fake.items(STORE);
    assert_eq!(items["routes"], r#"{"v":1,"routes":["/orders/*"]}"#);
    assert!(!items.contains_key("route:*"), "{items:?}");
    assert_eq!(items["route:/orders/*"], record(0));
    let messages: Vec<String> = records(&trail).into_iter().map(|r| r.message.unwrap()).collect();
    assert!(messages[1].starts_with("remove write_keys"), "{messages:?}");
}

#[tokio::test]
async fn a_test_whose_logs_do_not_show_the_record_read_stops_the_install_before_publish() {
    let mut rules = reads_installed(config(&[]));
    rules[2] = mock!(Client::get_function)
        .match_requests(|r| r.stage() == Some(&FunctionStage::Development))
        .then_output(|| GetFunctionOutput::builder().function_code(Blob::new("// old")).e_tag("EF2").build());
    rules.extend([
        mock!(Client::update_function).then_output(|| UpdateFunctionOutput::builder().e_tag("EF4").build()),
        // A function that never reads its store logs nothing, however often it is asked (the store's
        // writes take seconds to reach the test, so the routed event is asked up to ten times).
        mock!(Client::test_function)
            .sequence()
            .output(|| {
                TestFunctionOutput::builder()
                    .test_result(TestResult::builder().compute_utilization("3").build())
                    .build()
            })
            .times(10)
            .build(),
    ]);
    let keys = routed_keys(&["/orders/*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*"], true), None).await;
    let message = result.unwrap_err().to_string();
    assert!(message.contains("the router did not read the store as written"), "{message}\n{printed}");
    assert!(message.contains(r#""cutover-router: route:/orders/* share 0 -> home""#), "{message}");
    assert!(message.contains("nothing was published") && message.contains("asked 10 times"), "{message}");
}

#[tokio::test]
async fn a_store_write_that_reaches_the_test_late_is_waited_for() {
    let mut rules = reads_installed(config(&[]));
    rules[2] = mock!(Client::get_function)
        .match_requests(|r| r.stage() == Some(&FunctionStage::Development))
        .then_output(|| GetFunctionOutput::builder().function_code(Blob::new("// old")).e_tag("EF2").build());
    let logged = |line: &'static str| {
        move || {
            TestFunctionOutput::builder()
                .test_result(TestResult::builder().compute_utilization("3").function_execution_logs(line).build())
                .build()
        }
    };
    rules.extend([
        mock!(Client::update_function).then_output(|| UpdateFunctionOutput::builder().e_tag("EF4").build()),
        mock!(Client::test_function)
            .sequence()
            .output(logged("cutover-router: no route"))
            .times(2)
            .output(logged("cutover-router: route:/orders/* share 0 -> home"))
            .output(logged(""))
            .times(2)
            .build(),
        mock!(Client::publish_function).then_output(|| PublishFunctionOutput::builder().build()),
        get_config(config(&[]), "E2"),
        mock!(Client::update_distribution).then_output(|| UpdateDistributionOutput::builder().e_tag("E3").build()),
    ]);
    let keys = routed_keys(&["/orders/*"]);
    let fake = data_plane(&refs(&keys)).await;
    let (result, printed) = run(&control_of(&rules, &fake), &install(&["/orders/*"], true), None).await;
    assert_eq!(result.unwrap(), 0, "{printed}");
    assert!(printed.contains("the function read route:/orders/* and chose as its record says"), "{printed}");
    assert_eq!(rules[6].num_calls(), 5, "three tries of the routed event, then the two others");
}
