//! The switch flow, one file per job: the dialog (which routes move where, and the pre-flight), the
//! target's health shown in it, the request (confirm, override, refusals), and the rollout (acceptance
//! to `Deployed`).

mod dialog;
mod health;
mod request;
mod rollout;

pub use dialog::{open_confirm, open_rollback_all, open_undo};
pub use request::{DENIED_REASON, confirm, confirm_override, conflict, failed, override_reasons, request};
pub use rollout::{accepted, deploy_status};
