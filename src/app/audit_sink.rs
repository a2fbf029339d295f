//! Where a session's audit records go: the trail on disk, and for the records the trail could not
//! take, a writer of the caller's choosing (the headless commands: standard error), so that a
//! record is never lost without a trace when cutover has to go on without its trail.

use std::io::Write;

use crate::audit::{AuditLog, AuditRecord};

pub struct AuditSink {
    /// The trail, or why there is none (no home directory to keep it in).
    trail: Result<AuditLog, String>,
    /// Takes every record the trail could not, as one JSON line: the trail's own format.
    unstored: Option<Box<dyn Write + Send>>,
}

impl AuditSink {
    pub fn new(trail: AuditLog) -> Self {
        AuditSink { trail: Ok(trail), unstored: None }
    }

    /// No trail this session, for `why`: every write fails with it.
    pub fn unavailable(why: impl Into<String>) -> Self {
        AuditSink { trail: Err(why.into()), unstored: None }
    }

    /// Send every record the trail cannot take to `out`, one JSON line each.
    pub fn keep_unstored_in(&mut self, out: Box<dyn Write + Send>) {
        self.unstored = Some(out);
    }

    /// Append `record` to the trail, synced. When that fails: the record goes to the unstored
    /// writer, if any, and the error comes back in words.
    pub fn write(&mut self, record: &AuditRecord) -> Result<(), String> {
        let result = match &self.trail {
            Ok(log) => log.append(record).map_err(|error| error.to_string()),
            Err(why) => Err(why.clone()),
        };
        if result.is_err()
            && let Some(out) = &mut self.unstored
            && let Ok(line) = serde_json::to_string(record)
        {
            // Nobody may be reading (a closed pipe); the switch goes on regardless.
            crate::output::write_line(out, &crate::domain::visible::escape_in_json(&line));
        }
        result
    }

    /// Whether a write could succeed now, without writing a record.
    pub fn check(&self) -> Result<(), String> {
        match &self.trail {
            Ok(log) => log.check_writable().map_err(|error| error.to_string()),
            Err(why) => Err(why.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use jiff::Timestamp;

    use super::*;
    use crate::audit::{Environment, RecordKind};

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn record(route: &str) -> AuditRecord {
        AuditRecord::new(Timestamp::UNIX_EPOCH, RecordKind::SwitchRequested, Environment::Live, "ana", "E1")
            .with_routes([route])
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        crate::testing::scratch_dir(&format!("sink-{name}"))
    }

    #[test]
    fn records_the_trail_cannot_take_go_to_the_unstored_writer_as_the_trail_would_hold_them() {
        let dir = scratch("spill");
        std::fs::write(dir.join("file"), "").unwrap();
        let mut sink = AuditSink::new(AuditLog::at(dir.join("file/cutover/audit.jsonl")));
        let spilled = Shared::default();
        sink.keep_unstored_in(Box::new(spilled.clone()));

        assert!(sink.check().is_err());
        let error = sink.write(&record("/a/*")).unwrap_err();
        assert!(error.starts_with("cannot create the audit directory"), "{error}");
        sink.write(&record("/b/*")).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();

        let text = String::from_utf8(spilled.0.lock().unwrap().clone()).unwrap();
        let routes: Vec<String> =
            text.lines().map(|line| serde_json::from_str::<AuditRecord>(line).unwrap().routes.concat()).collect();
        assert_eq!(routes, ["/a/*", "/b/*"]);
        assert_eq!(text.lines().next().unwrap(), serde_json::to_string(&record("/a/*")).unwrap());
    }

    #[test]
    fn stored_records_are_not_repeated_elsewhere() {
        let dir = scratch("stored");
        let mut sink = AuditSink::new(AuditLog::at(dir.join("audit.jsonl")));
        let spilled = Shared::default();
        sink.keep_unstored_in(Box::new(spilled.clone()));
        sink.check().unwrap();
        sink.write(&record("/a/*")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(spilled.0.lock().unwrap().is_empty());
    }

    #[test]
    fn without_a_trail_every_write_fails_with_the_reason() {
        let mut sink = AuditSink::unavailable("no home directory to keep the audit trail in");
        let spilled = Shared::default();
        sink.keep_unstored_in(Box::new(spilled.clone()));
        assert_eq!(sink.check(), Err("no home directory to keep the audit trail in".to_string()));
        assert_eq!(sink.write(&record("/a/*")), Err("no home directory to keep the audit trail in".to_string()));
        assert_eq!(spilled.0.lock().unwrap().iter().filter(|&&b| b == b'\n').count(), 1);
    }
}
