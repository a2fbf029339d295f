//! How `cutover router` carries out one planned [`InstallStep`], written once over the calls it
//! makes ([`RouterCalls`]): AWS's CloudFront and KeyValueStore clients (`aws::router`) and the demo
//! world (`sim::router`) answer the same calls, and the step logic here — what a step checks in
//! the snapshot first, the waits, the retries on a stale ETag, the lines it prints, what it
//! teaches the snapshot for the next step — is the same for both. Where the two worlds differ on
//! purpose (the demo's function deletes without waiting for the rollout, its test runs on the world's
//! store at once), the difference sits in that side's call, said there.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::BackendError;
use super::router_pieces::{RouterError, Snapshot, StepDone, check_read_back};
use super::share::KEYS_PER_UPDATE;
use crate::router::install::{
    FoundBehavior, FoundFunction, FoundStore, InstallStep, KeyWrites, Keys, RecordState, key_writes, record_of,
};
use crate::router::{ROUTER_JS, RouteRecord, Sticky, bucket};

/// How many times an association update or a key write is re-read and re-sent after a stale ETag.
pub const CONFLICT_RETRIES: u32 = 3;

fn failed(action: &'static str) -> impl FnOnce(BackendError) -> RouterError {
    move |error| RouterError { action, error }
}

fn other(action: &'static str, message: impl Into<String>) -> RouterError {
    RouterError::other(action, message.into())
}

/// What one `TestFunction` call answered.
#[derive(Clone, Debug, Default)]
pub struct TestRun {
    /// The compute utilization CloudFront measured, `None` where nothing measures it (the demo).
    pub utilization: Option<String>,
    pub logs: Vec<String>,
}

/// One `UpdateKeys` call's keys: those put (key, value) and those deleted.
#[derive(Clone, Debug, Default)]
pub struct KeyUpdate {
    pub puts: Vec<(String, String)>,
    pub deletes: Vec<String>,
}

/// One sample viewer-request event for `TestFunction`.
#[derive(Clone, Copy, Debug)]
pub struct SampleEvent<'a> {
    /// The event, as JSON.
    pub json: &'a str,
    /// Its number, from 1.
    pub n: usize,
    /// The route it is for, when it is the routed one.
    pub routed: Option<&'a str>,
}

/// The calls a step makes, one per API call, on AWS or on the demo world. Each answers what the
/// call answered; the step logic ([`carry_out`]) decides what it means.
#[async_trait]
pub trait RouterCalls: Send + Sync {
    /// The distribution's config as `GetDistributionConfig` gives it.
    type Config: Clone + Send + Sync;

    /// How many looks at a store still provisioning before giving up.
    fn polls(&self) -> u32;
    /// How many times the routed sample event is tested before the store counts as not read.
    fn test_tries(&self) -> u32;
    /// The wait between two looks at a store, or two tests of the routed event.
    async fn pause(&self);

    /// `CreateKeyValueStore`: the store and its control-plane ETag.
    async fn create_store(&self, name: &str) -> Result<(FoundStore, Option<String>), RouterError>;
    /// `DescribeKeyValueStore`: the store (when the answer has one) and its ETag.
    async fn describe_store(&self, name: &str) -> Result<(Option<FoundStore>, Option<String>), RouterError>;
    /// `DeleteKeyValueStore` with `IfMatch`.
    async fn delete_store(&self, name: &str, etag: &str) -> Result<(), RouterError>;

    /// The store's data-plane ETag and every key (`DescribeKeyValueStore`, `ListKeys`).
    async fn list_keys(&self, store_arn: &str) -> Result<(String, BTreeMap<String, String>), RouterError>;
    /// One `UpdateKeys` call with `IfMatch`: the ETag it returned.
    async fn update_keys(&self, store_arn: &str, etag: &str, keys: &KeyUpdate) -> Result<String, BackendError>;

    /// `CreateFunction` with the embedded code and `store_arn` associated: its ARN and ETag.
    async fn create_function(&self, name: &str, store_arn: &str) -> Result<(String, Option<String>), RouterError>;
    /// `UpdateFunction` to the embedded code and `store_arn`, with `IfMatch`: the new ETag.
    async fn update_function(&self, name: &str, etag: &str, store_arn: &str) -> Result<Option<String>, RouterError>;
    /// `PublishFunction` with `IfMatch`: the ARN, when the answer says it.
    async fn publish_function(&self, name: &str, etag: &str) -> Result<Option<String>, RouterError>;
    /// `TestFunction` (DEVELOPMENT stage) on one sample event; a function error fails it.
    async fn test_function(&self, name: &str, etag: &str, event: SampleEvent<'_>) -> Result<TestRun, RouterError>;
    /// `DeleteFunction` with `IfMatch`.
    async fn delete_function(&self, name: &str, etag: &str) -> Result<(), RouterError>;

    /// `GetDistributionConfig`: the config and its ETag.
    async fn distribution_config(&self) -> Result<(Self::Config, String), RouterError>;
    /// Put the router (`arn`) on the behaviors at `paths`, in place: the paths changed, or why it
    /// cannot be done (nothing is sent then).
    fn add_router(&self, config: &mut Self::Config, paths: &[String], arn: &str) -> Result<Vec<String>, String>;
    /// Take the router off the behaviors at `paths`, in place: the paths changed, or why not.
    fn take_router_off(&self, config: &mut Self::Config, paths: &[String]) -> Result<Vec<String>, String>;
    /// Each behavior and its viewer-request function, as the planner reads them.
    fn behaviors_of(&self, config: &Self::Config) -> Vec<FoundBehavior>;
    /// `UpdateDistribution` with `IfMatch`: the new ETag.
    async fn update_distribution(&self, config: Self::Config, etag: &str) -> Result<Option<String>, BackendError>;
}

/// A step that says `lines` and changed no distribution.
fn step_lines(lines: Vec<String>) -> StepDone {
    StepDone { lines, ..Default::default() }
}

fn function_etag(action: &'static str, snapshot: &Snapshot) -> Result<String, RouterError> {
    snapshot.function_etag.clone().ok_or_else(|| other(action, "the function's ETag is unknown; run the command again"))
}

fn store_arn(action: &'static str, snapshot: &Snapshot) -> Result<String, RouterError> {
    snapshot
        .found
        .store
        .as_ref()
        .map(|s| s.arn.clone())
        .ok_or_else(|| other(action, "the store does not exist yet; run install again"))
}

// Long: one arm per kind of step, each a call and what it teaches the snapshot; split up, the
// arms would only move the same lines apart.
/// Carry out one step, keeping `snapshot` up to date for the next.
pub async fn carry_out<C: RouterCalls + ?Sized>(
    calls: &C,
    step: &InstallStep,
    snapshot: &mut Snapshot,
) -> Result<StepDone, RouterError> {
    match step {
        InstallStep::CreateStore { name } => {
            let (store, etag) = calls.create_store(name).await?;
            snapshot.store_etag = etag;
            snapshot.found.store = Some(store);
            let mut done = step_lines(vec![format!("created KeyValueStore {name}")]);
            done.lines.extend(wait_for_store(calls, name, snapshot).await?);
            Ok(done)
        }
        InstallStep::WaitForStore { name } => Ok(step_lines(wait_for_store(calls, name, snapshot).await?)),
        InstallStep::CreateFunction { name } => {
            let store = store_arn("CreateFunction", snapshot)?;
            let (arn, etag) = calls.create_function(name, &store).await?;
            snapshot.function_etag = etag;
            snapshot.found.function = Some(FoundFunction {
                arn: arn.clone(),
                development_code: ROUTER_JS.to_string(),
                live_code: None,
                store_arns: vec![store],
            });
            Ok(step_lines(vec![format!("created CloudFront Function {name} ({arn})")]))
        }
        InstallStep::UpdateFunction { name, .. } => {
            let etag = function_etag("UpdateFunction", snapshot)?;
            let store = store_arn("UpdateFunction", snapshot)?;
            snapshot.function_etag = calls.update_function(name, &etag, &store).await?;
            if let Some(f) = snapshot.found.function.as_mut() {
                f.development_code = ROUTER_JS.to_string();
                f.store_arns = vec![store];
            }
            Ok(step_lines(vec![format!("updated CloudFront Function {name}")]))
        }
        InstallStep::WriteKeys { routes, removed, .. } => write_keys(calls, routes, removed, snapshot).await,
        InstallStep::TestFunction { name, route } => test(calls, name, route.as_deref(), snapshot).await,
        InstallStep::PublishFunction { name } => {
            let etag = function_etag("PublishFunction", snapshot)?;
            let arn = calls.publish_function(name, &etag).await?;
            if let Some(f) = snapshot.found.function.as_mut() {
                f.live_code = Some(f.development_code.clone());
                if let Some(arn) = arn {
                    f.arn = arn;
                }
            }
            Ok(step_lines(vec![format!("published {name}: LIVE runs the embedded router.js")]))
        }
        InstallStep::Associate { paths } => update_associations(calls, paths, true, snapshot).await,
        InstallStep::Dissociate { paths } => update_associations(calls, paths, false, snapshot).await,
        InstallStep::DeleteFunction { name } => {
            let etag = function_etag("DeleteFunction", snapshot)?;
            calls.delete_function(name, &etag).await?;
            snapshot.found.function = None;
            Ok(step_lines(vec![format!("deleted CloudFront Function {name}")]))
        }
        InstallStep::DeleteStore { name } => {
            let etag = snapshot
                .store_etag
                .clone()
                .ok_or_else(|| other("DeleteKeyValueStore", format!("no ETag known for store {name}; run it again")))?;
            calls.delete_store(name, &etag).await?;
            snapshot.found.store = None;
            Ok(step_lines(vec![format!("deleted KeyValueStore {name}")]))
        }
    }
}

/// Look at the store until it is READY, a bounded number of times.
async fn wait_for_store<C: RouterCalls + ?Sized>(
    calls: &C,
    name: &str,
    snapshot: &mut Snapshot,
) -> Result<Vec<String>, RouterError> {
    for _ in 0..calls.polls() {
        let status = snapshot.found.store.as_ref().map(|s| s.status.clone()).unwrap_or_default();
        match status.as_str() {
            "READY" => return Ok(vec![format!("KeyValueStore {name} is READY")]),
            "FAILED" => {
                return Err(other(
                    "CreateKeyValueStore",
                    format!(
                        "KeyValueStore {name} FAILED to provision; run `cutover router remove --yes` and install again"
                    ),
                ));
            }
            _ => {}
        }
        calls.pause().await;
        let (store, etag) = calls.describe_store(name).await?;
        snapshot.store_etag = etag;
        if let Some(store) = store {
            snapshot.found.store = Some(store);
        }
    }
    if snapshot.found.store.as_ref().is_some_and(|s| s.status == "READY") {
        return Ok(vec![format!("KeyValueStore {name} is READY")]);
    }
    Err(other(
        "DescribeKeyValueStore",
        format!("KeyValueStore {name} is still not READY; run install again in a minute, it carries on from there"),
    ))
}

/// `writes` in `UpdateKeys` calls of at most [`KEYS_PER_UPDATE`] keys (puts first), each with the
/// ETag the last one returned.
async fn update_keys<C: RouterCalls + ?Sized>(
    calls: &C,
    store: &str,
    mut etag: String,
    writes: &KeyWrites,
) -> Result<(), BackendError> {
    let mut keys: Vec<(&String, Option<&String>)> = writes.puts.iter().map(|(k, v)| (k, Some(v))).collect();
    keys.extend(writes.deletes.iter().map(|k| (k, None)));
    for chunk in keys.chunks(KEYS_PER_UPDATE) {
        let keys = KeyUpdate {
            puts: chunk.iter().filter_map(|(k, v)| v.map(|v| ((*k).clone(), v.clone()))).collect(),
            deletes: chunk.iter().filter(|(_, v)| v.is_none()).map(|(k, _)| (*k).clone()).collect(),
        };
        etag = calls.update_keys(store, &etag, &keys).await?;
    }
    Ok(())
}

/// Carry out a `WriteKeys` step: read the keys, plan the writes against them, send them in
/// `UpdateKeys` calls of at most 50 keys with `IfMatch`, and on a stale ETag start over (at most
/// three times). Then read the store back: the index must list `routes` and each must have a
/// readable record.
async fn write_keys<C: RouterCalls + ?Sized>(
    calls: &C,
    routes: &[String],
    removed: &[String],
    snapshot: &mut Snapshot,
) -> Result<StepDone, RouterError> {
    let store = store_arn("UpdateKeys", snapshot)?;
    let mut lines = Vec::new();
    for conflicts in 0.. {
        let (etag, items) = calls.list_keys(&store).await?;
        let writes = key_writes(&items, routes, removed, &snapshot.found.origins)
            .map_err(|why| other("UpdateKeys", format!("{why}; nothing was written")))?;
        if writes.is_empty() {
            lines.push("the store already agrees".to_string());
            break;
        }
        match update_keys(calls, &store, etag, &writes).await {
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
    let (etag, items) = calls.list_keys(&store).await?;
    let line = check_read_back(&items, routes)
        .map_err(|why| other("UpdateKeys", format!("read back: {why}; run install again")))?;
    snapshot.found.keys = Keys::Read { etag, items };
    lines.push(line);
    Ok(StepDone { lines, ..Default::default() })
}

/// `TestFunction` on the sample events. The routed one is asked again (after each pause, at most
/// [`RouterCalls::test_tries`] times) while its logs do not show the record just written: the
/// store's writes take seconds to reach what the test reads.
async fn test<C: RouterCalls + ?Sized>(
    calls: &C,
    name: &str,
    route: Option<&str>,
    snapshot: &Snapshot,
) -> Result<StepDone, RouterError> {
    let etag = function_etag("TestFunction", snapshot)?;
    let most = calls.test_tries();
    let mut lines = Vec::new();
    for (n, event) in sample_events(route).iter().enumerate() {
        let routed = route.filter(|_| n == 0);
        let expected = routed.map(|route| expected_log(route, &snapshot.found.keys.items().unwrap_or_default()));
        let shows = |run: &TestRun| expected.as_ref().is_none_or(|e| run.logs.iter().any(|l| l.trim() == e));
        let mut tries = 0;
        let run = loop {
            tries += 1;
            let run = calls.test_function(name, &etag, SampleEvent { json: event, n: n + 1, routed }).await?;
            if shows(&run) || tries >= most {
                break run;
            }
            calls.pause().await;
        };
        lines.push(match &run.utilization {
            Some(utilization) => format!("sample event {}: compute utilization {utilization} %", n + 1),
            None => {
                format!("sample event {}: run by the demo's CloudFront (it measures no compute utilization)", n + 1)
            }
        });
        lines.extend(run.logs.iter().map(|log| format!("  log: {log}")));
        if let (Some(route), Some(expected)) = (routed, &expected) {
            if !shows(&run) {
                let asked = if most > 1 { format!(" (asked {tries} times)") } else { String::new() };
                return Err(other(
                    "TestFunction",
                    format!(
                        "the router did not read the store as written: for {} its logs should say {expected:?}{asked}; nothing was published, check the function's store association with `cutover router status`",
                        sample_uri(route)
                    ),
                ));
            }
            lines.push(format!("  the function read route:{route} and chose as its record says"));
        }
    }
    Ok(StepDone { lines, ..Default::default() })
}

/// One `UpdateDistribution` adding (or taking off) the router on `paths`, on the config as
/// fetched, re-read after a stale ETag.
async fn update_associations<C: RouterCalls + ?Sized>(
    calls: &C,
    paths: &[String],
    add: bool,
    snapshot: &mut Snapshot,
) -> Result<StepDone, RouterError> {
    let arn = snapshot.found.function.as_ref().map(|f| f.arn.clone()).unwrap_or_default();
    if add && arn.is_empty() {
        return Err(other("UpdateDistribution", "the function's ARN is unknown; run install again"));
    }
    for _ in 0..=CONFLICT_RETRIES {
        let (mut config, etag) = calls.distribution_config().await?;
        let changed = match add {
            true => calls.add_router(&mut config, paths, &arn),
            false => calls.take_router_off(&mut config, paths),
        };
        let changed = changed.map_err(|m| {
            other("UpdateDistribution", format!("{m}; nothing was written, look with `cutover router status`"))
        })?;
        if changed.is_empty() {
            snapshot.found.behaviors = calls.behaviors_of(&config);
            return Ok(step_lines(vec!["every behavior was already as planned".into()]));
        }
        match calls.update_distribution(config.clone(), &etag).await {
            Ok(etag_after) => {
                snapshot.found.behaviors = calls.behaviors_of(&config);
                let verb = if add { "added the router to" } else { "took the router off" };
                return Ok(StepDone {
                    lines: vec![format!(
                        "{verb} {}; CloudFront is deploying it (the usual minutes; follow it with `cutover status`)",
                        changed.join(", ")
                    )],
                    etag_before: Some(etag),
                    etag_after,
                });
            }
            Err(BackendError::PreconditionFailed) => continue,
            Err(error) => return Err(failed("UpdateDistribution")(error)),
        }
    }
    Err(failed("UpdateDistribution")(BackendError::TooManyConflicts(CONFLICT_RETRIES + 1)))
}

/// The header on which the function logs what it read and chose (`router.js`'s `TEST_HEADER`).
pub const TEST_HEADER: &str = "cutover-router-test";
/// The viewer IP of the sample events.
pub const SAMPLE_IP: &str = "198.51.100.7";

/// A path the behavior with path pattern `pattern` serves: `*` as `cutover-router-test`, `?` as `x`.
pub fn sample_uri(pattern: &str) -> String {
    let path = pattern.replace('*', "cutover-router-test").replace('?', "x");
    if path.starts_with('/') { path } else { format!("/{path}") }
}

/// Sample viewer-request events for `TestFunction`: with a routed behavior, first a request for a
/// path it serves carrying the test header; then one with a cookie, one with only the IP.
pub fn sample_events(route: Option<&str>) -> Vec<String> {
    let event = |uri: &str, cookies: serde_json::Value, test: bool| {
        let mut headers = serde_json::json!({"host": {"value": "example.com"}});
        if test {
            headers[TEST_HEADER] = serde_json::json!({"value": "1"});
        }
        serde_json::json!({
            "version": "1.0",
            "context": {"eventType": "viewer-request"},
            "viewer": {"ip": SAMPLE_IP},
            "request": {"method": "GET", "uri": uri, "querystring": {}, "headers": headers, "cookies": cookies},
        })
        .to_string()
    };
    let mut events = Vec::new();
    if let Some(route) = route {
        events.push(event(&sample_uri(route), serde_json::json!({}), true));
    }
    events.push(event("/api/cutover-router-test", serde_json::json!({"session": {"value": "abc"}}), false));
    events.push(event("/", serde_json::json!({}), false));
    events
}

/// The line the function logs for the routed sample event, given the store's keys: the record it
/// must have read and the origin that record gives the sample viewer.
pub fn expected_log(route: &str, items: &BTreeMap<String, String>) -> String {
    let read = match record_of(items, route) {
        RecordState::Read(record) => sample_choice(&record),
        RecordState::Missing | RecordState::Unreadable(_) => "unreadable -> home".to_string(),
    };
    format!("cutover-router: route:{route} {read}")
}

/// What the function logs it chose for the routed sample event's viewer under `record`: the share
/// and the origin the viewer's bucket falls in (the demo's test runs it, the live one expects it).
pub fn sample_choice(record: &RouteRecord) -> String {
    let key = match &record.sticky {
        Some(Sticky::Header(name)) if name.eq_ignore_ascii_case(TEST_HEADER) => "1".to_string(),
        Some(Sticky::Header(name)) if name.eq_ignore_ascii_case("host") => "example.com".to_string(),
        _ => SAMPLE_IP.to_string(),
    };
    let chosen = if bucket(&key) < record.share { record.lambda.clone() } else { "home".to_string() };
    format!("share {} -> {chosen}", record.share)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A store and a distribution answering as the test sets them: the first `stale` writes of
    /// each kind meet a stale ETag (someone else wrote first).
    #[derive(Default)]
    struct Fake {
        stale: Mutex<u32>,
        items: Mutex<BTreeMap<String, String>>,
        key_writes: Mutex<u32>,
        config_reads: Mutex<u32>,
    }

    impl Fake {
        fn stale_for(n: u32) -> Self {
            Fake { stale: Mutex::new(n), ..Default::default() }
        }

        /// Whether this write meets a stale ETag.
        fn stale(&self) -> bool {
            let mut stale = self.stale.lock().unwrap();
            let hit = *stale > 0;
            *stale = stale.saturating_sub(1);
            hit
        }
    }

    #[async_trait]
    impl RouterCalls for Fake {
        /// Each behavior's path and whether it runs the router.
        type Config = Vec<(String, bool)>;

        fn polls(&self) -> u32 {
            3
        }
        fn test_tries(&self) -> u32 {
            1
        }
        async fn pause(&self) {}
        async fn create_store(&self, _: &str) -> Result<(FoundStore, Option<String>), RouterError> {
            unreachable!("these tests create no store")
        }
        async fn describe_store(&self, _: &str) -> Result<(Option<FoundStore>, Option<String>), RouterError> {
            unreachable!("these tests wait for no store")
        }
        async fn delete_store(&self, _: &str, _: &str) -> Result<(), RouterError> {
            unreachable!("these tests delete no store")
        }
        async fn list_keys(&self, _: &str) -> Result<(String, BTreeMap<String, String>), RouterError> {
            Ok(("E1".into(), self.items.lock().unwrap().clone()))
        }
        async fn update_keys(&self, _: &str, _: &str, keys: &KeyUpdate) -> Result<String, BackendError> {
            *self.key_writes.lock().unwrap() += 1;
            if self.stale() {
                return Err(BackendError::PreconditionFailed);
            }
            let mut items = self.items.lock().unwrap();
            items.extend(keys.puts.iter().cloned());
            keys.deletes.iter().for_each(|k| drop(items.remove(k)));
            Ok("E2".into())
        }
        async fn create_function(&self, _: &str, _: &str) -> Result<(String, Option<String>), RouterError> {
            unreachable!("these tests create no function")
        }
        async fn update_function(&self, _: &str, _: &str, _: &str) -> Result<Option<String>, RouterError> {
            unreachable!("these tests update no function")
        }
        async fn publish_function(&self, _: &str, _: &str) -> Result<Option<String>, RouterError> {
            unreachable!("these tests publish no function")
        }
        async fn test_function(&self, _: &str, _: &str, _: SampleEvent<'_>) -> Result<TestRun, RouterError> {
            unreachable!("these tests test no function")
        }
        async fn delete_function(&self, _: &str, _: &str) -> Result<(), RouterError> {
            unreachable!("these tests delete no function")
        }
        async fn distribution_config(&self) -> Result<(Self::Config, String), RouterError> {
            *self.config_reads.lock().unwrap() += 1;
            Ok((vec![("/api/*".into(), false), ("*".into(), false)], "E7".into()))
        }
        fn add_router(&self, config: &mut Self::Config, paths: &[String], _: &str) -> Result<Vec<String>, String> {
            let changed: Vec<String> =
                config.iter().filter(|(p, on)| paths.contains(p) && !on).map(|(p, _)| p.clone()).collect();
            config.iter_mut().filter(|(p, _)| paths.contains(p)).for_each(|(_, on)| *on = true);
            Ok(changed)
        }
        fn take_router_off(&self, _: &mut Self::Config, _: &[String]) -> Result<Vec<String>, String> {
            unreachable!("these tests only add the router")
        }
        fn behaviors_of(&self, config: &Self::Config) -> Vec<FoundBehavior> {
            let arn = |on: bool| on.then(|| "arn:router".to_string());
            config.iter().map(|(p, on)| FoundBehavior { path: p.clone(), viewer_request: arn(*on) }).collect()
        }
        async fn update_distribution(&self, _: Self::Config, _: &str) -> Result<Option<String>, BackendError> {
            match self.stale() {
                true => Err(BackendError::PreconditionFailed),
                false => Ok(Some("E8".into())),
            }
        }
    }

    fn with_store() -> Snapshot {
        let mut snapshot = Snapshot::default();
        snapshot.found.store = Some(FoundStore { arn: "arn:store".into(), status: "READY".into() });
        snapshot
    }

    fn write_keys() -> InstallStep {
        InstallStep::WriteKeys { name: "s".into(), routes: vec![], removed: vec![] }
    }

    #[tokio::test]
    async fn a_key_write_that_meets_a_stale_etag_reads_again_and_writes_then_reads_back() {
        let fake = Fake::stale_for(1);
        let mut snapshot = with_store();
        let done = carry_out(&fake, &write_keys(), &mut snapshot).await.unwrap();
        assert_eq!(done.lines[0], "someone else wrote the store meanwhile: read again");
        assert!(done.lines[1].starts_with("wrote 1 key(s), deleted 0"), "{:?}", done.lines);
        assert!(done.lines.last().unwrap().starts_with("read back: the index lists nothing"), "{:?}", done.lines);
        assert_eq!(*fake.key_writes.lock().unwrap(), 2);
        assert!(matches!(snapshot.found.keys, Keys::Read { .. }), "the snapshot holds the keys read back");
    }

    #[tokio::test]
    async fn a_key_write_stale_every_time_gives_up_after_four_tries() {
        let fake = Fake::stale_for(u32::MAX);
        let error = carry_out(&fake, &write_keys(), &mut with_store()).await.unwrap_err();
        assert_eq!((error.action, error.error), ("UpdateKeys", BackendError::TooManyConflicts(4)));
        assert_eq!(*fake.key_writes.lock().unwrap(), 4);
    }

    #[tokio::test]
    async fn an_association_update_rereads_the_config_after_a_stale_etag_and_gives_up_after_four() {
        let mut snapshot = with_store();
        snapshot.found.function = Some(FoundFunction {
            arn: "arn:router".into(),
            development_code: ROUTER_JS.into(),
            live_code: None,
            store_arns: vec![],
        });
        let step = InstallStep::Associate { paths: vec!["/api/*".into()] };
        let fake = Fake::stale_for(2);
        let done = carry_out(&fake, &step, &mut snapshot).await.unwrap();
        assert!(done.lines[0].starts_with("added the router to /api/*"), "{:?}", done.lines);
        assert_eq!((done.etag_before.as_deref(), done.etag_after.as_deref()), (Some("E7"), Some("E8")));
        assert_eq!(*fake.config_reads.lock().unwrap(), 3);
        assert_eq!(snapshot.found.behaviors[0].viewer_request.as_deref(), Some("arn:router"));
        let fake = Fake::stale_for(u32::MAX);
        let error = carry_out(&fake, &step, &mut snapshot).await.unwrap_err();
        assert_eq!((error.action, error.error), ("UpdateDistribution", BackendError::TooManyConflicts(4)));
        assert_eq!(*fake.config_reads.lock().unwrap(), 4);
    }

    #[test]
    fn the_sample_events_are_json_viewer_requests() {
        assert_eq!(sample_events(None).len(), 2);
        let events = sample_events(Some("api/orders*"));
        let routed: serde_json::Value = serde_json::from_str(&events[0]).unwrap();
        assert_eq!(routed["request"]["uri"], "/api/orderscutover-router-test");
        assert_eq!(routed["request"]["headers"][TEST_HEADER]["value"], "1");
        for event in events {
            let value: serde_json::Value = serde_json::from_str(&event).unwrap();
            assert_eq!(value["context"]["eventType"], "viewer-request");
            assert!(value["request"]["uri"].as_str().unwrap().starts_with('/'));
        }
    }
}
