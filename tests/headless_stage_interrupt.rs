//! Ctrl-C while `cutover stage --deployment` waits for `UpdateStage`: the move gets its
//! `stage_abandoned` record, saying why, and the command exits 130, as a switch does
//! (`headless_interrupt.rs`). Its own test binary, because the signal goes to the whole process.

mod support;

use support::UnansweredStage as Unanswered;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::FaultSet;
use cutover::backend::ports::Ports;
use cutover::backend::sim::stage::demo_route_stage;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::stage::StageControl;
use cutover::clock::Clock;
use cutover::commands::headless::{Confirmer, EventPrinter, HeadlessError, StageArgs, run_stage};
use support::pty::TempDir;
use support::{Drive, demo_state, start};

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

/// Real time at 10× speed: `UpdateStage` may take 60 s of the console's time (6 s), and the
/// signal arrives a second in.
#[tokio::test]
async fn ctrl_c_while_update_stage_is_out_records_stage_abandoned_and_exits_130() {
    let dir = TempDir::new("cutover-stage-interrupt");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 1, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut state = demo_state(catalog::DISTRIBUTION_ID, Scenario::Calm, &clock);
    state.policy.stages = [("/orders/*".to_string(), demo_route_stage())].into_iter().collect();
    let stages: Arc<dyn StageControl> = Arc::new(Unanswered(Arc::clone(&backend)));
    let mut runtime =
        Runtime::single(state, Ports::new(backend).with_stage_control(stages), clock).with_audit(trail.clone());
    assert!(runtime.run_until(Duration::from_secs(30), |s| s.learned.topology.is_some()).await);

    let pid = std::process::id().to_string();
    let interrupt = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap()
    });
    let args = StageArgs {
        route: "/orders/*".into(),
        list: false,
        json: false,
        deployment: Some("d0".into()),
        yes: true,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let result = run_stage(&mut runtime, &args, &mut printer, &mut Yes).await;
    assert!(interrupt.join().unwrap().success());

    let Err(error) = result else { panic!("finished despite Ctrl-C") };
    assert!(matches!(error, HeadlessError::Interrupted("SIGINT")), "{error}");
    assert_eq!(error.exit_code(), 130);
    let printed = String::from_utf8(printer.into_inner()).unwrap();
    assert!(printed.contains("abandoned: cutover got SIGINT while waiting for UpdateStage's answer"), "{printed}");
    let trail = read_trail(trail.path()).unwrap();
    let kinds: Vec<RecordKind> = trail.records().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::StageRequested, RecordKind::StageAbandoned]);
    let last = trail.records().last().unwrap();
    assert!(last.error.as_deref().unwrap().contains("may serve either deployment"), "{last:?}");
}
