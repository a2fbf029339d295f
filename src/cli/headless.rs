//! Arguments of the headless commands: `status`, `switch`, `rollback-all`, `stage` and `probe` (run by
//! `headless`).

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::duration::parse_since;
use crate::domain::Target;

#[derive(Clone, Debug, Args)]
pub struct StatusArgs {
    /// Print one JSON document (schema in the book: docs/src/reference/status-json.md) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Debug, Args)]
pub struct SwitchArgs {
    /// The route: a cache behavior's path pattern exactly as configured (`/api/users/*`), or `*`
    /// for the default behavior.
    #[arg(value_name = "ROUTE")]
    pub route: String,

    /// Where the route should send its traffic.
    #[arg(long, value_enum, value_name = "TARGET")]
    pub to: TargetArg,

    #[command(flatten)]
    pub apply: ApplyArgs,
}

#[derive(Clone, Debug, Args)]
pub struct WeightArgs {
    /// The route: a routed behavior's path pattern exactly as configured (`cutover router install`
    /// routes it).
    #[arg(value_name = "ROUTE")]
    pub route: String,

    /// Lambda's share of the route's viewers, a whole percent from 0 to 100.
    #[arg(value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(0..=100))]
    pub percent: u8,

    #[command(flatten)]
    pub apply: ApplyArgs,
}

#[derive(Clone, Debug, Args)]
pub struct RolloutArgs {
    /// The route: a routed behavior's path pattern exactly as configured.
    #[arg(value_name = "ROUTE")]
    pub route: String,

    /// The plan, by its name in `[plans]` [default: the route's, else its distribution's, else
    /// `default`: 1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%].
    #[arg(long, value_name = "NAME")]
    pub plan: Option<String>,

    #[command(flatten)]
    pub apply: ApplyArgs,
}

#[derive(Clone, Debug, Args)]
pub struct ProbeArgs {
    /// The route: a cache behavior's path pattern exactly as configured, with a
    /// `[distribution.route.probe]` table.
    #[arg(value_name = "ROUTE")]
    pub route: String,

    /// How many probes to send, one every `[probes] every_secs` (5 s by default).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub count: u32,

    /// Print one JSON document (schema in the book: docs/src/guide/probes.md) instead of a line per answer.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Debug, Args)]
pub struct RollbackAllArgs {
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// How a change is confirmed and how long to follow it.
#[derive(Clone, Debug, Args)]
pub struct ApplyArgs {
    /// Do not ask for confirmation (needed when standard input is not a terminal).
    #[arg(long, short)]
    pub yes: bool,

    /// Wait until CloudFront reports the distribution `Deployed`, and print how long it took.
    #[arg(long)]
    pub wait: bool,

    /// Give up waiting after this long (e.g. 15m, 1h); CloudFront carries on regardless.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = parse_timeout, requires = "wait")]
    pub timeout: Duration,

    /// Switch although the compatibility pre-flight blocks it (for example the Host header would
    /// reach API Gateway); needs --reason, and both go into the audit trail.
    #[arg(long, requires = "reason")]
    pub force: bool,

    /// Why the pre-flight is overridden (with --force), for the audit trail.
    #[arg(long, value_name = "TEXT", requires = "force", value_parser = non_empty)]
    pub reason: Option<String>,

    /// Go ahead even when the audit trail cannot be written (without it, cutover refuses and sends
    /// nothing); every record it cannot store is printed on standard error as one JSON line.
    #[arg(long)]
    pub no_audit: bool,
}

fn non_empty(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() { Err("say why, in a few words".to_string()) } else { Ok(text.to_string()) }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// The Lambda origin (API Gateway or a function URL).
    Lambda,
    /// The legacy origin (ELB/EC2).
    Origin,
}

impl From<TargetArg> for Target {
    fn from(arg: TargetArg) -> Self {
        match arg {
            TargetArg::Lambda => Target::Lambda,
            TargetArg::Origin => Target::Origin,
        }
    }
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    let duration = parse_since(text)?;
    let duration = Duration::try_from(duration).map_err(|e| format!("`{text}`: {e}"))?;
    if duration.is_zero() { Err("the timeout must be longer than zero".to_string()) } else { Ok(duration) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_like_durations() {
        assert_eq!(parse_timeout("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_timeout("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_timeout("0s").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}

#[derive(Clone, Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["list", "deployment"])))]
pub struct StageArgs {
    /// The route whose API Gateway stage (`[distribution.route.stage]` in the config) is meant.
    #[arg(value_name = "ROUTE")]
    pub route: String,

    /// List the stage's deployments, the one it serves and the configured fallback marked.
    #[arg(long)]
    pub list: bool,

    /// With --list: one JSON document instead of a table.
    #[arg(long, requires = "list")]
    pub json: bool,

    /// Point the stage at this deployment (every route behind the stage changes).
    #[arg(long, value_name = "ID")]
    pub deployment: Option<String>,

    /// Do not ask for confirmation (needed when standard input is not a terminal).
    #[arg(long, short, requires = "deployment")]
    pub yes: bool,

    /// Go ahead even when the audit trail cannot be written; every record it cannot store is
    /// printed on standard error as one JSON line.
    #[arg(long, requires = "deployment")]
    pub no_audit: bool,
}
