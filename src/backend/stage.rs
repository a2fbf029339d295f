//! An API Gateway stage as the stage rollback uses it: list its deployments with the current one,
//! and point it at another. A stage moved this way changes what every route behind it serves at
//! once, without CloudFront propagating anything.

use async_trait::async_trait;

use super::BackendError;
pub use crate::domain::stage::{Deployment, RouteStage, StageDeployments, StageRef};

/// A world's API Gateway stages, simulated or real.
#[async_trait]
pub trait StageControl: Send + Sync + 'static {
    /// The stage's deployments, newest first, and the one it serves (`GetDeployments`, `GetStage`).
    async fn deployments(&self, stage: &StageRef) -> Result<StageDeployments, BackendError>;

    /// Point the stage at `deployment_id` (`UpdateStage`).
    async fn set_deployment(&self, stage: &StageRef, deployment_id: &str) -> Result<(), BackendError>;
}
