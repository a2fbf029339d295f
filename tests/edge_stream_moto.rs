//! The edge-log reader's AWS side (`aws::kinesis::KinesisStream`): against moto's Kinesis (records
//! put with the SDK read back once each, a reshard mid-read, `AWS_ENDPOINT_URL_KINESIS`), and, where
//! moto cannot answer as Kinesis does, the SDK's answers scripted with `aws-smithy-mocks`: an
//! expired iterator, throughput exceeded, a refusal, and a shard's end with its children.
//!
//! moto's reshard is not Kinesis's: after `SplitShard` it keeps writing to the closed parent and
//! never ends it (every `GetRecords` gives a next iterator), so there the reader stays on the
//! parent and the children stay empty; that nothing is lost or repeated is still checked. Children
//! read after their parent are checked on the in-memory stream (`tests/edge_stream.rs`) and, for
//! the SDK's side of a shard's end (no next iterator, `ChildShards`), here with mocks.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::config::retry::RetryConfig;
use aws_sdk_kinesis::operation::get_records::GetRecordsOutput;
use aws_sdk_kinesis::operation::get_shard_iterator::GetShardIteratorOutput;
use aws_sdk_kinesis::operation::list_shards::ListShardsOutput;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::{
    ChildShard, HashKeyRange, PutRecordsRequestEntry, Record, SequenceNumberRange, Shard, ShardIteratorType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use cutover::backend::aws::KinesisStream;
use cutover::backend::edge_stream::{Feed, ReaderOptions, StreamCalls, StreamError, spawn};
use cutover::clock::Clock;
use support::emulators::{moto, sdk_config};
use tokio::sync::mpsc::Receiver;

const REGION: &str = "eu-west-1";

/// A new stream in moto with `shards` shards: its ARN.
async fn new_stream(client: &Client, name: &str, shards: i32) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let name = format!("{name}-{}-{nanos}", std::process::id());
    client.create_stream().stream_name(&name).shard_count(shards).send().await.expect("create stream in moto");
    let summary = client.describe_stream_summary().stream_name(&name).send().await.unwrap();
    summary.stream_description_summary.expect("a summary").stream_arn
}

async fn put(client: &Client, arn: &str, lines: &[String]) {
    let mut call = client.put_records().stream_arn(arn);
    for (n, line) in lines.iter().enumerate() {
        let entry = PutRecordsRequestEntry::builder()
            .data(Blob::new(line.as_bytes()))
            .partition_key(format!("{line}-{n}"))
            .build()
            .unwrap();
        call = call.records(entry);
    }
    let out = call.send().await.expect("PutRecords");
    assert_eq!(out.failed_record_count(), Some(0));
}

/// Records received until `count` have come (or ten seconds of quiet).
async fn receive(feed: &mut Receiver<Feed>, count: usize) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < count {
        match tokio::time::timeout(Duration::from_secs(10), feed.recv()).await {
            Ok(Some(Feed::Records { records, .. })) => {
                got.extend(records.iter().map(|r| String::from_utf8_lossy(r).into_owned()));
            }
            Ok(Some(Feed::Trouble { call, error, .. })) => panic!("{call:?} failed: {error}"),
            Ok(Some(_)) => {}
            _ => panic!("only {} of {count} records came: {got:?}", got.len()),
        }
    }
    got
}

fn lines(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|n| format!("1733500000.{n:03}\t200\t0.012\tFRA56-P1\tHit\t/api/{prefix}/*")).collect()
}

fn options() -> ReaderOptions {
    ReaderOptions { relist_every: Duration::from_secs(2), ..ReaderOptions::default() }
}

#[tokio::test]
async fn records_put_with_the_sdk_are_read_back_once_each_from_every_shard() {
    let sdk = sdk_config(&moto(), REGION);
    let client = Client::new(&sdk);
    let arn = new_stream(&client, "edge-read", 3).await;
    let before = lines("before", 30);
    put(&client, &arn, &before).await;

    let stream = KinesisStream::connect(&sdk, &arn).unwrap();
    let (mut feed, task) = spawn(stream, Clock::real(), options());
    let mut got = receive(&mut feed, 30).await;
    let after = lines("after", 20);
    put(&client, &arn, &after).await;
    got.extend(receive(&mut feed, 20).await);
    // A little longer: nothing more comes.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    while let Ok(message) = feed.try_recv() {
        assert!(!matches!(message, Feed::Records { .. } | Feed::Trouble { .. }), "{message:?}");
    }
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "nothing twice");
    let wanted: BTreeSet<&String> = before.iter().chain(&after).collect();
    assert_eq!(unique, wanted);
    drop(feed);
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("the reader ends").unwrap();
}

#[tokio::test]
async fn a_reshard_mid_read_loses_nothing_and_repeats_nothing() {
    let sdk = sdk_config(&moto(), REGION);
    let client = Client::new(&sdk);
    let arn = new_stream(&client, "edge-reshard", 1).await;
    let stream = KinesisStream::connect(&sdk, &arn).unwrap();
    let (mut feed, _task) = spawn(stream, Clock::real(), options());
    let first = lines("first", 25);
    put(&client, &arn, &first).await;
    let mut got = receive(&mut feed, 25).await;

    let shards = client.list_shards().stream_arn(&arn).send().await.unwrap();
    let range = shards.shards()[0].hash_key_range().unwrap();
    let (low, high): (u128, u128) =
        (range.starting_hash_key().parse().unwrap(), range.ending_hash_key().parse().unwrap());
    let middle = low + (high - low) / 2;
    let split = client.split_shard().stream_arn(&arn).shard_to_split(shards.shards()[0].shard_id());
    split.new_starting_hash_key(middle.to_string()).send().await.expect("SplitShard");
    let second = lines("second", 25);
    put(&client, &arn, &second).await;
    // Long enough for the shards to be listed again with the children.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let third = lines("third", 10);
    put(&client, &arn, &third).await;
    got.extend(receive(&mut feed, 35).await);

    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "nothing twice: {got:?}");
    let wanted: BTreeSet<&String> = first.iter().chain(&second).chain(&third).collect();
    assert_eq!(unique, wanted);
}

/// The region comes from the ARN, and `AWS_ENDPOINT_URL_KINESIS` in the environment is where the
/// calls go, as aws-config loads it for the other clients: checked in a child process (the
/// ignored test below), so that no test changes this process's environment.
#[tokio::test]
async fn the_kinesis_endpoint_is_taken_from_the_environment() {
    let sdk = sdk_config(&moto(), REGION);
    let arn = new_stream(&Client::new(&sdk), "edge-env", 1).await;
    let env = [("CUTOVER_TEST_STREAM_ARN", arn.as_str()), ("AWS_REGION", "ap-south-1")];
    assert!(support::emulators::child_with_endpoint(
        "endpoint_from_the_environment_child",
        "AWS_ENDPOINT_URL_KINESIS",
        &env
    ));
}

#[tokio::test]
#[ignore = "run by the_kinesis_endpoint_is_taken_from_the_environment, in its environment"]
async fn endpoint_from_the_environment_child() {
    let arn = std::env::var("CUTOVER_TEST_STREAM_ARN").unwrap();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let stream = KinesisStream::connect(&sdk, &arn).unwrap();
    let page = stream.list_shards(None).await.expect("moto answers at AWS_ENDPOINT_URL_KINESIS");
    assert_eq!(page.shards.len(), 1);
}

// ---- The SDK's answers moto cannot give, scripted ----------------------------------------------

const ARN: &str = "arn:aws:kinesis:eu-west-1:123456789012:stream/cutover-E2ABCDEF12345";

/// An error as Kinesis sends it: awsJson 1.1, parsed by the SDK's own deserializer.
fn json_error(status: u16, code: &str, message: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

fn record(sequence: &str, data: &str) -> Record {
    Record::builder()
        .sequence_number(sequence)
        .data(Blob::new(data.as_bytes()))
        .partition_key("k")
        .approximate_arrival_timestamp(aws_sdk_kinesis::primitives::DateTime::from_millis(1_733_500_000_123))
        .build()
        .unwrap()
}

#[tokio::test]
async fn kinesis_errors_are_told_apart() {
    let cases = [
        (400, "ExpiredIteratorException", "Iterator expired. The iterator was created at time X"),
        (400, "ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000"),
        (400, "ResourceNotFoundException", "Stream cutover under account 123456789012 not found."),
        (400, "AccessDeniedException", "User is not authorized to perform: kinesis:GetRecords"),
        (400, "KMSAccessDeniedException", "The ciphertext refers to a key you cannot use"),
        (500, "InternalFailure", "Internal service error"),
    ];
    for (status, code, message) in cases {
        let rule = mock!(Client::get_records).then_http_response(move || json_error(status, code, message));
        let client = mock_client!(aws_sdk_kinesis, RuleMode::MatchAny, &[&rule], |c| {
            c.retry_config(RetryConfig::disabled())
        });
        let error = KinesisStream::new(client, ARN).get_records("it", 100).await.unwrap_err();
        let expected = match code {
            "ExpiredIteratorException" => matches!(error, StreamError::ExpiredIterator(_)),
            "ProvisionedThroughputExceededException" => matches!(error, StreamError::Throughput(_)),
            "ResourceNotFoundException" => matches!(error, StreamError::NotFound(_)),
            "AccessDeniedException" | "KMSAccessDeniedException" => matches!(error, StreamError::AccessDenied(_)),
            _ => matches!(error, StreamError::Network(_)),
        };
        assert!(expected, "{code}: {error:?}");
        assert!(error.to_string().contains(message) || code == "AccessDeniedException", "{error}");
    }
}

#[tokio::test]
async fn a_shards_end_and_its_children_are_read_from_the_answer() {
    let end = mock!(Client::get_records).then_output(|| {
        GetRecordsOutput::builder()
            .records(record("49600", "last line"))
            .millis_behind_latest(0)
            .child_shards(
                ChildShard::builder()
                    .shard_id("shardId-000000000001")
                    .parent_shards("shardId-000000000000")
                    .hash_key_range(
                        HashKeyRange::builder().starting_hash_key("0").ending_hash_key("1").build().unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let client =
        mock_client!(aws_sdk_kinesis, RuleMode::MatchAny, &[&end], |c| c.retry_config(RetryConfig::disabled()));
    let batch = KinesisStream::new(client, ARN).get_records("it", 100).await.unwrap();
    assert_eq!(batch.next_iterator, None);
    assert_eq!(batch.records[0].sequence, "49600");
    assert_eq!(batch.records[0].arrival.unwrap().as_millisecond(), 1_733_500_000_123);
    assert_eq!(batch.child_shards[0].id, "shardId-000000000001");
    assert_eq!(batch.child_shards[0].parents, ["shardId-000000000000"]);
}

/// The reader over the SDK: a read, an expired iterator replaced after the last sequence number
/// read (`AFTER_SEQUENCE_NUMBER`, by `StreamARN`), throughput exceeded backed off, and the shard's end.
#[tokio::test]
async fn the_reader_resumes_after_an_expired_iterator_and_backs_off_when_throttled() {
    let listing = mock!(Client::list_shards)
        .match_requests(|input| input.stream_arn() == Some(ARN) && input.stream_name().is_none())
        .sequence()
        .output(|| {
            let range = SequenceNumberRange::builder().starting_sequence_number("1").build().unwrap();
            let hashes = HashKeyRange::builder().starting_hash_key("0").ending_hash_key("9").build().unwrap();
            let shard = Shard::builder()
                .shard_id("shardId-000000000000")
                .sequence_number_range(range)
                .hash_key_range(hashes)
                .build()
                .unwrap();
            ListShardsOutput::builder().shards(shard).build()
        })
        .repeatedly()
        .build();
    let first_iterator = mock!(Client::get_shard_iterator)
        .match_requests(|input| {
            input.stream_arn() == Some(ARN) && input.shard_iterator_type() == Some(&ShardIteratorType::AtTimestamp)
        })
        .then_output(|| GetShardIteratorOutput::builder().shard_iterator("it-1").build());
    let resumed = mock!(Client::get_shard_iterator)
        .match_requests(|input| {
            input.shard_iterator_type() == Some(&ShardIteratorType::AfterSequenceNumber)
                && input.starting_sequence_number() == Some("101")
        })
        .then_output(|| GetShardIteratorOutput::builder().shard_iterator("it-3").build());
    let read = mock!(Client::get_records)
        .match_requests(|input| input.shard_iterator() == Some("it-1") && input.stream_arn() == Some(ARN))
        .then_output(|| {
            GetRecordsOutput::builder()
                .records(record("100", "a"))
                .records(record("101", "b"))
                .next_shard_iterator("it-2")
                .millis_behind_latest(0)
                .build()
                .unwrap()
        });
    let expired = mock!(Client::get_records)
        .match_requests(|input| input.shard_iterator() == Some("it-2"))
        .then_http_response(|| json_error(400, "ExpiredIteratorException", "Iterator expired"));
    // Throttled once, then the shard's last record and its end.
    let throttled_then_last = mock!(Client::get_records)
        .match_requests(|input| input.shard_iterator() == Some("it-3"))
        .sequence()
        .http_response(|| json_error(400, "ProvisionedThroughputExceededException", "Rate exceeded"))
        .output(|| GetRecordsOutput::builder().records(record("102", "c")).millis_behind_latest(0).build().unwrap())
        .build();
    let rules = [&listing, &first_iterator, &resumed, &read, &expired, &throttled_then_last];
    let client = mock_client!(aws_sdk_kinesis, RuleMode::MatchAny, &rules, |c| c.retry_config(RetryConfig::disabled()));

    let options = ReaderOptions { poll_every: Duration::from_millis(50), ..ReaderOptions::default() };
    let options = ReaderOptions {
        quick: cutover::domain::backoff::Backoff { base: Duration::from_millis(100), cap: Duration::from_millis(200) },
        ..options
    };
    let (mut feed, _task) = spawn(KinesisStream::new(client, ARN), Clock::real(), options);
    let mut records = Vec::new();
    let mut throttled_said = false;
    let mut finished = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !finished {
        assert!(tokio::time::Instant::now() < deadline, "the shard was not finished: {records:?}");
        match tokio::time::timeout(Duration::from_secs(10), feed.recv()).await.expect("the reader goes on") {
            Some(Feed::Records { records: got, .. }) => records.extend(got),
            Some(Feed::Trouble { error: StreamError::Throughput(_), .. }) => throttled_said = true,
            Some(Feed::Trouble { call, error, .. }) => panic!("{call:?}: {error}"),
            Some(Feed::Shards { finished: done, .. }) => finished = done == ["shardId-000000000000"],
            Some(Feed::Recovered { .. }) => {}
            None => panic!("the reader stopped"),
        }
    }
    assert_eq!(records, ["a", "b", "c"]);
    assert!(throttled_said);
    assert_eq!((read.num_calls(), expired.num_calls(), throttled_then_last.num_calls()), (1, 1, 2));
    assert_eq!(resumed.num_calls(), 1);
}
