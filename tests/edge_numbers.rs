//! Edge log lines into per-route numbers (`domain::edge_numbers`): every line offered is either
//! counted once or counted as refused, whatever order and times the stream brings; and memory is
//! bounded by routes × window, not by traffic (issue 22: at most 10 MB at 1,000 routes).

use cutover::domain::edge_log::EdgeLine;
use cutover::domain::edge_numbers::{EdgeNumbers, MINUTES_KEPT, SECONDS_KEPT};
use proptest::prelude::*;

const T0: i64 = 1_733_500_000;

fn line(at_ms: i64, route: &str, status: u16, ms: u32) -> EdgeLine<'_> {
    EdgeLine {
        at_ms,
        status: Some(status),
        time_taken_ms: Some(ms),
        edge_location: Some("IAD89-P1"),
        detailed_result_type: Some(if status >= 500 { "OriginConnectError" } else { "Miss" }),
        path_pattern: route,
    }
}

/// A latency as an API's are spread: log-normal around 120 ms (σ 0.6), and one request in a hundred
/// slow, 1–3 s (deterministic).
fn latency(i: u64) -> u32 {
    let uniform = |n: u64| ((i.wrapping_add(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 33) % 10_000) as f64 / 10_000.0;
    if i.is_multiple_of(100) {
        return 1000 + (uniform(7) * 2000.0) as u32;
    }
    let normal = (uniform(1) + uniform(2) + uniform(3) + uniform(4) - 2.0) * 3f64.sqrt();
    (120.0 * (0.6 * normal).exp()) as u32
}

/// The worst case for the bins: latencies spread evenly (in log) from 20 ms to 3 s.
fn latency_spread(i: u64) -> u32 {
    let x = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 1000;
    (20.0 * (x as f64 / 1000.0 * 5.0).exp()) as u32
}

/// Every route with traffic in every second of the ten minutes and every minute of the hour: the
/// most a console can hold for them. `lines_per_second` only in the last two minutes, whose slots
/// and open minutes keep latency bins; one line a second before (enough to fill a second's slot).
fn filled(routes: usize, lines_per_second: usize, latency: fn(u64) -> u32) -> EdgeNumbers {
    let names: Vec<String> = (0..routes).map(|r| format!("/svc/{r:04}/*")).collect();
    let mut numbers = EdgeNumbers::new(names.iter().cloned(), 100);
    let end = T0 + MINUTES_KEPT * 60;
    let now_ms = end * 1000;
    numbers.covered_from((end - MINUTES_KEPT * 60) * 1000);
    let mut i = 0u64;
    for second in (end - MINUTES_KEPT * 60)..end {
        // Outside the ten minutes of seconds, one line a minute is enough to fill the minute ring.
        let per_second = if second >= end - 120 {
            lines_per_second
        } else if second >= end - SECONDS_KEPT {
            1
        } else {
            usize::from(second % 60 == 0)
        };
        for route in &names {
            for k in 0..per_second {
                i += 1;
                let status = if i.is_multiple_of(50) { 503 } else { 200 };
                numbers.add(&line(second * 1000 + k as i64, route, status, latency(i)), now_ms);
            }
        }
    }
    numbers
}

#[test]
fn a_thousand_routes_fit_in_ten_megabytes_however_busy() {
    let quiet = filled(1000, 2, latency).heap_bytes();
    let busy = filled(1000, 20, latency).heap_bytes();
    let spread = filled(1000, 20, latency_spread).heap_bytes();
    println!(
        "edge numbers, 1,000 routes with an hour of lines: {:.1} MB at 2 lines/s a route, {:.1} MB at 20, \
         {:.1} MB at 20 with latencies spread evenly from 20 ms to 3 s",
        mb(quiet),
        mb(busy),
        mb(spread)
    );
    assert!(busy <= 10 * 1024 * 1024, "{:.1} MB", mb(busy));
    // More traffic fills more latency bins, which are bounded by the sketch's range, not by lines.
    assert!(spread < quiet * 3, "quiet {quiet} B, spread {spread} B");
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Lines at any time around now, for the routes and others: each is counted once or refused
    /// with a reason, and the seconds hold exactly the lines counted in them.
    #[test]
    fn every_line_is_counted_once_or_refused(
        lines in proptest::collection::vec((-4_000i64..200, 0usize..3, 100u16..600, 0u32..10_000), 0..400)
    ) {
        let routes = ["/a/*", "/b/*", "/not-the-distributions/*"];
        let mut numbers = EdgeNumbers::new(routes[..2].iter().copied(), 100);
        let now = T0 + 4_000;
        for (offset, route, status, ms) in &lines {
            numbers.add(&line((now + offset) * 1000, routes[*route], *status, *ms), now * 1000);
        }
        let t = numbers.tally;
        prop_assert_eq!(t.counted + t.unknown_route + t.too_old + t.from_the_future + t.bad, lines.len() as u64);
        prop_assert_eq!(t.from_the_future, lines.iter().filter(|l| l.0 > 60).count() as u64);
        prop_assert_eq!(t.unknown_route, lines.iter().filter(|l| l.1 == 2 && l.0 <= 60).count() as u64);
        // Every counted line of the last ten minutes before the newest is in its second.
        for route in &routes[..2] {
            let Some(newest) = lines.iter().filter(|l| routes[l.1] == *route && l.0 <= 60).map(|l| now + l.0).max() else { continue };
            let seconds = numbers.seconds(route, newest, SECONDS_KEPT as usize);
            let kept: u64 = seconds.iter().flatten().map(|s| u64::from(s.lines)).sum();
            let expected = lines.iter().filter(|l| routes[l.1] == *route && l.0 <= 60 && now + l.0 > newest - SECONDS_KEPT).count();
            prop_assert_eq!(kept, expected as u64);
        }
    }
}
