//! The journal's reader, its own tokio task: others' entries, each once, for the event log and the
//! header. It reads the whole group with `FilterLogEvents` from an hour back at start, then every
//! few seconds from a little before the newest event seen (entries are put up to a second after
//! they are stamped, and CloudWatch Logs takes a moment more: the overlap reads some twice, and a
//! bounded set of keys drops the repeats, as it drops a batch a sender sent twice).
//!
//! Entries are untrusted input: every message goes through [`JournalEntry::parse`]; what it refuses
//! is counted and said once a round per reason, never shown; entries about another distribution
//! (a group shared by several) are skipped without a word; the run's own are left out. A read that
//! fails is said once ([`JournalFeed::Trouble`]) and tried again after a backoff; "no such group"
//! is no trouble (nobody has sent yet). The task ends when the receiver is dropped. Time is tokio's
//! and the [`Clock`]'s: every interval in [`ReaderOptions`] is in the clock's time.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::calls::{JournalCalls, JournalError, LoggedEvent, read_since};
use crate::audit::journal_entry::{JournalEntry, Refused};
use crate::clock::Clock;
use crate::domain::backoff::Backoff;

/// How many messages the channel holds before the reader waits for its caller.
pub const FEED_CAPACITY: usize = 64;

/// What the reader hands its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalFeed {
    /// Entries not seen before, of other runs, in the order they were put.
    Entries(Vec<JournalEntry>),
    /// In one round, `count` messages refused for one reason (`why`, the first one's words).
    Refused { count: usize, why: String },
    /// Reading fails (`Some`, in words), or works again (`None`).
    Trouble(Option<String>),
}

/// How the reader paces itself. Every duration is in the clock's time.
#[derive(Clone, Debug)]
pub struct ReaderOptions {
    /// How far back the first read starts.
    pub look_back: Duration,
    /// The time between two rounds.
    pub poll_every: Duration,
    /// How far before the newest event seen each round starts.
    pub overlap: Duration,
    /// The most keys kept to drop repeats (the oldest are forgotten first); far more than an
    /// overlap's worth of entries.
    pub max_keys: usize,
    /// After a failed round.
    pub backoff: Backoff,
    /// Picks the backoff's jitter.
    pub salt: u64,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            look_back: Duration::from_secs(60 * 60),
            poll_every: Duration::from_secs(5),
            overlap: Duration::from_secs(2 * 60),
            max_keys: 50_000,
            backoff: Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(60) },
            salt: rand::random(),
        }
    }
}

/// Start the reader of `distribution_id`'s journal on its own tokio task, leaving out the entries
/// of `own_run` (the run's stream name); it ends when the receiver is dropped.
pub fn spawn_reader(
    calls: Arc<dyn JournalCalls>,
    distribution_id: &str,
    own_run: &str,
    clock: Clock,
    options: ReaderOptions,
) -> mpsc::Receiver<JournalFeed> {
    let (feed, receiver) = mpsc::channel(FEED_CAPACITY);
    let sift = Sift::new(distribution_id, own_run, options.max_keys);
    tokio::spawn(async move {
        tokio::select! {
            () = read(&*calls, &clock, &options, sift, &feed) => {}
            () = feed.closed() => {}
        }
    });
    receiver
}

/// The receiver is gone.
struct Closed;

async fn read(
    calls: &dyn JournalCalls,
    clock: &Clock,
    options: &ReaderOptions,
    mut sift: Sift,
    feed: &mpsc::Sender<JournalFeed>,
) {
    let millis = |span: Duration| i64::try_from(span.as_millis()).unwrap_or(i64::MAX);
    let mut start_ms = clock.now().as_millisecond() - millis(options.look_back);
    let mut trouble: Option<String> = None;
    let mut failures = 0;
    loop {
        let round_ms = clock.now().as_millisecond();
        let pause = match read_since(calls, start_ms, None).await {
            Ok(events) => {
                if said(feed, &mut trouble, None).await.is_err() || sift.round(events, feed).await.is_err() {
                    return;
                }
                failures = 0;
                let newest = sift.newest_ms.map_or(round_ms, |newest| newest.min(round_ms));
                start_ms = start_ms.max(newest - millis(options.overlap));
                options.poll_every
            }
            // Nobody has sent yet: nothing to read, and nothing wrong.
            Err(JournalError::NotFound(_)) => {
                if said(feed, &mut trouble, None).await.is_err() || sift.round(Vec::new(), feed).await.is_err() {
                    return;
                }
                options.poll_every
            }
            Err(error) => {
                failures += 1;
                let words = format!("the team journal {} cannot be read: {error}", calls.group());
                if said(feed, &mut trouble, Some(words)).await.is_err() {
                    return;
                }
                options.backoff.delay(failures, options.salt).max(options.poll_every)
            }
        };
        clock.sleep(pause).await;
    }
}

/// Say the trouble when it changed.
async fn said(
    feed: &mpsc::Sender<JournalFeed>,
    trouble: &mut Option<String>,
    now: Option<String>,
) -> Result<(), Closed> {
    if *trouble == now {
        return Ok(());
    }
    *trouble = now.clone();
    feed.send(JournalFeed::Trouble(now)).await.map_err(|_| Closed)
}

/// Events sorted into entries to show, repeats, and refusals.
struct Sift {
    distribution: String,
    own_run: String,
    seen: Seen,
    /// The newest event's timestamp read so far.
    newest_ms: Option<i64>,
    /// The first round was said (`Entries`, empty or not).
    said_once: bool,
}

impl Sift {
    fn new(distribution: &str, own_run: &str, max_keys: usize) -> Self {
        Sift {
            distribution: distribution.into(),
            own_run: own_run.into(),
            seen: Seen::new(max_keys),
            newest_ms: None,
            said_once: false,
        }
    }

    async fn round(&mut self, events: Vec<LoggedEvent>, feed: &mpsc::Sender<JournalFeed>) -> Result<(), Closed> {
        let mut entries: Vec<(i64, JournalEntry)> = Vec::new();
        let mut refused: BTreeMap<&'static str, (usize, String)> = BTreeMap::new();
        for event in events {
            self.newest_ms = Some(self.newest_ms.map_or(event.timestamp_ms, |n| n.max(event.timestamp_ms)));
            match JournalEntry::parse(&event.message, &self.distribution) {
                Ok(entry) => {
                    if self.seen.first_time(key_of(&("entry", &entry.run, entry.seq))) && entry.run != self.own_run {
                        entries.push((event.timestamp_ms, entry));
                    }
                }
                Err(Refused::OtherDistribution(_)) => {}
                Err(why) => {
                    if self.seen.first_time(key_of(&("refused", &event.stream, event.timestamp_ms, &event.message))) {
                        let said = refused.entry(reason(&why)).or_insert_with(|| (0, why.to_string()));
                        said.0 += 1;
                    }
                }
            }
        }
        // Stable: entries put in one batch share a timestamp and keep the order they were taken in.
        entries.sort_by_key(|(ms, _)| *ms);
        // The first round is said even when empty: a headless run waits for it before it plans,
        // so that its dialog can warn of a teammate's move.
        if !entries.is_empty() || !self.said_once {
            self.said_once = true;
            let entries = entries.into_iter().map(|(_, entry)| entry).collect();
            feed.send(JournalFeed::Entries(entries)).await.map_err(|_| Closed)?;
        }
        for (count, why) in refused.into_values() {
            feed.send(JournalFeed::Refused { count, why }).await.map_err(|_| Closed)?;
        }
        Ok(())
    }
}

/// A refusal's kind, whatever its details.
fn reason(why: &Refused) -> &'static str {
    match why {
        Refused::TooLarge => "too large",
        Refused::Unreadable(_) => "unreadable",
        Refused::Newer(_) => "newer",
        Refused::Empty => "empty",
        Refused::BadName => "bad name",
        Refused::OtherDistribution(_) => "other distribution",
    }
}

fn key_of(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A bounded set of keys: the oldest is forgotten when it is full.
struct Seen {
    keys: HashSet<u64>,
    order: VecDeque<u64>,
    cap: usize,
}

impl Seen {
    fn new(cap: usize) -> Self {
        Seen { keys: HashSet::new(), order: VecDeque::new(), cap: cap.max(1) }
    }

    /// Whether `key` is new (it is remembered from now on).
    fn first_time(&mut self, key: u64) -> bool {
        if !self.keys.insert(key) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > self.cap
            && let Some(oldest) = self.order.pop_front()
        {
            self.keys.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_of_keys_forgets_the_oldest_when_full() {
        let mut seen = Seen::new(2);
        assert!(seen.first_time(1) && seen.first_time(2) && !seen.first_time(1));
        assert!(seen.first_time(3));
        assert!(seen.first_time(1) && !seen.first_time(3));
    }
}
