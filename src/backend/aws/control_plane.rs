//! The CloudFront control plane over the real SDK: `GetDistribution`, `GetDistributionConfig` and
//! `UpdateDistribution` with `IfMatch`. The fetched `DistributionConfig` is changed in place and sent
//! back whole, so every field cutover does not know about (logging, WAF, function associations, error
//! responses, origin groups...) survives a switch untouched.

use async_trait::async_trait;
use aws_sdk_cloudfront::types::{CacheBehavior, DistributionConfig};

use super::behavior::{self, describe_unlisted, shape_problems};
use super::errors::from_sdk;
use super::policies::PolicyCache;
use super::spec::DistributionSpec;
use crate::backend::{BackendError, ControlPlane, UpdateAccepted};
use crate::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind, custom_policies};
use crate::domain::{DeployStatus, ReadBack, RouteInfo, Topology};

/// The default cache behavior's path, as cutover names it.
pub const DEFAULT_PATH: &str = "*";

/// One distribution's control plane.
#[derive(Clone, Debug)]
pub struct CloudFrontControlPlane {
    client: aws_sdk_cloudfront::Client,
    spec: DistributionSpec,
    policies: PolicyCache,
}

impl CloudFrontControlPlane {
    pub fn new(client: aws_sdk_cloudfront::Client, spec: DistributionSpec) -> Self {
        CloudFrontControlPlane { client, spec, policies: PolicyCache::default() }
    }

    pub fn spec(&self) -> &DistributionSpec {
        &self.spec
    }

    /// The distribution's config, status and ETag in one `GetDistribution` call.
    pub async fn read(&self) -> Result<(DistributionConfig, DeployStatus, String), BackendError> {
        let out = self
            .client
            .get_distribution()
            .id(&self.spec.id)
            .send()
            .await
            .map_err(|e| from_sdk("GetDistribution", e))?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let distribution =
            out.distribution.ok_or_else(|| BackendError::Other("GetDistribution returned no distribution".into()))?;
        let status = parse_status(distribution.status());
        let config = distribution
            .distribution_config
            .ok_or_else(|| BackendError::Other("GetDistribution returned no config".into()))?;
        Ok((config, status, etag))
    }

    /// The host viewers reach the distribution at, for probes that name none: one
    /// `GetDistribution` call, then [`viewer_host_of`].
    pub async fn viewer_host(&self) -> Result<String, BackendError> {
        let out = self
            .client
            .get_distribution()
            .id(&self.spec.id)
            .send()
            .await
            .map_err(|e| from_sdk("GetDistribution", e))?;
        let distribution =
            out.distribution.ok_or_else(|| BackendError::Other("GetDistribution returned no distribution".into()))?;
        let aliases =
            distribution.distribution_config().and_then(|c| c.aliases()).map(|a| a.items()).unwrap_or_default();
        Ok(viewer_host_of(aliases, distribution.domain_name()))
    }
}

/// The distribution's first alias (`api.example.com`), else its own `d111111abcdef8.cloudfront.net`.
pub fn viewer_host_of(aliases: &[String], domain_name: &str) -> String {
    aliases.iter().map(|a| a.trim()).find(|a| !a.is_empty()).unwrap_or(domain_name).to_string()
}

/// CloudFront says `Deployed` or `InProgress`; anything else is treated as still in progress.
pub fn parse_status(status: &str) -> DeployStatus {
    if status == "Deployed" { DeployStatus::Deployed } else { DeployStatus::InProgress }
}

/// Every route of a config as (path, origin id), in CloudFront's precedence order, default last.
pub fn routes_of(config: &DistributionConfig) -> Vec<(String, String)> {
    let mut routes: Vec<(String, String)> =
        behaviors(config).iter().map(|b| (b.path_pattern().to_string(), b.target_origin_id().to_string())).collect();
    if let Some(default) = config.default_cache_behavior() {
        routes.push((DEFAULT_PATH.to_string(), default.target_origin_id().to_string()));
    }
    routes
}

/// The origin ids a config defines, origin groups included (a behavior may target either).
pub fn origin_ids_of(config: &DistributionConfig) -> Vec<String> {
    let origins = config.origins().map(|o| o.items()).unwrap_or_default().iter().map(|o| o.id().to_string());
    let groups =
        config.origin_groups().and_then(|g| g.items.as_deref()).unwrap_or_default().iter().map(|g| g.id().to_string());
    origins.chain(groups).collect()
}

fn behaviors(config: &DistributionConfig) -> &[CacheBehavior] {
    config.cache_behaviors().and_then(|b| b.items.as_deref()).unwrap_or_default()
}

/// The topology the console shows for one config: every route, with the side it is on and its
/// pair of origins, or why nothing moves it (an S3 origin, an origin in neither list...). Custom
/// policies are not read here: `policies` starts empty.
pub fn topology_of(
    spec: &DistributionSpec,
    config: &DistributionConfig,
    status: DeployStatus,
    etag: String,
) -> Topology {
    let listed = behaviors(config);
    let routes = routes_of(config)
        .into_iter()
        .enumerate()
        .map(|(index, (path, origin_id))| {
            let target = spec.target_of(&origin_id);
            if let Some(why) = unaddressable(listed, index) {
                // Its own name, which no path pattern can be, and never a pair: nothing moves it.
                let behavior = behavior::of_behavior(&listed[index]);
                let pair = Err(why);
                // The router matches routes by path pattern, so it can never route this one either.
                let viewer_request = None;
                return RouteInfo {
                    path: unaddressable_name(&path, index),
                    origin_id,
                    target,
                    pair,
                    behavior,
                    viewer_request,
                };
            }
            let pair = match target {
                Some(_) => spec.pair_for(&path, &origin_id),
                None => Err(describe_unlisted(config, &origin_id)),
            };
            let behavior = behavior_of(config, &path).unwrap_or_default();
            let viewer_request = behavior::viewer_request_of(config, &path);
            RouteInfo { path, origin_id, target, pair, behavior, viewer_request }
        })
        .collect();
    Topology {
        distribution_id: spec.id.clone(),
        status,
        etag,
        routes,
        policies: PolicyBook::new(),
        problems: shape_problems(config),
    }
}

/// Why the cache behavior at `index` cannot be addressed by its path pattern, if it cannot: cutover
/// names routes by path pattern and the default behavior `*`, so a non-default `*` and a pattern an
/// earlier behavior already has would name another behavior. A switch of it would edit (or read
/// back) the other one and report a move that never happened, so it is never switched.
pub fn unaddressable(behaviors: &[CacheBehavior], index: usize) -> Option<String> {
    let pattern = behaviors.get(index)?.path_pattern();
    if pattern == DEFAULT_PATH {
        return Some(format!(
            "cache behavior {} has path pattern *, which is cutover's name for the default behavior: cutover cannot tell them apart, so it never moves this one (give it another pattern, or change it in CloudFront)",
            index + 1
        ));
    }
    behaviors[..index].iter().any(|b| b.path_pattern() == pattern).then(|| {
        format!(
            "cache behavior {} repeats path pattern {pattern}: cutover switches only the first behavior of a pattern, so it never moves this one (remove the repeat, or change it in CloudFront)",
            index + 1
        )
    })
}

/// The route name of a behavior [`unaddressable`] by its pattern: `* (cache behavior 3)`. No path
/// pattern has a space or parentheses, so it never names another route.
pub fn unaddressable_name(pattern: &str, index: usize) -> String {
    format!("{pattern} (cache behavior {})", index + 1)
}

/// Change the target origin or the origin request policy of the behavior at `path`, in place on the
/// fetched config: the SDK's fields are public on purpose, so the rest of the behavior stays exactly
/// as fetched.
fn edit_behavior(config: &mut DistributionConfig, path: &str, edit: impl FnOnce(&mut String, &mut Option<String>)) {
    if path == DEFAULT_PATH {
        if let Some(default) = config.default_cache_behavior.as_mut() {
            edit(&mut default.target_origin_id, &mut default.origin_request_policy_id);
        }
        return;
    }
    let behavior = config
        .cache_behaviors
        .as_mut()
        .and_then(|b| b.items.as_mut())
        .and_then(|items| items.iter_mut().find(|b| b.path_pattern == path));
    if let Some(behavior) = behavior {
        edit(&mut behavior.target_origin_id, &mut behavior.origin_request_policy_id);
    }
}

/// The policies of the behavior at `path` as fetched, `*` being the default behavior.
pub fn behavior_of(config: &DistributionConfig, path: &str) -> Option<BehaviorPolicies> {
    if path == DEFAULT_PATH {
        return config.default_cache_behavior().map(behavior::of_default);
    }
    behaviors(config).iter().find(|b| b.path_pattern() == path).map(behavior::of_behavior)
}

/// The custom policies a topology's switchable routes name, with the swaps the config asks for.
pub fn policies_to_read(topology: &Topology) -> Vec<(PolicyKind, String)> {
    let mut wanted = Vec::new();
    for route in &topology.routes {
        if let Ok((target, pair)) = route.switchable() {
            let to = target.other();
            wanted.extend(custom_policies(&route.behavior, pair.request_policy(to)));
        }
    }
    wanted.sort_by(|a, b| a.1.cmp(&b.1));
    wanted.dedup();
    wanted
}

#[async_trait]
impl ControlPlane for CloudFrontControlPlane {
    type Config = DistributionConfig;

    async fn topology(&self) -> Result<Topology, BackendError> {
        let (config, status, etag) = self.read().await?;
        let mut topology = topology_of(&self.spec, &config, status, etag);
        topology.policies = self.policy_book(&policies_to_read(&topology)).await;
        Ok(topology)
    }

    async fn policy_book(&self, wanted: &[(PolicyKind, String)]) -> PolicyBook {
        self.policies.book(&self.client, wanted).await
    }

    async fn get_config(&self, distribution_id: &str) -> Result<(DistributionConfig, String), BackendError> {
        let out = self
            .client
            .get_distribution_config()
            .id(distribution_id)
            .send()
            .await
            .map_err(|e| from_sdk("GetDistributionConfig", e))?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let config = out
            .distribution_config
            .ok_or_else(|| BackendError::Other("GetDistributionConfig returned no config".into()))?;
        Ok((config, etag))
    }

    async fn update_config(
        &self,
        distribution_id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<UpdateAccepted, BackendError> {
        let out = self
            .client
            .update_distribution()
            .id(distribution_id)
            .if_match(if_match)
            .distribution_config(config)
            .send()
            .await
            .map_err(|e| from_sdk("UpdateDistribution", e))?;
        let status = out.distribution().map_or(DeployStatus::InProgress, |d| parse_status(d.status()));
        Ok(UpdateAccepted { etag: out.e_tag().unwrap_or_default().to_string(), status })
    }

    async fn deploy_status(&self, distribution_id: &str) -> Result<DeployStatus, BackendError> {
        let out = self
            .client
            .get_distribution()
            .id(distribution_id)
            .send()
            .await
            .map_err(|e| from_sdk("GetDistribution", e))?;
        Ok(out.distribution().map_or(DeployStatus::InProgress, |d| parse_status(d.status())))
    }

    async fn read_back(&self, distribution_id: &str) -> Result<ReadBack, BackendError> {
        if distribution_id != self.spec.id {
            return Err(BackendError::Other(format!(
                "this control plane reads {}, not {distribution_id}",
                self.spec.id
            )));
        }
        let (config, status, etag) = self.read().await?;
        Ok(ReadBack::of(&topology_of(&self.spec, &config, status, etag)))
    }

    fn origin_of(config: &DistributionConfig, path: &str) -> Option<String> {
        if path == DEFAULT_PATH {
            return config.default_cache_behavior().map(|b| b.target_origin_id().to_string());
        }
        behaviors(config).iter().find(|b| b.path_pattern() == path).map(|b| b.target_origin_id().to_string())
    }

    fn behavior_of(config: &DistributionConfig, path: &str) -> Option<BehaviorPolicies> {
        behavior_of(config, path)
    }

    fn set_request_policy(config: &mut DistributionConfig, path: &str, policy_id: &str) {
        edit_behavior(config, path, |_, policy| *policy = Some(policy_id.to_string()));
    }

    fn set_origin(config: &mut DistributionConfig, path: &str, origin_id: &str) {
        edit_behavior(config, path, |origin, _| *origin = origin_id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::init::testing::{behavior, distribution, origin};

    #[test]
    fn a_second_star_and_a_repeated_pattern_are_routes_of_their_own_that_never_move() {
        let origins = [origin("apigw", "a1.execute-api.eu-west-1.amazonaws.com"), origin("elb", "m.elb.amazonaws.com")];
        let behaviors = [behavior("/a/*", "apigw"), behavior("*", "apigw"), behavior("/a/*", "apigw")];
        let config = distribution(&origins, &[], "elb", &behaviors);
        let spec = DistributionSpec::with_lists("E1", &["apigw"], &["elb"]);
        let topology = topology_of(&spec, &config, DeployStatus::Deployed, "E".into());
        let names: Vec<&str> = topology.routes.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(names, ["/a/*", "* (cache behavior 2)", "/a/* (cache behavior 3)", "*"]);
        let [first, star, repeat, default] = &topology.routes[..] else { unreachable!() };
        assert!(first.switchable().is_ok() && default.switchable().is_ok());
        assert_eq!((star.target, star.origin_id.as_str()), (Some(crate::domain::Target::Lambda), "apigw"));
        assert!(star.not_switchable().unwrap().contains("cutover's name for the default behavior"));
        assert!(repeat.not_switchable().unwrap().contains("repeats path pattern /a/*"));
        // The default behavior is still `*`, and reads back as the default behavior.
        let read = ReadBack::of(&topology);
        assert_eq!((read.origin_of("*"), read.origin_of("* (cache behavior 2)")), (Some("elb"), Some("apigw")));
    }

    #[test]
    fn viewers_reach_the_first_alias_else_the_cloudfront_name() {
        let name = "d111111abcdef8.cloudfront.net";
        assert_eq!(viewer_host_of(&["api.example.com".into(), "www.example.com".into()], name), "api.example.com");
        assert_eq!(viewer_host_of(&[], name), name);
        assert_eq!(viewer_host_of(&[" ".into()], name), name);
    }
}
