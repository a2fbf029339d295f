//! Why a headless command did not do what it was asked, each as one sentence with its exit code.

/// Exit code of `status` when any guard is breached.
pub const EXIT_BREACHED: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    /// Nothing was changed, on purpose: no terminal to confirm on, read-only, an update in flight.
    #[error("{0}")]
    Refused(String),
    #[error("no route `{route}` in {distributions}; routes are: {known}")]
    UnknownRoute { route: String, distributions: String, known: String },
    #[error("route `{route}` is in several distributions ({distributions}); pick one with --distribution ID")]
    AmbiguousRoute { route: String, distributions: String },
    #[error("nothing was switched: the answer was not yes")]
    Cancelled,
    /// AWS said no, or could not be reached.
    #[error("{0}")]
    Failed(String),
    #[error(
        "{what} is still InProgress after {waited}; CloudFront carries on deploying it: follow it with `cutover status`"
    )]
    StillDeploying { what: String, waited: String },
}

impl HeadlessError {
    /// 2 when nothing was tried (what the operator changes on the command line), 1 when something
    /// was tried and did not work out.
    pub fn exit_code(&self) -> u8 {
        match self {
            HeadlessError::Refused(_) | HeadlessError::UnknownRoute { .. } | HeadlessError::AmbiguousRoute { .. } => 2,
            HeadlessError::Cancelled | HeadlessError::Failed(_) | HeadlessError::StillDeploying { .. } => 1,
        }
    }
}
