//! A sparkline as text, so it fits in a table cell. Missing minutes are drawn as `·`, never as
//! a zero-height bar.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
pub const MISSING: char = '·';

/// One character per value, scaled to the largest value present. The newest `width` values.
pub fn sparkline(values: &[Option<f64>], width: usize) -> String {
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().flatten().copied().fold(0.0_f64, f64::max);
    shown
        .iter()
        .map(|v| match v {
            None => MISSING,
            Some(_) if max <= 0.0 => BARS[0],
            Some(v) => BARS[((v / max) * (BARS.len() - 1) as f64).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_to_the_largest_and_marks_missing() {
        assert_eq!(sparkline(&[Some(0.0), Some(50.0), None, Some(100.0)], 10), "▁▅·█");
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(3.0)], 2), "▆█");
        assert_eq!(sparkline(&[None, None], 2), "··");
    }
}
