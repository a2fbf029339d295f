//! The one event loop: inputs (keys, signals, a deadline), ticks and backend results in, the
//! runtime's `dispatch` for each, and after every turn a look at the result (the console draws;
//! headless commands print and check whether they are done; tests check what they wait for). The
//! console, headless commands and tests all run this loop; it never awaits the backend.

use std::time::Duration;

use crossterm::event::KeyEvent;
use futures::{Stream, StreamExt};

use super::keymap::command_for;
use super::runtime::Runtime;
use crate::backend::Backend;

/// What reaches the loop from outside the runtime.
pub enum Input {
    /// A key, turned into a command by the key map of what has the keyboard.
    Key(KeyEvent),
    /// Something that only asks for a new look (a resized terminal).
    Redraw,
    /// The loop must end, for this reason.
    Stop(Stop),
}

/// Why the loop ended. The loop itself abandons nothing: whoever runs it decides what an ending
/// means for switches still under way.
#[derive(Debug)]
pub enum Stop {
    /// The turn check said so (the operator quit, a headless run is done).
    Done,
    /// A stop signal arrived (SIGTERM, SIGHUP, SIGINT), by name.
    Signal(&'static str),
    /// The deadline passed first.
    Deadline,
    /// The inputs ended (the terminal stopped sending events).
    InputEnded,
    /// Reading the inputs or drawing failed.
    Failed(anyhow::Error),
}

/// What the loop did just before a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Nothing yet: the loop has just started.
    Start,
    /// An input came (a key, a resized terminal).
    Input,
    /// The clock moved.
    Tick,
    /// A backend result was applied.
    Action,
}

/// Run `runtime` until `turn` returns a stop or an input ends the loop. `turn` runs before the first
/// wait and after every input, tick and action, told which; ticks come every `tick` of tokio's time.
pub async fn run<B: Backend>(
    runtime: &mut Runtime<B>,
    mut inputs: impl Stream<Item = Input> + Unpin,
    tick: Duration,
    mut turn: impl FnMut(&Runtime<B>, Turn) -> Option<Stop>,
) -> Stop {
    let mut ticks = tokio::time::interval(tick.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut last = Turn::Start;
    loop {
        if let Some(stop) = turn(runtime, last) {
            return stop;
        }
        // Biased: the same order every time, so a run on a paused clock repeats exactly; inputs
        // first, so a key or a deadline is never starved by a busy backend.
        last = tokio::select! {
            biased;
            input = inputs.next() => match input {
                Some(Input::Key(key)) => {
                    #[cfg(debug_assertions)]
                    super::debug_panic::on_key(&key);
                    if let Some(command) = command_for(runtime.console.shown().context(), &key) {
                        runtime.press(command);
                    }
                    Turn::Input
                }
                Some(Input::Redraw) => Turn::Input,
                Some(Input::Stop(stop)) => return stop,
                None => return Stop::InputEnded,
            },
            _ = ticks.tick() => {
                runtime.tick();
                Turn::Tick
            }
            Some(action) = runtime.next_action() => {
                runtime.dispatch(action);
                Turn::Action
            }
        }
    }
}

/// An input that stops the loop with [`Stop::Deadline`] when tokio's clock reaches `at`.
pub fn deadline(at: tokio::time::Instant) -> impl Stream<Item = Input> + Unpin {
    let fires = futures::stream::once(tokio::time::sleep_until(at)).map(|()| Input::Stop(Stop::Deadline));
    Box::pin(fires.chain(futures::stream::pending()))
}

/// Stop signals as inputs: each stops the loop with [`Stop::Signal`].
pub fn signals(signals: super::signals::StopSignals) -> impl Stream<Item = Input> + Unpin {
    signals.into_stream().map(|name| Input::Stop(Stop::Signal(name)))
}
