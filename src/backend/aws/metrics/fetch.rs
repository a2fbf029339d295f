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
}
