//! The demo world's CloudFront real-time log lines: second by second, what its viewers got, in the
//! format CloudFront writes (the fields of `domain::edge_log::Field::READ`, tab-separated), sampled.
//!
//! The per-minute model (`traffic.rs`) averages a minute; the edge sees each second. So each
//! second asks the world what held at that second — each route's Lambda share as the edges have
//! it, the stage serving the proxy or not, the router failing or not, the scenario's degradation —
//! and draws that second's requests from a generator seeded by (seed, second, route): a second
//! reads the same each time, and a switch shows at the edge within seconds, as it would live.
//!
//! Not modelled: Lambda throttles (a per-minute concurrency effect), cache hits beyond a small
//! share, edges answering differently from one another.

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::SimRoute;
use super::mix::mix;
use super::traffic::{ROUTER_FAILURE_SHARE, TrafficModel, diurnal};
use super::world::World;

/// The random stream of a route's second, apart from the minutes' streams.
const EDGE_STREAM: u64 = 0x0000_ED6E_0000_0000;
/// Edge locations the demo's viewers reach.
const EDGES: [&str; 6] = ["IAD89-P1", "IAD66-C2", "FRA56-P3", "NRT57-P2", "GRU1-C1", "SIN2-P1"];
/// How a route's latency spreads around its median: p99 is about 3.2 × the median.
const LATENCY_SIGMA: f64 = 0.5;
const P99_OVER_MEDIAN: f64 = 3.2;
/// Viewers asking for what is not there.
const CLIENT_ERROR_SHARE: f64 = 0.01;
/// Requests the cache answers.
const HIT_SHARE: f64 = 0.05;

/// What held for one route during one second.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteSecond {
    pub path: String,
    pub requests: f64,
    /// The share of its viewers the edges send to Lambda at that second.
    pub lambda_share: f64,
    pub lambda_error_rate: f64,
    pub lambda_p99_ms: f64,
    pub origin_error_rate: f64,
    pub origin_p99_ms: f64,
    /// The share of its requests the router function fails on (CloudFront answers 503 itself).
    pub router_failed: f64,
}

impl TrafficModel<'_> {
    /// Every route's second starting at `t`, as the minute model has it but without the minute's
    /// jitter: the same demand, shares, stage, router and degradation, at that second.
    pub fn second(&self, world: &World, t: Timestamp) -> Vec<RouteSecond> {
        let secs = t.duration_since(self.start).as_secs_f64();
        let load = self.scenario.traffic_multiplier(secs) * diurnal(t);
        let router_failing = world.router_failing_at(t);
        let proxied = world.stage_proxied(t);
        self.routes
            .iter()
            .map(|route| route_second(self, world, route, t, load, secs, router_failing, proxied))
            .collect()
    }
}

#[allow(clippy::too_many_arguments)] // One route's second of the model above; a struct would only rename them.
fn route_second(
    model: &TrafficModel<'_>,
    world: &World,
    route: &SimRoute,
    t: Timestamp,
    load: f64,
    secs: f64,
    router_failing: bool,
    proxied: bool,
) -> RouteSecond {
    let (extra_errors, slowdown) = model.scenario.lambda_degradation(&route.path, secs);
    let strain = (load - 1.0).max(0.0);
    let origin_p99_ms = route.origin_p99_ms * (1.0 + strain * 0.08);
    let origin_error_rate = 0.002 + (strain * 0.002).min(0.06);
    // While the stage serves the proxy deployment, the Lambda side answers as the monolith does.
    let (lambda_p99_ms, lambda_error_rate) = if proxied {
        (origin_p99_ms + 8.0, origin_error_rate)
    } else {
        (route.lambda_p99_ms * slowdown, 0.001 + extra_errors)
    };
    let routed = world.is_routed(&route.path);
    RouteSecond {
        path: route.path.clone(),
        requests: route.base_rpm * load / 60.0,
        lambda_share: world.lambda_share(&route.path, t + SignedDuration::from_millis(500)),
        lambda_error_rate,
        lambda_p99_ms,
        origin_error_rate,
        origin_p99_ms,
        router_failed: if routed && router_failing { ROUTER_FAILURE_SHARE } else { 0.0 },
    }
}

/// The lines of second `t` for every route, `sampling_percent` of its requests (the fraction left
/// over drawn by chance), each ending in `\n`.
pub fn lines(seed: u64, t: Timestamp, routes: &[RouteSecond], sampling_percent: u8) -> Vec<String> {
    let second = t.as_second();
    let mut out = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, second, EDGE_STREAM + i as u64));
        let expected = route.requests * f64::from(sampling_percent) / 100.0;
        let count = expected.floor() as usize + usize::from(rng.random::<f64>() < expected.fract());
        for _ in 0..count {
            out.push(line(&mut rng, second, route));
        }
    }
    out
}

fn line(rng: &mut ChaCha8Rng, second: i64, route: &RouteSecond) -> String {
    let at_ms = rng.random_range(0..1000);
    let edge = EDGES[rng.random_range(0..EDGES.len())];
    let (status, result, ms) = if rng.random::<f64>() < route.router_failed {
        // The router function failed: CloudFront answers 503 itself, at once.
        (503, "FunctionExecutionError", 1.0)
    } else if rng.random::<f64>() < HIT_SHARE {
        (200, "Hit", latency(rng, 12.0))
    } else {
        let lambda = rng.random::<f64>() < route.lambda_share;
        let (error_rate, p99) = if lambda {
            (route.lambda_error_rate, route.lambda_p99_ms)
        } else {
            (route.origin_error_rate, route.origin_p99_ms)
        };
        let roll = rng.random::<f64>();
        let ms = latency(rng, p99);
        if roll < error_rate {
            // API Gateway answers a failed Lambda with 502; the monolith's own errors are 503s.
            (if lambda { 502 } else { 503 }, "Error", ms)
        } else if roll < error_rate + CLIENT_ERROR_SHARE {
            (404, "Error", ms)
        } else {
            (200, "Miss", ms)
        }
    };
    let ms = ms.round().max(0.0) as u64;
    format!("{second}.{at_ms:03}\t{status}\t{}.{:03}\t{edge}\t{result}\t{}\n", ms / 1000, ms % 1000, route.path)
}

/// A latency with this p99: log-normal around p99 / 3.2.
fn latency(rng: &mut ChaCha8Rng, p99_ms: f64) -> f64 {
    // Box–Muller: one standard normal from two uniforms.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    p99_ms / P99_OVER_MEDIAN * (LATENCY_SIGMA * z).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::edge_log::{Field, Layout};
    use crate::domain::edge_numbers::EdgeNumbers;

    fn route(lambda_share: f64, lambda_error_rate: f64) -> RouteSecond {
        RouteSecond {
            path: "/orders/*".into(),
            requests: 200.0,
            lambda_share,
            lambda_error_rate,
            lambda_p99_ms: 300.0,
            origin_error_rate: 0.002,
            origin_p99_ms: 90.0,
            router_failed: 0.0,
        }
    }

    /// Ten seconds of lines, read back as the console reads them.
    fn read(routes: &[RouteSecond], sampling: u8) -> EdgeNumbers {
        let layout = Layout::new(Field::READ.map(Field::name));
        let mut numbers = EdgeNumbers::new(["/orders/*"], sampling);
        let t0: Timestamp = "2026-01-15T22:30:00Z".parse().unwrap();
        for s in 0..10 {
            for line in lines(7, t0 + SignedDuration::from_secs(s), routes, sampling) {
                numbers.add_record(&layout, line.as_bytes(), (t0 + SignedDuration::from_secs(60)).as_millisecond());
            }
        }
        numbers
    }

    #[test]
    fn the_lines_read_back_as_the_second_was() {
        let numbers = read(&[route(1.0, 0.2)], 100);
        assert_eq!(numbers.tally.bad, 0, "{:?}", numbers.last_bad);
        let end = "2026-01-15T22:30:09Z".parse::<Timestamp>().unwrap().as_second();
        let w = numbers.window("/orders/*", end, 10).unwrap();
        assert!((w.requests_per_s() - 200.0).abs() < 1.0, "{}", w.requests_per_s());
        let errors = w.error_5xx_pct().unwrap();
        assert!((15.0..25.0).contains(&errors), "a Lambda failing one request in five: {errors}");
        let p99 = w.p99_ms.unwrap();
        assert!((150.0..600.0).contains(&p99), "p99 near 300 ms: {p99}");
    }

    #[test]
    fn on_the_origin_the_lambdas_errors_are_not_seen_and_sampling_thins_the_lines() {
        let numbers = read(&[route(0.0, 0.2)], 10);
        let end = "2026-01-15T22:30:09Z".parse::<Timestamp>().unwrap().as_second();
        let w = numbers.window("/orders/*", end, 10).unwrap();
        assert!((150..250).contains(&w.counts.lines), "10 % of 2,000 requests: {}", w.counts.lines);
        assert!(w.error_5xx_pct().unwrap() < 3.0, "{:?}", w.error_5xx_pct());
        assert!((w.requests_per_s() - 200.0).abs() < 30.0, "scaled back up: {}", w.requests_per_s());
    }

    #[test]
    fn a_failing_router_is_answered_by_cloudfront_itself() {
        let mut failing = route(0.0, 0.0);
        failing.router_failed = ROUTER_FAILURE_SHARE;
        let numbers = read(&[failing], 100);
        let end = "2026-01-15T22:30:09Z".parse::<Timestamp>().unwrap().as_second();
        let w = numbers.window("/orders/*", end, 10).unwrap();
        let made = f64::from(w.counts.edge_errors) / f64::from(w.counts.lines);
        assert!((0.2..0.3).contains(&made), "{made}");
    }
}
