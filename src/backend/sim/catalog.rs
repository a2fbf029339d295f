//! The demo distribution: its routes, how busy and how fast each one is.

use crate::domain::Target;

pub const DISTRIBUTION_ID: &str = "EDEMO7CUTOVER";

/// The id of the demo's `index`th distribution (the first is [`DISTRIBUTION_ID`]).
pub fn demo_distribution_id(index: u8) -> String {
    if index == 0 { DISTRIBUTION_ID.to_string() } else { format!("EDEMO{}CUTOVER", 7 + u32::from(index)) }
}
pub const LAMBDA_ORIGIN_ID: &str = "apigw";
pub const LEGACY_ORIGIN_ID: &str = "legacy";
pub const CONCURRENCY_LIMIT: u32 = 1000;

/// One simulated route and its normal behaviour.
#[derive(Clone, Debug)]
pub struct SimRoute {
    pub path: &'static str,
    pub initial: Target,
    /// Requests per minute at the daily mean.
    pub base_rpm: f64,
    /// Normal p99 latency of its Lambda, in ms.
    pub lambda_p99_ms: f64,
    /// Normal p99 latency on the origin, in ms.
    pub origin_p99_ms: f64,
    /// Chance that a minute has no datapoint at all (low-traffic routes report sparsely).
    pub gap_chance: f64,
}

const fn route(path: &'static str, initial: Target, base_rpm: f64, lambda_p99_ms: f64, origin_p99_ms: f64) -> SimRoute {
    SimRoute { path, initial, base_rpm, lambda_p99_ms, origin_p99_ms, gap_chance: 0.004 }
}

/// Routes in CloudFront precedence order; the default behavior comes last.
pub fn routes() -> Vec<SimRoute> {
    vec![
        route("/user/*", Target::Lambda, 12_000.0, 210.0, 160.0),
        route("/orders/*", Target::Lambda, 8_300.0, 320.0, 240.0),
        route("/cart/*", Target::Lambda, 6_400.0, 260.0, 190.0),
        route("/catalog/*", Target::Lambda, 15_000.0, 180.0, 150.0),
        route("/search/*", Target::Origin, 24_000.0, 150.0, 95.0),
        SimRoute { gap_chance: 0.05, ..route("/payments/*", Target::Origin, 900.0, 400.0, 310.0) },
        route("/auth/*", Target::Origin, 9_000.0, 120.0, 85.0),
        route("*", Target::Origin, 98_000.0, 200.0, 140.0),
    ]
}
