//! The confirm dialog: which route, from what, to what, and how healthy the new target is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::popup;
use crate::app::command::Command;
use crate::app::intent::dialog::{DialogLine, Part};
use crate::app::keymap::{self, Context};
use crate::app::model::state::ConfirmSwitch;
use crate::theme::Theme;

/// The dialog's width, borders included.
pub const WIDTH: u16 = 76;
/// Lines the route list may take: a rollback of hundreds of routes names the first few and counts
/// the rest, so that from, to, health and the keys stay on screen.
const ROUTE_LINES: usize = 2;
const LABEL: &str = "routes ";
/// Pre-flight lines the dialog shows before it counts the rest.
const PREFLIGHT_LINES: usize = 4;

/// Rows the dialog needs: borders, the fixed lines, the route list as it wraps, one per health line
/// and the warning, and one for the scope line wrapping at the dialog's width.
pub fn height(confirm: &ConfirmSwitch, audit_failure: Option<&str>) -> u16 {
    let width = usize::from(WIDTH - 2);
    let lines = confirm.lines(audit_failure);
    let text = |part: Part| lines.iter().filter(move |l| l.part == part).map(|l| l.text.as_str());
    let route_lines = (LABEL.len() + route_list(&confirm.paths, width).chars().count()).div_ceil(width);
    let wrapped = |texts: &mut dyn Iterator<Item = &str>, indent: usize| -> usize {
        texts.map(|t| (indent + t.chars().count()).div_ceil(width).max(1)).sum()
    };
    let origin_lines = wrapped(&mut text(Part::Origins), 7);
    let preflight_lines = preflight_lines(&lines);
    let preflight = wrapped(&mut preflight_lines.iter().map(String::as_str), 0);
    let preflight_heading = usize::from(!preflight_lines.is_empty());
    let variable = route_lines
        + origin_lines.saturating_sub(1)
        + text(Part::Health).count()
        + text(Part::Warning).count()
        + wrapped(&mut text(Part::Faster), 7)
        + wrapped(&mut text(Part::Others), 2)
        + preflight
        + preflight_heading;
    u16::try_from(13 + variable).unwrap_or(u16::MAX)
}

/// The pre-flight's lines as shown: every block first (marked ✗), then notes (·), at most
/// [`PREFLIGHT_LINES`] in all so that a rollback of hundreds of routes keeps its keys on screen.
fn preflight_lines(lines: &[DialogLine]) -> Vec<String> {
    let all: Vec<String> = (lines.iter())
        .filter_map(|l| match l.part {
            Part::Block => Some(format!("✗ {}", l.text)),
            Part::Note => Some(format!("· {}", l.text)),
            _ => None,
        })
        .collect();
    if all.len() <= PREFLIGHT_LINES {
        return all;
    }
    let mut shown: Vec<String> = all[..PREFLIGHT_LINES - 1].to_vec();
    shown.push(format!("… and {} more", all.len() - shown.len()));
    shown
}

/// The routes, comma-separated, as many as fit in [`ROUTE_LINES`] lines of `width`, then how many
/// more there are.
fn route_list(paths: &[String], width: usize) -> String {
    let room = ROUTE_LINES * width - LABEL.len();
    let all = paths.join(", ");
    if all.chars().count() <= room {
        return all;
    }
    // Counted as it grows: the dialog is redrawn every frame while it is open.
    let (mut shown, mut width) = (String::new(), 0);
    for (i, path) in paths.iter().enumerate() {
        let rest = format!(" … and {} more", paths.len() - i);
        let piece = if i == 0 { path.clone() } else { format!(", {path}") };
        let piece_width = piece.chars().count();
        if width + piece_width + rest.chars().count() > room {
            return format!("{shown}{rest}");
        }
        shown.push_str(&piece);
        width += piece_width;
    }
    shown
}

/// The dialog's lines (`ConfirmSwitch::lines`) as the screen shows them: labelled facts, a gap,
/// the health, the pre-flight under its heading and capped, the scope, and the keys. The moves
/// one by one are for headless output; the screen sums them up in the origin line.
pub fn render(frame: &mut Frame, area: Rect, confirm: &ConfirmSwitch, audit_failure: Option<&str>, theme: &Theme) {
    let inner = popup::frame(frame, area, &confirm.title(), theme);
    let dialog_lines = confirm.lines(audit_failure);
    let labelled = |l: &DialogLine, text: String, style| {
        Line::from(vec![Span::styled(l.part.label(confirm.paths.len()), theme.dialog), Span::styled(text, style)])
    };
    let mut lines = Vec::new();
    for l in &dialog_lines {
        match l.part {
            Part::On => lines.push(labelled(l, l.text.clone(), theme.dialog)),
            Part::Routes => {
                let shown = route_list(&confirm.paths, usize::from(area.width.saturating_sub(2)));
                lines.push(labelled(l, shown, theme.dialog_title));
            }
            Part::From(target) | Part::To(target) => lines.push(labelled(l, l.text.clone(), theme.target(target))),
            Part::Origins => {
                lines.push(labelled(l, l.text.clone(), theme.dialog_title));
                lines.push(Line::raw(""));
            }
            Part::HealthHeading => lines.push(Line::from(Span::styled(l.text.clone(), theme.dialog_title))),
            Part::Health => lines.push(Line::from(Span::styled(format!("  {}", l.text), theme.dialog))),
            Part::Warning => lines.push(Line::from(Span::styled(format!("! {}", l.text), theme.alert))),
            // Someone else is moving the same routes: before anything else the dialog warns of.
            Part::Others => lines.push(Line::from(Span::styled(format!("! {}", l.text), theme.alert))),
            // Sooner than the edges: where a responder's eye should go before pressing y.
            Part::Faster => lines.push(labelled(l, l.text.clone(), theme.gauge_warn)),
            Part::Scope => {
                let preflight = preflight_lines(&dialog_lines);
                if !preflight.is_empty() {
                    lines.push(Line::from(Span::styled("compatibility:", theme.dialog_title)));
                }
                for line in preflight {
                    let style = if line.starts_with('✗') { theme.alert } else { theme.dialog };
                    lines.push(Line::from(Span::styled(line, style)));
                }
                lines.push(Line::raw(""));
                lines.push(Line::from(Span::styled(l.text.clone(), theme.muted)));
            }
            Part::Block | Part::Note | Part::Move | Part::Share => {}
        }
    }
    lines.push(Line::raw(""));
    let keys = |command| Span::styled(keymap::label(Context::Confirm, command), theme.key);
    let go = if !confirm.override_reasons(audit_failure).is_empty() {
        vec![keys(Command::ConfirmOverride), Span::styled(" switch anyway (recorded)   ", theme.alert)]
    } else {
        vec![keys(Command::Confirm), Span::styled(" switch   ", theme.dialog)]
    };
    lines.push(Line::from(
        go.into_iter().chain([keys(Command::Cancel), Span::styled(" cancel", theme.dialog)]).collect::<Vec<_>>(),
    ));
    let wanted = height(confirm, audit_failure).saturating_sub(2);
    popup::body(frame, inner, lines, wanted, theme.dialog);
}

#[cfg(test)]
mod tests {
    use super::route_list;

    #[test]
    fn a_long_route_list_names_what_fits_and_counts_the_rest() {
        let few: Vec<String> = ["/user/*", "/orders/*"].map(String::from).to_vec();
        assert_eq!(route_list(&few, 74), "/user/*, /orders/*");
        let many: Vec<String> = (1..=250).map(|i| format!("/svc/{i:03}/*")).collect();
        let list = route_list(&many, 74);
        assert!(list.starts_with("/svc/001/*, /svc/002/*"), "{list}");
        assert!(list.chars().count() + "routes ".len() <= 2 * 74, "{list}");
        let shown = list.matches("/svc/").count();
        assert!(list.ends_with(&format!(" … and {} more", 250 - shown)), "{list}");
    }
}
