//! Per-minute metrics of the demo world, as CloudWatch would report them.
//!
//! Every minute's numbers come from a random generator seeded by (seed, minute, route), so a
//! minute reads the same each time it is fetched, and a run with the same seed repeats. The minutes
//! a fetch has computed are kept ([`ArrivedMinutes`]) until a switch, a share write or the router
//! fault could change them.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::SimRoute;
use super::mix::mix;
use super::scenario::Scenario;
use super::world::World;
use crate::domain::{BackendMinute, MinutePoint, RouterMinute};

/// The share of the router function's runs that fail while the `router-errors` fault is on.
pub const ROUTER_FAILURE_SHARE: f64 = 0.25;
/// The router function's usual compute utilization (percent of its time limit), and what its runs
/// that still complete take while it is failing: slow runs near the limit, some over it.
const ROUTER_COMPUTE_PCT: f64 = 10.0;
const ROUTER_STRUGGLING_COMPUTE_PCT: f64 = 85.0;
/// The router's own random stream in a minute, apart from the routes' (which are numbered from 0).
const ROUTER_STREAM: u64 = 0x0000_7007_E500_0000;

/// Everything that decides one minute's numbers.
pub struct TrafficModel<'a> {
    pub routes: &'a [SimRoute],
    pub scenario: Scenario,
    pub seed: u64,
    pub start: Timestamp,
    pub concurrency_limit: u32,
}

/// One minute of the whole world.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldMinute {
    pub routes: Vec<MinutePoint>,
    pub concurrency: f64,
    /// The router function's numbers; `None` when the world has no router.
    pub router: Option<RouterMinute>,
    /// Requests CloudFront answered itself with a 503 because the router failed on them: they
    /// reached no origin, and count in the edge's numbers only.
    pub failed_at_edge: f64,
}

/// A factor around 1.0 with the given relative spread.
fn jitter(rng: &mut ChaCha8Rng, spread: f64) -> f64 {
    1.0 + spread * (rng.random::<f64>() * 2.0 - 1.0)
}

/// Traffic follows the day: busiest mid-afternoon UTC, quietest before dawn.
pub(super) fn diurnal(t: Timestamp) -> f64 {
    let hour = (t.as_second().rem_euclid(86_400)) as f64 / 3600.0;
    1.0 + 0.25 * ((hour - 9.0) / 24.0 * std::f64::consts::TAU).sin()
}

/// Seconds after the minute ends before its datapoint can be read (CloudWatch is late).
pub fn arrival_lag_secs(seed: u64, minute: Timestamp) -> i64 {
    5 + (mix(seed, minute.as_second(), 0xA11) % 25) as i64
}

impl TrafficModel<'_> {
    // Long: one simulated minute of every route; the steps draw from one random stream in a fixed
    // order, so that a seed replays the same demo, and splitting them would hide that order.
    pub fn minute(&self, world: &World, minute: Timestamp) -> WorldMinute {
        let mid = minute + SignedDuration::from_secs(30);
        let secs = mid.duration_since(self.start).as_secs_f64();
        let load = self.scenario.traffic_multiplier(secs) * diurnal(mid);

        struct Draft {
            lambda_demand: f64,
            origin_requests: f64,
            lambda_p99: f64,
            lambda_error_rate: f64,
            origin_p99: f64,
            origin_error_rate: f64,
            gap: bool,
        }
        let mut demand_concurrency = self.scenario.background_concurrency(secs);
        // The part of the minute the router function was failing, over the same four moments.
        let failing = (0..4).filter(|q| world.router_failing_at(minute + SignedDuration::from_secs(q * 15 + 7))).count()
            as f64
            / 4.0;
        let (mut router_runs, mut router_failed) = (0.0, 0.0);
        let drafts: Vec<Draft> = self
            .routes
            .iter()
            .enumerate()
            .map(|(i, route)| {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, minute.as_second(), i as u64));
                let mut total = route.base_rpm * load * jitter(&mut rng, 0.06);
                // The router runs on every request of a routed behavior, whatever its share. A run
                // it fails is answered by CloudFront with a 503 and reaches neither origin (its
                // fail-open covers only what its own code catches); the rest split as usual.
                if world.is_routed(&route.path) {
                    router_runs += total;
                    router_failed += total * ROUTER_FAILURE_SHARE * failing;
                    total *= 1.0 - ROUTER_FAILURE_SHARE * failing;
                }
                // Average the edges' progress over the minute.
                let share = (0..4)
                    .map(|q| world.lambda_share(&route.path, minute + SignedDuration::from_secs(q * 15 + 7)))
                    .sum::<f64>()
                    / 4.0;
                let (extra_errors, slowdown) = self.scenario.lambda_degradation(&route.path, secs);
                let cold_start = if rng.random::<f64>() < 0.1 { 1.6 } else { 1.0 };
                let lambda_p99 = route.lambda_p99_ms * slowdown * cold_start * jitter(&mut rng, 0.12);
                // The monolith slows and starts failing when traffic is many times normal.
                let strain = (load - 1.0).max(0.0);
                let origin_p99 = route.origin_p99_ms * (1.0 + strain * 0.08) * jitter(&mut rng, 0.1);
                let origin_error_rate = 0.002 * jitter(&mut rng, 0.5) + (strain * 0.002).min(0.06);
                let lambda_demand = total * share;
                // The stage rollback, stage-wide: while the Lambda side's stage serves the proxy
                // deployment, its requests are the monolith's (its latency plus API Gateway's few
                // ms, its error rate, no Lambda concurrency) though still counted on the Lambda side,
                // as API Gateway's metrics count them. Not modelled: the monolith's extra load.
                let proxied = (0..4)
                    .filter(|q| world.stage_proxied(minute + SignedDuration::from_secs(q * 15 + 7)))
                    .count() as f64
                    / 4.0;
                let lambda_p99 = lambda_p99 * (1.0 - proxied) + (origin_p99 + 8.0) * proxied;
                let lambda_error_rate = (0.001 * jitter(&mut rng, 0.5) + extra_errors * jitter(&mut rng, 0.15))
                    * (1.0 - proxied)
                    + origin_error_rate * proxied;
                // Concurrency = requests per second × seconds per request (mean ≈ p99 / 3).
                demand_concurrency += lambda_demand * (1.0 - proxied) / 60.0 * (lambda_p99 / 3.0 / 1000.0);
                Draft {
                    lambda_demand,
                    origin_requests: total * (1.0 - share),
                    lambda_p99,
                    lambda_error_rate,
                    origin_p99,
                    origin_error_rate,
                    gap: rng.random::<f64>() < route.gap_chance,
                }
            })
            .collect();

        let limit = f64::from(self.concurrency_limit);
        let throttled_fraction =
            if demand_concurrency > limit { (demand_concurrency - limit) / demand_concurrency } else { 0.0 };
        let routes = drafts
            .iter()
            .map(|d| {
                if d.gap {
                    return MinutePoint::default();
                }
                let throttles = d.lambda_demand * throttled_fraction;
                let invocations = d.lambda_demand - throttles;
                // As API Gateway counts the Lambda side: a throttled invocation is a request it
                // received (`Count`) and answered with a 500 (`5XXError`), not one that never came.
                let lambda = if d.lambda_demand >= 0.5 {
                    BackendMinute::new(
                        Some(d.lambda_demand.round()),
                        Some((invocations * d.lambda_error_rate + throttles).round()),
                        Some(d.lambda_p99.round()),
                    )
                } else {
                    BackendMinute::default()
                };
                let origin = if d.origin_requests >= 0.5 {
                    BackendMinute::new(
                        Some(d.origin_requests.round()),
                        Some((d.origin_requests * d.origin_error_rate).round()),
                        Some(d.origin_p99.round()),
                    )
                } else {
                    BackendMinute::default()
                };
                MinutePoint { lambda, origin, throttles: (d.lambda_demand >= 0.5).then_some(throttles.round()).into() }
            })
            .collect();
        let router = world.store().routed().next().is_some().then(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, minute.as_second(), ROUTER_STREAM));
            router_minute(&mut rng, router_runs, router_failed, failing)
        });
        WorldMinute {
            routes,
            concurrency: demand_concurrency.min(limit).round(),
            router,
            failed_at_edge: router_failed.round(),
        }
    }
}

/// The router function's minute: `runs` of it, `failed` of them over its time limit, failing for
/// that part of the minute. CloudFront reports nothing for a minute the function did not run.
fn router_minute(rng: &mut ChaCha8Rng, runs: f64, failed: f64, failing: f64) -> RouterMinute {
    if runs < 0.5 {
        return RouterMinute::default();
    }
    let completed = ROUTER_COMPUTE_PCT + (ROUTER_STRUGGLING_COMPUTE_PCT - ROUTER_COMPUTE_PCT) * failing;
    let completed = completed * jitter(rng, 0.2);
    // A failed run took all the time it was allowed.
    let share_failed = failed / runs;
    let compute = (completed * (1.0 - share_failed) + 100.0 * share_failed).min(100.0);
    RouterMinute {
        execution_errors: Some(failed.round()),
        validation_errors: Some(0.0),
        throttles: Some(0.0),
        compute_utilization_pct: Some((compute * 10.0).round() / 10.0),
    }
}

/// The world's minutes computed so far, by their start, so that a fetch computes only the minutes
/// that arrived since the one before instead of the whole hour.
///
/// What a minute holds follows from the [`TrafficModel`] (routes, scenario, seed and start, fixed
/// for a backend's life) and from [`World::lambda_share`] at four moments inside the minute, which
/// only the switches whose rollout started before that moment move, and the shares written to the
/// router's store before it, and from whether the router function was failing then (the
/// `router-errors` fault, which the world records when it is injected, as it records a switch).
/// Other injected faults decide whether a call answers, never what a minute holds. So a kept
/// minute stays true until a switch, a share write or the router fault changes before the minute
/// ends, and [`ArrivedMinutes::forget_from`] drops those. The fetch asks only for minutes that
/// have arrived, which ended before it asked: a write accepted later happens later, so in practice
/// nothing is dropped, but a clock that went back would not make it wrong.
#[derive(Debug, Default)]
pub struct ArrivedMinutes {
    minutes: BTreeMap<Timestamp, WorldMinute>,
}

impl ArrivedMinutes {
    /// Forget the minutes traffic that moves differently from `from` on can change: those that end
    /// after it.
    pub fn forget_from(&mut self, from: Timestamp) {
        self.minutes.retain(|start, _| *start + SignedDuration::from_mins(1) <= from);
    }

    /// The `count` minutes from `first` on, oldest first: the ones kept, and the others computed
    /// with `compute` and kept from now on. Minutes before `first` are forgotten: the window only
    /// moves on, so at most `count` minutes are kept.
    pub fn window(
        &mut self,
        first: Timestamp,
        count: usize,
        mut compute: impl FnMut(Timestamp) -> WorldMinute,
    ) -> Vec<&WorldMinute> {
        self.minutes = self.minutes.split_off(&first);
        let starts: Vec<Timestamp> = (0..count).map(|i| first + SignedDuration::from_mins(i as i64)).collect();
        for &start in &starts {
            self.minutes.entry(start).or_insert_with(|| compute(start));
        }
        starts.iter().map(|start| &self.minutes[start]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute_numbered(n: f64) -> WorldMinute {
        WorldMinute { routes: Vec::new(), concurrency: n, router: None, failed_at_edge: 0.0 }
    }

    #[test]
    fn a_window_computes_only_the_minutes_not_kept_and_forgets_what_a_switch_reaches() {
        let t0: Timestamp = "2026-01-15T22:00:00Z".parse().unwrap();
        let mins = |n: i64| t0 + SignedDuration::from_mins(n);
        let mut arrived = ArrivedMinutes::default();
        let mut computed = Vec::new();
        let window = |arrived: &mut ArrivedMinutes, first, computed: &mut Vec<Timestamp>| {
            let minutes = arrived.window(first, 60, |start| {
                computed.push(start);
                minute_numbered((start.as_second() - t0.as_second()) as f64 / 60.0)
            });
            minutes.iter().map(|m| m.concurrency).collect::<Vec<f64>>()
        };

        let first = window(&mut arrived, t0, &mut computed);
        assert_eq!(first, (0..60).map(f64::from).collect::<Vec<_>>());
        assert_eq!(computed.len(), 60);

        computed.clear();
        let next = window(&mut arrived, mins(1), &mut computed);
        assert_eq!(next, (1..61).map(f64::from).collect::<Vec<_>>());
        assert_eq!(computed, [mins(60)], "only the newly arrived minute");
        assert_eq!(arrived.minutes.len(), 60, "the minute that left the window is forgotten");

        // A rollout from 22:30:10 on: the minute 22:30 ends after it, 22:29 before.
        computed.clear();
        arrived.forget_from(mins(30) + SignedDuration::from_secs(10));
        window(&mut arrived, mins(1), &mut computed);
        assert_eq!(computed, (30..61).map(mins).collect::<Vec<_>>());
    }
}
