//! Which metrics one refresh asks CloudWatch for: one [`Query`] per number, built from the config's
//! metric sources for each route, plus the distribution's edge numbers, the account's concurrency,
//! and the router function's own health when the distribution has the router.

use std::collections::{HashMap, HashSet};

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};

use crate::config::{ApiGateway, Distribution, Route};
use crate::domain::Target;
use crate::domain::metrics::HOME_ACCOUNT;

/// CloudWatch's standard resolution; every query asks for one datapoint per minute.
pub const PERIOD_SECONDS: i32 = 60;

/// Which CloudWatch client a query goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The metrics region: Lambda, API Gateway, ALB.
    Regional,
    /// `us-east-1`: CloudFront.
    Global,
    /// Another account's metrics region: the Lambda sides of its routes and its concurrency. The
    /// index is the account's in the snapshot's `accounts` (1 for the config's first of
    /// `lambda_accounts`, by name; 0, the distribution's own, is `Regional`).
    Account(usize),
}

/// One number of the router function's minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouterField {
    ExecutionErrors,
    ValidationErrors,
    Throttles,
    ComputeUtilization,
}

/// One number of a route's minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    LambdaRequests,
    LambdaErrors,
    LambdaLatencyMs,
    Throttles,
    OriginRequests,
    OriginErrors,
    /// ALB `TargetResponseTime`, which CloudWatch has in seconds.
    OriginLatencySeconds,
}

/// Where a query's values go in the snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `field` of the route at this index of the fetched paths.
    Route {
        index: usize,
        field: Field,
    },
    EdgeRequests,
    EdgeErrorRatePct,
    Concurrency,
    Router(RouterField),
    /// The concurrency of another account (its index, as in [`Endpoint::Account`]).
    AccountConcurrency(usize),
}

/// One metric, one statistic, one minute resolution.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Unique in a refresh; matches `^[a-z][a-zA-Z0-9_]*$` as CloudWatch requires.
    pub id: String,
    pub endpoint: Endpoint,
    pub slot: Slot,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, String)>,
    pub stat: String,
}

impl Query {
    /// The query as the SDK sends it: a plain metric statistic, never metric math.
    pub fn to_sdk(&self) -> MetricDataQuery {
        let dimensions =
            self.dimensions.iter().map(|(name, value)| Dimension::builder().name(*name).value(value).build());
        let metric = Metric::builder()
            .namespace(self.namespace)
            .metric_name(self.metric)
            .set_dimensions(Some(dimensions.collect()))
            .build();
        MetricDataQuery::builder()
            .id(&self.id)
            .metric_stat(MetricStat::builder().metric(metric).period(PERIOD_SECONDS).stat(&self.stat).build())
            .return_data(true)
            .build()
    }
}

/// Everything one refresh asks for, and the route sides it cannot measure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryPlan {
    pub queries: Vec<Query>,
    /// (path, side) pairs without a configured metric source.
    pub unmeasured: HashSet<(String, Target)>,
    /// The accounts, when the Lambda sides live in several: the distribution's own, then the
    /// config's `lambda_accounts` by name. Empty for one account.
    pub accounts: Vec<String>,
    /// The account (index of `accounts`) of each path's Lambda side; empty for one account.
    pub route_accounts: HashMap<String, usize>,
}

impl QueryPlan {
    /// The queries that go to one client, in plan order.
    pub fn for_endpoint(&self, endpoint: Endpoint) -> impl Iterator<Item = &Query> {
        self.queries.iter().filter(move |q| q.endpoint == endpoint)
    }
}

/// The plan for `paths` of `distribution` (`None` when the config does not list it: nothing per route
/// is measured). `latency_statistic` is the config's, used for every latency metric. `router` is the
/// router function's name when the distribution has the router: its health is asked for too.
pub fn plan(
    distribution_id: &str,
    distribution: Option<&Distribution>,
    latency_statistic: &str,
    paths: &[String],
    router: Option<&str>,
) -> QueryPlan {
    let mut plan = QueryPlan::default();
    // Indexed once: looking each path up in the list would be quadratic at a thousand routes.
    let routes: HashMap<&str, &Route> =
        distribution.map(|d| d.routes.iter().map(|r| (r.path.get_ref().as_str(), r)).collect()).unwrap_or_default();
    let accounts: Vec<&str> =
        distribution.map(|d| d.lambda_accounts.keys().map(String::as_str).collect()).unwrap_or_default();
    if !accounts.is_empty() {
        plan.accounts = std::iter::once(HOME_ACCOUNT).chain(accounts.iter().copied()).map(str::to_string).collect();
    }
    for (index, path) in paths.iter().enumerate() {
        let route = routes.get(path.as_str()).copied();
        let account = distribution
            .and_then(|d| d.account_of(path))
            .and_then(|name| accounts.iter().position(|a| *a == name))
            .map_or(0, |i| i + 1);
        if !plan.accounts.is_empty() {
            plan.route_accounts.insert(path.clone(), account);
        }
        let lambda_endpoint = if account == 0 { Endpoint::Regional } else { Endpoint::Account(account) };
        let mut builder = RouteQueries { index, latency_statistic, lambda_endpoint, queries: &mut plan.queries };
        let (lambda, origin) = match route {
            Some(route) => (builder.lambda_side(route), builder.origin_side(route)),
            None => (false, false),
        };
        if !lambda {
            plan.unmeasured.insert((path.clone(), Target::Lambda));
        }
        if !origin {
            plan.unmeasured.insert((path.clone(), Target::Origin));
        }
    }
    plan.queries.extend(account_and_edge(distribution_id));
    if let Some(function) = router {
        plan.queries.extend(router_health(function));
    }
    plan.queries.extend((1..plan.accounts.len()).map(|i| Query {
        id: format!("acct{i}_conc"),
        endpoint: Endpoint::Account(i),
        slot: Slot::AccountConcurrency(i),
        ..concurrency_query()
    }));
    plan
}

/// The router function's health (us-east-1): CloudFront's function metrics by `FunctionName`, with
/// the statistic AWS documents for each (Sum for the counts, Average for compute utilization).
fn router_health(function: &str) -> [Query; 4] {
    let query = |id: &str, field, metric, stat: &str| Query {
        id: id.to_string(),
        endpoint: Endpoint::Global,
        slot: Slot::Router(field),
        namespace: "AWS/CloudFront",
        metric,
        dimensions: vec![("FunctionName", function.to_string()), ("Region", "Global".to_string())],
        stat: stat.to_string(),
    };
    [
        query("router_exec", RouterField::ExecutionErrors, "FunctionExecutionErrors", "Sum"),
        query("router_valid", RouterField::ValidationErrors, "FunctionValidationErrors", "Sum"),
        query("router_thr", RouterField::Throttles, "FunctionThrottles", "Sum"),
        query("router_cpu", RouterField::ComputeUtilization, "FunctionComputeUtilization", "Average"),
    ]
}

/// The account's `ConcurrentExecutions`, in the distribution's own account.
fn concurrency_query() -> Query {
    Query {
        id: "account_conc".to_string(),
        endpoint: Endpoint::Regional,
        slot: Slot::Concurrency,
        namespace: "AWS/Lambda",
        metric: "ConcurrentExecutions",
        dimensions: Vec::new(),
        stat: "Maximum".to_string(),
    }
}

/// The distribution's edge numbers (us-east-1) and the account's concurrency (metrics region).
fn account_and_edge(distribution_id: &str) -> [Query; 3] {
    let edge = |id: &str, slot, metric, stat: &str| Query {
        id: id.to_string(),
        endpoint: Endpoint::Global,
        slot,
        namespace: "AWS/CloudFront",
        metric,
        dimensions: vec![("DistributionId", distribution_id.to_string()), ("Region", "Global".to_string())],
        stat: stat.to_string(),
    };
    [
        edge("edge_req", Slot::EdgeRequests, "Requests", "Sum"),
        edge("edge_5xx", Slot::EdgeErrorRatePct, "5xxErrorRate", "Average"),
        concurrency_query(),
    ]
}

/// Adds one route's queries to the plan.
struct RouteQueries<'a> {
    index: usize,
    latency_statistic: &'a str,
    /// Where the Lambda side's queries go: the route's account. The origin side's stay in the
    /// distribution's own.
    lambda_endpoint: Endpoint,
    queries: &'a mut Vec<Query>,
}

impl RouteQueries<'_> {
    fn push(
        &mut self,
        suffix: &str,
        field: Field,
        namespace: &'static str,
        metric: &'static str,
        dims: &[(&'static str, &str)],
        stat: &str,
    ) {
        let endpoint = match field {
            Field::OriginRequests | Field::OriginErrors | Field::OriginLatencySeconds => Endpoint::Regional,
            Field::LambdaRequests | Field::LambdaErrors | Field::LambdaLatencyMs | Field::Throttles => {
                self.lambda_endpoint
            }
        };
        self.queries.push(Query {
            id: format!("r{}_{suffix}", self.index),
            endpoint,
            slot: Slot::Route { index: self.index, field },
            namespace,
            metric,
            dimensions: dims.iter().map(|(name, value)| (*name, value.to_string())).collect(),
            stat: stat.to_string(),
        });
    }

    /// API Gateway when configured, else the function itself; throttles from the function. Returns
    /// whether the side is measured.
    fn lambda_side(&mut self, route: &Route) -> bool {
        let latency = self.latency_statistic.to_string();
        let measured = match (&route.api_gateway, &route.lambda_function) {
            (Some(api), _) => {
                let (id_dim, id, errors) = match api {
                    ApiGateway::Rest { api_name, .. } => ("ApiName", api_name.as_str(), "5XXError"),
                    ApiGateway::Http { api_id, .. } => ("ApiId", api_id.as_str(), "5xx"),
                };
                let dims =
                    [(id_dim, id), ("Stage", api.stage()), ("Resource", api.resource()), ("Method", api.method())];
                self.push("lam_req", Field::LambdaRequests, "AWS/ApiGateway", "Count", &dims, "Sum");
                self.push("lam_5xx", Field::LambdaErrors, "AWS/ApiGateway", errors, &dims, "Sum");
                self.push("lam_lat", Field::LambdaLatencyMs, "AWS/ApiGateway", "Latency", &dims, &latency);
                true
            }
            (None, Some(function)) => {
                let dims = [("FunctionName", function.as_str())];
                self.push("lam_req", Field::LambdaRequests, "AWS/Lambda", "Invocations", &dims, "Sum");
                self.push("lam_5xx", Field::LambdaErrors, "AWS/Lambda", "Errors", &dims, "Sum");
                self.push("lam_lat", Field::LambdaLatencyMs, "AWS/Lambda", "Duration", &dims, &latency);
                true
            }
            (None, None) => false,
        };
        if let Some(function) = &route.lambda_function {
            self.push("lam_thr", Field::Throttles, "AWS/Lambda", "Throttles", &[("FunctionName", function)], "Sum");
        }
        measured
    }

    /// The route's own ALB target group, when it has one.
    fn origin_side(&mut self, route: &Route) -> bool {
        let Some(alb) = &route.alb else { return false };
        let latency = self.latency_statistic.to_string();
        let dims = [("LoadBalancer", alb.load_balancer.as_str()), ("TargetGroup", alb.target_group.as_str())];
        self.push("org_req", Field::OriginRequests, "AWS/ApplicationELB", "RequestCount", &dims, "Sum");
        self.push("org_5xx", Field::OriginErrors, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &dims, "Sum");
        self.push("org_lat", Field::OriginLatencySeconds, "AWS/ApplicationELB", "TargetResponseTime", &dims, &latency);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{EXAMPLE, parse};

    fn example_plan(paths: &[&str]) -> QueryPlan {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), config.latency_statistic(), &paths, None)
    }

    fn find<'a>(plan: &'a QueryPlan, id: &str) -> &'a Query {
        plan.queries.iter().find(|q| q.id == id).unwrap_or_else(|| panic!("no query {id}"))
    }

    fn dims(q: &Query) -> Vec<(&str, &str)> {
        q.dimensions.iter().map(|(n, v)| (*n, v.as_str())).collect()
    }

    #[test]
    fn a_lambda_function_route_asks_aws_lambda() {
        let plan = example_plan(&["/user/*"]);
        let ids: Vec<&str> = plan.queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(
            ids,
            ["r0_lam_req", "r0_lam_5xx", "r0_lam_lat", "r0_lam_thr", "edge_req", "edge_5xx", "account_conc"]
        );
        let expected =
            [("r0_lam_req", "Invocations", "Sum"), ("r0_lam_5xx", "Errors", "Sum"), ("r0_lam_lat", "Duration", "p99")];
        for (id, metric, stat) in expected.into_iter().chain([("r0_lam_thr", "Throttles", "Sum")]) {
            let q = find(&plan, id);
            assert_eq!(
                (q.namespace, q.metric, q.stat.as_str(), q.endpoint),
                ("AWS/Lambda", metric, stat, Endpoint::Regional)
            );
            assert_eq!(dims(q), [("FunctionName", "api-user-id")]);
        }
        assert_eq!(find(&plan, "r0_lam_lat").slot, Slot::Route { index: 0, field: Field::LambdaLatencyMs });
        // No ALB: the origin side is unmeasured, the Lambda side is not.
        assert!(plan.unmeasured.contains(&("/user/*".to_string(), Target::Origin)));
        assert!(!plan.unmeasured.contains(&("/user/*".to_string(), Target::Lambda)));
    }

    #[test]
    fn api_gateway_wins_over_the_function_but_throttles_come_from_the_function() {
        let plan = example_plan(&["/user/*", "/orders/*"]);
        let rest_dims = [("ApiName", "api"), ("Stage", "prod"), ("Resource", "/orders/{id}"), ("Method", "GET")];
        for (id, metric) in [("r1_lam_req", "Count"), ("r1_lam_5xx", "5XXError"), ("r1_lam_lat", "Latency")] {
            let q = find(&plan, id);
            assert_eq!((q.namespace, q.metric), ("AWS/ApiGateway", metric));
            assert_eq!(dims(q), rest_dims);
        }
        let throttles = find(&plan, "r1_lam_thr");
        assert_eq!((throttles.namespace, throttles.metric), ("AWS/Lambda", "Throttles"));
        assert_eq!(dims(throttles), [("FunctionName", "api-orders")]);
    }

    #[test]
    fn http_apis_and_albs_use_their_own_names_and_dimensions() {
        let plan = example_plan(&["*"]);
        let http = find(&plan, "r0_lam_5xx");
        assert_eq!((http.namespace, http.metric, http.stat.as_str()), ("AWS/ApiGateway", "5xx", "Sum"));
        assert_eq!(dims(http)[0], ("ApiId", "a1b2c3d4e5"));
        assert_eq!(dims(http)[1], ("Stage", "$default"));
        assert!(plan.queries.iter().all(|q| q.id != "r0_lam_thr"), "no function, no throttles");
        let alb = [
            ("LoadBalancer", "app/legacy/0123456789abcdef"),
            ("TargetGroup", "targetgroup/catch-all/0123456789abcdef"),
        ];
        for (id, metric, stat) in [
            ("r0_org_req", "RequestCount", "Sum"),
            ("r0_org_5xx", "HTTPCode_Target_5XX_Count", "Sum"),
            ("r0_org_lat", "TargetResponseTime", "p99"),
        ] {
            let q = find(&plan, id);
            assert_eq!((q.namespace, q.metric, q.stat.as_str()), ("AWS/ApplicationELB", metric, stat));
            assert_eq!(dims(q), alb);
        }
        assert!(plan.unmeasured.is_empty());
    }

    #[test]
    fn edge_numbers_go_to_us_east_1_and_concurrency_to_the_region() {
        let plan = example_plan(&[]);
        assert_eq!(plan.queries.len(), 3);
        for id in ["edge_req", "edge_5xx"] {
            let q = find(&plan, id);
            assert_eq!((q.namespace, q.endpoint), ("AWS/CloudFront", Endpoint::Global));
            assert_eq!(dims(q), [("DistributionId", "E2ABCDEF12345"), ("Region", "Global")]);
        }
        assert_eq!((find(&plan, "edge_req").metric, find(&plan, "edge_req").stat.as_str()), ("Requests", "Sum"));
        assert_eq!(
            (find(&plan, "edge_5xx").metric, find(&plan, "edge_5xx").stat.as_str()),
            ("5xxErrorRate", "Average")
        );
        let conc = find(&plan, "account_conc");
        assert_eq!(
            (conc.namespace, conc.metric, conc.stat.as_str()),
            ("AWS/Lambda", "ConcurrentExecutions", "Maximum")
        );
        assert_eq!((conc.endpoint, conc.dimensions.len()), (Endpoint::Regional, 0));
        assert_eq!(plan.for_endpoint(Endpoint::Global).count(), 2);
    }

    #[test]
    fn unlisted_routes_and_unknown_distributions_are_unmeasured_on_both_sides() {
        let plan = example_plan(&["/static/*"]);
        assert_eq!(plan.queries.len(), 3);
        assert_eq!(
            plan.unmeasured,
            HashSet::from([("/static/*".to_string(), Target::Lambda), ("/static/*".to_string(), Target::Origin)])
        );
        let none = plan_for_none();
        assert_eq!(none.unmeasured.len(), 2);
    }

    #[test]
    fn lambda_sides_in_other_accounts_go_to_their_accounts_and_origin_sides_stay() {
        let text = EXAMPLE
            .replace("# [distribution.lambda_accounts.payments]", "[distribution.lambda_accounts.payments]")
            .replace("# role_arn = \"arn:aws:iam::210987654321", "role_arn = \"arn:aws:iam::210987654321")
            .replace("# lambda_origins = [\"apigw-http\"]", "lambda_origins = [\"apigw-http\"]");
        let config = parse(&text, "example.toml").unwrap();
        let paths: Vec<String> = ["/user/*", "*"].iter().map(|p| p.to_string()).collect();
        let p = plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), "p99", &paths, None);
        assert_eq!(p.accounts, ["default", "payments"]);
        // `*` names no Lambda origin: it goes to the first, apigw-rest, in the distribution's account.
        assert_eq!(p.route_accounts, HashMap::from([("/user/*".to_string(), 0), ("*".to_string(), 0)]));
        let text = text.replace("path = \"*\"\n", "path = \"*\"\naccount = \"payments\"\n");
        let config = parse(&text, "example.toml").unwrap();
        let p = plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), "p99", &paths, None);
        assert_eq!(p.route_accounts["*"], 1);
        assert_eq!(find(&p, "r1_lam_req").endpoint, Endpoint::Account(1));
        assert_eq!(find(&p, "r1_org_req").endpoint, Endpoint::Regional, "the ALB is the distribution's");
        assert_eq!(find(&p, "r0_lam_req").endpoint, Endpoint::Regional);
        let conc = find(&p, "acct1_conc");
        assert_eq!(
            (conc.endpoint, conc.slot, conc.metric),
            (Endpoint::Account(1), Slot::AccountConcurrency(1), "ConcurrentExecutions")
        );
        assert_eq!(find(&p, "account_conc").endpoint, Endpoint::Regional);
    }

    fn plan_for_none() -> QueryPlan {
        plan("E-OTHER", None, "p99", &["/user/*".to_string()], None)
    }

    #[test]
    fn the_routers_health_goes_to_us_east_1_by_function_name_only_with_the_router() {
        let config = parse(EXAMPLE, "example.toml").unwrap();
        let paths = ["/user/*".to_string()];
        let routed =
            plan("E2ABCDEF12345", config.distribution("E2ABCDEF12345"), "p99", &paths, Some("cutover-router-E2"));
        let without = example_plan(&["/user/*"]);
        assert_eq!(routed.queries.len(), without.queries.len() + 4, "four more metrics a refresh, no more");
        let expected = [
            ("router_exec", "FunctionExecutionErrors", "Sum", RouterField::ExecutionErrors),
            ("router_valid", "FunctionValidationErrors", "Sum", RouterField::ValidationErrors),
            ("router_thr", "FunctionThrottles", "Sum", RouterField::Throttles),
            ("router_cpu", "FunctionComputeUtilization", "Average", RouterField::ComputeUtilization),
        ];
        for (id, metric, stat, field) in expected {
            let q = find(&routed, id);
            assert_eq!(
                (q.namespace, q.metric, q.stat.as_str(), q.endpoint, q.slot),
                ("AWS/CloudFront", metric, stat, Endpoint::Global, Slot::Router(field))
            );
            assert_eq!(dims(q), [("FunctionName", "cutover-router-E2"), ("Region", "Global")]);
        }
        assert!(without.queries.iter().all(|q| !matches!(q.slot, Slot::Router(_))), "no router, no queries");
        let sdk = find(&routed, "router_cpu").to_sdk();
        let stat = sdk.metric_stat().unwrap();
        assert_eq!((stat.period(), stat.stat()), (Some(60), Some("Average")));
        assert_eq!(stat.metric().unwrap().dimensions()[0].value(), Some("cutover-router-E2"));
    }

    #[test]
    fn ids_are_unique_and_valid_and_the_sdk_query_is_a_plain_statistic() {
        let plan = example_plan(&["/user/*", "/orders/*", "*", "/static/*"]);
        let ids: HashSet<&str> = plan.queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids.len(), plan.queries.len());
        for id in ids {
            let mut chars = id.chars();
            assert!(chars.next().is_some_and(|c| c.is_ascii_lowercase()), "{id}");
            assert!(chars.all(|c| c.is_ascii_alphanumeric() || c == '_'), "{id}");
        }
        let sdk = find(&plan, "r2_org_lat").to_sdk();
        assert_eq!(sdk.id(), Some("r2_org_lat"));
        assert_eq!(sdk.expression(), None);
        assert_eq!(sdk.return_data(), Some(true));
        let stat = sdk.metric_stat().unwrap();
        assert_eq!((stat.period(), stat.stat()), (Some(60), Some("p99")));
        let metric = stat.metric().unwrap();
        assert_eq!(
            (metric.namespace(), metric.metric_name()),
            (Some("AWS/ApplicationELB"), Some("TargetResponseTime"))
        );
        assert_eq!(metric.dimensions()[1].name(), Some("TargetGroup"));
    }
}
