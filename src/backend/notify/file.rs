//! The demo's notification target: each message a JSON line `{"time": …, "text": …}` appended to a
//! file (owner-only, like the trail), which the book names (docs/src/guide/notifications.md) so a reader can watch it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::notify::Message;
use crate::notify::retry::Verdict;

/// Appends `message` as one line, off the async threads.
pub(super) async fn append(path: &Path, message: &Message, at: Timestamp) -> Verdict {
    let line = serde_json::json!({ "time": at.to_string(), "text": message.text }).to_string();
    let path: PathBuf = path.to_path_buf();
    let written = tokio::task::spawn_blocking(move || {
        let mut file = crate::private_files::open_append(&path)?;
        file.write_all(format!("{line}\n").as_bytes())
    })
    .await;
    match written {
        Ok(Ok(())) => Verdict::Sent,
        // A full disk or a removed directory will not mend itself within the retries.
        Ok(Err(error)) => Verdict::GiveUp(error.to_string()),
        Err(error) => Verdict::GiveUp(error.to_string()),
    }
}
