//! A CloudWatch Logs log group in memory, answering [`JournalCalls`] as CloudWatch Logs does where
//! the journal cares: a group and its streams that must exist before a put, a batch's limits
//! (10,000 events, 1 MB counted as CloudWatch Logs counts it, time order), events kept in the
//! order they were taken with their ingestion time, `FilterLogEvents` in pages (small ones, so
//! that paging is always exercised), and faults injected on purpose: the journal down, access
//! denied, and a put taken whose answer is lost. Clones share the group, so several runs in one
//! process (the demo, the tests) send to it and read it. Time is the [`Clock`]'s.

use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use super::calls::{FilterPage, JournalCalls, JournalError, LoggedEvent};
use crate::clock::Clock;

/// The most events one `PutLogEvents` takes.
pub const MAX_BATCH_EVENTS: usize = 10_000;
/// The most bytes one `PutLogEvents` takes: each event's message in UTF-8 plus 26 bytes.
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// What CloudWatch Logs adds to each event's size.
pub const EVENT_OVERHEAD_BYTES: usize = 26;

/// The events of one `FilterLogEvents` page, unless told otherwise: few, so that paging is used.
pub const DEFAULT_PAGE_SIZE: usize = 3;

/// A fault the group shows until it is cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Every call fails as a network failure.
    Down,
    /// Every call is refused: the caller's IAM lacks the `logs:` action.
    AccessDenied,
    /// A put is taken, but the call fails as a network failure: the sender will send it again.
    AnswerLost,
}

/// One call the group answered (or refused), for tests to count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    EnsureGroup,
    EnsureStream(String),
    /// A put of this many events.
    Put(usize),
    Filter,
}

#[derive(Clone, Debug)]
struct Stored {
    stream: String,
    timestamp_ms: i64,
    ingestion_ms: i64,
    /// The order it was taken in, across the group.
    order: u64,
    message: String,
}

#[derive(Debug, Default)]
struct Inner {
    exists: bool,
    streams: Vec<String>,
    events: Vec<Stored>,
    taken: u64,
    fault: Option<Fault>,
    page_size: usize,
    calls: Vec<Call>,
}

/// The group; clones share it.
#[derive(Clone, Debug)]
pub struct MemoryJournal {
    group: String,
    inner: Arc<Mutex<Inner>>,
    clock: Clock,
}

impl MemoryJournal {
    /// An empty group named `group` that does not exist yet (the first sender creates it).
    pub fn new(group: &str, clock: Clock) -> Self {
        let inner = Inner { page_size: DEFAULT_PAGE_SIZE, ..Inner::default() };
        MemoryJournal { group: group.to_string(), inner: Arc::new(Mutex::new(inner)), clock }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding it left nothing half-written worth refusing.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The fault every call shows from now on; `None` clears it.
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.lock().fault = fault;
    }

    /// How many events a `FilterLogEvents` page holds.
    pub fn set_page_size(&self, events: usize) {
        self.lock().page_size = events.max(1);
    }

    /// An event written as anyone could write it (a hostile teammate, another tool): created with
    /// its stream if missing, at the clock's time.
    pub fn write_raw(&self, stream: &str, message: &str) {
        let now = self.clock.now().as_millisecond();
        let mut inner = self.lock();
        inner.exists = true;
        if !inner.streams.iter().any(|s| s == stream) {
            inner.streams.push(stream.to_string());
        }
        inner.taken += 1;
        let order = inner.taken;
        inner.events.push(Stored {
            stream: stream.to_string(),
            timestamp_ms: now,
            ingestion_ms: now,
            order,
            message: message.to_string(),
        });
    }

    /// Every event's `(stream, message)`, in the order taken.
    pub fn messages(&self) -> Vec<(String, String)> {
        self.lock().events.iter().map(|e| (e.stream.clone(), e.message.clone())).collect()
    }

    /// Every call made so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The streams, in the order they were created.
    pub fn streams(&self) -> Vec<String> {
        self.lock().streams.clone()
    }

    /// The call logged, then refused with the fault when there is one (a lost answer refuses
    /// nothing before the call is carried out).
    fn begin(&self, call: Call) -> Result<MutexGuard<'_, Inner>, JournalError> {
        let mut inner = self.lock();
        inner.calls.push(call);
        match inner.fault {
            Some(Fault::Down) => Err(JournalError::Network(format!("{} does not answer (injected)", self.group))),
            Some(Fault::AccessDenied) => {
                Err(JournalError::AccessDenied(format!("logs: actions on {} are not allowed (injected)", self.group)))
            }
            _ => Ok(inner),
        }
    }

    fn not_found(&self) -> JournalError {
        JournalError::NotFound(format!("the log group {} does not exist", self.group))
    }
}

/// Why a batch is not one CloudWatch Logs would take.
fn batch_refusal(events: &[(i64, String)]) -> Option<String> {
    let bytes: usize = events.iter().map(|(_, m)| m.len() + EVENT_OVERHEAD_BYTES).sum();
    if events.is_empty() {
        Some("a batch holds at least one event".into())
    } else if events.len() > MAX_BATCH_EVENTS {
        Some(format!("{} events, more than {MAX_BATCH_EVENTS}", events.len()))
    } else if bytes > MAX_BATCH_BYTES {
        Some(format!("{bytes} bytes, more than {MAX_BATCH_BYTES}"))
    } else if events.windows(2).any(|pair| pair[1].0 < pair[0].0) {
        Some("the events are not in time order".into())
    } else {
        None
    }
}

#[async_trait]
impl JournalCalls for MemoryJournal {
    fn group(&self) -> &str {
        &self.group
    }

    async fn ensure_group(&self) -> Result<(), JournalError> {
        let mut inner = self.begin(Call::EnsureGroup)?;
        inner.exists = true;
        Ok(())
    }

    async fn ensure_stream(&self, stream: &str) -> Result<(), JournalError> {
        let mut inner = self.begin(Call::EnsureStream(stream.to_string()))?;
        if !inner.exists {
            return Err(self.not_found());
        }
        if !inner.streams.iter().any(|s| s == stream) {
            inner.streams.push(stream.to_string());
        }
        Ok(())
    }

    async fn put(&self, stream: &str, events: &[(i64, String)]) -> Result<(), JournalError> {
        let ingestion_ms = self.clock.now().as_millisecond();
        let mut inner = self.begin(Call::Put(events.len()))?;
        if !inner.exists || !inner.streams.iter().any(|s| s == stream) {
            return Err(JournalError::NotFound(format!("the log stream {stream} does not exist in {}", self.group)));
        }
        if let Some(why) = batch_refusal(events) {
            return Err(JournalError::Refused(format!("PutLogEvents: {why}")));
        }
        for (timestamp_ms, message) in events {
            inner.taken += 1;
            let order = inner.taken;
            let event = Stored {
                stream: stream.to_string(),
                timestamp_ms: *timestamp_ms,
                ingestion_ms,
                order,
                message: message.clone(),
            };
            inner.events.push(event);
        }
        match inner.fault {
            Some(Fault::AnswerLost) => {
                Err(JournalError::Network("the answer to PutLogEvents was lost (injected)".into()))
            }
            _ => Ok(()),
        }
    }

    /// Events in time order (then the order taken); the token is the last event given, so events
    /// taken between two pages with a later place are still given.
    async fn filter(
        &self,
        start_ms: i64,
        end_ms: Option<i64>,
        next_token: Option<String>,
    ) -> Result<FilterPage, JournalError> {
        let inner = self.begin(Call::Filter)?;
        if !inner.exists {
            return Err(self.not_found());
        }
        let after: Option<(i64, u64)> = match next_token.as_deref() {
            None => None,
            Some(token) => match token.split_once('/').and_then(|(t, o)| Some((t.parse().ok()?, o.parse().ok()?))) {
                Some(place) => Some(place),
                None => return Err(JournalError::Refused(format!("FilterLogEvents: the token {token} is not valid"))),
            },
        };
        let mut events: Vec<&Stored> = inner
            .events
            .iter()
            .filter(|e| e.timestamp_ms >= start_ms && end_ms.is_none_or(|end| e.timestamp_ms < end))
            .filter(|e| after.is_none_or(|place| (e.timestamp_ms, e.order) > place))
            .collect();
        events.sort_by_key(|e| (e.timestamp_ms, e.order));
        let more = events.len() > inner.page_size;
        events.truncate(inner.page_size);
        let next_token = match events.last() {
            Some(last) if more => Some(format!("{}/{}", last.timestamp_ms, last.order)),
            _ => None,
        };
        let events = events
            .into_iter()
            .map(|e| LoggedEvent {
                stream: e.stream.clone(),
                timestamp_ms: e.timestamp_ms,
                ingestion_ms: Some(e.ingestion_ms),
                message: e.message.clone(),
            })
            .collect();
        Ok(FilterPage { events, next_token })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::journal::read_since;

    fn journal() -> MemoryJournal {
        MemoryJournal::new("/cutover/E1", Clock::simulated(jiff::Timestamp::UNIX_EPOCH, 1.0))
    }

    #[tokio::test]
    async fn a_put_needs_its_group_and_stream_and_is_read_back_page_by_page() {
        let j = journal();
        assert!(matches!(j.ensure_stream("s").await, Err(JournalError::NotFound(_))));
        assert!(matches!(j.put("s", &[(1, "a".into())]).await, Err(JournalError::NotFound(_))));
        j.ensure_group().await.unwrap();
        j.ensure_stream("s").await.unwrap();
        let events: Vec<(i64, String)> = (0..8).map(|n| (n, format!("m{n}"))).collect();
        j.put("s", &events).await.unwrap();
        let read = read_since(&j, 2, Some(7)).await.unwrap();
        assert_eq!(read.iter().map(|e| e.message.as_str()).collect::<Vec<_>>(), ["m2", "m3", "m4", "m5", "m6"]);
        assert!(j.calls().iter().filter(|c| **c == Call::Filter).count() >= 2);
    }

    #[tokio::test]
    async fn batches_cloudwatch_logs_would_refuse_are_refused() {
        let j = journal();
        j.ensure_group().await.unwrap();
        j.ensure_stream("s").await.unwrap();
        let backwards = [(5, "b".to_string()), (4, "a".to_string())];
        assert!(matches!(j.put("s", &backwards).await, Err(JournalError::Refused(_))));
        let huge = [(1, "x".repeat(MAX_BATCH_BYTES))];
        assert!(matches!(j.put("s", &huge).await, Err(JournalError::Refused(_))));
        assert!(j.messages().is_empty());
    }

    #[tokio::test]
    async fn faults_refuse_calls_and_a_lost_answer_still_keeps_the_put() {
        let j = journal();
        j.set_fault(Some(Fault::Down));
        assert!(matches!(j.ensure_group().await, Err(JournalError::Network(_))));
        j.set_fault(Some(Fault::AccessDenied));
        assert!(matches!(j.ensure_group().await, Err(JournalError::AccessDenied(_))));
        j.set_fault(None);
        j.ensure_group().await.unwrap();
        j.ensure_stream("s").await.unwrap();
        j.set_fault(Some(Fault::AnswerLost));
        assert!(matches!(j.put("s", &[(1, "a".into())]).await, Err(JournalError::Network(_))));
        assert_eq!(j.messages(), [("s".to_string(), "a".to_string())]);
    }
}
