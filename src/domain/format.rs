//! Number, time and duration formatting shared by the screen and the event log.

use jiff::Timestamp;

/// Time of day in UTC, `HH:MM:SS`: one zone for everyone on the incident call.
///
/// ```
/// let t: jiff::Timestamp = "2026-01-15T22:41:07Z".parse().unwrap();
/// assert_eq!(cutover::domain::format::time_of_day(t), "22:41:07");
/// ```
pub fn time_of_day(t: Timestamp) -> String {
    t.strftime("%H:%M:%S").to_string()
}

/// Groups digits in threes, as the table shows counts.
///
/// ```
/// assert_eq!(cutover::domain::format::thousands(1_204), "1,204");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` as [`thousands`] when that fits in `width` characters, else compact: `103k`, `9.9k`, `1.2M`,
/// `45G`. A number is never cut to fit its column: `102,576` cut to six characters would read
/// `02,576`, a number a hundred thousand smaller.
///
/// ```
/// use cutover::domain::format::fitted;
/// assert_eq!(fitted(99_999, 6), "99,999");
/// assert_eq!(fitted(102_576, 6), "103k");
/// ```
pub fn fitted(n: u64, width: usize) -> String {
    let full = thousands(n);
    if full.chars().count() <= width { full } else { compact(n) }
}

/// `n` in at most four characters with a unit: `999`, `9.9k`, `103k`, `1.0M`, `12M`, `999T`, `18E`.
pub fn compact(n: u64) -> String {
    const UNITS: [(u64, char); 6] = [
        (1_000, 'k'),
        (1_000_000, 'M'),
        (1_000_000_000, 'G'),
        (1_000_000_000_000, 'T'),
        (1_000_000_000_000_000, 'P'),
        (1_000_000_000_000_000_000, 'E'),
    ];
    if n < 1_000 {
        return n.to_string();
    }
    for (scale, unit) in UNITS {
        // Tenths of the unit, rounded half up, in integers so that nothing is lost to floats.
        let tenths = (u128::from(n) * 10 + u128::from(scale) / 2) / u128::from(scale);
        if tenths < 100 {
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
        let whole = (u128::from(n) + u128::from(scale) / 2) / u128::from(scale);
        if whole < 1_000 {
            return format!("{whole}{unit}");
        }
    }
    // u64 ends at 18.4E, so the last unit always answers above.
    format!("{}E", n / 1_000_000_000_000_000_000)
}

/// `5.0` → `"5"`, `2.5` → `"2.5"`: thresholds read as people write them.
pub fn trim_float(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }
}

/// Whole seconds as `"42s"`, `"3m 05s"` or `"2h 10m"`.
pub fn duration_short(secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(98_765_432), "98,765,432");
        assert_eq!(trim_float(5.0), "5");
        assert_eq!(trim_float(2.5), "2.5");
        assert_eq!(duration_short(42), "42s");
        assert_eq!(duration_short(185), "3m 05s");
        assert_eq!(duration_short(7800), "2h 10m");
    }

    #[test]
    fn a_number_too_wide_for_its_column_is_shown_compactly_never_cut() {
        assert_eq!(fitted(99_999, 6), "99,999", "what fits is shown whole");
        assert_eq!(fitted(102_576, 6), "103k", "tv-spike's throttles, not 02,576");
        assert_eq!(fitted(102_576, 7), "102,576");
        assert_eq!(fitted(100_000_000, 9), "100M");
        for (n, shown) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1.0k"),
            (1_049, "1.0k"),
            (1_050, "1.1k"),
            (9_949, "9.9k"),
            (9_950, "10k"),
            (99_499, "99k"),
            (999_499, "999k"),
            (999_500, "1.0M"),
            (1_234_567, "1.2M"),
            (45_000_000_000, "45G"),
            (999_999_999_999_999_999, "1.0E"),
            (u64::MAX, "18E"),
        ] {
            assert_eq!(compact(n), shown, "{n}");
        }
        // Whatever the number, the compact form fits the narrowest numeric column (six characters).
        for n in (0..64).map(|b| 1_u64 << b).chain((0..20).map(|e| 10_u64.pow(e) - 1)) {
            assert!(compact(n).chars().count() <= 4, "{n} → {}", compact(n));
        }
    }
}
