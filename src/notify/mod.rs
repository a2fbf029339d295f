//! Notifications (issue 23): what a webhook, an SNS topic or the demo's file is told, and when.
//!
//! Pure, like `domain`: `on` is the names `[notify] on = [...]` chooses among and the set chosen;
//! `message` turns an audit record (or an outside change, a failing trail) into a [`Notice`] of one
//! line that names who, what, the route(s), from → to and the distribution; `batch` joins the
//! notices of one second into one [`Message`]; `slack` is the webhook's JSON body; `retry` reads a
//! target's answer (`Retry-After`, 5xx) into what to do next. The sending, which reaches the
//! network, is `backend::notify`.

pub mod batch;
pub mod message;
pub mod on;
pub mod retry;
pub mod slack;

pub use batch::Message;
pub use message::Notice;
pub use on::{NotifyEvent, NotifyOn};
