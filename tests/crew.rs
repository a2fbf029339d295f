//! `cutover demo --scenario crew` on tokio's paused clock, wired as the demo wires it: the world's
//! journal and CloudTrail as the console's ports, and the scripted teammate. Her presence reaches
//! the header, her records the event log with her name, her unfinished rollback the confirm
//! dialog's warning; the outside change is reported with its banner, the row's `✎` and a
//! notification, and its author once the demo's CloudTrail has the write, three minutes late.

mod support;

use std::sync::Arc;
use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::State;
use cutover::app::model::team::Author;
use cutover::app::model::view::Overlay;
use cutover::app::runtime::Runtime;
use cutover::backend::FaultSet;
use cutover::backend::notify::{NotifierOptions, Target as NotifyTarget, spawn_notifier};
use cutover::backend::sim::crew::{
    Crew, OUTSIDE_AT, OUTSIDE_AUTHOR, OUTSIDE_ROUTE, ROLLBACK_AT, SimTeam, TEAMMATE_ROUTE, spawn_crew,
};
use cutover::backend::sim::trail::TRAIL_DELAY;
use cutover::backend::sim::{Scenario, SimBackend, SimOptions};
use cutover::clock::Clock;
use cutover::notify::NotifyOn;
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Drive, log_lines, start};

const ALICE: &str = "alice@laptop-7";
const MINUTE: Duration = Duration::from_secs(60);

/// The demo as `cutover demo --scenario crew` starts it, its notifications to `notify`.
async fn crew_demo(notify: &std::path::Path) -> (Runtime<SimBackend>, Arc<SimBackend>, SimTeam, Crew) {
    let clock = Clock::simulated(start(), 10.0);
    let options = SimOptions { scenario: Scenario::Crew, seed: 5, faults: FaultSet::NONE };
    let backend = Arc::new(SimBackend::new(clock.clone(), options));
    let mut setup = cutover::commands::demo_world::setup(&backend);
    let ports = backend.ports(setup.probe_settings);
    let (ports, team) = cutover::commands::demo_world::team(&backend, &mut setup, ports);
    let crew = spawn_crew(Arc::clone(&backend), &team);
    let runtime = Runtime::single(State::new(setup), ports, clock.clone());
    let notifier = spawn_notifier(
        vec![NotifyTarget::File { path: notify.to_path_buf() }],
        NotifierOptions::new(NotifyOn::default_set(), clock, |_| {}),
    );
    (runtime.with_notifier(notifier), backend, team, crew)
}

fn screen(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(320, 40)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, &Theme::default_dark())).unwrap();
    let buffer = terminal.backend().buffer();
    let row = |y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>();
    (0..buffer.area.height).map(row).collect::<Vec<_>>().join("\n")
}

fn alices_lines(state: &State) -> Vec<String> {
    log_lines(state).into_iter().filter(|l| l.contains(ALICE)).collect()
}

fn since_start(state: &State) -> Duration {
    Duration::try_from(start().duration_until(state.now)).unwrap()
}

// Long: one story from start to end, each step checked as the console shows it.
#[tokio::test(start_paused = true)]
async fn the_teammate_and_the_outside_change_show_through_the_consoles_own_code() {
    let dir = support::pty::TempDir::new("cutover-crew");
    let notify = dir.path().join("notify-demo.jsonl");
    let (mut session, backend, team, crew) = crew_demo(&notify).await;

    // She is here from the start: the header names her, watching.
    let here = session.run_until(30 * Duration::from_secs(1), |s| {
        s.team.journal.as_ref().is_some_and(|j| !j.others(s.now).is_empty())
    });
    assert!(here.await, "{:#?}", log_lines(session.state()));
    let others: Vec<(String, bool)> = (session.state().team.journal.as_ref().unwrap().others(session.state().now))
        .into_iter()
        .map(|(by, acted)| (by.to_string(), acted))
        .collect();
    assert_eq!(others, [(ALICE.to_string(), false)]);
    assert!(screen(session.state()).contains(&format!("team: {ALICE} watching")), "{}", screen(session.state()));

    // Two minutes in she rolls /cart/* back: her request, then AWS's answer, in the event log.
    let accepted = session.run_until(ROLLBACK_AT + MINUTE, |s| {
        alices_lines(s).iter().any(|l| l.contains("accepted") && l.contains(TEAMMATE_ROUTE))
    });
    assert!(accepted.await, "{:#?}", log_lines(session.state()));
    let heard_at = since_start(session.state());
    assert!(heard_at >= ROLLBACK_AT && heard_at < ROLLBACK_AT + Duration::from_secs(15), "{heard_at:?}");
    let lines = alices_lines(session.state());
    assert!(
        lines[0].starts_with(&format!("WARN {TEAMMATE_ROUTE} {ALICE}: alice asked to switch /cart/*")),
        "{lines:#?}"
    );
    assert!(screen(session.state()).contains(&format!("team: {ALICE} acting")), "{}", screen(session.state()));

    // `s` on /cart/* while her rollout runs: the dialog warns of her before `y`.
    session.state_mut().view.selected = Some(TEAMMATE_ROUTE.to_string());
    session.press(Command::Switch);
    let Overlay::Confirm(confirm) = &session.state().view.overlay else {
        panic!("no dialog: {:?} {:#?}", session.state().view.overlay, log_lines(session.state()))
    };
    assert_eq!(confirm.others.len(), 1, "{:?}", confirm.others);
    let warning = &confirm.others[0];
    assert!(warning.starts_with(&format!("{ALICE} is rolling {TEAMMATE_ROUTE} back: requested ")), "{warning}");
    assert!(warning.ends_with(" ago, still InProgress"), "{warning}");
    let drawn = screen(session.state());
    assert!(drawn.contains(&format!("! {ALICE} is rolling {TEAMMATE_ROUTE} back: requested ")), "{drawn}");
    session.press(Command::Cancel);
    assert!(session.state().moves.is_empty(), "nothing of ours was sent");

    // Her rollout ends: `Deployed` heard, and the warning is gone.
    let deployed = session.run_until(5 * MINUTE, |s| alices_lines(s).iter().any(|l| l.contains("deployed")));
    assert!(deployed.await, "{:#?}", alices_lines(session.state()));
    session.state_mut().view.selected = Some(TEAMMATE_ROUTE.to_string());
    session.press(Command::Switch);
    let Overlay::Confirm(confirm) = &session.state().view.overlay else { panic!("no dialog") };
    assert!(confirm.others.is_empty(), "{:?}", confirm.others);
    session.press(Command::Cancel);

    // Five minutes in, /catalog/* is moved outside cutover: reported at the next read, within a
    // minute, with the banner, the row's mark and a notification; who is not known yet.
    let reported = session.run_until(5 * MINUTE, |s| s.team.outside.iter().any(|c| c.route == OUTSIDE_ROUTE));
    assert!(reported.await, "{:#?}", log_lines(session.state()));
    let seen = since_start(session.state());
    assert!(seen >= OUTSIDE_AT && seen <= OUTSIDE_AT + MINUTE + Duration::from_secs(5), "{seen:?}");
    let state = session.state();
    assert_eq!(state.team.outside.len(), 1, "her own move is no outside change: {:#?}", state.team.outside);
    let change = &state.team.outside[0];
    assert_eq!((change.from.as_str(), change.to.as_str()), ("λ Lambda", "◼ origin"));
    assert_eq!(change.who, Author::NotKnownYet);
    let banner = state.notices.banner.clone().unwrap_or_else(|| panic!("{:#?}", log_lines(state)));
    assert!(banner.starts_with("/catalog/* changed outside cutover: now on ◼ origin (ETag E"), "{banner}");
    let said = log_lines(state).into_iter().find(|l| l.contains("changed outside cutover")).unwrap();
    assert!(said.ends_with("; who: not known yet"), "{said}");
    let drawn = screen(state);
    let row = drawn.lines().find(|l| l.contains(OUTSIDE_ROUTE) && !l.contains("changed outside")).unwrap();
    assert!(row.contains('✎'), "{row}\n{drawn}");

    // The demo's CloudTrail has the write three minutes after it was made: named at the next lookup.
    let named = session.run_until(5 * MINUTE, |s| s.team.outside[0].who != Author::NotKnownYet);
    assert!(named.await, "{:#?}", log_lines(session.state()));
    let state = session.state();
    assert_eq!(state.team.outside[0].who, Author::Known(OUTSIDE_AUTHOR.into()));
    let known = since_start(state);
    assert!(known >= OUTSIDE_AT + TRAIL_DELAY && known <= OUTSIDE_AT + TRAIL_DELAY + 2 * MINUTE, "{known:?}");
    let last = log_lines(state).into_iter().rev().find(|l| l.contains("was changed outside cutover by")).unwrap();
    assert_eq!(last, format!("INFO {OUTSIDE_ROUTE} {OUTSIDE_ROUTE} was changed outside cutover by {OUTSIDE_AUTHOR}"));
    assert_eq!(team.trail.len(), 2, "her write and the outside one");
    assert!(backend.updates_accepted() >= 2);

    // Both notices of the outside change reached the demo's notifications file.
    session.run_until(Duration::from_secs(10), |_| false).await;
    session.flush_team().await;
    let told = std::fs::read_to_string(&notify).unwrap_or_default();
    let about: Vec<&str> = told.lines().filter(|l| l.contains(OUTSIDE_ROUTE)).collect();
    assert_eq!(about.len(), 2, "{told}");
    assert!(about[1].contains("terraform"), "{told}");

    // The console ends: so does she, and her console says it is here no more.
    let presences = || {
        team.journal.messages().iter().filter(|(stream, m)| stream.starts_with(ALICE) && m.contains("\"here\"")).count()
    };
    let before = presences();
    assert!(before >= 8, "one a minute: {before}");
    drop(crew);
    session.run_until(4 * MINUTE, |_| false).await;
    assert_eq!(presences(), before, "none after the end");
}
