//! `update`: the only place the console changes. Pure: no IO, no await, no clock of its own; the time
//! is the last `Tick`. What needs the outside world comes back as `Effect`s.

mod audit;
mod audit_trail;
pub mod dialogs;
mod edge_logs;
mod faults;
mod guards;
mod navigation;
pub mod quitting;
mod refresh;
mod router_health;
pub mod stage;
pub mod switching;
mod team;

#[cfg(test)]
mod tests;

use super::action::{Action, Effect, Event, To};
use super::command::Command;
use super::console::Console;
use super::intent::{Request, ShareStep};
use super::model::state::{Overlay, State};

/// Why switches end `abandoned` when the operator quits anyway.
pub const QUIT_REASON: &str = "the operator quit the console before AWS confirmed it";

/// The one place the console changes. Console-wide actions reach every distribution (the clock,
/// abandoning) or the console itself (tabs, theme, quitting); keys go to the distribution shown;
/// everything else names its distribution and goes there alone.
pub fn update(console: &mut Console, action: Action) -> Vec<Effect> {
    let clock_only = matches!(action, Action::Tick(_));
    let effects = route(console, action);
    // A tick that asks for nothing only moved the clock (countdowns, ages); anything else may
    // change what is on screen.
    if !clock_only || !effects.is_empty() {
        console.revision += 1;
    }
    effects
}

fn route(console: &mut Console, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => every(console, |state| refresh::tick(state, now)),
        Action::Abandon { reason } => every(console, |state| quitting::abandon_all(state, &reason)),
        Action::Command(command) => console_command(console, command),
        // Every envelope names a distribution of this console: the runtime only hears from its own.
        Action::To(To { distribution_id, event }) => {
            console.distribution_mut(&distribution_id).map_or_else(Vec::new, |state| event_(state, event))
        }
    }
}

fn every(console: &mut Console, step: impl FnMut(&mut State) -> Vec<Effect>) -> Vec<Effect> {
    console.distributions.iter_mut().flat_map(step).collect()
}

/// Keys that concern the whole console; the rest go to the distribution shown.
fn console_command(console: &mut Console, command: Command) -> Vec<Effect> {
    let count = console.distributions.len();
    match command {
        Command::NextDistribution => console.shown = (console.shown + 1) % count,
        Command::PreviousDistribution => console.shown = (console.shown + count - 1) % count,
        Command::CycleTheme => {
            let names = &console.theme_names;
            let next = names.iter().position(|n| *n == console.theme).map_or(0, |i| (i + 1) % names.len());
            if let Some(name) = names.get(next) {
                console.theme = name.clone();
                let shown = console.shown;
                console.distributions[shown].notices.flash(format!("theme: {name} (t: next)"));
            }
        }
        // Faults are the simulated account's, so every distribution of the demo has them.
        Command::CycleFaults => return every(console, faults::cycle),
        // Quitting asks first if any distribution has a switch unfinished, naming them all.
        Command::Quit => {
            let shown = console.shown;
            let elsewhere: Vec<String> = (console.distributions.iter().enumerate())
                .filter(|(i, _)| *i != shown)
                .flat_map(|(_, s)| quitting::risks(s).into_iter().map(move |r| format!("{}: {r}", s.distribution_id)))
                .collect();
            return quitting::request(&mut console.distributions[shown], elsewhere);
        }
        Command::ConfirmQuit => return every(console, |state| quitting::abandon_all(state, QUIT_REASON)),
        other => return distribution(&mut console.distributions[console.shown], Action::Command(other)),
    }
    Vec::new()
}

/// One distribution's part of `update`: its own keys and what was learned about it.
pub(crate) fn distribution(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => refresh::tick(state, now),
        Action::Command(command) => command_(state, command),
        Action::Abandon { reason } => quitting::abandon_all(state, &reason),
        Action::To(To { event, .. }) => event_(state, event),
    }
}

fn event_(state: &mut State, event: Event) -> Vec<Effect> {
    match event {
        Event::Command(command) => command_(state, command),
        Event::TopologyLoaded { generation, result } => refresh::topology_loaded(state, generation, result),
        Event::MetricsLoaded { result } => refresh::metrics_loaded(state, result),
        Event::SwitchConflict { id, stale_etag } => switching::conflict(state, id, &stale_etag),
        Event::SwitchAccepted { id, etag_before, etag_after, status, already_there, read_back } => {
            switching::accepted(state, id, (etag_before, etag_after), status, already_there, read_back)
        }
        Event::SwitchFailed { id, error } => switching::failed(state, id, &error),
        Event::DeployStatus { result } => switching::deploy_status(state, result),
        Event::SharesLoaded { generation, result } => refresh::shares_loaded(state, generation, result),
        Event::SharesAccepted { id, accepted } => switching::shares_accepted(state, id, accepted),
        Event::ProbeAnswered { route, answer } => switching::edge::answered(state, &route, answer),
        Event::StopFollowing { reason } => quitting::abandon_all(state, &reason),
        Event::Show(dialog) => dialogs::show(state, dialog),
        Event::ConfirmForced { reason } => switching::confirm_override(state, Some(reason)),
        Event::AuditTrail { result } => audit_trail::answered(state, result),
        Event::StageLoaded { path, result } => stage::loaded(state, &path, result),
        Event::StageSet { id, result } => stage::set(state, id, result),
        Event::EdgeRecords { shard, records, millis_behind } => {
            edge_logs::records(state, &shard, &records, millis_behind)
        }
        Event::EdgeStream { trouble } => edge_logs::stream(state, trouble),
        Event::EdgeShards { reading, finished, look_back } => edge_logs::shards(state, reading, &finished, look_back),
        Event::JournalHeard { entries } => team::heard(state, entries),
        Event::JournalRefused { count, why } => team::refused(state, count, &why),
        Event::JournalReading { trouble } => team::reading(state, trouble),
        Event::JournalSending { pending, sent, trouble } => team::sending(state, pending, sent, trouble),
        Event::AuthorsFound { result } => team::authors_found(state, result),
    }
}

fn command_(state: &mut State, command: Command) -> Vec<Effect> {
    // The stage's dialogs take their own keys; the switch dialog's are `y`, `!` and `n` below.
    if let Overlay::StagePicker(_) | Overlay::ConfirmStage(_) = state.view.overlay {
        return stage::dialog_key(state, command);
    }
    let selected = state.selected_route().map(|r| r.path.clone());
    let on_selected = |request: fn(String) -> Request| selected.clone().map(request);
    let request = match command {
        Command::Switch => on_selected(|path| Request::Switch { path }),
        Command::ShareUp => on_selected(|path| Request::ShareStep { path, step: ShareStep::Up }),
        Command::ShareDown => on_selected(|path| Request::ShareStep { path, step: ShareStep::Down }),
        Command::StartPlan => {
            selected.clone().map(|path| Request::Rollout { plan: state.plan_for(&path).clone(), path })
        }
        Command::StageRollback => on_selected(|path| Request::StageList { path }),
        Command::RollbackAll => Some(Request::RollbackAll),
        Command::Undo => Some(Request::Undo),
        _ => None,
    };
    if let Some(request) = request {
        return dialogs::open(state, request);
    }
    match command {
        Command::PausePlan => switching::plan::toggle_pause(state),
        Command::AbortPlan => switching::plan::abort_selected(state),
        Command::Confirm => switching::confirm(state),
        Command::ConfirmOverride => switching::confirm_override(state, None),
        Command::Refresh => refresh::refresh_now(state),
        Command::Probe => switching::edge::probe_now(state),
        Command::CycleFaults => faults::cycle(state),
        Command::Quit => quitting::request(state, Vec::new()),
        Command::ConfirmQuit => quitting::abandon_all(state, QUIT_REASON),
        other => {
            navigation::handle(state, other);
            Vec::new()
        }
    }
}
