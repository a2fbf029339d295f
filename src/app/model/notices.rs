//! What the console says to the operator: the event log, the banners and the last refusal.

use crate::app::intent::refusal::Refusal;
use crate::domain::LogEntry;

/// What the console says to the operator: the event log (oldest first), the banners, and the last
/// refusal. Written through `State::log` and `update::dialogs::refuse` mostly; read by the screen and
/// headless commands.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    pub log: Vec<LogEntry>,
    /// A problem the operator should see until it clears.
    pub banner: Option<String>,
    /// Why the audit trail could not be written, from the last write (or check) that failed; cleared
    /// when a later write succeeds. Shown as a banner of its own that refreshes do not clear.
    pub audit_failure: Option<String>,
    /// Why the last switching key (or headless request) did nothing: read-only, an update still in
    /// flight, a route that cannot move, a blocked dialog. Cleared when a dialog opens or a switch
    /// is sent. Headless commands print this, never the event log's text.
    pub refused: Option<Refusal>,
}
