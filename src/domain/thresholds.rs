//! Guard thresholds and breaches: when a route's numbers are bad for long enough to alert.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::format::{thousands, trim_float};
use super::metrics::MinutePoint;

/// When a route's numbers are bad enough to mark and to alert on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// 5xx responses as a percentage of requests.
    pub error_rate_pct: f64,
    /// Tail latency in milliseconds.
    pub latency_ms: f64,
    /// Lambda throttles per minute.
    pub throttles_per_min: f64,
    /// Consecutive one-minute periods a threshold must be crossed before the route alerts.
    pub periods: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { error_rate_pct: 5.0, latency_ms: 1000.0, throttles_per_min: 0.0, periods: 3 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BreachKind {
    ErrorRate,
    Latency,
    Throttles,
}

/// A threshold crossed, with the numbers that say by how much.
#[derive(Clone, Debug, PartialEq)]
pub struct Breach {
    pub kind: BreachKind,
    pub value: f64,
    pub limit: f64,
}

impl Breach {
    /// The breach in words, naming latency by the statistic it was measured with (`p99`, `Average`).
    pub fn describe(&self, latency_statistic: &str) -> String {
        match self.kind {
            BreachKind::ErrorRate => format!("5xx {:.1}% > {}%", self.value, trim_float(self.limit)),
            BreachKind::Latency => format!(
                "{latency_statistic} {} ms > {} ms",
                thousands(self.value.round() as u64),
                thousands(self.limit.round() as u64)
            ),
            BreachKind::Throttles => {
                format!("throttles {}/min > {}/min", thousands(self.value.round() as u64), trim_float(self.limit))
            }
        }
    }
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("p99"))
    }
}

impl Thresholds {
    pub fn error_rate_breached(&self, p: &MinutePoint) -> bool {
        p.error_rate_pct().is_some_and(|v| v > self.error_rate_pct)
    }

    pub fn latency_breached(&self, p: &MinutePoint) -> bool {
        p.latency_ms().is_some_and(|v| v > self.latency_ms)
    }

    pub fn throttles_breached(&self, p: &MinutePoint) -> bool {
        p.throttles.get().is_some_and(|v| v > self.throttles_per_min)
    }

    /// Every threshold this one minute crosses.
    pub fn breaches(&self, p: &MinutePoint) -> Vec<Breach> {
        let mut out = Vec::new();
        if self.error_rate_breached(p) {
            out.push(Breach {
                kind: BreachKind::ErrorRate,
                value: p.error_rate_pct().unwrap_or_default(),
                limit: self.error_rate_pct,
            });
        }
        if self.latency_breached(p) {
            out.push(Breach {
                kind: BreachKind::Latency,
                value: p.latency_ms().unwrap_or_default(),
                limit: self.latency_ms,
            });
        }
        if self.throttles_breached(p) {
            out.push(Breach {
                kind: BreachKind::Throttles,
                value: p.throttles.get().unwrap_or_default(),
                limit: self.throttles_per_min,
            });
        }
        out
    }

    /// The thresholds crossed in each of the last `periods` minutes that have data, reported with
    /// the newest minute's numbers. Fewer minutes with data than `periods` means no alert yet.
    pub fn sustained_breaches(&self, series: &[MinutePoint]) -> Vec<Breach> {
        let periods = self.periods.max(1);
        let recent: Vec<&MinutePoint> = series.iter().rev().filter(|p| p.has_data()).take(periods).collect();
        if recent.len() < periods {
            return Vec::new();
        }
        self.breaches(recent[0])
            .into_iter()
            .filter(|b| recent.iter().all(|p| self.breaches(p).iter().any(|other| other.kind == b.kind)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::BackendMinute;

    fn minute(requests: f64, errors: f64) -> MinutePoint {
        MinutePoint { lambda: BackendMinute::new(Some(requests), Some(errors), Some(100.0)), ..Default::default() }
    }

    #[test]
    fn a_breach_must_last_the_configured_periods() {
        let t = Thresholds::default();
        let two_bad = vec![minute(100.0, 0.0), minute(100.0, 20.0), minute(100.0, 20.0)];
        assert!(t.sustained_breaches(&two_bad).is_empty());
        let three_bad = vec![minute(100.0, 20.0), minute(100.0, 20.0), minute(100.0, 12.4)];
        let b = t.sustained_breaches(&three_bad);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].to_string(), "5xx 12.4% > 5%");
    }

    #[test]
    fn minutes_without_data_are_skipped_not_counted_as_healthy() {
        let t = Thresholds::default();
        let gap = vec![minute(100.0, 20.0), minute(100.0, 20.0), MinutePoint::default(), minute(100.0, 20.0)];
        assert_eq!(t.sustained_breaches(&gap).len(), 1);
    }
}
