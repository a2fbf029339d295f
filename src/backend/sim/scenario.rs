//! The stories the demo world can play out. Each one is a function of simulated time since start.

use clap::ValueEnum;

/// A story the demo plays out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Daily traffic with noise; nothing goes wrong unless you make it.
    #[default]
    Calm,
    /// Traffic multiplies about twentyfold within a minute, as after a TV spot; Lambda
    /// concurrency climbs to the account limit.
    TvSpike,
    /// A few minutes in, the Lambda behind /orders/* starts returning 5xx and slowing down.
    BadDeploy,
    /// Another workload takes the account's Lambda concurrency; every Lambda route is throttled.
    Throttle,
    /// A teammate and an outside change, traffic as calm: `alice@laptop-7` watches
    /// from the start; two minutes in she rolls `/cart/*` back to the origin (its rollout runs one
    /// to three minutes: `s` on `/cart/*` meanwhile warns of her); five minutes in, `/catalog/*` is
    /// moved to the origin outside cutover (as Terraform would), and CloudTrail names its author
    /// three minutes after that.
    Crew,
}

/// The route whose Lambda goes bad in `bad-deploy`.
pub const BAD_DEPLOY_ROUTE: &str = "/orders/*";
/// Simulated seconds after start when the bad deploy lands.
pub const BAD_DEPLOY_AT_SECS: f64 = 150.0;
/// Simulated seconds after start when the TV spot airs.
pub const TV_SPOT_AT_SECS: f64 = 40.0;

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Calm => "calm",
            Scenario::TvSpike => "tv-spike",
            Scenario::BadDeploy => "bad-deploy",
            Scenario::Throttle => "throttle",
            Scenario::Crew => "crew",
        }
    }

    /// Multiplier on every route's normal traffic, `secs` simulated seconds after start.
    pub fn traffic_multiplier(self, secs: f64) -> f64 {
        match self {
            Scenario::TvSpike if secs >= TV_SPOT_AT_SECS => {
                let since = secs - TV_SPOT_AT_SECS;
                let ramp = (since / 60.0).min(1.0);
                // Holds for five minutes, then viewers drift away over about ten.
                let decay = if since > 360.0 { (-(since - 360.0) / 600.0).exp() } else { 1.0 };
                1.0 + 19.0 * ramp * decay
            }
            _ => 1.0,
        }
    }

    /// Concurrency used by the account's other functions (not routes of this distribution).
    pub fn background_concurrency(self, secs: f64) -> f64 {
        match self {
            // A batch job elsewhere in the account ramps up and takes nearly everything.
            Scenario::Throttle => 60.0 + 1000.0 * ((secs - 30.0) / 60.0).clamp(0.0, 1.0),
            _ => 60.0,
        }
    }

    /// Extra Lambda 5xx rate (fraction) and latency multiplier for a route's Lambda.
    pub fn lambda_degradation(self, path: &str, secs: f64) -> (f64, f64) {
        match self {
            Scenario::BadDeploy if path == BAD_DEPLOY_ROUTE && secs >= BAD_DEPLOY_AT_SECS => (0.16, 9.0),
            _ => (0.0, 1.0),
        }
    }
}
