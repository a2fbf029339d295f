//! Requests turned into dialogs: `plan(&State, Request)` decides, from the state alone, which dialog
//! a key (or a headless command) opens, or why it opens none. Keys put the dialog in the overlay
//! (`update::dialogs`); headless commands call the planner directly, print the dialog's lines and
//! send it with their answer. Nothing here writes the state.

pub mod dialog;
pub mod health;
mod others;
pub mod refusal;
pub mod remedies;
pub mod share;
pub mod stage;
pub mod switch;

pub use dialog::Dialog;
pub use refusal::Refusal;
pub use share::ShareStep;

use crate::app::model::state::State;
use crate::domain::plan::RolloutPlan;

/// What the operator asked for, by key or on the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `s`, `switch ROUTE`: the route to the other side (a routed route: all of its share).
    Switch { path: String },
    /// `+`/`-`: the route's next share step that way.
    ShareStep { path: String, step: ShareStep },
    /// `weight ROUTE PERCENT`.
    Share { path: String, to: u8 },
    /// `P`, `rollout ROUTE`: start a rollout plan on a routed route.
    Rollout { path: String, plan: RolloutPlan },
    /// `R`, `rollback-all`.
    RollbackAll,
    /// `u`: the newest move AWS took, of any kind, reversed.
    Undo,
    /// `D`, `stage ROUTE --list`: the route's stage's deployments.
    StageList { path: String },
    /// Enter in the picker, `stage ROUTE --deployment ID`: point the stage at a deployment.
    StageMove { path: String, deployment_id: String },
}

/// The dialog `request` opens on `state`, or why it opens none.
pub fn plan(state: &State, request: Request) -> Result<Dialog, Refusal> {
    match request {
        Request::Switch { path } => switch::switch(state, &path).map(Dialog::Switch),
        Request::ShareStep { path, step } => share::step(state, &path, step).map(Dialog::Switch),
        Request::Share { path, to } => share::share_to(state, &path, to).map(Dialog::Switch),
        Request::Rollout { path, plan } => share::rollout(state, &path, plan).map(Dialog::Switch),
        Request::RollbackAll => switch::rollback_all(state).map(Dialog::Switch),
        // The newest move decides which kind of undo it is.
        Request::Undo if stage::undoable(state).is_some() => stage::undo(state).map(Dialog::ConfirmStage),
        Request::Undo => switch::undo(state).map(Dialog::Switch),
        Request::StageList { path } => stage::list(state, &path).map(Dialog::StagePicker),
        Request::StageMove { path, deployment_id } => {
            stage::move_to(state, &path, &deployment_id).map(Dialog::ConfirmStage)
        }
    }
}
