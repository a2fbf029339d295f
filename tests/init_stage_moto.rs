//! `cutover init` finds the stage, against moto, through the real binary: a distribution whose
//! Lambda origin is a REST API's `execute-api` domain on `/prod`, one whose origin is an HTTP API's
//! with no origin path (its `$default` stage), and one whose API id API Gateway does not know. The
//! file must name the right id key and stage, list the stage's deployments with their descriptions
//! under a commented `fallback_deployment`, load with the config loader, and `cutover stage --list`
//! must accept it.
//!
//! moto 5.2 has REST APIs' `GetRestApi`, `CreateDeployment`, `GetDeployments` and `GetStage`, and
//! HTTP APIs' `GetApi` and `GetStage`, but no HTTP API deployments (`CreateDeployment`,
//! `GetDeployments`): there the file says the deployments were not listed, and why. A stub API
//! Gateway on 127.0.0.1 covers what moto cannot: an HTTP API's deployments listed over the real
//! SDK and wire, and a denied API Gateway (403 `AccessDeniedException` to every call, as AWS answers
//! a policy without `apigateway:GET`): init still writes the file, with the stage commented and
//! why, and says it on standard error.

mod support;

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use aws_sdk_apigatewayv2::types::ProtocolType;
use cutover::config;
use serde_json::Value;
use support::api_gateway::deployable_rest_api;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::{clients, distribution_config, moto, sdk_config};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";

/// A distribution in moto whose `apigw` origin is on `domain` with `origin_path`: `/api/users/*` on
/// it, `/api/search/*` and the default on the ELB. Returns its id.
async fn create_distribution(test: &str, domain: &str, origin_path: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let reference = format!("init-stage-{test}-{}-{nanos}", std::process::id());
    let mut config = distribution_config(&reference, &[("/api/users/*", "apigw"), ("/api/search/*", "legacy")]);
    let apigw = &mut config.origins.as_mut().unwrap().items[0];
    apigw.domain_name = domain.to_string();
    apigw.origin_path = Some(origin_path.to_string());
    let out = clients(REGION).cloudfront.create_distribution().distribution_config(config).send().await.unwrap();
    out.distribution.unwrap().id
}

/// A REST API with one GET method, deployed twice with these descriptions, and the stage `prod` on
/// the second deployment. Returns the API id and the deployment ids.
async fn rest_api_on_prod(descriptions: [&str; 2]) -> (String, Vec<String>) {
    let client = aws_sdk_apigateway::Client::new(&sdk_config(&moto(), REGION));
    let api_id = deployable_rest_api(&client, "cutover-init-stage").await;
    let mut ids = Vec::new();
    for description in descriptions {
        let deployment = client.create_deployment().rest_api_id(&api_id).description(description).send().await;
        ids.push(deployment.unwrap().id().unwrap().to_string());
    }
    let stage = client.create_stage().rest_api_id(&api_id).stage_name("prod").deployment_id(&ids[1]);
    stage.send().await.unwrap();
    (api_id, ids)
}

/// `cutover init --distribution ID --output FILE` in a new home: the home, the file and its text.
fn init(id: &str) -> (TempDir, PathBuf, String, String, String) {
    let home = TempDir::new("cutover-init-stage");
    let file = home.path().join("written.toml");
    let args = ["init", "--distribution", id, "--output", file.to_str().unwrap()];
    let out = run_cutover(REGION, home.path(), Path::new("/nonexistent/cutover.toml"), &args, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    (home, file, text, stderr(&out), stdout(&out))
}

#[tokio::test]
async fn a_rest_api_origin_on_prod_gets_its_stage_and_deployments() {
    let (api_id, deployments) = rest_api_on_prod(["proxy to legacy ELB", "orders on Lambda"]).await;
    let id = create_distribution("rest", &format!("{api_id}.execute-api.{REGION}.amazonaws.com"), "/prod").await;
    let (home, file, text, stderr, stdout_text) = init(&id);

    assert!(!stderr.contains("stage"), "nothing to warn of: {stderr}");
    assert!(
        stdout_text.contains(&format!("stage (read from API Gateway, for the stage rollback D): REST {api_id}/prod;")),
        "{stdout_text}"
    );
    let table = format!("[distribution.stage]\nrest_api_id = \"{api_id}\"\nstage = \"prod\"\n");
    assert!(text.contains(&table), "{text}");
    assert!(!text.contains("http_api_id = ") && !text.contains("[distribution.route.stage]"), "{text}");
    let proxy = format!("#   {}  ", deployments[0]);
    let proxy = text.lines().find(|l| l.starts_with(&proxy)).unwrap_or_else(|| panic!("{text}"));
    assert!(proxy.ends_with("  \"proxy to legacy ELB\""), "{proxy}");
    let lambda = format!("#   {}  ", deployments[1]);
    let lambda = text.lines().find(|l| l.starts_with(&lambda)).unwrap_or_else(|| panic!("{text}"));
    assert!(lambda.ends_with("  \"orders on Lambda\" (current)"), "{lambda}");
    assert!(text.contains("# fallback_deployment = \"DEPLOYMENT-ID\"\n"), "{text}");
    // The routes' metric hint names the REST API as its CloudWatch metrics do: by its name.
    assert!(text.contains("# kind = \"rest\"\n# api_name = \"cutover-init-stage\"   # REST API"), "{text}");

    let loaded = config::load(&file).unwrap();
    let routes = ["/api/users/*", "/api/search/*", "*"].map(String::from);
    let stages = loaded.stages_of(&id, &routes);
    assert_eq!(stages.len(), 3, "every route's Lambda side is the one API");
    assert!(stages.values().all(|s| s.stage.label() == format!("REST {api_id}/prod")));

    // `cutover stage` reads the file as written and lists the stage from API Gateway.
    let listed = run_cutover(REGION, home.path(), &file, &["stage", "/api/users/*", "--list", "--json"], &[]);
    assert_eq!(code(&listed), 0, "{}", support::binary::stderr(&listed));
    let listed: Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!((listed["api"].as_str(), listed["stage"].as_str()), (Some("rest"), Some("prod")), "{listed}");
    assert_eq!(listed["current"], deployments[1].as_str(), "{listed}");
}

#[tokio::test]
async fn an_http_api_origin_without_a_path_gets_its_default_stage() {
    let client = aws_sdk_apigatewayv2::Client::new(&sdk_config(&moto(), REGION));
    let api = client.create_api().name("cutover-init-http").protocol_type(ProtocolType::Http).send().await.unwrap();
    let api_id = api.api_id().unwrap().to_string();
    client.create_stage().api_id(&api_id).stage_name("$default").auto_deploy(false).send().await.unwrap();
    let id = create_distribution("http", &format!("{api_id}.execute-api.{REGION}.amazonaws.com"), "").await;
    let (_home, file, text, stderr, _) = init(&id);

    let table = format!("[distribution.stage]\nhttp_api_id = \"{api_id}\"\nstage = \"$default\"\n");
    assert!(text.contains(&table), "{text}");
    assert!(!text.contains("rest_api_id = "), "{text}");
    // moto has no HTTP API deployments: the file and stderr say the list is missing, and why.
    assert!(text.contains("# Its deployments were not listed: reading arn:aws:apigateway:"), "{text}");
    assert!(stderr.contains(&format!("the deployments of stage HTTP {api_id}/$default were not listed")), "{stderr}");
    let loaded = config::load(&file).unwrap();
    let stages = loaded.stages_of(&id, &["/api/users/*".to_string()]);
    assert_eq!(stages["/api/users/*"].stage.label(), format!("HTTP {api_id}/$default"));
}

#[tokio::test]
async fn an_api_id_api_gateway_does_not_know_is_written_commented_with_why() {
    let id = create_distribution("unknown", &format!("zz0nosuch0.execute-api.{REGION}.amazonaws.com"), "/prod").await;
    let (_home, file, text, stderr, _) = init(&id);
    assert!(
        text.contains(
            "# Not filled in: zz0nosuch0 is neither a REST API (GetRestApi) nor an HTTP API (GetApi) in eu-west-1"
        ),
        "{text}"
    );
    assert!(text.contains("# [distribution.stage]\n# rest_api_id = \"zz0nosuch0\"\n"), "{text}");
    assert!(stderr.contains("cutover: warning: the stage of origin `apigw` was not filled in"), "{stderr}");
    let loaded = config::load(&file).unwrap();
    assert!(loaded.stages_of(&id, &["/api/users/*".to_string()]).is_empty());
}

/// How a stub API Gateway answers a request's path: status, `x-amzn-errortype` (if an error), body.
type Answer = fn(&str) -> (u16, Option<&'static str>, String);

/// An API Gateway on 127.0.0.1 that answers every request by `answer`. Returns its endpoint; it
/// serves until the test's runtime ends.
async fn stub_api_gateway(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 16 * 1024];
                let read = stream.read(&mut request).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..read]).into_owned();
                let path = request.split(' ').nth(1).unwrap_or_default().split('?').next().unwrap_or_default();
                let (status, error, body) = answer(path);
                let error = error.map(|e| format!("x-amzn-errortype: {e}\r\n")).unwrap_or_default();
                let answer = format!(
                    "HTTP/1.1 {status} Stub\r\ncontent-type: application/json\r\n{error}content-length: {}\r\n\
                     connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    endpoint
}

/// Every call denied, as AWS answers a policy without `apigateway:GET`.
fn denying(_path: &str) -> (u16, Option<&'static str>, String) {
    let message = "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: apigateway:GET";
    (403, Some("AccessDeniedException"), format!(r#"{{"message":"{message}"}}"#))
}

/// HTTP API `h1` with its `$default` stage on `dep2` and two deployments; no REST API at all.
fn http_api_h1(path: &str) -> (u16, Option<&'static str>, String) {
    let found = |body: &str| (200, None, body.to_string());
    match path {
        "/v2/apis/h1" => found(r#"{"apiId":"h1","name":"orders","protocolType":"HTTP"}"#),
        "/v2/apis/h1/stages/%24default" | "/v2/apis/h1/stages/$default" => {
            found(r#"{"stageName":"$default","deploymentId":"dep2","autoDeploy":false}"#)
        }
        "/v2/apis/h1/deployments" => found(
            r#"{"items":[{"deploymentId":"dep1","description":"proxy to legacy ELB","createdDate":"2026-11-28T09:10:00Z"},
            {"deploymentId":"dep2","description":"orders on Lambda","createdDate":"2026-11-30T14:02:00Z"}]}"#,
        ),
        _ => (404, Some("NotFoundException"), r#"{"message":"Invalid API identifier specified"}"#.to_string()),
    }
}

/// `cutover init` for `id` with API Gateway (both kinds) at `endpoint`: its output, the file, its text.
fn init_with_api_gateway(id: &str, endpoint: &str) -> (std::process::Output, TempDir, PathBuf, String) {
    let home = TempDir::new("cutover-init-stage-stub");
    let file = home.path().join("written.toml");
    let args = ["init", "--distribution", id, "--output", file.to_str().unwrap()];
    let env = [("AWS_ENDPOINT_URL_API_GATEWAY", endpoint), ("AWS_ENDPOINT_URL_APIGATEWAYV2", endpoint)];
    let out = tokio::task::block_in_place(|| {
        run_cutover(REGION, home.path(), Path::new("/nonexistent/cutover.toml"), &args, &env)
    });
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).unwrap();
    (out, home, file, text)
}

/// What moto cannot: an HTTP API's deployments, listed over the real SDK and wire (a stub that
/// says `h1` is no REST API, then answers `GetApi`, `GetStage` and `GetDeployments`).
#[tokio::test(flavor = "multi_thread")]
async fn an_http_api_stage_lists_its_deployments_newest_first_with_the_current_marked() {
    let id = create_distribution("http-stub", &format!("h1.execute-api.{REGION}.amazonaws.com"), "").await;
    let endpoint = stub_api_gateway(http_api_h1).await;
    let (out, _home, file, text) = init_with_api_gateway(&id, &endpoint);
    assert!(!stderr(&out).contains("stage"), "{}", stderr(&out));
    assert!(
        text.contains(
            "[distribution.stage]\nhttp_api_id = \"h1\"\nstage = \"$default\"\n\
             # The deployment whose integration proxies to the monolith, offered first by D.\n\
             # The stage's recent deployments, newest first (UTC):\n\
             #   dep2  2026-11-30 14:02  \"orders on Lambda\" (current)\n\
             #   dep1  2026-11-28 09:10  \"proxy to legacy ELB\"\n\
             # fallback_deployment = \"DEPLOYMENT-ID\"\n"
        ),
        "{text}"
    );
    let stages = config::load(&file).unwrap().stages_of(&id, &["*".to_string()]);
    assert_eq!(stages["*"].stage.label(), "HTTP h1/$default");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_api_gateway_leaves_the_stage_commented_and_init_still_succeeds() {
    let (api_id, _) = rest_api_on_prod(["proxy to legacy ELB", "orders on Lambda"]).await;
    let id = create_distribution("denied", &format!("{api_id}.execute-api.{REGION}.amazonaws.com"), "/prod").await;
    let endpoint = stub_api_gateway(denying).await;
    let (out, _home, file, text) = init_with_api_gateway(&id, &endpoint);
    let why = format!(
        "apigateway:GET on arn:aws:apigateway:{REGION}::/restapis/{api_id} was denied (GetRestApi is not allowed"
    );
    assert!(text.contains(&format!("# Not filled in: {why}")), "{text}");
    assert!(text.contains(&format!("# [distribution.stage]\n# rest_api_id = \"{api_id}\"\n")), "{text}");
    assert!(text.contains("# stage = \"prod\"\n"), "{text}");
    assert!(
        stderr(&out).contains(&format!(
            "cutover: warning: the stage of origin `apigw` was not filled in (written commented): {why}"
        )),
        "{}",
        stderr(&out)
    );
    let loaded = config::load(&file).unwrap();
    assert!(loaded.stages_of(&id, &["/api/users/*".to_string()]).is_empty());
}
