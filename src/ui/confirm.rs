//! The confirm dialog: which route, from what, to what, and how healthy the new target is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use crate::app::state::ConfirmSwitch;
use crate::domain::Target;
use crate::theme::Theme;

/// Rows the dialog needs: borders, the fixed lines, one per health line and the warning, and one
/// for the scope line wrapping at the dialog's width.
pub fn height(confirm: &ConfirmSwitch) -> u16 {
    let variable = confirm.health.len() + usize::from(confirm.warning.is_some());
    u16::try_from(14 + variable).unwrap_or(u16::MAX)
}

pub fn render(frame: &mut Frame, area: Rect, confirm: &ConfirmSwitch, theme: &Theme) {
    let inner = popup::frame(frame, area, &confirm.title(), theme);
    let target_style = |t: Target| match t {
        Target::Lambda => theme.target_lambda,
        Target::Origin => theme.target_origin,
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("on     ", theme.dialog),
            Span::styled(format!("distribution {}", confirm.distribution_id), theme.dialog),
        ]),
        Line::from(vec![
            Span::styled(if confirm.paths.len() == 1 { "route  " } else { "routes " }, theme.dialog),
            Span::styled(confirm.paths.join(", "), theme.dialog_title),
        ]),
        Line::from(vec![
            Span::styled("from   ", theme.dialog),
            Span::styled(confirm.from.to_string(), target_style(confirm.from)),
        ]),
        Line::from(vec![
            Span::styled("to     ", theme.dialog),
            Span::styled(confirm.to.to_string(), target_style(confirm.to)),
        ]),
        Line::raw(""),
        Line::from(Span::styled(format!("health of {} now:", confirm.to), theme.dialog_title)),
    ];
    lines.extend(confirm.health.iter().map(|h| Line::from(Span::styled(format!("  {h}"), theme.dialog))));
    if let Some(warning) = &confirm.warning {
        lines.push(Line::from(Span::styled(format!("! {warning}"), theme.alert)));
    }
    lines.push(Line::raw(""));
    let scope = if confirm.paths.len() == 1 {
        "Changes this behavior's TargetOriginId only".to_string()
    } else {
        format!("Changes {} behaviors' TargetOriginId in one update", confirm.paths.len())
    };
    lines.push(Line::from(Span::styled(format!("{scope}; edges follow within minutes."), theme.muted)));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key),
        Span::styled(" switch   ", theme.dialog),
        Span::styled("n/Esc", theme.key),
        Span::styled(" cancel", theme.dialog),
    ]));
    frame.render_widget(Paragraph::new(lines).style(theme.dialog).wrap(Wrap { trim: false }), inner);
}
