//! `cutover demo`: the console on the simulated world: the kept one (`commands::demo_world`) when it
//! runs one distribution, kept again on quitting; `--reset` keeps a fresh one and opens no console.

use std::sync::Arc;

use jiff::Timestamp;

use crate::app::model::state::State;
use crate::app::runtime::Runtime;
use crate::app::terminal::{self, Palette};
use crate::audit::AuditLog;
use crate::audit::journal_entry::by;
use crate::backend::sim::{Scenario, SimBackend, SimOptions, catalog, crew};
use crate::backend::{Backend as _, FaultSet};
use crate::cli::{DEFAULT_DEMO_SPEED, DemoArgs};
use crate::clock::Clock;
use crate::commands::demo_world::{self, DemoWorld};
use crate::domain::{Level, visible};
use crate::output;
use crate::theme::{Colours, ThemeSet};

// Long: each simulated distribution's world (the first the kept one), setup and ports, then the
// runtime around them, in the order the console needs them, and the world kept after; the steps
// share too much to split cleanly.
pub async fn run(args: &DemoArgs, themes: ThemeSet, theme: &str, colours: Colours) -> anyhow::Result<()> {
    if args.reset {
        return reset(args);
    }
    let kept = if args.distributions == 1 { Some(kept_world(args)?) } else { None };
    let (seed, speed) = match &kept {
        Some((world, _)) => (world.backend.seed(), world.backend.clock().speed()),
        None => (
            args.seed.unwrap_or_else(|| Timestamp::now().as_millisecond().unsigned_abs()),
            args.speed.unwrap_or(DEFAULT_DEMO_SPEED),
        ),
    };
    let clock =
        kept.as_ref().map_or_else(|| Clock::simulated(Timestamp::now(), speed), |(w, _)| w.backend.clock().clone());
    let mut palette = Palette::new(themes, colours);
    // A trail of the demo's own: its clock runs ahead of the real one, so its records are never
    // mixed with the live trail's.
    let audit = AuditLog::open_demo();
    let faults: FaultSet = args.faults.iter().copied().collect();
    let mut distributions = Vec::new();
    // The `crew` scenario's teammates, until the console ends.
    let mut crews = Vec::new();
    for index in 0..args.distributions {
        let backend = match &kept {
            Some((world, _)) => Arc::clone(&world.backend),
            None => {
                // The scenario plays on the first distribution; the others are calm, on seeds of their own.
                let scenario = if index == 0 { args.scenario.unwrap_or_default() } else { Scenario::Calm };
                let options = SimOptions { scenario, seed: seed.wrapping_add(u64::from(index)), faults };
                let id = catalog::demo_distribution_id(index);
                Arc::new(
                    SimBackend::new(clock.clone(), options)
                        .with_routes(usize::from(args.routes))
                        .with_distribution_id(&id),
                )
            }
        };
        if kept.is_some() {
            backend.inject_faults(faults);
        }
        let scenario = backend.scenario();
        let mut setup = demo_world::setup(&backend);
        setup.faults = faults;
        // The demo's router moves a couple of routes by share, in seconds (`+`, `-`, `s`).
        if setup.router {
            let routed = backend.routed().join(", ");
            setup.note(
                Level::Info,
                None,
                format!("the router moves {routed} by share: + / - step it, s moves all of it"),
            );
        }
        if args.auto_rollback {
            setup.auto_rollback = catalog::routes_of(usize::from(args.routes)).into_iter().map(|r| r.path).collect();
        }
        setup.note(
            Level::Info,
            None,
            format!(
                "demo world, scenario {}, {speed}× speed, seed {seed} (`cutover demo --reset --scenario {} --seed {seed}` repeats it)",
                scenario.name(),
                scenario.name(),
            ),
        );
        if let Some((world, resumed)) = &kept {
            let path = world.path().display().to_string();
            setup.note(
                Level::Info,
                None,
                match resumed {
                    true => format!("the kept demo world, where the last `--demo` command or demo left it ({path}); `cutover demo --reset` starts a fresh one"),
                    false => format!("a fresh demo world, kept on quitting in {path} for the `--demo` commands"),
                },
            );
        }
        if !faults.is_empty() {
            let effects: Vec<&str> = faults.iter().map(|f| f.effect()).collect();
            setup.note(Level::Warn, None, format!("demo: injected fault {faults}: {}", effects.join("; ")));
        }
        if let Ok(log) = &audit
            && index == 0
        {
            let path = log.path().display().to_string();
            setup.note(
                Level::Info,
                None,
                format!("`cutover log --demo` reads this demo's moves, recorded in its own trail {path}"),
            );
        }
        let ports = backend.ports(setup.probe_settings);
        let (ports, team) = demo_world::team(&backend, &mut setup, ports);
        if scenario == Scenario::Crew {
            setup.note(
                Level::Info,
                None,
                format!(
                    "crew: {} works this distribution with you; {} min in she rolls {} back (press s on it while it rolls out), and {} min in someone changes {} outside cutover",
                    by(crew::TEAMMATE, crew::TEAMMATE_HOST),
                    crew::ROLLBACK_AT.as_secs() / 60,
                    crew::TEAMMATE_ROUTE,
                    crew::OUTSIDE_AT.as_secs() / 60,
                    crew::OUTSIDE_ROUTE,
                ),
            );
            crews.push(crew::spawn_crew(Arc::clone(&backend), &team));
        }
        distributions.push((State::new(setup), ports));
    }
    let runtime = Runtime::new(distributions, clock).with_themes(theme, palette.names());
    let mut runtime = match audit {
        Ok(log) => runtime.with_audit(log),
        Err(error) => runtime.with_audit_unavailable(error.to_string()),
    };
    if let Some(notifier) = super::demo_world::notifier(&runtime) {
        runtime = runtime.with_notifier(notifier);
    }
    // Found now, not at the first switch: the banner (and the dialog) say so before anyone acts.
    let _ = runtime.check_audit();
    tracing::info!(seed, speed, kept = kept.is_some(), "demo started");
    let ended = terminal::run(&mut runtime, &mut palette).await;
    drop(crews);
    runtime.flush_team().await;
    if let Some((world, _)) = &kept {
        world.keep()?;
    }
    ended
}

/// The world the console opens when it runs one distribution: a fresh one when --scenario or
/// --seed ask for one or --routes differs from the kept world's, else the kept one (or a fresh
/// calm one when none is kept). Whether it was kept before.
fn kept_world(args: &DemoArgs) -> anyhow::Result<(DemoWorld, bool)> {
    let routes = usize::from(args.routes);
    let fresh = || demo_world::fresh(args.scenario, args.seed, args.speed, Some(routes));
    if args.scenario.is_some() || args.seed.is_some() {
        return Ok((DemoWorld::fresh(fresh())?, false));
    }
    let world = DemoWorld::open_kept(args.speed)?;
    if world.backend.route_count() != routes {
        return Ok((DemoWorld::fresh(fresh())?, false));
    }
    let resumed = !world.is_new();
    Ok((world, resumed))
}

/// `cutover demo --reset`: a fresh world kept in place of the kept one, no console.
fn reset(args: &DemoArgs) -> anyhow::Result<()> {
    let fresh = demo_world::fresh(args.scenario, args.seed, args.speed, Some(usize::from(args.routes)));
    let world = DemoWorld::fresh(fresh)?;
    world.keep()?;
    output::stdout_line(&visible::escape(&format!(
        "a fresh demo world is kept in {}: scenario {}, seed {}, {}× speed; `cutover status --demo` reads it, `cutover demo` opens it",
        world.path().display(),
        fresh.scenario.name(),
        fresh.seed,
        fresh.speed
    )));
    Ok(())
}

/// The local user, for the event log (kept where the demo world's start is made).
pub use super::demo_world::operator;
