//! The demo world: a simulated CloudFront distribution and CloudWatch, behind the same traits as
//! AWS. It behaves like AWS where it matters: ETags change on every update and a stale `IfMatch`
//! is refused, rollouts take minutes, metrics arrive per minute and late, and Lambda throttles
//! when account concurrency runs out. Its time is the console's `Clock`, so tests can pause it.
//! Its edges answer probes too (`probe.rs`), with the headers of the side each edge sends a route to.
//! The router (CloudFront Function and KeyValueStore) sits on a few routes (`store.rs`): a share
//! written to its store reaches the edges in seconds, and the traffic splits by it. The function
//! reports its own health; the `router-errors` fault makes it fail on a share of its runs, which
//! CloudFront answers with a 503 in the numbers (the simulated probes do not see those failures).
//! The Lambda side's API Gateway stage (`stage.rs`) can be pointed at a deployment that proxies to
//! the monolith. `cutover router --demo` reads and changes the router's pieces here (`router.rs`).

pub mod catalog;
pub mod crew;
pub mod edge_lines;
pub mod edge_stream;
pub mod kept;
mod mix;
pub mod probe;
mod rng_serde;
pub mod router;
pub mod scenario;
pub mod stage;
pub mod store;
pub mod traffic;
pub mod trail;
pub mod world;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use self::catalog::SimRoute;
pub use self::probe::{DEMO_HOST, SimProber, demo_probe_spec};
pub use self::scenario::Scenario;
use self::traffic::{ArrivedMinutes, TrafficModel, WorldMinute, arrival_lag_secs};
pub use self::world::{ForeignWrite, SimDistributionConfig};
use self::world::{World, target_of_origin};
use super::aws::clients::OPERATION_TIMEOUT;
use super::{Backend, BackendError, ControlPlane, Fault, FaultSet, MetricsSource, UpdateAccepted};
use crate::backend::ports::Ports;
use crate::backend::share::ShareStore;
use crate::backend::stage::StageControl;
use crate::clock::Clock;
use crate::domain::metrics::{EdgeMinute, MinutePoint, WINDOW_MINUTES};
use crate::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind};
use crate::domain::probe::ProbeSettings;
use crate::domain::{DeployStatus, MetricsSnapshot, OriginPair, ReadBack, RouteInfo, Target, Topology};

/// How long the simulated AWS takes to answer, in simulated time.
const CALL_LATENCY: Duration = Duration::from_millis(300);
/// How long a call takes to fail when nothing can connect.
const CONNECT_FAILURE_LATENCY: Duration = Duration::from_millis(50);

/// The calls a fault can hit; `denied` and `conflicts` only hit updates (of the distribution or
/// of the router's store), and `denied` the changes `cutover router` makes to its function and store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Read,
    Update,
    StorePut,
    /// A change of the router's function or store, by its API call (`CreateFunction`...).
    Router(&'static str),
}

/// What a demo run is made of.
#[derive(Clone, Debug)]
pub struct SimOptions {
    pub scenario: Scenario,
    pub seed: u64,
    /// Faults injected from the start (`--faults`).
    pub faults: FaultSet,
}

pub struct SimBackend {
    clock: Clock,
    options: SimOptions,
    start: Timestamp,
    routes: Vec<SimRoute>,
    world: Mutex<World>,
    /// The minutes fetches have computed; locked only while `world` is held.
    arrived: Mutex<ArrivedMinutes>,
    distribution_id: String,
    /// The injected faults, as `FaultSet` bits: the demo's key changes them while calls run.
    faults: AtomicU8,
    /// Whether the `conflicts` fault has already spoilt the current update, so its retry goes through.
    conflict_served: AtomicBool,
    /// The same for the current write of the router's store.
    store_conflict_served: AtomicBool,
    /// `UpdateDistribution` calls under way now, and the most there ever were at once.
    updates_in_flight: AtomicU32,
    most_updates_in_flight: AtomicU32,
    /// Routes and sides with no metric source, as a config without an ALB or function name has.
    unmeasured: HashSet<(String, Target)>,
    /// The routes the router is asked to serve (those of them the world has and may move are).
    routed: Vec<String>,
    /// The Lambda side's API Gateway stage (`stage.rs`).
    stage: stage::SimStage,
    /// What every read of the router's store answers instead, while set (AccessDenied on
    /// `ListKeys`, say): the rest of the world reads as usual.
    store_read_error: Mutex<Option<BackendError>>,
}

impl SimBackend {
    /// The demo world, with the router on [`catalog::ROUTED`].
    pub fn new(clock: Clock, options: SimOptions) -> Self {
        let routes = catalog::routes();
        let routed: Vec<String> = catalog::ROUTED.iter().map(|p| p.to_string()).collect();
        let world = Mutex::new(new_world(&routes, &options, &routed, clock.now()));
        SimBackend {
            start: clock.now(),
            faults: AtomicU8::new(options.faults.bits()),
            clock,
            options,
            routes,
            world,
            arrived: Mutex::new(ArrivedMinutes::default()),
            distribution_id: catalog::DISTRIBUTION_ID.into(),
            conflict_served: AtomicBool::new(false),
            store_conflict_served: AtomicBool::new(false),
            updates_in_flight: AtomicU32::new(0),
            most_updates_in_flight: AtomicU32::new(0),
            unmeasured: HashSet::new(),
            routed,
            stage: stage::SimStage::default(),
            store_read_error: Mutex::new(None),
        }
    }

    /// The same world with no metric source for `side` of `path`: its numbers are unknown, as
    /// they are live for a route whose config names no ALB (or no function).
    pub fn with_unmeasured(mut self, path: &str, side: Target) -> Self {
        self.unmeasured.insert((path.to_string(), side));
        self
    }

    /// The same world with `count` routes (`--routes`): the hand-made ones and generated services.
    pub fn with_routes(mut self, count: usize) -> Self {
        self.routes = catalog::routes_of(count);
        self.fresh_world()
    }

    /// The same world with the router on `paths` instead of [`catalog::ROUTED`], each at share 0
    /// with its behavior's origin as `home`. Paths the world lacks, and its S3 route, are left out:
    /// [`routed`](Self::routed) says which are served. Call it before any other call.
    pub fn with_router(mut self, paths: &[&str]) -> Self {
        self.routed = paths.iter().map(|p| p.to_string()).collect();
        self.fresh_world()
    }

    /// The same world without the router: the store has no records, every share change is refused.
    pub fn without_router(self) -> Self {
        self.with_router(&[])
    }

    /// Someone takes `path` out of the router's index (its record stays): the function no longer
    /// finds the route.
    pub fn drop_from_index(&self, path: &str) {
        let now = self.clock.now();
        self.world().drop_from_index(now, path);
    }

    /// Someone writes `value`, which the router's format does not read, as `path`'s record.
    pub fn garble_record(&self, path: &str, value: &str) {
        self.world().garble_record(path, value);
    }

    /// Someone deletes `path`'s record, leaving the route in the index and its behavior on the router.
    pub fn delete_record(&self, path: &str) {
        let now = self.clock.now();
        self.world().delete_record(now, path);
    }

    /// Someone takes the router's function off `path`'s behavior (`cutover router remove --route`).
    pub fn take_router_off(&self, path: &str) {
        let now = self.clock.now();
        self.world().take_router_off(now, path);
    }

    /// Every read of the router's store fails with `error` from now on (`None`: reads work again).
    pub fn fail_store_reads(&self, error: Option<BackendError>) {
        *self.store_read_error.lock().expect("not poisoned") = error;
    }

    /// What a read of the router's store answers instead, while set.
    pub(crate) fn store_read_error(&self) -> Option<BackendError> {
        self.store_read_error.lock().expect("not poisoned").clone()
    }

    /// The routes whose record the router's store holds, in path order.
    pub fn routed(&self) -> Vec<String> {
        self.world().store().routed().map(str::to_string).collect()
    }

    /// Every port of the demo's distribution, answered by this world: its edges for probes, its
    /// router's store when it routes a route, its one API Gateway stage, its real-time log stream.
    pub fn ports(self: &Arc<Self>, probe_settings: ProbeSettings) -> Ports<SimBackend> {
        let edge_stream = edge_stream::SimEdgeStream::new(Arc::clone(self), edge_stream::DEMO_SAMPLING_PERCENT);
        let ports = Ports::new(Arc::clone(self))
            .with_prober(Arc::new(SimProber::new(Arc::clone(self), probe_settings)))
            .with_stage_control(Arc::clone(self) as Arc<dyn StageControl>)
            .with_edge_stream(Arc::new(edge_stream));
        match self.routed().is_empty() {
            true => ports,
            false => ports.with_share_store(Arc::clone(self) as Arc<dyn ShareStore>),
        }
    }

    /// Second `t`'s real-time log lines of every route, `sampling_percent` of its requests.
    pub fn edge_lines(&self, t: Timestamp, sampling_percent: u8) -> Vec<String> {
        let seconds = self.model().second(&self.world(), t);
        edge_lines::lines(self.options.seed, t, &seconds, sampling_percent)
    }

    fn fresh_world(mut self) -> Self {
        self.world = Mutex::new(new_world(&self.routes, &self.options, &self.routed, self.start));
        self.arrived = Mutex::new(ArrivedMinutes::default());
        self
    }

    /// The same world under another distribution id, for a demo of several distributions.
    pub fn with_distribution_id(mut self, id: impl Into<String>) -> Self {
        self.distribution_id = id.into();
        self
    }

    pub fn distribution_id(&self) -> &str {
        &self.distribution_id
    }

    /// The seed its story and streams grow from.
    pub fn seed(&self) -> u64 {
        self.options.seed
    }

    /// How many routes (cache behaviors) the distribution has.
    pub fn route_count(&self) -> usize {
        self.routes.len()
    }

    pub fn scenario(&self) -> Scenario {
        self.options.scenario
    }

    /// Make another writer update the distribution just before cutover's next update lands.
    pub fn arm_foreign_write(&self, write: ForeignWrite) {
        self.world().arm_foreign_write(write);
    }

    /// Someone outside cutover (the AWS console, Terraform) points `path`'s behavior at
    /// `origin_id` now, as their `UpdateDistribution` would, with the ETag they read: it rolls out
    /// like any update, and no injected fault reaches it (it is not cutover's call). The ETags
    /// before and after; `None` when the distribution has no such behavior.
    pub fn write_outside(&self, path: &str, origin_id: &str) -> Option<(String, String)> {
        let now = self.clock.now();
        let mut world = self.world();
        // A foreign write a test armed lands first and makes the first try stale: read again.
        for _ in 0..2 {
            let (mut config, etag) = world.config();
            let behavior = config.behaviors.iter_mut().find(|b| b.path_pattern == path)?;
            behavior.target_origin_id = origin_id.to_string();
            if let Ok((after, _)) = world.update(now, config, &etag) {
                return Some((etag, after));
            }
        }
        None
    }

    /// How many `UpdateDistribution` calls the control plane has accepted.
    pub fn updates_accepted(&self) -> u32 {
        self.world().updates_accepted
    }

    /// The most `UpdateDistribution` calls that were ever under way at once.
    pub fn most_updates_in_flight(&self) -> u32 {
        self.most_updates_in_flight.load(Ordering::SeqCst)
    }

    pub fn faults(&self) -> FaultSet {
        FaultSet::from_bits(self.faults.load(Ordering::SeqCst))
    }

    /// The latency of a call, then whatever the injected faults make of it. Faults are read when the
    /// call starts, as a call already hanging keeps hanging when the network comes back.
    async fn call(&self, call: Call) -> Result<(), BackendError> {
        let faults = self.faults();
        if faults.contains(Fault::Offline) {
            self.clock.sleep(CONNECT_FAILURE_LATENCY).await;
            return Err(BackendError::Network("cannot connect to AWS (demo fault: offline)".to_string()));
        }
        if faults.contains(Fault::Timeouts) {
            // As long as the live client waits before it gives up.
            self.clock.sleep(OPERATION_TIMEOUT).await;
            return Err(BackendError::Timeout);
        }
        self.clock.sleep(CALL_LATENCY).await;
        if faults.contains(Fault::Throttling) {
            return Err(BackendError::Throttling);
        }
        let action = match call {
            Call::Read => return Ok(()),
            Call::Update => "cloudfront:UpdateDistribution".to_string(),
            Call::StorePut => "cloudfront-keyvaluestore:UpdateKeys".to_string(),
            Call::Router(name) => format!("cloudfront:{name}"),
        };
        if faults.contains(Fault::Denied) {
            return Err(BackendError::AccessDenied(format!("the role may not call {action} (demo fault: denied)")));
        }
        // Nobody else writes the router's function or store in the demo: their ETags stay.
        if faults.contains(Fault::Conflicts) && !matches!(call, Call::Router(_)) {
            // Someone else writes first on every other try: the first attempt meets a stale ETag,
            // the re-read and re-apply goes through.
            let served = if call == Call::Update { &self.conflict_served } else { &self.store_conflict_served };
            if !served.swap(true, Ordering::SeqCst) {
                let mut world = self.world();
                match call {
                    Call::Update => world.arm_foreign_write(ForeignWrite { repoint: None }),
                    _ => world.store_foreign_write(),
                }
            } else {
                served.store(false, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave the world half-updated in a way that
        // matters more than stopping the demo would.
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn arrived(&self) -> MutexGuard<'_, ArrivedMinutes> {
        // A panic in the middle of a window leaves only whole minutes behind.
        self.arrived.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn model(&self) -> TrafficModel<'_> {
        TrafficModel {
            routes: &self.routes,
            scenario: self.options.scenario,
            seed: self.options.seed,
            start: self.start,
            concurrency_limit: catalog::CONCURRENCY_LIMIT,
        }
    }

    /// The hour of minutes that have arrived by `now`, as CloudWatch would return it: the minutes
    /// computed by earlier fetches, unless a switch since then changed them, and the new ones.
    fn snapshot(&self, now: Timestamp, paths: &[String]) -> MetricsSnapshot {
        let (window_start, newest) = self.window(now);
        let model = self.model();
        let mut world = self.world();
        let mut arrived = self.arrived();
        if let Some(from) = world.take_traffic_change() {
            arrived.forget_from(from);
        }
        let minutes = arrived.window(window_start, WINDOW_MINUTES, |minute| model.minute(&world, minute));
        self.snapshot_of(window_start, newest, paths, minutes)
    }

    /// The same hour with every minute computed afresh: what [`snapshot`](Self::snapshot) must
    /// equal.
    #[cfg(test)]
    fn snapshot_recomputed(&self, now: Timestamp, paths: &[String]) -> MetricsSnapshot {
        let (window_start, newest) = self.window(now);
        let model = self.model();
        let world = self.world();
        let minutes: Vec<WorldMinute> = (0..WINDOW_MINUTES)
            .map(|i| model.minute(&world, window_start + SignedDuration::from_mins(i as i64)))
            .collect();
        self.snapshot_of(window_start, newest, paths, minutes.iter().collect())
    }

    /// The first and the last minute of the hour that has arrived by `now`.
    fn window(&self, now: Timestamp) -> (Timestamp, Timestamp) {
        let newest = self.newest_arrived_minute(now);
        (newest - SignedDuration::from_mins(WINDOW_MINUTES as i64 - 1), newest)
    }

    /// The snapshot of the window's `minutes`, oldest first, for the routes at `paths`.
    fn snapshot_of(
        &self,
        window_start: Timestamp,
        newest: Timestamp,
        paths: &[String],
        minutes: Vec<&WorldMinute>,
    ) -> MetricsSnapshot {
        let mut routes: HashMap<String, Vec<_>> = paths.iter().map(|p| (p.clone(), Vec::new())).collect();
        for (i, route) in self.routes.iter().enumerate() {
            if let Some(series) = routes.get_mut(&route.path) {
                *series = minutes.iter().map(|minute| minute.routes[i]).collect();
                for (_, side) in self.unmeasured.iter().filter(|(path, _)| *path == route.path) {
                    for point in series.iter_mut() {
                        match side {
                            Target::Lambda => point.lambda = Default::default(),
                            Target::Origin => point.origin = Default::default(),
                        }
                    }
                }
            }
        }
        let concurrency = minutes.iter().map(|minute| Some(minute.concurrency)).collect();
        let edge = minutes.iter().map(|minute| edge_minute(&minute.routes, minute.failed_at_edge)).collect();
        // Without the router no minute has its numbers, and the series stays empty.
        let router = minutes.iter().map(|minute| minute.router).collect::<Option<Vec<_>>>().unwrap_or_default();
        MetricsSnapshot {
            window_start,
            routes,
            concurrency,
            concurrency_limit: catalog::CONCURRENCY_LIMIT,
            newest_datapoint: Some(newest + SignedDuration::from_mins(1)),
            // The demo bills nothing; the live backend reports what it asks CloudWatch for.
            queries: 0,
            edge,
            router,
            unmeasured: self.unmeasured.clone(),
            ..Default::default()
        }
    }

    /// The newest minute whose datapoints have arrived by `now`.
    fn newest_arrived_minute(&self, now: Timestamp) -> Timestamp {
        let this_minute = Timestamp::from_second(now.as_second().div_euclid(60) * 60).expect("in range");
        let last_complete = this_minute - SignedDuration::from_mins(1);
        let lag = arrival_lag_secs(self.options.seed, last_complete);
        if now >= this_minute + SignedDuration::from_secs(lag) {
            last_complete
        } else {
            last_complete - SignedDuration::from_mins(1)
        }
    }

    /// A behavior as the console sees it: the S3 route is on neither side and never moves; every
    /// other route moves between the API Gateway origin and its own home.
    fn route_info(&self, b: &world::SimBehavior) -> RouteInfo {
        let home = self.routes.iter().find(|r| r.path == b.path_pattern).map_or(catalog::LEGACY_ORIGIN_ID, |r| r.home);
        let on_storage = b.target_origin_id == catalog::STATIC_ORIGIN_ID;
        RouteInfo {
            path: b.path_pattern.clone(),
            origin_id: b.target_origin_id.clone(),
            target: (!on_storage).then(|| target_of_origin(&b.target_origin_id)),
            pair: if on_storage || home == catalog::STATIC_ORIGIN_ID {
                Err(format!("on {}, an S3 origin: cutover never moves it", b.target_origin_id))
            } else {
                Ok(OriginPair { lambda: catalog::LAMBDA_ORIGIN_ID.into(), legacy: home.into(), ..Default::default() })
            },
            behavior: behavior(b),
            viewer_request: b.router.then(|| router_arn(&self.distribution_id)),
        }
    }

    fn check_distribution(&self, distribution_id: &str) -> Result<(), BackendError> {
        if distribution_id == self.distribution_id {
            Ok(())
        } else {
            Err(BackendError::Other(format!("no such distribution: {distribution_id}")))
        }
    }
}

#[async_trait]
impl ControlPlane for SimBackend {
    type Config = SimDistributionConfig;

    async fn topology(&self) -> Result<Topology, BackendError> {
        self.call(Call::Read).await?;
        let now = self.clock.now();
        let world = self.world();
        let (config, etag) = world.config();
        Ok(Topology {
            distribution_id: self.distribution_id.clone(),
            status: world.status(now),
            etag,
            routes: config.behaviors.iter().map(|b| self.route_info(b)).collect(),
            // The demo's behaviors name only managed policies: nothing to read.
            policies: PolicyBook::new(),
            problems: Vec::new(),
        })
    }

    async fn get_config(&self, distribution_id: &str) -> Result<(SimDistributionConfig, String), BackendError> {
        self.check_distribution(distribution_id)?;
        self.call(Call::Read).await?;
        Ok(self.world().config())
    }

    async fn update_config(
        &self,
        distribution_id: &str,
        config: SimDistributionConfig,
        if_match: &str,
    ) -> Result<UpdateAccepted, BackendError> {
        self.check_distribution(distribution_id)?;
        let in_flight = self.updates_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_updates_in_flight.fetch_max(in_flight, Ordering::SeqCst);
        let result = self.call(Call::Update).await;
        self.updates_in_flight.fetch_sub(1, Ordering::SeqCst);
        result?;
        let now = self.clock.now();
        let (etag, _) = self.world().update(now, config, if_match).map_err(|_| BackendError::PreconditionFailed)?;
        Ok(UpdateAccepted { etag, status: DeployStatus::InProgress })
    }

    async fn deploy_status(&self, distribution_id: &str) -> Result<DeployStatus, BackendError> {
        self.check_distribution(distribution_id)?;
        self.call(Call::Read).await?;
        Ok(self.world().status(self.clock.now()))
    }

    async fn read_back(&self, distribution_id: &str) -> Result<ReadBack, BackendError> {
        self.check_distribution(distribution_id)?;
        self.call(Call::Read).await?;
        let world = self.world();
        let (config, _) = world.config();
        let origins = config.behaviors.iter().map(|b| (b.path_pattern.clone(), b.target_origin_id.clone())).collect();
        Ok(ReadBack { status: world.status(self.clock.now()), origins })
    }

    fn origin_of(config: &SimDistributionConfig, path: &str) -> Option<String> {
        config.behaviors.iter().find(|b| b.path_pattern == path).map(|b| b.target_origin_id.clone())
    }

    fn set_origin(config: &mut SimDistributionConfig, path: &str, origin_id: &str) {
        if let Some(b) = config.behaviors.iter_mut().find(|b| b.path_pattern == path) {
            b.target_origin_id = origin_id.into();
        }
    }

    fn behavior_of(config: &SimDistributionConfig, path: &str) -> Option<BehaviorPolicies> {
        config.behaviors.iter().find(|b| b.path_pattern == path).map(behavior)
    }

    fn set_request_policy(config: &mut SimDistributionConfig, path: &str, policy_id: &str) {
        if let Some(b) = config.behaviors.iter_mut().find(|b| b.path_pattern == path) {
            b.origin_request_policy = Some(policy_id.into());
        }
    }

    async fn policy_book(&self, wanted: &[(PolicyKind, String)]) -> PolicyBook {
        // The demo knows only managed policies; anything else could not be read.
        wanted.iter().map(|key| (key.clone(), Err(format!("the demo has no {} {}", key.0, key.1)))).collect()
    }
}

#[async_trait]
impl MetricsSource for SimBackend {
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        self.call(Call::Read).await?;
        Ok(self.snapshot(self.clock.now(), paths))
    }
}

impl Backend for SimBackend {
    fn inject_faults(&self, faults: FaultSet) -> bool {
        let before = FaultSet::from_bits(self.faults.swap(faults.bits(), Ordering::SeqCst));
        // The router fault changes what the minutes hold from now on, so the world records it.
        if before.contains(Fault::RouterErrors) != faults.contains(Fault::RouterErrors) {
            self.world().set_router_failing(self.clock.now(), faults.contains(Fault::RouterErrors));
        }
        true
    }
}

fn behavior(b: &world::SimBehavior) -> BehaviorPolicies {
    BehaviorPolicies {
        origin_request_policy_id: b.origin_request_policy.clone(),
        cache_policy_id: Some(b.cache_policy.clone()),
        legacy: None,
    }
}

/// The ARN of the demo's router function for a distribution (the demo's account).
pub fn router_arn(distribution_id: &str) -> String {
    format!(
        "arn:aws:cloudfront::{}:function/{}",
        catalog::ACCOUNT_ID,
        crate::router::install::function_name(distribution_id)
    )
}

/// The demo's world: `routes`, the router on `routed`, and the router function failing from `start`
/// when the run starts with the `router-errors` fault.
fn new_world(routes: &[SimRoute], options: &SimOptions, routed: &[String], start: Timestamp) -> World {
    let mut world = World::new(routes, options.seed, routed);
    if options.faults.contains(Fault::RouterErrors) {
        world.set_router_failing(start, true);
    }
    world
}

/// What CloudFront would report for the whole distribution in a minute: every route's requests and
/// the requests it answered itself because the router failed on them, and the 5xx share of all
/// that. Missing when no route reported.
fn edge_minute(points: &[MinutePoint], failed_at_edge: f64) -> EdgeMinute {
    let requests = points.iter().filter_map(MinutePoint::requests).reduce(|a, b| a + b).map(|r| r + failed_at_edge);
    let errors: f64 = points.iter().filter_map(MinutePoint::errors_5xx).sum::<f64>() + failed_at_edge;
    EdgeMinute { requests, error_rate_5xx_pct: requests.filter(|r| *r > 0.0).map(|r| errors / r * 100.0) }
}

#[cfg(test)]
mod tests {
    use super::traffic::ROUTER_FAILURE_SHARE;
    use super::*;
    use crate::backend::share::ShareStore;

    /// Move `path` to the side it is not on, as the console does: read the config, change it in
    /// place, send it back with its ETag.
    async fn switch(backend: &SimBackend, path: &str) -> Result<(), BackendError> {
        let id = backend.distribution_id().to_string();
        let (mut config, etag) = backend.get_config(&id).await?;
        let to = match SimBackend::origin_of(&config, path).as_deref() {
            Some(catalog::LAMBDA_ORIGIN_ID) => catalog::LEGACY_ORIGIN_ID,
            _ => catalog::LAMBDA_ORIGIN_ID,
        };
        SimBackend::set_origin(&mut config, path, to);
        backend.update_config(&id, config, &etag).await.map(|_| ())
    }

    /// Write `share` for `path` into the router's store, as read.
    async fn set_share(backend: &SimBackend, path: &str, share: u8) -> Result<(), BackendError> {
        let state = backend.read().await?;
        let mut record = state.records[path].clone();
        record.share = share;
        backend.put(&[(path.to_string(), record)], &state.etag).await.map(|_| ())
    }

    // Long: one scripted run, step by step, each step's fetch checked against the hour recomputed;
    // switches, share writes and faults interleave in it on purpose.
    #[tokio::test(start_paused = true)]
    async fn kept_minutes_read_as_recomputed_ones_through_switches_and_faults() {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
        let options = SimOptions { scenario: Scenario::BadDeploy, seed: 7, faults: FaultSet::NONE };
        let backend = SimBackend::new(clock.clone(), options).with_routes(20);
        let paths: Vec<String> = backend.routes.iter().map(|r| r.path.clone()).collect();
        let faults = [
            FaultSet::NONE,
            [Fault::Conflicts].into_iter().collect(),
            [Fault::Throttling].into_iter().collect(),
            FaultSet::NONE,
            [Fault::Denied].into_iter().collect(),
            [Fault::Timeouts].into_iter().collect(),
            FaultSet::NONE,
            [Fault::Offline].into_iter().collect(),
            [Fault::RouterErrors].into_iter().collect(),
            [Fault::RouterErrors, Fault::Conflicts].into_iter().collect(),
        ];
        let (mut fetched, mut refused) = (0, 0);
        for step in 0..60u64 {
            // Uneven steps: some within a minute, some across several, some during a rollout.
            clock.sleep(Duration::from_secs(11 + (step * 37) % 170)).await;
            backend.inject_faults(faults[(step / 3) as usize % faults.len()]);
            match step % 4 {
                0 => _ = switch(&backend, "/orders/*").await,
                1 => _ = switch(&backend, &paths[10 + (step as usize) % 9]).await,
                2 if step % 8 == 2 => backend.arm_foreign_write(ForeignWrite {
                    repoint: Some(("/search/*".into(), catalog::LAMBDA_ORIGIN_ID.into())),
                }),
                3 => _ = set_share(&backend, "/search/*", (step * 29 % 101) as u8).await,
                _ => {}
            }
            match backend.fetch(&paths).await {
                Ok(snapshot) => {
                    let recomputed = backend.snapshot_recomputed(clock.now(), &paths);
                    assert!(snapshot == recomputed, "step {step}: the kept minutes differ from the recomputed ones");
                    fetched += 1;
                }
                Err(_) => refused += 1,
            }
        }
        assert!(fetched >= 30 && refused >= 10, "{fetched} fetched, {refused} refused");
        assert!(backend.updates_accepted() >= 10, "only {} updates", backend.updates_accepted());

        // A switch that started half an hour ago (a clock that went back) changes minutes already
        // kept: they are computed again.
        backend.inject_faults(FaultSet::NONE);
        let now = clock.now();
        let before = backend.snapshot(now, &paths);
        let back_then = now - SignedDuration::from_mins(30);
        let send = || {
            let (mut config, etag) = backend.world().config();
            SimBackend::set_origin(&mut config, "/cart/*", catalog::LEGACY_ORIGIN_ID);
            backend.world().update(back_then, config, &etag)
        };
        // A foreign write the run left armed lands first and makes the first try stale.
        send().or_else(|_| send()).expect("the second try has the current ETag");
        let after = backend.snapshot(now, &paths);
        assert!(after != before, "the switch moved /cart/* in the window");
        assert!(after == backend.snapshot_recomputed(now, &paths), "minutes the switch reached were kept");

        // So does a share written back then.
        let state = backend.world().store().state();
        let mut record = state.records["/payments/*"].clone();
        record.share = 60;
        let write = [("/payments/*".to_string(), record)];
        backend.world().put_store(back_then, &write, &state.etag).expect("the store's current ETag");
        let shared = backend.snapshot(now, &paths);
        assert!(shared != after, "the share moved /payments/* in the window");
        assert!(shared == backend.snapshot_recomputed(now, &paths), "minutes the share write reached were kept");
    }

    #[tokio::test(start_paused = true)]
    async fn the_router_reports_its_health_and_the_fault_makes_it_fail_on_a_quarter_of_its_runs() {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
        let options = SimOptions { scenario: Scenario::Calm, seed: 9, faults: FaultSet::NONE };
        let backend = SimBackend::new(clock.clone(), options);
        let paths: Vec<String> = backend.routes.iter().map(|r| r.path.clone()).collect();
        let healthy = backend.fetch(&paths).await.unwrap();
        assert_eq!(healthy.router.len(), WINDOW_MINUTES);
        for minute in &healthy.router {
            assert_eq!(
                (minute.execution_errors, minute.validation_errors, minute.throttles),
                (Some(0.0), Some(0.0), Some(0.0))
            );
            assert!(minute.compute_utilization_pct.is_some_and(|c| (5.0..20.0).contains(&c)), "{minute:?}");
        }

        backend.inject_faults(FaultSet::from(Fault::RouterErrors));
        clock.sleep(Duration::from_secs(10 * 60)).await;
        let failing = backend.fetch(&paths).await.unwrap();
        assert!(failing == backend.snapshot_recomputed(clock.now(), &paths), "kept minutes know the fault");
        let last = failing.router[WINDOW_MINUTES - 1];
        let errors = last.execution_errors.unwrap();
        assert!(errors > 0.0 && last.compute_utilization_pct.unwrap() > 80.0, "{last:?}");
        // A quarter of the routed routes' requests never reached an origin: CloudFront answered them.
        let served: f64 = catalog::ROUTED.iter().filter_map(|p| failing.latest(p)?.requests()).sum();
        assert!((errors / (errors + served) - ROUTER_FAILURE_SHARE).abs() < 0.05, "{errors} failed, {served} served");
        let edge = failing.edge[WINDOW_MINUTES - 1];
        assert!(edge.error_rate_5xx_pct.unwrap() > healthy.edge[WINDOW_MINUTES - 1].error_rate_5xx_pct.unwrap() + 1.0);
        assert!(
            failing.router[..WINDOW_MINUTES - 12].iter().all(|m| m.execution_errors == Some(0.0)),
            "before the fault"
        );

        backend.inject_faults(FaultSet::NONE);
        clock.sleep(Duration::from_secs(3 * 60)).await;
        let recovered = backend.fetch(&paths).await.unwrap();
        assert_eq!(recovered.router[WINDOW_MINUTES - 1].execution_errors, Some(0.0));
        assert!(backend.without_router().fetch(&paths).await.unwrap().router.is_empty(), "no router, no numbers");
    }
}
