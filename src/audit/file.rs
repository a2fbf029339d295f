//! Appending records to the audit file, one JSON line each, on disk before `append` returns.

use std::fs;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use super::error::AuditError;
use super::record::AuditRecord;
use crate::private_files;

/// The audit file's name in the state directory.
pub const FILE_NAME: &str = "audit.jsonl";

/// The demo's own trail: its records are stamped by a simulated clock (often ahead of the real
/// one) about a world that is made afresh each run, so they never mix with the live trail.
pub const DEMO_FILE_NAME: &str = "audit-demo.jsonl";

/// `<state dir>/audit.jsonl`, next to the log file; `None` without a home directory.
pub fn default_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|dir| dir.join(FILE_NAME))
}

/// `<state dir>/audit-demo.jsonl`, the demo's trail; `None` without a home directory.
pub fn default_demo_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|dir| dir.join(DEMO_FILE_NAME))
}

/// The audit file. Cheap to clone; every append opens the file in append mode, so several
/// writers (the console and a headless command, say) never tear each other's lines.
///
/// Appends block on the disk (`sync_data`); from async code call them in `spawn_blocking`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The audit file in the user's state directory.
    pub fn open_default() -> Result<Self, AuditError> {
        default_path().map(AuditLog::at).ok_or(AuditError::NoStateDir)
    }

    /// The demo's trail in the user's state directory.
    pub fn open_demo() -> Result<Self, AuditError> {
        default_demo_path().map(AuditLog::at).ok_or(AuditError::NoStateDir)
    }

    /// An audit file at an explicit path (tests, `--audit-file`-style overrides).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        AuditLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append `record` as one line, in a single write, and flush it to disk before returning.
    /// Creates the directory and the file when missing.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let json = serde_json::to_string(record).map_err(AuditError::Encode)?;
        // C1 controls and bidi overrides as `\u` escapes: the same JSON, safe to `tail -f`.
        let mut line = crate::domain::visible::escape_in_json(&json).into_owned().into_bytes();
        line.push(b'\n');

        let existed = self.path.exists();
        let mut file = self.open()?;
        let write_err = |source| AuditError::Write { path: self.path.clone(), source };
        if ends_torn(&mut file).map_err(write_err)? {
            // A crash cut the last line short: start ours on a line of its own, so that only the
            // torn line is lost. (Two writers doing this at once leave a blank line, which readers skip.)
            line.insert(0, b'\n');
        }
        file.write_all(&line).map_err(write_err)?;
        file.sync_data().map_err(write_err)?;
        if !existed && let Some(dir) = self.dir() {
            sync_dir(dir).map_err(write_err)?;
        }
        Ok(())
    }

    /// Whether a record could be appended now: the directory made and the file opened for
    /// appending (created empty when missing), nothing written. Headless switches ask this before
    /// they send anything, so an unwritable trail stops them before the change, not after.
    pub fn check_writable(&self) -> Result<(), AuditError> {
        self.open().map(drop)
    }

    /// The file opened for appending, its directory (0700) and itself (0600) created when missing.
    fn open(&self) -> Result<fs::File, AuditError> {
        if let Some(dir) = self.dir() {
            private_files::create_dir(dir)
                .map_err(|source| AuditError::CreateDir { path: dir.to_path_buf(), source })?;
        }
        private_files::open_append(&self.path).map_err(|source| AuditError::Open { path: self.path.clone(), source })
    }

    fn dir(&self) -> Option<&Path> {
        self.path.parent().filter(|d| !d.as_os_str().is_empty())
    }
}

/// Whether the file is non-empty and does not end with a newline.
fn ends_torn(file: &mut fs::File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// Make a newly created file's directory entry durable too.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::thread;

    use jiff::Timestamp;

    use super::*;
    use crate::audit::read::read_trail;
    use crate::audit::record::{Environment, RecordKind};
    use crate::audit::testing::TempDir;

    fn record(operator: &str, i: usize) -> AuditRecord {
        AuditRecord::new(Timestamp::UNIX_EPOCH, RecordKind::SwitchRequested, Environment::Demo, operator, "D")
            .with_routes([format!("/r/{i}")])
            .with_message("x".repeat(3000 + i))
    }

    #[test]
    fn appends_one_line_per_record_and_creates_the_directory() {
        let tmp = TempDir::new("append");
        let log = AuditLog::at(tmp.path().join("nested/deeper").join(FILE_NAME));
        log.append(&record("ana", 1)).unwrap();
        log.append(&record("ana", 2)).unwrap();
        let text = fs::read_to_string(log.path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.ends_with('\n'));
        let trail = read_trail(log.path()).unwrap();
        assert_eq!(trail.records().map(|r| r.routes[0].as_str()).collect::<Vec<_>>(), ["/r/1", "/r/2"]);
    }

    #[test]
    fn two_writers_interleave_as_whole_lines() {
        let tmp = TempDir::new("two-writers");
        let path = tmp.path().join(FILE_NAME);
        let writers: Vec<_> = ["ana", "bo"]
            .into_iter()
            .map(|who| {
                let log = AuditLog::at(&path);
                thread::spawn(move || (0..150).for_each(|i| log.append(&record(who, i)).unwrap()))
            })
            .collect();
        writers.into_iter().for_each(|w| w.join().unwrap());

        let trail = read_trail(&path).unwrap();
        assert!(trail.warnings.is_empty(), "{:?}", trail.warnings);
        for who in ["ana", "bo"] {
            let mine: Vec<_> = trail.records().filter(|r| r.operator == who).collect();
            assert_eq!(mine.len(), 150);
            // Each writer's lines keep their order and are intact.
            for (i, r) in mine.iter().enumerate() {
                assert_eq!(r.routes, [format!("/r/{i}")]);
                assert_eq!(r.message.as_ref().unwrap().len(), 3000 + i);
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_trail_is_its_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempDir::new("modes");
        let log = AuditLog::at(tmp.path().join("state/cutover").join(FILE_NAME));
        log.append(&record("ana", 0)).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(log.path()), 0o600);
        assert_eq!(mode(log.path().parent().unwrap()), 0o700);
        assert_eq!(mode(&tmp.path().join("state")), 0o700);
    }

    #[test]
    fn a_line_holds_no_character_a_terminal_would_obey_and_reads_back_the_same() {
        let tmp = TempDir::new("hostile");
        let log = AuditLog::at(tmp.path().join(FILE_NAME));
        let record = record("ana\x1b]52;c;eA==\x07", 0).with_routes(["/a\u{9b}2J\u{202e}/*"]);
        log.append(&record).unwrap();
        let text = fs::read_to_string(log.path()).unwrap();
        assert!(!text.trim_end().chars().any(crate::domain::visible::is_invisible), "{text:?}");
        assert!(text.contains(r"/a\u009b2J\u202e/*"), "{text}");
        assert_eq!(read_trail(log.path()).unwrap().records().next(), Some(&record));
    }

    #[test]
    fn checking_writes_nothing_and_finds_what_append_would() {
        let tmp = TempDir::new("check");
        let log = AuditLog::at(tmp.path().join("new").join(FILE_NAME));
        log.check_writable().unwrap();
        assert_eq!(fs::read_to_string(log.path()).unwrap(), "", "an empty file, no record");
        let blocker = tmp.path().join("file");
        fs::write(&blocker, "").unwrap();
        let err = AuditLog::at(blocker.join("state").join(FILE_NAME)).check_writable().unwrap_err();
        assert!(matches!(err, AuditError::CreateDir { .. }), "{err}");
    }

    #[test]
    fn an_unwritable_place_is_an_error_not_a_panic() {
        let tmp = TempDir::new("unwritable");
        let blocker = tmp.path().join("file");
        fs::write(&blocker, "").unwrap();
        let err = AuditLog::at(blocker.join("audit.jsonl")).append(&record("ana", 0)).unwrap_err();
        assert!(matches!(err, AuditError::CreateDir { .. } | AuditError::Open { .. }), "{err}");
    }
}
