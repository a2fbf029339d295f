//! The confirm dialog: which route, from what, to what, and how healthy the new target is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use crate::app::state::ConfirmSwitch;
use crate::domain::Target;
use crate::theme::Theme;

/// The dialog's width, borders included.
pub const WIDTH: u16 = 76;
/// Lines the route list may take: a rollback of hundreds of routes names the first few and counts
/// the rest, so that from, to, health and the keys stay on screen.
const ROUTE_LINES: usize = 2;
const LABEL: &str = "routes ";

/// Rows the dialog needs: borders, the fixed lines, the route list as it wraps, one per health line
/// and the warning, and one for the scope line wrapping at the dialog's width.
pub fn height(confirm: &ConfirmSwitch) -> u16 {
    let width = usize::from(WIDTH - 2);
    let route_lines = (LABEL.len() + route_list(&confirm.paths, width).chars().count()).div_ceil(width);
    let variable = route_lines + confirm.health.len() + usize::from(confirm.warning.is_some());
    u16::try_from(13 + variable).unwrap_or(u16::MAX)
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
            Span::styled(if confirm.paths.len() == 1 { "route  " } else { LABEL }, theme.dialog),
            Span::styled(route_list(&confirm.paths, usize::from(area.width.saturating_sub(2))), theme.dialog_title),
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
