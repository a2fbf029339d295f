//! The shape of the config file. Values that an error may need to point at later (ids, origin ids,
//! route paths, numbers with limits) are kept as [`Spanned`] so that their line and column survive.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::source::{Position, Source};
use crate::domain::plan::{DEFAULT_PLAN_NAME, RolloutPlan};
use crate::domain::probe::{Marker, Markers, ProbeMethod, ProbeSettings, ProbeSpec};
use crate::domain::stage::{RouteStage, StageRef};
use crate::domain::{Target, Thresholds};

pub const DEFAULT_REFRESH_SECONDS: u64 = 60;
pub const DEFAULT_LATENCY_STATISTIC: &str = "p99";
pub const DEFAULT_CONCURRENCY_LIMIT: u64 = 1000;
pub const DEFAULT_TRAFFIC_MOVED_PCT: u64 = 95;
pub const DEFAULT_TRAFFIC_MOVED_WARN_MINUTES: u64 = 10;
pub const DEFAULT_EXPECT_STATUS: u16 = 200;

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
    pub region: Option<Spanned<String>>,
    /// Never switch routes, only watch.
    #[serde(default)]
    pub read_only: bool,
    /// Thresholds for every route, over [`Thresholds::default`].
    #[serde(default)]
    pub thresholds: ThresholdOverrides,
    /// How often and how long routes with a probe are probed, from `[probes]`.
    #[serde(default)]
    pub probes: Probes,
    /// Rollout plans by name, from `[plans]`: `careful = "1% 30m, 10% 30m, 100%"`. `default`, when
    /// given, replaces the built-in default plan.
    #[serde(default)]
    pub plans: BTreeMap<String, Spanned<String>>,
    /// The team's shared journal on CloudWatch Logs, from `[team]`; none without it.
    #[serde(default)]
    pub team: Option<super::team::Team>,
    /// Where notifications go and what about, from `[notify]`; none without it.
    #[serde(default)]
    pub notify: Option<super::notify::Notify>,
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
    /// Headers each side adds to its responses, so that a probe knows for certain who answered.
    #[serde(default)]
    pub probe_markers: ProbeMarkers,
    /// The rollout plan (a name from `[plans]`) of this distribution's routed routes that name none.
    #[serde(default)]
    pub plan: Option<Spanned<String>>,
    /// Other AWS accounts that Lambda sides live in, by name, from `[distribution.lambda_accounts.NAME]`.
    /// Routes not in one are read with the distribution's own credentials.
    #[serde(default)]
    pub lambda_accounts: BTreeMap<String, LambdaAccount>,
    /// The API Gateway stage of every route that names none, for the stage rollback.
    #[serde(default)]
    pub stage: Option<Stage>,
    /// CloudFront real-time logs of this distribution (`cutover edge-logs`), from
    /// `[distribution.edge_logs]`.
    #[serde(default)]
    pub edge_logs: Option<EdgeLogs>,
    /// The routes with metric sources or thresholds of their own, from `[[distribution.route]]`.
    #[serde(default, rename = "route")]
    pub routes: Vec<Route>,
}

/// `[distribution.lambda_accounts.NAME]`: an account the Lambda side of some routes lives in, and
/// how to read its CloudWatch metrics and Lambda concurrency. CloudFront is always read with the
/// distribution's own credentials.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaAccount {
    /// A profile of `~/.aws/config` to read the account with (or to assume `role_arn` from).
    #[serde(default)]
    pub profile: Option<Spanned<String>>,
    /// A role in the account to assume (`arn:aws:iam::ACCOUNT:role/NAME`), from the profile's
    /// credentials or else the distribution's.
    #[serde(default)]
    pub role_arn: Option<Spanned<String>>,
    /// The external id the role's trust policy asks for.
    #[serde(default)]
    pub external_id: Option<Spanned<String>>,
    /// The region of the account's Lambda and API Gateway metrics; the file's `region` when absent.
    #[serde(default)]
    pub region: Option<Spanned<String>>,
    /// The account's concurrency limit to assume when `GetAccountSettings` is not allowed; the
    /// file's `concurrency_limit` when absent.
    #[serde(default)]
    pub concurrency_limit: Option<Spanned<u64>>,
    /// Lambda origins (of the distribution's `lambda_origins`) whose routes live in this account.
    #[serde(default)]
    pub lambda_origins: Vec<Spanned<String>>,
}

impl LambdaAccount {
    /// The 12-digit account id in `role_arn`, when there is one.
    pub fn account_id(&self) -> Option<&str> {
        self.role_arn.as_ref().and_then(|arn| role_arn_account(arn.get_ref()))
    }
}

/// The account id of a role ARN `arn:PARTITION:iam::ACCOUNT:role/NAME`; `None` for anything else.
pub fn role_arn_account(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?;
    let valid = matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !name.is_empty()
        && !name.ends_with('/')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
    valid.then_some(account)
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
    /// A request through the distribution that shows who serves the route, from
    /// `[distribution.route.probe]`.
    #[serde(default)]
    pub probe: Option<Probe>,
    /// The rollout plan (a name from `[plans]`) of this route, over the distribution's.
    #[serde(default)]
    pub plan: Option<Spanned<String>>,
    /// The account (a name from `[distribution.lambda_accounts]`) this route's Lambda side lives
    /// in, over the account of its Lambda origin.
    #[serde(default)]
    pub account: Option<Spanned<String>>,
    /// The API Gateway stage serving the route's Lambda side, over the distribution's, for the
    /// stage rollback (`[distribution.route.stage]`).
    #[serde(default)]
    pub stage: Option<Stage>,
}

/// `[distribution.edge_logs]`: the Kinesis stream the distribution's real-time logs go to, and
/// either the configuration to adopt or what cutover's own is made of.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeLogs {
    pub stream_arn: Spanned<String>,
    /// An existing real-time log configuration to adopt rather than make.
    #[serde(default)]
    pub realtime_log_config_arn: Option<Spanned<String>>,
    /// The fields of the configuration cutover makes, in the order the lines carry them (default:
    /// the six cutover reads, `edge_log::Field::READ`).
    #[serde(default)]
    pub fields: Option<Spanned<Vec<Spanned<String>>>>,
    /// The share of requests logged, 1 to 100 (default 100).
    #[serde(default)]
    pub sampling_percent: Option<Spanned<u64>>,
    /// The seconds of edge numbers a guard or `viewers_healthy` looks at, 5 to 600 (default 30).
    #[serde(default)]
    pub edge_window_secs: Option<Spanned<u64>>,
}

/// Default `sampling_percent`.
pub const DEFAULT_SAMPLING_PERCENT: u8 = 100;
/// Default `edge_window_secs`.
pub const DEFAULT_EDGE_WINDOW_SECS: u64 = 30;

/// `[distribution.edge_logs]` with its defaults filled in, in plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeLogSettings {
    pub stream_arn: String,
    pub realtime_log_config_arn: Option<String>,
    pub fields: Vec<String>,
    pub sampling_percent: u8,
    pub window: Duration,
}

impl EdgeLogs {
    /// The settings, defaults filled in (values are checked when the file is read).
    pub fn settings(&self) -> EdgeLogSettings {
        let fields = match &self.fields {
            Some(fields) => fields.get_ref().iter().map(|f| f.get_ref().clone()).collect(),
            None => crate::domain::edge_log::Field::READ.iter().map(|f| f.name().to_string()).collect(),
        };
        EdgeLogSettings {
            stream_arn: self.stream_arn.get_ref().clone(),
            realtime_log_config_arn: self.realtime_log_config_arn.as_ref().map(|a| a.get_ref().clone()),
            fields,
            sampling_percent: self
                .sampling_percent
                .as_ref()
                .and_then(|p| u8::try_from(*p.get_ref()).ok())
                .unwrap_or(DEFAULT_SAMPLING_PERCENT),
            window: Duration::from_secs(
                self.edge_window_secs.as_ref().map_or(DEFAULT_EDGE_WINDOW_SECS, |w| *w.get_ref()),
            ),
        }
    }
}

/// `[distribution.stage]` or `[distribution.route.stage]`: a REST API's (`rest_api_id`) or an HTTP
/// API's (`http_api_id`) stage, and the deployment that proxies to the monolith.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    #[serde(default)]
    pub rest_api_id: Option<Spanned<String>>,
    #[serde(default)]
    pub http_api_id: Option<Spanned<String>>,
    pub stage: Spanned<String>,
    /// The deployment the stage rollback offers first: the one whose integration proxies to the
    /// monolith.
    #[serde(default)]
    pub fallback_deployment: Option<Spanned<String>>,
}

impl Stage {
    /// The stage as the backend names it; `None` when it names no API or both (refused on load).
    pub fn route_stage(&self) -> Option<RouteStage> {
        let stage = self.stage.get_ref().clone();
        let stage = match (&self.rest_api_id, &self.http_api_id) {
            (Some(id), None) => StageRef::Rest { rest_api_id: id.get_ref().clone(), stage },
            (None, Some(id)) => StageRef::Http { api_id: id.get_ref().clone(), stage },
            _ => return None,
        };
        Some(RouteStage { stage, fallback_deployment: self.fallback_deployment.as_ref().map(|d| d.get_ref().clone()) })
    }
}

/// `[distribution.route.probe]`: what to request to see who serves the route.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The path requested, such as `/orders/health`; starts with `/`.
    pub path: Spanned<String>,
    /// `GET` (the default) or `HEAD`.
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    /// The status a healthy answer has (default 200).
    #[serde(default)]
    pub expect_status: Option<Spanned<u64>>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<Spanned<String>, Spanned<String>>,
    /// The `Host` header; by default the distribution's first alias, else its `*.cloudfront.net`
    /// name, which only the live distribution knows.
    #[serde(default)]
    pub host: Option<Spanned<String>>,
    /// Where to send the request instead of `https://HOST` (for tests: `http://127.0.0.1:PORT`).
    #[serde(default)]
    pub base_url: Option<Spanned<String>>,
}

/// `[distribution.probe_markers]`: a header and value per side.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeMarkers {
    #[serde(default)]
    pub lambda: Option<MarkerHeader>,
    #[serde(default)]
    pub origin: Option<MarkerHeader>,
}

/// `lambda = { header = "x-served-by", value = "lambda" }`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkerHeader {
    pub header: Spanned<String>,
    pub value: Spanned<String>,
}

/// `[probes]`: how often, how long, and at most how many.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    /// Seconds between two probes of one route (default 5).
    #[serde(default = "default_probe_every")]
    pub every_secs: Spanned<u64>,
    /// Seconds a route is probed after a switch (default 180).
    #[serde(default = "default_probe_for")]
    pub for_secs: Spanned<u64>,
    /// Seconds one probe waits for an answer (default 3).
    #[serde(default = "default_probe_timeout")]
    pub timeout_secs: Spanned<u64>,
    /// The hard cap of probes a minute per distribution, all routes together (default 30).
    #[serde(default = "default_probe_cap")]
    pub max_per_minute: Spanned<u64>,
}

impl Default for Probes {
    fn default() -> Self {
        Probes {
            every_secs: default_probe_every(),
            for_secs: default_probe_for(),
            timeout_secs: default_probe_timeout(),
            max_per_minute: default_probe_cap(),
        }
    }
}

impl Probes {
    pub fn settings(&self) -> ProbeSettings {
        ProbeSettings {
            every: Duration::from_secs(*self.every_secs.get_ref()),
            follow_for: Duration::from_secs(*self.for_secs.get_ref()),
            timeout: Duration::from_secs(*self.timeout_secs.get_ref()),
            max_per_minute: u32::try_from(*self.max_per_minute.get_ref()).unwrap_or(u32::MAX),
        }
    }
}

impl ProbeMarkers {
    pub fn markers(&self) -> Markers {
        let marker = |m: &Option<MarkerHeader>| {
            m.as_ref().map(|m| Marker::new(m.header.get_ref().trim(), m.value.get_ref().trim()))
        };
        Markers { lambda: marker(&self.lambda), origin: marker(&self.origin) }
    }
}

impl Probe {
    pub fn method(&self) -> ProbeMethod {
        self.method.as_ref().and_then(|m| ProbeMethod::parse(m.get_ref())).unwrap_or_default()
    }

    pub fn expect_status(&self) -> u16 {
        self.expect_status.as_ref().and_then(|s| u16::try_from(*s.get_ref()).ok()).unwrap_or(DEFAULT_EXPECT_STATUS)
    }

    /// The probe of `route` as sent: its `host`, else `viewer_host` (the distribution's first alias,
    /// else its `*.cloudfront.net` name); its `base_url`, else `https://` and the host. `None` when
    /// neither host is known.
    pub fn spec(&self, route: &str, markers: Markers, viewer_host: Option<&str>) -> Option<ProbeSpec> {
        let host = self.host.as_ref().map(|h| h.get_ref().trim()).or(viewer_host)?.to_string();
        let base_url = self.base_url.as_ref().map_or_else(|| format!("https://{host}"), |b| b.get_ref().clone());
        Some(ProbeSpec {
            route: route.to_string(),
            path: self.path.get_ref().clone(),
            method: self.method(),
            expect_status: self.expect_status(),
            headers: self.headers.iter().map(|(n, v)| (n.get_ref().clone(), v.get_ref().clone())).collect(),
            base_url,
            host,
            markers,
        })
    }
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
    /// The file's `region`, when it sets one.
    pub fn region(&self) -> Option<&str> {
        self.region.as_ref().map(|r| r.get_ref().as_str())
    }

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

    /// The plan named `name`: one of `[plans]`, or the built-in default as `default`; an error
    /// sentence naming the plans there are when there is none by that name.
    pub fn plan(&self, name: &str) -> Result<RolloutPlan, String> {
        if let Some(text) = self.plans.get(name) {
            return RolloutPlan::parse(name, text.get_ref());
        }
        if name == DEFAULT_PLAN_NAME {
            return Ok(RolloutPlan::default_plan());
        }
        let mut known: Vec<&str> = self.plans.keys().map(String::as_str).collect();
        if !known.contains(&DEFAULT_PLAN_NAME) {
            known.insert(0, DEFAULT_PLAN_NAME);
        }
        Err(format!("there is no rollout plan {name:?}: [plans] in {} has {}", self.file_name(), known.join(", ")))
    }

    /// The API Gateway stage of each of `paths` (a route's own, else the distribution's), by path.
    pub fn stages_of(&self, distribution_id: &str, paths: &[String]) -> HashMap<String, RouteStage> {
        let Some(distribution) = self.distribution(distribution_id) else {
            return HashMap::new();
        };
        let shared = distribution.stage.as_ref().and_then(Stage::route_stage);
        let own = |path: &str| distribution.route(path).and_then(|r| r.stage.as_ref()).and_then(Stage::route_stage);
        (paths.iter()).filter_map(|path| Some((path.clone(), own(path).or_else(|| shared.clone())?))).collect()
    }

    /// Each route's rollout plan where the route or its distribution names one, and the plan of
    /// the others; names are checked when the file is read.
    pub fn plans_of(&self, distribution_id: &str) -> (HashMap<String, RolloutPlan>, RolloutPlan) {
        let distribution = self.distribution(distribution_id);
        let named = |name: Option<&Spanned<String>>| name.and_then(|n| self.plan(n.get_ref()).ok());
        let fallback = named(distribution.and_then(|d| d.plan.as_ref()))
            .unwrap_or_else(|| self.plan(DEFAULT_PLAN_NAME).unwrap_or_else(|_| RolloutPlan::default_plan()));
        let routes = distribution
            .map(|d| {
                d.routes.iter().filter_map(|r| Some((r.path.get_ref().clone(), named(r.plan.as_ref())?))).collect()
            })
            .unwrap_or_default();
        (routes, fallback)
    }

    /// How often and how long probes go, and their cap.
    pub fn probe_settings(&self) -> ProbeSettings {
        self.probes.settings()
    }

    /// The probe of one route as sent, when the route has one: `Ok(None)` when it has none, an error
    /// sentence when neither the probe nor `viewer_host` names the host to send it to.
    pub fn probe_spec(
        &self,
        distribution_id: &str,
        route: &str,
        viewer_host: Option<&str>,
    ) -> Result<Option<ProbeSpec>, String> {
        let Some(distribution) = self.distribution(distribution_id) else { return Ok(None) };
        let Some(probe) = distribution.route(route).and_then(|r| r.probe.as_ref()) else { return Ok(None) };
        match probe.spec(route, distribution.probe_markers.markers(), viewer_host) {
            Some(spec) => Ok(Some(spec)),
            None => Err(format!(
                "the probe of route {route} names no host and the distribution's own is not known; add host = \"...\" \
                 (the distribution's alias) to its [distribution.route.probe] in {}",
                self.file_name()
            )),
        }
    }

    pub fn distribution(&self, id: &str) -> Option<&Distribution> {
        self.distributions.iter().find(|d| d.id.get_ref() == id)
    }

    /// The log group of a distribution's team journal, when the file has `[team]`.
    pub fn team_log_group_of(&self, distribution_id: &str) -> Option<String> {
        self.team.as_ref().map(|team| team.log_group_of(distribution_id))
    }

    /// The edge-log settings of a distribution, when it has `[distribution.edge_logs]`.
    pub fn edge_logs_of(&self, distribution_id: &str) -> Option<EdgeLogSettings> {
        self.distribution(distribution_id).and_then(|d| d.edge_logs.as_ref()).map(EdgeLogs::settings)
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

    /// The routes that have a probe, in the file's order.
    pub fn probed_routes(&self) -> impl Iterator<Item = (&str, &Probe)> {
        self.routes.iter().filter_map(|r| r.probe.as_ref().map(|p| (r.path.get_ref().as_str(), p)))
    }

    /// Whether some probe names no host and needs the distribution's own (read from CloudFront).
    pub fn probes_need_viewer_host(&self) -> bool {
        self.probed_routes().any(|(_, p)| p.host.is_none())
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

    /// The account (a name of `lambda_accounts`) the Lambda side of route `path` lives in: the
    /// route's own `account`, else the account listing the route's Lambda origin (its own, else the
    /// distribution's first). `None`: the distribution's own account.
    pub fn account_of(&self, path: &str) -> Option<&str> {
        let route = self.route(path);
        if let Some(name) = route.and_then(|r| r.account.as_ref()) {
            return Some(name.get_ref());
        }
        let origin = route.and_then(|r| r.lambda_origin.as_ref()).or(self.lambda_origins.first())?;
        self.lambda_accounts
            .iter()
            .find(|(_, a)| a.lambda_origins.iter().any(|o| o.get_ref() == origin.get_ref()))
            .map(|(name, _)| name.as_str())
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

fn default_probe_every() -> Spanned<u64> {
    Spanned::new(0..0, ProbeSettings::default().every.as_secs())
}

fn default_probe_for() -> Spanned<u64> {
    Spanned::new(0..0, ProbeSettings::default().follow_for.as_secs())
}

fn default_probe_timeout() -> Spanned<u64> {
    Spanned::new(0..0, ProbeSettings::default().timeout.as_secs())
}

fn default_probe_cap() -> Spanned<u64> {
    Spanned::new(0..0, u64::from(ProbeSettings::default().max_per_minute))
}
