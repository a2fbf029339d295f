//! The team's shared journal on CloudWatch Logs (issue 23), off the UI task.
//!
//! Why: an incident is worked by several people, and each one's cutover knew only its own
//! laptop's trail. Every audit record is also sent to one log group per distribution (one log
//! stream per run), and every run reads the group, so each console shows what the others did.
//!
//! How, written once like `edge_stream`: `calls` is the trait of CloudWatch Logs calls
//! ([`JournalCalls`]: `CreateLogGroup`, `CreateLogStream`, `PutLogEvents`, `FilterLogEvents`) that
//! AWS (`aws::journal`) and an in-process group ([`MemoryJournal`], for the demo and paused-clock
//! tests) both answer; `sender` is the task that sends a run's entries in batches, retried with
//! backoff, and keeps what it could not send in the `outbox` for the next run; `reader` is the task
//! that reads the group every few seconds and hands others' entries to the caller, validated and
//! each once. The local trail stays the source of truth: the journal is sent after the local
//! write, and a journal that does not answer never blocks a move.

pub mod calls;
pub mod memory;
pub mod outbox;
pub mod reader;
pub mod sender;

pub use calls::{FilterPage, JournalCalls, JournalError, LoggedEvent, read_since};
pub use memory::MemoryJournal;
pub use reader::{JournalFeed, ReaderOptions, spawn_reader};
pub use sender::{Flushed, Identity, JournalSender, SenderOptions, SenderStatus, spawn_sender};

/// A distribution's journal as its runner takes it: the calls, who this run is, and how it sends
/// (presence, outbox). The runner starts the sender at once and the reader when asked.
#[derive(Clone)]
pub struct JournalPort {
    pub calls: std::sync::Arc<dyn JournalCalls>,
    pub identity: Identity,
    pub options: SenderOptions,
    /// Whether this run sends at all: a `status` run only reads (one from cron every minute would
    /// otherwise leave a log stream a minute).
    pub sends: bool,
}

impl JournalPort {
    /// The journal of `calls` for run `run_id` of `operator` on this machine, started `started`.
    pub fn new(
        calls: std::sync::Arc<dyn JournalCalls>,
        operator: &str,
        started: jiff::Timestamp,
        run_id: &str,
        options: SenderOptions,
    ) -> Self {
        let host = whoami::hostname().unwrap_or_else(|_| "unknown-host".into());
        let by = crate::audit::journal_entry::by(operator, &host);
        let run = crate::audit::journal_entry::stream_name(&by, started, run_id);
        JournalPort { calls, identity: Identity { by, run }, options, sends: true }
    }
}
