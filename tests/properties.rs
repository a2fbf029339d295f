//! Random key sequences against a two-distribution demo, with faults switched on and off by the
//! same keys, on tokio's paused clock. Whatever is pressed, in whatever context: nothing panics, no
//! distribution ever has two updates in flight, and every switch attempt ends with exactly one
//! terminal event (deployed, failed or abandoned) in the audit trail.

mod support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover::app::action::Action;
use cutover::app::keymap::command_for;
use cutover::app::runtime::Runtime;
use cutover::app::state::SwitchPhase;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use proptest::prelude::*;
use support::pty::TempDir;
use support::{Drive, demo_state, start};

/// Keys an operator might press, the fault key and quitting included.
const KEYS: &[KeyCode] = &[
    KeyCode::Char('j'),
    KeyCode::Char('k'),
    KeyCode::Char('G'),
    KeyCode::Char('s'),
    KeyCode::Enter,
    KeyCode::Char('y'),
    KeyCode::Char('y'),
    KeyCode::Char('n'),
    KeyCode::Esc,
    KeyCode::Char('R'),
    KeyCode::Char('u'),
    KeyCode::Char('e'),
    KeyCode::Char('/'),
    KeyCode::Char('o'),
    KeyCode::Backspace,
    KeyCode::Char('r'),
    KeyCode::Char('f'),
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Char('?'),
    KeyCode::Char('q'),
    KeyCode::PageUp,
];

fn console(dir: &TempDir, seed: u64) -> (Runtime<SimBackend>, Vec<Arc<SimBackend>>, AuditLog) {
    let clock = Clock::simulated(start(), 10.0);
    let audit = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut backends = Vec::new();
    let mut distributions = Vec::new();
    for (id, scenario) in [("EFIRST", Scenario::BadDeploy), ("ESECOND", Scenario::Calm)] {
        let options = SimOptions { scenario, seed, faults: FaultSet::NONE };
        let backend = Arc::new(SimBackend::new(clock.clone(), options).with_distribution_id(id));
        backends.push(Arc::clone(&backend));
        distributions.push((demo_state(id, scenario, &clock), backend));
    }
    (Runtime::new(distributions, clock).with_audit(audit.clone()), backends, audit)
}

async fn play(seed: u64, steps: Vec<(usize, u64)>) -> Result<(), TestCaseError> {
    let dir = TempDir::new("cutover-properties");
    let (mut deck, backends, audit) = console(&dir, seed);
    deck.run_for(Duration::from_secs(2)).await;
    for (key, pause_ms) in steps {
        if deck.console.quit() {
            break;
        }
        let event = KeyEvent::new(KEYS[key], KeyModifiers::NONE);
        if let Some(command) = command_for(deck.state().context(), &event) {
            deck.press(command);
        }
        deck.run_for(Duration::from_millis(pause_ms)).await;
    }
    // However the run ended, the console stops: anything unfinished is abandoned on the way out.
    deck.dispatch(Action::Abandon { reason: "the property test ended".into() });

    for backend in &backends {
        prop_assert!(backend.most_updates_in_flight() <= 1, "two updates of one distribution in flight");
    }
    let attempts: Vec<_> = deck.console.distributions.iter().flat_map(|s| s.switches.iter()).collect();
    for attempt in &attempts {
        let ended = matches!(attempt.phase, SwitchPhase::Deployed | SwitchPhase::Failed | SwitchPhase::Abandoned);
        prop_assert!(ended, "attempt {} never ended: {:?}", attempt.id, attempt.phase);
    }
    let trail = read_trail(audit.path()).expect("the trail reads back");
    let count = |kinds: &[RecordKind]| trail.records().filter(|r| kinds.contains(&r.kind)).count();
    let started = count(&[RecordKind::SwitchRequested, RecordKind::AutoRollback]);
    let ended = count(&[RecordKind::SwitchDeployed, RecordKind::SwitchFailed, RecordKind::SwitchAbandoned]);
    prop_assert_eq!(started, attempts.len(), "one start record per attempt");
    prop_assert_eq!(ended, attempts.len(), "exactly one terminal record per attempt");
    Ok(())
}

proptest! {
    // Each case is minutes of simulated time over two worlds; a few dozen find what a thousand would.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_never_panic_never_double_update_and_end_every_switch(
        seed in 0u64..1000,
        steps in prop::collection::vec((0..KEYS.len(), 0u64..8_000), 1..60),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
        runtime.block_on(play(seed, steps))?;
    }
}
