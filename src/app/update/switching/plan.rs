//! Rollout plans on routed routes: `P` starts the route's plan (confirmed once, for all its steps),
//! each step's share goes to the store, and the next step comes only after the step's hold with the
//! route's guards quiet on the Lambda side; a breach puts the share back to 0 in seconds and ends
//! the plan. `Z` pauses and resumes, `X` aborts. Every move of a plan is in the audit trail, from
//! which a restarted console picks the plan up where the store says it is.

use std::time::Duration;

use jiff::Timestamp;

use super::super::audit;
use super::refuse;
use super::share;
use crate::app::action::Effect;
use crate::app::intent::Refusal;
use crate::app::model::plan_run::{PlanPhase, PlanRun, began_before};
use crate::app::model::state::{MoveSource, State};
use crate::backend::share::ShareChange;
use crate::domain::format::duration_short;
use crate::domain::metrics::{BackendMinute, MinutePoint};
use crate::domain::plan::RolloutPlan;
use crate::domain::{Breach, Level};

/// The dialog's first step was sent as switch attempt `attempt`: the plan is under way.
pub fn started(state: &mut State, plan: RolloutPlan, step: usize, attempt: u64) -> Vec<Effect> {
    let Some(route) = state.moves.by_id(attempt).map(|a| a.paths[0].clone()) else { return Vec::new() };
    let run = PlanRun { route, plan, step, phase: PlanPhase::Moving { attempt }, waiting_said: false };
    let message = format!("rollout plan {} started: {}", run.plan.name, run.plan.steps_text());
    state.log(Level::Info, Some(&run.route), &message);
    let record = record(state, &run, "started", None, message, Some(attempt));
    state.plans.push(run);
    vec![record]
}

/// The store took switch attempt `id`: a plan waiting for it holds its step, or is done.
pub fn step_taken(state: &mut State, id: u64) -> Vec<Effect> {
    let now = state.now;
    let Some(run) = state.plans.iter_mut().find(|r| r.phase == PlanPhase::Moving { attempt: id }) else {
        return Vec::new();
    };
    let (state_word, message) = if run.is_last_step() {
        run.phase = PlanPhase::Done;
        ("done", format!("rollout plan {} done: λ {} %", run.plan.name, run.share()))
    } else {
        run.phase = PlanPhase::Holding { since: now };
        run.waiting_said = false;
        let hold = duration_short(i64::try_from(run.hold().as_secs()).unwrap_or(i64::MAX));
        let message = format!(
            "rollout plan {} step {}: λ {} %, held {hold} while Lambda's guards stay quiet",
            run.plan.name,
            run.progress(),
            run.share()
        );
        ("step", message)
    };
    let run = run.clone();
    state.log(Level::Info, Some(&run.route), &message);
    vec![record(state, &run, state_word, None, message, Some(id))]
}

/// A step's write failed: the plan pauses where it was, for the operator to resume or abort.
pub fn step_failed(state: &mut State, id: u64, why: &str) -> Vec<Effect> {
    let Some(run) = state.plans.iter_mut().find(|r| r.phase == PlanPhase::Moving { attempt: id }) else {
        return Vec::new();
    };
    if run.step == 0 {
        // Nothing of the plan ever took: it ends here, the share as it was.
        run.phase = PlanPhase::Aborted { why: format!("its first step's write failed: {why}") };
        let run = run.clone();
        let message = format!("rollout plan {} did not start: its first step's write failed", run.plan.name);
        state.log(Level::Warn, Some(&run.route), &message);
        return vec![record(state, &run, "aborted", None, message, Some(id))];
    }
    // The step never took: the plan pauses on the step before, its hold over, so that a resume
    // sends this step again.
    run.step -= 1;
    run.phase = PlanPhase::Paused { held: run.hold(), why: format!("a step's write failed: {why}") };
    let run = run.clone();
    let message = format!("rollout plan {} paused: a step's write failed; Z resumes, X aborts", run.plan.name);
    state.log(Level::Warn, Some(&run.route), &message);
    vec![record(state, &run, "paused", Some(run.hold()), message, Some(id))]
}

/// New numbers: a breach on the Lambda side ends a plan and puts its share back to 0; a hold that
/// is over with quiet guards moves the plan to its next step.
pub fn follow(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    let holding: Vec<(String, Timestamp)> = (state.plans.iter())
        .filter_map(|r| match r.phase {
            PlanPhase::Holding { since } => Some((r.route.clone(), since)),
            _ => None,
        })
        .collect();
    for (route, since) in holding {
        match lambda_side(state, &route, since) {
            Watch::Breached(breaches) => {
                let why = format!("Lambda's guard was breached ({breaches})");
                effects.extend(abort(state, &route, &why, MoveSource::Automatic))
            }
            Watch::Quiet if hold_over(state, &route, since) => effects.extend(next_step(state, &route)),
            Watch::NoNumbers if hold_over(state, &route, since) => {
                let Some(run) = state.plans.iter_mut().find(|r| r.route == route && r.is_active()) else { continue };
                if !std::mem::replace(&mut run.waiting_said, true) {
                    let message = format!(
                        "rollout plan {}: the hold is over, but no Lambda numbers since the step say its guards were quiet; waiting for them",
                        run.plan.name
                    );
                    state.log(Level::Warn, Some(&route), message);
                }
            }
            _ => {}
        }
    }
    effects
}

/// What the route's Lambda side did since a step's share was taken.
enum Watch {
    /// A threshold crossed for the configured periods, in minutes since.
    Breached(String),
    /// A threshold crossed in a minute since, not yet for long enough to be a breach: not quiet,
    /// so the plan waits where it is.
    Crossing,
    /// Minutes with Lambda requests since, none crossing a threshold.
    Quiet,
    /// No minute since with Lambda requests: nothing says the guards were quiet.
    NoNumbers,
}

fn lambda_side(state: &State, route: &str, since: Timestamp) -> Watch {
    let Some(metrics) = state.learned.metrics.as_ref() else { return Watch::NoNumbers };
    // The route as Lambda alone served it, minute by minute since the step was taken.
    let since_minute = since.as_second().div_euclid(60) * 60;
    let minutes: Vec<MinutePoint> = (metrics.series(route).iter().enumerate())
        .filter(|(i, _)| metrics.minute_start(*i).as_second() >= since_minute)
        .map(|(_, p)| MinutePoint { lambda: p.lambda, origin: BackendMinute::default(), throttles: p.throttles })
        .collect();
    let thresholds = state.thresholds_for(route);
    let breaches: Vec<Breach> = thresholds.sustained_breaches(&minutes);
    if !breaches.is_empty() {
        let words: Vec<String> = breaches.iter().map(|b| b.describe(&state.policy.latency_statistic)).collect();
        return Watch::Breached(format!("{} for {} periods", words.join(", "), thresholds.periods.max(1)));
    }
    let with_requests: Vec<&MinutePoint> =
        minutes.iter().filter(|p| p.lambda.requests.get().is_some_and(|r| r > 0.0)).collect();
    if with_requests.is_empty() {
        return Watch::NoNumbers;
    }
    if with_requests.iter().any(|p| !thresholds.breaches(p).is_empty()) {
        return Watch::Crossing;
    }
    Watch::Quiet
}

/// Whether the step's hold, begun at `since`, is over: never when its end cannot be represented.
fn hold_over(state: &State, route: &str, since: Timestamp) -> bool {
    let Some(run) = state.plan_on(route) else { return false };
    run.hold_ends(since).is_some_and(|end| state.now >= end)
}

/// The next step's share to the store; the plan moves with it.
fn next_step(state: &mut State, route: &str) -> Vec<Effect> {
    let Some(run) = state.plans.iter().rev().find(|r| r.route == route && r.is_active()).cloned() else {
        return Vec::new();
    };
    let (from, to) = (run.share(), run.plan.steps[run.step + 1].share);
    let reason = format!("rollout plan {} step {}/{}", run.plan.name, run.step + 2, run.plan.steps.len());
    let change = ShareChange::new(route, from, to);
    let effects = share::request(state, MoveSource::Plan, &[change], Some(&reason), None);
    let Some(attempt) = state.moves.last().filter(|a| a.paths == [route]).map(|a| a.id) else {
        return effects;
    };
    if let Some(run) = state.plans.iter_mut().rev().find(|r| r.route == route && r.is_active()) {
        run.step += 1;
        run.phase = PlanPhase::Moving { attempt };
    }
    effects
}

/// End the plan on `route` and put its share back to 0: a share move of `by` (a guard's
/// `Automatic`, or the operator's `Manual` for `X`), recorded as that kind's, with the plan's
/// `aborted` record carrying the move's attempt.
fn abort(state: &mut State, route: &str, why: &str, by: MoveSource) -> Vec<Effect> {
    let Some(index) = state.plans.iter().rposition(|r| r.route == route && r.is_active()) else { return Vec::new() };
    state.plans[index].phase = PlanPhase::Aborted { why: why.to_string() };
    let run = state.plans[index].clone();
    let message = format!("rollout plan {} aborted at step {}: {why}; λ back to 0 %", run.plan.name, run.progress());
    state.log(Level::Warn, Some(route), &message);
    let mut moves = Vec::new();
    let mut attempt = None;
    let current = state.route(route).and_then(|r| r.share).unwrap_or(0);
    if current > 0 {
        let change = ShareChange::new(route, current, 0);
        let reason = match by {
            MoveSource::Automatic => format!("rollout plan {} was aborted: {why}", run.plan.name),
            _ => format!("rollout plan {} {why}: λ back to 0 %", run.plan.name),
        };
        let before = state.moves.iter().map(|a| a.id).max();
        moves = share::request(state, by, &[change], Some(&reason), None);
        attempt = state.moves.last().map(|a| a.id).filter(|id| Some(*id) > before);
    }
    let mut effects = vec![record(state, &run, "aborted", None, message, attempt)];
    effects.extend(moves);
    effects.push(Effect::Bell);
    effects
}

/// `X`: abort the selected route's plan, its share back to 0: the operator's own share move.
pub fn abort_selected(state: &mut State) -> Vec<Effect> {
    let Some(path) = state.selected_route().map(|r| r.path.clone()) else { return Vec::new() };
    if state.plan_on(&path).is_none() {
        refuse(state, Refusal::NoPlan { path });
        return Vec::new();
    }
    let why = format!("aborted by {}", state.policy.operator);
    abort(state, &path, &why, MoveSource::Manual)
}

/// `Z`: pause the selected route's plan where it is, or resume it.
pub fn toggle_pause(state: &mut State) -> Vec<Effect> {
    let Some(path) = state.selected_route().map(|r| r.path.clone()) else { return Vec::new() };
    let now = state.now;
    let operator = state.policy.operator.clone();
    if let Some(effects) = resend_on_resume(state, &path) {
        return effects;
    }
    let Some(run) = state.plans.iter_mut().rev().find(|r| r.route == path && r.is_active()) else {
        refuse(state, Refusal::NoPlan { path });
        return Vec::new();
    };
    let (word, held, message) = match &run.phase {
        PlanPhase::Holding { since } => {
            let held = now.duration_since(*since).unsigned_abs();
            run.phase = PlanPhase::Paused { held, why: format!("paused by {operator}") };
            (
                "paused",
                Some(held),
                format!("rollout plan {} paused at step {} by {operator}; Z resumes", run.plan.name, run.progress()),
            )
        }
        PlanPhase::Paused { held, .. } => {
            let held = *held;
            // A hold held longer than the clock can go back restarts it: later, never sooner.
            run.phase = PlanPhase::Holding { since: began_before(now, held).unwrap_or(now) };
            run.waiting_said = false;
            (
                "resumed",
                None,
                format!("rollout plan {} resumed at step {} by {operator}", run.plan.name, run.progress()),
            )
        }
        PlanPhase::Moving { .. } | PlanPhase::Restored { .. } => {
            refuse(state, Refusal::PlanStepOnItsWay { path });
            return Vec::new();
        }
        PlanPhase::Done | PlanPhase::Aborted { .. } => return Vec::new(),
    };
    let run = run.clone();
    state.log(Level::Info, Some(&path), &message);
    vec![record(state, &run, word, held, message, None)]
}

/// Resuming a paused plan whose route no longer has the step's share (a step that never took, a
/// share moved by hand): the step's share goes to the store again, and the plan holds once taken.
fn resend_on_resume(state: &mut State, path: &str) -> Option<Vec<Effect>> {
    let run = state.plans.iter().rev().find(|r| r.route == path && r.is_active())?.clone();
    let PlanPhase::Paused { .. } = run.phase else { return None };
    let current = state.route(path).and_then(|r| r.router_share())?;
    if current == run.share() {
        return None;
    }
    let reason =
        format!("rollout plan {} step {} (resumed by {})", run.plan.name, run.progress(), state.policy.operator);
    let change = ShareChange::new(path, current, run.share());
    let mut effects = share::request(state, MoveSource::Plan, &[change], Some(&reason), None);
    let attempt = state.moves.last().filter(|a| a.paths == [path]).map(|a| a.id)?;
    if let Some(run) = state.plans.iter_mut().rev().find(|r| r.route == path && r.is_active()) {
        run.phase = PlanPhase::Moving { attempt };
    }
    let message = format!(
        "rollout plan {} resumed at step {}: λ {current} % → {} % first",
        run.plan.name,
        run.progress(),
        run.share()
    );
    state.log(Level::Info, Some(path), &message);
    effects.push(record(state, &run, "resumed", None, message, Some(attempt)));
    Some(effects)
}

/// The store as read: a plan resumed from the trail holds its step again if the route still has
/// the step's share, and pauses, saying why, if it has another.
pub fn check_restored(state: &mut State) {
    let mut notes = Vec::new();
    for run in state.plans.iter_mut() {
        let PlanPhase::Restored { since } = run.phase else { continue };
        let share = state.routes.iter().find(|r| r.path == run.route).and_then(|r| r.router_share());
        if share == Some(run.share()) {
            run.phase = PlanPhase::Holding { since };
            notes.push((
                Level::Info,
                run.route.clone(),
                format!(
                    "rollout plan {} resumed from the audit trail at step {} (λ {} %)",
                    run.plan.name,
                    run.progress(),
                    run.share()
                ),
            ));
        } else {
            let found = share.map_or_else(|| "no share".to_string(), |s| format!("λ {s} %"));
            let why = format!("the store has {found}, the plan's step {} is λ {} %", run.progress(), run.share());
            notes.push((
                Level::Warn,
                run.route.clone(),
                format!("rollout plan {} paused: {why}; Z resumes from the step, X aborts", run.plan.name),
            ));
            run.phase = PlanPhase::Paused { held: Duration::ZERO, why };
        }
    }
    for (level, route, message) in notes {
        state.log(level, Some(&route), message);
    }
}

/// The trail's `plan_step` record of `run` in `state_word`, with the attempt of the share move it
/// is about: `attempt`, else the step's own (the last share move of the route in this console).
fn record(
    state: &State,
    run: &PlanRun,
    state_word: &str,
    held: Option<Duration>,
    message: String,
    attempt: Option<u64>,
) -> Effect {
    let attempt = attempt.or_else(|| {
        (state.moves.iter().rev()).find(|a| a.by_router() && a.paths == [run.route.as_str()]).map(|a| a.id)
    });
    audit::plan_step(state, run, state_word, held, message, attempt)
}
