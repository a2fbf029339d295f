//! The router's pieces in the demo world, for `cutover router --demo`: its CloudFront Function
//! (code in both stages, its store association, an ETag), whether its KeyValueStore exists (its
//! keys are `store.rs`'s) and each behavior's association (the world's config). Read as the live
//! reader reads AWS, and changed one planned step at a time as AWS changes, by answering the calls
//! of `backend::router_steps` (which carries the steps out for both worlds): ETags checked, a store
//! provisioning for a few seconds, associations through the world's own `UpdateDistribution`
//! (a rollout of minutes), the function tested on the store as it is. The demo does not make a
//! delete wait for the rollout: a function no behavior names may go at once.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{Call, SimBackend, catalog, router_arn};
use crate::backend::router_pieces::{RouterError, RouterPieces, Snapshot, StepDone, still_in_use};
use crate::backend::router_steps::{self, KeyUpdate, RouterCalls, SampleEvent, TestRun, sample_choice};
use crate::backend::{BackendError, ControlPlane};
use crate::domain::DeployStatus;
use crate::router::ROUTER_JS;
use crate::router::install::{FoundBehavior, FoundFunction, FoundStore, InstallStep, Keys, store_name};

/// How long a new KeyValueStore provisions before it is READY.
pub const STORE_PROVISIONING: SignedDuration = SignedDuration::from_secs(5);
/// Between two looks at a store still provisioning, and how many looks at most (as live).
const POLL_EVERY: Duration = Duration::from_secs(2);
const POLLS: u32 = 60;

/// The router's function and store as the demo's CloudFront has them.
#[derive(Debug, Serialize, Deserialize)]
pub struct SimRouterParts {
    pub store: Option<SimKeyValueStore>,
    pub function: Option<SimFunction>,
    /// How many stores were ever created: each one's ARN is new.
    stores_created: u32,
    /// Its own stream, so that installing leaves the distribution's story as it was.
    #[serde(with = "super::rng_serde")]
    rng: ChaCha8Rng,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimKeyValueStore {
    /// Which store this is (in its ARN).
    pub number: u32,
    /// When it is READY (it is PROVISIONING before).
    pub ready_at: Timestamp,
    /// Its control-plane ETag (`DescribeKeyValueStore`), for the delete.
    pub etag: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimFunction {
    pub development_code: String,
    /// `None` until published.
    pub live_code: Option<String>,
    /// The number of the store associated with it.
    pub store: Option<u32>,
    pub etag: String,
}

impl SimRouterParts {
    /// Installed as `cutover router install` leaves it (store READY, the embedded code published
    /// with the store associated), or nothing at all.
    pub fn new(installed: bool, seed: u64) -> Self {
        let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x00F0_0C7E);
        let mut parts = SimRouterParts { store: None, function: None, stores_created: 0, rng };
        if installed {
            let store = parts.create_store(Timestamp::UNIX_EPOCH);
            let etag = parts.new_etag();
            parts.function = Some(SimFunction {
                development_code: ROUTER_JS.to_string(),
                live_code: Some(ROUTER_JS.to_string()),
                store: Some(store),
                etag,
            });
        }
        parts
    }

    /// A new store, READY at `ready_at`: its number.
    fn create_store(&mut self, ready_at: Timestamp) -> u32 {
        self.stores_created += 1;
        let etag = self.new_etag();
        self.store = Some(SimKeyValueStore { number: self.stores_created, ready_at, etag });
        self.stores_created
    }

    fn new_etag(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let tail: String = (0..13).map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char).collect();
        format!("E{tail}")
    }

    /// Someone edits the function's code by hand in both stages (the console, another tool).
    pub fn edit_function(&mut self, code: &str) {
        if let Some(f) = self.function.as_mut() {
            f.development_code = code.to_string();
            f.live_code = Some(code.to_string());
        }
        let etag = self.new_etag();
        if let Some(f) = self.function.as_mut() {
            f.etag = etag;
        }
    }
}

/// The ARN of the demo's store number `n` for a distribution.
pub fn store_arn(distribution_id: &str, n: u32) -> String {
    format!("arn:aws:cloudfront::{}:key-value-store/{}-{n}", catalog::ACCOUNT_ID, store_name(distribution_id))
}

fn failed(action: &'static str) -> impl FnOnce(BackendError) -> RouterError {
    move |error| RouterError { action, error }
}

fn other(action: &'static str, message: impl Into<String>) -> RouterError {
    RouterError::other(action, message.into())
}

/// Each behavior and whether it runs the router, as the planner reads them (the default `*` last).
fn found_behaviors(config: &super::SimDistributionConfig, distribution_id: &str) -> Vec<FoundBehavior> {
    let arn = router_arn(distribution_id);
    config
        .behaviors
        .iter()
        .map(|b| FoundBehavior { path: b.path_pattern.clone(), viewer_request: b.router.then(|| arn.clone()) })
        .collect()
}

/// The router on (`add`) or off the behaviors at `paths`, in place: the paths changed.
fn set_router(config: &mut super::SimDistributionConfig, paths: &[String], add: bool) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for path in paths {
        let behavior = config
            .behaviors
            .iter_mut()
            .find(|b| &b.path_pattern == path)
            .ok_or_else(|| format!("the distribution no longer has a behavior with path pattern {path}"))?;
        if behavior.router != add {
            behavior.router = add;
            changed.push(path.clone());
        }
    }
    Ok(changed)
}

/// The demo's function for `action` sent with `etag`: none says what to do (`then`), another ETag
/// is a stale one.
fn function_for<'a>(
    parts: &'a mut SimRouterParts,
    action: &'static str,
    name: &str,
    etag: &str,
    then: &str,
) -> Result<&'a mut SimFunction, RouterError> {
    let function = parts.function.as_mut().ok_or_else(|| other(action, format!("{name} does not exist; {then}")))?;
    match etag == function.etag {
        true => Ok(function),
        false => Err(failed(action)(BackendError::PreconditionFailed)),
    }
}

impl SimBackend {
    /// Someone edits the router function's code by hand, in both stages.
    pub fn edit_router_function(&self, code: &str) {
        self.world().router_parts_mut().edit_function(code);
    }

    /// The store as found at `now`: `READY` once provisioned.
    fn found_store(&self, store: &SimKeyValueStore, now: Timestamp) -> FoundStore {
        let status = if now >= store.ready_at { "READY" } else { "PROVISIONING" };
        FoundStore { arn: store_arn(&self.distribution_id, store.number), status: status.to_string() }
    }

    /// What the function logs for the routed sample event, run on the store as the world has it:
    /// the route found through the index, its record, the origin its bucket gives the sample viewer.
    fn test_log(&self, route: &str) -> String {
        let world = self.world();
        let parts = world.router_parts();
        let associated = parts.function.as_ref().and_then(|f| f.store);
        if associated.is_none() || associated != parts.store.as_ref().map(|s| s.number) {
            // `cf.kvs()` without its store throws: the function fails open.
            return "cutover-router: failed open".to_string();
        }
        let store = world.store().state();
        if store.index.lists(route) != Some(true) {
            return "cutover-router: no route".to_string();
        }
        let read = match store.record(route) {
            crate::backend::share::RecordRead::Readable(record) => sample_choice(record),
            crate::backend::share::RecordRead::Unreadable(_) => "unreadable -> home".to_string(),
            // `kvs.get` of a missing key throws: the function fails open.
            crate::backend::share::RecordRead::Missing => return "cutover-router: failed open".to_string(),
        };
        format!("cutover-router: route:{route} {read}")
    }
}

/// The calls of each step, on the demo world (`backend::router_steps` carries the steps out).
#[async_trait]
impl RouterCalls for SimBackend {
    type Config = super::SimDistributionConfig;

    fn polls(&self) -> u32 {
        POLLS
    }

    /// Once: the demo's store has no delay before a test reads what was written.
    fn test_tries(&self) -> u32 {
        1
    }

    async fn pause(&self) {
        self.clock.sleep(POLL_EVERY).await;
    }

    async fn create_store(&self, name: &str) -> Result<(FoundStore, Option<String>), RouterError> {
        self.call(Call::Router("CreateKeyValueStore")).await.map_err(failed("CreateKeyValueStore"))?;
        let now = self.clock.now();
        let store = {
            let mut world = self.world();
            if world.router_parts().store.is_some() {
                return Err(other(
                    "CreateKeyValueStore",
                    format!("KeyValueStore {name} already exists; see it with `cutover router status`"),
                ));
            }
            let parts = world.router_parts_mut();
            parts.create_store(now + STORE_PROVISIONING);
            parts.store.clone().expect("just created")
        };
        Ok((self.found_store(&store, now), Some(store.etag)))
    }

    /// The demo's store does not go away by itself: gone, someone deleted it.
    async fn describe_store(&self, name: &str) -> Result<(Option<FoundStore>, Option<String>), RouterError> {
        self.call(Call::Read).await.map_err(failed("DescribeKeyValueStore"))?;
        let now = self.clock.now();
        let store = self.world().router_parts().store.clone();
        let Some(store) = store else {
            return Err(other(
                "DescribeKeyValueStore",
                format!("KeyValueStore {name} is gone; run `cutover router install` again"),
            ));
        };
        Ok((Some(self.found_store(&store, now)), Some(store.etag)))
    }

    /// Refused while the function still holds the store.
    async fn delete_store(&self, name: &str, etag: &str) -> Result<(), RouterError> {
        self.call(Call::Router("DeleteKeyValueStore")).await.map_err(failed("DeleteKeyValueStore"))?;
        let now = self.clock.now();
        let mut world = self.world();
        let parts = world.router_parts();
        let store = parts.store.as_ref().ok_or_else(|| {
            other("DeleteKeyValueStore", format!("KeyValueStore {name} does not exist; run `cutover router status`"))
        })?;
        if parts.function.as_ref().is_some_and(|f| f.store == Some(store.number)) {
            return Err(still_in_use("DeleteKeyValueStore", name));
        }
        if etag != store.etag {
            return Err(failed("DeleteKeyValueStore")(BackendError::PreconditionFailed));
        }
        world.delete_store(now);
        Ok(())
    }

    /// The world's one store, whatever the ARN.
    async fn list_keys(&self, _store_arn: &str) -> Result<(String, BTreeMap<String, String>), RouterError> {
        if self.world().router_parts().store.is_none() {
            return Err(other("UpdateKeys", "the store does not exist yet; run install again"));
        }
        self.call(Call::Read).await.map_err(failed("ListKeys"))?;
        if let Some(error) = self.store_read_error() {
            return Err(failed("ListKeys")(error));
        }
        let world = self.world();
        Ok((world.store().etag().to_string(), world.store().items()))
    }

    async fn update_keys(&self, _store_arn: &str, etag: &str, keys: &KeyUpdate) -> Result<String, BackendError> {
        self.call(Call::StorePut).await?;
        let now = self.clock.now();
        self.world().update_store_keys(now, &keys.puts, &keys.deletes, etag)
    }

    /// Associated with the world's one store.
    async fn create_function(&self, name: &str, _store_arn: &str) -> Result<(String, Option<String>), RouterError> {
        self.call(Call::Router("CreateFunction")).await.map_err(failed("CreateFunction"))?;
        let mut world = self.world();
        let parts = world.router_parts_mut();
        if parts.function.is_some() {
            return Err(other(
                "CreateFunction",
                format!("CloudFront Function {name} already exists; see it with `cutover router status`"),
            ));
        }
        let store = parts.store.as_ref().map(|s| s.number);
        if store.is_none() {
            return Err(other("CreateFunction", "the store does not exist yet; run install again"));
        }
        let etag = parts.new_etag();
        parts.function =
            Some(SimFunction { development_code: ROUTER_JS.to_string(), live_code: None, store, etag: etag.clone() });
        Ok((router_arn(&self.distribution_id), Some(etag)))
    }

    /// Associated with the world's one store.
    async fn update_function(&self, name: &str, etag: &str, _store_arn: &str) -> Result<Option<String>, RouterError> {
        self.call(Call::Router("UpdateFunction")).await.map_err(failed("UpdateFunction"))?;
        let mut world = self.world();
        let parts = world.router_parts_mut();
        let store = parts.store.as_ref().map(|s| s.number);
        if store.is_none() {
            return Err(other("UpdateFunction", "the store does not exist yet; run install again"));
        }
        let new_etag = parts.new_etag();
        let function = function_for(parts, "UpdateFunction", name, etag, "run install again")?;
        function.development_code = ROUTER_JS.to_string();
        function.store = store;
        function.etag = new_etag.clone();
        Ok(Some(new_etag))
    }

    async fn publish_function(&self, name: &str, etag: &str) -> Result<Option<String>, RouterError> {
        self.call(Call::Router("PublishFunction")).await.map_err(failed("PublishFunction"))?;
        let mut world = self.world();
        let function = function_for(world.router_parts_mut(), "PublishFunction", name, etag, "run install again")?;
        function.live_code = Some(function.development_code.clone());
        Ok(None)
    }

    /// Run by the demo's CloudFront on the store as the world has it now; only the routed event
    /// logs, and nothing measures compute utilization.
    async fn test_function(&self, name: &str, etag: &str, event: SampleEvent<'_>) -> Result<TestRun, RouterError> {
        self.call(Call::Router("TestFunction")).await.map_err(failed("TestFunction"))?;
        function_for(self.world().router_parts_mut(), "TestFunction", name, etag, "run install again")?;
        Ok(TestRun { utilization: None, logs: event.routed.map(|route| self.test_log(route)).into_iter().collect() })
    }

    /// Unlike CloudFront, the demo does not make the delete wait for the rollout that took the
    /// router off: refused only while a behavior still names the function.
    async fn delete_function(&self, name: &str, etag: &str) -> Result<(), RouterError> {
        self.call(Call::Router("DeleteFunction")).await.map_err(failed("DeleteFunction"))?;
        let mut world = self.world();
        if world.config().0.behaviors.iter().any(|b| b.router) {
            return Err(still_in_use("DeleteFunction", name));
        }
        let parts = world.router_parts_mut();
        function_for(parts, "DeleteFunction", name, etag, "run `cutover router status`")?;
        parts.function = None;
        Ok(())
    }

    async fn distribution_config(&self) -> Result<(Self::Config, String), RouterError> {
        self.get_config(&self.distribution_id).await.map_err(failed("GetDistributionConfig"))
    }

    fn add_router(&self, config: &mut Self::Config, paths: &[String], _arn: &str) -> Result<Vec<String>, String> {
        set_router(config, paths, true)
    }

    /// Unlike the live side, a path the config no longer has fails here too.
    fn take_router_off(&self, config: &mut Self::Config, paths: &[String]) -> Result<Vec<String>, String> {
        set_router(config, paths, false)
    }

    fn behaviors_of(&self, config: &Self::Config) -> Vec<FoundBehavior> {
        found_behaviors(config, &self.distribution_id)
    }

    async fn update_distribution(&self, config: Self::Config, etag: &str) -> Result<Option<String>, BackendError> {
        let accepted = self.update_config(&self.distribution_id, config, etag).await?;
        Ok(Some(accepted.etag))
    }
}

#[async_trait]
impl RouterPieces for SimBackend {
    fn distribution_id(&self) -> &str {
        &self.distribution_id
    }

    /// As live: the store, the function, the store's keys, then the distribution.
    async fn read(&self) -> Result<Snapshot, RouterError> {
        self.call(Call::Read).await.map_err(failed("DescribeKeyValueStore"))?;
        self.call(Call::Read).await.map_err(failed("DescribeFunction"))?;
        self.call(Call::Read).await.map_err(failed("GetDistribution"))?;
        let now = self.clock.now();
        let id = self.distribution_id.clone();
        let store_error = self.store_read_error();
        let world = self.world();
        let parts = world.router_parts();
        let mut snapshot = Snapshot::default();
        if let Some(store) = &parts.store {
            snapshot.found.store = Some(self.found_store(store, now));
            snapshot.store_etag = Some(store.etag.clone());
        }
        if let Some(f) = &parts.function {
            snapshot.function_etag = Some(f.etag.clone());
            snapshot.found.function = Some(FoundFunction {
                arn: router_arn(&id),
                development_code: f.development_code.clone(),
                live_code: f.live_code.clone(),
                store_arns: f.store.map(|n| store_arn(&id, n)).into_iter().collect(),
            });
        }
        snapshot.found.keys = match (&snapshot.found.store, store_error) {
            (Some(store), _) if store.status != "READY" => Keys::Absent,
            (None, _) => Keys::Absent,
            (Some(_), Some(error)) => Keys::Unreadable(failed("ListKeys")(error).to_string()),
            (Some(_), None) => Keys::Read { etag: world.store().etag().to_string(), items: world.store().items() },
        };
        let (config, _) = world.config();
        snapshot.found.behaviors = found_behaviors(&config, &id);
        snapshot.found.deploying = (world.status(now) != DeployStatus::Deployed).then(|| "InProgress".to_string());
        snapshot.routes =
            config.behaviors.iter().map(|b| (b.path_pattern.clone(), b.target_origin_id.clone())).collect();
        Ok(snapshot)
    }

    async fn carry_out(&self, step: &InstallStep, snapshot: &mut Snapshot) -> Result<StepDone, RouterError> {
        router_steps::carry_out(self, step, snapshot).await
    }
}
