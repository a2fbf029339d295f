//! The command line: every command's arguments, parsed by clap. The commands themselves live in
//! `src/commands/` (`demo`, `live`, `init`, `headless`, `log`, `router`, `edge_logs`) and take their arguments from
//! here; nothing here reaches back into them.

mod doctor;
mod duration;
mod edge_logs;
mod headless;
mod log;
mod router;

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

pub use self::doctor::{DoctorArea, DoctorArgs};
pub use self::edge_logs::{EdgeLogsAction, EdgeLogsArgs, EdgeLogsChangeArgs, EdgeLogsReadArgs};
pub use self::headless::{
    ApplyArgs, ProbeArgs, RollbackAllArgs, RolloutArgs, StageArgs, StatusArgs, SwitchArgs, TargetArg, WeightArgs,
};
pub use self::log::LogArgs;
pub use self::router::{RouteChoice, RouterAction, RouterArgs, RouterChangeArgs, RouterPlanArgs, RouterStatusArgs};
use crate::backend::sim::Scenario;

/// A console for moving API routes between a monolith origin and AWS Lambda behind one
/// CloudFront distribution, and for moving them back when Lambda misbehaves.
///
/// With no command it opens the live console on the distribution your config file names
/// (create one with `cutover init`); `cutover demo` runs it on a simulated world instead.
#[derive(Debug, Parser)]
#[command(name = "cutover", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    #[command(flatten)]
    pub aws: AwsArgs,

    /// Colour theme: dark, light, high-contrast, or one of yours in the config directory's themes/.
    #[arg(long, global = true, env = "CUTOVER_THEME")]
    pub theme: Option<String>,

    /// Colours to draw with: truecolor (24-bit), 256 (the xterm palette) or none. Without it:
    /// none when NO_COLOR is set, truecolor when COLORTERM says truecolor or 24bit, else 256.
    #[arg(long, global = true, value_enum, env = "CUTOVER_COLOURS", value_name = "DEPTH")]
    pub colours: Option<ColoursArg>,

    /// How much goes to the log file; RUST_LOG, when set, wins.
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
}

/// `--colours`: how many colours the terminal draws, when it does not say so itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColoursArg {
    /// 24-bit colour, as the themes are written.
    #[value(name = "truecolor", alias = "24bit")]
    TrueColour,
    /// The xterm 256-colour palette, each theme colour its nearest entry.
    #[value(name = "256")]
    Palette256,
    /// No colour: bold, reverse and words only.
    None,
}

/// Where the live console and the AWS commands find their config and credentials.
#[derive(Clone, Debug, Default, Args)]
pub struct AwsArgs {
    /// Config file [default: cutover.toml in the user's config directory, e.g. ~/.config/cutover/].
    #[arg(long, global = true, env = "CUTOVER_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// AWS profile to use instead of the default credential chain's choice.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region of the Lambda, API Gateway and ALB metrics (CloudFront itself is global).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Watch only: every switching key, `switch` and `rollback-all` explain instead of acting.
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Only this configured distribution [default: every one in the config; `switch` needs it when
    /// the route is in several].
    #[arg(long, global = true, value_name = "ID")]
    pub distribution: Option<String>,

    /// Run on the demo world instead of AWS: no config, no credentials. `status`, `switch`,
    /// `weight`, `rollout`, `rollback-all`, `stage`, `probe` and `router` take it; the world they
    /// read and change is kept in the state directory (demo-world.json) for the next `--demo`
    /// command and `cutover demo`, its clock running on between them; their records go to the
    /// demo's trail (`cutover log --demo`). `cutover demo --reset` starts a fresh world.
    #[arg(long, global = true)]
    pub demo: bool,
}

// `Subcommand`, not `Command`: an `app::command::Command` is what a key asks the console to do.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Open the console on a built-in simulated AWS world: no account needed.
    ///
    /// With one distribution (the default) it opens the demo world kept in the state directory
    /// (demo-world.json), where the `--demo` commands left it, and keeps it on quitting; --scenario
    /// or --seed start a fresh world instead (then kept), and --reset only starts a fresh one,
    /// without the console. Several distributions (--distributions) start fresh and keep nothing.
    /// Injected faults are never kept.
    Demo(DemoArgs),
    /// Read a live distribution and write a starter config for it.
    Init(InitArgs),
    /// Print the audit trail: every switch, its outcome, guard breaches and automatic actions
    /// (`--distribution ID` narrows it to one distribution).
    Log(LogArgs),
    /// Print every route's target, pending state, newest numbers and guards (exit 0 ok, 3 breached).
    ///
    /// Covers every configured distribution, or only --distribution ID. Exit code 0 when all is well,
    /// 3 when a guard is breached, 1 when AWS could not be read, 2 for a config or argument error.
    Status(StatusArgs),
    /// Switch one route to Lambda or to the origin, as the console's `s` does.
    ///
    /// Shows the same checks as the console's dialog, asks (unless --yes), sends one update with
    /// ETag checks, and records every step in the audit trail. Exit code 0 when switched or already
    /// there, 2 when refused (no terminal to ask on, read-only, unknown route), 1 when it failed.
    Switch(SwitchArgs),
    /// Move every Lambda route back to the origin, as the console's `R` does.
    ///
    /// One update per distribution: every configured distribution, or only --distribution ID.
    /// Exit codes as for `switch`.
    RollbackAll(RollbackAllArgs),
    /// Send a share of a routed route's viewers to Lambda through the router's store, in seconds,
    /// as the console's `+` and `-` do.
    ///
    /// Shows the same checks as the console's dialog (the pre-flight on the share being added),
    /// asks (unless --yes), writes the store with its ETag, and records every step in the audit
    /// trail; --wait also waits for the edge where the route has a probe. Exit codes as for `switch`.
    Weight(WeightArgs),
    /// List a route's API Gateway stage's deployments, or point the stage at another, as the
    /// console's `D` does (the stage rollback: no CloudFront change, every route behind the stage).
    ///
    /// --list prints the deployments (--json: one JSON document); --deployment ID asks (unless
    /// --yes), sends `UpdateStage` and records every step in the audit trail. Exit code 0 when
    /// listed or moved (or already there), 2 when refused (no stage configured, read-only, no
    /// terminal to ask on, unknown deployment), 1 when it failed.
    Stage(StageArgs),
    /// Start a routed route's rollout plan: its share raised step by step through the router's
    /// store, each step held while Lambda's guards stay quiet, back to 0 on a breach.
    ///
    /// Shows the first step's checks, asks (unless --yes), writes the first step and records the
    /// plan in the audit trail. With --wait it follows the plan to its end (done, or aborted by a
    /// breach: exit 1) within --timeout; without, the console (or `cutover rollout --wait`) started
    /// later picks the plan up from the trail where the store says it is.
    Rollout(RolloutArgs),
    /// Probe one route through the distribution, as a viewer would, and say who answered.
    ///
    /// Sends the route's `[distribution.route.probe]` request N times at the config's pace, without
    /// any AWS credentials, and prints each answer's status, latency, edge (X-Amz-Cf-Pop), X-Cache
    /// and who served it (and why cutover thinks so). Reads nothing from AWS when the probe names its
    /// host. Exit code 0 when every answer came from one side with the expected status, 3 when they
    /// were mixed or unexpected, 1 when nothing answered, 2 when the route has no probe.
    Probe(ProbeArgs),
    /// Install, check or remove the router: the CloudFront Function (and its KeyValueStore) that
    /// shares a route's viewers between its two origins (--distribution ID names the distribution).
    ///
    /// `plan` prints the steps; `install` and `remove` print them and change nothing without
    /// --yes; `status` exits 0 when installed and current, 3 when partly or outdated, 1 when AWS
    /// could not be read. Every step that changes AWS is recorded in the audit trail.
    Router(RouterArgs),
    /// Set up, check or remove CloudFront real-time logs ("edge logs"): a Kinesis stream, the role
    /// CloudFront assumes to write it, a real-time log configuration, and that configuration on
    /// the chosen behaviors (--distribution ID names the distribution; [distribution.edge_logs] in
    /// the config names the stream).
    ///
    /// `plan` prints what exists and the steps; `install` and `remove` print them and change
    /// nothing without --yes; `status` exits 0 when every chosen behavior logs, 3 when not, 1 when
    /// AWS could not be read. Every step that changes AWS is recorded in the audit trail.
    EdgeLogs(EdgeLogsArgs),
    /// Check, before an incident, that everything one would need is there: one line per check
    /// (✓ ready, ✗ missing, ? not verifiable), with the fix for each ✗ and ?.
    ///
    /// For each configured distribution (or --distribution ID), all at once and each within 4 s:
    /// the credentials (STS), GetDistributionConfig, a data point in the last hour for each
    /// configured metric source, Lambda GetAccountSettings in each account, the router's function,
    /// store and records when it is installed, each configured stage, the edge-log stream and the
    /// team journal when configured, and — through IAM SimulatePrincipalPolicy, never by writing —
    /// the writes the emergency path makes (cloudfront:UpdateDistribution,
    /// cloudfront-keyvaluestore:UpdateKeys, apigateway:PATCH on each stage). Exit code 0 when every
    /// check is ready, 1 when something an incident would need is missing, 3 when nothing is
    /// missing but something could not be verified, 2 for a config or argument error.
    Doctor(DoctorArgs),
    /// Print a shell completion script for bash, zsh, fish, powershell or elvish on standard
    /// output (the book's completions page, docs/src/guide/completions.md, says where each shell looks
    /// for it).
    Completions(CompletionsArgs),
    /// Print cutover's man page (roff) on standard output: `cutover man > cutover.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the config [default: the path --config names, else cutover.toml in the user's
    /// config directory].
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The story the simulated world plays out, in a fresh world [default: the kept world's, else
    /// calm].
    #[arg(long, value_enum)]
    pub scenario: Option<Scenario>,

    /// How many times faster than real time the simulated world runs [default: the kept world's,
    /// else 10]; it stays the world's speed between commands.
    #[arg(long, value_parser = parse_speed)]
    pub speed: Option<f64>,

    /// Seed of a fresh simulated world; the same seed replays the same run.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Throw the kept demo world away and keep a fresh one (of --scenario, --seed, --speed,
    /// --routes) in its place, then exit without opening the console: the headless `--demo`
    /// commands and `cutover demo` then start from it.
    #[arg(long)]
    pub reset: bool,

    /// Guards switch a breached Lambda route back to the origin by themselves (once per route).
    #[arg(long)]
    pub auto_rollback: bool,

    /// How many distributions to simulate, one tab each (Tab moves between them); the scenario
    /// plays on the first, the others are calm.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=14))]
    pub distributions: u8,

    /// How many routes (cache behaviors) each simulated distribution has: the 9 hand-made ones,
    /// then quiet generated services up to this many (CloudFront's default quota is 75).
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u16).range(9..=1000))]
    pub routes: u16,

    /// Make the simulated AWS misbehave from the start, to rehearse a bad day; `f` in the console
    /// steps through them one at a time and back to none.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FAULT,...")]
    pub faults: Vec<crate::backend::Fault>,
}

/// The demo world's speed when none is kept and none is asked for.
pub const DEFAULT_DEMO_SPEED: f64 = 10.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text.parse().map_err(|_| format!("'{text}' is not a number"))?;
    if speed.is_finite() && (0.1..=1000.0).contains(&speed) {
        Ok(speed)
    } else {
        Err("speed must be between 0.1 and 1000".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn speed_is_bounded() {
        assert!(parse_speed("10").is_ok());
        assert!(parse_speed("0").is_err());
        assert!(parse_speed("NaN").is_err());
        assert!(parse_speed("fast").is_err());
    }
}
