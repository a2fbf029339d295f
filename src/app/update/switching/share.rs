//! Moving a routed route by share through the router's store: `+`/`-` step Lambda's share, `s`
//! moves all of it, `R` puts every routed share back to 0 beside its behavior rollback. The store
//! takes a move in seconds and the edges follow in seconds more: no CloudFront rollout to wait for.

use super::super::audit;
use super::health::{preflight, target_health};
use super::{begin, refuse, set_pending};
use crate::app::action::{Effect, Work};
use crate::app::routing::{RECORD_UNREADABLE, Record};
use crate::app::state::{
    ConfirmSwitch, Move, MoveKind, MovePhase, MoveSource, Overlay, State, SwitchMark, describe_share,
};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::backend::share::{Seen, ShareChange, SharesAccepted, StoreState};
use crate::domain::preflight::check;
use crate::domain::{Level, Target};
use crate::router::RouteRecord;

/// The shares `+` and `-` step through, in percent of the route's viewers sent to Lambda.
pub const STEPS: [u8; 7] = [0, 1, 5, 10, 25, 50, 100];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareStep {
    Up,
    Down,
}

/// The next step above or below `current` (a share set by hand between steps goes to the nearest
/// step that way); `None` at either end.
pub fn next_share(current: u8, step: ShareStep) -> Option<u8> {
    match step {
        ShareStep::Up => STEPS.iter().copied().find(|s| *s > current),
        ShareStep::Down => STEPS.iter().rev().copied().find(|s| *s < current),
    }
}

/// `+` / `-` on the selected route: open the dialog for its next share that way. `-` on a record
/// nobody can read puts it to 0 (the safe direction); `+` on it is refused.
pub fn open_step(state: &mut State, step: ShareStep) -> Vec<Effect> {
    let Some(row) = state.selected_route() else { return Vec::new() };
    let path = row.path.clone();
    if step == ShareStep::Down
        && let Some(zero) = row.zero_change().filter(|c| c.seen != Seen::Record)
    {
        return open(state, MoveSource::Manual, vec![zero]);
    }
    let current = match routed_share(state, &path) {
        Ok(share) => share,
        Err(why) => {
            refuse(state, Level::Info, Some(&path), why);
            return Vec::new();
        }
    };
    let Some(to) = next_share(current, step) else {
        let end = if step == ShareStep::Up { "all of it already goes to Lambda" } else { "none of it goes to Lambda" };
        refuse(state, Level::Info, Some(&path), format!("λ {current} %: {end}; the share stays"));
        return Vec::new();
    };
    match change_to(state, &path, to) {
        Ok(change) => open(state, MoveSource::Manual, vec![change]),
        Err(why) => {
            refuse(state, Level::Info, Some(&path), why);
            Vec::new()
        }
    }
}

/// `s` on a routed route: all of it to Lambda through the store, or all of it back when any goes there.
pub fn open_all_or_nothing(state: &mut State, path: &str, current: u8) -> Vec<Effect> {
    let to = if current == 0 { 100 } else { 0 };
    open(state, MoveSource::Manual, vec![ShareChange::new(path, current, to)])
}

/// Headless `cutover weight ROUTE PERCENT`: the dialog for that share, as the keys would open it.
pub fn open_to(state: &mut State, path: &str, to: u8) -> Vec<Effect> {
    if to > 100 {
        refuse(state, Level::Warn, Some(path), format!("{to} % is not a share: give 0 to 100"));
        return Vec::new();
    }
    match change_to(state, path, to) {
        Ok(change) if change.seen == Seen::Record && change.from == to => {
            refuse(state, Level::Info, Some(path), format!("λ {to} % already; nothing to move"));
            Vec::new()
        }
        Ok(change) => open(state, MoveSource::Manual, vec![change]),
        Err(why) => {
            refuse(state, Level::Warn, Some(path), why);
            Vec::new()
        }
    }
}

/// The share move of `path` to `to`, as the store was last read: a routed route's from its share;
/// to 0, any record above 0 and any record nobody can read; a route whose behavior runs the router
/// and which the index lists, its first record. Otherwise why not, naming the missing piece.
pub fn change_to(state: &State, path: &str, to: u8) -> Result<ShareChange, String> {
    let row = state.route(path).ok_or_else(|| format!("route {path} is not in the distribution"))?;
    if to == 0
        && let Some(zero) = row.zero_change()
    {
        return Ok(zero);
    }
    if let Some(first) = row.first_change(to) {
        return Ok(first);
    }
    routed_share(state, path).map(|from| ShareChange::new(path, from, to))
}

/// Lambda's share of a route the router moves, or why the router does not move it: which of its
/// three pieces (the function on its behavior, the index, its record) is missing, and what to do.
pub fn routed_share(state: &State, path: &str) -> Result<u8, String> {
    let row = state.route(path).ok_or_else(|| format!("route {path} is not in the distribution"))?;
    let install = format!("`cutover router install --distribution {} --route {path}`", state.distribution_id);
    match (row.share, row.target) {
        (Some(share), Some(Target::Origin)) => return Ok(share),
        (Some(_), _) => {
            return Err(format!(
                "its behavior sends all of {path} to {}; shares move only a route whose behavior is on its origin (s switches it back)",
                row.target.map_or_else(|| row.origin_id.clone(), |t| t.to_string())
            ));
        }
        (None, _) => {}
    }
    if !state.policy.router {
        return Err(format!(
            "the distribution has no router: {install} lets a share of it move in seconds; s switches it by behavior"
        ));
    }
    if let Some(why) =
        state.router_unknown().filter(|_| row.router_entry.is_none() || state.learned.router_store_error.is_some())
    {
        return Err(why);
    }
    let missing = row.router_missing();
    if missing.is_empty() {
        return Err(format!("{path} is not routed: {install} adds it; s switches it by behavior"));
    }
    let fix = if missing.contains(&RECORD_UNREADABLE) && missing.len() == 1 {
        format!("`cutover weight {path} 0` overwrites the record with share 0, then {install} mends it")
    } else {
        format!("{install} mends it; s switches it by behavior")
    };
    Err(format!("{path} is not routed ({}): {fix}", missing.join(", ")))
}

/// The confirm dialog for share moves alone: the side gaining viewers and its health, the
/// pre-flight on the share being added, and what the operator should know of the router.
pub(super) fn open(state: &mut State, kind: MoveSource, shares: Vec<ShareChange>) -> Vec<Effect> {
    let label = shares.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ");
    if let Some(reason) = &state.read_only {
        let message = format!("the console is read-only ({reason}); {label} was not moved");
        refuse(state, Level::Warn, Some(&label), message);
        return Vec::new();
    }
    if state.shares_in_flight() {
        let message = format!("a share move is still on its way to the router's store; move {label} when it is taken");
        refuse(state, Level::Warn, Some(&label), message);
        return Vec::new();
    }
    let to = if shares.iter().any(|c| c.to > c.from) { Target::Lambda } else { Target::Origin };
    let paths: Vec<String> = shares.iter().map(|c| c.path.clone()).collect();
    let mut health = target_health(state, &paths[0], to);
    let mut warning = None;
    let (mut blocks, mut notes) = (Vec::new(), Vec::new());
    for change in shares.iter().filter(|c| c.to > c.from) {
        // What the origin serves now is 100 - from % of the route; the step moves to - from % of it.
        let fraction = f64::from(change.to - change.from) / f64::from(100 - change.from).max(1.0);
        if let Some((estimate, low)) = preflight(state, std::slice::from_ref(&change.path), fraction) {
            health.push(estimate);
            warning = warning.or(low);
        }
        if let Some(row) = state.route(&change.path) {
            let empty = Default::default();
            let book = state.learned.topology.as_ref().map_or(&empty, |t| &t.policies);
            let findings = check(&change.path, &row.behavior, None, Target::Lambda, book);
            blocks.extend(findings.blocks);
            notes.extend(findings.notes);
        }
    }
    for change in &shares {
        notes.extend(about_the_record(state, change));
    }
    notes.push(
        "through the router's store: the edges take it within seconds; each viewer stays on one side".to_string(),
    );
    state.refused = None;
    state.view.overlay = Overlay::Confirm(ConfirmSwitch {
        kind,
        distribution_id: state.distribution_id.clone(),
        paths,
        changes: Vec::new(),
        plan: None,
        shares,
        from: to.other(),
        to,
        health,
        warning,
        blocks,
        notes,
    });
    Vec::new()
}

/// What the dialog says of a move that is not a plain share change: a record nobody can read
/// overwritten, a first record written, a record the router does not act on yet.
pub fn about_the_record(state: &State, change: &ShareChange) -> Option<String> {
    let path = &change.path;
    match &change.seen {
        Seen::Unreadable { .. } => {
            let why = match state.route(path).and_then(|r| r.router_entry.as_ref()).map(|e| &e.record) {
                Some(Record::Unreadable(why)) => format!(" ({why})"),
                _ => String::new(),
            };
            Some(format!(
                "{path}: {RECORD_UNREADABLE}{why}: it is overwritten with a share-0 record, the safe direction"
            ))
        }
        Seen::Missing { lambda, home } => {
            Some(format!("{path}: no router record yet: its first is written (Lambda {lambda}, home {home})"))
        }
        Seen::Record => {
            let missing = state.route(path).map(|r| r.router_missing()).unwrap_or_default();
            (!missing.is_empty()).then(|| {
                format!(
                    "{path}: the router does not act on this record now ({}); it is put to 0 so that it never does",
                    missing.join(", ")
                )
            })
        }
    }
}

/// Whether the route's record is still as the operator saw it when confirming `change`.
fn still_as_seen(state: &State, change: &ShareChange) -> Result<(), String> {
    let record = state.route(&change.path).and_then(|r| r.router_entry.as_ref()).map(|e| &e.record);
    let ok = match (&change.seen, record) {
        (Seen::Record, Some(Record::Share(share))) => *share == change.from,
        (Seen::Unreadable { .. }, Some(Record::Unreadable(_))) => true,
        (Seen::Missing { .. }, Some(Record::Missing)) => true,
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(match record {
        Some(Record::Share(share)) => format!("λ {share} %"),
        Some(Record::Unreadable(_)) => "an unreadable router record".to_string(),
        Some(Record::Missing) => "no router record".to_string(),
        None => "no router record known".to_string(),
    })
}

/// Send share moves to the store for every route still at the share the operator saw; each other
/// one is said in the log. `reason` is said for moves nobody confirmed (guards).
pub fn request(
    state: &mut State,
    kind: MoveSource,
    shares: &[ShareChange],
    reason: Option<&str>,
    override_reason: Option<String>,
) -> Vec<Effect> {
    let mut still = Vec::new();
    for change in shares {
        match still_as_seen(state, change) {
            Ok(()) => still.push(change.clone()),
            Err(now) => {
                let message = format!("route now has {now} (changed while the dialog was open); nothing was moved");
                state.log(Level::Warn, Some(&change.path), message);
            }
        }
    }
    if still.is_empty() {
        return Vec::new();
    }
    let moving: Vec<String> = still.iter().map(|c| c.path.clone()).collect();
    let label = moving.join(", ");
    let to = if still.iter().any(|c| c.to > c.from) { Target::Lambda } else { Target::Origin };
    announce(state, kind, &label, &still, reason, override_reason.as_deref());
    let kind_of = MoveKind::Share { changes: still.clone(), from: to.other(), to };
    let attempt = Move { override_reason, ..Move::requested(&state.distribution_id, kind, moving, kind_of, state.now) };
    let (id, record) = begin(state, attempt, reason);
    let distribution_id = state.distribution_id.clone();
    record.into_iter().chain([Effect::on(distribution_id, Work::SetShares { id, changes: still })]).collect()
}

/// The event log's line for a share move: every move, who asked (or which guard), and a warning of
/// its own when the pre-flight was overridden.
fn announce(
    state: &mut State,
    kind: MoveSource,
    label: &str,
    changes: &[ShareChange],
    reason: Option<&str>,
    override_reason: Option<&str>,
) {
    let moves = changes.iter().map(describe_share).collect::<Vec<_>>().join("; ");
    let who = match (reason, kind) {
        (Some(r), MoveSource::Automatic) => format!("by the guard, because {r}"),
        (Some(r), _) => format!("for {r}"),
        (None, _) => format!("requested by {}", state.policy.operator),
    };
    let level = if kind == MoveSource::Automatic || override_reason.is_some() { Level::Warn } else { Level::Info };
    state.log(level, Some(label), format!("share move {moves} through the router's store {who}"));
    if let Some(why) = override_reason {
        state.log(Level::Warn, Some(label), format!("pre-flight overridden: {why}"));
    }
}

/// What is wrong with share move `attempt` as the store read it back after the write: a route
/// whose share is not the one asked, or a store that could not be read (unknown is not done).
pub fn not_as_asked(
    attempt: &Move,
    read_back: &Result<Vec<(String, Option<u8>)>, BackendError>,
) -> Option<BackendError> {
    let read = match read_back {
        Ok(read) => read,
        Err(error) => {
            return Some(BackendError::NotAsAsked(format!(
                "the router's store took it, but reading it back failed ({error}): viewers may be on either share; check with `cutover status`"
            )));
        }
    };
    let wrong: Vec<String> = (attempt.shares().iter())
        .filter_map(|c| {
            let found = read.iter().find(|(p, _)| *p == c.path).and_then(|(_, share)| *share);
            match found {
                Some(share) if share == c.to => None,
                Some(share) => Some(format!("{} sends λ {share} % to Lambda, not {} % as asked", c.path, c.to)),
                None => Some(format!("{} has a record cutover cannot read, not λ {} % as asked", c.path, c.to)),
            }
        })
        .collect();
    (!wrong.is_empty()).then(|| {
        BackendError::NotAsAsked(format!(
            "the router's store took it, but read back {}; check with `cutover status` and move it again",
            wrong.join("; ")
        ))
    })
}

/// The store took the move: rows show the new shares at once (the store is the truth, and it
/// answers in seconds), and moves of all or nothing are followed at the edge and in the numbers.
pub fn accepted(state: &mut State, id: u64, accepted: SharesAccepted) -> Vec<Effect> {
    let now = state.now;
    let Some(attempt) = state.moves.iter_mut().find(|s| s.id == id && s.phase == MovePhase::Requested) else {
        return Vec::new();
    };
    // The store has no rollout of its own to poll: taken is as far as AWS reports.
    attempt.phase = MovePhase::Deployed;
    attempt.accepted_at = Some(now);
    attempt.etag_before = Some(accepted.etag_before.clone());
    attempt.etag_after = Some(accepted.etag_after.clone());
    let (label, shares, paths) = (attempt.label(), attempt.shares().to_vec(), attempt.paths.clone());
    set_pending(state, &paths, None);
    show_written(state, &shares, &accepted.etag_after);
    // A read sent before this moment would show the old shares.
    state.learned.shares_generation += 1;
    let moved: Vec<String> =
        shares.iter().filter(|c| !accepted.already_there.contains(&c.path)).map(|c| c.path.clone()).collect();
    let calls = if accepted.calls == 1 {
        "1 UpdateKeys call".to_string()
    } else {
        format!("{} UpdateKeys calls", accepted.calls)
    };
    let moves = shares.iter().filter(|c| moved.contains(&c.path)).map(describe_share).collect::<Vec<_>>().join("; ");
    state.log(
        Level::Info,
        Some(&label),
        format!(
            "router's store took it (ETag {} → {}, {calls}): {moves}; the edges follow within seconds",
            accepted.etag_before, accepted.etag_after
        ),
    );
    for path in &accepted.already_there {
        state.log(Level::Info, Some(path), "already had that share; left as it was");
    }
    // All or nothing can be seen to finish; a part of the viewers has no "moved" to wait for, and
    // neither has a move smaller than the threshold's margin (5 % → 0 is "moved" before it starts).
    let margin = 100.0 - state.policy.moving.threshold_pct;
    let whole: Vec<String> = (shares.iter())
        .filter(|c| moved.contains(&c.path) && matches!(c.to, 0 | 100) && f64::from(c.to.abs_diff(c.from)) > margin)
        .map(|c| c.path.clone())
        .collect();
    super::traffic::start(state, id, &whole);
    let to = if shares.iter().any(|c| c.to > c.from) { Target::Lambda } else { Target::Origin };
    state.marks.extend(moved.iter().map(|path| SwitchMark { path: path.clone(), at: now, to }));
    let mut effects: Vec<Effect> =
        state.moves.by_id(id).map(|a| audit::switch(state, a, RecordKind::SwitchAccepted, None)).into_iter().collect();
    effects.extend(super::edge::start(state, id, &whole));
    effects
}

/// Rows and the store as last read show what the store took, at its new ETag.
fn show_written(state: &mut State, shares: &[ShareChange], etag_after: &str) {
    for change in shares {
        if let Some(row) = state.routes.iter_mut().find(|r| r.path == change.path)
            && let Some(entry) = row.router_entry.as_mut()
        {
            entry.record = Record::Share(change.to);
            row.share = row.routed_share_read();
        }
        if let Some(store) = state.learned.shares.last_mut() {
            written(store, change);
        }
    }
    if let Some(store) = state.learned.shares.last_mut() {
        store.etag = etag_after.to_string();
    }
}

/// The store as last read, with a share move the store took: the record as written.
fn written(store: &mut StoreState, change: &ShareChange) {
    if let Some(record) = store.records.get_mut(&change.path) {
        record.share = change.to;
        return;
    }
    let ids = match &change.seen {
        Seen::Missing { lambda, home } | Seen::Unreadable { lambda, home } => Some((lambda, home)),
        Seen::Record => None,
    };
    if let Some(record) = ids.and_then(|(lambda, home)| RouteRecord::new(change.to, lambda, home, None).ok()) {
        store.unreadable.remove(&change.path);
        store.records.insert(change.path.clone(), record);
    }
}
