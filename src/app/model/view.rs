//! How the operator is looking at one distribution: selection, filter, the overlay (a dialog, help,
//! the quit question) and the panes. Nothing here is learned from AWS or changes what a move does.

use crate::app::intent::dialog::{ConfirmStage, ConfirmSwitch, Dialog, StagePicker};

/// How the operator is looking at one distribution: nothing here is learned from AWS, and nothing
/// here changes what a switch does.
#[derive(Clone, Debug)]
pub struct View {
    /// The selected route, by path, so filtering and reloads keep it.
    pub selected: Option<String>,
    pub filter: String,
    pub filter_editing: bool,
    /// Where the route table was scrolled last frame (view memory, written by `render` only).
    pub table_scroll: crate::app::view::ScrollMemory,
    pub overlay: Overlay,
    pub log_open: bool,
    /// How many entries the log pane is scrolled back from the newest.
    pub log_scroll: usize,
}

impl Default for View {
    fn default() -> Self {
        View {
            selected: None,
            filter: String::new(),
            filter_editing: false,
            table_scroll: Default::default(),
            overlay: Overlay::None,
            log_open: false,
            log_scroll: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Confirm(ConfirmSwitch),
    /// Quit was asked for while switches are unfinished: one line per switch, with what state
    /// its routes may be in.
    ConfirmQuit(Vec<String>),
    /// `D`: a route's stage's deployments, to point the stage at another.
    StagePicker(StagePicker),
    /// Pointing a stage at another deployment, asked before it is sent.
    ConfirmStage(ConfirmStage),
}

impl From<Dialog> for Overlay {
    fn from(dialog: Dialog) -> Self {
        match dialog {
            Dialog::Switch(confirm) => Overlay::Confirm(confirm),
            Dialog::StagePicker(picker) => Overlay::StagePicker(picker),
            Dialog::ConfirmStage(confirm) => Overlay::ConfirmStage(confirm),
        }
    }
}
