//! Moving a routed route by share through the router's store: `+`/`-` step Lambda's share, `s`
//! moves all of it, `R` puts every routed share back to 0 beside its behavior rollback. The store
//! takes a move in seconds and the edges follow in seconds more: no CloudFront rollout to wait for.

use super::super::audit;
use super::{begin, set_pending};
use crate::app::action::{Effect, Work};
use crate::app::model::routing::Record;
use crate::app::model::state::{Move, MoveKind, MovePhase, MoveSource, State, SwitchMark, describe_share};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::backend::share::{Seen, ShareChange, SharesAccepted, StoreState};
use crate::domain::{Level, Target};
use crate::router::RouteRecord;

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
    let share_of = |path: &String| shares.iter().find(|c| c.path == *path).map(|c| (c.from, c.to));
    state.marks.extend(moved.iter().map(|path| SwitchMark { path: path.clone(), at: now, to, share: share_of(path) }));
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
