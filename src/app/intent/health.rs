//! What the confirm dialog says of the side a switch moves to: its newest numbers on the route and
//! across routes, account concurrency, and the concurrency a move to Lambda would take.

use crate::app::model::state::State;
use crate::domain::format::thousands;
use crate::domain::{MinutePoint, Target};

/// A move to Lambda that would leave less than this share of the account's concurrency free is flagged.
const PREFLIGHT_FREE_SHARE: f64 = 0.10;

/// What the operator should know about the target they are about to send a route to.
pub fn target_health(state: &State, path: &str, to: Target) -> Vec<String> {
    let Some(metrics) = state.learned.metrics.as_ref() else {
        return vec!["no metrics yet: health of the new target is unknown".into()];
    };
    let side = |p: &MinutePoint| if to == Target::Lambda { p.lambda } else { p.origin };
    let mut lines = Vec::new();
    let unmeasured = metrics.unmeasured.contains(&(path.to_string(), to));
    match metrics.series(path).iter().rev().map(side).find(|b| b.requests.get().is_some()) {
        None if unmeasured => lines.push(format!(
            "{to} on {path}: unknown, the config names no per-route metrics for that side (see the book, \"Config file\")"
        )),
        Some(b) => {
            lines.push(format!("{to} on {path}, newest minute: {}", describe(b.requests.get(), b.errors_5xx.get(), b.latency_ms.get(), &state.policy.latency_statistic)))
        }
        None => lines.push(format!("{to} served no {path} traffic in the last hour")),
    }
    lines.extend(target_health_across(state, to));
    lines
}

/// The target across every route, as of each route's newest minute, and account concurrency.
pub fn target_health_across(state: &State, to: Target) -> Vec<String> {
    let Some(metrics) = state.learned.metrics.as_ref() else {
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
            describe(Some(requests), Some(errors), slowest, &state.policy.latency_statistic)
        ));
    }
    if to == Target::Lambda && metrics.accounts.len() > 1 {
        for account in &metrics.accounts {
            let limit = account.limit.max(1);
            let used = match account.latest() {
                Some(used) => format!(
                    "{}/{} ({:.0}% used)",
                    thousands(used as u64),
                    thousands(u64::from(limit)),
                    used / f64::from(limit) * 100.0
                ),
                None => format!("–/{}", thousands(u64::from(limit))),
            };
            let trouble = if account.error.is_some() { ", not read this time" } else { "" };
            lines.push(format!("account {} ({}) concurrency {used}{trouble}", account.short_name(), account.label));
        }
    } else if to == Target::Lambda
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

pub fn describe(requests: Option<f64>, errors: Option<f64>, latency: Option<f64>, latency_statistic: &str) -> String {
    let requests = requests.unwrap_or(0.0);
    let rate = if requests > 0.0 { errors.unwrap_or(0.0) / requests * 100.0 } else { 0.0 };
    let latency = latency.map_or("–".to_string(), |l| format!("{} ms", thousands(l.round() as u64)));
    format!("{} req/min, 5xx {rate:.1}%, {latency_statistic} {latency}", thousands(requests.round() as u64))
}

/// The concurrency moving `fraction` (0 to 1) of what the origin serves on `paths` to Lambda would
/// take, and a warning when it would leave less than [`PREFLIGHT_FREE_SHARE`] of the limit free in
/// the account the routes' Lambda sides live in (each account on its own when they live in
/// several). The estimate is requests per second × seconds per request, from each route's newest
/// minute and the Lambda latency seen on it (or the mean across Lambda routes, for a route Lambda
/// has not served yet). A switch moves all of it (1); a share step of a routed route only its part.
pub fn preflight(state: &State, paths: &[String], fraction: f64) -> Option<(String, Option<String>)> {
    let metrics = state.learned.metrics.as_ref()?;
    // Paths by the account their Lambda side lives in, in the order first met; `None` for one account.
    let mut groups: Vec<(Option<usize>, Vec<&String>)> = Vec::new();
    for path in paths {
        let account = metrics.route_accounts.get(path).copied();
        match groups.iter_mut().find(|(a, _)| *a == account) {
            Some((_, members)) => members.push(path),
            None => groups.push((account, vec![path])),
        }
    }
    let estimates: Vec<(String, Option<String>)> =
        groups.iter().filter_map(|(account, paths)| preflight_in(state, *account, paths, fraction)).collect();
    let (first, _) = estimates.first()?;
    let estimate = if estimates.len() == 1 {
        first.clone()
    } else {
        let parts: Vec<&str> = estimates.iter().map(|(e, _)| e.strip_prefix("pre-flight: ").unwrap_or(e)).collect();
        format!("pre-flight: {}", parts.join("; "))
    };
    let warnings: Vec<String> = estimates.into_iter().filter_map(|(_, w)| w).collect();
    Some((estimate, (!warnings.is_empty()).then(|| warnings.join("; "))))
}

/// [`preflight`] of the paths whose Lambda side lives in one account (`None`: the one account).
fn preflight_in(
    state: &State,
    account: Option<usize>,
    paths: &[&String],
    fraction: f64,
) -> Option<(String, Option<String>)> {
    let metrics = state.learned.metrics.as_ref()?;
    let account = account.and_then(|i| metrics.accounts.get(i));
    let (used, limit) = match account {
        Some(account) => (account.latest()?, f64::from(account.limit.max(1))),
        None => (metrics.latest_concurrency()?, f64::from(metrics.concurrency_limit.max(1))),
    };
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
    let (whose, whose_limit) = match account {
        Some(account) => {
            (format!(" in account {}", account.short_name()), format!("account {}'s", account.short_name()))
        }
        None => (String::new(), "the account's".to_string()),
    };
    let needed_whole = needed.round() as u64;
    let executions = if needed_whole == 1 { "execution" } else { "executions" };
    let estimate = format!(
        "pre-flight: needs about {} concurrent {executions} ({} req/s × {} duration); {} of {} free now{whose}",
        thousands(needed_whole),
        thousands(per_second.round() as u64),
        state.policy.latency_statistic,
        thousands(free.round() as u64),
        thousands(limit as u64),
    );
    let warning = (free - needed < limit * PREFLIGHT_FREE_SHARE).then(|| {
        format!(
            "less than {}% of {whose_limit} Lambda concurrency would be left free: expect throttles",
            (PREFLIGHT_FREE_SHARE * 100.0).round()
        )
    });
    Some((estimate, warning))
}
