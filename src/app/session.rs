//! A running console without a terminal: state, the effect runner and the action channel.
//! The event loop drives one with keys and ticks; scenario tests drive one with commands and
//! tokio's paused clock.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::action::{Action, Effect};
use super::audit_sink::AuditSink;
use super::command::Command;
use super::effects::EffectRunner;
use super::state::State;
use super::update::update;
use crate::audit::{AuditLog, AuditRecord};
use crate::backend::Backend;
use crate::clock::Clock;

/// How often the UI wakes up on its own to move the clock and redraw.
pub const TICK: Duration = Duration::from_millis(250);

pub struct Session<B: Backend> {
    pub state: State,
    pub clock: Clock,
    runner: EffectRunner<B>,
    actions: UnboundedReceiver<Action>,
    /// Times the terminal bell was asked for.
    pub bells: u32,
    /// Where audit records go; `None` keeps none (tests that do not look at them).
    audit: Option<AuditSink>,
}

impl<B: Backend> Session<B> {
    pub fn new(state: State, backend: Arc<B>, clock: Clock) -> Self {
        let (sender, actions) = unbounded_channel();
        let runner = EffectRunner::new(backend, clock.clone(), sender);
        Session { state, clock, runner, actions, bells: 0, audit: None }
    }

    /// Keep an audit trail in `log`.
    pub fn with_audit(mut self, log: AuditLog) -> Self {
        self.audit = Some(AuditSink::new(log));
        self
    }

    /// An audit trail was wanted but there is none, for `why` (no home directory): every record
    /// fails to be stored, and says so, as a write to an unwritable trail would.
    pub fn with_audit_unavailable(mut self, why: impl Into<String>) -> Self {
        self.audit = Some(AuditSink::unavailable(why));
        self
    }

    /// Records the trail cannot take go to `out` as JSON lines (headless: standard error), so
    /// that they are somewhere a responder can see and keep.
    pub fn keep_unstored_audit_in(&mut self, out: Box<dyn std::io::Write + Send>) {
        if let Some(sink) = &mut self.audit {
            sink.keep_unstored_in(out);
        }
    }

    /// Whether the audit trail can take a record now, without writing one; a failure reaches the
    /// state as a failed write would (banner, event log). `Ok` when the session keeps no trail.
    pub fn check_audit(&mut self) -> Result<(), String> {
        let Some(sink) = &self.audit else { return Ok(()) };
        let result = sink.check();
        self.dispatch(Action::AuditTrail(result.clone()));
        result
    }

    /// Apply one action and start the effects it asks for.
    pub fn dispatch(&mut self, action: Action) {
        for effect in update(&mut self.state, action) {
            match effect {
                Effect::Bell => self.bells += 1,
                Effect::Audit(record) => self.write_audit(&record),
                other => self.runner.run(other),
            }
        }
    }

    /// Append a record before this update's result is drawn: a switch must be on disk before the
    /// screen calls it done. It blocks the UI task for one small synced write, a few times per switch.
    /// How it went reaches the state as an action, so a failure stays on screen until a write works.
    fn write_audit(&mut self, record: &AuditRecord) {
        let Some(sink) = &mut self.audit else { return };
        let result = sink.write(record);
        if let Err(error) = &result {
            tracing::error!(%error, kind = record.kind.as_str(), "audit record not written");
        }
        self.dispatch(Action::AuditTrail(result));
    }

    pub fn press(&mut self, command: Command) {
        self.dispatch(Action::Command(command));
    }

    pub fn tick(&mut self) {
        let now = self.clock.now();
        self.dispatch(Action::Tick(now));
    }

    /// Wait for the next backend result (for the event loop's `select!`).
    pub async fn next_action(&mut self) -> Option<Action> {
        self.actions.recv().await
    }

    /// Apply every backend result that has already arrived.
    pub fn drain(&mut self) {
        while let Ok(action) = self.actions.try_recv() {
            self.dispatch(action);
        }
    }

    /// Let `real` time pass on tokio's clock as the event loop would: ticking, and applying
    /// backend results as they arrive. With a paused clock this runs in milliseconds.
    pub async fn run_for(&mut self, real: Duration) {
        let deadline = tokio::time::Instant::now() + real;
        let mut ticks = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = ticks.tick() => self.tick(),
                Some(action) = self.actions.recv() => self.dispatch(action),
            }
        }
        self.drain();
    }

    /// Run (in simulated time) until `done` holds, or give up after `limit` of simulated time.
    pub async fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&State) -> bool) -> bool {
        let step = self.clock.real_duration(Duration::from_secs(1));
        let steps = limit.as_secs().max(1);
        for _ in 0..steps {
            if done(&self.state) {
                return true;
            }
            self.run_for(step).await;
        }
        done(&self.state)
    }
}
