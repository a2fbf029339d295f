//! What one distribution's console starts from: who and where it is (`Mode`), the config's policies
//! (`RefreshPolicy`, thresholds), and the event log's first lines. The live start, the demo and
//! headless commands fill one in; `State::new` takes it, so nothing outside `update` sets the
//! state's fields.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;

use super::edge_logs::EdgeLogSettings;
use super::plan_run::PlanRun;
use crate::backend::FaultSet;
use crate::domain::backoff::Backoff;
use crate::domain::plan::RolloutPlan;
use crate::domain::probe::{ProbeSettings, ProbeSpec};
use crate::domain::stage::RouteStage;
use crate::domain::{Level, LogEntry, Thresholds};

/// The longest the deploy-status poll waits while AWS throttles it.
pub const MAX_POLL_BACKOFF: Duration = Duration::from_secs(160);

/// Which world the console is looking at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Demo { scenario: String },
    Live { account: String, profile: Option<String> },
}

/// How often and when the console asks for new numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct RefreshPolicy {
    /// Refresh once per this period...
    pub every: Duration,
    /// ...this long after the period starts, when new one-minute datapoints have landed.
    pub offset: Duration,
    /// How long to wait before retrying a refresh that failed the first time; it doubles, with
    /// jitter, on each failure in a row, up to [`MAX_REFRESH_BACKOFF`].
    pub retry_after: Duration,
    /// How often to read the deploy status while a switch propagates.
    pub deploy_poll: Duration,
    /// How often the log says a rollout is still going.
    pub progress_note_every: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            every: Duration::from_secs(60),
            offset: Duration::from_secs(20),
            retry_after: Duration::from_secs(15),
            deploy_poll: Duration::from_secs(10),
            progress_note_every: Duration::from_secs(30),
        }
    }
}

impl RefreshPolicy {
    pub fn refresh_backoff(&self) -> Backoff {
        Backoff { base: self.retry_after, cap: MAX_REFRESH_BACKOFF.max(self.retry_after) }
    }

    pub fn poll_backoff(&self) -> Backoff {
        Backoff { base: self.deploy_poll * 2, cap: MAX_POLL_BACKOFF.max(self.deploy_poll) }
    }
}

/// The longest a failing refresh waits before it tries again: two minutes keeps an outage's
/// numbers at most that far behind once AWS answers again.
pub const MAX_REFRESH_BACKOFF: Duration = Duration::from_secs(120);

/// When a switch's traffic counts as moved: the new side's share of the route's requests in one
/// minute, and how long after acceptance a route still not moved is worth a warning.
#[derive(Clone, Debug, PartialEq)]
pub struct MovePolicy {
    pub threshold_pct: f64,
    pub warn_after: Duration,
}

impl Default for MovePolicy {
    fn default() -> Self {
        MovePolicy { threshold_pct: crate::domain::traffic::DEFAULT_MOVED_PCT, warn_after: Duration::from_secs(600) }
    }
}

#[derive(Clone, Debug)]
pub struct Setup {
    pub distribution_id: String,
    pub mode: Mode,
    /// Who is at the keyboard, for the log.
    pub operator: String,
    pub now: Timestamp,
    /// This console run's name in the trail: with an attempt's number it is the `attempt` id of
    /// every record of that attempt (see [`run_id`]).
    pub run_id: String,
    /// Who AWS says is calling (STS), for the audit trail; live mode only.
    pub caller_arn: Option<String>,
    pub refresh: RefreshPolicy,
    /// The CloudWatch statistic latency is shown in.
    pub latency_statistic: String,
    /// Thresholds of routes without their own.
    pub thresholds: Thresholds,
    /// Thresholds of routes that have their own, by path.
    pub route_thresholds: HashMap<String, Thresholds>,
    /// Routes a guard breach switches back to the origin by itself.
    pub auto_rollback: HashSet<String>,
    /// Why switching is off from the start (`--read-only`, the config, `cutover status`).
    pub read_only: Option<String>,
    /// How many metrics a refresh will ask CloudWatch for, before the first refresh says so.
    pub metrics_per_refresh: Option<usize>,
    /// Faults the demo's simulated AWS starts with.
    pub faults: FaultSet,
    /// When a switch's traffic counts as moved, and when to say it has not.
    pub moving: MovePolicy,
    /// Each probed route's probe, by path (the demo probes every route).
    pub probes: HashMap<String, ProbeSpec>,
    /// How often and for how long routes are probed after a switch.
    pub probe_settings: ProbeSettings,
    /// Whether the distribution has the router's store, so routed routes move by share in seconds.
    pub router: bool,
    /// Rollout plans of routes that name their own, by path.
    pub route_plans: HashMap<String, RolloutPlan>,
    /// The rollout plan of every other routed route.
    pub default_plan: RolloutPlan,
    /// Plans an earlier session left under way, read back from the audit trail.
    pub resumed_plans: Vec<PlanRun>,
    /// The API Gateway stage of routes that name one, by path (the stage rollback, `D`).
    pub stages: HashMap<String, RouteStage>,
    /// How the distribution's real-time logs are read, when it has them.
    pub edge_logs: Option<EdgeLogSettings>,
    /// The team journal's log group, when the config has `[team]`.
    pub team_log_group: Option<String>,
    /// Where cutover last put each route, from the trail: the first read is compared with it.
    pub placed: Vec<super::team::Placed>,
    /// The event log's first lines: earlier sessions' history, then what the start found.
    pub log: Vec<LogEntry>,
}

/// A console run's name: when it started, to the microsecond, and its process, in base 36
/// (`mb1x9k2p4q-3f2a`). Two runs never share both; the records of one attempt share it with the
/// attempt's number.
pub fn run_id(now: Timestamp) -> String {
    format!("{}-{}", base36(now.as_microsecond().unsigned_abs()), base36(u64::from(std::process::id())))
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

impl Setup {
    /// A distribution's start with the defaults: `p99` latency, default thresholds and refresh,
    /// switching on, no fault, an empty log.
    pub fn new(distribution_id: impl Into<String>, mode: Mode, operator: impl Into<String>, now: Timestamp) -> Self {
        Setup {
            distribution_id: distribution_id.into(),
            mode,
            operator: operator.into(),
            now,
            run_id: run_id(now),
            caller_arn: None,
            refresh: RefreshPolicy::default(),
            latency_statistic: "p99".to_string(),
            thresholds: Thresholds::default(),
            route_thresholds: HashMap::new(),
            auto_rollback: HashSet::new(),
            read_only: None,
            metrics_per_refresh: None,
            faults: FaultSet::NONE,
            moving: MovePolicy::default(),
            probes: HashMap::new(),
            probe_settings: ProbeSettings::default(),
            router: false,
            route_plans: HashMap::new(),
            default_plan: RolloutPlan::default_plan(),
            resumed_plans: Vec::new(),
            stages: HashMap::new(),
            edge_logs: None,
            team_log_group: None,
            placed: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Add a line to the event log the console opens with.
    pub fn note(&mut self, level: Level, route: Option<&str>, message: impl Into<String>) {
        self.log.push(LogEntry { at: self.now, level, route: route.map(str::to_string), message: message.into() });
    }
}
