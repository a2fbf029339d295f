//! The stage rollback (`D`): a route's API Gateway stage pointed at another deployment, usually
//! the one whose integration proxies to the monolith. CloudFront stays as it is, so nothing
//! propagates: API Gateway serves the deployment within seconds, for every route behind the stage.
//! The picker lists the deployments (read-only may look), Enter asks, `y` sends `UpdateStage`, and `u` (when
//! it is the newest move of the session) moves the stage back to the deployment it served before.

use super::audit;
use crate::app::action::{Effect, Work};
use crate::app::command::Command;
use crate::app::state::{ConfirmStage, Move, MoveKind, MovePhase, MoveSource, Overlay, StagePicker, StageStep, State};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::Level;
use crate::domain::stage::StageDeployments;
use crate::domain::visible::escape as visible;

/// A stage rollback key, or a key while its picker or dialog is open: `Some` when it was the
/// stage rollback's to handle, `None` to let the rest of `update` have it.
pub fn command(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match (&state.view.overlay, command) {
        (Overlay::None, Command::StageRollback) => Some(open(state)),
        (Overlay::None, Command::Undo) if undoable(state).is_some() => Some(open_undo(state)),
        (Overlay::StagePicker(_), Command::SelectUp) => Some(move_choice(state, -1)),
        (Overlay::StagePicker(_), Command::SelectDown) => Some(move_choice(state, 1)),
        (Overlay::StagePicker(_), Command::Confirm) => Some(choose(state)),
        (Overlay::ConfirmStage(_), Command::Confirm) => Some(confirm(state)),
        (Overlay::ConfirmStage(_), Command::ConfirmOverride) => {
            refuse(state, None, "a stage move has nothing to override: press y to send it, n to cancel".into());
            Some(Vec::new())
        }
        (Overlay::StagePicker(_) | Overlay::ConfirmStage(_), Command::Cancel) => {
            state.view.overlay = Overlay::None;
            Some(Vec::new())
        }
        (Overlay::StagePicker(_) | Overlay::ConfirmStage(_), _) => Some(Vec::new()),
        _ => None,
    }
}

fn refuse(state: &mut State, route: Option<&str>, message: String) {
    state.log(Level::Warn, route, message.clone());
    state.refused = Some(message);
}

/// `D`: open the picker for the selected route's stage and read its deployments.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(path) = state.selected_route().map(|r| r.path.clone()) else {
        return Vec::new();
    };
    open_for(state, &path)
}

/// Headless `stage ROUTE`: the picker for `path`'s stage, as `D` on it would open it (over
/// whatever was open). Read-only may look: only choosing a deployment is refused.
pub fn open_for(state: &mut State, path: &str) -> Vec<Effect> {
    state.view.overlay = Overlay::None;
    let Some(stage) = state.policy.stages.get(path).cloned() else {
        let message = format!(
            "{path} names no API Gateway stage; add [distribution.route.stage] to its route in the config to roll its stage back"
        );
        refuse(state, Some(path), message);
        return Vec::new();
    };
    if in_flight(state) {
        refuse(state, Some(path), "a stage move is still on its way; wait for its answer".into());
        return Vec::new();
    }
    state.refused = None;
    let picker =
        StagePicker { path: path.to_string(), stage: stage.clone(), deployments: None, error: None, chosen: 0 };
    state.view.overlay = Overlay::StagePicker(picker);
    vec![Effect::on(state.distribution_id.clone(), Work::LoadStage { path: path.to_string(), stage: stage.stage })]
}

/// The stage's deployments came back: kept for the route detail, and shown in the picker if it
/// still waits for them (the fallback chosen first, as the usual way back).
pub fn loaded(state: &mut State, path: &str, result: Result<StageDeployments, BackendError>) -> Vec<Effect> {
    let Some(stage) = state.policy.stages.get(path).cloned() else {
        return Vec::new();
    };
    match result {
        Ok(deployments) => {
            state.learned.stage_serving.insert(stage.stage.clone(), deployments.clone());
            if let Overlay::StagePicker(picker) = &mut state.view.overlay
                && picker.path == path
            {
                let fallback = stage.fallback_deployment.as_deref();
                let preferred = (deployments.list.iter())
                    .position(|d| Some(d.id.as_str()) == fallback && d.id != deployments.current)
                    .or_else(|| deployments.list.iter().position(|d| d.id != deployments.current));
                picker.chosen = preferred.unwrap_or(0);
                picker.deployments = Some(deployments);
                picker.error = None;
            }
        }
        Err(error) => {
            let message = format!("could not read the deployments of {}: {error}", visible(&stage.stage.label()));
            state.log(Level::Error, Some(path), message.clone());
            if let Overlay::StagePicker(picker) = &mut state.view.overlay
                && picker.path == path
            {
                picker.error = Some(error.to_string());
            }
            state.refused = Some(message);
        }
    }
    Vec::new()
}

fn move_choice(state: &mut State, by: isize) -> Vec<Effect> {
    if let Overlay::StagePicker(picker) = &mut state.view.overlay {
        let count = picker.deployments.as_ref().map_or(0, |d| d.list.len());
        if count > 0 {
            picker.chosen = picker.chosen.saturating_add_signed(by).min(count - 1);
        }
    }
    Vec::new()
}

/// Enter in the picker: ask before moving the stage to the chosen deployment.
fn choose(state: &mut State) -> Vec<Effect> {
    let Overlay::StagePicker(picker) = &state.view.overlay else {
        return Vec::new();
    };
    let Some(deployments) = &picker.deployments else {
        return Vec::new();
    };
    let Some(chosen) = deployments.list.get(picker.chosen) else {
        return Vec::new();
    };
    let path = picker.path.clone();
    if let Some(why) = state.read_only.clone() {
        state.view.overlay = Overlay::None;
        refuse(state, Some(&path), format!("read-only ({why}): the stage was not touched"));
        return Vec::new();
    }
    if chosen.id == deployments.current {
        let message = format!("the stage already serves deployment {}; choose another", visible(&chosen.id));
        refuse(state, Some(&path), message);
        return Vec::new();
    }
    let confirm = ConfirmStage {
        path,
        stage: picker.stage.stage.clone(),
        from: deployments.current.clone(),
        to: chosen.id.clone(),
        to_description: chosen.description.clone(),
        to_fallback: picker.stage.fallback_deployment.as_deref() == Some(chosen.id.as_str()),
        undo: false,
    };
    state.refused = None;
    state.view.overlay = Overlay::ConfirmStage(confirm);
    Vec::new()
}

/// Headless `stage ROUTE --deployment ID`: with the picker's deployments read, choose `deployment`
/// and open the confirm dialog.
pub fn choose_for(state: &mut State, path: &str, deployment: &str) -> Vec<Effect> {
    let Overlay::StagePicker(picker) = &mut state.view.overlay else {
        refuse(state, Some(path), "the stage's deployments have not been read".into());
        return Vec::new();
    };
    let index = picker.deployments.as_ref().and_then(|d| d.list.iter().position(|d| d.id == deployment));
    let Some(index) = index else {
        let message =
            format!("deployment {} is not one of the stage's; list them with --list and pick one", visible(deployment));
        refuse(state, Some(path), message);
        return Vec::new();
    };
    picker.chosen = index;
    choose(state)
}

/// `y`: send the stage move, recorded first.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    if let Some(why) = state.read_only.clone() {
        state.view.overlay = Overlay::None;
        refuse(state, None, format!("read-only ({why}): the stage was not touched"));
        return Vec::new();
    }
    if in_flight(state) {
        refuse(state, None, "a stage move is still on its way; wait for its answer".into());
        return Vec::new();
    }
    let Overlay::ConfirmStage(confirm) = std::mem::replace(&mut state.view.overlay, Overlay::None) else {
        return Vec::new();
    };
    let step = StageStep {
        path: confirm.path.clone(),
        stage: confirm.stage.clone(),
        from: confirm.from.clone(),
        to: confirm.to.clone(),
    };
    let source = if confirm.undo { MoveSource::Undo } else { MoveSource::Manual };
    let new =
        Move::requested(&state.distribution_id, source, vec![confirm.path.clone()], MoveKind::Stage(step), state.now);
    let what = if confirm.undo { "undo: move" } else { "move" };
    let message = format!(
        "{what} stage {} from deployment {} to {} ({}) asked by {}",
        visible(&confirm.stage.label()),
        visible(&confirm.from),
        visible(&confirm.to),
        visible(&confirm.to_description),
        state.policy.operator
    );
    state.log(Level::Info, Some(&confirm.path), message);
    state.refused = None;
    let id = state.moves.begin(new);
    let record = state.moves.by_id(id).map(|m| audit::stage_step(state, m, RecordKind::StageRequested, None));
    record
        .into_iter()
        .chain([Effect::on(
            state.distribution_id.clone(),
            Work::SetStage { id, stage: confirm.stage, deployment_id: confirm.to },
        )])
        .collect()
}

/// `UpdateStage` answered, and the stage read back: accepted only when it serves the deployment asked.
pub fn set(state: &mut State, id: u64, result: Result<String, BackendError>) -> Vec<Effect> {
    // A move already ended (abandoned when the console stopped waiting) is not ended twice.
    let now = state.now;
    let Some(done) = state.moves.requested_mut(id) else {
        return Vec::new();
    };
    let Some(asked) = done.stage().map(|step| step.to.clone()) else {
        return Vec::new();
    };
    let result = match result {
        Ok(serving) if serving != asked => Err(BackendError::NotAsAsked(format!(
            "API Gateway took the move, but read back the stage serves deployment {}, not {} as asked; check with `cutover stage ROUTE --list` and move it again",
            visible(&serving),
            visible(&asked)
        ))),
        other => other.map(|_| ()),
    };
    // Served is in effect: API Gateway has no rollout to follow.
    match &result {
        Ok(()) => {
            done.phase = MovePhase::Deployed;
            done.accepted_at = Some(now);
        }
        Err(error) => {
            done.phase = MovePhase::Failed;
            done.failure = Some(error.to_string());
        }
    }
    let record_of = done.clone();
    let Some(done) = record_of.stage().cloned() else {
        return Vec::new();
    };
    let label = visible(&done.stage.label()).into_owned();
    match result {
        Ok(()) => {
            if let Some(serving) = state.learned.stage_serving.get_mut(&done.stage) {
                serving.current = done.to.clone();
            }
            let message = format!(
                "stage {label} now serves deployment {}: API Gateway takes it within seconds, for every route behind the stage (no CloudFront propagation); u moves it back",
                visible(&done.to)
            );
            state.log(Level::Info, Some(&done.path), message);
            vec![audit::stage_step(state, &record_of, RecordKind::StageAccepted, None)]
        }
        Err(error) => {
            let message = match &error {
                BackendError::NotAsAsked(why) => format!("stage {label}: {why}"),
                _ => format!("stage {label} was not moved: {error}"),
            };
            state.log(Level::Error, Some(&done.path), message.clone());
            if matches!(error, BackendError::NotAsAsked(_)) {
                state.banner = Some(message.clone());
            }
            state.refused = Some(message);
            vec![audit::stage_step(state, &record_of, RecordKind::StageFailed, Some(error.to_string()))]
        }
    }
}

fn in_flight(state: &State) -> bool {
    state.moves.in_flight(|m| m.stage().is_some())
}

/// The stage move `u` would put back: the newest move AWS took, when it is a stage move.
fn undoable(state: &State) -> Option<&StageStep> {
    state.moves.newest_undoable()?.stage()
}

/// `u` after a stage move: ask before moving the stage back to the deployment it served before.
fn open_undo(state: &mut State) -> Vec<Effect> {
    let Some(last) = undoable(state).cloned() else {
        return Vec::new();
    };
    if let Some(why) = state.read_only.clone() {
        refuse(state, Some(&last.path), format!("read-only ({why}): the stage was not touched"));
        return Vec::new();
    }
    if state.learned.stage_serving.get(&last.stage).is_some_and(|d| d.current != last.to) {
        let message = format!(
            "stage {} no longer serves deployment {}: it was moved since; nothing to undo",
            visible(&last.stage.label()),
            visible(&last.to)
        );
        refuse(state, Some(&last.path), message);
        return Vec::new();
    }
    let fallback = state.policy.stages.get(&last.path).and_then(|s| s.fallback_deployment.clone());
    let description = (state.learned.stage_serving.get(&last.stage))
        .and_then(|d| d.list.iter().find(|d| d.id == last.from))
        .map(|d| d.description.clone())
        .unwrap_or_default();
    state.refused = None;
    state.view.overlay = Overlay::ConfirmStage(ConfirmStage {
        path: last.path.clone(),
        stage: last.stage.clone(),
        from: last.to.clone(),
        to: last.from.clone(),
        to_description: description,
        to_fallback: fallback.as_deref() == Some(last.from.as_str()),
        undo: true,
    });
    Vec::new()
}
