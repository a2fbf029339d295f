//! The team's shared journal on CloudWatch Logs (issue 23), off the UI task.
//!
//! Why: an incident is worked by several people, and each one's cutover knew only its own
//! laptop's trail. Every audit record is also sent to one log group per distribution (one log
//! stream per run), and every run reads the group, so each console shows what the others did.
//!
//! How, written once like `edge_stream`: `calls` is the trait of CloudWatch Logs calls
//! ([`JournalCalls`]: `CreateLogGroup`, `CreateLogStream`, `PutLogEvents`, `FilterLogEvents`) that
//! AWS and an in-process journal both answer. The local trail stays the source of truth: the
//! journal is sent after the local write, and a journal that does not answer never blocks a move.

pub mod calls;

pub use calls::{FilterPage, JournalCalls, JournalError, LoggedEvent, read_since};
