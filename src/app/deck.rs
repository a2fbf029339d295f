//! Several distributions in one console: a session each, one shown at a time. Keys go to the shown
//! session, so `s`, `R` and `u` act on the distribution of the selected route; ticks and backend
//! results reach every session, so the ones not shown keep refreshing, tracking rollouts, writing
//! the audit trail and ringing the bell.

use futures::future::select_all;

use super::action::Action;
use super::command::Command;
use super::session::Session;
use super::tab::Tab;
use super::update::{QUIT_REASON, quitting};
use crate::backend::Backend;

pub struct Deck<B: Backend> {
    sessions: Vec<Session<B>>,
    /// Each session's distribution id, known before its first read comes back.
    ids: Vec<String>,
    shown: usize,
}

impl<B: Backend> Deck<B> {
    /// Sessions with the id of the distribution each watches, shown in this order.
    ///
    /// # Panics
    /// With no session: a console always shows one.
    pub fn new(sessions: Vec<(String, Session<B>)>) -> Self {
        assert!(!sessions.is_empty(), "a console needs at least one distribution");
        let (ids, sessions) = sessions.into_iter().unzip();
        Deck { sessions, ids, shown: 0 }
    }

    pub fn shown(&self) -> &Session<B> {
        &self.sessions[self.shown]
    }

    pub fn shown_mut(&mut self) -> &mut Session<B> {
        &mut self.sessions[self.shown]
    }

    pub fn sessions(&self) -> &[Session<B>] {
        &self.sessions
    }

    pub fn press(&mut self, command: Command) {
        let count = self.sessions.len();
        match command {
            Command::NextDistribution => self.show((self.shown + 1) % count),
            Command::PreviousDistribution => self.show((self.shown + count - 1) % count),
            Command::CycleTheme => {
                self.shown_mut().press(command);
                let theme = self.shown().state.theme.clone();
                for session in &mut self.sessions {
                    session.state.theme.clone_from(&theme);
                }
            }
            // Faults are the simulated account's, so every distribution of the demo has them.
            Command::CycleFaults => {
                for session in &mut self.sessions {
                    session.press(Command::CycleFaults);
                }
            }
            // Quitting asks first if any distribution has a switch unfinished, naming them all.
            Command::Quit => {
                let shown = self.shown;
                let elsewhere: Vec<String> = (self.sessions.iter().zip(&self.ids).enumerate())
                    .filter(|(i, _)| *i != shown)
                    .flat_map(|(_, (s, id))| quitting::risks(&s.state).into_iter().map(move |r| format!("{id}: {r}")))
                    .collect();
                self.shown_mut().dispatch(Action::QuitRequested { elsewhere });
            }
            Command::ConfirmQuit => self.abandon_all(QUIT_REASON),
            other => self.shown_mut().press(other),
        }
    }

    /// Stop following every unfinished switch of every distribution, recording why, and quit.
    pub fn abandon_all(&mut self, reason: &str) {
        for session in &mut self.sessions {
            session.dispatch(Action::Abandon { reason: reason.to_string() });
        }
    }

    fn show(&mut self, index: usize) {
        self.shown = index;
    }

    pub fn tick(&mut self) {
        for session in &mut self.sessions {
            session.tick();
        }
    }

    /// The next backend result of any session, with the index of the session it belongs to.
    /// Cancel-safe: the sessions' channels keep what was not taken.
    pub async fn next_action(&mut self) -> Option<(usize, Action)> {
        let waits = self.sessions.iter_mut().map(|s| Box::pin(s.next_action()));
        let (action, index, _) = select_all(waits).await;
        action.map(|action| (index, action))
    }

    pub fn dispatch(&mut self, index: usize, action: Action) {
        if let Some(session) = self.sessions.get_mut(index) {
            session.dispatch(action);
        }
    }

    /// Let `real` time pass on tokio's clock as the event loop would (for tests on a paused clock).
    pub async fn run_for(&mut self, real: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + real;
        let mut ticks = tokio::time::interval(super::session::TICK);
        loop {
            // Biased: the same order every time, so a test on a paused clock sees the same run.
            tokio::select! {
                biased;
                _ = tokio::time::sleep_until(deadline) => break,
                _ = ticks.tick() => self.tick(),
                Some((index, action)) = self.next_action() => self.dispatch(index, action),
            }
        }
    }

    /// Times any session asked for the bell: a breach on a distribution not shown still rings.
    pub fn bells(&self) -> u32 {
        self.sessions.iter().map(|s| s.bells).sum()
    }

    pub fn quit(&self) -> bool {
        self.shown().state.quit
    }

    /// The tab strip's content; empty with a single distribution, which needs no tabs.
    pub fn tabs(&self) -> Vec<Tab> {
        if self.sessions.len() < 2 {
            return Vec::new();
        }
        let tabs = self.sessions.iter().zip(&self.ids).enumerate();
        tabs.map(|(i, (s, id))| Tab::of(id, &s.state, i == self.shown)).collect()
    }
}
