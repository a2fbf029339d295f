//! Colours on the screen: the light theme paints every cell, every theme's drawn text reaches
//! WCAG's 4.5:1 against what it is drawn on (in 24-bit and in the 256-colour palette), and the
//! charts tell their series apart without colour.

mod support;

use std::time::Duration;

use cutover::app::command::Command;
use cutover::app::model::state::{Overlay, State};
use cutover::backend::sim::Scenario;
use cutover::theme::{Colours, Theme, ThemeSet, xterm_rgb};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use support::{Drive, demo};

fn draw(state: &State, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| cutover::ui::render(frame, state, theme)).unwrap();
    terminal
}

/// The sizes the issue names.
const SIZES: [(u16, u16); 3] = [(80, 24), (140, 42), (200, 60)];

/// Screens that between them draw every pane: the calm demo with its log open; the bad deploy
/// with its breached route selected (a breached number on the selected row); the switch dialog,
/// the help, a flash in the footer and the quit question.
async fn screens() -> Vec<(&'static str, State)> {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.run_until(Duration::from_secs(150), |_| false).await;
    session.press(Command::SelectDown);
    session.press(Command::ToggleEvents);
    let calm = session.state().clone();
    session.press(Command::Switch);
    let confirm = session.state().clone();
    let mut help = calm.clone();
    help.view.overlay = Overlay::Help;
    let mut flash = calm.clone();
    flash.notices.flash("/orders/* is not routed: s moves it by behavior");

    let (mut session, _) = demo(Scenario::BadDeploy, 1).await;
    session.run_until(Duration::from_secs(600), |s| s.routes.iter().any(|r| !r.alert.is_empty())).await;
    let sick = session.state().routes.iter().find(|r| !r.alert.is_empty()).map(|r| r.path.clone());
    session.state_mut().view.selected = sick;
    session.press(Command::ToggleEvents);
    let breached = session.state().clone();
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session.run_until(Duration::from_secs(20), |_| false).await;
    session.press(Command::Quit);
    let quitting = session.state().clone();
    vec![
        ("calm", calm),
        ("confirm", confirm),
        ("help", help),
        ("flash", flash),
        ("breached", breached),
        ("quitting", quitting),
    ]
}

/// `--theme light` on a white terminal: no cell is left on the terminal's own background.
#[tokio::test(start_paused = true)]
async fn the_light_theme_paints_every_cell() {
    let themes = ThemeSet::load(None).unwrap();
    for (name, state) in screens().await {
        for (width, height) in SIZES {
            for theme_name in ["light", "dark", "high-contrast"] {
                let theme = themes.get(theme_name).unwrap();
                for theme in [theme.clone(), Colours::Palette256.apply(theme.clone())] {
                    let terminal = draw(&state, &theme, width, height);
                    let buffer = terminal.backend().buffer();
                    for y in 0..height {
                        for x in 0..width {
                            let cell = &buffer[(x, y)];
                            assert_ne!(
                                cell.bg,
                                Color::Reset,
                                "{theme_name} {name} {width}×{height}: ({x}, {y}) {:?} is on the terminal's background\n{}",
                                cell.symbol(),
                                terminal.backend()
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Relative luminance of a colour, WCAG 2.x.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG contrast ratio of two colours, 1 to 21.
fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A colour the theme wrote, as red, green and blue: 24-bit or a palette entry past the first 16.
fn rgb(color: Color) -> (u8, u8, u8) {
    match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => xterm_rgb(i).unwrap_or_else(|| panic!("palette entry {i} has no fixed colour")),
        Color::White => (255, 255, 255),
        Color::Black => (0, 0, 0),
        other => panic!("a built-in theme uses {other:?}, whose value the terminal picks"),
    }
}

/// Where the text of a cell is not words but a line: borders, chart lines and bars, the gauge's
/// track. WCAG asks 3:1 of such graphics (1.4.11) and 4.5:1 of text (1.4.3).
fn graphic(symbol: &str) -> bool {
    symbol.chars().all(|c| matches!(c, '\u{2500}'..='\u{259f}' | '\u{2800}'..='\u{28ff}' | '•' | '·' | ' '))
}

/// Every cell's text against its background, under each built-in theme, in 24-bit and in the
/// 256-colour palette: 4.5:1 for words and numbers (a breached number on the selected row, the
/// header, the footer, the dialogs), 3:1 for lines.
#[tokio::test(start_paused = true)]
async fn every_drawn_pair_reaches_wcag_contrast() {
    let themes = ThemeSet::load(None).unwrap();
    let screens = screens().await;
    let mut failures = std::collections::BTreeMap::new();
    for theme_name in themes.names() {
        let builtin = themes.get(&theme_name).unwrap();
        for (depth, theme) in [("24-bit", builtin.clone()), ("256", Colours::Palette256.apply(builtin.clone()))] {
            for (name, state) in &screens {
                for (width, height) in SIZES {
                    let terminal = draw(state, &theme, width, height);
                    let buffer = terminal.backend().buffer();
                    check(buffer, &theme, &mut failures, &format!("{theme_name} {depth}"), name);
                }
            }
        }
    }
    let failures: Vec<String> = failures.into_iter().map(|(pair, example)| format!("{pair} ({example})")).collect();
    assert!(failures.is_empty(), "below WCAG contrast:\n{}", failures.join("\n"));
}

/// Each pair below its ratio, once, with where it was first seen.
fn check(
    buffer: &Buffer,
    theme: &Theme,
    failures: &mut std::collections::BTreeMap<String, String>,
    what: &str,
    screen: &str,
) {
    let base_fg = theme.base.fg.expect("the theme's base has a foreground");
    let base_bg = theme.base.bg.expect("the theme's base has a background");
    for cell in buffer.content() {
        let symbol = cell.symbol();
        if symbol.trim().is_empty() {
            continue;
        }
        let fg = if cell.fg == Color::Reset { base_fg } else { cell.fg };
        let bg = if cell.bg == Color::Reset { base_bg } else { cell.bg };
        let (fg, bg) = if cell.modifier.contains(Modifier::REVERSED) { (bg, fg) } else { (fg, bg) };
        let ratio = contrast(rgb(fg), rgb(bg));
        let needed = if graphic(symbol) { 3.0 } else { 4.5 };
        if ratio < needed {
            let pair = format!("{what}: {fg:?} on {bg:?} is {ratio:.2}:1 < {needed}:1");
            failures.entry(pair).or_insert_with(|| format!("{symbol:?} on the {screen} screen"));
        }
    }
}

/// With `NO_COLOR` the two request series and the 5xx line and its threshold are drawn, and named
/// in the legend, in shapes of their own: a braille line and a row of dots.
#[tokio::test(start_paused = true)]
async fn without_colour_the_chart_series_differ_in_shape() {
    let (mut session, _) = demo(Scenario::Calm, 1).await;
    session.run_until(Duration::from_secs(150), |_| false).await;
    session.press(Command::SelectDown);
    session.press(Command::Switch);
    session.press(Command::Confirm);
    session.run_until(Duration::from_secs(240), |_| false).await;
    let theme = Theme::default_dark().without_color();
    for (width, height) in SIZES {
        let terminal = draw(session.state(), &theme, width, height);
        let text = terminal.backend().to_string();
        let legend = text.lines().find(|l| l.contains("requests/min:")).expect("a legend");
        assert!(legend.contains("⣀⣀ λ Lambda  •• ◼ origin"), "{legend}");
        assert!(legend.contains("⣀⣀ 5xx  •• threshold"), "{legend}");
        // Both shapes are in the charts themselves.
        let chart: String = text.lines().skip_while(|l| !l.contains("requests/min:")).collect();
        assert!(chart.contains('•'), "dots in the charts:\n{text}");
        assert!(chart.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)), "braille in the charts:\n{text}");
        insta::assert_snapshot!(format!("no_color_{width}x{height}"), terminal.backend());
    }
}
