//! What the runtime tells the team (`[notify]`, issue 23): every record written (as
//! `notify::Notice::of_record` words it, when `on` chose its kind), an audit trail that fails, and
//! what `update` asks for (`Effect::Notify`: a change made outside cutover). The notifier sends off
//! the UI task; this only hands notices over.

use std::collections::BTreeSet;

use crate::audit::AuditRecord;
use crate::backend::notify::{Notifier, NotifyReport};
use crate::notify::Notice;

pub struct Notifications {
    notifier: Notifier,
    /// Every configured stage's fallback deployment: a stage move to one is a rollback.
    fallbacks: BTreeSet<String>,
}

impl Notifications {
    pub fn new(notifier: Notifier, fallbacks: BTreeSet<String>) -> Self {
        Notifications { notifier, fallbacks }
    }

    pub fn disabled() -> Self {
        Notifications { notifier: Notifier::disabled(), fallbacks: BTreeSet::new() }
    }

    /// A record just written (or not: `trail_error`).
    pub fn record(&self, record: &AuditRecord, trail_error: Option<&String>) {
        if let Some(notice) = Notice::of_record(record, &self.fallbacks) {
            self.notifier.send(notice);
        }
        if let Some(error) = trail_error {
            self.notifier.send(Notice::audit_failure(&record.operator, &record.distribution, error));
        }
    }

    pub fn send(&self, notice: Notice) {
        self.notifier.send(notice);
    }

    pub async fn flush(self) {
        self.notifier.flush().await;
    }
}

/// A notifier's report as an event-log line: whether it is a failure, and the words.
pub fn in_words(report: &NotifyReport) -> (bool, String) {
    match report {
        NotifyReport::Failed { target, why, lines } => {
            (true, format!("notification to {target} failed ({why}); {lines} notice(s) not sent"))
        }
        NotifyReport::Recovered { target } => (false, format!("notifications to {target} go through again")),
        NotifyReport::Overflowed { target } => {
            (true, format!("notifications to {target} are backed up: new ones are dropped until it catches up"))
        }
    }
}
