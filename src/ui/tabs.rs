//! The tab strip, drawn only when the console watches several distributions: one tab each, with
//! what needs attention on the ones not shown (breached routes, a rollout under way). When the tabs
//! do not all fit, the strip shows the ones around the shown tab and counts the rest on each side,
//! with how many of those need attention, so nothing sick is hidden off the edge.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::tab::Tab;
use crate::theme::Theme;

const SEPARATOR: &str = " │ ";
const HINT: &str = "   Tab next · Shift-Tab previous";

pub fn render(frame: &mut Frame, area: Rect, tabs: &[Tab], theme: &Theme) {
    frame.render_widget(Paragraph::new(strip(tabs, usize::from(area.width), theme)).style(theme.base), area);
}

/// The strip as one line at most `width` columns wide.
fn strip<'a>(tabs: &[Tab], width: usize, theme: &Theme) -> Line<'a> {
    let labels: Vec<Vec<Span>> = tabs.iter().enumerate().map(|(i, tab)| label(i, tab, theme)).collect();
    let widths: Vec<usize> = labels.iter().map(|l| l.iter().map(Span::width).sum()).collect();
    let shown = tabs.iter().position(|t| t.shown).unwrap_or(0);
    let (start, end) = window(&widths, shown, width);

    let mut spans = vec![Span::styled(" ", theme.muted)];
    if start > 0 {
        spans.push(Span::styled(format!("◂ {start} more{}", needing_attention(&tabs[..start])), theme.muted));
        spans.push(Span::styled(SEPARATOR, theme.border));
    }
    for (i, label) in labels.into_iter().enumerate().take(end).skip(start) {
        if i > start {
            spans.push(Span::styled(SEPARATOR, theme.border));
        }
        spans.extend(label);
    }
    if end < tabs.len() {
        spans.push(Span::styled(SEPARATOR, theme.border));
        spans
            .push(Span::styled(format!("{} more{} ▸", tabs.len() - end, needing_attention(&tabs[end..])), theme.muted));
    }
    let used: usize = spans.iter().map(Span::width).sum();
    if used + HINT.chars().count() <= width {
        spans.push(Span::styled(HINT, theme.muted));
    }
    Line::from(spans)
}

fn label<'a>(index: usize, tab: &Tab, theme: &Theme) -> Vec<Span<'a>> {
    let name = format!("{} {}", index + 1, tab.distribution_id);
    let mut spans = vec![if tab.shown {
        Span::styled(format!("▶ {name}"), theme.selected)
    } else {
        Span::styled(name, theme.muted)
    }];
    if tab.breached > 0 {
        spans.push(Span::styled(format!(" ⚠ {}", tab.breached), theme.alert));
    }
    if tab.deploying {
        spans.push(Span::styled(" ⟳", theme.switch_pending));
    }
    spans
}

/// ` (⚠ 2)` when some of the hidden tabs have breached routes.
fn needing_attention(hidden: &[Tab]) -> String {
    let breached = hidden.iter().filter(|t| t.breached > 0).count();
    if breached > 0 { format!(" (⚠ {breached})") } else { String::new() }
}

/// The tabs `start..end` to draw: all of them if they fit, else as many around `shown` as fit
/// beside the counts of the hidden ones (which are given room for `◂ 99 more (⚠ 99) │ `).
fn window(widths: &[usize], shown: usize, width: usize) -> (usize, usize) {
    let separator = SEPARATOR.chars().count();
    let all: usize = 1 + widths.iter().sum::<usize>() + separator * widths.len().saturating_sub(1);
    if all <= width {
        return (0, widths.len());
    }
    let marker = 17 + separator;
    let room = width.saturating_sub(1 + 2 * marker);
    let (mut start, mut end) = (shown, shown + 1);
    let mut used = widths[shown];
    // Grow right first, then left, one tab at a time while it fits.
    loop {
        let right = (end < widths.len()).then(|| widths[end] + separator).filter(|w| used + w <= room);
        if let Some(w) = right {
            used += w;
            end += 1;
        }
        let left = (start > 0).then(|| widths[start - 1] + separator).filter(|w| used + w <= room);
        if let Some(w) = left {
            used += w;
            start -= 1;
        }
        if right.is_none() && left.is_none() {
            return (start, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tabs(count: usize, shown: usize) -> Vec<Tab> {
        (0..count)
            .map(|i| Tab {
                distribution_id: format!("EDEMO{}CUTOVER", 7 + i),
                shown: i == shown,
                breached: usize::from(i == 1 || i == 12),
                deploying: false,
            })
            .collect()
    }

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn tabs_that_fit_are_all_drawn_with_the_hint() {
        let line = strip(&tabs(3, 0), 200, &Theme::default_dark());
        assert_eq!(
            text(&line),
            " ▶ 1 EDEMO7CUTOVER │ 2 EDEMO8CUTOVER ⚠ 1 │ 3 EDEMO9CUTOVER   Tab next · Shift-Tab previous"
        );
    }

    #[test]
    fn the_shown_tab_is_always_in_the_strip_and_hidden_ones_are_counted() {
        let theme = Theme::default_dark();
        for shown in 0..14 {
            let line = strip(&tabs(14, shown), 120, &theme);
            let text = text(&line);
            assert!(line.width() <= 120, "{text}");
            assert!(text.contains(&format!("▶ {} EDEMO{}CUTOVER", shown + 1, 7 + shown)), "{shown}: {text}");
        }
        let last = text(&strip(&tabs(14, 13), 120, &theme));
        assert!(last.starts_with(" ◂ 11 more (⚠ 1) │ 12 EDEMO18CUTOVER"), "{last}");
        let first = text(&strip(&tabs(14, 0), 120, &theme));
        assert!(first.ends_with("│ 4 EDEMO10CUTOVER │ 10 more (⚠ 1) ▸"), "{first}");
    }
}
