//! The demo world: a simulated CloudFront distribution and CloudWatch, behind the same traits as
//! AWS. It behaves like AWS where it matters: ETags change on every update and a stale `IfMatch`
//! is refused, rollouts take minutes, metrics arrive per minute and late, and Lambda throttles
//! when account concurrency runs out. Its time is the console's `Clock`, so tests can pause it.

pub mod catalog;
mod mix;
pub mod scenario;
pub mod traffic;
pub mod world;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use self::catalog::SimRoute;
pub use self::scenario::Scenario;
use self::traffic::{TrafficModel, arrival_lag_secs};
pub use self::world::{ForeignWrite, SimDistributionConfig};
use self::world::{World, target_of_origin};
use super::aws::clients::OPERATION_TIMEOUT;
use super::{Backend, BackendError, ControlPlane, Fault, FaultSet, MetricsSource, UpdateAccepted};
use crate::clock::Clock;
use crate::domain::metrics::{EdgeMinute, MinutePoint, WINDOW_MINUTES};
use crate::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind};
use crate::domain::{DeployStatus, MetricsSnapshot, OriginPair, RouteInfo, Topology};

/// How long the simulated AWS takes to answer, in simulated time.
const CALL_LATENCY: Duration = Duration::from_millis(300);
/// How long a call takes to fail when nothing can connect.
const CONNECT_FAILURE_LATENCY: Duration = Duration::from_millis(50);

/// The calls a fault can hit; `denied` and `conflicts` only hit updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Read,
    Update,
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
    distribution_id: String,
    /// The injected faults, as `FaultSet` bits: the demo's key changes them while calls run.
    faults: AtomicU8,
    /// Whether the `conflicts` fault has already spoilt the current update, so its retry goes through.
    conflict_served: AtomicBool,
    /// `UpdateDistribution` calls under way now, and the most there ever were at once.
    updates_in_flight: AtomicU32,
    most_updates_in_flight: AtomicU32,
}

impl SimBackend {
    pub fn new(clock: Clock, options: SimOptions) -> Self {
        let routes = catalog::routes();
        let world = Mutex::new(World::new(&routes, options.seed));
        SimBackend {
            start: clock.now(),
            faults: AtomicU8::new(options.faults.bits()),
            clock,
            options,
            routes,
            world,
            distribution_id: catalog::DISTRIBUTION_ID.into(),
            conflict_served: AtomicBool::new(false),
            updates_in_flight: AtomicU32::new(0),
            most_updates_in_flight: AtomicU32::new(0),
        }
    }

    /// The same world with `count` routes (`--routes`): the hand-made ones and generated services.
    pub fn with_routes(mut self, count: usize) -> Self {
        self.routes = catalog::routes_of(count);
        self.world = Mutex::new(World::new(&self.routes, self.options.seed));
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

    pub fn scenario(&self) -> Scenario {
        self.options.scenario
    }

    /// Make another writer update the distribution just before cutover's next update lands.
    pub fn arm_foreign_write(&self, write: ForeignWrite) {
        self.world().arm_foreign_write(write);
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
        if call == Call::Update && faults.contains(Fault::Denied) {
            return Err(BackendError::AccessDenied(
                "the role may not call cloudfront:UpdateDistribution (demo fault: denied)".to_string(),
            ));
        }
        if call == Call::Update && faults.contains(Fault::Conflicts) {
            // Someone else writes first on every other try: the first attempt meets a stale ETag,
            // the re-read and re-apply goes through.
            if !self.conflict_served.swap(true, Ordering::SeqCst) {
                self.world().arm_foreign_write(ForeignWrite { repoint: None });
            } else {
                self.conflict_served.store(false, Ordering::SeqCst);
            }
        }
        Ok(())
    }

    fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave the world half-updated in a way that
        // matters more than stopping the demo would.
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        let newest = self.newest_arrived_minute(self.clock.now());
        let window_start = newest - SignedDuration::from_mins(WINDOW_MINUTES as i64 - 1);
        let model = self.model();
        let world = self.world();
        let mut routes: HashMap<String, Vec<_>> =
            paths.iter().map(|p| (p.clone(), Vec::with_capacity(WINDOW_MINUTES))).collect();
        let mut concurrency = Vec::with_capacity(WINDOW_MINUTES);
        let mut edge = Vec::with_capacity(WINDOW_MINUTES);
        for i in 0..WINDOW_MINUTES {
            let minute = model.minute(&world, window_start + SignedDuration::from_mins(i as i64));
            edge.push(edge_minute(&minute.routes));
            for (route, point) in self.routes.iter().zip(minute.routes) {
                if let Some(series) = routes.get_mut(&route.path) {
                    series.push(point);
                }
            }
            concurrency.push(Some(minute.concurrency));
        }
        Ok(MetricsSnapshot {
            window_start,
            routes,
            concurrency,
            concurrency_limit: catalog::CONCURRENCY_LIMIT,
            newest_datapoint: Some(newest + SignedDuration::from_mins(1)),
            // The demo bills nothing; the live backend reports what it asks CloudWatch for.
            queries: 0,
            edge,
            ..Default::default()
        })
    }
}

impl Backend for SimBackend {
    fn inject_faults(&self, faults: FaultSet) -> bool {
        self.faults.store(faults.bits(), Ordering::SeqCst);
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

/// What CloudFront would report for the whole distribution in a minute: every route's requests, and
/// the 5xx share of them. Missing when no route reported.
fn edge_minute(points: &[MinutePoint]) -> EdgeMinute {
    let requests = points.iter().filter_map(MinutePoint::requests).reduce(|a, b| a + b);
    let errors: f64 = points.iter().filter_map(MinutePoint::errors_5xx).sum();
    EdgeMinute { requests, error_rate_5xx_pct: requests.filter(|r| *r > 0.0).map(|r| errors / r * 100.0) }
}
