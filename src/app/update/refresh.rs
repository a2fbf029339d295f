//! The clock, refreshes, and what new numbers mean: alerts (the routes', and the router's own).

use jiff::{SignedDuration, Timestamp};

use super::navigation::keep_selection_visible;
use crate::app::action::{Effect, Work};
use crate::app::model::fixes::Fix;
use crate::app::model::routing::{Record, STORE_UNREAD, StoreEntry, entry_of};
use crate::app::model::state::{ReadTrouble, RouteRow, State};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::backend::share::StoreState;
use crate::domain::format::{duration_short, time_of_day};
use crate::domain::{Breach, Level, MetricsSnapshot, RouteInfo, Topology};
use crate::router::install::is_router_arn;

pub fn tick(state: &mut State, now: Timestamp) -> Vec<Effect> {
    // What the tick that ends held back, at its own time.
    super::switching::say_progress(state);
    state.now = now;
    state.notices.tick();
    let mut effects = if now >= state.learned.next_refresh { start_refresh(state) } else { Vec::new() };
    effects.extend(super::switching::edge::tick(state));
    effects.extend(super::edge_logs::start_reader(state));
    effects.extend(super::edge_logs::follow(state));
    effects.extend(super::edge_logs::guard(state));
    effects.extend(super::team::start_reader(state));
    effects.extend(super::team::look_for_authors(state));
    effects
}

pub fn refresh_now(state: &mut State) -> Vec<Effect> {
    start_refresh(state)
}

/// Ask for routes and numbers, unless a request of that kind is already out.
fn start_refresh(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    if state.learned.topology.start() {
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadTopology { generation: state.learned.topology_generation },
        ));
    }
    if !state.routes.is_empty() && state.learned.metrics.start() {
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadMetrics { paths: state.routes.iter().map(|r| r.path.clone()).collect() },
        ));
    }
    if state.policy.router && state.learned.shares.start() {
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadShares { generation: state.learned.shares_generation },
        ));
    }
    // Without routes there is nothing to measure yet; metrics follow the first topology.
    if !effects.is_empty() {
        state.learned.refresh_started_at = state.now;
    }
    effects.extend(read_stages(state));
    state.learned.next_refresh = next_refresh_after(state, state.now);
    effects
}

/// Each configured stage's deployments, unless a read of it is already out: what it serves goes in
/// the route's detail title, and the remedies offer its fallback only while it is not served.
fn read_stages(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut paths: Vec<_> = state.policy.stages.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (path, stage) in paths {
        if state.learned.stages_reading.insert(stage.stage.clone()) {
            let work = Work::LoadStage { path: path.clone(), stage: stage.stage.clone() };
            effects.push(Effect::on(state.distribution_id.clone(), work));
        }
    }
    effects
}

/// The next period boundary plus the offset at which fresh datapoints have usually landed.
fn next_refresh_after(state: &State, now: Timestamp) -> Timestamp {
    let every = state.policy.refresh.every.as_secs().max(1) as i64;
    let offset = state.policy.refresh.offset.as_secs() as i64;
    let secs = now.as_second();
    let mut next = secs.div_euclid(every) * every + offset;
    if next <= secs {
        next += every;
    }
    Timestamp::from_second(next).unwrap_or(now)
}

/// A route's row from its behavior as read and the router's store as last read.
fn row_of(state: &State, info: &RouteInfo, store: Option<&StoreState>) -> RouteRow {
    let old = state.route(&info.path);
    let mut row = RouteRow {
        path: info.path.clone(),
        origin_id: info.origin_id.clone(),
        target: info.target,
        pair: info.pair.clone(),
        behavior: info.behavior.clone(),
        pending: old.and_then(|r| r.pending),
        alert: old.map(|r| r.alert.clone()).unwrap_or_default(),
        alert_before: old.and_then(|r| r.alert_before),
        share: None,
        // Without the router's store (none found) the function routes nothing: its association
        // alone is `cutover router status`'s to report, not a share.
        runs_router: state.policy.router
            && (info.viewer_request.as_deref()).is_some_and(|arn| is_router_arn(arn, &state.distribution_id)),
        // Without the store the function finds nothing: no index, no record.
        router_entry: if state.policy.router { store.map(|s| entry_of(s, &info.path)) } else { Some(NO_STORE) },
    };
    row.share = row.routed_share_read();
    row
}

/// A route's entry when the distribution has no router's store.
const NO_STORE: StoreEntry = StoreEntry { listed: Some(false), record: Record::Missing };

pub fn topology_loaded(state: &mut State, generation: u64, result: Result<Topology, BackendError>) -> Vec<Effect> {
    let topology = match result {
        Ok(t) => t,
        Err(error) => {
            state.learned.topology.failed();
            read_failed(state, "reading the distribution", &error);
            return Vec::new();
        }
    };
    if generation < state.learned.topology_generation {
        // Read before a switch landed: it would show the old target. The next read is current.
        state.learned.topology.discarded();
        return Vec::new();
    }
    let first = state.learned.topology.is_none();
    let mut effects = super::team::outside_in_topology(state, &topology);
    let store = state.learned.shares.as_ref();
    let routes = topology.routes.iter().map(|info| row_of(state, info, store)).collect();
    state.routes = routes;
    if let Some(edge) = &mut state.edge_logs {
        edge.numbers.set_routes(state.routes.iter().map(|r| r.path.as_str()));
    }
    if first {
        state.log(
            Level::Info,
            None,
            format!(
                "watching distribution {} ({} routes, {})",
                topology.distribution_id,
                topology.routes.len(),
                topology.status
            ),
        );
    }
    state.learned.topology.arrived(topology, state.now);
    keep_selection_visible(state);
    if first && state.learned.metrics.start() {
        effects.push(Effect::on(
            state.distribution_id.clone(),
            Work::LoadMetrics { paths: state.routes.iter().map(|r| r.path.clone()).collect() },
        ));
    }
    effects
}

pub fn metrics_loaded(state: &mut State, result: Result<MetricsSnapshot, BackendError>) -> Vec<Effect> {
    let snapshot = match result {
        Ok(s) => s,
        Err(error) => {
            state.learned.metrics.failed();
            read_failed(state, "metrics refresh", &error);
            return Vec::new();
        }
    };
    // The router's store unreadable is its own trouble: good numbers do not clear it. Nor do they
    // clear the team's news (the journal not taking records; a change made outside cutover, said
    // for `OUTSIDE_BANNER_MINUTES`), which the same refresh may have just put up.
    state.notices.banner = (state.router_unknown().filter(|_| state.learned.router_store_error.is_some()))
        .or_else(|| state.notices.banner.take().filter(|banner| journal_banner(state, banner)))
        .or_else(|| state.team.banner(state.now));
    if let Some(trouble) = state.learned.read_trouble.take() {
        let outage = duration_short(state.now.duration_since(trouble.since).as_secs());
        let message = format!("AWS answers again after {outage} of failed reads; the numbers are current");
        state.log(Level::Info, None, message);
    }
    let mut effects = judge_breaches(state, &snapshot);
    // The router's own health, after the banner was cleared above: it sets it while in trouble.
    for effect in super::router_health::check(state, &snapshot) {
        if effect != Effect::Bell || !effects.contains(&Effect::Bell) {
            effects.push(effect);
        }
    }
    state.learned.metrics.arrived(snapshot, state.now);
    effects.extend(super::switching::traffic::follow(state));
    // Before the guards: a plan's own breach puts its share back, and the guard then finds the
    // route already moving.
    effects.extend(super::switching::plan::follow(state));
    effects.extend(super::guards::auto_rollback(state));
    effects
}

/// Whether `banner` is the team journal's sending trouble (`update::team`), still true.
fn journal_banner(state: &State, banner: &str) -> bool {
    let journal = state.team.journal.as_ref().is_some_and(|j| j.sending.trouble.is_some());
    journal && banner.starts_with("team journal unreachable")
}

/// The router's store as read: each routed row takes its share. A failed read keeps the shares
/// shown and says so once (the next round tries again); a switch never waits on it.
pub fn shares_loaded(state: &mut State, generation: u64, result: Result<StoreState, BackendError>) -> Vec<Effect> {
    if generation < state.learned.shares_generation {
        state.learned.shares.discarded();
        return Vec::new();
    }
    match result {
        Ok(store) => {
            if state.learned.shares.failures() > 0 {
                state.log(Level::Info, None, "the router's store answers again; shares are current");
                if state.notices.banner.as_deref().is_some_and(|b| b.starts_with(STORE_UNREAD)) {
                    state.notices.banner = None;
                }
            }
            state.learned.router_store_error = None;
            say_what_is_not_routed(state, &store);
            let before: Vec<(String, Option<u8>)> = (state.routes.iter())
                .filter(|_| state.learned.shares.as_ref().is_some())
                .map(|r| (r.path.clone(), r.share))
                .collect();
            for row in &mut state.routes {
                row.router_entry = Some(entry_of(&store, &row.path));
                row.share = row.routed_share_read();
            }
            let effects = super::team::outside_in_shares(state, &before);
            state.learned.shares.arrived(store, state.now);
            super::switching::plan::check_restored(state);
            return effects;
        }
        Err(error) => {
            state.learned.router_store_error = Some(error.to_string());
            let shown = state.learned.shares.received_at().map_or_else(
                || "no share is known".to_string(),
                |at| format!("shares shown are from {}", time_of_day(at)),
            );
            if state.learned.shares.failed() == 1 {
                state.log(Level::Warn, None, format!("reading the router's store failed: {error}; {shown}"));
            }
            // Unknown is not healthy: while the router may send viewers to Lambda, say so until a
            // read comes back.
            if let Some(why) = state.router_unknown() {
                state.notices.banner = Some(format!("{why}; {shown}"));
            }
        }
    }
    Vec::new()
}

/// Say once per change what the store holds that the router does not act on: a record that cannot
/// be read, a route with some pieces of the router but not all.
fn say_what_is_not_routed(state: &mut State, store: &StoreState) {
    let before: Vec<(String, Vec<&'static str>)> =
        state.routes.iter().map(|r| (r.path.clone(), r.router_missing())).collect();
    let mut notes = Vec::new();
    for row in &state.routes {
        let mut after = row.clone();
        after.router_entry = Some(entry_of(store, &row.path));
        let missing = after.router_missing();
        let was = before.iter().find(|(p, _)| *p == row.path).map(|(_, m)| m.clone()).unwrap_or_default();
        if !missing.is_empty() && (missing != was || state.learned.shares.is_none()) {
            let why = match &after.router_entry.as_ref().map(|e| &e.record) {
                Some(Record::Unreadable(why)) => format!(" ({why})"),
                _ => String::new(),
            };
            notes.push((row.path.clone(), format!("not routed: {}{why}", missing.join(", "))));
        }
    }
    for (path, note) in notes {
        state.log(Level::Warn, Some(&path), note);
    }
}

/// A note the guards leave in the log: its level, route and message, and for a new breach what the
/// trail records and whether the bell rings.
struct GuardNote {
    level: Level,
    path: String,
    message: String,
    breach: Option<(String, bool)>,
}

/// Each route against its thresholds on the new numbers: alerts raised and cleared, said in the
/// log, recorded, and the bell for a new breach (not for minutes from before the route's last move).
fn judge_breaches(state: &mut State, snapshot: &MetricsSnapshot) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut notes: Vec<GuardNote> = Vec::new();
    // CloudWatch's minutes arrive late: a breach whose newest minute ended before the route's
    // last move took effect is the old side's, from before the fix, and no reason to ring.
    let fixes: Vec<(Option<Fix>, Option<Fix>)> = (state.routes.iter())
        .map(|r| {
            let end = snapshot.newest_minute_end(&r.path);
            (end.and_then(|end| state.minute_before_fix(&r.path, end)), state.last_fix(&r.path))
        })
        .collect();
    for (row, (before, last_fix)) in state.routes.iter_mut().zip(fixes) {
        let thresholds = state.policy.route_thresholds.get(&row.path).unwrap_or(&state.policy.thresholds);
        let breaches = thresholds.sustained_breaches(snapshot.series(&row.path));
        let what = || alert_message(&breaches, thresholds.periods, &state.policy.latency_statistic);
        let path = row.path.clone();
        let note = match (breaches.is_empty(), row.alert.is_empty(), before, row.alert_before) {
            (false, true, Some(fix), _) => Some(GuardNote {
                level: Level::Info,
                message: format!(
                    "{} — from before the {} at {} took effect",
                    what(),
                    fix.kind.word(),
                    time_of_day(fix.accepted)
                ),
                breach: Some((what(), false)),
                path,
            }),
            (false, true, None, _) => {
                Some(GuardNote { level: Level::Warn, message: what(), breach: Some((what(), true)), path })
            }
            // A late alert whose minutes now reach past the move: the side it moved to breaches too.
            (false, false, None, Some(_)) => {
                let word = last_fix.map_or("switch", |f| f.kind.word());
                let after = format!("{} — after the {word}", what());
                Some(GuardNote { level: Level::Warn, message: after.clone(), breach: Some((after, true)), path })
            }
            (true, false, _, _) => {
                Some(GuardNote { level: Level::Info, message: "back within thresholds".into(), breach: None, path })
            }
            _ => None,
        };
        notes.extend(note);
        row.alert_before = if breaches.is_empty() { None } else { before.map(|f| f.accepted) };
        row.alert = breaches;
    }
    if notes.iter().any(|n| n.breach.as_ref().is_some_and(|(_, ring)| *ring)) {
        effects.push(Effect::Bell);
    }
    for note in notes {
        if let Some((recorded, _)) = note.breach {
            effects.push(super::audit::event(state, RecordKind::GuardBreach, &note.path, recorded));
        }
        state.log(note.level, Some(&note.path), note.message);
    }
    effects
}

fn alert_message(breaches: &[Breach], periods: usize, latency_statistic: &str) -> String {
    let what: Vec<String> = breaches.iter().map(|b| b.describe(latency_statistic)).collect();
    let periods = periods.max(1);
    let unit = if periods == 1 { "period" } else { "periods" };
    format!("{} for {periods} {unit}", what.join(", "))
}

/// A read failed: keep the last good data on screen, marked stale, say so, and try again after a
/// pause that grows with each failure in a row (with jitter, up to a cap) rather than at the next
/// period. The first failure and each change of error are logged; repeats only count.
fn read_failed(state: &mut State, what: &str, error: &BackendError) {
    let now = state.now;
    let error_text = error.to_string();
    let round = state.learned.refresh_started_at;
    let trouble = state.learned.read_trouble.get_or_insert_with(|| ReadTrouble {
        since: now,
        failures: 0,
        last_error: String::new(),
        round: None,
    });
    // Routes and numbers are read together: both failing in one round is one failure.
    if trouble.round != Some(round) {
        trouble.round = Some(round);
        trouble.failures += 1;
    }
    let failures = trouble.failures;
    let changed = trouble.last_error != error_text;
    trouble.last_error = error_text;
    let pause = state.policy.refresh.refresh_backoff().delay(failures, now.as_nanosecond() as u64);
    state.learned.next_refresh = now + SignedDuration::try_from(pause).unwrap_or_default();
    let shown_from = match state.learned.metrics.received_at() {
        Some(at) => format!("; showing numbers from {}", time_of_day(at)),
        None => String::new(),
    };
    let banner = format!("{what} failed: {error}{shown_from}");
    if changed {
        // The banner stays while the header counts down to the next try; the log says when it was.
        state.log(Level::Warn, None, format!("{banner}; next try in {}", duration_short(pause.as_secs() as i64)));
    }
    state.notices.banner = Some(banner);
}
