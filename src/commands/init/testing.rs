//! Small distribution configs for the init module's tests, and a scripted API Gateway.

use async_trait::async_trait;

use aws_sdk_cloudfront::types::{
    CacheBehavior, CacheBehaviors, CustomOriginConfig, DefaultCacheBehavior, DistributionConfig, Origin, OriginGroup,
    OriginGroupFailoverCriteria, OriginGroupMember, OriginGroupMembers, OriginGroups, OriginProtocolPolicy, Origins,
    StatusCodes, ViewerProtocolPolicy,
};

use super::api_reads::{ApiKind, ApiReads, StageState};
use crate::backend::BackendError;
use crate::domain::stage::Deployment;

pub(crate) fn origin(id: &str, domain: &str) -> Origin {
    Origin::builder()
        .id(id)
        .domain_name(domain)
        .custom_origin_config(
            CustomOriginConfig::builder()
                .http_port(80)
                .https_port(443)
                .origin_protocol_policy(OriginProtocolPolicy::HttpsOnly)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

pub(crate) fn group(id: &str, members: &[&str]) -> OriginGroup {
    let members = members.iter().map(|m| OriginGroupMember::builder().origin_id(*m).build().unwrap()).collect();
    let codes = StatusCodes::builder().quantity(1).items(502).build().unwrap();
    OriginGroup::builder()
        .id(id)
        .failover_criteria(OriginGroupFailoverCriteria::builder().status_codes(codes).build())
        .members(OriginGroupMembers::builder().quantity(2).set_items(Some(members)).build().unwrap())
        .build()
        .unwrap()
}

pub(crate) fn behavior(path: &str, origin_id: &str) -> CacheBehavior {
    CacheBehavior::builder()
        .path_pattern(path)
        .target_origin_id(origin_id)
        .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
        .build()
        .unwrap()
}

/// A distribution with these origins, groups and behaviors, whose default behavior targets `default`.
pub(crate) fn distribution(
    origins: &[Origin],
    groups: &[OriginGroup],
    default: &str,
    behaviors: &[CacheBehavior],
) -> DistributionConfig {
    let mut builder = DistributionConfig::builder()
        .caller_reference("test")
        .comment("test distribution")
        .enabled(true)
        .origins(Origins::builder().quantity(origins.len() as i32).set_items(Some(origins.to_vec())).build().unwrap())
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id(default)
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .build()
                .unwrap(),
        );
    if !groups.is_empty() {
        builder = builder.origin_groups(
            OriginGroups::builder().quantity(groups.len() as i32).set_items(Some(groups.to_vec())).build().unwrap(),
        );
    }
    if !behaviors.is_empty() {
        builder = builder.cache_behaviors(
            CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors.to_vec()))
                .build()
                .unwrap(),
        );
    }
    builder.build().unwrap()
}

/// API Gateway as init's tests script it: REST and HTTP APIs by id, each with one stage and its
/// deployments (id, description, created in seconds), and errors to answer with instead.
#[derive(Clone, Debug, Default)]
pub(crate) struct FakeApis {
    /// (kind, api id, stage, current deployment, deployments)
    pub apis: Vec<(ApiKind, String, String, String, Vec<Deployment>)>,
    pub rest_error: Option<BackendError>,
    pub deployments_error: Option<BackendError>,
}

impl FakeApis {
    fn with(mut self, kind: ApiKind, id: &str, stage: &str, current: &str, list: &[(&str, &str, i64)]) -> Self {
        let list = list
            .iter()
            .map(|(id, description, secs)| Deployment {
                id: id.to_string(),
                description: description.to_string(),
                created: jiff::Timestamp::from_second(*secs).ok(),
            })
            .collect();
        self.apis.push((kind, id.into(), stage.into(), current.into(), list));
        self
    }

    pub fn rest(self, id: &str, stage: &str, current: &str, list: &[(&str, &str, i64)]) -> Self {
        self.with(ApiKind::Rest, id, stage, current, list)
    }

    pub fn http(self, id: &str, stage: &str, current: &str, list: &[(&str, &str, i64)]) -> Self {
        self.with(ApiKind::Http, id, stage, current, list)
    }

    fn api(&self, kind: ApiKind, id: &str) -> Option<&(ApiKind, String, String, String, Vec<Deployment>)> {
        self.apis.iter().find(|a| a.0 == kind && a.1 == id)
    }
}

#[async_trait]
impl ApiReads for FakeApis {
    async fn rest_api_name(&self, _region: &str, api_id: &str) -> Result<Option<String>, BackendError> {
        match &self.rest_error {
            Some(e) => Err(e.clone()),
            None => Ok(self.api(ApiKind::Rest, api_id).map(|_| format!("{api_id}-api"))),
        }
    }

    async fn http_api_exists(&self, _region: &str, api_id: &str) -> Result<bool, BackendError> {
        Ok(self.api(ApiKind::Http, api_id).is_some())
    }

    async fn stage(
        &self,
        _region: &str,
        kind: ApiKind,
        api_id: &str,
        stage: &str,
    ) -> Result<Option<StageState>, BackendError> {
        let api = self.api(kind, api_id).filter(|a| a.2 == stage);
        Ok(api.map(|a| StageState { deployment_id: a.3.clone(), auto_deploy: false }))
    }

    async fn deployments(&self, _region: &str, kind: ApiKind, api_id: &str) -> Result<Vec<Deployment>, BackendError> {
        match &self.deployments_error {
            Some(e) => Err(e.clone()),
            None => Ok(self.api(kind, api_id).map(|a| a.4.clone()).unwrap_or_default()),
        }
    }
}
