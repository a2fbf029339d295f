//! The journal's sender, its own tokio task: every audit record a run writes (after its local
//! write, which stays the source of truth) goes to the run's log stream, in order, none dropped.
//!
//! [`JournalSender::send`] never blocks and never fails: the record takes the run's next `seq`
//! (counted from one) and waits in an unbounded queue. The task makes sure of the group and the run's stream once
//! (again until it works), then puts whatever arrived within [`SenderOptions::batch_window`] in one
//! `PutLogEvents`; a batch that fails is kept and sent again after a backoff, before anything newer.
//! A batch whose answer was lost may be taken twice: readers drop repeats by `(run, seq)`.
//!
//! Each event's timestamp is the time its batch was put, not the record's (which the record holds):
//! readers read from a little before the newest event they saw, so a record held back by an outage
//! and stamped with its own, older time would fall behind every reader.
//!
//! A run that ends with records unsent ([`JournalSender::flush`]) keeps them in the outbox
//! (`outbox.rs`); the next sender of the same group takes them and sends them first, with their own
//! `run` and `seq`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt as _;
use jiff::SignedDuration;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::calls::{JournalCalls, JournalError};
use super::memory::{EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS};
use super::outbox;
use crate::audit::AuditRecord;
use crate::audit::journal_entry::{JournalEntry, Presence};
use crate::clock::Clock;
use crate::domain::backoff::Backoff;

/// Who sends: `by` (`operator@host`) and the run, which is also its log stream's name
/// (`journal_entry::stream_name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub by: String,
    pub run: String,
}

/// How the sender paces itself. Every duration is in the clock's time.
#[derive(Clone, Debug)]
pub struct SenderOptions {
    /// Say the run is here: `console`, or the headless command's name. `None`: no presence entries.
    pub presence: Option<String>,
    /// Records that arrive within this of the first waiting one go in one batch.
    pub batch_window: Duration,
    /// After a failed call.
    pub backoff: Backoff,
    /// How often a presence entry is sent.
    pub presence_every: Duration,
    /// How long a presence entry says the run is here (beyond the next one, so one lost is no gap).
    pub presence_for: Duration,
    /// The outbox file (`outbox::default_path()`); `None`: entries left unsent are only counted.
    pub outbox: Option<PathBuf>,
    /// Picks the backoff's jitter, so that runs started together do not retry together.
    pub salt: u64,
}

impl Default for SenderOptions {
    fn default() -> Self {
        SenderOptions {
            presence: None,
            batch_window: Duration::from_secs(1),
            backoff: Backoff { base: Duration::from_secs(1), cap: Duration::from_secs(60) },
            presence_every: Duration::from_secs(60),
            presence_for: Duration::from_secs(3 * 60),
            outbox: None,
            salt: rand::random(),
        }
    }
}

/// What the sender has done, for the caller's banner. A new value is published when trouble
/// starts, changes or ends, and after every batch taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderStatus {
    /// Entries waiting (records and presence), as of the last change.
    pub pending: usize,
    /// Entries taken by the journal so far.
    pub sent: u64,
    /// Why the journal is not taking entries, in words; `None` while it is.
    pub trouble: Option<String>,
    /// Entries CloudWatch Logs refused alone (one larger than a batch may be), left out for good;
    /// the local trail still holds them.
    pub left_out: u64,
}

/// What [`JournalSender::flush`] left.
#[derive(Debug, PartialEq, Eq)]
pub struct Flushed {
    /// Records not sent when the time was up (presence entries are not counted, nor kept).
    pub left: usize,
    /// Where they were kept for the next run, or why they could not be; `None` when nothing was
    /// left or there is no outbox.
    pub kept: Option<Result<PathBuf, String>>,
}

enum Message {
    Entry(Box<Outgoing>),
    /// Stop now and hand back every record not known to be sent.
    Stop(oneshot::Sender<Vec<JournalEntry>>),
}

#[derive(Clone, Debug)]
struct Outgoing {
    entry: JournalEntry,
    message: String,
    /// Taken from the outbox at start.
    from_outbox: bool,
}

impl Outgoing {
    fn new(entry: JournalEntry, from_outbox: bool) -> Self {
        Outgoing { message: entry.to_message(), entry, from_outbox }
    }

    fn is_record(&self) -> bool {
        self.entry.record.is_some()
    }
}

/// The handle the run keeps: cheap to clone, every clone sends to the same task.
#[derive(Clone, Debug)]
pub struct JournalSender {
    queue: mpsc::UnboundedSender<Message>,
    identity: Arc<Identity>,
    next_seq: Arc<AtomicU64>,
    /// Records sent to the task and not yet known to be taken by the journal.
    unsent: Arc<AtomicUsize>,
    status: watch::Receiver<SenderStatus>,
    group: String,
    outbox: Option<PathBuf>,
}

impl JournalSender {
    /// Queue `record` as this run's next entry. Never blocks, never fails: once the task has
    /// ended (after [`flush`](Self::flush) left something), the record goes nowhere.
    pub fn send(&self, record: AuditRecord) {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let entry = JournalEntry::of_record(&self.identity.by, &self.identity.run, seq, record);
        self.unsent.fetch_add(1, Ordering::Relaxed);
        if self.queue.send(Message::Entry(Box::new(Outgoing::new(entry, false)))).is_err() {
            self.unsent.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// The sender's status, to watch (`changed().await`) for the banner.
    pub fn status(&self) -> watch::Receiver<SenderStatus> {
        self.status.clone()
    }

    /// Records not yet known to be taken by the journal.
    pub fn unsent(&self) -> usize {
        self.unsent.load(Ordering::Relaxed)
    }

    /// For a run's end: wait up to `timeout` (tokio's time) for every record to be sent. What is
    /// left then is taken from the task, which stops, and kept in the outbox for the next run.
    pub async fn flush(&self, timeout: Duration) -> Flushed {
        let deadline = Instant::now() + timeout;
        let mut status = self.status.clone();
        while self.unsent() > 0 {
            tokio::select! {
                changed = status.changed() => if changed.is_err() { break },
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        if self.unsent() == 0 {
            return Flushed { left: 0, kept: None };
        }
        let (reply, answer) = oneshot::channel();
        let left = match self.queue.send(Message::Stop(reply)) {
            Ok(()) => answer.await.unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        self.unsent.store(0, Ordering::Relaxed);
        let kept = match (&self.outbox, left.is_empty()) {
            (Some(path), false) => Some(
                outbox::keep(path, &self.group, &left)
                    .map(|()| path.clone())
                    .map_err(|error| format!("the journal's outbox {} could not be written: {error}", path.display())),
            ),
            _ => None,
        };
        Flushed { left: left.len(), kept }
    }
}

/// Start the sender on its own tokio task; the outbox, when there is one, is taken first.
pub fn spawn_sender(
    calls: Arc<dyn JournalCalls>,
    identity: Identity,
    clock: Clock,
    options: SenderOptions,
) -> JournalSender {
    let (queue, receiver) = mpsc::unbounded_channel();
    let (publish, status) = watch::channel(SenderStatus::default());
    let group = calls.group().to_string();
    let unsent = Arc::new(AtomicUsize::new(0));
    let next_seq = Arc::new(AtomicU64::new(1));
    let mut task =
        Task::new(calls, identity.clone(), clock, options.clone(), publish, unsent.clone(), next_seq.clone());
    if let Some(path) = &options.outbox {
        task.take_outbox(path);
    }
    tokio::spawn(task.run(receiver));
    JournalSender { queue, identity: Arc::new(identity), next_seq, unsent, status, group, outbox: options.outbox }
}

struct Task {
    calls: Arc<dyn JournalCalls>,
    identity: Identity,
    clock: Clock,
    options: SenderOptions,
    publish: watch::Sender<SenderStatus>,
    unsent: Arc<AtomicUsize>,
    /// The group and the run's stream are known to exist.
    ready: bool,
    pending: VecDeque<Outgoing>,
    /// When the oldest waiting entry arrived (the batch window runs from it).
    waiting_since: Option<Instant>,
    /// No call before this (a backoff).
    retry_at: Instant,
    failures: u32,
    /// The most entries the next batch may hold (halved while CloudWatch Logs refuses batches).
    batch_limit: usize,
    next_presence: Option<Instant>,
    /// The run's count of `seq`s, shared with the handle: a presence takes the next one too.
    next_seq: Arc<AtomicU64>,
    sent: u64,
    left_out: u64,
    trouble: Option<String>,
    /// The outbox file taken at start, removed once its entries are sent.
    taken: Option<PathBuf>,
    closed: bool,
}

/// Whether the run was stopped while the work was being done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stopped {
    Yes,
    No,
}

/// What a call came back with, or why it did not.
enum Ended<T> {
    Answered(T),
    Stopped(oneshot::Sender<Vec<JournalEntry>>),
}

impl Task {
    fn new(
        calls: Arc<dyn JournalCalls>,
        identity: Identity,
        clock: Clock,
        options: SenderOptions,
        publish: watch::Sender<SenderStatus>,
        unsent: Arc<AtomicUsize>,
        next_seq: Arc<AtomicU64>,
    ) -> Self {
        let now = Instant::now();
        let next_presence = options.presence.as_ref().map(|_| now);
        Task {
            calls,
            identity,
            clock,
            options,
            publish,
            unsent,
            ready: false,
            pending: VecDeque::new(),
            waiting_since: None,
            retry_at: now,
            failures: 0,
            batch_limit: MAX_BATCH_EVENTS,
            next_presence,
            next_seq,
            sent: 0,
            left_out: 0,
            trouble: None,
            taken: None,
            closed: false,
        }
    }

    fn take_outbox(&mut self, path: &std::path::Path) {
        match outbox::take(path, self.calls.group()) {
            Ok(None) => {}
            Ok(Some(taken)) => {
                tracing::info!(file = %taken.file.display(), entries = taken.mine.len(), "the journal's outbox taken");
                let records: Vec<JournalEntry> = taken.mine.into_iter().filter(|e| e.record.is_some()).collect();
                self.unsent.fetch_add(records.len(), Ordering::Relaxed);
                for entry in records {
                    self.queue(Outgoing::new(entry, true));
                }
                self.taken = Some(taken.file);
                self.remove_taken_when_done();
            }
            Err(error) => tracing::warn!(file = %path.display(), %error, "the journal's outbox could not be taken"),
        }
    }

    fn real(&self, span: Duration) -> Duration {
        self.clock.real_duration(span)
    }

    fn queue(&mut self, outgoing: Outgoing) {
        if self.pending.is_empty() {
            self.waiting_since = Some(Instant::now());
        }
        self.pending.push_back(outgoing);
    }

    /// When the next thing is to be done; `None`: nothing until a message comes.
    fn next_due(&self) -> Option<Instant> {
        let work = if !self.ready {
            Some(self.retry_at)
        } else {
            let window = self.waiting_since.map(|since| since + self.real(self.options.batch_window));
            window.map(|window| window.max(self.retry_at))
        };
        match (work, self.next_presence) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn presence_if_due(&mut self) {
        let (Some(what), Some(due)) = (self.options.presence.clone(), self.next_presence) else { return };
        let now = Instant::now();
        if due > now {
            return;
        }
        self.next_presence = Some(now + self.real(self.options.presence_every));
        let until =
            self.clock.now() + SignedDuration::try_from(self.options.presence_for).unwrap_or(SignedDuration::ZERO);
        // One presence waiting is enough: an older one still waiting says less than this one.
        self.pending.retain(|o| o.entry.here.is_none());
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let entry = JournalEntry::of_presence(&self.identity.by, &self.identity.run, seq, Presence { what, until });
        self.queue(Outgoing::new(entry, false));
    }

    async fn run(mut self, mut receiver: mpsc::UnboundedReceiver<Message>) {
        loop {
            if self.closed && self.pending.is_empty() {
                return;
            }
            let due = self.next_due();
            let wake = async {
                match due {
                    Some(due) => tokio::time::sleep_until(due).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                message = receiver.recv(), if !self.closed => match message {
                    Some(Message::Entry(outgoing)) => self.queue(*outgoing),
                    Some(Message::Stop(reply)) => return self.stop(reply, Vec::new()),
                    None => self.closed = true,
                },
                () = wake => {
                    self.presence_if_due();
                    if self.next_due().is_some_and(|due| due <= Instant::now())
                        && self.work(&mut receiver).await == Stopped::Yes
                    {
                        return;
                    }
                }
            }
        }
    }

    /// The due work: the group and stream, or a batch.
    async fn work(&mut self, receiver: &mut mpsc::UnboundedReceiver<Message>) -> Stopped {
        if !self.ready {
            let calls = self.calls.clone();
            let stream = self.identity.run.clone();
            let ensure = async move {
                calls.ensure_group().await?;
                calls.ensure_stream(&stream).await
            };
            match self.while_receiving(ensure, receiver).await {
                Ended::Stopped(reply) => {
                    self.stop(reply, Vec::new());
                    return Stopped::Yes;
                }
                Ended::Answered(Ok(())) => {
                    self.ready = true;
                    self.failures = 0;
                    self.retry_at = Instant::now();
                }
                Ended::Answered(Err(error)) => self.failed(&error),
            }
            return Stopped::No;
        }
        let batch = self.take_batch();
        if batch.is_empty() {
            self.waiting_since = None;
            return Stopped::No;
        }
        let now_ms = self.clock.now().as_millisecond();
        let events: Vec<(i64, String)> = batch.iter().map(|o| (now_ms, o.message.clone())).collect();
        let calls = self.calls.clone();
        let stream = self.identity.run.clone();
        let put = async move { calls.put(&stream, &events).await };
        match self.while_receiving(put, receiver).await {
            Ended::Stopped(reply) => {
                self.stop(reply, batch);
                return Stopped::Yes;
            }
            Ended::Answered(Ok(())) => self.taken_ok(&batch),
            Ended::Answered(Err(error)) => self.put_back(batch, &error),
        }
        Stopped::No
    }

    /// Await `call` while still taking messages: records queue up behind the call; a stop ends
    /// the wait (the call is dropped, and what it carried counts as unsent).
    async fn while_receiving<T>(
        &mut self,
        call: impl std::future::Future<Output = T>,
        receiver: &mut mpsc::UnboundedReceiver<Message>,
    ) -> Ended<T> {
        let mut call = std::pin::pin!(call.fuse());
        loop {
            tokio::select! {
                biased;
                answer = &mut call => return Ended::Answered(answer),
                message = receiver.recv(), if !self.closed => match message {
                    Some(Message::Entry(outgoing)) => self.queue(*outgoing),
                    Some(Message::Stop(reply)) => return Ended::Stopped(reply),
                    None => self.closed = true,
                },
            }
        }
    }

    /// The next batch from the front of the queue: at most `batch_limit` entries and 1 MB.
    fn take_batch(&mut self) -> Vec<Outgoing> {
        let (mut count, mut bytes) = (0, 0);
        for outgoing in &self.pending {
            let size = outgoing.message.len() + EVENT_OVERHEAD_BYTES;
            if count == self.batch_limit || (count > 0 && bytes + size > MAX_BATCH_BYTES) {
                break;
            }
            count += 1;
            bytes += size;
        }
        self.pending.drain(..count).collect()
    }

    fn taken_ok(&mut self, batch: &[Outgoing]) {
        let records = batch.iter().filter(|o| o.is_record()).count();
        self.unsent.fetch_sub(records.min(self.unsent.load(Ordering::Relaxed)), Ordering::Relaxed);
        self.sent += batch.len() as u64;
        self.failures = 0;
        self.batch_limit = MAX_BATCH_EVENTS;
        self.retry_at = Instant::now();
        self.waiting_since = (!self.pending.is_empty()).then(Instant::now);
        self.trouble = None;
        self.remove_taken_when_done();
        self.publish_status();
    }

    /// A failed put: the batch back at the front, and what the failure says to do.
    fn put_back(&mut self, batch: Vec<Outgoing>, error: &JournalError) {
        if let JournalError::Refused(why) = error {
            if batch.len() > 1 {
                // One entry spoils the batch: send smaller ones until it is alone.
                self.batch_limit = (batch.len() / 2).max(1);
                self.requeue(batch);
                self.retry_at = Instant::now();
                return;
            }
            tracing::warn!(group = self.calls.group(), %why, entry = ?batch.first().map(|o| o.entry.key()), "the journal refused an entry; it is left out");
            if batch.iter().any(Outgoing::is_record) {
                self.unsent.fetch_sub(1.min(self.unsent.load(Ordering::Relaxed)), Ordering::Relaxed);
            }
            self.left_out += 1;
            self.set_trouble(Some(format!("the team journal {} refused an entry: {why}", self.calls.group())));
            self.retry_at = Instant::now();
            return;
        }
        self.requeue(batch);
        self.failed(error);
    }

    fn requeue(&mut self, batch: Vec<Outgoing>) {
        for outgoing in batch.into_iter().rev() {
            self.pending.push_front(outgoing);
        }
        self.waiting_since.get_or_insert_with(Instant::now);
    }

    fn failed(&mut self, error: &JournalError) {
        if matches!(error, JournalError::NotFound(_)) {
            // Deleted under us (or never made): make sure of the group and the stream again.
            self.ready = false;
        }
        self.failures += 1;
        let pause = self.options.backoff.delay(self.failures, self.options.salt);
        self.retry_at = Instant::now() + self.real(pause);
        self.set_trouble(Some(format!("the team journal {} is not taking entries: {error}", self.calls.group())));
    }

    fn set_trouble(&mut self, trouble: Option<String>) {
        if self.trouble != trouble {
            self.trouble = trouble;
            self.publish_status();
        }
    }

    fn publish_status(&self) {
        let status = SenderStatus {
            pending: self.pending.len(),
            sent: self.sent,
            trouble: self.trouble.clone(),
            left_out: self.left_out,
        };
        self.publish.send_if_modified(|now| {
            let changed = *now != status;
            *now = status;
            changed
        });
    }

    fn remove_taken_when_done(&mut self) {
        if self.taken.is_some() && !self.pending.iter().any(|o| o.from_outbox) {
            let file = self.taken.take().unwrap_or_default();
            if let Err(error) = std::fs::remove_file(&file) {
                tracing::warn!(file = %file.display(), %error, "a taken outbox could not be removed");
            }
        }
    }

    /// Hand back every record not known to be sent (`in_flight` first), and end.
    fn stop(&mut self, reply: oneshot::Sender<Vec<JournalEntry>>, in_flight: Vec<Outgoing>) {
        let left: Vec<JournalEntry> =
            in_flight.into_iter().chain(self.pending.drain(..)).filter(Outgoing::is_record).map(|o| o.entry).collect();
        // They go back to the outbox with the rest: the taken file has served.
        if let Some(file) = self.taken.take() {
            let _ = std::fs::remove_file(file);
        }
        let _ = reply.send(left);
    }
}
