//! The journal's outbox: entries a run could not send before it ended, kept in a private file
//! (`<state dir>/journal-outbox.jsonl`, one line per entry with the log group it was meant for)
//! for the next run to send. A sender at start takes the whole file by renaming it to a name of
//! its own first, so two runs starting together never both send it; it keeps its group's entries
//! and writes the others back for their own groups' runs.

use std::io::{self, BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::audit::journal_entry::JournalEntry;
use crate::private_files;

/// The outbox's name in the state directory.
pub const FILE_NAME: &str = "journal-outbox.jsonl";

/// `<state dir>/journal-outbox.jsonl`, next to the trail; `None` without a home directory.
pub fn default_path() -> Option<PathBuf> {
    crate::logging::log_dir().map(|dir| dir.join(FILE_NAME))
}

/// One line of the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxLine {
    pub group: String,
    pub entry: JournalEntry,
}

/// Append `entries`, meant for `group`, to the outbox at `path` (created 0600, its directory 0700),
/// in one write so that two runs ending together do not interleave their lines.
pub fn keep(path: &Path, group: &str, entries: &[JournalEntry]) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let lines: Vec<OutboxLine> =
        entries.iter().map(|entry| OutboxLine { group: group.to_string(), entry: entry.clone() }).collect();
    append(path, &lines)
}

fn append(path: &Path, lines: &[OutboxLine]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        private_files::create_dir(dir)?;
    }
    let mut text = String::new();
    for line in lines {
        text.push_str(&serde_json::to_string(line).map_err(io::Error::other)?);
        text.push('\n');
    }
    let mut file = private_files::open_append(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// What a sender took from the outbox.
#[derive(Debug)]
pub struct Taken {
    /// The file it was renamed to, removed once its entries are sent (or kept again).
    pub file: PathBuf,
    /// The entries for the sender's group, in the order they were kept.
    pub mine: Vec<JournalEntry>,
}

/// Take the outbox at `path` for `group`: `None` when there is none (or another run took it
/// first). Entries for other groups are written back to `path`; lines that do not read are
/// logged and left out.
pub fn take(path: &Path, group: &str) -> io::Result<Option<Taken>> {
    static TAKEN: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    // A name of this run's own, beside the outbox (the same file system, so the rename is atomic).
    let mut unique = path.as_os_str().to_owned();
    unique.push(format!(".{}-{nanos}-{}.taken", std::process::id(), TAKEN.fetch_add(1, Ordering::Relaxed)));
    let file = PathBuf::from(unique);
    match std::fs::rename(path, &file) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    }
    let (mut mine, mut others) = (Vec::new(), Vec::new());
    for (number, line) in io::BufReader::new(std::fs::File::open(&file)?).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<OutboxLine>(&line) {
            Ok(kept) if kept.group == group => mine.push(kept.entry),
            Ok(kept) => others.push(kept),
            Err(error) => {
                tracing::warn!(file = %file.display(), line = number + 1, %error, "an outbox line does not read")
            }
        }
    }
    if !others.is_empty() {
        append(path, &others)?;
    }
    Ok(Some(Taken { file, mine }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::journal_entry::Presence;

    fn entry(seq: u64) -> JournalEntry {
        JournalEntry::of_presence(
            "a@h",
            "run-1",
            seq,
            Presence { what: "console".into(), until: jiff::Timestamp::UNIX_EPOCH },
        )
    }

    #[test]
    fn an_outbox_is_taken_once_and_other_groups_entries_stay() {
        let dir = std::env::temp_dir().join(format!("cutover-outbox-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join(FILE_NAME);
        keep(&path, "/g1", &[entry(1), entry(2)]).unwrap();
        keep(&path, "/g2", &[entry(3)]).unwrap();
        let taken = take(&path, "/g1").unwrap().unwrap();
        assert_eq!(taken.mine, [entry(1), entry(2)]);
        assert!(take(&path, "/g1").unwrap().unwrap().mine.is_empty());
        let other = take(&path, "/g2").unwrap().unwrap();
        assert_eq!(other.mine, [entry(3)]);
        assert!(take(&path, "/g2").unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
