//! Reading the audit file back. A line that does not parse (say, a last line cut short by a crash)
//! becomes a warning naming its line number and is skipped; it never stops the reading.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;

use jiff::Timestamp;

use super::error::AuditError;
use super::record::AuditRecord;

/// One parsed line, with its place in the file and its text as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TrailEntry {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line as it is in the file, without its newline.
    pub raw: String,
    pub record: AuditRecord,
}

/// A line that was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineWarning {
    /// 1-based line number in the file.
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for LineWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} skipped: {}", self.line, self.reason)
    }
}

/// The records of an audit file in file (append) order, and the lines that were skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditTrail {
    pub entries: Vec<TrailEntry>,
    pub warnings: Vec<LineWarning>,
}

/// Which records to keep; every criterion that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Records at or after this time.
    pub since: Option<Timestamp>,
    /// Records whose routes include this path pattern, exactly.
    pub route: Option<String>,
    /// Records of this distribution.
    pub distribution: Option<String>,
}

impl Filter {
    pub fn matches(&self, record: &AuditRecord) -> bool {
        self.since.is_none_or(|since| record.time >= since)
            && self.route.as_deref().is_none_or(|route| record.concerns_route(route))
            && self.distribution.as_deref().is_none_or(|d| record.distribution == d)
    }
}

/// Read the audit file at `path`. A missing file is an empty trail.
pub fn read_trail(path: &Path) -> Result<AuditTrail, AuditError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(parse_trail(&bytes)),
        // A path under a regular file (an unusable state directory) cannot hold a trail either.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => Ok(AuditTrail::default()),
        Err(source) => Err(AuditError::Read { path: path.to_path_buf(), source }),
    }
}

/// Parse the contents of an audit file. Blank lines are ignored silently.
pub fn parse_trail(bytes: &[u8]) -> AuditTrail {
    let mut trail = AuditTrail::default();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let number = i + 1;
        let parsed = std::str::from_utf8(line)
            .map_err(|e| format!("not UTF-8: {e}"))
            .and_then(|text| serde_json::from_str::<AuditRecord>(text).map(|r| (text, r)).map_err(|e| e.to_string()));
        match parsed {
            Ok((text, record)) => trail.entries.push(TrailEntry { line: number, raw: text.trim().to_string(), record }),
            Err(reason) => trail.warnings.push(LineWarning { line: number, reason }),
        }
    }
    trail
}

impl AuditTrail {
    pub fn records(&self) -> impl DoubleEndedIterator<Item = &AuditRecord> {
        self.entries.iter().map(|e| &e.record)
    }

    /// The entries that `filter` keeps, in file order.
    pub fn filtered<'a>(&'a self, filter: &'a Filter) -> impl DoubleEndedIterator<Item = &'a TrailEntry> + 'a {
        self.entries.iter().filter(|e| filter.matches(&e.record))
    }

    /// The last `n` records of `distribution`, oldest first.
    pub fn last_for_distribution(&self, distribution: &str, n: usize) -> Vec<&AuditRecord> {
        let mut last: Vec<_> = self.records().rev().filter(|r| r.distribution == distribution).take(n).collect();
        last.reverse();
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::file::AuditLog;
    use crate::audit::record::{Mode, RecordKind};
    use crate::audit::testing::TempDir;

    fn at(time: &str, distribution: &str, routes: &[&str]) -> AuditRecord {
        AuditRecord::new(time.parse().unwrap(), RecordKind::SwitchRequested, Mode::Demo, "ana", distribution)
            .with_routes(routes.iter().copied())
    }

    fn sample() -> AuditTrail {
        let lines: Vec<String> = [
            at("2025-03-01T01:00:00Z", "A", &["/a"]),
            at("2025-03-01T02:00:00Z", "B", &["/a", "/b"]),
            at("2025-03-01T03:00:00Z", "A", &["/b"]),
            at("2025-03-01T04:00:00Z", "A", &["/a", "/c"]),
        ]
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
        parse_trail(lines.join("\n").as_bytes())
    }

    #[test]
    fn a_truncated_last_line_is_skipped_with_a_warning_naming_its_line() {
        let tmp = TempDir::new("truncated");
        let log = AuditLog::at(tmp.path().join("audit.jsonl"));
        log.append(&at("2025-03-01T01:00:00Z", "A", &["/a"])).unwrap();
        log.append(&at("2025-03-01T02:00:00Z", "A", &["/b"])).unwrap();
        // A crash in the middle of a third line.
        let full = serde_json::to_string(&at("2025-03-01T03:00:00Z", "A", &["/c"])).unwrap();
        let mut bytes = std::fs::read(log.path()).unwrap();
        bytes.extend_from_slice(&full.as_bytes()[..full.len() / 2]);
        std::fs::write(log.path(), bytes).unwrap();

        let trail = read_trail(log.path()).unwrap();
        assert_eq!(trail.entries.len(), 2);
        assert_eq!(trail.warnings.len(), 1);
        assert_eq!(trail.warnings[0].line, 3);
        assert!(trail.warnings[0].to_string().starts_with("line 3 skipped: "), "{}", trail.warnings[0]);

        // The next record starts on a line of its own: only the torn line is lost.
        log.append(&at("2025-03-01T04:00:00Z", "A", &["/d"])).unwrap();
        let trail = read_trail(log.path()).unwrap();
        assert_eq!(
            trail.entries.iter().map(|e| (e.line, e.record.routes[0].as_str())).collect::<Vec<_>>(),
            [(1, "/a"), (2, "/b"), (4, "/d")]
        );
        assert_eq!(trail.warnings.iter().map(|w| w.line).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn bad_lines_in_the_middle_are_skipped_and_blank_lines_ignored() {
        let good = serde_json::to_string(&at("2025-03-01T01:00:00Z", "A", &["/a"])).unwrap();
        let text = format!("{good}\n\nnot json\n{{\"time\":\"yesterday\"}}\n{good}\r\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        let trail = parse_trail(&bytes);
        assert_eq!(trail.entries.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 5]);
        assert_eq!(trail.entries[1].raw, good);
        assert_eq!(trail.warnings.iter().map(|w| w.line).collect::<Vec<_>>(), [3, 4, 6]);
        assert!(trail.warnings[2].reason.contains("UTF-8"), "{}", trail.warnings[2].reason);
    }

    #[test]
    fn a_missing_file_is_an_empty_trail_and_a_directory_is_an_error() {
        let tmp = TempDir::new("missing");
        assert_eq!(read_trail(&tmp.path().join("none.jsonl")).unwrap(), AuditTrail::default());
        assert!(matches!(read_trail(tmp.path()), Err(AuditError::Read { .. })));
    }

    #[test]
    fn filters_by_time_route_and_distribution() {
        let trail = sample();
        let lines = |f: Filter| trail.filtered(&f).map(|e| e.line).collect::<Vec<_>>();
        assert_eq!(lines(Filter::default()), [1, 2, 3, 4]);
        assert_eq!(
            lines(Filter { since: Some("2025-03-01T02:00:00Z".parse().unwrap()), ..Filter::default() }),
            [2, 3, 4]
        );
        assert_eq!(lines(Filter { route: Some("/a".into()), ..Filter::default() }), [1, 2, 4]);
        assert_eq!(lines(Filter { distribution: Some("A".into()), ..Filter::default() }), [1, 3, 4]);
        assert_eq!(
            lines(Filter {
                since: Some("2025-03-01T01:30:00Z".parse().unwrap()),
                route: Some("/a".into()),
                distribution: Some("A".into())
            }),
            [4]
        );
        assert_eq!(lines(Filter { route: Some("/nowhere".into()), ..Filter::default() }), Vec::<usize>::new());
    }

    #[test]
    fn last_n_for_a_distribution_oldest_first() {
        let trail = sample();
        let hours = |rs: Vec<&AuditRecord>| rs.iter().map(|r| r.time.to_string()).collect::<Vec<_>>();
        assert_eq!(hours(trail.last_for_distribution("A", 2)), ["2025-03-01T03:00:00Z", "2025-03-01T04:00:00Z"]);
        assert_eq!(trail.last_for_distribution("A", 10).len(), 3);
        assert!(trail.last_for_distribution("C", 10).is_empty());
        assert!(trail.last_for_distribution("A", 0).is_empty());
    }
}
