//! Earlier sessions' audit records for this distribution, put at the top of the event log.

use super::state::State;
use crate::audit::{self, AuditLog};
use crate::domain::Level;

/// Prepend the last records of `distribution_id` from `log` to the event log, and say which lines
/// of the file could not be read. Never fails: a trail that cannot be read is one warning.
pub fn load_into(state: &mut State, log: &AuditLog, distribution_id: &str) {
    match audit::load_history(log.path(), distribution_id, audit::history::DEFAULT_HISTORY_LINES) {
        Ok((entries, warnings)) => {
            let mut earlier = entries;
            earlier.append(&mut state.log);
            state.log = earlier;
            for warning in warnings {
                state.log(Level::Warn, None, format!("audit trail {}: {warning}", log.path().display()));
            }
        }
        Err(error) => state.log(Level::Warn, None, format!("earlier sessions' records are not shown: {error}")),
    }
}
