//! Each of `cutover doctor`'s checks as the AWS calls it makes: reads only, each bounded by
//! [`CHECK_TIMEOUT`], each ending in outcomes (`checks::Outcome`), never in an error.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_cloudfront::types::FunctionStage;
use jiff::{SignedDuration, Timestamp};

use super::checks::{CHECK_TIMEOUT, MetricSource, Outcome, account_index, no_data_fix, stage_arn, stage_words};
use crate::backend::BackendError;
use crate::backend::aws::clients::AccountClients;
use crate::backend::aws::errors::from_sdk;
use crate::backend::aws::metrics::{Window, fetch};
use crate::backend::aws::router::RouterControl;
use crate::backend::aws::{ApiGatewayStages, AwsClients, KvsShareStore, kinesis};
use crate::backend::share::ShareStore;
use crate::backend::stage::StageControl;
use crate::config::Config;
use crate::domain::stage::RouteStage;
use crate::domain::visible;
use crate::router::install::{function_name, store_name};

/// Who the credentials are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub arn: String,
    pub account: String,
}

/// `check` within [`CHECK_TIMEOUT`]; unanswered, it is one ✗ line for `what`.
pub async fn timed<F>(check: &'static str, what: &str, future: F) -> Vec<Outcome>
where
    F: Future<Output = Vec<Outcome>>,
{
    match tokio::time::timeout(CHECK_TIMEOUT, future).await {
        Ok(outcomes) => outcomes,
        Err(_) => vec![Outcome::unanswered(check, what)],
    }
}

/// STS `GetCallerIdentity`: the ARN and the account.
pub async fn credentials(sts: &aws_sdk_sts::Client) -> (Outcome, Option<Caller>) {
    let call = tokio::time::timeout(CHECK_TIMEOUT, sts.get_caller_identity().send()).await;
    let what = "credentials (STS GetCallerIdentity)";
    match call {
        Err(_) => (Outcome::unanswered("credentials", what), None),
        Ok(Err(error)) => {
            let error = from_sdk("GetCallerIdentity", error);
            (
                Outcome::failed(
                    "credentials",
                    what,
                    &error,
                    "sts:GetCallerIdentity (allowed to everyone unless denied)",
                ),
                None,
            )
        }
        Ok(Ok(out)) => {
            let caller = Caller {
                arn: out.arn().unwrap_or_default().to_string(),
                account: out.account().unwrap_or_default().to_string(),
            };
            let detail =
                format!("credentials: {} (account {})", visible::escape(&caller.arn), visible::escape(&caller.account));
            (Outcome::ready("credentials", detail), Some(caller))
        }
    }
}

/// `GetDistributionConfig` of the distribution: what every switch starts from.
/// Read, the distribution also says which of its routes would show no numbers of their own (with
/// `numbers_of`, the config: `None` when the metrics are skipped).
pub async fn distribution(
    cloudfront: &aws_sdk_cloudfront::Client,
    numbers_of: Option<&Config>,
    id: &str,
    account: &str,
) -> Vec<Outcome> {
    let what = format!("GetDistributionConfig of {id}");
    let out = cloudfront.get_distribution_config().id(id).send().await;
    match out {
        Ok(out) => {
            let Some(read) = out.distribution_config() else {
                return vec![Outcome::missing(
                    "distribution",
                    format!("{what}: no config in the answer"),
                    "run cutover doctor again",
                )];
            };
            let count = read.cache_behaviors().map_or(0, |b| b.quantity());
            let ready = Outcome::ready("distribution", format!("{what}: {count} cache behaviors and the default"));
            let default = read.default_cache_behavior().map(|d| ("*".to_string(), d.target_origin_id().to_string()));
            let behaviors: Vec<(String, String)> =
                (read.cache_behaviors().map(|b| b.items()).unwrap_or_default().iter())
                    .map(|b| (b.path_pattern().to_string(), b.target_origin_id().to_string()))
                    .chain(default)
                    .collect();
            let numbers = numbers_of.and_then(|config| super::numbers::route_numbers(config, id, &behaviors));
            std::iter::once(ready).chain(numbers).collect()
        }
        Err(error) => vec![Outcome::failed(
            "distribution",
            &what,
            &from_sdk("GetDistributionConfig", error),
            &format!("cloudfront:GetDistributionConfig on {}", super::checks::distribution_arn(account, id)),
        )],
    }
}

/// CloudWatch `GetMetricData` over the last hour (the current minute included) for every source,
/// one call per account: a source with no data point is missing, since the route would show no
/// numbers in an incident.
pub async fn metrics(
    clients: &AwsClients,
    accounts: &[AccountClients],
    sources: &[MetricSource],
    file: &str,
) -> Vec<Outcome> {
    let now = Timestamp::now();
    let window = Window::ending_before(now + SignedDuration::from_mins(1));
    let mut by_account: BTreeMap<usize, Vec<&MetricSource>> = BTreeMap::new();
    for source in sources {
        by_account.entry(account_index(source.query.endpoint)).or_default().push(source);
    }
    let calls = by_account.into_iter().map(|(index, sources)| {
        let client = match index {
            0 => Some(&clients.cloudwatch),
            i => accounts.get(i - 1).map(|a| &a.cloudwatch),
        };
        async move {
            let Some(client) = client else { return Vec::new() };
            let queries = sources.iter().map(|s| s.query.to_sdk()).collect();
            match tokio::time::timeout(CHECK_TIMEOUT, fetch::get_metric_data(client, queries, window)).await {
                Ok(fetched) => sources.iter().map(|source| one_source(source, &fetched, file)).collect::<Vec<_>>(),
                Err(_) => sources.iter().map(|source| Outcome::unanswered("metrics", &source_words(source))).collect(),
            }
        }
    });
    futures::future::join_all(calls).await.into_iter().flatten().collect()
}

/// `metrics ROUTE SOURCE`, for its line.
fn source_words(source: &MetricSource) -> String {
    format!("metrics {} {}", visible::escape(&source.route), visible::escape(&source.what))
}

fn one_source(source: &MetricSource, fetched: &Result<fetch::Fetched, BackendError>, file: &str) -> Outcome {
    let what = source_words(source);
    match fetched {
        Ok(fetched) => match fetched.series.get(&source.query.id).map_or(0, Vec::len) {
            0 => Outcome::missing("metrics", format!("{what}: no data in the last hour"), no_data_fix(source, file)),
            1 => Outcome::ready("metrics", format!("{what}: 1 data point in the last hour")),
            points => Outcome::ready("metrics", format!("{what}: {points} data points in the last hour")),
        },
        Err(error) => Outcome::failed("metrics", &what, error, "cloudwatch:GetMetricData (resource \"*\")"),
    }
}

/// Lambda `GetAccountSettings` in one account: its concurrency limit, which the console's gauge
/// needs (else it assumes the config's `concurrency_limit`).
pub async fn lambda_account(lambda: &aws_sdk_lambda::Client, name: &str, role: Option<&str>) -> Vec<Outcome> {
    let what = format!("Lambda GetAccountSettings in account {name}");
    vec![match lambda.get_account_settings().send().await {
        Ok(out) => {
            let limit = out.account_limit().map(|l| l.concurrent_executions());
            let limit = limit.map_or_else(|| "no limit said".to_string(), |l| format!("concurrency limit {l}"));
            Outcome::ready("lambda_account", format!("{what}: {limit}"))
        }
        Err(error) => {
            let to = role.map(|r| format!(" to {r}")).unwrap_or_default();
            Outcome::failed(
                "lambda_account",
                &what,
                &from_sdk("GetAccountSettings", error),
                &format!("lambda:GetAccountSettings (resource \"*\"){to}"),
            )
        }
    }]
}

/// The router, when installed: its store (control plane), its published function and its
/// records (the data plane). Nothing when the distribution has no router's store. Also the
/// store's ARN, for the permission `UpdateKeys` needs.
pub async fn router(clients: &AwsClients, id: &str, account: &str) -> (Vec<Outcome>, Option<String>) {
    let control = RouterControl::new(clients.cloudfront.clone(), id);
    let name = store_name(id);
    let what = format!("router's store {name} (DescribeKeyValueStore)");
    let found = match tokio::time::timeout(CHECK_TIMEOUT, control.store()).await {
        Err(_) => return (vec![Outcome::unanswered("router_store", &what)], None),
        Ok(Err(error)) => {
            let grant = format!("cloudfront:DescribeKeyValueStore on arn:aws:cloudfront::{account}:key-value-store/*");
            return (vec![Outcome::failed("router_store", &what, &error.error, &grant)], None);
        }
        Ok(Ok((None, _))) => return (Vec::new(), None),
        Ok(Ok((Some(store), _))) => store,
    };
    let store_line = if found.status == "READY" {
        Outcome::ready("router_store", format!("{what}: READY"))
    } else {
        Outcome::missing(
            "router_store",
            format!("{what}: {}, not READY", visible::escape(&found.status)),
            "run cutover router install to finish it",
        )
    };
    let (function, records) = tokio::join!(
        timed("router_function", "router's function", router_function(&clients.cloudfront, id, account)),
        timed("router_records", "router's records", router_records(clients, &found.arn)),
    );
    let mut outcomes = vec![store_line];
    outcomes.extend(function);
    outcomes.extend(records);
    (outcomes, Some(found.arn))
}

/// `DescribeFunction` of the router's function, LIVE: what the edges run.
async fn router_function(cloudfront: &aws_sdk_cloudfront::Client, id: &str, account: &str) -> Vec<Outcome> {
    let name = function_name(id);
    let what = format!("router's function {name} (DescribeFunction, LIVE)");
    let out = cloudfront.describe_function().name(&name).stage(FunctionStage::Live).send().await;
    vec![match out {
        Ok(out) => {
            let status = out.function_summary().and_then(|s| s.status()).unwrap_or("published");
            Outcome::ready("router_function", format!("{what}: {}", visible::escape(status)))
        }
        Err(aws_sdk_cloudfront::error::SdkError::ServiceError(e)) if e.raw().status().as_u16() == 404 => {
            Outcome::missing("router_function", format!("{what}: not published"), "run cutover router install")
        }
        Err(error) => Outcome::failed(
            "router_function",
            &what,
            &from_sdk("DescribeFunction", error),
            &format!("cloudfront:DescribeFunction on arn:aws:cloudfront::{account}:function/{name}"),
        ),
    }]
}

/// The store's records through the data plane, as the console reads them (`DescribeKeyValueStore`
/// for the ETag, then `ListKeys`).
async fn router_records(clients: &AwsClients, arn: &str) -> Vec<Outcome> {
    let store = KvsShareStore::new(clients.key_value_store.clone(), arn);
    let what = "router's records (KeyValueStore DescribeKeyValueStore, ListKeys)";
    vec![match store.read().await {
        Ok(state) if state.unreadable.is_empty() => {
            Outcome::ready("router_records", format!("{what}: {} routed records", state.records.len()))
        }
        Ok(state) => {
            let routes: Vec<String> = state.unreadable.keys().map(|k| visible::escape(k).into_owned()).collect();
            Outcome::missing(
                "router_records",
                format!("{what}: the records of {} do not decode", routes.join(", ")),
                "move those routes once with cutover weight (or run cutover router install) to write them again",
            )
        }
        Err(error) => Outcome::failed(
            "router_records",
            what,
            &error,
            &format!("cloudfront-keyvaluestore:DescribeKeyValueStore and cloudfront-keyvaluestore:ListKeys on {arn}"),
        ),
    }]
}

/// One configured stage: `GetStage` and its deployments, as `D` reads them, and the configured
/// fallback deployment among them.
pub async fn stage(stages: &ApiGatewayStages, route_stage: &RouteStage, region: &str) -> Vec<Outcome> {
    let what = format!("{} (GetStage)", visible::escape(&stage_words(&route_stage.stage)));
    vec![match stages.deployments(&route_stage.stage).await {
        Ok(found) => match &route_stage.fallback_deployment {
            Some(fallback) if !found.list.iter().any(|d| &d.id == fallback) => Outcome::missing(
                "stage",
                format!("{what}: fallback_deployment {} is not one of its deployments", visible::escape(fallback)),
                "set fallback_deployment to a deployment of the stage (cutover stage ROUTE --list lists them)",
            ),
            _ => Outcome::ready(
                "stage",
                format!("{what}: serving deployment {} of {}", visible::escape(&found.current), found.list.len()),
            ),
        },
        Err(error) => {
            let arn = stage_arn(region, &route_stage.stage);
            let apis = arn.split("/stages/").next().unwrap_or_default();
            Outcome::failed("stage", &what, &error, &format!("apigateway:GET on {apis}/*"))
        }
    }]
}

/// The edge-log stream: Kinesis `DescribeStreamSummary` in its region.
pub async fn edge_logs(clients: &AwsClients, stream_arn: &str) -> Vec<Outcome> {
    let what = format!("edge-log stream {} (DescribeStreamSummary)", visible::escape(stream_arn));
    let region = match kinesis::stream_region(stream_arn) {
        Ok(region) => region,
        Err(error) => {
            return vec![Outcome::missing(
                "edge_logs",
                format!("{what}: {error}"),
                "correct stream_arn in [distribution.edge_logs]",
            )];
        }
    };
    let out = clients.kinesis_in(region).describe_stream_summary().stream_arn(stream_arn).send().await;
    vec![match out {
        Ok(out) => match out.stream_description_summary() {
            Some(summary) => {
                let status = summary.stream_status().as_str();
                if matches!(status, "ACTIVE" | "UPDATING") {
                    let shards = match summary.open_shard_count() {
                        1 => "1 open shard".to_string(),
                        n => format!("{n} open shards"),
                    };
                    Outcome::ready("edge_logs", format!("{what}: {status}, {shards}"))
                } else {
                    Outcome::missing(
                        "edge_logs",
                        format!("{what}: {}", visible::escape(status)),
                        "wait for the stream to be ACTIVE, or run cutover edge-logs install",
                    )
                }
            }
            None => Outcome::missing("edge_logs", format!("{what}: no summary"), "run cutover edge-logs status"),
        },
        Err(error) => Outcome::failed(
            "edge_logs",
            &what,
            &from_sdk("DescribeStreamSummary", error),
            &format!(
                "kinesis:DescribeStreamSummary, kinesis:ListShards, kinesis:GetShardIterator and kinesis:GetRecords on {stream_arn}"
            ),
        ),
    }]
}

/// The team journal's log group: CloudWatch Logs `DescribeLogGroups` by its name.
pub async fn journal(logs: &aws_sdk_cloudwatchlogs::Client, group: &str, region: &str, account: &str) -> Vec<Outcome> {
    let what = format!("team journal's log group {} (DescribeLogGroups)", visible::escape(group));
    let out = logs.describe_log_groups().log_group_name_prefix(group).send().await;
    vec![match out {
        Ok(out) if out.log_groups().iter().any(|g| g.log_group_name() == Some(group)) => {
            Outcome::ready("journal", format!("{what}: there"))
        }
        Ok(_) => Outcome::missing(
            "journal",
            format!("{what}: not there"),
            format!(
                "create it (aws logs create-log-group --log-group-name {group}), or let a console with logs:CreateLogGroup make it"
            ),
        ),
        Err(error) => Outcome::failed(
            "journal",
            &what,
            &from_sdk("DescribeLogGroups", error),
            &format!(
                "logs:DescribeLogGroups, logs:FilterLogEvents, logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:{region}:{account}:log-group:{group}:*"
            ),
        ),
    }]
}
