//! Reading the audit file back. A line that does not parse (say, a last line cut short by a crash)
//! becomes a warning naming its line number and is skipped; it never stops the reading.
//!
//! Memory stays bounded whatever the file holds: lines are read one at a time and a line longer
//! than [`MAX_LINE_BYTES`] is skipped without being kept; start-up reads only the file's end
//! ([`read_tail`]); and only a regular file is read at all — a FIFO would block the opening and a
//! device such as `/dev/zero` or `/dev/full` never ends.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, ErrorKind, Read as _, Seek as _, SeekFrom};
use std::path::Path;

use jiff::Timestamp;

use super::error::AuditError;
use super::record::AuditRecord;

/// The longest line read. A record is a few hundred bytes, a rollback of a thousand routes some
/// tens of KB; a longer line is no record, and is skipped with a warning as it streams past.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One parsed line, with its place in the file and its text as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TrailEntry {
    /// 1-based line number in the file; counted from the file's end (1: the last line) when only
    /// its end was read (`AuditTrail::skipped_bytes > 0`).
    pub line: usize,
    /// The line as it is in the file, without its newline.
    pub raw: String,
    pub record: AuditRecord,
}

/// A line that was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineWarning {
    /// 1-based line number in the file, or counted from its end when `from_end`.
    pub line: usize,
    /// Only the end of the file was read, so the line is numbered from there: the number of
    /// lines before it is not known without reading them.
    pub from_end: bool,
    pub reason: String,
}

impl fmt::Display for LineWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from_end = if self.from_end { " from the end" } else { "" };
        write!(f, "line {}{from_end} skipped: {}", self.line, self.reason)
    }
}

/// The records of an audit file in file (append) order, and the lines that were skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditTrail {
    pub entries: Vec<TrailEntry>,
    pub warnings: Vec<LineWarning>,
    /// Bytes at the start of the file whose lines were not read: 0 when the whole file was.
    pub skipped_bytes: u64,
}

/// One line of the file, as [`scan_trail`] hands it over.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value lives at a time, handed over and taken apart at once: a box would only add an allocation per line"
)]
pub enum TrailLine {
    Entry(TrailEntry),
    Warning(LineWarning),
}

/// Which records to keep; every criterion that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Records at or after this time.
    pub since: Option<Timestamp>,
    /// Records at or before this time: a window that ends now leaves out records a demo's
    /// simulated clock stamped ahead of the real one.
    pub until: Option<Timestamp>,
    /// Records whose routes include this path pattern, exactly.
    pub route: Option<String>,
    /// Records of this distribution.
    pub distribution: Option<String>,
}

impl Filter {
    pub fn matches(&self, record: &AuditRecord) -> bool {
        self.since.is_none_or(|since| record.time >= since)
            && self.until.is_none_or(|until| record.time <= until)
            && self.route.as_deref().is_none_or(|route| record.concerns_route(route))
            && self.distribution.as_deref().is_none_or(|d| record.distribution == d)
    }
}

/// Read the whole audit file at `path`. A missing file is an empty trail.
///
/// Holds every record in memory; [`scan_trail`] reads the same lines one at a time.
pub fn read_trail(path: &Path) -> Result<AuditTrail, AuditError> {
    let mut trail = AuditTrail::default();
    scan_trail(path, |line| {
        trail.push(line);
        Ok(())
    })?;
    Ok(trail)
}

/// Hand each line of the audit file at `path` to `visit`, in file order; memory is one line at
/// most. A missing file has no lines. The first error `visit` returns stops the reading and is
/// returned.
pub fn scan_trail(path: &Path, mut visit: impl FnMut(TrailLine) -> Result<(), AuditError>) -> Result<(), AuditError> {
    let Some((file, _)) = open_regular(path)? else { return Ok(()) };
    let mut number = 0;
    let mut visited = Ok(());
    for_each_line(BufReader::new(file), |bytes| {
        number += 1;
        let Some(line) = parse_line(number, false, bytes) else { return true };
        visited = visit(line);
        visited.is_ok()
    })
    .map_err(|source| AuditError::Read { path: path.to_path_buf(), source })?;
    visited
}

/// Read at most the last `max_bytes` of the audit file at `path` (the whole file when it is no
/// longer): what start-up needs for its history, at the same cost for a 1 GB trail as for a small
/// one. The first line read is the first whole one; when the file is longer than `max_bytes`, line
/// numbers count from its end. A missing file is an empty trail.
pub fn read_tail(path: &Path, max_bytes: u64) -> Result<AuditTrail, AuditError> {
    let read_err = |source| AuditError::Read { path: path.to_path_buf(), source };
    let Some((mut file, len)) = open_regular(path)? else { return Ok(AuditTrail::default()) };
    // The file may grow while it is read: everything is measured against `len`.
    let start = len.saturating_sub(max_bytes);
    // One byte before the window tells whether it starts on a line of its own.
    let from = start.saturating_sub(1);
    file.seek(SeekFrom::Start(from)).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(len - from).read_to_end(&mut bytes).map_err(read_err)?;
    let from_end = start > 0;
    // The line cut by the window's start is not read, not even as a torn one.
    let cut = if from_end { bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1) } else { 0 };
    let window = &bytes[cut..];
    let lines = count_lines(window);
    let mut trail = AuditTrail { skipped_bytes: from + cut as u64, ..AuditTrail::default() };
    let mut i = 0;
    for_each_line(window, |line| {
        i += 1;
        let number = if from_end { lines + 1 - i } else { i };
        if let Some(line) = parse_line(number, from_end, line) {
            trail.push(line);
        }
        true
    })
    .map_err(read_err)?;
    Ok(trail)
}

/// The file at `path` opened for reading, with its length; `None` when there is none.
///
/// Only a regular file: opening a FIFO would block until someone writes to it, and a device such
/// as `/dev/zero` never ends. Its type is looked at before opening (so a FIFO is never opened)
/// and again on the opened file.
fn open_regular(path: &Path) -> Result<Option<(File, u64)>, AuditError> {
    let read_err = |source| AuditError::Read { path: path.to_path_buf(), source };
    let missing = |e: &io::Error| matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory);
    match fs::metadata(path) {
        // A path under a regular file (an unusable state directory) cannot hold a trail either.
        Err(e) if missing(&e) => return Ok(None),
        Err(e) => return Err(read_err(e)),
        Ok(meta) => require_regular(&meta).map_err(read_err)?,
    }
    let file = match File::open(path) {
        Err(e) if missing(&e) => return Ok(None),
        other => other.map_err(read_err)?,
    };
    let meta = file.metadata().map_err(read_err)?;
    require_regular(&meta).map_err(read_err)?;
    Ok(Some((file, meta.len())))
}

fn require_regular(meta: &fs::Metadata) -> io::Result<()> {
    let what = if meta.is_file() {
        return Ok(());
    } else if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file (a FIFO, socket or device)"
    };
    Err(io::Error::new(ErrorKind::InvalidInput, format!("it is {what}")))
}

/// Call `line` with each line of `reader`, without its newline, until it returns false. A line
/// longer than [`MAX_LINE_BYTES`] is never held whole: it is handed over as `None`.
fn for_each_line(mut reader: impl BufRead, mut line: impl FnMut(Option<&[u8]>) -> bool) -> io::Result<()> {
    let mut current = Vec::new();
    let mut too_long = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let newline = buf.iter().position(|b| *b == b'\n');
        let part = &buf[..newline.unwrap_or(buf.len())];
        if current.len() + part.len() > MAX_LINE_BYTES {
            too_long = true;
            current = Vec::new();
        } else if !too_long {
            current.extend_from_slice(part);
        }
        let used = newline.map_or(part.len(), |i| i + 1);
        reader.consume(used);
        if newline.is_some() {
            let go_on = line((!too_long).then_some(&current[..]));
            current.clear();
            too_long = false;
            if !go_on {
                return Ok(());
            }
        }
    }
    if too_long || !current.is_empty() {
        line((!too_long).then_some(&current[..]));
    }
    Ok(())
}

/// Lines as [`for_each_line`] counts them: a last line without its newline counts too.
fn count_lines(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    newlines + usize::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// Parse the contents of an audit file. Blank lines are ignored silently.
pub fn parse_trail(bytes: &[u8]) -> AuditTrail {
    let mut trail = AuditTrail::default();
    let mut number = 0;
    for_each_line(bytes, |line| {
        number += 1;
        if let Some(line) = parse_line(number, false, line) {
            trail.push(line);
        }
        true
    })
    .expect("reading from memory cannot fail");
    trail
}

/// One line as an entry or a warning; `None` for a blank line. `line` is `None` for one longer
/// than [`MAX_LINE_BYTES`].
fn parse_line(number: usize, from_end: bool, line: Option<&[u8]>) -> Option<TrailLine> {
    let Some(line) = line else {
        let reason = format!("longer than {} MiB, not read", MAX_LINE_BYTES >> 20);
        return Some(TrailLine::Warning(LineWarning { line: number, from_end, reason }));
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let parsed = std::str::from_utf8(line)
        .map_err(|e| format!("not UTF-8: {e}"))
        .and_then(|text| serde_json::from_str::<AuditRecord>(text).map(|r| (text, r)).map_err(|e| e.to_string()));
    Some(match parsed {
        Ok((text, record)) => TrailLine::Entry(TrailEntry { line: number, raw: text.trim().to_string(), record }),
        Err(reason) => TrailLine::Warning(LineWarning { line: number, from_end, reason }),
    })
}

impl AuditTrail {
    fn push(&mut self, line: TrailLine) {
        match line {
            TrailLine::Entry(entry) => self.entries.push(entry),
            TrailLine::Warning(warning) => self.warnings.push(warning),
        }
    }

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
    use crate::audit::record::{Environment, RecordKind};
    use crate::audit::testing::TempDir;

    fn at(time: &str, distribution: &str, routes: &[&str]) -> AuditRecord {
        AuditRecord::new(time.parse().unwrap(), RecordKind::SwitchRequested, Environment::Demo, "ana", distribution)
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
                until: None,
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

    /// Record `i` of route `/r/{i}` as one line with its newline.
    fn line(i: usize) -> String {
        format!("{}\n", serde_json::to_string(&at("2025-03-01T01:00:00Z", "A", &[&format!("/r/{i}")])).unwrap())
    }

    fn routes(trail: &AuditTrail) -> Vec<String> {
        trail.records().map(|r| r.routes[0].clone()).collect()
    }

    #[test]
    fn the_tail_of_a_long_trail_is_read_alone_and_numbered_from_the_end() {
        let tmp = TempDir::new("tail");
        let path = tmp.path().join("audit.jsonl");
        // A bad line at the start, far from the end, then records, then a bad line and a record.
        let mut text = String::from("not json at the start\n");
        (0..200).for_each(|i| text.push_str(&line(i)));
        text.push_str("not json near the end\n");
        text.push_str(&line(200));
        std::fs::write(&path, &text).unwrap();

        let tail = read_tail(&path, 4096).unwrap();
        assert!(tail.skipped_bytes > 0 && tail.skipped_bytes <= text.len() as u64 - 4096 + line(0).len() as u64);
        // The records of the last 4 KiB, each whole, in file order: the cut line is not a warning.
        let read = routes(&tail);
        assert!(read.len() > 5 && read.len() < 200, "{}", read.len());
        let first: usize = read[0].trim_start_matches("/r/").parse().unwrap();
        assert_eq!(read, (first..=200).map(|i| format!("/r/{i}")).collect::<Vec<_>>());
        assert_eq!(tail.warnings, [LineWarning { line: 2, from_end: true, reason: tail.warnings[0].reason.clone() }]);
        assert!(tail.warnings[0].to_string().starts_with("line 2 from the end skipped: "), "{}", tail.warnings[0]);
        assert_eq!(tail.entries.last().unwrap().line, 1);
        assert_eq!(tail.entries.last().unwrap().raw, line(200).trim_end());

        // A window as large as the file reads all of it, numbered from the start as `read_trail` does.
        let whole = read_tail(&path, text.len() as u64).unwrap();
        assert_eq!(whole, read_trail(&path).unwrap());
        assert_eq!((whole.skipped_bytes, whole.warnings.len(), whole.entries.len()), (0, 2, 201));
    }

    #[test]
    fn a_tail_that_starts_on_a_line_boundary_keeps_that_line() {
        let tmp = TempDir::new("tail-boundary");
        let path = tmp.path().join("audit.jsonl");
        std::fs::write(&path, [line(1), line(2), line(3)].concat()).unwrap();
        let last_two = (line(2).len() + line(3).len()) as u64;
        assert_eq!(routes(&read_tail(&path, last_two).unwrap()), ["/r/2", "/r/3"]);
        assert_eq!(read_tail(&path, last_two).unwrap().skipped_bytes, line(1).len() as u64);
        assert_eq!(routes(&read_tail(&path, last_two - 1).unwrap()), ["/r/3"]);
        assert_eq!(routes(&read_tail(&path, 0).unwrap()), Vec::<String>::new());
        assert_eq!(read_tail(&tmp.path().join("none.jsonl"), 10).unwrap(), AuditTrail::default());
    }

    #[test]
    fn a_line_too_long_to_be_a_record_is_skipped_without_stopping_the_reading() {
        let tmp = TempDir::new("long-line");
        let path = tmp.path().join("audit.jsonl");
        let long = format!("{{\"message\":\"{}\"}}\n", "x".repeat(MAX_LINE_BYTES));
        let text = [line(1), long.clone(), line(3), long].concat();
        std::fs::write(&path, &text).unwrap();
        for trail in [read_trail(&path).unwrap(), parse_trail(text.as_bytes())] {
            assert_eq!(routes(&trail), ["/r/1", "/r/3"]);
            assert_eq!(trail.entries.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3]);
            let warnings: Vec<String> = trail.warnings.iter().map(ToString::to_string).collect();
            assert_eq!(
                warnings,
                ["line 2 skipped: longer than 1 MiB, not read", "line 4 skipped: longer than 1 MiB, not read"]
            );
        }
        // Without its newline too (a last line still being written, or one that never ends).
        let text = [line(1), "y".repeat(MAX_LINE_BYTES + 1)].concat();
        let trail = parse_trail(text.as_bytes());
        assert_eq!((routes(&trail), trail.warnings[0].line), (vec!["/r/1".to_string()], 2));
    }

    #[test]
    fn scanning_stops_at_the_first_error_of_the_visitor() {
        let tmp = TempDir::new("scan-stop");
        let path = tmp.path().join("audit.jsonl");
        std::fs::write(&path, [line(1), line(2), line(3)].concat()).unwrap();
        let mut seen = 0;
        let result = scan_trail(&path, |_| {
            seen += 1;
            if seen == 2 { Err(AuditError::Output(std::io::ErrorKind::BrokenPipe.into())) } else { Ok(()) }
        });
        assert!(matches!(result, Err(AuditError::Output(_))));
        assert_eq!(seen, 2);
    }

    /// Runs `read` on another thread and fails if it has not answered within ten seconds.
    #[cfg(unix)]
    fn answers_in_time(read: impl FnOnce() -> Result<AuditTrail, AuditError> + Send + 'static) -> AuditError {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(read().map(|t| t.entries.len())));
        let answer = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the read hung");
        answer.expect_err("not a regular file, not read")
    }

    #[cfg(unix)]
    #[test]
    fn endless_devices_and_fifos_are_refused_at_once_not_read() {
        for device in ["/dev/zero", "/dev/full", "/dev/urandom"] {
            let path = Path::new(device);
            for err in [answers_in_time(|| read_trail(path)), answers_in_time(|| read_tail(path, 1 << 20))] {
                assert!(matches!(err, AuditError::Read { .. }), "{err}");
                assert!(err.to_string().ends_with("it is not a regular file (a FIFO, socket or device)"), "{err}");
            }
        }
        // Opening a FIFO for reading waits for a writer, so it must not even be opened.
        let tmp = TempDir::new("fifo");
        let fifo = tmp.path().join("audit.jsonl");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
        assert!(made.success());
        let (a, b) = (fifo.clone(), fifo.clone());
        assert!(matches!(answers_in_time(move || read_trail(&a)), AuditError::Read { .. }));
        assert!(matches!(answers_in_time(move || read_tail(&b, 1 << 20)), AuditError::Read { .. }));
        // Through a symlink, as a trail pointed elsewhere would be.
        let link = tmp.path().join("link.jsonl");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(answers_in_time(move || read_tail(&link, 1 << 20)), AuditError::Read { .. }));
    }
}
