//! The edge-log reader's loop on the in-memory stream, under tokio's paused clock: where it
//! starts, how often it reads, a reshard, an expired iterator, throttling, a refusal, and its end.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use cutover::backend::edge_stream::{Call, Feed, MemoryStream, ReaderOptions, StreamError, spawn};
use cutover::clock::Clock;
use jiff::Timestamp;
use tokio::sync::mpsc::Receiver;

fn clock() -> Clock {
    Clock::simulated(Timestamp::from_second(1_733_500_000).unwrap(), 1.0)
}

fn options() -> ReaderOptions {
    ReaderOptions { salt: 7, ..ReaderOptions::default() }
}

/// Everything the reader sends until `records` records have come (or a minute of quiet).
async fn until_records(feed: &mut Receiver<Feed>, records: usize) -> Vec<Feed> {
    let mut seen = Vec::new();
    let mut count = 0;
    while count < records {
        match tokio::time::timeout(Duration::from_secs(60), feed.recv()).await {
            Ok(Some(message)) => {
                if let Feed::Records { records, .. } = &message {
                    count += records.len();
                }
                seen.push(message);
            }
            _ => panic!("only {count} of {records} records came: {seen:#?}"),
        }
    }
    seen
}

/// The records in `feeds`, as text, with their shard, in the order they came.
fn records_of(feeds: &[Feed]) -> Vec<(String, String)> {
    feeds
        .iter()
        .filter_map(|f| match f {
            Feed::Records { shard, records, .. } => Some(
                records.iter().map(|r| (shard.clone(), String::from_utf8_lossy(r).into_owned())).collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect()
}

fn texts(records: &[(String, String)]) -> Vec<&str> {
    records.iter().map(|(_, t)| t.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn the_first_read_starts_five_minutes_back_and_no_further() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    stream.put("k", "seven minutes ago");
    tokio::time::advance(Duration::from_secs(3 * 60)).await;
    stream.put("k", "four minutes ago");
    tokio::time::advance(Duration::from_secs(4 * 60)).await;

    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    let first = until_records(&mut feed, 1).await;
    assert_eq!(texts(&records_of(&first)), ["four minutes ago"]);
    let Some(Feed::Records { newest_arrival, millis_behind, .. }) = first.last() else { panic!("{first:?}") };
    assert_eq!(*newest_arrival, Some(clock.now() - jiff::SignedDuration::from_secs(4 * 60)));
    assert_eq!(*millis_behind, Some(0));
    assert!(
        first.iter().any(|f| matches!(f, Feed::Shards { reading, .. } if reading == &["shardId-000000000000"])),
        "{first:?}"
    );

    stream.put("k", "now\nand a second line");
    let next = until_records(&mut feed, 1).await;
    assert_eq!(texts(&records_of(&next)), ["now\nand a second line"], "bytes passed on whole");
}

#[tokio::test(start_paused = true)]
async fn each_shard_is_read_at_most_once_a_second_and_keeps_being_read() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 3);
    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    for n in 0..60 {
        stream.put(&format!("key{n}"), format!("line {n}"));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let seen = until_records(&mut feed, 60).await;
    assert_eq!(records_of(&seen).len(), 60);

    let mut reads: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
    for call in stream.calls().into_iter().filter(|c| c.call == Call::GetRecords) {
        reads.entry(call.shard.unwrap()).or_default().push(call.at);
    }
    assert_eq!(reads.len(), 3, "{reads:?}");
    for (shard, times) in &reads {
        for pair in times.windows(2) {
            let gap = pair[1].duration_since(pair[0]);
            assert!(gap >= jiff::SignedDuration::from_secs(1), "{shard}: two reads {gap:?} apart");
        }
        assert!(times.len() >= 14, "{shard}: only {} reads in 15 s", times.len());
    }
}

#[tokio::test(start_paused = true)]
async fn a_reshard_mid_read_loses_nothing_repeats_nothing_and_reads_children_after_their_parent() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    let mut put = Vec::new();
    for n in 0..40 {
        let line = format!("line {n}");
        stream.put(&format!("key{n}"), line.clone());
        put.push(line);
        if n == 20 {
            // Written to the parent, not yet read when it closes.
            stream.put("key-x", "just before the split");
            put.push("just before the split".into());
            stream.split("shardId-000000000000").unwrap();
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let seen = until_records(&mut feed, put.len()).await;
    let read = records_of(&seen);
    let mut got: Vec<&str> = texts(&read);
    got.sort_unstable();
    put.sort_unstable();
    assert_eq!(got, put, "every record exactly once");

    let last_parent = read.iter().rposition(|(s, _)| s == "shardId-000000000000").unwrap();
    let first_child = read.iter().position(|(s, _)| s != "shardId-000000000000").unwrap();
    assert!(last_parent < first_child, "a child's record came before its parent's last: {read:?}");
    // The children were not even asked for an iterator before the parent's last read.
    let calls = stream.calls();
    let parent_end = calls
        .iter()
        .rposition(|c| c.call == Call::GetRecords && c.shard.as_deref() == Some("shardId-000000000000"))
        .unwrap();
    let child_start =
        calls.iter().position(|c| c.shard.as_deref().is_some_and(|s| s != "shardId-000000000000")).unwrap();
    assert!(parent_end < child_start, "{calls:#?}");
    assert!(seen.iter().any(|f| matches!(f, Feed::Shards { finished, reading }
        if finished == &["shardId-000000000000"] && reading == &["shardId-000000000001", "shardId-000000000002"])));
}

#[tokio::test(start_paused = true)]
async fn an_expired_iterator_is_replaced_after_the_last_record_read_without_loss_or_repeat() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    // Expired before anything was read: it starts again where it started.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stream.expire_iterators();
    stream.put("k", "a");
    stream.put("k", "b");
    let first = until_records(&mut feed, 2).await;
    stream.expire_iterators();
    stream.put("k", "c");
    tokio::time::sleep(Duration::from_secs(3)).await;
    stream.expire_iterators();
    stream.put("k", "d");
    let rest = until_records(&mut feed, 2).await;
    let all: Vec<Feed> = first.into_iter().chain(rest).collect();
    assert_eq!(texts(&records_of(&all)), ["a", "b", "c", "d"]);
    assert!(!all.iter().any(|f| matches!(f, Feed::Trouble { .. })), "an expiry is routine: {all:?}");
    let iterators = stream.calls().iter().filter(|c| c.call == Call::GetShardIterator).count();
    assert!(iterators >= 3, "a new iterator after each expiry ({iterators})");
}

#[tokio::test(start_paused = true)]
async fn throttling_is_said_and_backed_off_then_reading_resumes() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    stream.throttle_above(Some(0));
    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    stream.put("k", "held back");
    let mut delays = Vec::new();
    while delays.len() < 4 {
        if let Some(Feed::Trouble { call, error, retry_in, shard }) = feed.recv().await {
            assert_eq!((call, shard.as_deref()), (Call::GetRecords, Some("shardId-000000000000")));
            assert!(matches!(error, StreamError::Throughput(_)), "{error:?}");
            delays.push(retry_in);
        }
    }
    assert!(delays[3] > delays[0] && delays[3] >= Duration::from_secs(4), "backs off: {delays:?}");
    let reads = stream.calls().iter().filter(|c| c.call == Call::GetRecords).count();
    assert_eq!(reads, 4, "one read per pause");

    stream.throttle_above(Some(5));
    let after = until_records(&mut feed, 1).await;
    assert_eq!(texts(&records_of(&after)), ["held back"]);
    assert!(after.contains(&Feed::Recovered { shard: Some("shardId-000000000000".into()) }), "{after:?}");
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_said_and_tried_again_slowly() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    stream.fail_next(Call::ListShards, StreamError::AccessDenied("kinesis:ListShards is not allowed".into()));
    stream.put("k", "after the refusal");
    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    let Some(Feed::Trouble { call: Call::ListShards, error: StreamError::AccessDenied(_), retry_in, shard: None }) =
        feed.recv().await
    else {
        panic!("the refusal is said first");
    };
    assert!(retry_in >= Duration::from_secs(15), "slowly: {retry_in:?}");
    let later = until_records(&mut feed, 1).await;
    assert_eq!(later.first(), Some(&Feed::Recovered { shard: None }));
    assert_eq!(texts(&records_of(&later)), ["after the refusal"]);
    let listings = stream.calls().iter().filter(|c| c.call == Call::ListShards).count();
    assert_eq!(listings, 2, "no listing between the refusal and its retry");
}

#[tokio::test(start_paused = true)]
async fn the_reader_ends_when_its_receiver_is_dropped() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 2);
    let (mut feed, task) = spawn(stream.clone(), clock.clone(), options());
    stream.put("k", Bytes::from_static(b"one"));
    until_records(&mut feed, 1).await;
    drop(feed);
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("the task ends").expect("without a panic");
    // And one that never had anything to send ends too.
    let (feed, task) = spawn(MemoryStream::new(clock.clone(), 1), clock, options());
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(feed);
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("the idle task ends").unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_reshard_before_the_start_is_read_parent_first_within_the_window() {
    let clock = clock();
    let stream = MemoryStream::new(clock.clone(), 1);
    stream.put("k", "ten minutes ago, in the parent");
    tokio::time::advance(Duration::from_secs(8 * 60)).await;
    stream.put("k", "two minutes ago, in the parent");
    stream.split("shardId-000000000000").unwrap();
    for n in 0..6 {
        stream.put(&format!("key{n}"), format!("in a child {n}"));
    }
    tokio::time::advance(Duration::from_secs(2 * 60)).await;

    let (mut feed, _task) = spawn(stream.clone(), clock.clone(), options());
    let seen = until_records(&mut feed, 7).await;
    let read = records_of(&seen);
    assert_eq!(read[0], ("shardId-000000000000".to_string(), "two minutes ago, in the parent".to_string()));
    let mut children: Vec<&str> = texts(&read[1..]);
    children.sort_unstable();
    assert_eq!(children, (0..6).map(|n| format!("in a child {n}")).collect::<Vec<_>>());
}
