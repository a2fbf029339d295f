//! The API Gateway reads `cutover init` makes to find a Lambda origin's stage: whether an id is a
//! REST or an HTTP API, a stage's current deployment, and the API's deployments. A trait, so that
//! what init does with the answers is tested without AWS; [`AwsApiReads`] answers over the SDK, in
//! the region the origin's domain names.

use async_trait::async_trait;
use aws_config::{Region, SdkConfig};
use aws_sdk_apigateway::operation::get_rest_api::GetRestApiError;
use aws_sdk_apigateway::operation::get_stage::GetStageError as RestStageError;
use aws_sdk_apigatewayv2::operation::get_api::GetApiError;
use aws_sdk_apigatewayv2::operation::get_stage::GetStageError as HttpStageError;
use jiff::Timestamp;

use crate::backend::BackendError;
use crate::backend::aws::errors::from_sdk;
use crate::domain::stage::Deployment;
use crate::domain::visible::{self, MAX_AWS_TEXT_CHARS};

/// How many pages of deployments are read at most; the newest few are all init shows.
const MAX_PAGES: usize = 20;

/// Which API Gateway an id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKind {
    /// A REST API (API Gateway v1, `rest_api_id`).
    Rest,
    /// An HTTP API (API Gateway v2, `http_api_id`).
    Http,
}

/// A stage as `GetStage` tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageState {
    /// The deployment it serves now (empty if API Gateway names none).
    pub deployment_id: String,
    /// An HTTP stage that deploys every change of the API by itself.
    pub auto_deploy: bool,
}

/// The reads, each in `region`. `Ok(false)` / `Ok(None)`: API Gateway said there is no such thing.
#[async_trait]
pub trait ApiReads: Send + Sync {
    /// `GetRestApi`: the API's name (what its CloudWatch metrics are keyed by), `None` when there is no
    /// REST API of that id.
    async fn rest_api_name(&self, region: &str, api_id: &str) -> Result<Option<String>, BackendError>;
    /// `GetApi` (v2).
    async fn http_api_exists(&self, region: &str, api_id: &str) -> Result<bool, BackendError>;
    /// `GetStage` of either kind.
    async fn stage(
        &self,
        region: &str,
        kind: ApiKind,
        api_id: &str,
        stage: &str,
    ) -> Result<Option<StageState>, BackendError>;
    /// `GetDeployments` of either kind, in any order.
    async fn deployments(&self, region: &str, kind: ApiKind, api_id: &str) -> Result<Vec<Deployment>, BackendError>;
}

/// The IAM resource a read needs `apigateway:GET` on, for the sentence when it is denied.
pub fn resource(region: &str, kind: ApiKind, api_id: &str, rest: &str) -> String {
    let api = match kind {
        ApiKind::Rest => "restapis",
        ApiKind::Http => "apis",
    };
    format!("arn:aws:apigateway:{region}::/{api}/{api_id}{rest}")
}

/// The reads over the SDK: both clients, built for the region each call names, from the SDK
/// config of `--profile` (its credentials, and any endpoint the environment sets).
#[derive(Clone, Debug)]
pub struct AwsApiReads {
    sdk: SdkConfig,
}

impl AwsApiReads {
    pub fn new(sdk: &SdkConfig) -> Self {
        AwsApiReads { sdk: sdk.clone() }
    }

    fn rest(&self, region: &str) -> aws_sdk_apigateway::Client {
        let config = aws_sdk_apigateway::config::Builder::from(&self.sdk).region(Region::new(region.to_string()));
        aws_sdk_apigateway::Client::from_conf(config.build())
    }

    fn http(&self, region: &str) -> aws_sdk_apigatewayv2::Client {
        let config = aws_sdk_apigatewayv2::config::Builder::from(&self.sdk).region(Region::new(region.to_string()));
        aws_sdk_apigatewayv2::Client::from_conf(config.build())
    }
}

/// A deployment as init lists it: its description cut, so a pasted changelog stays one line.
fn deployment(id: Option<&str>, description: Option<&str>, created: Option<i64>) -> Deployment {
    Deployment {
        id: id.unwrap_or_default().to_string(),
        description: visible::cut(description.unwrap_or_default(), MAX_AWS_TEXT_CHARS).into_owned(),
        created: created.and_then(|secs| Timestamp::from_second(secs).ok()),
    }
}

#[async_trait]
impl ApiReads for AwsApiReads {
    async fn rest_api_name(&self, region: &str, api_id: &str) -> Result<Option<String>, BackendError> {
        match self.rest(region).get_rest_api().rest_api_id(api_id).send().await {
            Ok(api) => Ok(Some(visible::cut(api.name().unwrap_or_default(), MAX_AWS_TEXT_CHARS).into_owned())),
            Err(e) if matches!(e.as_service_error(), Some(GetRestApiError::NotFoundException(_))) => Ok(None),
            Err(e) => Err(from_sdk("GetRestApi", e)),
        }
    }

    async fn http_api_exists(&self, region: &str, api_id: &str) -> Result<bool, BackendError> {
        match self.http(region).get_api().api_id(api_id).send().await {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.as_service_error(), Some(GetApiError::NotFoundException(_))) => Ok(false),
            Err(e) => Err(from_sdk("GetApi", e)),
        }
    }

    async fn stage(
        &self,
        region: &str,
        kind: ApiKind,
        api_id: &str,
        stage: &str,
    ) -> Result<Option<StageState>, BackendError> {
        match kind {
            ApiKind::Rest => match self.rest(region).get_stage().rest_api_id(api_id).stage_name(stage).send().await {
                Ok(out) => Ok(Some(StageState {
                    deployment_id: out.deployment_id().unwrap_or_default().to_string(),
                    auto_deploy: false,
                })),
                Err(e) if matches!(e.as_service_error(), Some(RestStageError::NotFoundException(_))) => Ok(None),
                Err(e) => Err(from_sdk("GetStage", e)),
            },
            ApiKind::Http => match self.http(region).get_stage().api_id(api_id).stage_name(stage).send().await {
                Ok(out) => Ok(Some(StageState {
                    deployment_id: out.deployment_id().unwrap_or_default().to_string(),
                    auto_deploy: out.auto_deploy() == Some(true),
                })),
                Err(e) if matches!(e.as_service_error(), Some(HttpStageError::NotFoundException(_))) => Ok(None),
                Err(e) => Err(from_sdk("GetStage", e)),
            },
        }
    }

    async fn deployments(&self, region: &str, kind: ApiKind, api_id: &str) -> Result<Vec<Deployment>, BackendError> {
        let mut list = Vec::new();
        let mut position: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let next =
                match kind {
                    ApiKind::Rest => {
                        let call = self.rest(region).get_deployments().rest_api_id(api_id).limit(500);
                        let page = call.set_position(position.take()).send().await;
                        let page = page.map_err(|e| from_sdk("GetDeployments", e))?;
                        list.extend(
                            page.items()
                                .iter()
                                .map(|d| deployment(d.id(), d.description(), d.created_date().map(|t| t.secs()))),
                        );
                        page.position().filter(|p| !p.is_empty() && !page.items().is_empty()).map(str::to_string)
                    }
                    ApiKind::Http => {
                        let call = self.http(region).get_deployments().api_id(api_id);
                        let page = call.set_next_token(position.take()).send().await;
                        let page = page.map_err(|e| from_sdk("GetDeployments", e))?;
                        list.extend(page.items().iter().map(|d| {
                            deployment(d.deployment_id(), d.description(), d.created_date().map(|t| t.secs()))
                        }));
                        page.next_token().filter(|t| !t.is_empty()).map(str::to_string)
                    }
                };
            match next {
                Some(next) => position = Some(next),
                None => break,
            }
        }
        Ok(list)
    }
}
