//! The headless commands against real AWS: connect as the console does, run the shared logic,
//! print, and choose the exit code.
//!
//! Text goes out with its control characters escaped (AWS strings, paths and errors can carry
//! them), and through writes that ignore a closed pipe: `rollback-all --yes | true` must finish
//! its rollback, and `status | head -1` must not panic. JSON keeps its exact value, with the
//! characters JSON leaves raw (C1 controls, bidi overrides) written as `\u` escapes.

use super::apply::{
    SwitchPlan, carry_out, describe, follow_plan, left_on_lambda, plan_rollback_all, plan_rollout, plan_switch,
    plan_weight, router_unknown,
};
use super::audit_gate::require_audit_trail;
use super::drive::{EventPrinter, load};
use super::prompt::TerminalConfirmer;
use super::status::{DistributionStatus, StatusReport, pending_in_trail};
use super::{ApplyArgs, HeadlessError, RollbackAllArgs, RolloutArgs, StatusArgs, SwitchArgs, WeightArgs};
use crate::app::model::state::State;
use crate::app::runtime::Runtime;
use crate::audit::{self, AuditTrail};
use crate::backend::aws::AwsBackend;
use crate::cli::AwsArgs;
use crate::clock::Clock;
use crate::commands::live;
use crate::domain::visible;
use crate::output;

/// `cutover status`: 0 all well, 3 a guard breached, 1 numbers or routes could not be read.
pub async fn status(args: &StatusArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let mut runtime = open_runtime(aws, Purpose::Watch).await?;
    let trail = read_trail_quietly();
    let mut printer = EventPrinter::new(std::io::sink());
    let metrics_errors = load(&mut runtime, &mut printer).await?;
    let mut distributions = Vec::new();
    for (state, metrics_error) in runtime.console.distributions.iter().zip(metrics_errors) {
        let pending = trail.as_ref().map(|t| pending_in_trail(t, &state.distribution_id)).unwrap_or_default();
        distributions.push(DistributionStatus::from_state(state, metrics_error, &pending));
    }
    let report = StatusReport::new(now_to_the_second(), distributions);
    if args.json {
        output::stdout_line(&visible::escape_in_json(report.to_json().trim_end()));
    } else {
        output::stdout_line(&visible::escape_keeping_lines(report.to_text().trim_end()));
    }
    Ok(report.exit_code())
}

/// `cutover switch ROUTE --to TARGET`: 0 switched (or already there), 2 refused, 1 failed.
pub async fn switch(args: &SwitchArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let (route, to) = (args.route.as_str(), args.to.into());
    apply_one(aws, &args.apply, |runtime| plan_switch(runtime, route, to)).await
}

/// `cutover weight ROUTE PERCENT`: 0 moved (or already there), 2 refused, 1 failed.
pub async fn weight(args: &WeightArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let (route, percent) = (args.route.as_str(), args.percent);
    apply_one(aws, &args.apply, |runtime| plan_weight(runtime, route, percent)).await
}

/// One route's change, as `switch` and `weight` make it: open and load, `plan` it (nothing to do
/// when it is already there), print the dialog, check the trail, confirm and carry it out.
async fn apply_one(
    aws: &AwsArgs,
    apply: &ApplyArgs,
    plan: impl FnOnce(&mut Runtime<AwsBackend>) -> Result<SwitchPlan, HeadlessError>,
) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::stderr());
    let mut runtime = open_and_load(aws, &mut printer).await?;
    let plan = match plan(&mut runtime)? {
        SwitchPlan::AlreadyThere(message) => {
            output::stdout_line(&visible::escape(&message));
            return match router_unknown(&runtime) {
                Some(error) => Err(error.into()),
                None => Ok(0),
            };
        }
        SwitchPlan::Change(plan) => plan,
    };
    output::stderr_text(&visible::escape_keeping_lines(&describe(&plan)));
    let plans = [plan];
    require_audit_trail(&mut runtime, &plans, apply.no_audit, &mut printer)?;
    let applied = carry_out(&mut runtime, &plans, apply, &mut TerminalConfirmer, &mut printer).await?;
    finish(applied)
}

/// `cutover rollout ROUTE [--plan NAME]`: 0 started (or, with --wait, done), 2 refused, 1 failed
/// or aborted.
pub async fn rollout(args: &RolloutArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let plan = match &args.plan {
        Some(name) => Some(live::load_config(aws)?.plan(name).map_err(HeadlessError::Refused)?),
        None => None,
    };
    let mut printer = EventPrinter::new(std::io::stderr());
    let mut runtime = open_and_load(aws, &mut printer).await?;
    let plan = plan_rollout(&mut runtime, &args.route, plan)?;
    output::stderr_text(&visible::escape_keeping_lines(&describe(&plan)));
    let distribution_id = plan.distribution_id.clone();
    let plans = [plan];
    require_audit_trail(&mut runtime, &plans, args.apply.no_audit, &mut printer)?;
    // The first step as a share move, followed to the store's answer (not the edge: the plan waits
    // its hold anyway).
    let first = ApplyArgs { wait: false, ..args.apply.clone() };
    let applied = carry_out(&mut runtime, &plans, &first, &mut TerminalConfirmer, &mut printer).await?;
    let (lines, error) = applied.finish();
    for line in lines {
        output::stdout_line(&visible::escape(&line));
    }
    if let Some(error) = error {
        return Err(error.into());
    }
    if !args.apply.wait {
        output::stdout_line(
            "the plan goes on in the console: `cutover` (or `cutover rollout ROUTE --wait`) picks it up from the audit trail",
        );
        return Ok(0);
    }
    let done = follow_plan(&mut runtime, &args.route, &distribution_id, args.apply.timeout, &mut printer).await?;
    output::stdout_line(&visible::escape(&done));
    Ok(0)
}

/// `cutover rollback-all`: every Lambda route of every chosen distribution back to the origin.
pub async fn rollback_all(args: &RollbackAllArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::stderr());
    let mut runtime = open_and_load(aws, &mut printer).await?;
    let (plans, notes) = plan_rollback_all(&mut runtime)?;
    let left = left_on_lambda(&runtime);
    for note in &notes {
        output::stdout_line(&visible::escape(note));
    }
    if plans.is_empty() {
        // Nothing on Lambda that cutover can move; a store it cannot read may still send viewers
        // (exit 1 before the exit 2 of behaviors left on Lambda).
        if let Some(error) = router_unknown(&runtime) {
            return Err(error.into());
        }
        return left_behind(&left).map_or(Ok(0), |error| Err(error.into()));
    }
    for plan in &plans {
        output::stderr_text(&visible::escape_keeping_lines(&describe(plan)));
    }
    require_audit_trail(&mut runtime, &plans, args.apply.no_audit, &mut printer)?;
    let applied = carry_out(&mut runtime, &plans, &args.apply, &mut TerminalConfirmer, &mut printer).await?;
    // A failure says more than what was left: it wins the exit code.
    let left = if applied.failures.is_empty() { left_behind(&left) } else { None };
    let code = finish(applied)?;
    left.map_or(Ok(code), |error| Err(error.into()))
}

/// What `rollback-all` could not move, as its exit (2), or `None` when nothing stays on Lambda.
fn left_behind(left: &[String]) -> Option<HeadlessError> {
    (!left.is_empty()).then(|| {
        HeadlessError::LeftOnLambda(format!(
            "not everything is back on the origin: {}; move it in CloudFront yourself, then check with `cutover status`",
            left.join("; ")
        ))
    })
}

fn finish(applied: super::apply::Applied) -> anyhow::Result<u8> {
    let (outcomes, error) = applied.finish();
    for line in outcomes {
        output::stdout_line(&visible::escape(&line));
    }
    match error {
        Some(error) => Err(error.into()),
        None => Ok(0),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Read only, and nothing written to the audit trail: a status run every minute from cron
    /// would otherwise record the same breach every minute.
    Watch,
    /// Switches: `--read-only` honoured, and every step recorded in the audit trail.
    Change,
}

/// A runtime with every chosen distribution (`--distribution`, else every one in the config).
async fn open_runtime(aws: &AwsArgs, purpose: Purpose) -> anyhow::Result<Runtime<AwsBackend>> {
    let connection = live::connect(aws).await?;
    let ids = live::chosen_distributions(&connection.config, aws.distribution.as_deref())?;
    let mut distributions = Vec::new();
    for id in ids {
        let live::Opened { mut setup, ports } = match purpose {
            Purpose::Watch => {
                let mut opened =
                    live::read_distribution(&connection.config, &id, &connection.clients, Clock::real()).await?;
                opened.setup.read_only = Some("`cutover status` only reads".to_string());
                opened
            }
            Purpose::Change => live::open(&connection, &id, aws, Clock::real()).await?,
        };
        // Guards act in a console someone is watching; a one-shot command never switches by itself.
        setup.auto_rollback.clear();
        distributions.push((State::new(setup), ports));
    }
    // `switch --wait` follows the edge as the console does, where a route has a probe: the ports
    // are the console's.
    let runtime = Runtime::new(distributions, Clock::real());
    Ok(match purpose {
        Purpose::Watch => runtime,
        Purpose::Change => live::with_audit_trail(runtime),
    })
}

/// A runtime for a change, its routes and first numbers read, progress on `printer`.
pub(super) async fn open_and_load(
    aws: &AwsArgs,
    printer: &mut EventPrinter<std::io::Stderr>,
) -> anyhow::Result<Runtime<AwsBackend>> {
    let mut runtime = open_runtime(aws, Purpose::Change).await?;
    // A record the trail cannot take is printed where the responder sees it, never dropped.
    runtime.keep_unstored_audit_in(Box::new(std::io::stderr()));
    load(&mut runtime, printer).await?;
    Ok(runtime)
}

/// How much of the trail's end `status` reads for switches still deploying: a rollout takes
/// minutes, and 4 MiB is thousands of records, so a 1 GB trail costs `status` what a small one does.
const STATUS_TAIL_BYTES: u64 = 4 << 20;

/// The end of the audit trail, for which routes have a switch still deploying; a status without it
/// only loses that detail, so a missing or unreadable trail is not an error.
fn read_trail_quietly() -> Option<AuditTrail> {
    let path = audit::default_path()?;
    if !path.exists() {
        return None;
    }
    let tail = audit::read_tail(&path, STATUS_TAIL_BYTES);
    tail.map_err(|error| tracing::warn!(%error, "audit trail not read for status")).ok()
}

fn now_to_the_second() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now)
}
