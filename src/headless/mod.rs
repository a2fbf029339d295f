//! The headless commands, for runbooks and scripts: `status`, `switch` and `rollback-all`. They open
//! the same session as the console (same `update`, ETag checks, deploy tracking and audit trail) and
//! drive it without a screen.

mod apply;
mod args;
mod audit_gate;
mod drive;
mod error;
mod prompt;
mod run;
pub mod status;

pub use apply::{Applied, Confirmer, Plan, SwitchPlan, carry_out, describe, plan_rollback_all, plan_switch};
pub use args::{ApplyArgs, RollbackAllArgs, StatusArgs, SwitchArgs, TargetArg};
pub use audit_gate::require_audit_trail;
pub use drive::{EventPrinter, Waited, load, run_until};
pub use error::{EXIT_BREACHED, HeadlessError};
pub use run::{rollback_all, status, switch};
