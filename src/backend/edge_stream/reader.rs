//! The edge-log reader's loop, written once over [`StreamCalls`]: AWS's stream and the demo's
//! in-process one are read by the same code. It lists the shards, reads each from the look-back
//! window (five minutes before its first listing, so a console opened mid-incident has numbers at
//! once) and onwards with the iterators each read returns, at most one `GetRecords` per shard per
//! second; a shard read to its end (no next iterator) hands over to its children, read from their
//! first record once every parent is done; an expired iterator is replaced after the last record
//! read; throttling and network failures back off; a refusal (access, no such stream) is said and
//! tried again slowly. What it reads goes to the caller through a bounded channel as [`Feed`]s; it
//! ends when the receiver is dropped. Time is tokio's (paused in tests) and the [`Clock`]'s (the
//! demo's runs faster): every interval in [`ReaderOptions`] is in the clock's time.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt as _;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use jiff::SignedDuration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::calls::{RecordBatch, ShardInfo, Start, StreamCalls, StreamError};
use super::feed::{Call, Feed};
use super::plan::ShardPlan;
use crate::clock::Clock;
use crate::domain::backoff::Backoff;

/// How many messages the channel holds before the reader waits for its caller.
pub const FEED_CAPACITY: usize = 64;

/// At most this many `ListShards` pages in one listing (a stream has at most a few thousand shards).
const MAX_PAGES: usize = 1000;

/// How the reader paces itself. Every duration is in the clock's time.
#[derive(Clone, Debug)]
pub struct ReaderOptions {
    /// How far back the first read of each shard starts.
    pub look_back: Duration,
    /// The least time between two `GetRecords` on one shard. Kinesis allows five a second per
    /// shard, shared by every reader of the stream: one a second leaves room for four more.
    pub poll_every: Duration,
    /// How often the shards are listed again (new shards; a shard that expired).
    pub relist_every: Duration,
    /// The most records one `GetRecords` asks for (Kinesis allows 10,000).
    pub limit: u32,
    /// After throttling or a network failure.
    pub quick: Backoff,
    /// After a refusal: access denied, no such stream, no credentials.
    pub slow: Backoff,
    /// Picks the backoffs' jitter, so that consoles started together do not retry together.
    pub salt: u64,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            look_back: Duration::from_secs(5 * 60),
            poll_every: Duration::from_secs(1),
            relist_every: Duration::from_secs(60),
            limit: 10_000,
            quick: Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(30) },
            slow: Backoff { base: Duration::from_secs(30), cap: Duration::from_secs(120) },
            salt: rand::random(),
        }
    }
}

/// Start the reader on its own tokio task: the receiver of what it reads, and the task, which
/// ends when the receiver is dropped.
pub fn spawn<C: StreamCalls + 'static>(
    calls: C,
    clock: Clock,
    options: ReaderOptions,
) -> (mpsc::Receiver<Feed>, JoinHandle<()>) {
    let (feed, receiver) = mpsc::channel(FEED_CAPACITY);
    let task = tokio::spawn(async move { read(&calls, &clock, &options, feed).await });
    (receiver, task)
}

/// One shard being read.
struct Cursor {
    /// `None`: a new one is needed, from `start`.
    iterator: Option<String>,
    /// Where a new iterator starts: the first one's start, then after the last record read.
    start: Start,
    /// No call for it before this.
    due: Instant,
    /// When its last `GetRecords` was sent.
    last_read: Option<Instant>,
    /// Failures in a row.
    failures: u32,
    /// A call for it is out.
    busy: bool,
    /// Its last call said no such shard: a listing without it means it expired.
    not_found: bool,
    /// Trouble was said and not yet its recovery.
    troubled: bool,
}

impl Cursor {
    fn new(start: Start, now: Instant) -> Self {
        Cursor {
            iterator: None,
            start,
            due: now,
            last_read: None,
            failures: 0,
            busy: false,
            not_found: false,
            troubled: false,
        }
    }
}

/// A call's answer, back in the loop.
enum Done {
    Listing(Result<Vec<ShardInfo>, StreamError>),
    Iterator(String, Result<String, StreamError>),
    Records(String, Result<RecordBatch, StreamError>),
}

/// The receiver is gone: stop.
struct Closed;

/// Read the stream until `feed`'s receiver is dropped (see the module's comment).
pub async fn read<C: StreamCalls + ?Sized>(
    calls: &C,
    clock: &Clock,
    options: &ReaderOptions,
    feed: mpsc::Sender<Feed>,
) {
    let mut reader = Reader::new(clock, options, feed);
    let mut out: FuturesUnordered<BoxFuture<'_, Done>> = FuturesUnordered::new();
    loop {
        reader.send_due_calls(calls, &mut out);
        let wake = reader.next_due();
        let done = tokio::select! {
            biased;
            () = reader.feed.closed() => return,
            Some(done) = out.next(), if !out.is_empty() => done,
            () = tokio::time::sleep_until(wake) => continue,
        };
        if reader.take(done).await.is_err() {
            return;
        }
    }
}

struct Reader<'a> {
    clock: &'a Clock,
    options: &'a ReaderOptions,
    feed: mpsc::Sender<Feed>,
    plan: ShardPlan,
    cursors: BTreeMap<String, Cursor>,
    listing_due: Instant,
    listing_busy: bool,
    listing_failures: u32,
    listing_troubled: bool,
    /// Counts backoffs, for their salt.
    retries: u64,
}

impl<'a> Reader<'a> {
    fn new(clock: &'a Clock, options: &'a ReaderOptions, feed: mpsc::Sender<Feed>) -> Self {
        Reader {
            clock,
            options,
            feed,
            plan: ShardPlan::new(),
            cursors: BTreeMap::new(),
            listing_due: Instant::now(),
            listing_busy: false,
            listing_failures: 0,
            listing_troubled: false,
            retries: 0,
        }
    }

    /// `span` of the clock's time on tokio's clock.
    fn real(&self, span: Duration) -> Duration {
        self.clock.real_duration(span)
    }

    /// Every call that is due and not already out, sent.
    fn send_due_calls<'c, C: StreamCalls + ?Sized>(
        &mut self,
        calls: &'c C,
        out: &mut FuturesUnordered<BoxFuture<'c, Done>>,
    ) {
        let now = Instant::now();
        if !self.listing_busy && self.listing_due <= now {
            self.listing_busy = true;
            out.push(Box::pin(async move { Done::Listing(list_all(calls).await) }));
        }
        let limit = self.options.limit;
        for (shard, cursor) in self.cursors.iter_mut().filter(|(_, c)| !c.busy && c.due <= now) {
            cursor.busy = true;
            let shard = shard.clone();
            // Kept until the answer: a failed read tries the same iterator again.
            match cursor.iterator.clone() {
                None => {
                    let start = cursor.start.clone();
                    out.push(Box::pin(async move {
                        let answer = calls.get_shard_iterator(&shard, &start).await;
                        Done::Iterator(shard, answer)
                    }));
                }
                Some(iterator) => {
                    cursor.last_read = Some(now);
                    out.push(Box::pin(async move {
                        let answer = calls.get_records(&iterator, limit).await;
                        Done::Records(shard, answer)
                    }));
                }
            }
        }
    }

    /// When the next call is due; far off when every call is out.
    fn next_due(&self) -> Instant {
        let listing = (!self.listing_busy).then_some(self.listing_due);
        let shards = self.cursors.values().filter(|c| !c.busy).map(|c| c.due);
        listing.into_iter().chain(shards).min().unwrap_or_else(|| Instant::now() + Duration::from_secs(3600))
    }

    async fn say(&self, feed: Feed) -> Result<(), Closed> {
        self.feed.send(feed).await.map_err(|_| Closed)
    }

    async fn say_shards(&self) -> Result<(), Closed> {
        self.say(Feed::Shards { reading: self.plan.reading(), finished: self.plan.finished() }).await
    }

    /// How long to wait after `failures` failures in a row of `error` (the clock's time).
    fn delay(&mut self, error: &StreamError, failures: u32) -> Duration {
        self.retries += 1;
        let policy = if error.is_transient() { self.options.quick } else { self.options.slow };
        policy.delay(failures, self.options.salt ^ self.retries.wrapping_mul(0x9E37_79B9))
    }

    async fn take(&mut self, done: Done) -> Result<(), Closed> {
        match done {
            Done::Listing(answer) => self.take_listing(answer).await,
            Done::Iterator(shard, answer) => self.take_iterator(shard, answer).await,
            Done::Records(shard, answer) => self.take_records(shard, answer).await,
        }
    }

    async fn take_listing(&mut self, answer: Result<Vec<ShardInfo>, StreamError>) -> Result<(), Closed> {
        self.listing_busy = false;
        let now = Instant::now();
        let listing = match answer {
            Ok(listing) => listing,
            Err(error) => {
                self.listing_failures += 1;
                let retry_in = self.delay(&error, self.listing_failures);
                self.listing_due = now + self.real(retry_in);
                self.listing_troubled = true;
                return self.say(Feed::Trouble { call: Call::ListShards, shard: None, error, retry_in }).await;
            }
        };
        self.listing_failures = 0;
        self.listing_due = now + self.real(self.options.relist_every);
        if std::mem::take(&mut self.listing_troubled) {
            self.say(Feed::Recovered { shard: None }).await?;
        }
        // A shard whose calls said "not found" and that the stream no longer lists has expired.
        let expired: Vec<String> = self
            .cursors
            .iter()
            .filter(|(id, c)| c.not_found && !c.busy && !listing.iter().any(|s| &s.id == *id))
            .map(|(id, _)| id.clone())
            .collect();
        let mut changed = !expired.is_empty();
        for shard in expired {
            tracing::info!(shard, "the shard is no longer listed: it expired");
            self.finish(&shard);
        }
        // The window is the last minutes before reading starts (not before the reader did: a first
        // listing refused for a while does not widen it).
        let look_back = SignedDuration::try_from(self.options.look_back).unwrap_or(SignedDuration::ZERO);
        let window_start = self.clock.now().checked_sub(look_back).unwrap_or(self.clock.now());
        let started = self.plan.learn_listing(&listing, window_start);
        changed |= !started.is_empty();
        self.start(started);
        if changed { self.say_shards().await } else { Ok(()) }
    }

    async fn take_iterator(&mut self, shard: String, answer: Result<String, StreamError>) -> Result<(), Closed> {
        let now = Instant::now();
        let poll = self.real(self.options.poll_every);
        let Some(cursor) = self.cursors.get_mut(&shard) else { return Ok(()) };
        cursor.busy = false;
        match answer {
            Ok(iterator) => {
                cursor.iterator = Some(iterator);
                cursor.due = cursor.last_read.map_or(now, |last| (last + poll).max(now));
                self.worked(&shard).await
            }
            Err(error) => self.failed(&shard, Call::GetShardIterator, error).await,
        }
    }

    async fn take_records(&mut self, shard: String, answer: Result<RecordBatch, StreamError>) -> Result<(), Closed> {
        let now = Instant::now();
        let poll = self.real(self.options.poll_every);
        let Some(cursor) = self.cursors.get_mut(&shard) else { return Ok(()) };
        cursor.busy = false;
        let batch = match answer {
            Ok(batch) => batch,
            Err(StreamError::ExpiredIterator(why)) => {
                // Routine after a long pause: a new iterator after the last record read (or from
                // where the shard started, if none was), at once.
                tracing::debug!(shard, why, "the shard iterator expired; getting a new one");
                cursor.iterator = None;
                cursor.due = now;
                return Ok(());
            }
            Err(error) => return self.failed(&shard, Call::GetRecords, error).await,
        };
        if let Some(last) = batch.records.last() {
            cursor.start = Start::AfterSequence(last.sequence.clone());
        }
        cursor.due = cursor.last_read.map_or(now, |last| last + poll).max(now);
        cursor.iterator = batch.next_iterator.clone();
        let ended = batch.next_iterator.is_none();
        self.worked(&shard).await?;
        if !batch.records.is_empty() {
            let newest_arrival = batch.records.iter().filter_map(|r| r.arrival).max();
            let records = batch.records.into_iter().map(|r| r.data).collect();
            self.say(Feed::Records {
                shard: shard.clone(),
                records,
                newest_arrival,
                millis_behind: batch.millis_behind,
            })
            .await?;
        }
        self.plan.learn_children(&batch.child_shards);
        if ended {
            self.finish(&shard);
            self.say_shards().await?;
        }
        Ok(())
    }

    /// A call for `shard` worked: say so if it had been in trouble.
    async fn worked(&mut self, shard: &str) -> Result<(), Closed> {
        let Some(cursor) = self.cursors.get_mut(shard) else { return Ok(()) };
        cursor.failures = 0;
        cursor.not_found = false;
        if std::mem::take(&mut cursor.troubled) {
            self.say(Feed::Recovered { shard: Some(shard.to_string()) }).await?;
        }
        Ok(())
    }

    async fn failed(&mut self, shard: &str, call: Call, error: StreamError) -> Result<(), Closed> {
        let failures = match self.cursors.get_mut(shard) {
            Some(cursor) => {
                cursor.failures += 1;
                cursor.failures
            }
            None => return Ok(()),
        };
        let retry_in = self.delay(&error, failures);
        let due = Instant::now() + self.real(retry_in);
        if let Some(cursor) = self.cursors.get_mut(shard) {
            cursor.due = due;
            cursor.troubled = true;
            cursor.not_found = matches!(error, StreamError::NotFound(_));
        }
        self.say(Feed::Trouble { call, shard: Some(shard.to_string()), error, retry_in }).await
    }

    /// `shard` is read to its end: its children start once their parents are all done, and the
    /// shards are listed again at once in case its end named none.
    fn finish(&mut self, shard: &str) {
        self.cursors.remove(shard);
        let released = self.plan.finish(shard);
        self.start(released);
        self.listing_due = self.listing_due.min(Instant::now());
    }

    fn start(&mut self, shards: Vec<(String, Start)>) {
        let now = Instant::now();
        for (shard, start) in shards {
            debug_assert!(self.plan.is_reading(&shard));
            self.cursors.entry(shard).or_insert_with(|| Cursor::new(start, now));
        }
    }
}

/// Every page of `ListShards`.
async fn list_all<C: StreamCalls + ?Sized>(calls: &C) -> Result<Vec<ShardInfo>, StreamError> {
    let mut shards = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = calls.list_shards(token.as_deref()).await?;
        shards.extend(page.shards);
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(shards),
        }
    }
    Err(StreamError::Other(format!("ListShards gave more than {MAX_PAGES} pages; the listing was given up")))
}
