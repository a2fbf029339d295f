//! The help overlay, generated from the key map that handles keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use crate::app::keymap::{Context, help_rows};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = popup::frame(frame, area, "keys", theme);
    let mut lines = Vec::new();
    for context in [Context::Table, Context::Confirm, Context::Filter] {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::from(Span::styled(context.title(), theme.dialog_title)));
        for (label, command) in help_rows(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {label:<10}"), theme.key),
                Span::styled(command.description(), theme.dialog),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Ctrl-C quits from anywhere · ? or Esc closes this help", theme.muted)));
    frame.render_widget(Paragraph::new(lines).style(theme.dialog).wrap(Wrap { trim: false }), inner);
}
