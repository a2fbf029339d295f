//! What a user can ask for. Commands describe themselves, so the help overlay and the footer are
//! generated from the same key map that handles keys.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    SelectUp,
    SelectDown,
    SelectFirst,
    SelectLast,
    /// The next route (after the selected one, wrapping) with a guard breached.
    SelectNextBreached,
    Switch,
    /// A routed route: Lambda's share one step up (0, 1, 5, 10, 25, 50, 100 %), through the store.
    ShareUp,
    /// A routed route: Lambda's share one step down.
    ShareDown,
    /// A routed route: start its rollout plan (confirmed once for every step).
    StartPlan,
    /// Pause the selected route's rollout plan, or resume it.
    PausePlan,
    /// Abort the selected route's rollout plan: its share back to 0.
    AbortPlan,
    RollbackAll,
    Undo,
    /// A route with an API Gateway stage: list the stage's deployments to point it at another.
    StageRollback,
    Confirm,
    /// Send the dialog's switch although the pre-flight blocked it (or the audit trail fails).
    ConfirmOverride,
    Cancel,
    ToggleEvents,
    ScrollEventsUp,
    ScrollEventsDown,
    StartFilter,
    FilterInput(char),
    FilterBackspace,
    FilterDone,
    FilterClear,
    CycleTheme,
    Refresh,
    /// Probe the selected route through the distribution now.
    Probe,
    NextDistribution,
    PreviousDistribution,
    ToggleHelp,
    /// Demo only: the simulated AWS takes on the next fault (none, each alone, none again).
    CycleFaults,
    Quit,
    /// Quit although switches are unfinished, recording each as abandoned.
    ConfirmQuit,
}

impl Command {
    /// What the help overlay says it does. Commands with the same description share one help row
    /// with all their keys (`PgUp/PgDn scroll the event log`), so a pair is described once, for both.
    pub fn description(self) -> &'static str {
        match self {
            Command::SelectUp | Command::SelectDown => "select the route above / below",
            Command::SelectFirst => "select the first route",
            Command::SelectLast => "select the last route",
            Command::SelectNextBreached => "select next breached route ▲",
            Command::Switch => "switch route: Lambda ⇄ origin",
            Command::ShareUp => "routed: λ share up / down",
            Command::ShareDown => "routed: λ share up / down",
            // One help row for the three, keys in the order of the words: P/Z/X.
            Command::StartPlan | Command::PausePlan | Command::AbortPlan => "routed plan: start/pause/abort",
            // One help row for the two rollbacks, keys in the order of the words: R/D.
            Command::RollbackAll | Command::StageRollback => "roll back all λ / API stage",
            Command::Undo => "undo this session's last switch",
            Command::Confirm => "confirm the switch",
            Command::ConfirmOverride => "switch past a block",
            Command::Cancel => "cancel",
            Command::ToggleEvents => "open or close the event log",
            Command::ScrollEventsUp => "scroll the event log",
            Command::ScrollEventsDown => "scroll the event log",
            Command::StartFilter => "filter routes by text",
            Command::FilterInput(_) => "type the filter",
            Command::FilterBackspace => "delete a character",
            Command::FilterDone => "keep the filter and return to the table",
            Command::FilterClear => "clear the filter",
            Command::CycleTheme => "next colour theme",
            Command::Refresh => "refresh metrics and routes now",
            Command::Probe => "probe the route via the edge",
            Command::NextDistribution => "next / previous distribution",
            Command::PreviousDistribution => "next / previous distribution",
            Command::ToggleHelp => "show or hide this help",
            Command::CycleFaults => "demo: inject the next AWS fault",
            Command::Quit => "quit",
            Command::ConfirmQuit => "quit anyway; unfinished switches are recorded as abandoned",
        }
    }

    /// A short word for the footer; commands with the same word share one entry there (`↑↓ select`).
    pub fn short(self) -> &'static str {
        match self {
            Command::SelectUp | Command::SelectDown => "select",
            Command::Switch => "switch",
            Command::ShareUp | Command::ShareDown => "share",
            Command::StartPlan => "plan",
            Command::RollbackAll => "rollback all",
            Command::Undo => "undo",
            Command::Confirm => "confirm",
            Command::ConfirmOverride => "override",
            Command::Cancel => "cancel",
            Command::ToggleEvents => "events",
            Command::StartFilter => "filter",
            Command::CycleTheme => "theme",
            Command::Refresh => "refresh",
            Command::Probe => "probe",
            Command::ToggleHelp => "help",
            Command::ConfirmQuit => "quit anyway",
            Command::Quit => "quit",
            _ => self.description(),
        }
    }
}
