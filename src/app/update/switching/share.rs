//! Moving a routed route by share through the router's store: `+`/`-` step Lambda's share, `s`
//! moves all of it, `R` puts every routed share back to 0 beside its behavior rollback. The store
//! takes a move in seconds and the edges follow in seconds more: no CloudFront rollout to wait for.

use super::super::audit;
use super::health::{preflight, target_health};
use super::{begin, refuse, set_pending};
use crate::app::action::Effect;
use crate::app::state::{
    ConfirmSwitch, Overlay, State, SwitchAttempt, SwitchKind, SwitchMark, SwitchPhase, describe_share,
};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::backend::share::{ShareChange, SharesAccepted};
use crate::domain::preflight::check;
use crate::domain::{Level, Target};

/// The shares `+` and `-` step through, in percent of the route's viewers sent to Lambda.
pub const STEPS: [u8; 7] = [0, 1, 5, 10, 25, 50, 100];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Up,
    Down,
}

/// The next step above or below `current` (a share set by hand between steps goes to the nearest
/// step that way); `None` at either end.
pub fn next_share(current: u8, step: Step) -> Option<u8> {
    match step {
        Step::Up => STEPS.iter().copied().find(|s| *s > current),
        Step::Down => STEPS.iter().rev().copied().find(|s| *s < current),
    }
}

/// `+` / `-` on the selected route: open the dialog for its next share that way.
pub fn open_step(state: &mut State, step: Step) -> Vec<Effect> {
    let Some(row) = state.selected_route() else { return Vec::new() };
    let path = row.path.clone();
    let current = match routed_share(state, &path) {
        Ok(share) => share,
        Err(why) => {
            refuse(state, Level::Info, Some(&path), why);
            return Vec::new();
        }
    };
    let Some(to) = next_share(current, step) else {
        let end = if step == Step::Up { "all of it already goes to Lambda" } else { "none of it goes to Lambda" };
        refuse(state, Level::Info, Some(&path), format!("λ {current} %: {end}; the share stays"));
        return Vec::new();
    };
    open(state, SwitchKind::Manual, vec![ShareChange { path, from: current, to }])
}

/// `s` on a routed route: all of it to Lambda through the store, or all of it back when any goes there.
pub fn open_all_or_nothing(state: &mut State, path: &str, current: u8) -> Vec<Effect> {
    let to = if current == 0 { 100 } else { 0 };
    open(state, SwitchKind::Manual, vec![ShareChange { path: path.to_string(), from: current, to }])
}

/// Headless `cutover weight ROUTE PERCENT`: the dialog for that share, as the keys would open it.
pub fn open_to(state: &mut State, path: &str, to: u8) -> Vec<Effect> {
    let current = match routed_share(state, path) {
        Ok(share) => share,
        Err(why) => {
            refuse(state, Level::Warn, Some(path), why);
            return Vec::new();
        }
    };
    if to > 100 {
        refuse(state, Level::Warn, Some(path), format!("{to} % is not a share: give 0 to 100"));
        return Vec::new();
    }
    if to == current {
        refuse(state, Level::Info, Some(path), format!("λ {current} % already; nothing to move"));
        return Vec::new();
    }
    open(state, SwitchKind::Manual, vec![ShareChange { path: path.to_string(), from: current, to }])
}

/// Lambda's share of a route the router moves, or why the router does not move it.
pub fn routed_share(state: &State, path: &str) -> Result<u8, String> {
    let row = state.route(path).ok_or_else(|| format!("route {path} is not in the distribution"))?;
    match (row.share, row.target) {
        (Some(share), Some(Target::Origin)) => Ok(share),
        (Some(_), _) => Err(format!(
            "its behavior sends all of {path} to {}; shares move only a route whose behavior is on its origin (s switches it back)",
            row.target.map_or_else(|| row.origin_id.clone(), |t| t.to_string())
        )),
        (None, _) if !state.router => Err(format!(
            "the distribution has no router: `cutover router install --distribution {} --route {path}` lets a share of it move in seconds; s switches it by behavior",
            state.distribution_id
        )),
        (None, _) => Err(format!(
            "{path} is not routed: `cutover router install --distribution {} --route {path}` adds it; s switches it by behavior",
            state.distribution_id
        )),
    }
}

/// The confirm dialog for share moves alone: the side gaining viewers and its health, the
/// pre-flight on the share being added, and what the operator should know of the router.
pub(super) fn open(state: &mut State, kind: SwitchKind, shares: Vec<ShareChange>) -> Vec<Effect> {
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
            let book = state.topology.as_ref().map_or(&empty, |t| &t.policies);
            let findings = check(&change.path, &row.behavior, None, Target::Lambda, book);
            blocks.extend(findings.blocks);
            notes.extend(findings.notes);
        }
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

/// Send share moves to the store for every route still at the share the operator saw; each other
/// one is said in the log. `reason` is said for moves nobody confirmed (guards).
pub fn request(
    state: &mut State,
    kind: SwitchKind,
    shares: &[ShareChange],
    reason: Option<&str>,
    override_reason: Option<String>,
) -> Vec<Effect> {
    let mut still = Vec::new();
    for change in shares {
        match state.route(&change.path).and_then(|r| r.share) {
            Some(share) if share == change.from => still.push(change.clone()),
            now => {
                let now = now.map_or_else(|| "no router record".to_string(), |s| format!("λ {s} %"));
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
    let attempt = SwitchAttempt {
        shares: still.clone(),
        override_reason,
        ..SwitchAttempt::requested(&state.distribution_id, kind, moving, to.other(), state.now)
    };
    let (id, record) = begin(state, attempt, reason);
    let distribution_id = state.distribution_id.clone();
    record.into_iter().chain([Effect::SetShares { id, distribution_id, changes: still }]).collect()
}

/// The event log's line for a share move: every move, who asked (or which guard), and a warning of
/// its own when the pre-flight was overridden.
fn announce(
    state: &mut State,
    kind: SwitchKind,
    label: &str,
    changes: &[ShareChange],
    reason: Option<&str>,
    override_reason: Option<&str>,
) {
    let moves = changes.iter().map(describe_share).collect::<Vec<_>>().join("; ");
    let who = match (reason, kind) {
        (Some(r), SwitchKind::Automatic) => format!("by the guard, because {r}"),
        (Some(r), _) => format!("for {r}"),
        (None, _) => format!("requested by {}", state.operator),
    };
    let level = if kind == SwitchKind::Automatic || override_reason.is_some() { Level::Warn } else { Level::Info };
    state.log(level, Some(label), format!("share move {moves} through the router's store {who}"));
    if let Some(why) = override_reason {
        state.log(Level::Warn, Some(label), format!("pre-flight overridden: {why}"));
    }
}

/// What is wrong with share move `attempt` as the store read it back after the write: a route
/// whose share is not the one asked, or a store that could not be read (unknown is not done).
pub fn not_as_asked(
    attempt: &SwitchAttempt,
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
    let wrong: Vec<String> = (attempt.shares.iter())
        .filter_map(|c| {
            let found = read.iter().find(|(p, _)| *p == c.path).and_then(|(_, share)| *share);
            match found {
                Some(share) if share == c.to => None,
                Some(share) => Some(format!("{} sends λ {share} % to Lambda, not {} % as asked", c.path, c.to)),
                None => Some(format!("{} has no record cutover can read, not λ {} % as asked", c.path, c.to)),
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
    let Some(attempt) = state.switches.iter_mut().find(|s| s.id == id && s.phase == SwitchPhase::Requested) else {
        return Vec::new();
    };
    // The store has no rollout of its own to poll: taken is as far as AWS reports.
    attempt.phase = SwitchPhase::Deployed;
    attempt.accepted_at = Some(now);
    attempt.etag_before = Some(accepted.etag_before.clone());
    attempt.etag_after = Some(accepted.etag_after.clone());
    let (label, shares, paths) = (attempt.label(), attempt.shares.clone(), attempt.paths.clone());
    set_pending(state, &paths, None);
    for change in &shares {
        if let Some(row) = state.routes.iter_mut().find(|r| r.path == change.path) {
            row.share = Some(change.to);
        }
        if let Some(record) = state.shares.last_mut().and_then(|s| s.records.get_mut(&change.path)) {
            record.share = change.to;
        }
    }
    if let Some(store) = state.shares.last_mut() {
        store.etag = accepted.etag_after.clone();
    }
    // A read sent before this moment would show the old shares.
    state.shares_generation += 1;
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
    let margin = 100.0 - state.moving.threshold_pct;
    let whole: Vec<String> = (shares.iter())
        .filter(|c| moved.contains(&c.path) && matches!(c.to, 0 | 100) && f64::from(c.to.abs_diff(c.from)) > margin)
        .map(|c| c.path.clone())
        .collect();
    super::traffic::start(state, id, &whole);
    let to = if shares.iter().any(|c| c.to > c.from) { Target::Lambda } else { Target::Origin };
    state.marks.extend(moved.iter().map(|path| SwitchMark { path: path.clone(), at: now, to }));
    let mut effects: Vec<Effect> =
        state.switch(id).map(|a| audit::switch(state, a, RecordKind::SwitchAccepted, None)).into_iter().collect();
    effects.extend(super::edge::start(state, id, &whole));
    effects
}
