//! What one distribution's console was given at start and keeps as it is (`Policy`).

use std::collections::{HashMap, HashSet};

use super::setup::{Mode, MovePolicy, RefreshPolicy};
use crate::domain::Thresholds;
use crate::domain::plan::RolloutPlan;
use crate::domain::probe::{ProbeSettings, ProbeSpec};
use crate::domain::stage::RouteStage;

/// What one distribution's console was given at start (`Setup`) and keeps as it is: who and where,
/// the config's policies, the routes' plans, probes and stages. `update` reads it and never writes it
/// (`tests/tidy.rs`).
#[derive(Clone, Debug)]
pub struct Policy {
    pub mode: Mode,
    /// Who is at the keyboard, for the log.
    pub operator: String,
    /// Who AWS says is calling (STS), for the audit trail; live mode only.
    pub caller_arn: Option<String>,
    /// This console run's name in the trail's `attempt` ids (a `Setup` fact).
    pub run_id: String,
    /// Whether the distribution has the router's store (a `Setup` fact: routed routes move by share).
    pub router: bool,
    /// Rollout plans of routes that name their own, by path, and the plan of the others.
    pub route_plans: HashMap<String, RolloutPlan>,
    pub default_plan: RolloutPlan,
    pub refresh: RefreshPolicy,
    /// The CloudWatch statistic latency is shown in (`p99` unless the config says otherwise).
    pub latency_statistic: String,
    /// Thresholds of routes without their own.
    pub thresholds: Thresholds,
    /// Thresholds of routes that have their own, by path.
    pub route_thresholds: HashMap<String, Thresholds>,
    /// Routes a guard breach switches back to the origin by itself (`auto_rollback = true`).
    pub auto_rollback: HashSet<String>,
    /// When a switch's traffic counts as moved, and when to say it has not.
    pub moving: MovePolicy,
    /// Each probed route's probe, by path.
    pub probes: HashMap<String, ProbeSpec>,
    pub probe_settings: ProbeSettings,
    /// How many metrics a refresh asks CloudWatch for, before the first refresh has said so.
    pub metrics_per_refresh: Option<usize>,
    /// The API Gateway stage of routes that name one, by path (the stage rollback, `D`).
    pub stages: HashMap<String, RouteStage>,
}
