//! The newest line's arrival on a stream, for `cutover edge-logs status`: each shard read from a
//! while back up to its tip (at most a few calls each), the latest arrival kept. It reads as the
//! console's reader does, so it spends the same shard reads: a handful, once.

use jiff::Timestamp;

use super::calls::{Start, StreamCalls, StreamError};

/// The most `GetRecords` calls spent on one shard (each up to 10,000 records).
const CALLS_PER_SHARD: usize = 5;

/// When the newest record that arrived after `since` reached the stream; `None` when none did
/// (nothing logged lately, or the logs go elsewhere).
pub async fn newest_arrival<C: StreamCalls + ?Sized>(
    calls: &C,
    since: Timestamp,
) -> Result<Option<Timestamp>, StreamError> {
    let mut shards = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = calls.list_shards(token.as_deref()).await?;
        shards.extend(page.shards.into_iter().map(|s| s.id));
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    let mut newest: Option<Timestamp> = None;
    for shard in shards {
        let mut iterator = Some(calls.get_shard_iterator(&shard, &Start::AtTimestamp(since)).await?);
        for _ in 0..CALLS_PER_SHARD {
            let Some(at) = iterator.take() else { break };
            let batch = calls.get_records(&at, 10_000).await?;
            let latest = batch.records.iter().filter_map(|r| r.arrival).max();
            newest = newest.max(latest);
            if batch.millis_behind.unwrap_or(0) == 0 {
                break;
            }
            iterator = batch.next_iterator;
        }
    }
    Ok(newest)
}
