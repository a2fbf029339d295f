//! `cutover stage ROUTE --list | --deployment ID`: the console's stage rollback without a screen.
//! It opens the same session, reads the route's stage's deployments through the same picker, and
//! moves the stage through the same confirm dialog, recorded in the audit trail like `D` and `y`.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::HeadlessError;
use super::apply::{Confirmer, holding};
use super::drive::{EventPrinter, Waited, run_until};
use super::prompt::TerminalConfirmer;
use super::run::{Opened, Purpose, load_for_change, on_world, open_runtime};
use crate::app::action::{Action, Event};
use crate::app::command::Command;
use crate::app::console::Console;
use crate::app::event_loop;
use crate::app::intent::{self, Dialog, Request};
use crate::app::model::state::{MovePhase, Overlay, StagePicker};
use crate::app::runtime::Runtime;
use crate::app::signals::StopSignals;
use crate::backend::Backend;
use crate::cli::{AwsArgs, StageArgs};
use crate::domain::stage::StageRef;
use crate::domain::visible;
use crate::output;

/// How long the stage's read and `UpdateStage` may take, each.
const STAGE_LIMIT: Duration = Duration::from_secs(60);

/// `cutover stage`: 0 listed or moved (or already there), 2 refused, 1 failed.
pub async fn stage(args: &StageArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let changes = args.deployment.is_some();
    on_world!(open_runtime(aws, Purpose::Change).await?, changes, |runtime| {
        let mut printer = EventPrinter::new(std::io::stderr());
        load_for_change(runtime, &mut printer).await?;
        let lines = run_stage(runtime, args, &mut printer, &mut TerminalConfirmer).await?;
        for line in lines {
            output::stdout_line(&crate::commands::demo_world::said(&line));
        }
        Ok(0)
    })
}

/// The command on a loaded runtime: what to print on standard output, or why not.
pub async fn run_stage<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    args: &StageArgs,
    printer: &mut EventPrinter<W>,
    confirmer: &mut impl Confirmer,
) -> Result<Vec<String>, HeadlessError> {
    let distribution_id = holding(runtime, &args.route)?.distribution_id.clone();
    let picker = read_picker(runtime, &distribution_id, &args.route, printer).await?;
    let deployments = picker.deployments.clone().expect("read");
    let Some(wanted) = &args.deployment else {
        return Ok(if args.json { vec![list_json(&picker, &distribution_id)] } else { list_text(&picker) });
    };
    let stage = visible::escape(&picker.stage.stage.label()).into_owned();
    if *wanted == deployments.current {
        return Ok(vec![format!("stage {stage} already serves deployment {}; nothing to do", visible::escape(wanted))]);
    }
    move_stage(runtime, args, &distribution_id, wanted, printer, confirmer).await?;
    Ok(vec![format!("stage {stage} now serves deployment {}", visible::escape(wanted))])
}

/// The picker `D` opens for `route`, with the stage's deployments read.
async fn read_picker<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    distribution_id: &str,
    route: &str,
    printer: &mut EventPrinter<W>,
) -> Result<StagePicker, HeadlessError> {
    let state = runtime.console.distribution(distribution_id).expect("found");
    let dialog = intent::plan(state, Request::StageList { path: route.to_string() }).map_err(HeadlessError::Refusal)?;
    runtime.dispatch(Action::to(distribution_id.to_string(), Event::Show(dialog)));
    let picker_of = |console: &Console| match &console.distribution(distribution_id)?.view.overlay {
        Overlay::StagePicker(picker) => Some(picker.clone()),
        _ => None,
    };
    if picker_of(&runtime.console).is_none() {
        return Err(refused(&runtime.console, distribution_id));
    }
    let read = |c: &Console| picker_of(c).is_none_or(|p| p.deployments.is_some() || p.error.is_some());
    waited(run_until(runtime, printer, STAGE_LIMIT, futures::stream::pending(), read).await, "reading the stage")?;
    let picker = picker_of(&runtime.console).ok_or_else(|| refused(&runtime.console, distribution_id))?;
    match &picker.error {
        Some(error) => Err(HeadlessError::Failed(format!("could not read the stage's deployments: {error}"))),
        None => Ok(picker),
    }
}

/// Choose `wanted` in the open picker, ask, and send the move through the dialog; `Ok` once
/// API Gateway accepted it.
async fn move_stage<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    args: &StageArgs,
    distribution_id: &str,
    wanted: &str,
    printer: &mut EventPrinter<W>,
    confirmer: &mut impl Confirmer,
) -> Result<(), HeadlessError> {
    let id = distribution_id.to_string();
    let request = Request::StageMove { path: args.route.clone(), deployment_id: wanted.to_string() };
    let state = runtime.console.distribution(distribution_id).expect("found");
    let dialog = intent::plan(state, request).map_err(HeadlessError::Refusal)?;
    let Dialog::ConfirmStage(confirm) = &dialog else {
        unreachable!("a stage move plans the stage's confirm dialog, not {dialog:?}")
    };
    // The dialog's own lines, as the console shows them.
    let text: String = std::iter::once(confirm.title().to_string())
        .chain(confirm.lines().iter().map(|l| format!("  {l}")))
        .chain(confirm.warning().map(|w| format!("  ! {w}")))
        .map(|l| format!("{l}\n"))
        .collect();
    output::stderr_text(&visible::escape_keeping_lines(&text));
    if let Err(why) = runtime.check_audit() {
        if !args.no_audit {
            return Err(HeadlessError::Refused(format!(
                "nothing was sent: the audit trail cannot be written ({why}); make it writable, or add --no-audit"
            )));
        }
        printer.note("going on without the audit trail (--no-audit): its records follow on standard error");
    }
    if !args.yes && !confirmer.confirm("move the stage?")? {
        return Err(HeadlessError::Cancelled);
    }
    let signals = StopSignals::install()
        .map_err(|e| HeadlessError::Failed(format!("cannot listen for Ctrl-C, SIGTERM and SIGHUP: {e}")))?;
    let before = runtime.console.distribution(distribution_id).map_or(0, |s| s.moves.len());
    runtime.dispatch(Action::to(id.clone(), Event::Show(dialog)));
    runtime.dispatch(Action::to(id, Event::Command(Command::Confirm)));
    let answered = |c: &Console| {
        c.distribution(distribution_id).is_none_or(|s| s.moves.get(before).is_none_or(|m| !m.phase.unfinished()))
    };
    let answer = run_until(runtime, printer, STAGE_LIMIT, event_loop::signals(signals), answered).await;
    abandon_unanswered(runtime, printer, &answer);
    waited(answer, "UpdateStage")?;
    printer.print_all(&runtime.console);
    let state = runtime.console.distribution(distribution_id).expect("found");
    let sent = state.moves.get(before).filter(|m| m.stage().is_some());
    match sent.map(|m| (m.phase, m.failure.clone())) {
        Some((MovePhase::Deployed, _)) => Ok(()),
        Some((_, Some(error))) => Err(HeadlessError::Failed(format!("the stage move failed: {error}"))),
        _ => Err(refused(&runtime.console, distribution_id)),
    }
}

/// Stopped waiting with the move unanswered (a signal, the deadline): it ends `stage_abandoned`,
/// saying why, as a switch does.
fn abandon_unanswered<B: Backend, W: Write>(runtime: &mut Runtime<B>, printer: &mut EventPrinter<W>, answer: &Waited) {
    let reason = match answer {
        Waited::Done => return,
        Waited::TimedOut => format!("UpdateStage did not answer within {} s", STAGE_LIMIT.as_secs()),
        Waited::Signal(name) => format!("cutover got {name} while waiting for UpdateStage's answer"),
    };
    runtime.dispatch(Action::Abandon { reason });
    printer.print_all(&runtime.console);
}

fn refused(console: &Console, distribution_id: &str) -> HeadlessError {
    match console.distribution(distribution_id).and_then(|s| s.notices.refused.clone()) {
        Some(refusal) => HeadlessError::Refusal(refusal),
        None => HeadlessError::Refused("the stage was not touched".to_string()),
    }
}

fn waited(waited: Waited, what: &str) -> Result<(), HeadlessError> {
    match waited {
        Waited::Done => Ok(()),
        Waited::TimedOut => Err(HeadlessError::Failed(format!("{what}: no answer within {} s", STAGE_LIMIT.as_secs()))),
        Waited::Signal(name) => Err(HeadlessError::Interrupted(name)),
    }
}

fn list_text(picker: &StagePicker) -> Vec<String> {
    let deployments = picker.deployments.as_ref().expect("read");
    let fallback = picker.stage.fallback_deployment.as_deref();
    let mut lines =
        vec![format!("stage {} of {}", visible::escape(&picker.stage.stage.label()), visible::escape(&picker.path))];
    for d in &deployments.list {
        let created = d.created.map_or_else(|| "-".to_string(), |t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        let marks = [
            (d.id == deployments.current).then_some("serving"),
            (fallback == Some(d.id.as_str())).then_some("fallback"),
        ];
        let marks: Vec<&str> = marks.into_iter().flatten().collect();
        lines.push(format!(
            "{:<12} {:<21} {:<32} {}",
            visible::escape(&d.id),
            created,
            visible::escape(&d.description),
            marks.join(", ")
        ));
    }
    lines
}

fn list_json(picker: &StagePicker, distribution_id: &str) -> String {
    let deployments = picker.deployments.as_ref().expect("read");
    let (api, api_id) = match &picker.stage.stage {
        StageRef::Rest { rest_api_id, .. } => ("rest", rest_api_id),
        StageRef::Http { api_id, .. } => ("http", api_id),
    };
    let list: Vec<_> = (deployments.list.iter())
        .map(|d| {
            json!({
                "id": d.id,
                "description": d.description,
                "created": d.created.map(|t| t.to_string()),
                "serving": d.id == deployments.current,
                "fallback": picker.stage.fallback_deployment.as_deref() == Some(d.id.as_str()),
            })
        })
        .collect();
    let document = json!({
        "distribution": distribution_id,
        "route": picker.path,
        "api": api,
        "api_id": api_id,
        "stage": picker.stage.stage.stage(),
        "current": deployments.current,
        "fallback": picker.stage.fallback_deployment,
        "deployments": list,
    });
    visible::escape_in_json(&document.to_string()).into_owned()
}
