//! The control plane and the metrics source of one live distribution, as one [`Backend`](crate::backend::Backend).

use async_trait::async_trait;
use aws_sdk_cloudfront::types::DistributionConfig;

use super::{CloudFrontControlPlane, CloudWatchMetrics};
use crate::backend::{Backend, BackendError, ControlPlane, MetricsSource, UpdateAccepted};
use crate::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind};
use crate::domain::{DeployStatus, MetricsSnapshot, ReadBack, Topology};

pub struct AwsBackend {
    control_plane: CloudFrontControlPlane,
    metrics: CloudWatchMetrics,
}

impl AwsBackend {
    pub fn new(control_plane: CloudFrontControlPlane, metrics: CloudWatchMetrics) -> Self {
        AwsBackend { control_plane, metrics }
    }

    pub fn control_plane(&self) -> &CloudFrontControlPlane {
        &self.control_plane
    }

    pub fn metrics(&self) -> &CloudWatchMetrics {
        &self.metrics
    }
}

#[async_trait]
impl ControlPlane for AwsBackend {
    type Config = DistributionConfig;

    async fn topology(&self) -> Result<Topology, BackendError> {
        self.control_plane.topology().await
    }

    async fn get_config(&self, distribution_id: &str) -> Result<(DistributionConfig, String), BackendError> {
        self.control_plane.get_config(distribution_id).await
    }

    async fn update_config(
        &self,
        distribution_id: &str,
        config: DistributionConfig,
        if_match: &str,
    ) -> Result<UpdateAccepted, BackendError> {
        self.control_plane.update_config(distribution_id, config, if_match).await
    }

    async fn deploy_status(&self, distribution_id: &str) -> Result<DeployStatus, BackendError> {
        self.control_plane.deploy_status(distribution_id).await
    }

    async fn read_back(&self, distribution_id: &str) -> Result<ReadBack, BackendError> {
        self.control_plane.read_back(distribution_id).await
    }

    fn origin_of(config: &DistributionConfig, path: &str) -> Option<String> {
        CloudFrontControlPlane::origin_of(config, path)
    }

    fn set_origin(config: &mut DistributionConfig, path: &str, origin_id: &str) {
        CloudFrontControlPlane::set_origin(config, path, origin_id)
    }

    fn behavior_of(config: &DistributionConfig, path: &str) -> Option<BehaviorPolicies> {
        CloudFrontControlPlane::behavior_of(config, path)
    }

    fn set_request_policy(config: &mut DistributionConfig, path: &str, policy_id: &str) {
        CloudFrontControlPlane::set_request_policy(config, path, policy_id)
    }

    async fn policy_book(&self, wanted: &[(PolicyKind, String)]) -> PolicyBook {
        self.control_plane.policy_book(wanted).await
    }
}

#[async_trait]
impl MetricsSource for AwsBackend {
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        self.metrics.fetch(paths).await
    }
}

/// Real AWS has no faults to inject.
impl Backend for AwsBackend {}
