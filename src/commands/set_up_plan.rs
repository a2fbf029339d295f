//! How `cutover router` and `cutover edge-logs` say a set-up plan: its notes, what is refused, its
//! numbered steps (or that nothing is left), the same as JSON, and the refusal's error. Both
//! planners make the same shape of plan; it is printed once, here.

use super::headless::HeadlessError;
use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::backend::step_done::StepDone;
use crate::edge_logs::install::{Plan as EdgeLogsPlan, Step as EdgeLogsStep};
use crate::router::install::{InstallPlan, InstallStep};

/// One step of a set-up plan, as it is printed.
pub trait PlannedStep {
    fn kind(&self) -> &'static str;
    fn paths(&self) -> &[String];
    fn describe(&self) -> String;
}

/// A set-up plan, as it is printed.
pub trait SetUpPlan {
    type Step: PlannedStep;
    fn steps(&self) -> &[Self::Step];
    fn refused(&self) -> &[String];
    fn notes(&self) -> &[String];
    fn is_noop(&self) -> bool;
}

pub fn refused(plan: &impl SetUpPlan) -> HeadlessError {
    HeadlessError::Refused(format!("nothing was changed: {}", plan.refused().join("; ")))
}

/// The plan in lines, each given to `line`.
pub fn print_plan(mut line: impl FnMut(&str), plan: &impl SetUpPlan, what: &str) {
    for note in plan.notes() {
        line(&format!("note: {note}"));
    }
    for reason in plan.refused() {
        line(&format!("refused: {reason}"));
    }
    if plan.is_noop() {
        line(&format!("nothing to do: {what} has nothing left to change"));
        return;
    }
    if plan.refused().is_empty() {
        line(&format!("{what} plan, {} step(s):", plan.steps().len()));
        for (n, step) in plan.steps().iter().enumerate() {
            line(&format!("  {}. {}", n + 1, step.describe()));
        }
    }
}

pub fn plan_json(plan: &impl SetUpPlan) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = (plan.steps().iter())
        .map(|s| serde_json::json!({"step": s.kind(), "behaviors": s.paths(), "description": s.describe()}))
        .collect();
    serde_json::json!({"steps": steps, "refused": plan.refused(), "notes": plan.notes()})
}

/// The same three questions of each planner's own types.
macro_rules! set_up_plan {
    ($plan:ty, $step:ty) => {
        impl PlannedStep for $step {
            fn kind(&self) -> &'static str {
                <$step>::kind(self)
            }
            fn paths(&self) -> &[String] {
                <$step>::paths(self)
            }
            fn describe(&self) -> String {
                <$step>::describe(self)
            }
        }

        impl SetUpPlan for $plan {
            type Step = $step;
            fn steps(&self) -> &[$step] {
                &self.steps
            }
            fn refused(&self) -> &[String] {
                &self.refused
            }
            fn notes(&self) -> &[String] {
                &self.notes
            }
            fn is_noop(&self) -> bool {
                <$plan>::is_noop(self)
            }
        }
    };
}

set_up_plan!(InstallPlan, InstallStep);
set_up_plan!(EdgeLogsPlan, EdgeLogsStep);

/// One carried-out step settled: what it did printed, its `record` (made by the caller, with the
/// step's kind and message) completed with the outcome and appended to `log` (printed whole when
/// the trail refuses it), and a failure turned into the command's error, which says what stays
/// done and that `resume` (`cutover router install`) carries on from there. `n` counts from 0.
pub fn settle_step<E: std::fmt::Display>(
    mut line: impl FnMut(&str),
    log: Option<&AuditLog>,
    record: AuditRecord,
    result: Result<StepDone, E>,
    (n, count, kind): (usize, usize, &str),
    resume: &str,
) -> Result<(), HeadlessError> {
    let (record, failure) = match result {
        Ok(done) => {
            for done_line in &done.lines {
                line(&format!("  {done_line}"));
            }
            (record.with_etags(done.etag_before, done.etag_after).with_outcome(Outcome::Accepted), None)
        }
        Err(error) => (record.with_outcome(Outcome::Failed).with_error(error.to_string()), Some(error)),
    };
    if let Some(log) = log
        && let Err(error) = log.append(&record)
    {
        line(&format!(
            "the audit trail did not take this step's record ({error}): {}",
            serde_json::to_string(&record).unwrap_or_default()
        ));
    }
    match failure {
        None => Ok(()),
        Some(error) => {
            let done =
                if n == 0 { "nothing was changed".to_string() } else { format!("the {n} step(s) before it stay done") };
            Err(HeadlessError::Failed(format!(
                "step {}/{count} ({kind}) failed: {error}; {done}, and `{resume}` carries on from there",
                n + 1
            )))
        }
    }
}
