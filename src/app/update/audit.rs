//! Audit records for what `update` decides: each comes back as an [`Effect::Audit`], which the
//! session writes to disk before anything else of that update reaches the screen.

use std::time::Duration;

use jiff::Timestamp;

use crate::app::action::Effect;
use crate::app::model::plan_run::PlanRun;
use crate::app::model::state::{Mode, Move, MoveSource, State};
use crate::audit::{self, AuditRecord, Outcome, RecordKind};
use crate::backend::share::Seen;
use crate::domain::stage::StageRef;

fn base(state: &State, kind: RecordKind, distribution: &str) -> AuditRecord {
    let environment = match state.policy.mode {
        Mode::Demo { .. } => audit::Environment::Demo,
        Mode::Live { .. } => audit::Environment::Live,
    };
    AuditRecord::new(state.now, kind, environment, state.policy.operator.clone(), distribution)
        .with_caller_arn(state.policy.caller_arn.clone())
}

fn millis(from: Timestamp, to: Timestamp) -> Option<u64> {
    u64::try_from(to.duration_since(from).as_millis()).ok()
}

/// The trail's `attempt` id of move `id`: the console run's id and the move's number, unique per
/// run and distribution; a stage move's says so (`…-stage-3`), numbered in the same space.
pub fn attempt_id(state: &State, id: u64) -> String {
    match state.moves.by_id(id) {
        Some(m) if m.stage().is_some() => format!("{}-stage-{id}", state.policy.run_id),
        _ => format!("{}-{id}", state.policy.run_id),
    }
}

/// What every record of one switch attempt says: who, which routes, which way, the ETags, when it
/// was requested, and its `attempt` id (which, with the distribution, names it in the trail).
fn of_attempt(state: &State, attempt: &Move, kind: RecordKind) -> AuditRecord {
    let record = base(state, kind, &attempt.distribution_id)
        .with_routes(attempt.paths.iter().cloned())
        .with_etags(attempt.etag_before.clone(), attempt.etag_after.clone())
        .with_requested_at(attempt.requested_at)
        .with_attempt(attempt_id(state, attempt.id));
    match attempt.sides() {
        Some((from, to)) => record.with_targets(from, to),
        None => record,
    }
}

/// The record of one step of a switch attempt.
pub fn switch(state: &State, attempt: &Move, kind: RecordKind, error: Option<String>) -> Effect {
    let mut record = of_attempt(state, attempt, kind);
    record.outcome = match kind {
        RecordKind::SwitchAccepted => Some(Outcome::Accepted),
        RecordKind::SwitchDeployed => Some(Outcome::Deployed),
        RecordKind::SwitchFailed => Some(Outcome::Failed),
        RecordKind::SwitchAbandoned => Some(Outcome::Abandoned),
        _ => None,
    };
    record.error = error;
    record.moves = attempt.behaviors().iter().map(audit::Move::of).collect();
    record.shares = (attempt.shares().iter())
        .map(|c| audit::ShareMove {
            route: c.path.clone(),
            from_pct: c.from,
            to_pct: c.to,
            record_was: match c.seen {
                Seen::Record => None,
                Seen::Missing { .. } => Some("missing".to_string()),
                Seen::Unreadable { .. } => Some("unreadable".to_string()),
            },
        })
        .collect();
    record.override_reason = attempt.override_reason.clone();
    record.request_to_accepted_ms = attempt.accepted_at.and_then(|at| millis(attempt.requested_at, at));
    if kind == RecordKind::SwitchDeployed {
        record.accepted_to_deployed_ms = attempt.accepted_at.and_then(|at| millis(at, state.now));
    }
    record.message = match attempt.source {
        MoveSource::Manual | MoveSource::Plan => None,
        MoveSource::RollbackAll => Some("rollback of every Lambda route".into()),
        MoveSource::Undo => Some("undo of the last switch (u)".into()),
        MoveSource::Automatic => Some("automatic rollback by a guard".into()),
    };
    Effect::Audit(Box::new(record))
}

/// A moment the switch was seen taking effect: [`RecordKind::EdgeMoved`] (the first probe
/// through the distribution answered by the new side) with `edge_ms`, or
/// [`RecordKind::TrafficMoved`] (CloudWatch shows the new side carrying the threshold share) with
/// `traffic_moved_ms`, each `since_requested`; `message` says what was seen. Any other kind gets
/// neither duration.
pub fn milestone(
    state: &State,
    attempt: &Move,
    kind: RecordKind,
    since_requested: Duration,
    message: String,
) -> Effect {
    debug_assert!(
        matches!(kind, RecordKind::EdgeMoved | RecordKind::TrafficMoved | RecordKind::ViewersHealthy),
        "not a milestone: {kind:?}"
    );
    let mut record = of_attempt(state, attempt, kind).with_message(message);
    let ms = Some(audit::record::millis(since_requested));
    match kind {
        RecordKind::EdgeMoved => record.edge_ms = ms,
        RecordKind::TrafficMoved => record.traffic_moved_ms = ms,
        RecordKind::ViewersHealthy => record.viewers_healthy_ms = ms,
        _ => {}
    }
    Effect::Audit(Box::new(record))
}

/// A rollout plan's `plan_step` record: which plan, step and share, what happened, and the
/// attempt of the share move it is about.
pub fn plan_step(
    state: &State,
    run: &PlanRun,
    word: &str,
    held: Option<Duration>,
    message: String,
    attempt: Option<u64>,
) -> Effect {
    let mut record = base(state, RecordKind::PlanStep, &state.distribution_id).with_routes([run.route.as_str()]);
    record.attempt = attempt.map(|id| attempt_id(state, id));
    record.plan = Some(audit::PlanMark {
        name: run.plan.name.clone(),
        steps: run.plan.steps_text(),
        step: run.step,
        share: run.share(),
        state: word.to_string(),
        held_secs: held.map(|h| h.as_secs()),
    });
    record.message = Some(message);
    Effect::Audit(Box::new(record))
}

/// A stage rollback's record: which stage, from which deployment to which; the route it was asked
/// from; `requested_at` and `attempt` the same on each record of one move.
pub fn stage_step(state: &State, moved: &Move, kind: RecordKind, error: Option<String>) -> Effect {
    let mut record = base(state, kind, &moved.distribution_id)
        .with_routes(moved.paths.iter().cloned())
        .with_requested_at(moved.requested_at)
        .with_attempt(attempt_id(state, moved.id));
    let Some(step) = moved.stage() else {
        debug_assert!(false, "not a stage move: {moved:?}");
        return Effect::Audit(Box::new(record));
    };
    let (api, api_id, stage) = match &step.stage {
        StageRef::Rest { rest_api_id, stage } => ("rest", rest_api_id, stage),
        StageRef::Http { api_id, stage } => ("http", api_id, stage),
    };
    record.stage = Some(audit::StageMark {
        api: api.into(),
        api_id: api_id.clone(),
        stage: stage.clone(),
        from_deployment: step.from.clone(),
        to_deployment: step.to.clone(),
    });
    if kind == RecordKind::StageAccepted {
        record.request_to_accepted_ms = millis(moved.requested_at, state.now);
    }
    record.outcome = match kind {
        RecordKind::StageAccepted => Some(Outcome::Accepted),
        RecordKind::StageFailed => Some(Outcome::Failed),
        RecordKind::StageAbandoned => Some(Outcome::Abandoned),
        _ => None,
    };
    record.error = error;
    if moved.source == MoveSource::Undo {
        record.message = Some("undo of the last stage move (u)".into());
    }
    Effect::Audit(Box::new(record))
}

/// A guard's breach, with its numbers; `reason` for an automatic rollback it caused.
pub fn event(state: &State, kind: RecordKind, route: &str, message: String) -> Effect {
    let mut record = base(state, kind, &state.distribution_id).with_routes([route]);
    record.message = Some(message);
    Effect::Audit(Box::new(record))
}

/// The router guard's breach: what the router function did, on the routes it serves.
pub fn router_breach(state: &State, routes: Vec<String>, message: String) -> Effect {
    let mut record = base(state, RecordKind::GuardBreach, &state.distribution_id).with_routes(routes);
    record.message = Some(message);
    Effect::Audit(Box::new(record))
}
