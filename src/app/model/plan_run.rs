//! A rollout plan under way on one routed route: the plan, the step it is on, and where that step
//! is (its share on the way to the store, held while the guards watch, paused, finished).

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::domain::plan::RolloutPlan;

#[derive(Clone, Debug, PartialEq)]
pub struct PlanRun {
    pub route: String,
    pub plan: RolloutPlan,
    /// The index of the step in `plan.steps` being moved to or held.
    pub step: usize,
    pub phase: PlanPhase,
    /// Said once while a hold is over but the numbers cannot yet say the guards were quiet.
    pub waiting_said: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlanPhase {
    /// The step's share is on its way to the store (switch attempt `attempt`).
    Moving {
        attempt: u64,
    },
    /// The step's share was taken at `since`; the hold runs from then while the guards watch.
    Holding {
        since: Timestamp,
    },
    /// Stopped by the operator or a failed write, `held` into the step's hold; resuming goes on
    /// from there.
    Paused {
        held: Duration,
        why: String,
    },
    /// Read back from the audit trail at start-up: the step whose share was taken at `since`,
    /// waiting for the store to confirm the route still has it.
    Restored {
        since: Timestamp,
    },
    Done,
    /// Stopped for good, the share put back to 0: why.
    Aborted {
        why: String,
    },
}

impl PlanRun {
    /// Whether the plan still has something to do (finished and aborted ones are kept to show).
    pub fn is_active(&self) -> bool {
        !matches!(self.phase, PlanPhase::Done | PlanPhase::Aborted { .. })
    }

    /// `2/5`: the step, counted from 1, of how many.
    pub fn progress(&self) -> String {
        format!("{}/{}", self.step + 1, self.plan.steps.len())
    }

    /// The step's share.
    pub fn share(&self) -> u8 {
        self.plan.steps[self.step].share
    }

    /// The step's hold.
    pub fn hold(&self) -> Duration {
        self.plan.steps[self.step].hold
    }

    pub fn is_last_step(&self) -> bool {
        self.step + 1 == self.plan.steps.len()
    }

    /// When the step's hold, begun at `since`, is over; `None` when that instant cannot be
    /// represented (never with a parsed plan, whose holds are at most a week).
    pub fn hold_ends(&self, since: Timestamp) -> Option<Timestamp> {
        since.checked_add(SignedDuration::try_from(self.hold()).ok()?).ok()
    }
}

/// `now` less `held`: where a hold resumed `held` into it began; `None` when that instant cannot
/// be represented.
pub fn began_before(now: Timestamp, held: Duration) -> Option<Timestamp> {
    now.checked_sub(SignedDuration::try_from(held).ok()?).ok()
}
