//! Arguments of `cutover log` and `cutover log --stats` (run by `commands::log`, and with `--team`
//! by `commands::log_team`).

use jiff::SignedDuration;

use super::duration::parse_since;

/// The arguments of `cutover log`.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct LogArgs {
    /// Only records from this long ago onwards: 30m, 2h, 1d, 1h30m (with --stats: the switches
    /// requested from then on, each whole).
    #[arg(long, value_name = "DURATION", value_parser = parse_since)]
    pub since: Option<SignedDuration>,
    /// Only records that concern this route (its path pattern, as the table shows it).
    #[arg(long, value_name = "PATH")]
    pub route: Option<String>,
    /// Only records of this distribution: the global `--distribution ID`, filled in by the caller.
    #[arg(skip)]
    pub distribution: Option<String>,
    /// Print the records as JSON Lines, exactly as the audit file holds them (with --stats: one
    /// JSON object, documented in the book: docs/src/reference/log-stats-json.md).
    #[arg(long)]
    pub json: bool,
    /// Time to mitigate instead of the records: each switch's stages, and per stage the count,
    /// median, 90th percentile (nearest-rank) and maximum.
    ///
    /// Each stage runs from the request: CloudFront accepted the change; a probe through the
    /// distribution was first served by the new side; CloudWatch showed the new side carrying the
    /// traffic; CloudFront said Deployed. Percentiles are nearest-rank: the p-th of n durations is
    /// the ⌈p·n/100⌉-th shortest, always a measured one (the median of an even count is the lower
    /// middle one).
    #[arg(long)]
    pub stats: bool,
    /// Read the team's shared journal (every operator's records, from the CloudWatch Logs group
    /// `[team]` names) instead of this machine's trail: each record with who sent it
    /// (`operator@host`). With --stats: the team's time to mitigate, with each switch's operator.
    #[arg(long)]
    pub team: bool,
    /// Read the demo's trail (what `cutover demo` and the `--demo` commands recorded) instead of
    /// the live one: the global `--demo`, filled in by the caller.
    #[arg(skip)]
    pub demo: bool,
}
