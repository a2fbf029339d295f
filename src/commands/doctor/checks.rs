//! What `cutover doctor` checks and what each answer means, without AWS: the checks a config
//! implies (metric sources, stages, the permissions the emergency path needs), each check's outcome
//! (ready, missing, not verifiable) with its fix, and the ARNs the fixes and IAM's simulation name.

use std::time::Duration;

use serde::Serialize;

use crate::backend::BackendError;
use crate::backend::aws::metrics::queries::{self, Endpoint, Field, Query, Slot};
use crate::config::{ApiGateway, Config};
use crate::domain::stage::{RouteStage, StageRef};
use crate::domain::visible;

/// How long one check may take before it counts as unanswered: a hung endpoint stalls its own
/// line, never the run.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(4);

/// The phrase a permission check says when IAM would not simulate it.
pub const NOT_VERIFIABLE: &str = "not verifiable without a write";

/// A check's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// ✓ what an incident needs is there.
    Ready,
    /// ✗ what an incident needs is not there (or did not answer).
    Missing,
    /// ? it could not be known without trying it for real: unknown, so never healthy.
    Unverifiable,
}

impl Status {
    pub fn mark(self) -> char {
        match self {
            Status::Ready => '✓',
            Status::Missing => '✗',
            Status::Unverifiable => '?',
        }
    }
}

/// One line of the report; its field names are the JSON's, and stay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub distribution: String,
    /// What kind of check: `credentials`, `distribution`, `route_numbers`, `metrics`, `lambda_account`,
    /// `router_function`, `router_store`, `router_records`, `stage`, `edge_logs`, `journal`,
    /// `permission`.
    pub check: &'static str,
    pub status: Status,
    /// What was checked, and what was found.
    pub detail: String,
    /// What to do, for ✗ and ?.
    pub fix: Option<String>,
}

impl Outcome {
    pub fn ready(check: &'static str, detail: impl Into<String>) -> Self {
        Outcome { distribution: String::new(), check, status: Status::Ready, detail: detail.into(), fix: None }
    }

    pub fn missing(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Outcome {
            distribution: String::new(),
            check,
            status: Status::Missing,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn unverifiable(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Outcome { status: Status::Unverifiable, ..Self::missing(check, detail, fix) }
    }

    /// The same outcome, said of `distribution`.
    pub fn of(self, distribution: &str) -> Self {
        Outcome { distribution: distribution.to_string(), ..self }
    }

    /// A call that failed: `what` (the check in words) and why, with the fix its cause calls for —
    /// `grant` (the IAM action and resource) when AWS said no. Unanswered is missing: in an
    /// incident an endpoint that does not answer is as good as a permission that is not there.
    pub fn failed(check: &'static str, what: &str, error: &BackendError, grant: &str) -> Self {
        let detail = format!("{what}: {}", visible::escape(&error.to_string()));
        match error {
            BackendError::AccessDenied(_) => Self::missing(check, detail, format!("grant {grant}")),
            BackendError::Credentials(_) => Self::missing(
                check,
                detail,
                "get credentials (aws sso login, --profile NAME), then run cutover doctor again",
            ),
            BackendError::Throttling => {
                Self::unverifiable(check, detail, "AWS throttled the check; run cutover doctor again in a minute")
            }
            BackendError::Network(_) | BackendError::Timeout => Self::missing(
                check,
                detail,
                "check the network and any AWS_ENDPOINT_URL_* override, then run cutover doctor again",
            ),
            _ => Self::missing(check, detail, format!("make sure it exists and grant {grant}")),
        }
    }

    /// A check that did not answer within [`CHECK_TIMEOUT`].
    pub fn unanswered(check: &'static str, what: &str) -> Self {
        Self::missing(
            check,
            format!("{what}: no answer within {} s", CHECK_TIMEOUT.as_secs()),
            "check the network and any AWS_ENDPOINT_URL_* override, then run cutover doctor again",
        )
    }
}

/// `arn:aws:cloudfront::ACCOUNT:distribution/ID`.
pub fn distribution_arn(account: &str, distribution_id: &str) -> String {
    format!("arn:aws:cloudfront::{account}:distribution/{distribution_id}")
}

/// The stage's ARN as API Gateway's IAM actions name it: `arn:aws:apigateway:REGION::/restapis/ID/stages/NAME`
/// (`/apis/ID/…` for an HTTP API).
pub fn stage_arn(region: &str, stage: &StageRef) -> String {
    match stage {
        StageRef::Rest { rest_api_id, stage } => {
            format!("arn:aws:apigateway:{region}::/restapis/{rest_api_id}/stages/{stage}")
        }
        StageRef::Http { api_id, stage } => format!("arn:aws:apigateway:{region}::/apis/{api_id}/stages/{stage}"),
    }
}

/// The stage in words, for a line.
pub fn stage_words(stage: &StageRef) -> String {
    match stage {
        StageRef::Rest { rest_api_id, stage } => format!("stage {stage} of REST API {rest_api_id}"),
        StageRef::Http { api_id, stage } => format!("stage {stage} of HTTP API {api_id}"),
    }
}

/// The principal IAM can simulate for a caller: a user or role as it is, an assumed-role session
/// as its role (`arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R`). The session's ARN has
/// no path; `permissions::check` asks `GetRole` for the role's whole ARN. `Err` says why there is none
/// (the root user, a federated user).
pub fn principal_of(caller_arn: &str) -> Result<String, String> {
    let parts: Vec<&str> = caller_arn.splitn(6, ':').collect();
    let [_, partition, service, _, account, resource] = parts[..] else {
        return Err(format!("{caller_arn} is not an ARN"));
    };
    match (service, resource.split_once('/')) {
        ("sts", Some(("assumed-role", rest))) => {
            let role = rest.split('/').next().unwrap_or_default();
            Ok(format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        ("iam", Some(("user" | "role", _))) => Ok(caller_arn.to_string()),
        _ => Err(format!("IAM cannot simulate the policies of {caller_arn}")),
    }
}

/// The account of an ARN (its fifth field), when it has one.
pub fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// One metric source of one route: the query whose data says the source is named right.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricSource {
    pub route: String,
    /// The source in words: `Lambda function api-user (AWS/Lambda Invocations)`.
    pub what: String,
    /// Where its names are written in the config.
    pub config_key: String,
    pub query: Query,
}

/// Every configured metric source of the distribution's routes, each by its request count (the
/// number every source has whenever anyone called it), from the same query builder as the
/// console's refresh: API Gateway or the function for the Lambda side (the function again for
/// throttles when API Gateway counts the requests), the route's ALB target group for the origin.
pub fn metric_sources(config: &Config, distribution_id: &str) -> Vec<MetricSource> {
    let Some(distribution) = config.distribution(distribution_id) else { return Vec::new() };
    let paths: Vec<String> = distribution.routes.iter().map(|r| r.path.get_ref().clone()).collect();
    let plan = queries::plan(distribution_id, Some(distribution), config.latency_statistic(), &paths, None);
    let mut sources = Vec::new();
    for query in plan.queries {
        let Slot::Route { index, field } = query.slot else { continue };
        let Some(route) = distribution.routes.get(index) else { continue };
        let path = route.path.get_ref().clone();
        let (what, config_key) = match field {
            Field::LambdaRequests => match &route.api_gateway {
                Some(ApiGateway::Rest { api_name, .. }) => {
                    (format!("REST API {api_name}"), "[distribution.route.api_gateway]".to_string())
                }
                Some(ApiGateway::Http { api_id, .. }) => {
                    (format!("HTTP API {api_id}"), "[distribution.route.api_gateway]".to_string())
                }
                None => (
                    format!("Lambda function {}", route.lambda_function.as_deref().unwrap_or_default()),
                    "lambda_function".to_string(),
                ),
            },
            // The function's own throttles, asked for separately only when API Gateway counts the requests.
            Field::Throttles if route.api_gateway.is_some() => (
                format!("Lambda function {}", route.lambda_function.as_deref().unwrap_or_default()),
                "lambda_function".to_string(),
            ),
            Field::OriginRequests => match &route.alb {
                Some(alb) => (format!("ALB target group {}", alb.target_group), "[distribution.route.alb]".to_string()),
                None => continue,
            },
            _ => continue,
        };
        let query = if field == Field::Throttles { Query { metric: "Invocations", ..query } } else { query };
        let what = format!("{what} ({} {})", query.namespace, query.metric);
        sources.push(MetricSource { route: path, what, config_key, query });
    }
    sources
}

/// The fix for a source with no data in the last hour.
pub fn no_data_fix(source: &MetricSource, file: &str) -> String {
    format!(
        "check the names in {} of route {} in {file} (an empty source shows the route with no numbers during an \
         incident); if the route had no traffic this hour, run doctor again when it has",
        source.config_key, source.route
    )
}

/// Which client a source's query goes to: 0 the distribution's account, else the index of the
/// config's `lambda_accounts` (by name) plus one.
pub fn account_index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Account(i) => i,
        Endpoint::Regional | Endpoint::Global => 0,
    }
}

/// Each configured stage of the distribution once (a stage shared by several routes is one check).
pub fn stages(config: &Config, distribution_id: &str) -> Vec<RouteStage> {
    let Some(distribution) = config.distribution(distribution_id) else { return Vec::new() };
    let paths: Vec<String> = distribution.routes.iter().map(|r| r.path.get_ref().clone()).collect();
    let mut found: Vec<RouteStage> = config.stages_of(distribution_id, &paths).into_values().collect();
    if let Some(shared) = distribution.stage.as_ref().and_then(|s| s.route_stage()) {
        found.push(shared);
    }
    found.sort_by_key(|s| stage_words(&s.stage));
    found.dedup_by(|a, b| a.stage == b.stage);
    found
}

/// One write the emergency path makes, as IAM names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub action: &'static str,
    pub resource: String,
    /// Who sends it, for the fix.
    pub used_by: &'static str,
}

/// `UpdateKeys` on the router's store: what `+`, `-`, `weight` and `rollout` write.
pub fn store_permission(store_arn: &str) -> Permission {
    Permission {
        action: "cloudfront-keyvaluestore:UpdateKeys",
        resource: store_arn.to_string(),
        used_by: "+, -, weight and rollout",
    }
}

/// The writes an incident needs: `UpdateDistribution` on the distribution (`R`, `s`,
/// `rollback-all`), `UpdateKeys` on the router's store when there is one (`+`/`-`, `weight`), and
/// `apigateway:PATCH` on each stage (`D`, `cutover stage`).
pub fn emergency_permissions(
    account: &str,
    distribution_id: &str,
    store_arn: Option<&str>,
    stages: &[RouteStage],
    region: &str,
) -> Vec<Permission> {
    let mut wanted = vec![Permission {
        action: "cloudfront:UpdateDistribution",
        resource: distribution_arn(account, distribution_id),
        used_by: "R, s, rollback-all and switch",
    }];
    wanted.extend(store_arn.map(store_permission));
    for stage in stages {
        wanted.push(Permission {
            action: "apigateway:PATCH",
            resource: stage_arn(region, &stage.stage),
            used_by: "D and cutover stage",
        });
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EXAMPLE, parse};

    #[test]
    fn an_assumed_role_session_is_simulated_as_its_role() {
        assert_eq!(
            principal_of("arn:aws:sts::123456789012:assumed-role/oncall/ana@example.com"),
            Ok("arn:aws:iam::123456789012:role/oncall".to_string())
        );
        assert_eq!(principal_of("arn:aws:iam::123456789012:user/ana"), Ok("arn:aws:iam::123456789012:user/ana".into()));
        assert_eq!(
            principal_of("arn:aws-cn:sts::123456789012:assumed-role/r/s"),
            Ok("arn:aws-cn:iam::123456789012:role/r".into())
        );
        assert!(principal_of("arn:aws:iam::123456789012:root").is_err());
        assert!(principal_of("arn:aws:sts::123456789012:federated-user/ana").is_err());
        assert!(principal_of("nonsense").is_err());
    }

    #[test]
    fn arns_are_as_iam_names_them() {
        assert_eq!(distribution_arn("123456789012", "E1"), "arn:aws:cloudfront::123456789012:distribution/E1");
        let rest = StageRef::Rest { rest_api_id: "abc".into(), stage: "prod".into() };
        assert_eq!(stage_arn("eu-west-1", &rest), "arn:aws:apigateway:eu-west-1::/restapis/abc/stages/prod");
        let http = StageRef::Http { api_id: "h1".into(), stage: "$default".into() };
        assert_eq!(stage_arn("eu-west-1", &http), "arn:aws:apigateway:eu-west-1::/apis/h1/stages/$default");
        assert_eq!(account_of("arn:aws:iam::210987654321:role/r"), Some("210987654321"));
        assert_eq!(account_of("arn:aws:cloudfront::"), None);
    }

    #[test]
    fn every_configured_metric_source_is_one_check_by_its_request_count() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let sources = metric_sources(&config, "E2ABCDEF12345");
        let seen: Vec<(&str, &str)> = sources.iter().map(|s| (s.route.as_str(), s.what.as_str())).collect();
        assert!(seen.contains(&("/user/*", "Lambda function api-user-id (AWS/Lambda Invocations)")), "{seen:?}");
        assert!(seen.contains(&("/orders/*", "REST API api (AWS/ApiGateway Count)")), "{seen:?}");
        assert!(seen.contains(&("/orders/*", "Lambda function api-orders (AWS/Lambda Invocations)")), "{seen:?}");
        assert!(seen.iter().any(|(route, what)| *route == "*" && what.starts_with("ALB target group")), "{seen:?}");
        assert!(sources.iter().all(|s| matches!(s.query.slot, Slot::Route { .. })));
        assert!(metric_sources(&config, "E-NOT-THERE").is_empty());
    }

    #[test]
    fn a_stage_shared_by_routes_is_checked_once_and_a_routes_own_stage_too() {
        let text = "[[distribution]]\nid = \"E1\"\nlambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n\
                    [distribution.stage]\nrest_api_id = \"abc\"\nstage = \"prod\"\n\
                    [[distribution.route]]\npath = \"/a/*\"\n\
                    [[distribution.route]]\npath = \"/b/*\"\n\
                    [[distribution.route]]\npath = \"/c/*\"\n\
                    [distribution.route.stage]\nhttp_api_id = \"h1\"\nstage = \"live\"\n";
        let config = parse(text, "c.toml").unwrap();
        let words: Vec<String> = stages(&config, "E1").iter().map(|s| stage_words(&s.stage)).collect();
        assert_eq!(words, ["stage live of HTTP API h1", "stage prod of REST API abc"]);
    }

    #[test]
    fn the_emergency_path_needs_the_distribution_and_the_store_and_stages_when_there_are_some() {
        let stage = RouteStage {
            stage: StageRef::Rest { rest_api_id: "abc".into(), stage: "prod".into() },
            fallback_deployment: None,
        };
        let all = emergency_permissions("1", "E1", Some("arn:kvs"), std::slice::from_ref(&stage), "eu-west-1");
        let actions: Vec<&str> = all.iter().map(|p| p.action).collect();
        assert_eq!(
            actions,
            ["cloudfront:UpdateDistribution", "cloudfront-keyvaluestore:UpdateKeys", "apigateway:PATCH"]
        );
        assert_eq!(emergency_permissions("1", "E1", None, &[], "eu-west-1").len(), 1);
    }

    #[test]
    fn a_denied_call_says_what_to_grant_and_an_unanswered_one_is_missing() {
        let denied = Outcome::failed(
            "distribution",
            "GetDistributionConfig of E1",
            &BackendError::AccessDenied("no".into()),
            "cloudfront:GetDistributionConfig on arn:x",
        );
        assert_eq!(
            (denied.status, denied.fix.as_deref()),
            (Status::Missing, Some("grant cloudfront:GetDistributionConfig on arn:x"))
        );
        assert_eq!(Outcome::failed("x", "y", &BackendError::Timeout, "g").status, Status::Missing);
        assert_eq!(Outcome::failed("x", "y", &BackendError::Throttling, "g").status, Status::Unverifiable);
        assert!(Outcome::unanswered("x", "y").detail.contains("no answer within 4 s"));
    }
}
