//! The application: the model (state), the planner of dialogs (`intent`), the actions that change it, the pure `update`, the effects it asks
//! for, and the loop that ties keys, backend results and the screen together.

pub mod action;
pub mod audit_sink;
pub mod command;
pub mod console;
#[cfg(debug_assertions)]
mod debug_panic;
pub mod effects;
pub mod event_loop;
pub mod history;
pub mod intent;
pub mod keymap;
pub mod model;
pub mod notifications;
pub mod runtime;
pub mod signals;
pub mod tab;
pub mod terminal;
pub mod update;
pub mod view;

pub use action::{Action, Effect};
pub use command::Command;
pub use console::Console;
pub use model::setup::Setup;
pub use model::state::State;
pub use runtime::Runtime;
pub use update::update;
