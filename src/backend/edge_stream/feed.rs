//! What the edge-log reader sends its caller through the channel: records as they are read, the
//! shards it reads, and trouble with when it tries again.

use std::time::Duration;

use bytes::Bytes;
use jiff::Timestamp;

use super::calls::StreamError;

/// The call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    ListShards,
    GetShardIterator,
    GetRecords,
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Call::ListShards => "ListShards",
            Call::GetShardIterator => "GetShardIterator",
            Call::GetRecords => "GetRecords",
        }
    }
}

/// One message from the reader.
#[derive(Clone, Debug, PartialEq)]
pub enum Feed {
    /// Records read from one shard, in the shard's order, never empty. Each record's data is what
    /// the writer put: one log line or several, `\n`-separated; the caller splits them.
    Records {
        shard: String,
        records: Vec<Bytes>,
        /// When the newest of them reached Kinesis, if the answer said.
        newest_arrival: Option<Timestamp>,
        /// How far behind the shard's tip this read is (0: caught up).
        millis_behind: Option<i64>,
    },
    /// The shards being read and those read to their end, each sorted, whenever either changes.
    Shards { reading: Vec<String>, finished: Vec<String> },
    /// A call failed; the reader tries it again after `retry_in` (the clock's time).
    Trouble { call: Call, shard: Option<String>, error: StreamError, retry_in: Duration },
    /// A call for `shard` (`None`: the stream's `ListShards`) worked again after trouble.
    Recovered { shard: Option<String> },
}
