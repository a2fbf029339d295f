//! The demo world the `--demo` commands and `cutover demo` share: the world kept in the state
//! directory (`backend::sim::kept`, `demo-world.json`) resumed, or a fresh one when none is kept;
//! the console's start for it (`setup`); and after a command that changed it, the world kept again.
//! Messages of a `--demo` run name the `--demo` commands, never the live ones (`in_demo_words`).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use jiff::Timestamp;

use crate::app::model::edge_logs::EdgeLogSettings;
use crate::app::model::setup::Setup;
use crate::app::model::state::Mode;
use crate::backend::journal::{JournalPort, SenderOptions};
use crate::backend::ports::Ports;
use crate::backend::sim::crew::SimTeam;
use crate::backend::sim::edge_stream::DEMO_SAMPLING_PERCENT;
use crate::backend::sim::kept::{self, Fresh, KeptError};
use crate::backend::sim::{Scenario, SimBackend, catalog, demo_probe_spec, stage};
use crate::cli::{AwsArgs, DEFAULT_DEMO_SPEED};
use crate::commands::headless::HeadlessError;
pub use crate::domain::demo_words::in_demo_words;

/// The kept world, open in this process.
pub struct DemoWorld {
    pub backend: Arc<SimBackend>,
    path: PathBuf,
    /// Whether no world was kept: this one is new, and kept even when nothing changes it.
    made: bool,
}

impl DemoWorld {
    /// The kept world for a `--demo` command, or a fresh calm one when none is kept; refused when
    /// `--distribution` names another distribution than the demo's.
    pub fn open(aws: &AwsArgs) -> Result<DemoWorld, HeadlessError> {
        let id = catalog::DISTRIBUTION_ID;
        if let Some(other) = aws.distribution.as_deref().filter(|d| *d != id) {
            return Err(HeadlessError::Refused(format!(
                "--demo runs on the demo's distribution {id}, not {other}; drop --distribution or --demo"
            )));
        }
        IN_DEMO.store(true, Ordering::Relaxed);
        DemoWorld::open_kept(None).map_err(refused)
    }

    /// The kept world (its clock at `speed` from now on, when given), or a fresh calm one.
    pub fn open_kept(speed: Option<f64>) -> Result<DemoWorld, KeptError> {
        let path = kept::default_path().ok_or(KeptError::NoStateDir)?;
        let (backend, made) = match kept::load(&path)? {
            Some(world) => {
                let resumed =
                    SimBackend::resume(world, speed).map_err(|why| KeptError::Corrupt { path: path.clone(), why })?;
                (resumed, false)
            }
            None => (SimBackend::fresh(fresh(None, None, speed, None)), true),
        };
        Ok(DemoWorld { backend: Arc::new(backend), path, made })
    }

    /// A fresh world, to be kept in place of the kept one when `keep` is called.
    /// Its clock starts at the real time, or where the kept world's clock is when that is later:
    /// the demo's trail never holds records from the new world's future.
    pub fn fresh(mut fresh: Fresh) -> Result<DemoWorld, KeptError> {
        let path = kept::default_path().ok_or(KeptError::NoStateDir)?;
        let old = kept::load(&path).ok().flatten().and_then(|old| SimBackend::resume(old, None).ok());
        if let Some(old) = old {
            fresh.start = fresh.start.max(old.clock().now());
        }
        Ok(DemoWorld { backend: Arc::new(SimBackend::fresh(fresh)), path, made: true })
    }

    /// Whether no world was kept before this one.
    pub fn is_new(&self) -> bool {
        self.made
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Keep the world as it is now.
    pub fn keep(&self) -> Result<(), KeptError> {
        kept::save(&self.path, &self.backend.keep())
    }

    /// Keep the world after a command: always when it `changed` it or the world is new (a
    /// command that only read a kept world leaves the file alone, so that a `status --demo` run
    /// beside a switch never writes an older world over the switch's). A world that cannot be kept
    /// fails the command, unless it failed already (the reason is then printed).
    pub fn after(&self, changed: bool, result: anyhow::Result<u8>) -> anyhow::Result<u8> {
        let result = result.map_err(reworded);
        if !(changed || self.made) {
            return result;
        }
        match (self.keep(), result) {
            (Ok(()), result) => result,
            (Err(error), Ok(_)) => Err(HeadlessError::Failed(error.to_string()).into()),
            (Err(error), Err(failed)) => {
                crate::output::stderr_line(&format!("cutover: {error}"));
                Err(failed)
            }
        }
    }
}

/// Whether this process runs a `--demo` command: its lines name the demo's commands.
static IN_DEMO: AtomicBool = AtomicBool::new(false);

/// `text` as this process says it: in the demo's words when it runs a `--demo` command.
pub fn said(text: &str) -> Cow<'_, str> {
    if IN_DEMO.load(Ordering::Relaxed) { Cow::Owned(in_demo_words(text)) } else { Cow::Borrowed(text) }
}

/// How a fresh world is made: the scenario, seed and speed asked for, else calm, a seed from the
/// clock and 10×.
pub fn fresh(scenario: Option<Scenario>, seed: Option<u64>, speed: Option<f64>, routes: Option<usize>) -> Fresh {
    Fresh {
        scenario: scenario.unwrap_or_default(),
        seed: seed.unwrap_or_else(|| Timestamp::now().as_millisecond().unsigned_abs()),
        speed: speed.unwrap_or(DEFAULT_DEMO_SPEED),
        routes: routes.unwrap_or(catalog::routes().len()),
        start: Timestamp::now(),
    }
}

/// The console's start on `backend`'s distribution: the demo's mode and operator, the router where
/// the world routes a route, a probe for every route, the one stage behind every Lambda side.
pub fn setup(backend: &SimBackend) -> Setup {
    let id = backend.distribution_id().to_string();
    let mode = Mode::Demo { scenario: backend.scenario().name().to_string() };
    let mut setup = Setup::new(&id, mode, operator(), backend.clock().now());
    setup.router = !backend.routed().is_empty();
    let routes = catalog::routes_of(backend.route_count());
    // Every demo route has a probe, answered by the simulated edges.
    setup.probes = routes.iter().map(|r| (r.path.clone(), demo_probe_spec(&r.path))).collect();
    // Every route's Lambda side is behind the demo's one API Gateway stage (`D` rolls it back).
    setup.stages = routes
        .into_iter()
        .filter(|r| r.home != catalog::STATIC_ORIGIN_ID)
        .map(|r| (r.path, stage::demo_route_stage()))
        .collect();
    // Its edge logs: the world's lines, sampled, on its in-process stream (`SimBackend::ports`).
    setup.edge_logs = Some(EdgeLogSettings { sampling_percent: DEMO_SAMPLING_PERCENT, ..EdgeLogSettings::default() });
    setup
}

/// The demo distribution's team, as `[team]` gives a live one (issue 23): the console's journal
/// is the world's own, in this process (the log group `/cutover/<id>`; no outbox, so the demo never
/// leaves entries for a live run), and its CloudTrail is the world's (`sim::trail`). The team's
/// pieces, for the `crew` scenario's teammate (`sim::crew`).
pub fn team(backend: &SimBackend, setup: &mut Setup, ports: Ports<SimBackend>) -> (Ports<SimBackend>, SimTeam) {
    let group = crate::config::team::default_log_group(backend.distribution_id());
    let team = SimTeam::new(backend, &group);
    setup.team_log_group = Some(group);
    let options = SenderOptions { presence: Some("console".into()), outbox: None, ..Default::default() };
    let calls = Arc::new(team.journal.clone());
    let journal = JournalPort::new(calls, &setup.operator, setup.now, &setup.run_id, options);
    let ports = ports.with_journal(journal).with_change_authors(Arc::new(team.trail.clone()));
    (ports, team)
}

/// A kept world that does not read or cannot be found is the operator's to mend: nothing was done.
fn refused(error: KeptError) -> HeadlessError {
    match error {
        KeptError::Write { .. } => HeadlessError::Failed(error.to_string()),
        _ => HeadlessError::Refused(error.to_string()),
    }
}

/// A headless error said in the demo's words, its exit code kept.
fn reworded(error: anyhow::Error) -> anyhow::Error {
    match error.downcast::<HeadlessError>() {
        Ok(error) => {
            HeadlessError::Reworded { exit: error.exit_code(), text: in_demo_words(&error.to_string()) }.into()
        }
        Err(error) => error,
    }
}

/// The local user, for the event log: the environment first (what `sudo` and shells set), then
/// the account database.
pub fn operator() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown user".into())
}

/// The demo's notifications file, `<state dir>/notify-demo.jsonl`: what a `[notify]` webhook would
/// be sent, one JSON line a message, so a rehearsal shows what the team would hear.
pub const NOTIFY_FILE_NAME: &str = "notify-demo.jsonl";

/// The demo's notifier, writing to [`NOTIFY_FILE_NAME`] with the default `on`; `None` without a
/// state directory.
pub fn notifier<B: crate::backend::Backend>(
    runtime: &crate::app::runtime::Runtime<B>,
) -> Option<crate::backend::notify::Notifier> {
    use crate::backend::notify::{NotifierOptions, Target, spawn_notifier};
    let path = crate::logging::log_dir()?.join(NOTIFY_FILE_NAME);
    let report = runtime.notify_reporter();
    let options =
        NotifierOptions::new(crate::notify::NotifyOn::default_set(), runtime.clock.clone(), move |r| report(r));
    Some(spawn_notifier(vec![Target::File { path }], options))
}
