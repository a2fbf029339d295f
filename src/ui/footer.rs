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
    let used: usize = spans.iter().map(Span::width).sum();
    let hints = fitted(footer(context, offered), usize::from(area.width).saturating_sub(used));
    for (i, (key, what)) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.muted));
        }
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(what, theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.base), area);
}

/// The key hints that fit `width` columns: the last ones go first, but `? help` (the way to every
/// other key) stays while it fits at all.
fn fitted(mut hints: Vec<(String, &'static str)>, width: usize) -> Vec<(String, &'static str)> {
    let total = |hints: &[(String, &str)]| {
        hints.iter().map(|(key, what)| Span::raw(key.as_str()).width() + 1 + what.chars().count()).sum::<usize>()
            + 3 * hints.len().saturating_sub(1)
    };
    let help = Command::ToggleHelp.short();
    while total(&hints) > width && hints.len() > 1 {
        let Some(last) = hints.iter().rposition(|(_, what)| *what != help) else { break };
        hints.remove(last);
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Context;

    fn text(hints: &[(String, &str)]) -> String {
        hints.iter().map(|(key, what)| format!("{key} {what}")).collect::<Vec<_>>().join(" · ")
    }

    #[test]
    fn help_stays_as_the_footer_narrows() {
        let all = footer(Context::Table, |_| true);
        assert_eq!(text(&fitted(all.clone(), 200)), text(&all));
        for width in 20..120 {
            let shown = text(&fitted(all.clone(), width));
            assert!(shown.chars().count() <= width, "{width}: {shown}");
            assert!(shown.contains("? help"), "{width}: {shown}");
        }
        assert_eq!(text(&fitted(all, 60)), "↑↓ select · s switch · R rollback all · e events · ? help");
    }
}
