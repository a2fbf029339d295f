//! The real-time log stream's news: records into each route's edge numbers, and the stream's
//! trouble said once when it starts and once when it ends.

use std::time::Duration;

use jiff::SignedDuration;

use crate::app::action::{Effect, Work};
use crate::app::model::state::State;
use crate::domain::Level;
use crate::domain::format::{duration_short, time_of_day};

/// Ask for the stream to be read, once, when the distribution has edge logs and its routes are
/// known (a line of a route not known yet would be refused as another distribution's).
pub fn start_reader(state: &mut State) -> Vec<Effect> {
    let routes_known = !state.routes.is_empty();
    match &mut state.edge_logs {
        Some(edge) if !edge.reader_started && routes_known => {
            edge.reader_started = true;
            vec![Effect::on(state.distribution_id.clone(), Work::ReadEdgeLogs)]
        }
        _ => Vec::new(),
    }
}

/// The reader lists the shards: from its first listing on, it has read the stream from
/// `look_back` before, so a second since then without a line had no requests.
pub fn shards(state: &mut State, reading: usize, look_back: Duration) -> Vec<Effect> {
    let now = state.now;
    let Some(edge) = &mut state.edge_logs else { return Vec::new() };
    if !edge.covered {
        edge.covered = true;
        let from = now - SignedDuration::try_from(look_back).unwrap_or_default();
        edge.numbers.covered_from(from.as_millisecond());
        state.log(
            Level::Info,
            None,
            format!("edge logs: reading {reading} shard(s) of the stream, from {} on", time_of_day(from)),
        );
    }
    Vec::new()
}

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
