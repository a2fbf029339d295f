//! The help overlay, generated from the key map that handles keys. Two columns, so that every
//! key fits on an 80×24 terminal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use crate::app::command::Command;
use crate::app::keymap::{self, Context, help_rows};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = popup::frame(frame, area, "keys", theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).spacing(2).areas(inner);
    let mut right_lines = section(Context::Confirm, theme);
    right_lines.push(Line::raw(""));
    right_lines.extend(section(Context::ConfirmQuit, theme));
    right_lines.push(Line::raw(""));
    right_lines.extend(section(Context::Filter, theme));
    right_lines.push(Line::raw(""));
    let quit = keymap::anywhere_label(Command::Quit);
    right_lines.push(Line::from(Span::styled(
        format!("{quit} quits from anywhere (asking first while a switch is unfinished)."),
        theme.muted,
    )));
    let close = keymap::footer_key_names(Context::Help, Command::ToggleHelp).join(" or ");
    right_lines.push(Line::from(Span::styled(format!("{close} closes this help."), theme.muted)));
    let paragraph = |lines| Paragraph::new(lines).style(theme.dialog).wrap(Wrap { trim: false });
    frame.render_widget(paragraph(section(Context::Table, theme)), left);
    frame.render_widget(paragraph(right_lines), right);
}

fn section<'a>(context: Context, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(Span::styled(context.title(), theme.dialog_title))];
    // Inside the help, how to close it is said once, at the end of the right column.
    let rows = help_rows(context).into_iter().filter(|(_, command)| *command != Command::ToggleHelp);
    for (label, command) in rows {
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<10}"), theme.key),
            Span::styled(keymap::describe(context, command), theme.dialog),
        ]));
    }
    lines
}
