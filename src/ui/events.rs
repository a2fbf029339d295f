//! The event log pane: every step of every switch and every alert, newest at the bottom. A line
//! too long for the pane wraps, its continuation lines under its message (not under the time),
//! and the newest entries are the ones in view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::model::state::State;
use crate::domain::format::time_of_day;
use crate::domain::{Level, LogEntry};
use crate::theme::Theme;

/// A continuation line starts under the message when at least this many columns are left for it
/// there; on a narrower pane it starts this close to the edge instead, so words still fit.
const MESSAGE_ROOM: usize = 20;
const NARROW_INDENT: usize = 2;

pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut title = vec![Span::styled(format!(" events ({}) ", state.notices.log.len()), theme.title)];
    if state.view.log_scroll > 0 {
        title.push(Span::styled(format!("↑ {} newer below · PgDn ", state.view.log_scroll), theme.muted));
    }
    let block = Block::bordered().title(Line::from(title)).border_style(theme.border);
    let inner = block.inner(area);
    let (height, width) = (usize::from(inner.height), usize::from(inner.width));
    let end = state.notices.log.len().saturating_sub(state.view.log_scroll);
    // From the newest entry back, until the pane is full: only what is seen is wrapped.
    let mut lines: Vec<Line> = Vec::new();
    for entry in state.notices.log[..end].iter().rev() {
        if lines.len() >= height {
            break;
        }
        let mut wrapped = entry_lines(entry, width, theme);
        if lines.is_empty() && wrapped.len() > height {
            // The newest entry alone is taller than the pane: its start, and a mark that it goes on.
            wrapped.truncate(height);
            if let Some(last) = wrapped.last_mut() {
                mark_cut(last, width);
            }
        }
        lines.extend(wrapped.into_iter().rev());
    }
    lines.truncate(height);
    lines.reverse();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One entry as the lines it takes at `width`: time, level, route, then its message, wrapped at
/// spaces (a word longer than a line is split), each further line indented under the message.
fn entry_lines<'a>(entry: &'a LogEntry, width: usize, theme: &Theme) -> Vec<Line<'a>> {
    let level_style = match entry.level {
        Level::Info => theme.log_info,
        Level::Warn => theme.log_warn,
        Level::Error => theme.log_error,
    };
    let mut prefix = vec![
        Span::styled(time_of_day(entry.at), theme.log_time),
        Span::raw(" "),
        Span::styled(format!("{:<5}", entry.level.to_string()), level_style),
        Span::raw(" "),
    ];
    if let Some(route) = &entry.route {
        prefix.push(Span::styled(format!("{route:<11}"), theme.title));
        prefix.push(Span::raw(" "));
    }
    let prefix_width: usize = prefix.iter().map(Span::width).sum();
    let indent = if width >= prefix_width + MESSAGE_ROOM { prefix_width } else { NARROW_INDENT.min(width) };
    // Earlier sessions' lines are set apart, so nobody takes them for what is happening now.
    let message_style = if crate::audit::is_history(entry) { theme.log_history } else { theme.base };
    let pieces = wrap(&entry.message, width.saturating_sub(prefix_width), width - indent);
    let mut lines = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.into_iter().enumerate() {
        if i == 0 {
            let mut spans = std::mem::take(&mut prefix);
            spans.push(Span::styled(piece, message_style));
            lines.push(Line::from(spans));
        } else {
            lines.push(Line::from(vec![Span::raw(" ".repeat(indent)), Span::styled(piece, message_style)]));
        }
    }
    lines
}

/// End a line that goes on below the pane with `…` in its last column.
fn mark_cut(line: &mut Line, width: usize) {
    let style = line.spans.last().map(|s| s.style).unwrap_or_default();
    let mut left = width.saturating_sub(1);
    let mut spans = Vec::new();
    for span in line.spans.drain(..) {
        let kept = take_width(&span.content, left);
        left -= kept.chars().map(char_width).sum::<usize>();
        let whole = kept.len() == span.content.len();
        spans.push(Span::styled(kept.to_string(), span.style));
        if !whole {
            break;
        }
    }
    spans.push(Span::styled("…", style));
    line.spans = spans;
}

/// The columns a character takes on a terminal.
fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// The longest start of `text` at most `width` columns wide.
fn take_width(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += char_width(c);
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// `text` in pieces: the first at most `first` columns wide, the others at most `rest`. Breaks
/// fall at spaces (which are dropped there); a word wider than a line is split where it must be.
/// Always at least one piece, maybe empty.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    let rest = rest.max(1);
    let mut pieces = vec![String::new()];
    let (mut room, mut used) = (first, 0);
    for word in text.split(' ') {
        let word_width: usize = word.chars().map(char_width).sum();
        let gap = usize::from(used > 0);
        if used + gap + word_width <= room {
            let piece = pieces.last_mut().expect("one piece at least");
            if gap == 1 {
                piece.push(' ');
            }
            piece.push_str(word);
            used += gap + word_width;
            continue;
        }
        // On a new line, where it may fit whole; split only what is wider than a line.
        if used > 0 || (room < rest && word_width <= rest) {
            pieces.push(String::new());
            (room, used) = (rest, 0);
        }
        for c in word.chars() {
            let w = char_width(c);
            if used + w > room && (used > 0 || room < rest) {
                pieces.push(String::new());
                (room, used) = (rest, 0);
            }
            pieces.last_mut().expect("one piece at least").push(c);
            used += w;
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_at_spaces_and_a_long_word_is_split() {
        assert_eq!(wrap("one two three", 7, 7), ["one two", "three"]);
        assert_eq!(wrap("one two three", 20, 7), ["one two three"]);
        assert_eq!(wrap("one two three", 3, 9), ["one", "two three"]);
        assert_eq!(wrap("abcdefghij", 4, 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("ab abcdefghij", 4, 4), ["ab", "abcd", "efgh", "ij"]);
        // No room on the first line: the message starts on the next.
        assert_eq!(wrap("one two", 0, 3), ["", "one", "two"]);
        assert_eq!(wrap("", 5, 5), [""]);
        // Wide characters count as two columns.
        assert_eq!(wrap("λ→ab 日本語", 4, 4), ["λ→ab", "日本", "語"]);
    }

    #[test]
    fn every_character_of_the_message_is_kept() {
        let text = "UpdateDistribution accepted (ETag ETPEJHVPFETH0W → EJSRRJHMHTVBEF), InProgress: /orders/*";
        for first in 0..30 {
            for rest in 1..30 {
                let pieces = wrap(text, first, rest);
                assert_eq!(pieces.join(" ").split_whitespace().collect::<String>(), text.replace(' ', ""));
                for (i, p) in pieces.iter().enumerate() {
                    let room = if i == 0 { first } else { rest };
                    let w: usize = p.chars().map(char_width).sum();
                    assert!(w <= room.max(1) || (i == 0 && p.is_empty()), "{first} {rest}: {pieces:?}");
                }
            }
        }
    }
}
