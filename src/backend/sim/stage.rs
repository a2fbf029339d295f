//! The demo's API Gateway stage: every route's Lambda side is served by stage `prod` of one REST
//! API, with three deployments: `d2` (serving), `d1` and `d0`, the proxy to the monolith that the
//! stage rollback falls back to. Pointing the stage at `d0` takes effect a few seconds later, for
//! every route at once, with no CloudFront rollout: the traffic model then gives the Lambda side's
//! requests the monolith's latency and errors (`traffic.rs` says what is and is not modelled).

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use jiff::SignedDuration;

use super::{Call, SimBackend};
use crate::backend::BackendError;
use crate::backend::stage::{Deployment, StageControl, StageDeployments, StageRef};
use crate::domain::stage::RouteStage;

/// The demo's REST API and its stage.
pub const DEMO_REST_API_ID: &str = "demo4pi7x1";
pub const DEMO_STAGE: &str = "prod";
/// The deployment whose integration proxies every route to the monolith.
pub const PROXY_DEPLOYMENT: &str = "d0";
/// How long after `UpdateStage` the stage serves the new deployment.
pub const STAGE_TAKES_EFFECT: Duration = Duration::from_secs(3);

/// The stage every demo route's Lambda side is behind, with its fallback.
pub fn demo_route_stage() -> RouteStage {
    RouteStage {
        stage: StageRef::Rest { rest_api_id: DEMO_REST_API_ID.into(), stage: DEMO_STAGE.into() },
        fallback_deployment: Some(PROXY_DEPLOYMENT.into()),
    }
}

/// The stage's deployment as the simulated API Gateway has it.
#[derive(Debug)]
pub struct SimStage {
    current: Mutex<String>,
}

impl SimStage {
    /// The stage serving `deployment` (a kept world's).
    pub fn serving(deployment: String) -> Self {
        SimStage { current: Mutex::new(deployment) }
    }
}

impl Default for SimStage {
    fn default() -> Self {
        SimStage { current: Mutex::new("d2".into()) }
    }
}

impl SimBackend {
    fn demo_deployments(&self) -> Vec<Deployment> {
        let day = SignedDuration::from_hours(24);
        let at = |days: i32| Some(self.start - day * days);
        vec![
            Deployment { id: "d2".into(), description: "v42".into(), created: at(1) },
            Deployment { id: "d1".into(), description: "v41: orders on Lambda".into(), created: at(8) },
            Deployment { id: PROXY_DEPLOYMENT.into(), description: "proxy to monolith".into(), created: at(40) },
        ]
    }

    fn check_stage(&self, stage: &StageRef) -> Result<(), BackendError> {
        match stage {
            StageRef::Rest { rest_api_id, stage } if rest_api_id == DEMO_REST_API_ID && stage == DEMO_STAGE => Ok(()),
            _ => Err(BackendError::Other(format!(
                "GetStage failed (NotFoundException: {} is not a stage of the demo; it has {DEMO_REST_API_ID}/{DEMO_STAGE})",
                stage.label()
            ))),
        }
    }

    pub(super) fn stage_current(&self) -> std::sync::MutexGuard<'_, String> {
        self.stage.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl StageControl for SimBackend {
    async fn deployments(&self, stage: &StageRef) -> Result<StageDeployments, BackendError> {
        self.call(Call::Read).await?;
        self.check_stage(stage)?;
        let current = self.stage_current().clone();
        Ok(StageDeployments { current, list: self.demo_deployments() })
    }

    async fn set_deployment(&self, stage: &StageRef, deployment_id: &str) -> Result<(), BackendError> {
        self.call(Call::Update).await?;
        self.check_stage(stage)?;
        if !self.demo_deployments().iter().any(|d| d.id == deployment_id) {
            return Err(BackendError::Other(format!(
                "UpdateStage failed (BadRequestException: deployment {deployment_id} does not exist); list the stage's deployments and pick one of them"
            )));
        }
        *self.stage_current() = deployment_id.to_string();
        let at = self.clock.now() + STAGE_TAKES_EFFECT;
        self.world().set_stage_proxied(at, deployment_id == PROXY_DEPLOYMENT);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::FaultSet;
    use crate::backend::MetricsSource;
    use crate::backend::sim::scenario::{BAD_DEPLOY_AT_SECS, BAD_DEPLOY_ROUTE};
    use crate::backend::sim::{Scenario, SimOptions};
    use crate::clock::Clock;

    /// The Lambda side's 5xx rate of `path` in the newest minute that has one.
    async fn lambda_error_pct(sim: &SimBackend, path: &str) -> f64 {
        let snapshot = sim.fetch(&[path.to_string()]).await.unwrap();
        let rate = |p: &crate::domain::MinutePoint| {
            let requests = p.lambda.requests.get().filter(|r| *r > 0.0)?;
            Some(p.lambda.errors_5xx.get().unwrap_or(0.0) / requests * 100.0)
        };
        snapshot.series(path).iter().rev().find_map(rate).expect("a Lambda minute")
    }

    #[tokio::test(start_paused = true)]
    async fn the_proxy_deployment_stops_the_lambda_sides_5xx_within_a_minute() {
        let clock = Clock::simulated("2026-01-15T22:40:00Z".parse().unwrap(), 1.0);
        let options = SimOptions { scenario: Scenario::BadDeploy, seed: 7, faults: FaultSet::NONE };
        let sim = SimBackend::new(clock.clone(), options);
        let stage = demo_route_stage().stage;
        let listed = sim.deployments(&stage).await.unwrap();
        assert_eq!(listed.current, "d2");
        assert_eq!(listed.list.len(), 3);
        let wrong = StageRef::Http { api_id: "x".into(), stage: "prod".into() };
        assert!(sim.deployments(&wrong).await.is_err());
        assert!(sim.set_deployment(&stage, "d9").await.is_err());

        let path = BAD_DEPLOY_ROUTE;
        tokio::time::sleep(Duration::from_secs(BAD_DEPLOY_AT_SECS as u64 + 180)).await;
        let broken = lambda_error_pct(&sim, path).await;
        assert!(broken > 8.0, "the bad deploy fails {broken} % on Lambda");

        sim.set_deployment(&stage, PROXY_DEPLOYMENT).await.unwrap();
        assert_eq!(sim.deployments(&stage).await.unwrap().current, PROXY_DEPLOYMENT);
        tokio::time::sleep(Duration::from_secs(180)).await;
        let proxied = lambda_error_pct(&sim, path).await;
        assert!(proxied < 2.0, "behind the proxy deployment {proxied} % fail");

        sim.set_deployment(&stage, "d2").await.unwrap();
        tokio::time::sleep(Duration::from_secs(180)).await;
        assert!(lambda_error_pct(&sim, path).await > 8.0, "back on v42 the bad deploy fails again");
    }
}
