//! The headless commands against real AWS, or with `--demo` against the kept demo world
//! (`commands::demo_world`): open as the console does, run the shared logic, print, and choose the
//! exit code. Each command's body is written once, over any backend (`on_world!`).
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
use crate::audit::AuditLog;
use crate::audit::{self, AuditTrail};
use crate::backend::Backend;
use crate::backend::aws::AwsBackend;
use crate::backend::sim::SimBackend;
use crate::cli::AwsArgs;
use crate::clock::Clock;
use crate::commands::demo_world::{self, DemoWorld};
use crate::commands::live;
use crate::domain::visible;
use crate::output;

/// `$body` (an expression over `$runtime`, a `&mut Runtime<B>`) on the world `$opened` opened;
/// on the demo world, which is kept afterwards when the command may have `$changes` it.
macro_rules! on_world {
    ($opened:expr, $changes:expr, |$runtime:ident| $body:expr) => {
        match $opened {
            Opened::Live(mut live) => {
                let result = {
                    let $runtime = &mut live;
                    $body
                };
                // What the run told the team goes out before it ends.
                live.flush_team().await;
                result
            }
            Opened::Demo(mut demo, world) => {
                let result = {
                    let $runtime = &mut demo;
                    $body
                };
                demo.flush_team().await;
                world.after($changes, result)
            }
        }
    };
}
pub(super) use on_world;

/// `cutover status`: 0 all well, 3 a guard breached, 1 numbers or routes could not be read.
pub async fn status(args: &StatusArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let demo = aws.demo;
    on_world!(open_runtime(aws, Purpose::Watch).await?, false, |runtime| status_on(runtime, args, demo).await)
}

async fn status_on<B: Backend>(runtime: &mut Runtime<B>, args: &StatusArgs, demo: bool) -> anyhow::Result<u8> {
    let trail = read_trail_quietly(demo);
    let mut printer = EventPrinter::new(std::io::sink());
    let metrics_errors = load(runtime, &mut printer).await?;
    let mut distributions = Vec::new();
    for (state, metrics_error) in runtime.console.distributions.iter().zip(metrics_errors) {
        let pending = trail.as_ref().map(|t| pending_in_trail(t, &state.distribution_id)).unwrap_or_default();
        distributions.push(DistributionStatus::from_state(state, metrics_error, &pending));
    }
    // The demo's report is of its world's time, as its trail's records are.
    let now = if demo { runtime.clock.now() } else { jiff::Timestamp::now() };
    let report = StatusReport::new(to_the_second(now), distributions);
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
    on_world!(open_runtime(aws, Purpose::Change).await?, true, |runtime| {
        apply_one(runtime, &args.apply, |runtime| plan_switch(runtime, route, to)).await
    })
}

/// `cutover weight ROUTE PERCENT`: 0 moved (or already there), 2 refused, 1 failed.
pub async fn weight(args: &WeightArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let (route, percent) = (args.route.as_str(), args.percent);
    on_world!(open_runtime(aws, Purpose::Change).await?, true, |runtime| {
        apply_one(runtime, &args.apply, |runtime| plan_weight(runtime, route, percent)).await
    })
}

/// One route's change, as `switch` and `weight` make it: open and load, `plan` it (nothing to do
/// when it is already there), print the dialog, check the trail, confirm and carry it out.
async fn apply_one<B: Backend>(
    runtime: &mut Runtime<B>,
    apply: &ApplyArgs,
    plan: impl FnOnce(&mut Runtime<B>) -> Result<SwitchPlan, HeadlessError>,
) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::stderr());
    load_for_change(runtime, &mut printer).await?;
    let plan = match plan(runtime)? {
        SwitchPlan::AlreadyThere(message) => {
            output::stdout_line(&visible::escape(&demo_world::said(&message)));
            return match router_unknown(runtime) {
                Some(error) => Err(error.into()),
                None => Ok(0),
            };
        }
        SwitchPlan::Change(plan) => plan,
    };
    output::stderr_text(&visible::escape_keeping_lines(&describe(&plan)));
    let plans = [plan];
    require_audit_trail(runtime, &plans, apply.no_audit, &mut printer)?;
    let applied = carry_out(runtime, &plans, apply, &mut TerminalConfirmer, &mut printer).await?;
    finish(applied)
}

/// `cutover rollout ROUTE [--plan NAME]`: 0 started (or, with --wait, done), 2 refused, 1 failed
/// or aborted.
pub async fn rollout(args: &RolloutArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let plan = match &args.plan {
        // The demo has no config: its one plan is the default.
        Some(name) if aws.demo && name != "default" => {
            return Err(HeadlessError::Refused(format!(
                "the demo has no plan {name}, only `default`; drop --plan or name `default`"
            ))
            .into());
        }
        Some(name) if !aws.demo => Some(live::load_config(aws)?.plan(name).map_err(HeadlessError::Refused)?),
        _ => None,
    };
    let demo = aws.demo;
    on_world!(open_runtime(aws, Purpose::Change).await?, true, |runtime| rollout_on(runtime, args, plan, demo).await)
}

async fn rollout_on<B: Backend>(
    runtime: &mut Runtime<B>,
    args: &RolloutArgs,
    plan: Option<crate::domain::plan::RolloutPlan>,
    demo: bool,
) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::stderr());
    load_for_change(runtime, &mut printer).await?;
    let plan = plan_rollout(runtime, &args.route, plan)?;
    output::stderr_text(&visible::escape_keeping_lines(&describe(&plan)));
    let distribution_id = plan.distribution_id.clone();
    let plans = [plan];
    require_audit_trail(runtime, &plans, args.apply.no_audit, &mut printer)?;
    // The first step as a share move, followed to the store's answer (not the edge: the plan waits
    // its hold anyway).
    let first = ApplyArgs { wait: false, ..args.apply.clone() };
    let applied = carry_out(runtime, &plans, &first, &mut TerminalConfirmer, &mut printer).await?;
    let (lines, error) = applied.finish();
    for line in lines {
        output::stdout_line(&visible::escape(&demo_world::said(&line)));
    }
    if let Some(error) = error {
        return Err(error.into());
    }
    if !args.apply.wait {
        output::stdout_line(if demo {
            "the plan goes on while something follows it: `cutover demo` (or `cutover rollout ROUTE --wait --demo`) picks it up from the demo's trail"
        } else {
            "the plan goes on in the console: `cutover` (or `cutover rollout ROUTE --wait`) picks it up from the audit trail"
        });
        return Ok(0);
    }
    let done = follow_plan(runtime, &args.route, &distribution_id, args.apply.timeout, &mut printer).await?;
    output::stdout_line(&visible::escape(&demo_world::said(&done)));
    Ok(0)
}

/// `cutover rollback-all`: every Lambda route of every chosen distribution back to the origin.
pub async fn rollback_all(args: &RollbackAllArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    on_world!(open_runtime(aws, Purpose::Change).await?, true, |runtime| rollback_all_on(runtime, args).await)
}

async fn rollback_all_on<B: Backend>(runtime: &mut Runtime<B>, args: &RollbackAllArgs) -> anyhow::Result<u8> {
    let mut printer = EventPrinter::new(std::io::stderr());
    load_for_change(runtime, &mut printer).await?;
    let (plans, notes) = plan_rollback_all(runtime)?;
    let left = left_on_lambda(runtime);
    for note in &notes {
        output::stdout_line(&visible::escape(&demo_world::said(note)));
    }
    if plans.is_empty() {
        // Nothing on Lambda that cutover can move; a store it cannot read may still send viewers
        // (exit 1 before the exit 2 of behaviors left on Lambda).
        if let Some(error) = router_unknown(runtime) {
            return Err(error.into());
        }
        return left_behind(&left).map_or(Ok(0), |error| Err(error.into()));
    }
    for plan in &plans {
        output::stderr_text(&visible::escape_keeping_lines(&describe(plan)));
    }
    require_audit_trail(runtime, &plans, args.apply.no_audit, &mut printer)?;
    let applied = carry_out(runtime, &plans, &args.apply, &mut TerminalConfirmer, &mut printer).await?;
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
        output::stdout_line(&visible::escape(&demo_world::said(&line)));
    }
    match error {
        Some(error) => Err(error.into()),
        None => Ok(0),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// Read only, and nothing written to the audit trail: a status run every minute from cron
    /// would otherwise record the same breach every minute.
    Watch,
    /// Switches: `--read-only` honoured, and every step recorded in the audit trail.
    Change,
}

/// Where a headless command runs: AWS, or the kept demo world (`--demo`).
pub(super) enum Opened {
    Live(Runtime<AwsBackend>),
    Demo(Runtime<SimBackend>, DemoWorld),
}

/// A runtime with every chosen distribution (`--distribution`, else every one in the config), or
/// with `--demo` the demo's one.
pub(super) async fn open_runtime(aws: &AwsArgs, purpose: Purpose) -> anyhow::Result<Opened> {
    if aws.demo {
        let world = DemoWorld::open(aws)?;
        let mut setup = demo_world::setup(&world.backend);
        if purpose == Purpose::Watch {
            setup.read_only = Some("`cutover status --demo` only reads".to_string());
        }
        let ports = world.backend.ports(setup.probe_settings);
        let runtime = Runtime::new(vec![(State::new(setup), ports)], world.backend.clock().clone());
        let runtime = match (purpose, AuditLog::open_demo()) {
            (Purpose::Watch, _) => runtime,
            (Purpose::Change, Ok(log)) => runtime.with_audit(log),
            (Purpose::Change, Err(error)) => runtime.with_audit_unavailable(error.to_string()),
        };
        let runtime = match demo_world::notifier(&runtime).filter(|_| purpose == Purpose::Change) {
            Some(notifier) => runtime.with_notifier(notifier),
            None => runtime,
        };
        return Ok(Opened::Demo(runtime, world));
    }
    let connection = live::connect(aws).await?;
    let ids = live::chosen_distributions(&connection.config, aws.distribution.as_deref())?;
    let mut distributions = Vec::new();
    for id in ids {
        let live::Opened { mut setup, ports } = match purpose {
            Purpose::Watch => {
                let mut opened =
                    live::read_distribution(&connection.config, &id, &connection.clients, Clock::real()).await?;
                opened.setup.read_only = Some("`cutover status` only reads".to_string());
                // Where cutover last put each route: a route elsewhere was changed outside it.
                if let Ok(log) = AuditLog::open_default() {
                    crate::app::history::load_placed(&mut opened.setup, &log);
                }
                opened
            }
            Purpose::Change => live::open(&connection, &id, aws, Clock::real()).await?,
        };
        // Guards act in a console someone is watching; a one-shot command never switches by itself.
        setup.auto_rollback.clear();
        // A status from cron is nobody at work; a change is someone acting, for as long as it runs.
        let mut ports = ports;
        if let Some(journal) = &mut ports.journal {
            journal.options.presence = (purpose == Purpose::Change).then(|| "a headless command".to_string());
            journal.sends = purpose == Purpose::Change;
        }
        distributions.push((State::new(setup), ports));
    }
    // `switch --wait` follows the edge as the console does, where a route has a probe: the ports
    // are the console's.
    let runtime = Runtime::new(distributions, Clock::real());
    Ok(Opened::Live(match purpose {
        Purpose::Watch => runtime,
        Purpose::Change => {
            let runtime = live::with_audit_trail(runtime);
            match live::notifier(&connection.config, &connection.clients, &runtime)? {
                Some(notifier) => runtime.with_notifier(notifier),
                None => runtime,
            }
        }
    }))
}

/// A runtime opened for a change, its routes and first numbers read, progress on `printer`.
pub(super) async fn load_for_change<B: Backend>(
    runtime: &mut Runtime<B>,
    printer: &mut EventPrinter<std::io::Stderr>,
) -> anyhow::Result<()> {
    // A record the trail cannot take is printed where the responder sees it, never dropped.
    runtime.keep_unstored_audit_in(Box::new(std::io::stderr()));
    load(runtime, printer).await?;
    Ok(())
}

/// How much of the trail's end `status` reads for switches still deploying: a rollout takes
/// minutes, and 4 MiB is thousands of records, so a 1 GB trail costs `status` what a small one does.
const STATUS_TAIL_BYTES: u64 = 4 << 20;

/// The end of the audit trail, for which routes have a switch still deploying; a status without it
/// only loses that detail, so a missing or unreadable trail is not an error.
fn read_trail_quietly(demo: bool) -> Option<AuditTrail> {
    let path = if demo { audit::default_demo_path()? } else { audit::default_path()? };
    if !path.exists() {
        return None;
    }
    let tail = audit::read_tail(&path, STATUS_TAIL_BYTES);
    tail.map_err(|error| tracing::warn!(%error, "audit trail not read for status")).ok()
}

fn to_the_second(now: jiff::Timestamp) -> jiff::Timestamp {
    now.round(jiff::Unit::Second).unwrap_or(now)
}
