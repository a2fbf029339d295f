//! Planning moves by behavior (`s`, `R`, `u` and headless `switch`/`rollback-all`): which routes can
//! move, each route's move from its pair of origins, and the pre-flight on the behaviors as last
//! read. Pure: it reads the state and changes nothing.

use super::dialog::ConfirmSwitch;
use super::health::{preflight, target_health, target_health_across};
use super::refusal::{InFlight, Refusal, Since, Untouched};
use super::remedies::{self, Speed};
use super::share;
use crate::app::model::moves::MoveSource;
use crate::app::model::state::{State, describe_share};
use crate::backend::share::ShareChange;
use crate::domain::preflight::check;
use crate::domain::{RouteChange, Target};

/// `s` on route `path` (or headless `switch`): by behavior to the other side of its pair, or for a
/// routed route all of its share one way, through the router's store.
pub fn switch(state: &State, path: &str) -> Result<ConfirmSwitch, Refusal> {
    let row = state.route(path).ok_or_else(|| Refusal::NotSwitchable {
        path: path.to_string(),
        why: format!("route {path} is not in the distribution"),
    })?;
    if let Some(current) = row.router_share() {
        return share::all_or_nothing(state, path, current);
    }
    let (from, _) =
        row.switchable().map_err(|why| Refusal::NotSwitchable { path: path.to_string(), why: why.to_string() })?;
    // Back home by behavior: whatever the router would send to Lambda from there goes to 0 in the
    // same confirmation, or "on the origin" would not be true.
    let zero: Vec<ShareChange> = row.zero_change().filter(|_| from == Target::Lambda).into_iter().collect();
    let mut confirm = dialog(state, MoveSource::Manual, vec![path.to_string()], from)?;
    with_shares_to_zero(state, &mut confirm, zero);
    Ok(confirm)
}

/// `R`: every switchable Lambda route of the distribution back to its home, in one update, and in
/// the same confirmation every routed share back to 0 through the router's store (seconds; as few
/// `UpdateKeys` calls as the 50-key limit allows). Routes on Lambda that cannot be switched are
/// named in the dialog and left where they are.
pub fn rollback_all(state: &State) -> Result<ConfirmSwitch, Refusal> {
    let paths: Vec<String> = (state.routes.iter())
        .filter(|r| r.switchable().is_ok_and(|(target, _)| target == Target::Lambda))
        .map(|r| r.path.clone())
        .collect();
    // Every record that may send a viewer to Lambda, or would once its missing piece is back, and
    // every record nobody can read: all to share 0, the safe direction.
    let shares: Vec<ShareChange> = state.routes.iter().filter_map(|r| r.zero_change()).collect();
    if paths.is_empty() && !shares.is_empty() {
        return share::dialog(state, MoveSource::RollbackAll, shares);
    }
    if paths.is_empty() {
        return Err(Refusal::NothingToRollBack { stuck: left_out(state) });
    }
    let mut confirm = dialog(state, MoveSource::RollbackAll, paths, Target::Lambda)?;
    with_shares_to_zero(state, &mut confirm, shares);
    Ok(confirm)
}

/// Put `shares` (each routed share back to 0 through the router's store) into the behavior
/// switch's confirmation, said in its notes.
fn with_shares_to_zero(state: &State, confirm: &mut ConfirmSwitch, shares: Vec<ShareChange>) {
    if shares.is_empty() {
        return;
    }
    let moves = shares.iter().map(describe_share).collect::<Vec<_>>().join(", ");
    confirm.notes.push(format!("and through the router's store, in seconds: {moves}"));
    for note in shares.iter().filter_map(|c| share::about_the_record(state, c)) {
        if !confirm.notes.contains(&note) {
            confirm.notes.push(note);
        }
    }
    confirm.shares = shares;
}

/// Routes a rollback leaves where they are, and why: on Lambda but not switchable (said as left on
/// Lambda: viewers still reach it there), or on an origin that is neither Lambda nor legacy.
fn left_out(state: &State) -> Vec<String> {
    (state.routes.iter())
        .filter(|r| r.target != Some(Target::Origin))
        .filter_map(|r| {
            let why = r.switchable().err()?;
            Some(match r.target {
                Some(Target::Lambda) => format!("{} stays on {} ({}): {why}", r.path, Target::Lambda, r.origin_id),
                _ => format!("{} not switchable: {why}", r.path),
            })
        })
        .collect()
}

/// `u` after a behavior or share move: the newest move AWS took, reversed, for the routes it moved
/// that are still where it put them (behaviors) or at the share it gave them (shares). A stage
/// move is the stage planner's (`super::stage::undo`).
pub fn undo(state: &State) -> Result<ConfirmSwitch, Refusal> {
    let (last, target) =
        (state.moves.newest_undoable()).and_then(|m| Some((m, m.to()?))).ok_or(Refusal::NothingToUndo)?;
    // A share move is undone by the share each route had before it, where it still has the one
    // the move gave it.
    if last.by_router() {
        let back: Vec<ShareChange> = (last.shares().iter())
            .filter(|c| state.route(&c.path).and_then(|r| r.router_share()) == Some(c.to))
            .map(|c| ShareChange::new(&c.path, c.to, c.from))
            .collect();
        if back.is_empty() {
            return Err(Refusal::MovedSince(Since::Shares));
        }
        return share::dialog(state, MoveSource::Undo, back);
    }
    let paths: Vec<String> = (last.paths.iter())
        .filter(|p| state.route(p).is_some_and(|r| r.switchable().is_ok_and(|(t, _)| t == target)))
        .cloned()
        .collect();
    if paths.is_empty() {
        return Err(Refusal::MovedSince(Since::Routes));
    }
    dialog(state, MoveSource::Undo, paths, target)
}

/// Each route's move from `from`, as the rows are now: its origin, the one its pair names for the
/// other side, and the origin request policy swap the config asks for.
pub fn changes_for(state: &State, paths: &[String], from: Target) -> Vec<RouteChange> {
    let to = from.other();
    (paths.iter())
        .filter_map(|path| state.route(path))
        .filter_map(|row| {
            let (_, pair) = row.switchable().ok()?;
            let current = row.behavior.origin_request_policy_id.clone();
            let request_policy = (pair.request_policy(to))
                .filter(|wanted| current.as_deref() != Some(*wanted))
                .map(|wanted| (current, wanted.to_string()));
            Some(RouteChange {
                path: row.path.clone(),
                from_origin_id: row.origin_id.clone(),
                to_origin_id: pair.origin(to).to_string(),
                to,
                request_policy,
                override_reason: None,
            })
        })
        .collect()
}

/// The pre-flight of `changes` on the behaviors as last read: what blocks, and what to know.
fn preflight_of(state: &State, changes: &[RouteChange]) -> (Vec<String>, Vec<String>) {
    let empty = Default::default();
    let book = state.learned.topology.as_ref().map_or(&empty, |t| &t.policies);
    let (mut blocks, mut notes) = (Vec::new(), Vec::new());
    for change in changes {
        let Some(row) = state.route(&change.path) else { continue };
        let swap = change.request_policy.as_ref().map(|(_, to)| to.as_str());
        let findings = check(&change.path, &row.behavior, swap, change.to, book);
        blocks.extend(findings.blocks);
        notes.extend(findings.notes);
        if let Ok((_, pair)) = row.switchable()
            && row.origin_id != pair.origin(change.to.other())
        {
            notes.push(format!(
                "{} is on {}, not on its configured {} origin {} (changed by hand?); it moves to {} as configured",
                change.path,
                row.origin_id,
                change.to.other().word(),
                pair.origin(change.to.other()),
                change.to_origin_id
            ));
        }
    }
    (blocks, notes)
}

/// The confirm dialog for moving `paths` from `from` to the other target, unless the console is
/// read-only or an update of the distribution is still unanswered.
fn dialog(state: &State, kind: MoveSource, paths: Vec<String>, from: Target) -> Result<ConfirmSwitch, Refusal> {
    let label = paths.join(", ");
    if let Some(why) = &state.read_only {
        return Err(Refusal::ReadOnly { why: why.clone(), untouched: Untouched::Switched(label) });
    }
    let distribution_id = state.distribution_id.clone();
    if state.update_in_flight(&distribution_id) {
        return Err(Refusal::InFlight(InFlight::Update { distribution_id, paths: label }));
    }
    let to = from.other();
    let mut health = match kind {
        MoveSource::Manual | MoveSource::Undo if paths.len() == 1 => target_health(state, &paths[0], to),
        _ => target_health_across(state, to),
    };
    if health.is_empty() {
        health.push(format!("no {to} numbers in the last hour"));
    }
    let mut warning = None;
    if to == Target::Lambda
        && let Some((estimate, low)) = preflight(state, &paths, 1.0)
    {
        health.push(estimate);
        warning = low;
    }
    let changes = changes_for(state, &paths, from);
    let (blocks, mut notes) = preflight_of(state, &changes);
    if kind == MoveSource::RollbackAll {
        notes.extend(left_out(state).into_iter().map(|line| format!("left as it is: {line}")));
    }
    // A breaching route moved off Lambda by behavior waits on CloudFront: say what acts sooner.
    let mut faster: Vec<String> = Vec::new();
    if to == Target::Origin {
        let sooner = paths.iter().flat_map(|p| remedies::for_breach(state, p)).filter(|r| r.speed == Speed::Seconds);
        for remedy in sooner.map(|r| r.describe()) {
            // The stage rollback reaches every route behind the stage: named once.
            if !faster.contains(&remedy) {
                faster.push(remedy);
            }
        }
    }
    let others = super::others::moving(state, kind, &paths);
    Ok(ConfirmSwitch {
        kind,
        distribution_id,
        paths,
        changes,
        plan: None,
        shares: Vec::new(),
        from,
        to,
        health,
        warning,
        blocks,
        notes,
        faster,
        others,
    })
}
