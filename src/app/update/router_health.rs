//! The router guard: at every refresh, the router function's own numbers. When it reports execution
//! errors, validation errors or throttles, or compute utilization over the limit, in each of the
//! configured periods, the log warns once, the bell rings, the audit trail has a `guard_breach`, and
//! the banner says what to do for as long as it lasts; the log says when it has recovered.
//!
//! What to do is not a share move: CloudFront answers a request the function fails on with an error
//! of its own, not with either origin (the router's fail-open covers only what its code catches),
//! and it runs the function on every request of a routed behavior whatever the share. Taking the
//! function off the behaviors is a distribution update (minutes): `cutover router remove`.

use super::audit;
use crate::app::action::Effect;
use crate::app::model::state::{Mode, State};
use crate::domain::router_health::{RouterBreach, sustained};
use crate::domain::{Level, MetricsSnapshot};
use crate::router::install::function_name;

/// Judge the router by `snapshot`'s numbers; sets the banner while it is in trouble (the refresh
/// cleared it just before).
pub fn check(state: &mut State, snapshot: &MetricsSnapshot) -> Vec<Effect> {
    if !state.policy.router {
        state.learned.router_alert.clear();
        return Vec::new();
    }
    let periods = state.policy.thresholds.periods.max(1);
    let breaches = sustained(&snapshot.router, periods);
    let mut effects = Vec::new();
    // The demo's router fails only by its injected fault, and its world keeps no router change
    // made beside the running console: the way out there is the fault key.
    let demo = matches!(state.policy.mode, Mode::Demo { .. });
    if !breaches.is_empty() {
        let what = describe(&breaches, periods);
        if state.learned.router_alert.is_empty() {
            let function = function_name(&state.distribution_id);
            let message = trouble_message(state, &function, &what, demo);
            state.log(Level::Warn, None, message);
            effects.push(Effect::Bell);
            let routed: Vec<String> =
                state.routes.iter().filter(|r| r.share.is_some()).map(|r| r.path.clone()).collect();
            effects.push(audit::router_breach(state, routed, format!("router {function}: {what}")));
        }
        // One line, cut at the screen's edge: what to do comes before the detail.
        let short: Vec<String> = breaches.iter().map(RouterBreach::short).collect();
        state.notices.banner = Some(trouble_banner(state, &short.join(", "), periods, demo));
    } else if !state.learned.router_alert.is_empty() {
        let was: Vec<String> = state.learned.router_alert.iter().map(RouterBreach::describe).collect();
        let message = format!("the router is healthy again (was {})", was.join(", "));
        state.log(Level::Info, None, message);
    }
    state.learned.router_alert = breaches;
    effects
}

/// `FunctionExecutionErrors 37/min for 3 periods`.
fn describe(breaches: &[RouterBreach], periods: usize) -> String {
    let what: Vec<String> = breaches.iter().map(RouterBreach::describe).collect();
    let unit = if periods == 1 { "period" } else { "periods" };
    format!("{} for {periods} {unit}", what.join(", "))
}

/// The log's warning when the router function fails: why shares cannot help, and the way out —
/// live, taking the router off; in the demo, the fault key.
fn trouble_message(state: &State, function: &str, what: &str, demo: bool) -> String {
    let why = format!(
        "the router function {function} itself is in trouble ({what}): CloudFront answers a request the function \
         fails on (an execution or validation error, a throttle) with an error, not with either origin, on every \
         routed behavior whatever its share, so moving shares (+ - s) cannot help."
    );
    if demo {
        format!(
            "{why} In the demo it is the injected fault: f cycles the faults off; against AWS you would take the \
             router off (router remove: minutes) and switch routes by behavior (s)"
        )
    } else {
        format!(
            "{why} Take the router off: `cutover router remove --distribution {} --yes` (one distribution update: \
             minutes; routed routes then go wholly to their behavior's origin), then restart the console and switch \
             routes by behavior (s)",
            state.distribution_id
        )
    }
}

/// The banner while it lasts, one line: what to do before the detail.
fn trouble_banner(state: &State, short: &str, periods: usize, demo: bool) -> String {
    if demo {
        format!(
            "router in trouble (the demo's injected fault): f cycles it off; shares cannot help ({short} for {periods} min)"
        )
    } else {
        format!(
            "router in trouble: take it off with `cutover router remove --distribution {} --yes` (minutes); \
             shares cannot help ({short} for {periods} min); then restart, and s switches by behavior",
            state.distribution_id
        )
    }
}
