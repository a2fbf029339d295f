//! The event log pane: every step of every switch and every alert, newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::model::state::State;
use crate::domain::format::time_of_day;
use crate::domain::{Level, LogEntry};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut title = vec![Span::styled(format!(" events ({}) ", state.notices.log.len()), theme.title)];
    if state.view.log_scroll > 0 {
        title.push(Span::styled(format!("↑ {} newer below · PgDn ", state.view.log_scroll), theme.muted));
    }
    let block = Block::bordered().title(Line::from(title)).border_style(theme.border);
    let height = block.inner(area).height as usize;
    let end = state.notices.log.len().saturating_sub(state.view.log_scroll);
    let start = end.saturating_sub(height);
    let lines: Vec<Line> = state.notices.log[start..end].iter().map(|e| entry_line(e, theme)).collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn entry_line<'a>(entry: &'a LogEntry, theme: &Theme) -> Line<'a> {
    let level_style = match entry.level {
        Level::Info => theme.log_info,
        Level::Warn => theme.log_warn,
        Level::Error => theme.log_error,
    };
    let mut spans = vec![
        Span::styled(time_of_day(entry.at), theme.log_time),
        Span::raw(" "),
        Span::styled(format!("{:<5}", entry.level.to_string()), level_style),
        Span::raw(" "),
    ];
    if let Some(route) = &entry.route {
        spans.push(Span::styled(format!("{route:<11}"), theme.title));
        spans.push(Span::raw(" "));
    }
    // Earlier sessions' lines are set apart, so nobody takes them for what is happening now.
    let message_style = if crate::audit::is_history(entry) { theme.log_history } else { theme.base };
    spans.push(Span::styled(entry.message.as_str(), message_style));
    Line::from(spans)
}
