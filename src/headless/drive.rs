//! Running a console session without a screen: the same `update`, effects and audit trail as the
//! console, driven until something holds, with the event log printed as it grows.

use std::io::Write;
use std::time::Duration;

use super::HeadlessError;
use crate::app::session::{Session, TICK};
use crate::app::state::State;
use crate::audit::is_history;
use crate::backend::Backend;
use crate::domain::format::time_of_day;
use crate::domain::visible;
use crate::output;

/// How long, in the session's time, the first read of routes and numbers may take. Each AWS call
/// gives up after 40 s; this leaves room for the SDK's retries of both.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

/// Prints event-log lines that have not been printed yet, skipping earlier sessions' history.
pub struct EventPrinter<W: Write> {
    out: W,
    printed: usize,
}

impl<W: Write> EventPrinter<W> {
    pub fn new(out: W) -> Self {
        EventPrinter { out, printed: 0 }
    }

    /// Routes and messages carry AWS error text and path patterns: their control characters are
    /// shown as escapes, never sent to the terminal.
    pub fn print_new(&mut self, state: &State) {
        let start = self.printed.min(state.log.len());
        for entry in state.log[start..].iter().filter(|e| !is_history(e)) {
            let route = entry.route.as_deref().map(|r| format!("{}  ", visible::escape(r))).unwrap_or_default();
            let message = visible::escape(&entry.message);
            // Losing a progress line to a closed pipe must not stop a switch half-way.
            output::write_line(
                &mut self.out,
                &format!("{}  {:<5}  {route}{message}", time_of_day(entry.at), entry.level),
            );
        }
        self.printed = state.log.len();
    }

    /// A line of cutover's own between the event-log lines (escaped too, as it may quote errors).
    pub fn note(&mut self, text: &str) {
        output::write_line(&mut self.out, &visible::escape(text));
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Drive `session` until `done` holds (true) or `limit` of the session's time has passed (false).
pub async fn run_until<B: Backend, W: Write>(
    session: &mut Session<B>,
    printer: &mut EventPrinter<W>,
    limit: Duration,
    mut done: impl FnMut(&State) -> bool,
) -> bool {
    let deadline = tokio::time::Instant::now() + session.clock.real_duration(limit);
    let mut ticks = tokio::time::interval(session.clock.real_duration(TICK).max(Duration::from_millis(1)));
    loop {
        printer.print_new(&session.state);
        if done(&session.state) {
            return true;
        }
        // Biased: the same order every time, so a run on a paused clock repeats exactly.
        tokio::select! {
            biased;
            _ = tokio::time::sleep_until(deadline) => return done(&session.state),
            _ = ticks.tick() => session.tick(),
            Some(action) = session.next_action() => session.dispatch(action),
        }
    }
}

/// Read the routes and the first numbers, as the console does when it opens. Routes must come;
/// numbers may fail (the console would show the error and carry on): that error is returned in `Ok`.
pub async fn load<B: Backend, W: Write>(
    session: &mut Session<B>,
    printer: &mut EventPrinter<W>,
) -> Result<Option<String>, HeadlessError> {
    session.tick();
    let settled = |s: &State| !s.topology_pending && !s.metrics_pending;
    let finished = run_until(session, printer, LOAD_LIMIT, settled).await;
    let state = &session.state;
    let id = distribution_label(state);
    if !finished {
        return Err(HeadlessError::Failed(format!("{id}: no answer from AWS within {} s", LOAD_LIMIT.as_secs())));
    }
    if state.topology.is_none() {
        let why = state.banner.clone().unwrap_or_else(|| "reading the distribution failed".to_string());
        return Err(HeadlessError::Failed(format!("{id}: {why}")));
    }
    Ok(state.metrics.is_none().then(|| state.banner.clone().unwrap_or_else(|| "no metrics".to_string())))
}

pub fn distribution_label(state: &State) -> String {
    state.topology.as_ref().map_or_else(|| "the distribution".to_string(), |t| t.distribution_id.clone())
}
