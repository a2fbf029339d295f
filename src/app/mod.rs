//! The application: state, the actions that change it, the pure `update`, the effects it asks
//! for, and the loop that ties keys, backend results and the screen together.

pub mod action;
pub mod audit_sink;
pub mod command;
pub mod console;
#[cfg(debug_assertions)]
mod debug_panic;
pub mod effects;
pub mod event_loop;
pub mod fetch;
pub mod history;
pub mod intent;
pub mod keymap;
pub mod moves;
pub mod plan_run;
pub mod routing;
pub mod runtime;
pub mod setup;
pub mod signals;
pub mod state;
pub mod tab;
pub mod terminal;
pub mod update;
pub mod view;

pub use action::{Action, Effect};
pub use command::Command;
pub use console::Console;
pub use runtime::Runtime;
pub use setup::Setup;
pub use state::State;
pub use update::update;
