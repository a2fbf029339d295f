//! Probes through the distribution after a switch, on the demo world with a paused clock: the
//! simulated edges answer through the same probe code as live, the row counts the answers from the
//! new side, the log says once when every probe comes from it, the trail keeps that moment, and
//! `switch --wait` waits for it as well as for `Deployed`.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::setup::Setup;
use cutover::app::model::state::{Mode, MovePhase, State};
use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::FaultSet;
use cutover::backend::ports::Ports;
use cutover::backend::probe::Prober;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, SimProber, catalog, demo_probe_spec};
use cutover::clock::Clock;
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, SwitchPlan, carry_out, plan_switch,
};
use cutover::domain::Target;
use support::pty::TempDir;
use support::{Drive, log_lines, start};

const MINUTE: Duration = Duration::from_secs(60);

/// The calm demo with `/orders/*` probed by its simulated edges, loaded.
async fn probed_demo() -> Runtime<SimBackend> {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 4, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mode = Mode::Demo { scenario: "calm".into() };
    let mut setup = Setup::new(catalog::DISTRIBUTION_ID, mode, "kim", clock.now());
    setup.probes.insert("/orders/*".into(), demo_probe_spec("/orders/*"));
    let prober: Arc<dyn Prober> = Arc::new(SimProber::new(Arc::clone(&backend), setup.probe_settings));
    let mut runtime = Runtime::single(State::new(setup), Ports::new(backend).with_prober(prober), clock);
    assert!(runtime.run_until(MINUTE, |s| s.learned.metrics.is_some()).await);
    runtime
}

fn edge_lines(state: &State) -> Vec<String> {
    log_lines(state).into_iter().filter(|l| l.contains("edge: every probe answered by")).collect()
}

#[tokio::test(start_paused = true)]
async fn after_a_switch_the_edge_is_probed_until_every_answer_comes_from_the_new_side() {
    let dir = TempDir::new("cutover-edge");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut runtime = probed_demo().await.with_audit(trail.clone());
    runtime.state_mut().view.selected = Some("/orders/*".into());
    runtime.press(Command::Switch);
    runtime.press(Command::Confirm);
    let mut counts = Vec::new();
    for _ in 0..600 {
        if !edge_lines(runtime.state()).is_empty() {
            break;
        }
        counts.extend(runtime.state().edge_moving("/orders/*"));
        runtime.run_until(Duration::from_secs(1), |_| false).await;
    }
    let state = runtime.state();
    let lines = edge_lines(state);
    assert_eq!(lines.len(), 1, "{:#?}", log_lines(state));
    assert!(lines[0].starts_with("INFO /orders/* edge: every probe answered by ◼ origin since "), "{}", lines[0]);
    assert!(lines[0].ends_with(" after accepted)"), "{}", lines[0]);
    assert!(counts.iter().all(|(to, _, _)| *to == Target::Origin));
    assert!(counts.iter().any(|(_, on_new, all)| on_new < all), "the edge was seen mixed: {counts:?}");

    let answers = &state.edge["/orders/*"].answers;
    assert!(answers.len() >= 3);
    assert!(answers.iter().all(|a| a.pop.is_some()), "every answer names its POP");
    let records = read_trail(trail.path()).unwrap();
    let edge: Vec<_> = records.records().filter(|r| r.kind == RecordKind::EdgeMoved).collect();
    assert_eq!(edge.len(), 1, "the trail keeps the moment once");
    assert!(edge[0].edge_ms.is_some_and(|ms| ms > 0));
}

#[tokio::test(start_paused = true)]
async fn the_probe_key_probes_the_selected_route_once_and_says_when_none_is_configured() {
    let mut runtime = probed_demo().await;
    runtime.state_mut().view.selected = Some("/orders/*".into());
    runtime.press(Command::Probe);
    runtime.run_until(Duration::from_secs(10), |s| !s.edge["/orders/*"].answers.is_empty()).await;
    let answers = &runtime.state().edge["/orders/*"].answers;
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].side(), Some(Target::Lambda), "/orders/* is on Lambda: {:?}", answers[0]);

    runtime.state_mut().view.selected = Some("/cart/*".into());
    runtime.press(Command::Probe);
    let last = log_lines(runtime.state()).pop().unwrap();
    assert!(last.contains("no probe is configured for this route"), "{last}");
}

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

#[tokio::test(start_paused = true)]
async fn switch_wait_waits_for_the_edge_as_well_as_deployed() {
    let mut runtime = probed_demo().await;
    let Ok(SwitchPlan::Change(plan)) = plan_switch(&mut runtime, "/orders/*", Target::Origin) else { panic!() };
    let args = ApplyArgs {
        yes: true,
        wait: true,
        timeout: Duration::from_secs(30 * 60),
        force: false,
        reason: None,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let applied = carry_out(&mut runtime, &[plan], &args, &mut Yes, &mut printer).await.unwrap();
    let (lines, error) = applied.finish();
    assert!(error.is_none(), "{error:?}");
    assert!(lines[0].contains("Deployed after"), "{lines:?}");
    let state = runtime.state();
    assert_eq!(state.moves[0].phase, MovePhase::Deployed);
    assert!(!state.edge_pending(state.moves[0].id), "the edge was waited for");
    let printed = String::from_utf8(printer.into_inner()).unwrap();
    assert!(printed.contains("edge: every probe answered by ◼ origin"), "{printed}");
}

/// The console's own edge event with the live prober, against a fake CloudFront on 127.0.0.1 that
/// stops sending the route to API Gateway and starts sending it to the ELB mid-test (real time,
/// the demo world at 10× for the control plane): answers before the change are Lambda's, and
/// "every probe answered by ◼ origin since …" names a moment after it.
#[tokio::test]
async fn the_edge_event_fires_after_the_fake_edge_changes_backend() {
    use cutover::backend::probe::HttpProber;
    use cutover::domain::probe::{Markers, ProbeMethod, ProbeSpec};
    use support::fake_edge::{Behind, FakeEdge};

    let edge = FakeEdge::start(Behind::RestApi);
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 4, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mode = Mode::Demo { scenario: "calm".into() };
    let mut setup = Setup::new(catalog::DISTRIBUTION_ID, mode, "kim", clock.now());
    let spec = ProbeSpec {
        route: "/orders/*".into(),
        path: "/orders/health".into(),
        method: ProbeMethod::Get,
        expect_status: 200,
        headers: Vec::new(),
        base_url: edge.base_url(),
        host: "api.example.com".into(),
        markers: Markers::default(),
    };
    setup.probes.insert("/orders/*".into(), spec);
    let prober: Arc<dyn Prober> = Arc::new(HttpProber::new(setup.probe_settings, clock.clone()));
    let mut runtime = Runtime::single(State::new(setup), Ports::new(backend).with_prober(prober), clock.clone());
    assert!(runtime.run_until(MINUTE, |s| s.learned.metrics.is_some()).await);
    runtime.state_mut().view.selected = Some("/orders/*".into());
    runtime.press(Command::Switch);
    runtime.press(Command::Confirm);
    // Twenty simulated seconds of probes still answered by API Gateway, then the edge changes.
    assert!(
        runtime
            .run_until(Duration::from_secs(20), |s| s.edge.get("/orders/*").is_some_and(|w| w.answers.len() >= 3))
            .await
    );
    let flipped = clock.now();
    edge.switch_to(Behind::Elb);
    assert!(runtime.run_until(2 * MINUTE, |s| !edge_lines(s).is_empty()).await, "{:#?}", log_lines(runtime.state()));

    let state = runtime.state();
    let answers = &state.edge["/orders/*"].answers;
    assert!(answers.iter().filter(|a| a.at < flipped).all(|a| a.side() == Some(Target::Lambda)), "{answers:#?}");
    let line = &edge_lines(state)[0];
    let since = line.split(" since ").nth(1).unwrap().split(' ').next().unwrap();
    let flipped_at = cutover::domain::format::time_of_day(flipped);
    assert!(since >= flipped_at.as_str(), "the run starts after the change: {line} (changed at {flipped_at})");
    assert!(!edge.requests().iter().any(|r| r.to_ascii_lowercase().contains("authorization")), "no credentials");
}
