//! How `cutover router` and `cutover edge-logs` say a set-up plan: its notes, what is refused, its
//! numbered steps (or that nothing is left), the same as JSON, and the refusal's error. Both
//! planners make the same shape of plan; it is printed once, here.

use super::headless::HeadlessError;
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
