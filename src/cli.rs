//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::backend::sim::Scenario;

/// A console for moving API routes between a monolith origin and AWS Lambda behind one
/// CloudFront distribution, and for moving them back when Lambda misbehaves.
#[derive(Debug, Parser)]
#[command(name = "cutover", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Colour theme: dark, light, high-contrast, or one of yours in the config directory's themes/.
    #[arg(long, global = true, env = "CUTOVER_THEME")]
    pub theme: Option<String>,

    /// How much goes to the log file; RUST_LOG, when set, wins.
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console on a built-in simulated AWS world: no account needed.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The story the simulated world plays out.
    #[arg(long, value_enum, default_value_t = Scenario::Calm)]
    pub scenario: Scenario,

    /// How many times faster than real time the simulated world runs.
    #[arg(long, default_value_t = 10.0, value_parser = parse_speed)]
    pub speed: f64,

    /// Seed of the simulated world; the same seed replays the same run.
    #[arg(long)]
    pub seed: Option<u64>,
}

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
