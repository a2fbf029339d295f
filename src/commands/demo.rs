//! `cutover demo`: the console on the simulated world.

use std::sync::Arc;

use jiff::Timestamp;

use crate::app::model::setup::Setup;
use crate::app::model::state::{Mode, State};
use crate::app::runtime::Runtime;
use crate::app::terminal::{self, Palette};
use crate::audit::AuditLog;
use crate::backend::FaultSet;
use crate::backend::sim;
use crate::backend::sim::{Scenario, SimBackend, SimOptions, catalog, demo_probe_spec};
use crate::cli::DemoArgs;
use crate::clock::Clock;
use crate::domain::Level;
use crate::theme::{Colours, ThemeSet};

// Long: each simulated distribution's world, setup and ports, then the runtime around them, in the
// order the console needs them; the steps share too much to split cleanly.
pub async fn run(args: &DemoArgs, themes: ThemeSet, theme: &str, colours: Colours) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(|| Timestamp::now().as_millisecond().unsigned_abs());
    let clock = Clock::simulated(Timestamp::now(), args.speed);
    let mut palette = Palette::new(themes, colours);
    // A trail of the demo's own: the world is made afresh each run and its clock runs ahead of the
    // real one, so earlier runs' records are neither this world's history nor in its past.
    let audit = AuditLog::open_demo();
    let mut distributions = Vec::new();
    for index in 0..args.distributions {
        // The scenario plays on the first distribution; the others are calm, on seeds of their own.
        let scenario = if index == 0 { args.scenario } else { Scenario::Calm };
        let faults: FaultSet = args.faults.iter().copied().collect();
        let options = SimOptions { scenario, seed: seed.wrapping_add(u64::from(index)), faults };
        let id = catalog::demo_distribution_id(index);
        let backend = Arc::new(
            SimBackend::new(clock.clone(), options).with_routes(usize::from(args.routes)).with_distribution_id(&id),
        );
        let mode = Mode::Demo { scenario: scenario.name().to_string() };
        let mut setup = Setup::new(&id, mode, operator(), clock.now());
        setup.faults = faults;
        // The demo's router moves a couple of routes by share, in seconds (`+`, `-`, `s`).
        setup.router = !backend.routed().is_empty();
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
                "demo world, scenario {}, {}× speed, seed {seed} (rerun with --seed {seed} to repeat it)",
                scenario.name(),
                args.speed
            ),
        );
        if !faults.is_empty() {
            let effects: Vec<&str> = faults.iter().map(|f| f.effect()).collect();
            setup.note(Level::Warn, None, format!("demo: injected fault {faults}: {}", effects.join("; ")));
        }
        // Every demo route has a probe, answered by the simulated edges.
        setup.probes = catalog::routes_of(usize::from(args.routes))
            .into_iter()
            .map(|r| (r.path.clone(), demo_probe_spec(&r.path)))
            .collect();
        // Every route's Lambda side is behind the demo's one API Gateway stage (`D` rolls it back).
        setup.stages = catalog::routes_of(usize::from(args.routes))
            .into_iter()
            .filter(|r| r.home != catalog::STATIC_ORIGIN_ID)
            .map(|r| (r.path, sim::stage::demo_route_stage()))
            .collect();
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
        distributions.push((State::new(setup), ports));
    }
    let runtime = Runtime::new(distributions, clock).with_themes(theme, palette.names());
    let mut runtime = match audit {
        Ok(log) => runtime.with_audit(log),
        Err(error) => runtime.with_audit_unavailable(error.to_string()),
    };
    // Found now, not at the first switch: the banner (and the dialog) say so before anyone acts.
    let _ = runtime.check_audit();
    tracing::info!(seed, scenario = args.scenario.name(), speed = args.speed, "demo started");
    terminal::run(&mut runtime, &mut palette).await
}

/// The local user, for the event log: the environment first (what `sudo` and shells set), then
/// the account database.
pub fn operator() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(|| whoami::username().ok())
        .unwrap_or_else(|| "unknown user".into())
}
