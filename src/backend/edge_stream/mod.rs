//! The reader of CloudFront real-time logs on a Kinesis data stream (issue 22), off the UI task.
//!
//! Why: CloudFront delivers one line per viewer request (or a sampled share) to a Kinesis data
//! stream within seconds, with the cache behavior's path pattern: each route's traffic and errors
//! as the viewers saw them, per second, for routes CloudWatch cannot measure. This module only
//! reads the stream; the lines are parsed by `domain::edge_log` and counted by the caller.
//!
//! How, written once like `router_steps`: `calls` is the trait of Kinesis calls
//! ([`StreamCalls`]: `ListShards`, `GetShardIterator`, `GetRecords`) that AWS (`aws::kinesis`) and
//! the in-process stream ([`memory::MemoryStream`], for the demo and paused-clock tests) both
//! answer; `reader` is the loop over them, run as its own tokio task, which sends [`Feed`]s
//! through a bounded channel; `plan` decides which shards are read and from where across
//! reshards; `feed` is what the caller receives.
//!
//! Limits, Kinesis's: a shard serves 5 `GetRecords` a second and 2 MB a second out, shared by
//! every reader of the stream (every console, and anything else reading it). The reader makes
//! one call per shard per second, so four consoles can share a stream and leave a little room;
//! beyond that, enhanced fan-out (a dedicated 2 MB/s per consumer) or more shards. A shard's
//! iterator expires five minutes after it was given; a record is kept for the stream's retention
//! (24 hours by default). Lines arrive within seconds, best effort: an absent second is unknown,
//! never quiet.

pub mod calls;
pub mod feed;
pub mod memory;
pub mod newest;
pub mod plan;
pub mod reader;

pub use calls::{ChildShard, RecordBatch, ShardInfo, ShardPage, Start, StreamCalls, StreamError, StreamRecord};
pub use feed::{Call, Feed};
pub use memory::MemoryStream;
pub use reader::{FEED_CAPACITY, ReaderOptions, read, spawn};
