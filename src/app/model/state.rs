//! One distribution's state: its slices (`policy`, `learned`, `view`, `notices`, the ledger of
//! moves, the probes' watches) and the questions the screen and `update` ask of them. Owned by the
//! UI task and changed only by `update`.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::edge_logs::EdgeLogs;
use super::fetch::Fetch;
pub use super::learned::{Learned, ReadTrouble};
pub use super::moves::{Move, MoveKind, MovePhase, MoveSource, Moves, RouteTraffic, StageStep, describe_share};
pub use super::notices::Notices;
use super::plan_run::PlanRun;
pub use super::policy::Policy;
pub use super::rows::{EDGE_ANSWERS_KEPT, EdgeFollow, EdgeWatch, RouteRow, SwitchMark};
pub use super::setup::{MAX_POLL_BACKOFF, MAX_REFRESH_BACKOFF, Mode, MovePolicy, RefreshPolicy, Setup};
pub use super::team::Team;
pub use super::view::{Overlay, View};
pub use crate::app::intent::dialog::{ConfirmStage, ConfirmSwitch, Dialog, StagePicker};
use crate::app::intent::refusal::Refusal;
use crate::app::keymap::Context;
use crate::backend::FaultSet;
use crate::domain::demo_words::in_demo_words;
use crate::domain::plan::RolloutPlan;
use crate::domain::probe::ProbeAnswer;
use crate::domain::traffic::Movement;
use crate::domain::{Level, LogEntry, Target, Thresholds};

/// CloudWatch `GetMetricData` list price: $0.01 per 1,000 metrics requested.
pub const GET_METRIC_DATA_USD_PER_METRIC: f64 = 0.01 / 1000.0;

/// Data older than this many seconds is stale: two refreshes were missed.
pub const STALE_AFTER_SECS: i64 = 180;
/// One distribution's part of the console: what the console has learned about it (`topology`,
/// `metrics`, `deploy`, the switches and the log) and how the operator is looking at it (`view`). Built from a [`Setup`]; after that, changed only by `update`.
#[derive(Clone, Debug)]
pub struct State {
    /// What was fixed at start (`Setup`): never written after `State::new`.
    pub policy: Policy,
    /// What the console has read from AWS, and when it reads next.
    pub learned: Learned,
    /// The CloudFront distribution this is, known before its first read comes back.
    pub distribution_id: String,
    pub now: Timestamp,
    pub routes: Vec<RouteRow>,
    /// Rollout plans started in this console or resumed from the trail, one per route at a time
    /// (finished and aborted ones stay, to show).
    pub plans: Vec<PlanRun>,
    /// Routes already rolled back automatically: guards never move them again by themselves.
    pub auto_rolled_back: HashSet<String>,
    /// How the operator is looking at it: selection, filter, overlay, panes.
    pub view: View,
    /// What the console has to say: the event log, the banners, the last refusal.
    pub notices: Notices,
    /// Every move asked for in this session, of every kind, oldest first.
    pub moves: Moves,
    pub marks: Vec<SwitchMark>,
    /// Moments a switch's traffic was seen moved in the numbers, for the chart.
    pub moved_marks: Vec<SwitchMark>,
    /// What each probed route's probes have heard, by path.
    pub edge: HashMap<String, EdgeWatch>,
    /// The distribution's real-time logs, when it has them: each route's numbers per second.
    pub edge_logs: Option<EdgeLogs>,
    /// The team: others' records from the shared journal, who else is here, changes made outside
    /// cutover.
    pub team: Team,
    /// Why switching is off for this session, when it is (`--read-only`, or AWS denied an update).
    pub read_only: Option<String>,
    /// Faults the demo's simulated AWS has been told to have (always none when live).
    pub faults: FaultSet,
    pub quit: bool,
}

impl State {
    // Long: every field of the setup taken apart and every field of the state set, one per line, so
    // that a field added to either is a compile error until it is placed.
    pub fn new(setup: Setup) -> Self {
        let Setup {
            distribution_id,
            mode,
            operator,
            now,
            run_id,
            caller_arn,
            refresh,
            latency_statistic,
            thresholds,
            route_thresholds,
            auto_rollback,
            read_only,
            metrics_per_refresh,
            faults,
            moving,
            probes,
            probe_settings,
            router,
            route_plans,
            default_plan,
            resumed_plans,
            stages,
            edge_logs,
            team_log_group,
            placed,
            log,
        } = setup;
        let demo = matches!(mode, Mode::Demo { .. });
        State {
            distribution_id,
            policy: Policy {
                mode,
                operator,
                caller_arn,
                run_id,
                router,
                route_plans,
                default_plan,
                refresh,
                latency_statistic,
                thresholds,
                route_thresholds,
                auto_rollback,
                moving,
                probes,
                probe_settings,
                metrics_per_refresh,
                stages,
            },
            learned: Learned {
                topology: Fetch::default(),
                topology_generation: 0,
                metrics: Fetch::default(),
                shares: Fetch::default(),
                router_alert: Vec::new(),
                shares_generation: 0,
                router_store_error: None,
                deploy: Fetch::default(),
                next_refresh: now,
                read_trouble: None,
                refresh_started_at: now,
                stage_serving: HashMap::new(),
                last_deploy_took: None,
                stages_reading: HashSet::new(),
                stages_unreadable: HashSet::new(),
            },
            now,
            routes: Vec::new(),
            plans: resumed_plans,
            auto_rolled_back: HashSet::new(),
            view: View::default(),
            notices: Notices { log, banner: None, audit_failure: None, refused: None, flash: None, demo },
            moves: Moves::default(),
            marks: Vec::new(),
            moved_marks: Vec::new(),
            edge: HashMap::new(),
            // Its routes are known at the first read of the distribution (`update::refresh`).
            edge_logs: edge_logs.map(|settings| EdgeLogs::new(&settings, Vec::new())),
            team: Team::new(team_log_group, placed),
            read_only,
            faults,
            quit: false,
        }
    }

    /// What the last refusal said, as the event log said it.
    pub fn refused_sentence(&self) -> Option<String> {
        self.notices.refused.as_ref().map(Refusal::sentence)
    }

    /// Which part of the screen has the keyboard: an open dialog's own keys (as `Dialog::context`
    /// gives them), else the screen's.
    pub fn context(&self) -> Context {
        match &self.view.overlay {
            Overlay::Help => Context::Help,
            Overlay::ConfirmQuit(_) => Context::ConfirmQuit,
            Overlay::None if self.view.filter_editing => Context::Filter,
            Overlay::None => Context::Table,
            Overlay::Confirm(_) | Overlay::ConfirmStage(_) => Context::Confirm,
            Overlay::StagePicker(_) => Context::StagePicker,
        }
    }

    /// Rows that match the filter (case-insensitive), in table order.
    pub fn visible_routes(&self) -> Vec<&RouteRow> {
        let needle = Needle::new(&self.view.filter);
        self.routes.iter().filter(|r| needle.matches(&r.path)).collect()
    }

    /// Whether the selected route is among the rows the filter shows, without listing them (a
    /// filter keystroke at 1,000 routes asks this once).
    pub fn selection_shown(&self) -> bool {
        let needle = Needle::new(&self.view.filter);
        self.view.selected.as_deref().is_some_and(|path| needle.matches(path) && self.route(path).is_some())
    }

    /// The first row the filter shows.
    pub fn first_visible(&self) -> Option<&RouteRow> {
        let needle = Needle::new(&self.view.filter);
        self.routes.iter().find(|r| needle.matches(&r.path))
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.selected_index_in(&self.visible_routes())
    }

    /// Where the selected route is among rows already filtered.
    pub fn selected_index_in(&self, visible: &[&RouteRow]) -> Option<usize> {
        let selected = self.view.selected.as_deref()?;
        visible.iter().position(|r| r.path == selected)
    }

    pub fn selected_route(&self) -> Option<&RouteRow> {
        let selected = self.view.selected.as_deref()?;
        self.route(selected).filter(|r| Needle::new(&self.view.filter).matches(&r.path))
    }

    pub fn route(&self, path: &str) -> Option<&RouteRow> {
        self.routes.iter().find(|r| r.path == path)
    }

    /// Whether an `UpdateDistribution` for this distribution has been sent and not answered.
    pub fn update_in_flight(&self, distribution_id: &str) -> bool {
        self.moves.in_flight(|m| m.distribution_id == distribution_id && m.by_behavior())
    }

    /// The rollout plan `path` follows.
    pub fn plan_for(&self, path: &str) -> &RolloutPlan {
        self.policy.route_plans.get(path).unwrap_or(&self.policy.default_plan)
    }

    /// The plan under way on `path`, if any.
    pub fn plan_on(&self, path: &str) -> Option<&PlanRun> {
        self.plans.iter().rev().find(|r| r.route == path && r.is_active())
    }

    /// Whether a share move has been sent to the router's store and not answered.
    pub fn shares_in_flight(&self) -> bool {
        self.moves.in_flight(Move::by_router)
    }

    pub fn log(&mut self, level: Level, route: Option<&str>, message: impl Into<String>) {
        let message = message.into();
        // The demo names the commands that work on it (`cutover status --demo`), never live ones.
        let message = if self.notices.demo { in_demo_words(&message) } else { message };
        self.notices.log.push(LogEntry { at: self.now, level, route: route.map(str::to_string), message });
        if self.view.log_scroll > 0 {
            // Keep the operator's place when scrolled back.
            self.view.log_scroll += 1;
        }
    }

    /// While a route's traffic is moving after a switch: the side it moves to and the share that
    /// side carried in the newest minute with requests.
    pub fn moving_share(&self, path: &str) -> Option<(Target, f64)> {
        let attempt = self.moves.iter().rev().find(|a| a.sides().is_some() && a.paths.iter().any(|p| p == path))?;
        let traffic = attempt.traffic.iter().find(|t| t.path == path && !t.done)?;
        match (traffic.movement, attempt.to()) {
            (Movement::Moving { share_pct: Some(share) }, Some(to)) => Some((to, share)),
            _ => None,
        }
    }

    /// While probes follow a switch of `path` and have heard from a backend: the side it moves to,
    /// how many answers came from it, and how many answers named a side.
    pub fn edge_moving(&self, path: &str) -> Option<(Target, usize, usize)> {
        let watch = self.edge.get(path)?;
        let follow = watch.following.as_ref()?;
        let sides: Vec<Target> = watch.recent().iter().filter_map(ProbeAnswer::side).collect();
        let on_new = sides.iter().filter(|s| **s == follow.to).count();
        (!sides.is_empty()).then_some((follow.to, on_new, sides.len()))
    }

    /// Whether probes still follow attempt `id` without having seen the edge on its new side.
    pub fn edge_pending(&self, id: u64) -> bool {
        self.edge.values().filter_map(|w| w.following.as_ref()).any(|f| f.attempt == id && !f.said)
    }

    /// The thresholds a route is judged by.
    pub fn thresholds_for(&self, path: &str) -> &Thresholds {
        self.policy.route_thresholds.get(path).unwrap_or(&self.policy.thresholds)
    }

    /// How many metrics each refresh requests: what the last refresh asked for, else the estimate.
    pub fn metric_queries(&self) -> Option<usize> {
        self.learned.metrics.as_ref().map(|m| m.queries).filter(|q| *q > 0).or(self.policy.metrics_per_refresh)
    }

    /// What polling CloudWatch costs per hour at the published price, in US dollars.
    pub fn metrics_cost_per_hour(&self) -> Option<f64> {
        let queries = self.metric_queries()? as f64;
        let refreshes_per_hour = 3600.0 / self.policy.refresh.every.as_secs_f64().max(1.0);
        Some(queries * refreshes_per_hour * GET_METRIC_DATA_USD_PER_METRIC)
    }

    /// Whether what is on screen is older than it should be: reads are failing, or the newest
    /// datapoint is older than two missed refreshes.
    pub fn is_stale(&self) -> bool {
        self.learned.read_trouble.is_some() || self.data_age_secs().is_some_and(|age| age > STALE_AFTER_SECS)
    }

    /// Seconds since the newest datapoint's minute ended.
    pub fn data_age_secs(&self) -> Option<i64> {
        let newest = self.learned.metrics.as_ref()?.newest_datapoint?;
        Some(self.now.duration_since(newest).as_secs().max(0))
    }
}

/// A filter's text, matched without regard to case. Paths are nearly always ASCII, so the common
/// case compares bytes in place instead of lowercasing every path on every frame.
struct Needle {
    lower: String,
    ascii: bool,
}

impl Needle {
    fn new(filter: &str) -> Self {
        let lower = filter.to_lowercase();
        Needle { ascii: lower.is_ascii(), lower }
    }

    fn matches(&self, path: &str) -> bool {
        let needle = self.lower.as_bytes();
        if needle.is_empty() {
            return true;
        }
        if self.ascii && path.is_ascii() {
            return path.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
        }
        path.to_lowercase().contains(&self.lower)
    }
}
