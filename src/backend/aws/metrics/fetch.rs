//! `GetMetricData` for many queries: split into as few calls as possible (every call full except the
//! last), each paginated with `NextToken`, values of one query id merged across pages.

use std::collections::HashMap;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{MetricDataQuery, MetricDataResult};

use super::window::Window;
use crate::backend::BackendError;
use crate::backend::aws::errors::from_sdk;

/// The most queries one `GetMetricData` call may carry.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// Pages followed for one call before the answer is taken as it is (a guard against a server that
/// keeps handing out tokens).
const MAX_PAGES: usize = 50;

/// Values per query id, as (epoch seconds of the period start, value).
pub type Series = HashMap<String, Vec<(i64, f64)>>;

/// The queries of one client split into calls: full calls of [`MAX_QUERIES_PER_CALL`], then the rest.
pub fn batches<T>(queries: &[T]) -> std::slice::Chunks<'_, T> {
    queries.chunks(MAX_QUERIES_PER_CALL)
}

/// How many queries each call carries, for `count` queries.
pub fn batch_sizes(count: usize) -> Vec<usize> {
    (0..count.div_ceil(MAX_QUERIES_PER_CALL))
        .map(|i| (count - i * MAX_QUERIES_PER_CALL).min(MAX_QUERIES_PER_CALL))
        .collect()
}

/// What the calls to one client brought back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fetched {
    pub series: Series,
    /// Queries per `GetMetricData` call, in order (pages of a call not counted again).
    pub batches: Vec<usize>,
    /// HTTP requests made, pages included.
    pub requests: usize,
}

/// Every query's values over `window`, in as few calls as the 500-query limit allows.
pub async fn get_metric_data(
    client: &aws_sdk_cloudwatch::Client,
    queries: Vec<MetricDataQuery>,
    window: Window,
) -> Result<Fetched, BackendError> {
    let calls = batches(&queries).map(|batch| one_call(client, batch.to_vec(), window));
    let answers = futures::future::try_join_all(calls).await?;
    let mut fetched = Fetched::default();
    for (batch, (results, pages)) in batches(&queries).zip(answers) {
        fetched.batches.push(batch.len());
        fetched.requests += pages;
        for page in &results {
            merge(&mut fetched.series, page);
        }
    }
    Ok(fetched)
}

/// One call and its further pages: every page's results, and how many pages there were.
async fn one_call(
    client: &aws_sdk_cloudwatch::Client,
    batch: Vec<MetricDataQuery>,
    window: Window,
) -> Result<(Vec<Vec<MetricDataResult>>, usize), BackendError> {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .get_metric_data()
            .set_metric_data_queries(Some(batch.clone()))
            .start_time(DateTime::from_secs(window.start.as_second()))
            .end_time(DateTime::from_secs(window.end().as_second()))
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| from_sdk("GetMetricData", e))?;
        let next = out.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        pages.push(out.metric_data_results.unwrap_or_default());
        // A token handed out twice in a row would never end; so would a server that never stops.
        if next.is_none() || next == token || pages.len() >= MAX_PAGES {
            break;
        }
        token = next;
    }
    let count = pages.len();
    Ok((pages, count))
}

/// Adds one page's results to `series`. A result without an id, with timestamps and values that do not
/// pair up, or with values that are not numbers is skipped rather than guessed at.
pub fn merge(series: &mut Series, results: &[MetricDataResult]) {
    for result in results {
        let Some(id) = result.id() else { continue };
        let (timestamps, values) = (result.timestamps(), result.values());
        if timestamps.len() != values.len() {
            tracing::warn!(id, timestamps = timestamps.len(), values = values.len(), "GetMetricData lengths differ");
            continue;
        }
        let points = timestamps.iter().zip(values).filter(|(_, v)| v.is_finite()).map(|(t, v)| (t.secs(), *v));
        series.entry(id.to_string()).or_default().extend(points);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_full_except_the_last() {
        assert_eq!(batch_sizes(0), Vec::<usize>::new());
        assert_eq!(batch_sizes(1), vec![1]);
        assert_eq!(batch_sizes(500), vec![500]);
        assert_eq!(batch_sizes(501), vec![500, 1]);
        assert_eq!(batch_sizes(1203), vec![500, 500, 203]);
        let items: Vec<u32> = (0..1203).collect();
        let sizes: Vec<usize> = batches(&items).map(<[u32]>::len).collect();
        assert_eq!(sizes, batch_sizes(1203));
        // Order is kept, nothing is lost or repeated.
        assert_eq!(batches(&items).flatten().copied().collect::<Vec<_>>(), items);
    }

    fn result(id: Option<&str>, points: &[(i64, f64)]) -> MetricDataResult {
        MetricDataResult::builder()
            .set_id(id.map(str::to_string))
            .set_timestamps(Some(points.iter().map(|(t, _)| DateTime::from_secs(*t)).collect()))
            .set_values(Some(points.iter().map(|(_, v)| *v).collect()))
            .build()
    }

    #[test]
    fn pages_of_one_query_are_merged() {
        let mut series = Series::new();
        merge(&mut series, &[result(Some("r0_lam_req"), &[(120, 1.0)]), result(Some("r1_lam_req"), &[])]);
        merge(&mut series, &[result(Some("r0_lam_req"), &[(60, 2.0), (0, 3.0)])]);
        assert_eq!(series["r0_lam_req"], vec![(120, 1.0), (60, 2.0), (0, 3.0)]);
        assert_eq!(series["r1_lam_req"], vec![]);
    }

    #[test]
    fn odd_results_are_skipped() {
        let mut series = Series::new();
        let mismatched = MetricDataResult::builder()
            .id("bad")
            .timestamps(DateTime::from_secs(0))
            .timestamps(DateTime::from_secs(60))
            .values(1.0)
            .build();
        let no_values = MetricDataResult::builder().id("empty").timestamps(DateTime::from_secs(0)).build();
        merge(
            &mut series,
            &[
                result(None, &[(0, 1.0)]),
                mismatched,
                no_values,
                result(Some("nan"), &[(0, f64::NAN), (60, f64::INFINITY), (120, 4.0)]),
            ],
        );
        assert!(!series.contains_key("bad") && !series.contains_key("empty"));
        assert_eq!(series["nan"], vec![(120, 4.0)]);
        assert_eq!(series.len(), 1);
    }

    use aws_sdk_cloudwatch::config::retry::RetryConfig;
    use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataInput, GetMetricDataOutput};
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use crate::backend::aws::metrics::queries::{Endpoint, Query, Slot};

    /// A CloudWatch client whose calls are answered by `rule`, without retries.
    fn mock_cloudwatch(rule: &Rule) -> aws_sdk_cloudwatch::Client {
        let interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny).with_rule(rule);
        let config = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("a", "b", None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }

    fn sdk_queries(count: usize) -> Vec<MetricDataQuery> {
        let query = |i: usize| Query {
            id: format!("q{i}"),
            endpoint: Endpoint::Regional,
            slot: Slot::Concurrency,
            namespace: "AWS/Lambda",
            metric: "Invocations",
            dimensions: vec![("FunctionName", format!("f{i}"))],
            stat: "Sum".into(),
        };
        (0..count).map(|i| query(i).to_sdk()).collect()
    }

    /// One datapoint per query of the input, at `at` seconds, valued by the query's number.
    fn answer(input: &GetMetricDataInput, at: i64, next_token: Option<&str>) -> GetMetricDataOutput {
        let results = input.metric_data_queries().iter().map(|q| {
            let id = q.id().unwrap_or_default();
            let value: f64 = id.trim_start_matches('q').parse().unwrap_or(-1.0);
            result(Some(id), &[(at, value)])
        });
        GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results.collect()))
            .set_next_token(next_token.map(str::to_string))
            .build()
    }

    fn window() -> Window {
        Window::ending_before("2026-01-15T22:30:42Z".parse().unwrap())
    }

    #[tokio::test]
    async fn every_call_is_full_and_its_pages_are_merged() {
        let rule =
            mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_compute_output(|input| match input.next_token() {
                None => answer(input, 0, Some("page2")),
                Some(_) => answer(input, 60, None),
            });
        let client = mock_cloudwatch(&rule);
        let fetched = get_metric_data(&client, sdk_queries(1203), window()).await.unwrap();
        assert_eq!(fetched.batches, vec![500, 500, 203]);
        assert_eq!(fetched.requests, 6);
        assert_eq!(rule.num_calls(), 6);
        assert_eq!(fetched.series.len(), 1203);
        assert_eq!(fetched.series["q0"], vec![(0, 0.0), (60, 0.0)]);
        assert_eq!(fetched.series["q1202"], vec![(0, 1202.0), (60, 1202.0)]);
    }

    #[tokio::test]
    async fn a_token_handed_out_twice_ends_paging() {
        let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .then_compute_output(|input| answer(input, 0, Some("again")));
        let client = mock_cloudwatch(&rule);
        let fetched = get_metric_data(&client, sdk_queries(3), window()).await.unwrap();
        assert_eq!((fetched.batches, fetched.requests), (vec![3], 2));
        assert_eq!(fetched.series["q2"], vec![(0, 2.0), (0, 2.0)]);
    }

    #[tokio::test]
    async fn no_queries_make_no_calls() {
        let rule =
            mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(|| GetMetricDataOutput::builder().build());
        let fetched = get_metric_data(&mock_cloudwatch(&rule), Vec::new(), window()).await.unwrap();
        assert_eq!(fetched, Fetched::default());
        assert_eq!(rule.num_calls(), 0);
    }

    #[tokio::test]
    async fn a_refused_call_is_a_backend_error() {
        let rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).sequence().http_status(429, None).build();
        let err = get_metric_data(&mock_cloudwatch(&rule), sdk_queries(2), window()).await.unwrap_err();
        assert_eq!(err, BackendError::Throttling);
    }
}
