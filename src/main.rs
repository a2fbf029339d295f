//! Command-line entry: parse, set up logging (and themes, for the commands with a screen), and hand
//! over to the chosen command.

use std::process::ExitCode;

use clap::Parser;
use cutover::audit::AuditError;
use cutover::cli::{Cli, ColoursArg, Subcommand};
use cutover::commands::headless::HeadlessError;
use cutover::commands::init::InitError;
use cutover::commands::live::LiveError;
use cutover::commands::log_team::TeamLogError;
use cutover::config::ConfigError;
use cutover::domain::visible;
use cutover::output;
use cutover::theme::{Colours, DEFAULT_THEME, ThemeSet, user_theme_dir};

/// Exit code for errors the user can fix (bad arguments, configuration, themes).
const USAGE_ERROR: u8 = 2;

// Long: one arm per subcommand, each a line of wiring; split, the match would only move.
fn main() -> ExitCode {
    let cli = Cli::parse();
    // Generated text on standard output, before logging or a runtime: nothing else to set up.
    match &cli.subcommand {
        // Whole, then written once: a closed pipe (`| head`) ends it quietly.
        Some(Subcommand::Completions(args)) => {
            output::stdout_text(&cutover::commands::reference::completions(args.shell));
            return ExitCode::SUCCESS;
        }
        Some(Subcommand::Man) => {
            output::stdout_text(&cutover::commands::reference::man());
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let _log = match cutover::logging::init(cli.log_level.as_str()) {
        Ok((guard, path)) => {
            cutover::logging::install_fatal_panic_hook(Some(path));
            Some(guard)
        }
        Err(error) => {
            // One warning, and on: no command needs the log file, least of all `rollback-all`.
            warn(&format!("logging is off: {error:#}"));
            cutover::logging::install_fatal_panic_hook(None);
            None
        }
    };
    // https://no-color.org: any non-empty value turns colour off, unless `--colours` says otherwise.
    let colours = Colours::detect(
        cli.colours.map(|c| match c {
            ColoursArg::TrueColour => Colours::TrueColour,
            ColoursArg::Palette256 => Colours::Palette256,
            ColoursArg::None => Colours::None,
        }),
        std::env::var_os("NO_COLOR").map(|v| v.to_string_lossy().into_owned()).as_deref(),
        std::env::var_os("COLORTERM").map(|v| v.to_string_lossy().into_owned()).as_deref(),
    );

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(1, &format!("cannot start the async runtime: {error}")),
    };
    let done = |result: anyhow::Result<()>| result.map(|()| 0);
    let result = match cli.subcommand {
        None | Some(Subcommand::Init(_)) if cli.aws.demo => {
            return fail(
                USAGE_ERROR,
                "--demo runs the headless commands on the demo world; the console on it is `cutover demo`, and `init` reads a live distribution: drop --demo",
            );
        }
        Some(Subcommand::Doctor(_)) if cli.aws.demo => {
            return fail(
                USAGE_ERROR,
                "`doctor` checks a live account's readiness; the demo world needs none: drop --demo",
            );
        }
        None => match themes_for_screen(cli.theme.as_deref()) {
            Ok((themes, theme)) => {
                done(runtime.block_on(cutover::commands::live::run(&cli.aws, themes, &theme, colours)))
            }
            Err(message) => return fail(USAGE_ERROR, &message),
        },
        Some(Subcommand::Demo(args)) => match themes_for_screen(cli.theme.as_deref()) {
            Ok((themes, theme)) => done(runtime.block_on(cutover::commands::demo::run(&args, themes, &theme, colours))),
            Err(message) => return fail(USAGE_ERROR, &message),
        },
        Some(Subcommand::Init(args)) => {
            done(runtime.block_on(cutover::commands::init::run(&args, &cli.aws)).map_err(Into::into))
        }
        Some(Subcommand::Log(mut args)) if args.team => {
            args.distribution = cli.aws.distribution.clone();
            args.demo = cli.aws.demo;
            runtime.block_on(cutover::commands::log_team::run(&args, &cli.aws))
        }
        Some(Subcommand::Log(mut args)) => {
            args.distribution = cli.aws.distribution.clone();
            args.demo = cli.aws.demo;
            done(cutover::commands::log::run(&args, None).map_err(Into::into))
        }
        Some(Subcommand::Status(args)) => runtime.block_on(cutover::commands::headless::status(&args, &cli.aws)),
        Some(Subcommand::Switch(args)) => runtime.block_on(cutover::commands::headless::switch(&args, &cli.aws)),
        Some(Subcommand::RollbackAll(args)) => {
            runtime.block_on(cutover::commands::headless::rollback_all(&args, &cli.aws))
        }
        Some(Subcommand::Rollout(args)) => runtime.block_on(cutover::commands::headless::rollout(&args, &cli.aws)),
        Some(Subcommand::Weight(args)) => runtime.block_on(cutover::commands::headless::weight(&args, &cli.aws)),
        Some(Subcommand::Stage(args)) => runtime.block_on(cutover::commands::headless::stage(&args, &cli.aws)),
        Some(Subcommand::Probe(args)) => runtime.block_on(cutover::commands::headless::probe(&args, &cli.aws)),
        Some(Subcommand::Router(args)) => runtime.block_on(cutover::commands::router::run(&args, &cli.aws)),
        Some(Subcommand::EdgeLogs(args)) => runtime.block_on(cutover::commands::edge_logs::run(&args, &cli.aws)),
        Some(Subcommand::Doctor(args)) => runtime.block_on(cutover::commands::doctor::run(&args, &cli.aws)),
        Some(Subcommand::Completions(_) | Subcommand::Man) => unreachable!("answered before the runtime"),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            tracing::error!("{error:#}");
            fail(exit_code(&error), &message(&error))
        }
    }
}

/// The themes and the chosen theme's name, for the commands with a screen (the console and the
/// demo). The headless commands never load them: a broken theme file or an unknown
/// `CUTOVER_THEME` must not stop `rollback-all` in an emergency.
fn themes_for_screen(wanted: Option<&str>) -> Result<(ThemeSet, String), String> {
    let themes = ThemeSet::load(user_theme_dir().as_deref()).map_err(|error| error.to_string())?;
    let theme = wanted.unwrap_or(DEFAULT_THEME).to_string();
    if themes.get(&theme).is_none() {
        return Err(themes.unknown_theme_message(&theme));
    }
    Ok((themes, theme))
}

/// cutover's own errors are whole sentences that already name their cause; others get their chain.
fn message(error: &anyhow::Error) -> String {
    if error.is::<ConfigError>()
        || error.is::<LiveError>()
        || error.is::<InitError>()
        || error.is::<AuditError>()
        || error.is::<HeadlessError>()
        || error.is::<TeamLogError>()
    {
        error.to_string()
    } else {
        format!("{error:#}")
    }
}

/// 2 for what the user can fix (config, arguments), 1 for everything else.
fn exit_code(error: &anyhow::Error) -> u8 {
    if let Some(error) = error.downcast_ref::<ConfigError>() {
        error.exit_code()
    } else if let Some(error) = error.downcast_ref::<LiveError>() {
        error.exit_code()
    } else if let Some(error) = error.downcast_ref::<InitError>() {
        error.exit_code()
    } else if let Some(error) = error.downcast_ref::<HeadlessError>() {
        error.exit_code()
    } else if let Some(error) = error.downcast_ref::<TeamLogError>() {
        error.exit_code()
    } else {
        1
    }
}

/// End with `message` on standard error. Messages echo config keys, theme names, paths and AWS
/// strings: their control characters are shown, not sent to the terminal.
fn fail(code: u8, message: &str) -> ExitCode {
    warn(message);
    ExitCode::from(code)
}

/// `cutover: message` on standard error, control characters escaped; a closed standard error is
/// no reason to panic.
fn warn(message: &str) {
    output::stderr_line(&format!("cutover: {}", visible::escape_keeping_lines(message)));
}
