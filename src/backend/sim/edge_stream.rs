//! The demo's real-time log stream: an in-process Kinesis stream (`MemoryStream`) that the demo
//! world writes its edge log lines into (`edge_lines`), read by the same reader as a live stream.
//!
//! The world writes lazily: before each call of the reader, every whole second since the last
//! one written is put, one record per line as CloudFront puts them. At the first call it writes
//! the last five minutes, as a live stream would already hold them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;

use super::SimBackend;
use crate::backend::edge_stream::memory::MemoryStream;
use crate::backend::edge_stream::{RecordBatch, ShardPage, Start, StreamCalls, StreamError};

/// The share of its viewers' requests the demo logs: enough lines for a route's 5xx rate per
/// window, few enough for a demo at ten times speed (about 1,700 lines a second).
pub const DEMO_SAMPLING_PERCENT: u8 = 5;
/// Shards of the demo's stream: more than one, so the reader reads several as it would live.
const SHARDS: usize = 2;
/// What the stream keeps: a little more than the reader's first look back.
const RETENTION: Duration = Duration::from_secs(6 * 60);
/// How far back the stream holds lines when it is first read.
const BACKFILL_SECS: i64 = 5 * 60;

pub struct SimEdgeStream {
    backend: Arc<SimBackend>,
    stream: MemoryStream,
    sampling_percent: u8,
    /// The newest whole second written.
    written: Mutex<Option<i64>>,
}

impl SimEdgeStream {
    pub fn new(backend: Arc<SimBackend>, sampling_percent: u8) -> Self {
        let stream = MemoryStream::new(backend.clock.clone(), SHARDS);
        stream.keep_for(RETENTION);
        SimEdgeStream { backend, stream, sampling_percent, written: Mutex::new(None) }
    }

    /// Put every whole second up to now that is not in the stream yet.
    fn write_until_now(&self) {
        let now = self.backend.clock.now().as_second();
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let first = written.map_or(now - BACKFILL_SECS, |w| w + 1);
        for second in first..now {
            let at = Timestamp::from_second(second).unwrap_or(Timestamp::UNIX_EPOCH);
            // A line reaches the stream about a second after its request, as CloudFront's do.
            let arrival = Timestamp::from_second(second + 1).unwrap_or(at);
            for line in self.backend.edge_lines(at, self.sampling_percent) {
                // CloudFront spreads its lines over the shards; the line itself is as good a key.
                let key = line.clone();
                self.stream.put_at(&key, line.into_bytes(), arrival);
            }
        }
        *written = Some(now - 1).max(*written);
    }
}

#[async_trait]
impl StreamCalls for SimEdgeStream {
    async fn list_shards(&self, next_token: Option<&str>) -> Result<ShardPage, StreamError> {
        self.write_until_now();
        self.stream.list_shards(next_token).await
    }

    async fn get_shard_iterator(&self, shard: &str, start: &Start) -> Result<String, StreamError> {
        self.write_until_now();
        self.stream.get_shard_iterator(shard, start).await
    }

    async fn get_records(&self, iterator: &str, limit: u32) -> Result<RecordBatch, StreamError> {
        self.write_until_now();
        self.stream.get_records(iterator, limit).await
    }
}
