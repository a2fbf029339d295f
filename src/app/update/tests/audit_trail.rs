//! An audit trail that cannot be written stays on screen until a write works again; the records
//! of one switch name it by when it was requested, and its milestones carry their durations.

use std::time::Duration;

use jiff::SignedDuration;

use super::super::audit::milestone;
use super::{ID, audit_records, loaded, messages, metrics, orders_accepted, t0, update};
use crate::app::action::{Action, Event};
use crate::app::command::Command;
use crate::audit::RecordKind;
use crate::domain::{DeployStatus, Target};

const FULL: &str = "cannot write to the audit file /s/audit.jsonl: No space left on device (os error 28)";

#[test]
fn a_failed_write_is_kept_through_refreshes_until_a_write_succeeds() {
    let mut state = loaded();
    update(&mut state, Action::to(ID, Event::AuditTrail { result: Err(FULL.into()) }));
    update(&mut state, Action::to(ID, Event::AuditTrail { result: Err(FULL.into()) }));
    assert_eq!(state.notices.audit_failure.as_deref(), Some(FULL));
    let errors: Vec<String> = messages(&state).into_iter().filter(|m| m.starts_with("ERROR")).collect();
    assert_eq!(errors, [format!("ERROR - the audit trail could not be written: {FULL}")], "said once, not per record");

    // A good refresh clears the read-error banner, not this one.
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    assert_eq!(state.notices.audit_failure.as_deref(), Some(FULL));

    update(&mut state, Action::to(ID, Event::AuditTrail { result: Ok(()) }));
    assert_eq!(state.notices.audit_failure, None);
    assert_eq!(messages(&state).last().unwrap(), "INFO - the audit trail is written again");
    update(&mut state, Action::to(ID, Event::AuditTrail { result: Ok(()) }));
    assert_eq!(messages(&state).iter().filter(|m| m.contains("written again")).count(), 1);
}

#[test]
fn a_different_failure_is_said_again() {
    let mut state = loaded();
    update(&mut state, Action::to(ID, Event::AuditTrail { result: Err(FULL.into()) }));
    update(
        &mut state,
        Action::to(ID, Event::AuditTrail { result: Err("cannot open the audit file: Permission denied".into()) }),
    );
    assert_eq!(state.notices.audit_failure.as_deref(), Some("cannot open the audit file: Permission denied"));
    assert_eq!(messages(&state).iter().filter(|m| m.starts_with("ERROR")).count(), 2);
}

/// The switch of `/orders/*` requested at `t0()`, accepted 2 s later with ETags E1 → E2.
fn accepted_switch() -> crate::app::model::state::State {
    let mut state = loaded();
    super::request_switch(&mut state, "/orders/*");
    update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(2)));
    update(&mut state, orders_accepted(1, "E1", "E2"));
    state
}

#[test]
fn every_record_of_a_switch_carries_when_it_was_requested() {
    let mut state = loaded();
    update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(7)));
    super::select(&mut state, "/orders/*");
    super::press(&mut state, Command::Switch);
    let requested = super::super::distribution(&mut state, Action::Command(Command::Confirm));
    update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(9)));
    let accepted = super::super::distribution(&mut state, orders_accepted(1, "E1", "E2"));
    update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(100)));
    let deployed = super::super::distribution(
        &mut state,
        Action::to(
            ID,
            Event::DeployStatus { result: Ok(super::read_back(DeployStatus::Deployed, super::ORDERS_BACK)) },
        ),
    );
    let records: Vec<_> = [&requested, &accepted, &deployed].iter().flat_map(|e| audit_records(e)).collect();
    assert_eq!(
        records.iter().map(|r| (r.kind, r.requested_at)).collect::<Vec<_>>(),
        [RecordKind::SwitchRequested, RecordKind::SwitchAccepted, RecordKind::SwitchDeployed]
            .map(|kind| (kind, Some(t0() + SignedDuration::from_secs(7))))
    );
    let last = records.last().unwrap();
    assert_eq!((last.request_to_accepted_ms, last.accepted_to_deployed_ms), (Some(2_000), Some(91_000)));
}

#[test]
fn a_milestone_is_a_record_of_the_switch_with_its_own_duration() {
    let state = accepted_switch();
    let attempt = &state.moves[0];
    let edge = milestone(
        &state,
        attempt,
        RecordKind::EdgeMoved,
        Duration::from_millis(97_250),
        "every probe answered by ◼ origin".into(),
    );
    let traffic = milestone(
        &state,
        attempt,
        RecordKind::TrafficMoved,
        Duration::from_secs(100),
        "97 % on ◼ origin (legacy)".into(),
    );
    let records = audit_records(&[edge, traffic]).into_iter().cloned().collect::<Vec<_>>();
    let [edge, traffic] = records.as_slice() else { panic!("two records: {records:?}") };

    assert_eq!((edge.kind, edge.edge_ms, edge.traffic_moved_ms), (RecordKind::EdgeMoved, Some(97_250), None));
    assert_eq!(
        (traffic.kind, traffic.edge_ms, traffic.traffic_moved_ms),
        (RecordKind::TrafficMoved, None, Some(100_000))
    );
    for record in [edge, traffic] {
        assert_eq!(record.requested_at, Some(t0()), "names the switch it belongs to");
        assert_eq!((record.distribution.as_str(), record.routes.as_slice()), (ID, &["/orders/*".to_string()][..]));
        assert_eq!((record.from, record.to), (Some(Target::Lambda), Some(Target::Origin)));
        assert_eq!((record.etag_before.as_deref(), record.etag_after.as_deref()), (Some("E1"), Some("E2")));
        assert_eq!((record.operator.as_str(), record.time), ("kim", t0() + SignedDuration::from_secs(2)));
        assert_eq!(record.outcome, None, "a milestone does not end the switch");
        assert_eq!((record.request_to_accepted_ms, record.accepted_to_deployed_ms), (None, None));
    }
    assert_eq!(edge.message.as_deref(), Some("every probe answered by ◼ origin"));
    assert_eq!(traffic.message.as_deref(), Some("97 % on ◼ origin (legacy)"));
}
