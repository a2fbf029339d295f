//! Someone else's unfinished move, as the team journal tells it (issue 23): the confirm dialog
//! says it before `y`, and headless `switch` and `rollback-all` print it before they ask.

use crate::app::model::state::{MoveSource, State};

/// On the same routes, or for a rollback of everything, anywhere on the distribution.
pub(super) fn moving(state: &State, kind: MoveSource, paths: &[String]) -> Vec<String> {
    let Some(journal) = &state.team.journal else { return Vec::new() };
    let routes = (kind != MoveSource::RollbackAll).then_some(paths);
    journal.unfinished_on(routes, state.now).map(|m| m.describe(state.now)).into_iter().collect()
}
