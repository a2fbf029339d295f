//! `cutover status`: every route's target, pending state, newest numbers and guards, as a table or
//! as one JSON document whose shape is part of cutover's interface (see the book:
//! docs/src/reference/status-json.md).

use std::collections::HashMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;

use super::stage_status::StageStatus;
use crate::app::model::routing::Via;
use crate::app::model::state::State;
use crate::audit::{AuditTrail, RecordKind};
use crate::domain::format::{thousands, time_of_day};
use crate::domain::route::NOT_SWITCHABLE;
use crate::domain::visible;
use crate::domain::{AccountConcurrency, Breach, BreachKind, DeployStatus, Target};

/// Bumped only when a field changes meaning or goes away; new fields may appear in any version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReport {
    pub schema_version: u32,
    /// When the report was made, UTC, RFC 3339.
    pub generated_at: Timestamp,
    /// No guard breached and every number read, every account's included.
    pub healthy: bool,
    pub distributions: Vec<DistributionStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DistributionStatus {
    pub id: String,
    /// `Deployed`, or `InProgress` while a change reaches the edges.
    pub status: DeployStatus,
    /// Why the numbers are missing, when they could not be read.
    pub metrics_error: Option<String>,
    /// Why the router's shares are unknown, when its store could not be read and the router may
    /// send viewers to Lambda: the report is then not healthy.
    pub router_error: Option<String>,
    /// Why the distribution's configured real-time logs could not be read: its edge numbers (and
    /// edge guards) are unknown, so the report is not healthy.
    pub edge_logs_error: Option<String>,
    /// The CloudWatch statistic behind `latency_ms` (`p99`, `Average`, …).
    pub latency_statistic: String,
    /// End of the newest minute with any datapoint.
    pub newest_datapoint: Option<Timestamp>,
    pub concurrency: Option<Concurrency>,
    /// Each account's concurrency when the Lambda sides live in several (the distribution's own
    /// first); empty for one account, whose numbers are `concurrency`.
    pub accounts: Vec<AccountStatus>,
    /// Each API Gateway stage the config names: what it serves, and the routes behind it.
    pub stages: Vec<StageStatus>,
    pub routes: Vec<RouteStatus>,
    /// Routes changed outside cutover (no move of cutover's, nor a teammate's journal record,
    /// explains them), as this run found them.
    pub outside_changes: Vec<OutsideChangeStatus>,
}

/// A route changed outside cutover.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutsideChangeStatus {
    pub route: String,
    /// Where it was (`λ Lambda`, `◼ origin`, `λ 10 %`) and is.
    pub from: String,
    pub to: String,
    /// The read that showed it.
    pub seen_at: Timestamp,
    /// Who, from CloudTrail; `null` until known.
    pub who: Option<String>,
    /// `known`, `not known yet` (CloudTrail's events come minutes late) or why it is unknown.
    pub who_status: String,
}

impl OutsideChangeStatus {
    fn of(change: &crate::app::model::team::OutsideChange) -> Self {
        use crate::app::model::team::Author;
        let (who, who_status) = match &change.who {
            Author::Known(who) => (Some(who.clone()), "known".to_string()),
            other => (None, other.describe()),
        };
        OutsideChangeStatus {
            route: change.route.clone(),
            from: change.from.clone(),
            to: change.to.clone(),
            seen_at: change.seen_at,
            who,
            who_status,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountStatus {
    /// The config's name for it (`default`: the distribution's own).
    pub name: String,
    /// Its 12-digit id, once known.
    pub account_id: Option<String>,
    /// Lambda concurrent executions, newest minute's maximum; `null` without a datapoint.
    pub used: Option<f64>,
    pub limit: u32,
    pub limit_assumed: bool,
    /// Why the last refresh could not read it; its numbers are then as of `as_of`.
    pub error: Option<String>,
    /// When its numbers were read.
    pub as_of: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concurrency {
    /// Account-wide Lambda concurrent executions, newest minute's maximum.
    pub used: f64,
    pub limit: u32,
    /// The limit is the config's `concurrency_limit`, because Lambda would not say.
    pub limit_assumed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteStatus {
    /// The cache behavior's path pattern; `*` is the default behavior.
    pub path: String,
    /// `lambda` or `origin`; `null` for a route on an origin that is neither (an S3 bucket...).
    pub target: Option<Target>,
    pub origin_id: String,
    /// Whether cutover may move this route; `why_not_switchable` says why not.
    pub switchable: bool,
    pub why_not_switchable: Option<String>,
    /// The Lambda origin it goes to and the legacy origin it goes back to (its home), when switchable.
    pub lambda_origin: Option<String>,
    pub legacy_origin: Option<String>,
    /// Lambda's share of its viewers in the router's store, when the router moves the route (its
    /// behavior on its origin, and all three pieces agree: the behavior runs the router's
    /// function, the store's index lists it, its record decodes); `null` otherwise.
    pub lambda_share_pct: Option<u8>,
    /// The router's part in words when the route has some of the router's pieces but is not
    /// routed (`not routed: not in the router's index, its record says λ 10 %`); `null` otherwise.
    pub router: Option<String>,
    /// Whether the router may be sending viewers of it to Lambda without cutover knowing how many
    /// (its record, or the store, cannot be read): counted as on Lambda.
    pub router_share_unknown: bool,
    /// The account (a name of `accounts`) its Lambda side lives in; `null` for one account.
    pub lambda_account: Option<String>,
    /// A switch of this route recorded in this machine's audit trail is still being deployed.
    pub pending: bool,
    /// Start of the newest minute with data for this route; the numbers below are that minute's.
    pub minute: Option<Timestamp>,
    pub requests_per_min: Option<f64>,
    pub errors_5xx_pct: Option<f64>,
    pub latency_ms: Option<f64>,
    pub throttles_per_min: Option<f64>,
    pub guard: Guard,
    /// What viewers got at the edge over the edge window, when the distribution has edge logs and
    /// they are live; `null` otherwise.
    pub edge: Option<EdgeStatus>,
}

/// A route's edge window, from the real-time logs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeStatus {
    /// The seconds the numbers cover (the edge window, widened to whole 10-second slots).
    pub window_s: u32,
    /// Viewer requests a second, scaled up by the sampling rate.
    pub requests_per_s: f64,
    /// `null` with no request in the window.
    pub error_5xx_pct: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Errors CloudFront answered itself (origin unreachable, a function failed…), lines counted.
    pub edge_errors: u32,
    /// How old the newest line is.
    pub age_s: i64,
}

impl EdgeStatus {
    pub fn of(state: &State, path: &str) -> Option<EdgeStatus> {
        let edge = state.edge_logs.as_ref()?;
        let window = edge.window(path, state.now)?;
        Some(EdgeStatus {
            window_s: window.secs,
            requests_per_s: (window.requests_per_s() * 10.0).round() / 10.0,
            error_5xx_pct: window.error_5xx_pct().map(|v| (v * 100.0).round() / 100.0),
            p50_ms: window.p50_ms.map(f64::round),
            p99_ms: window.p99_ms.map(f64::round),
            edge_errors: window.counts.edge_errors,
            age_s: edge.age_secs(state.now)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Guard {
    pub breached: bool,
    /// Consecutive one-minute periods a threshold must be crossed to count.
    pub periods: usize,
    pub breaches: Vec<BreachStatus>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreachStatus {
    /// `error_rate` (percent), `latency` (ms) or `throttles` (per minute).
    pub kind: &'static str,
    pub value: f64,
    pub limit: f64,
    /// The breach in words, as the console's event log says it.
    pub text: String,
}

impl StatusReport {
    pub fn new(generated_at: Timestamp, distributions: Vec<DistributionStatus>) -> Self {
        let healthy = distributions.iter().all(|d| {
            d.metrics_error.is_none()
                && d.router_error.is_none()
                && d.edge_logs_error.is_none()
                && d.accounts.iter().all(|a| a.error.is_none())
                // A stage that could not be read is an emergency path (`D`) nobody can vouch for.
                && d.stages.iter().all(|s| s.serving.is_some())
                && d.routes.iter().all(|r| !r.guard.breached)
        });
        StatusReport { schema_version: SCHEMA_VERSION, generated_at, healthy, distributions }
    }

    pub fn breached(&self) -> bool {
        self.distributions.iter().any(|d| d.routes.iter().any(|r| r.guard.breached))
    }

    pub fn metrics_failed(&self) -> bool {
        self.distributions.iter().any(|d| d.metrics_error.is_some())
    }

    /// Some account the Lambda sides live in could not be read: its routes' Lambda numbers, and so
    /// their guards, are unknown (or old).
    pub fn accounts_failed(&self) -> bool {
        self.distributions.iter().any(|d| d.accounts.iter().any(|a| a.error.is_some()))
    }

    /// Whether any router's store could not be read while it may send viewers to Lambda.
    pub fn router_failed(&self) -> bool {
        self.distributions.iter().any(|d| d.router_error.is_some())
    }

    /// A configured edge-log stream could not be read: the edge's numbers are unknown.
    pub fn edge_logs_failed(&self) -> bool {
        self.distributions.iter().any(|d| d.edge_logs_error.is_some())
    }

    /// A configured stage could not be read: `D` would act on a stage nobody has seen.
    pub fn stages_failed(&self) -> bool {
        self.distributions.iter().any(|d| d.stages.iter().any(|s| s.serving.is_none()))
    }

    /// 1 when numbers (an account's or the edge logs' included), a router's store or a configured
    /// stage could not be read (so guards could not be judged, viewers may reach Lambda unseen, or
    /// `D` is unchecked), else 3 when a guard is breached, else 0.
    pub fn exit_code(&self) -> u8 {
        let unknown = self.metrics_failed() || self.accounts_failed() || self.router_failed();
        if unknown || self.stages_failed() || self.edge_logs_failed() {
            1
        } else if self.breached() {
            super::EXIT_BREACHED
        } else {
            0
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a status report is plain data")
    }

    /// The report as a table per distribution, for a terminal or a runbook's log.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (i, distribution) in self.distributions.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            distribution.write_text(&mut out);
        }
        out
    }
}

impl From<&AccountConcurrency> for AccountStatus {
    fn from(a: &AccountConcurrency) -> Self {
        AccountStatus {
            name: a.label.clone(),
            account_id: a.account_id.clone(),
            used: a.latest(),
            limit: a.limit,
            limit_assumed: a.limit_assumed,
            error: a.error.clone(),
            as_of: a.as_of,
        }
    }
}

impl DistributionStatus {
    // Long: one field of the report per line, each read off the state where it lives.
    /// What a loaded session knows about its distribution. `pending` holds routes with a switch
    /// in the audit trail that was not yet seen deployed.
    pub fn from_state(state: &State, metrics_error: Option<String>, pending: &HashMap<String, Option<Target>>) -> Self {
        let topology = state.learned.topology.as_ref();
        let status = topology.map_or(DeployStatus::Deployed, |t| t.status);
        let metrics = state.learned.metrics.as_ref();
        let routes = state
            .routes
            .iter()
            .map(|row| {
                let series = metrics.map(|m| m.series(&row.path)).unwrap_or_default();
                let newest = series.iter().rposition(|p| p.has_data());
                let point = newest.map(|i| series[i]);
                let thresholds = state.thresholds_for(&row.path);
                let pair = row.pair.as_ref().ok().filter(|_| row.target.is_some());
                RouteStatus {
                    path: row.path.clone(),
                    target: row.target,
                    origin_id: row.origin_id.clone(),
                    switchable: row.switchable().is_ok(),
                    why_not_switchable: row.switchable().err(),
                    lambda_origin: pair.map(|p| p.lambda.clone()),
                    legacy_origin: pair.map(|p| p.legacy.clone()),
                    lambda_share_pct: row.router_share(),
                    router: row.router_words().filter(|_| row.routed_share_read().is_none()),
                    router_share_unknown: row.via_router() == Via::Unknown,
                    lambda_account: metrics.and_then(|m| m.account_of(&row.path)).map(|a| a.label.clone()),
                    // Deploying: a switch this session follows, or one the trail recorded whose
                    // wanted target the route has now while CloudFront still rolls a change out.
                    pending: row.pending.is_some()
                        || (status == DeployStatus::InProgress
                            && row.target.is_some()
                            && pending.get(&row.path).is_some_and(|wanted| *wanted == row.target)),
                    minute: newest.zip(metrics).map(|(i, m)| m.minute_start(i)),
                    requests_per_min: point.and_then(|p| p.requests()),
                    errors_5xx_pct: point.and_then(|p| p.error_rate_pct()),
                    latency_ms: point.and_then(|p| p.latency_ms()),
                    throttles_per_min: point.and_then(|p| p.throttles.get()),
                    guard: Guard {
                        breached: !row.alert.is_empty(),
                        periods: thresholds.periods,
                        breaches: row.alert.iter().map(|b| breach(b, &state.policy.latency_statistic)).collect(),
                    },
                    edge: EdgeStatus::of(state, &row.path),
                }
            })
            .collect();
        DistributionStatus {
            id: topology.map(|t| t.distribution_id.clone()).unwrap_or_default(),
            status,
            metrics_error,
            router_error: state.router_unknown(),
            edge_logs_error: state.edge_logs.as_ref().and_then(|e| e.trouble.as_ref()).map(|(_, why)| why.clone()),
            latency_statistic: state.policy.latency_statistic.clone(),
            newest_datapoint: metrics.and_then(|m| m.newest_datapoint),
            concurrency: metrics.and_then(|m| {
                m.latest_concurrency().map(|used| Concurrency {
                    used,
                    limit: m.concurrency_limit,
                    limit_assumed: m.concurrency_limit_assumed,
                })
            }),
            accounts: metrics.map(|m| m.accounts.iter().map(AccountStatus::from).collect()).unwrap_or_default(),
            stages: super::stage_status::of(state),
            routes,
            outside_changes: state.team.outside.iter().map(OutsideChangeStatus::of).collect(),
        }
    }

    /// One line per account when the Lambda sides live in several.
    fn write_accounts(&self, out: &mut String) {
        for account in &self.accounts {
            let used = account.used.map_or("–".to_string(), |u| thousands(u.round() as u64));
            let assumed = if account.limit_assumed { " (assumed)" } else { "" };
            let trouble =
                account.error.as_ref().map(|e| format!("  not read: {}", visible::escape(e))).unwrap_or_default();
            let _ = writeln!(
                out,
                "account {} {}  concurrency {used}/{}{assumed}{trouble}",
                visible::escape(&account.name),
                visible::escape(account.account_id.as_deref().unwrap_or("(id unknown)")),
                thousands(u64::from(account.limit))
            );
        }
    }

    /// A line per route with some of the router's pieces but not all, saying which are missing.
    fn write_router_lines(&self, out: &mut String) {
        for route in &self.routes {
            if let Some(words) = &route.router {
                let _ = writeln!(out, "router: {} {}", visible::escape(&route.path), visible::escape(words));
            }
        }
    }

    /// The target column: the side, the router's share when it sends one (or `λ ?` when nobody can
    /// tell), and whether a switch is still deploying.
    fn target_words(route: &RouteStatus) -> String {
        let side = match route.lambda_share_pct {
            Some(share) if share > 0 && route.switchable => format!("λ {share} % (router)"),
            _ if route.router_share_unknown && route.target != Some(Target::Lambda) => {
                let side = route.target.map_or_else(|| "?".to_string(), |t| t.to_string());
                format!("{side} + λ ? (router)")
            }
            _ => {
                route.target.filter(|_| route.switchable).map_or_else(|| NOT_SWITCHABLE.to_string(), |t| t.to_string())
            }
        };
        if route.pending { format!("{side} (deploying)") } else { side }
    }

    /// One line per route changed outside cutover.
    fn write_outside_changes(&self, out: &mut String) {
        for change in &self.outside_changes {
            let who = change.who.as_deref().map_or(change.who_status.clone(), |w| w.to_string());
            let _ = writeln!(
                out,
                "changed outside cutover: {} {} → {} (seen {} UTC, who: {})",
                visible::escape(&change.route),
                visible::escape(&change.from),
                visible::escape(&change.to),
                time_of_day(change.seen_at),
                visible::escape(&who)
            );
        }
    }

    /// Strings from AWS and the config are escaped field by field (see [`visible`]).
    fn write_text(&self, out: &mut String) {
        let mut heading = format!("{}  {}", visible::escape(&self.id), self.status);
        if let Some(newest) = self.newest_datapoint {
            let _ = write!(heading, "  ·  numbers of the minute ending {} UTC", time_of_day(newest));
        }
        if let Some(c) = &self.concurrency {
            let assumed = if c.limit_assumed { " (assumed)" } else { "" };
            let _ = write!(
                heading,
                "  ·  concurrency {}/{}{assumed}",
                thousands(c.used.round() as u64),
                thousands(u64::from(c.limit))
            );
        }
        let _ = writeln!(out, "{heading}");
        self.write_accounts(out);
        super::stage_status::write_text(&self.stages, out);
        self.write_outside_changes(out);
        if let Some(error) = &self.metrics_error {
            let _ = writeln!(out, "numbers unavailable: {}", visible::escape(error));
        }
        if let Some(error) = &self.edge_logs_error {
            let _ = writeln!(out, "edge logs unreadable: {}", visible::escape(error));
        }
        if let Some(error) = &self.router_error {
            let _ = writeln!(out, "router shares unknown: {}", visible::escape(error));
        }
        let paths: Vec<_> = self.routes.iter().map(|r| visible::escape(&r.path)).collect();
        let width = paths.iter().map(|p| p.chars().count()).max().unwrap_or(0).max("ROUTE".len());
        let latency = format!("{} MS", self.latency_statistic.to_uppercase());
        let _ = writeln!(
            out,
            "{:<width$}  {:<20}  {:>9}  {:>6}  {:>9}  {:>7}  GUARD",
            "ROUTE", "TARGET", "REQ/MIN", "5XX %", latency, "THR/MIN"
        );
        for (route, path) in self.routes.iter().zip(&paths) {
            let target = Self::target_words(route);
            let guard = if route.guard.breached {
                let what: Vec<&str> = route.guard.breaches.iter().map(|b| b.text.as_str()).collect();
                format!("BREACHED {} for {} periods", visible::escape(&what.join(", ")), route.guard.periods)
            } else {
                "ok".to_string()
            };
            let _ = writeln!(
                out,
                "{:<width$}  {:<20}  {:>9}  {:>6}  {:>9}  {:>7}  {guard}",
                path,
                target,
                count(route.requests_per_min),
                percent(route.errors_5xx_pct),
                count(route.latency_ms),
                count(route.throttles_per_min),
            );
        }
        self.write_router_lines(out);
        for route in self.routes.iter().filter(|r| !r.switchable) {
            let why = route.why_not_switchable.as_deref().unwrap_or("unknown");
            let _ = writeln!(out, "not switchable: {} {}", visible::escape(&route.path), visible::escape(why));
        }
    }
}

fn breach(b: &Breach, latency_statistic: &str) -> BreachStatus {
    let kind = match b.kind {
        BreachKind::ErrorRate => "error_rate",
        BreachKind::Latency => "latency",
        BreachKind::Throttles => "throttles",
    };
    BreachStatus { kind, value: b.value, limit: b.limit, text: b.describe(latency_statistic) }
}

fn count(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| thousands(v.round() as u64))
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}"))
}

/// Routes of `distribution` whose latest switch in the trail was requested or accepted but never
/// seen deployed or failed: what `pending` means when another session made the switch.
pub fn pending_in_trail(trail: &AuditTrail, distribution: &str) -> HashMap<String, Option<Target>> {
    let mut pending = HashMap::new();
    for record in trail.records().filter(|r| r.distribution == distribution) {
        match record.kind {
            RecordKind::SwitchRequested | RecordKind::SwitchAccepted | RecordKind::AutoRollback => {
                pending.extend(record.routes.iter().map(|route| (route.clone(), record.to)))
            }
            // Nobody follows it any more, but CloudFront may still be rolling it out.
            RecordKind::SwitchAbandoned => {}
            RecordKind::SwitchDeployed | RecordKind::SwitchFailed => {
                for route in &record.routes {
                    pending.remove(route);
                }
            }
            // Seen taking effect on the way: the switch is still deploying until CloudFront says so.
            RecordKind::EdgeMoved | RecordKind::TrafficMoved | RecordKind::ViewersHealthy => {}
            RecordKind::GuardBreach
            | RecordKind::RouterStep
            | RecordKind::EdgeLogsStep
            | RecordKind::PlanStep
            | RecordKind::StageRequested
            | RecordKind::StageAccepted
            | RecordKind::StageFailed
            | RecordKind::StageAbandoned
            | RecordKind::Unknown => {}
        }
    }
    pending
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{AuditRecord, Environment, TrailEntry};

    fn trail(kinds: &[RecordKind]) -> AuditTrail {
        let entries = kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| {
                let record = AuditRecord::new(Timestamp::UNIX_EPOCH, kind, Environment::Live, "ana", "E1")
                    .with_routes(["/a"])
                    .with_targets(Target::Lambda, Target::Origin);
                TrailEntry { line: i + 1, raw: String::new(), record }
            })
            .collect();
        AuditTrail { entries, ..AuditTrail::default() }
    }

    fn account(name: &str, error: Option<&str>) -> AccountStatus {
        AccountStatus {
            name: name.into(),
            account_id: None,
            used: None,
            limit: 1000,
            limit_assumed: true,
            error: error.map(Into::into),
            as_of: None,
        }
    }

    fn distribution(accounts: Vec<AccountStatus>) -> DistributionStatus {
        DistributionStatus {
            id: "E1".into(),
            status: DeployStatus::Deployed,
            metrics_error: None,
            router_error: None,
            edge_logs_error: None,
            latency_statistic: "p99".into(),
            newest_datapoint: None,
            concurrency: None,
            accounts,
            stages: Vec::new(),
            outside_changes: Vec::new(),
            routes: Vec::new(),
        }
    }

    #[test]
    fn a_stage_that_could_not_be_read_is_not_healthy_and_exits_1() {
        let stage = |serving: Option<&str>| super::super::stage_status::StageStatus {
            stage: "REST abc123/prod".into(),
            serving: serving.map(Into::into),
            description: None,
            fallback: false,
            routes: vec!["/orders/*".into()],
        };
        let mut read = distribution(Vec::new());
        read.stages = vec![stage(Some("d1"))];
        assert!(StatusReport::new(Timestamp::UNIX_EPOCH, vec![read.clone()]).healthy);
        read.stages = vec![stage(None)];
        let unread = StatusReport::new(Timestamp::UNIX_EPOCH, vec![read]);
        assert!(!unread.healthy);
        assert_eq!(unread.exit_code(), 1);
    }

    #[test]
    fn an_edge_log_stream_that_could_not_be_read_is_not_healthy_and_exits_1() {
        let mut read = distribution(Vec::new());
        assert!(StatusReport::new(Timestamp::UNIX_EPOCH, vec![read.clone()]).healthy);
        read.edge_logs_error = Some("GetRecords failed: access denied".into());
        let unread = StatusReport::new(Timestamp::UNIX_EPOCH, vec![read]);
        assert!(!unread.healthy);
        assert_eq!(unread.exit_code(), 1);
        assert!(unread.to_text().contains("edge logs unreadable: GetRecords failed: access denied"));
    }

    #[test]
    fn an_account_that_could_not_be_read_is_not_healthy_and_exits_1() {
        let read = StatusReport::new(Timestamp::UNIX_EPOCH, vec![distribution(vec![account("default", None)])]);
        assert!(read.healthy && read.exit_code() == 0);
        let why = "GetMetricData was not sent: profile nope not found in ~/.aws/config or ~/.aws/credentials: …";
        let unread = StatusReport::new(
            Timestamp::UNIX_EPOCH,
            vec![distribution(vec![account("default", None), account("payments", Some(why))])],
        );
        assert!(!unread.healthy);
        assert_eq!(unread.exit_code(), 1);
        assert!(
            unread
                .to_text()
                .contains(&format!("account payments (id unknown)  concurrency –/1,000 (assumed)  not read: {why}"))
        );
    }

    #[test]
    fn a_switch_seen_at_the_edge_or_in_the_traffic_is_pending_until_deployed() {
        use RecordKind::*;
        let seen = [SwitchRequested, SwitchAccepted, EdgeMoved, TrafficMoved];
        assert_eq!(pending_in_trail(&trail(&seen), "E1").get("/a"), Some(&Some(Target::Origin)));
        assert!(pending_in_trail(&trail(&[&seen[..], &[SwitchDeployed, TrafficMoved]].concat()), "E1").is_empty());
        assert!(pending_in_trail(&trail(&seen), "E2").is_empty());
    }
}
