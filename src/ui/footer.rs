//! The bottom line: the most useful keys for whatever has the keyboard, the filter being typed, or
//! for a few seconds the answer to a key that could not act (the flash).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::command::Command;
use crate::app::keymap::{Context, footer};
use crate::app::model::state::{Overlay, State};
use crate::domain::visible;
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let context = state.context();
    // A key's answer stands in for the key hints while it lasts: one line, where the eye already is.
    if let Some(flash) = state.notices.flash.as_ref().filter(|_| context != Context::Filter) {
        let line = Line::from(Span::styled(format!(" ▸ {}", visible::escape(&flash.text)), theme.alert));
        frame.render_widget(Paragraph::new(line).style(theme.base), area);
        return;
    }
    let mut spans = Vec::new();
    if context == Context::Filter {
        spans.push(Span::styled(" filter: ", theme.filter));
        spans.push(Span::styled(format!("{}▏", state.view.filter), theme.filter));
        spans.push(Span::raw("  "));
    }
    // A blocked dialog (or one over a failing audit trail) goes only on `!`; an open one on `y`.
    let blocked = match &state.view.overlay {
        Overlay::Confirm(confirm) => !confirm.override_reasons(state.notices.audit_failure.as_deref()).is_empty(),
        _ => false,
    };
    let offered = |command: Command| match (context, command) {
        (Context::Confirm, Command::ConfirmOverride) => blocked,
        (Context::Confirm, Command::Confirm) => !blocked,
        _ => true,
    };
    for (i, (key, what)) in footer(context, offered).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(what, theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), area);
}
