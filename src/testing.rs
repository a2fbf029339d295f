//! Helpers shared by unit tests across the crate.

use std::path::PathBuf;

/// An empty directory of the test's own under the system's temp directory, made afresh.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
