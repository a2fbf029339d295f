//! The console on a terminal: the terminal's events and stop signals as the event loop's inputs,
//! a frame drawn after every turn, the bell, and what an ending means for switches under way.
//!
//! However the loop ends — the operator quits, a signal, the terminal's input ending or failing,
//! a frame that cannot be drawn — every switch still under way ends `abandoned`, with why, in the
//! event log and the audit trail: no switch is left without its last word.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend as TerminalBackend;

use super::action::Action;
use super::event_loop::{self, Input, Stop, Turn};
use super::runtime::Runtime;
use super::signals::StopSignals;
use crate::backend::Backend;
use crate::theme::{Colours, Theme, ThemeSet};

/// Colours to draw with: the console's theme as the terminal can draw it (24-bit, the 256-colour
/// palette, or no colour when `NO_COLOR` asks for it).
pub struct Palette {
    themes: ThemeSet,
    colours: Colours,
    current: Option<(String, Theme)>,
}

impl Palette {
    pub fn new(themes: ThemeSet, colours: Colours) -> Self {
        Palette { themes, colours, current: None }
    }

    pub fn names(&self) -> Vec<String> {
        self.themes.names()
    }

    pub fn theme(&mut self, name: &str) -> &Theme {
        if self.current.as_ref().is_none_or(|(n, _)| n != name) {
            let theme = self.themes.get(name).cloned().unwrap_or_else(Theme::default_dark);
            let theme = self.colours.apply(theme);
            self.current = Some((name.to_string(), theme));
        }
        &self.current.as_ref().expect("just set").1
    }
}

/// Take over the terminal, run until the user quits, and give the terminal back as it was.
pub async fn run<B: Backend>(runtime: &mut Runtime<B>, palette: &mut Palette) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("the console needs an interactive terminal: run it in a terminal window, not through a pipe");
    }
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let result = drive(&mut terminal, EventStream::new(), runtime, palette).await;
    ratatui::restore();
    result
}

/// Why switches end `abandoned` when the terminal's input ends without a signal.
pub const INPUT_ENDED: &str = "the terminal's input ended before AWS confirmed it";

/// The console on `terminal` with `events` as its input (the console: the real terminal's; tests:
/// ratatui's `TestBackend` and a list). When it ends for any reason but a quit, every switch still
/// under way is recorded as abandoned, with why, before this returns.
pub async fn drive<T, B>(
    terminal: &mut Terminal<T>,
    events: impl Stream<Item = std::io::Result<Event>> + Unpin,
    runtime: &mut Runtime<B>,
    palette: &mut Palette,
) -> anyhow::Result<()>
where
    T: TerminalBackend,
    T::Error: Send + Sync + 'static,
    B: Backend,
{
    let signals = match StopSignals::install() {
        Ok(signals) => event_loop::signals(signals),
        Err(error) => {
            let error = anyhow::Error::new(error).context("cannot listen for SIGTERM, SIGHUP and SIGINT");
            return end(runtime, Stop::Failed(error));
        }
    };
    let inputs = futures::stream::select(terminal_inputs(events), signals);
    let mut bells_rung = runtime.bells;
    let mut frames = Frames::default();
    let stop = event_loop::run(runtime, inputs, CLOCK_FRAME, |runtime, turn| {
        if runtime.console.quit() {
            return Some(Stop::Done);
        }
        if runtime.bells != bells_rung {
            bells_rung = runtime.bells;
            // The bell is a byte to the terminal, outside ratatui's buffer.
            let mut stdout = std::io::stdout();
            let _ = stdout.write_all(b"\x07").and_then(|()| stdout.flush());
        }
        if !frames.due(turn, runtime.console.revision, tokio::time::Instant::now()) {
            return None;
        }
        let tabs = runtime.console.tabs();
        let state = runtime.console.shown();
        let theme = palette.theme(&runtime.console.theme);
        if let Err(error) = terminal.draw(|frame| crate::ui::render_deck(frame, &tabs, state, theme)) {
            return Some(Stop::Failed(anyhow::Error::new(error).context("drawing on the terminal failed")));
        }
        None
    })
    .await;
    end(runtime, stop)
}

/// How often the console wakes by itself: to move the clock (countdowns, ages), start the refreshes
/// that are due, and draw a frame if only the clock changed. Keys and backend results wake it at
/// once; idle, it costs one wake-up a second.
const CLOCK_FRAME: Duration = Duration::from_secs(1);

/// When a frame is worth drawing: at once after an input or a change of the model, and once a second
/// while only the clock moves (the console's own ticks come every [`CLOCK_FRAME`]; a tick that
/// changed nothing but the clock sooner than that after the last frame draws nothing).
#[derive(Default)]
struct Frames {
    /// The console's revision and the moment of the last frame drawn.
    drawn: Option<(u64, tokio::time::Instant)>,
}

impl Frames {
    fn due(&mut self, turn: Turn, revision: u64, now: tokio::time::Instant) -> bool {
        let due = match self.drawn {
            None => true,
            Some((drawn, at)) => turn != Turn::Tick || drawn != revision || now.duration_since(at) >= CLOCK_FRAME,
        };
        if due {
            self.drawn = Some((revision, now));
        }
        due
    }
}

/// What the loop's ending means: a quit has already abandoned what was unfinished; any other ending
/// abandons it now, saying why.
fn end<B: Backend>(runtime: &mut Runtime<B>, stop: Stop) -> anyhow::Result<()> {
    let (reason, result) = match stop {
        Stop::Done | Stop::Deadline => return Ok(()),
        Stop::Signal(name) => {
            tracing::warn!(signal = name, "stopping on a signal");
            (format!("cutover got {name} before AWS confirmed it"), Ok(()))
        }
        Stop::InputEnded => (INPUT_ENDED.to_string(), Ok(())),
        Stop::Failed(error) => (format!("the console stopped before AWS confirmed it: {error:#}"), Err(error)),
    };
    tracing::warn!(%reason, "console ended");
    runtime.dispatch(Action::Abandon { reason });
    result
}

/// The terminal's events as loop inputs: keys, a redraw for anything else, and the end or a
/// failure of the stream as a stop.
fn terminal_inputs(events: impl Stream<Item = std::io::Result<Event>> + Unpin) -> impl Stream<Item = Input> + Unpin {
    let inputs = events.map(|event| match event {
        Ok(Event::Key(key)) => Input::Key(key),
        Ok(_) => Input::Redraw,
        Err(error) => Input::Stop(Stop::Failed(anyhow::Error::new(error).context("reading the terminal failed"))),
    });
    inputs.chain(futures::stream::iter([Input::Stop(Stop::InputEnded)]))
}

#[cfg(test)]
mod tests {
    use super::{CLOCK_FRAME, Frames, Turn};

    #[tokio::test(start_paused = true)]
    async fn the_clock_alone_draws_once_a_second_and_anything_else_at_once() {
        let mut frames = Frames::default();
        let start = tokio::time::Instant::now();
        assert!(frames.due(Turn::Start, 0, start));
        let quarter = std::time::Duration::from_millis(250);
        assert!(!frames.due(Turn::Tick, 0, start + quarter), "only the clock moved");
        assert!(frames.due(Turn::Tick, 1, start + quarter * 2), "the tick changed the model");
        assert!(!frames.due(Turn::Tick, 1, start + quarter * 3));
        assert!(frames.due(Turn::Input, 1, start + quarter * 3), "a key or a resize");
        assert!(frames.due(Turn::Action, 1, start + quarter * 3), "a backend result");
        assert!(frames.due(Turn::Tick, 1, start + quarter * 3 + CLOCK_FRAME), "a second of clock");
    }
}
