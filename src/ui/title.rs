//! A pane's title from parts ranked by how much they matter, fitted to the room on its border:
//! when it does not fit, the least important parts are shortened first, then left out (marked
//! `…`), so the route and its status or breach stay; a title is never cut mid-word.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// One part of a title, its separator included (`│ switched to ◼ origin at 20:09:01 `).
pub struct Part<'a> {
    /// 0 is kept whatever happens; a larger number goes sooner.
    pub rank: u8,
    pub spans: Vec<Span<'a>>,
    /// Shorter forms, each shorter than the one before, tried in turn before the part is left out.
    pub shorter: Vec<Vec<Span<'a>>>,
}

impl<'a> Part<'a> {
    pub fn new(rank: u8, span: Span<'a>) -> Self {
        Part { rank, spans: vec![span], shorter: Vec::new() }
    }

    /// A shorter form, after those given already.
    pub fn or_short(mut self, span: Span<'a>) -> Self {
        self.shorter.push(vec![span]);
        self
    }

    fn width(&self) -> usize {
        self.spans.iter().map(Span::width).sum()
    }
}

/// What marks parts left out: the last thing on the title.
const LEFT_OUT: &str = "… ";

/// The parts, in their order, as they fit `width` columns: whole if they fit; else the shorter
/// forms, least important first; else the least important parts left out (the last of a rank
/// first) and `… ` at the end; a first part wider than all the room is cut to it, ending in `…`.
pub fn fit<'a>(mut parts: Vec<Part<'a>>, width: usize, mark: Style) -> Line<'a> {
    let total = |parts: &[Part]| parts.iter().map(Part::width).sum::<usize>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Least important first; among equals, the last first.
    order.sort_by_key(|&i| (std::cmp::Reverse(parts[i].rank), std::cmp::Reverse(i)));
    for &i in &order {
        if total(&parts) <= width {
            break;
        }
        let shorter = std::mem::take(&mut parts[i].shorter);
        for short in shorter {
            if total(&parts) <= width {
                break;
            }
            parts[i].spans = short;
        }
    }
    let mark_width = Span::raw(LEFT_OUT).width();
    let fits = |parts: &[Part], left_out: bool| total(parts) + usize::from(left_out) * mark_width <= width;
    let mut left_out = false;
    for &i in &order {
        if fits(&parts, left_out) {
            break;
        }
        if parts[i].rank > 0 {
            parts[i].spans.clear();
            left_out = true;
        }
    }
    let mut spans: Vec<Span<'a>> = parts.into_iter().flat_map(|p| p.spans).collect();
    if left_out {
        spans.push(Span::styled(LEFT_OUT, mark));
    }
    cut(spans, width)
}

/// `spans` cut to `width` columns, the last kept column a `…` when anything was cut.
pub fn cut(spans: Vec<Span<'_>>, width: usize) -> Line<'_> {
    let line = Line::from(spans);
    if line.width() <= width {
        return line;
    }
    let mut left = width.saturating_sub(1);
    let mut kept = Vec::new();
    let style = line.spans.last().map(|s| s.style).unwrap_or_default();
    for span in line.spans {
        let mut end = 0;
        for (i, c) in span.content.char_indices() {
            let w = Span::raw(&span.content[i..i + c.len_utf8()]).width();
            if w > left {
                break;
            }
            left -= w;
            end = i + c.len_utf8();
        }
        let whole = end == span.content.len();
        kept.push(Span::styled(span.content[..end].to_string(), span.style));
        if !whole {
            break;
        }
    }
    if width > 0 {
        kept.push(Span::styled("…", style));
    }
    Line::from(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn parts() -> Vec<Part<'static>> {
        vec![
            Part::new(0, Span::raw(" /orders/* ")),
            Part::new(2, Span::raw("│ switched to ◼ origin at 20:09:01 ")),
            Part::new(4, Span::raw("│ edge 4/18 λ Lambda, 14/18 ◼ origin · 8 POPs · 1 unexpected status "))
                .or_short(Span::raw("│ edge 4/18 λ, 14/18 ◼ · 1 unexpected status ")),
            Part::new(1, Span::raw("│ breach from before the switch at 20:09:01 ")),
            Part::new(5, Span::raw("│ router ✓ ")),
        ]
    }

    #[test]
    fn the_least_important_parts_shorten_then_go() {
        let style = Style::default();
        let all = text(&fit(parts(), 200, style));
        assert_eq!(all.chars().count(), 169, "{all}");
        assert!(!all.contains('…'), "{all}");
        // Shortened: the edge part loses its POPs but keeps the unexpected status.
        let short = text(&fit(parts(), 150, style));
        assert_eq!(
            short,
            " /orders/* │ switched to ◼ origin at 20:09:01 │ edge 4/18 λ, 14/18 ◼ · 1 unexpected status \
             │ breach from before the switch at 20:09:01 │ router ✓ "
        );
        // Then left out, least important first, and marked.
        let narrow = text(&fit(parts(), 100, style));
        assert_eq!(
            narrow,
            " /orders/* │ switched to ◼ origin at 20:09:01 │ breach from before the switch at 20:09:01 … "
        );
        let narrower = text(&fit(parts(), 60, style));
        assert_eq!(narrower, " /orders/* │ breach from before the switch at 20:09:01 … ");
        for width in 0..200 {
            let line = fit(parts(), width, style);
            assert!(line.width() <= width, "{width}: {}", text(&line));
        }
        // A part with several shorter forms takes the longest that fits.
        let edge = || {
            vec![
                Part::new(0, Span::raw(" /orders/* ")),
                Part::new(2, Span::raw("│ edge 4/18 λ Lambda, 14/18 ◼ origin · 8 POPs · 1 unexpected status "))
                    .or_short(Span::raw("│ edge 4/18 λ, 14/18 ◼ · 1 unexpected status "))
                    .or_short(Span::raw("│ edge: 1 unexpected status ")),
            ]
        };
        assert_eq!(text(&fit(edge(), 60, style)), " /orders/* │ edge 4/18 λ, 14/18 ◼ · 1 unexpected status ");
        assert_eq!(text(&fit(edge(), 50, style)), " /orders/* │ edge: 1 unexpected status ");
        // Only the route left, cut to the room, marked.
        assert_eq!(text(&fit(parts(), 8, style)), " /order…");
    }
}
