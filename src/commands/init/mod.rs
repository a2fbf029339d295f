//! `cutover init`: read a live distribution and write a starter config for it.
//!
//! [`render`] turns a `DistributionConfig` and the stages found behind its API Gateway origins into
//! the config text (pure); [`find_stages`] asks API Gateway through [`ApiReads`]; [`write_config`]
//! reads the distribution and its stages, renders and writes the file; [`run`] is the command, with
//! its arguments and output.

mod api_reads;
mod classify;
mod error;
mod find_stage;
mod read;
mod render;
mod render_stage;
mod summary;
mod write;

#[cfg(test)]
pub(crate) mod testing;

use std::path::{Path, PathBuf};

pub use api_reads::{ApiKind, ApiReads, AwsApiReads, StageState};
pub use classify::{Class, OriginKind, kind_of_domain};
pub use error::InitError;
pub use find_stage::{FoundStage, StageLookup, Stages, find_stage, find_stages};
pub use read::read_distribution;
pub use render::{Starter, render};
pub use write::output_path;

use crate::backend::aws::clients::GLOBAL_REGION;
use crate::backend::aws::{AwsClients, ConnectOptions, NoRegion};
use crate::cli::{AwsArgs, InitArgs};
use crate::config;
use crate::domain::visible;
use crate::output;

/// What [`write_config`] wrote, and whether the file loads as it is.
#[derive(Debug)]
pub struct Written {
    pub starter: Starter,
    /// Why `config::load` refuses the file as written (an empty origin list); `None` when it loads.
    pub load_error: Option<config::ConfigError>,
}

/// Reads distribution `id` with `client` and the stages behind its API Gateway origins with `apis`,
/// writes its starter config to `path` (refusing to replace a file unless `force`), and loads the
/// file back to tell whether it is usable as written. A stage API Gateway does not tell is written
/// commented, with why, never an error: the file is a starter.
pub async fn write_config(
    client: &aws_sdk_cloudfront::Client,
    apis: &dyn ApiReads,
    id: &str,
    path: &Path,
    force: bool,
) -> Result<Written, InitError> {
    let distribution = read_distribution(client, id).await?;
    let stages = find_stages(apis, &classify::classify(&distribution).origins).await;
    let starter = render(id, &distribution, &stages);
    write::write_atomically(path, &starter.text, force)?;
    let load_error = config::load(path).err();
    Ok(Written { starter, load_error })
}

/// `cutover init`: the summary goes to stdout, warnings to stderr.
pub async fn run(args: &InitArgs, aws: &AwsArgs) -> Result<(), InitError> {
    let id = aws.distribution.as_deref().map(str::trim).filter(|id| !id.is_empty());
    let id = id.ok_or(InitError::MissingDistribution)?;
    let path = output_path(args.output.as_deref(), aws.config.as_deref(), config::default_path())?;
    if !args.force {
        // Before any AWS call: the answer would be thrown away.
        write::ensure_free(&path)?;
    }
    let clients = connect(aws).await?;
    let apis = AwsApiReads::new(&clients.sdk);
    let written = write_config(&clients.cloudfront, &apis, id, &path, args.force).await?;
    let routes = written.starter.routes;
    tracing::info!(distribution = id, path = %path.display(), routes, "wrote a starter config");

    // Warnings and the summary quote AWS's origin ids and path patterns: escaped, and never a panic
    // on a closed pipe.
    for warning in &written.starter.warnings {
        output::stderr_line(&format!("cutover: warning: {}", visible::escape(warning)));
    }
    if let Some(error) = &written.load_error {
        let line = format!("as written, the file does not load yet: {error}");
        output::stderr_line(&format!("cutover: warning: {}", visible::escape_keeping_lines(&line)));
    }
    // Where a plain `cutover` looks: CUTOVER_CONFIG (which clap also reads into --config), else the default.
    let from_env = std::env::var_os("CUTOVER_CONFIG").filter(|v| !v.is_empty()).map(PathBuf::from);
    let looks_at = from_env.or_else(config::default_path);
    let run = summary::run_command(&path, looks_at.as_deref());
    let load_error = written.load_error.as_ref().map(ToString::to_string);
    let summary = summary::summary(&path, id, &written.starter, &run, load_error.as_deref());
    output::stdout_line(visible::escape_keeping_lines(&summary).trim_end());
    Ok(())
}

/// The clients for `--profile` and `--region`. CloudFront is global, so without any region init still
/// works, in CloudFront's own region.
async fn connect(aws: &AwsArgs) -> Result<AwsClients, InitError> {
    let mut options = ConnectOptions { profile: aws.profile.clone(), region: aws.region.clone() };
    match AwsClients::load(&options).await {
        Ok(clients) => Ok(clients),
        Err(NoRegion) => {
            options.region = Some(GLOBAL_REGION.to_string());
            Ok(AwsClients::load(&options).await?)
        }
    }
}
