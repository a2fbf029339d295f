//! `update`: the only place state changes. Pure: no IO, no await, no clock of its own; the time
//! is the last `Tick`. What needs the outside world comes back as `Effect`s.

mod audit;
mod audit_trail;
mod faults;
mod guards;
mod navigation;
pub mod quitting;
mod refresh;
pub mod switching;

#[cfg(test)]
mod tests;

use super::action::{Action, Effect};
use super::command::Command;
use super::state::State;

/// Why switches end `abandoned` when the operator quits anyway.
pub const QUIT_REASON: &str = "the operator quit the console before AWS confirmed it";

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => refresh::tick(state, now),
        Action::Command(command) => command_(state, command),
        Action::TopologyLoaded { generation, result } => refresh::topology_loaded(state, generation, result),
        Action::MetricsLoaded(result) => refresh::metrics_loaded(state, result),
        Action::SwitchConflict { id, stale_etag } => switching::conflict(state, id, &stale_etag),
        Action::SwitchAccepted { id, etag_before, etag_after, status, already_there } => {
            switching::accepted(state, id, etag_before, etag_after, status, already_there)
        }
        Action::SwitchFailed { id, error } => switching::failed(state, id, &error),
        Action::DeployStatus { distribution_id, result } => switching::deploy_status(state, &distribution_id, result),
        Action::QuitRequested { elsewhere } => quitting::request(state, elsewhere),
        Action::Abandon { reason } => quitting::abandon_all(state, &reason),
        Action::ConfirmForced { reason } => switching::confirm_override(state, Some(reason)),
        Action::AuditTrail(result) => audit_trail::answered(state, result),
    }
}

fn command_(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Switch => switching::open_confirm(state),
        Command::RollbackAll => switching::open_rollback_all(state),
        Command::Undo => switching::open_undo(state),
        Command::Confirm => switching::confirm(state),
        Command::ConfirmOverride => switching::confirm_override(state, None),
        Command::Refresh => refresh::refresh_now(state),
        Command::CycleFaults => faults::cycle(state),
        Command::Quit => quitting::request(state, Vec::new()),
        Command::ConfirmQuit => quitting::abandon_all(state, QUIT_REASON),
        other => {
            navigation::handle(state, other);
            Vec::new()
        }
    }
}
