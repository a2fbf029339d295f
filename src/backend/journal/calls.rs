//! The CloudWatch Logs calls the team journal makes, as a trait ([`JournalCalls`]) that AWS and
//! the in-process journal (the demo's, and the tests') both answer, with the failures the sender
//! and the reader tell apart ([`JournalError`]).

use async_trait::async_trait;

/// One event as `FilterLogEvents` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    /// The log stream it was sent to: the sending run's ([`crate::audit::journal_entry::stream_name`]).
    pub stream: String,
    /// The event's own time, milliseconds since the epoch: when its batch was put (the record holds
    /// its own time; see `sender.rs` for why).
    pub timestamp_ms: i64,
    /// When CloudWatch Logs took it, milliseconds since the epoch, when the answer said.
    pub ingestion_ms: Option<i64>,
    pub message: String,
}

/// One page of `FilterLogEvents`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterPage {
    pub events: Vec<LoggedEvent>,
    /// Where the next page starts; `None` on the last.
    pub next_token: Option<String>,
}

/// A failed call, by what the caller does about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JournalError {
    /// The log group (or the stream) does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller may not make the call: the team's IAM lacks a `logs:` action.
    #[error("access denied: {0}")]
    AccessDenied(String),
    /// No usable credentials.
    #[error("no usable AWS credentials: {0}")]
    Credentials(String),
    /// Too many calls: back off and retry.
    #[error("throttled: {0}")]
    Throttled(String),
    /// CloudWatch Logs could not be reached, or answered with a server error: retry.
    #[error("cannot reach CloudWatch Logs: {0}")]
    Network(String),
    /// Anything else CloudWatch Logs refused (a malformed batch, say): retrying will not help.
    #[error("{0}")]
    Refused(String),
}

impl JournalError {
    /// Whether trying the same call again later may work.
    pub fn is_transient(&self) -> bool {
        matches!(self, JournalError::Throttled(_) | JournalError::Network(_))
    }
}

/// The calls, for one log group. Every method is one call (or, for `ensure_group`, one call and
/// the answer "already there" taken as success).
#[async_trait]
pub trait JournalCalls: Send + Sync {
    /// The log group's name, for messages.
    fn group(&self) -> &str;

    /// `CreateLogGroup`; a group that already exists is fine.
    async fn ensure_group(&self) -> Result<(), JournalError>;

    /// `CreateLogStream`; a stream that already exists is fine.
    async fn ensure_stream(&self, stream: &str) -> Result<(), JournalError>;

    /// `PutLogEvents` of `events` (timestamp in ms, message), in time order, to `stream`.
    /// CloudWatch Logs takes at most 10,000 events and 1 MB a call, within 24 hours of each other.
    async fn put(&self, stream: &str, events: &[(i64, String)]) -> Result<(), JournalError>;

    /// `FilterLogEvents` over the whole group from `start_ms` (inclusive) to `end_ms` (exclusive,
    /// `None`: now), one page.
    async fn filter(
        &self,
        start_ms: i64,
        end_ms: Option<i64>,
        next_token: Option<String>,
    ) -> Result<FilterPage, JournalError>;
}

/// Every event of the group from `start_ms` to `end_ms`, page after page, in the order
/// CloudWatch Logs gives them (not necessarily time order across streams).
pub async fn read_since(
    calls: &dyn JournalCalls,
    start_ms: i64,
    end_ms: Option<i64>,
) -> Result<Vec<LoggedEvent>, JournalError> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = calls.filter(start_ms, end_ms, token.clone()).await?;
        events.extend(page.events);
        match page.next_token {
            // A token handed back unchanged would read the same page for ever: that is the end.
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => token = Some(next),
            _ => return Ok(events),
        }
    }
}
