//! Arguments of `cutover edge-logs plan | install | status | remove` (run by `commands::edge_logs`).

use super::RouteChoice;

/// `cutover edge-logs ...`: CloudFront real-time logs of one distribution.
#[derive(Debug, clap::Args)]
pub struct EdgeLogsArgs {
    #[command(subcommand)]
    pub action: EdgeLogsAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum EdgeLogsAction {
    /// Print what exists and the steps `install` would take, and change nothing.
    Plan(EdgeLogsReadArgs),
    /// Create the Kinesis stream, the role CloudFront assumes and the real-time log configuration
    /// where missing (or adopt the configured one), then set it on the chosen behaviors in one
    /// distribution update, and read it all back. Without --yes: the plan only.
    Install(EdgeLogsChangeArgs),
    /// Say what exists, which behaviors log, the sampling rate and the stream's shards (exit 0
    /// every chosen behavior logs, 3 partly installed, 1 AWS could not be read).
    Status(EdgeLogsReadArgs),
    /// Take cutover's configuration off the behaviors, then delete what install made (only what is
    /// named cutover-…; an adopted configuration only leaves the behaviors named with --route).
    /// Without --yes: the plan only.
    Remove(EdgeLogsChangeArgs),
    /// Print one route's edge numbers once a second (as the console's table has them) until
    /// interrupted; with --demo, the kept demo world's.
    Tail(EdgeLogsTailArgs),
}

#[derive(Debug, clap::Args)]
pub struct EdgeLogsTailArgs {
    /// The route's path pattern (`*` for the default behavior).
    pub route: String,
    /// One JSON object a line: `at`, `route`, `edge` (as `status --json`'s, or null).
    #[arg(long)]
    pub json: bool,
    /// Stop after this many lines.
    #[arg(long)]
    pub count: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct EdgeLogsReadArgs {
    #[command(flatten)]
    pub choice: RouteChoice,
    /// Print it as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct EdgeLogsChangeArgs {
    #[command(flatten)]
    pub choice: RouteChoice,
    /// Carry the plan out; without it, the plan is printed and nothing changes.
    #[arg(long)]
    pub yes: bool,
}
