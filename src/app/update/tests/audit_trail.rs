//! An audit trail that cannot be written stays on screen until a write works again.

use super::{ID, loaded, messages, metrics, update};
use crate::app::action::Action;

const FULL: &str = "cannot write to the audit file /s/audit.jsonl: No space left on device (os error 28)";

#[test]
fn a_failed_write_is_kept_through_refreshes_until_a_write_succeeds() {
    let mut state = loaded();
    update(&mut state, Action::AuditTrail { distribution_id: ID.into(), result: Err(FULL.into()) });
    update(&mut state, Action::AuditTrail { distribution_id: ID.into(), result: Err(FULL.into()) });
    assert_eq!(state.audit_failure.as_deref(), Some(FULL));
    let errors: Vec<String> = messages(&state).into_iter().filter(|m| m.starts_with("ERROR")).collect();
    assert_eq!(errors, [format!("ERROR - the audit trail could not be written: {FULL}")], "said once, not per record");

    // A good refresh clears the read-error banner, not this one.
    update(&mut state, Action::MetricsLoaded { distribution_id: ID.into(), result: Ok(metrics(0)) });
    assert_eq!(state.audit_failure.as_deref(), Some(FULL));

    update(&mut state, Action::AuditTrail { distribution_id: ID.into(), result: Ok(()) });
    assert_eq!(state.audit_failure, None);
    assert_eq!(messages(&state).last().unwrap(), "INFO - the audit trail is written again");
    update(&mut state, Action::AuditTrail { distribution_id: ID.into(), result: Ok(()) });
    assert_eq!(messages(&state).iter().filter(|m| m.contains("written again")).count(), 1);
}

#[test]
fn a_different_failure_is_said_again() {
    let mut state = loaded();
    update(&mut state, Action::AuditTrail { distribution_id: ID.into(), result: Err(FULL.into()) });
    update(
        &mut state,
        Action::AuditTrail {
            distribution_id: ID.into(),
            result: Err("cannot open the audit file: Permission denied".into()),
        },
    );
    assert_eq!(state.audit_failure.as_deref(), Some("cannot open the audit file: Permission denied"));
    assert_eq!(messages(&state).iter().filter(|m| m.starts_with("ERROR")).count(), 2);
}
