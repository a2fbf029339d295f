//! The headless commands, for runbooks and scripts: `status`, `switch`, `weight`, `rollback-all` and
//! `stage`. They open the same session as the console (same `update`, ETag checks, deploy tracking
//! and audit trail) and drive it without a screen. `probe` sends a route's probes through the
//! distribution and says who answered; it needs no session, and no AWS at all when the probe names
//! its host.

mod apply;
mod audit_gate;
mod drive;
pub mod edge_tail;
mod error;
mod probe;
mod prompt;
mod run;
mod stage;
pub mod stage_status;
pub mod status;

pub use apply::{
    Applied, Confirmer, Proposal, SwitchPlan, carry_out, describe, follow_plan, left_on_lambda, plan_rollback_all,
    plan_rollout, plan_switch, plan_weight, router_unknown,
};
pub use audit_gate::require_audit_trail;
pub use drive::{EventPrinter, Waited, load, run_until};
pub use error::{EXIT_BREACHED, HeadlessError};
pub use probe::{PROBE_SCHEMA_VERSION, ProbeReport, probe};
pub use run::{rollback_all, rollout, status, switch, weight};
pub use stage::{run_stage, stage};

// The command line owns these commands' arguments; they are named here too, for the code that drives
// the commands (and the headless tests).
pub use crate::cli::{
    ApplyArgs, ProbeArgs, RollbackAllArgs, RolloutArgs, StageArgs, StatusArgs, SwitchArgs, TargetArg, WeightArgs,
};
