//! Live metrics from CloudWatch: per route from Lambda, API Gateway and ALB metrics in the metrics
//! region, the distribution's edge numbers (and its router function's health, when it has the
//! router) from `AWS/CloudFront` in `us-east-1`, and the account's Lambda concurrency and its limit.
//! When the Lambda sides live in several accounts, each account is asked with its own clients in
//! its own region (its routes' Lambda sides, its concurrency, its limit), and one that fails keeps
//! its last answers, marked, while the others go on.
//!
//! [`queries`] decides what to ask, [`fetch`] asks in as few `GetMetricData` calls as possible,
//! [`assemble`] lays the answers out as a [`MetricsSnapshot`], and [`limit`] keeps the account limit.
//! Only plain statistics are asked for; rates are computed from sums by the domain types.

pub mod assemble;
pub mod fetch;
pub mod limit;
pub mod queries;
pub mod window;

use std::sync::Mutex;

use async_trait::async_trait;
use jiff::Timestamp;
use tokio::sync::OnceCell;

pub use assemble::Limit;
pub use fetch::{MAX_QUERIES_PER_CALL, batch_sizes};
pub use queries::{Endpoint, Query, QueryPlan};
pub use window::Window;

use super::AwsClients;
use super::clients::{AccountClients, AccountSpec, session_name};
use crate::backend::{BackendError, MetricsSource};
use crate::clock::Clock;
use crate::config::{Config, Distribution};
use crate::domain::metrics::HOME_ACCOUNT;
use crate::domain::{AccountConcurrency, MetricsSnapshot};

/// The `GetMetricData` calls one refresh made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Queries per call to the metrics region's CloudWatch, in order.
    pub regional_batches: Vec<usize>,
    /// Queries per call to `us-east-1`'s CloudWatch, in order.
    pub global_batches: Vec<usize>,
    /// HTTP requests made, `NextToken` pages included.
    pub requests: usize,
    /// Queries per call to each other account's CloudWatch (as `lambda_accounts`, by name), in order.
    pub account_batches: Vec<Vec<usize>>,
}

impl FetchStats {
    /// Number of `GetMetricData` calls, not counting further pages.
    pub fn calls(&self) -> usize {
        self.regional_batches.len()
            + self.global_batches.len()
            + self.account_batches.iter().map(Vec::len).sum::<usize>()
    }
}

/// One account the Lambda sides live in, with what is kept between refreshes.
#[derive(Debug)]
struct Account {
    clients: AccountClients,
    limit: limit::AccountLimit,
    /// Its id once known.
    id: Mutex<Option<String>>,
    /// Its last good answers, for which paths, and when: kept while it fails.
    last: Mutex<Option<(Vec<String>, fetch::Series, Timestamp)>>,
}

impl Account {
    fn new(clients: AccountClients, fallback_limit: u64) -> Self {
        let id = Mutex::new(clients.account_id.clone());
        Account {
            limit: limit::AccountLimit::new(clients.lambda.clone(), fallback_limit),
            clients,
            id,
            last: Mutex::default(),
        }
    }

    /// Its id, asking STS until it has said.
    async fn id(&self) -> Option<String> {
        if let Some(id) = lock(&self.id).clone() {
            return Some(id);
        }
        let id = self.clients.account_id().await.ok().filter(|id| !id.is_empty())?;
        *lock(&self.id) = Some(id.clone());
        Some(id)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
    /// The distribution's own account, as the first of several.
    home: AccountClients,
    /// How to reach each of the config's `lambda_accounts` (by name), and the SDK config they
    /// start from; connected on the first refresh.
    account_specs: Vec<(AccountSpec, u64)>,
    base: aws_config::SdkConfig,
    /// Every account when there are several, the distribution's own first.
    accounts: OnceCell<Vec<Account>>,
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
            home: AccountClients {
                name: HOME_ACCOUNT.to_string(),
                cloudwatch: clients.cloudwatch.clone(),
                lambda: clients.lambda.clone(),
                sts: clients.sts.clone(),
                region: clients.region.clone(),
                account_id: None,
            },
            account_specs: account_specs(config, distribution_id),
            base: clients.sdk.clone(),
            accounts: OnceCell::new(),
        }
    }

    /// The same source, also reading the health of the router function `function_name` in each
    /// refresh's batched calls (four more metrics a refresh).
    pub fn with_router(mut self, function_name: impl Into<String>) -> Self {
        self.router_function = Some(function_name.into());
        self
    }

    /// The other accounts' clients as given (tests give each account its own keys), instead of
    /// connecting to them from the config on the first refresh; in the order of `lambda_accounts`,
    /// each with `fallback_limit` as its assumed limit (the distribution's own keeps the config's).
    pub fn with_accounts(self, accounts: Vec<AccountClients>, fallback_limit: u64) -> Self {
        let home = Account::new(self.home.clone(), self.limit.fallback().into());
        let all = std::iter::once(home).chain(accounts.into_iter().map(|a| Account::new(a, fallback_limit)));
        CloudWatchMetrics { accounts: OnceCell::new_with(Some(all.collect())), ..self }
    }

    /// Every account when there are several (the distribution's own first), connected once.
    async fn accounts(&self) -> &[Account] {
        self.accounts
            .get_or_init(|| async {
                if self.account_specs.is_empty() {
                    return Vec::new();
                }
                let session = session_name(whoami::username().ok().as_deref());
                let mut accounts = vec![Account::new(self.home.clone(), self.limit.fallback().into())];
                for (spec, limit) in &self.account_specs {
                    accounts.push(Account::new(AccountClients::connect(&self.base, spec, &session).await, *limit));
                }
                accounts
            })
            .await
    }

    /// What one refresh of `paths` asks for.
    pub fn plan(&self, paths: &[String]) -> QueryPlan {
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
        let accounts = self.accounts().await;
        if accounts.is_empty() || plan.accounts.is_empty() {
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
                account_batches: Vec::new(),
            };
            // Query ids are unique across both clients, so one map holds every answer.
            regional.series.extend(global.series);
            return Ok((assemble::assemble(paths, &plan, window, &regional.series, limit), stats));
        }
        self.fetch_several(paths, &plan, window, now, accounts).await
    }

    /// One refresh when the Lambda sides live in several accounts: CloudFront's numbers with the
    /// distribution's credentials, and each account's with its own, all at once. An account that
    /// fails is marked, with its last answers for the same paths; only CloudFront failing fails all.
    // Long: the reads side by side, then each account's answer kept or marked, in the accounts' order.
    async fn fetch_several(
        &self,
        paths: &[String],
        plan: &QueryPlan,
        window: Window,
        now: Timestamp,
        accounts: &[Account],
    ) -> Result<(MetricsSnapshot, FetchStats), BackendError> {
        let sdk = |endpoint| plan.for_endpoint(endpoint).map(Query::to_sdk).collect::<Vec<_>>();
        let per_account = accounts.iter().enumerate().map(|(i, account)| {
            let endpoint = if i == 0 { Endpoint::Regional } else { Endpoint::Account(i) };
            let queries = sdk(endpoint);
            async move {
                let (fetched, limit, id) = tokio::join!(
                    fetch::get_metric_data(&account.clients.cloudwatch, queries, window),
                    account.limit.get(now),
                    account.id(),
                );
                (fetched, limit, id)
            }
        });
        let (global, per_account) = tokio::join!(
            fetch::get_metric_data(&self.global, sdk(Endpoint::Global), window),
            futures::future::join_all(per_account),
        );
        let global = global?;
        let mut series = global.series;
        let mut stats =
            FetchStats { global_batches: global.batches, requests: global.requests, ..FetchStats::default() };
        let mut read = Vec::new();
        for (i, (account, (fetched, limit, id))) in accounts.iter().zip(per_account).enumerate() {
            let mut concurrency = AccountConcurrency {
                label: account.clients.name.clone(),
                account_id: id,
                limit: limit.value,
                limit_assumed: limit.assumed,
                ..AccountConcurrency::default()
            };
            let answers = match fetched {
                Ok(fetched) => {
                    if i == 0 {
                        stats.regional_batches = fetched.batches;
                    } else {
                        stats.account_batches.push(fetched.batches);
                    }
                    stats.requests += fetched.requests;
                    concurrency.as_of = Some(now);
                    *lock(&account.last) = Some((paths.to_vec(), fetched.series.clone(), now));
                    Some(fetched.series)
                }
                Err(error) => {
                    tracing::warn!(account = %account.clients.name, %error, "an account's metrics could not be read");
                    concurrency.error = Some(error.to_string());
                    if i > 0 {
                        stats.account_batches.push(Vec::new());
                    }
                    // Its last answers stand in, for the same routes only: indices follow the paths.
                    let last = lock(&account.last).clone().filter(|(for_paths, _, _)| for_paths == paths);
                    last.map(|(_, series, at)| {
                        concurrency.as_of = Some(at);
                        series
                    })
                }
            };
            series.extend(answers.unwrap_or_default());
            read.push(concurrency);
        }
        let home = read.first().map_or(assemble::Limit { value: self.limit.fallback(), assumed: true }, |h| {
            assemble::Limit { value: h.limit, assumed: h.limit_assumed }
        });
        Ok((assemble::assemble_accounts(paths, plan, window, &series, home, read), stats))
    }
}

/// Each of the distribution's `lambda_accounts`, by name, and its fallback concurrency limit.
pub fn account_specs(config: &Config, distribution_id: &str) -> Vec<(AccountSpec, u64)> {
    let Some(distribution) = config.distribution(distribution_id) else { return Vec::new() };
    let text = |v: &Option<toml::Spanned<String>>| v.as_ref().map(|v| v.get_ref().trim().to_string());
    distribution
        .lambda_accounts
        .iter()
        .map(|(name, a)| {
            let spec = AccountSpec {
                name: name.clone(),
                profile: text(&a.profile),
                role_arn: text(&a.role_arn),
                external_id: a.external_id.as_ref().map(|v| v.get_ref().clone()),
                region: text(&a.region).or_else(|| config.region().map(str::to_string)),
            };
            (spec, a.concurrency_limit.as_ref().map_or(config.concurrency_limit(), |l| *l.get_ref()))
        })
        .collect()
}

#[async_trait]
impl MetricsSource for CloudWatchMetrics {
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError> {
        CloudWatchMetrics::fetch(self, paths).await
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_cloudwatch::config::retry::RetryConfig;
    use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use aws_sdk_cloudwatch::primitives::DateTime;
    use aws_sdk_cloudwatch::types::MetricDataResult;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;

    fn mock_cloudwatch(rule: &Rule, mode: RuleMode) -> aws_sdk_cloudwatch::Client {
        let interceptor = MockResponseInterceptor::new().rule_mode(mode).with_rule(rule);
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

    fn answer(at: i64, values: &[(&str, f64)]) -> GetMetricDataOutput {
        let results = values
            .iter()
            .map(|(id, v)| MetricDataResult::builder().id(*id).timestamps(DateTime::from_secs(at)).values(*v).build());
        GetMetricDataOutput::builder().set_metric_data_results(Some(results.collect())).build()
    }

    /// Every call fails fast: a closed port on 127.0.0.1.
    fn unreachable() -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(Credentials::new(
                "a", "b", None, None, "test",
            )))
            .endpoint_url("http://127.0.0.1:1")
            .retry_config(RetryConfig::disabled())
            .build()
    }

    #[tokio::test]
    async fn an_account_that_fails_keeps_its_last_answers_marked_with_when_they_were_read() {
        let text = "[[distribution]]\nid = \"E1\"\nlambda_origins = [\"apigw\", \"pay-api\"]\nlegacy_origins = [\"elb\"]\n\
                    [distribution.lambda_accounts.payments]\nrole_arn = \"arn:aws:iam::210987654321:role/r\"\n\
                    lambda_origins = [\"pay-api\"]\n\
                    [[distribution.route]]\npath = \"/pay/*\"\nlambda_origin = \"pay-api\"\nlambda_function = \"f\"\n";
        let config = crate::config::parse(text, "c.toml").unwrap();
        let t0: Timestamp = "2026-01-15T22:30:42Z".parse().unwrap();
        let minute = Window::ending_before(t0).start.as_second() + 50 * 60;
        let home_rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .then_output(move || answer(minute, &[("account_conc", 42.0)]));
        let global_rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data).then_output(move || answer(minute, &[]));
        let pay_rule = mock!(aws_sdk_cloudwatch::Client::get_metric_data)
            .sequence()
            .output(move || answer(minute, &[("r0_lam_req", 77.0), ("acct1_conc", 120.0)]))
            .http_status(403, None)
            .http_status(403, None)
            .build();
        let mut clients = AwsClients::from_sdk_config(&unreachable(), None);
        clients.cloudwatch = mock_cloudwatch(&home_rule, RuleMode::MatchAny);
        clients.cloudwatch_global = mock_cloudwatch(&global_rule, RuleMode::MatchAny);
        let mut payments = AccountClients::from_sdk_config("payments", &unreachable(), Some("210987654321".into()));
        payments.cloudwatch = mock_cloudwatch(&pay_rule, RuleMode::Sequential);
        let clock = Clock::simulated(t0, 1.0);
        let metrics = CloudWatchMetrics::new(&clients, &config, "E1", clock).with_accounts(vec![payments], 1000);
        let paths = vec!["/pay/*".to_string()];

        let first = metrics.fetch(&paths).await.unwrap();
        let read_at = first.accounts[1].as_of.expect("read");
        assert_eq!((first.accounts[1].latest(), first.accounts[1].error.as_deref()), (Some(120.0), None));
        let second = metrics.fetch(&paths).await.expect("the other account and the edge still answer");
        let pay = &second.accounts[1];
        assert!(pay.error.as_deref().is_some_and(|e| !e.is_empty()), "{pay:?}");
        assert_eq!((pay.latest(), pay.as_of), (Some(120.0), Some(read_at)), "its last answers, as of then");
        assert_eq!(second.latest(&paths[0]).and_then(|p| p.lambda.requests.get()), Some(77.0));
        assert_eq!((second.accounts[0].latest(), second.accounts[0].error.as_deref()), (Some(42.0), None));
        assert_eq!(pay_rule.num_calls(), 2);
        // A different set of paths does not reuse answers laid out for the old one.
        let other = vec!["/other/*".to_string(), "/pay/*".to_string()];
        let third = metrics.fetch(&other).await.unwrap();
        assert_eq!((third.accounts[1].latest(), third.accounts[1].as_of), (None, None));
    }
}
