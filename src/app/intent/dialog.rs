//! The dialogs a request opens, as the planner (`intent::plan`) makes them: what each shows, which
//! keys it takes, and the lines both the screen and headless commands print.

use crate::app::keymap::Context;
use crate::app::moves::{MoveSource, describe_share};
use crate::backend::share::ShareChange;
use crate::domain::plan::RolloutPlan;
use crate::domain::stage::{RouteStage, StageDeployments, StageRef};
use crate::domain::{RouteChange, Target};

/// A dialog the planner opened: a switch or share move to confirm, the stage's deployments to
/// pick from, or a stage move to confirm.
// Made once per request and moved once into the overlay.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Switch(ConfirmSwitch),
    StagePicker(StagePicker),
    ConfirmStage(ConfirmStage),
}

impl Dialog {
    /// Which keys the dialog takes.
    pub fn context(&self) -> Context {
        match self {
            Dialog::Switch(_) | Dialog::ConfirmStage(_) => Context::Confirm,
            Dialog::StagePicker(_) => Context::StagePicker,
        }
    }
}

/// The confirm dialog's content, fixed when it opens.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmSwitch {
    pub kind: MoveSource,
    /// The distribution the update goes to.
    pub distribution_id: String,
    /// The routes it moves, all in one `UpdateDistribution`.
    pub paths: Vec<String>,
    /// Each route's move, origin ids on both sides, as the dialog opened.
    pub changes: Vec<RouteChange>,
    /// Each routed route's share move in the router's store (seconds, not minutes), sent beside
    /// the update of `changes` when both are there (`R`).
    pub shares: Vec<ShareChange>,
    /// The rollout plan this share move starts, and its first step.
    pub plan: Option<Box<(RolloutPlan, usize)>>,
    pub from: Target,
    pub to: Target,
    /// Lines that describe the new target's current health.
    pub health: Vec<String>,
    /// A warning that deserves its own line, such as too little free Lambda concurrency.
    pub warning: Option<String>,
    /// What the pre-flight refuses, each naming the cause and the fix; only the override key goes on.
    pub blocks: Vec<String>,
    /// What the pre-flight wants known: cached responses, a route not on its configured origin,
    /// routes a rollback leaves where they are and why.
    pub notes: Vec<String>,
}

impl ConfirmSwitch {
    /// Whether `y` is refused and only the override key sends it.
    pub fn needs_override(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// What only the override key goes past: the pre-flight's blocks, and an audit trail that
    /// cannot be written (the switch would go unrecorded). The dialog, its footer and `y` all ask this.
    pub fn override_reasons(&self, audit_failure: Option<&str>) -> Vec<String> {
        let mut reasons = self.blocks.clone();
        if let Some(why) = audit_failure {
            reasons.push(format!("the audit trail cannot be written ({why}): the switch would not be recorded"));
        }
        reasons
    }
}

impl ConfirmSwitch {
    pub fn title(&self) -> String {
        match self.kind {
            MoveSource::Manual | MoveSource::Plan if self.plan.is_some() => {
                let (plan, _) = self.plan.as_deref().expect("matched");
                format!("start rollout plan {} on {}?", plan.name, self.paths.join(", "))
            }
            MoveSource::Manual | MoveSource::Plan | MoveSource::Automatic
                if self.changes.is_empty() && !self.shares.is_empty() =>
            {
                let moves: Vec<String> = self.shares.iter().map(describe_share).collect();
                format!("move {} by the router?", moves.join(", "))
            }
            MoveSource::Manual | MoveSource::Plan | MoveSource::Automatic => {
                format!("switch {}?", self.paths.join(", "))
            }
            MoveSource::RollbackAll if self.changes.is_empty() => {
                format!("put all {} routed Lambda shares back to 0 %?", self.shares.len())
            }
            MoveSource::RollbackAll => {
                let shares = match self.shares.len() {
                    0 => String::new(),
                    n => format!(" and {n} routed share(s) to 0 %"),
                };
                format!("roll back all {} Lambda routes to the origin{shares}?", self.paths.len())
            }
            MoveSource::Undo => format!("undo: switch {} back?", self.paths.join(", ")),
        }
    }
}

/// The stage rollback's picker: the route whose stage it is, its deployments once read, the one
/// chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct StagePicker {
    pub path: String,
    pub stage: RouteStage,
    /// `None` while the read is out.
    pub deployments: Option<StageDeployments>,
    /// Why the read failed, if it did.
    pub error: Option<String>,
    /// Index into the deployments.
    pub chosen: usize,
}

/// A stage move about to be sent: from the deployment the stage serves to another.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmStage {
    pub path: String,
    pub stage: StageRef,
    pub from: String,
    pub to: String,
    /// The chosen deployment's description, for the dialog.
    pub to_description: String,
    /// Whether `to` is the configured fallback (the proxy to the monolith).
    pub to_fallback: bool,
    /// `u`: this move puts back the one before.
    pub undo: bool,
}
