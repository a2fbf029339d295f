//! The switch flow once its dialog is planned (`intent`), one file per job: the request (confirm, override, refusals), and the rollout (acceptance
//! to `Deployed`); `share` moves a routed route by share through the router's store instead.

pub mod edge;
pub mod plan;
mod request;
mod rollout;
pub mod share;
pub mod traffic;

pub use request::{DENIED_REASON, confirm, confirm_override, conflict, failed, request};
pub use rollout::{accepted, deploy_status, say_progress};

use super::audit;
use super::dialogs::refuse;
use crate::app::action::Effect;
use crate::app::model::state::{Move, MoveSource, State};
use crate::audit::RecordKind;

/// Mark the rows of `paths` as moved by attempt `pending` (or no longer, with `None`).
fn set_pending(state: &mut State, paths: &[String], pending: Option<u64>) {
    for row in state.routes.iter_mut().filter(|r| paths.contains(&r.path)) {
        row.pending = pending;
    }
}

/// The store took share move `id`: the rows and the follow-ups (`share`), then a rollout plan
/// waiting for it (`plan`).
pub fn shares_accepted(state: &mut State, id: u64, accepted: crate::backend::share::SharesAccepted) -> Vec<Effect> {
    // Taken is not done: a share the store does not show as asked fails the move (and its plan step).
    if let Some(error) = state.moves.by_id(id).and_then(|a| share::not_as_asked(a, &accepted.read_back)) {
        return failed(state, id, &error);
    }
    let mut effects = share::accepted(state, id, accepted);
    effects.extend(plan::step_taken(state, id));
    effects
}

/// Start `attempt`: the next id, its rows pending, and its request record (`auto_rollback` for a
/// guard's, whose `reason` the record gives; a plan step's reason likewise). Its id and the record.
fn begin(state: &mut State, attempt: Move, reason: Option<&str>) -> (u64, Option<Effect>) {
    let (kind, paths) = (attempt.source, attempt.paths.clone());
    state.notices.refused = None;
    let id = state.moves.begin(attempt);
    set_pending(state, &paths, Some(id));
    let step = if kind == MoveSource::Automatic { RecordKind::AutoRollback } else { RecordKind::SwitchRequested };
    let mut record = state.moves.by_id(id).map(|a| audit::switch(state, a, step, None));
    if let (Some(Effect::Audit(record)), Some(reason)) = (record.as_mut(), reason) {
        record.message = Some(match kind {
            MoveSource::Automatic => format!("automatic rollback by a guard, because {reason}"),
            _ => reason.to_string(),
        });
    }
    (id, record)
}
