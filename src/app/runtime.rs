//! The console at work without a terminal: the `Console` model, each distribution's backend, the
//! action channel and the audit trail. `dispatch` is the one door into `update`; the effects it
//! returns are started here. The event loop drives a runtime with keys and ticks; headless
//! commands and tests drive the same runtime through the same loop.

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::action::{Action, Effect, Event, On};
use super::audit_sink::AuditSink;
use super::command::Command;
use super::console::Console;
use super::effects::EffectRunner;
use super::model::state::State;
pub use super::notifications::Notifications;
use super::update::update;
use crate::audit::{AuditLog, AuditRecord};
use crate::backend::Backend;
use crate::backend::ports::Ports;
use crate::clock::Clock;

/// How often a headless run wakes up on its own to move the clock and print (the console wakes
/// once a second: `terminal::CLOCK_FRAME`).
pub const TICK: Duration = Duration::from_millis(250);

/// How long a run's end waits for its records to reach the team journal.
pub const JOURNAL_FLUSH: Duration = Duration::from_secs(5);

/// How long a run's end waits for its notifications to go out.
pub const NOTIFY_FLUSH: Duration = Duration::from_secs(10);

pub struct Runtime<B: Backend> {
    pub console: Console,
    pub clock: Clock,
    /// One per distribution, in the console's order.
    runners: Vec<EffectRunner<B>>,
    actions: UnboundedReceiver<Action>,
    /// Times the terminal bell was asked for.
    pub bells: u32,
    /// Where audit records go; `None` keeps none (tests that do not look at them).
    audit: Option<AuditSink>,
    /// Tells the team what happened (`[notify]`; the demo's file); disabled without.
    notifications: Notifications,
    /// The channel's sending end, for what reports from outside the runners (the notifier).
    sender: UnboundedSender<Action>,
}

impl<B: Backend> Runtime<B> {
    /// A runtime on each distribution's starting state and its ports, the first shown.
    ///
    /// # Panics
    /// With no distribution: a console always shows one. In debug builds, when a state's
    /// `policy.router` and its ports disagree on whether it has the router's store.
    pub fn new<P: Into<Ports<B>>>(distributions: Vec<(State, P)>, clock: Clock) -> Self {
        let (sender, actions) = unbounded_channel();
        let (states, runners) = distributions
            .into_iter()
            .map(|(state, ports)| {
                let ports = ports.into();
                debug_assert_eq!(
                    state.policy.router,
                    ports.has_router(),
                    "{}: the setup's router and the ports' store disagree",
                    state.distribution_id
                );
                let runner = EffectRunner::new(&state.distribution_id, ports, clock.clone(), sender.clone());
                (state, runner)
            })
            .unzip();
        let notifications = Notifications::disabled();
        Runtime { console: Console::new(states), clock, runners, actions, bells: 0, audit: None, notifications, sender }
    }

    /// A runtime on one distribution.
    pub fn single(state: State, ports: impl Into<Ports<B>>, clock: Clock) -> Self {
        Self::new(vec![(state, ports.into())], clock)
    }

    /// Draw with `theme`, and let `t` cycle through `names`.
    pub fn with_themes(mut self, theme: &str, names: Vec<String>) -> Self {
        self.console = self.console.with_themes(theme, names);
        self
    }

    /// Tell the team through `notifier` from now on. A stage move to a configured fallback
    /// deployment is told as a rollback.
    pub fn with_notifier(mut self, notifier: crate::backend::notify::Notifier) -> Self {
        let fallbacks = (self.console.distributions.iter())
            .flat_map(|s| s.policy.stages.values().filter_map(|r| r.fallback_deployment.clone()))
            .collect();
        self.notifications = Notifications::new(notifier, fallbacks);
        self
    }

    /// Where a notifier's reports go: each distribution's event log.
    pub fn notify_reporter(&self) -> crate::backend::notify::Reporter {
        let sender = self.sender.clone();
        let ids: Vec<String> = self.console.distributions.iter().map(|s| s.distribution_id.clone()).collect();
        std::sync::Arc::new(move |report| {
            let (failed, message) = super::notifications::in_words(&report);
            for id in &ids {
                let _ = sender.send(Action::to(id.clone(), Event::Notified { failed, message: message.clone() }));
            }
        })
    }

    /// Before a run ends: send what the team journal's senders hold (what they cannot send in
    /// [`JOURNAL_FLUSH`] waits in the outbox for the next run), then the notifications.
    pub async fn flush_team(&mut self) {
        for runner in &self.runners {
            runner.flush_journal(JOURNAL_FLUSH).await;
        }
        self.flush_notifications().await;
    }

    /// Send what the notifier still holds, before a run ends; a target that keeps failing (or
    /// asks to wait) is given [`NOTIFY_FLUSH`] at most, never the responder's exit.
    async fn flush_notifications(&mut self) {
        let notifications = std::mem::replace(&mut self.notifications, Notifications::disabled());
        if tokio::time::timeout(NOTIFY_FLUSH, notifications.flush()).await.is_err() {
            tracing::warn!("notifications still unsent after {NOTIFY_FLUSH:?}: left behind");
        }
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

    /// The state of the distribution shown.
    pub fn state(&self) -> &State {
        self.console.shown()
    }

    /// Whether the audit trail can take a record now, without writing one; a failure reaches every
    /// distribution as a failed write would (banner, event log). `Ok` when the runtime keeps no trail.
    pub fn check_audit(&mut self) -> Result<(), String> {
        let Some(sink) = &self.audit else { return Ok(()) };
        let result = sink.check();
        let ids: Vec<String> = self.console.distributions.iter().map(|s| s.distribution_id.clone()).collect();
        for distribution_id in ids {
            self.dispatch(Action::to(distribution_id, Event::AuditTrail { result: result.clone() }));
        }
        result
    }

    /// Apply one action and start the effects it asks for.
    pub fn dispatch(&mut self, action: Action) {
        for effect in update(&mut self.console, action) {
            match effect {
                Effect::Bell => self.bells += 1,
                Effect::Audit(record) => self.write_audit(&record),
                Effect::Notify(notice) => self.notifications.send(notice),
                Effect::On(work) => self.start(work),
            }
        }
    }

    /// Hand a distribution's work to its runner.
    fn start(&self, work: On) {
        match self.runner_of(&work.distribution_id) {
            Some(runner) => runner.run(work),
            None => tracing::error!(?work, "work for a distribution the console does not have"),
        }
    }

    fn runner_of(&self, distribution_id: &str) -> Option<&EffectRunner<B>> {
        let index = self.console.distributions.iter().position(|s| s.distribution_id == distribution_id);
        index.and_then(|i| self.runners.get(i))
    }

    /// Append a record before this update's result is drawn: a switch must be on disk before the
    /// screen calls it done. It blocks the UI task for one small synced write, a few times per switch.
    /// How it went reaches the record's distribution as an action, so a failure stays on screen
    /// until a write works.
    fn write_audit(&mut self, record: &AuditRecord) {
        let Some(sink) = &mut self.audit else { return };
        let result = sink.write(record);
        if let Err(error) = &result {
            tracing::error!(%error, kind = record.kind.as_str(), "audit record not written");
        }
        // After the local write, which stays the source of truth; neither waits on the network.
        self.notifications.record(record, result.as_ref().err());
        if let Some(runner) = self.runner_of(&record.distribution) {
            runner.share_in_journal(record);
        }
        self.dispatch(Action::to(record.distribution.clone(), Event::AuditTrail { result }));
    }

    pub fn press(&mut self, command: Command) {
        self.dispatch(Action::Command(command));
    }

    pub fn tick(&mut self) {
        let now = self.clock.now();
        self.dispatch(Action::Tick(now));
    }

    /// Wait for the next backend result (for the event loop's `select!`). Cancel-safe: the
    /// channel keeps what was not taken.
    pub async fn next_action(&mut self) -> Option<Action> {
        self.actions.recv().await
    }

    /// Apply every backend result that has already arrived.
    pub fn drain(&mut self) {
        while let Ok(action) = self.actions.try_recv() {
            self.dispatch(action);
        }
    }
}
