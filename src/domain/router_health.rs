//! The router's own health: which of its function's numbers are bad in a minute (any execution
//! error, validation error or throttle, or compute utilization over
//! [`COMPUTE_UTILIZATION_LIMIT_PCT`]), and which stay bad for the configured number of minutes.

use super::format::{thousands, trim_float};
use super::metrics::RouterMinute;

/// A minute's compute utilization (Average, in percent of the time CloudFront allows one run of a
/// function) above which the router counts as misbehaving. The router does little per request (a
/// hash and one or two store reads), so it normally sits far below this. A run over the limit is
/// an execution error, and CloudFront throttles a function that keeps running close to it; AWS's
/// own example alarm on this metric is 70 % for 15 minutes. 80 % for the guard's periods warns
/// about as early, while staying well clear of the router's normal.
pub const COMPUTE_UTILIZATION_LIMIT_PCT: f64 = 80.0;

/// One way the router's function can misbehave, by the metric that shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RouterProblem {
    ExecutionErrors,
    ValidationErrors,
    Throttles,
    ComputeUtilization,
}

impl RouterProblem {
    /// The CloudWatch metric's name.
    pub fn metric(self) -> &'static str {
        match self {
            RouterProblem::ExecutionErrors => "FunctionExecutionErrors",
            RouterProblem::ValidationErrors => "FunctionValidationErrors",
            RouterProblem::Throttles => "FunctionThrottles",
            RouterProblem::ComputeUtilization => "FunctionComputeUtilization",
        }
    }
}

/// A problem of one minute, with its number (a count per minute, or percent for compute).
#[derive(Clone, Debug, PartialEq)]
pub struct RouterBreach {
    pub problem: RouterProblem,
    pub value: f64,
}

impl RouterBreach {
    /// With the metric's name, for the log and the audit trail: `FunctionExecutionErrors 37/min`,
    /// `FunctionComputeUtilization 92% > 80%`.
    pub fn describe(&self) -> String {
        match self.problem {
            RouterProblem::ComputeUtilization => format!(
                "{} {}% > {}%",
                self.problem.metric(),
                self.value.round(),
                trim_float(COMPUTE_UTILIZATION_LIMIT_PCT)
            ),
            _ => format!("{} {}/min", self.problem.metric(), count(self.value)),
        }
    }

    /// Short, for the header and the detail pane: `37 errors/min`, `compute 92%`.
    pub fn short(&self) -> String {
        match self.problem {
            RouterProblem::ExecutionErrors => format!("{} errors/min", count(self.value)),
            RouterProblem::ValidationErrors => format!("{} validation errors/min", count(self.value)),
            RouterProblem::Throttles => format!("{} throttles/min", count(self.value)),
            RouterProblem::ComputeUtilization => format!("compute {}%", self.value.round()),
        }
    }
}

fn count(value: f64) -> String {
    thousands(value.max(0.0).round() as u64)
}

/// Every problem of one minute: any execution error, validation error or throttle, and compute
/// utilization over the limit. A missing number is no problem (CloudFront reports only minutes the
/// function ran).
pub fn breaches(minute: &RouterMinute) -> Vec<RouterBreach> {
    let counts = [
        (RouterProblem::ExecutionErrors, minute.execution_errors),
        (RouterProblem::ValidationErrors, minute.validation_errors),
        (RouterProblem::Throttles, minute.throttles),
    ];
    let mut out: Vec<RouterBreach> = (counts.into_iter())
        .filter_map(|(problem, value)| value.filter(|v| *v > 0.0).map(|value| RouterBreach { problem, value }))
        .collect();
    if let Some(value) = minute.compute_utilization_pct.filter(|v| *v > COMPUTE_UTILIZATION_LIMIT_PCT) {
        out.push(RouterBreach { problem: RouterProblem::ComputeUtilization, value });
    }
    out
}

/// The newest minute with any number, if the window has one.
pub fn latest(series: &[RouterMinute]) -> Option<&RouterMinute> {
    series.iter().rev().find(|m| m.has_data())
}

/// How the router looks now, for the screen.
#[derive(Clone, Debug, PartialEq)]
pub enum RouterStatus {
    /// No numbers in the window: none read yet, or the function did not run.
    Unknown,
    /// The newest minute with numbers is clean.
    Healthy,
    /// The newest minute has problems, not yet for the guard's periods.
    Suspect(Vec<RouterBreach>),
    /// The guard's breach, as it was last judged.
    Failing(Vec<RouterBreach>),
}

impl RouterStatus {
    /// From the guard's breach (`alert`, empty when none) and the router's series.
    pub fn of(alert: &[RouterBreach], series: &[RouterMinute]) -> Self {
        if !alert.is_empty() {
            return RouterStatus::Failing(alert.to_vec());
        }
        match latest(series).map(breaches) {
            None => RouterStatus::Unknown,
            Some(found) if found.is_empty() => RouterStatus::Healthy,
            Some(found) => RouterStatus::Suspect(found),
        }
    }

    /// `37 errors/min, compute 92%` for a status with problems; empty otherwise.
    pub fn short(&self) -> String {
        match self {
            RouterStatus::Suspect(found) | RouterStatus::Failing(found) => {
                found.iter().map(RouterBreach::short).collect::<Vec<_>>().join(", ")
            }
            RouterStatus::Unknown | RouterStatus::Healthy => String::new(),
        }
    }
}

/// The problems present in each of the last `periods` minutes that have numbers, with the newest
/// minute's values. Fewer minutes with numbers than `periods` is no breach yet, as for a route.
pub fn sustained(series: &[RouterMinute], periods: usize) -> Vec<RouterBreach> {
    let periods = periods.max(1);
    let recent: Vec<Vec<RouterBreach>> =
        series.iter().rev().filter(|m| m.has_data()).take(periods).map(breaches).collect();
    if recent.len() < periods {
        return Vec::new();
    }
    let (newest, older) = recent.split_first().expect("periods is at least one");
    (newest.iter())
        .filter(|b| older.iter().all(|minute| minute.iter().any(|o| o.problem == b.problem)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minute(errors: f64, compute: f64) -> RouterMinute {
        RouterMinute {
            execution_errors: Some(errors),
            validation_errors: Some(0.0),
            throttles: Some(0.0),
            compute_utilization_pct: Some(compute),
        }
    }

    #[test]
    fn a_minute_is_bad_for_any_error_or_throttle_and_for_compute_over_the_limit() {
        assert!(breaches(&minute(0.0, 12.0)).is_empty());
        assert!(breaches(&RouterMinute::default()).is_empty(), "no numbers, no problem");
        assert!(breaches(&minute(0.0, COMPUTE_UTILIZATION_LIMIT_PCT)).is_empty(), "at the limit is not over it");
        let bad = RouterMinute { validation_errors: Some(2.0), throttles: Some(1.0), ..minute(37.0, 91.6) };
        let found: Vec<String> = breaches(&bad).iter().map(RouterBreach::describe).collect();
        assert_eq!(
            found,
            [
                "FunctionExecutionErrors 37/min",
                "FunctionValidationErrors 2/min",
                "FunctionThrottles 1/min",
                "FunctionComputeUtilization 92% > 80%"
            ]
        );
        let short: Vec<String> = breaches(&bad).iter().map(RouterBreach::short).collect();
        assert_eq!(short, ["37 errors/min", "2 validation errors/min", "1 throttles/min", "compute 92%"]);
    }

    #[test]
    fn a_problem_counts_once_it_lasts_the_periods_and_quiet_minutes_are_skipped() {
        let quiet = RouterMinute::default();
        let series = [minute(0.0, 10.0), minute(3.0, 85.0), quiet, minute(5.0, 20.0), minute(37.0, 90.0), quiet];
        // Errors in each of the last three minutes with numbers; compute over the limit in only two.
        assert_eq!(sustained(&series, 3), [RouterBreach { problem: RouterProblem::ExecutionErrors, value: 37.0 }]);
        assert!(sustained(&series, 4).is_empty(), "the fourth minute back had none");
        assert!(sustained(&series[3..], 3).is_empty(), "too few minutes with numbers yet");
        assert_eq!(sustained(&series, 0).len(), 2, "zero periods is one");
        assert_eq!(latest(&series), Some(&series[4]));
        assert_eq!(latest(&[quiet]), None);
    }

    #[test]
    fn the_status_is_the_guards_breach_else_the_newest_minute() {
        let quiet = RouterMinute::default();
        assert_eq!(RouterStatus::of(&[], &[]), RouterStatus::Unknown);
        assert_eq!(RouterStatus::of(&[], &[quiet]), RouterStatus::Unknown);
        assert_eq!(RouterStatus::of(&[], &[minute(4.0, 10.0), minute(0.0, 10.0), quiet]), RouterStatus::Healthy);
        let suspect = RouterStatus::of(&[], &[minute(4.0, 95.0)]);
        assert_eq!(suspect.short(), "4 errors/min, compute 95%");
        assert!(matches!(suspect, RouterStatus::Suspect(_)));
        let alert = [RouterBreach { problem: RouterProblem::Throttles, value: 3.0 }];
        let failing = RouterStatus::of(&alert, &[minute(0.0, 10.0)]);
        assert_eq!((failing.short().as_str(), matches!(failing, RouterStatus::Failing(_))), ("3 throttles/min", true));
        assert_eq!(RouterStatus::Healthy.short(), "");
    }
}
