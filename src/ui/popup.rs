//! The frame every overlay (help, confirm, quit) is drawn in: cleared, bordered, titled.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::theme::Theme;

/// Clear `area` and draw a dialog frame titled `title`; returns the inside.
pub fn frame(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(format!(" {title} "))
        .title_style(theme.dialog_title)
        .border_style(theme.dialog)
        .style(theme.dialog);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Draw a dialog's `lines` (its keys last) inside `inner`, which it wanted `wanted` rows of. On a
/// screen too short for all of them the keys keep the bottom row and the rest is cut above them:
/// a dialog whose keys are off screen cannot be answered.
pub fn body(frame: &mut Frame, inner: Rect, mut lines: Vec<Line<'_>>, wanted: u16, style: Style) {
    let paragraph = |lines| Paragraph::new(lines).style(style).wrap(Wrap { trim: false });
    if inner.height >= wanted || inner.height < 2 {
        frame.render_widget(paragraph(lines), inner);
        return;
    }
    while lines.last().is_some_and(|l| l.width() == 0) {
        lines.pop();
    }
    let keys = lines.pop().unwrap_or_default();
    let [rest, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(paragraph(lines), rest);
    frame.render_widget(Paragraph::new(keys).style(style), bottom);
}
