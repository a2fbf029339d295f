//! The text a config was read from, kept so that byte spans can become line and column numbers long
//! after parsing (for instance when checking the config against a live distribution).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A place in the file: 1-based line, and 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The file name and text of a config.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Source {
    pub(crate) name: String,
    text: Arc<str>,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source").field("name", &self.name).field("bytes", &self.text.len()).finish()
    }
}

impl Source {
    pub(crate) fn new(name: &str, text: &str) -> Self {
        Source { name: name.to_string(), text: Arc::from(text) }
    }

    /// The position of a span's start.
    pub(crate) fn position(&self, span: &Range<usize>) -> Position {
        position_in(&self.text, span.start)
    }

    /// The text a span covers, when it is a bare or quoted key on one line.
    pub(crate) fn key_at(&self, span: &Range<usize>) -> Option<&str> {
        let key = self.text.get(span.clone())?.trim().trim_matches(['"', '\'']);
        plain_key(key).then_some(key)
    }

    /// The key written just before the value at `span`, as in `key = value`, when it is on the same line.
    pub(crate) fn key_before(&self, span: &Range<usize>) -> Option<&str> {
        let start = floor_char_boundary(&self.text, span.start);
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let before = self.text[line_start..start].trim_end().strip_suffix('=')?.trim();
        let key = before.rsplit(['.', '{', ',']).next()?.trim().trim_matches(['"', '\'']);
        plain_key(key).then_some(key)
    }
}

/// The 1-based line and character column of byte `index` in `text`. An index past the end (errors at
/// end of file) is placed after the last character.
pub(crate) fn position_in(text: &str, index: usize) -> Position {
    let past_end = index.saturating_sub(text.len());
    let index = floor_char_boundary(text, index);
    let line_start = text[..index].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].bytes().filter(|&b| b == b'\n').count() + 1;
    let column = text[line_start..index].chars().count() + past_end + 1;
    Position { line, column }
}

fn plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\nüé = \"x\"\n";
        assert_eq!(position_in(text, 0), Position { line: 1, column: 1 });
        assert_eq!(position_in(text, 4), Position { line: 1, column: 5 });
        assert_eq!(position_in(text, 6), Position { line: 2, column: 1 });
        // `=` after two two-byte characters and a space: byte 11, character column 4.
        assert_eq!(position_in(text, 11), Position { line: 2, column: 4 });
        // Inside a multi-byte character: rounded down to its start.
        assert_eq!(position_in(text, 7), Position { line: 2, column: 1 });
        // End of file, and past it.
        assert_eq!(position_in(text, text.len()), Position { line: 3, column: 1 });
        assert_eq!(position_in("abc", 5), Position { line: 1, column: 6 });
        assert_eq!(position_in("", 0), Position { line: 1, column: 1 });
    }

    #[test]
    fn the_key_before_a_value_is_found_on_its_line() {
        let text = "x = 1\nrefresh_seconds = \"soon\"\nt = { a.b = 1 }\n";
        let source = Source::new("f", text);
        let at = |needle: &str| {
            let i = text.find(needle).unwrap();
            i..i + needle.len()
        };
        assert_eq!(source.key_before(&at("\"soon\"")), Some("refresh_seconds"));
        assert_eq!(source.key_before(&at("1 }")), Some("b"));
        assert_eq!(source.key_before(&at("x")), None);
    }
}
