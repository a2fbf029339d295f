//! Planning the stage rollback (`D`, Enter in its picker, `u` after a stage move, headless
//! `stage`): the picker for a route's stage, the move to a deployment, or why not. Pure: it reads
//! the state and changes nothing.

use super::dialog::{ConfirmStage, StagePicker};
use super::refusal::{InFlight, Refusal, Since, Untouched};
use crate::app::model::state::{StageStep, State};

/// `D` on `path` (or headless `stage ROUTE`): the picker for its stage, its deployments still to be
/// read. Read-only may look: only choosing a deployment is refused.
pub fn list(state: &State, path: &str) -> Result<StagePicker, Refusal> {
    let stage = state.policy.stages.get(path).ok_or_else(|| Refusal::NoStage { path: path.to_string() })?;
    if in_flight(state) {
        return Err(Refusal::InFlight(InFlight::Stage));
    }
    Ok(StagePicker { path: path.to_string(), stage: stage.clone(), deployments: None, error: None, chosen: 0 })
}

/// Enter in the picker (or headless `stage ROUTE --deployment ID`): the dialog moving `path`'s
/// stage to `deployment`, from the deployments as last read.
pub fn move_to(state: &State, path: &str, deployment: &str) -> Result<ConfirmStage, Refusal> {
    let stage = state.policy.stages.get(path).ok_or_else(|| Refusal::NoStage { path: path.to_string() })?;
    let deployments = state
        .learned
        .stage_serving
        .get(&stage.stage)
        .ok_or_else(|| Refusal::StageNotRead { path: path.to_string() })?;
    let chosen = (deployments.list.iter())
        .find(|d| d.id == deployment)
        .ok_or_else(|| Refusal::UnknownDeployment { path: path.to_string(), deployment: deployment.to_string() })?;
    if let Some(why) = &state.read_only {
        return Err(Refusal::ReadOnly { why: why.clone(), untouched: Untouched::Stage });
    }
    if chosen.id == deployments.current {
        return Err(Refusal::AlreadyServed { path: path.to_string(), deployment: chosen.id.clone() });
    }
    Ok(ConfirmStage {
        path: path.to_string(),
        stage: stage.stage.clone(),
        from: deployments.current.clone(),
        to: chosen.id.clone(),
        to_description: chosen.description.clone(),
        to_fallback: stage.fallback_deployment.as_deref() == Some(chosen.id.as_str()),
        undo: false,
        breached_before: Vec::new(),
    })
}

/// The stage move `u` would put back: the newest move AWS took, when it is a stage move.
pub fn undoable(state: &State) -> Option<&StageStep> {
    state.moves.newest_undoable()?.stage()
}

/// `u` after a stage move: the dialog moving the stage back to the deployment it served before,
/// unless it was moved since.
pub fn undo(state: &State) -> Result<ConfirmStage, Refusal> {
    let last = undoable(state).ok_or(Refusal::NothingToUndo)?;
    if let Some(why) = &state.read_only {
        return Err(Refusal::ReadOnly { why: why.clone(), untouched: Untouched::Stage });
    }
    if state.learned.stage_serving.get(&last.stage).is_some_and(|d| d.current != last.to) {
        let (stage, deployment) = (last.stage.label(), last.to.clone());
        return Err(Refusal::MovedSince(Since::Stage { stage, deployment }));
    }
    let fallback = state.policy.stages.get(&last.path).and_then(|s| s.fallback_deployment.as_deref());
    let description = (state.learned.stage_serving.get(&last.stage))
        .and_then(|d| d.list.iter().find(|d| d.id == last.from))
        .map(|d| d.description.clone())
        .unwrap_or_default();
    Ok(ConfirmStage {
        path: last.path.clone(),
        stage: last.stage.clone(),
        from: last.to.clone(),
        to: last.from.clone(),
        to_description: description,
        to_fallback: fallback == Some(last.from.as_str()),
        undo: true,
        breached_before: last.left_breaching.clone(),
    })
}

/// Whether a stage move of this distribution is still unanswered.
pub fn in_flight(state: &State) -> bool {
    state.moves.in_flight(|m| m.stage().is_some())
}
