//! Arguments of `cutover log` (run by `commands::log`).

use jiff::SignedDuration;

use super::duration::parse_since;

/// The arguments of `cutover log`.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct LogArgs {
    /// Only records from this long ago onwards: 30m, 2h, 1d, 1h30m.
    #[arg(long, value_name = "DURATION", value_parser = parse_since)]
    pub since: Option<SignedDuration>,
    /// Only records that concern this route (its path pattern, as the table shows it).
    #[arg(long, value_name = "PATH")]
    pub route: Option<String>,
    /// Only records of this distribution: the global `--distribution ID`, filled in by the caller.
    #[arg(skip)]
    pub distribution: Option<String>,
    /// Print the records as JSON Lines, exactly as the audit file holds them.
    #[arg(long)]
    pub json: bool,
}
