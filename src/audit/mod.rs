//! The audit trail: every switch attempt and its outcome, every guard breach and every automatic
//! action, appended as JSON Lines to `audit.jsonl` in the user's state directory; and read back:
//! as the console's history, as `cutover log`, and as each switch's time to mitigate (`stats`).

pub mod as_event_log;
pub mod describe;
pub mod error;
pub mod file;
pub mod journal_entry;
pub mod read;
pub mod record;
pub mod since;
pub mod stats;

#[cfg(test)]
pub(crate) mod testing;

pub use as_event_log::{HISTORY_PREFIX, history_entries, is_history, load_history, to_log_entry};
pub use error::AuditError;
pub use file::{AuditLog, default_demo_path, default_path};
pub use read::{
    AuditTrail, Filter, LineWarning, TrailEntry, TrailLine, parse_trail, read_tail, read_trail, scan_trail,
};
pub use record::{AuditRecord, Environment, Move, Outcome, PlanMark, RecordKind, ShareMove, StageMark};
