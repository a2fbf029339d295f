//! Live metrics from CloudWatch: per route from Lambda, API Gateway and ALB metrics in the metrics
//! region, the distribution's edge numbers (and its router function's health, when it has the
//! router) from `AWS/CloudFront` in `us-east-1`, and the account's Lambda concurrency and its limit.
//!
//! [`queries`] decides what to ask, [`fetch`] asks in as few `GetMetricData` calls as possible,
//! [`assemble`] lays the answers out as a [`MetricsSnapshot`], and [`limit`] keeps the account limit.
//! Only plain statistics are asked for; rates are computed from sums by the domain types.

pub mod assemble;
pub mod fetch;
pub mod limit;
pub mod queries;
pub mod window;

use async_trait::async_trait;

pub use assemble::Limit;
pub use fetch::{MAX_QUERIES_PER_CALL, batch_sizes};
pub use queries::{Endpoint, Plan, Query};
pub use window::Window;

use super::AwsClients;
use crate::backend::{BackendError, MetricsSource};
use crate::clock::Clock;
use crate::config::{Config, Distribution};
use crate::domain::MetricsSnapshot;

/// The `GetMetricData` calls one refresh made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Queries per call to the metrics region's CloudWatch, in order.
    pub regional_batches: Vec<usize>,
    /// Queries per call to `us-east-1`'s CloudWatch, in order.
    pub global_batches: Vec<usize>,
    /// HTTP requests made, `NextToken` pages included.
    pub requests: usize,
}

impl FetchStats {
    /// Number of `GetMetricData` calls, not counting further pages.
    pub fn calls(&self) -> usize {
        self.regional_batches.len() + self.global_batches.len()
    }
}

/// The live [`MetricsSource`] for one distribution.
#[derive(Debug)]
pub struct CloudWatchMetrics {
    regional: aws_sdk_cloudwatch::Client,
    global: aws_sdk_cloudwatch::Client,
    limit: limit::AccountLimit,
    distribution_id: String,
    /// The config's entry for the distribution; `None` when it lists none (nothing per route measured).
    distribution: Option<Distribution>,
    latency_statistic: String,
    /// The router function's name when the distribution has the router: its health is read too.
    router_function: Option<String>,
    clock: Clock,
}

impl CloudWatchMetrics {
    pub fn new(clients: &AwsClients, config: &Config, distribution_id: &str, clock: Clock) -> Self {
        CloudWatchMetrics {
            regional: clients.cloudwatch.clone(),
            global: clients.cloudwatch_global.clone(),
            limit: limit::AccountLimit::new(clients.lambda.clone(), config.concurrency_limit()),
            distribution_id: distribution_id.to_string(),
            distribution: config.distribution(distribution_id).cloned(),
            latency_statistic: config.latency_statistic().to_string(),
            router_function: None,
            clock,
        }
    }

    /// The same source, also reading the health of the router function `function_name` in each
    /// refresh's batched calls (four more metrics a refresh).
    pub fn with_router(mut self, function_name: impl Into<String>) -> Self {
        self.router_function = Some(function_name.into());
        self
    }

    /// What one refresh of `paths` asks for.
    pub fn plan(&self, paths: &[String]) -> Plan {
        queries::plan(
            &self.distribution_id,
            self.distribution.as_ref(),
            &self.latency_statistic,
            paths,
            self.router_function.as_deref(),
        )
    }

    /// How many metrics one refresh of these paths asks for (what CloudWatch bills).
    pub fn queries_per_refresh(&self, paths: &[String]) -> usize {
        self.plan(paths).queries.len()
    }

    /// The last hour for `paths`.
    pub async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        self.fetch_with_stats(paths).await.map(|(snapshot, _)| snapshot)
    }

    /// [`fetch`](Self::fetch), with the calls it made.
    pub async fn fetch_with_stats(&self, paths: &[String]) -> Result<(MetricsSnapshot, FetchStats), BackendError> {
        let now = self.clock.now();
        let window = Window::ending_before(now);
        let plan = self.plan(paths);
        let sdk = |endpoint| plan.for_endpoint(endpoint).map(Query::to_sdk).collect::<Vec<_>>();
        let (regional, global, limit) = tokio::join!(
            fetch::get_metric_data(&self.regional, sdk(Endpoint::Regional), window),
            fetch::get_metric_data(&self.global, sdk(Endpoint::Global), window),
            self.limit.get(now),
        );
        let (mut regional, global) = (regional?, global?);
        let stats = FetchStats {
            regional_batches: regional.batches,
            global_batches: global.batches,
            requests: regional.requests + global.requests,
        };
        // Query ids are unique across both clients, so one map holds every answer.
        regional.series.extend(global.series);
        Ok((assemble::assemble(paths, &plan, window, &regional.series, limit), stats))
    }
}

#[async_trait]
impl MetricsSource for CloudWatchMetrics {
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        CloudWatchMetrics::fetch(self, paths).await
    }
}
