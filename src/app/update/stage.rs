//! The stage rollback (`D`): a route's API Gateway stage pointed at another deployment, usually
//! the one whose integration proxies to the monolith. CloudFront stays as it is, so nothing
//! propagates: API Gateway serves the deployment within seconds, for every route behind the stage.
//! The picker lists the deployments (read-only may look), Enter asks, `y` sends `UpdateStage`, and `u` (when
//! it is the newest move of the session) moves the stage back to the deployment it served before.

use super::audit;
use super::dialogs::{self, refuse};
use crate::app::action::{Effect, Work};
use crate::app::command::Command;
use crate::app::intent::refusal::{InFlight, Untouched};
use crate::app::intent::stage::in_flight;
use crate::app::intent::{Refusal, Request, remedies};
use crate::app::model::state::{Move, MoveKind, MovePhase, MoveSource, Overlay, StageStep, State};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::Level;
use crate::domain::format::thousands;
use crate::domain::stage::{StageDeployments, StageRef};
use crate::domain::visible::escape as visible;

/// A key while the stage's picker or its confirm dialog is open: each dialog takes its own keys
/// (`Dialog::context`), and nothing else reaches the screen behind it.
pub fn dialog_key(state: &mut State, command: Command) -> Vec<Effect> {
    match (&state.view.overlay, command) {
        (Overlay::StagePicker(_), Command::SelectUp) => move_choice(state, -1),
        (Overlay::StagePicker(_), Command::SelectDown) => move_choice(state, 1),
        (Overlay::StagePicker(_), Command::Confirm) => choose(state),
        (Overlay::ConfirmStage(_), Command::Confirm) => confirm(state),
        (Overlay::ConfirmStage(_), Command::ConfirmOverride) => {
            refuse(state, Refusal::NothingToOverride);
            Vec::new()
        }
        (_, Command::Cancel) => {
            state.view.overlay = Overlay::None;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The stage's deployments came back: kept for the route detail, and shown in the picker if it
/// still waits for them (the fallback chosen first, as the usual way back).
pub fn loaded(state: &mut State, path: &str, result: Result<StageDeployments, BackendError>) -> Vec<Effect> {
    let Some(stage) = state.policy.stages.get(path).cloned() else {
        return Vec::new();
    };
    state.learned.stages_reading.remove(&stage.stage);
    let waiting = matches!(&state.view.overlay, Overlay::StagePicker(p) if p.path == path);
    match result {
        Ok(deployments) => {
            state.learned.stages_unreadable.remove(&stage.stage);
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
            // The background read of every round says a failure once; the picker's, every time.
            if state.learned.stages_unreadable.insert(stage.stage.clone()) || waiting {
                let label = stage.stage.label();
                let label = visible(&label);
                state.log(Level::Error, Some(path), format!("could not read the deployments of {label}: {error}"));
            }
            if let Overlay::StagePicker(picker) = &mut state.view.overlay
                && picker.path == path
            {
                picker.error = Some(error.to_string());
            }
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

/// Enter in the picker: ask before moving the stage to the chosen deployment (the planner's dialog).
fn choose(state: &mut State) -> Vec<Effect> {
    let Overlay::StagePicker(picker) = &state.view.overlay else {
        return Vec::new();
    };
    let Some(chosen) = picker.deployments.as_ref().and_then(|d| d.list.get(picker.chosen)) else {
        return Vec::new();
    };
    let request = Request::StageMove { path: picker.path.clone(), deployment_id: chosen.id.clone() };
    dialogs::open(state, request)
}

/// `y`: send the stage move, recorded first.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    if let Some(why) = state.read_only.clone() {
        refuse(state, Refusal::ReadOnly { why, untouched: Untouched::Stage });
        return Vec::new();
    }
    if in_flight(state) {
        refuse(state, Refusal::InFlight(InFlight::Stage));
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
        left_breaching: breaching_behind(state, &confirm.stage),
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
    state.notices.refused = None;
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

/// The routes behind `stage` that breach now — their alert, or their newest minute past a
/// threshold (the first `!`) — each with its numbers.
fn breaching_behind(state: &State, stage: &StageRef) -> Vec<String> {
    let statistic = &state.policy.latency_statistic;
    (state.routes.iter())
        .filter(|r| state.policy.stages.get(&r.path).is_some_and(|s| s.stage == *stage))
        .filter(|r| remedies::breaching(state, r))
        .map(|r| {
            let words: Vec<String> = if r.alert.is_empty() {
                newest_minute_words(state, &r.path)
            } else {
                r.alert.iter().map(|b| b.describe(statistic)).collect()
            };
            format!("{} {}", r.path, words.join(", "))
        })
        .collect()
}

/// What of `path`'s newest minute is past its thresholds: `5xx 17.0%`, `p99 2,823 ms`, `throttles 12`.
fn newest_minute_words(state: &State, path: &str) -> Vec<String> {
    let t = state.thresholds_for(path);
    let Some(p) = state.learned.metrics.as_ref().and_then(|m| m.latest(path)) else { return Vec::new() };
    let mut words = Vec::new();
    if let Some(rate) = p.error_rate_pct().filter(|_| t.error_rate_breached(p)) {
        words.push(format!("5xx {rate:.1}%"));
    }
    if let Some(ms) = p.latency_ms().filter(|_| t.latency_breached(p)) {
        words.push(format!("{} {} ms", state.policy.latency_statistic, thousands(ms.round() as u64)));
    }
    if let Some(n) = p.throttles.get().filter(|_| t.throttles_breached(p)) {
        words.push(format!("throttles {}", thousands(n.round() as u64)));
    }
    words
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
                "stage {label} now serves deployment {}: API Gateway takes it within seconds, for every route behind the stage (no CloudFront propagation); u (or `cutover stage '{}' --deployment {}`) moves it back",
                visible(&done.to),
                visible(&done.path),
                visible(&done.from)
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
                state.notices.banner = Some(message.clone());
            }
            vec![audit::stage_step(state, &record_of, RecordKind::StageFailed, Some(error.to_string()))]
        }
    }
}
