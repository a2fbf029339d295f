//! One entry of the team's shared journal: the message of one CloudWatch Logs event in the log
//! group `[team]` names (issue 23). Every audit record a run writes to its local trail is also
//! sent as an entry; a console also sends a presence entry (`here`) now and then, so others see
//! who is watching.
//!
//! The message is one JSON object:
//!
//! | field    | type    | meaning                                                                   |
//! |----------|---------|---------------------------------------------------------------------------|
//! | `v`      | integer | the entry's format, [`VERSION`]                                           |
//! | `by`     | string  | who: `operator@host`                                                      |
//! | `run`    | string  | the run that sent it: its log stream's name ([`stream_name`])             |
//! | `seq`    | integer | counted from 1 in each run; with `run`, names the entry (a repeat is dropped) |
//! | `record` | object  | an audit record as the trail holds it, or absent on a presence entry     |
//! | `here`   | object  | a presence entry: `what` (`console` or the headless command), `until` (RFC 3339: seen until, unless renewed) |
//!
//! Entries from others are untrusted input: [`JournalEntry::parse`] refuses what does not read,
//! is too large, or is about another distribution; what it accepts is only shown (through
//! `domain::visible` like all outside text), never acted on.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::record::AuditRecord;

/// The entry format this cutover writes and reads.
pub const VERSION: u32 = 1;

/// The largest message read: far above any record cutover writes, far below CloudWatch Logs'
/// 256 KB event limit, so a hostile entry cannot make a reader hold much.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The longest `by` or `run` read.
const MAX_NAME_CHARS: usize = 200;

/// One journal entry. See the module documentation for the JSON form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub v: u32,
    pub by: String,
    pub run: String,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<AuditRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub here: Option<Presence>,
}

/// A presence entry: `by` is watching (a console) or acting (a headless command) until `until`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// `console`, or the headless command (`switch`, `rollback-all`, …).
    pub what: String,
    pub until: Timestamp,
}

/// Why an entry read from the journal was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("larger than {MAX_MESSAGE_BYTES} bytes")]
    TooLarge,
    #[error("not a journal entry: {0}")]
    Unreadable(String),
    #[error("format {0}, newer than this cutover reads")]
    Newer(u32),
    #[error("neither a record nor a presence")]
    Empty,
    #[error("its `by` or `run` is empty or longer than {MAX_NAME_CHARS} characters")]
    BadName,
    #[error("about distribution {0}, not this journal's")]
    OtherDistribution(String),
}

impl JournalEntry {
    /// The entry of `record`, the `seq`th this run sends.
    pub fn of_record(by: &str, run: &str, seq: u64, record: AuditRecord) -> Self {
        JournalEntry { v: VERSION, by: by.into(), run: run.into(), seq, record: Some(record), here: None }
    }

    /// A presence entry, the `seq`th this run sends.
    pub fn of_presence(by: &str, run: &str, seq: u64, here: Presence) -> Self {
        JournalEntry { v: VERSION, by: by.into(), run: run.into(), seq, record: None, here: Some(here) }
    }

    /// The message to send.
    pub fn to_message(&self) -> String {
        // A record and a presence are plain data: serialising them cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Read one message of the journal of `distribution`, refusing what cutover would not write.
    pub fn parse(message: &str, distribution: &str) -> Result<JournalEntry, Refused> {
        if message.len() > MAX_MESSAGE_BYTES {
            return Err(Refused::TooLarge);
        }
        let entry: JournalEntry =
            serde_json::from_str(message).map_err(|error| Refused::Unreadable(error.to_string()))?;
        if entry.v > VERSION {
            return Err(Refused::Newer(entry.v));
        }
        let name_ok = |name: &str| !name.trim().is_empty() && name.chars().count() <= MAX_NAME_CHARS;
        if !name_ok(&entry.by) || !name_ok(&entry.run) {
            return Err(Refused::BadName);
        }
        match (&entry.record, &entry.here) {
            (None, None) => Err(Refused::Empty),
            (Some(record), _) if record.distribution != distribution => {
                Err(Refused::OtherDistribution(record.distribution.clone()))
            }
            _ => Ok(entry),
        }
    }

    /// The key that names it across the journal: a repeat (a batch sent twice because its answer
    /// was lost) has the same.
    pub fn key(&self) -> (&str, u64) {
        (&self.run, self.seq)
    }
}

/// The log stream of one run: `operator@host/<start, RFC 3339 to the second, `:` as `-`>/<run id>`.
/// CloudWatch Logs stream names may not hold `:` or `*`; both are replaced.
pub fn stream_name(by: &str, started: Timestamp, run_id: &str) -> String {
    let started = started.strftime("%Y-%m-%dT%H-%M-%SZ").to_string();
    format!("{by}/{started}/{run_id}").replace([':', '*'], "-")
}

/// `operator@host`: who, in every entry and in the log stream's name.
pub fn by(operator: &str, host: &str) -> String {
    format!("{operator}@{host}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Environment, RecordKind};

    fn record(distribution: &str) -> AuditRecord {
        AuditRecord::new(Timestamp::UNIX_EPOCH, RecordKind::SwitchRequested, Environment::Live, "alice", distribution)
            .with_routes(["/orders/*"])
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let entry = JournalEntry::of_record("alice@laptop-7", "run-1", 3, record("E1"));
        assert_eq!(JournalEntry::parse(&entry.to_message(), "E1"), Ok(entry.clone()));
        assert_eq!(entry.key(), ("run-1", 3));
        let here = Presence { what: "console".into(), until: Timestamp::UNIX_EPOCH };
        let entry = JournalEntry::of_presence("alice@laptop-7", "run-1", 4, here);
        assert_eq!(JournalEntry::parse(&entry.to_message(), "E1"), Ok(entry));
    }

    #[test]
    fn what_cutover_would_not_write_is_refused() {
        let other = JournalEntry::of_record("alice@laptop-7", "run-1", 1, record("E2")).to_message();
        assert_eq!(JournalEntry::parse(&other, "E1"), Err(Refused::OtherDistribution("E2".into())));
        assert!(matches!(JournalEntry::parse("{", "E1"), Err(Refused::Unreadable(_))));
        assert_eq!(JournalEntry::parse(r#"{"v":1,"by":"a","run":"r","seq":1}"#, "E1"), Err(Refused::Empty));
        let nameless = JournalEntry::of_record(" ", "run-1", 1, record("E1")).to_message();
        assert_eq!(JournalEntry::parse(&nameless, "E1"), Err(Refused::BadName));
        let newer = r#"{"v":2,"by":"a","run":"r","seq":1}"#;
        assert_eq!(JournalEntry::parse(newer, "E1"), Err(Refused::Newer(2)));
        let huge = format!(r#"{{"v":1,"by":"{}"}}"#, "x".repeat(MAX_MESSAGE_BYTES));
        assert_eq!(JournalEntry::parse(&huge, "E1"), Err(Refused::TooLarge));
    }

    #[test]
    fn stream_names_hold_no_colon() {
        let started: Timestamp = "2026-12-07T08:45:10Z".parse().unwrap();
        assert_eq!(stream_name("alice@laptop-7", started, "mb1x9k"), "alice@laptop-7/2026-12-07T08-45-10Z/mb1x9k");
        assert_eq!(by("alice", "laptop-7"), "alice@laptop-7");
    }
}
