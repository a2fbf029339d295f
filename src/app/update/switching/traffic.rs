//! After acceptance, has the route's traffic really moved? Each metrics refresh looks at the
//! minutes since the switch was accepted and says, once, when the new side carries the threshold
//! share (with a mark on the chart), when it still does not after a while, or that the numbers
//! cannot tell because a side has no metric source.

use crate::app::action::Effect;
use crate::app::state::{RouteTraffic, State, SwitchMark, SwitchPhase};
use crate::domain::format::duration_short;
use crate::domain::traffic::{Movement, movement};
use crate::domain::{Level, Target};

/// Start following the routes of attempt `id` that moved; a route an earlier switch was still
/// following is that switch's no longer.
pub fn start(state: &mut State, id: u64, moved: &[String]) {
    for attempt in state.switches.iter_mut().filter(|a| a.id != id) {
        for traffic in attempt.traffic.iter_mut().filter(|t| moved.contains(&t.path)) {
            traffic.done = true;
        }
    }
    if let Some(attempt) = state.switches.iter_mut().find(|a| a.id == id) {
        attempt.traffic = moved.iter().map(RouteTraffic::new).collect();
    }
}

/// What the new numbers say about every route still followed: logged once per change of state.
pub fn follow(state: &mut State) -> Vec<Effect> {
    let Some(metrics) = state.metrics.as_ref() else { return Vec::new() };
    let (now, policy) = (state.now, state.moving.clone());
    let mut notes: Vec<(Level, String, String)> = Vec::new();
    let mut marks = Vec::new();
    let followed = state
        .switches
        .iter_mut()
        .filter(|a| matches!(a.phase, SwitchPhase::Propagating | SwitchPhase::Deployed | SwitchPhase::Abandoned));
    for attempt in followed {
        let Some(accepted_at) = attempt.accepted_at else { continue };
        let to = attempt.to;
        for traffic in attempt.traffic.iter_mut().filter(|t| !t.done) {
            traffic.movement = movement(metrics, &traffic.path, to, accepted_at, policy.threshold_pct);
            let since = |at: jiff::Timestamp| duration_short(at.duration_since(accepted_at).as_secs().max(0));
            let origin = attempt.changes.iter().find(|c| c.path == traffic.path).map(|c| c.to_origin_id.as_str());
            let side = origin.map_or_else(|| to.to_string(), |id| format!("{to} ({id})"));
            match traffic.movement {
                Movement::Moved { share_pct, at } => {
                    traffic.done = true;
                    let message = format!("traffic moved: {share_pct:.0} % on {side}, {} after accepted", since(at));
                    notes.push((Level::Info, traffic.path.clone(), message));
                    marks.push(SwitchMark { path: traffic.path.clone(), at, to });
                }
                Movement::Unmeasured { side: blind } => {
                    traffic.done = true;
                    notes.push((Level::Info, traffic.path.clone(), unmeasured(blind)));
                }
                Movement::Moving { share_pct } => {
                    let waited = now.duration_since(accepted_at);
                    if traffic.warned || waited < jiff::SignedDuration::try_from(policy.warn_after).unwrap_or_default()
                    {
                        continue;
                    }
                    traffic.warned = true;
                    let so_far = share_pct.map_or_else(
                        || "no request on either side since".to_string(),
                        |share| format!("{share:.0} % on {side} in the newest minute"),
                    );
                    let message = format!("traffic has not moved {} after accepted: {so_far}", since(now));
                    notes.push((Level::Warn, traffic.path.clone(), message));
                }
            }
        }
    }
    state.moved_marks.extend(marks);
    for (level, path, message) in notes {
        state.log(level, Some(&path), message);
    }
    Vec::new()
}

fn unmeasured(side: Target) -> String {
    format!(
        "traffic moving cannot be confirmed from metrics: {side} has no metric source for this route \
         (configure one, or watch the edge)"
    )
}
