//! Whether the audit trail is being written. A failure is kept in `state.audit_failure` (its own
//! banner, which a metrics refresh does not clear) until a later write succeeds, so the operator
//! cannot miss that switches are going unrecorded.

use crate::app::action::Effect;
use crate::app::model::state::State;
use crate::domain::Level;

/// The trail took a record (or could take one), or it could not, with why.
pub fn answered(state: &mut State, result: Result<(), String>) -> Vec<Effect> {
    match result {
        Err(error) => {
            // Once per distinct failure: a switch writes several records, all failing alike.
            if state.notices.audit_failure.as_deref() != Some(error.as_str()) {
                state.log(Level::Error, None, format!("the audit trail could not be written: {error}"));
            }
            state.notices.audit_failure = Some(error);
        }
        Ok(()) => {
            if state.notices.audit_failure.take().is_some() {
                state.log(Level::Info, None, "the audit trail is written again");
            }
        }
    }
    Vec::new()
}
