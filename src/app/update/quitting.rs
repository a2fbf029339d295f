//! Leaving with switches or stage moves unfinished: the console asks first and says what state
//! each route (or stage) may be in, and every attempt it stops following ends with an `abandoned`
//! event (`switch_abandoned`, `stage_abandoned`), so none is lost silently (the log and the audit
//! trail both have its end).

use super::audit;
use crate::app::action::Effect;
use crate::app::model::state::{Move, MovePhase, Overlay, State};
use crate::audit::RecordKind;
use crate::domain::Level;
use crate::domain::format::duration_short;
use crate::domain::visible::escape as visible;

/// One line per unfinished move: what it moves and what state its routes (or stage) may be in.
pub fn risks(state: &State) -> Vec<String> {
    state.moves.unfinished().map(|m| format!("{}: {}", what(m), may_be(state, m))).collect()
}

/// `/a λ Lambda → ◼ origin`, or `stage prod of rest API a1 deployment d2 → d0`.
fn what(moved: &Move) -> String {
    match (moved.sides(), moved.stage()) {
        (Some((from, to)), _) => format!("{} {from} → {to}", moved.label()),
        (None, Some(step)) => step.describe(),
        (None, None) => moved.label(),
    }
}

/// What the routes (or the stage) of a move may look like if the console stops following it now.
fn may_be(state: &State, moved: &Move) -> String {
    let since = |at| duration_short(state.now.duration_since(at).as_secs());
    match (moved.stage(), moved.phase) {
        (Some(step), _) => format!(
            "UpdateStage sent {} ago with no answer yet; it may or may not be applied, so the stage may serve either deployment (check with `cutover stage {} --list`)",
            since(moved.requested_at),
            visible(&step.path)
        ),
        (None, MovePhase::Requested) => format!(
            "sent to CloudFront {} ago with no answer yet; it may or may not be applied, so the route may serve either target",
            since(moved.requested_at)
        ),
        (None, _) => format!(
            "accepted and rolling out for {}; CloudFront finishes it without cutover, and until then edges serve either target",
            since(moved.accepted_at.unwrap_or(moved.requested_at))
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
    let ids: Vec<u64> = state.moves.unfinished().map(|m| m.id).collect();
    let mut effects = Vec::new();
    for id in ids {
        let Some(moved) = state.moves.by_id(id) else { continue };
        // Routes keep their pending mark: CloudFront may still be moving them.
        let label = moved.stage().map_or_else(|| moved.label(), |step| step.path.clone());
        let (message, record) = match moved.sides() {
            Some((from, to)) => {
                let message = format!("switch {from} → {to} abandoned: {reason}; {}", may_be(state, moved));
                (message.clone(), audit::switch(state, moved, RecordKind::SwitchAbandoned, Some(message)))
            }
            None => {
                let message = format!("{} abandoned: {reason}; {}", what(moved), may_be(state, moved));
                (message.clone(), audit::stage_step(state, moved, RecordKind::StageAbandoned, Some(message)))
            }
        };
        effects.push(record);
        // Ended: an answer arriving later does not end it a second time.
        if let Some(moved) = state.moves.by_id_mut(id) {
            moved.phase = MovePhase::Abandoned;
            if moved.stage().is_some() {
                moved.failure = Some(format!("abandoned: {reason}"));
            }
        }
        state.log(Level::Warn, Some(&label), message);
    }
    state.view.overlay = Overlay::None;
    state.quit = true;
    effects
}
