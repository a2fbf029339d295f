//! What one distribution's console knows from CloudFront's real-time logs (issue 22): each route's
//! numbers as the edge saw them, and whether the stream is being read. Written only by
//! `update::edge_logs` (`tests/tidy.rs`).

use jiff::Timestamp;

use crate::domain::edge_log::{Field, Layout};
use crate::domain::edge_numbers::{EdgeNumbers, WINDOW_MAX_SECS, Window};

/// CloudFront's list price for real-time log lines: $0.01 per million.
pub const USD_PER_MILLION_LINES: f64 = 0.01;
/// Numbers whose newest line is older than this are not shown as live: the stream has stalled.
pub const EDGE_STALE_AFTER_SECS: i64 = 60;
/// A shard read this close to its tip is caught up: its lines are as current as the stream's.
pub const CAUGHT_UP_MS: i64 = 5_000;
/// Lines arrive a few seconds after their request, not always in order: a window ends this many
/// seconds before the newest line, so its last second is (nearly) complete.
pub const SETTLE_SECS: i64 = 2;

/// How a distribution's edge logs are read (from `[distribution.edge_logs]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeLogSettings {
    /// The fields the lines carry, in order.
    pub fields: Vec<String>,
    /// Percent of requests logged, 1–100.
    pub sampling_percent: u8,
    /// The window the table, `status` and the edge guards judge, in seconds.
    pub window_secs: u32,
}

impl Default for EdgeLogSettings {
    fn default() -> Self {
        EdgeLogSettings {
            fields: Field::READ.iter().map(|f| f.name().to_string()).collect(),
            sampling_percent: 100,
            window_secs: 30,
        }
    }
}

/// The edge logs of one distribution, as read so far.
#[derive(Clone, Debug)]
pub struct EdgeLogs {
    pub numbers: EdgeNumbers,
    pub layout: Layout,
    pub window_secs: u32,
    /// Why the stream could not be read, since when; `None` while it reads.
    pub trouble: Option<(Timestamp, String)>,
    /// The reader was asked for (once per console).
    pub reader_started: bool,
    /// The reader has listed the shards: seconds since its look back are known.
    pub covered: bool,
    /// How far behind its tip each shard's last read was, in milliseconds: while any is behind,
    /// the reader is catching up and a window would count some shards' lines and not others'.
    pub behind: std::collections::BTreeMap<String, i64>,
    /// Routes whose edge window is past a threshold now, with the breach in words: a guard's
    /// breach in seconds (`update::edge_logs::guard`).
    pub breached: std::collections::BTreeMap<String, String>,
    /// Lines counted in the newest whole minute of arrival, for the cost per hour.
    lines_this_minute: (i64, u64),
    lines_last_minute: u64,
}

impl EdgeLogs {
    pub fn new(settings: &EdgeLogSettings, routes: impl IntoIterator<Item = String>) -> Self {
        EdgeLogs {
            numbers: EdgeNumbers::new(routes, settings.sampling_percent),
            layout: Layout::new(settings.fields.iter().map(String::as_str)),
            window_secs: settings.window_secs.clamp(1, WINDOW_MAX_SECS),
            trouble: None,
            reader_started: false,
            covered: false,
            breached: std::collections::BTreeMap::new(),
            behind: std::collections::BTreeMap::new(),
            lines_this_minute: (i64::MIN, 0),
            lines_last_minute: 0,
        }
    }

    /// Read a record's lines at `now`.
    pub fn add_record(&mut self, data: &[u8], now: Timestamp) {
        let before = self.numbers.tally.counted + self.numbers.tally.bad;
        self.numbers.add_record(&self.layout, data, now.as_millisecond());
        let read = self.numbers.tally.counted + self.numbers.tally.bad - before;
        let minute = now.as_second().div_euclid(60);
        if self.lines_this_minute.0 != minute {
            self.lines_last_minute = if self.lines_this_minute.0 == minute - 1 { self.lines_this_minute.1 } else { 0 };
            self.lines_this_minute = (minute, 0);
        }
        self.lines_this_minute.1 += read;
    }

    /// How old the newest line is at `now`, in whole seconds; `None` before the first.
    pub fn age_secs(&self, now: Timestamp) -> Option<i64> {
        self.numbers.newest_ms.map(|ms| (now.as_millisecond() - ms).div_euclid(1000).max(0))
    }

    /// Whether the numbers are live: a line arrived within [`EDGE_STALE_AFTER_SECS`], and every
    /// shard read has caught up with its tip (within [`CAUGHT_UP_MS`]).
    pub fn live(&self, now: Timestamp) -> bool {
        self.age_secs(now).is_some_and(|age| age <= EDGE_STALE_AFTER_SECS) && self.caught_up()
    }

    /// Every shard's last read was at (or near) its tip.
    pub fn caught_up(&self) -> bool {
        self.behind.values().all(|ms| *ms <= CAUGHT_UP_MS)
    }

    /// The route's window, ending [`SETTLE_SECS`] before the newest line; `None` unless live.
    pub fn window(&self, route: &str, now: Timestamp) -> Option<Window> {
        if !self.live(now) {
            return None;
        }
        let end = self.numbers.newest_ms?.div_euclid(1000) - SETTLE_SECS;
        self.numbers.window(route, end, self.window_secs)
    }

    /// What the lines cost an hour at the last whole minute's rate (CloudFront's part; Kinesis
    /// bills its own by the hour and the gigabyte).
    pub fn usd_per_hour(&self) -> f64 {
        self.lines_last_minute as f64 * 60.0 * USD_PER_MILLION_LINES / 1_000_000.0
    }
}
