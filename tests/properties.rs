//! Random key sequences against a two-distribution demo, with faults switched on and off by the
//! same keys, on tokio's paused clock. Whatever is pressed, in whatever context: nothing panics, no
//! distribution ever has two updates in flight, and every switch attempt ends with exactly one
//! terminal event (deployed, failed or abandoned) in the audit trail.
//!
//! And rollout plans: random plan text to the parser, and random `plan_step` records of a trail
//! to a restarted console (resumed, then its plan keys pressed and the clock run) and to the
//! screen, drawn into ratatui's test backend at every turn. Nothing panics, no hold exceeds a week,
//! and a plan read back is one cutover can count to the end of.

mod support;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover::app::action::Action;
use cutover::app::command::Command;
use cutover::app::history::plans_under_way;
use cutover::app::keymap::command_for;
use cutover::app::model::plan_run::PlanPhase;
use cutover::app::model::state::MovePhase;
use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::audit::{AuditRecord, Environment, PlanMark};
use cutover::backend::FaultSet;
use cutover::backend::sim::catalog;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use cutover::domain::plan::{MAX_HOLD, RolloutPlan};
use cutover::theme::Theme;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::pty::TempDir;
use support::{Drive, demo_state, routed_console, start};

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
    let attempts: Vec<_> = deck.console.distributions.iter().flat_map(|s| s.moves.iter()).collect();
    for attempt in &attempts {
        let ended = matches!(attempt.phase, MovePhase::Deployed | MovePhase::Failed | MovePhase::Abandoned);
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

/// A hold as an operator (or a typo) might write it: any digits, any unit.
fn hold_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..200, prop::sample::select(vec!["s", "m", "h"])).prop_map(|(n, u)| format!("{n}{u}")),
        ("[0-9]{1,25}", prop::sample::select(vec!["s", "m", "h", "d", "", "ms", "H"]))
            .prop_map(|(n, u)| format!("{n}{u}")),
        Just("70000000h".to_string()),
        Just("5124095576030431h".to_string()),
        Just("5124095576030432h".to_string()),
        Just("168h".to_string()),
        Just("10081m".to_string()),
        "\\PC{0,6}",
    ]
}

/// A plan's text: steps of a share and maybe a hold, mostly rising, sometimes anything at all.
fn plan_text() -> impl Strategy<Value = String> {
    let share = prop_oneof![(0u32..=110).prop_map(|n| format!("{n}%")), "[0-9]{1,22}%", "\\PC{0,4}",];
    let step = (share, prop::option::of(hold_text())).prop_map(|(share, hold)| match hold {
        Some(hold) => format!("{share} {hold}"),
        None => share,
    });
    let rising = (prop::collection::btree_set(1u8..100, 0..6), prop::collection::vec(hold_text(), 6)).prop_map(
        |(shares, holds)| {
            let mut steps: Vec<String> = shares.iter().zip(&holds).map(|(s, h)| format!("{s}% {h}")).collect();
            steps.push("100%".into());
            steps.join(", ")
        },
    );
    prop_oneof![
        3 => rising,
        2 => prop::collection::vec(step, 0..6).prop_map(|steps| steps.join(", ")),
        1 => "\\PC{0,40}",
    ]
}

/// Any instant jiff can hold, weighted to the edges and to around the demo's start.
fn instant() -> impl Strategy<Value = Timestamp> {
    let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    prop_oneof![
        (min..=max).prop_map(|s| Timestamp::from_second(s).unwrap()),
        (0i64..7 * 24 * 3600).prop_map(move |s| Timestamp::from_second(max - s).unwrap()),
        (0i64..7 * 24 * 3600).prop_map(move |s| Timestamp::from_second(min + s).unwrap()),
        (-3 * 3600i64..3600).prop_map(|s| start() + SignedDuration::from_secs(s)),
    ]
}

/// A `plan_step` record as a trail might hold it, from this cutover, an older one, or a hand.
fn trail_step() -> impl Strategy<Value = AuditRecord> {
    let routes = prop::sample::select(vec!["/search/*", "/payments/*", "/orders/*", "/x\u{1b}[2J*"]);
    let name = prop_oneof![Just("default".to_string()), "\\PC{0,12}", "[\\x00-\\x1f\u{2028}\u{202e}a]{0,8}"];
    let states = prop::sample::select(vec!["started", "step", "resumed", "paused", "done", "aborted", "teleported"]);
    let held = prop_oneof![Just(None), (0u64..3600).prop_map(Some), any::<u64>().prop_map(Some)];
    (instant(), routes, name, plan_text(), prop_oneof![0usize..7, any::<usize>()], any::<u8>(), states, held).prop_map(
        |(time, route, name, steps, step, share, state, held_secs)| {
            let mut record =
                AuditRecord::new(time, RecordKind::PlanStep, Environment::Demo, "kim", catalog::DISTRIBUTION_ID)
                    .with_routes([route]);
            record.plan = Some(PlanMark { name, steps, step, share, state: state.to_string(), held_secs });
            record
        },
    )
}

/// Plan keys an operator might press on the routed route, and what a dialog takes.
const PLAN_KEYS: &[Command] = &[
    Command::StartPlan,
    Command::PausePlan,
    Command::AbortPlan,
    Command::Confirm,
    Command::Cancel,
    Command::ShareUp,
    Command::SelectDown,
    Command::SelectUp,
];

fn draw(state: &cutover::app::model::state::State, width: u16, height: u16) -> Result<(), TestCaseError> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, &Theme::default_dark())).unwrap();
    let screen = format!("{:?}", terminal.backend().buffer());
    prop_assert!(!screen.contains('\u{1b}'), "an escape reached the screen");
    Ok(())
}

async fn resume(seed: u64, records: Vec<AuditRecord>, keys: Vec<(usize, u64)>) -> Result<(), TestCaseError> {
    let (plans, warnings) = plans_under_way(records.iter(), catalog::DISTRIBUTION_ID);
    for run in &plans {
        prop_assert!(run.step < run.plan.steps.len());
        prop_assert!(run.plan.steps.iter().all(|s| s.hold <= MAX_HOLD));
        if let PlanPhase::Restored { since } = run.phase {
            prop_assert!(run.hold_ends(since).is_some(), "a resumed hold that cannot end");
        }
    }
    prop_assert!(warnings.iter().all(|w| !w.contains('\u{1b}') && !w.contains('\u{202e}')), "{warnings:?}");
    let clock = cutover::clock::Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut deck = routed_console(&backend, clock, Scenario::Calm, |setup| {
        setup.resumed_plans = plans;
        for warning in warnings {
            setup.note(cutover::domain::Level::Warn, None, warning);
        }
    })
    .await;
    deck.state_mut().view.selected = Some("/search/*".into());
    draw(deck.state(), 120, 40)?;
    for (key, pause_ms) in keys {
        deck.press(PLAN_KEYS[key]);
        deck.run_for(Duration::from_millis(pause_ms)).await;
        draw(deck.state(), 120, 40)?;
        draw(deck.state(), 64, 18)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_plan_text_parses_to_a_plan_that_holds_at_most_a_week_or_says_why_not(text in plan_text()) {
        match RolloutPlan::parse("p", &text) {
            Ok(plan) => {
                prop_assert!(plan.steps.iter().all(|s| s.hold <= MAX_HOLD), "{text:?}: {plan:?}");
                prop_assert!(plan.steps.windows(2).all(|w| w[0].share < w[1].share));
                prop_assert_eq!(plan.steps.last().map(|s| s.share), Some(100));
                // What the trail writes reads back as the same plan.
                prop_assert_eq!(RolloutPlan::parse("p", &plan.steps_text()), Ok(plan));
            }
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }
}

proptest! {
    // Each case starts a routed demo console and runs it for simulated minutes.
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_trail_steps_resume_run_and_draw_without_panicking(
        seed in 0u64..1000,
        records in prop::collection::vec(trail_step(), 1..5),
        keys in prop::collection::vec((0..PLAN_KEYS.len(), 0u64..90_000), 0..12),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
        runtime.block_on(resume(seed, records, keys))?;
    }
}
