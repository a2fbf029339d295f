//! cutover: a terminal console for moving API routes between a monolith origin and AWS Lambda
//! behind one CloudFront distribution, and for moving them back when Lambda misbehaves.

pub mod app;
pub mod audit;
pub mod backend;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod headless;
pub mod init;
pub mod live;
pub mod logging;
pub mod output;
pub mod private_files;
#[cfg(test)]
mod testing;
pub mod theme;
pub mod ui;
