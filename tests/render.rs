//! Screen tests: the real `render` into ratatui's `TestBackend`, compared with reviewed
//! snapshots (`cargo insta review`, or `INSTA_UPDATE=always cargo test` then read the diff).

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::State;
use cutover::backend::sim::Scenario;
use cutover::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use support::{Drive, demo, demo_with_routes, routed_demo, staged_demo};

fn draw(state: &State, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, theme)).unwrap();
    terminal
}

/// The calm demo a few minutes in, with /orders/* selected.
async fn calm() -> State {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.run_until(Duration::from_secs(150), |_| false).await;
    session.press(Command::SelectDown);
    session.state().clone()
}

#[tokio::test(start_paused = true)]
async fn main_screen_120x40() {
    let state = calm().await;
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn main_screen_80x24() {
    let state = calm().await;
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 80, 24).backend());
}

#[tokio::test(start_paused = true)]
async fn switch_in_progress_with_event_log_open() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.press(Command::SelectDown);
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session.press(Command::ToggleEvents);
    session.run_until(Duration::from_secs(75), |_| false).await;
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn help_overlay() {
    let mut state = calm().await;
    state.view.overlay = cutover::app::model::state::Overlay::Help;
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn help_overlay_fits_80x24() {
    let mut state = calm().await;
    state.view.overlay = cutover::app::model::state::Overlay::Help;
    let screen = draw(&state, &Theme::default_dark(), 80, 24).backend().to_string();
    use cutover::app::keymap::{Context, help_rows};
    for context in [Context::Table, Context::Confirm, Context::ConfirmQuit, Context::Filter] {
        for (label, _) in help_rows(context) {
            assert!(screen.contains(&label), "help at 80×24 lacks {label}:\n{screen}");
        }
    }
    insta::assert_snapshot!(screen);
}

#[tokio::test(start_paused = true)]
async fn confirm_dialog() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.press(Command::SelectDown);
    session.press(Command::Switch);
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_marks_the_sick_route() {
    let (mut session, _) = demo(Scenario::BadDeploy, 1).await;
    session.run_until(Duration::from_secs(600), |s| s.routes.iter().any(|r| !r.alert.is_empty())).await;
    session.press(Command::SelectDown);
    session.press(Command::ToggleEvents);
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 120, 40).backend());
}

/// The bad deploy at its first `!` on `/orders/*`, selected, its stage read.
async fn bad_deploy_at_the_first_bang() -> cutover::app::runtime::Runtime<cutover::backend::sim::SimBackend> {
    let (mut session, _) = staged_demo(Scenario::BadDeploy, 5).await;
    session.press(Command::SelectDown);
    let breaching = |s: &State| cutover::app::intent::remedies::breaching(s, s.route("/orders/*").unwrap());
    assert!(session.run_until(Duration::from_secs(720), breaching).await);
    session
}

#[tokio::test(start_paused = true)]
async fn the_remedies_line_puts_the_fastest_first() {
    let session = bad_deploy_at_the_first_bang().await;
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn the_switch_dialog_of_a_breaching_route_names_the_faster_remedy() {
    let mut session = bad_deploy_at_the_first_bang().await;
    session.press(Command::Switch);
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 120, 40).backend());
}

#[tokio::test(start_paused = true)]
async fn no_color_draws_no_colour_and_stays_readable() {
    let mut state = calm().await;
    state.view.log_open = true;
    let terminal = draw(&state, &Theme::default_dark().without_color(), 120, 40);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "coloured cell {cell:?}");
    }
    // Targets and alerts carry symbols and words, not colour alone.
    let text = terminal.backend().to_string();
    assert!(text.contains("λ Lambda") && text.contains("◼ origin"));
    insta::assert_snapshot!(terminal.backend());
}

#[tokio::test(start_paused = true)]
async fn every_theme_draws_the_same_text() {
    let state = calm().await;
    let themes = cutover::theme::ThemeSet::load(None).unwrap();
    let reference = draw(&state, &Theme::default_dark(), 120, 40).backend().to_string();
    for name in themes.names() {
        let theme = themes.get(&name).unwrap();
        assert_eq!(draw(&state, theme, 120, 40).backend().to_string(), reference, "theme {name}");
    }
}

/// The same world as seen live: account and profile, what CloudWatch polling costs, an assumed
/// concurrency limit, and the read-only banner after AWS refused an update.
#[tokio::test(start_paused = true)]
async fn live_header_cost_and_read_only_banner() {
    let mut state = calm().await;
    state.policy.mode =
        cutover::app::model::state::Mode::Live { account: "123456789012".into(), profile: Some("ops".into()) };
    let metrics = state.learned.metrics.last_mut().unwrap();
    metrics.queries = 41;
    metrics.concurrency_limit_assumed = true;
    state.read_only = Some("AWS denied UpdateDistribution to these credentials".into());
    let wide = draw(&state, &Theme::default_dark(), 180, 24);
    insta::assert_snapshot!("live_180x24", wide.backend());
    let narrow = draw(&state, &Theme::default_dark(), 100, 24);
    let header: String = (0..100).map(|x| narrow.backend().buffer()[(x, 0)].symbol().to_string()).collect();
    assert!(header.contains(" LIVE "), "{header}");
    assert!(header.contains("account 123456789012 profile ops"), "the account stays on a narrow screen: {header}");

    // The banner wears its own key, not the log's warning colour it used to borrow.
    let mut theme = Theme::default_dark();
    theme.banner_read_only = theme.banner_read_only.fg(Color::Magenta);
    assert_ne!(theme.banner_read_only, theme.log_warn);
    let screen = draw(&state, &theme, 180, 24);
    let buffer = screen.backend().buffer();
    let row = (0..24).find(|&y| (0..180).map(|x| buffer[(x, y)].symbol()).collect::<String>().contains("READ-ONLY"));
    let row = row.expect("a READ-ONLY banner");
    let first = (0..180).find(|&x| buffer[(x, row)].symbol() == "R").unwrap();
    assert_eq!(buffer[(first, row)].fg, Color::Magenta);
}

/// Lambda sides in two accounts: one gauge each, named by account id, and the account that could
/// not be read this time marked STALE (`?` when the line is short).
#[tokio::test(start_paused = true)]
async fn one_concurrency_gauge_per_account() {
    use cutover::domain::AccountConcurrency;
    let mut state = calm().await;
    state.policy.mode = cutover::app::model::state::Mode::Live { account: "123456789012".into(), profile: None };
    let metrics = state.learned.metrics.last_mut().unwrap();
    let account = |label: &str, id: &str, used: f64, limit: u32, error: Option<&str>| AccountConcurrency {
        label: label.into(),
        account_id: Some(id.into()),
        used: vec![Some(used)],
        limit,
        error: error.map(str::to_string),
        ..AccountConcurrency::default()
    };
    metrics.accounts = vec![
        account("default", "123456789012", 834.0, 1000, None),
        account("payments", "210987654321", 120.0, 3000, None),
        account("search", "555566667777", 2950.0, 3000, Some("AccessDenied")),
    ];
    let header = |width: u16| -> String {
        let terminal = draw(&state, &Theme::default_dark(), width, 24);
        (0..width).map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string()).collect()
    };
    let wide = header(200);
    assert!(wide.contains("λ 1234…9012 834/1,000 · 2109…4321 120/3,000 · 5555…7777 2,950/3,000 ! STALE"), "{wide}");
    assert!(!wide.contains("λ concurrency"), "one gauge per account replaces the single one: {wide}");
    let narrow = header(160);
    assert!(narrow.contains("2109…4321 120/3,000 · 5555…7777 2,950/3,000 !?"), "{narrow}");

    // The routes whose Lambda side lives in the account not read are drawn as stale; the others not.
    let (in_search, elsewhere) = (state.routes[0].path.clone(), state.routes[1].path.clone());
    let metrics = state.learned.metrics.last_mut().unwrap();
    metrics.route_accounts = [(in_search.clone(), 2), (elsewhere.clone(), 1)].into();
    let theme = Theme::default_dark();
    let terminal = draw(&state, &theme, 200, 40);
    let buffer = terminal.backend().buffer();
    let style_of = |path: &str| {
        let y = (0..40).find(|&y| route_in_row(&terminal, y) == path).unwrap_or_else(|| panic!("{path} is drawn"));
        // The requests column's last cell: a number (or `–`) in the row's own style.
        let text = row_text(&terminal, y);
        let x = text.chars().position(|c| c.is_ascii_digit()).expect("a number in the row");
        buffer[(x as u16, y)].style()
    };
    assert_eq!(style_of(&in_search).fg, theme.stale.fg, "{:?}", style_of(&in_search));
    assert_ne!(style_of(&elsewhere).fg, theme.stale.fg);
}

/// The demo five minutes into an injected `offline` fault: the header says which fault, that the
/// data is stale and how old, and when the next try is; the table keeps its last good numbers
/// under a STALE title; the event log says what failed once.
#[tokio::test(start_paused = true)]
async fn offline_fault_marks_the_last_good_numbers_stale() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.run_until(Duration::from_secs(90), |_| false).await;
    for _ in 0..5 {
        session.press(Command::CycleFaults);
    }
    session.press(Command::ToggleEvents);
    session.run_until(Duration::from_secs(300), |_| false).await;
    let screen = draw(session.state(), &Theme::default_dark(), 140, 34);
    let text = screen.backend().to_string();
    assert!(text.contains("offline") && text.contains("STALE data") && text.contains("retry in"), "{text}");
    insta::assert_snapshot!(screen.backend());
}

/// The routed demo with the router healthy, then five minutes into an injected `router-errors`
/// fault with `/search/*` (routed) selected: the header says the router fails and by how much, the
/// banner what to do in the demo (the fault key), and the routed route's title that shares cannot help.
#[tokio::test(start_paused = true)]
async fn a_failing_router_shows_in_the_header_the_banner_and_a_routed_routes_title() {
    let (mut session, _) = routed_demo(1).await;
    session.run_until(Duration::from_secs(90), |_| false).await;
    session.state_mut().view.selected = Some("/search/*".into());
    let healthy = draw(session.state(), &Theme::default_dark(), 140, 34).backend().to_string();
    assert!(healthy.contains("router ✓") && healthy.contains("│ router ✓ "), "{healthy}");
    for _ in 0..6 {
        session.press(Command::CycleFaults);
    }
    assert_eq!(session.state().faults.to_string(), "router-errors");
    session.run_until(Duration::from_secs(300), |_| false).await;
    let screen = draw(session.state(), &Theme::default_dark(), 140, 34);
    let text = screen.backend().to_string();
    assert!(text.contains("· router ✗ ·"), "{text}");
    assert!(
        text.contains("✖ router in trouble (the demo's injected fault): f cycles it off; shares cannot help"),
        "{text}"
    );
    assert!(text.contains("errors/min, compute 8") && text.contains(": shares cannot help"), "{text}");
    let wide = draw(session.state(), &Theme::default_dark(), 220, 34).backend().to_string();
    let header = wide.lines().next().unwrap_or_default();
    assert!(header.contains("· router ✗ 5,442 errors/min, compute 8"), "a wide header has the numbers: {header}");
    insta::assert_snapshot!(screen.backend());
}

/// `q` while a switch rolls out: the question names the switch and what state its route may be in.
#[tokio::test(start_paused = true)]
async fn quit_dialog_with_a_switch_rolling_out() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.press(Command::SelectDown);
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session.run_until(Duration::from_secs(20), |_| false).await;
    session.press(Command::Quit);
    insta::assert_snapshot!(draw(session.state(), &Theme::default_dark(), 100, 30).backend());
}

/// The text of row `y` of a drawn screen.
fn row_text(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect()
}

/// The route path in row `y` of the table.
fn route_in_row(terminal: &Terminal<TestBackend>, y: u16) -> String {
    row_text(terminal, y).chars().skip(4).take(14).collect::<String>().trim().to_string()
}

/// The row the table's `▶` marks, as text.
fn selected_row(terminal: &Terminal<TestBackend>) -> Option<String> {
    (0..terminal.backend().buffer().area.height).map(|y| row_text(terminal, y)).find(|r| r.starts_with("│▶"))
}

/// A thousand routes: the table scrolls inside its share of the screen, says which rows it shows,
/// and `End` brings the default behavior into view with the chart still readable below.
#[tokio::test(start_paused = true)]
async fn a_thousand_routes_scroll_to_the_end() {
    let (mut session, _) = demo_with_routes(Scenario::Calm, 1, 1000).await;
    session.press(Command::SelectLast);
    let screen = draw(session.state(), &Theme::default_dark(), 120, 40);
    let text = screen.backend().to_string();
    assert!(text.contains("routes 980–1,000 of 1,000"), "{text}");
    assert!(selected_row(&screen).is_some_and(|r| r.contains(" *  ")), "{text}");
    insta::assert_snapshot!(screen.backend());
}

/// Walking down a thousand routes one key at a time, the selected row is always on screen and the
/// rows above it move only when the selection reaches the bottom edge.
#[tokio::test(start_paused = true)]
async fn the_selected_row_stays_in_view_and_the_view_moves_only_at_its_edge() {
    let (mut session, _) = demo_with_routes(Scenario::Calm, 1, 1000).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let theme = Theme::default_dark();
    let mut first_rows = Vec::new();
    for step in 0..120 {
        terminal.draw(|frame| cutover::ui::render(frame, session.state(), &theme)).unwrap();
        let selected = session.state().view.selected.clone().unwrap();
        let row = selected_row(&terminal).unwrap_or_default();
        assert!(row.contains(&format!(" {selected} ")), "step {step}: {selected} is not the marked row: {row:?}");
        first_rows.push(route_in_row(&terminal, 3));
        session.press(Command::SelectDown);
    }
    // 21 rows fit: the first route stays put until the selection reaches row 21 (index 20), one
    // short of the bottom, then moves by one on each of the 100 steps from there to index 119.
    let moves = first_rows.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(moves, 100, "the view scrolled on {moves} of 119 steps");
    // Back up: the view holds still until the selection nears its top.
    terminal.draw(|frame| cutover::ui::render(frame, session.state(), &theme)).unwrap();
    let bottom_view = route_in_row(&terminal, 3);
    for _ in 0..10 {
        session.press(Command::SelectUp);
        terminal.draw(|frame| cutover::ui::render(frame, session.state(), &theme)).unwrap();
    }
    assert_eq!(route_in_row(&terminal, 3), bottom_view, "moving up inside the view scrolled it");
}

/// The filter at a thousand routes: the title counts the matches, and only matching rows show.
#[tokio::test(start_paused = true)]
async fn the_filter_narrows_a_thousand_routes() {
    let (mut session, _) = demo_with_routes(Scenario::Calm, 1, 1000).await;
    session.press(Command::StartFilter);
    for c in "SVC/98".chars() {
        session.press(Command::FilterInput(c));
    }
    let screen = draw(session.state(), &Theme::default_dark(), 120, 40);
    let text = screen.backend().to_string();
    assert!(text.contains("filter: SVC/98 (10 of 1,000)"), "{text}");
    let rows: Vec<String> = (3..14).map(|y| row_text(&screen, y)).collect();
    for (i, row) in rows[..10].iter().enumerate() {
        assert!(row.contains(&format!("/svc/98{i}/*")), "row {i}: {row}");
    }
    assert!(rows[10].starts_with("└"), "an 11th row: {}", rows[10]);

    session.press(Command::FilterInput('x'));
    let text = draw(session.state(), &Theme::default_dark(), 120, 40).backend().to_string();
    assert!(text.contains("(0 of 1,000)") && text.contains("no route matches the filter"), "{text}");
}

/// `R` with 251 Lambda routes: the dialog names the first few, counts the rest, and still shows
/// where they go, the origin's health and the keys.
#[tokio::test(start_paused = true)]
async fn rollback_of_hundreds_of_routes_keeps_the_dialog_readable() {
    let (mut session, _) = demo_with_routes(Scenario::Calm, 1, 1000).await;
    session.press(Command::RollbackAll);
    let screen = draw(session.state(), &Theme::default_dark(), 120, 40);
    let text = screen.backend().to_string();
    assert!(text.contains("roll back all 251 Lambda routes to the origin?"), "{text}");
    for needed in ["routes /user/*, /orders/*", "more", "from   λ Lambda", "to     ◼ origin", "health of ◼ origin now:"]
    {
        assert!(text.contains(needed), "no {needed:?}:\n{text}");
    }
    assert!(text.contains("y switch   n/Esc cancel"), "the keys are cut off:\n{text}");
    insta::assert_snapshot!(screen.backend());
}

/// A key that cannot act answers in the footer, where the key hints were, for a few seconds.
#[tokio::test(start_paused = true)]
async fn a_refused_key_flashes_its_reason_in_the_footer() {
    let mut state = calm().await;
    state.notices.flash("the console is read-only (--read-only); /orders/* was not switched");
    let screen = draw(&state, &Theme::default_dark(), 120, 40);
    let footer = row_text(&screen, 39);
    assert!(footer.starts_with(" ▸ the console is read-only (--read-only); /orders/* was not switched"), "{footer}");
    insta::assert_snapshot!(screen.backend());
}

/// A breach whose minutes all came before the route's last move says so in the detail title.
#[tokio::test(start_paused = true)]
async fn a_breach_from_before_the_switch_is_marked_late() {
    use cutover::domain::thresholds::{Breach, BreachKind};
    let mut state = calm().await;
    let at = state.now;
    let orders = state.routes.iter_mut().find(|r| r.path == "/orders/*").unwrap();
    orders.alert = vec![Breach { kind: BreachKind::ErrorRate, value: 6.0, limit: 5.0 }];
    orders.alert_before = Some(at);
    let screen = draw(&state, &Theme::default_dark(), 120, 40);
    let text = screen.backend().to_string();
    let expected = format!("breach from before the switch at {}", at.strftime("%H:%M:%S"));
    assert!(text.contains(&expected), "{text}");
    insta::assert_snapshot!(screen.backend());
}

/// A breached route scrolled out of view is counted in the table's title, and `a` brings it in.
#[tokio::test(start_paused = true)]
async fn a_breached_route_out_of_view_is_counted_and_a_jumps_to_it() {
    use cutover::domain::thresholds::{Breach, BreachKind};
    let (mut session, _) = demo_with_routes(Scenario::Calm, 1, 1000).await;
    let breach = Breach { kind: BreachKind::ErrorRate, value: 12.0, limit: 5.0 };
    session.state_mut().routes.iter_mut().find(|r| r.path == "/svc/500/*").unwrap().alert = vec![breach];
    let title = |state: &State| row_text(&draw(state, &Theme::default_dark(), 120, 40), 1);
    assert!(title(session.state()).contains("▲ 1 below (a: next)"), "{}", title(session.state()));

    session.press(Command::SelectNextBreached);
    let screen = draw(session.state(), &Theme::default_dark(), 120, 40);
    let row = selected_row(&screen).unwrap_or_default();
    assert!(row.starts_with("│▶▲ /svc/500/*"), "{row}");
    assert!(!row_text(&screen, 1).contains('▲'), "{}", row_text(&screen, 1));

    session.press(Command::SelectLast);
    assert!(title(session.state()).contains("▲ 1 above (a: next)"), "{}", title(session.state()));
}

/// Routes nothing moves stay on screen: one on an S3 origin, one on Lambda the config pins. `R`
/// leaves both where they are and its dialog says so.
#[tokio::test(start_paused = true)]
async fn routes_that_are_not_switchable_are_shown_and_named_by_the_rollback_dialog() {
    let mut state = calm().await;
    for row in state.routes.iter_mut() {
        if row.path == "/payments/*" {
            row.origin_id = "static-s3".into();
            row.target = None;
            row.pair = Err("on static-s3, an S3 origin: cutover never moves it".into());
        }
        if row.path == "/cart/*" {
            row.pair = Err("the config sets switchable = false: name its legacy_origin, then remove that line".into());
        }
    }
    state.view.selected = Some("/payments/*".into());
    let mut console = cutover::app::console::Console::new(vec![state]);
    cutover::app::update::update(&mut console, cutover::app::action::Action::Command(Command::RollbackAll));
    let state = console.shown();
    let screen = draw(state, &Theme::default_dark(), 120, 40);
    let text = format!("{}", screen.backend());
    assert!(text.contains("/cart/*        ⊘ fixed"), "{text}");
    assert!(text.contains("roll back all 3 Lambda routes"), "{text}");
    insta::assert_snapshot!(screen.backend());
}

/// `demo --scenario tv-spike`: the spike's throttles outgrow the THR column (about 102,576 a minute
/// on `/catalog/*`). The number is shown compactly with its mark (`103k!`), never cut from the left
/// into a number a hundred thousand smaller (`02,576!`); every numeric column of every row is whole.
#[tokio::test(start_paused = true)]
async fn tv_spike_throttles_too_wide_for_thr_are_shown_compactly_never_cut() {
    use cutover::app::runtime::Runtime;
    use cutover::backend::FaultSet;
    use cutover::backend::sim::{SimBackend, SimOptions, catalog};
    use cutover::clock::Clock;
    use cutover::domain::format::{fitted, thousands};
    // At 15:00 UTC, the demo's busiest hour of the day, the spike throttles more than 100,000 a minute.
    let clock = Clock::simulated("2026-01-15T15:00:00Z".parse().unwrap(), 10.0);
    let options = SimOptions { scenario: Scenario::TvSpike, seed: 1, faults: FaultSet::NONE };
    let backend = std::sync::Arc::new(SimBackend::new(clock.clone(), options));
    let state = support::demo_state(catalog::DISTRIBUTION_ID, Scenario::TvSpike, &clock);
    let mut session = Runtime::single(state, backend, clock);
    let over_100k = |s: &State| {
        let Some(m) = s.learned.metrics.as_ref() else { return false };
        s.routes.iter().any(|r| m.latest(&r.path).and_then(|p| p.throttles.get()).is_some_and(|t| t >= 100_000.0))
    };
    session.run_until(Duration::from_secs(60 * 60), over_100k).await;
    let state = session.state();
    let metrics = state.learned.metrics.as_ref().unwrap();
    let throttles = |path: &str| metrics.latest(path).and_then(|p| p.throttles.get()).unwrap_or(0.0).round() as u64;
    let widest = state.routes.iter().map(|r| r.path.as_str()).max_by_key(|p| throttles(p)).unwrap().to_string();
    let n = throttles(&widest);
    assert!(n >= 100_000, "the spike throttles {widest} only {n} a minute: the test needs a number wider than THR");
    let screen = draw(state, &Theme::default_dark(), 120, 40);
    let row = (0..40).map(|y| row_text(&screen, y)).find(|r| r.contains(&format!(" {widest} "))).unwrap();
    let compact = format!(" {}!", fitted(n, 6));
    assert!(compact.ends_with("k!"), "{compact}");
    assert!(row.contains(&compact), "THR shows {compact:?} for {n}: {row}");
    // The cut form of the whole number appears nowhere on the screen.
    let whole = thousands(n);
    let cut: String = whole.chars().skip(whole.chars().count() - 6).collect();
    let text = screen.backend().to_string();
    assert!(!text.contains(&format!("{cut}!")) && !text.contains(&format!(" {cut} ")), "{text}");
    // Every row's numbers are whole: each count shown is the route's own, whole or compact.
    for route in &state.routes {
        let Some(point) = metrics.latest(&route.path) else { continue };
        let Some(row) = (0..40).map(|y| row_text(&screen, y)).find(|r| r.contains(&format!(" {} ", route.path))) else {
            continue;
        };
        if let Some(requests) = point.requests() {
            let shown = fitted(requests.round() as u64, 9);
            assert!(row.contains(&format!(" {shown}")), "{}: REQ/MIN {shown}: {row}", route.path);
        }
        if let Some(t) = point.throttles.get() {
            let shown = fitted(t.round() as u64, 6);
            assert!(row.contains(&format!(" {shown}")), "{}: THR {shown}: {row}", route.path);
        }
    }
}

// ---- The screen at every size (issue 21, item 6) ----

/// `demo --scenario bad-deploy` as `cutover demo` starts it (router, probes, stage), run until
/// `/orders/*` breaches, with `/orders/*` selected.
async fn bad_deploy() -> cutover::app::runtime::Runtime<cutover::backend::sim::SimBackend> {
    use cutover::backend::sim::{catalog, stage::demo_route_stage};
    let (mut session, _) = support::routed_demo_in(Scenario::BadDeploy, 1, |setup| {
        setup.stages = catalog::routes_of(catalog::DEFAULT_ROUTES)
            .into_iter()
            .filter(|r| r.home != catalog::STATIC_ORIGIN_ID)
            .map(|r| (r.path, demo_route_stage()))
            .collect();
    })
    .await;
    session.run_until(Duration::from_secs(600), |s| s.routes.iter().any(|r| !r.alert.is_empty())).await;
    session.state_mut().view.selected = Some("/orders/*".into());
    session
}

/// [`bad_deploy`] after `s` on `/orders/*`, once its traffic is seen moved and its probes answered.
async fn bad_deploy_switched() -> State {
    let mut session = bad_deploy().await;
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session
        .run_until(Duration::from_secs(600), |s| {
            s.moved_marks.iter().any(|m| m.path == "/orders/*") && s.edge.contains_key("/orders/*")
        })
        .await;
    session.state().clone()
}

/// The rows of a drawn screen, as text.
fn rows_of(terminal: &Terminal<TestBackend>) -> Vec<String> {
    (0..terminal.backend().buffer().area.height).map(|y| row_text(terminal, y)).collect()
}

/// The rows inside the pane whose top border starts with `top` (`┌ routes`, `┌ /orders/*`).
fn pane_rows(rows: &[String], top: &str) -> Option<Vec<String>> {
    let first = rows.iter().position(|r| r.starts_with(top))?;
    let last = rows[first + 1..].iter().position(|r| r.starts_with('└'))? + first + 1;
    Some(rows[first + 1..last].to_vec())
}

/// How many route rows the table shows (its rows under the heading).
fn table_rows(rows: &[String]) -> usize {
    pane_rows(rows, "┌ routes").map_or(0, |inner| inner.len().saturating_sub(1))
}

/// How many rows the selected route's charts have (under the legend line).
fn chart_rows(rows: &[String], path: &str) -> usize {
    pane_rows(rows, &format!("┌ {path} ")).map_or(0, |inner| inner.len().saturating_sub(1))
}

/// A long event is wrapped, its continuation lines under its message (not under the time), and
/// the newest entry's last line is the pane's last line.
#[tokio::test(start_paused = true)]
async fn event_lines_wrap_under_their_message_and_the_newest_stays_in_view() {
    let mut state = calm().await;
    state.view.log_open = true;
    let long = "UpdateDistribution accepted (ETag ETPEJHVPFETH0W → EJSRRJHMHTVBEF), InProgress: /orders/* \
                λ Lambda (apigw) → ◼ origin (legacy); the edges follow within minutes, watch the probes";
    for i in 0..20 {
        state.log(cutover::domain::Level::Info, None, format!("an earlier line {i}"));
    }
    state.log(cutover::domain::Level::Info, Some("/orders/*"), long);
    state.log(cutover::domain::Level::Warn, None, "a short last line");
    for width in [80u16, 140] {
        let screen = draw(&state, &Theme::default_dark(), width, 24);
        let rows = rows_of(&screen);
        let inner = pane_rows(&rows, "┌ events").expect("an event log");
        let last = inner.iter().rposition(|r| !r.trim_matches(['│', ' ']).is_empty()).unwrap();
        assert_eq!(last, inner.len() - 1, "the newest line is the pane's last at {width}:\n{}", inner.join("\n"));
        assert!(inner[last].contains("a short last line"), "{}", inner.join("\n"));
        let first = inner.iter().position(|r| r.contains("UpdateDistribution")).expect("the long entry's head");
        let message_at = inner[first].chars().position(|c| c == 'U').unwrap();
        let mut text = String::new();
        for row in &inner[first..last] {
            let body: String = row.chars().skip(1).take(usize::from(width) - 2).collect();
            if !text.is_empty() {
                let indent = body.chars().take_while(|c| *c == ' ').count();
                assert_eq!(indent + 1, message_at, "a continuation under the message at {width}: {row}");
            }
            text.push_str(body.trim());
            text.push(' ');
        }
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let shown = words(&text);
        assert!(shown.ends_with(&words(long)), "the whole message is shown at {width}:\n{}", inner.join("\n"));
    }
}

/// The table keeps three rows at every size where anything is drawn; the chart keeps six rows
/// wherever the screen is tall enough for them beside the table and an open event log, and never
/// vanishes while the table shows.
#[tokio::test(start_paused = true)]
async fn the_table_keeps_three_rows_and_the_chart_six_at_every_size() {
    let session = bad_deploy().await;
    let mut state = session.state().clone();
    for log_open in [false, true] {
        state.view.log_open = log_open;
        for (width, height) in [(40u16, 10u16), (40, 8), (60, 20), (60, 21), (80, 24), (100, 30), (140, 42), (200, 60)]
        {
            let rows = rows_of(&draw(&state, &Theme::default_dark(), width, height));
            let screen = rows.join("\n");
            assert!(
                table_rows(&rows) >= 3,
                "{width}×{height} log {log_open}: the table has fewer than 3 rows:\n{screen}"
            );
            let chart = chart_rows(&rows, "/orders/*");
            // Header, footer, three table rows, two log lines and six chart rows, with their borders.
            if height >= if log_open { 21 } else { 17 } {
                assert!(chart >= 6, "{width}×{height} log {log_open}: the chart has {chart} rows:\n{screen}");
            }
            if log_open && height >= 20 {
                let events = pane_rows(&rows, "┌ events").map_or(0, |r| r.len());
                assert!(events >= 2, "{width}×{height}: the event log has {events} rows:\n{screen}");
            }
        }
    }
}

/// A title too long for its pane keeps its most useful end: the breach and the status survive,
/// less important parts go first, and what is left out is marked `…`, never cut mid-word.
#[tokio::test(start_paused = true)]
async fn detail_titles_keep_their_most_useful_end() {
    use cutover::domain::thresholds::{Breach, BreachKind};
    let mut state = bad_deploy_switched().await;
    let at = state.now;
    let orders = state.routes.iter_mut().find(|r| r.path == "/orders/*").unwrap();
    orders.alert = vec![Breach { kind: BreachKind::ErrorRate, value: 6.0, limit: 5.0 }];
    orders.alert_before = Some(at);
    for width in [60u16, 80, 100, 140] {
        let rows = rows_of(&draw(&state, &Theme::default_dark(), width, 40));
        let title = rows.iter().find(|r| r.starts_with("┌ /orders/* ")).expect("the detail pane").clone();
        assert!(title.contains("breach from before the switch"), "{width}: {title}");
        if width >= 140 {
            assert!(title.contains("unexpected status"), "{width}: the edge's findings stay: {title}");
        }
        let before_corner = title.trim_end_matches('┐').chars().last().unwrap();
        assert!(matches!(before_corner, '─' | '…' | ' '), "{width}: cut mid-word: {title}");
        if !title.contains("edge ") {
            assert!(title.contains('…'), "{width}: what is left out is marked: {title}");
        }
    }
}

/// The header drops its items by their stated priority: the clock and the router's health stay
/// longest; the footer keeps `? help` at every width.
#[tokio::test(start_paused = true)]
async fn the_header_drops_by_priority_and_the_footer_keeps_help() {
    let state = bad_deploy().await.state().clone();
    for width in [60u16, 80, 100, 120, 140, 160, 200] {
        let screen = draw(&state, &Theme::default_dark(), width, 30);
        let header = row_text(&screen, 0);
        let footer = row_text(&screen, 29);
        assert!(footer.contains("? help"), "{width}: {footer}");
        assert!(header.contains("UTC"), "{width}: the clock: {header}");
        assert!(header.contains("router ✓"), "{width}: the router: {header}");
        if width >= 100 {
            assert!(header.contains("EDEMO7CUTOVER ✓ Deployed"), "{width}: {header}");
            assert!(header.contains("data "), "{width}: {header}");
        }
        if width >= 140 {
            assert!(header.contains("edge "), "{width}: the edge totals: {header}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_80x24_with_the_event_log() {
    let mut state = bad_deploy().await.state().clone();
    state.view.log_open = true;
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 80, 24).backend());
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_140x42_switched_with_the_event_log() {
    let mut state = bad_deploy_switched().await;
    state.view.log_open = true;
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 140, 42).backend());
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_200x60() {
    let state = bad_deploy().await.state().clone();
    insta::assert_snapshot!(draw(&state, &Theme::default_dark(), 200, 60).backend());
}

#[tokio::test(start_paused = true)]
async fn bad_deploy_40x10_keeps_three_table_rows() {
    let state = bad_deploy().await.state().clone();
    let screen = draw(&state, &Theme::default_dark(), 40, 10);
    let rows = rows_of(&screen);
    assert_eq!(table_rows(&rows), 5, "{}", rows.join("\n"));
    // Columns are left out rather than numbers cut: the breached 5xx is whole, with its mark.
    let orders = rows.iter().find(|r| r.contains("/orders/*")).unwrap();
    let five_xx = state.learned.metrics.as_ref().unwrap().latest("/orders/*").unwrap().error_rate_pct().unwrap();
    assert!(orders.contains(&format!(" {five_xx:.1}!")), "{orders}");
    insta::assert_snapshot!(screen.backend());
}

#[tokio::test(start_paused = true)]
async fn at_40x10_e_says_there_is_no_room_and_a_dialog_keeps_its_keys() {
    let mut session = bad_deploy().await;
    session.press(Command::ToggleEvents);
    let text = draw(session.state(), &Theme::default_dark(), 40, 10).backend().to_string();
    assert!(text.contains("▸ no room for the log (e closes)"), "{text}");
    session.press(Command::ToggleEvents);
    session.press(Command::Switch);
    let text = draw(session.state(), &Theme::default_dark(), 40, 10).backend().to_string();
    assert!(text.contains("y switch"), "the dialog's keys stay on screen:\n{text}");
    let text = draw(session.state(), &Theme::default_dark(), 120, 40).backend().to_string();
    assert!(text.contains("y switch"), "{text}");
}
