//! `cutover` with no command: the console on a real distribution. Everything that can be wrong with
//! the config or the distribution is found here, before the terminal is taken over.

mod edge_logs;
mod error;
mod identity;
mod team;
pub use team::notifier;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::LiveError;
pub use identity::Identity;

use crate::app::history;
use crate::app::model::setup::Setup;
use crate::app::model::state::{Mode, State};
use crate::app::runtime::Runtime;
use crate::app::terminal::{self, Palette};
use crate::audit::AuditLog;
use crate::backend::aws::clients::check_profile;
use crate::backend::aws::control_plane::{origin_ids_of, routes_of, topology_of};
use crate::backend::aws::router::RouterControl;
use crate::backend::aws::{
    ApiGatewayStages, AwsBackend, AwsClients, CloudFrontControlPlane, CloudWatchMetrics, ConnectOptions,
    DistributionSpec, KvsShareStore,
};
use crate::backend::ports::Ports;
use crate::backend::probe::{HttpProber, Prober};
use crate::backend::share::ShareStore;
use crate::backend::stage::StageControl;
use crate::cli::AwsArgs;
use crate::clock::Clock;
use crate::commands::demo::operator;
use crate::config::{self, Config};
use crate::domain::probe::ProbeSpec;
use crate::domain::{Level, Target, Thresholds, visible};
use crate::router::install::{function_name, store_name};
use crate::theme::{Colours, ThemeSet};

/// One configured distribution, read and checked: how its console starts, and its ports — the
/// backend, the prober (the probes of the routes that have one, through CloudFront, with no AWS
/// credentials), API Gateway's stages, and the router's KeyValueStore where the router is installed
/// (its store exists and is `READY`; also when looking it up failed, as a store that cannot be read,
/// which the event log's first lines explain).
pub struct Opened {
    pub setup: Setup,
    pub ports: Ports<AwsBackend>,
}

pub async fn run(args: &AwsArgs, themes: ThemeSet, theme: &str, colours: Colours) -> anyhow::Result<()> {
    let clock = Clock::real();
    let connection = connect(args).await?;
    let mut distributions = Vec::new();
    for id in chosen_distributions(&connection.config, args.distribution.as_deref())? {
        let Opened { setup, ports } = open(&connection, &id, args, clock.clone()).await?;
        distributions.push((State::new(setup), ports));
    }
    let mut palette = Palette::new(themes, colours);
    let runtime = Runtime::new(distributions, clock).with_themes(theme, palette.names());
    let mut runtime = with_audit_trail(runtime);
    if let Some(notifier) = team::notifier(&connection.config, &connection.clients, &runtime)? {
        runtime = runtime.with_notifier(notifier);
    }
    // Found now, not at the first switch: the banner (and the dialog) say so before anyone acts.
    let _ = runtime.check_audit();
    let ended = terminal::run(&mut runtime, &mut palette).await;
    // What the console told the team goes out before it ends.
    runtime.flush_team().await;
    ended
}

/// A loaded config and clients made from it and the command line.
pub struct Connection {
    pub config: Config,
    pub clients: AwsClients,
}

/// Load the config `--config` (or the default path) names and make the AWS clients. A missing
/// region and a named profile the AWS profile files do not define (`--profile`, or the `profile`
/// of a `lambda_accounts` entry of a chosen distribution) are configuration problems, refused here
/// before anything is called.
pub async fn connect(args: &AwsArgs) -> anyhow::Result<Connection> {
    let config = load_config(args)?;
    check_profiles(&config, args).await?;
    let region = args.region.clone().or_else(|| config.region().map(str::to_string));
    let clients =
        AwsClients::load(&ConnectOptions { profile: args.profile.clone(), region }).await.map_err(LiveError::from)?;
    // The config's `region` is checked with its position; `--region`, AWS_REGION and a profile's
    // region are checked here, before one reaches an endpoint's host name or the screen.
    if !config::is_region(&clients.region) {
        let from = if args.region.is_some() { "--region" } else { "the environment (AWS_REGION) or the AWS profile" };
        return Err(LiveError::BadRegion { region: visible::escape(&clients.region).into_owned(), from }.into());
    }
    Ok(Connection { config, clients })
}

/// Every profile cutover is told to use, looked up in the profile files: `--profile` (else
/// `AWS_PROFILE`), then each
/// `lambda_accounts` profile of the distributions `--distribution` chooses (all of them without it).
async fn check_profiles(config: &Config, args: &AwsArgs) -> Result<(), LiveError> {
    if let Some(profile) = &args.profile {
        check_profile(profile, "--profile").await?;
    } else if let Some(profile) = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()) {
        // A named profile all the same: the SDK would otherwise fail later, call by call.
        check_profile(&profile, "AWS_PROFILE").await?;
    }
    let chosen = |id: &str| args.distribution.as_deref().is_none_or(|wanted| wanted == id);
    for distribution in config.distributions.iter().filter(|d| chosen(d.id.get_ref())) {
        for (name, account) in &distribution.lambda_accounts {
            if let Some(profile) = &account.profile {
                let named_in = format!("[distribution.lambda_accounts.{name}] of {}", config.file_name());
                check_profile(profile.get_ref(), &named_in).await?;
            }
        }
    }
    Ok(())
}

/// The config `--config` (or the default path) names, loaded and checked, without AWS.
pub fn load_config(args: &AwsArgs) -> anyhow::Result<Config> {
    Ok(config::load(&config_path(args)?)?)
}

/// One distribution of `connection` for a console that may switch: `--read-only` honoured, and
/// earlier sessions' records from the audit trail shown as history.
pub async fn open(
    connection: &Connection,
    distribution_id: &str,
    args: &AwsArgs,
    clock: Clock,
) -> anyhow::Result<Opened> {
    let mut opened = read_distribution(&connection.config, distribution_id, &connection.clients, clock).await?;
    if args.read_only {
        opened.setup.read_only = Some("started with --read-only".to_string());
    }
    if let Ok(log) = AuditLog::open_default() {
        history::load_into(&mut opened.setup, &log);
        history::load_plans(&mut opened.setup, &log);
        history::load_placed(&mut opened.setup, &log);
    }
    Ok(opened)
}

/// The runtime writing to the default audit trail, or knowing why it cannot.
pub fn with_audit_trail(runtime: Runtime<AwsBackend>) -> Runtime<AwsBackend> {
    match AuditLog::open_default() {
        Ok(log) => runtime.with_audit(log),
        Err(error) => runtime.with_audit_unavailable(error.to_string()),
    }
}

// Long: reads and checks one distribution, then fills in its start from the config and the caller,
// with a log line for everything worth knowing before the first key.
/// Read one configured distribution on clients already made (tests point them at emulators), check
/// the config against it, and say how its console starts.
pub async fn read_distribution(
    config: &Config,
    distribution_id: &str,
    clients: &AwsClients,
    clock: Clock,
) -> anyhow::Result<Opened> {
    let spec =
        DistributionSpec::find(config, distribution_id).ok_or_else(|| not_configured(config, distribution_id))?;
    let control_plane = CloudFrontControlPlane::new(clients.cloudfront.clone(), spec.clone());
    let (distribution, status, etag) =
        control_plane.read().await.map_err(|error| LiveError::Read { id: distribution_id.to_string(), error })?;
    let paths: Vec<String> = routes_of(&distribution).into_iter().map(|(path, _)| path).collect();
    config::validate_against(config, distribution_id, &origin_ids_of(&distribution), &paths)?;
    let topology = topology_of(&spec, &distribution, status, etag);
    let identity = Identity::look_up(&clients.sts).await;

    let metrics = CloudWatchMetrics::new(clients, config, distribution_id, clock.clone());
    let shown: Vec<String> = topology.routes.iter().map(|r| r.path.clone()).collect();
    let mode = Mode::Live { account: identity.account_label(), profile: clients.profile.clone() };
    let mut setup = Setup::new(distribution_id, mode, operator(), clock.now());
    setup.caller_arn = identity.arn.clone();
    setup.refresh.every = config.refresh_interval();
    setup.latency_statistic = config.latency_statistic().to_string();
    // New datapoints land a little after the minute; never wait longer than half a period for them.
    setup.refresh.offset = setup.refresh.offset.min(setup.refresh.every / 2);
    if let Some(distribution) = config.distribution(distribution_id) {
        setup.auto_rollback =
            distribution.routes.iter().filter(|r| r.auto_rollback).map(|r| r.path.get_ref().clone()).collect();
    }
    setup.thresholds = config.thresholds.apply(Thresholds::default());
    for path in &shown {
        let own = config.thresholds_for(distribution_id, path);
        if own != setup.thresholds {
            setup.route_thresholds.insert(path.clone(), own);
        }
    }
    setup.moving.threshold_pct = config.traffic_moved_pct();
    setup.moving.warn_after = config.traffic_moved_warn_after();
    if config.read_only {
        setup.read_only = Some(format!("read_only = true in {}", config.file_name()));
    }
    setup.note(
        Level::Info,
        None,
        format!(
            "live: distribution {distribution_id} as {}, metrics from {}, refresh every {} s",
            identity.caller_label(),
            clients.region,
            config.refresh_interval().as_secs()
        ),
    );
    if let Some(error) = &identity.error {
        setup.note(Level::Warn, None, format!("could not ask STS who is calling: {error}"));
    }
    for problem in &topology.problems {
        setup.note(Level::Warn, None, format!("distribution {distribution_id}: {problem}"));
    }
    for route in &topology.routes {
        match route.switchable() {
            Err(why) => setup.note(Level::Warn, Some(&route.path), format!("not switchable: {why}")),
            // On Lambda with several legacy origins and no home named: the default is a guess, say so.
            Ok((Target::Lambda, pair)) if spec.legacy_origins.len() > 1 && !spec.names_home(&route.path) => setup.note(
                Level::Warn,
                Some(&route.path),
                format!(
                    "names no legacy_origin: it goes back to {}, the first of legacy_origins; set legacy_origin to be sure",
                    pair.legacy
                ),
            ),
            Ok(_) => {}
        }
    }
    setup.probe_settings = config.probe_settings();
    setup.probes = probes_of(config, distribution_id, &control_plane, &mut setup).await;
    let prober: Arc<dyn Prober> = Arc::new(HttpProber::new(setup.probe_settings, clock.clone()));
    let share_store = share_store_of(clients, distribution_id, &mut setup).await;
    setup.router = share_store.is_some();
    (setup.route_plans, setup.default_plan) = config.plans_of(distribution_id);
    // With the router, its function's own health is read in the same batched calls as the rest.
    let metrics = if setup.router { metrics.with_router(function_name(distribution_id)) } else { metrics };
    setup.metrics_per_refresh = Some(metrics.queries_per_refresh(&shown));
    tracing::info!(distribution_id, account = %identity.account_label(), "live console started");
    setup.stages = config.stages_of(distribution_id, &shown);
    let stage_control: Arc<dyn StageControl> =
        Arc::new(ApiGatewayStages::new(clients.apigateway.clone(), clients.apigatewayv2.clone()));
    let mut ports = Ports::new(Arc::new(AwsBackend::new(control_plane, metrics)))
        .with_prober(prober)
        .with_stage_control(stage_control);
    ports.share_store = share_store;
    ports.edge_stream = edge_logs::stream_of(config, clients, distribution_id, &mut setup).await;
    team::wire(config, clients, distribution_id, &mut setup, &mut ports);
    Ok(Opened { setup, ports })
}

/// The router's store for the distribution, found by its derived name (one `DescribeKeyValueStore`
/// on the control plane): `None` without the router, and when the store is not `READY`, which the
/// log says, since the console works on without it. A lookup that fails is not "no router": the
/// store stands in as one whose every read fails with that error, so the shares are unknown (and
/// unknown is not healthy) wherever a behavior runs the router.
async fn share_store_of(clients: &AwsClients, distribution_id: &str, setup: &mut Setup) -> Option<Arc<dyn ShareStore>> {
    let router = RouterControl::new(clients.cloudfront.clone(), distribution_id);
    match router.store().await {
        Ok((Some(store), _)) if store.status == "READY" => {
            Some(Arc::new(KvsShareStore::new(clients.key_value_store.clone(), &store.arn)))
        }
        Ok((Some(store), _)) => {
            setup.note(
                Level::Warn,
                None,
                format!(
                    "router shares are off: its store {} is {}, not READY; run `cutover router install` to finish it",
                    store_name(distribution_id),
                    visible::escape(&store.status)
                ),
            );
            None
        }
        Ok((None, _)) => None,
        Err(error) => {
            setup.note(Level::Warn, None, format!("looking up the router's store failed: {error}"));
            Some(Arc::new(UnreadableStore(format!("looking up the store failed: {error}"))))
        }
    }
}

/// The probes of the distribution's routes that name one; a probe whose host cannot be known is
/// left out, and the log says why.
async fn probes_of(
    config: &Config,
    distribution_id: &str,
    control_plane: &CloudFrontControlPlane,
    setup: &mut Setup,
) -> HashMap<String, ProbeSpec> {
    let Some(distribution) = config.distribution(distribution_id) else { return HashMap::new() };
    let viewer_host = match distribution.probes_need_viewer_host() {
        true => match control_plane.viewer_host().await {
            Ok(host) => Some(host),
            Err(error) => {
                setup.note(
                    Level::Warn,
                    None,
                    format!("probes without a host are off: reading the distribution's name failed: {error}"),
                );
                None
            }
        },
        false => None,
    };
    let mut probes = HashMap::new();
    for (route, _) in distribution.probed_routes() {
        match config.probe_spec(distribution_id, route, viewer_host.as_deref()) {
            Ok(Some(spec)) => {
                probes.insert(route.to_string(), spec);
            }
            Ok(None) => {}
            Err(why) => setup.note(Level::Warn, Some(route), format!("not probed: {why}")),
        }
    }
    probes
}

/// `--config`, else `cutover.toml` in the user's config directory; it must exist.
fn config_path(args: &AwsArgs) -> Result<PathBuf, LiveError> {
    let path = match &args.config {
        Some(path) => path.clone(),
        None => config::default_path().ok_or(LiveError::NoDefaultPath)?,
    };
    if path.exists() { Ok(path) } else { Err(LiveError::NoConfig(path)) }
}

/// `--distribution`, else every distribution of the config (at least one).
pub fn chosen_distributions(config: &Config, wanted: Option<&str>) -> Result<Vec<String>, LiveError> {
    if let Some(id) = wanted {
        return choose_distribution(config, id).map(|id| vec![id]);
    }
    if config.distributions.is_empty() {
        return Err(LiveError::NoDistribution(config.file_name().to_string()));
    }
    Ok(config.distributions.iter().map(|d| d.id.get_ref().clone()).collect())
}

/// The configured distribution `id`, or an error naming the ones there are.
fn choose_distribution(config: &Config, id: &str) -> Result<String, LiveError> {
    match config.distribution(id) {
        Some(_) => Ok(id.to_string()),
        None => Err(not_configured(config, id)),
    }
}

fn not_configured(config: &Config, id: &str) -> LiveError {
    let ids: Vec<&str> = config.distributions.iter().map(|d| d.id.get_ref().as_str()).collect();
    LiveError::NotConfigured {
        id: id.to_string(),
        file: config.file_name().to_string(),
        configured: if ids.is_empty() { "none".to_string() } else { ids.join(", ") },
    }
}

/// A router's store that could not even be found: every read and write fails with why.
struct UnreadableStore(String);

#[async_trait::async_trait]
impl ShareStore for UnreadableStore {
    async fn read(&self) -> Result<crate::backend::share::StoreState, crate::backend::BackendError> {
        Err(crate::backend::BackendError::Other(self.0.clone()))
    }

    async fn put(
        &self,
        _: &[(String, crate::router::RouteRecord)],
        _: &str,
    ) -> Result<String, crate::backend::BackendError> {
        Err(crate::backend::BackendError::Other(format!("{}; nothing was written", self.0)))
    }
}
