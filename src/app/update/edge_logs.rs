//! The real-time log stream's news: records into each route's edge numbers, and the stream's
//! trouble said once when it starts and once when it ends.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::audit;
use crate::app::action::{Effect, Work};
use crate::app::model::edge_logs::SETTLE_SECS;
use crate::app::model::moves::ViewersHealthy;
use crate::app::model::state::State;
use crate::audit::RecordKind;
use crate::domain::Level;
use crate::domain::format::{duration_short, time_of_day};

/// Ask for the stream to be read, once, when the distribution has edge logs and its routes are
/// known (a line of a route not known yet would be refused as another distribution's).
pub fn start_reader(state: &mut State) -> Vec<Effect> {
    let routes_known = !state.routes.is_empty();
    match &mut state.edge_logs {
        Some(edge) if !edge.reader_started && routes_known => {
            edge.reader_started = true;
            vec![Effect::on(state.distribution_id.clone(), Work::ReadEdgeLogs)]
        }
        _ => Vec::new(),
    }
}

/// The reader lists the shards: from its first listing on, it has read the stream from
/// `look_back` before, so a second since then without a line had no requests.
pub fn shards(state: &mut State, reading: usize, finished: &[String], look_back: Duration) -> Vec<Effect> {
    let now = state.now;
    let Some(edge) = &mut state.edge_logs else { return Vec::new() };
    for shard in finished {
        edge.behind.remove(shard);
    }
    if !edge.covered {
        edge.covered = true;
        let from = now - SignedDuration::try_from(look_back).unwrap_or_default();
        edge.numbers.covered_from(from.as_millisecond());
        state.log(
            Level::Info,
            None,
            format!("edge logs: reading {reading} shard(s) of the stream, from {} on", time_of_day(from)),
        );
    }
    Vec::new()
}

/// Count the records' lines, at the console's now.
pub fn records(state: &mut State, shard: &str, records: &[bytes::Bytes], millis_behind: Option<i64>) -> Vec<Effect> {
    let now = state.now;
    if let Some(edge) = &mut state.edge_logs {
        for record in records {
            edge.add_record(record, now);
        }
        // Unknown counts as behind until a read says otherwise: a window of half the shards is wrong.
        edge.behind.insert(shard.to_string(), millis_behind.unwrap_or(i64::MAX));
    }
    Vec::new()
}

/// The stream could not be read, or reads again.
pub fn stream(state: &mut State, trouble: Option<String>) -> Vec<Effect> {
    let now = state.now;
    let Some(edge) = &mut state.edge_logs else { return Vec::new() };
    match (trouble, edge.trouble.take()) {
        (Some(why), None) => {
            edge.trouble = Some((now, why.clone()));
            state.log(
                Level::Warn,
                None,
                format!("edge logs cannot be read: {why}; the table shows CloudWatch's numbers"),
            );
        }
        (Some(why), Some((since, _))) => edge.trouble = Some((since, why)),
        (None, Some((since, _))) => {
            let outage = duration_short(now.duration_since(since).as_secs());
            state.log(Level::Info, None, format!("edge logs read again after {outage}"));
        }
        (None, None) => {}
    }
    Vec::new()
}

/// How long after a fix its routes are watched at the edge for healthy viewers.
pub const VIEWERS_FOLLOWED_FOR: SignedDuration = SignedDuration::from_mins(15);

/// After each fix (a move off Lambda, or the stage to its fallback), the first second from which
/// each of its routes' viewers are healthy again at the edge: said once per route, the move done
/// at the edge when every route is, or given up after [`VIEWERS_FOLLOWED_FOR`].
pub fn follow(state: &mut State) -> Vec<Effect> {
    let Some(edge) = state.edge_logs.as_ref() else { return Vec::new() };
    let Some(newest) = edge.numbers.newest_ms.filter(|_| edge.live(state.now)) else { return Vec::new() };
    let until = newest.div_euclid(1000) - SETTLE_SECS;
    let window = edge.window_secs;
    let mut seen: Vec<(u64, ViewersHealthy)> = Vec::new();
    let mut given_up: Vec<u64> = Vec::new();
    for m in state.moves.iter().filter(|m| !m.viewers_done && m.phase.accepted() && state.is_fix(m)) {
        let Some(accepted) = m.accepted_at else { continue };
        for path in m.paths.iter().filter(|p| !m.viewers.iter().any(|v| &v.path == *p)) {
            let threshold = state.thresholds_for(path).error_rate_pct;
            let Some(since) = edge.numbers.healthy_since(path, accepted.as_second(), until, window, threshold) else {
                continue;
            };
            let pct = (edge.numbers.window(path, since + i64::from(window) - 1, window))
                .and_then(|w| w.error_5xx_pct())
                .unwrap_or(0.0);
            // Never before the fix was accepted: the search starts in its second, which began earlier.
            let since = Timestamp::from_second(since).unwrap_or(accepted).max(accepted);
            seen.push((m.id, ViewersHealthy { path: path.clone(), since, pct }));
        }
        if state.now.duration_since(accepted) > VIEWERS_FOLLOWED_FOR {
            given_up.push(m.id);
        }
    }
    let mut effects = Vec::new();
    for (id, healthy) in seen {
        let Some(m) = state.moves.by_id_mut(id) else { continue };
        let accepted = m.accepted_at.unwrap_or(healthy.since);
        let after = duration_short(healthy.since.duration_since(accepted).as_secs().max(0));
        let message = format!("viewers healthy again: 5xx {:.1} %, {after} after accepted", healthy.pct);
        let path = healthy.path.clone();
        let since_requested = healthy.since.duration_since(m.requested_at).unsigned_abs();
        m.viewers.push(healthy);
        m.viewers_done = m.paths.iter().all(|p| m.viewers.iter().any(|v| &v.path == p));
        state.log(Level::Info, Some(&path), message.clone());
        // The trail's record of the route: the milestone of its move, with the route alone.
        if let Some(m) = state.moves.by_id(id) {
            let mut effect =
                audit::milestone(state, m, RecordKind::ViewersHealthy, since_requested, format!("{path} {message}"));
            if let Effect::Audit(record) = &mut effect {
                record.routes = vec![path.clone()];
            }
            effects.push(effect);
        }
    }
    for id in given_up {
        let Some(m) = state.moves.by_id_mut(id).filter(|m| !m.viewers_done) else { continue };
        m.viewers_done = true;
        let unhealthy: Vec<String> =
            m.paths.iter().filter(|p| !m.viewers.iter().any(|v| &v.path == *p)).cloned().collect();
        let message = format!(
            "viewers not seen healthy at the edge {} after the fix: {}",
            duration_short(VIEWERS_FOLLOWED_FOR.as_secs()),
            unhealthy.join(", ")
        );
        state.log(Level::Warn, None, message);
    }
    effects
}

/// The fewest lines a window needs before its rate can breach: a quiet, sampled route's one 5xx in
/// three lines is not an outage.
pub const EDGE_BREACH_MIN_LINES: u32 = 20;
/// And the fewest 5xx lines a 5xx breach needs: two unlucky lines of a sampled route are not one.
pub const EDGE_BREACH_MIN_ERRORS: u32 = 5;

/// The guards, in seconds: a route whose live edge window is past its 5xx or latency threshold is
/// breached at the edge (said once, with the bell, until it is back under), and a route with
/// `auto_rollback` goes back to the origin as a minute's breach would send it.
pub fn guard(state: &mut State) -> Vec<Effect> {
    let Some(edge) = state.edge_logs.as_ref() else { return Vec::new() };
    let mut now_breached = std::collections::BTreeMap::new();
    for row in &state.routes {
        let Some(w) = edge.window(&row.path, state.now).filter(|w| w.counts.lines >= EDGE_BREACH_MIN_LINES) else {
            continue;
        };
        // A fix under way: its window still holds the old side's seconds until the viewers are
        // seen healthy (`follow`); a guard must not act on those.
        let fixing = (state.moves.iter())
            .any(|m| m.paths.contains(&row.path) && m.phase.accepted() && state.is_fix(m) && !m.viewers_done);
        if fixing {
            continue;
        }
        let t = state.thresholds_for(&row.path);
        let mut what = Vec::new();
        let enough_errors = w.counts.status_5xx >= EDGE_BREACH_MIN_ERRORS;
        if let Some(pct) = w.error_5xx_pct().filter(|pct| *pct > t.error_rate_pct && enough_errors) {
            what.push(format!("5xx {pct:.1}% > {}%", t.error_rate_pct));
        }
        if let Some(p99) = w.p99_ms.filter(|p99| *p99 > t.latency_ms) {
            what.push(format!("p99 {} ms > {} ms", p99.round(), t.latency_ms));
        }
        if !what.is_empty() {
            now_breached.insert(row.path.clone(), format!("edge {} over the last {} s", what.join(", "), w.secs));
        }
    }
    let before = state.edge_logs.as_ref().map(|e| e.breached.clone()).unwrap_or_default();
    let mut effects = Vec::new();
    for (path, what) in &now_breached {
        if !before.contains_key(path) {
            state.log(Level::Warn, Some(path), format!("guard breached: {what}"));
            effects.push(Effect::Bell);
        }
    }
    for path in before.keys().filter(|p| !now_breached.contains_key(*p)) {
        state.log(Level::Info, Some(path), "back within thresholds at the edge".to_string());
    }
    let new_breach = now_breached.keys().any(|p| !before.contains_key(p));
    if let Some(edge) = &mut state.edge_logs {
        edge.breached = now_breached;
    }
    if new_breach {
        effects.extend(super::guards::auto_rollback(state));
    }
    effects
}
