//! The stage rollback's REST side against moto's API Gateway: a REST API with two deployments and
//! a stage, listed, the stage moved to the older deployment, and read back.

mod support;

use cutover::backend::aws::ApiGatewayStages;
use cutover::backend::stage::{StageControl, StageRef};
use support::api_gateway::deployable_rest_api;
use support::emulators::{moto, sdk_config};

#[tokio::test]
async fn a_rest_stage_lists_its_deployments_and_moves_to_an_older_one() {
    let sdk = sdk_config(&moto(), "eu-west-1");
    let client = aws_sdk_apigateway::Client::new(&sdk);
    let api_id = deployable_rest_api(&client, "cutover-stage").await;
    let deploy = |description: &'static str| {
        let call = client.create_deployment().rest_api_id(&api_id).description(description);
        async move { call.send().await.unwrap().id().unwrap().to_string() }
    };
    let proxy = deploy("proxy to monolith").await;
    let lambda = deploy("v42").await;
    let stage = client.create_stage().rest_api_id(&api_id).stage_name("prod").deployment_id(&lambda);
    stage.send().await.unwrap();

    let stages = ApiGatewayStages::from_sdk_config(&sdk);
    let prod = StageRef::Rest { rest_api_id: api_id.clone(), stage: "prod".into() };
    let listed = stages.deployments(&prod).await.unwrap();
    assert_eq!(listed.current, lambda);
    let mut ids: Vec<&str> = listed.list.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![proxy.as_str(), lambda.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let described = listed.list.iter().find(|d| d.id == proxy).unwrap();
    assert_eq!(described.description, "proxy to monolith");

    stages.set_deployment(&prod, &proxy).await.unwrap();
    assert_eq!(stages.deployments(&prod).await.unwrap().current, proxy);
    let read = client.get_stage().rest_api_id(&api_id).stage_name("prod").send().await.unwrap();
    assert_eq!(read.deployment_id(), Some(proxy.as_str()));

    let missing = StageRef::Rest { rest_api_id: api_id, stage: "nope".into() };
    assert!(stages.deployments(&missing).await.is_err());
}

/// A deployment described by 100 KB (a pipeline pasting a whole changelog) is kept cut to 200
/// characters with a mark saying how much was left out, so `stage --list`, the picker and the
/// dialog never print it whole.
#[tokio::test]
async fn a_100_kb_deployment_description_is_kept_cut_with_a_mark() {
    use cutover::domain::visible::MAX_AWS_TEXT_CHARS;
    let sdk = sdk_config(&moto(), "eu-west-1");
    let client = aws_sdk_apigateway::Client::new(&sdk);
    let api_id = deployable_rest_api(&client, "cutover-long-description").await;
    let changelog = "fix: a line of the changelog\n".repeat(3_500);
    assert!(changelog.len() >= 100_000);
    let deployment = client.create_deployment().rest_api_id(&api_id).description(&changelog).send().await.unwrap();
    let id = deployment.id().unwrap().to_string();
    let stage = client.create_stage().rest_api_id(&api_id).stage_name("prod").deployment_id(&id);
    stage.send().await.unwrap();

    let stages = ApiGatewayStages::from_sdk_config(&sdk);
    let prod = StageRef::Rest { rest_api_id: api_id, stage: "prod".into() };
    let listed = stages.deployments(&prod).await.unwrap();
    let kept = &listed.list.iter().find(|d| d.id == id).unwrap().description;
    let more = changelog.chars().count() - MAX_AWS_TEXT_CHARS;
    let mark = format!("… ({} more characters)", cutover::domain::format::thousands(more as u64));
    assert!(kept.starts_with("fix: a line of the changelog\nfix:"), "{kept}");
    assert!(kept.ends_with(&mark), "{kept}");
    assert_eq!(kept.chars().count(), MAX_AWS_TEXT_CHARS + mark.chars().count());
}
