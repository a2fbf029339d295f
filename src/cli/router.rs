//! Arguments of `cutover router plan | install | status | remove` (run by `commands::router`).

/// `cutover router ...`: the router function and its store on one distribution.
#[derive(Debug, clap::Args)]
pub struct RouterArgs {
    #[command(subcommand)]
    pub action: RouterAction,
}

#[derive(Debug, clap::Subcommand)]
pub enum RouterAction {
    /// Print the steps `install` would take, and change nothing.
    Plan(RouterPlanArgs),
    /// Create the store and the function, test and publish it, then add it to the chosen behaviors
    /// as their viewer-request function in one distribution update. Without --yes: the plan only.
    Install(RouterChangeArgs),
    /// Say what exists and whether the function runs the embedded code (exit 0 installed and
    /// current, 3 partly installed or outdated, 1 AWS could not be read).
    Status(RouterStatusArgs),
    /// Take the router off the behaviors, then delete the function and the store (only cutover's).
    /// Without --yes: the plan only.
    Remove(RouterChangeArgs),
}

/// Which behaviors: every switchable route of the config unless some are named.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct RouteChoice {
    /// A behavior's path pattern (`*` for the default behavior); repeat it for several
    /// [default: every switchable route in the config; for remove, every behavior running it].
    #[arg(long = "route", value_name = "PATTERN")]
    pub routes: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RouterPlanArgs {
    #[command(flatten)]
    pub choice: RouteChoice,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct RouterChangeArgs {
    #[command(flatten)]
    pub choice: RouteChoice,
    /// Carry the plan out; without it, the plan is printed and nothing changes.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, clap::Args)]
pub struct RouterStatusArgs {
    #[command(flatten)]
    pub choice: RouteChoice,
    /// Print the status as JSON.
    #[arg(long)]
    pub json: bool,
}
