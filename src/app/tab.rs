//! One distribution as the tab strip shows it: a summary of its state, so that the screen needs
//! nothing of the runtime that owns the sessions.

use super::model::state::State;
use crate::domain::DeployStatus;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tab {
    pub distribution_id: String,
    pub shown: bool,
    /// Routes with a guard breached.
    pub breached: usize,
    /// A change is reaching the edges.
    pub deploying: bool,
}

impl Tab {
    pub fn of(distribution_id: &str, state: &State, shown: bool) -> Tab {
        let topology = state.learned.topology.as_ref();
        Tab {
            distribution_id: distribution_id.to_string(),
            shown,
            breached: state.routes.iter().filter(|r| !r.alert.is_empty()).count(),
            deploying: topology.is_some_and(|t| t.status == DeployStatus::InProgress),
        }
    }
}
