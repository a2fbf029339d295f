//! The Kinesis Data Streams calls the edge-log reader makes, as a trait ([`StreamCalls`]) that AWS
//! (`aws::kinesis`) and the demo's in-process stream (`edge_stream::memory`) both answer, with the
//! few failures the reader tells apart ([`StreamError`]).

use async_trait::async_trait;
use bytes::Bytes;
use jiff::Timestamp;

/// One shard as `ListShards` describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardInfo {
    pub id: String,
    /// The shard it was split from, or the first of the two it was merged from.
    pub parent: Option<String>,
    /// The second of two merged shards.
    pub adjacent_parent: Option<String>,
    /// Whether its sequence number range has an end: it was split or merged and takes no new
    /// records (those already in it can still be read until it expires).
    pub closed: bool,
}

impl ShardInfo {
    /// Its parents, the adjacent one last.
    pub fn parents(&self) -> Vec<String> {
        self.parent.iter().chain(self.adjacent_parent.iter()).cloned().collect()
    }
}

/// One page of `ListShards`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShardPage {
    pub shards: Vec<ShardInfo>,
    /// Where the next page starts; `None` on the last.
    pub next_token: Option<String>,
}

/// Where a new shard iterator starts (`GetShardIterator`'s `ShardIteratorType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// The first record that arrived at or after this time.
    AtTimestamp(Timestamp),
    /// The record after this sequence number.
    AfterSequence(String),
    /// The oldest record the shard still keeps.
    TrimHorizon,
    /// Only records that arrive from now on.
    Latest,
}

/// One record as `GetRecords` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamRecord {
    /// What the writer put: for CloudFront, one log line or several, `\n`-separated.
    pub data: Bytes,
    pub sequence: String,
    /// When Kinesis took it, to the millisecond; `None` if the answer did not say.
    pub arrival: Option<Timestamp>,
}

/// A shard that follows a closed one, as `GetRecords` names it at the closed shard's end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildShard {
    pub id: String,
    pub parents: Vec<String>,
}

/// What one `GetRecords` call answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordBatch {
    pub records: Vec<StreamRecord>,
    /// Where to read on; `None` when the shard is closed and every record in it has been read.
    pub next_iterator: Option<String>,
    /// How far the newest record returned is behind the shard's tip; 0 means caught up.
    pub millis_behind: Option<i64>,
    /// The shards that follow, given with the closed shard's end.
    pub child_shards: Vec<ChildShard>,
}

/// A failed call, by what the reader does about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The iterator is older than five minutes: get a new one where the last read stopped.
    #[error("the shard iterator expired: {0}")]
    ExpiredIterator(String),
    /// Too many reads of the shard (5 calls or 2 MB a second, shared by every reader): slow down.
    #[error(
        "the stream's read throughput is exceeded (5 reads and 2 MB a second per shard, shared by every reader): {0}"
    )]
    Throughput(String),
    /// No such stream (or shard).
    #[error("not found: {0}")]
    NotFound(String),
    /// IAM (or the stream's KMS key) refuses the read.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// Missing or expired credentials: the sentence says how to get them.
    #[error("{0}")]
    Credentials(String),
    /// AWS could not be reached, timed out, or failed on its side.
    #[error("network error: {0}")]
    Network(String),
    #[error("{0}")]
    Other(String),
}

impl StreamError {
    /// Whether the same call may work again soon without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, StreamError::Throughput(_) | StreamError::Network(_))
    }
}

/// The calls the reader makes, one per Kinesis API call, on one stream (the implementation knows
/// which). Each answers what the call answered; the reader (`edge_stream::reader`) decides what it means.
#[async_trait]
pub trait StreamCalls: Send + Sync {
    /// One page of `ListShards`: the first with `None`, then each `next_token` given.
    async fn list_shards(&self, next_token: Option<&str>) -> Result<ShardPage, StreamError>;
    /// `GetShardIterator` for `shard`, starting at `start`.
    async fn get_shard_iterator(&self, shard: &str, start: &Start) -> Result<String, StreamError>;
    /// `GetRecords` from `iterator`, at most `limit` records.
    async fn get_records(&self, iterator: &str, limit: u32) -> Result<RecordBatch, StreamError>;
}
