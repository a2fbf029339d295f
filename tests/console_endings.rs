//! However the console ends, a switch or a stage move under way gets its last word in the audit
//! trail: here the terminal's input ending and a frame that cannot be drawn, on ratatui's test
//! backend and a scripted event stream (quitting and signals are covered by `e2e_pty.rs` and
//! `deck.rs` for switches, `headless_stage_interrupt.rs` and `update`'s tests for stage moves).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use cutover::app::model::state::MovePhase;
use cutover::app::runtime::Runtime;
use cutover::app::terminal::{INPUT_ENDED, Palette, drive};
use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::backend::sim::{Scenario, SimBackend};
use cutover::theme::ThemeSet;
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use support::demo;
use support::pty::TempDir;

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)))
}

/// Keys that select `/orders/*`, open its switch dialog and confirm it.
fn switch_orders() -> Vec<std::io::Result<Event>> {
    vec![key('j'), key('s'), key('y')]
}

async fn console(dir: &TempDir) -> (Runtime<SimBackend>, AuditLog) {
    let log = AuditLog::at(dir.path().join("audit.jsonl"));
    let (runtime, _) = demo(Scenario::Calm, 1).await;
    (runtime.with_audit(log.clone()), log)
}

fn palette() -> Palette {
    Palette::new(ThemeSet::load(None).unwrap(), cutover::theme::Colours::TrueColour)
}

/// The switch of `/orders/*` was sent, then abandoned with `reason` in the state and the trail.
fn assert_abandoned(deck: &Runtime<SimBackend>, log: &AuditLog, reason: &str) {
    let state = deck.console.shown();
    assert_eq!(state.moves.len(), 1, "the keys sent one switch");
    assert_eq!(state.moves[0].paths, ["/orders/*"]);
    assert_eq!(state.moves[0].phase, MovePhase::Abandoned);
    let trail = read_trail(log.path()).unwrap();
    let last = trail.records().last().unwrap();
    assert_eq!(last.kind, RecordKind::SwitchAbandoned);
    let error = last.error.as_deref().unwrap();
    assert!(error.contains(reason), "{error}");
}

#[tokio::test(start_paused = true)]
async fn input_that_ends_mid_switch_abandons_it() {
    let dir = TempDir::new("cutover-ending-input");
    let (mut deck, log) = console(&dir).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let events = stream::iter(switch_orders());

    drive(&mut terminal, events, &mut deck, &mut palette()).await.unwrap();
    assert_abandoned(&deck, &log, INPUT_ENDED);
}

/// The test backend, whose draws fail once `broken` is set.
struct Breaking {
    inner: TestBackend,
    broken: Arc<AtomicBool>,
}

impl Backend for Breaking {
    type Error = std::io::Error;

    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> std::io::Result<()> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(std::io::Error::other("the terminal went away"));
        }
        self.inner.draw(content).unwrap_or_else(|never| match never {});
        Ok(())
    }
    fn hide_cursor(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn show_cursor(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn get_cursor_position(&mut self) -> std::io::Result<Position> {
        Ok(Position::ORIGIN)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, _: P) -> std::io::Result<()> {
        Ok(())
    }
    fn clear(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn clear_region(&mut self, _: ClearType) -> std::io::Result<()> {
        Ok(())
    }
    fn size(&self) -> std::io::Result<Size> {
        Ok(self.inner.size().unwrap_or_else(|never| match never {}))
    }
    fn window_size(&mut self) -> std::io::Result<WindowSize> {
        Ok(self.inner.window_size().unwrap_or_else(|never| match never {}))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_frame_that_cannot_be_drawn_mid_switch_abandons_it_and_is_the_error() {
    let dir = TempDir::new("cutover-ending-draw");
    let (mut deck, log) = console(&dir).await;
    let broken = Arc::new(AtomicBool::new(false));
    let mut terminal =
        Terminal::new(Breaking { inner: TestBackend::new(120, 40), broken: Arc::clone(&broken) }).unwrap();
    // After the keys, an event that breaks the terminal; then the input stays open.
    let breaker = stream::once(async move {
        broken.store(true, Ordering::SeqCst);
        Ok(Event::FocusGained)
    });
    let events: BoxStream<'static, _> = stream::iter(switch_orders()).chain(breaker).chain(stream::pending()).boxed();

    let error = drive(&mut terminal, events, &mut deck, &mut palette()).await.unwrap_err();
    assert!(format!("{error:#}").contains("drawing on the terminal failed: the terminal went away"), "{error:#}");
    assert_abandoned(&deck, &log, "drawing on the terminal failed");
}

/// The demo console with /orders/* on the demo's stage, whose moves go unanswered.
async fn staged_console(dir: &TempDir) -> (Runtime<SimBackend>, AuditLog) {
    let log = AuditLog::at(dir.path().join("audit.jsonl"));
    (support::unanswered_stage_demo().await.with_audit(log.clone()), log)
}

/// Keys that select `/orders/*`, open `D`'s picker, choose the fallback and confirm; a pause
/// before each, so the picker has read the deployments before Enter.
fn move_orders_stage() -> BoxStream<'static, std::io::Result<Event>> {
    let enter = || Ok(Event::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    stream::iter([key('j'), key('D'), enter(), key('y')])
        .then(|event| async move {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            event
        })
        .boxed()
}

/// The stage move was sent, then recorded `stage_abandoned` with `reason`.
fn assert_stage_abandoned(deck: &Runtime<SimBackend>, log: &AuditLog, reason: &str) {
    let state = deck.console.shown();
    assert_eq!(
        state.moves.iter().filter(|m| m.stage().is_some()).count(),
        1,
        "the keys sent one stage move: {:?}",
        state.view.overlay
    );
    let trail = read_trail(log.path()).unwrap();
    let kinds: Vec<RecordKind> = trail.records().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::StageRequested, RecordKind::StageAbandoned]);
    let last = trail.records().last().unwrap();
    let error = last.error.as_deref().unwrap();
    assert!(error.contains(reason) && error.contains("may serve either deployment"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn input_that_ends_mid_stage_move_abandons_it() {
    let dir = TempDir::new("cutover-ending-stage-input");
    let (mut deck, log) = staged_console(&dir).await;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();

    drive(&mut terminal, move_orders_stage(), &mut deck, &mut palette()).await.unwrap();
    assert_stage_abandoned(&deck, &log, INPUT_ENDED);
}

#[tokio::test(start_paused = true)]
async fn a_frame_that_cannot_be_drawn_mid_stage_move_abandons_it() {
    let dir = TempDir::new("cutover-ending-stage-draw");
    let (mut deck, log) = staged_console(&dir).await;
    let broken = Arc::new(AtomicBool::new(false));
    let mut terminal =
        Terminal::new(Breaking { inner: TestBackend::new(120, 40), broken: Arc::clone(&broken) }).unwrap();
    let breaker = stream::once(async move {
        broken.store(true, Ordering::SeqCst);
        Ok(Event::FocusGained)
    });
    let events: BoxStream<'static, _> = move_orders_stage().chain(breaker).chain(stream::pending()).boxed();

    let error = drive(&mut terminal, events, &mut deck, &mut palette()).await.unwrap_err();
    assert!(format!("{error:#}").contains("the terminal went away"), "{error:#}");
    assert_stage_abandoned(&deck, &log, "drawing on the terminal failed");
}
