//! The team journal's AWS side (`aws::journal::LogsJournal`): against moto's CloudWatch Logs (two
//! senders and a reader sharing one group; the journal down then back, with junk written into the
//! group; a group nobody has made; `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`),
//! and, where moto cannot answer as CloudWatch Logs does, the SDK's answers scripted with
//! `aws-smithy-mocks`: throttling, access denied, a server error, a group not found.
//!
//! moto answers `CreateLogGroup`, `CreateLogStream`, `PutLogEvents` and `FilterLogEvents` as the
//! journal uses them (its `ResourceAlreadyExistsException`, `ResourceNotFoundException`, paging
//! with `nextToken`); it never throttles or refuses, and its `endTime` is inclusive like AWS's.

mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::audit::journal_entry::{JournalEntry, stream_name};
use cutover::audit::{AuditRecord, Environment, RecordKind};
use cutover::backend::aws::{AwsClients, ConnectOptions, LogsJournal};
use cutover::backend::journal::{
    FilterPage, Identity, JournalCalls, JournalError, JournalFeed, ReaderOptions, SenderOptions, spawn_reader,
    spawn_sender,
};
use cutover::clock::Clock;
use support::emulators::{moto, sdk_config};
use tokio::sync::mpsc::Receiver;

const REGION: &str = "eu-west-1";

/// A group name no other test (or earlier run against the same moto) uses.
fn new_group(name: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("/cutover/test/{name}-{}-{nanos}", std::process::id())
}

fn identity(who: &str, clock: &Clock) -> Identity {
    let by = format!("{who}@laptop-7");
    Identity { run: stream_name(&by, clock.now(), &format!("{who}-run")), by }
}

fn record(clock: &Clock, route: &str) -> AuditRecord {
    AuditRecord::new(clock.now(), RecordKind::SwitchRequested, Environment::Live, "someone", "E2ABCDEF12345")
        .with_routes([route])
}

/// The entries with records the reader handed over until `count` have come (or 20 s of quiet).
async fn read_entries(feed: &mut Receiver<JournalFeed>, count: usize) -> Vec<JournalEntry> {
    let mut entries = Vec::new();
    while entries.len() < count {
        match tokio::time::timeout(Duration::from_secs(20), feed.recv()).await {
            Ok(Some(JournalFeed::Entries(new))) => entries.extend(new.into_iter().filter(|e| e.record.is_some())),
            Ok(Some(JournalFeed::Trouble(None))) => {}
            Ok(Some(other)) => panic!("the reader said {other:?}"),
            _ => panic!("only {} of {count} entries came: {entries:#?}", entries.len()),
        }
    }
    entries
}

#[tokio::test]
async fn two_senders_and_a_reader_share_one_group() {
    let sdk = sdk_config(&moto(), REGION);
    let group = new_group("shared");
    let clock = Clock::real();
    let (alice, bob) = (identity("alice", &clock), identity("bob", &clock));
    let journal = |sdk| -> Arc<dyn JournalCalls> { Arc::new(LogsJournal::connect(sdk, &group)) };
    let options = SenderOptions { presence: Some("console".into()), ..SenderOptions::default() };
    let to_alice = spawn_sender(journal(&sdk), alice.clone(), clock.clone(), options.clone());
    let to_bob = spawn_sender(journal(&sdk), bob.clone(), clock.clone(), options);
    // Carol only watches: her reader reads a page at a time, every second.
    let reading = ReaderOptions { poll_every: Duration::from_secs(1), ..ReaderOptions::default() };
    let mut carol = spawn_reader(journal(&sdk), "E2ABCDEF12345", "carol-run", clock.clone(), reading.clone());
    let mut alices_own = spawn_reader(journal(&sdk), "E2ABCDEF12345", &alice.run, clock.clone(), reading);
    for n in 0..3 {
        to_alice.send(record(&clock, &format!("/a{n}/*")));
        to_bob.send(record(&clock, &format!("/b{n}/*")));
    }
    assert_eq!(to_alice.flush(Duration::from_secs(15)).await.left, 0);
    assert_eq!(to_bob.flush(Duration::from_secs(15)).await.left, 0);

    let entries = read_entries(&mut carol, 6).await;
    for (who, run) in [("alice@laptop-7", &alice.run), ("bob@laptop-7", &bob.run)] {
        let theirs: Vec<&JournalEntry> = entries.iter().filter(|e| e.run == *run).collect();
        assert!(theirs.iter().all(|e| e.by == who), "{theirs:#?}");
        let seqs: Vec<u64> = theirs.iter().map(|e| e.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]) && seqs.len() == 3, "in order, each once: {seqs:?}");
    }
    // Alice's reader shows only Bob's.
    let others = read_entries(&mut alices_own, 3).await;
    assert!(others.iter().all(|e| e.run == bob.run), "{others:#?}");
    // Presence: each sender said it is here.
    let all = cutover::backend::journal::read_since(&LogsJournal::connect(&sdk, &group), 0, None).await.unwrap();
    let here = all.iter().filter(|e| e.message.contains("\"here\"")).count();
    assert!(here >= 2, "{all:#?}");
    let streams: std::collections::BTreeSet<&str> = all.iter().map(|e| e.stream.as_str()).collect();
    assert_eq!(streams, [alice.run.as_str(), bob.run.as_str()].into_iter().collect());
}

/// moto's CloudWatch Logs behind a switch: while `down`, every call fails as a network failure.
struct Switched {
    inner: LogsJournal,
    down: std::sync::atomic::AtomicBool,
}

impl Switched {
    fn check(&self) -> Result<(), JournalError> {
        match self.down.load(std::sync::atomic::Ordering::Relaxed) {
            true => Err(JournalError::Network("switched off".into())),
            false => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl JournalCalls for Switched {
    fn group(&self) -> &str {
        self.inner.group()
    }
    async fn ensure_group(&self) -> Result<(), JournalError> {
        self.check()?;
        self.inner.ensure_group().await
    }
    async fn ensure_stream(&self, stream: &str) -> Result<(), JournalError> {
        self.check()?;
        self.inner.ensure_stream(stream).await
    }
    async fn put(&self, stream: &str, events: &[(i64, String)]) -> Result<(), JournalError> {
        self.check()?;
        self.inner.put(stream, events).await
    }
    async fn filter(&self, start: i64, end: Option<i64>, token: Option<String>) -> Result<FilterPage, JournalError> {
        self.check()?;
        self.inner.filter(start, end, token).await
    }
}

#[tokio::test]
async fn the_journal_down_then_back_gets_every_record_once_in_order_and_a_hostile_entry_stops_nothing() {
    let sdk = sdk_config(&moto(), REGION);
    let group = new_group("down");
    let clock = Clock::real();
    let alice = identity("alice", &clock);
    let switched = Arc::new(Switched { inner: LogsJournal::connect(&sdk, &group), down: true.into() });
    let options = SenderOptions {
        backoff: cutover::domain::backoff::Backoff { base: Duration::from_millis(200), cap: Duration::from_secs(1) },
        ..SenderOptions::default()
    };
    let sender = spawn_sender(switched.clone(), alice.clone(), clock.clone(), options);
    for n in 0..4 {
        sender.send(record(&clock, &format!("/d{n}/*")));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(sender.status().borrow().trouble.is_some());
    assert_eq!(sender.unsent(), 4);
    switched.down.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(sender.flush(Duration::from_secs(15)).await.left, 0);
    assert_eq!(sender.status().borrow().trouble, None);

    // Someone writes junk into the group, then another record follows.
    let journal = LogsJournal::connect(&sdk, &group);
    journal.ensure_stream("mallory").await.unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    journal.put("mallory", &[(now, "{\"v\":1,\"by\":".into()), (now, "\u{1b}[2Jhello".into())]).await.unwrap();
    sender.send(record(&clock, "/d4/*"));
    assert_eq!(sender.flush(Duration::from_secs(15)).await.left, 0);

    let reading = ReaderOptions { poll_every: Duration::from_secs(1), ..ReaderOptions::default() };
    let mut bob = spawn_reader(Arc::new(journal), "E2ABCDEF12345", "bob-run", clock, reading);
    let mut entries = Vec::new();
    let mut refused = 0;
    while entries.len() < 5 {
        match tokio::time::timeout(Duration::from_secs(20), bob.recv()).await {
            Ok(Some(JournalFeed::Entries(new))) => entries.extend(new),
            Ok(Some(JournalFeed::Refused { count, why })) => {
                assert!(why.starts_with("not a journal entry"), "{why}");
                refused += count;
            }
            other => panic!("{other:?} after {entries:#?}"),
        }
    }
    // A round's refusals are said after its entries.
    while let Ok(Some(said)) = tokio::time::timeout(Duration::from_secs(2), bob.recv()).await {
        match said {
            JournalFeed::Refused { count, why } => {
                assert!(why.starts_with("not a journal entry"), "{why}");
                refused += count;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 2, "each refused once, however often the overlap reads it");
    let keys: Vec<(String, u64)> = entries.iter().map(|e| (e.run.clone(), e.seq)).collect();
    assert_eq!(keys, (1..=5).map(|seq| (alice.run.clone(), seq)).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_group_nobody_made_is_not_found_and_ensuring_twice_is_fine() {
    let journal = LogsJournal::connect(&sdk_config(&moto(), REGION), &new_group("missing"));
    assert!(matches!(journal.filter(0, None, None).await, Err(JournalError::NotFound(_))));
    assert!(matches!(journal.ensure_stream("s").await, Err(JournalError::NotFound(_))));
    journal.ensure_group().await.unwrap();
    journal.ensure_group().await.unwrap();
    assert!(matches!(journal.put("s", &[(1, "x".into())]).await, Err(JournalError::NotFound(_))));
    journal.ensure_stream("s").await.unwrap();
    journal.ensure_stream("s").await.unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    journal.put("s", &[(now, "one".into()), (now, "two".into())]).await.unwrap();
    let page = journal.filter(now, Some(now + 1), None).await.unwrap();
    assert_eq!(page.events.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["one", "two"]);
    assert!(page.events.iter().all(|e| e.stream == "s" && e.timestamp_ms == now && e.ingestion_ms.is_some()));
    assert!(journal.filter(now, Some(now), None).await.unwrap().events.is_empty(), "the end is exclusive");
}

/// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` in the environment is where `AwsClients::logs` goes, in the
/// region the config gives: checked in a child process (the ignored test below), so that no test
/// changes this process's environment.
#[tokio::test]
async fn the_logs_endpoint_is_taken_from_the_environment() {
    let group = new_group("env");
    LogsJournal::connect(&sdk_config(&moto(), REGION), &group).ensure_group().await.unwrap();
    let child = "logs_endpoint_from_the_environment_child";
    assert!(support::emulators::child_with_endpoint(
        child,
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
        &[("CUTOVER_TEST_GROUP", &group)]
    ));
}

#[tokio::test]
#[ignore = "run by the_logs_endpoint_is_taken_from_the_environment, in its environment"]
async fn logs_endpoint_from_the_environment_child() {
    let group = std::env::var("CUTOVER_TEST_GROUP").unwrap();
    let options = ConnectOptions { profile: None, region: Some(REGION.into()) };
    let clients = AwsClients::load(&options).await.unwrap();
    let journal = LogsJournal::new(clients.logs, &group);
    journal.filter(0, None, None).await.expect("moto answers at AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, in the region");
}

// ---- The SDK's answers moto cannot give, scripted ----------------------------------------------

/// An error as CloudWatch Logs sends it: awsJson 1.1, parsed by the SDK's own deserializer.
fn json_error(status: u16, code: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"scripted"}}"#);
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

/// What a scripted error must become.
type Expected = fn(&JournalError) -> bool;

#[tokio::test]
async fn cloudwatch_logs_errors_become_what_the_sender_and_reader_act_on() {
    let cases: [(u16, &str, Expected); 6] = [
        (400, "ThrottlingException", |e| matches!(e, JournalError::Throttled(_))),
        (400, "AccessDeniedException", |e| matches!(e, JournalError::AccessDenied(_))),
        (400, "ResourceNotFoundException", |e| matches!(e, JournalError::NotFound(_))),
        (503, "ServiceUnavailableException", |e| matches!(e, JournalError::Network(_))),
        (500, "InternalFailure", |e| matches!(e, JournalError::Network(_))),
        (400, "InvalidParameterException", |e| matches!(e, JournalError::Refused(_))),
    ];
    for (status, code, expected) in cases {
        let rule = mock!(Client::filter_log_events).then_http_response(move || json_error(status, code));
        let client = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[&rule], |c| {
            c.retry_config(RetryConfig::disabled())
        });
        let error = LogsJournal::new(client, "/cutover/E1").filter(0, None, None).await.unwrap_err();
        assert!(expected(&error), "{code} became {error:?}");
        assert_eq!(
            error.is_transient(),
            matches!(code, "ThrottlingException" | "ServiceUnavailableException" | "InternalFailure")
        );
    }
}

#[tokio::test]
async fn no_credentials_is_said_as_such_never_a_network_failure() {
    let sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(REGION))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(aws_sdk_cloudwatchlogs::config::SharedCredentialsProvider::new(NoCredentials))
        .build();
    let error = LogsJournal::connect(&sdk, "/cutover/E1").ensure_group().await.unwrap_err();
    assert!(matches!(&error, JournalError::Credentials(t) if t.contains("CreateLogGroup was not sent")), "{error:?}");
}

#[derive(Debug)]
struct NoCredentials;

impl aws_credential_types::provider::ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(&'a self) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded("none here"),
        ))
    }
}
