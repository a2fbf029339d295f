//! The real-time log stream's news: records into each route's edge numbers, and the stream's
//! trouble said once when it starts and once when it ends.

use crate::app::action::Effect;
use crate::app::model::state::State;
use crate::domain::Level;
use crate::domain::format::duration_short;

/// Count the records' lines, at the console's now.
pub fn records(state: &mut State, records: &[bytes::Bytes]) -> Vec<Effect> {
    let now = state.now;
    if let Some(edge) = &mut state.edge_logs {
        for record in records {
            edge.add_record(record, now);
        }
    }
    Vec::new()
}

/// The stream could not be read, or reads again.
pub fn stream(state: &mut State, trouble: Option<String>) -> Vec<Effect> {
    let now = state.now;
    let Some(edge) = &mut state.edge_logs else { return Vec::new() };
    match (trouble, edge.trouble.take()) {
        (Some(why), None) => {
            edge.trouble = Some((now, why.clone()));
            state.log(
                Level::Warn,
                None,
                format!("edge logs cannot be read: {why}; the table shows CloudWatch's numbers"),
            );
        }
        (Some(why), Some((since, _))) => edge.trouble = Some((since, why)),
        (None, Some((since, _))) => {
            let outage = duration_short(now.duration_since(since).as_secs());
            state.log(Level::Info, None, format!("edge logs read again after {outage}"));
        }
        (None, None) => {}
    }
    Vec::new()
}
