//! The trail's records as the event log's lines: earlier sessions' history, read from the trail's
//! end when the console starts (`app::history` puts them into the state).
//!
//! `LogEntry` has no history flag, so each message starts with [`HISTORY_PREFIX`]: the event-log
//! pane can style such lines with the theme's `log_history`.

use std::path::Path;

use crate::domain::{Level, LogEntry};

use super::describe::sentence;
use super::error::AuditError;
use super::read::{AuditTrail, LineWarning, read_tail};
use super::record::{AuditRecord, RecordKind};

/// What every history message starts with.
pub const HISTORY_PREFIX: &str = "history: ";

/// How many earlier records the console shows by default.
pub const DEFAULT_HISTORY_LINES: usize = 20;

/// How much of the trail's end start-up reads for its history: the last 64 KiB, and a larger end
/// only while that holds fewer records of the distribution than asked for. A record is a few
/// hundred bytes (about 550 with a caller ARN, one route's move and the switch's `requested_at`),
/// so 1 MiB holds nearly two thousand: a trail of a gigabyte starts as fast as a new one.
pub const HISTORY_WINDOWS: [u64; 3] = [64 << 10, 256 << 10, 1 << 20];

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
        RecordKind::GuardBreach
        | RecordKind::AutoRollback
        | RecordKind::SwitchAbandoned
        | RecordKind::StageAbandoned => Level::Warn,
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

/// Read the end of the audit file (see [`HISTORY_WINDOWS`]) and return the last `n` records of
/// `distribution` in it as event-log lines, with the warnings about lines there that were skipped.
pub fn load_history(
    path: &Path,
    distribution: &str,
    n: usize,
) -> Result<(Vec<LogEntry>, Vec<LineWarning>), AuditError> {
    let mut trail = AuditTrail::default();
    for window in HISTORY_WINDOWS {
        trail = read_tail(path, window)?;
        let found = trail.records().filter(|r| r.distribution == distribution).count();
        if trail.skipped_bytes == 0 || found >= n {
            break;
        }
    }
    Ok((history_entries(&trail, distribution, n), trail.warnings))
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::audit::file::AuditLog;
    use crate::audit::record::{Environment, Outcome};
    use crate::audit::testing::TempDir;
    use crate::domain::Target;

    fn rec(time: &str, kind: RecordKind, distribution: &str, routes: &[&str]) -> AuditRecord {
        AuditRecord::new(time.parse::<Timestamp>().unwrap(), kind, Environment::Live, "ana", distribution)
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
        let mut moved = rec("2025-03-01T03:13:49Z", RecordKind::TrafficMoved, "D", &["/api/orders/*"])
            .with_targets(Target::Lambda, Target::Origin)
            .with_message("97 % on ◼ origin (legacy-elb)");
        moved.traffic_moved_ms = Some(100_000);
        let entry = to_log_entry(&moved);
        assert_eq!((entry.level, entry.route.as_deref()), (Level::Info, Some("/api/orders/*")));
        assert_eq!(
            entry.message,
            "history: 2025-03-01 traffic of /api/orders/* λ Lambda → ◼ origin moved \
             (traffic 1m 40s after the request): 97 % on ◼ origin (legacy-elb)"
        );
        let mut edge = rec("2025-03-01T03:13:46Z", RecordKind::EdgeMoved, "D", &["/api/orders/*"]);
        edge.edge_ms = Some(97_000);
        assert_eq!(to_log_entry(&edge).level, Level::Info);

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

    fn line(time: &str, distribution: &str, route: &str) -> String {
        let record = rec(time, RecordKind::SwitchRequested, distribution, &[route]);
        format!("{}\n", serde_json::to_string(&record).unwrap())
    }

    #[test]
    fn a_gigabyte_trail_costs_only_its_end() {
        let tmp = TempDir::new("history-huge");
        let path = tmp.path().join("audit.jsonl");
        // A sparse gigabyte of NULs (no disk used): read whole, it would be one enormous bad line,
        // a warning, and a gigabyte of memory.
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(1 << 30).unwrap();
        drop(file);
        let mut tail = String::new();
        for minute in 0..30 {
            tail.push_str(&line(&format!("2025-03-01T01:{minute:02}:00Z"), "D", &format!("/r/{minute}")));
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, tail.as_bytes()))
            .unwrap();

        let (entries, warnings) = load_history(&path, "D", DEFAULT_HISTORY_LINES).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let routes: Vec<_> = entries.iter().map(|e| e.route.clone().unwrap()).collect();
        assert_eq!(routes, (10..30).map(|m| format!("/r/{m}")).collect::<Vec<_>>());
    }

    #[test]
    fn a_distribution_with_few_recent_records_is_looked_for_further_back_up_to_a_limit() {
        let tmp = TempDir::new("history-windows");
        let path = tmp.path().join("audit.jsonl");
        let record = line("2025-03-01T01:00:00Z", "OTHER", "/o");
        // Records of D, then more of OTHER than the first window holds but fewer than the last.
        let others = (HISTORY_WINDOWS[1] as usize) / record.len();
        let mut text = String::new();
        (0..3).for_each(|i| text.push_str(&line("2025-03-01T00:00:00Z", "D", &format!("/d/{i}"))));
        (0..others).for_each(|_| text.push_str(&record));
        std::fs::write(&path, &text).unwrap();
        assert!(text.len() as u64 > HISTORY_WINDOWS[1] && (text.len() as u64) < HISTORY_WINDOWS[2]);
        let (entries, _) = load_history(&path, "D", 20).unwrap();
        assert_eq!(entries.iter().map(|e| e.route.clone().unwrap()).collect::<Vec<_>>(), ["/d/0", "/d/1", "/d/2"]);

        // Beyond the last window, earlier records are not looked for.
        let beyond = HISTORY_WINDOWS[2] as usize / record.len() + 1;
        (0..beyond).for_each(|_| text.push_str(&record));
        std::fs::write(&path, &text).unwrap();
        let (entries, _) = load_history(&path, "D", 20).unwrap();
        assert!(entries.is_empty(), "{entries:?}");
        assert_eq!(load_history(&path, "OTHER", 5).unwrap().0.len(), 5);
    }
}
