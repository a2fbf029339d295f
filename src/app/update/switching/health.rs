//! What the confirm dialog says of the side a switch moves to: its newest numbers on the route and
//! across routes, account concurrency, and the concurrency a move to Lambda would take.

use crate::app::state::State;
use crate::domain::format::thousands;
use crate::domain::{MinutePoint, Target};

/// A move to Lambda that would leave less than this share of the account's concurrency free is flagged.
const PREFLIGHT_FREE_SHARE: f64 = 0.10;

/// What the operator should know about the target they are about to send a route to.
pub(super) fn target_health(state: &State, path: &str, to: Target) -> Vec<String> {
    let Some(metrics) = state.metrics.as_ref() else {
        return vec!["no metrics yet: health of the new target is unknown".into()];
    };
    let side = |p: &MinutePoint| if to == Target::Lambda { p.lambda } else { p.origin };
    let mut lines = Vec::new();
    let unmeasured = metrics.unmeasured.contains(&(path.to_string(), to));
    match metrics.series(path).iter().rev().map(side).find(|b| b.requests.get().is_some()) {
        None if unmeasured => lines.push(format!(
            "{to} on {path}: unknown, the config names no per-route metrics for that side (see the README's config reference)"
        )),
        Some(b) => {
            lines.push(format!("{to} on {path}, newest minute: {}", describe(b.requests.get(), b.errors_5xx.get(), b.latency_ms.get(), &state.latency_statistic)))
        }
        None => lines.push(format!("{to} served no {path} traffic in the last hour")),
    }
    lines.extend(target_health_across(state, to));
    lines
}

/// The target across every route, as of each route's newest minute, and account concurrency.
pub(super) fn target_health_across(state: &State, to: Target) -> Vec<String> {
    let Some(metrics) = state.metrics.as_ref() else {
        return vec!["no metrics yet: health of the new target is unknown".into()];
    };
    let side = |p: &MinutePoint| if to == Target::Lambda { p.lambda } else { p.origin };
    let mut lines = Vec::new();
    // The target across every route, as of each route's newest minute.
    let (mut requests, mut errors, mut slowest, mut serving) = (0.0, 0.0, None::<f64>, 0);
    // Routes on neither side (an S3 bucket) say nothing of the origin or of Lambda.
    for row in state.routes.iter().filter(|r| r.target.is_some()) {
        if let Some(b) = metrics.latest(&row.path).map(side).filter(|b| b.requests.get().is_some()) {
            requests += b.requests.get().unwrap_or(0.0);
            errors += b.errors_5xx.get().unwrap_or(0.0);
            slowest = Some(slowest.unwrap_or(0.0).max(b.latency_ms.get().unwrap_or(0.0)));
            serving += 1;
        }
    }
    if serving > 0 {
        lines.push(format!(
            "{to} across {serving} route(s): {}",
            describe(Some(requests), Some(errors), slowest, &state.latency_statistic)
        ));
    }
    if to == Target::Lambda
        && let Some(used) = metrics.latest_concurrency()
    {
        let limit = metrics.concurrency_limit.max(1);
        lines.push(format!(
            "account concurrency {}/{} ({:.0}% used)",
            thousands(used as u64),
            thousands(u64::from(limit)),
            used / f64::from(limit) * 100.0
        ));
    }
    lines
}

pub(super) fn describe(
    requests: Option<f64>,
    errors: Option<f64>,
    latency: Option<f64>,
    latency_statistic: &str,
) -> String {
    let requests = requests.unwrap_or(0.0);
    let rate = if requests > 0.0 { errors.unwrap_or(0.0) / requests * 100.0 } else { 0.0 };
    let latency = latency.map_or("–".to_string(), |l| format!("{} ms", thousands(l.round() as u64)));
    format!("{} req/min, 5xx {rate:.1}%, {latency_statistic} {latency}", thousands(requests.round() as u64))
}

/// The concurrency moving `fraction` (0 to 1) of what the origin serves on `paths` to Lambda would
/// take, and a warning when it would leave less than [`PREFLIGHT_FREE_SHARE`] of the account's limit
/// free. The estimate is requests per second × seconds per request, from each route's newest minute
/// and the Lambda latency seen on it (or the mean across Lambda routes, for a route Lambda has not
/// served yet). A switch moves all of it (1); a share step of a routed route only its part.
pub(super) fn preflight(state: &State, paths: &[String], fraction: f64) -> Option<(String, Option<String>)> {
    let metrics = state.metrics.as_ref()?;
    let limit = f64::from(metrics.concurrency_limit.max(1));
    let used = metrics.latest_concurrency()?;
    let seen: Vec<f64> =
        state.routes.iter().filter_map(|r| metrics.latest(&r.path).and_then(|p| p.lambda.latency_ms.get())).collect();
    let fallback_ms = (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64);
    let (mut needed, mut per_second) = (0.0, 0.0);
    for path in paths {
        let Some(point) = metrics.latest(path) else { continue };
        let Some(duration_ms) = point.lambda.latency_ms.get().or(fallback_ms) else { continue };
        // What the origin serves now is what will arrive at Lambda.
        let rps = point.origin.requests.get().unwrap_or(0.0) / 60.0 * fraction;
        per_second += rps;
        needed += rps * duration_ms / 1000.0;
    }
    let free = (limit - used).max(0.0);
    let estimate = format!(
        "pre-flight: needs about {} concurrent executions ({} req/s × {} duration); {} of {} free now",
        thousands(needed.round() as u64),
        thousands(per_second.round() as u64),
        state.latency_statistic,
        thousands(free.round() as u64),
        thousands(limit as u64),
    );
    let warning = (free - needed < limit * PREFLIGHT_FREE_SHARE).then(|| {
        format!(
            "less than {}% of the account's Lambda concurrency would be left free: expect throttles",
            (PREFLIGHT_FREE_SHARE * 100.0).round()
        )
    });
    Some((estimate, warning))
}
