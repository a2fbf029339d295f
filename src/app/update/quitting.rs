//! Leaving with switches or stage moves unfinished: the console asks first and says what state
//! each route (or stage) may be in, and every attempt it stops following ends with an `abandoned`
//! event (`switch_abandoned`, `stage_abandoned`), so none is lost silently (the log and the audit
//! trail both have its end).

use super::audit;
use crate::app::action::Effect;
use crate::app::state::{Overlay, StageMove, State, SwitchAttempt, SwitchPhase};
use crate::audit::RecordKind;
use crate::domain::Level;
use crate::domain::format::duration_short;
use crate::domain::visible::escape as visible;

/// Switch attempts AWS has not confirmed as deployed yet.
fn unfinished(state: &State) -> impl Iterator<Item = &SwitchAttempt> {
    state.switches.iter().filter(|s| matches!(s.phase, SwitchPhase::Requested | SwitchPhase::Propagating))
}

/// Stage moves whose `UpdateStage` has not answered yet.
fn unfinished_stages(state: &State) -> impl Iterator<Item = &StageMove> {
    state.stage_moves.iter().filter(|m| m.outcome.is_none())
}

/// One line per unfinished attempt: what it moves and what state its routes may be in.
pub fn risks(state: &State) -> Vec<String> {
    let switches = unfinished(state).map(|attempt| format!("{}: {}", what(attempt), may_be(state, attempt)));
    let stages = unfinished_stages(state).map(|step| format!("{}: {}", stage_what(step), stage_may_be(state, step)));
    switches.chain(stages).collect()
}

/// `stage prod of rest API a1 deployment d2 → d0`, escaped: ids come from AWS.
fn stage_what(step: &StageMove) -> String {
    format!("stage {} deployment {} → {}", visible(&step.stage.label()), visible(&step.from), visible(&step.to))
}

/// What a stage may serve if the console stops waiting for its `UpdateStage` now.
fn stage_may_be(state: &State, step: &StageMove) -> String {
    format!(
        "UpdateStage sent {} ago with no answer yet; it may or may not be applied, so the stage may serve either deployment (check with `cutover stage {} --list`)",
        duration_short(state.now.duration_since(step.requested_at).as_secs()),
        visible(&step.path)
    )
}

fn what(attempt: &SwitchAttempt) -> String {
    format!("{} {} → {}", attempt.label(), attempt.from, attempt.to)
}

/// What the routes of an attempt may look like if the console stops following it now.
fn may_be(state: &State, attempt: &SwitchAttempt) -> String {
    match attempt.phase {
        SwitchPhase::Requested => format!(
            "sent to CloudFront {} ago with no answer yet; it may or may not be applied, so the route may serve either target",
            duration_short(state.now.duration_since(attempt.requested_at).as_secs())
        ),
        _ => format!(
            "accepted and rolling out for {}; CloudFront finishes it without cutover, and until then edges serve either target",
            duration_short(state.now.duration_since(attempt.accepted_at.unwrap_or(attempt.requested_at)).as_secs())
        ),
    }
}

/// `q`: quit at once when nothing is unfinished, else ask. `elsewhere` are the risks of the other
/// distributions of the console, which the question must name too.
pub fn request(state: &mut State, elsewhere: Vec<String>) -> Vec<Effect> {
    let mut lines = risks(state);
    if !elsewhere.is_empty() {
        let id = &state.distribution_id;
        lines = lines.into_iter().map(|line| format!("{id}: {line}")).collect();
    }
    lines.extend(elsewhere);
    if lines.is_empty() {
        state.quit = true;
    } else {
        state.view.overlay = Overlay::ConfirmQuit(lines);
    }
    Vec::new()
}

/// Stop following every unfinished attempt, switches and stage moves alike: each ends
/// `abandoned`, with `reason` and what its routes (or stage) may be doing, in the log and the
/// audit trail; then the console quits.
pub fn abandon_all(state: &mut State, reason: &str) -> Vec<Effect> {
    let ids: Vec<u64> = unfinished(state).map(|a| a.id).collect();
    let mut effects = Vec::new();
    for id in ids {
        let Some(attempt) = state.switch(id) else { continue };
        // Routes keep their pending mark: CloudFront may still be moving them.
        let label = attempt.label();
        let message =
            format!("switch {} → {} abandoned: {reason}; {}", attempt.from, attempt.to, may_be(state, attempt));
        effects.push(audit::switch(state, attempt, RecordKind::SwitchAbandoned, Some(message.clone())));
        if let Some(attempt) = state.switches.iter_mut().find(|s| s.id == id) {
            attempt.phase = SwitchPhase::Abandoned;
        }
        state.log(Level::Warn, Some(&label), message);
    }
    let stages: Vec<u64> = unfinished_stages(state).map(|m| m.id).collect();
    for id in stages {
        let Some(step) = state.stage_moves.iter().find(|m| m.id == id).cloned() else { continue };
        let message = format!("{} abandoned: {reason}; {}", stage_what(&step), stage_may_be(state, &step));
        effects.push(audit::stage_step(state, &step, RecordKind::StageAbandoned, Some(message.clone())));
        // Ended: an answer arriving later does not end it a second time.
        if let Some(step) = state.stage_moves.iter_mut().find(|m| m.id == id) {
            step.outcome = Some(Err(format!("abandoned: {reason}")));
        }
        state.log(Level::Warn, Some(&step.path), message);
    }
    state.view.overlay = Overlay::None;
    state.quit = true;
    effects
}
