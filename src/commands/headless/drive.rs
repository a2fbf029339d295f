//! Running the console's runtime without a screen: the same `update`, effects, audit trail and
//! event loop as the console, driven until something holds, with the event log printed as it grows.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use futures::Stream;

use super::HeadlessError;
use crate::app::console::Console;
use crate::app::event_loop::{self, Input, Stop};
use crate::app::model::state::State;
use crate::app::runtime::{Runtime, TICK};
use crate::audit::is_history;
use crate::backend::Backend;
use crate::domain::format::time_of_day;
use crate::domain::visible;
use crate::output;

/// How long, in the console's time, the first read of routes and numbers may take. Each AWS call
/// gives up after 40 s; this leaves room for the SDK's retries of both.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

/// Prints event-log lines that have not been printed yet, per distribution, skipping earlier
/// sessions' history.
pub struct EventPrinter<W: Write> {
    out: W,
    /// How many of each distribution's entries have been looked at.
    printed: HashMap<String, usize>,
}

impl<W: Write> EventPrinter<W> {
    pub fn new(out: W) -> Self {
        EventPrinter { out, printed: HashMap::new() }
    }

    /// Routes and messages carry AWS error text and path patterns: their control characters are
    /// shown as escapes, never sent to the terminal.
    pub fn print_new(&mut self, state: &State) {
        let printed = self.printed.entry(state.distribution_id.clone()).or_default();
        let start = (*printed).min(state.notices.log.len());
        for entry in state.notices.log[start..].iter().filter(|e| !is_history(e)) {
            let route = entry.route.as_deref().map(|r| format!("{}  ", visible::escape(r))).unwrap_or_default();
            let message = visible::escape(&entry.message);
            // Losing a progress line to a closed pipe must not stop a switch half-way.
            output::write_line(
                &mut self.out,
                &format!("{}  {:<5}  {route}{message}", time_of_day(entry.at), entry.level),
            );
        }
        *printed = state.notices.log.len();
    }

    /// New lines of every distribution of the console.
    pub fn print_all(&mut self, console: &Console) {
        for state in &console.distributions {
            self.print_new(state);
        }
    }

    /// A line of cutover's own between the event-log lines (escaped too, as it may quote errors).
    pub fn note(&mut self, text: &str) {
        output::write_line(&mut self.out, &visible::escape(text));
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// How a headless wait ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Waited {
    /// What was waited for holds.
    Done,
    /// The time limit passed first.
    TimedOut,
    /// A stop signal came first, by name.
    Signal(&'static str),
}

/// Drive `runtime` through the event loop until `done` holds or `limit` of the console's time has
/// passed, with `signals` (or any other stopping input) racing the wait.
pub async fn run_until<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    printer: &mut EventPrinter<W>,
    limit: Duration,
    signals: impl Stream<Item = Input> + Unpin,
    mut done: impl FnMut(&Console) -> bool,
) -> Waited {
    let deadline = tokio::time::Instant::now() + runtime.clock.real_duration(limit);
    let inputs = futures::stream::select(event_loop::deadline(deadline), signals);
    let tick = runtime.clock.real_duration(TICK);
    let stop = event_loop::run(runtime, inputs, tick, |runtime, _| {
        printer.print_all(&runtime.console);
        done(&runtime.console).then_some(Stop::Done)
    })
    .await;
    match stop {
        Stop::Signal(name) => Waited::Signal(name),
        _ if done(&runtime.console) => Waited::Done,
        _ => Waited::TimedOut,
    }
}

/// Read every distribution's routes and first numbers, as the console does when it opens. Routes
/// must come; numbers may fail (the console would show the error and carry on): each
/// distribution's error is returned in `Ok`, in the console's order.
pub async fn load<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    printer: &mut EventPrinter<W>,
) -> Result<Vec<Option<String>>, HeadlessError> {
    runtime.tick();
    let settled = |c: &Console| {
        c.distributions.iter().all(|s| {
            !s.learned.topology.in_flight()
                    && !s.learned.metrics.in_flight()
                    && !s.learned.shares.in_flight()
                    // What each stage serves, for `status`: its read fails or answers within the
                    // SDK's timeouts, well inside the load's limit.
                    && s.learned.stages_reading.is_empty()
                    // Edge numbers, when the distribution has edge logs: live, or the stream in
                    // trouble (said), not waited for past the load's limit either way.
                    && s.edge_logs.as_ref().is_none_or(|e| e.trouble.is_some() || e.live(s.now))
                    // The team journal's last hour, so a teammate's unfinished move is warned of
                    // before anything is asked: read, or failing (said).
                    && s.team.journal.as_ref().is_none_or(|j| j.caught_up || j.reading_trouble.is_some())
        })
    };
    let finished = run_until(runtime, printer, LOAD_LIMIT, futures::stream::pending(), settled).await;
    let mut metrics_errors = Vec::new();
    for state in &runtime.console.distributions {
        let id = &state.distribution_id;
        if finished != Waited::Done {
            return Err(HeadlessError::Failed(format!("{id}: no answer from AWS within {} s", LOAD_LIMIT.as_secs())));
        }
        if state.learned.topology.is_none() {
            let why = state.notices.banner.clone().unwrap_or_else(|| "reading the distribution failed".to_string());
            return Err(HeadlessError::Failed(format!("{id}: {why}")));
        }
        metrics_errors.push(
            state
                .learned
                .metrics
                .is_none()
                .then(|| state.notices.banner.clone().unwrap_or_else(|| "no metrics".into())),
        );
    }
    Ok(metrics_errors)
}
