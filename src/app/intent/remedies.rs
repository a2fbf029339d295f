//! The remedies a breaching route has, fastest first, from what the console knows: the stage
//! rollback (`D`, seconds, every route behind the stage), the router's share (`-`, seconds, this
//! route) and the switch by behavior (`s`, minutes of CloudFront propagation). The footer lists
//! them while the selected route breaches; the switch dialog names the faster ones. Pure.

use jiff::SignedDuration;

use super::ShareStep;
use crate::app::model::rows::RouteRow;
use crate::app::model::state::State;
use crate::domain::Target;
use crate::domain::format::duration_short;
use crate::domain::router_health::RouterStatus;
use crate::domain::visible::escape;

/// How soon a remedy takes effect, as the console can tell it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Speed {
    /// API Gateway serves the new deployment, or the router's store reaches the edges, in seconds.
    Seconds,
    /// CloudFront propagates the behavior's change; `took` is this distribution's last measured
    /// deploy, when the console has seen one.
    Minutes { took: Option<SignedDuration> },
}

impl Speed {
    pub fn describe(&self) -> String {
        match self {
            Speed::Seconds => "seconds".into(),
            Speed::Minutes { took: Some(took) } => format!("~{} (last deploy)", duration_short(took.as_secs())),
            Speed::Minutes { took: None } => "1–3 min".into(),
        }
    }
}

/// One way to take a breaching route's traffic off its Lambda side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remedy {
    /// The key that starts it.
    pub key: &'static str,
    /// What it does, short: `stage → d0`, `origin`, `router share`.
    pub what: String,
    pub speed: Speed,
    /// Who else it moves, when it is more than this route.
    pub reach: Option<String>,
}

impl Remedy {
    /// `D stage → d0: seconds, every route behind prod`.
    pub fn describe(&self) -> String {
        let reach = self.reach.as_deref().map(|r| format!(", {r}")).unwrap_or_default();
        format!("{} {}: {}{reach}", self.key, self.what, self.speed.describe())
    }
}

/// The remedies `path` has while it breaches (none while it does not, or when its breach is from
/// before its last move), the fastest first.
pub fn for_breach(state: &State, path: &str) -> Vec<Remedy> {
    match state.route(path) {
        // Numbers from before the last fix took effect say nothing of the fix: no new remedy.
        Some(row) if breaching(state, row) && state.numbers_predate_fix(path).is_none() => available(state, row),
        _ => Vec::new(),
    }
}

/// Whether `row` breaches now: its alert (unless its minutes came before its last move), or its
/// newest minute past a threshold — the first `!` in the table, before the alert's periods are up.
pub fn breaching(state: &State, row: &RouteRow) -> bool {
    if row.alert_before.is_some() {
        return false;
    }
    if !row.alert.is_empty() {
        return true;
    }
    let t = state.thresholds_for(&row.path);
    let latest = state.learned.metrics.as_ref().and_then(|m| m.latest(&row.path));
    latest.is_some_and(|p| t.error_rate_breached(p) || t.latency_breached(p) || t.throttles_breached(p))
}

/// What would take `row`'s traffic off Lambda, the fastest first (a stable sort keeps the stage,
/// which fixes the source, before the share).
pub fn available(state: &State, row: &RouteRow) -> Vec<Remedy> {
    let share = row.router_share().filter(|s| *s > 0);
    let on_lambda = row.is_on(Target::Lambda);
    if !on_lambda && share.is_none() {
        return Vec::new();
    }
    let mut remedies = Vec::new();
    remedies.extend(stage(state, row));
    if share.is_some() && router_can_move(state) {
        // The planner's own step, so the remedy names the share `-` would really write.
        let step = super::share::step(state, &row.path, ShareStep::Down).ok();
        if let Some(change) = step.as_ref().and_then(|d| d.shares.first()) {
            let what = format!("router share {} % → {} %", change.from, change.to);
            remedies.push(Remedy { key: "-", what, speed: Speed::Seconds, reach: None });
        }
    }
    if on_lambda && row.switchable().is_ok() {
        let took = state.learned.last_deploy_took;
        remedies.push(Remedy { key: "s", what: "origin".into(), speed: Speed::Minutes { took }, reach: None });
    }
    remedies.sort_by(|a, b| a.speed.cmp(&b.speed));
    remedies
}

/// `D`: the route's stage back to its fallback, when it has one and does not serve it already.
fn stage(state: &State, row: &RouteRow) -> Option<Remedy> {
    let stage = state.policy.stages.get(&row.path)?;
    let serving = state.learned.stage_serving.get(&stage.stage);
    let to = match (stage.fallback_deployment.as_deref(), serving) {
        (Some(fallback), Some(serving)) if serving.current == fallback => return None,
        (Some(fallback), _) => format!("stage → {}", escape(fallback)),
        (None, _) => "stage: pick a deployment".into(),
    };
    let behind = state.policy.stages.values().filter(|s| s.stage == stage.stage).count();
    let name = escape(stage.stage.stage());
    let reach = if behind > 1 { format!("every route behind {name}") } else { format!("stage {name}") };
    Some(Remedy { key: "D", what: to, speed: Speed::Seconds, reach: Some(reach) })
}

/// Whether a share move would reach the edges: the store is readable and the function is not failing.
fn router_can_move(state: &State) -> bool {
    if state.router_unknown().is_some() {
        return false;
    }
    let series = state.learned.metrics.as_ref().map(|m| m.router.as_slice()).unwrap_or_default();
    !matches!(RouterStatus::of(&state.learned.router_alert, series), RouterStatus::Failing(_))
}
