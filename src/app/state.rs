//! Everything the screen shows, owned by the UI task and changed only by `update`.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::fetch::Fetch;
pub use super::intent::dialog::{ConfirmStage, ConfirmSwitch, Dialog, StagePicker};
use super::intent::refusal::Refusal;
use super::keymap::Context;
pub use super::moves::{Move, MoveKind, MovePhase, MoveSource, Moves, RouteTraffic, StageStep, describe_share};
use super::plan_run::PlanRun;
pub use super::setup::{MAX_POLL_BACKOFF, MAX_REFRESH_BACKOFF, Mode, MovePolicy, RefreshPolicy, Setup};
use crate::backend::FaultSet;
use crate::backend::share::StoreState;
use crate::domain::plan::RolloutPlan;
use crate::domain::probe::{ProbeAnswer, ProbeSettings, ProbeSpec};
use crate::domain::router_health::RouterBreach;
use crate::domain::router_route::StoreEntry;
use crate::domain::stage::{RouteStage, StageDeployments, StageRef};
use crate::domain::traffic::Movement;
use crate::domain::{
    BehaviorPolicies, Breach, DeployStatus, Level, LogEntry, MetricsSnapshot, OriginPair, Target, Thresholds, Topology,
};

/// CloudWatch `GetMetricData` list price: $0.01 per 1,000 metrics requested.
pub const GET_METRIC_DATA_USD_PER_METRIC: f64 = 0.01 / 1000.0;

/// Data older than this many seconds is stale: two refreshes were missed.
pub const STALE_AFTER_SECS: i64 = 180;
/// One row of the route table.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub path: String,
    pub origin_id: String,
    /// The side serving it now; `None` on an origin that is neither (S3, a mixed group...).
    pub target: Option<Target>,
    /// Where it moves, or why nothing ever moves it.
    pub pair: Result<OriginPair, String>,
    /// Its behavior's policies as last read, for the pre-flight shown in the dialog.
    pub behavior: BehaviorPolicies,
    /// The move currently moving this route, if any (its id in `moves`).
    pub pending: Option<u64>,
    /// Thresholds crossed for the configured number of periods.
    pub alert: Vec<Breach>,
    /// Lambda's share of its viewers in the router's store, when the route is routed: its
    /// behavior runs the router, the index lists it and its record decodes (`app::routing`).
    pub share: Option<u8>,
    /// Its behavior runs the router's function (the viewer-request association as fetched).
    pub runs_router: bool,
    /// What the router's store says of it, as last read; `None` before a read came back.
    pub router_entry: Option<StoreEntry>,
}

impl RouteRow {
    /// The side it is on and its pair, when it can be switched.
    pub fn switchable(&self) -> Result<(Target, &OriginPair), String> {
        crate::domain::route::switchable(self.target, &self.pair, &self.origin_id)
    }

    pub fn is_on(&self, target: Target) -> bool {
        self.target == Some(target)
    }

    /// Lambda's share when the router moves this route: routed, and its behavior on its home
    /// origin (a behavior already on Lambda sends everything there, whatever the store says).
    pub fn router_share(&self) -> Option<u8> {
        self.share.filter(|_| self.is_on(Target::Origin))
    }
}

/// How many answers of one route's probes are kept: a follow-up's worth with the defaults.
pub const EDGE_ANSWERS_KEPT: usize = 48;

/// What one route's probes have heard, and the switch they follow, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeWatch {
    /// The newest answers, oldest first.
    pub answers: Vec<ProbeAnswer>,
    pub following: Option<EdgeFollow>,
    /// A probe is out.
    pub in_flight: bool,
    /// When the follow-up's next probe goes.
    pub next_at: Option<Timestamp>,
    /// The last finding said in the event log, so that a run of the same one is said once.
    pub last_finding: Option<String>,
}

impl EdgeWatch {
    /// The answers since the switch it follows was accepted (all it has, when it follows none).
    pub fn recent(&self) -> &[ProbeAnswer] {
        let since = self.following.as_ref().map(|f| f.accepted_at);
        let start = since.map_or(0, |at| self.answers.iter().position(|a| a.at >= at).unwrap_or(self.answers.len()));
        &self.answers[start..]
    }
}

/// A switch whose route is probed every few seconds for a while after acceptance.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeFollow {
    pub attempt: u64,
    pub to: Target,
    pub accepted_at: Timestamp,
    /// Probing stops then.
    pub until: Timestamp,
    /// The edge line was logged: every probe has answered from the new side.
    pub said: bool,
}

/// A moment a route's target changed, for the chart's markers.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchMark {
    pub path: String,
    pub at: Timestamp,
    pub to: Target,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Confirm(ConfirmSwitch),
    /// Quit was asked for while switches are unfinished: one line per switch, with what state
    /// its routes may be in.
    ConfirmQuit(Vec<String>),
    /// `D`: a route's stage's deployments, to point the stage at another.
    StagePicker(StagePicker),
    /// Pointing a stage at another deployment, asked before it is sent.
    ConfirmStage(ConfirmStage),
}

impl From<Dialog> for Overlay {
    fn from(dialog: Dialog) -> Self {
        match dialog {
            Dialog::Switch(confirm) => Overlay::Confirm(confirm),
            Dialog::StagePicker(picker) => Overlay::StagePicker(picker),
            Dialog::ConfirmStage(confirm) => Overlay::ConfirmStage(confirm),
        }
    }
}

/// Reads that keep failing: since when, how often in a row, and why, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadTrouble {
    pub since: Timestamp,
    pub failures: u32,
    pub last_error: String,
    /// The refresh round the last failure was counted in.
    pub round: Option<Timestamp>,
}

/// How the operator is looking at one distribution: nothing here is learned from AWS, and nothing
/// here changes what a switch does.
#[derive(Clone, Debug)]
pub struct View {
    /// The selected route, by path, so filtering and reloads keep it.
    pub selected: Option<String>,
    pub filter: String,
    pub filter_editing: bool,
    /// Where the route table was scrolled last frame (view memory, written by `render` only).
    pub table_scroll: super::view::ScrollMemory,
    pub overlay: Overlay,
    pub log_open: bool,
    /// How many entries the log pane is scrolled back from the newest.
    pub log_scroll: usize,
}

impl Default for View {
    fn default() -> Self {
        View {
            selected: None,
            filter: String::new(),
            filter_editing: false,
            table_scroll: Default::default(),
            overlay: Overlay::None,
            log_open: false,
            log_scroll: 0,
        }
    }
}

/// What the console says to the operator: the event log (oldest first), the banners, and the last
/// refusal. Written through `State::log` and `update::dialogs::refuse` mostly; read by the screen and
/// headless commands.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    pub log: Vec<LogEntry>,
    /// A problem the operator should see until it clears.
    pub banner: Option<String>,
    /// Why the audit trail could not be written, from the last write (or check) that failed; cleared
    /// when a later write succeeds. Shown as a banner of its own that refreshes do not clear.
    pub audit_failure: Option<String>,
    /// Why the last switching key (or headless request) did nothing: read-only, an update still in
    /// flight, a route that cannot move, a blocked dialog. Cleared when a dialog opens or a switch
    /// is sent. Headless commands print this, never the event log's text.
    pub refused: Option<Refusal>,
}

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

/// What one distribution's console has read from AWS (each read a `Fetch`: the last good answer,
/// whether a read is out, failures in a row), the generations that keep a read sent before a move
/// from showing after it, and the refresh round's schedule. Written by the refresh and by the
/// answers to moves (`tests/tidy.rs` names the writers).
#[derive(Clone, Debug)]
pub struct Learned {
    /// The distribution's routes and status, as last read.
    pub topology: Fetch<Topology>,
    /// Bumped whenever a switch lands, so topology read before it is not shown after it.
    pub topology_generation: u64,
    /// The last hour's numbers, as last read.
    pub metrics: Fetch<MetricsSnapshot>,
    /// The router's store as last read: its ETag and each routed route's record.
    pub shares: Fetch<StoreState>,
    /// What the router function itself has done wrong for the configured periods (empty: healthy).
    pub router_alert: Vec<RouterBreach>,
    /// Bumped when a share move is accepted: a read sent before it would show the old shares.
    pub shares_generation: u64,
    /// Why the last read of the router's store failed, until one succeeds.
    pub router_store_error: Option<String>,
    /// The deploy status, read while a switch propagates.
    pub deploy: Fetch<DeployStatus>,
    pub next_refresh: Timestamp,
    /// Set while refreshes fail: what is on screen is the last good data, and stale.
    pub read_trouble: Option<ReadTrouble>,
    /// When the current (or last) refresh round asked for routes or numbers.
    pub refresh_started_at: Timestamp,
    /// Each stage's deployments as last read, the one it serves among them.
    pub stage_serving: HashMap<StageRef, StageDeployments>,
}

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
            log,
        } = setup;
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
            },
            now,
            routes: Vec::new(),
            plans: resumed_plans,
            auto_rolled_back: HashSet::new(),
            view: View::default(),
            notices: Notices { log, banner: None, audit_failure: None, refused: None },
            moves: Moves::default(),
            marks: Vec::new(),
            moved_marks: Vec::new(),
            edge: HashMap::new(),
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
        self.notices.log.push(LogEntry {
            at: self.now,
            level,
            route: route.map(str::to_string),
            message: message.into(),
        });
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
