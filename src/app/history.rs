//! Earlier sessions' audit records for this distribution, put at the top of the event log the
//! console opens with, and the rollout plans they left under way.

use std::collections::HashMap;
use std::time::Duration;

use super::model::plan_run::{PlanPhase, PlanRun};
use super::model::setup::Setup;
use super::model::team::{Placed, share_words};
use crate::audit::{self, AuditLog, AuditRecord, RecordKind};
use crate::domain::plan::RolloutPlan;
use crate::domain::{Level, visible};

/// How much of the trail's end is searched for plans under way: a plan's records come every few
/// minutes, so 4 MiB (thousands of records) holds any plan still running.
const PLAN_TAIL_BYTES: u64 = 4 << 20;

/// Put the last records of the setup's distribution from `log` before the log's first lines, and
/// say which lines of the file could not be read. Never fails: a trail that cannot be read is one
/// warning.
pub fn load_into(setup: &mut Setup, log: &AuditLog) {
    match audit::load_history(log.path(), &setup.distribution_id, audit::as_event_log::DEFAULT_HISTORY_LINES) {
        Ok((entries, warnings)) => {
            let mut earlier = entries;
            earlier.append(&mut setup.log);
            setup.log = earlier;
            for warning in warnings {
                setup.note(Level::Warn, None, format!("audit trail {}: {warning}", log.path().display()));
            }
        }
        Err(error) => setup.note(Level::Warn, None, format!("earlier sessions' records are not shown: {error}")),
    }
}

/// The rollout plans the trail says are under way on the setup's distribution: each route's last
/// `plan_step` record, unless it says the plan is done or aborted. A resumed plan waits for the
/// store to confirm the route's share before it holds its step again. A plan the trail holds but
/// this cutover cannot represent is left alone, with a warning.
pub fn load_plans(setup: &mut Setup, log: &AuditLog) {
    if !log.path().exists() {
        return;
    }
    match audit::read_tail(log.path(), PLAN_TAIL_BYTES) {
        Ok(trail) => {
            let (plans, warnings) = plans_under_way(trail.records(), &setup.distribution_id);
            setup.resumed_plans = plans;
            for warning in warnings {
                setup.note(Level::Warn, None, format!("audit trail {}: {warning}", log.path().display()));
            }
        }
        Err(error) => setup.note(Level::Warn, None, format!("rollout plans under way are not resumed: {error}")),
    }
}

/// Where cutover last put each route of the setup's distribution, as the trail's end says (each
/// route's newest `switch_accepted`): the first read of the distribution is compared with it, so
/// a change made outside cutover while no console ran is reported too. A trail that cannot be
/// read leaves nothing to compare with.
pub fn load_placed(setup: &mut Setup, log: &AuditLog) {
    if !log.path().exists() {
        return;
    }
    if let Ok(trail) = audit::read_tail(log.path(), PLAN_TAIL_BYTES) {
        setup.placed = placed_by_cutover(trail.records(), &setup.distribution_id);
    }
}

/// From records in trail order: each route's newest place as a `switch_accepted` record gives it —
/// a side (`λ Lambda`) for a move by behavior, a share (`λ 10 %`) for a routed route's.
pub fn placed_by_cutover<'a>(records: impl Iterator<Item = &'a AuditRecord>, distribution: &str) -> Vec<Placed> {
    let mut placed: HashMap<String, Placed> = HashMap::new();
    for record in records.filter(|r| r.kind == RecordKind::SwitchAccepted && r.distribution == distribution) {
        for share in &record.shares {
            let place =
                Placed { route: share.route.clone(), words: share_words(share.to_pct), share: true, at: record.time };
            placed.insert(share.route.clone(), place);
        }
        let Some(to) = record.to.filter(|_| record.shares.is_empty()) else { continue };
        for route in &record.routes {
            placed.insert(
                route.clone(),
                Placed { route: route.clone(), words: to.to_string(), share: false, at: record.time },
            );
        }
    }
    let mut placed: Vec<Placed> = placed.into_values().collect();
    placed.sort_by(|a, b| a.route.cmp(&b.route));
    placed
}

/// From records in trail order: each route's plan, if its last record leaves it under way; and a
/// warning for each such record that cannot be represented (a plan that does not read, such as a
/// hold over a week an older cutover let through, a step the plan does not have, a hold that
/// ends past the last instant a timestamp holds), whose plan is not resumed.
pub fn plans_under_way<'a>(
    records: impl Iterator<Item = &'a AuditRecord>,
    distribution: &str,
) -> (Vec<PlanRun>, Vec<String>) {
    let mut last: HashMap<&str, &AuditRecord> = HashMap::new();
    let mut order = Vec::new();
    for record in records.filter(|r| r.kind == RecordKind::PlanStep && r.distribution == distribution) {
        let Some(route) = record.routes.first() else { continue };
        if last.insert(route.as_str(), record).is_none() {
            order.push(route.as_str());
        }
    }
    let mut warnings = Vec::new();
    let plans = order
        .into_iter()
        .filter_map(|route| match resumed(route, last[route]) {
            Ok(run) => run,
            Err(why) => {
                let (route, time) = (visible::escape(route), last[route].time);
                warnings.push(format!(
                    "the rollout plan of {route} recorded at {time} is not resumed: {why}; start it again with P if it should go on"
                ));
                None
            }
        })
        .collect();
    (plans, warnings)
}

/// The plan a route's last `plan_step` record leaves under way (`None` when done, aborted or no
/// plan record), or why it cannot be represented.
fn resumed(route: &str, record: &AuditRecord) -> Result<Option<PlanRun>, String> {
    let Some(mark) = record.plan.as_ref() else { return Ok(None) };
    if !matches!(mark.state.as_str(), "started" | "step" | "resumed" | "paused") {
        return Ok(None);
    }
    let name = visible::escape(&mark.name);
    let plan = RolloutPlan::parse(&mark.name, &mark.steps)
        .map_err(|why| format!("its plan {name} does not read ({})", visible::escape(&why)))?;
    if mark.step >= plan.steps.len() {
        return Err(format!("its step {} is not one of plan {name}'s {}", mark.step + 1, plan.steps.len()));
    }
    let hold = plan.steps[mark.step].hold;
    let phase = match mark.state.as_str() {
        // A pause after the hold was over (waiting for quiet numbers) held more than the hold:
        // resumed, it is just as over.
        "paused" => PlanPhase::Paused {
            held: Duration::from_secs(mark.held_secs.unwrap_or(0)).min(hold),
            why: "paused in an earlier session".to_string(),
        },
        _ => PlanPhase::Restored { since: record.time },
    };
    let run = PlanRun { route: route.to_string(), plan, step: mark.step, phase, waiting_said: false };
    if let PlanPhase::Restored { since } = run.phase
        && run.hold_ends(since).is_none()
    {
        return Err(format!("its hold from {since} ends past the last instant cutover can count"));
    }
    Ok(Some(run))
}
