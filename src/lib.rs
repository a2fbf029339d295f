//! cutover: a terminal console for moving API routes between a monolith origin and AWS Lambda
//! behind one CloudFront distribution, and for moving them back when Lambda misbehaves.

pub mod app;
pub mod audit;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod domain;
pub mod edge_logs;
pub mod logging;
pub mod notify;
pub mod output;
pub mod private_files;
pub mod router;
#[cfg(test)]
mod testing;
pub mod theme;
pub mod ui;
