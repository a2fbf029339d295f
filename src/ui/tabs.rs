//! The tab strip, drawn only when the console watches several distributions: one tab each, with
//! what needs attention on the ones not shown (breached routes, a rollout under way).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::deck::Tab;
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, tabs: &[Tab], theme: &Theme) {
    let mut spans = vec![Span::styled(" ", theme.muted)];
    for (i, tab) in tabs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.border));
        }
        let name = format!("{} {}", i + 1, tab.distribution_id);
        spans.push(if tab.shown {
            Span::styled(format!("▶ {name}"), theme.selected)
        } else {
            Span::styled(name, theme.muted)
        });
        if tab.breached > 0 {
            spans.push(Span::styled(format!(" ⚠ {}", tab.breached), theme.alert));
        }
        if tab.deploying {
            spans.push(Span::styled(" ⟳", theme.switch_pending));
        }
    }
    spans.push(Span::styled("   Tab next · Shift-Tab previous", theme.muted));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), area);
}
