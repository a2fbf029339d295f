//! API Gateway set-ups on moto that tests of the stage rollback, `init` and `doctor` share.

/// A REST API named `name` whose root answers GET through an HTTP proxy, so that it can be deployed:
/// its id. The caller adds its deployments and stages.
pub async fn deployable_rest_api(client: &aws_sdk_apigateway::Client, name: &str) -> String {
    let api = client.create_rest_api().name(name).send().await.unwrap();
    let api_id = api.id().unwrap().to_string();
    let root = client.get_resources().rest_api_id(&api_id).send().await.unwrap();
    let root_id = root.items()[0].id().unwrap().to_string();
    let method = client.put_method().rest_api_id(&api_id).resource_id(&root_id).http_method("GET");
    method.authorization_type("NONE").send().await.unwrap();
    let integration = client.put_integration().rest_api_id(&api_id).resource_id(&root_id).http_method("GET");
    let integration = integration.r#type(aws_sdk_apigateway::types::IntegrationType::HttpProxy);
    integration.integration_http_method("GET").uri("http://127.0.0.1:9/").send().await.unwrap();
    api_id
}
