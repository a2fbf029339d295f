//! `cutover switch` and `cutover rollback-all`: the console's own confirm dialog, request, ETag
//! checks, deploy tracking and audit records, driven from the command line instead of keys.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use super::drive::{EventPrinter, Waited, run_until};
use super::{ApplyArgs, HeadlessError};
use crate::app::action::{Action, Event};
use crate::app::command::Command;
use crate::app::console::Console;
use crate::app::event_loop;
use crate::app::intent::dialog::Part;
use crate::app::intent::{self, Dialog, Request};
use crate::app::model::plan_run::PlanPhase;
use crate::app::model::state::{ConfirmSwitch, MovePhase, RouteRow, State};
use crate::app::runtime::Runtime;
use crate::app::signals::StopSignals;
use crate::backend::Backend;
use crate::domain::Target;
use crate::domain::format::duration_short;
use crate::domain::plan::RolloutPlan;

/// How long, in the session's time, CloudFront may take to accept or refuse an update: three ETag
/// rounds of two calls, each bounded by the client's 40 s operation timeout.
const ACCEPT_LIMIT: Duration = Duration::from_secs(300);

/// Asks the operator whether to go ahead; the live commands ask on the terminal.
pub trait Confirmer {
    fn confirm(&mut self, question: &str) -> Result<bool, HeadlessError>;
}

/// One distribution's change, as its confirm dialog describes it: what a headless command proposes before it asks.
pub struct Proposal {
    pub distribution_id: String,
    pub confirm: ConfirmSwitch,
}

/// What `switch` found to do.
// One is made per command and moved once: boxing the dialog would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum SwitchPlan {
    /// The route already targets what was asked for: nothing to do.
    AlreadyThere(String),
    Change(Proposal),
}

/// Find `route` among the distributions and open the console's confirm dialog for moving it to `to`.
pub fn plan_switch<B: Backend>(runtime: &mut Runtime<B>, route: &str, to: Target) -> Result<SwitchPlan, HeadlessError> {
    let state = holding(runtime, route)?;
    let distribution_id = state.distribution_id.clone();
    let row = state.route(route).expect("found above");
    if let Err(why) = row.switchable() {
        return Err(HeadlessError::Refused(format!("{route} on {distribution_id} is not switchable: {why}")));
    }
    // A routed route moves through the router's store, all or nothing, as `s` does in the console.
    if row.router_share().is_some() {
        return plan_weight(runtime, route, if to == Target::Lambda { 100 } else { 0 });
    }
    if row.target == Some(to) {
        return Ok(SwitchPlan::AlreadyThere(format!(
            "{route} on {distribution_id} already targets {to}; nothing to do"
        )));
    }
    let confirm = planned(state, Request::Switch { path: route.to_string() })?;
    Ok(SwitchPlan::Change(Proposal { distribution_id, confirm }))
}

/// `weight ROUTE PERCENT`: find the route and open the console's share dialog for it.
pub fn plan_weight<B: Backend>(runtime: &mut Runtime<B>, route: &str, to: u8) -> Result<SwitchPlan, HeadlessError> {
    let state = holding(runtime, route)?;
    let distribution_id = state.distribution_id.clone();
    let row = state.route(route).expect("found above");
    if row.router_share() == Some(to) {
        return Ok(SwitchPlan::AlreadyThere(format!(
            "{route} on {distribution_id} already sends {to} % of its viewers to Lambda; nothing to do"
        )));
    }
    let confirm = planned(state, Request::Share { path: route.to_string(), to })?;
    Ok(SwitchPlan::Change(Proposal { distribution_id, confirm }))
}

/// `rollout ROUTE`: find the route and open the console's dialog starting `plan` on it (the
/// route's own plan when `None`).
pub fn plan_rollout<B: Backend>(
    runtime: &mut Runtime<B>,
    route: &str,
    plan: Option<RolloutPlan>,
) -> Result<Proposal, HeadlessError> {
    let state = holding(runtime, route)?;
    let distribution_id = state.distribution_id.clone();
    let plan = plan.unwrap_or_else(|| state.plan_for(route).clone());
    let confirm = planned(state, Request::Rollout { path: route.to_string(), plan })?;
    Ok(Proposal { distribution_id, confirm })
}

/// `rollout --wait`: run the console's loop until the plan on `route` is done or aborted, printing
/// the event log; the plan's last word, or why it did not finish.
pub async fn follow_plan<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    route: &str,
    distribution_id: &str,
    timeout: Duration,
    printer: &mut EventPrinter<W>,
) -> Result<String, HeadlessError> {
    let signals = StopSignals::install()
        .map_err(|e| HeadlessError::Failed(format!("cannot listen for Ctrl-C, SIGTERM and SIGHUP: {e}")))?;
    let mut signals = event_loop::signals(signals);
    let last = |c: &Console| {
        c.distribution(distribution_id).and_then(|s| s.plans.iter().rev().find(|r| r.route == route).cloned())
    };
    let ended = |c: &Console| last(c).is_none_or(|r| !r.is_active());
    if let Waited::Signal(signal) = run_until(runtime, printer, timeout, &mut signals, ended).await {
        // The plan stays in the trail: a console started later picks it up where the store says.
        stop_following(runtime, printer, &format!("cutover got {signal} while following a rollout plan"));
        return Err(HeadlessError::Interrupted(signal));
    }
    match last(&runtime.console).map(|r| r.phase) {
        Some(PlanPhase::Done) => Ok(format!("{route}: rollout plan done, λ 100 %")),
        Some(PlanPhase::Aborted { why }) => Err(HeadlessError::Failed(format!("{route}: rollout plan aborted: {why}"))),
        _ => Err(HeadlessError::Failed(format!(
            "{route}: the rollout plan is still under way after {}; a console started later picks it up from the audit trail",
            duration_short(timeout.as_secs() as i64)
        ))),
    }
}

/// The one distribution that has `route`, or why there is not exactly one.
pub(super) fn holding<'a, B: Backend>(runtime: &'a Runtime<B>, route: &str) -> Result<&'a State, HeadlessError> {
    let states = &runtime.console.distributions;
    let holding: Vec<&State> = states.iter().filter(|s| s.route(route).is_some()).collect();
    match holding.as_slice() {
        [only] => Ok(*only),
        [] => {
            let known: Vec<String> = states.iter().flat_map(|s| s.routes.iter().map(|r| r.path.clone())).collect();
            Err(HeadlessError::UnknownRoute {
                route: route.to_string(),
                distributions: ids(states.iter()),
                known: if known.is_empty() { "none".to_string() } else { known.join(", ") },
            })
        }
        several => {
            Err(HeadlessError::AmbiguousRoute { route: route.to_string(), distributions: ids(several.iter().copied()) })
        }
    }
}

/// Open the console's rollback-all dialog on every distribution; those with no route on Lambda
/// have nothing to do and are named in the returned notes.
pub fn plan_rollback_all<B: Backend>(runtime: &mut Runtime<B>) -> Result<(Vec<Proposal>, Vec<String>), HeadlessError> {
    let (mut plans, mut notes) = (Vec::new(), Vec::new());
    let ids: Vec<String> = runtime.console.distributions.iter().map(|s| s.distribution_id.clone()).collect();
    for distribution_id in ids {
        let state = runtime.console.distribution(&distribution_id).expect("listed above");
        let on_lambda =
            |r: &RouteRow| r.switchable().is_ok_and(|(t, _)| t == Target::Lambda) || r.zero_change().is_some();
        if !state.routes.iter().any(on_lambda) {
            let stuck = state.routes.iter().any(|r| r.is_on(Target::Lambda));
            let none = if stuck { "no route cutover can move is on Lambda" } else { "no route is on Lambda" };
            notes.push(format!("{distribution_id}: {none}; nothing to roll back"));
            continue;
        }
        let confirm = planned(state, Request::RollbackAll)?;
        plans.push(Proposal { distribution_id, confirm });
    }
    Ok((plans, notes))
}

/// Every route on Lambda that no rollback can move (a non-default `*` behavior, a repeated
/// pattern, a pair the config refuses), and why: `rollback-all` names them and does not exit 0.
pub fn left_on_lambda<B: Backend>(runtime: &Runtime<B>) -> Vec<String> {
    (runtime.console.distributions.iter())
        .flat_map(|state| {
            state.routes.iter().filter(|r| r.is_on(Target::Lambda)).filter_map(move |r| {
                let why = r.switchable().err()?;
                Some(format!(
                    "{}: {} stays on {} ({}): {why}",
                    state.distribution_id,
                    r.path,
                    Target::Lambda,
                    r.origin_id
                ))
            })
        })
        .collect()
}

/// Every distribution whose router's store could not be read while the router may send viewers to
/// Lambda: unknown is not healthy, so `switch` and `rollback-all` end on it with exit 1 even when
/// everything else went through.
pub fn router_unknown<B: Backend>(runtime: &Runtime<B>) -> Option<HeadlessError> {
    let troubles: Vec<String> = (runtime.console.distributions.iter())
        .filter_map(|s| s.router_unknown().map(|why| format!("{}: {why}", s.distribution_id)))
        .collect();
    (!troubles.is_empty()).then(|| HeadlessError::Failed(troubles.join("; ")))
}

/// The switch dialog the console's planner opens for `request`, or its refusal.
fn planned(state: &State, request: Request) -> Result<ConfirmSwitch, HeadlessError> {
    match intent::plan(state, request).map_err(HeadlessError::Refusal)? {
        Dialog::Switch(confirm) => Ok(confirm),
        other => unreachable!("a switch request plans a switch dialog, not {other:?}"),
    }
}

/// The confirm dialog as text: the distribution and the question, then every line the dialog
/// says (`ConfirmSwitch::lines`, the same the screen draws), each move and share one by one.
pub fn describe(plan: &Proposal) -> String {
    let c = &plan.confirm;
    let mut out = format!("{}: {}\n", plan.distribution_id, c.title());
    for line in c.lines(None) {
        let text = match line.part {
            // The first line already names the distribution.
            Part::On => continue,
            Part::HealthHeading => line.text,
            Part::Health => format!("  {}", line.text),
            Part::Warning => format!("! {}", line.text),
            Part::Others => format!("! someone else: {}", line.text),
            Part::Block => format!("✗ pre-flight: {}", line.text),
            Part::Note => format!("· {}", line.text),
            Part::Share => format!("{}{} (router's store)", line.part.label(1), line.text),
            _ => format!("{}{}", line.part.label(c.paths.len()), line.text),
        };
        let _ = writeln!(out, "  {text}");
    }
    out
}

// Long: confirm, send, follow and classify each plan's end, one distribution after another.
/// Confirm every plan (asking unless `--yes`), send each distribution its one update, and follow
/// each to acceptance, or with `--wait` to `Deployed`.
pub async fn carry_out<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    plans: &[Proposal],
    args: &ApplyArgs,
    confirmer: &mut dyn Confirmer,
    printer: &mut EventPrinter<W>,
) -> Result<Applied, HeadlessError> {
    // Before asking: a blocked switch goes nowhere without a deliberate --force and its reason.
    if !args.force
        && let Some(plan) = plans.iter().find(|p| p.confirm.needs_override())
    {
        return Err(HeadlessError::Refused(format!(
            "{}: the pre-flight blocks it: {}; nothing was sent. Fix the cause, or add --force --reason TEXT to switch anyway",
            plan.distribution_id,
            plan.confirm.blocks.join("; ")
        )));
    }
    if !args.yes {
        let question = if plans.len() == 1 {
            "Send this change to CloudFront?".to_string()
        } else {
            format!("Send these {} changes to CloudFront (one update per distribution)?", plans.len())
        };
        if !confirmer.confirm(&question)? {
            return Err(HeadlessError::Cancelled);
        }
    }
    let mut requested = Vec::new();
    for plan in plans {
        // One confirmation may start two attempts (R: the behaviors, and the shares through the
        // router's store): each is followed to its own end.
        for id in send(runtime, plan, args, printer)? {
            requested.push((plan.distribution_id.clone(), id));
        }
    }
    let signals = StopSignals::install()
        .map_err(|e| HeadlessError::Failed(format!("cannot listen for Ctrl-C, SIGTERM and SIGHUP: {e}")))?;
    let mut signals = event_loop::signals(signals);
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    let mut stop = Vec::new();
    for (distribution_id, id) in &requested {
        let phase_of = |c: &Console| c.distribution(distribution_id).and_then(|s| s.moves.by_id(*id)).map(|a| a.phase);
        let answered = |c: &Console| phase_of(c) != Some(MovePhase::Requested);
        // With a probe, --wait also waits until the edge answers from the new side (or probing ends).
        let edge_pending = |c: &Console| c.distribution(distribution_id).is_some_and(|s| s.edge_pending(*id));
        // With edge logs, a fix's --wait also waits for its viewers healthy again (or given up).
        let viewers_pending = |c: &Console| c.distribution(distribution_id).is_some_and(|s| s.viewers_pending(*id));
        let settled = |c: &Console| match phase_of(c) {
            Some(MovePhase::Deployed) => !edge_pending(c) && !viewers_pending(c),
            phase => matches!(phase, Some(MovePhase::Failed)),
        };
        let mut waited = run_until(runtime, printer, ACCEPT_LIMIT, &mut signals, answered).await;
        if args.wait && !matches!(waited, Waited::Signal(_)) {
            waited = run_until(runtime, printer, args.timeout, &mut signals, settled).await;
        }
        if let Waited::Signal(signal) = waited {
            // Every switch sent and not yet seen to its end gets its `abandoned` record before exiting.
            stop_following(runtime, printer, &format!("cutover got {signal} while following it"));
            return Err(HeadlessError::Interrupted(signal));
        }
        let state = runtime.console.distribution(distribution_id).expect("the plan's distribution");
        let attempt = state.moves.by_id(*id).expect("requested above");
        let what = format!("{}: {}", attempt.distribution_id, attempt.moves());
        let stopped_because = match attempt.phase {
            MovePhase::Deployed if attempt.by_router() => {
                outcomes.push(format!(
                    "{what}: the router's store took it (ETag {} → {}); the edges follow within seconds",
                    attempt.etag_before.as_deref().unwrap_or("?"),
                    attempt.etag_after.as_deref().unwrap_or("?"),
                ));
                None
            }
            MovePhase::Deployed => {
                let took = attempt.accepted_at.map(|at| state.now.duration_since(at).as_secs()).unwrap_or(0);
                outcomes.push(format!("{what}: Deployed after {}", duration_short(took)));
                None
            }
            MovePhase::Propagating if args.wait => {
                let waited = duration_short(args.timeout.as_secs() as i64);
                failures.push(HeadlessError::StillDeploying { what, waited: waited.clone() });
                Some(format!("the --timeout of {waited} ran out"))
            }
            MovePhase::Propagating => {
                outcomes.push(format!(
                    "{what}: accepted (ETag {} → {}); CloudFront is deploying it: add --wait to wait, or follow it with `cutover status`",
                    attempt.etag_before.as_deref().unwrap_or("?"),
                    attempt.etag_after.as_deref().unwrap_or("?"),
                ));
                Some("cutover stops following at acceptance without --wait".to_string())
            }
            MovePhase::Failed | MovePhase::Abandoned => {
                let why = attempt.failure.clone().unwrap_or_else(|| format!("{what} failed"));
                failures.push(HeadlessError::Failed(why));
                None
            }
            MovePhase::Requested => {
                let within = duration_short(ACCEPT_LIMIT.as_secs() as i64);
                failures.push(HeadlessError::Failed(format!(
                    "{what}: CloudFront did not answer within {within}; the change may or may not have been made: check with `cutover status`"
                )));
                Some(format!("CloudFront did not answer within {within}"))
            }
        };
        if let Some(reason) = stopped_because
            && !stop.iter().any(|(d, _)| d == distribution_id)
        {
            stop.push((distribution_id.clone(), reason));
        }
    }
    // Only once every attempt has had its turn: stopping ends all of a distribution's attempts,
    // and the share move an `R` starts beside its behaviors is still to be followed.
    for (distribution_id, reason) in stop {
        runtime.dispatch(Action::to(distribution_id, Event::StopFollowing { reason }));
        printer.print_all(&runtime.console);
    }
    failures.extend(router_unknown(runtime));
    Ok(Applied { outcomes, failures })
}

/// Confirm one plan's dialog (past the pre-flight with `--force`'s reason, past a failing trail with
/// `--no-audit`) and return the attempts it started (a behavior switch, a share move, or both).
fn send<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    plan: &Proposal,
    args: &ApplyArgs,
    printer: &mut EventPrinter<W>,
) -> Result<Vec<u64>, HeadlessError> {
    let distribution_id = plan.distribution_id.clone();
    let state = runtime.console.distribution(&distribution_id).expect("the plan's distribution");
    let before = state.moves.len();
    // --force (with its reason) goes past the pre-flight; --no-audit past a trail that cannot be
    // written, which the audit gate has already said out loud.
    let mut reasons: Vec<String> = args.reason.iter().filter(|_| args.force).cloned().collect();
    if args.no_audit
        && let Some(why) = &state.notices.audit_failure
    {
        reasons.push(format!("--no-audit: the audit trail cannot be written ({why})"));
    }
    // The dialog as planned and printed goes up as the key would put it, then the answer.
    runtime.dispatch(Action::to(distribution_id.clone(), Event::Show(Dialog::Switch(plan.confirm.clone()))));
    runtime.dispatch(if reasons.is_empty() {
        Action::to(distribution_id.clone(), Event::Command(Command::Confirm))
    } else {
        Action::to(distribution_id.clone(), Event::ConfirmForced { reason: reasons.join("; ") })
    });
    printer.print_all(&runtime.console);
    let state = runtime.console.distribution(&distribution_id).expect("the plan's distribution");
    let started: Vec<u64> = state.moves[before..].iter().map(|a| a.id).collect();
    if started.is_empty() {
        let why = state.notices.refused.as_ref().map(|r| r.sentence()).unwrap_or_default();
        return Err(HeadlessError::Failed(format!("{distribution_id}: nothing was sent: {why}")));
    }
    Ok(started)
}

/// End every switch still under way with an `abandoned` event saying why.
fn stop_following<B: Backend, W: Write>(runtime: &mut Runtime<B>, printer: &mut EventPrinter<W>, reason: &str) {
    runtime.dispatch(Action::Abandon { reason: reason.to_string() });
    printer.print_all(&runtime.console);
}

/// How each plan ended: a line per change that went through, and what went wrong with the rest.
pub struct Applied {
    pub outcomes: Vec<String>,
    pub failures: Vec<HeadlessError>,
}

impl Applied {
    /// The lines to print, and the error to end with when any change did not go through.
    pub fn finish(mut self) -> (Vec<String>, Option<HeadlessError>) {
        let error = match self.failures.len() {
            0 => None,
            1 => self.failures.pop(),
            _ => Some(HeadlessError::Failed(
                self.failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
            )),
        };
        (self.outcomes, error)
    }
}

fn ids<'a>(states: impl Iterator<Item = &'a State>) -> String {
    states.map(|s| s.distribution_id.as_str()).collect::<Vec<_>>().join(", ")
}
