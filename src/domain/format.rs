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
}
