//! Earlier sessions' audit records for this distribution, put at the top of the event log the
//! console opens with.

use super::setup::Setup;
use crate::audit::{self, AuditLog};
use crate::domain::Level;

/// Put the last records of the setup's distribution from `log` before the log's first lines, and
/// say which lines of the file could not be read. Never fails: a trail that cannot be read is one
/// warning.
pub fn load_into(setup: &mut Setup, log: &AuditLog) {
    match audit::load_history(log.path(), &setup.distribution_id, audit::as_event_log::DEFAULT_HISTORY_LINES) {
        Ok((entries, warnings)) => {
            let mut earlier = entries;
            earlier.append(&mut setup.log);
            setup.log = earlier;
            for warning in warnings {
                setup.note(Level::Warn, None, format!("audit trail {}: {warning}", log.path().display()));
            }
        }
        Err(error) => setup.note(Level::Warn, None, format!("earlier sessions' records are not shown: {error}")),
    }
}
