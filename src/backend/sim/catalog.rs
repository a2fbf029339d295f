//! The demo distribution: its routes, how busy and how fast each one is.

use crate::domain::Target;

pub const DISTRIBUTION_ID: &str = "EDEMO7CUTOVER";
/// The demo account's id, in the ARNs of its pieces (the router's function).
pub const ACCOUNT_ID: &str = "111122223333";

/// The id of the demo's `index`th distribution (the first is [`DISTRIBUTION_ID`]).
pub fn demo_distribution_id(index: u8) -> String {
    if index == 0 { DISTRIBUTION_ID.to_string() } else { format!("EDEMO{}CUTOVER", 7 + u32::from(index)) }
}
pub const LAMBDA_ORIGIN_ID: &str = "apigw";
pub const LEGACY_ORIGIN_ID: &str = "legacy";
/// A second monolith behind its own load balancer: `/payments/*` comes from it and goes back to it.
pub const PAYMENTS_ORIGIN_ID: &str = "payments-elb";
/// Static files on S3: `/static/*` is shown and never switched.
pub const STATIC_ORIGIN_ID: &str = "static-s3";
pub const CONCURRENCY_LIMIT: u32 = 1000;

/// One simulated route and its normal behaviour.
#[derive(Clone, Debug)]
pub struct SimRoute {
    pub path: String,
    pub initial: Target,
    /// The origin id the behavior targets at the start.
    pub origin: &'static str,
    /// Its home: the legacy origin it goes back to.
    pub home: &'static str,
    /// Requests per minute at the daily mean.
    pub base_rpm: f64,
    /// Normal p99 latency of its Lambda, in ms.
    pub lambda_p99_ms: f64,
    /// Normal p99 latency on the origin, in ms.
    pub origin_p99_ms: f64,
    /// Chance that a minute has no datapoint at all (low-traffic routes report sparsely).
    pub gap_chance: f64,
}

fn route(path: &str, initial: Target, base_rpm: f64, lambda_p99_ms: f64, origin_p99_ms: f64) -> SimRoute {
    let origin = if initial == Target::Lambda { LAMBDA_ORIGIN_ID } else { LEGACY_ORIGIN_ID };
    SimRoute {
        path: path.to_string(),
        initial,
        origin,
        home: LEGACY_ORIGIN_ID,
        base_rpm,
        lambda_p99_ms,
        origin_p99_ms,
        gap_chance: 0.004,
    }
}

impl SimRoute {
    /// Whether cutover may move it: not when it lives on the S3 origin.
    pub fn on_storage(&self) -> bool {
        self.origin == STATIC_ORIGIN_ID
    }
}

/// The routes the demo's router serves (its CloudFront Function is on their behaviors, each has a
/// record in its store): two that start on a monolith, `/search/*` on the legacy one and
/// `/payments/*` on its own load balancer.
pub const ROUTED: [&str; 2] = ["/search/*", "/payments/*"];

/// The demo's hand-made routes: how many there are without `--routes`.
pub const DEFAULT_ROUTES: usize = 9;
/// The most routes the demo simulates in one distribution (`--routes`).
pub const MAX_ROUTES: usize = 1000;

/// `count` routes (at least the hand-made ones, at most [`MAX_ROUTES`]) in CloudFront precedence
/// order: the hand-made ones, then quieter generated services, then the default behavior. Generated
/// routes depend on their index only, so every run and every distribution has the same ones.
pub fn routes_of(count: usize) -> Vec<SimRoute> {
    let mut routes = routes();
    let default = routes.pop().expect("the hand-made routes end with the default behavior");
    let extra = count.clamp(DEFAULT_ROUTES, MAX_ROUTES) - DEFAULT_ROUTES;
    routes.extend((0..extra).map(generated));
    routes.push(default);
    routes
}

/// A small service of the monolith: one in four already on Lambda, a few hundred requests a
/// minute, so that even a thousand of them leave the account's concurrency mostly free.
fn generated(index: usize) -> SimRoute {
    // The traffic model's mixer over the index alone: fixed numbers that look unrelated from one
    // route to the next, the same in every run.
    let z = super::mix::mix(0, index as i64, 0x5E4_71CE);
    let unit = |shift: u32| ((z >> shift) & 0xFFFF) as f64 / 65_535.0;
    let initial = if index % 4 == 3 { Target::Lambda } else { Target::Origin };
    SimRoute {
        gap_chance: 0.01,
        ..route(
            &format!("/svc/{:03}/*", index + 1),
            initial,
            20.0 + 580.0 * unit(0),
            120.0 + 300.0 * unit(16),
            80.0 + 220.0 * unit(32),
        )
    }
}

/// The hand-made routes in CloudFront precedence order; the default behavior comes last.
pub fn routes() -> Vec<SimRoute> {
    vec![
        route("/user/*", Target::Lambda, 12_000.0, 210.0, 160.0),
        route("/orders/*", Target::Lambda, 8_300.0, 320.0, 240.0),
        route("/cart/*", Target::Lambda, 6_400.0, 260.0, 190.0),
        route("/catalog/*", Target::Lambda, 15_000.0, 180.0, 150.0),
        route("/search/*", Target::Origin, 24_000.0, 150.0, 95.0),
        SimRoute {
            gap_chance: 0.05,
            origin: PAYMENTS_ORIGIN_ID,
            home: PAYMENTS_ORIGIN_ID,
            ..route("/payments/*", Target::Origin, 900.0, 400.0, 310.0)
        },
        route("/auth/*", Target::Origin, 9_000.0, 120.0, 85.0),
        SimRoute {
            origin: STATIC_ORIGIN_ID,
            home: STATIC_ORIGIN_ID,
            ..route("/static/*", Target::Origin, 30_000.0, 60.0, 25.0)
        },
        route("*", Target::Origin, 98_000.0, 200.0, 140.0),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn any_count_keeps_the_hand_made_routes_and_ends_with_the_default_behavior() {
        for count in [DEFAULT_ROUTES, 75, MAX_ROUTES] {
            let routes = routes_of(count);
            assert_eq!(routes.len(), count);
            assert_eq!(routes.last().map(|r| r.path.as_str()), Some("*"));
            let hand_made: Vec<String> = self::routes().into_iter().map(|r| r.path).collect();
            assert!(hand_made.iter().all(|p| routes.iter().any(|r| &r.path == p)), "{count}");
            let unique: HashSet<&str> = routes.iter().map(|r| r.path.as_str()).collect();
            assert_eq!(unique.len(), count, "paths repeat at {count}");
        }
        assert_eq!(routes_of(3).len(), DEFAULT_ROUTES, "never fewer than the hand-made routes");
        assert_eq!(routes_of(5000).len(), MAX_ROUTES);
    }

    #[test]
    fn generated_routes_are_the_same_on_every_call() {
        let (a, b) = (routes_of(75), routes_of(75));
        assert!(a.iter().zip(&b).all(|(a, b)| a.path == b.path && a.base_rpm == b.base_rpm && a.initial == b.initial));
    }
}
