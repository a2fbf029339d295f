//! `cutover edge-logs plan | install | status | remove`: read what of CloudFront real-time logs
//! exists for one distribution (`backend::edge_log_steps::read`), plan with `edge_logs::install`,
//! print, and with `--yes` carry the plan out step by step, each step recorded in the audit trail;
//! after `install` everything is read again, and a chosen behavior the read-back does not show
//! logging fails the command (exit 1). Printing, the audit trail and the exit codes are
//! `cutover router`'s.
//!
//! Which behaviors: those named with `--route`, else every switchable route of the config (the
//! routes cutover moves, whose viewers' numbers matter most). `remove` without `--route` takes
//! cutover's own configuration off every behavior that has it.

use std::io::Write;

use jiff::Timestamp;

use crate::audit::{AuditRecord, Environment, RecordKind};
use crate::backend::aws::DistributionSpec;
use crate::backend::aws::edge_logs::EdgeLogControl;
use crate::backend::edge_log_steps::{self, EdgeLogCalls, Snapshot};
use crate::cli::{AwsArgs, EdgeLogsAction, EdgeLogsArgs, RouteChoice};
use crate::commands::demo::operator;
use crate::commands::headless::{EXIT_BREACHED, HeadlessError};
use crate::commands::live;
use crate::commands::router::{Audit, Output, audit_trail};
use crate::commands::set_up_plan::{plan_json, print_plan, refused, settle_step};
use crate::config::EdgeLogSettings;
use crate::edge_logs::install::{Wanted, plan_install, plan_remove, status, stream_region_of};

/// `cutover edge-logs ...` on the distribution `--distribution` names (or the config's only one).
pub async fn run(args: &EdgeLogsArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    if let EdgeLogsAction::Tail(tail) = &args.action {
        return crate::commands::headless::edge_tail::tail(&tail.route, tail.json, tail.count, aws).await;
    }
    if aws.demo {
        return Err(HeadlessError::Refused(
            "edge-logs has no demo world yet: the demo's edge lines come from the simulated world itself; run it without --demo against AWS"
                .into(),
        )
        .into());
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
    let Some(settings) = connection.config.edge_logs_of(id) else {
        return Err(HeadlessError::Refused(format!(
            "the config has no [distribution.edge_logs] for {id}; add one with stream_arn = \"arn:aws:kinesis:REGION:ACCOUNT:stream/cutover-edge-{id}\" (the book, \"Edge logs\")"
        ))
        .into());
    };
    let spec = DistributionSpec::find(&connection.config, id).unwrap_or_default();
    let changes = matches!(&args.action, EdgeLogsAction::Install(a) | EdgeLogsAction::Remove(a) if a.yes);
    if changes && aws.read_only {
        return Err(HeadlessError::Refused(
            "nothing was changed: --read-only is set; drop it to install or remove edge logs".into(),
        )
        .into());
    }
    let audit = if changes { Some(audit_trail(&connection.clients).await?) } else { None };
    // The stream's region is its ARN's (checked when the config was read).
    let region = stream_region_of(&settings.stream_arn).unwrap_or(&connection.clients.region).to_string();
    let control = EdgeLogControl::new(
        connection.clients.cloudfront.clone(),
        connection.clients.kinesis_in(&region),
        connection.clients.iam.clone(),
        id,
    );
    let mut out = Output::stdout();
    // `status` also says how old the stream's newest line is, read as the console reads it.
    let newest = match &args.action {
        EdgeLogsAction::Status(_) => Some(newest_line(&connection.clients, &settings.stream_arn).await),
        _ => None,
    };
    Ok(execute(&control, &settings, &spec, &args.action, audit.as_ref(), newest, &mut out).await?)
}

/// How old the stream's newest line is, in seconds (`None`: none in the last five minutes), or why
/// the stream could not be read.
async fn newest_line(clients: &crate::backend::aws::AwsClients, stream_arn: &str) -> Result<Option<i64>, String> {
    let stream = crate::backend::aws::KinesisStream::connect(&clients.sdk, stream_arn).map_err(|e| e.to_string())?;
    let now = Timestamp::now();
    let since = now - jiff::SignedDuration::from_mins(5);
    let newest =
        crate::backend::edge_stream::newest::newest_arrival(&stream, since).await.map_err(|e| e.to_string())?;
    Ok(newest.map(|at| now.duration_since(at).as_secs().max(0)))
}

/// The behaviors to log: those named, else every switchable route of the config.
pub fn chosen(spec: &DistributionSpec, snapshot: &Snapshot, choice: &RouteChoice) -> Vec<String> {
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

fn wanted(settings: &EdgeLogSettings, behaviors: Vec<String>) -> Wanted {
    Wanted {
        stream_arn: settings.stream_arn.clone(),
        realtime_log_config_arn: settings.realtime_log_config_arn.clone(),
        fields: settings.fields.clone(),
        sampling_percent: settings.sampling_percent,
        behaviors,
    }
}

fn cannot_read(id: &str, error: impl std::fmt::Display) -> HeadlessError {
    HeadlessError::Failed(format!("cannot read the edge logs of {id}: {error}"))
}

// Long: the four actions share the read, then each prints and decides in a few lines; apart they
// would repeat the reading and the refusals.
/// One action on one distribution over `calls` (AWS, or AWS with mocked clients): the exit code,
/// or why nothing (more) was done.
pub async fn execute<C: EdgeLogCalls, W: Write>(
    calls: &C,
    settings: &EdgeLogSettings,
    spec: &DistributionSpec,
    action: &EdgeLogsAction,
    audit: Option<&Audit>,
    newest_line: Option<Result<Option<i64>, String>>,
    out: &mut Output<W>,
) -> Result<u8, HeadlessError> {
    let id = calls.distribution_id().to_string();
    let empty = wanted(settings, Vec::new());
    let mut snapshot = edge_log_steps::read(calls, &empty).await.map_err(|e| cannot_read(&id, e))?;
    let (plan, yes, what, want) = match action {
        EdgeLogsAction::Status(args) | EdgeLogsAction::Plan(args) => {
            let want = wanted(settings, chosen(spec, &snapshot, &args.choice));
            let status = status(&id, &want, &snapshot.found);
            let plan = plan_install(&id, &want, &snapshot.found);
            if args.json {
                out.json(&serde_json::json!({
                    "distribution": id,
                    "complete": status.complete,
                    "wanted": want.behaviors,
                    "logging": status.logging,
                    "lines": status.lines,
                    "problems": status.problems,
                    "plan": plan_json(&plan),
                    "newest_line_age_s": newest_line.as_ref().and_then(|n| n.as_ref().ok().copied().flatten()),
                    "stream_error": newest_line.as_ref().and_then(|n| n.as_ref().err()),
                }));
            } else {
                for line in &status.lines {
                    out.line(line);
                }
                match &newest_line {
                    Some(Ok(Some(age))) => out.line(&format!("newest line on the stream: {age}s old")),
                    Some(Ok(None)) => out.line("newest line on the stream: none in the last 5 minutes"),
                    Some(Err(why)) => {
                        out.line(&format!("newest line on the stream: not known, the stream could not be read ({why})"))
                    }
                    None => {}
                }
                for problem in &status.problems {
                    out.line(&format!("problem: {problem}"));
                }
            }
            if let EdgeLogsAction::Status(_) = action {
                if !args.json {
                    out.line(if status.complete {
                        "edge logs are installed: every chosen behavior logs to the configuration"
                    } else {
                        "edge logs are not fully installed: `cutover edge-logs install --yes` mends it (`cutover edge-logs plan` says how)"
                    });
                }
                // A stream that cannot be read is edge logs nobody can vouch for: not healthy.
                if let Some(Err(why)) = newest_line.as_ref().filter(|_| status.complete) {
                    return Err(HeadlessError::Failed(format!(
                        "the stream {} could not be read: {why}",
                        settings.stream_arn
                    )));
                }
                return Ok(if status.complete { 0 } else { EXIT_BREACHED });
            }
            if !args.json {
                print_plan(|l| out.line(l), &plan, "install");
            }
            return if plan.refused.is_empty() { Ok(0) } else { Err(refused(&plan)) };
        }
        EdgeLogsAction::Install(args) => {
            let want = wanted(settings, chosen(spec, &snapshot, &args.choice));
            (plan_install(&id, &want, &snapshot.found), args.yes, "install", want)
        }
        EdgeLogsAction::Remove(args) => {
            let picked = (!args.choice.routes.is_empty()).then_some(args.choice.routes.as_slice());
            let want = wanted(settings, args.choice.routes.clone());
            (plan_remove(&id, &want, &snapshot.found, picked), args.yes, "remove", want)
        }
        EdgeLogsAction::Tail(_) => {
            return Err(HeadlessError::Failed("edge-logs tail reads the stream; it is run by `run`".into()));
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
        out.line(&format!("nothing was changed: add --yes to {what} edge logs"));
        return Ok(0);
    }
    let count = plan.steps.len();
    for (n, step) in plan.steps.iter().enumerate() {
        out.line(&format!("step {}/{count}: {}", n + 1, step.describe()));
        let result = edge_log_steps::carry_out(calls, step, &want, &mut snapshot).await;
        let record = AuditRecord::new(Timestamp::now(), RecordKind::EdgeLogsStep, Environment::Live, operator(), &id)
            .with_caller_arn(audit.and_then(|a| a.caller_arn.clone()))
            .with_routes(step.paths().to_vec())
            .with_message(format!("{what} {}: {}", step.kind(), step.describe()));
        let resume = format!("cutover edge-logs {what}");
        let at = (n, count, step.kind());
        settle_step(|l| out.line(l), audit.map(|a| &a.log), record, result, at, &resume)?;
    }
    read_back(calls, &id, &want, what, out).await?;
    out.line(&format!("done: {count} step(s) carried out"));
    Ok(0)
}

/// Everything read again after the steps, and planned again: nothing may be left to do (after
/// `install` every chosen behavior logs to the configuration and every piece is there; after
/// `remove` what was removed is gone). What install never changes (an adopted configuration's
/// missing fields) is not held against it.
async fn read_back<C: EdgeLogCalls, W: Write>(
    calls: &C,
    id: &str,
    want: &Wanted,
    what: &str,
    out: &mut Output<W>,
) -> Result<(), HeadlessError> {
    let again = edge_log_steps::read(calls, want).await.map_err(|e| cannot_read(id, e))?;
    // What the same plan, made again on what AWS now says, would still do or refuse.
    let left = match what {
        "install" => plan_install(id, want, &again.found),
        _ => plan_remove(id, want, &again.found, (!want.behaviors.is_empty()).then_some(&want.behaviors)),
    };
    let mut problems: Vec<String> = left.steps.iter().map(|s| format!("still to do: {}", s.describe())).collect();
    problems.extend(left.refused);
    if problems.is_empty() {
        out.line(&format!("read back: AWS shows the {what} as planned"));
        return Ok(());
    }
    Err(HeadlessError::Failed(format!(
        "AWS took every step but reading it back, {}; look with `cutover edge-logs status`",
        problems.join("; ")
    )))
}
