//! From the dialog to the backend: confirming (or overriding) sends one update, and the backend's
//! refusals and conflicts come back here.

use super::super::audit;
use super::{begin, refuse, set_pending};
use crate::app::action::{Effect, Work};
use crate::app::intent::Refusal;
use crate::app::intent::refusal::InFlight;
use crate::app::intent::switch::changes_for;
use crate::app::model::state::{ConfirmSwitch, Move, MoveKind, MovePhase, MoveSource, Overlay, State};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::{Level, RouteChange, Target};

/// Why the console turned read-only by itself: AWS refused an update.
pub const DENIED_REASON: &str = "AWS denied UpdateDistribution to these credentials";

/// `y`: send the dialog's switch, unless the pre-flight blocked it or the audit trail is failing;
/// then only the override key sends it, so going on is deliberate.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    let Overlay::Confirm(confirm) = &state.view.overlay else {
        return Vec::new();
    };
    let reasons = confirm.override_reasons(state.notices.audit_failure.as_deref());
    if !reasons.is_empty() {
        let paths = confirm.paths.join(", ");
        refuse(state, Refusal::Blocked { paths, reasons });
        return Vec::new();
    }
    let Overlay::Confirm(confirm) = std::mem::replace(&mut state.view.overlay, Overlay::None) else {
        return Vec::new();
    };
    send(state, &confirm, None)
}

/// The dialog's moves, once confirmed: the distribution update for its behaviors, the store's for
/// its shares (an `R` may have both).
fn send(state: &mut State, confirm: &ConfirmSwitch, override_reason: Option<String>) -> Vec<Effect> {
    let mut effects = Vec::new();
    if !confirm.changes.is_empty() {
        effects = request(state, confirm.kind, &confirm.paths, confirm.from, None, override_reason.clone());
    }
    if !confirm.shares.is_empty() {
        let before = state.moves.len();
        effects.extend(super::share::request(state, confirm.kind, &confirm.shares, None, override_reason));
        let sent = state.moves.get(before).map(|a| a.id);
        if let (Some((plan, step)), Some(attempt)) = (confirm.plan.as_deref().cloned(), sent) {
            effects.extend(super::plan::started(state, plan, step, attempt));
        }
    }
    effects
}

/// `!` (or headless `--force --reason`): send the dialog's switch although the pre-flight blocked
/// it, recording who overrode what and why.
pub fn confirm_override(state: &mut State, reason: Option<String>) -> Vec<Effect> {
    let Overlay::Confirm(confirm) = std::mem::replace(&mut state.view.overlay, Overlay::None) else {
        return Vec::new();
    };
    let why = reason.unwrap_or_else(|| format!("overridden in the console by {}", state.policy.operator));
    let reasons = confirm.override_reasons(state.notices.audit_failure.as_deref());
    let overridden = if reasons.is_empty() { "nothing was blocked".to_string() } else { reasons.join("; ") };
    let override_reason = format!("{why} (overriding: {overridden})");
    send(state, &confirm, Some(override_reason))
}

/// Send one update moving every route of `paths` that still targets `from` to the other side of
/// its pair. `reason` is said in the log for switches nobody confirmed (guards);
/// `override_reason` is set when the operator overrode the pre-flight.
pub fn request(
    state: &mut State,
    kind: MoveSource,
    paths: &[String],
    from: Target,
    reason: Option<&str>,
    override_reason: Option<String>,
) -> Vec<Effect> {
    if state.learned.topology.is_none() {
        return Vec::new();
    }
    let distribution_id = state.distribution_id.clone();
    let still = still_movable(state, paths, from);
    let mut changes = changes_for(state, &still, from);
    for change in &mut changes {
        change.override_reason = override_reason.clone();
    }
    if changes.is_empty() {
        return Vec::new();
    }
    let moving: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    let label = moving.join(", ");
    if state.update_in_flight(&distribution_id) {
        refuse(state, Refusal::InFlight(InFlight::UpdateAtSend { paths: label }));
        return Vec::new();
    }
    announce(state, kind, &label, &changes, reason, override_reason.as_deref());
    let kind_of = MoveKind::Behavior { changes: changes.clone(), from, to: from.other() };
    let attempt = Move { override_reason, ..Move::requested(&distribution_id, kind, moving, kind_of, state.now) };
    let (id, record) = begin(state, attempt, reason);
    record.into_iter().chain([Effect::on(distribution_id, Work::Switch { id, changes })]).collect()
}

/// The event log's line for a request: what kind, every move with its origins, who asked (or
/// which guard), and a warning of its own when the pre-flight was overridden.
fn announce(
    state: &mut State,
    kind: MoveSource,
    label: &str,
    changes: &[RouteChange],
    reason: Option<&str>,
    override_reason: Option<&str>,
) {
    let what = match kind {
        MoveSource::Manual | MoveSource::Plan => "switch",
        MoveSource::RollbackAll => "rollback of every Lambda route:",
        MoveSource::Undo => "undo:",
        MoveSource::Automatic => "automatic rollback:",
    };
    let who = match reason {
        Some(reason) => format!("by the guard, because {reason}"),
        None => format!("requested by {}", state.policy.operator),
    };
    let level = if kind == MoveSource::Automatic || override_reason.is_some() { Level::Warn } else { Level::Info };
    let moves = changes.iter().map(RouteChange::describe).collect::<Vec<_>>().join("; ");
    state.log(level, Some(label), format!("{what} {moves} {who}"));
    if let Some(why) = override_reason {
        state.log(Level::Warn, Some(label), format!("pre-flight overridden: {why}"));
    }
}

/// The routes of `paths` that still target `from` and can move; each other one is said in the log.
fn still_movable(state: &mut State, paths: &[String], from: Target) -> Vec<String> {
    let mut still = Vec::new();
    for path in paths {
        match state.route(path) {
            None => state.log(Level::Warn, Some(path), "route is gone from the distribution; nothing was switched"),
            Some(row) if row.target != Some(from) => {
                let now = row.target.map_or_else(|| row.origin_id.clone(), |t| t.to_string());
                let message =
                    format!("route now targets {now} (changed while the dialog was open); nothing was switched");
                state.log(Level::Warn, Some(path), message);
            }
            Some(row) => match row.switchable() {
                Ok(_) => still.push(row.path.clone()),
                Err(why) => state.log(Level::Warn, Some(path), format!("not switchable: {why}; nothing was switched")),
            },
        }
    }
    still
}

pub fn conflict(state: &mut State, id: u64, stale_etag: &str) -> Vec<Effect> {
    if let Some(attempt) = state.moves.by_id(id) {
        let label = attempt.label();
        let what = if attempt.by_router() { "wrote the router's store" } else { "updated the distribution" };
        state.log(
            Level::Warn,
            Some(&label),
            format!("ETag {stale_etag} is stale (someone else {what}); re-reading and re-applying"),
        );
    }
    Vec::new()
}

pub fn failed(state: &mut State, id: u64, error: &BackendError) -> Vec<Effect> {
    let Some(attempt) = state.moves.iter_mut().find(|s| s.id == id && s.phase == MovePhase::Requested) else {
        return Vec::new();
    };
    attempt.phase = MovePhase::Failed;
    let (label, paths) = (attempt.label(), attempt.paths.clone());
    let what = if attempt.by_router() { "share move" } else { "switch" };
    let message = format!("{what} {} failed: {error}", attempt.moves());
    attempt.failure = Some(format!("{label}: {message}"));
    set_pending(state, &paths, None);
    state.log(Level::Error, Some(&label), &message);
    state.notices.banner = Some(format!("{label}: {message}"));
    let mut effects: Vec<Effect> = state
        .moves
        .by_id(id)
        .map(|a| audit::switch(state, a, RecordKind::SwitchFailed, Some(error.to_string())))
        .into_iter()
        .collect();
    effects.extend(super::plan::step_failed(state, id, &error.to_string()));
    if let BackendError::AccessDenied(_) = error {
        let reason = DENIED_REASON;
        state.read_only = Some(reason.to_string());
        state.log(
            Level::Warn,
            None,
            format!("{reason}: the console is now read-only; it keeps watching, switch with a role allowed to update"),
        );
    }
    // A share read back otherwise than asked: show what the store has now.
    let read_back_otherwise =
        matches!(error, BackendError::NotAsAsked(_)) && state.moves.by_id(id).is_some_and(|a| a.by_router());
    if (matches!(error, BackendError::ShareChangedElsewhere { .. }) || read_back_otherwise)
        && state.learned.shares.start()
    {
        // Show the shares the store really has now.
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadShares { generation: state.learned.shares_generation },
        ));
    }
    if matches!(error, BackendError::ChangedElsewhere { .. }) && state.learned.topology.start() {
        // Show what the distribution really looks like now.
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadTopology { generation: state.learned.topology_generation },
        ));
    }
    effects
}
