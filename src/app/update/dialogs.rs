//! Keys and headless requests meet the planner here: `open` asks `intent::plan` and puts the dialog
//! it gives in the overlay (`show`), or says the refusal (`refuse`). Every dialog opens this way.

use crate::app::action::{Effect, Work};
use crate::app::intent::refusal::{InFlight, Untouched};
use crate::app::intent::{self, Dialog, Refusal, Request};
use crate::app::model::state::{Overlay, State};

/// Plan `request` and show its dialog, or say why there is none.
pub fn open(state: &mut State, request: Request) -> Vec<Effect> {
    match intent::plan(state, request) {
        Ok(dialog) => show(state, dialog),
        Err(refusal) => {
            refuse(state, refusal);
            Vec::new()
        }
    }
}

/// Put `dialog` in the overlay (over whatever was open); the stage's picker asks for the stage's
/// deployments as it opens.
pub fn show(state: &mut State, dialog: Dialog) -> Vec<Effect> {
    state.notices.refused = None;
    let effects = match &dialog {
        Dialog::StagePicker(picker) => {
            let work = Work::LoadStage { path: picker.path.clone(), stage: picker.stage.stage.clone() };
            vec![Effect::on(state.distribution_id.clone(), work)]
        }
        Dialog::Switch(_) | Dialog::ConfirmStage(_) => Vec::new(),
    };
    state.view.overlay = Overlay::from(dialog);
    effects
}

/// A request (or a confirmation) that does nothing: said in the event log and the footer's flash, and kept as the state's
/// `refused` for headless commands, so that they never read the log's text. A read-only refusal
/// of the stage closes its dialog; an update already on its way is said in the banner too.
pub fn refuse(state: &mut State, refusal: Refusal) {
    if matches!(refusal, Refusal::ReadOnly { untouched: Untouched::Stage, .. }) {
        state.view.overlay = Overlay::None;
    }
    if let Refusal::InFlight(InFlight::Update { .. }) = &refusal {
        state.notices.banner = Some(refusal.sentence());
    }
    state.log(refusal.level(), refusal.route(), refusal.sentence());
    state.notices.flash(refusal.sentence());
    state.notices.refused = Some(refusal);
}
