//! The console's model: one distribution's `State` in slices, each in its file with its owners
//! (`tests/tidy.rs`): what was fixed at start (`policy`), what was read from AWS (`learned`), the
//! ledger of moves (`moves`), rollout plans (`plan_run`), the route rows and what the router does
//! with each (`rows`, `routing`), the view and the notices. `update` changes it; the screen and
//! headless commands read it.

pub mod edge_logs;
pub mod fetch;
pub mod fixes;
pub mod learned;
pub mod moves;
pub mod notices;
pub mod plan_run;
pub mod policy;
pub mod routing;
pub mod rows;
pub mod setup;
pub mod state;
pub mod team;
pub mod view;
