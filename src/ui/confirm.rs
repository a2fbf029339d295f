//! The confirm dialog: which route, from what, to what, and how healthy the new target is.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup;
use crate::app::command::Command;
use crate::app::keymap::{self, Context};
use crate::app::state::ConfirmSwitch;
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
    let route_lines = (LABEL.len() + route_list(&confirm.paths, width).chars().count()).div_ceil(width);
    let wrapped = |lines: &[String], indent: usize| -> usize {
        lines.iter().map(|l| (indent + l.chars().count()).div_ceil(width).max(1)).sum()
    };
    let origin_lines = wrapped(&[origins(confirm)], 7);
    let preflight_lines = preflight_lines(confirm, audit_failure);
    let preflight = wrapped(&preflight_lines, 0);
    let preflight_heading = usize::from(!preflight_lines.is_empty());
    let variable = route_lines
        + origin_lines.saturating_sub(1)
        + confirm.health.len()
        + usize::from(confirm.warning.is_some())
        + preflight
        + preflight_heading;
    u16::try_from(13 + variable).unwrap_or(u16::MAX)
}

/// The pre-flight's lines as shown: every block first (marked ✗), then notes (·), at most
/// [`PREFLIGHT_LINES`] in all so that a rollback of hundreds of routes keeps its keys on screen.
fn preflight_lines(confirm: &ConfirmSwitch, audit_failure: Option<&str>) -> Vec<String> {
    let all: Vec<String> = confirm
        .override_reasons(audit_failure)
        .iter()
        .map(|b| format!("✗ {b}"))
        .chain(confirm.notes.iter().map(|n| format!("· {n}")))
        .collect();
    if all.len() <= PREFLIGHT_LINES {
        return all;
    }
    let mut shown: Vec<String> = all[..PREFLIGHT_LINES - 1].to_vec();
    shown.push(format!("… and {} more", all.len() - shown.len()));
    shown
}

/// The origin ids on both sides: one pair when every route moves alike, else how many pairs.
fn origins(confirm: &ConfirmSwitch) -> String {
    if confirm.changes.is_empty() && !confirm.shares.is_empty() {
        let mut moves: Vec<(u8, u8)> = confirm.shares.iter().map(|c| (c.from, c.to)).collect();
        moves.sort_unstable();
        moves.dedup();
        return match moves.as_slice() {
            [(from, to)] => format!("router's store: λ {from} % → {to} %"),
            _ => format!("router's store: {} shares → λ {} %", confirm.shares.len(), confirm.shares[0].to),
        };
    }
    let mut pairs: Vec<(&str, &str)> =
        confirm.changes.iter().map(|c| (c.from_origin_id.as_str(), c.to_origin_id.as_str())).collect();
    pairs.sort_unstable();
    pairs.dedup();
    match pairs.as_slice() {
        [] => "no route can move".to_string(),
        [(from, to)] => format!("{from} → {to}"),
        several => several.iter().map(|(f, t)| format!("{f} → {t}")).collect::<Vec<_>>().join(", "),
    }
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

// Long: the dialog line by line, in the order it reads; the height estimate above follows it.
pub fn render(frame: &mut Frame, area: Rect, confirm: &ConfirmSwitch, audit_failure: Option<&str>, theme: &Theme) {
    let inner = popup::frame(frame, area, &confirm.title(), theme);
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
            Span::styled(confirm.from.to_string(), theme.target(confirm.from)),
        ]),
        Line::from(vec![
            Span::styled("to     ", theme.dialog),
            Span::styled(confirm.to.to_string(), theme.target(confirm.to)),
        ]),
        Line::from(vec![Span::styled("origin ", theme.dialog), Span::styled(origins(confirm), theme.dialog_title)]),
        Line::raw(""),
        Line::from(Span::styled(format!("health of {} now:", confirm.to), theme.dialog_title)),
    ];
    lines.extend(confirm.health.iter().map(|h| Line::from(Span::styled(format!("  {h}"), theme.dialog))));
    if let Some(warning) = &confirm.warning {
        lines.push(Line::from(Span::styled(format!("! {warning}"), theme.alert)));
    }
    let preflight = preflight_lines(confirm, audit_failure);
    if !preflight.is_empty() {
        lines.push(Line::from(Span::styled("compatibility:", theme.dialog_title)));
    }
    for line in preflight {
        let style = if line.starts_with('✗') { theme.alert } else { theme.dialog };
        lines.push(Line::from(Span::styled(line, style)));
    }
    lines.push(Line::raw(""));
    let swaps = confirm.changes.iter().filter(|c| c.request_policy.is_some()).count();
    let fields = if swaps > 0 { "TargetOriginId and OriginRequestPolicyId" } else { "TargetOriginId" };
    let scope = if confirm.changes.is_empty() {
        let keys = if confirm.shares.len() == 1 { "one key" } else { "their keys" };
        format!("Changes {keys} of the router's store (UpdateKeys, IfMatch); edges follow within seconds.")
    } else if confirm.paths.len() == 1 {
        format!("Changes this behavior's {fields} only; edges follow within minutes.")
    } else {
        format!("Changes {} behaviors' {fields} in one update; edges follow within minutes.", confirm.paths.len())
    };
    lines.push(Line::from(Span::styled(scope, theme.muted)));
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
