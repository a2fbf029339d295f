//! The terminal loop: keys, backend results and ticks in; frames out. It never awaits the
//! backend: results arrive as actions over the session's channel.
//!
//! However the loop ends — the operator quits, a signal, the terminal's input ending or failing,
//! a frame that cannot be drawn — every switch still under way ends `abandoned`, with why, in the
//! event log and the audit trail: no switch is left without its last word.

use std::io::Write;

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend as TerminalBackend;

use super::deck::Deck;
use super::keymap::command_for;
use super::session::TICK;
use super::signals::StopSignals;
use crate::backend::Backend;
use crate::theme::{Theme, ThemeSet};

/// Colours to draw with: the state's theme, stripped of colour when `NO_COLOR` asks for it.
pub struct Palette {
    themes: ThemeSet,
    no_color: bool,
    current: Option<(String, Theme)>,
}

impl Palette {
    pub fn new(themes: ThemeSet, no_color: bool) -> Self {
        Palette { themes, no_color, current: None }
    }

    pub fn names(&self) -> Vec<String> {
        self.themes.names()
    }

    pub fn theme(&mut self, name: &str) -> &Theme {
        if self.current.as_ref().is_none_or(|(n, _)| n != name) {
            let theme = self.themes.get(name).cloned().unwrap_or_else(Theme::default_dark);
            let theme = if self.no_color { theme.without_color() } else { theme };
            self.current = Some((name.to_string(), theme));
        }
        &self.current.as_ref().expect("just set").1
    }
}

/// Take over the terminal, run until the user quits, and give the terminal back as it was.
pub async fn run<B: Backend>(deck: &mut Deck<B>, palette: &mut Palette) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("the console needs an interactive terminal: run it in a terminal window, not through a pipe");
    }
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let result = drive(&mut terminal, EventStream::new(), deck, palette).await;
    ratatui::restore();
    result
}

/// Why switches end `abandoned` when the terminal's input ends without a signal.
pub const INPUT_ENDED: &str = "the terminal's input ended before AWS confirmed it";

/// How the loop stopped.
enum Stop {
    /// The operator quit, or a signal came: every unfinished switch is already abandoned.
    Done,
    /// The terminal stopped sending events.
    InputEnded,
    /// Reading the terminal or drawing on it failed.
    Failed(anyhow::Error),
}

/// The loop on `terminal` with `events` as its input (the console: the real terminal's; tests:
/// ratatui's `TestBackend` and a list). When it ends for any reason but a quit or a signal, every
/// switch still under way is recorded as abandoned before this returns.
pub async fn drive<T, B>(
    terminal: &mut Terminal<T>,
    events: impl Stream<Item = std::io::Result<Event>> + Unpin,
    deck: &mut Deck<B>,
    palette: &mut Palette,
) -> anyhow::Result<()>
where
    T: TerminalBackend,
    T::Error: Send + Sync + 'static,
    B: Backend,
{
    let (reason, result) = match run_loop(terminal, events, deck, palette).await {
        Stop::Done => return Ok(()),
        Stop::InputEnded => (INPUT_ENDED.to_string(), Ok(())),
        Stop::Failed(error) => (format!("the console stopped before AWS confirmed it: {error:#}"), Err(error)),
    };
    tracing::warn!(%reason, "console ended");
    deck.abandon_all(&reason);
    result
}

async fn run_loop<T, B>(
    terminal: &mut Terminal<T>,
    mut keys: impl Stream<Item = std::io::Result<Event>> + Unpin,
    deck: &mut Deck<B>,
    palette: &mut Palette,
) -> Stop
where
    T: TerminalBackend,
    T::Error: Send + Sync + 'static,
    B: Backend,
{
    let mut stop = match StopSignals::install() {
        Ok(stop) => stop,
        Err(error) => {
            return Stop::Failed(anyhow::Error::new(error).context("cannot listen for SIGTERM, SIGHUP and SIGINT"));
        }
    };
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut bells_rung = deck.bells();
    loop {
        let tabs = deck.tabs();
        let state = &deck.shown().state;
        let theme = palette.theme(&state.theme);
        if let Err(error) = terminal.draw(|frame| crate::ui::render_deck(frame, &tabs, state, theme)) {
            return Stop::Failed(anyhow::Error::new(error).context("drawing on the terminal failed"));
        }
        if deck.quit() {
            return Stop::Done;
        }
        tokio::select! {
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    #[cfg(debug_assertions)]
                    super::debug_panic::on_key(&key);
                    if let Some(command) = command_for(deck.shown().state.context(), &key) {
                        deck.press(command);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(error)) => return Stop::Failed(anyhow::Error::new(error).context("reading the terminal failed")),
                None => return Stop::InputEnded,
            },
            Some((index, action)) = deck.next_action() => deck.dispatch(index, action),
            name = stop.next() => {
                tracing::warn!(signal = name, "stopping on a signal");
                deck.abandon_all(&format!("cutover got {name} before AWS confirmed it"));
                return Stop::Done;
            }
            _ = ticks.tick() => deck.tick(),
        }
        if deck.bells() != bells_rung {
            bells_rung = deck.bells();
            // The bell is a byte to the terminal, outside ratatui's buffer.
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(b"\x07").and_then(|()| stdout.flush());
        }
    }
}
