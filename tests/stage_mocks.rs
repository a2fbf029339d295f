//! The stage rollback's HTTP API side, scripted with `aws-smithy-mocks` on the real
//! `aws-sdk-apigatewayv2` client: a stage listed and moved with `UpdateStage`'s `DeploymentId`, and
//! an auto-deployed stage refused before anything is sent.

use std::sync::Arc;
use std::sync::Mutex;

use aws_sdk_apigatewayv2::Client;
use aws_sdk_apigatewayv2::config::retry::RetryConfig;
use aws_sdk_apigatewayv2::operation::get_deployments::GetDeploymentsOutput;
use aws_sdk_apigatewayv2::operation::get_stage::GetStageOutput;
use aws_sdk_apigatewayv2::operation::update_stage::UpdateStageOutput;
use aws_sdk_apigatewayv2::primitives::DateTime;
use aws_sdk_apigatewayv2::types::Deployment;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use cutover::backend::aws::ApiGatewayStages;
use cutover::backend::stage::{StageControl, StageRef};

fn rest_client() -> aws_sdk_apigateway::Client {
    // Never called: these tests are about HTTP APIs.
    let config = aws_sdk_apigateway::Config::builder()
        .behavior_version(aws_sdk_apigateway::config::BehaviorVersion::latest())
        .region(aws_sdk_apigateway::config::Region::new("eu-west-1"))
        .endpoint_url("http://127.0.0.1:9")
        .build();
    aws_sdk_apigateway::Client::from_conf(config)
}

fn deployment(id: &str, description: &str, secs: i64) -> Deployment {
    Deployment::builder().deployment_id(id).description(description).created_date(DateTime::from_secs(secs)).build()
}

#[tokio::test]
async fn an_http_stage_is_listed_and_moved_by_its_deployment_id() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let get_stage = mock!(Client::get_stage)
        .then_output(|| GetStageOutput::builder().stage_name("prod").deployment_id("new1").auto_deploy(false).build());
    let get_deployments = mock!(Client::get_deployments).then_output(|| {
        GetDeploymentsOutput::builder()
            .items(deployment("old0", "proxy to monolith", 1_700_000_000))
            .items(deployment("new1", "v42", 1_760_000_000))
            .build()
    });
    let seen = Arc::clone(&sent);
    let update = mock!(Client::update_stage)
        .match_requests(move |input| {
            seen.lock().unwrap().push((input.api_id().map(str::to_string), input.deployment_id().map(str::to_string)));
            true
        })
        .then_output(|| UpdateStageOutput::builder().deployment_id("old0").build());
    let http = mock_client!(aws_sdk_apigatewayv2, RuleMode::MatchAny, &[&get_stage, &get_deployments, &update], |c| {
        c.retry_config(RetryConfig::disabled())
    });
    let stages = ApiGatewayStages::new(rest_client(), http);
    let prod = StageRef::Http { api_id: "h1".into(), stage: "prod".into() };

    let listed = stages.deployments(&prod).await.unwrap();
    assert_eq!(listed.current, "new1");
    let ids: Vec<&str> = listed.list.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["new1", "old0"], "newest first");
    assert_eq!(listed.list[1].description, "proxy to monolith");

    stages.set_deployment(&prod, "old0").await.unwrap();
    assert_eq!(*sent.lock().unwrap(), [(Some("h1".to_string()), Some("old0".to_string()))]);
}

#[tokio::test]
async fn an_auto_deployed_http_stage_is_refused_before_anything_is_sent() {
    let get_stage = mock!(Client::get_stage)
        .then_output(|| GetStageOutput::builder().stage_name("$default").deployment_id("a1").auto_deploy(true).build());
    let update = mock!(Client::update_stage).then_output(|| UpdateStageOutput::builder().build());
    let http = mock_client!(aws_sdk_apigatewayv2, RuleMode::MatchAny, &[&get_stage, &update], |c| {
        c.retry_config(RetryConfig::disabled())
    });
    let stages = ApiGatewayStages::new(rest_client(), http);
    let default = StageRef::Http { api_id: "h1".into(), stage: "$default".into() };

    let error = stages.deployments(&default).await.unwrap_err().to_string();
    assert!(error.contains("auto-deploy"), "{error}");
    let error = stages.set_deployment(&default, "a0").await.unwrap_err().to_string();
    assert!(error.contains("turn auto-deploy off"), "{error}");
    assert_eq!(update.num_calls(), 0);
}
