//! Earlier sessions' records as event-log lines, shown when the console starts.
//!
//! `LogEntry` has no history flag, so each message starts with [`HISTORY_PREFIX`]: the event-log
//! pane can style such lines with the theme's `log_history`.

use std::path::Path;

use crate::domain::{Level, LogEntry};

use super::describe::sentence;
use super::error::AuditError;
use super::read::{AuditTrail, LineWarning, read_trail};
use super::record::{AuditRecord, RecordKind};

/// What every history message starts with.
pub const HISTORY_PREFIX: &str = "history: ";

/// How many earlier records the console shows by default.
pub const DEFAULT_HISTORY_LINES: usize = 20;

/// Whether an event-log entry came from an earlier session.
pub fn is_history(entry: &LogEntry) -> bool {
    entry.message.starts_with(HISTORY_PREFIX)
}

/// One record as an event-log line: its time, a level by kind, the route when there is one, and
/// a sentence that starts with [`HISTORY_PREFIX`] and the record's date (the pane shows only the
/// time of day).
pub fn to_log_entry(record: &AuditRecord) -> LogEntry {
    let level = match record.kind {
        RecordKind::SwitchFailed => Level::Error,
        RecordKind::GuardBreach | RecordKind::AutoRollback | RecordKind::SwitchAbandoned => Level::Warn,
        _ if record.error.is_some() => Level::Error,
        _ => Level::Info,
    };
    let route = match record.routes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let date = record.time.strftime("%Y-%m-%d");
    LogEntry { at: record.time, level, route, message: format!("{HISTORY_PREFIX}{date} {}", sentence(record)) }
}

/// The last `n` records of `distribution` as event-log lines, oldest first.
pub fn history_entries(trail: &AuditTrail, distribution: &str, n: usize) -> Vec<LogEntry> {
    trail.last_for_distribution(distribution, n).into_iter().map(to_log_entry).collect()
}

/// Read the audit file and return the last `n` records of `distribution` as event-log lines,
/// with the warnings about lines that were skipped.
pub fn load_history(
    path: &Path,
    distribution: &str,
    n: usize,
) -> Result<(Vec<LogEntry>, Vec<LineWarning>), AuditError> {
    let trail = read_trail(path)?;
    Ok((history_entries(&trail, distribution, n), trail.warnings))
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::audit::file::AuditLog;
    use crate::audit::record::{Mode, Outcome};
    use crate::audit::testing::TempDir;
    use crate::domain::Target;

    fn rec(time: &str, kind: RecordKind, distribution: &str, routes: &[&str]) -> AuditRecord {
        AuditRecord::new(time.parse::<Timestamp>().unwrap(), kind, Mode::Live, "ana", distribution)
            .with_routes(routes.iter().copied())
    }

    #[test]
    fn records_become_history_lines() {
        let deployed = rec("2025-03-01T03:12:09Z", RecordKind::SwitchDeployed, "D", &["/api/orders/*"])
            .with_targets(Target::Lambda, Target::Origin)
            .with_outcome(Outcome::Deployed);
        let entry = to_log_entry(&deployed);
        assert_eq!(entry.at, deployed.time);
        assert_eq!(entry.level, Level::Info);
        assert_eq!(entry.route.as_deref(), Some("/api/orders/*"));
        assert_eq!(entry.message, "history: 2025-03-01 switch of /api/orders/* λ Lambda → ◼ origin deployed");
        assert!(is_history(&entry));

        let breach = rec("2025-03-01T03:00:00Z", RecordKind::GuardBreach, "D", &["/a"]).with_message("5xx 12.4% > 5%");
        assert_eq!(to_log_entry(&breach).level, Level::Warn);
        let failed = rec("2025-03-01T03:00:00Z", RecordKind::SwitchFailed, "D", &["/a", "/b"]).with_error("denied");
        let entry = to_log_entry(&failed);
        assert_eq!((entry.level, entry.route), (Level::Error, None));
        assert!(entry.message.contains("/a, /b") && entry.message.ends_with(": denied"), "{}", entry.message);
    }

    #[test]
    fn history_reloads_after_restart_for_the_same_distribution_only() {
        let tmp = TempDir::new("history");
        let path = tmp.path().join("audit.jsonl");
        {
            // An earlier session.
            let log = AuditLog::at(&path);
            for (i, dist) in ["D", "OTHER", "D", "D"].iter().enumerate() {
                log.append(&rec(&format!("2025-03-01T0{i}:00:00Z"), RecordKind::SwitchRequested, dist, &["/a"]))
                    .unwrap();
            }
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"time\":"))
            .unwrap();

        let (entries, warnings) = load_history(&path, "D", 2).unwrap();
        assert_eq!(
            entries.iter().map(|e| e.at.to_string()).collect::<Vec<_>>(),
            ["2025-03-01T02:00:00Z", "2025-03-01T03:00:00Z"]
        );
        assert!(entries.iter().all(is_history));
        assert_eq!(warnings.iter().map(|w| w.line).collect::<Vec<_>>(), [5]);

        let (none, _) = load_history(&tmp.path().join("never-written.jsonl"), "D", 5).unwrap();
        assert!(none.is_empty());
    }
}
