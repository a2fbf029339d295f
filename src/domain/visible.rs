//! Text for a terminal, with every control and format character made visible.
//!
//! Strings from the audit trail, from AWS and from the config reach the responder's terminal. A
//! crafted one could carry an ESC sequence that rewrites the screen or the clipboard (OSC 52), a
//! `\r` that overprints a line, or a bidi override (U+202E) that shows a path backwards. Every text
//! output goes through [`escape`] (one field, one line) or [`escape_keeping_lines`] (a whole
//! multi-line output whose `\n` are its own structure), which turn Unicode general categories Cc
//! (controls), Cf (format), Zl and Zp (U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: line
//! breaks to some terminals and viewers) into escapes like `\u{1b}` that the terminal prints as they
//! read.
//!
//! Text from AWS can also be long beyond reason (a deployment description may be 100 KB): [`cut`]
//! keeps its first characters and says how many it left out.
//!
//! A backslash is left as it is: `\u{1b}` typed literally looks the same as an escaped ESC, which
//! only misleads the eye, never the terminal.
//!
//! JSON output goes through [`escape_in_json`] instead: serde_json escapes C0 controls but writes
//! DEL, C1 controls (U+009B is a CSI to some terminals) and format characters raw; written as JSON
//! `\u` escapes they decode to the same strings, so the JSON stays exactly the same value.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every Cc, Cf, Zl and Zp character escaped, `\n` and `\t` included: for one field or
/// one line.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_except(text, |_| false)
}

/// `text` with every Cc, Cf, Zl and Zp character escaped except `\n`: for a whole output whose lines are
/// its structure (an error message with a quoted snippet, a summary). Escape fields with [`escape`]
/// before joining them when a newline inside one would split it.
pub fn escape_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_except(text, |c| c == '\n')
}

/// Whether `c` would act on the terminal or hide itself instead of being printed: Cc, Cf, Zl or Zp.
pub fn is_invisible(c: char) -> bool {
    // `char::is_control` is exactly general category Cc; Zl and Zp hold one code point each.
    c.is_control() || is_format(c) || c == LINE_SEPARATOR || c == PARAGRAPH_SEPARATOR
}

/// U+2028, the only character of general category Zl.
const LINE_SEPARATOR: char = '\u{2028}';
/// U+2029, the only character of general category Zp.
const PARAGRAPH_SEPARATOR: char = '\u{2029}';

/// The most characters of one piece of text from AWS that cutover keeps: a description, a message.
pub const MAX_AWS_TEXT_CHARS: usize = 200;

/// `text` whole when it has at most `max` characters, else its first `max` characters and a mark
/// saying how many more there were (`… (99,800 more characters)`). Cut before escaping: the mark
/// is cutover's, and an escape is never split.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let more = text[end..].chars().count();
            let unit = if more == 1 { "character" } else { "characters" };
            Cow::Owned(format!("{}… ({} more {unit})", &text[..end], super::format::thousands(more as u64)))
        }
    }
}

/// `json`, a JSON text, with DEL, C1 controls, format characters and U+2028/U+2029 written as JSON `\u` escapes
/// (surrogate pairs above U+FFFF). Those characters can stand only inside strings in valid JSON, so
/// the value is unchanged; C0 controls are left alone, being JSON's own to escape inside strings
/// (serde_json does) and structure outside them (`\t`, `\n`, `\r`).
pub fn escape_in_json(json: &str) -> Cow<'_, str> {
    let needs = |c: char| is_invisible(c) && u32::from(c) >= 0x7f;
    let Some(first) = json.find(needs) else { return Cow::Borrowed(json) };
    let mut out = String::with_capacity(json.len() + 12);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        if needs(c) {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape_except(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let needs = |c: char| is_invisible(c) && !keep(c);
    let Some(first) = text.find(needs) else { return Cow::Borrowed(text) };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !needs(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// General category Cf (format) in Unicode 15.0/15.1, from DerivedGeneralCategory.txt: 21 ranges,
/// 170 code points. Rust's std has no general-category lookup, and a crate for one table is more
/// to trust than this list. A code point that a later Unicode version adds to Cf prints as it is
/// until it is added here.
const FORMAT: [(u32, u32); 21] = [
    (0x00AD, 0x00AD),   // SOFT HYPHEN
    (0x0600, 0x0605),   // ARABIC NUMBER SIGN .. ARABIC NUMBER MARK ABOVE
    (0x061C, 0x061C),   // ARABIC LETTER MARK
    (0x06DD, 0x06DD),   // ARABIC END OF AYAH
    (0x070F, 0x070F),   // SYRIAC ABBREVIATION MARK
    (0x0890, 0x0891),   // ARABIC POUND MARK ABOVE, ARABIC PIASTRE MARK ABOVE
    (0x08E2, 0x08E2),   // ARABIC DISPUTED END OF AYAH
    (0x180E, 0x180E),   // MONGOLIAN VOWEL SEPARATOR
    (0x200B, 0x200F),   // ZERO WIDTH SPACE .. RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),   // LEFT-TO-RIGHT EMBEDDING .. RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x2064),   // WORD JOINER .. INVISIBLE PLUS
    (0x2066, 0x206F),   // LEFT-TO-RIGHT ISOLATE .. NOMINAL DIGIT SHAPES
    (0xFEFF, 0xFEFF),   // ZERO WIDTH NO-BREAK SPACE (byte order mark)
    (0xFFF9, 0xFFFB),   // INTERLINEAR ANNOTATION ANCHOR .. TERMINATOR
    (0x110BD, 0x110BD), // KAITHI NUMBER SIGN
    (0x110CD, 0x110CD), // KAITHI NUMBER SIGN ABOVE
    (0x13430, 0x1343F), // EGYPTIAN HIEROGLYPH VERTICAL JOINER .. END WALLED ENCLOSURE
    (0x1BCA0, 0x1BCA3), // SHORTHAND FORMAT LETTER OVERLAP .. UP STEP
    (0x1D173, 0x1D17A), // MUSICAL SYMBOL BEGIN BEAM .. END PHRASE
    (0xE0001, 0xE0001), // LANGUAGE TAG
    (0xE0020, 0xE007F), // TAG SPACE .. CANCEL TAG
];

fn is_format(c: char) -> bool {
    let c = u32::from(c);
    // Everything below the first range is ASCII or Latin-1, the common case: one comparison.
    if c < FORMAT[0].0 {
        return false;
    }
    FORMAT
        .binary_search_by(|&(low, high)| {
            if high < c {
                std::cmp::Ordering::Less
            } else if low > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "/api/users/* λ Lambda → ◼ origin · 5xx 12.4% > 5% — ünïcödé 日本 🙂 C:\\path";
        assert!(matches!(escape(text), Cow::Borrowed(t) if t == text));
        assert!(matches!(escape_keeping_lines("two\nlines"), Cow::Borrowed("two\nlines")));
    }

    #[test]
    fn terminal_sequences_become_readable_escapes() {
        assert_eq!(escape("\x1b[2J\x1b]52;c;cm0gLXJm\x07"), "\\u{1b}[2J\\u{1b}]52;c;cm0gLXJm\\u{7}");
        assert_eq!(escape("ok\rFAKE"), "ok\\rFAKE");
        assert_eq!(escape("a\tb\nc"), "a\\tb\\nc");
        assert_eq!(escape("\u{7f}\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}", "DEL and C1 controls are Cc too");
        assert_eq!(escape("/admin\u{202e}*/gpj.exe"), "/admin\\u{202e}*/gpj.exe");
        assert_eq!(escape("zero\u{200b}width\u{feff}"), "zero\\u{200b}width\\u{feff}");
        assert_eq!(escape("tag\u{e0041}"), "tag\\u{e0041}");
    }

    #[test]
    fn line_and_paragraph_separators_are_escaped_like_controls() {
        assert_eq!(escape("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
        assert_eq!(escape_keeping_lines("a\nb\u{2028}c"), "a\nb\\u{2028}c", "only \\n is kept as a line break");
        assert!(is_invisible('\u{2028}') && is_invisible('\u{2029}'));
        let json = serde_json::to_string("x\u{2028}y\u{2029}").unwrap();
        assert_eq!(escape_in_json(&json), r#""x\u2028y\u2029""#);
        // Their neighbours are ordinary punctuation and spaces.
        assert!(!is_invisible('\u{2027}') && !is_invisible('\u{202f}') && !is_invisible('\u{2000}'));
    }

    #[test]
    fn long_text_is_cut_with_a_mark_saying_how_much_was_left_out() {
        assert!(matches!(cut("short", 200), Cow::Borrowed("short")));
        assert!(matches!(cut("exactly", 7), Cow::Borrowed("exactly")));
        assert_eq!(cut("abcdef", 3), "abc… (3 more characters)");
        assert_eq!(cut("abcd", 3), "abc… (1 more character)");
        assert_eq!(cut("日本語テキスト", 2), "日本… (5 more characters)", "characters, never bytes");
        let description = "x".repeat(100_000);
        let shown = cut(&description, MAX_AWS_TEXT_CHARS);
        assert_eq!(shown, format!("{}… (99,800 more characters)", "x".repeat(200)));
    }

    #[test]
    fn lines_keep_their_newlines_and_nothing_else() {
        assert_eq!(escape_keeping_lines("line 1\nline\t2\r\n\x1b[31m"), "line 1\nline\\t2\\r\n\\u{1b}[31m");
    }

    #[test]
    fn the_format_table_is_sorted_and_its_edges_are_format() {
        assert!(FORMAT.windows(2).all(|w| w[0].1 < w[1].0), "ranges sorted and apart");
        assert!(FORMAT.iter().all(|(low, high)| low <= high));
        assert_eq!(FORMAT.iter().map(|(low, high)| high - low + 1).sum::<u32>(), 170, "Unicode 15's Cf count");
        for (low, high) in FORMAT {
            for c in [low, high] {
                assert!(is_invisible(char::from_u32(c).unwrap()), "{c:x}");
            }
            for c in [low - 1, high + 1] {
                let c = char::from_u32(c).unwrap();
                assert!(!is_format(c), "{:x} is next to a range, not in it", u32::from(c));
            }
        }
    }

    #[test]
    fn json_keeps_its_value_and_loses_what_a_terminal_would_obey() {
        let value = "a\x1b[2J\u{7f}\u{9b}31m\u{202e}x\u{e0041}\t\"é🙂";
        let json = serde_json::to_string(&serde_json::json!({ "path": value, "n": 1 })).unwrap();
        let escaped = escape_in_json(&json);
        assert_eq!(escaped, r#"{"path":"a\u001b[2J\u007f\u009b31m\u202ex\udb40\udc41\t\"é🙂","n":1}"#);
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["path"], value);
        let pretty = "{\n\t\"a\": \"b\"\r\n}";
        assert!(matches!(escape_in_json(pretty), Cow::Borrowed(_)), "whitespace between tokens is structure");
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips_through_escaped_json(text in "\\PC*|[\\x00-\\x{9f}\\x{200b}-\\x{206f}\\x{e0000}-\\x{e007f}]*") {
            let escaped = escape_in_json(&serde_json::to_string(&text).unwrap()).into_owned();
            proptest::prop_assert!(!escaped.chars().any(is_invisible), "{:?}", escaped);
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&escaped).unwrap(), text);
        }
    }

    #[test]
    fn printable_neighbours_are_left_alone() {
        for c in [' ', '~', '\u{a0}', '\u{ae}', '\u{2010}', '\u{fffd}', '\u{1f642}'] {
            assert!(!is_invisible(c), "{:x}", u32::from(c));
        }
    }
}
