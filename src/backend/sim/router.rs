//! The router's pieces in the demo world, for `cutover router --demo`: its CloudFront Function
//! (code in both stages, its store association, an ETag), whether its KeyValueStore exists (its
//! keys are `store.rs`'s) and each behavior's association (the world's config). Read as the live
//! reader reads AWS, and changed one planned step at a time as AWS changes: ETags checked, a store
//! provisioning for a few seconds, associations through the world's own `UpdateDistribution`
//! (a rollout of minutes), the function tested on the store as it is. The demo does not make a
//! delete wait for the rollout: a function no behavior names may go at once.

use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Call, SimBackend, catalog, router_arn};
use crate::backend::aws::router::{SAMPLE_IP, TEST_HEADER, expected_log, sample_events, sample_uri};
use crate::backend::router_pieces::{RouterError, RouterPieces, Snapshot, StepDone, check_read_back, still_in_use};
use crate::backend::share::KEYS_PER_UPDATE;
use crate::backend::{BackendError, ControlPlane};
use crate::domain::DeployStatus;
use crate::router::install::{FoundBehavior, FoundFunction, FoundStore, InstallStep, Keys, key_writes, store_name};
use crate::router::{ROUTER_JS, Sticky, bucket};

/// How long a new KeyValueStore provisions before it is READY.
pub const STORE_PROVISIONING: SignedDuration = SignedDuration::from_secs(5);
/// Between two looks at a store still provisioning, and how many looks at most (as live).
const POLL_EVERY: Duration = Duration::from_secs(2);
const POLLS: u32 = 60;
/// How many times an association update or a key write is re-read after a stale ETag (as live).
const CONFLICT_RETRIES: u32 = 3;

/// The router's function and store as the demo's CloudFront has them.
#[derive(Debug)]
pub struct SimRouterParts {
    pub store: Option<SimKeyValueStore>,
    pub function: Option<SimFunction>,
    /// How many stores were ever created: each one's ARN is new.
    stores_created: u32,
    /// Its own stream, so that installing leaves the distribution's story as it was.
    rng: ChaCha8Rng,
}

#[derive(Clone, Debug)]
pub struct SimKeyValueStore {
    /// Which store this is (in its ARN).
    pub number: u32,
    /// When it is READY (it is PROVISIONING before).
    pub ready_at: Timestamp,
    /// Its control-plane ETag (`DescribeKeyValueStore`), for the delete.
    pub etag: String,
}

#[derive(Clone, Debug)]
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

/// The function's ETag as the snapshot has it must be the function's own: else a stale ETag.
fn check_function_etag(action: &'static str, snapshot: &Snapshot, function: &SimFunction) -> Result<(), RouterError> {
    match snapshot.function_etag.as_deref() {
        None => Err(other(action, "the function's ETag is unknown; run the command again")),
        Some(etag) if etag != function.etag => Err(failed(action)(BackendError::PreconditionFailed)),
        Some(_) => Ok(()),
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

    /// Look at the store until it is READY, a bounded number of times.
    async fn wait_for_store(&self, name: &str, snapshot: &mut Snapshot) -> Result<Vec<String>, RouterError> {
        for _ in 0..POLLS {
            self.call(Call::Read).await.map_err(failed("DescribeKeyValueStore"))?;
            let now = self.clock.now();
            let store = self.world().router_parts().store.clone();
            let Some(store) = store else {
                return Err(other(
                    "DescribeKeyValueStore",
                    format!("KeyValueStore {name} is gone; run `cutover router install` again"),
                ));
            };
            snapshot.store_etag = Some(store.etag.clone());
            snapshot.found.store = Some(self.found_store(&store, now));
            if now >= store.ready_at {
                return Ok(vec![format!("KeyValueStore {name} is READY")]);
            }
            self.clock.sleep(POLL_EVERY).await;
        }
        Err(other(
            "DescribeKeyValueStore",
            format!("KeyValueStore {name} is still not READY; run install again in a minute, it carries on from there"),
        ))
    }

    /// The store's keys and their ETag (`DescribeKeyValueStore`, `ListKeys`).
    async fn list_keys(&self) -> Result<(String, std::collections::BTreeMap<String, String>), RouterError> {
        self.call(Call::Read).await.map_err(failed("ListKeys"))?;
        if let Some(error) = self.store_read_error() {
            return Err(failed("ListKeys")(error));
        }
        let world = self.world();
        Ok((world.store().etag().to_string(), world.store().items()))
    }

    // Long: as live — read, plan the writes, send them 50 keys a call, start over on a stale ETag,
    // then read the store back; split, the retry loop would lose what it needs to start over.
    /// A `WriteKeys` step: the writes planned against the keys as read, sent with `IfMatch`.
    async fn write_keys(
        &self,
        routes: &[String],
        removed: &[String],
        snapshot: &mut Snapshot,
    ) -> Result<StepDone, RouterError> {
        if self.world().router_parts().store.is_none() {
            return Err(other("UpdateKeys", "the store does not exist yet; run install again"));
        }
        let mut lines = Vec::new();
        for conflicts in 0.. {
            let (mut etag, items) = self.list_keys().await?;
            let writes = key_writes(&items, routes, removed, &snapshot.found.origins)
                .map_err(|why| other("UpdateKeys", format!("{why}; nothing was written")))?;
            if writes.is_empty() {
                lines.push("the store already agrees".to_string());
                break;
            }
            let mut keys: Vec<(&String, Option<&String>)> = writes.puts.iter().map(|(k, v)| (k, Some(v))).collect();
            keys.extend(writes.deletes.iter().map(|k| (k, None)));
            let mut result = Ok(());
            for chunk in keys.chunks(KEYS_PER_UPDATE) {
                let puts: Vec<(String, String)> =
                    chunk.iter().filter_map(|(k, v)| v.map(|v| ((*k).clone(), v.clone()))).collect();
                let deletes: Vec<String> =
                    chunk.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| (*k).clone()).collect();
                let sent = match self.call(Call::StorePut).await {
                    Ok(()) => {
                        let now = self.clock.now();
                        self.world().update_store_keys(now, &puts, &deletes, &etag)
                    }
                    Err(error) => Err(error),
                };
                match sent {
                    Ok(next) => etag = next,
                    Err(error) => {
                        result = Err(error);
                        break;
                    }
                }
            }
            match result {
                Ok(()) => {
                    lines.push(format!("wrote {} key(s), deleted {}:", writes.puts.len(), writes.deletes.len()));
                    lines.extend(writes.lines.iter().map(|l| format!("  {l}")));
                    break;
                }
                Err(BackendError::PreconditionFailed) if conflicts < CONFLICT_RETRIES => {
                    lines.push("someone else wrote the store meanwhile: read again".to_string());
                }
                Err(BackendError::PreconditionFailed) => {
                    return Err(failed("UpdateKeys")(BackendError::TooManyConflicts(conflicts + 1)));
                }
                Err(error) => return Err(failed("UpdateKeys")(error)),
            }
        }
        let (etag, items) = self.list_keys().await?;
        let line = check_read_back(&items, routes)
            .map_err(|why| other("UpdateKeys", format!("read back: {why}; run install again")))?;
        snapshot.found.keys = Keys::Read { etag, items };
        lines.push(line);
        Ok(StepDone { lines, ..Default::default() })
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
            crate::backend::share::RecordRead::Readable(record) => {
                let key = match &record.sticky {
                    Some(Sticky::Header(name)) if name.eq_ignore_ascii_case(TEST_HEADER) => "1".to_string(),
                    Some(Sticky::Header(name)) if name.eq_ignore_ascii_case("host") => "example.com".to_string(),
                    _ => SAMPLE_IP.to_string(),
                };
                let chosen = if bucket(&key) < record.share { record.lambda.clone() } else { "home".to_string() };
                format!("share {} -> {chosen}", record.share)
            }
            crate::backend::share::RecordRead::Unreadable(_) => "unreadable -> home".to_string(),
            // `kvs.get` of a missing key throws: the function fails open.
            crate::backend::share::RecordRead::Missing => return "cutover-router: failed open".to_string(),
        };
        format!("cutover-router: route:{route} {read}")
    }

    /// `TestFunction` on the sample events, DEVELOPMENT stage: the routed one's log must show the
    /// record as the store holds it.
    async fn test_function(
        &self,
        name: &str,
        route: Option<&str>,
        snapshot: &Snapshot,
    ) -> Result<StepDone, RouterError> {
        self.call(Call::Router("TestFunction")).await.map_err(failed("TestFunction"))?;
        let function = self.world().router_parts().function.clone();
        let function =
            function.ok_or_else(|| other("TestFunction", format!("{name} does not exist; run install again")))?;
        check_function_etag("TestFunction", snapshot, &function)?;
        let mut lines = Vec::new();
        for n in 0..sample_events(route).len() {
            lines.push(format!(
                "sample event {}: run by the demo's CloudFront (it measures no compute utilization)",
                n + 1
            ));
            let Some(route) = route.filter(|_| n == 0) else { continue };
            let log = self.test_log(route);
            lines.push(format!("  log: {log}"));
            let (_, items) = self.list_keys().await?;
            let expected = expected_log(route, &items);
            if log != expected {
                return Err(other(
                    "TestFunction",
                    format!(
                        "the router did not read the store as written: for {} its logs should say {expected:?}; nothing was published, check the function's store association with `cutover router status`",
                        sample_uri(route)
                    ),
                ));
            }
            lines.push(format!("  the function read route:{route} and chose as its record says"));
        }
        Ok(StepDone { lines, ..Default::default() })
    }

    /// One `UpdateDistribution` through the world's control plane adding (or taking off) the
    /// router on `paths`, re-read after a stale ETag.
    async fn update_associations(
        &self,
        paths: &[String],
        add: bool,
        snapshot: &mut Snapshot,
    ) -> Result<StepDone, RouterError> {
        if add && snapshot.found.function.is_none() {
            return Err(other("UpdateDistribution", "the function's ARN is unknown; run install again"));
        }
        let id = self.distribution_id.clone();
        for _ in 0..=CONFLICT_RETRIES {
            let (mut config, etag) = self.get_config(&id).await.map_err(failed("GetDistributionConfig"))?;
            let mut changed = Vec::new();
            for path in paths {
                let behavior = config.behaviors.iter_mut().find(|b| &b.path_pattern == path).ok_or_else(|| {
                    other(
                        "UpdateDistribution",
                        format!("the distribution no longer has a behavior with path pattern {path}; nothing was written, look with `cutover router status`"),
                    )
                })?;
                if behavior.router != add {
                    behavior.router = add;
                    changed.push(path.clone());
                }
            }
            if changed.is_empty() {
                snapshot.found.behaviors = found_behaviors(&config, &id);
                return Ok(StepDone {
                    lines: vec!["every behavior was already as planned".into()],
                    ..Default::default()
                });
            }
            match self.update_config(&id, config.clone(), &etag).await {
                Ok(accepted) => {
                    snapshot.found.behaviors = found_behaviors(&config, &id);
                    let verb = if add { "added the router to" } else { "took the router off" };
                    return Ok(StepDone {
                        lines: vec![format!(
                            "{verb} {}; CloudFront is deploying it (the usual minutes; follow it with `cutover status`)",
                            changed.join(", ")
                        )],
                        etag_before: Some(etag),
                        etag_after: Some(accepted.etag),
                    });
                }
                Err(BackendError::PreconditionFailed) => continue,
                Err(error) => return Err(failed("UpdateDistribution")(error)),
            }
        }
        Err(failed("UpdateDistribution")(BackendError::TooManyConflicts(CONFLICT_RETRIES + 1)))
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

    // Long: one arm per kind of step, each a call on the world and what it teaches the snapshot,
    // as live; split up, the arms would only move the same lines apart.
    async fn carry_out(&self, step: &InstallStep, snapshot: &mut Snapshot) -> Result<StepDone, RouterError> {
        let id = self.distribution_id.clone();
        match step {
            InstallStep::CreateStore { name } => {
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
                snapshot.store_etag = Some(store.etag.clone());
                snapshot.found.store = Some(self.found_store(&store, now));
                let mut done = StepDone { lines: vec![format!("created KeyValueStore {name}")], ..Default::default() };
                done.lines.extend(self.wait_for_store(name, snapshot).await?);
                Ok(done)
            }
            InstallStep::WaitForStore { name } => {
                Ok(StepDone { lines: self.wait_for_store(name, snapshot).await?, ..Default::default() })
            }
            InstallStep::CreateFunction { name } => {
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
                let function =
                    SimFunction { development_code: ROUTER_JS.to_string(), live_code: None, store, etag: etag.clone() };
                parts.function = Some(function);
                let arn = router_arn(&id);
                snapshot.function_etag = Some(etag);
                snapshot.found.function = Some(FoundFunction {
                    arn: arn.clone(),
                    development_code: ROUTER_JS.to_string(),
                    live_code: None,
                    store_arns: store.map(|n| store_arn(&id, n)).into_iter().collect(),
                });
                Ok(StepDone {
                    lines: vec![format!("created CloudFront Function {name} ({arn})")],
                    ..Default::default()
                })
            }
            InstallStep::UpdateFunction { name, .. } => {
                self.call(Call::Router("UpdateFunction")).await.map_err(failed("UpdateFunction"))?;
                let mut world = self.world();
                let parts = world.router_parts_mut();
                let store = parts.store.as_ref().map(|s| s.number);
                if store.is_none() {
                    return Err(other("UpdateFunction", "the store does not exist yet; run install again"));
                }
                let etag = parts.new_etag();
                let function = parts
                    .function
                    .as_mut()
                    .ok_or_else(|| other("UpdateFunction", format!("{name} does not exist; run install again")))?;
                check_function_etag("UpdateFunction", snapshot, function)?;
                function.development_code = ROUTER_JS.to_string();
                function.store = store;
                function.etag = etag.clone();
                snapshot.function_etag = Some(etag);
                if let Some(f) = snapshot.found.function.as_mut() {
                    f.development_code = ROUTER_JS.to_string();
                    f.store_arns = store.map(|n| store_arn(&id, n)).into_iter().collect();
                }
                Ok(StepDone { lines: vec![format!("updated CloudFront Function {name}")], ..Default::default() })
            }
            InstallStep::WriteKeys { routes, removed, .. } => self.write_keys(routes, removed, snapshot).await,
            InstallStep::TestFunction { name, route } => self.test_function(name, route.as_deref(), snapshot).await,
            InstallStep::PublishFunction { name } => {
                self.call(Call::Router("PublishFunction")).await.map_err(failed("PublishFunction"))?;
                let mut world = self.world();
                let function = world
                    .router_parts_mut()
                    .function
                    .as_mut()
                    .ok_or_else(|| other("PublishFunction", format!("{name} does not exist; run install again")))?;
                check_function_etag("PublishFunction", snapshot, function)?;
                function.live_code = Some(function.development_code.clone());
                if let Some(f) = snapshot.found.function.as_mut() {
                    f.live_code = Some(f.development_code.clone());
                }
                Ok(StepDone {
                    lines: vec![format!("published {name}: LIVE runs the embedded router.js")],
                    ..Default::default()
                })
            }
            InstallStep::Associate { paths } => self.update_associations(paths, true, snapshot).await,
            InstallStep::Dissociate { paths } => self.update_associations(paths, false, snapshot).await,
            InstallStep::DeleteFunction { name } => {
                self.call(Call::Router("DeleteFunction")).await.map_err(failed("DeleteFunction"))?;
                let mut world = self.world();
                if world.config().0.behaviors.iter().any(|b| b.router) {
                    return Err(still_in_use("DeleteFunction", name));
                }
                let parts = world.router_parts_mut();
                let function = parts.function.as_ref().ok_or_else(|| {
                    other("DeleteFunction", format!("{name} does not exist; run `cutover router status`"))
                })?;
                check_function_etag("DeleteFunction", snapshot, function)?;
                parts.function = None;
                snapshot.found.function = None;
                Ok(StepDone { lines: vec![format!("deleted CloudFront Function {name}")], ..Default::default() })
            }
            InstallStep::DeleteStore { name } => {
                self.call(Call::Router("DeleteKeyValueStore")).await.map_err(failed("DeleteKeyValueStore"))?;
                let now = self.clock.now();
                let mut world = self.world();
                let parts = world.router_parts();
                let store = parts.store.as_ref().ok_or_else(|| {
                    other(
                        "DeleteKeyValueStore",
                        format!("KeyValueStore {name} does not exist; run `cutover router status`"),
                    )
                })?;
                if parts.function.as_ref().is_some_and(|f| f.store == Some(store.number)) {
                    return Err(still_in_use("DeleteKeyValueStore", name));
                }
                match snapshot.store_etag.as_deref() {
                    None => {
                        return Err(other(
                            "DeleteKeyValueStore",
                            format!("no ETag known for store {name}; run it again"),
                        ));
                    }
                    Some(etag) if etag != store.etag => {
                        return Err(failed("DeleteKeyValueStore")(BackendError::PreconditionFailed));
                    }
                    Some(_) => {}
                }
                world.delete_store(now);
                snapshot.found.store = None;
                Ok(StepDone { lines: vec![format!("deleted KeyValueStore {name}")], ..Default::default() })
            }
        }
    }
}
