//! Has a switch's traffic really moved? CloudFront says `Deployed` when every edge has the change,
//! minutes after most of them do; the per-side request counts say when the new side is actually
//! serving the route. A side without a metric source is unknown, never zero: then nothing is said.

use jiff::{SignedDuration, Timestamp};

use super::metrics::{MetricsSnapshot, MinutePoint};
use super::route::Target;

/// The share of a route's requests the new side must carry for its traffic to count as moved.
pub const DEFAULT_MOVED_PCT: f64 = 95.0;

/// What the numbers say about a route moving to a side since its switch was accepted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Movement {
    /// Not there yet: the share of the newest minute since acceptance with any request, if any.
    Moving { share_pct: Option<f64> },
    /// The new side carried at least the threshold in the minute that ended at `at`.
    Moved { share_pct: f64, at: Timestamp },
    /// This side of the route has no metric source: moving cannot be confirmed from metrics.
    Unmeasured { side: Target },
}

/// The share, in percent, of a minute's requests that `side` served; `None` without requests. A
/// missing datapoint on a measured side means no request there (CloudWatch omits empty minutes).
pub fn side_share_pct(point: &MinutePoint, side: Target) -> Option<f64> {
    let lambda = point.lambda.requests.get();
    let origin = point.origin.requests.get();
    let total = lambda.unwrap_or(0.0) + origin.unwrap_or(0.0);
    if lambda.is_none() && origin.is_none() || total <= 0.0 {
        return None;
    }
    let on_side = match side {
        Target::Lambda => lambda,
        Target::Origin => origin,
    };
    Some(on_side.unwrap_or(0.0) / total * 100.0)
}

/// How `path`'s traffic is moving to `to`, from the minutes that began at or after the minute of
/// `accepted_at`: the first of them where `to` carried `threshold_pct` or more is when it moved.
pub fn movement(
    snapshot: &MetricsSnapshot,
    path: &str,
    to: Target,
    accepted_at: Timestamp,
    threshold_pct: f64,
) -> Movement {
    for side in [to.other(), to] {
        if snapshot.unmeasured.contains(&(path.to_string(), side)) {
            return Movement::Unmeasured { side };
        }
    }
    let accepted_minute = accepted_at.as_second().div_euclid(60) * 60;
    let mut latest = None;
    for (index, point) in snapshot.series(path).iter().enumerate() {
        let start = snapshot.minute_start(index);
        if start.as_second() < accepted_minute {
            continue;
        }
        let Some(share) = side_share_pct(point, to) else { continue };
        if share >= threshold_pct {
            return Movement::Moved { share_pct: share, at: start + SignedDuration::from_mins(1) };
        }
        latest = Some(share);
    }
    Movement::Moving { share_pct: latest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::{BackendMinute, WINDOW_MINUTES};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn minute(lambda: Option<f64>, origin: Option<f64>) -> MinutePoint {
        MinutePoint {
            lambda: BackendMinute::new(lambda, None, None),
            origin: BackendMinute::new(origin, None, None),
            ..Default::default()
        }
    }

    /// An hour starting 21:00 where the last minutes move from Lambda to the origin.
    fn snapshot(tail: &[(Option<f64>, Option<f64>)]) -> MetricsSnapshot {
        let mut series = vec![minute(Some(1000.0), None); WINDOW_MINUTES - tail.len()];
        series.extend(tail.iter().map(|(l, o)| minute(*l, *o)));
        MetricsSnapshot {
            window_start: at("2026-01-15T21:00:00Z"),
            routes: [("/orders/*".to_string(), series)].into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_share_counts_a_missing_datapoint_on_a_measured_side_as_no_request() {
        assert_eq!(side_share_pct(&minute(Some(380.0), Some(620.0)), Target::Origin), Some(62.0));
        assert_eq!(side_share_pct(&minute(None, Some(500.0)), Target::Origin), Some(100.0));
        assert_eq!(side_share_pct(&minute(None, None), Target::Origin), None);
        assert_eq!(side_share_pct(&minute(Some(0.0), Some(0.0)), Target::Lambda), None);
    }

    #[test]
    fn traffic_moved_in_the_first_minute_since_acceptance_over_the_threshold() {
        // Accepted 21:56:20; 21:57 is 10 % on the origin, 21:58 62 %, 21:59 97 %.
        let moving = [(Some(900.0), Some(100.0)), (Some(380.0), Some(620.0)), (Some(30.0), Some(970.0))];
        let s = snapshot(&moving);
        let accepted = at("2026-01-15T21:56:20Z");
        let moved = movement(&s, "/orders/*", Target::Origin, accepted, 95.0);
        assert_eq!(moved, Movement::Moved { share_pct: 97.0, at: at("2026-01-15T22:00:00Z") });
        let not_yet = movement(&s, "/orders/*", Target::Origin, accepted, 99.0);
        assert_eq!(not_yet, Movement::Moving { share_pct: Some(97.0) });
    }

    #[test]
    fn minutes_before_the_acceptance_minute_never_count() {
        // The route was on the origin an hour ago; only the minutes since acceptance say anything.
        let mut s = snapshot(&[(Some(1000.0), None)]);
        s.routes.get_mut("/orders/*").unwrap()[0] = minute(None, Some(1000.0));
        let accepted = at("2026-01-15T21:59:30Z");
        assert_eq!(
            movement(&s, "/orders/*", Target::Origin, accepted, 95.0),
            Movement::Moving { share_pct: Some(0.0) }
        );
        let later = at("2026-01-15T22:05:00Z");
        assert_eq!(movement(&s, "/orders/*", Target::Origin, later, 95.0), Movement::Moving { share_pct: None });
    }

    #[test]
    fn a_side_without_a_metric_source_cannot_confirm_anything() {
        let mut s = snapshot(&[(None, Some(1000.0))]);
        s.unmeasured.insert(("/orders/*".to_string(), Target::Lambda));
        let accepted = at("2026-01-15T21:58:00Z");
        assert_eq!(
            movement(&s, "/orders/*", Target::Origin, accepted, 95.0),
            Movement::Unmeasured { side: Target::Lambda }
        );
    }
}
