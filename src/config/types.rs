//! The shape of the config file. Values that an error may need to point at later (ids, origin ids,
//! route paths, numbers with limits) are kept as [`Spanned`] so that their line and column survive.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::source::{Position, Source};
use crate::domain::{Target, Thresholds};

pub const DEFAULT_REFRESH_SECONDS: u64 = 60;
pub const DEFAULT_LATENCY_STATISTIC: &str = "p99";
pub const DEFAULT_CONCURRENCY_LIMIT: u64 = 1000;
pub const DEFAULT_TRAFFIC_MOVED_PCT: u64 = 95;
pub const DEFAULT_TRAFFIC_MOVED_WARN_MINUTES: u64 = 10;

/// A whole config file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Seconds between metric refreshes (10..=3600, default 60).
    #[serde(default = "default_refresh_seconds")]
    pub refresh_seconds: Spanned<u64>,
    /// CloudWatch statistic for latency: a percentile such as `p99` or `p99.9`, or `Average`,
    /// `Maximum`, `Minimum`, `Sum`, `SampleCount` (default `p99`).
    #[serde(default = "default_latency_statistic")]
    pub latency_statistic: Spanned<String>,
    /// Account concurrency limit assumed when Lambda `GetAccountSettings` is not allowed (default 1000).
    #[serde(default = "default_concurrency_limit")]
    pub concurrency_limit: Spanned<u64>,
    /// The share of a route's requests, in percent, the new side must carry in one minute for a
    /// switch's traffic to count as moved (50..=100, default 95).
    #[serde(default = "default_traffic_moved_pct")]
    pub traffic_moved_pct: Spanned<u64>,
    /// Minutes after acceptance at which a switch whose traffic has not moved is worth a warning
    /// (1..=120, default 10).
    #[serde(default = "default_traffic_moved_warn_minutes")]
    pub traffic_moved_warn_minutes: Spanned<u64>,
    /// Region of the Lambda, API Gateway and ALB metrics; the AWS default region when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// Never switch routes, only watch.
    #[serde(default)]
    pub read_only: bool,
    /// Thresholds for every route, over [`Thresholds::default`].
    #[serde(default)]
    pub thresholds: ThresholdOverrides,
    /// The distributions, from `[[distribution]]` tables.
    #[serde(default, rename = "distribution")]
    pub distributions: Vec<Distribution>,
    /// File name and text, for positions in later errors.
    #[serde(skip)]
    pub(crate) source: Source,
}

/// One `[[distribution]]`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// The CloudFront distribution id.
    pub id: Spanned<String>,
    /// Origin ids that count as Lambda; a route without its own `lambda_origin` that is not on one
    /// of them goes to the first.
    #[serde(default)]
    pub lambda_origins: Vec<Spanned<String>>,
    /// Origin ids that count as the legacy origin; a route without its own `legacy_origin` that is
    /// not on one of them goes back to the first.
    #[serde(default)]
    pub legacy_origins: Vec<Spanned<String>>,
    /// Origin request policy to attach, in the same update, to a route switched to Lambda (for
    /// example AllViewerExceptHostHeader); routes may name their own.
    #[serde(default)]
    pub lambda_origin_request_policy: Option<Spanned<String>>,
    /// Origin request policy to attach to a route switched back to its legacy origin.
    #[serde(default)]
    pub legacy_origin_request_policy: Option<Spanned<String>>,
    /// The routes with metric sources or thresholds of their own, from `[[distribution.route]]`.
    #[serde(default, rename = "route")]
    pub routes: Vec<Route>,
}

/// One `[[distribution.route]]`: a cache behavior and where its metrics come from.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The cache behavior's path pattern, or `*` for the default behavior.
    pub path: Spanned<String>,
    /// The Lambda origin this route goes to (one of `lambda_origins`).
    #[serde(default)]
    pub lambda_origin: Option<Spanned<String>>,
    /// The legacy origin this route comes from and goes back to: its home (one of `legacy_origins`).
    #[serde(default)]
    pub legacy_origin: Option<Spanned<String>>,
    /// `false` keeps cutover from ever moving the route (`init` writes it when it cannot tell a
    /// route's home).
    #[serde(default = "yes")]
    pub switchable: bool,
    /// Origin request policy attached when this route moves to Lambda, over the distribution's.
    #[serde(default)]
    pub lambda_origin_request_policy: Option<Spanned<String>>,
    /// Origin request policy attached when this route moves back to its legacy origin.
    #[serde(default)]
    pub legacy_origin_request_policy: Option<Spanned<String>>,
    /// `AWS/Lambda` `FunctionName` of the function serving the route.
    #[serde(default)]
    pub lambda_function: Option<String>,
    /// API Gateway metrics for the route.
    #[serde(default)]
    pub api_gateway: Option<ApiGateway>,
    /// ALB metrics for the origin side, when the route has its own target group.
    #[serde(default)]
    pub alb: Option<Alb>,
    /// Switch the route back to the origin by itself when its thresholds are breached.
    #[serde(default)]
    pub auto_rollback: bool,
    /// Thresholds of this route, over the file's `[thresholds]`.
    #[serde(default)]
    pub thresholds: ThresholdOverrides,
}

/// Where a route's API Gateway metrics come from (`AWS/ApiGateway`, detailed metrics).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ApiGateway {
    /// A REST API: dimensions `ApiName`, `Stage`, `Resource`, `Method`.
    Rest { api_name: String, stage: String, resource: String, method: String },
    /// An HTTP API: dimensions `ApiId`, `Stage`, `Resource`, `Method`.
    Http { api_id: String, stage: String, resource: String, method: String },
}

/// Where a route's origin-side metrics come from (`AWS/ApplicationELB`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alb {
    /// The `LoadBalancer` dimension, `app/<name>/<id>`.
    pub load_balancer: String,
    /// The `TargetGroup` dimension, `targetgroup/<name>/<id>`.
    pub target_group: String,
}

/// Any subset of the [`Thresholds`] fields, laid over thresholds from a wider scope.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdOverrides {
    #[serde(default)]
    pub error_rate_pct: Option<Spanned<f64>>,
    #[serde(default)]
    pub latency_ms: Option<Spanned<f64>>,
    #[serde(default)]
    pub throttles_per_min: Option<Spanned<f64>>,
    #[serde(default)]
    pub periods: Option<Spanned<usize>>,
}

impl ThresholdOverrides {
    /// `base` with every field this sets replaced.
    pub fn apply(&self, base: Thresholds) -> Thresholds {
        let value = |v: &Option<Spanned<f64>>, base: f64| v.as_ref().map_or(base, |v| *v.get_ref());
        Thresholds {
            error_rate_pct: value(&self.error_rate_pct, base.error_rate_pct),
            latency_ms: value(&self.latency_ms, base.latency_ms),
            throttles_per_min: value(&self.throttles_per_min, base.throttles_per_min),
            periods: self.periods.as_ref().map_or(base.periods, |v| *v.get_ref()),
        }
    }
}

impl Config {
    /// The name the file was loaded under, as used in error messages.
    pub fn file_name(&self) -> &str {
        &self.source.name
    }

    /// The line and column of a span of this config's file.
    pub fn position(&self, span: &std::ops::Range<usize>) -> Position {
        self.source.position(span)
    }

    pub fn refresh_interval(&self) -> Duration {
        Duration::from_secs(*self.refresh_seconds.get_ref())
    }

    pub fn latency_statistic(&self) -> &str {
        self.latency_statistic.get_ref()
    }

    pub fn concurrency_limit(&self) -> u64 {
        *self.concurrency_limit.get_ref()
    }

    /// The new side's share, in percent, at which a switch's traffic counts as moved.
    pub fn traffic_moved_pct(&self) -> f64 {
        *self.traffic_moved_pct.get_ref() as f64
    }

    /// How long after acceptance a switch's traffic may take to move before a warning.
    pub fn traffic_moved_warn_after(&self) -> Duration {
        Duration::from_secs(*self.traffic_moved_warn_minutes.get_ref() * 60)
    }

    pub fn distribution(&self, id: &str) -> Option<&Distribution> {
        self.distributions.iter().find(|d| d.id.get_ref() == id)
    }

    /// The thresholds of one route: [`Thresholds::default`], then the file's `[thresholds]`, then the
    /// route's own. A route the file does not list gets the file's thresholds.
    pub fn thresholds_for(&self, distribution_id: &str, path: &str) -> Thresholds {
        let file = self.thresholds.apply(Thresholds::default());
        match self.distribution(distribution_id).and_then(|d| d.route(path)) {
            Some(route) => route.thresholds.apply(file),
            None => file,
        }
    }
}

impl Distribution {
    pub fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| r.path.get_ref() == path)
    }

    /// The origin ids that count as `target`.
    pub fn origins(&self, target: Target) -> &[Spanned<String>] {
        match target {
            Target::Lambda => &self.lambda_origins,
            Target::Origin => &self.legacy_origins,
        }
    }

    /// Where a route goes when switched to `target` and names no origin of its own: the first
    /// origin id of that list. A loaded config always has one.
    pub fn origin_id_for(&self, target: Target) -> Option<&str> {
        self.origins(target).first().map(|o| o.get_ref().as_str())
    }

    /// Whether an origin id counts as Lambda or as the origin; `None` when the config lists it in neither.
    pub fn target_of(&self, origin_id: &str) -> Option<Target> {
        [Target::Lambda, Target::Origin].into_iter().find(|&t| self.origins(t).iter().any(|o| o.get_ref() == origin_id))
    }
}

impl ApiGateway {
    pub fn stage(&self) -> &str {
        match self {
            ApiGateway::Rest { stage, .. } | ApiGateway::Http { stage, .. } => stage,
        }
    }

    pub fn resource(&self) -> &str {
        match self {
            ApiGateway::Rest { resource, .. } | ApiGateway::Http { resource, .. } => resource,
        }
    }

    pub fn method(&self) -> &str {
        match self {
            ApiGateway::Rest { method, .. } | ApiGateway::Http { method, .. } => method,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_refresh_seconds() -> Spanned<u64> {
    Spanned::new(0..0, DEFAULT_REFRESH_SECONDS)
}

fn default_latency_statistic() -> Spanned<String> {
    Spanned::new(0..0, DEFAULT_LATENCY_STATISTIC.to_string())
}

fn default_concurrency_limit() -> Spanned<u64> {
    Spanned::new(0..0, DEFAULT_CONCURRENCY_LIMIT)
}

fn default_traffic_moved_pct() -> Spanned<u64> {
    Spanned::new(0..0, DEFAULT_TRAFFIC_MOVED_PCT)
}

fn default_traffic_moved_warn_minutes() -> Spanned<u64> {
    Spanned::new(0..0, DEFAULT_TRAFFIC_MOVED_WARN_MINUTES)
}
