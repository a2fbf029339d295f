//! The few failures a backend call can end in, each one sentence an operator can act on.

use thiserror::Error;

/// Failures a backend call can end in, each worded as one sentence an operator can act on.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum BackendError {
    #[error("the distribution changed since it was read (stale ETag)")]
    PreconditionFailed,
    #[error("AWS is throttling requests; retrying more slowly")]
    Throttling,
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("route {0} does not exist in the distribution")]
    UnknownRoute(String),
    #[error(
        "someone else changed the distribution: {path} now targets origin '{found}', not '{expected}' as shown; nothing was written, look again before switching"
    )]
    ChangedElsewhere { path: String, expected: String, found: String },
    #[error(
        "someone else changed the router's store: {path} now sends {found} % of viewers to Lambda, not {expected} % as shown; nothing more was written, look again before moving it"
    )]
    ShareChangedElsewhere { path: String, expected: u8, found: u8 },
    #[error("the pre-flight refused it: {}; nothing was written", .0.join("; "))]
    Blocked(Vec<String>),
    #[error("the distribution was changed by others {0} times in a row; nothing was written, try again")]
    TooManyConflicts(u32),
    #[error("network error: {0}")]
    Network(String),
    /// No credentials, expired ones, or a named profile that is not there: never a network error,
    /// and the sentence says how to get credentials (`aws sso login`, `--profile`).
    #[error("{0}")]
    Credentials(String),
    #[error("the call timed out")]
    Timeout,
    /// AWS took a write, but reading it back shows something else (or could not be read): the
    /// sentence says what it shows and what to do.
    #[error("{0}")]
    NotAsAsked(String),
    #[error("{0}")]
    Other(String),
}

impl BackendError {
    /// Whether retrying the same call later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, BackendError::Throttling | BackendError::Network(_) | BackendError::Timeout)
    }
}
