//! Opening the confirm dialog: `s`, `R` and `u` each pick the routes that can move, work out each
//! route's move from its pair of origins, and run the pre-flight on the behaviors as last read.

use super::health::{preflight, target_health, target_health_across};
use super::refuse;
use crate::app::action::Effect;
use crate::app::state::{ConfirmSwitch, MoveSource, Overlay, State, describe_share};
use crate::backend::share::ShareChange;
use crate::domain::preflight::check;
use crate::domain::{Level, RouteChange, Target};

pub fn open_confirm(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.selected_route() else {
        return Vec::new();
    };
    let path = row.path.clone();
    if let Some(share) = row.router_share() {
        return super::share::open_all_or_nothing(state, &path, share);
    }
    match row.switchable() {
        Ok((from, _)) => {
            // Back home by behavior: whatever the router would send to Lambda from there goes to 0
            // in the same confirmation, or "on the origin" would not be true.
            let zero: Vec<ShareChange> = row.zero_change().filter(|_| from == Target::Lambda).into_iter().collect();
            let effects = open(state, MoveSource::Manual, vec![path], from);
            with_shares_to_zero(state, zero);
            effects
        }
        Err(why) => {
            refuse(state, Level::Warn, Some(&path), format!("not switchable: {why}; nothing was switched"));
            Vec::new()
        }
    }
}

/// Headless `switch ROUTE`: select `path` with no filter hiding it, as a user would, and press `s`.
pub fn open_for(state: &mut State, path: &str) -> Vec<Effect> {
    state.view.filter.clear();
    state.view.selected = Some(path.to_string());
    open_confirm(state)
}

/// `R`: every switchable Lambda route of the distribution back to its home, in one update, and in
/// the same confirmation every routed share back to 0 through the router's store (seconds; as few
/// `UpdateKeys` calls as the 50-key limit allows). Routes on Lambda that cannot be switched are
/// named in the dialog and left where they are.
pub fn open_rollback_all(state: &mut State) -> Vec<Effect> {
    let paths: Vec<String> = state
        .routes
        .iter()
        .filter(|r| r.switchable().is_ok_and(|(target, _)| target == Target::Lambda))
        .map(|r| r.path.clone())
        .collect();
    // Every record that may send a viewer to Lambda, or would once its missing piece is back, and
    // every record nobody can read: all to share 0, the safe direction.
    let shares: Vec<ShareChange> = state.routes.iter().filter_map(|r| r.zero_change()).collect();
    if paths.is_empty() && !shares.is_empty() {
        return super::share::open(state, MoveSource::RollbackAll, shares);
    }
    if paths.is_empty() {
        let stuck = left_out(state);
        let message = if stuck.is_empty() {
            "no route is on Lambda; nothing to roll back".to_string()
        } else {
            format!("no switchable route is on Lambda; nothing to roll back ({})", stuck.join("; "))
        };
        refuse(state, Level::Info, None, message);
        return Vec::new();
    }
    let effects = open(state, MoveSource::RollbackAll, paths, Target::Lambda);
    with_shares_to_zero(state, shares);
    effects
}

/// Put `shares` (each routed share back to 0 through the router's store) into the behavior
/// switch's open confirmation, said in its notes.
fn with_shares_to_zero(state: &mut State, shares: Vec<ShareChange>) {
    if let Overlay::Confirm(confirm) = &mut state.view.overlay
        && !shares.is_empty()
    {
        let moves = shares.iter().map(describe_share).collect::<Vec<_>>().join(", ");
        confirm.notes.push(format!("and through the router's store, in seconds: {moves}"));
        confirm.shares = shares;
    }
    let about: Vec<String> = match &state.view.overlay {
        Overlay::Confirm(confirm) => {
            confirm.shares.iter().filter_map(|c| super::share::about_the_record(state, c)).collect()
        }
        _ => Vec::new(),
    };
    if let Overlay::Confirm(confirm) = &mut state.view.overlay {
        for note in about {
            if !confirm.notes.contains(&note) {
                confirm.notes.push(note);
            }
        }
    }
}

/// Routes a rollback leaves where they are, and why: on Lambda but not switchable (said as left on
/// Lambda: viewers still reach it there), or on an origin that is neither Lambda nor legacy.
fn left_out(state: &State) -> Vec<String> {
    state
        .routes
        .iter()
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

/// `u`: the newest move this session made, reversed, for the routes it moved that are still where
/// it put them (behaviors) or at the share it gave them (shares).
pub fn open_undo(state: &mut State) -> Vec<Effect> {
    // A stage move, when it is the newest, is the stage rollback's to undo (`update::stage`).
    let Some((last, target)) = state.moves.newest_undoable().and_then(|m| Some((m, m.to()?))) else {
        refuse(state, Level::Info, None, "no move in this session to undo".to_string());
        return Vec::new();
    };
    // A share move is undone by the share each route had before it, where it still has the one
    // the move gave it.
    if last.by_router() {
        let back: Vec<ShareChange> = (last.shares().iter())
            .filter(|c| state.route(&c.path).and_then(|r| r.router_share()) == Some(c.to))
            .map(|c| ShareChange::new(&c.path, c.to, c.from))
            .collect();
        if back.is_empty() {
            let message = "the shares of the last move have moved since; nothing to undo".to_string();
            refuse(state, Level::Info, None, message);
            return Vec::new();
        }
        return super::share::open(state, MoveSource::Undo, back);
    }
    let to_undo = last.paths.clone();
    let paths: Vec<String> = to_undo
        .into_iter()
        .filter(|p| state.route(p).is_some_and(|r| r.switchable().is_ok_and(|(t, _)| t == target)))
        .collect();
    if paths.is_empty() {
        let message = "the routes of the last switch have moved since; nothing to undo".to_string();
        refuse(state, Level::Info, None, message);
        return Vec::new();
    }
    open(state, MoveSource::Undo, paths, target)
}

/// Each route's move from `from`, as the rows are now: its origin, the one its pair names for the
/// other side, and the origin request policy swap the config asks for.
pub(super) fn changes_for(state: &State, paths: &[String], from: Target) -> Vec<RouteChange> {
    let to = from.other();
    paths
        .iter()
        .filter_map(|path| state.route(path))
        .filter_map(|row| {
            let (_, pair) = row.switchable().ok()?;
            let current = row.behavior.origin_request_policy_id.clone();
            let request_policy = pair
                .request_policy(to)
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

/// Open the confirm dialog for moving `paths` from `from` to the other target, unless the console is
/// read-only or an update of the distribution is still unanswered.
pub(super) fn open(state: &mut State, kind: MoveSource, paths: Vec<String>, from: Target) -> Vec<Effect> {
    let label = paths.join(", ");
    if let Some(reason) = &state.read_only {
        let message = format!("the console is read-only ({reason}); {label} was not switched");
        refuse(state, Level::Warn, Some(&label), message);
        return Vec::new();
    }
    let distribution_id = state.distribution_id.clone();
    if state.update_in_flight(&distribution_id) {
        let message = format!(
            "an update of {distribution_id} is already on its way to CloudFront; switch {label} when it is accepted"
        );
        state.banner = Some(message.clone());
        refuse(state, Level::Warn, Some(&label), message);
        return Vec::new();
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
    state.refused = None;
    state.view.overlay = Overlay::Confirm(ConfirmSwitch {
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
    });
    Vec::new()
}
