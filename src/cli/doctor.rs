//! Arguments of `cutover doctor` (run by `commands::doctor`).

use clap::{Args, ValueEnum};

#[derive(Clone, Debug, Default, Args)]
pub struct DoctorArgs {
    /// Print one JSON document: one object per check (distribution, check, status, detail, fix)
    /// and a summary.
    #[arg(long)]
    pub json: bool,

    /// Leave these checks out (the summary says which were left out): for what a set-up does not
    /// use, or a test emulator cannot answer.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "AREA,...")]
    pub skip: Vec<DoctorArea>,
}

/// A group of `doctor`'s checks that `--skip` can leave out. Credentials and the distribution's
/// own config are always checked: nothing else means anything without them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, ValueEnum)]
pub enum DoctorArea {
    /// CloudWatch data for each configured metric source, and every movable route having numbers of its own.
    Metrics,
    /// Lambda `GetAccountSettings` in each account.
    LambdaLimits,
    /// The router's function, store and records.
    Router,
    /// Each configured API Gateway stage.
    Stages,
    /// The edge-log stream.
    EdgeLogs,
    /// The team journal's log group.
    Journal,
    /// What the emergency path would write, through IAM `SimulatePrincipalPolicy`.
    Permissions,
}

impl DoctorArea {
    /// The name `--skip` takes, for the summary.
    pub fn name(self) -> &'static str {
        match self {
            DoctorArea::Metrics => "metrics",
            DoctorArea::LambdaLimits => "lambda-limits",
            DoctorArea::Router => "router",
            DoctorArea::Stages => "stages",
            DoctorArea::EdgeLogs => "edge-logs",
            DoctorArea::Journal => "journal",
            DoctorArea::Permissions => "permissions",
        }
    }
}
