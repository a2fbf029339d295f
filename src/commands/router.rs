//! `cutover router plan | install | status | remove`: read what of the router exists on one
//! distribution, plan with `router::install`, print, and with `--yes` carry the plan out step by
//! step through its `RouterPieces` — AWS's (`backend::aws::router`), each step that changes AWS
//! recorded in the audit trail, or with `--demo` the kept demo world's (`backend::sim::router`,
//! `commands::demo_world`), each step recorded in the demo's trail and the world kept afterwards.

use std::io::Write;

use jiff::Timestamp;

use crate::audit::{AuditLog, AuditRecord, Environment, RecordKind};
use crate::backend::aws::router::RouterControl;
use crate::backend::aws::{AwsClients, DistributionSpec};
use crate::backend::router_pieces::{RouterPieces, Snapshot};
use crate::backend::sim::catalog;
use crate::cli::{AwsArgs, RouteChoice, RouterAction, RouterArgs};
use crate::clock::Clock;
use crate::commands::demo::operator;
use crate::commands::demo_world::{DemoWorld, in_demo_words};
use crate::commands::headless::{EXIT_BREACHED, HeadlessError};
use crate::commands::live::{self, Identity};
use crate::commands::set_up_plan::{plan_json, print_plan, refused, settle_step};
use crate::domain::visible;
use crate::output;
use crate::router::install::{RecordOrigins, plan_install, plan_remove, status};

/// `cutover router ...` on the distribution `--distribution` names (or the config's only one).
pub async fn run(args: &RouterArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    if aws.demo {
        return run_demo(args, aws).await;
    }
    let connection = live::connect(aws).await?;
    let ids = live::chosen_distributions(&connection.config, aws.distribution.as_deref())?;
    let [id] = ids.as_slice() else {
        return Err(HeadlessError::Refused(format!(
            "the config has {} distributions ({}); name one with --distribution ID",
            ids.len(),
            ids.join(", ")
        ))
        .into());
    };
    let spec = DistributionSpec::find(&connection.config, id).unwrap_or_default();
    let changes = matches!(&args.action, RouterAction::Install(a) | RouterAction::Remove(a) if a.yes);
    if changes && aws.read_only {
        return Err(HeadlessError::Refused(
            "nothing was changed: --read-only is set; drop it to install or remove the router".into(),
        )
        .into());
    }
    let audit = if changes { Some(audit_trail(&connection.clients).await?) } else { None };
    let control = RouterControl::new(connection.clients.cloudfront.clone(), id)
        .with_key_value_store(connection.clients.key_value_store.clone());
    let mut out = Output::stdout();
    Ok(execute(&control, &spec, &args.action, audit.as_ref(), &mut out).await?)
}

/// `cutover router ... --demo`: the action on the kept demo world's distribution (as `cutover demo`
/// starts it, the router on the routes it routes, when none is kept); `install --yes` and
/// `remove --yes` change it for the next commands, each step recorded in the demo's trail.
async fn run_demo(args: &RouterArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let world = DemoWorld::open(aws)?;
    let changes = matches!(&args.action, RouterAction::Install(a) | RouterAction::Remove(a) if a.yes);
    let audit = match changes {
        true => Some(Audit {
            log: AuditLog::open_demo().map_err(|error| {
                HeadlessError::Refused(format!(
                    "nothing was changed: the demo's trail cannot be written ({error}); make it writable and run it again"
                ))
            })?,
            caller_arn: None,
            clock: Some(world.backend.clock().clone()),
        }),
        false => None,
    };
    let mut out = Output::stdout().in_demo();
    let id = world.backend.distribution_id().to_string();
    let result = execute(world.backend.as_ref(), &demo_spec(&id), &args.action, audit.as_ref(), &mut out).await;
    world.after(changes, result.map_err(Into::into))
}

/// The demo distribution as a config would describe it: API Gateway the Lambda origin, every home
/// the demo's routes go back to (not S3) a legacy origin.
pub fn demo_spec(id: &str) -> DistributionSpec {
    let mut legacy: Vec<&str> = Vec::new();
    for route in catalog::routes().iter().filter(|r| !r.on_storage()) {
        if !legacy.contains(&route.home) {
            legacy.push(route.home);
        }
    }
    DistributionSpec::with_lists(id, &[catalog::LAMBDA_ORIGIN_ID], &legacy)
}

/// Where the audit records go, with who is calling; refused when the trail cannot be written.
pub struct Audit {
    pub log: AuditLog,
    pub caller_arn: Option<String>,
    /// The demo world's clock, for the demo's trail (records of its time, marked demo); `None` live.
    pub clock: Option<Clock>,
}

pub(crate) async fn audit_trail(clients: &AwsClients) -> Result<Audit, HeadlessError> {
    let log = AuditLog::open_default().and_then(|log| log.check_writable().map(|()| log)).map_err(|error| {
        HeadlessError::Refused(format!(
            "nothing was changed: the audit trail cannot be written ({error}); make it writable and run it again"
        ))
    })?;
    Ok(Audit { log, caller_arn: Identity::look_up(&clients.sts).await.arn, clock: None })
}

/// Lines out, their control characters escaped.
pub struct Output<W: Write> {
    writer: W,
    /// Commands named as the demo runs them (`--demo`).
    demo: bool,
}

impl Output<std::io::Stdout> {
    pub(crate) fn stdout() -> Self {
        Output { writer: std::io::stdout(), demo: false }
    }
}

impl<W: Write> Output<W> {
    pub fn new(writer: W) -> Self {
        Output { writer, demo: false }
    }

    /// The same output, naming the commands as the demo runs them.
    pub fn in_demo(self) -> Self {
        Output { demo: true, ..self }
    }

    pub fn into_inner(self) -> W {
        self.writer
    }

    pub(crate) fn line(&mut self, text: &str) {
        let text = if self.demo { in_demo_words(text) } else { text.to_string() };
        output::write_line(&mut self.writer, &visible::escape(&text));
    }

    pub(crate) fn json(&mut self, value: &serde_json::Value) {
        let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
        output::write_line(&mut self.writer, &visible::escape_in_json(&text));
    }
}

/// The routes to put the router on: those named, else every switchable route of the config.
pub fn wanted(spec: &DistributionSpec, snapshot: &Snapshot, choice: &RouteChoice) -> Vec<String> {
    if !choice.routes.is_empty() {
        return choice.routes.clone();
    }
    snapshot
        .routes
        .iter()
        .filter(|(path, origin)| spec.target_of(origin).is_some() && spec.pair_for(path, origin).is_ok())
        .map(|(path, _)| path.clone())
        .collect()
}

/// The origins each switchable behavior's record names: its Lambda origin and its home, as the
/// config pairs them.
pub fn record_origins(
    spec: &DistributionSpec,
    snapshot: &Snapshot,
) -> std::collections::BTreeMap<String, RecordOrigins> {
    snapshot
        .routes
        .iter()
        .filter(|(_, origin)| spec.target_of(origin).is_some())
        .filter_map(|(path, origin)| {
            let pair = spec.pair_for(path, origin).ok()?;
            Some((path.clone(), RecordOrigins { lambda: pair.lambda, home: pair.legacy }))
        })
        .collect()
}

// Long: the four actions share the read, then each prints and decides in a few lines; apart they
// would repeat the reading and the refusals.
/// One action on one distribution with `control` (AWS, AWS with a mocked client, or the demo
/// world): the exit code, or why nothing (more) was done.
pub async fn execute<W: Write>(
    control: &dyn RouterPieces,
    spec: &DistributionSpec,
    action: &RouterAction,
    audit: Option<&Audit>,
    out: &mut Output<W>,
) -> Result<u8, HeadlessError> {
    let id = control.distribution_id().to_string();
    let mut snapshot =
        control.read().await.map_err(|e| HeadlessError::Failed(format!("cannot read the router of {id}: {e}")))?;
    snapshot.found.origins = record_origins(spec, &snapshot);
    let (plan, yes, what) = match action {
        RouterAction::Status(args) => {
            let wanted = wanted(spec, &snapshot, &args.choice);
            let status = status(&id, &snapshot.found, &wanted);
            if args.json {
                out.json(&serde_json::json!({
                    "distribution": id,
                    "complete": status.complete,
                    "wanted": wanted,
                    "lines": status.lines,
                    "problems": status.problems,
                    "plan": plan_json(&plan_install(&id, &snapshot.found, &wanted)),
                }));
            } else {
                for line in &status.lines {
                    out.line(line);
                }
                for problem in &status.problems {
                    out.line(&format!("problem: {problem}"));
                }
                out.line(if status.complete {
                    "the router is installed on every wanted behavior: each runs the function, the index lists it and its record reads"
                } else {
                    "the router is not fully installed or not current: `cutover router install --yes` mends it (`cutover router plan` says how)"
                });
            }
            return Ok(if status.complete { 0 } else { EXIT_BREACHED });
        }
        RouterAction::Plan(args) => {
            let plan = plan_install(&id, &snapshot.found, &wanted(spec, &snapshot, &args.choice));
            if args.json {
                out.json(&plan_json(&plan));
            } else {
                print_plan(|l| out.line(l), &plan, "install");
            }
            return if plan.refused.is_empty() { Ok(0) } else { Err(refused(&plan)) };
        }
        RouterAction::Install(args) => {
            (plan_install(&id, &snapshot.found, &wanted(spec, &snapshot, &args.choice)), args.yes, "install")
        }
        RouterAction::Remove(args) => {
            let chosen = (!args.choice.routes.is_empty()).then_some(args.choice.routes.as_slice());
            (plan_remove(&id, &snapshot.found, chosen), args.yes, "remove")
        }
    };
    print_plan(|l| out.line(l), &plan, what);
    if !plan.refused.is_empty() {
        return Err(refused(&plan));
    }
    if plan.steps.is_empty() {
        return Ok(0);
    }
    if !yes {
        out.line(&format!("nothing was changed: add --yes to {what} the router"));
        return Ok(0);
    }
    let count = plan.steps.len();
    for (n, step) in plan.steps.iter().enumerate() {
        out.line(&format!("step {}/{count}: {}", n + 1, step.describe()));
        let result = control.carry_out(step, &mut snapshot).await;
        let demo = audit.and_then(|a| a.clock.as_ref());
        let (at, environment) = demo.map_or((Timestamp::now(), Environment::Live), |c| (c.now(), Environment::Demo));
        let record = AuditRecord::new(at, RecordKind::RouterStep, environment, operator(), &id)
            .with_caller_arn(audit.and_then(|a| a.caller_arn.clone()))
            .with_routes(step.paths().to_vec())
            .with_message(format!("{what} {}: {}", step.kind(), step.describe()));
        let resume = format!("cutover router {what}");
        let at = (n, count, step.kind());
        settle_step(|l| out.line(l), audit.map(|a| &a.log), record, result, at, &resume)?;
    }
    out.line(&format!("done: {count} step(s) carried out"));
    Ok(0)
}
