//! Guards acting by themselves: a route with `auto_rollback` whose thresholds are breached for the
//! configured periods goes back to the origin, once. It is never moved again automatically, so a
//! guard cannot flap a route between targets.

use super::switching::request;
use crate::app::action::Effect;
use crate::app::state::{State, SwitchKind};
use crate::domain::{Level, Target};

pub fn auto_rollback(state: &mut State) -> Vec<Effect> {
    let due: Vec<(String, String)> = state
        .routes
        .iter()
        .filter(|r| !r.alert.is_empty() && r.is_on(Target::Lambda) && r.pending.is_none())
        .filter(|r| state.auto_rollback.contains(&r.path) && !state.auto_rolled_back.contains(&r.path))
        .map(|r| {
            let what: Vec<String> = r.alert.iter().map(|b| b.describe(&state.latency_statistic)).collect();
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
    let distribution_id = state.distribution_id.clone();
    if state.update_in_flight(&distribution_id) {
        // Tried again at the next refresh, while the breach lasts.
        return Vec::new();
    }
    let paths: Vec<String> = due.iter().map(|(path, _)| path.clone()).collect();
    let reason = due.iter().map(|(path, what)| format!("{path}: {what}")).collect::<Vec<_>>().join("; ");
    state.auto_rolled_back.extend(paths.iter().cloned());
    request(
        state,
        SwitchKind::Automatic,
        &paths,
        Target::Lambda,
        Some(&format!("its guard was breached ({reason})")),
        None,
    )
}
