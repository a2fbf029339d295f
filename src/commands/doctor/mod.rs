//! `cutover doctor`: before the incident, is everything an incident needs there? For each
//! configured distribution it reads (never writes) what the console and the emergency path use —
//! the credentials, the distribution (and whether each movable route has numbers of its own), each
//! metric source's last hour, each account's Lambda settings, the router, each stage, the edge-log
//! stream, the team journal — and asks IAM's simulator about the writes `R`, `+`/`-` and `D` make; one line per check with its fix.
//!
//! `checks` is what a config implies and what each answer means, `render` the report and its exit
//! code (both pure); `calls` and `permissions` make the calls, all at once, each in its own time.

pub mod calls;
pub mod checks;
pub mod numbers;
pub mod permissions;
pub mod render;

use futures::future::join_all;

use self::calls::{Caller, timed};
use self::checks::Outcome;
use self::render::Report;
use crate::backend::aws::clients::{AccountClients, session_name};
use crate::backend::aws::metrics::account_specs;
use crate::backend::aws::{ApiGatewayStages, AwsClients};
use crate::cli::{AwsArgs, DoctorArea, DoctorArgs};
use crate::commands::live;
use crate::config::Config;
use crate::domain::metrics::HOME_ACCOUNT;

/// Run the checks on the configured distributions (or `--distribution`'s), print the report, and
/// give its exit code: 0 all ready, 1 something missing, 3 something not verifiable.
pub async fn run(args: &DoctorArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let connection = live::connect(aws).await?;
    let ids = live::chosen_distributions(&connection.config, aws.distribution.as_deref())?;
    let report = examine(&connection.config, &connection.clients, &ids, &args.skip).await;
    let text = if args.json { format!("{}\n", report.to_json()) } else { report.to_text() };
    crate::output::stdout_text(&text);
    Ok(report.exit_code())
}

/// Every check of every distribution in `ids`, on `clients` (tests point them at emulators).
pub async fn examine(config: &Config, clients: &AwsClients, ids: &[String], skip: &[DoctorArea]) -> Report {
    let (identity, caller) = calls::credentials(&clients.sts).await;
    let per_distribution =
        ids.iter().map(|id| distribution(config, clients, id, caller.as_ref(), identity.clone(), skip));
    let outcomes = join_all(per_distribution).await.into_iter().flatten().collect();
    let mut skipped: Vec<DoctorArea> = skip.to_vec();
    skipped.sort();
    skipped.dedup();
    Report::new(outcomes, skipped.into_iter().map(DoctorArea::name).collect())
}

// Long: every check of one distribution side by side, each an async block that knows when it is skipped.
/// One distribution's checks, in the report's order.
async fn distribution(
    config: &Config,
    clients: &AwsClients,
    id: &str,
    caller: Option<&Caller>,
    identity: Outcome,
    skip: &[DoctorArea],
) -> Vec<Outcome> {
    let on = |area| !skip.contains(&area);
    let account = caller.map_or("ACCOUNT", |c| c.account.as_str());
    let specs = account_specs(config, id);
    let session = session_name(whoami::username().ok().as_deref());
    let accounts = match on(DoctorArea::Metrics) || on(DoctorArea::LambdaLimits) {
        true => join_all(specs.iter().map(|(spec, _)| AccountClients::connect(&clients.sdk, spec, &session))).await,
        false => Vec::new(),
    };
    let sources = checks::metric_sources(config, id);
    let stages = checks::stages(config, id);
    let stage_client = ApiGatewayStages::new(clients.apigateway.clone(), clients.apigatewayv2.clone());
    let dist_what = format!("GetDistributionConfig of {id}");

    let read_distribution = timed(
        "distribution",
        &dist_what,
        calls::distribution(&clients.cloudfront, on(DoctorArea::Metrics).then_some(config), id, account),
    );
    let metrics = async {
        if !on(DoctorArea::Metrics) || sources.is_empty() {
            return Vec::new();
        }
        // Each account's call has its own timeout, so an unanswered one still names its sources.
        calls::metrics(clients, &accounts, &sources, config.file_name()).await
    };
    let limits = async {
        if !on(DoctorArea::LambdaLimits) {
            return Vec::new();
        }
        let each = |lambda, name: String, role: Option<String>| async move {
            let what = format!("Lambda GetAccountSettings in account {name}");
            timed("lambda_account", &what, calls::lambda_account(lambda, &name, role.as_deref())).await
        };
        let home = each(&clients.lambda, HOME_ACCOUNT.to_string(), None);
        let others =
            accounts.iter().zip(&specs).map(|(a, (spec, _))| each(&a.lambda, a.name.clone(), spec.role_arn.clone()));
        let (home, others) = tokio::join!(home, join_all(others));
        home.into_iter().chain(others.into_iter().flatten()).collect::<Vec<_>>()
    };
    // The store's `UpdateKeys` is simulated as soon as the store is found; the other writes at once.
    let router = async {
        if !on(DoctorArea::Router) {
            return (Vec::new(), Vec::new());
        }
        let (outcomes, store_arn) = calls::router(clients, id, account).await;
        let keys = match store_arn {
            Some(arn) if on(DoctorArea::Permissions) => {
                permissions::check(&clients.iam, caller, &[checks::store_permission(&arn)]).await
            }
            _ => Vec::new(),
        };
        (outcomes, keys)
    };
    let writes = async {
        if !on(DoctorArea::Permissions) {
            return Vec::new();
        }
        let wanted = checks::emergency_permissions(account, id, None, &stages, &clients.region);
        permissions::check(&clients.iam, caller, &wanted).await
    };
    let stage_checks = async {
        if !on(DoctorArea::Stages) {
            return Vec::new();
        }
        let each = stages.iter().map(|s| timed("stage", "GetStage", calls::stage(&stage_client, s, &clients.region)));
        join_all(each).await.into_iter().flatten().collect()
    };
    let edge_logs = async {
        match config.edge_logs_of(id).filter(|_| on(DoctorArea::EdgeLogs)) {
            Some(settings) => {
                timed("edge_logs", "edge-log stream", calls::edge_logs(clients, &settings.stream_arn)).await
            }
            None => Vec::new(),
        }
    };
    let journal = async {
        match config.team_log_group_of(id).filter(|_| on(DoctorArea::Journal)) {
            Some(group) => {
                timed("journal", "team journal", calls::journal(&clients.logs, &group, &clients.region, account)).await
            }
            None => Vec::new(),
        }
    };
    let (read, metrics, limits, (router, keys), stage_checks, edge_logs, journal, mut permissions) =
        tokio::join!(read_distribution, metrics, limits, router, stage_checks, edge_logs, journal, writes);
    // In the order the emergency path uses them: the distribution, the store, the stages.
    let at = permissions.len().min(1);
    permissions.splice(at..at, keys);
    [vec![identity], read, metrics, limits, router, stage_checks, edge_logs, journal, permissions]
        .into_iter()
        .flatten()
        .map(|outcome| outcome.of(id))
        .collect()
}
