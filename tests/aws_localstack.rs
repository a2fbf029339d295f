//! CloudWatch over the real wire protocol (Smithy RPC v2 CBOR), against LocalStack: metric data put in
//! for several routes comes back through cutover's metrics code as the right per-route numbers, the
//! router function's health comes back in the same batched calls, and more than 500 queries are split
//! into full `GetMetricData` calls.
//!
//! Run with `scripts/test`, or with CUTOVER_LOCALSTACK_ENDPOINT and CUTOVER_MOTO_ENDPOINT set. Every
//! test uses names of its own (function names, API names, distribution ids) with a per-run suffix, so
//! tests can run in parallel against one long-lived LocalStack.

mod support;

use std::sync::{Arc, Mutex};

use aws_sdk_cloudwatch::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_cloudwatch::config::{ConfigBag, Intercept};
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use cutover::backend::aws::metrics::FetchStats;
use cutover::backend::aws::{AwsClients, CloudWatchMetrics};
use cutover::clock::Clock;
use cutover::domain::{MetricsSnapshot, MinutePoint, RouterMinute, Target};
use jiff::{SignedDuration, Timestamp};
use support::emulators::{clients, localstack, sdk_config};

const REGION: &str = "eu-west-1";

/// A name no other test or earlier run used.
fn unique(tag: &str) -> String {
    let nanos = Timestamp::now().as_nanosecond();
    format!("{tag}-{}-{nanos}", std::process::id())
}

/// Start of the minute `minutes_ago` whole minutes before the current one: always inside the hour a
/// fetch made a little later asks for.
fn minute_ago(minutes_ago: i64) -> Timestamp {
    let now = Timestamp::now().as_second();
    Timestamp::from_second(now - now.rem_euclid(60)).unwrap() - SignedDuration::from_mins(minutes_ago)
}

/// The index of the minute starting at `t` in the snapshot's series.
fn index(snapshot: &MetricsSnapshot, t: Timestamp) -> usize {
    let offset = t.duration_since(snapshot.window_start).as_secs();
    assert!(offset >= 0 && offset % 60 == 0, "{t} is not a minute of the window starting {}", snapshot.window_start);
    (offset / 60) as usize
}

/// `PutMetricData` of one datapoint per (minute, value); several values in one minute are aggregated by
/// CloudWatch like any others.
async fn put(
    client: &aws_sdk_cloudwatch::Client,
    namespace: &str,
    metric: &str,
    dims: &[(&str, &str)],
    points: &[(Timestamp, f64)],
) {
    let dimensions: Vec<Dimension> =
        dims.iter().map(|(name, value)| Dimension::builder().name(*name).value(*value).build()).collect();
    let data = points.iter().map(|(t, v)| {
        MetricDatum::builder()
            .metric_name(metric)
            .set_dimensions(Some(dimensions.clone()))
            .timestamp(DateTime::from_secs(t.as_second()))
            .value(*v)
            .build()
    });
    client
        .put_metric_data()
        .namespace(namespace)
        .set_metric_data(Some(data.collect()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutMetricData {namespace}/{metric}: {e:?}"));
}

fn config(text: &str) -> cutover::config::Config {
    cutover::config::parse(text, "localstack.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The config's head: plain statistics only (LocalStack refuses percentiles), one distribution.
fn config_head(distribution_id: &str) -> String {
    format!(
        "latency_statistic = \"Average\"\nconcurrency_limit = 777\n\n[[distribution]]\nid = \"{distribution_id}\"\n\
         lambda_origins = [\"lambda\"]\nlegacy_origins = [\"legacy\"]\n"
    )
}

fn paths(list: &[&str]) -> Vec<String> {
    list.iter().map(|p| p.to_string()).collect()
}

#[tokio::test]
async fn put_metrics_come_back_as_per_route_numbers() {
    let clients = clients(REGION);
    let (cw, edge_cw) = (&clients.cloudwatch, &clients.cloudwatch_global);
    let dist = unique("EROUTES").replace('-', "");
    let (fn_a, fn_b, fn_quiet) = (unique("fn-a"), unique("fn-b"), unique("fn-quiet"));
    let (rest_api, http_api) = (unique("rest"), unique("http"));
    let (lb, tg) = (unique("app/legacy"), unique("targetgroup/orders"));
    let text = format!(
        "{head}
[[distribution.route]]
path = \"/fn/*\"
lambda_function = \"{fn_a}\"

[[distribution.route]]
path = \"/orders/*\"
lambda_function = \"{fn_b}\"
[distribution.route.api_gateway]
kind = \"rest\"
api_name = \"{rest_api}\"
stage = \"prod\"
resource = \"/orders/{{id}}\"
method = \"GET\"
[distribution.route.alb]
load_balancer = \"{lb}\"
target_group = \"{tg}\"

[[distribution.route]]
path = \"/http/*\"
[distribution.route.api_gateway]
kind = \"http\"
api_id = \"{http_api}\"
stage = \"$default\"
resource = \"/http/{{proxy+}}\"
method = \"ANY\"

[[distribution.route]]
path = \"/quiet/*\"
lambda_function = \"{fn_quiet}\"
",
        head = config_head(&dist)
    );
    let config = config(&text);
    let (m3, m4, m5) = (minute_ago(3), minute_ago(4), minute_ago(5));

    // /fn/*: the function itself. Two invocation datapoints in one minute are summed, two durations
    // averaged; minute 4 has no data at all.
    let f = [("FunctionName", fn_a.as_str())];
    put(cw, "AWS/Lambda", "Invocations", &f, &[(m5, 60.0), (m5, 40.0), (m3, 200.0)]).await;
    put(cw, "AWS/Lambda", "Errors", &f, &[(m5, 5.0), (m3, 0.0)]).await;
    put(cw, "AWS/Lambda", "Duration", &f, &[(m5, 100.0), (m5, 140.0), (m3, 80.0)]).await;
    put(cw, "AWS/Lambda", "Throttles", &f, &[(m3, 2.0)]).await;
    // /orders/*: a REST API in front of fn_b (whose invocations must not be used), and an ALB.
    let rest = [("ApiName", rest_api.as_str()), ("Stage", "prod"), ("Resource", "/orders/{id}"), ("Method", "GET")];
    put(cw, "AWS/ApiGateway", "Count", &rest, &[(m5, 50.0)]).await;
    put(cw, "AWS/ApiGateway", "5XXError", &rest, &[(m5, 10.0)]).await;
    put(cw, "AWS/ApiGateway", "Latency", &rest, &[(m5, 300.0)]).await;
    let fb = [("FunctionName", fn_b.as_str())];
    put(cw, "AWS/Lambda", "Invocations", &fb, &[(m5, 9999.0)]).await;
    put(cw, "AWS/Lambda", "Throttles", &fb, &[(m5, 1.0)]).await;
    let alb = [("LoadBalancer", lb.as_str()), ("TargetGroup", tg.as_str())];
    put(cw, "AWS/ApplicationELB", "RequestCount", &alb, &[(m5, 150.0)]).await;
    put(cw, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", &alb, &[(m5, 3.0)]).await;
    put(cw, "AWS/ApplicationELB", "TargetResponseTime", &alb, &[(m5, 0.25)]).await;
    // /http/*: an HTTP API, with its own metric names.
    let http = [("ApiId", http_api.as_str()), ("Stage", "$default"), ("Resource", "/http/{proxy+}"), ("Method", "ANY")];
    put(cw, "AWS/ApiGateway", "Count", &http, &[(m4, 40.0)]).await;
    put(cw, "AWS/ApiGateway", "5xx", &http, &[(m4, 4.0)]).await;
    put(cw, "AWS/ApiGateway", "Latency", &http, &[(m4, 90.0)]).await;
    // The same HTTP API metrics under the REST names must not be picked up.
    put(cw, "AWS/ApiGateway", "5XXError", &http, &[(m4, 40.0)]).await;
    // The edge, in us-east-1 only; the same numbers in the metrics region must not be picked up.
    let edge = [("DistributionId", dist.as_str()), ("Region", "Global")];
    put(edge_cw, "AWS/CloudFront", "Requests", &edge, &[(m5, 1000.0)]).await;
    put(edge_cw, "AWS/CloudFront", "5xxErrorRate", &edge, &[(m5, 2.5)]).await;
    put(cw, "AWS/CloudFront", "Requests", &edge, &[(m4, 5.0)]).await;
    put(cw, "AWS/Lambda", "ConcurrentExecutions", &[], &[(m5, 42.0)]).await;

    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real());
    let paths = paths(&["/fn/*", "/orders/*", "/http/*", "/quiet/*", "/unlisted/*"]);
    let (s, stats) = metrics.fetch_with_stats(&paths).await.unwrap();
    let (i3, i4, i5) = (index(&s, m3), index(&s, m4), index(&s, m5));

    // 4 + (3 API Gateway + 1 throttles + 3 ALB) + 3 + 4 per route, 2 edge, 1 concurrency.
    assert_eq!(s.queries, 21);
    assert_eq!(metrics.queries_per_refresh(&paths), 21);
    assert_eq!(
        stats,
        FetchStats { regional_batches: vec![19], global_batches: vec![2], requests: 2, account_batches: Vec::new() }
    );
    for path in &paths {
        assert_eq!(s.series(path).len(), 60, "{path}");
    }

    let fn_route = s.series("/fn/*");
    assert_eq!(fn_route[i5].lambda.requests.get(), Some(100.0));
    assert_eq!(fn_route[i5].lambda.errors_5xx.get(), Some(5.0));
    assert_eq!(fn_route[i5].error_rate_pct(), Some(5.0));
    assert_eq!(fn_route[i5].lambda.latency_ms.get(), Some(120.0));
    assert_eq!(fn_route[i5].throttles.get(), None);
    assert_eq!(fn_route[i4], MinutePoint::default(), "a minute without datapoints stays missing");
    // Measured by its function: the 2 calls Lambda throttled are requests, and failed ones.
    assert_eq!(fn_route[i3].lambda.requests.get(), Some(202.0));
    assert_eq!(fn_route[i3].lambda.errors_5xx.get(), Some(2.0));
    assert_eq!(fn_route[i3].throttles.get(), Some(2.0));
    assert_eq!(fn_route[i3].origin, Default::default(), "no ALB: the origin side has no numbers");
    assert_eq!(fn_route.iter().filter(|p| p.has_data()).count(), 2);

    let orders = s.series("/orders/*")[i5];
    assert_eq!(orders.lambda.requests.get(), Some(50.0), "API Gateway counts, not the function's invocations");
    assert_eq!(orders.lambda.errors_5xx.get(), Some(10.0));
    assert_eq!(orders.lambda.latency_ms.get(), Some(300.0));
    assert_eq!(orders.throttles.get(), Some(1.0));
    assert_eq!(orders.origin.requests.get(), Some(150.0));
    assert_eq!(orders.origin.errors_5xx.get(), Some(3.0));
    assert_eq!(orders.origin.latency_ms.get(), Some(250.0), "ALB seconds become milliseconds");
    assert_eq!(orders.requests(), Some(200.0));
    assert_eq!(orders.error_rate_pct(), Some(6.5));
    assert_eq!(orders.latency_ms(), Some(300.0));

    let http_route = s.series("/http/*");
    assert_eq!(http_route[i4].lambda.requests.get(), Some(40.0));
    assert_eq!(http_route[i4].lambda.errors_5xx.get(), Some(4.0), "HTTP APIs report 5xx, not 5XXError");
    assert_eq!(http_route[i4].lambda.latency_ms.get(), Some(90.0));
    assert_eq!(http_route[i5], MinutePoint::default());

    assert!(s.series("/quiet/*").iter().all(|p| *p == MinutePoint::default()), "no data is not zero");
    assert!(s.series("/unlisted/*").iter().all(|p| *p == MinutePoint::default()));
    let unmeasured = |path: &str, side| s.unmeasured.contains(&(path.to_string(), side));
    assert!(unmeasured("/unlisted/*", Target::Lambda) && unmeasured("/unlisted/*", Target::Origin));
    assert!(unmeasured("/fn/*", Target::Origin) && !unmeasured("/fn/*", Target::Lambda));
    assert!(unmeasured("/http/*", Target::Origin) && unmeasured("/quiet/*", Target::Origin));
    assert!(!unmeasured("/orders/*", Target::Origin) && !unmeasured("/orders/*", Target::Lambda));
    assert_eq!(s.unmeasured.len(), 5);

    assert_eq!(s.edge.len(), 60);
    assert_eq!(s.edge[i5].requests, Some(1000.0));
    assert_eq!(s.edge[i5].error_rate_5xx_pct, Some(2.5));
    assert_eq!(s.edge[i4].requests, None, "edge numbers come from us-east-1 only");
    assert_eq!(s.concurrency.len(), 60);
    // Concurrency is account-wide; another run may have put a larger maximum in the same minute.
    assert!(s.concurrency[i5].is_some_and(|c| c >= 42.0), "{:?}", s.concurrency[i5]);

    assert_eq!(s.newest_datapoint, Some(m3 + SignedDuration::from_mins(1)));
    // moto has no Lambda GetAccountSettings: the configured limit, marked as assumed.
    assert_eq!((s.concurrency_limit, s.concurrency_limit_assumed), (777, true));
}

/// Records how many queries each `GetMetricData` call carried, as the SDK sends it.
#[derive(Debug, Default, Clone)]
struct CallLog(Arc<Mutex<Vec<usize>>>);

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(input) = context.input().downcast_ref::<GetMetricDataInput>() {
            self.0.lock().unwrap().push(input.metric_data_queries().len());
        }
        Ok(())
    }
}

impl CallLog {
    fn sorted(&self) -> Vec<usize> {
        let mut calls = self.0.lock().unwrap().clone();
        calls.sort_unstable_by(|a, b| b.cmp(a));
        calls
    }
}

/// The clients of [`clients`], with every CloudWatch call logged.
fn logged_clients() -> (AwsClients, CallLog, CallLog) {
    let mut clients = clients(REGION);
    let (regional, global) = (CallLog::default(), CallLog::default());
    let localstack = sdk_config(&localstack(), REGION);
    let config = aws_sdk_cloudwatch::config::Builder::from(&localstack).interceptor(regional.clone()).build();
    clients.cloudwatch = aws_sdk_cloudwatch::Client::from_conf(config);
    let config = aws_sdk_cloudwatch::config::Builder::from(&localstack)
        .region(aws_config::Region::new("us-east-1"))
        .interceptor(global.clone())
        .build();
    clients.cloudwatch_global = aws_sdk_cloudwatch::Client::from_conf(config);
    (clients, regional, global)
}

#[tokio::test]
async fn more_than_500_queries_go_out_in_full_batches() {
    let (clients, regional_calls, global_calls) = logged_clients();
    let dist = unique("EBATCH").replace('-', "");
    let run = unique("batch");
    // 72 routes with a function and an ALB each: 7 queries a route, 504 in all, and concurrency. (Just
    // over the limit: LocalStack takes about 30 ms a query for an hour of minutes.)
    // Names are of one width: LocalStack matches dimension values as substrings, so `fn1` would also
    // read the data of `fn149`.
    let mut text = config_head(&dist);
    for i in 0..72 {
        text.push_str(&format!(
            "\n[[distribution.route]]\npath = \"/b{i}/*\"\nlambda_function = \"{run}-fn{i:03}\"\n\
             [distribution.route.alb]\nload_balancer = \"app/{run}/{i:03}\"\ntarget_group = \"targetgroup/{run}/{i:03}\"\n"
        ));
    }
    let config = config(&text);
    let paths: Vec<String> = (0..72).map(|i| format!("/b{i}/*")).collect();

    // Data for routes in the first call and in both: route 71's Lambda numbers are queries 497 to 499,
    // its ALB numbers 501 to 503; every call's answers are used.
    let m2 = minute_ago(2);
    for i in [0usize, 40, 71] {
        let f = format!("{run}-fn{i:03}");
        put(&clients.cloudwatch, "AWS/Lambda", "Invocations", &[("FunctionName", &f)], &[(m2, 10.0 + i as f64)]).await;
        let (lb, tg) = (format!("app/{run}/{i:03}"), format!("targetgroup/{run}/{i:03}"));
        let alb = [("LoadBalancer", lb.as_str()), ("TargetGroup", tg.as_str())];
        put(&clients.cloudwatch, "AWS/ApplicationELB", "TargetResponseTime", &alb, &[(m2, 0.5)]).await;
    }

    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real());
    assert_eq!(metrics.queries_per_refresh(&paths), 507);
    let (s, stats) = metrics.fetch_with_stats(&paths).await.unwrap();

    assert_eq!(s.queries, 507);
    assert_eq!(stats.regional_batches, vec![500, 5]);
    assert_eq!(stats.global_batches, vec![2]);
    assert_eq!((stats.calls(), stats.requests), (3, 3));
    // What actually went over the wire.
    assert_eq!(regional_calls.sorted(), vec![500, 5]);
    assert_eq!(global_calls.sorted(), vec![2]);

    let i2 = index(&s, m2);
    for i in [0usize, 40, 71] {
        let point = s.series(&format!("/b{i}/*"))[i2];
        assert_eq!(point.lambda.requests.get(), Some(10.0 + i as f64), "/b{i}/*");
        assert_eq!(point.origin.latency_ms.get(), Some(500.0), "/b{i}/*");
        assert_eq!(point.lambda.errors_5xx.get(), None, "/b{i}/*");
    }
    for (i, p) in s.series("/b1/*").iter().enumerate() {
        if *p != MinutePoint::default() {
            eprintln!("b1 {i} {p:?} i2={i2}");
        }
    }
    for (i, p) in s.series("/b14/*").iter().enumerate() {
        if *p != MinutePoint::default() {
            eprintln!("b14 {i} {p:?} i2={i2}");
        }
    }
    for quiet in ["/b1/*", "/b4/*", "/b7/*", "/b70/*"] {
        assert!(s.series(quiet).iter().all(|p| *p == MinutePoint::default()), "{quiet}");
    }
    assert_eq!(s.routes.len(), 72);
    assert!(s.unmeasured.is_empty());
}

#[tokio::test]
async fn a_distribution_the_config_does_not_list_has_only_edge_numbers() {
    let clients = clients(REGION);
    let config = config(&config_head(&unique("ELISTED").replace('-', "")));
    let dist = unique("EOTHER").replace('-', "");
    let m2 = minute_ago(2);
    let edge = [("DistributionId", dist.as_str()), ("Region", "Global")];
    put(&clients.cloudwatch_global, "AWS/CloudFront", "Requests", &edge, &[(m2, 12.0)]).await;

    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real());
    let (s, stats) = metrics.fetch_with_stats(&paths(&["*"])).await.unwrap();
    assert_eq!((s.queries, stats.calls()), (3, 2));
    assert_eq!(s.edge[index(&s, m2)].requests, Some(12.0));
    assert!(s.series("*").iter().all(|p| !p.has_data()));
    assert_eq!(s.unmeasured.len(), 2);
    assert_eq!(s.newest_datapoint, None);
}

#[tokio::test]
async fn the_routers_health_comes_back_from_us_east_1_in_the_same_calls() {
    let clients = clients(REGION);
    let dist = unique("EROUTER").replace('-', "");
    let config = config(&config_head(&dist));
    let function = unique("cutover-router");
    let (m2, m3) = (minute_ago(2), minute_ago(3));
    let router = [("FunctionName", function.as_str()), ("Region", "Global")];
    let global = &clients.cloudwatch_global;
    // Two datapoints in a minute: the counts are summed, compute utilization averaged.
    put(global, "AWS/CloudFront", "FunctionExecutionErrors", &router, &[(m2, 30.0), (m2, 7.0), (m3, 0.0)]).await;
    put(global, "AWS/CloudFront", "FunctionValidationErrors", &router, &[(m2, 2.0), (m3, 0.0)]).await;
    put(global, "AWS/CloudFront", "FunctionThrottles", &router, &[(m2, 1.0)]).await;
    put(global, "AWS/CloudFront", "FunctionComputeUtilization", &router, &[(m2, 80.0), (m2, 100.0), (m3, 12.0)]).await;
    // The same function's numbers in the metrics region, and another function's in us-east-1: neither
    // is the router's.
    put(&clients.cloudwatch, "AWS/CloudFront", "FunctionExecutionErrors", &router, &[(m3, 500.0)]).await;
    let other = unique("someone-else");
    let elsewhere = [("FunctionName", other.as_str()), ("Region", "Global")];
    put(global, "AWS/CloudFront", "FunctionThrottles", &elsewhere, &[(m3, 9.0)]).await;

    let plain = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real());
    let (s, _) = plain.fetch_with_stats(&paths(&["*"])).await.unwrap();
    assert!(s.router.is_empty(), "without the router nothing is asked for it");

    let metrics = CloudWatchMetrics::new(&clients, &config, &dist, Clock::real()).with_router(&function);
    assert_eq!(metrics.queries_per_refresh(&paths(&["*"])), 7, "the header's cost counts the router's four");
    let (s, stats) = metrics.fetch_with_stats(&paths(&["*"])).await.unwrap();
    assert_eq!(s.queries, 7);
    assert_eq!(
        stats,
        FetchStats { regional_batches: vec![1], global_batches: vec![6], requests: 2, account_batches: Vec::new() }
    );
    assert_eq!(s.router.len(), 60);
    let expected = RouterMinute {
        execution_errors: Some(37.0),
        validation_errors: Some(2.0),
        throttles: Some(1.0),
        compute_utilization_pct: Some(90.0),
    };
    assert_eq!(s.router[index(&s, m2)], expected);
    let earlier = RouterMinute {
        execution_errors: Some(0.0),
        validation_errors: Some(0.0),
        compute_utilization_pct: Some(12.0),
        ..Default::default()
    };
    assert_eq!(s.router[index(&s, m3)], earlier, "us-east-1 only, and this function only");
    assert_eq!(s.router.iter().filter(|m| m.has_data()).count(), 2, "quiet minutes are missing, not zero");
    assert_eq!(s.newest_datapoint, None);
}
