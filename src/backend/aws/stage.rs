//! API Gateway stages over the SDK: REST APIs through `aws-sdk-apigateway` (`GetDeployments`,
//! `GetStage`, `UpdateStage` with the patch `replace /deploymentId`), HTTP APIs through
//! `aws-sdk-apigatewayv2` (`GetDeployments`, `GetStage`, `UpdateStage` with `DeploymentId`). An
//! HTTP stage with auto-deploy on is refused: API Gateway would deploy over the rollback at the
//! next change of the API, and refuses a `DeploymentId` on such a stage anyway.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_apigateway::types::{Op, PatchOperation};
use jiff::Timestamp;

use super::errors::from_sdk;
use crate::backend::BackendError;
use crate::backend::stage::{Deployment, StageControl, StageDeployments, StageRef};
use crate::domain::visible::{self, MAX_AWS_TEXT_CHARS};

/// How many pages of deployments are read at most (500 a page for REST, 25 or so for HTTP).
const MAX_PAGES: usize = 20;

/// Both API Gateway clients.
#[derive(Clone, Debug)]
pub struct ApiGatewayStages {
    rest: aws_sdk_apigateway::Client,
    http: aws_sdk_apigatewayv2::Client,
}

impl ApiGatewayStages {
    pub fn new(rest: aws_sdk_apigateway::Client, http: aws_sdk_apigatewayv2::Client) -> Self {
        ApiGatewayStages { rest, http }
    }

    /// Both clients from one SDK config (the stage's region is the config's).
    pub fn from_sdk_config(sdk: &SdkConfig) -> Self {
        Self::new(aws_sdk_apigateway::Client::new(sdk), aws_sdk_apigatewayv2::Client::new(sdk))
    }

    async fn rest_deployments(&self, api: &str, stage: &str) -> Result<StageDeployments, BackendError> {
        let current = self.rest.get_stage().rest_api_id(api).stage_name(stage).send().await;
        let current = current.map_err(|e| from_sdk("GetStage", e))?;
        let mut list = Vec::new();
        let mut position: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.rest.get_deployments().rest_api_id(api).limit(500).set_position(position.take()).send();
            let page = page.await.map_err(|e| from_sdk("GetDeployments", e))?;
            list.extend(page.items().iter().map(|d| Deployment {
                id: d.id().unwrap_or_default().to_string(),
                description: described(d.description()),
                created: d.created_date().and_then(|t| Timestamp::from_second(t.secs()).ok()),
            }));
            match page.position() {
                Some(next) if !next.is_empty() && !page.items().is_empty() => position = Some(next.to_string()),
                _ => break,
            }
        }
        let mut deployments =
            StageDeployments { current: current.deployment_id().unwrap_or_default().to_string(), list };
        deployments.sort();
        Ok(deployments)
    }

    async fn http_deployments(&self, api: &str, stage: &str) -> Result<StageDeployments, BackendError> {
        let current = self.http.get_stage().api_id(api).stage_name(stage).send().await;
        let current = current.map_err(|e| from_sdk("GetStage", e))?;
        if current.auto_deploy() == Some(true) {
            return Err(auto_deploy_refused(api, stage));
        }
        let mut list = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.http.get_deployments().api_id(api).set_next_token(token.take()).send();
            let page = page.await.map_err(|e| from_sdk("GetDeployments", e))?;
            list.extend(page.items().iter().map(|d| Deployment {
                id: d.deployment_id().unwrap_or_default().to_string(),
                description: described(d.description()),
                created: d.created_date().and_then(|t| Timestamp::from_second(t.secs()).ok()),
            }));
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        let mut deployments =
            StageDeployments { current: current.deployment_id().unwrap_or_default().to_string(), list };
        deployments.sort();
        Ok(deployments)
    }
}

/// A deployment's description as kept: whatever its length in API Gateway (a pipeline may paste a
/// whole changelog), cut to [`MAX_AWS_TEXT_CHARS`] with a mark, so no list or dialog prints 100 KB.
fn described(description: Option<&str>) -> String {
    visible::cut(description.unwrap_or_default(), MAX_AWS_TEXT_CHARS).into_owned()
}

/// Why an auto-deployed HTTP stage cannot be rolled back by pointing it elsewhere.
fn auto_deploy_refused(api: &str, stage: &str) -> BackendError {
    BackendError::Other(format!(
        "stage {stage} of HTTP API {api} has auto-deploy on, so API Gateway would deploy over a rollback at the API's next change; turn auto-deploy off for the stage, then roll back"
    ))
}

#[async_trait]
impl StageControl for ApiGatewayStages {
    async fn deployments(&self, stage: &StageRef) -> Result<StageDeployments, BackendError> {
        match stage {
            StageRef::Rest { rest_api_id, stage } => self.rest_deployments(rest_api_id, stage).await,
            StageRef::Http { api_id, stage } => self.http_deployments(api_id, stage).await,
        }
    }

    async fn set_deployment(&self, stage: &StageRef, deployment_id: &str) -> Result<(), BackendError> {
        match stage {
            StageRef::Rest { rest_api_id, stage } => {
                let patch =
                    PatchOperation::builder().op(Op::Replace).path("/deploymentId").value(deployment_id).build();
                let call = self.rest.update_stage().rest_api_id(rest_api_id).stage_name(stage).patch_operations(patch);
                call.send().await.map_err(|e| from_sdk("UpdateStage", e))?;
            }
            StageRef::Http { api_id, stage } => {
                let current = self.http.get_stage().api_id(api_id).stage_name(stage).send().await;
                let current = current.map_err(|e| from_sdk("GetStage", e))?;
                if current.auto_deploy() == Some(true) {
                    return Err(auto_deploy_refused(api_id, stage));
                }
                let call = self.http.update_stage().api_id(api_id).stage_name(stage).deployment_id(deployment_id);
                call.send().await.map_err(|e| from_sdk("UpdateStage", e))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_deployment_description_is_kept_cut_with_a_mark() {
        let long = "changelog line\n".repeat(7_000);
        let kept = described(Some(&long));
        assert_eq!(kept.chars().count(), MAX_AWS_TEXT_CHARS + "… (104,800 more characters)".chars().count());
        assert!(kept.starts_with("changelog line\nchangelog line") && kept.ends_with("… (104,800 more characters)"));
        assert_eq!(described(Some("v42")), "v42");
        assert_eq!(described(None), "");
    }
}
