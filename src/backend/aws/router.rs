//! The router's pieces in the account, over the CloudFront client: reading what exists (the
//! KeyValueStore, the function and its code in both stages, each behavior's viewer-request
//! function) into a [`Found`], and making the calls of each planned [`InstallStep`]
//! ([`RouterCalls`]; the steps themselves are `backend::router_steps`'s). The association update
//! changes the fetched `DistributionConfig` in place and sends it back with `IfMatch`, as a switch
//! does. The store's keys (the index and the `route:` records) are read and written over the
//! KeyValueStore data plane: `ListKeys`, and `UpdateKeys` with `IfMatch`.
//! `RouterControl` is the real world's [`RouterPieces`] (`backend::router_pieces`).

use std::time::Duration;

use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::primitives::Blob;
use aws_sdk_cloudfront::types::{
    DistributionConfig, EventType, FunctionAssociation, FunctionAssociations, FunctionConfig, FunctionRuntime,
    FunctionStage, KeyValueStoreAssociation, KeyValueStoreAssociations,
};

use std::collections::BTreeMap;

use aws_sdk_cloudfrontkeyvaluestore::types::{DeleteKeyRequestListItem, PutKeyRequestListItem};

use super::control_plane::routes_of;
use super::errors::from_sdk;
use super::share_store::is_stale_etag;
use crate::backend::BackendError;
pub use crate::backend::router_pieces::{RouterError, Snapshot, StepDone};
use crate::backend::router_pieces::{RouterPieces, still_in_use};
use crate::backend::router_steps::{self, KeyUpdate, RouterCalls, SampleEvent, TestRun};
use crate::router::ROUTER_JS;
use crate::router::install::{
    DEFAULT_PATH, FoundBehavior, FoundFunction, FoundStore, InstallStep, Keys, function_name, is_router_arn, store_name,
};

/// How many times the routed sample event is tested before the install gives up on the store.
const STORE_TEST_TRIES: u32 = 10;

fn failed(action: &'static str) -> impl FnOnce(BackendError) -> RouterError {
    move |error| RouterError { action, error }
}

fn other(action: &'static str, message: String) -> RouterError {
    RouterError::other(action, message)
}

/// A failed delete: "in use" while CloudFront still deploys the update that took the function off
/// (or, for the store, while the function still holds it) says when to try again.
fn deleting<E>(action: &'static str, name: &str, err: SdkError<E, HttpResponse>) -> RouterError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if matches!(err.code(), Some("FunctionInUse" | "CannotDeleteEntityWhileInUse" | "EntityInUse")) {
        return still_in_use(action, name);
    }
    failed(action)(from_sdk(action, err))
}

/// The router's pieces for one distribution.
#[derive(Clone, Debug)]
pub struct RouterControl {
    client: aws_sdk_cloudfront::Client,
    /// The store's data plane, for its keys; without it they count as unreadable.
    key_value_store: Option<aws_sdk_cloudfrontkeyvaluestore::Client>,
    distribution_id: String,
    /// Between two looks at a store still provisioning.
    pub poll_every: Duration,
    /// How many looks before giving up on a store that never gets READY.
    pub polls: u32,
}

/// A 404 (no such store, no such function, not published) as `None`, other failures as `action`'s.
fn absent<T, E>(action: &'static str, result: Result<T, SdkError<E, HttpResponse>>) -> Result<Option<T>, RouterError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(SdkError::ServiceError(e)) if e.raw().status().as_u16() == 404 => Ok(None),
        Err(e) => Err(failed(action)(from_sdk(action, e))),
    }
}

fn text_of(code: Option<&Blob>) -> String {
    code.map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()).unwrap_or_default()
}

/// The behaviors of a config as the planner sees them, default last as `*`.
pub fn behaviors_of(config: &DistributionConfig) -> Vec<FoundBehavior> {
    let viewer_request = |a: Option<&FunctionAssociations>| {
        a.and_then(|a| a.items.as_deref())
            .unwrap_or_default()
            .iter()
            .find(|f| f.event_type == EventType::ViewerRequest)
            .map(|f| f.function_arn.clone())
    };
    let mut found: Vec<FoundBehavior> = config
        .cache_behaviors()
        .and_then(|b| b.items.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|b| FoundBehavior {
            path: b.path_pattern.clone(),
            viewer_request: viewer_request(b.function_associations.as_ref()),
        })
        .collect();
    if let Some(default) = config.default_cache_behavior() {
        found.push(FoundBehavior {
            path: DEFAULT_PATH.to_string(),
            viewer_request: viewer_request(default.function_associations.as_ref()),
        });
    }
    found
}

/// The function associations of the behavior at `path`, in place in the fetched config.
fn associations_mut<'a>(
    config: &'a mut DistributionConfig,
    path: &str,
) -> Option<&'a mut Option<FunctionAssociations>> {
    if path == DEFAULT_PATH {
        return config.default_cache_behavior.as_mut().map(|d| &mut d.function_associations);
    }
    config
        .cache_behaviors
        .as_mut()
        .and_then(|b| b.items.as_mut())
        .and_then(|items| items.iter_mut().find(|b| b.path_pattern == path))
        .map(|b| &mut b.function_associations)
}

/// Add `arn` as the viewer-request function of the behaviors at `paths`, in place. Fails, changing
/// nothing that matters (the config is then dropped), when one has someone else's function.
pub fn associate(
    config: &mut DistributionConfig,
    paths: &[String],
    arn: &str,
    distribution_id: &str,
) -> Result<Vec<String>, String> {
    let mut changed = Vec::new();
    for path in paths {
        let slot = associations_mut(config, path)
            .ok_or_else(|| format!("the distribution no longer has a behavior with path pattern {path}"))?;
        let list =
            slot.get_or_insert_with(|| FunctionAssociations::builder().quantity(0).build().expect("quantity is set"));
        let items = list.items.get_or_insert_with(Vec::new);
        match items.iter().find(|f| f.event_type == EventType::ViewerRequest) {
            Some(f) if is_router_arn(&f.function_arn, distribution_id) => continue,
            Some(f) => {
                return Err(format!(
                    "{path} now has a viewer-request function ({}) and CloudFront allows one per event type",
                    f.function_arn
                ));
            }
            None => {}
        }
        items.push(
            FunctionAssociation::builder()
                .function_arn(arn)
                .event_type(EventType::ViewerRequest)
                .build()
                .expect("both fields are set"),
        );
        list.quantity = items.len() as i32;
        changed.push(path.clone());
    }
    Ok(changed)
}

/// Take the router's association off the behaviors at `paths`, in place; others' stay.
pub fn dissociate(config: &mut DistributionConfig, paths: &[String], distribution_id: &str) -> Vec<String> {
    let mut changed = Vec::new();
    for path in paths {
        let Some(Some(list)) = associations_mut(config, path) else { continue };
        let Some(items) = list.items.as_mut() else { continue };
        let before = items.len();
        items
            .retain(|f| !(f.event_type == EventType::ViewerRequest && is_router_arn(&f.function_arn, distribution_id)));
        if items.len() != before {
            list.quantity = items.len() as i32;
            if items.is_empty() {
                // As CloudFront sends a behavior without functions: a quantity of 0 and no items.
                list.items = None;
            }
            changed.push(path.clone());
        }
    }
    changed
}

/// One readable error for a data-plane call: a stale ETag is `PreconditionFailed`.
fn kvs_error<E>(operation: &str, err: SdkError<E, HttpResponse>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let (code, message) = (service.err().code().unwrap_or(""), service.err().message().unwrap_or(""));
        if is_stale_etag(code, message, service.raw().status().as_u16()) {
            return BackendError::PreconditionFailed;
        }
    }
    from_sdk(operation, err)
}

impl RouterControl {
    pub fn new(client: aws_sdk_cloudfront::Client, distribution_id: &str) -> Self {
        RouterControl {
            client,
            key_value_store: None,
            distribution_id: distribution_id.to_string(),
            poll_every: Duration::from_secs(2),
            polls: 60,
        }
    }

    /// With the store's data plane, so that the index and the records are read and written.
    pub fn with_key_value_store(mut self, client: aws_sdk_cloudfrontkeyvaluestore::Client) -> Self {
        self.key_value_store = Some(client);
        self
    }

    pub fn distribution_id(&self) -> &str {
        &self.distribution_id
    }

    /// The store's keys: `Absent` without a READY store, `Unreadable` (why) when the data plane
    /// fails.
    pub async fn keys(&self, store: Option<&FoundStore>) -> Keys {
        let Some(store) = store.filter(|s| s.status == "READY") else { return Keys::Absent };
        match self.list_keys(&store.arn).await {
            Ok((etag, items)) => Keys::Read { etag, items },
            Err(error) => Keys::Unreadable(error.to_string()),
        }
    }

    fn data_plane(&self, action: &'static str) -> Result<&aws_sdk_cloudfrontkeyvaluestore::Client, RouterError> {
        self.key_value_store
            .as_ref()
            .ok_or_else(|| other(action, "no KeyValueStore data-plane client; report it".into()))
    }

    /// The store's ETag (`DescribeKeyValueStore` on the data plane), then every key (`ListKeys`).
    async fn list_keys(&self, arn: &str) -> Result<(String, BTreeMap<String, String>), RouterError> {
        let client = self.data_plane("ListKeys")?;
        let described = client
            .describe_key_value_store()
            .kvs_arn(arn)
            .send()
            .await
            .map_err(|e| failed("DescribeKeyValueStore")(kvs_error("DescribeKeyValueStore", e)))?;
        let etag = described.e_tag().to_string();
        let mut items = BTreeMap::new();
        let mut token: Option<String> = None;
        for _ in 0..1000 {
            let page = client
                .list_keys()
                .kvs_arn(arn)
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| failed("ListKeys")(kvs_error("ListKeys", e)))?;
            for item in page.items() {
                items.insert(item.key().to_string(), item.value().to_string());
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                Some(_) => {
                    return Err(other("ListKeys", "ListKeys handed back the token it was given; run it again".into()));
                }
                None => return Ok((etag, items)),
            }
        }
        Err(other("ListKeys", "ListKeys did not end after 1000 pages; run it again".into()))
    }

    /// What exists: the store, the function (both stages' code), the behaviors' viewer-request
    /// functions.
    pub async fn read(&self) -> Result<Snapshot, RouterError> {
        let mut snapshot = Snapshot::default();
        (snapshot.found.store, snapshot.store_etag) = self.store().await?;
        let name = function_name(&self.distribution_id);
        let described = absent(
            "DescribeFunction",
            self.client.describe_function().name(&name).stage(FunctionStage::Development).send().await,
        )?;
        if let Some(out) = described {
            snapshot.function_etag = out.e_tag.clone();
            let summary = out.function_summary.as_ref();
            let arn =
                summary.and_then(|s| s.function_metadata.as_ref()).map(|m| m.function_arn.clone()).unwrap_or_default();
            let store_arns = summary
                .and_then(|s| s.function_config.as_ref())
                .and_then(|c| c.key_value_store_associations.as_ref())
                .and_then(|a| a.items.as_deref())
                .unwrap_or_default()
                .iter()
                .map(|a| a.key_value_store_arn.clone())
                .collect();
            let development = self.code(&name, FunctionStage::Development).await?;
            let live = self.code(&name, FunctionStage::Live).await?;
            snapshot.found.function = Some(FoundFunction {
                arn,
                development_code: development.unwrap_or_default(),
                live_code: live,
                store_arns,
            });
        }
        snapshot.found.keys = self.keys(snapshot.found.store.as_ref()).await;
        // The distribution with its status: an association counts once it is deployed.
        let out = self
            .client
            .get_distribution()
            .id(&self.distribution_id)
            .send()
            .await
            .map_err(|e| failed("GetDistribution")(from_sdk("GetDistribution", e)))?;
        let distribution = out
            .distribution
            .ok_or_else(|| other("GetDistribution", "GetDistribution returned no distribution".into()))?;
        snapshot.found.deploying = (distribution.status != "Deployed").then(|| distribution.status.clone());
        let config = distribution
            .distribution_config
            .ok_or_else(|| other("GetDistribution", "GetDistribution returned no config".into()))?;
        snapshot.found.behaviors = behaviors_of(&config);
        snapshot.routes = routes_of(&config);
        Ok(snapshot)
    }

    /// The router's store by its derived name (one `DescribeKeyValueStore` on the control plane):
    /// the store (`None` when there is none) and its control-plane ETag.
    pub async fn store(&self) -> Result<(Option<FoundStore>, Option<String>), RouterError> {
        let described = absent(
            "DescribeKeyValueStore",
            self.client.describe_key_value_store().name(store_name(&self.distribution_id)).send().await,
        )?;
        let Some(out) = described else { return Ok((None, None)) };
        let store = out
            .key_value_store
            .map(|s| FoundStore { arn: s.arn, status: s.status.unwrap_or_else(|| "UNKNOWN".into()) });
        Ok((store, out.e_tag))
    }

    async fn code(&self, name: &str, stage: FunctionStage) -> Result<Option<String>, RouterError> {
        let out = absent("GetFunction", self.client.get_function().name(name).stage(stage).send().await)?;
        Ok(out.map(|o| text_of(o.function_code.as_ref())))
    }

    async fn distribution_config(&self) -> Result<(DistributionConfig, String), RouterError> {
        let out = self
            .client
            .get_distribution_config()
            .id(&self.distribution_id)
            .send()
            .await
            .map_err(|e| failed("GetDistributionConfig")(from_sdk("GetDistributionConfig", e)))?;
        let etag = out.e_tag.unwrap_or_default();
        let config = out
            .distribution_config
            .ok_or_else(|| other("GetDistributionConfig", "GetDistributionConfig returned no config".into()))?;
        Ok((config, etag))
    }

    /// Carry out one step, keeping `snapshot` up to date for the next (`backend::router_steps`).
    pub async fn carry_out(&self, step: &InstallStep, snapshot: &mut Snapshot) -> Result<StepDone, RouterError> {
        router_steps::carry_out(self, step, snapshot).await
    }

    fn function_config(&self, store_arn: &str) -> FunctionConfig {
        let association =
            KeyValueStoreAssociation::builder().key_value_store_arn(store_arn).build().expect("the ARN is set");
        let associations =
            KeyValueStoreAssociations::builder().quantity(1).items(association).build().expect("the quantity is set");
        FunctionConfig::builder()
            .comment(format!("cutover router for distribution {}", self.distribution_id))
            .runtime(FunctionRuntime::CloudfrontJs20)
            .key_value_store_associations(associations)
            .build()
            .expect("comment and runtime are set")
    }
}

/// The calls of each step, over the CloudFront control plane and the KeyValueStore data plane.
#[async_trait::async_trait]
impl RouterCalls for RouterControl {
    type Config = DistributionConfig;

    fn polls(&self) -> u32 {
        self.polls
    }

    fn test_tries(&self) -> u32 {
        STORE_TEST_TRIES
    }

    async fn pause(&self) {
        tokio::time::sleep(self.poll_every).await;
    }

    async fn create_store(&self, name: &str) -> Result<(FoundStore, Option<String>), RouterError> {
        let out = self
            .client
            .create_key_value_store()
            .name(name)
            .comment(format!("cutover router store for distribution {}", self.distribution_id))
            .send()
            .await
            .map_err(|e| failed("CreateKeyValueStore")(from_sdk("CreateKeyValueStore", e)))?;
        let store = out
            .key_value_store
            .ok_or_else(|| other("CreateKeyValueStore", "CreateKeyValueStore returned no store".into()))?;
        Ok((FoundStore { arn: store.arn, status: store.status.unwrap_or_default() }, out.e_tag))
    }

    async fn describe_store(&self, name: &str) -> Result<(Option<FoundStore>, Option<String>), RouterError> {
        let out = self
            .client
            .describe_key_value_store()
            .name(name)
            .send()
            .await
            .map_err(|e| failed("DescribeKeyValueStore")(from_sdk("DescribeKeyValueStore", e)))?;
        let store = out.key_value_store.map(|s| FoundStore { arn: s.arn, status: s.status.unwrap_or_default() });
        Ok((store, out.e_tag))
    }

    async fn delete_store(&self, name: &str, etag: &str) -> Result<(), RouterError> {
        self.client
            .delete_key_value_store()
            .name(name)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| deleting("DeleteKeyValueStore", name, e))?;
        Ok(())
    }

    async fn list_keys(&self, store_arn: &str) -> Result<(String, BTreeMap<String, String>), RouterError> {
        RouterControl::list_keys(self, store_arn).await
    }

    async fn update_keys(&self, store_arn: &str, etag: &str, keys: &KeyUpdate) -> Result<String, BackendError> {
        let client = self.data_plane("UpdateKeys").map_err(|e| e.error)?;
        let puts: Vec<PutKeyRequestListItem> = keys
            .puts
            .iter()
            .map(|(k, v)| PutKeyRequestListItem::builder().key(k).value(v).build().expect("set"))
            .collect();
        let deletes: Vec<DeleteKeyRequestListItem> = keys
            .deletes
            .iter()
            .map(|k| DeleteKeyRequestListItem::builder().key(k).build().expect("the key is set"))
            .collect();
        let out = client
            .update_keys()
            .kvs_arn(store_arn)
            .if_match(etag)
            .set_puts((!puts.is_empty()).then_some(puts))
            .set_deletes((!deletes.is_empty()).then_some(deletes))
            .send()
            .await
            .map_err(|e| kvs_error("UpdateKeys", e))?;
        Ok(out.e_tag().to_string())
    }

    async fn create_function(&self, name: &str, store_arn: &str) -> Result<(String, Option<String>), RouterError> {
        let out = self
            .client
            .create_function()
            .name(name)
            .function_config(self.function_config(store_arn))
            .function_code(Blob::new(ROUTER_JS.as_bytes()))
            .send()
            .await
            .map_err(|e| failed("CreateFunction")(from_sdk("CreateFunction", e)))?;
        let arn = out.function_summary.and_then(|s| s.function_metadata).map(|m| m.function_arn).unwrap_or_default();
        Ok((arn, out.e_tag))
    }

    async fn update_function(&self, name: &str, etag: &str, store_arn: &str) -> Result<Option<String>, RouterError> {
        let out = self
            .client
            .update_function()
            .name(name)
            .if_match(etag)
            .function_config(self.function_config(store_arn))
            .function_code(Blob::new(ROUTER_JS.as_bytes()))
            .send()
            .await
            .map_err(|e| failed("UpdateFunction")(from_sdk("UpdateFunction", e)))?;
        Ok(out.e_tag)
    }

    async fn publish_function(&self, name: &str, etag: &str) -> Result<Option<String>, RouterError> {
        let out = self
            .client
            .publish_function()
            .name(name)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| failed("PublishFunction")(from_sdk("PublishFunction", e)))?;
        Ok(out.function_summary.and_then(|s| s.function_metadata).map(|m| m.function_arn))
    }

    /// One `TestFunction` call; a function error stops the install.
    async fn test_function(&self, name: &str, etag: &str, event: SampleEvent<'_>) -> Result<TestRun, RouterError> {
        let n = event.n;
        let out = self
            .client
            .test_function()
            .name(name)
            .if_match(etag)
            .stage(FunctionStage::Development)
            .event_object(Blob::new(event.json.as_bytes()))
            .send()
            .await
            .map_err(|e| failed("TestFunction")(from_sdk("TestFunction", e)))?;
        let Some(result) = out.test_result else {
            return Err(other("TestFunction", "TestFunction returned no result; run install again".into()));
        };
        if let Some(error) = result.function_error_message().filter(|m| !m.is_empty()) {
            return Err(other(
                "TestFunction",
                format!(
                    "the router failed on sample event {n} ({error}); nothing was published: report it with the cutover version"
                ),
            ));
        }
        Ok(TestRun {
            utilization: Some(result.compute_utilization().unwrap_or("?").to_string()),
            logs: result.function_execution_logs().to_vec(),
        })
    }

    /// CloudFront refuses while it still deploys the update that took the function off.
    async fn delete_function(&self, name: &str, etag: &str) -> Result<(), RouterError> {
        self.client
            .delete_function()
            .name(name)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| deleting("DeleteFunction", name, e))?;
        Ok(())
    }

    async fn distribution_config(&self) -> Result<(DistributionConfig, String), RouterError> {
        RouterControl::distribution_config(self).await
    }

    fn add_router(&self, config: &mut DistributionConfig, paths: &[String], arn: &str) -> Result<Vec<String>, String> {
        associate(config, paths, arn, &self.distribution_id)
    }

    /// A path the config no longer has is skipped: the router is off it already.
    fn take_router_off(&self, config: &mut DistributionConfig, paths: &[String]) -> Result<Vec<String>, String> {
        Ok(dissociate(config, paths, &self.distribution_id))
    }

    fn behaviors_of(&self, config: &DistributionConfig) -> Vec<FoundBehavior> {
        behaviors_of(config)
    }

    async fn update_distribution(
        &self,
        config: DistributionConfig,
        etag: &str,
    ) -> Result<Option<String>, BackendError> {
        let out = self
            .client
            .update_distribution()
            .id(&self.distribution_id)
            .if_match(etag)
            .distribution_config(config)
            .send()
            .await
            .map_err(|e| from_sdk("UpdateDistribution", e))?;
        Ok(out.e_tag)
    }
}

#[async_trait::async_trait]
impl RouterPieces for RouterControl {
    fn distribution_id(&self) -> &str {
        RouterControl::distribution_id(self)
    }

    async fn read(&self) -> Result<Snapshot, RouterError> {
        RouterControl::read(self).await
    }

    async fn carry_out(&self, step: &InstallStep, snapshot: &mut Snapshot) -> Result<StepDone, RouterError> {
        RouterControl::carry_out(self, step, snapshot).await
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudfront::types::{CacheBehavior, CacheBehaviors, DefaultCacheBehavior, ViewerProtocolPolicy};

    use super::*;

    const ID: &str = "E1";

    fn behavior(path: &str, functions: Option<FunctionAssociations>) -> CacheBehavior {
        let mut b = CacheBehavior::builder()
            .path_pattern(path)
            .target_origin_id("o")
            .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
            .build()
            .unwrap();
        b.function_associations = functions;
        b
    }

    fn functions(arns: &[(&str, EventType)]) -> FunctionAssociations {
        let mut list = FunctionAssociations::builder().quantity(arns.len() as i32).build().unwrap();
        list.items = Some(
            arns.iter()
                .map(|(a, e)| FunctionAssociation::builder().function_arn(*a).event_type(e.clone()).build().unwrap())
                .collect(),
        );
        list
    }

    fn config() -> DistributionConfig {
        let behaviors = vec![
            behavior("/a/*", None),
            behavior("/b/*", Some(functions(&[("arn:aws:cloudfront::1:function/resp", EventType::ViewerResponse)]))),
            behavior("/c/*", Some(functions(&[("arn:aws:cloudfront::1:function/auth", EventType::ViewerRequest)]))),
        ];
        let mut c = DistributionConfig::builder()
            .caller_reference("r")
            .comment("")
            .enabled(true)
            .default_cache_behavior(
                DefaultCacheBehavior::builder()
                    .target_origin_id("o")
                    .viewer_protocol_policy(ViewerProtocolPolicy::AllowAll)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        c.cache_behaviors = Some(CacheBehaviors::builder().quantity(3).set_items(Some(behaviors)).build().unwrap());
        c
    }

    fn ours() -> String {
        format!("arn:aws:cloudfront::1:function/{}", function_name(ID))
    }

    #[test]
    fn associating_keeps_other_event_types_and_refuses_someone_elses_viewer_request() {
        let mut c = config();
        let paths = ["/a/*", "/b/*", "*"].map(String::from);
        assert_eq!(associate(&mut c, &paths, &ours(), ID).unwrap(), paths);
        let found = behaviors_of(&c);
        assert!(found.iter().filter(|b| b.path != "/c/*").all(|b| b.viewer_request.as_deref() == Some(&*ours())));
        let b = &c.cache_behaviors.as_ref().unwrap().items.as_ref().unwrap()[1];
        assert_eq!(b.function_associations.as_ref().unwrap().quantity, 2, "the viewer-response function stays");
        // A second time changes nothing.
        assert!(associate(&mut c, &paths, &ours(), ID).unwrap().is_empty());
        let error = associate(&mut c, &["/c/*".to_string()], &ours(), ID).unwrap_err();
        assert!(error.contains("/c/* now has a viewer-request function"), "{error}");
    }

    #[test]
    fn dissociating_takes_off_only_the_router() {
        let mut c = config();
        let all = ["/a/*", "/b/*", "/c/*", "*"].map(String::from);
        associate(&mut c, &["/a/*".into(), "/b/*".into()], &ours(), ID).unwrap();
        let before = config();
        assert_eq!(dissociate(&mut c, &all, ID), ["/a/*", "/b/*"]);
        let a = &c.cache_behaviors.as_ref().unwrap().items.as_ref().unwrap()[0];
        let a_list = a.function_associations.as_ref().unwrap();
        assert_eq!((a_list.quantity, a_list.items.is_none()), (0, true));
        let items = |c: &DistributionConfig| c.cache_behaviors.as_ref().unwrap().items.clone().unwrap();
        assert_eq!(items(&c)[1..], items(&before)[1..], "/b/* and /c/* as they were");
    }
}
