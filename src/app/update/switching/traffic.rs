//! After acceptance, has the route's traffic really moved? Each metrics refresh looks at the
//! minutes since the switch was accepted and says, once, when the new side carries the threshold
//! share (with a mark on the chart), when it still does not after a while, or that the numbers
//! cannot tell because a side has no metric source.

use super::super::audit;
use crate::app::action::Effect;
use jiff::{SignedDuration, Timestamp};

use crate::app::model::state::{MovePhase, MovePolicy, RouteTraffic, State, SwitchMark};
use crate::audit::RecordKind;
use crate::domain::format::duration_short;
use crate::domain::format::time_of_day;
use crate::domain::traffic::{Movement, movement};
use crate::domain::{Level, Target};

/// Start following the routes of attempt `id` that moved; a route an earlier switch was still
/// following is that switch's no longer.
pub fn start(state: &mut State, id: u64, moved: &[String]) {
    for attempt in state.moves.iter_mut().filter(|a| a.id != id) {
        for traffic in attempt.traffic.iter_mut().filter(|t| !t.done && moved.contains(&t.path)) {
            traffic.done = true;
            traffic.superseded = true;
        }
    }
    if let Some(attempt) = state.moves.iter_mut().find(|a| a.id == id) {
        attempt.traffic = moved.iter().map(RouteTraffic::new).collect();
    }
}

/// What the new numbers say about every route still followed: logged once per change of state.
pub fn follow(state: &mut State) -> Vec<Effect> {
    let Some(metrics) = state.learned.metrics.as_ref() else { return Vec::new() };
    let (now, policy) = (state.now, state.policy.moving.clone());
    let mut notes: Vec<(Level, String, String)> = Vec::new();
    let mut marks = Vec::new();
    let mut all_moved: Vec<(u64, Timestamp)> = Vec::new();
    let followed = state
        .moves
        .iter_mut()
        .filter(|a| matches!(a.phase, MovePhase::Propagating | MovePhase::Deployed | MovePhase::Abandoned));
    for attempt in followed {
        let Some(accepted_at) = attempt.accepted_at else { continue };
        let Some(to) = attempt.to() else { continue };
        let changes = attempt.behaviors().to_vec();
        for traffic in attempt.traffic.iter_mut().filter(|t| !t.done) {
            traffic.movement = movement(metrics, &traffic.path, to, accepted_at, policy.threshold_pct);
            let origin = changes.iter().find(|c| c.path == traffic.path).map(|c| c.to_origin_id.as_str());
            let side = origin.map_or_else(|| to.to_string(), |id| format!("{to} ({id})"));
            let seen = Seen { side, accepted_at, now, policy: &policy };
            if let Some(note) = seen.note(traffic) {
                notes.push((note.0, traffic.path.clone(), note.1));
            }
            if let Movement::Moved { at, .. } = traffic.movement {
                marks.push(SwitchMark { path: traffic.path.clone(), at, to, share: None });
            }
        }
        // The switch's traffic has moved once every route it moved has, as far as numbers can tell.
        let ended = attempt.traffic.iter().all(|t| t.done && !t.superseded);
        let moved_at = attempt.traffic.iter().filter_map(|t| moved_at(t.movement)).max();
        if let Some(at) = moved_at.filter(|_| ended && !attempt.traffic_recorded) {
            attempt.traffic_recorded = true;
            all_moved.push((attempt.id, at));
        }
    }
    state.moved_marks.extend(marks);
    for (level, path, message) in notes {
        state.log(level, Some(&path), message);
    }
    let mut effects = Vec::new();
    for (id, at) in all_moved {
        let Some(attempt) = state.moves.by_id(id) else { continue };
        let since_requested = at.duration_since(attempt.requested_at).unsigned_abs();
        let Some(to) = attempt.to() else { continue };
        let message = format!("traffic of {} moved to {to} by {}", attempt.label(), time_of_day(at));
        effects.push(audit::milestone(state, attempt, RecordKind::TrafficMoved, since_requested, message));
    }
    effects
}

/// One route's new movement, as the log should hear of it.
struct Seen<'a> {
    /// The side it moves to, with its origin id.
    side: String,
    accepted_at: Timestamp,
    now: Timestamp,
    policy: &'a MovePolicy,
}

impl Seen<'_> {
    /// Ends the follow-up when the movement is final; the line to log, if there is one to say.
    fn note(&self, traffic: &mut RouteTraffic) -> Option<(Level, String)> {
        let since = |at: Timestamp| duration_short(at.duration_since(self.accepted_at).as_secs().max(0));
        match traffic.movement {
            Movement::Moved { share_pct, at } => {
                traffic.done = true;
                let side = &self.side;
                Some((Level::Info, format!("traffic moved: {share_pct:.0} % on {side}, {} after accepted", since(at))))
            }
            Movement::Unmeasured { side } => {
                traffic.done = true;
                Some((Level::Info, unmeasured(side)))
            }
            Movement::Moving { share_pct } => {
                let warn_after = SignedDuration::try_from(self.policy.warn_after).unwrap_or_default();
                if traffic.warned || self.now.duration_since(self.accepted_at) < warn_after {
                    return None;
                }
                traffic.warned = true;
                let so_far = share_pct.map_or_else(
                    || "no request on either side since".to_string(),
                    |share| format!("{share:.0} % on {} in the newest minute", self.side),
                );
                Some((Level::Warn, format!("traffic has not moved {} after accepted: {so_far}", since(self.now))))
            }
        }
    }
}

fn moved_at(movement: Movement) -> Option<jiff::Timestamp> {
    match movement {
        Movement::Moved { at, .. } => Some(at),
        _ => None,
    }
}

fn unmeasured(side: Target) -> String {
    format!(
        "traffic moving cannot be confirmed from metrics: {side} has no metric source for this route \
         (configure one, or watch the edge)"
    )
}
