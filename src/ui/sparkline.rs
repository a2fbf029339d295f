//! A sparkline, one character a minute, so it fits in a table cell. Missing minutes are drawn as
//! `·`, never as a zero-height bar.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
pub const MISSING: char = '·';

/// What the bars are scaled to: the largest value present, at least 0.
pub fn largest(values: impl Iterator<Item = Option<f64>>) -> f64 {
    values.flatten().fold(0.0_f64, f64::max)
}

/// One value's bar against the largest, `MISSING` when there is none.
pub fn bar(value: Option<f64>, max: f64) -> char {
    match value {
        None => MISSING,
        Some(_) if max <= 0.0 => BARS[0],
        Some(v) => BARS[((v / max) * (BARS.len() - 1) as f64).round().clamp(0.0, 7.0) as usize],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The newest `width` values as the route table draws them.
    fn sparkline(values: &[Option<f64>], width: usize) -> String {
        let shown = &values[values.len().saturating_sub(width)..];
        let max = largest(shown.iter().copied());
        shown.iter().map(|v| bar(*v, max)).collect()
    }

    #[test]
    fn scales_to_the_largest_and_marks_missing() {
        assert_eq!(sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)], 10), "▁▅·█");
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(3.0)], 2), "▆█");
        assert_eq!(sparkline(&[None, None], 2), "··");
    }
}
