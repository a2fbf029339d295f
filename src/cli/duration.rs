//! Durations typed on the command line: `cutover log --since 2h` (how far back to look) and the
//! headless commands' `--timeout 15m`.

use jiff::{SignedDuration, Span, SpanRelativeTo};

/// Parse a look-back duration: `30m`, `2h`, `1d`, `1w`, `1h30m`, `90s`, or ISO 8601 (`PT2H`).
/// Days are 24 hours and weeks 7 days; months and years are refused, as are negative durations.
pub fn parse_since(text: &str) -> Result<SignedDuration, String> {
    let text = text.trim();
    let span: Span = text.parse().map_err(|e| format!("`{text}` is not a duration like 30m, 2h or 1d ({e})"))?;
    if span.get_months() != 0 || span.get_years() != 0 {
        return Err(format!("`{text}`: months and years have no fixed length; use days (e.g. 30d)"));
    }
    let duration = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("`{text}` is not a duration like 30m, 2h or 1d ({e})"))?;
    if duration.is_negative() {
        return Err(format!("`{text}` is negative; give how far back to look, e.g. 2h"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_look_backs() {
        let secs = |s: &str| parse_since(s).unwrap().as_secs();
        assert_eq!(secs("30m"), 30 * 60);
        assert_eq!(secs("2h"), 2 * 3600);
        assert_eq!(secs("1d"), 24 * 3600);
        assert_eq!(secs("1w"), 7 * 24 * 3600);
        assert_eq!(secs("1h30m"), 90 * 60);
        assert_eq!(secs("1h 30m"), 90 * 60);
        assert_eq!(secs("90s"), 90);
        assert_eq!(secs(" 2 hours "), 2 * 3600);
        assert_eq!(secs("PT2H"), 2 * 3600);
        assert_eq!(secs("0s"), 0);
    }

    #[test]
    fn refuses_what_is_not_a_fixed_look_back() {
        for bad in ["", "2", "h", "yesterday", "2x", "1mo", "1y", "-2h", "2h ago"] {
            assert!(parse_since(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(parse_since("1mo").unwrap_err().contains("days"));
        assert!(parse_since("-2h").unwrap_err().contains("negative"));
    }
}
