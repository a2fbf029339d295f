//! The bottom line: the most useful keys for whatever has the keyboard, the filter being typed, or
//! for a few seconds the answer to a key that could not act (the flash).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::command::Command;
use crate::app::intent::remedies;
use crate::app::keymap::{Context, footer};
use crate::app::model::state::{Overlay, State};
use crate::domain::format::time_of_day;
use crate::domain::visible;
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let context = state.context();
    // A key's answer stands in for the key hints while it lasts: one line, where the eye already is.
    if let Some(flash) = state.notices.flash.as_ref().filter(|_| context != Context::Filter) {
        let text = fit(&format!(" ▸ {}", visible::escape(&flash.text)), usize::from(area.width), context);
        frame.render_widget(Paragraph::new(Line::from(Span::styled(text, theme.alert))).style(theme.base), area);
        return;
    }
    // While the selected route breaches, its remedies stand where the key hints were, fastest first.
    if context == Context::Table
        && let Some(line) = remedies_line(state, usize::from(area.width), theme)
    {
        frame.render_widget(Paragraph::new(line).style(theme.base), area);
        return;
    }
    let mut spans = Vec::new();
    // A breach elsewhere (an alert or a `!`): the key that takes the eye, and the remedies, there.
    if context == Context::Table
        && let Some(other) = (state.routes.iter())
            .filter(|r| state.view.selected.as_deref() != Some(r.path.as_str()))
            .find(|r| remedies::breaching(state, r))
    {
        spans.push(Span::styled(format!(" ▲ {} breaches: ", visible::escape(&other.path)), theme.alert));
        spans.push(Span::styled("a", theme.key));
        spans.push(Span::styled(" selects it · ", theme.muted));
    }
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

/// The event log is open but the screen is too short to show it beside the table.
pub fn no_room_for_the_log(frame: &mut Frame, area: Rect, theme: &Theme) {
    let long = " ▸ no room for the event log at this height: a taller terminal shows it (e closes it)";
    let text =
        if long.chars().count() <= usize::from(area.width) { long } else { " ▸ no room for the log (e closes)" };
    frame.render_widget(Paragraph::new(Line::from(Span::styled(text, theme.alert))).style(theme.base), area);
}

/// `▲ /orders/* fastest: D stage → d0: seconds, every route behind prod · s origin: 1–3 min · ? help`
/// while the selected route breaches; while its numbers are from before its last fix, that they
/// are; else nothing.
fn remedies_line<'a>(state: &State, width: usize, theme: &Theme) -> Option<Line<'a>> {
    let row = state.selected_route()?;
    let path = visible::escape(&row.path);
    let mut spans = Vec::new();
    if let Some(fix) = state.numbers_predate_fix(&row.path).filter(|_| remedies::breaching(state, row)) {
        let (what, at) = (fix.kind.word(), time_of_day(fix.accepted));
        let text = format!(" ◷ {path}: these numbers are from before the {what} at {at}; minutes after it follow");
        spans.push(Span::styled(text, theme.muted));
    } else {
        let mut remedies = remedies::for_breach(state, &row.path);
        if remedies.is_empty() {
            return None;
        }
        // Narrower lines lose the slowest remedies, then the first one's reach, then the lead's
        // words: the fastest remedy's key and speed and `? help` stay longest.
        let mut lead = format!(" ▲ {path} fastest: ");
        let fits = |lead: &str, remedies: &[remedies::Remedy]| {
            let said: usize = remedies.iter().map(|r| r.describe().chars().count() + 3).sum();
            lead.chars().count() + said + " ? help".len() <= width
        };
        while remedies.len() > 1 && !fits(&lead, &remedies) {
            remedies.pop();
        }
        if !fits(&lead, &remedies) {
            remedies[0].reach = None;
        }
        if !fits(&lead, &remedies) {
            lead = " ▲ ".to_string();
        }
        spans.push(Span::styled(lead, theme.alert));
        for (i, remedy) in remedies.iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" · ", theme.muted));
            }
            let described = remedy.describe();
            spans.push(Span::styled(remedy.key, theme.key));
            spans.push(Span::raw(described.strip_prefix(remedy.key).unwrap_or(&described).to_string()));
        }
    }
    spans.push(Span::styled(" · ", theme.muted));
    spans.push(Span::styled("?", theme.key));
    spans.push(Span::styled(" help", theme.muted));
    Some(Line::from(spans))
}

/// A flash longer than the line, cut where a word ends and marked, pointing to the event log where
/// it stands whole (the key that opens it, where it works).
fn fit(text: &str, width: usize, context: Context) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mark = if context == Context::Table { " … (e: whole line)" } else { " … (whole line in the event log)" };
    let room = width.saturating_sub(mark.chars().count());
    let cut: String = text.chars().take(room).collect();
    let cut = cut.rfind(' ').filter(|at| *at > room / 2).map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}{mark}", cut.trim_end_matches([',', ':', ';', ' ']))
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

    #[test]
    fn a_long_flash_is_cut_at_a_word_and_points_to_the_log() {
        let text = " ▸ not switched: /auth/* would send the viewer's Host header to Lambda (origin request policy)";
        let fitted = fit(text, 60, Context::Confirm);
        assert_eq!(fitted, " ▸ not switched: /auth/* … (whole line in the event log)");
        assert!(fitted.chars().count() <= 60);
        let fitted = fit(text, 80, Context::Table);
        assert_eq!(fitted, " ▸ not switched: /auth/* would send the viewer's Host header … (e: whole line)");
        assert_eq!(fit(" ▸ theme: light (t: next)", 80, Context::Table), " ▸ theme: light (t: next)");
    }
}
