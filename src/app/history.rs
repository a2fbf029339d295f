//! Earlier sessions' audit records for this distribution, put at the top of the event log the
//! console opens with, and the rollout plans they left under way.

use std::collections::HashMap;
use std::time::Duration;

use super::plan_run::{PlanPhase, PlanRun};
use super::setup::Setup;
use crate::audit::{self, AuditLog, AuditRecord, RecordKind};
use crate::domain::Level;
use crate::domain::plan::RolloutPlan;

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
/// store to confirm the route's share before it holds its step again.
pub fn load_plans(setup: &mut Setup, log: &AuditLog) {
    if !log.path().exists() {
        return;
    }
    match audit::read_tail(log.path(), PLAN_TAIL_BYTES) {
        Ok(trail) => setup.resumed_plans = plans_under_way(trail.records(), &setup.distribution_id),
        Err(error) => setup.note(Level::Warn, None, format!("rollout plans under way are not resumed: {error}")),
    }
}

/// From records in trail order: each route's plan, if its last record leaves it under way.
pub fn plans_under_way<'a>(records: impl Iterator<Item = &'a AuditRecord>, distribution: &str) -> Vec<PlanRun> {
    let mut last: HashMap<&str, &AuditRecord> = HashMap::new();
    let mut order = Vec::new();
    for record in records.filter(|r| r.kind == RecordKind::PlanStep && r.distribution == distribution) {
        let Some(route) = record.routes.first() else { continue };
        if last.insert(route.as_str(), record).is_none() {
            order.push(route.as_str());
        }
    }
    order
        .into_iter()
        .filter_map(|route| {
            let record = last[route];
            let mark = record.plan.as_ref()?;
            let plan = RolloutPlan::parse(&mark.name, &mark.steps).ok()?;
            let phase = match mark.state.as_str() {
                "started" | "step" | "resumed" => PlanPhase::Restored { since: record.time },
                "paused" => PlanPhase::Paused {
                    held: Duration::from_secs(mark.held_secs.unwrap_or(0)),
                    why: "paused in an earlier session".to_string(),
                },
                _ => return None,
            };
            let step = mark.step.min(plan.steps.len().saturating_sub(1));
            Some(PlanRun { route: route.to_string(), plan, step, phase, waiting_said: false })
        })
        .collect()
}
