//! Who changed a distribution, from CloudTrail `LookupEvents` scripted with `aws-smithy-mocks` on
//! the real `aws-sdk-cloudtrail` client (no emulator speaks CloudTrail): pages followed, other calls
//! and unreadable records handled, throttling retried, and never more than 2 calls a second across
//! every lookup sharing the pacer (tokio's paused clock).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsInput, LookupEventsOutput};
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{Event, LookupAttributeKey};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::backend::BackendError;
use cutover::backend::aws::CloudTrailAuthors;
use cutover::backend::change_authors::{ChangeAuthors, author_of};
use cutover::backend::pacer::Pacer;
use jiff::Timestamp;
use tokio::time::Instant;

const DISTRIBUTION: &str = "E2ABCDEF12345";

/// An `UpdateDistribution` record as CloudTrail writes one (the config left out).
fn record(arn: &str, agent: &str, before: &str, after: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"AssumedRole","arn":"{arn}"}},
        "eventSource":"cloudfront.amazonaws.com","eventName":"UpdateDistribution","userAgent":"{agent}",
        "requestParameters":{{"id":"{DISTRIBUTION}","ifMatch":"{before}"}},
        "responseElements":{{"distribution":{{"id":"{DISTRIBUTION}"}},"eTag":"{after}"}}}}"#
    )
}

fn event(id: &str, name: &str, secs: i64, username: &str, record: &str) -> Event {
    Event::builder()
        .event_id(id)
        .event_name(name)
        .event_time(DateTime::from_secs(secs))
        .username(username)
        .cloud_trail_event(record)
        .build()
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap()
}

fn json_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

fn authors(rules: &[&Rule], pacer: Arc<Pacer>) -> CloudTrailAuthors {
    let client: Client =
        mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, rules, |c| c.retry_config(RetryConfig::disabled()));
    CloudTrailAuthors::new(client, pacer)
}

/// Page one: Terraform's write and a call of another name; page two: the console's write and one
/// whose record does not parse.
fn two_pages(seen: Arc<Mutex<Vec<LookupEventsInput>>>) -> Rule {
    mock!(Client::lookup_events)
        .match_requests(move |input| {
            seen.lock().unwrap().push(input.clone());
            true
        })
        .then_compute_output(|input| match input.next_token() {
            None => LookupEventsOutput::builder()
                .events(event(
                    "ev-3",
                    "UpdateDistribution",
                    1_000_300,
                    "tf",
                    &record(
                        "arn:aws:sts::123456789012:assumed-role/ci/terraform",
                        "APN/1.0 HashiCorp/1.0 Terraform/1.9.0",
                        "B",
                        "C",
                    ),
                ))
                .events(event("ev-inv", "CreateInvalidation", 1_000_250, "bob", "{}"))
                .next_token("page-2")
                .build(),
            Some(_) => LookupEventsOutput::builder()
                .events(event(
                    "ev-2",
                    "UpdateDistribution",
                    1_000_200,
                    "alice",
                    &record(
                        "arn:aws:sts::123456789012:assumed-role/Admin/alice",
                        "Mozilla/5.0 (X11; Linux x86_64)",
                        "A",
                        "B",
                    ),
                ))
                .events(event("ev-1", "UpdateDistribution", 1_000_100, "carol", "{\"userIdentity\": {\"arn\": "))
                .build(),
        })
}

#[tokio::test(start_paused = true)]
async fn writes_are_read_over_both_pages_newest_first_by_resource_name() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rule = two_pages(Arc::clone(&seen));
    let authors = authors(&[&rule], Arc::new(Pacer::new(2)));

    let writes = authors.writes(DISTRIBUTION, at(1_000_000), at(1_000_400)).await.unwrap();

    let ids: Vec<&str> = writes.iter().map(|w| w.event_id.as_str()).collect();
    assert_eq!(ids, ["ev-3", "ev-2", "ev-1"], "the invalidation is no write; newest first");
    assert_eq!(writes[0].who, "arn:aws:sts::123456789012:assumed-role/ci/terraform");
    assert!(writes[0].user_agent.as_deref().unwrap().contains("Terraform"));
    assert_eq!((writes[1].etag_before.as_deref(), writes[1].etag.as_deref()), (Some("A"), Some("B")));
    // The unreadable record still names its author from the listing.
    assert_eq!((writes[2].who.as_str(), writes[2].etag.as_deref()), ("carol", None));

    let inputs = seen.lock().unwrap().clone();
    assert_eq!(inputs.len(), 2);
    for input in &inputs {
        let attributes = input.lookup_attributes();
        assert_eq!(attributes.len(), 1, "CloudTrail takes one lookup attribute a call");
        assert_eq!(attributes[0].attribute_key(), &LookupAttributeKey::ResourceName);
        assert_eq!(attributes[0].attribute_value(), DISTRIBUTION);
        assert_eq!(input.start_time(), Some(&DateTime::from_secs(1_000_000)));
        assert_eq!(input.end_time(), Some(&DateTime::from_secs(1_000_400)));
    }
    assert_eq!(inputs[1].next_token(), Some("page-2"));

    // The change whose ETag became B was alice's, in the console; an unknown ETag falls back to
    // the newest write in the window.
    let author = author_of(&writes, Some("B"), (at(1_000_000), at(1_000_400))).unwrap();
    assert_eq!(author.event_id, "ev-2");
    let newest = author_of(&writes, Some("Z"), (at(1_000_150), at(1_000_250))).unwrap();
    assert_eq!(newest.event_id, "ev-2");
}

#[tokio::test(start_paused = true)]
async fn a_lookup_reads_at_most_five_pages() {
    let calls = Arc::new(Mutex::new(0usize));
    let counted = Arc::clone(&calls);
    let endless = mock!(Client::lookup_events)
        .match_requests(move |_| {
            *counted.lock().unwrap() += 1;
            true
        })
        .then_compute_output(|_| LookupEventsOutput::builder().next_token("more").build());
    let authors = authors(&[&endless], Arc::new(Pacer::new(2)));
    assert_eq!(authors.writes(DISTRIBUTION, at(0), at(60)).await.unwrap(), vec![]);
    assert_eq!(*calls.lock().unwrap(), 5);
}

#[tokio::test(start_paused = true)]
async fn throttling_is_waited_out_and_retried() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let stamped = Arc::clone(&times);
    let rule = mock!(Client::lookup_events)
        .match_requests(move |_| {
            stamped.lock().unwrap().push(Instant::now());
            true
        })
        .sequence()
        .http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"))
        .times(2)
        .output(|| {
            LookupEventsOutput::builder()
                .events(event("ev-1", "UpdateDistribution", 1_000_100, "alice", &record("arn:a", "ua", "A", "B")))
                .build()
        })
        .build();
    let authors = authors(&[&rule], Arc::new(Pacer::new(2)));
    let start = Instant::now();

    let writes = authors.writes(DISTRIBUTION, at(1_000_000), at(1_000_200)).await.unwrap();

    assert_eq!(writes.len(), 1);
    let times = times.lock().unwrap().clone();
    let offsets: Vec<Duration> = times.iter().map(|t| *t - start).collect();
    assert_eq!(offsets, [Duration::ZERO, Duration::from_secs(1), Duration::from_secs(3)], "backoff 1 s, then 2 s");
}

#[tokio::test(start_paused = true)]
async fn throttling_that_lasts_is_said_as_such() {
    let rule =
        mock!(Client::lookup_events).then_http_response(|| json_error(400, "ThrottlingException", "Rate exceeded"));
    let authors = authors(&[&rule], Arc::new(Pacer::new(2)));
    assert_eq!(authors.writes(DISTRIBUTION, at(0), at(60)).await, Err(BackendError::Throttling));
    let denied = mock!(Client::lookup_events).then_http_response(|| {
        json_error(400, "AccessDeniedException", "not authorized to perform cloudtrail:LookupEvents")
    });
    let authors = self::authors(&[&denied], Arc::new(Pacer::new(2)));
    let error = authors.writes(DISTRIBUTION, at(0), at(60)).await.unwrap_err();
    assert!(matches!(&error, BackendError::AccessDenied(m) if m.contains("LookupEvents")), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn lookups_sharing_the_pacer_never_make_more_than_two_calls_a_second() {
    let times = Arc::new(Mutex::new(Vec::new()));
    let pacer = Arc::new(Pacer::new(2));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let stamped = Arc::clone(&times);
        let rule = mock!(Client::lookup_events)
            .match_requests(move |_| {
                stamped.lock().unwrap().push(Instant::now());
                true
            })
            .then_compute_output(|input| {
                // Three pages each: twelve calls from four lookups at once.
                let next = match input.next_token() {
                    None => Some("2"),
                    Some("2") => Some("3"),
                    _ => None,
                };
                LookupEventsOutput::builder().set_next_token(next.map(str::to_string)).build()
            });
        let authors = authors(&[&rule], Arc::clone(&pacer));
        tasks.push(tokio::spawn(async move { authors.writes(DISTRIBUTION, at(0), at(60)).await }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let mut times = times.lock().unwrap().clone();
    times.sort();
    assert_eq!(times.len(), 12);
    for three in times.windows(3) {
        assert!(three[2] - three[0] >= Duration::from_secs(1), "three calls within a second: {times:?}");
    }
}
