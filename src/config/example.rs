//! A complete, commented config file: the reference for the format.

/// A complete config for one distribution with three routes, one for each metric source: a Lambda
/// function, a REST API, and an HTTP API with the origin side on its own ALB target group.
pub const EXAMPLE: &str = r#"# cutover configuration: ~/.config/cutover/cutover.toml, or pass --config PATH.
# `cutover init --distribution ID` writes a starter file from a live distribution.
# Every key outside [[distribution]] is optional; the values below are the defaults.

# Seconds between metric refreshes, 10 to 3600. CloudWatch has one-minute data, so refreshing
# more often costs more without showing anything new.
refresh_seconds = 60

# CloudWatch statistic for latency: a percentile ("p50", "p95", "p99", "p99.9", ...) or one of
# "Average", "Maximum", "Minimum", "Sum", "SampleCount".
latency_statistic = "p99"

# Account Lambda concurrency limit to assume when Lambda GetAccountSettings is not allowed;
# shown with "(assumed)".
concurrency_limit = 1000

# After a switch, the share of a route's requests (percent, 50 to 100) the new side must carry in
# one minute of CloudWatch numbers for its traffic to count as moved, and the minutes (1 to 120)
# after which a switch whose traffic has not moved gets a warning.
traffic_moved_pct = 95
traffic_moved_warn_minutes = 10

# Region of the Lambda, API Gateway and ALB metrics. Without it, the AWS default region is used.
# (CloudFront's own metrics always come from us-east-1.)
region = "eu-west-1"

# true: watch only, never switch a route.
read_only = false

# Alert thresholds for every route. A route alerts when a threshold is crossed in `periods`
# consecutive one-minute periods.
[thresholds]
error_rate_pct = 5.0      # 5xx responses, percent of requests
latency_ms = 1000         # latency at `latency_statistic`, milliseconds
throttles_per_min = 0     # Lambda throttles per minute
periods = 3               # consecutive one-minute periods, 1 to 60

# Probes: requests through the distribution that show who serves a route (the book, "Probes").
# After a switch, every route with a probe is probed every `every_secs` for `for_secs`: 37
# requests per route and switch with these values. A probe gives up after `timeout_secs`, and a
# distribution never sends more than `max_per_minute` probes in a minute, all routes together.
[probes]
every_secs = 5            # 1 to 300
for_secs = 180            # 10 to 3600
timeout_secs = 3          # 1 to 30, at most every_secs
max_per_minute = 30       # 1 to 120

# Rollout plans of routed routes (the book, "Rollout plans"), by name: steps of a Lambda share and a
# hold (s, m or h; at least 1m, at most 168h), shares rising to 100%. `default` is built in (as
# below) and may be replaced here; a distribution or a route chooses another with `plan = "NAME"`.
[plans]
careful = "1% 30m, 5% 30m, 25% 1h, 50% 1h, 100%"

# Notifications (the book, "Notifications"): a Slack-compatible webhook ({"text": ...} POSTed), an
# SNS topic, or both. At most one message a second per target, notices of the same second joined;
# a webhook's 429 waits as its Retry-After says; a failure is logged and never holds up a move.
# Every message names the operator, the route(s), from -> to and the distribution.
# [notify]
# webhook_url_env = "CUTOVER_WEBHOOK"   # the variable holding the URL (or webhook_url = "https://...", not both)
# sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:oncall"
# What to notify of, among switch_requested, switch_accepted, switch_deployed, switch_failed,
# switch (those four), rollback (any move back to the origin or a stage's fallback), guard,
# auto_rollback, plan_step, plan_end, plan (both), stage, outside_change, audit_failure.
# Default: every switch's request, deployment and failure, rollback, guard, auto_rollback,
# plan_end, stage, outside_change, audit_failure (not switch_accepted nor plan_step).
# on = ["switch", "rollback", "guard", "outside_change"]

# The team's shared journal (the book, "Working as a team"): every record of the audit trail is also
# sent to this CloudWatch Logs log group (one log stream per run), and every run reads the others'
# records from it. Default: /cutover/<distribution id>, one group per distribution; a group named
# here is shared by every distribution of the file.
# [team]
# log_group = "/cutover/E2ABCDEF12345"

# One table per CloudFront distribution.
[[distribution]]
id = "E2ABCDEF12345"
# The rollout plan of this distribution's routed routes that name none (default: "default",
# 1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%).
plan = "careful"
# Origin ids (as in the distribution's Origins) that count as Lambda: API Gateway and Lambda
# function URL origins. A route that names no lambda_origin of its own goes to the first.
lambda_origins = ["apigw-rest", "apigw-http"]
# Origin ids that count as legacy origins: the monolith's ELB, EC2, anything served over HTTP.
# Never an S3 or MediaStore origin: routes on an origin in neither list are shown, never moved.
# A route on one of these keeps it as its home; a route on Lambda that names no legacy_origin
# goes back to the first.
legacy_origins = ["legacy-elb", "admin-elb"]
# Origin request policy to attach, in the same update, to a route switched to Lambda (here AWS's
# managed AllViewerExceptHostHeader: API Gateway answers 403 when the viewer's Host reaches it).
# Optional, and routes may name their own; legacy_origin_request_policy is the same for going back.
# lambda_origin_request_policy = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

# A header and value each side adds to its responses, so that probes know for certain who
# answered: API Gateway and function URLs name themselves in their headers, an ALB never does.
# Optional, either or both.
[distribution.probe_markers]
origin = { header = "x-served-by", value = "monolith" }
# lambda = { header = "x-served-by", value = "lambda" }

# Other AWS accounts the Lambda side of some routes lives in (the book, "Lambda in other accounts"),
# one table each, by a name of your choice. Its metrics and its Lambda concurrency are read with a
# profile, a role assumed with the profile's credentials (or else the distribution's), or both;
# CloudFront is always read with the distribution's own. The routes on its lambda_origins live
# there, and so does a route that names it with account = "NAME". Without any, every route's
# Lambda side is read with the distribution's credentials.
# [distribution.lambda_accounts.payments]
# role_arn = "arn:aws:iam::210987654321:role/cutover-read"
# external_id = "cutover"       # when the role's trust policy asks for one
# profile = "payments"          # a profile to read with, or to assume role_arn from
# region = "eu-central-1"       # default: region above
# concurrency_limit = 3000      # assumed when GetAccountSettings is not allowed; default: above
# lambda_origins = ["apigw-http"]

# CloudFront real-time logs ("edge logs"; the book, "Edge logs"): each viewer request's line, in
# seconds, through a Kinesis data stream. `cutover edge-logs install` makes the stream (when it is
# named cutover-...), the role CloudFront assumes and a real-time log configuration, and puts it on
# the chosen behaviors. Optional; without it a route has CloudWatch's numbers only.
[distribution.edge_logs]
stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/cutover-edge-E2ABCDEF12345"
# A real-time log configuration your team already has, adopted instead of making one: cutover
# reads its fields and stream, says which of its fields it lacks, and never changes or deletes it.
# realtime_log_config_arn = "arn:aws:cloudfront::123456789012:realtime-log-config/team-logs"
# Without realtime_log_config_arn: the fields of the configuration cutover makes, in the order the
# lines carry them (these six are the ones cutover reads; more may be added).
fields = ["timestamp", "sc-status", "time-taken", "x-edge-location", "x-edge-detailed-result-type", "cache-behavior-path-pattern"]
# The percentage of requests CloudFront logs, 1 to 100; the numbers are scaled back up.
sampling_percent = 100
# The seconds of edge numbers a guard and "viewers healthy" look at, 5 to 600.
edge_window_secs = 30

# One table per cache behavior that has metric sources or thresholds of its own. `path` is the
# behavior's path pattern exactly as CloudFront has it, or "*" for the default behavior.
# Behaviors not listed here are still shown and switchable, with distribution-wide numbers only.

# Lambda side measured on the function itself (AWS/Lambda, FunctionName).
[[distribution.route]]
path = "/user/*"
# Where the route goes back to (its home) and where it goes to; `cutover init` writes both.
legacy_origin = "admin-elb"
lambda_origin = "apigw-rest"
lambda_function = "api-user-id"
# The account its Lambda side lives in (a name of lambda_accounts), over its Lambda origin's.
# account = "payments"
# Switch this route back to the origin by itself when it alerts (once; never again by itself).
auto_rollback = false
# Per-route thresholds: any of the [thresholds] keys; the rest come from [thresholds].
[distribution.route.thresholds]
error_rate_pct = 2.0

# Lambda side measured at a REST API (AWS/ApiGateway: ApiName, Stage, Resource, Method;
# needs detailed metrics on the stage).
[[distribution.route]]
path = "/orders/*"
legacy_origin = "legacy-elb"
# Attach this origin request policy when the route moves to Lambda, and this one when it goes back.
lambda_origin_request_policy = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
legacy_origin_request_policy = "216adef6-5c7f-47e4-b989-5492eafa07d3"
# false: cutover shows the route and never moves it (init writes it when it cannot tell the home).
switchable = true
lambda_function = "api-orders"
[distribution.route.api_gateway]
kind = "rest"
api_name = "api"
stage = "prod"
resource = "/orders/{id}"
method = "GET"
# A probe of the route: a real path to request through the distribution (not the pattern), GET
# (default) or HEAD, and the status a healthy answer has (default 200). `host` is the Host header
# (default: the distribution's first alias, else its *.cloudfront.net name); `base_url` sends the
# request elsewhere than https://HOST (a test's http://127.0.0.1:PORT); `headers` are added.
[distribution.route.probe]
path = "/orders/health"
method = "GET"
expect_status = 200
# host = "api.example.com"
# base_url = "http://127.0.0.1:8080"
# headers = { accept = "application/json" }
# The API Gateway stage that serves the route's Lambda side, for the stage rollback (the book,
# "Stage rollback"): rest_api_id for a REST API or http_api_id for an HTTP API, the stage, and the
# deployment whose integration proxies to the monolith, offered first. [distribution.stage] sets
# one for every route of the distribution that names none.
[distribution.route.stage]
rest_api_id = "a1b2c3d4e5"
stage = "prod"
fallback_deployment = "abc123"

# Lambda side measured at an HTTP API (AWS/ApiGateway: ApiId, Stage, Resource, Method), and the
# origin side at the route's own ALB target group (AWS/ApplicationELB: LoadBalancer, TargetGroup).
# Routes without their own target group have no per-route origin numbers.
[[distribution.route]]
path = "*"
[distribution.route.api_gateway]
kind = "http"
api_id = "a1b2c3d4e5"
stage = "$default"
resource = "/{proxy+}"
method = "ANY"
[distribution.route.alb]
load_balancer = "app/legacy/0123456789abcdef"
target_group = "targetgroup/catch-all/0123456789abcdef"
[distribution.route.thresholds]
latency_ms = 2500
periods = 5
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Alb, ApiGateway, parse, validate_against};
    use crate::domain::{Target, Thresholds};

    #[test]
    fn the_example_parses_with_every_metric_source() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        assert_eq!(config.refresh_interval().as_secs(), 60);
        assert_eq!(config.latency_statistic(), "p99");
        let edge = config.edge_logs_of("E2ABCDEF12345").unwrap();
        assert_eq!((edge.fields.len(), edge.sampling_percent, edge.window.as_secs()), (6, 100, 30));
        assert_eq!(config.concurrency_limit(), 1000);
        assert_eq!(config.region(), Some("eu-west-1"));
        assert!(!config.read_only);

        let d = config.distribution("E2ABCDEF12345").unwrap();
        assert_eq!(d.origin_id_for(Target::Lambda), Some("apigw-rest"));
        assert_eq!(d.origin_id_for(Target::Origin), Some("legacy-elb"));
        assert_eq!(d.target_of("apigw-http"), Some(Target::Lambda));
        assert_eq!(d.target_of("legacy-elb"), Some(Target::Origin));
        assert_eq!(d.target_of("elsewhere"), None);
        assert_eq!(d.routes.len(), 3);

        let user = d.route("/user/*").unwrap();
        assert_eq!(user.lambda_function.as_deref(), Some("api-user-id"));
        assert_eq!((user.api_gateway.as_ref(), user.alb.as_ref(), user.auto_rollback), (None, None, false));

        let default = d.route("*").unwrap();
        let api = default.api_gateway.as_ref().unwrap();
        assert!(matches!(api, ApiGateway::Http { api_id, .. } if api_id == "a1b2c3d4e5"));
        assert_eq!((api.stage(), api.resource(), api.method()), ("$default", "/{proxy+}", "ANY"));
        assert_eq!(
            default.alb,
            Some(Alb {
                load_balancer: "app/legacy/0123456789abcdef".into(),
                target_group: "targetgroup/catch-all/0123456789abcdef".into()
            })
        );
    }

    #[test]
    fn the_example_names_a_stage_with_its_fallback() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let stages = config.stages_of("E2ABCDEF12345", &["/orders/*".to_string(), "/user/*".to_string()]);
        assert_eq!(stages.len(), 1, "only /orders/* names one, and the distribution none");
        assert_eq!(stages["/orders/*"].stage.label(), "REST a1b2c3d4e5/prod");
        assert_eq!(stages["/orders/*"].fallback_deployment.as_deref(), Some("abc123"));
    }

    #[test]
    fn thresholds_merge_route_over_file_over_defaults() {
        let text = EXAMPLE.replace("error_rate_pct = 5.0 ", "error_rate_pct = 4.0 ").replace("periods = 3 ", "");
        let config = parse(&text, "example.toml").unwrap();
        let file = Thresholds { error_rate_pct: 4.0, ..Thresholds::default() };
        assert_eq!(config.thresholds_for("E2ABCDEF12345", "/orders/*"), file);
        assert_eq!(config.thresholds_for("E2ABCDEF12345", "/not-listed/*"), file);
        assert_eq!(config.thresholds_for("E-OTHER", "/user/*"), file);
        assert_eq!(
            config.thresholds_for("E2ABCDEF12345", "/user/*"),
            Thresholds { error_rate_pct: 2.0, ..file.clone() }
        );
        assert_eq!(config.thresholds_for("E2ABCDEF12345", "*"), Thresholds { latency_ms: 2500.0, periods: 5, ..file });
    }

    #[test]
    fn the_example_validates_against_its_own_distribution() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let origins: Vec<String> = ["apigw-rest", "apigw-http", "legacy-elb", "admin-elb"].map(String::from).to_vec();
        let paths: Vec<String> = ["/user/*", "/orders/*", "/static/*", "*"].map(String::from).to_vec();
        validate_against(&config, "E2ABCDEF12345", &origins, &paths).unwrap();
    }
}
