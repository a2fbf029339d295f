//! The simulated CloudFront distribution: its config, ETag, rollout, the router's store, how far
//! each route's traffic has moved after a switch or a share written to the store, and when the
//! router function was failing (the `router-errors` fault).

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::catalog::{self, SimRoute};
use super::router::SimRouterParts;
use super::store::SimStore;
use crate::backend::BackendError;
use crate::domain::{DeployStatus, Target};
use crate::router::RouteRecord;

/// The demo's whole distribution config. Like the SDK's, it carries more than cutover changes,
/// and a switch must send all of it back untouched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimDistributionConfig {
    pub comment: String,
    pub aliases: Vec<String>,
    pub behaviors: Vec<SimBehavior>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimBehavior {
    pub path_pattern: String,
    pub target_origin_id: String,
    /// The cache policy id (managed: CachingOptimized or CachingDisabled).
    pub cache_policy: String,
    /// The origin request policy id, if any: `/auth/*` forwards the viewer's Host (managed
    /// AllViewer), so the demo shows the pre-flight refusing to send it to API Gateway.
    pub origin_request_policy: Option<String>,
    /// Whether the router's function runs on its viewer requests (its function association).
    pub router: bool,
}

/// Managed policy ids the demo's behaviors use.
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
pub const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
pub const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
/// The demo route whose behavior forwards Host.
pub const HOST_FORWARDING_ROUTE: &str = "/auth/*";

/// A change of a route's origin as the edges see it: it reaches all of them over a while.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Transition {
    to: Target,
    at: Timestamp,
    edges_done_at: Timestamp,
}

/// Someone else's write, armed by a test (or a fault) to land just before cutover's next update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignWrite {
    /// A route the other writer re-points, or `None` for an unrelated change.
    pub repoint: Option<(String, String)>,
}

/// Kept between demo commands as it is (`kept.rs`), but for what only one process has: a
/// foreign write a test armed, and which minutes the traffic change since the last fetch reaches
/// (a resumed world computes every minute afresh).
#[derive(Serialize, Deserialize)]
pub struct World {
    config: SimDistributionConfig,
    etag: String,
    deployed_at: Option<Timestamp>,
    transitions: HashMap<String, Vec<Transition>>,
    initial: HashMap<String, Target>,
    #[serde(with = "super::rng_serde")]
    rng: ChaCha8Rng,
    #[serde(skip)]
    foreign_write: Option<ForeignWrite>,
    pub(crate) updates_accepted: u32,
    /// The earliest start of a rollout, a share write accepted or a change of the router's failing
    /// since [`World::take_traffic_change`] last asked: from then on traffic splits differently
    /// than the minutes computed before it said.
    #[serde(skip)]
    traffic_changed_from: Option<Timestamp>,
    /// The router's KeyValueStore: the shares of the routed routes.
    store: SimStore,
    /// The router's function, and whether its store exists (`cutover router` installs them).
    router_parts: SimRouterParts,
    /// When the router function started and stopped failing, in order: (from when, failing).
    router_failing: Vec<(Timestamp, bool)>,
    /// The Lambda side's API Gateway stage (`stage.rs`): when it serves the proxy deployment,
    /// and when it stopped, in the order the changes took effect.
    stage_proxy_changes: Vec<(Timestamp, bool)>,
}

pub fn target_of_origin(origin_id: &str) -> Target {
    if origin_id == catalog::LAMBDA_ORIGIN_ID { Target::Lambda } else { Target::Origin }
}

impl World {
    /// The demo distribution of `routes`, with the router on the routes of `routed`.
    pub fn new(routes: &[SimRoute], seed: u64, routed: &[String]) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0FF_EE00);
        let etag = new_etag(&mut rng);
        let store = SimStore::new(routes, routed, seed);
        // Installed as `cutover router install` leaves it when it routes a route, else absent.
        let router_parts = SimRouterParts::new(!store.is_empty(), seed);
        World {
            config: SimDistributionConfig {
                comment: "api.example.com: monolith and Lambda behind one distribution".into(),
                aliases: vec!["api.example.com".into()],
                behaviors: routes
                    .iter()
                    .map(|r| SimBehavior {
                        path_pattern: r.path.clone(),
                        target_origin_id: r.origin.into(),
                        cache_policy: if r.path == "/catalog/*" { CACHING_OPTIMIZED } else { CACHING_DISABLED }.into(),
                        origin_request_policy: (r.path == HOST_FORWARDING_ROUTE).then(|| ALL_VIEWER.into()),
                        router: !r.on_storage() && routed.contains(&r.path),
                    })
                    .collect(),
            },
            etag,
            deployed_at: None,
            transitions: HashMap::new(),
            initial: routes.iter().map(|r| (r.path.clone(), r.initial)).collect(),
            rng,
            foreign_write: None,
            updates_accepted: 0,
            traffic_changed_from: None,
            store,
            router_parts,
            router_failing: Vec::new(),
            stage_proxy_changes: Vec::new(),
        }
    }

    pub fn config(&self) -> (SimDistributionConfig, String) {
        (self.config.clone(), self.etag.clone())
    }

    /// The behavior of `path` as it is now, without copying the config.
    pub fn behavior(&self, path: &str) -> Option<&SimBehavior> {
        self.config.behaviors.iter().find(|b| b.path_pattern == path)
    }

    pub fn status(&self, now: Timestamp) -> DeployStatus {
        match self.deployed_at {
            Some(at) if now < at => DeployStatus::InProgress,
            _ => DeployStatus::Deployed,
        }
    }

    pub fn arm_foreign_write(&mut self, write: ForeignWrite) {
        self.foreign_write = Some(write);
    }

    /// `UpdateDistribution`: refused on a stale ETag; otherwise a new ETag and a rollout of
    /// one to three minutes, during which traffic moves edge by edge.
    pub fn update(
        &mut self,
        now: Timestamp,
        config: SimDistributionConfig,
        if_match: &str,
    ) -> Result<(String, Timestamp), StaleETag> {
        if let Some(write) = self.foreign_write.take() {
            let mut theirs = self.config.clone();
            if let Some((path, origin)) = write.repoint {
                if let Some(b) = theirs.behaviors.iter_mut().find(|b| b.path_pattern == path) {
                    b.target_origin_id = origin;
                }
            } else {
                theirs.comment.push_str(" (edited)");
            }
            let etag = self.etag.clone();
            self.update(now, theirs, &etag).expect("a foreign write uses the current ETag");
        }
        if if_match != self.etag {
            return Err(StaleETag);
        }
        for (old, new) in self.config.behaviors.iter().zip(&config.behaviors) {
            if old.target_origin_id != new.target_origin_id {
                let rollout = SignedDuration::from_secs(self.rng.random_range(50..=120));
                self.transitions.entry(new.path_pattern.clone()).or_default().push(Transition {
                    to: target_of_origin(&new.target_origin_id),
                    at: now,
                    edges_done_at: now + rollout,
                });
                self.traffic_changed_from = Some(self.traffic_changed_from.map_or(now, |from| from.min(now)));
            }
        }
        self.config = config;
        self.etag = new_etag(&mut self.rng);
        let deployed = now + SignedDuration::from_secs(self.rng.random_range(60..=180));
        // The distribution reports Deployed only after every edge has the config.
        let edges_done = self.transitions.values().flatten().map(|t| t.edges_done_at).max();
        let deployed = edges_done.map_or(deployed, |e| deployed.max(e + SignedDuration::from_secs(10)));
        self.deployed_at = Some(deployed);
        self.updates_accepted += 1;
        Ok((self.etag.clone(), deployed))
    }

    fn traffic_moves_from(&mut self, at: Timestamp) {
        self.traffic_changed_from = Some(self.traffic_changed_from.map_or(at, |from| from.min(at)));
    }

    /// The Lambda side's stage serves the proxy deployment (`proxied`) or a Lambda one from `at`.
    pub fn set_stage_proxied(&mut self, at: Timestamp, proxied: bool) {
        self.stage_proxy_changes.push((at, proxied));
        self.traffic_moves_from(at);
    }

    /// Whether the Lambda side's stage serves the proxy deployment at `t`.
    pub fn stage_proxied(&self, t: Timestamp) -> bool {
        self.stage_proxy_changes.iter().rev().find(|(at, _)| *at <= t).is_some_and(|(_, proxied)| *proxied)
    }

    pub fn store(&self) -> &SimStore {
        &self.store
    }

    /// The router's function and whether its store exists.
    pub fn router_parts(&self) -> &SimRouterParts {
        &self.router_parts
    }

    pub fn router_parts_mut(&mut self) -> &mut SimRouterParts {
        &mut self.router_parts
    }

    /// `UpdateKeys` on the router's store at `now`, as `cutover router` writes it (see
    /// [`SimStore::update_keys`]): a write that moves a share changes the traffic from `now` on.
    pub fn update_store_keys(
        &mut self,
        now: Timestamp,
        puts: &[(String, String)],
        deletes: &[String],
        if_match: &str,
    ) -> Result<String, BackendError> {
        let (etag, moved) = self.store.update_keys(now, puts, deletes, if_match)?;
        if moved {
            self.traffic_moves_from(now);
        }
        Ok(etag)
    }

    /// `DeleteKeyValueStore` at `now`: its keys go with it, and every share with them.
    pub fn delete_store(&mut self, now: Timestamp) {
        self.store.clear();
        self.router_parts.store = None;
        self.traffic_moves_from(now);
    }

    /// Whether the router's function runs on every request of `path`'s behavior.
    pub fn is_routed(&self, path: &str) -> bool {
        self.behavior(path).is_some_and(|b| b.router)
    }

    /// Someone takes `path` out of the router's index at `now`: the function no longer finds it.
    pub fn drop_from_index(&mut self, now: Timestamp, path: &str) {
        self.store.drop_from_index(path);
        self.traffic_moves_from(now);
    }

    /// Someone writes a value the router's format does not read as `path`'s record.
    pub fn garble_record(&mut self, path: &str, value: &str) {
        self.store.garble(path, value);
    }

    /// Someone deletes `path`'s record and leaves the route in the index.
    pub fn delete_record(&mut self, now: Timestamp, path: &str) {
        self.store.delete_record(path);
        self.traffic_moves_from(now);
    }

    /// Someone takes the router's function off `path`'s behavior at `now` (as `cutover router
    /// remove --route` does); the distribution's ETag moves on.
    pub fn take_router_off(&mut self, now: Timestamp, path: &str) {
        if let Some(behavior) = self.config.behaviors.iter_mut().find(|b| b.path_pattern == path) {
            behavior.router = false;
        }
        self.etag = new_etag(&mut self.rng);
        self.traffic_moves_from(now);
    }

    /// The router function fails (or stops failing) from `now` on: the minutes after it read
    /// differently, as after a switch.
    pub fn set_router_failing(&mut self, now: Timestamp, failing: bool) {
        if self.router_failing_at(now) != failing {
            self.router_failing.push((now, failing));
            self.traffic_moves_from(now);
        }
    }

    /// Whether the router function was failing at `t`.
    pub fn router_failing_at(&self, t: Timestamp) -> bool {
        self.router_failing.iter().rev().find(|(from, _)| *from <= t).is_some_and(|(_, failing)| *failing)
    }

    /// Someone else writes the router's store (a key cutover does not read): its ETag moves on.
    pub fn store_foreign_write(&mut self) {
        self.store.foreign_write();
    }

    /// `UpdateKeys` on the router's store at `now` (see [`SimStore::put`]): a write that moves a
    /// share changes the traffic from `now` on, as a switch does.
    pub fn put_store(
        &mut self,
        now: Timestamp,
        records: &[(String, RouteRecord)],
        if_match: &str,
    ) -> Result<String, BackendError> {
        let (etag, moved) = self.store.put(now, records, if_match)?;
        if moved {
            self.traffic_moves_from(now);
        }
        Ok(etag)
    }

    /// From when traffic splits differently because of the switches, share writes and router
    /// failures since the last call: the earliest of their starts, or `None` when none moved a route.
    /// [`lambda_share`](World::lambda_share) before that moment reads as it did.
    pub fn take_traffic_change(&mut self) -> Option<Timestamp> {
        self.traffic_changed_from.take()
    }

    /// Fraction of a route's requests that reach Lambda at `t`, as edges pick up changes: the
    /// behavior's part (only the transitions that started before `t` move it), and of the rest
    /// the router's share as the edges have it. A behavior on Lambda sends everything there.
    pub fn lambda_share(&self, path: &str, t: Timestamp) -> f64 {
        let behavior = self.behavior_lambda_share(path, t);
        let routed = if self.is_routed(path) { self.store.share(path, t) } else { 0.0 };
        behavior + (1.0 - behavior) * routed
    }

    fn behavior_lambda_share(&self, path: &str, t: Timestamp) -> f64 {
        let initial = self.initial.get(path).copied().unwrap_or(Target::Origin);
        let mut share = if initial == Target::Lambda { 1.0 } else { 0.0 };
        for tr in self.transitions.get(path).into_iter().flatten() {
            let goal = if tr.to == Target::Lambda { 1.0 } else { 0.0 };
            share += (goal - share) * tr.reached(t);
        }
        share
    }

    /// Where one edge sends one viewer of a route at `t`. `pickup` (0 to 1) is the edge's place in
    /// every rollout: it has a change once the change has reached that share of the edges, so over
    /// many edges the share on Lambda is [`lambda_share`](World::lambda_share)'s. `bucket` is the
    /// viewer's router bucket ([`crate::router::bucket`]): where the edge's behavior targets the
    /// origin, the router sends the viewer to Lambda when its bucket is under the edge's share.
    pub fn target_at_edge(&self, path: &str, t: Timestamp, pickup: f64, bucket: u8) -> Target {
        let mut target = self.initial.get(path).copied().unwrap_or(Target::Origin);
        for tr in self.transitions.get(path).into_iter().flatten() {
            if t >= tr.at && tr.reached(t) > pickup {
                target = tr.to;
            }
        }
        if target == Target::Origin && self.is_routed(path) && bucket < self.store.share_at_edge(path, t, pickup) {
            Target::Lambda
        } else {
            target
        }
    }
}

impl Transition {
    /// The share of edges that have this change at `t`, 0 to 1.
    fn reached(&self, t: Timestamp) -> f64 {
        let span = self.edges_done_at.duration_since(self.at).as_secs_f64().max(1.0);
        let progress = (t.duration_since(self.at).as_secs_f64() / span).clamp(0.0, 1.0);
        // Edges pick the change up slowly, then most at once, then the stragglers.
        progress * progress * (3.0 - 2.0 * progress)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct StaleETag;

fn new_etag(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = (0..13).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("E{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        "2026-01-15T22:30:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs)
    }

    /// The demo world with the router on `/search/*` (origin) and `/orders/*` (Lambda), both at
    /// `share` from the start of the demo.
    fn routed_world(share: u8) -> World {
        let routed = ["/search/*".to_string(), "/orders/*".to_string()];
        let mut world = World::new(&catalog::routes(), 3, &routed);
        let state = world.store().state();
        let records: Vec<(String, RouteRecord)> = (state.records.into_iter())
            .map(|(path, mut record)| {
                record.share = share;
                (path, record)
            })
            .collect();
        world.put_store(t(0), &records, &state.etag).unwrap();
        world
    }

    #[test]
    fn the_router_splits_what_the_behavior_leaves_on_the_origin() {
        let mut world = routed_world(25);
        assert_eq!(world.take_traffic_change(), Some(t(0)), "a share write changes the minutes from then on");
        assert_eq!(world.take_traffic_change(), None);
        assert_eq!(world.lambda_share("/search/*", t(1)), 0.0, "no edge has it yet");
        assert_eq!(world.lambda_share("/search/*", t(15)), 0.25);
        assert_eq!(world.lambda_share("/orders/*", t(15)), 1.0, "a behavior on Lambda sends everything there");
        assert_eq!(world.lambda_share("/auth/*", t(15)), 0.0, "an unrouted route has no share");

        // Half the switch to Lambda reached: half the edges send all, the rest a quarter.
        let (mut config, etag) = world.config();
        config.behaviors.iter_mut().find(|b| b.path_pattern == "/search/*").unwrap().target_origin_id =
            catalog::LAMBDA_ORIGIN_ID.into();
        world.update(t(60), config, &etag).unwrap();
        let tr = world.transitions["/search/*"][0].clone();
        let middle = tr.at + SignedDuration::from_secs_f64(tr.edges_done_at.duration_since(tr.at).as_secs_f64() / 2.0);
        assert!((world.lambda_share("/search/*", middle) - (0.5 + 0.5 * 0.25)).abs() < 1e-9);
        assert_eq!(world.lambda_share("/search/*", tr.edges_done_at), 1.0);
    }

    #[test]
    fn at_an_edge_a_viewer_goes_by_its_bucket_once_the_edge_has_the_share() {
        let world = routed_world(25);
        let target = |secs, pickup, bucket| world.target_at_edge("/search/*", t(secs), pickup, bucket);
        assert_eq!(target(15, 0.5, 24), Target::Lambda, "buckets 0 to 24 at 25 %");
        assert_eq!(target(15, 0.5, 25), Target::Origin);
        assert_eq!(target(3, 0.99, 0), Target::Origin, "a late edge has not picked it up at 3 s");
        assert_eq!(target(3, 0.0, 0), Target::Lambda, "the first edge has");
        assert_eq!(world.target_at_edge("/orders/*", t(15), 0.5, 99), Target::Lambda, "the behavior's Lambda");
    }

    #[test]
    fn the_router_fails_from_when_it_is_told_and_that_changes_the_minutes_from_then() {
        let mut world = routed_world(0);
        world.take_traffic_change();
        assert!(world.is_routed("/search/*") && !world.is_routed("/auth/*"));
        assert!(!world.router_failing_at(t(100)));
        world.set_router_failing(t(100), true);
        assert_eq!(world.take_traffic_change(), Some(t(100)));
        world.set_router_failing(t(110), true);
        assert_eq!(world.take_traffic_change(), None, "already failing: nothing changes");
        world.set_router_failing(t(200), false);
        assert_eq!(world.take_traffic_change(), Some(t(200)));
        let failing: Vec<bool> = [99, 100, 199, 200].map(|s| world.router_failing_at(t(s))).into();
        assert_eq!(failing, [false, true, true, false]);
    }
}
