//! `cutover` with no command: the console on a real distribution. Everything that can be wrong with
//! the config or the distribution is found here, before the terminal is taken over.

mod error;
mod identity;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::LiveError;
pub use identity::Identity;

use crate::app::deck::Deck;
use crate::app::event_loop::{self, Palette};
use crate::app::history;
use crate::app::session::Session;
use crate::app::state::{Mode, State};
use crate::audit::AuditLog;
use crate::backend::aws::control_plane::{origin_ids_of, routes_of, topology_of};
use crate::backend::aws::{
    AwsBackend, AwsClients, CloudFrontControlPlane, CloudWatchMetrics, ConnectOptions, DistributionSpec,
};
use crate::cli::AwsArgs;
use crate::clock::Clock;
use crate::config::{self, Config};
use crate::demo::operator;
use crate::domain::{Level, Target, Thresholds};
use crate::theme::ThemeSet;

/// A live console that has read its config and distributions and is ready to draw.
pub struct Prepared {
    /// One session per distribution, with its id, in config order.
    pub sessions: Vec<(String, Session<AwsBackend>)>,
}

pub async fn run(args: &AwsArgs, themes: ThemeSet, theme: &str, no_color: bool) -> anyhow::Result<()> {
    let clock = Clock::real();
    let Prepared { mut sessions } = prepare(args, clock).await?;
    let mut palette = Palette::new(themes, no_color);
    for (_, session) in &mut sessions {
        session.state.theme_names = palette.names();
        session.state.theme = theme.to_string();
        // Found now, not at the first switch: the banner (and the dialog) say so before anyone acts.
        let _ = session.check_audit();
    }
    event_loop::run(&mut Deck::new(sessions), &mut palette).await
}

/// Load and check the config, connect, read every chosen distribution (`--distribution`, else all of
/// the config's), check the config against each, and build a session for each.
pub async fn prepare(args: &AwsArgs, clock: Clock) -> anyhow::Result<Prepared> {
    let connection = connect(args).await?;
    let mut sessions = Vec::new();
    for id in chosen_distributions(&connection.config, args.distribution.as_deref())? {
        let session = open(&connection, &id, args, clock.clone()).await?;
        sessions.push((id, session));
    }
    Ok(Prepared { sessions })
}

/// A loaded config and clients made from it and the command line.
pub struct Connection {
    pub config: Config,
    pub clients: AwsClients,
}

/// Load the config `--config` (or the default path) names and make the AWS clients.
pub async fn connect(args: &AwsArgs) -> anyhow::Result<Connection> {
    let path = config_path(args)?;
    let config = config::load(&path)?;
    let region = args.region.clone().or_else(|| config.region.clone());
    let clients = AwsClients::load(&ConnectOptions { profile: args.profile.clone(), region }).await?;
    Ok(Connection { config, clients })
}

/// The session for one distribution of `connection`, honouring `--read-only`, with the audit trail
/// attached and earlier sessions' records shown as history.
pub async fn open(
    connection: &Connection,
    distribution_id: &str,
    args: &AwsArgs,
    clock: Clock,
) -> anyhow::Result<Session<AwsBackend>> {
    let mut session = session_for(&connection.config, distribution_id, &connection.clients, clock).await?;
    if args.read_only {
        session.state.read_only = Some("started with --read-only".to_string());
    }
    match AuditLog::open_default() {
        Ok(log) => {
            history::load_into(&mut session.state, &log, distribution_id);
            session = session.with_audit(log);
        }
        Err(error) => session = session.with_audit_unavailable(error.to_string()),
    }
    Ok(session)
}

// Long: builds a live session from the config, the distribution and the caller; most of it sets
// state fields that issue 12's Console model is to own.
/// The session for one configured distribution, on clients already made (tests point them at emulators).
pub async fn session_for(
    config: &Config,
    distribution_id: &str,
    clients: &AwsClients,
    clock: Clock,
) -> anyhow::Result<Session<AwsBackend>> {
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
    let mut state = State::new(
        Mode::Live { account: identity.account_label(), profile: clients.profile.clone() },
        operator(),
        clock.now(),
    );
    state.caller_arn = identity.arn.clone();
    state.refresh.every = config.refresh_interval();
    state.latency_statistic = config.latency_statistic().to_string();
    // New datapoints land a little after the minute; never wait longer than half a period for them.
    state.refresh.offset = state.refresh.offset.min(state.refresh.every / 2);
    if let Some(distribution) = config.distribution(distribution_id) {
        state.auto_rollback =
            distribution.routes.iter().filter(|r| r.auto_rollback).map(|r| r.path.get_ref().clone()).collect();
    }
    state.thresholds = config.thresholds.apply(Thresholds::default());
    for path in &shown {
        let own = config.thresholds_for(distribution_id, path);
        if own != state.thresholds {
            state.route_thresholds.insert(path.clone(), own);
        }
    }
    state.metrics_per_refresh = Some(metrics.queries_per_refresh(&shown));
    if config.read_only {
        state.read_only = Some(format!("read_only = true in {}", config.file_name()));
    }
    state.log(
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
        state.log(Level::Warn, None, format!("could not ask STS who is calling: {error}"));
    }
    for problem in &topology.problems {
        state.log(Level::Warn, None, format!("distribution {distribution_id}: {problem}"));
    }
    for route in &topology.routes {
        match route.switchable() {
            Err(why) => state.log(Level::Warn, Some(&route.path), format!("not switchable: {why}")),
            // On Lambda with several legacy origins and no home named: the default is a guess, say so.
            Ok((Target::Lambda, pair)) if spec.legacy_origins.len() > 1 && !spec.names_home(&route.path) => state.log(
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
    tracing::info!(distribution_id, account = %identity.account_label(), "live console started");
    Ok(Session::new(state, Arc::new(AwsBackend::new(control_plane, metrics)), clock))
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
