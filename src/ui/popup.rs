//! The frame every overlay (help, confirm, quit) is drawn in: cleared, bordered, titled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, BorderType, Clear};

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
