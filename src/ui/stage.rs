//! The stage rollback's overlays: the picker of a stage's deployments (the one served and the
//! configured fallback marked) and the question before the stage is moved.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup;
use crate::app::command::Command;
use crate::app::keymap::{self, Context};
use crate::app::model::state::{ConfirmStage, StagePicker};
use crate::domain::visible::escape;
use crate::theme::Theme;

pub const WIDTH: u16 = 78;

/// Rows the picker needs: borders, the heading and key lines, one per deployment (at most 12).
pub fn picker_height(picker: &StagePicker) -> u16 {
    let rows = picker.deployments.as_ref().map_or(1, |d| d.list.len().clamp(1, 12));
    u16::try_from(6 + rows).unwrap_or(u16::MAX)
}

pub fn render_picker(frame: &mut Frame, area: Rect, picker: &StagePicker, theme: &Theme) {
    let title = format!("stage {}", escape(&picker.stage.stage.label()));
    let inner = popup::frame(frame, area, &title, theme);
    let mut lines =
        vec![Line::from(Span::styled(format!("deployments of {}'s stage:", escape(&picker.path)), theme.dialog_title))];
    match (&picker.deployments, &picker.error) {
        (_, Some(error)) => lines.push(Line::from(Span::styled(format!("✖ {}", escape(error)), theme.banner_error))),
        (None, None) => lines.push(Line::from(Span::styled("reading…", theme.muted))),
        (Some(deployments), None) => {
            // Keep the chosen one in sight when there are more than fit.
            let first = picker.chosen.saturating_sub(11);
            for (i, d) in deployments.list.iter().enumerate().skip(first).take(12) {
                let marks = [
                    (d.id == deployments.current).then_some("serving"),
                    (picker.stage.fallback_deployment.as_deref() == Some(d.id.as_str())).then_some("fallback"),
                ];
                let marks: Vec<&str> = marks.into_iter().flatten().collect();
                let created = d.created.map_or_else(|| "-".to_string(), |t| t.strftime("%Y-%m-%d %H:%M").to_string());
                let text = format!(
                    "{} {:<12} {:<16} {:<28} {}",
                    if i == picker.chosen { "▶" } else { " " },
                    escape(&d.id),
                    created,
                    escape(&d.description),
                    marks.join(", ")
                );
                let style = if i == picker.chosen { theme.selected } else { theme.dialog };
                lines.push(Line::from(Span::styled(text, style)));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(keymap::label(Context::StagePicker, Command::SelectUp), theme.key),
        Span::raw(" "),
        Span::styled(keymap::label(Context::StagePicker, Command::SelectDown), theme.key),
        Span::styled(" choose   ", theme.dialog),
        Span::styled(keymap::label(Context::StagePicker, Command::Confirm), theme.key),
        Span::styled(" move the stage to it…   ", theme.dialog),
        Span::styled(keymap::label(Context::StagePicker, Command::Cancel), theme.key),
        Span::styled(" close", theme.dialog),
    ]));
    popup::body(frame, inner, lines, picker_height(picker).saturating_sub(2), theme.dialog);
}

/// The confirm dialog's height: its fixed lines, and the undo's warning wrapped at the width.
pub fn confirm_height(confirm: &ConfirmStage) -> u16 {
    let inner = usize::from(WIDTH - 2);
    let warning = confirm.warning().map_or(0, |w| (2 + w.chars().count()).div_ceil(inner));
    11 + u16::try_from(warning).unwrap_or(u16::MAX)
}

pub fn render_confirm(frame: &mut Frame, area: Rect, confirm: &ConfirmStage, theme: &Theme) {
    let inner = popup::frame(frame, area, confirm.title(), theme);
    let [stage, from, to, scope] = confirm.lines().map(|l| escape(&l).into_owned());
    let mut lines = vec![
        Line::from(Span::styled(stage, theme.dialog_title)),
        Line::from(Span::styled(from, theme.dialog)),
        Line::from(Span::styled(to, theme.dialog)),
    ];
    if let Some(warning) = confirm.warning() {
        lines.push(Line::from(Span::styled(format!("! {}", escape(&warning)), theme.alert)));
    }
    lines.extend([
        Line::raw(""),
        Line::from(Span::styled(scope, theme.muted)),
        Line::raw(""),
        Line::from(vec![
            Span::styled(keymap::label(Context::Confirm, Command::Confirm), theme.key),
            Span::styled(" move it   ", theme.dialog),
            Span::styled(keymap::label(Context::Confirm, Command::Cancel), theme.key),
            Span::styled(" cancel", theme.dialog),
        ]),
    ]);
    popup::body(frame, inner, lines, confirm_height(confirm).saturating_sub(2), theme.dialog);
}
