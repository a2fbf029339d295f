//! A Kinesis data stream in memory, answering the reader's [`StreamCalls`] as Kinesis does where it
//! matters: global increasing sequence numbers, shards split with their parent kept readable to
//! its end (then no next iterator, and its children named), iterators that expire after five
//! minutes (or when told to), throttling above a number of reads a second per shard, and failures
//! injected on purpose. The demo's simulated world writes its lines here; the reader's
//! paused-clock tests read it. Time is the [`Clock`]'s.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};

use super::calls::{ChildShard, RecordBatch, ShardInfo, ShardPage, Start, StreamCalls, StreamError, StreamRecord};
use super::feed::Call;
use crate::clock::Clock;

/// How long an iterator lives, as on Kinesis.
pub const ITERATOR_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// One call the stream answered (or refused), for tests to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    pub at: Timestamp,
    pub call: Call,
    /// The shard it was about; `None` for `ListShards`.
    pub shard: Option<String>,
}

#[derive(Clone, Debug)]
struct Record {
    sequence: u64,
    data: Bytes,
    arrival: Timestamp,
}

#[derive(Clone, Debug)]
struct Shard {
    id: String,
    parents: Vec<String>,
    /// The hash keys it takes, both ends included.
    low: u128,
    high: u128,
    records: VecDeque<Record>,
    closed: bool,
    children: Vec<String>,
}

#[derive(Clone, Debug)]
struct Iterator {
    shard: String,
    /// The next record is the first with a greater sequence number.
    after: u64,
    issued: Timestamp,
    generation: u64,
}

#[derive(Debug, Default)]
struct Inner {
    shards: Vec<Shard>,
    last_sequence: u64,
    iterators: HashMap<String, Iterator>,
    iterator_count: u64,
    generation: u64,
    reads_a_second: Option<usize>,
    reads: HashMap<String, VecDeque<Timestamp>>,
    injected: VecDeque<(Call, StreamError)>,
    log: Vec<Logged>,
    retention: Option<Duration>,
}

/// The stream; clones share it.
#[derive(Clone, Debug)]
pub struct MemoryStream {
    inner: Arc<Mutex<Inner>>,
    clock: Clock,
}

fn shard_id(n: usize) -> String {
    format!("shardId-{n:012}")
}

/// FNV-1a over the key, spread over Kinesis's 128-bit hash key space.
fn hash_key(key: &str) -> u128 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (u128::from(hash) << 64) | u128::from(hash.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15)
}

impl MemoryStream {
    /// A stream of `shards` open shards, the hash key space shared evenly.
    pub fn new(clock: Clock, shards: usize) -> Self {
        let count = shards.max(1) as u128;
        let step = u128::MAX / count;
        let shards = (0..count)
            .map(|i| Shard {
                id: shard_id(i as usize),
                parents: Vec::new(),
                low: i * step,
                high: if i + 1 == count { u128::MAX } else { (i + 1) * step - 1 },
                records: VecDeque::new(),
                closed: false,
                children: Vec::new(),
            })
            .collect();
        MemoryStream { inner: Arc::new(Mutex::new(Inner { shards, ..Inner::default() })), clock }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keep records for `retention` of the clock's time only (Kinesis: 24 hours by default); the
    /// demo keeps a few minutes so that its memory stays bounded.
    pub fn keep_for(&self, retention: Duration) {
        self.inner().retention = Some(retention);
    }

    /// Put one record, routed by `partition_key` to the open shard that takes its hash key:
    /// the shard and the sequence number.
    pub fn put(&self, partition_key: &str, data: impl Into<Bytes>) -> (String, String) {
        self.put_at(partition_key, data, self.clock.now())
    }

    /// [`put`](Self::put), as if it had arrived at `arrival` (no later than now): a stream that
    /// already holds minutes of records when it is first read, each at its own time.
    pub fn put_at(&self, partition_key: &str, data: impl Into<Bytes>, arrival: Timestamp) -> (String, String) {
        let now = arrival.min(self.clock.now());
        let key = hash_key(partition_key);
        let mut inner = self.inner();
        inner.last_sequence += 1;
        let sequence = inner.last_sequence;
        let retention = inner.retention;
        let shard = inner
            .shards
            .iter_mut()
            .find(|s| !s.closed && s.low <= key && key <= s.high)
            .expect("the open shards cover every hash key");
        shard.records.push_back(Record { sequence, data: data.into(), arrival: now });
        let id = shard.id.clone();
        if let Some(retention) = retention.and_then(|r| SignedDuration::try_from(r).ok()) {
            let horizon = now.checked_sub(retention).unwrap_or(now);
            for shard in &mut inner.shards {
                while shard.records.front().is_some_and(|r| r.arrival < horizon) {
                    shard.records.pop_front();
                }
            }
        }
        (id, sequence.to_string())
    }

    /// Split an open shard in two halves of its hash keys: the children's ids. The parent takes no
    /// more records; what it holds stays readable.
    pub fn split(&self, shard: &str) -> Result<(String, String), String> {
        let mut inner = self.inner();
        let next = inner.shards.len();
        let parent = inner.shards.iter_mut().find(|s| s.id == shard).ok_or_else(|| format!("no shard {shard}"))?;
        if parent.closed {
            return Err(format!("{shard} is already closed"));
        }
        let middle = parent.low + (parent.high - parent.low) / 2;
        let (low, high) = (parent.low, parent.high);
        let children = (shard_id(next), shard_id(next + 1));
        parent.closed = true;
        parent.children = vec![children.0.clone(), children.1.clone()];
        for (id, low, high) in [(&children.0, low, middle), (&children.1, middle + 1, high)] {
            inner.shards.push(Shard {
                id: id.clone(),
                parents: vec![shard.to_string()],
                low,
                high,
                records: VecDeque::new(),
                closed: false,
                children: Vec::new(),
            });
        }
        Ok(children)
    }

    /// Every iterator given so far expires now.
    pub fn expire_iterators(&self) {
        self.inner().generation += 1;
    }

    /// Refuse a shard's `GetRecords` beyond `reads` a second of the clock's time (Kinesis: 5,
    /// shared by every reader); `None` never refuses.
    pub fn throttle_above(&self, reads: Option<usize>) {
        self.inner().reads_a_second = reads;
    }

    /// The next `call` fails with `error` (queued in order).
    pub fn fail_next(&self, call: Call, error: StreamError) {
        self.inner().injected.push_back((call, error));
    }

    /// Every call answered or refused so far.
    pub fn calls(&self) -> Vec<Logged> {
        self.inner().log.clone()
    }

    /// Records and next position for a read `after` in `shard`.
    fn answer(shard: &Shard, after: u64, limit: usize) -> (Vec<StreamRecord>, u64, bool, Option<i64>) {
        let records: Vec<&Record> = shard.records.iter().filter(|r| r.sequence > after).take(limit).collect();
        let next_after = records.last().map_or(after, |r| r.sequence);
        let ended = shard.closed && shard.records.back().is_none_or(|r| r.sequence <= next_after);
        let behind = match (shard.records.back(), records.last()) {
            (Some(tip), Some(last)) => Some(tip.arrival.duration_since(last.arrival).as_millis() as i64),
            _ => Some(0),
        };
        let records = records
            .into_iter()
            .map(|r| StreamRecord { data: r.data.clone(), sequence: r.sequence.to_string(), arrival: Some(r.arrival) })
            .collect();
        (records, next_after, ended, behind)
    }

    fn take_injected(inner: &mut Inner, call: Call) -> Option<StreamError> {
        let at = inner.injected.iter().position(|(c, _)| *c == call)?;
        inner.injected.remove(at).map(|(_, error)| error)
    }

    fn log(&self, inner: &mut Inner, call: Call, shard: Option<&str>) {
        inner.log.push(Logged { at: self.clock.now(), call, shard: shard.map(str::to_string) });
    }

    fn new_iterator(&self, inner: &mut Inner, shard: &str, after: u64) -> String {
        inner.iterator_count += 1;
        let id = format!("it-{}-{shard}", inner.iterator_count);
        let iterator =
            Iterator { shard: shard.to_string(), after, issued: self.clock.now(), generation: inner.generation };
        inner.iterators.insert(id.clone(), iterator);
        id
    }
}

#[async_trait]
impl StreamCalls for MemoryStream {
    async fn list_shards(&self, _next_token: Option<&str>) -> Result<ShardPage, StreamError> {
        let mut inner = self.inner();
        self.log(&mut inner, Call::ListShards, None);
        if let Some(error) = Self::take_injected(&mut inner, Call::ListShards) {
            return Err(error);
        }
        let shards = inner
            .shards
            .iter()
            .map(|s| ShardInfo {
                id: s.id.clone(),
                parent: s.parents.first().cloned(),
                adjacent_parent: s.parents.get(1).cloned(),
                closed: s.closed,
            })
            .collect();
        Ok(ShardPage { shards, next_token: None })
    }

    async fn get_shard_iterator(&self, shard: &str, start: &Start) -> Result<String, StreamError> {
        let mut inner = self.inner();
        self.log(&mut inner, Call::GetShardIterator, Some(shard));
        if let Some(error) = Self::take_injected(&mut inner, Call::GetShardIterator) {
            return Err(error);
        }
        let found = inner.shards.iter().find(|s| s.id == shard).ok_or_else(|| StreamError::NotFound(shard.into()))?;
        let after = match start {
            Start::TrimHorizon => 0,
            Start::Latest => found.records.back().map_or(inner.last_sequence, |r| r.sequence),
            Start::AfterSequence(sequence) => sequence
                .parse()
                .map_err(|_| StreamError::Other(format!("InvalidArgumentException: sequence number {sequence}")))?,
            Start::AtTimestamp(at) => {
                found.records.iter().take_while(|r| r.arrival < *at).last().map_or(0, |r| r.sequence)
            }
        };
        Ok(self.new_iterator(&mut inner, shard, after))
    }

    async fn get_records(&self, iterator: &str, limit: u32) -> Result<RecordBatch, StreamError> {
        let now = self.clock.now();
        let mut inner = self.inner();
        let given = inner.iterators.get(iterator).cloned();
        self.log(&mut inner, Call::GetRecords, given.as_ref().map(|i| i.shard.as_str()));
        if let Some(error) = Self::take_injected(&mut inner, Call::GetRecords) {
            return Err(error);
        }
        let given =
            given.ok_or_else(|| StreamError::Other(format!("InvalidArgumentException: iterator {iterator}")))?;
        let lifetime = SignedDuration::try_from(ITERATOR_LIFETIME).unwrap_or(SignedDuration::MAX);
        if given.generation < inner.generation || now.duration_since(given.issued) > lifetime {
            inner.iterators.remove(iterator);
            return Err(StreamError::ExpiredIterator(format!("iterator for {} has expired", given.shard)));
        }
        if let Some(most) = inner.reads_a_second {
            let reads = inner.reads.entry(given.shard.clone()).or_default();
            while reads.front().is_some_and(|at| now.duration_since(*at) >= SignedDuration::from_secs(1)) {
                reads.pop_front();
            }
            if reads.len() >= most {
                return Err(StreamError::Throughput(format!("rate exceeded for {}", given.shard)));
            }
            reads.push_back(now);
        }
        inner.iterators.remove(iterator);
        let shard = inner
            .shards
            .iter()
            .find(|s| s.id == given.shard)
            .cloned()
            .ok_or_else(|| StreamError::NotFound(given.shard.clone()))?;
        let (records, after, ended, millis_behind) = Self::answer(&shard, given.after, limit as usize);
        if ended {
            let child_shards = shard
                .children
                .iter()
                .map(|id| ChildShard { id: id.clone(), parents: vec![shard.id.clone()] })
                .collect();
            return Ok(RecordBatch { records, next_iterator: None, millis_behind, child_shards });
        }
        let next = self.new_iterator(&mut inner, &shard.id, after);
        Ok(RecordBatch { records, next_iterator: Some(next), millis_behind, child_shards: Vec::new() })
    }
}
