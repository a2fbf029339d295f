//! Planning share moves of routed routes (`+`/`-`, `s` on a routed route, headless `weight`) and
//! the rollout plans that step through them (`P`, headless `rollout`): which share, the dialog that
//! asks, or why not. Pure: it reads the state and changes nothing.

use super::dialog::ConfirmSwitch;
use super::health::{preflight, target_health};
use super::refusal::{InFlight, Refusal, Untouched};
use crate::app::model::moves::MoveSource;
use crate::app::model::routing::{RECORD_UNREADABLE, Record};
use crate::app::model::state::{Mode, State};
use crate::backend::share::{Seen, ShareChange};
use crate::domain::Target;
use crate::domain::plan::RolloutPlan;
use crate::domain::preflight::check;

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

/// `+` / `-` on route `path`: the dialog for its next share that way. `-` on a record nobody can
/// read puts it to 0 (the safe direction); `+` on it is refused.
pub fn step(state: &State, path: &str, step: ShareStep) -> Result<ConfirmSwitch, Refusal> {
    let row = state.route(path).ok_or_else(|| not_routed(path, format!("route {path} is not in the distribution")))?;
    if step == ShareStep::Down
        && let Some(zero) = row.zero_change().filter(|c| c.seen != Seen::Record)
    {
        return dialog(state, MoveSource::Manual, vec![zero]);
    }
    let current = routed_share(state, path).map_err(|why| not_routed(path, why))?;
    let to = next_share(current, step).ok_or(Refusal::ShareAtEnd {
        path: path.to_string(),
        current,
        up: step == ShareStep::Up,
    })?;
    let change = change_to(state, path, to).map_err(|why| not_routed(path, why))?;
    dialog(state, MoveSource::Manual, vec![change])
}

/// `s` on a routed route: all of it to Lambda through the store, or all of it back when any goes there.
pub fn all_or_nothing(state: &State, path: &str, current: u8) -> Result<ConfirmSwitch, Refusal> {
    let to = if current == 0 { 100 } else { 0 };
    dialog(state, MoveSource::Manual, vec![ShareChange::new(path, current, to)])
}

/// Headless `cutover weight ROUTE PERCENT`: the dialog for that share, as the keys would open it.
pub fn share_to(state: &State, path: &str, to: u8) -> Result<ConfirmSwitch, Refusal> {
    if to > 100 {
        return Err(Refusal::NotAShare { path: path.to_string(), to });
    }
    match change_to(state, path, to) {
        Ok(change) if change.seen == Seen::Record && change.from == to => {
            Err(Refusal::ShareAlready { path: path.to_string(), share: to })
        }
        Ok(change) => dialog(state, MoveSource::Manual, vec![change]),
        Err(why) => Err(not_routed(path, why)),
    }
}

/// `P` or headless `rollout`: the dialog starting `plan` on `path` at the first step above its share.
pub fn rollout(state: &State, path: &str, plan: RolloutPlan) -> Result<ConfirmSwitch, Refusal> {
    let current = routed_share(state, path).map_err(|why| not_routed(path, why))?;
    if let Some(run) = state.plan_on(path) {
        let (plan, progress) = (run.plan.name.clone(), run.progress());
        return Err(Refusal::PlanUnderWay { path: path.to_string(), plan, progress });
    }
    let Some(step) = plan.first_step_above(current) else {
        return Err(Refusal::PlanHasNoStep { path: path.to_string(), plan: plan.name.clone(), current });
    };
    let to = plan.steps[step].share;
    let mut confirm = dialog(state, MoveSource::Manual, vec![ShareChange::new(path, current, to)])?;
    confirm.notes.insert(
        0,
        format!(
            "rollout plan {}: {}; each step waits its hold with Lambda's guards quiet, a breach puts λ back to 0 %",
            plan.name,
            plan.steps_text()
        ),
    );
    confirm.plan = Some(Box::new((plan, step)));
    Ok(confirm)
}

fn not_routed(path: &str, why: String) -> Refusal {
    Refusal::NotRouted { path: path.to_string(), why }
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
    // In the demo the router stays as the world has it while the console runs (a `router install
    // --demo` beside it would be overwritten when the console keeps its world): the answer names
    // what moves the route here.
    let demo = matches!(state.policy.mode, Mode::Demo { .. });
    let install = format!("`cutover router install --distribution {} --route {path}`", state.distribution_id);
    if !state.policy.router {
        return Err(if demo {
            format!(
                "{path} is not routed: this demo runs without the router; s or `cutover switch` moves it by behavior"
            )
        } else {
            format!(
                "the distribution has no router: {install} lets a share of it move in seconds; s switches it by behavior"
            )
        });
    }
    if let Some(why) =
        state.router_unknown().filter(|_| row.router_entry.is_none() || state.learned.router_store_error.is_some())
    {
        return Err(why);
    }
    let missing = row.router_missing();
    if missing.is_empty() {
        return Err(if demo {
            let routed: Vec<&str> =
                (state.routes.iter()).filter(|r| r.router_share().is_some()).map(|r| r.path.as_str()).collect();
            let routed = if routed.is_empty() { "none".to_string() } else { routed.join(", ") };
            format!("{path} is not routed (the demo routes {routed}): s or `cutover switch` moves it by behavior")
        } else {
            format!("{path} is not routed: {install} adds it; s switches it by behavior")
        });
    }
    let fix = match (missing.contains(&RECORD_UNREADABLE) && missing.len() == 1, demo) {
        (true, true) => "- overwrites the record with share 0".to_string(),
        (true, false) => {
            format!("`cutover weight {path} 0` overwrites the record with share 0, then {install} mends it")
        }
        (false, true) => "s or `cutover switch` moves it by behavior".to_string(),
        (false, false) => format!("{install} mends it; s switches it by behavior"),
    };
    Err(format!("{path} is not routed ({}): {fix}", missing.join(", ")))
}

/// The confirm dialog for share moves alone: the side gaining viewers and its health, the
/// pre-flight on the share being added, and what the operator should know of the router.
pub fn dialog(state: &State, kind: MoveSource, shares: Vec<ShareChange>) -> Result<ConfirmSwitch, Refusal> {
    let label = shares.iter().map(|c| c.path.as_str()).collect::<Vec<_>>().join(", ");
    if let Some(why) = &state.read_only {
        return Err(Refusal::ReadOnly { why: why.clone(), untouched: Untouched::Moved(label) });
    }
    if state.shares_in_flight() {
        return Err(Refusal::InFlight(InFlight::Shares { paths: label }));
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
    let others = super::others::moving(state, kind, &paths);
    Ok(ConfirmSwitch {
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
        faster: Vec::new(),
        others,
    })
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
