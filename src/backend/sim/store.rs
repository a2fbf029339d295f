//! The router's KeyValueStore in the demo world: a record for each routed route, an ETag that
//! changes on every write (a stale `IfMatch` is refused), and each write's share reaching the
//! edges within seconds (the first after 2 s, the last after 15 s), where a distribution update
//! takes minutes. The store's calls take the simulated AWS's time and meet its injected faults.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::catalog::{self, SimRoute};
use super::{Call, SimBackend};
use crate::backend::BackendError;
use crate::backend::share::{KEYS_PER_UPDATE, ShareStore, StoreState};
use crate::router::RouteRecord;

/// How long after a write the first edges route by it.
pub const FIRST_EDGE_AFTER: SignedDuration = SignedDuration::from_secs(2);
/// How long after a write every edge routes by it.
pub const LAST_EDGE_AFTER: SignedDuration = SignedDuration::from_secs(15);

/// One accepted write of a route's share, as the edges pick it up.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ShareTransition {
    /// Lambda's share written, in percent.
    to: u8,
    at: Timestamp,
}

impl ShareTransition {
    /// The share of edges that route by this write at `t`, 0 to 1.
    fn reached(&self, t: Timestamp) -> f64 {
        let span = (LAST_EDGE_AFTER - FIRST_EDGE_AFTER).as_secs_f64();
        let progress = (t.duration_since(self.at + FIRST_EDGE_AFTER).as_secs_f64() / span).clamp(0.0, 1.0);
        // As a distribution rollout: a few edges first, then most, then the stragglers.
        progress * progress * (3.0 - 2.0 * progress)
    }
}

/// The simulated store.
#[derive(Serialize, Deserialize)]
pub struct SimStore {
    etag: String,
    /// The path patterns the `routes` index lists, in the distribution's order.
    index: Vec<String>,
    records: BTreeMap<String, RouteRecord>,
    /// `route:` values the router's format does not read (a hand edit, another tool), by pattern.
    garbled: BTreeMap<String, String>,
    transitions: HashMap<String, Vec<ShareTransition>>,
    /// Its own stream, so that writing the store leaves the distribution's story as it was.
    #[serde(with = "super::rng_serde")]
    rng: ChaCha8Rng,
}

impl SimStore {
    /// The store as `cutover router install` leaves it: the index listing each of `routed` among
    /// `routes` (S3 routes and unknown paths are left out), in the distribution's order, and a
    /// record for each, Lambda's share 0, `home` the origin the behavior targets.
    pub fn new(routes: &[SimRoute], routed: &[String], seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5709_E000);
        let chosen: Vec<&SimRoute> = routes.iter().filter(|r| !r.on_storage() && routed.contains(&r.path)).collect();
        let records = chosen
            .iter()
            .map(|r| {
                let record = RouteRecord::new(0, catalog::LAMBDA_ORIGIN_ID, r.origin, None)
                    .expect("the demo's origin ids are not empty");
                (r.path.clone(), record)
            })
            .collect();
        let index = chosen.iter().map(|r| r.path.clone()).collect();
        SimStore {
            etag: new_etag(&mut rng),
            index,
            records,
            garbled: BTreeMap::new(),
            transitions: HashMap::new(),
            rng,
        }
    }

    /// The routed routes' path patterns (those with a record), in path order.
    pub fn routed(&self) -> impl Iterator<Item = &str> {
        self.records.keys().map(String::as_str)
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Whether the index lists `path`: the function finds no route it does not list.
    pub fn lists(&self, path: &str) -> bool {
        self.index.iter().any(|p| p == path)
    }

    /// Whether the function finds both `path` in the index and a record for it (a garbled one
    /// keeps the share the edges had: what the function makes of it is anybody's guess).
    fn serves(&self, path: &str) -> bool {
        self.lists(path) && (self.records.contains_key(path) || self.garbled.contains_key(path))
    }

    /// The store as `ListKeys` would list it, read as the live store is read.
    pub fn state(&self) -> StoreState {
        StoreState::from_items(self.etag.clone(), &self.items())
    }

    /// Every key and value, as `ListKeys` would list them: the index pages (one listing nothing
    /// in an empty store: the demo's store is never without its index), then the records.
    pub fn items(&self) -> BTreeMap<String, String> {
        let mut items: BTreeMap<String, String> =
            crate::router::index_entries(&self.index).expect("the demo's index fits").into_iter().collect();
        for (path, record) in &self.records {
            let key = RouteRecord::key(path).expect("the demo's paths are short");
            items.insert(key, record.encode().expect("records the store took encode"));
        }
        for (path, value) in &self.garbled {
            items.insert(RouteRecord::key(path).expect("the demo's paths are short"), value.clone());
        }
        items
    }

    /// Whether it holds nothing: no index entry, no record.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty() && self.records.is_empty() && self.garbled.is_empty()
    }

    /// `UpdateKeys` as `cutover router` sends it, all or nothing: `puts` and `deletes` of any keys
    /// if the store is still at `if_match`. The index is read back from the keys as the function
    /// reads it, each `route:` key decoded or kept as garbled; a deleted record takes its share
    /// with it. The new ETag, and whether a share changed.
    pub fn update_keys(
        &mut self,
        now: Timestamp,
        puts: &[(String, String)],
        deletes: &[String],
        if_match: &str,
    ) -> Result<(String, bool), BackendError> {
        if puts.len() + deletes.len() > KEYS_PER_UPDATE {
            return Err(BackendError::Other(format!(
                "{} keys in one write of the router's store, over its {KEYS_PER_UPDATE}: write them in smaller batches",
                puts.len() + deletes.len()
            )));
        }
        if if_match != self.etag {
            return Err(BackendError::PreconditionFailed);
        }
        let mut items = self.items();
        for key in deletes {
            items.remove(key);
        }
        items.extend(puts.iter().cloned());
        let index = crate::router::read_index(|key| items.get(key).map(String::as_str));
        self.index = index.listed;
        let (mut records, mut garbled) = (BTreeMap::new(), BTreeMap::new());
        for (key, value) in &items {
            let Some(path) = key.strip_prefix(crate::router::ROUTE_KEY_PREFIX) else { continue };
            match RouteRecord::decode(value) {
                Ok(record) => _ = records.insert(path.to_string(), record),
                Err(_) => _ = garbled.insert(path.to_string(), value.clone()),
            }
        }
        let mut moved = false;
        let gone: Vec<String> = self.records.keys().filter(|p| !records.contains_key(*p)).cloned().collect();
        for path in gone {
            moved |= self.transitions.remove(&path).is_some_and(|t| t.last().is_some_and(|t| t.to > 0));
        }
        for (path, record) in &records {
            let before = self.transitions.get(path).and_then(|t| t.last()).map_or(0, |t| t.to);
            if before != record.share {
                self.transitions.entry(path.clone()).or_default().push(ShareTransition { to: record.share, at: now });
                moved = true;
            }
        }
        (self.records, self.garbled) = (records, garbled);
        self.etag = new_etag(&mut self.rng);
        Ok((self.etag.clone(), moved))
    }

    /// `DeleteKeyValueStore`: every key goes, and with them every share.
    pub fn clear(&mut self) {
        self.index.clear();
        self.records.clear();
        self.garbled.clear();
        self.transitions.clear();
        self.etag = new_etag(&mut self.rng);
    }

    /// Someone takes `path` out of the index (a hand edit, an older tool): the function no longer
    /// finds the route, whatever its record says.
    pub fn drop_from_index(&mut self, path: &str) {
        self.index.retain(|p| p != path);
        self.etag = new_etag(&mut self.rng);
    }

    /// Someone writes `value` as `path`'s record, one the router's format does not read. The edges
    /// keep the share they had: what the function makes of it is anybody's guess.
    pub fn garble(&mut self, path: &str, value: &str) {
        self.records.remove(path);
        self.garbled.insert(path.to_string(), value.to_string());
        self.etag = new_etag(&mut self.rng);
    }

    /// Someone deletes `path`'s record and leaves it in the index.
    pub fn delete_record(&mut self, path: &str) {
        self.records.remove(path);
        self.garbled.remove(path);
        self.etag = new_etag(&mut self.rng);
    }

    /// Someone else writes a key cutover does not read: the ETag moves on, nothing else.
    pub fn foreign_write(&mut self) {
        self.etag = new_etag(&mut self.rng);
    }

    /// `UpdateKeys` at `now`, all or nothing: the new ETag, and whether a share changed (from
    /// `now` on, traffic splits differently). Refused on a stale ETag, too many keys, a route
    /// neither the index nor a record names, or a record the function would not read.
    pub fn put(
        &mut self,
        now: Timestamp,
        records: &[(String, RouteRecord)],
        if_match: &str,
    ) -> Result<(String, bool), BackendError> {
        if records.len() > KEYS_PER_UPDATE {
            return Err(BackendError::Other(format!(
                "{} keys in one write of the router's store, over its {KEYS_PER_UPDATE}: write them in smaller batches",
                records.len()
            )));
        }
        if if_match != self.etag {
            return Err(BackendError::PreconditionFailed);
        }
        for (path, record) in records {
            if !self.records.contains_key(path) && !self.garbled.contains_key(path) && !self.lists(path) {
                return Err(BackendError::Other(format!(
                    "route {path} is not routed in the demo's router: give it a share only on a routed route, or switch it by behavior"
                )));
            }
            record.encode().map_err(|e| BackendError::Other(e.to_string()))?;
        }
        let mut moved = false;
        for (path, record) in records {
            // What the edges are heading to: the last write's share (0 before any).
            let before = self.transitions.get(path).and_then(|t| t.last()).map_or(0, |t| t.to);
            self.garbled.remove(path);
            if before != record.share {
                self.transitions.entry(path.clone()).or_default().push(ShareTransition { to: record.share, at: now });
                moved = true;
            }
            self.records.insert(path.clone(), record.clone());
        }
        self.etag = new_etag(&mut self.rng);
        Ok((self.etag.clone(), moved))
    }

    /// The fraction of `path`'s viewers the router sends to Lambda at `t`, 0 to 1, as the edges
    /// have the writes (0 for a route it does not serve, or that the index does not list).
    pub fn share(&self, path: &str, t: Timestamp) -> f64 {
        if !self.serves(path) {
            return 0.0;
        }
        let mut share = 0.0;
        for tr in self.transitions.get(path).into_iter().flatten() {
            share += (f64::from(tr.to) / 100.0 - share) * tr.reached(t);
        }
        share
    }

    /// Lambda's share, in percent, at the edge whose place in every rollout is `pickup` (0 to 1):
    /// the last write that has reached it, so over many edges it averages [`share`](Self::share).
    pub fn share_at_edge(&self, path: &str, t: Timestamp, pickup: f64) -> u8 {
        if !self.serves(path) {
            return 0;
        }
        let transitions = self.transitions.get(path).into_iter().flatten();
        transitions.rev().find(|tr| tr.reached(t) > pickup).map_or(0, |tr| tr.to)
    }
}

/// A KeyValueStore ETag, as AWS spells them (`KV` and thirteen letters and digits).
fn new_etag(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let tail: String = (0..13).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("KV{tail}")
}

#[async_trait]
impl ShareStore for SimBackend {
    async fn read(&self) -> Result<StoreState, BackendError> {
        // `DescribeKeyValueStore` for the ETag, then `ListKeys`: a write in between makes the
        // ETag read stale, as it would live.
        self.call(Call::Read).await?;
        let etag = self.world().store().etag().to_string();
        self.call(Call::Read).await?;
        if let Some(error) = self.store_read_error() {
            return Err(error);
        }
        Ok(StoreState { etag, ..self.world().store().state() })
    }

    async fn put(&self, records: &[(String, RouteRecord)], if_match: &str) -> Result<String, BackendError> {
        self.call(Call::StorePut).await?;
        let now = self.clock.now();
        self.world().put_store(now, records, if_match)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::share::{ShareChange, set_shares};
    use crate::backend::sim::{Scenario, SimOptions};
    use crate::backend::{Backend, Fault, FaultSet};
    use crate::clock::Clock;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_768_516_200 + secs).unwrap()
    }

    fn store() -> SimStore {
        let routed = ["/search/*".to_string(), "/payments/*".to_string(), "/static/*".to_string()];
        SimStore::new(&catalog::routes(), &routed, 7)
    }

    fn record(store: &SimStore, path: &str, share: u8) -> (String, RouteRecord) {
        let mut record = store.records[path].clone();
        record.share = share;
        (path.to_string(), record)
    }

    #[test]
    fn it_starts_as_installed_share_zero_home_the_behaviors_origin() {
        let store = store();
        assert_eq!(store.routed().collect::<Vec<_>>(), ["/payments/*", "/search/*"], "S3 is never routed");
        let payments = &store.records["/payments/*"];
        assert_eq!((payments.share, payments.lambda.as_str(), payments.home.as_str()), (0, "apigw", "payments-elb"));
        assert_eq!(store.records["/search/*"].home, catalog::LEGACY_ORIGIN_ID);
        assert!(store.etag().starts_with("KV"));
    }

    #[test]
    fn a_stale_etag_an_unrouted_route_and_a_bad_record_are_refused_and_nothing_is_written() {
        let mut store = store();
        let first = store.etag().to_string();
        let write = [record(&store, "/search/*", 25)];
        let (second, moved) = store.put(t(0), &write, &first).unwrap();
        assert!(moved && second != first);
        assert_eq!(store.put(t(1), &write, &first), Err(BackendError::PreconditionFailed));
        store.foreign_write();
        assert_eq!(store.put(t(1), &write, &second), Err(BackendError::PreconditionFailed));
        let etag = store.etag().to_string();

        let mut unrouted = record(&store, "/search/*", 5);
        unrouted.0 = "/orders/*".into();
        let error = store.put(t(2), &[record(&store, "/payments/*", 5), unrouted], &etag).unwrap_err();
        assert!(error.to_string().contains("not routed"), "{error}");
        let mut bad = record(&store, "/payments/*", 5);
        bad.1.share = 101;
        assert!(store.put(t(2), &[bad], &etag).unwrap_err().to_string().contains("out of range"));
        assert_eq!((store.etag(), store.records["/payments/*"].share), (etag.as_str(), 0), "all or nothing");

        let same = [record(&store, "/search/*", 25)];
        assert!(!store.put(t(3), &same, &etag).unwrap().1, "the same share again moves no traffic");
    }

    #[test]
    fn a_write_reaches_the_first_edges_after_two_seconds_and_all_after_fifteen() {
        let mut store = store();
        let etag = store.etag().to_string();
        store.put(t(0), &[record(&store, "/search/*", 40)], &etag).unwrap();
        assert_eq!(store.share("/search/*", t(2)), 0.0);
        let halfway = store.share("/search/*", t(8) + SignedDuration::from_millis(500));
        assert!((halfway - 0.2).abs() < 1e-9, "{halfway}");
        assert_eq!(store.share("/search/*", t(15)), 0.4);
        assert_eq!(store.share("/payments/*", t(15)), 0.0, "other routes keep theirs");

        // Edge by edge: the early ones have it at 5 s, the late ones not yet; all at 15 s.
        let edges: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let at = |secs| edges.iter().filter(|&&p| store.share_at_edge("/search/*", t(secs), p) == 40).count();
        assert!((1..50).contains(&at(5)), "{} of 100 edges at 5 s", at(5));
        assert_eq!(at(15), 100);

        // Back to 0 from 40 while some edges route by 40: each edge by the last write it has.
        let etag = store.etag().to_string();
        store.put(t(20), &[record(&store, "/search/*", 0)], &etag).unwrap();
        assert_eq!(store.share("/search/*", t(21)), 0.4);
        assert_eq!(store.share("/search/*", t(35)), 0.0);
        assert_eq!(store.share_at_edge("/search/*", t(35), 0.99), 0);
    }

    fn backend() -> (SimBackend, Clock) {
        let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
        let options = SimOptions { scenario: Scenario::Calm, seed: 5, faults: FaultSet::NONE };
        (SimBackend::new(clock.clone(), options), clock)
    }

    fn change(path: &str, from: u8, to: u8) -> ShareChange {
        ShareChange::new(path, from, to)
    }

    #[tokio::test(start_paused = true)]
    async fn the_demo_store_answers_in_the_worlds_time() {
        let (backend, clock) = backend();
        assert_eq!(backend.routed(), ["/payments/*", "/search/*"]);
        let started = clock.now();
        let state = backend.read().await.unwrap();
        let read_took = clock.now().duration_since(started);
        assert_eq!(state.records.keys().collect::<Vec<_>>(), ["/payments/*", "/search/*"]);
        assert!(state.records.values().all(|r| r.share == 0 && r.lambda == catalog::LAMBDA_ORIGIN_ID));
        assert!((read_took.as_secs_f64() - 0.6).abs() < 0.01, "two calls of 300 ms: {read_took:?}");

        let accepted = set_shares(&backend, &[change("/search/*", 0, 25)], |_| {}).await.unwrap();
        assert_eq!(accepted.etag_before, state.etag);
        assert_ne!(accepted.etag_after, state.etag);
        let mut record = state.records["/search/*"].clone();
        record.share = 50;
        let stale = backend.put(&[("/search/*".into(), record)], &state.etag).await;
        assert_eq!(stale, Err(BackendError::PreconditionFailed));
        assert_eq!(backend.read().await.unwrap().records["/search/*"].share, 25, "the stale write left it");
    }

    #[tokio::test(start_paused = true)]
    async fn the_store_meets_the_injected_faults() {
        let (backend, clock) = backend();
        backend.inject_faults(FaultSet::from(Fault::Offline));
        assert!(matches!(backend.read().await, Err(BackendError::Network(_))));
        backend.inject_faults(FaultSet::from(Fault::Timeouts));
        let started = clock.now();
        assert_eq!(backend.read().await, Err(BackendError::Timeout));
        assert!(clock.now().duration_since(started).as_secs_f64() >= 10.0, "it hung as long as the client waits");
        backend.inject_faults(FaultSet::from(Fault::Throttling));
        let error = set_shares(&backend, &[change("/search/*", 0, 5)], |_| {}).await.unwrap_err();
        assert_eq!(error, BackendError::Throttling);

        backend.inject_faults(FaultSet::from(Fault::Denied));
        let error = set_shares(&backend, &[change("/search/*", 0, 5)], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("cloudfront-keyvaluestore:UpdateKeys"), "{error}");

        // Someone else writes the store first: one stale ETag, then the re-read goes through.
        backend.inject_faults(FaultSet::from(Fault::Conflicts));
        let mut conflicts = 0;
        set_shares(&backend, &[change("/search/*", 0, 5)], |_| conflicts += 1).await.unwrap();
        assert_eq!(conflicts, 1);
        backend.inject_faults(FaultSet::NONE);
        assert_eq!(backend.read().await.unwrap().records["/search/*"].share, 5);
    }

    #[tokio::test(start_paused = true)]
    async fn without_the_router_or_off_it_a_share_change_is_refused() {
        let (backend, _) = backend();
        let error = set_shares(&backend, &[change("/orders/*", 0, 5)], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("cutover router install"), "{error}");
        let plain = self::backend().0.without_router();
        assert!(plain.read().await.unwrap().records.is_empty());
        assert!(set_shares(&plain, &[change("/search/*", 0, 5)], |_| {}).await.is_err());
        let (chosen, _) = self::backend();
        let chosen = chosen.with_router(&["/orders/*", "/static/*", "/nowhere/*"]);
        assert_eq!(chosen.routed(), ["/orders/*"], "S3 and unknown paths are not routed");
        let orders = &chosen.read().await.unwrap().records["/orders/*"];
        assert_eq!(orders.home, catalog::LAMBDA_ORIGIN_ID, "home is the behavior's origin, Lambda for /orders/*");
    }

    #[test]
    fn a_route_the_index_no_longer_lists_gets_no_share_at_the_edge_and_reads_as_unlisted() {
        let mut store = store();
        let etag = store.etag().to_string();
        store.put(t(0), &[record(&store, "/search/*", 40)], &etag).unwrap();
        assert_eq!(store.share("/search/*", t(15)), 0.4);
        store.drop_from_index("/search/*");
        assert_eq!(store.share("/search/*", t(16)), 0.0, "the function never finds it");
        assert_eq!(store.share_at_edge("/search/*", t(16), 0.0), 0);
        let state = store.state();
        assert_eq!(state.index.lists("/search/*"), Some(false));
        assert_eq!(state.records["/search/*"].share, 40, "the record stays as written");
        store.garble("/payments/*", "{not json");
        assert!(store.state().unreadable.contains_key("/payments/*"), "kept, never dropped");
    }
}
