//! Edge log lines into numbers per route: what viewers got, second by second (issue 22).
//!
//! Each route (a cache behavior's path pattern) keeps three rings, so memory is bounded by routes ×
//! window and never grows with traffic:
//!
//! - every second of the last 10 minutes: lines and 5xx (the sparkline, "viewers healthy again",
//!   a guard's 5xx window);
//! - every 10 seconds of the last minute: the status classes, errors CloudFront made itself,
//!   cache hits and a latency sketch (a window's numbers and percentiles);
//! - every minute of the last hour: the same counts and the minute's p50 and p99.
//!
//! Counts are of lines: at a sampling rate below 100 % the rates are scaled up when read, never
//! when stored. Latency goes into DDSketch bins (relative accuracy [`LATENCY_ACCURACY`]), kept
//! sparse because a route's latencies fall in a few dozen bins; a window merges its slots' bins and
//! asks `sketches_ddsketch` for the quantile, so the percentiles are the sketch's, not ours.
//!
//! Lines come from a stream: late, early, out of order or garbage. A line too old for every ring,
//! too far ahead of now, or for a path pattern the distribution does not have is counted (see
//! [`Tally`]) and otherwise ignored, so a bad writer cannot move a ring forward or add a route.

use std::collections::HashMap;

use sketches_ddsketch::{Config, DDSketch};

use super::edge_log::{BadLine, EdgeLine, Layout};

/// Seconds kept per route, one slot each.
pub const SECONDS_KEPT: i64 = 600;
/// The slots that hold a window's breakdown and latency.
pub const SLOT_SECS: i64 = 10;
/// The longest window a guard or the table may ask for.
pub const WINDOW_MAX_SECS: u32 = 60;
/// Slots kept: the longest window, and the slot it starts in when it does not start on a boundary.
const SLOTS_KEPT: i64 = WINDOW_MAX_SECS as i64 / SLOT_SECS + 1;
/// Minutes kept per route.
pub const MINUTES_KEPT: i64 = 60;
/// A percentile is within this fraction of a latency that was seen (DDSketch's guarantee).
pub const LATENCY_ACCURACY: f64 = 0.02;
/// Lines stamped further ahead of now than this are another clock's, not news.
pub const FUTURE_TOLERANCE_SECS: i64 = 60;

/// What happened to the lines offered, since the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Read into a route's numbers.
    pub counted: u64,
    /// Not read: see [`BadLine`]; the newest reason is in [`EdgeNumbers::last_bad`].
    pub bad: u64,
    /// For a path pattern the distribution has no behavior for.
    pub unknown_route: u64,
    /// Older than the newest hour of their route.
    pub too_old: u64,
    /// Stamped more than [`FUTURE_TOLERANCE_SECS`] ahead of now.
    pub from_the_future: u64,
}

/// Lines of one kind or another, over some span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub lines: u32,
    pub status_2xx: u32,
    pub status_3xx: u32,
    pub status_4xx: u32,
    pub status_5xx: u32,
    /// Errors CloudFront answered itself: the origin could not be reached or read, a function failed,
    /// a limit was hit (see [`made_by_the_edge`]).
    pub edge_errors: u32,
    /// Served from the cache.
    pub hits: u32,
}

impl Counts {
    fn add(&mut self, line: &EdgeLine<'_>) {
        self.lines = self.lines.saturating_add(1);
        let class = match line.status.map(|s| s / 100) {
            Some(2) => &mut self.status_2xx,
            Some(3) => &mut self.status_3xx,
            Some(4) => &mut self.status_4xx,
            Some(5) => &mut self.status_5xx,
            _ => return self.add_result(line.detailed_result_type),
        };
        *class = class.saturating_add(1);
        self.add_result(line.detailed_result_type);
    }

    fn add_result(&mut self, result: Option<&str>) {
        match result {
            Some("Hit" | "RefreshHit") => self.hits = self.hits.saturating_add(1),
            Some(kind) if made_by_the_edge(kind) => self.edge_errors = self.edge_errors.saturating_add(1),
            _ => {}
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.lines = self.lines.saturating_add(other.lines);
        self.status_2xx = self.status_2xx.saturating_add(other.status_2xx);
        self.status_3xx = self.status_3xx.saturating_add(other.status_3xx);
        self.status_4xx = self.status_4xx.saturating_add(other.status_4xx);
        self.status_5xx = self.status_5xx.saturating_add(other.status_5xx);
        self.edge_errors = self.edge_errors.saturating_add(other.edge_errors);
        self.hits = self.hits.saturating_add(other.hits);
    }
}

/// Whether `x-edge-detailed-result-type` says CloudFront made the answer itself because something
/// behind it failed, rather than passing on what an origin said (`Error`) or refusing a viewer
/// (`ClientGeoBlocked`, `InvalidRequest…`): the errors a backend's own metrics never see.
pub fn made_by_the_edge(detailed_result_type: &str) -> bool {
    matches!(
        detailed_result_type,
        "OriginCommError"
            | "OriginConnectError"
            | "OriginContentRangeLengthError"
            | "OriginDnsError"
            | "OriginError"
            | "OriginHeaderTooBigError"
            | "OriginInvalidResponseError"
            | "OriginReadError"
            | "OriginWriteError"
            | "OriginZeroSizeObjectError"
            | "SlowReaderOriginError"
            | "AbortedOrigin"
            | "FunctionExecutionError"
            | "FunctionThrottledError"
            | "LambdaExecutionError"
            | "LambdaValidationError"
            | "LambdaLimitExceededError"
            | "LimitExceeded"
            | "CapacityExceeded"
    )
}

/// One second: what the sparkline and the 5xx windows need, and no more (8 bytes × 600 a route).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Second {
    pub lines: u32,
    pub status_5xx: u32,
}

/// DDSketch bins of latency in milliseconds, sparse and sorted by key, each packed in a `u32`: the
/// key in the top [`KEY_BITS`] bits, the count below. Four bytes a bin keep a busy route's slots
/// small; a count stops at 4,194,303 lines in one bin of one slot or minute (70,000 lines a second
/// at one latency), which only a sampled stream should be asked to carry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Bins {
    /// Latencies of 0 ms (below the sketch's smallest value).
    zero: u32,
    bins: Vec<u32>,
}

const KEY_BITS: u32 = 10;
const COUNT_BITS: u32 = 32 - KEY_BITS;
const COUNT_MAX: u32 = (1 << COUNT_BITS) - 1;
/// The largest key a bin holds: about 10^17 ms at 2 %, far past any time CloudFront writes.
const KEY_MAX: u16 = (1 << KEY_BITS) - 1;

impl Bins {
    fn add(&mut self, key: Option<u16>) {
        let Some(key) = key else {
            self.zero = self.zero.saturating_add(1);
            return;
        };
        match self.bins.binary_search_by_key(&key, |b| (b >> COUNT_BITS) as u16) {
            Ok(at) => {
                if self.bins[at] & COUNT_MAX < COUNT_MAX {
                    self.bins[at] += 1;
                }
            }
            Err(at) => self.bins.insert(at, (u32::from(key) << COUNT_BITS) | 1),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (u16, u32)> + '_ {
        self.bins.iter().map(|b| ((b >> COUNT_BITS) as u16, b & COUNT_MAX))
    }

    fn is_empty(&self) -> bool {
        self.zero == 0 && self.bins.is_empty()
    }

    /// Done growing: give back what doubling reserved.
    fn settle(&mut self) {
        self.bins.shrink_to_fit();
    }

    fn heap_bytes(&self) -> usize {
        self.bins.capacity() * std::mem::size_of::<u32>()
    }
}

/// Ten seconds of a route in full.
#[derive(Clone, Debug, Default)]
struct Slot {
    counts: Counts,
    latency: Bins,
}

/// A minute of a route: its counts, and its percentiles once it is over.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Minute {
    pub counts: Counts,
    pub p50_ms: Option<f32>,
    pub p99_ms: Option<f32>,
}

/// A minute as the ring keeps it: percentiles as `f32` with NaN for none (36 bytes, not 44).
#[derive(Clone, Copy, Debug, PartialEq)]
struct KeptMinute {
    counts: Counts,
    p50_ms: f32,
    p99_ms: f32,
}

impl Default for KeptMinute {
    fn default() -> Self {
        KeptMinute { counts: Counts::default(), p50_ms: f32::NAN, p99_ms: f32::NAN }
    }
}

impl KeptMinute {
    fn set_percentiles(&mut self, (p50, p99): (Option<f64>, Option<f64>)) {
        self.p50_ms = p50.map_or(f32::NAN, |v| v as f32);
        self.p99_ms = p99.map_or(f32::NAN, |v| v as f32);
    }

    fn minute(&self) -> Minute {
        let some = |v: f32| (!v.is_nan()).then_some(v);
        Minute { counts: self.counts, p50_ms: some(self.p50_ms), p99_ms: some(self.p99_ms) }
    }
}

/// A ring of `N` spans of time, indexed by span number (second, slot or minute since the epoch):
/// the newest span seen and everything up to `N - 1` spans before it.
#[derive(Clone, Debug)]
struct Ring<T> {
    spans: Box<[T]>,
    /// The newest span written, `None` before the first.
    head: Option<i64>,
}

impl<T: Default + Clone> Ring<T> {
    fn new(len: i64) -> Self {
        Ring { spans: vec![T::default(); len as usize].into_boxed_slice(), head: None }
    }

    fn len(&self) -> i64 {
        self.spans.len() as i64
    }

    fn index(&self, span: i64) -> usize {
        span.rem_euclid(self.len()) as usize
    }

    /// The span to write `span` into, moving the ring forward (and emptying what it passes) when
    /// `span` is newer than the head; `None` when it is older than the ring holds.
    fn at_mut(&mut self, span: i64) -> Option<&mut T> {
        match self.head {
            Some(head) if span <= head - self.len() => return None,
            Some(head) if span > head => {
                let first = (head + 1).max(span - self.len() + 1);
                for passed in first..=span {
                    let index = self.index(passed);
                    self.spans[index] = T::default();
                }
                self.head = Some(span);
            }
            Some(_) => {}
            None => self.head = Some(span),
        }
        let index = self.index(span);
        Some(&mut self.spans[index])
    }

    /// What the ring holds for `span`.
    fn get(&self, span: i64) -> Span<'_, T> {
        match self.head {
            None => Span::Gone,
            Some(head) if span <= head - self.len() => Span::Gone,
            Some(head) if span > head => Span::Empty,
            Some(_) => Span::Kept(&self.spans[self.index(span)]),
        }
    }
}

/// A span looked up in a ring.
#[derive(Debug)]
enum Span<'a, T> {
    /// Older than the ring holds, or before anything arrived: not known.
    Gone,
    /// After the newest span written: nothing has arrived for it (yet).
    Empty,
    Kept(&'a T),
}

/// One route's rings.
#[derive(Clone, Debug)]
struct Series {
    seconds: Ring<Second>,
    slots: Ring<Slot>,
    minutes: Ring<KeptMinute>,
    /// The latency of the newest two minutes, until they are over and their percentiles are kept.
    open_minutes: [(i64, Bins); 2],
}

impl Series {
    fn new() -> Self {
        Series {
            seconds: Ring::new(SECONDS_KEPT),
            slots: Ring::new(SLOTS_KEPT),
            minutes: Ring::new(MINUTES_KEPT),
            open_minutes: [(i64::MIN, Bins::default()), (i64::MIN, Bins::default())],
        }
    }
}

impl Series {
    fn add(&mut self, line: &EdgeLine<'_>, second: i64, key: Option<Option<u16>>) -> bool {
        let mut kept = false;
        if let Some(s) = self.seconds.at_mut(second) {
            s.lines = s.lines.saturating_add(1);
            if line.status.is_some_and(|s| s / 100 == 5) {
                s.status_5xx = s.status_5xx.saturating_add(1);
            }
            kept = true;
        }
        let slot_at = second.div_euclid(SLOT_SECS);
        if let Some(previous) = self.slots.head.filter(|head| *head < slot_at)
            && let Span::Kept(_) = self.slots.get(previous)
        {
            let index = self.slots.index(previous);
            self.slots.spans[index].latency.settle();
        }
        if let Some(slot) = self.slots.at_mut(slot_at) {
            slot.counts.add(line);
            if let Some(key) = key {
                slot.latency.add(key);
            }
            kept = true;
        }
        let minute = second.div_euclid(60);
        if let Some(m) = self.minutes.at_mut(minute) {
            m.counts.add(line);
            kept = true;
        }
        if let Some(key) = key {
            self.add_minute_latency(minute, key);
        }
        kept
    }

    /// The newest two minutes keep their latency bins; when a third begins, the oldest's
    /// percentiles are kept in its minute and its bins let go.
    fn add_minute_latency(&mut self, minute: i64, key: Option<u16>) {
        if let Some((_, bins)) = self.open_minutes.iter_mut().find(|(m, _)| *m == minute) {
            bins.add(key);
            return;
        }
        let oldest = if self.open_minutes[0].0 <= self.open_minutes[1].0 { 0 } else { 1 };
        if minute < self.open_minutes[oldest].0 {
            return; // Older than both: its counts are kept, its latency is not.
        }
        let (closed, bins) = std::mem::replace(&mut self.open_minutes[oldest], (minute, Bins::default()));
        if !bins.is_empty()
            && let Some(m) = self.minutes.at_mut(closed)
        {
            m.set_percentiles(percentiles([&bins]));
        }
        self.open_minutes[oldest].1.add(key);
    }

    fn heap_bytes(&self) -> usize {
        let rings = std::mem::size_of_val(&*self.seconds.spans)
            + std::mem::size_of_val(&*self.slots.spans)
            + std::mem::size_of_val(&*self.minutes.spans);
        let bins: usize = self.slots.spans.iter().map(|s| s.latency.heap_bytes()).sum::<usize>()
            + self.open_minutes.iter().map(|(_, b)| b.heap_bytes()).sum::<usize>();
        std::mem::size_of::<Series>() + rings + bins
    }
}

/// The sketch's mapping: one per process, as every route's bins must agree on it.
fn sketch_config() -> Config {
    // 2 % relative accuracy; the bin limit is DDSketch's default and never reached by sparse use.
    Config::new(LATENCY_ACCURACY, 2048, 1.0e-3)
}

/// A latency's bin: `None` for 0 ms (below the sketch's smallest value), else its key: 0 for 1 ms,
/// about 460 for a day at 2 %.
fn latency_key(config: &Config, ms: u32) -> Option<u16> {
    (ms > 0).then(|| config.key(f64::from(ms)).clamp(0, i32::from(KEY_MAX)) as u16)
}

/// p50 and p99 of the merged bins, from a DDSketch rebuilt from them.
fn percentiles<'a>(bins: impl IntoIterator<Item = &'a Bins>) -> (Option<f64>, Option<f64>) {
    let config = sketch_config();
    let mut sketch = DDSketch::new(config);
    for b in bins {
        sketch.add_with_count(0.0, u64::from(b.zero));
        for (key, count) in b.iter() {
            sketch.add_with_count(config.value(i32::from(key)), u64::from(count));
        }
    }
    let q = |q: f64| sketch.quantile(q).ok().flatten();
    (q(0.5), q(0.99))
}

/// A route's numbers over a window of seconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// The last second the window covers (seconds since the epoch).
    pub end: i64,
    /// How many seconds it covers: the seconds asked for, widened to whole 10-second slots.
    pub secs: u32,
    pub counts: Counts,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Percent of requests logged; counts are lines, rates are scaled by it.
    pub sampling_percent: u8,
}

impl Window {
    /// Viewer requests a second, scaled up by the sampling rate.
    pub fn requests_per_s(&self) -> f64 {
        f64::from(self.counts.lines) * 100.0 / f64::from(self.sampling_percent.max(1)) / f64::from(self.secs.max(1))
    }

    /// 5xx as a percentage of requests; `None` with no requests (unknown, not healthy).
    pub fn error_5xx_pct(&self) -> Option<f64> {
        (self.counts.lines > 0).then(|| 100.0 * f64::from(self.counts.status_5xx) / f64::from(self.counts.lines))
    }
}

/// One distribution's edge numbers: every route it has, fed lines as the stream brings them.
#[derive(Clone, Debug)]
pub struct EdgeNumbers {
    config: Config,
    sampling_percent: u8,
    /// Every path pattern the distribution has; a route's rings are made at its first line.
    routes: HashMap<Box<str>, Option<Box<Series>>>,
    pub tally: Tally,
    /// Why the newest bad line was not read.
    pub last_bad: Option<BadLine>,
    /// The newest line's time, in milliseconds since the epoch.
    pub newest_ms: Option<i64>,
    /// The first second the stream is read from: from then on a second without lines had no
    /// requests; before it nothing is known.
    covered_from: Option<i64>,
}

impl EdgeNumbers {
    pub fn new<S: Into<Box<str>>>(routes: impl IntoIterator<Item = S>, sampling_percent: u8) -> Self {
        EdgeNumbers {
            config: sketch_config(),
            sampling_percent: sampling_percent.clamp(1, 100),
            routes: routes.into_iter().map(|r| (r.into(), None)).collect(),
            tally: Tally::default(),
            last_bad: None,
            newest_ms: None,
            covered_from: None,
        }
    }

    /// The reader reads the stream from `ms` on (and has read everything since, as far as it
    /// knows): a second after it without a line had no requests.
    pub fn covered_from(&mut self, ms: i64) {
        self.covered_from = Some(ms.div_euclid(1000));
    }

    fn covered(&self, second: i64) -> bool {
        self.covered_from.is_some_and(|from| second >= from)
    }

    /// The distribution's routes changed: keep the numbers of those that stay.
    pub fn set_routes<S: AsRef<str>>(&mut self, routes: impl IntoIterator<Item = S>) {
        let mut kept = HashMap::new();
        for route in routes {
            let route = route.as_ref();
            let series = self.routes.remove(route).flatten();
            kept.insert(Box::from(route), series);
        }
        self.routes = kept;
    }

    pub fn sampling_percent(&self) -> u8 {
        self.sampling_percent
    }

    /// Read a record's lines (one or more, `\n`-separated) by `layout`, at `now_ms`.
    pub fn add_record(&mut self, layout: &Layout, data: &[u8], now_ms: i64) {
        for line in data.split(|b| *b == b'\n') {
            if line.is_empty() || line == b"\r" {
                continue;
            }
            match layout.parse(line) {
                Ok(line) => self.add(&line, now_ms),
                Err(bad) => {
                    self.tally.bad += 1;
                    self.last_bad = Some(bad);
                }
            }
        }
    }

    /// Count one line, at `now_ms`.
    pub fn add(&mut self, line: &EdgeLine<'_>, now_ms: i64) {
        if line.at_ms > now_ms + FUTURE_TOLERANCE_SECS * 1000 {
            self.tally.from_the_future += 1;
            return;
        }
        let Some(series) = self.routes.get_mut(line.path_pattern) else {
            self.tally.unknown_route += 1;
            return;
        };
        let key = line.time_taken_ms.map(|ms| latency_key(&self.config, ms));
        let series = series.get_or_insert_with(|| Box::new(Series::new()));
        if series.add(line, line.at_ms.div_euclid(1000), key) {
            self.tally.counted += 1;
            self.newest_ms = Some(self.newest_ms.map_or(line.at_ms, |n| n.max(line.at_ms)));
        } else {
            self.tally.too_old += 1;
        }
    }

    /// Whether the route has had a line (since the console started, or its rings were kept).
    pub fn has_lines(&self, route: &str) -> bool {
        matches!(self.routes.get(route), Some(Some(_)))
    }

    /// The route's numbers over at least `secs` seconds ending at second `end`; `None` when the
    /// window reaches back before the stream was read (and the route had no lines there), or past
    /// what is kept, or the route is not the distribution's.
    pub fn window(&self, route: &str, end: i64, secs: u32) -> Option<Window> {
        let series = self.routes.get(route)?.as_deref();
        let secs = secs.clamp(1, WINDOW_MAX_SECS);
        let first_slot = (end - i64::from(secs) + 1).div_euclid(SLOT_SECS);
        let last_slot = end.div_euclid(SLOT_SECS);
        let mut counts = Counts::default();
        let mut bins = Vec::new();
        for slot in first_slot..=last_slot {
            let span = series.map_or(Span::Empty, |s| s.slots.get(slot));
            let has_lines = matches!(span, Span::Kept(s) if s.counts.lines > 0);
            if !has_lines && !self.covered(slot * SLOT_SECS + SLOT_SECS - 1) {
                return None;
            }
            match span {
                Span::Gone => return None,
                Span::Empty => {}
                Span::Kept(s) => {
                    counts.merge(&s.counts);
                    bins.push(&s.latency);
                }
            }
        }
        let (p50_ms, p99_ms) = percentiles(bins);
        Some(Window {
            end,
            secs: (end - first_slot * SLOT_SECS + 1) as u32,
            counts,
            p50_ms,
            p99_ms,
            sampling_percent: self.sampling_percent,
        })
    }

    /// The route's seconds from `end - n + 1` to `end`, oldest first; `None` for a second not
    /// known (before the stream was read, or older than what is kept).
    pub fn seconds(&self, route: &str, end: i64, n: usize) -> Vec<Option<Second>> {
        let series = self.routes.get(route).and_then(|s| s.as_deref());
        (0..n as i64)
            .rev()
            .map(|back| {
                let second = end - back;
                match series.map_or(Span::Empty, |s| s.seconds.get(second)) {
                    Span::Kept(s) if s.lines > 0 || self.covered(second) => Some(*s),
                    Span::Empty if self.covered(second) => Some(Second::default()),
                    Span::Kept(_) => None,
                    Span::Empty | Span::Gone => None,
                }
            })
            .collect()
    }

    /// The route's minutes from `end - n + 1` to `end` (minutes since the epoch), oldest first, the
    /// newest two with their percentiles so far.
    pub fn minutes(&self, route: &str, end: i64, n: usize) -> Vec<Option<Minute>> {
        let series = self.routes.get(route).and_then(|s| s.as_deref());
        (0..n as i64)
            .rev()
            .map(|back| {
                let minute = end - back;
                let series = series?;
                let mut m = match series.minutes.get(minute) {
                    Span::Kept(m) => *m,
                    Span::Empty => KeptMinute::default(),
                    Span::Gone => return None,
                };
                if let Some((_, bins)) = series.open_minutes.iter().find(|(at, _)| *at == minute) {
                    m.set_percentiles(percentiles([bins]));
                }
                Some(m.minute())
            })
            .collect()
    }

    /// "Viewers healthy again": the first second from `from` on that begins `window` seconds,
    /// all before `until` (inclusive), whose 5xx rate is under `threshold_pct` — over the whole
    /// window and over each 10 seconds of it that had requests, so a burst at its end is not
    /// averaged away. `None` until such a window has been seen whole; a window without a single
    /// line proves nothing.
    pub fn healthy_since(&self, route: &str, from: i64, until: i64, window: u32, threshold_pct: f64) -> Option<i64> {
        let window = i64::from(window.max(1));
        if until - from + 1 < window {
            return None;
        }
        let seconds = self.seconds(route, until, (until - from + 1) as usize);
        let under = |part: &[Option<Second>]| {
            let (lines, errors) = part
                .iter()
                .flatten()
                .fold((0u64, 0u64), |(l, e), s| (l + u64::from(s.lines), e + u64::from(s.status_5xx)));
            (lines > 0).then(|| 100.0 * errors as f64 / lines as f64 <= threshold_pct)
        };
        (0..seconds.len() - window as usize + 1).find_map(|start| {
            let part = &seconds[start..start + window as usize];
            if part.iter().any(Option::is_none) || under(part) != Some(true) {
                return None;
            }
            let chunks_ok = part.chunks(SLOT_SECS as usize).all(|chunk| under(chunk) != Some(false));
            chunks_ok.then_some(from + start as i64)
        })
    }

    /// Memory the numbers hold beyond the struct itself, in bytes (the route map's table is
    /// estimated from its capacity).
    pub fn heap_bytes(&self) -> usize {
        let table = self.routes.capacity() * (std::mem::size_of::<(Box<str>, Option<Box<Series>>)>() + 1);
        let keys: usize = self.routes.keys().map(|k| k.len()).sum();
        let series: usize = self.routes.values().flatten().map(|s| s.heap_bytes()).sum();
        table + keys + series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_733_500_000; // a second on a 10-second and minute boundary: 1_733_500_000 % 60 = 40
    const NOW: i64 = (T0 + 3600) * 1000;

    fn line(at_ms: i64, status: u16, ms: u32, result: &'static str) -> EdgeLine<'static> {
        EdgeLine {
            at_ms,
            status: Some(status),
            time_taken_ms: Some(ms),
            edge_location: Some("IAD89-P1"),
            detailed_result_type: Some(result),
            path_pattern: "/orders/*",
        }
    }

    fn numbers() -> EdgeNumbers {
        EdgeNumbers::new(["/orders/*", "*"], 100)
    }

    #[test]
    fn a_window_counts_every_class_and_rates_per_second() {
        let mut n = numbers();
        for s in 0..30 {
            let at = (T0 + s) * 1000;
            n.add(&line(at, 200, 100, "Miss"), NOW);
            n.add(&line(at + 1, 200, 100, "Hit"), NOW);
            n.add(&line(at + 2, 304, 5, "RefreshHit"), NOW);
            n.add(&line(at + 3, 404, 20, "Error"), NOW);
            n.add(&line(at + 4, 502, 3000, "OriginConnectError"), NOW);
        }
        // T0 is a slot boundary, so 30 seconds ending at T0 + 29 are three whole slots.
        let w = n.window("/orders/*", T0 + 29, 30).unwrap();
        assert_eq!(w.secs, 30);
        let c = w.counts;
        assert_eq!((c.lines, c.status_2xx, c.status_3xx, c.status_4xx, c.status_5xx), (150, 60, 30, 30, 30));
        assert_eq!((c.hits, c.edge_errors), (60, 30));
        assert_eq!(w.requests_per_s(), 5.0);
        assert_eq!(w.error_5xx_pct(), Some(20.0));
        assert_eq!(n.tally.counted, 150);
        assert_eq!(n.newest_ms, Some((T0 + 29) * 1000 + 4));
    }

    #[test]
    fn a_window_widens_to_whole_slots_and_rates_over_what_it_covers() {
        let mut n = numbers();
        for s in 0..20 {
            n.add(&line((T0 + s) * 1000, 200, 50, "Miss"), NOW);
        }
        // 5 seconds ending at T0 + 12 start at T0 + 8: the slots of T0 and T0 + 10, 13 seconds.
        let w = n.window("/orders/*", T0 + 12, 5).unwrap();
        assert_eq!((w.secs, w.counts.lines), (13, 20));
    }

    #[test]
    fn sampled_lines_are_scaled_up_when_read() {
        let mut n = EdgeNumbers::new(["/orders/*"], 10);
        for s in 0..10 {
            n.add(&line((T0 + s) * 1000, 200, 50, "Miss"), NOW);
        }
        let w = n.window("/orders/*", T0 + 9, 10).unwrap();
        assert_eq!(w.counts.lines, 10);
        assert_eq!(w.requests_per_s(), 10.0, "one line a second at 10 % is ten requests a second");
    }

    #[test]
    fn percentiles_are_within_the_sketchs_accuracy() {
        let mut n = numbers();
        // 1..=1000 ms, once each: p50 is 500 ms and p99 990 ms, within 2 %.
        for ms in 1..=1000u32 {
            n.add(&line(T0 * 1000 + i64::from(ms % 10), 200, ms, "Miss"), NOW);
        }
        let w = n.window("/orders/*", T0 + 9, 10).unwrap();
        let (p50, p99) = (w.p50_ms.unwrap(), w.p99_ms.unwrap());
        assert!((p50 - 500.0).abs() <= 500.0 * LATENCY_ACCURACY + 1.0, "p50 {p50}");
        assert!((p99 - 990.0).abs() <= 990.0 * LATENCY_ACCURACY + 1.0, "p99 {p99}");
    }

    #[test]
    fn zero_milliseconds_and_absent_times_are_requests_all_the_same() {
        let mut n = numbers();
        n.add(&line(T0 * 1000, 200, 0, "Hit"), NOW);
        let mut no_time = line(T0 * 1000, 200, 0, "Hit");
        no_time.time_taken_ms = None;
        no_time.status = None;
        n.add(&no_time, NOW);
        let w = n.window("/orders/*", T0, 1).unwrap();
        assert_eq!((w.counts.lines, w.counts.status_2xx, w.counts.hits), (2, 1, 2));
        assert_eq!(w.p50_ms, Some(0.0));
    }

    #[test]
    fn lines_nobody_can_place_are_counted_and_move_nothing() {
        let mut n = numbers();
        n.add(&line(T0 * 1000, 200, 10, "Miss"), NOW);
        let mut other = line(T0 * 1000, 200, 10, "Miss");
        other.path_pattern = "/not-a-behavior/*";
        n.add(&other, NOW);
        // A line from next year would move every ring past what it holds: refused.
        n.add(&line(NOW + 365 * 86_400_000, 500, 10, "Error"), NOW);
        // Older than the hour kept for the route.
        n.add(&line((T0 - 2 * 3600) * 1000, 500, 10, "Error"), NOW);
        let t = n.tally;
        assert_eq!((t.counted, t.unknown_route, t.from_the_future, t.too_old), (1, 1, 1, 1));
        assert_eq!(n.window("/orders/*", T0, 1).unwrap().counts.lines, 1);
        assert_eq!(n.newest_ms, Some(T0 * 1000));
    }

    #[test]
    fn bad_lines_in_a_record_are_counted_with_the_newest_reason() {
        let layout = Layout::new(super::super::edge_log::Field::READ.map(|f| f.name()));
        let mut n = numbers();
        let record = format!("{T0}.000\t200\t0.010\tIAD\tMiss\t*\ngarbage\n\n{T0}.500\t503\t0.002\tIAD\tError\t*\n");
        n.add_record(&layout, record.as_bytes(), NOW);
        assert_eq!((n.tally.counted, n.tally.bad), (2, 1));
        assert_eq!(n.last_bad, Some(BadLine::Columns { found: 1, expected: 6 }));
        assert_eq!(n.window("*", T0, 1).unwrap().counts.status_5xx, 1);
    }

    #[test]
    fn seconds_say_zero_after_the_newest_line_and_unknown_before_the_first() {
        let mut n = numbers();
        n.add(&line(T0 * 1000, 503, 10, "Error"), NOW);
        let s = n.seconds("/orders/*", T0 + 1, 3);
        assert_eq!(s[1..], [Some(Second { lines: 1, status_5xx: 1 }), None], "nobody said the stream was read");
        n.covered_from(T0 * 1000);
        let s = n.seconds("/orders/*", T0 + 1, 3);
        assert_eq!(s, [None, Some(Second { lines: 1, status_5xx: 1 }), Some(Second::default())]);
        assert_eq!(n.seconds("*", T0, 1), [Some(Second::default())], "a route read without lines had none");
        assert_eq!(n.window("*", T0 + 9, 10).unwrap().error_5xx_pct(), None, "no requests: no rate");
        assert!(n.window("*", T0 - 1, 10).is_none(), "before the stream was read");
        // Ten minutes on, the first second has left the ring.
        n.add(&line((T0 + SECONDS_KEPT) * 1000, 200, 10, "Miss"), NOW);
        assert_eq!(n.seconds("/orders/*", T0, 1), [None]);
        assert!(n.window("/orders/*", T0, 1).is_none(), "its slot is gone too");
        assert_eq!(n.minutes("/orders/*", T0.div_euclid(60), 1)[0].unwrap().counts.lines, 1, "its minute stays");
    }

    #[test]
    fn a_minute_keeps_its_percentiles_when_its_bins_are_let_go() {
        let mut n = numbers();
        let minute = T0.div_euclid(60);
        for i in 0..100 {
            n.add(&line(minute * 60_000 + i * 100, 200, 100, "Miss"), NOW);
        }
        // Two newer minutes close it.
        n.add(&line((minute + 1) * 60_000, 200, 10, "Miss"), NOW);
        n.add(&line((minute + 2) * 60_000, 200, 10, "Miss"), NOW);
        let series = n.routes["/orders/*"].as_deref().unwrap();
        assert!(series.open_minutes.iter().all(|(m, _)| *m != minute));
        let m = n.minutes("/orders/*", minute, 1)[0].unwrap();
        assert_eq!(m.counts.lines, 100);
        let p50 = f64::from(m.p50_ms.unwrap());
        assert!((p50 - 100.0).abs() <= 100.0 * LATENCY_ACCURACY + 0.5, "p50 {p50}");
        // A late line for the closed minute counts; its latency cannot move the kept percentiles.
        n.add(&line(minute * 60_000, 200, 5000, "Miss"), NOW);
        let m = n.minutes("/orders/*", minute, 1)[0].unwrap();
        assert_eq!((m.counts.lines, m.p50_ms.map(f64::from)), (101, Some(p50)));
    }

    #[test]
    fn viewers_are_healthy_from_the_first_window_under_the_threshold() {
        let mut n = numbers();
        n.covered_from(T0 * 1000);
        // 20 failing seconds, then healthy ones: 10 lines a second, 1 % failing from T0 + 20.
        for s in 0..80 {
            for k in 0..10 {
                let failing = if s < 20 { k < 5 } else { s % 10 == 0 && k == 0 };
                n.add(&line((T0 + s) * 1000 + k, if failing { 503 } else { 200 }, 50, "Miss"), NOW);
            }
        }
        assert_eq!(n.healthy_since("/orders/*", T0, T0 + 79, 30, 5.0), Some(T0 + 20));
        assert_eq!(n.healthy_since("/orders/*", T0, T0 + 40, 30, 5.0), None, "the window is not whole yet");
        assert_eq!(n.healthy_since("/orders/*", T0, T0 + 79, 30, 0.5), None, "1 % is over 0.5 %");
        // A burst at the end of an otherwise healthy window is not averaged away.
        for k in 0..6 {
            n.add(&line((T0 + 49) * 1000 + 500 + k, 503, 50, "Miss"), NOW);
        }
        assert_eq!(n.healthy_since("/orders/*", T0, T0 + 79, 30, 5.0), Some(T0 + 50));
        assert_eq!(n.healthy_since("*", T0, T0 + 79, 30, 5.0), None, "no requests prove nothing");
    }

    #[test]
    fn routes_that_stay_keep_their_numbers() {
        let mut n = numbers();
        n.add(&line(T0 * 1000, 200, 10, "Miss"), NOW);
        n.set_routes(["/orders/*", "/new/*"]);
        assert!(n.has_lines("/orders/*") && !n.has_lines("/new/*"));
        assert!(n.window("*", T0, 1).is_none());
    }

    #[test]
    fn the_edges_own_errors_are_told_from_the_origins() {
        for made in ["OriginConnectError", "OriginReadTimeout", "FunctionExecutionError", "LimitExceeded"] {
            // OriginReadTimeout is not a type CloudFront writes; the list is explicit on purpose.
            assert_eq!(made_by_the_edge(made), made != "OriginReadTimeout", "{made}");
        }
        for passed_on in ["Error", "Miss", "Hit", "ClientGeoBlocked", "InvalidRequest", "OriginShieldMiss"] {
            assert!(!made_by_the_edge(passed_on), "{passed_on}");
        }
    }
}
