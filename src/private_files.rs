//! Files for their owner's eyes only: the audit trail says who moved which route when, and the log
//! carries account ids and caller ARNs. On unix both are created mode 0600, and the directories
//! cutover creates for them 0700 (the umask can only take more away). Directories and files that
//! already exist keep their mode: a shared `~/.local/state` is the user's to set.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Create `dir` and any missing parents, each 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Open `path` for appending (and reading), creating it 0600 when missing.
pub fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_directories_are_0700_and_new_files_0600() {
        let base = std::env::temp_dir().join(format!("cutover-private-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let dir = base.join("state/cutover");
        create_dir(&dir).unwrap();
        let file = dir.join("audit.jsonl");
        drop(open_append(&file).unwrap());
        let modes = (mode(&base), mode(&base.join("state")), mode(&dir), mode(&file));
        fs::remove_dir_all(&base).unwrap();
        assert_eq!(modes, (0o700, 0o700, 0o700, 0o600));
    }
}
