//! The screen: one file per pane, each a pure function of state and theme.

mod confirm;
mod confirm_quit;
mod detail;
mod events;
mod footer;
mod header;
mod help;
mod layout;
mod popup;
mod routes;
pub mod sparkline;
mod stage;
mod tabs;
mod title;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::app::model::state::{Overlay, State};
use crate::app::tab::Tab;
use crate::theme::Theme;

/// Draw the whole console.
pub fn render(frame: &mut Frame, state: &State, theme: &Theme) {
    render_deck(frame, &[], state, theme);
}

// Long: the whole screen's layout and overlays; each pane draws itself elsewhere.
/// Draw the console with a tab per distribution above the shown one's screen (no strip for one).
pub fn render_deck(frame: &mut Frame, tabs: &[Tab], state: &State, theme: &Theme) {
    let area = frame.area();
    fill_style(frame.buffer_mut(), area, theme.base);
    let banner_height = u16::from(state.notices.banner.is_some())
        + u16::from(state.read_only.is_some())
        + u16::from(state.notices.audit_failure.is_some());
    let wants = layout::Wants {
        tabs: !tabs.is_empty(),
        banners: banner_height,
        // Rows plus heading and borders.
        table: u16::try_from(state.visible_routes().len()).unwrap_or(u16::MAX).saturating_add(3),
        log_open: state.view.log_open,
    };
    let h = layout::heights(area.height, wants);
    let [tabs_area, header_area, banner_area, table_area, detail_area, events_area, footer_area] =
        Layout::vertical([h.tabs, h.header, h.banners, h.table, h.detail, h.events, h.footer].map(Constraint::Length))
            .areas(area);
    if h.tabs > 0 {
        tabs::render(frame, tabs_area, tabs, theme);
    }

    if h.header > 0 {
        header::render(frame, header_area, state, theme);
    }
    let mut banners = Vec::new();
    if let Some(reason) = &state.read_only {
        let text = format!(" READ-ONLY: {reason}; switching keys only explain");
        banners.push(Line::styled(text, theme.banner_read_only));
    }
    if let Some(error) = &state.notices.audit_failure {
        let text = format!(" ✖ AUDIT TRAIL NOT WRITTEN: {error}; switches are not being recorded");
        banners.push(Line::styled(text, theme.banner_error));
    }
    if let Some(banner) = &state.notices.banner {
        banners.push(Line::styled(format!(" ✖ {banner}"), theme.banner_error));
    }
    frame.render_widget(Paragraph::new(banners), banner_area);
    routes::render(frame, table_area, state, theme);
    if h.detail > 0 {
        detail::render(frame, detail_area, state, theme);
    }
    if h.events > 0 {
        events::render(frame, events_area, state, theme);
    }
    if h.footer > 0 {
        footer::render(frame, footer_area, state, theme);
        // `e` on a screen too short for the log: answered where the eye is, not silently ignored.
        if state.view.log_open && h.events == 0 && state.notices.flash.is_none() {
            footer::no_room_for_the_log(frame, footer_area, theme);
        }
    }

    match &state.view.overlay {
        Overlay::None => {}
        Overlay::Help => help::render(frame, centered(area, 110, 22), theme),
        Overlay::Confirm(confirm) => {
            let audit_failure = state.notices.audit_failure.as_deref();
            let area = centered(area, confirm::WIDTH, confirm::height(confirm, audit_failure));
            confirm::render(frame, area, confirm, audit_failure, theme)
        }
        Overlay::ConfirmQuit(risks) => {
            let area = centered(area, confirm_quit::WIDTH, confirm_quit::height(risks, state.notices.demo));
            confirm_quit::render(frame, area, risks, state.notices.demo, theme)
        }
        Overlay::StagePicker(picker) => {
            stage::render_picker(frame, centered(area, stage::WIDTH, stage::picker_height(picker)), picker, theme)
        }
        Overlay::ConfirmStage(confirm) => {
            stage::render_confirm(frame, centered(area, stage::WIDTH, stage::confirm_height(confirm)), confirm, theme)
        }
    }
}

/// What `Buffer::set_style` (and so a plain styled `Block`) does to `area`, a row slice at a time:
/// the same cells come out, without a bounds-checked lookup for each of the screen's 12,000 cells
/// (200×60), which made the background alone about 6 % of a frame.
fn fill_style(buf: &mut Buffer, area: Rect, style: Style) {
    let area = buf.area.intersection(area);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        for cell in &mut buf.content[start..start + usize::from(area.width)] {
            cell.set_style(style);
        }
    }
}

/// What `Block::bordered().title(title).border_style(style)` draws, for the two panes drawn on
/// every frame: the same cells in the same order (the four sides, the corners over their ends,
/// the title), without the block's pass over every cell inside it to set its empty style, which
/// was about 5 % of a frame. Returns the area inside the border, as `Block::inner` does.
fn bordered(buf: &mut Buffer, area: Rect, title: &Line, style: Style) -> Rect {
    let inner = Block::bordered().inner(area);
    let area = buf.area.intersection(area);
    if area.is_empty() {
        return inner;
    }
    let (left, top, right, bottom) = (area.left(), area.top(), area.right() - 1, area.bottom() - 1);
    let set = border::PLAIN;
    for y in top..=bottom {
        buf[(left, y)].set_symbol(set.vertical_left).set_style(style);
    }
    for x in left..=right {
        buf[(x, top)].set_symbol(set.horizontal_top).set_style(style);
    }
    for y in top..=bottom {
        buf[(right, y)].set_symbol(set.vertical_right).set_style(style);
    }
    for x in left..=right {
        buf[(x, bottom)].set_symbol(set.horizontal_bottom).set_style(style);
    }
    let corners = [
        (right, bottom, set.bottom_right),
        (right, top, set.top_right),
        (left, bottom, set.bottom_left),
        (left, top, set.top_left),
    ];
    for (x, y, symbol) in corners {
        buf[(x, y)].set_symbol(symbol).set_style(style);
    }
    // Between the corners; a title too long for them ends in `…` before the right one.
    let room = Rect { x: left.saturating_add(1), y: top, width: area.width.saturating_sub(2), height: 1 };
    if !room.is_empty() {
        let width = u16::try_from(title.width()).unwrap_or(u16::MAX);
        if width <= room.width {
            title.render(Rect { width, ..room }, buf);
        } else {
            title::cut(title.spans.clone(), usize::from(room.width)).render(room, buf);
        }
    }
    inner
}

/// A rectangle of at most `width`×`height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}
