//! Per-minute metric series: each route's hour of minutes on both sides, the account's
//! concurrency, the distribution-wide edge numbers and the router function's own health, with "no
//! datapoint" kept apart from zero.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::route::Target;

/// Number of one-minute periods the console keeps and draws.
pub const WINDOW_MINUTES: usize = 60;

/// One CloudWatch number of one minute, or no datapoint, which is not the same as zero. Kept as an
/// `f64` with NaN for "missing": half the size of an `Option<f64>`, and the hour of numbers kept for
/// every route is most of what the console holds in memory at a thousand routes.
#[derive(Clone, Copy)]
pub struct Reading(f64);

impl Reading {
    pub const MISSING: Reading = Reading(f64::NAN);

    /// The number, or `None` for no datapoint.
    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl Default for Reading {
    fn default() -> Self {
        Reading::MISSING
    }
}

/// `None`, and a NaN that no datapoint should be, are missing.
impl From<Option<f64>> for Reading {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Reading::MISSING, Reading)
    }
}

impl PartialEq for Reading {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl std::fmt::Debug for Reading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// One backend's numbers for one route and one minute.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BackendMinute {
    pub requests: Reading,
    pub errors_5xx: Reading,
    pub latency_ms: Reading,
}

impl BackendMinute {
    pub fn new(requests: Option<f64>, errors_5xx: Option<f64>, latency_ms: Option<f64>) -> Self {
        BackendMinute { requests: requests.into(), errors_5xx: errors_5xx.into(), latency_ms: latency_ms.into() }
    }
}

/// One route's numbers for one minute, split by the backend that served them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MinutePoint {
    pub lambda: BackendMinute,
    pub origin: BackendMinute,
    /// Lambda throttles; only Lambda routes have them. The invocations Lambda refused are requests
    /// that failed: API Gateway counts them in its `Count` and answers them with a 500, counted in
    /// its `5XXError`, so they are in `lambda.requests` and `lambda.errors_5xx` too (a route
    /// measured by its function alone has them added there when the numbers are read), and a
    /// throttled route's 5xx rate says how many of its viewers were refused.
    pub throttles: Reading,
}

fn sum_present(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

impl MinutePoint {
    /// Requests served by either backend, or `None` when neither reported.
    pub fn requests(&self) -> Option<f64> {
        sum_present(self.lambda.requests.get(), self.origin.requests.get())
    }

    pub fn errors_5xx(&self) -> Option<f64> {
        sum_present(self.lambda.errors_5xx.get(), self.origin.errors_5xx.get())
    }

    /// 5xx as a percentage of requests, computed from sums. `None` without requests.
    pub fn error_rate_pct(&self) -> Option<f64> {
        let requests = self.requests()?;
        if requests <= 0.0 {
            return None;
        }
        Some(self.errors_5xx().unwrap_or(0.0) / requests * 100.0)
    }

    /// The route's tail latency: the slower backend that served it, since a p99 of a mix is
    /// dominated by its slow part.
    pub fn latency_ms(&self) -> Option<f64> {
        match (self.lambda.latency_ms.get(), self.origin.latency_ms.get()) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
        }
    }

    pub fn has_data(&self) -> bool {
        self.requests().is_some()
    }
}

/// The whole distribution's numbers for one minute, from `AWS/CloudFront` (never per path).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EdgeMinute {
    pub requests: Option<f64>,
    /// `5xxErrorRate`, the share of all viewer requests answered with a 5xx, in percent.
    pub error_rate_5xx_pct: Option<f64>,
}

/// The router's own numbers for one minute: its CloudFront Function's metrics in `AWS/CloudFront`
/// (`FunctionName`, `Region=Global`, us-east-1). CloudFront publishes them only for minutes the
/// function ran, so a quiet minute is missing, not zero.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RouterMinute {
    /// `FunctionExecutionErrors` (Sum): runs that did not complete. The router catches its own
    /// exceptions (it fails open), so these are failures CloudFront counts: over its time limit, say.
    pub execution_errors: Option<f64>,
    /// `FunctionValidationErrors` (Sum): runs that completed but returned an event CloudFront refused.
    pub validation_errors: Option<f64>,
    /// `FunctionThrottles` (Sum): runs CloudFront did not let happen.
    pub throttles: Option<f64>,
    /// `FunctionComputeUtilization` (Average): run time as a percentage of the maximum allowed.
    pub compute_utilization_pct: Option<f64>,
}

impl RouterMinute {
    pub fn has_data(&self) -> bool {
        self.execution_errors.is_some()
            || self.validation_errors.is_some()
            || self.throttles.is_some()
            || self.compute_utilization_pct.is_some()
    }
}

/// The last hour of numbers for every route, as one refresh returned it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsSnapshot {
    /// Start of the oldest minute in every series; series entries are one minute apart.
    pub window_start: Timestamp,
    /// Per route path, `WINDOW_MINUTES` points, oldest first.
    pub routes: HashMap<String, Vec<MinutePoint>>,
    /// Account-wide Lambda concurrent executions (maximum per minute), oldest first.
    pub concurrency: Vec<Option<f64>>,
    /// The account's concurrency limit.
    pub concurrency_limit: u32,
    /// The limit is the configured fallback, because Lambda `GetAccountSettings` was not allowed or
    /// not available.
    pub concurrency_limit_assumed: bool,
    /// Distribution-wide numbers at the edge, oldest first; empty when the source has none.
    pub edge: Vec<EdgeMinute>,
    /// The router function's own numbers, oldest first; empty when the distribution has no router.
    pub router: Vec<RouterMinute>,
    /// Routes and sides with no per-route metric source configured: their numbers are unknown, not zero.
    pub unmeasured: HashSet<(String, Target)>,
    /// End of the newest minute that had any datapoint.
    pub newest_datapoint: Option<Timestamp>,
    /// How many metric queries this refresh asked for (what CloudWatch bills).
    pub queries: usize,
    /// Each account's concurrency when the Lambda sides live in several accounts: the distribution's
    /// own first (the fields above say the same of it), then the config's `lambda_accounts`. Empty
    /// for one account.
    pub accounts: Vec<AccountConcurrency>,
    /// Which of `accounts` each route's Lambda side lives in (an index); empty for one account.
    pub route_accounts: HashMap<String, usize>,
}

/// One account's Lambda concurrency and how fresh its numbers are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountConcurrency {
    /// The config's name for the account; `default` for the distribution's own.
    pub label: String,
    /// Its 12-digit id, once known (from the role ARN or STS).
    pub account_id: Option<String>,
    /// Lambda concurrent executions (maximum per minute), oldest first.
    pub used: Vec<Option<f64>>,
    pub limit: u32,
    /// The limit is the configured fallback, because `GetAccountSettings` would not say.
    pub limit_assumed: bool,
    /// Why this refresh could not read the account; its numbers (and its routes' Lambda sides) are
    /// then those of `as_of`, or none.
    pub error: Option<String>,
    /// When the account's numbers were read; `None` when never.
    pub as_of: Option<Timestamp>,
}

/// The default label of the distribution's own account among several.
pub const HOME_ACCOUNT: &str = "default";

impl AccountConcurrency {
    pub fn latest(&self) -> Option<f64> {
        self.used.iter().rev().find_map(|c| *c)
    }

    /// How the screen names it: the account id as `1234…9012`, else the config's name.
    pub fn short_name(&self) -> String {
        match &self.account_id {
            Some(id) if id.len() == 12 => format!("{}…{}", &id[..4], &id[8..]),
            _ => self.label.clone(),
        }
    }
}

impl MetricsSnapshot {
    pub fn series(&self, path: &str) -> &[MinutePoint] {
        self.routes.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The end of a route's newest minute with data, if any in the window.
    pub fn newest_minute_end(&self, path: &str) -> Option<Timestamp> {
        let index = self.series(path).iter().rposition(MinutePoint::has_data)?;
        let minutes = i64::try_from(index + 1).ok()?;
        self.window_start.checked_add(jiff::SignedDuration::from_mins(minutes)).ok()
    }

    /// The newest minute of a route that has data, if any in the window.
    pub fn latest(&self, path: &str) -> Option<&MinutePoint> {
        self.series(path).iter().rev().find(|p| p.has_data())
    }

    pub fn latest_concurrency(&self) -> Option<f64> {
        self.concurrency.iter().rev().find_map(|c| *c)
    }

    /// The account a route's Lambda side lives in, when there are several.
    pub fn account_of(&self, path: &str) -> Option<&AccountConcurrency> {
        self.route_accounts.get(path).and_then(|&i| self.accounts.get(i))
    }

    /// The newest concurrency and the limit of the account a route's Lambda side lives in: its
    /// account's when there are several, else the one account's.
    pub fn concurrency_of(&self, path: &str) -> (Option<f64>, u32) {
        match self.account_of(path) {
            Some(account) => (account.latest(), account.limit),
            None => (self.latest_concurrency(), self.concurrency_limit),
        }
    }

    /// Start time of the minute at `index` in the series.
    pub fn minute_start(&self, index: usize) -> Timestamp {
        self.window_start + jiff::SignedDuration::from_mins(index as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_is_a_number_or_missing_and_half_an_option() {
        assert_eq!(Reading::from(Some(2.5)).get(), Some(2.5));
        assert_eq!(Reading::from(Some(0.0)).get(), Some(0.0), "zero is a number");
        assert_eq!(Reading::from(None).get(), None);
        assert_eq!(Reading::from(Some(f64::NAN)).get(), None, "NaN is no datapoint");
        assert_eq!(Reading::default(), Reading::MISSING);
        assert_ne!(Reading::from(Some(0.0)), Reading::MISSING);
        assert_eq!(format!("{:?}", Reading::from(Some(1.0))), "Some(1.0)");
        // An hour of minutes per route is what the console keeps; this is why Reading exists.
        assert_eq!(std::mem::size_of::<MinutePoint>(), 7 * 8);
    }

    #[test]
    fn a_route_finds_its_accounts_concurrency() {
        let account = |label: &str, id: Option<&str>, used: f64, limit| AccountConcurrency {
            label: label.into(),
            account_id: id.map(str::to_string),
            used: vec![Some(used), None],
            limit,
            ..AccountConcurrency::default()
        };
        let mut s = MetricsSnapshot { concurrency: vec![Some(5.0)], concurrency_limit: 1000, ..Default::default() };
        assert_eq!(s.concurrency_of("/a"), (Some(5.0), 1000), "one account: the snapshot's own");
        s.accounts = vec![account(HOME_ACCOUNT, None, 5.0, 1000), account("pay", Some("210987654321"), 120.0, 3000)];
        s.route_accounts = HashMap::from([("/a".to_string(), 1), ("/b".to_string(), 0)]);
        assert_eq!(s.concurrency_of("/a"), (Some(120.0), 3000));
        assert_eq!(s.concurrency_of("/b"), (Some(5.0), 1000));
        assert_eq!(s.accounts[1].short_name(), "2109…4321");
        assert_eq!(s.accounts[0].short_name(), "default");
    }

    #[test]
    fn missing_datapoints_are_not_zero() {
        let empty = MinutePoint::default();
        assert_eq!(empty.requests(), None);
        assert_eq!(empty.error_rate_pct(), None);
        assert!(!empty.has_data());
    }

    #[test]
    fn error_rate_is_computed_from_sums_of_both_backends() {
        let p = MinutePoint {
            lambda: BackendMinute::new(Some(900.0), Some(90.0), Some(300.0)),
            origin: BackendMinute::new(Some(100.0), None, Some(120.0)),
            throttles: Some(0.0).into(),
        };
        assert_eq!(p.requests(), Some(1000.0));
        assert_eq!(p.error_rate_pct(), Some(9.0));
        assert_eq!(p.latency_ms(), Some(300.0));
    }
}
