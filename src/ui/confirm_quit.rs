//! The question before quitting with switches unfinished: each switch and what state its routes may
//! be in, so the operator leaves knowing what CloudFront may still be doing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup;
use crate::app::command::Command;
use crate::app::keymap::{self, Context};
use crate::domain::demo_words::in_demo_words;
use crate::theme::Theme;

pub const WIDTH: u16 = 84;

/// Rows the dialog needs at [`WIDTH`]: borders, the fixed lines, and each switch's wrapped line.
pub fn height(risks: &[String], demo: bool) -> u16 {
    let inner = usize::from(WIDTH - 2);
    let said = |text: &str| if demo { in_demo_words(text) } else { text.to_string() };
    let wrapped: usize = risks.iter().map(|r| (said(r).chars().count() + 2).div_ceil(inner).max(1)).sum();
    u16::try_from(8 + wrapped).unwrap_or(u16::MAX)
}

/// `demo`: the console runs on the demo world, whose moves `cutover status --demo` reads later.
pub fn render(frame: &mut Frame, area: Rect, risks: &[String], demo: bool, theme: &Theme) {
    let said = |text: &str| if demo { in_demo_words(text) } else { text.to_string() };
    let title = match risks.len() {
        1 => "quit with a switch unfinished?".to_string(),
        n => format!("quit with {n} switches unfinished?"),
    };
    let inner = popup::frame(frame, area, &title, theme);
    let mut lines = vec![Line::from(Span::styled("AWS has not confirmed these as deployed:", theme.dialog_title))];
    lines.extend(risks.iter().map(|r| Line::from(Span::styled(format!("• {}", said(r)), theme.dialog))));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        said("Quitting records each as abandoned in the event log and the audit trail; check them later with `cutover status`."),
        theme.muted,
    )));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(keymap::label(Context::ConfirmQuit, Command::ConfirmQuit), theme.key),
        Span::styled(" quit anyway   ", theme.dialog),
        Span::styled(keymap::label(Context::ConfirmQuit, Command::Cancel), theme.key),
        Span::styled(" stay and keep following", theme.dialog),
    ]));
    popup::body(frame, inner, lines, height(risks, demo).saturating_sub(2), theme.dialog);
}
