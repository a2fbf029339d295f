//! Selection, filtering, panes and overlays: everything that only changes what is looked at.

use crate::app::command::Command;
use crate::app::intent::remedies;
use crate::app::model::state::{Overlay, State};
use crate::domain::Level;

/// How many log entries PgUp / PgDn move.
const LOG_PAGE: usize = 5;

pub fn handle(state: &mut State, command: Command) {
    match command {
        Command::SelectUp => move_selection(state, -1),
        Command::SelectDown => move_selection(state, 1),
        Command::SelectFirst => move_selection(state, isize::MIN),
        Command::SelectLast => move_selection(state, isize::MAX),
        Command::SelectNextBreached => select_next_breached(state),
        Command::Cancel => state.view.overlay = Overlay::None,
        Command::ToggleEvents => {
            state.view.log_open = !state.view.log_open;
            state.view.log_scroll = 0;
        }
        Command::ScrollEventsUp => {
            state.view.log_open = true;
            state.view.log_scroll = (state.view.log_scroll + LOG_PAGE).min(state.notices.log.len().saturating_sub(1));
        }
        Command::ScrollEventsDown => state.view.log_scroll = state.view.log_scroll.saturating_sub(LOG_PAGE),
        Command::StartFilter => state.view.filter_editing = true,
        Command::FilterInput(c) => {
            state.view.filter.push(c);
            keep_selection_visible(state);
        }
        Command::FilterBackspace => {
            state.view.filter.pop();
            keep_selection_visible(state);
        }
        Command::FilterDone => state.view.filter_editing = false,
        Command::FilterClear => {
            state.view.filter.clear();
            state.view.filter_editing = false;
            keep_selection_visible(state);
        }
        Command::ToggleHelp => {
            state.view.overlay = if state.view.overlay == Overlay::Help { Overlay::None } else { Overlay::Help };
        }
        // Handled by `update` itself: they reach the outside world, or the whole console (tabs,
        // theme, faults, quitting).
        Command::Switch
        | Command::ShareUp
        | Command::ShareDown
        | Command::StartPlan
        | Command::PausePlan
        | Command::AbortPlan
        | Command::RollbackAll
        | Command::Undo
        | Command::StageRollback
        | Command::Confirm
        | Command::ConfirmOverride
        | Command::Refresh
        | Command::Probe
        | Command::CycleFaults
        | Command::CycleTheme
        | Command::NextDistribution
        | Command::PreviousDistribution
        | Command::Quit
        | Command::ConfirmQuit => {}
    }
}

fn move_selection(state: &mut State, delta: isize) {
    let visible = state.visible_routes();
    if visible.is_empty() {
        return;
    }
    let current = state.selected_index().unwrap_or(0) as isize;
    let last = visible.len() as isize - 1;
    let next = current.saturating_add(delta).clamp(0, last) as usize;
    state.view.selected = Some(visible[next].path.clone());
}

/// Jump to the next shown route with a guard breached, after the selected one and wrapping
/// round, so that one key finds a sick route scrolled out of view.
fn select_next_breached(state: &mut State) {
    let visible = state.visible_routes();
    let after = state.selected_index_in(&visible).map_or(0, |i| i + 1);
    // Breached as the table marks it: an alert, or the newest minute past a threshold (a `!`).
    let next = (0..visible.len())
        .map(|k| &visible[(after + k) % visible.len()])
        .find(|r| remedies::breaching(state, r) || !r.alert.is_empty());
    match next.map(|r| r.path.clone()) {
        Some(next) => state.view.selected = Some(next),
        None => {
            let message = "no route is breached: a has nothing to jump to";
            state.log(Level::Info, None, message);
            state.notices.flash(message);
        }
    }
}

/// After the rows change, keep the selected route if it is still shown, else take the first.
pub fn keep_selection_visible(state: &mut State) {
    if !state.selection_shown() {
        state.view.selected = state.first_visible().map(|r| r.path.clone());
    }
}
