//! Why a headless command did not do what it was asked, each as one sentence with its exit code.

use crate::app::intent::Refusal;

/// Exit code of `status` when any guard is breached.
pub const EXIT_BREACHED: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum HeadlessError {
    /// Nothing was changed, on purpose: no terminal to confirm on, read-only, an update in flight.
    #[error("{0}")]
    Refused(String),
    /// The console's planner turned the request down (`intent::Refusal`): its sentence and exit code.
    #[error("{0}")]
    Refusal(Refusal),
    #[error("no route `{route}` in {distributions}; routes are: {known}")]
    UnknownRoute { route: String, distributions: String, known: String },
    #[error("route `{route}` is in several distributions ({distributions}); pick one with --distribution ID")]
    AmbiguousRoute { route: String, distributions: String },
    /// `cutover probe` for a route without a probe: the sentence says how to configure one.
    #[error("{0}")]
    NoProbe(String),
    #[error("nothing was switched: the answer was not yes")]
    Cancelled,
    /// AWS said no, or could not be reached.
    #[error("{0}")]
    Failed(String),
    /// `rollback-all` did what it could, and a route it cannot move stays on Lambda: which, and why.
    #[error("{0}")]
    LeftOnLambda(String),
    #[error(
        "{what} is still InProgress after {waited}; CloudFront carries on deploying it: follow it with `cutover status`"
    )]
    StillDeploying { what: String, waited: String },
    /// Another error said in other words (the demo's commands for the live ones), its exit code kept.
    #[error("{text}")]
    Reworded { exit: u8, text: String },
    #[error(
        "stopped by {0}: every switch under way is recorded as abandoned; CloudFront carries on with what it accepted: check with `cutover status`"
    )]
    Interrupted(&'static str),
}

impl HeadlessError {
    /// 2 when nothing was tried (what the operator changes on the command line), 1 when something
    /// was tried and did not work out.
    pub fn exit_code(&self) -> u8 {
        match self {
            HeadlessError::Refusal(refusal) => refusal.exit_code(),
            HeadlessError::Reworded { exit, .. } => *exit,
            HeadlessError::Refused(_)
            | HeadlessError::UnknownRoute { .. }
            | HeadlessError::AmbiguousRoute { .. }
            | HeadlessError::NoProbe(_)
            | HeadlessError::LeftOnLambda(_) => 2,
            HeadlessError::Cancelled | HeadlessError::Failed(_) | HeadlessError::StillDeploying { .. } => 1,
            // The shell's convention for a command ended by a signal: 128 + its number.
            HeadlessError::Interrupted("SIGHUP") => 129,
            HeadlessError::Interrupted("SIGTERM") => 143,
            HeadlessError::Interrupted(_) => 130,
        }
    }
}
