//! Guards acting by themselves: a route with `auto_rollback` whose thresholds are breached for the
//! configured periods goes back to the origin, once: by behavior (minutes), or when the router
//! sends it a share, by putting that share back to 0 (seconds). It is never moved again automatically, so a
//! guard cannot flap a route between targets.

use super::switching::{request, share};
use crate::app::action::Effect;
use crate::app::model::state::{MoveSource, State};
use crate::backend::share::ShareChange;
use crate::domain::{Level, Target};

pub fn auto_rollback(state: &mut State) -> Vec<Effect> {
    // A breach at the edge (its window, in seconds) counts as a minute's breach does.
    let at_edge = |path: &str| state.edge_logs.as_ref().and_then(|e| e.breached.get(path));
    let due: Vec<(String, String)> = state
        .routes
        .iter()
        // A breach from before the route's last move is the old side's: nothing to roll back.
        .filter(|r| {
            ((!r.alert.is_empty() && r.alert_before.is_none()) || at_edge(&r.path).is_some()) && r.pending.is_none()
        })
        .filter(|r| r.is_on(Target::Lambda) || r.via_router().may_send())
        .filter(|r| state.policy.auto_rollback.contains(&r.path) && !state.auto_rolled_back.contains(&r.path))
        .map(|r| {
            let mut what: Vec<String> = r.alert.iter().map(|b| b.describe(&state.policy.latency_statistic)).collect();
            what.extend(at_edge(&r.path).cloned());
            (r.path.clone(), what.join(", "))
        })
        .collect();
    if due.is_empty() {
        return Vec::new();
    }
    if let Some(reason) = state.read_only.clone() {
        for (path, _) in due {
            state.auto_rolled_back.insert(path.clone());
            state.log(
                Level::Warn,
                Some(&path),
                format!("auto_rollback is on, but the console is read-only ({reason}); not switched"),
            );
        }
        return Vec::new();
    }
    let (shares, behaviors): (Vec<_>, Vec<_>) =
        due.into_iter().partition(|(path, _)| state.route(path).is_some_and(|r| !r.is_on(Target::Lambda)));
    let mut effects = by_share(state, shares);
    let distribution_id = state.distribution_id.clone();
    if behaviors.is_empty() || state.update_in_flight(&distribution_id) {
        // Tried again at the next refresh, while the breach lasts.
        return effects;
    }
    let paths: Vec<String> = behaviors.iter().map(|(path, _)| path.clone()).collect();
    state.auto_rolled_back.extend(paths.iter().cloned());
    effects.extend(request(
        state,
        MoveSource::Automatic,
        &paths,
        Target::Lambda,
        Some(&format!("its guard was breached ({})", reasons(&behaviors))),
        None,
    ));
    effects
}

/// Routed routes' shares back to 0 through the store, unless a share move is still out.
fn by_share(state: &mut State, due: Vec<(String, String)>) -> Vec<Effect> {
    if due.is_empty() || state.shares_in_flight() {
        return Vec::new();
    }
    let changes: Vec<ShareChange> = (due.iter()).filter_map(|(path, _)| state.route(path)?.zero_change()).collect();
    state.auto_rolled_back.extend(changes.iter().map(|c| c.path.clone()));
    let reason = format!("its guard was breached ({})", reasons(&due));
    share::request(state, MoveSource::Automatic, &changes, Some(&reason), None)
}

fn reasons(due: &[(String, String)]) -> String {
    due.iter().map(|(path, what)| format!("{path}: {what}")).collect::<Vec<_>>().join("; ")
}
