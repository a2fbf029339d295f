//! The configuration file: which distributions to drive, which origin ids count as Lambda and which as
//! the legacy origin, where each route's metrics come from, alert thresholds and refresh settings,
//! and the probes that show who answers a route.
//!
//! [`load`] reads and checks a file on its own (`within_file.rs`); every problem becomes one
//! [`ConfigError`] sentence that names the file, the line and column, and what to change.
//! [`validate_against`] then checks the file against what the live distribution really has, before
//! the UI starts (`against_distribution.rs`). [`EXAMPLE`] is a complete, commented file that also
//! serves as the format's reference.

mod against_distribution;
mod edge_logs;
mod error;
mod example;
mod load;
pub mod notify;
mod source;
pub mod team;
mod types;
mod within_file;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod testing;

use std::path::PathBuf;

pub use against_distribution::validate_against;
pub use error::{ConfigError, Problem};
pub use example::EXAMPLE;
pub use load::{load, parse};
pub use source::Position;
pub use types::{
    Alb, ApiGateway, Config, DEFAULT_CONCURRENCY_LIMIT, DEFAULT_EDGE_WINDOW_SECS, DEFAULT_EXPECT_STATUS,
    DEFAULT_LATENCY_STATISTIC, DEFAULT_REFRESH_SECONDS, DEFAULT_SAMPLING_PERCENT, Distribution, EdgeLogSettings,
    EdgeLogs, LambdaAccount, MarkerHeader, Probe, ProbeMarkers, Probes, Route, ThresholdOverrides, role_arn_account,
};
pub use within_file::{MAX_FILE_BYTES, MAX_ROUTES_PER_DISTRIBUTION, is_region};

/// The config file's name inside the user's config directory.
pub const FILE_NAME: &str = "cutover.toml";

/// Where the config lives when `--config` is not given: `cutover.toml` in the user's config directory
/// (`~/.config/cutover/` on Linux). `None` when the system has no home directory.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "cutover").map(|dirs| dirs.config_dir().join(FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_path_is_cutover_toml_in_a_cutover_directory() {
        if let Some(path) = default_path() {
            assert!(path.ends_with(FILE_NAME), "{}", path.display());
            assert!(path.components().any(|c| c.as_os_str() == "cutover"), "{}", path.display());
        }
    }
}
