//! Several distributions in one console, on the simulator with a paused clock: keys act on the
//! shown distribution only (so `R` rolls back the selected route's distribution), the others keep
//! refreshing and ringing, and the tab strip says where attention is needed.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{Overlay, State};
use cutover::app::runtime::Runtime;
use cutover::app::tab::Tab;
use cutover::backend::FaultSet;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use cutover::domain::Target;
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Drive, demo_state, start};

const MINUTE: Duration = Duration::from_secs(60);

/// A console on a `bad-deploy` distribution and a calm one, each on its own simulated world.
fn two_distributions() -> (Runtime<SimBackend>, Vec<Arc<SimBackend>>) {
    let clock = Clock::simulated(start(), 10.0);
    let worlds = [("EBADDEPLOY", Scenario::BadDeploy, 5), ("ECALM", Scenario::Calm, 1)];
    let mut backends = Vec::new();
    let distributions = worlds
        .into_iter()
        .map(|(id, scenario, seed)| {
            let backend = Arc::new(
                SimBackend::new(clock.clone(), SimOptions { scenario, seed, faults: FaultSet::NONE })
                    .with_distribution_id(id),
            );
            backends.push(Arc::clone(&backend));
            (demo_state(id, scenario, &clock), backend)
        })
        .collect();
    (Runtime::new(distributions, clock), backends)
}

fn lambda_routes(state: &State) -> usize {
    state.routes.iter().filter(|r| r.target == Some(Target::Lambda)).count()
}

#[tokio::test(start_paused = true)]
async fn rollback_all_acts_on_the_shown_distribution_only() {
    let (mut deck, backends) = two_distributions();
    deck.run_for(Duration::from_secs(5)).await;
    assert!(deck.console.distributions.iter().all(|s| s.learned.metrics.is_some()), "every distribution loads");

    deck.press(Command::NextDistribution);
    assert_eq!(deck.state().learned.topology.as_ref().unwrap().distribution_id, "ECALM");
    deck.press(Command::RollbackAll);
    let Overlay::Confirm(confirm) = &deck.state().view.overlay else { panic!("no confirmation") };
    assert_eq!(confirm.distribution_id, "ECALM");
    deck.press(Command::Confirm);
    deck.run_for(Duration::from_secs(30)).await;

    assert_eq!((backends[0].updates_accepted(), backends[1].updates_accepted()), (0, 1));
    assert_eq!(lambda_routes(&deck.console.distributions[1]), 0);
    assert_eq!(lambda_routes(&deck.console.distributions[0]), 4, "the distribution not shown is untouched");
    assert!(deck.console.distributions[0].view.overlay == Overlay::None);
}

#[tokio::test(start_paused = true)]
async fn a_breach_on_a_distribution_not_shown_still_rings_and_shows_on_its_tab() {
    let (mut deck, _) = two_distributions();
    deck.press(Command::NextDistribution);
    let rung = deck.bells;
    // bad-deploy's Lambda errors begin a few minutes in and must last three periods.
    for _ in 0..20 {
        deck.run_for(MINUTE / 10).await;
        if deck.console.tabs()[0].breached > 0 {
            break;
        }
    }
    let tabs = deck.console.tabs();
    assert_eq!(tabs[0], Tab { distribution_id: "EBADDEPLOY".into(), shown: false, breached: 1, deploying: false });
    assert!(tabs[1].shown && tabs[1].breached == 0);
    assert!(deck.bells > rung, "the bell rings for a distribution that is not shown");
    assert_eq!(deck.state().learned.topology.as_ref().unwrap().distribution_id, "ECALM", "the view stays put");
}

#[tokio::test(start_paused = true)]
async fn tabs_wrap_around_and_the_theme_follows() {
    let (mut deck, _) = two_distributions();
    deck.run_for(Duration::from_secs(5)).await;
    assert_eq!(deck.console.theme, "dark");
    deck.press(Command::PreviousDistribution);
    assert!(deck.console.tabs()[1].shown);
    deck.press(Command::NextDistribution);
    assert!(deck.console.tabs()[0].shown);
    deck.console.theme_names = vec!["dark".into(), "light".into()];
    deck.press(Command::CycleTheme);
    deck.press(Command::NextDistribution);
    assert_eq!(deck.console.theme, "light", "a theme chosen on one tab stays on the next");
}

#[tokio::test(start_paused = true)]
async fn the_tab_strip_names_every_distribution_and_what_needs_attention() {
    let (mut deck, _) = two_distributions();
    for _ in 0..20 {
        deck.run_for(MINUTE / 10).await;
        if deck.console.tabs()[0].breached > 0 {
            break;
        }
    }
    deck.press(Command::NextDistribution);
    deck.press(Command::RollbackAll);
    deck.press(Command::Confirm);
    deck.run_for(Duration::from_secs(2)).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let tabs = deck.console.tabs();
    let state = deck.state();
    terminal.draw(|frame| cutover::ui::render_deck(frame, &tabs, state, &Theme::default_dark())).unwrap();
    // The strip only: the rest of the screen is the single-distribution console, snapshotted elsewhere.
    let screen = terminal.backend().to_string();
    let strip = screen.lines().next().unwrap();
    assert_eq!(strip.trim_matches('"').trim_end(), " 1 EBADDEPLOY ⚠ 1 │ ▶ 2 ECALM ⟳   Tab next · Shift-Tab previous");
}
