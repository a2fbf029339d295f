//! What one distribution's console knows of the team (issue 23): the records others sent to the
//! shared journal, who else is watching or acting, how this run's own records are being sent, and
//! changes made to the distribution outside cutover. Written only by `update::team` and the
//! refresh (which finds outside changes) (`tests/tidy.rs`).
//!
//! Others' records are untrusted input: they are shown (escaped, as all outside text) and warned
//! about, never acted on.

use std::collections::{BTreeMap, HashSet, VecDeque};

use jiff::{Timestamp, ToSpan};

use crate::audit::journal_entry::JournalEntry;
use crate::audit::{AuditRecord, RecordKind};
use crate::domain::Target;
use crate::domain::format::duration_short;
use crate::domain::visible::escape as visible;

/// Others' records kept: far more than an incident's hour of moves.
pub const HEARD_KEPT: usize = 2_000;
/// Someone whose last record is this recent is acting.
pub const ACTING_FOR_MINUTES: i64 = 15;
/// An unfinished move of someone else's older than this is not warned about: its run has most
/// likely ended without a word (a crash, a closed laptop), and its outcome is the distribution's.
pub const UNFINISHED_FOR_MINUTES: i64 = 30;
/// How long the author of an outside change is looked for in CloudTrail, whose events arrive
/// minutes (sometimes a quarter of an hour) late.
pub const AUTHOR_LOOKUP_FOR_MINUTES: i64 = 30;
/// How long a change made outside cutover keeps the banner (the row's `✎` stays an hour).
pub const OUTSIDE_BANNER_MINUTES: i64 = 10;
/// Between two CloudTrail lookups of one distribution.
pub const AUTHOR_LOOKUP_EVERY_SECS: i64 = 60;

/// One record another run sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Heard {
    /// `operator@host`.
    pub by: String,
    pub run: String,
    pub record: AuditRecord,
}

/// Someone else here: what they run, and until when they are counted (a presence entry's `until`,
/// or a record's time and [`ACTING_FOR_MINUTES`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Present {
    pub what: String,
    pub until: Timestamp,
}

/// How this run's records are reaching the journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sending {
    /// Records kept locally and not yet sent.
    pub pending: usize,
    pub sent: u64,
    /// Why sending fails, since when; `None` while it works.
    pub trouble: Option<(Timestamp, String)>,
}

/// The journal, when the config has `[team]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Journal {
    pub log_group: String,
    /// The reader was asked for (once per console).
    pub reader_started: bool,
    /// The reader's first round came back (the last hour read): a headless run plans after it.
    pub caught_up: bool,
    pub heard: VecDeque<Heard>,
    /// Entries already heard, by run and sequence number: a repeat is dropped.
    keys: HashSet<(String, u64)>,
    /// Others here, by `operator@host`, with their newest presence.
    pub present: BTreeMap<String, Present>,
    pub sending: Sending,
    /// Why the journal cannot be read, since when.
    pub reading_trouble: Option<(Timestamp, String)>,
    /// Entries refused, by why (said once each).
    pub refused: BTreeMap<String, u64>,
}

/// Who made a change outside cutover, as far as CloudTrail has told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Author {
    /// CloudTrail has no event for it yet (they arrive minutes late).
    NotKnownYet,
    Known(String),
    /// Looked for [`AUTHOR_LOOKUP_FOR_MINUTES`], or CloudTrail cannot be asked: why.
    Unknown(String),
}

impl Author {
    pub fn describe(&self) -> String {
        match self {
            Author::NotKnownYet => "not known yet".into(),
            Author::Known(who) => visible(who).into_owned(),
            Author::Unknown(why) => format!("unknown ({why})"),
        }
    }
}

/// A route that changed between two reads with no move of this console's nor record in the journal
/// to explain it: the AWS console, Terraform, a script, a teammate without `[team]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutsideChange {
    pub route: String,
    /// Where it was and is: a side (`λ Lambda`), a share (`λ 10 %`), or an origin id.
    pub from: String,
    pub to: String,
    pub etag_before: Option<String>,
    pub etag_after: Option<String>,
    /// The read that showed it.
    pub seen_at: Timestamp,
    /// The read before, when the route was still as it had been: the change happened in between.
    pub since: Timestamp,
    pub who: Author,
}

impl OutsideChange {
    /// `/x/* changed outside cutover: now on ◼ origin (ETag A → B)`.
    pub fn describe(&self) -> String {
        let etags = match (&self.etag_before, &self.etag_after) {
            (Some(before), Some(after)) if before != after => {
                format!(" (ETag {} → {})", visible(before), visible(after))
            }
            _ => String::new(),
        };
        format!("{} changed outside cutover: now on {}{etags}", visible(&self.route), visible(&self.to))
    }
}

/// One `UpdateDistribution` of the distribution CloudTrail recorded: when, by whom (an ARN), and
/// the ETag it produced when the event says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrailWrite {
    pub time: Timestamp,
    pub who: String,
    pub etag: Option<String>,
}

/// Where cutover last put a route, as the trail says (`history::placed_by_cutover`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub route: String,
    /// A side (`λ Lambda`), or a routed route's share (`λ 10 %`).
    pub words: String,
    /// Whether it is a share in the router's store (compared with the store's first read).
    pub share: bool,
    pub at: Timestamp,
}

/// What the console knows of the team.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Team {
    pub journal: Option<Journal>,
    /// Changes made outside cutover, oldest first.
    pub outside: Vec<OutsideChange>,
    /// When CloudTrail may be asked again.
    pub next_author_lookup: Option<Timestamp>,
    /// Where cutover last put each route before this run, for the first reads.
    pub placed: Vec<Placed>,
}

/// Someone else's move not finished yet, as their records tell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OthersMove {
    pub by: String,
    pub routes: Vec<String>,
    pub to: Option<Target>,
    pub requested_at: Timestamp,
    /// `accepted`: AWS took it and it is rolling out; else not answered yet.
    pub accepted: bool,
    pub stage: bool,
}

impl OthersMove {
    /// `alice@laptop-7 is rolling /orders/* back: requested 40s ago, still InProgress`.
    pub fn describe(&self, now: Timestamp) -> String {
        let routes = visible(&self.routes.join(", ")).into_owned();
        let doing = match (self.stage, self.to) {
            (true, _) => format!("is moving the stage of {routes}"),
            (false, Some(Target::Origin)) => format!("is rolling {routes} back"),
            (false, Some(Target::Lambda)) => format!("is moving {routes} to Lambda"),
            (false, None) => format!("is moving {routes}"),
        };
        let ago = duration_short(now.duration_since(self.requested_at).as_secs().max(0));
        let status = if self.accepted { "still InProgress" } else { "not yet accepted" };
        format!("{} {doing}: requested {ago} ago, {status}", visible(&self.by))
    }
}

impl Journal {
    pub fn new(log_group: String) -> Self {
        Journal {
            log_group,
            reader_started: false,
            caught_up: false,
            heard: VecDeque::new(),
            keys: HashSet::new(),
            present: BTreeMap::new(),
            sending: Sending::default(),
            reading_trouble: None,
            refused: BTreeMap::new(),
        }
    }

    /// Take entries read from the journal; returns the records not heard before, in order.
    pub fn hear(&mut self, entries: Vec<JournalEntry>) -> Vec<Heard> {
        let mut new = Vec::new();
        for entry in entries {
            if !self.keys.insert((entry.run.clone(), entry.seq)) {
                continue;
            }
            if let Some(here) = entry.here {
                let seen = self
                    .present
                    .entry(entry.by.clone())
                    .or_insert(Present { what: here.what.clone(), until: here.until });
                if here.until >= seen.until {
                    *seen = Present { what: here.what, until: here.until };
                }
            }
            if let Some(record) = entry.record {
                let until = record.time.checked_add(ACTING_FOR_MINUTES.minutes()).unwrap_or(record.time);
                let seen = self.present.entry(entry.by.clone()).or_insert(Present { what: "acting".into(), until });
                seen.until = seen.until.max(until);
                new.push(Heard { by: entry.by, run: entry.run, record });
            }
        }
        self.heard.extend(new.iter().cloned());
        while self.heard.len() > HEARD_KEPT {
            self.heard.pop_front();
        }
        new
    }

    /// Who else is here now, `operator@host`, with whether they acted in the last
    /// [`ACTING_FOR_MINUTES`] (else they only watch).
    pub fn others(&self, now: Timestamp) -> Vec<(&str, bool)> {
        let since = now.checked_sub(ACTING_FOR_MINUTES.minutes()).unwrap_or(now);
        (self.present.iter())
            .filter(|(_, p)| p.until > now)
            .map(|(by, _)| {
                let acted = self.heard.iter().any(|h| &h.by == by && h.record.time >= since);
                (by.as_str(), acted)
            })
            .collect()
    }

    /// Someone else's newest unfinished move on any of `routes` (`None`: any route of the
    /// distribution), as their records tell it.
    pub fn unfinished_on(&self, routes: Option<&[String]>, now: Timestamp) -> Option<OthersMove> {
        let since = now.checked_sub(UNFINISHED_FOR_MINUTES.minutes()).unwrap_or(now);
        let mut attempts: BTreeMap<&str, (&Heard, Option<&Heard>)> = BTreeMap::new();
        for heard in self.heard.iter().filter(|h| h.record.time >= since) {
            let Some(attempt) = heard.record.attempt.as_deref() else { continue };
            match heard.record.kind {
                RecordKind::SwitchRequested | RecordKind::AutoRollback | RecordKind::StageRequested => {
                    attempts.insert(attempt, (heard, None));
                }
                _ => {
                    if let Some((_, last)) = attempts.get_mut(attempt) {
                        *last = Some(heard);
                    }
                }
            }
        }
        let concerns = |record: &AuditRecord| match routes {
            None => true,
            Some(routes) => record.routes.iter().any(|r| routes.contains(r)),
        };
        (attempts.into_values())
            .filter(|(request, _)| concerns(&request.record))
            .filter_map(|(request, last)| {
                let accepted = match last.map(|l| l.record.kind) {
                    None => false,
                    Some(RecordKind::SwitchAccepted) => true,
                    Some(
                        RecordKind::EdgeMoved
                        | RecordKind::TrafficMoved
                        | RecordKind::ViewersHealthy
                        | RecordKind::GuardBreach
                        | RecordKind::PlanStep
                        | RecordKind::Unknown,
                    ) => true,
                    // Deployed, failed, abandoned, the stage's answers: finished.
                    Some(_) => return None,
                };
                let record = &request.record;
                Some(OthersMove {
                    by: request.by.clone(),
                    routes: record.routes.clone(),
                    to: record.to,
                    requested_at: record.requested_at.unwrap_or(record.time),
                    accepted,
                    stage: record.kind == RecordKind::StageRequested,
                })
            })
            .max_by_key(|m| m.requested_at)
    }

    /// Whether a record of someone else's, in the last hour, moved `route` to `to` (a side, by
    /// behavior) — so a read that shows it there is no outside change.
    pub fn explains(&self, route: &str, to: &str, now: Timestamp) -> bool {
        let since = now.checked_sub(1.hour()).unwrap_or(now);
        self.heard.iter().filter(|h| h.record.time >= since && h.record.routes.iter().any(|r| r == route)).any(|h| {
            let sides = h.record.to.is_some_and(|t| t.to_string() == to);
            let shares = h.record.shares.iter().any(|s| s.route == route && share_words(s.to_pct) == to);
            sides || shares
        })
    }
}

/// A routed route's place, as an outside change says it: `λ 10 %`.
pub fn share_words(pct: u8) -> String {
    format!("λ {pct} %")
}

impl Team {
    pub fn new(log_group: Option<String>, placed: Vec<Placed>) -> Self {
        Team { journal: log_group.map(Journal::new), outside: Vec::new(), next_author_lookup: None, placed }
    }

    /// The outside change shown on `route`'s row: its newest in the last hour.
    pub fn outside_on(&self, route: &str, now: Timestamp) -> Option<&OutsideChange> {
        let since = now.checked_sub(1.hour()).unwrap_or(now);
        self.outside.iter().rev().find(|c| c.route == route && c.seen_at >= since)
    }

    /// The banner of the newest outside change seen in the last [`OUTSIDE_BANNER_MINUTES`].
    pub fn banner(&self, now: Timestamp) -> Option<String> {
        let since = now.checked_sub(OUTSIDE_BANNER_MINUTES.minutes()).unwrap_or(now);
        self.outside.iter().rev().find(|c| c.seen_at >= since).map(OutsideChange::describe)
    }

    /// Outside changes whose author CloudTrail may still give, and the span to ask about.
    pub fn authors_wanted(&self, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
        let give_up = now.checked_sub(AUTHOR_LOOKUP_FOR_MINUTES.minutes()).unwrap_or(now);
        let open: Vec<&OutsideChange> =
            self.outside.iter().filter(|c| c.who == Author::NotKnownYet && c.seen_at >= give_up).collect();
        let from = open.iter().map(|c| c.since).min()?;
        let to = open.iter().map(|c| c.seen_at).max()?;
        Some((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Environment;
    use crate::audit::journal_entry::Presence;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn record(kind: RecordKind, time: &str, attempt: &str) -> AuditRecord {
        let mut record = AuditRecord::new(at(time), kind, Environment::Live, "alice", "E1").with_routes(["/orders/*"]);
        record.attempt = Some(attempt.into());
        record.to = Some(Target::Origin);
        record
    }

    fn entry(seq: u64, record: AuditRecord) -> JournalEntry {
        JournalEntry::of_record("alice@laptop-7", "run-a", seq, record)
    }

    #[test]
    fn a_repeated_entry_is_heard_once() {
        let mut journal = Journal::new("/cutover/E1".into());
        let first = entry(1, record(RecordKind::SwitchRequested, "2026-12-07T09:00:00Z", "a-1"));
        assert_eq!(journal.hear(vec![first.clone()]).len(), 1);
        assert!(journal.hear(vec![first]).is_empty());
        assert_eq!(journal.heard.len(), 1);
    }

    #[test]
    fn an_unfinished_move_of_someone_else_is_found_until_it_ends() {
        let mut journal = Journal::new("/cutover/E1".into());
        journal.hear(vec![
            entry(1, record(RecordKind::SwitchRequested, "2026-12-07T09:00:00Z", "a-1")),
            entry(2, record(RecordKind::SwitchAccepted, "2026-12-07T09:00:01Z", "a-1")),
        ]);
        let now = at("2026-12-07T09:00:40Z");
        let routes = ["/orders/*".to_string()];
        let found = journal.unfinished_on(Some(&routes), now).unwrap();
        assert_eq!(
            found.describe(now),
            "alice@laptop-7 is rolling /orders/* back: requested 40s ago, still InProgress"
        );
        assert!(journal.unfinished_on(Some(&["/users/*".to_string()]), now).is_none());
        assert!(journal.unfinished_on(None, now).is_some());
        journal.hear(vec![entry(3, record(RecordKind::SwitchDeployed, "2026-12-07T09:03:00Z", "a-1"))]);
        assert!(journal.unfinished_on(None, now).is_none());
    }

    #[test]
    fn a_move_left_unfinished_long_ago_is_not_warned_about() {
        let mut journal = Journal::new("/cutover/E1".into());
        journal.hear(vec![entry(1, record(RecordKind::SwitchRequested, "2026-12-07T08:00:00Z", "a-1"))]);
        assert!(journal.unfinished_on(None, at("2026-12-07T09:00:00Z")).is_none());
    }

    #[test]
    fn others_are_watching_until_their_presence_ends_and_acting_after_a_record() {
        let mut journal = Journal::new("/cutover/E1".into());
        let here = Presence { what: "console".into(), until: at("2026-12-07T09:03:00Z") };
        journal.hear(vec![JournalEntry::of_presence("bob@mac", "run-b", 1, here)]);
        journal.hear(vec![entry(1, record(RecordKind::SwitchRequested, "2026-12-07T09:00:00Z", "a-1"))]);
        let now = at("2026-12-07T09:01:00Z");
        assert_eq!(journal.others(now), [("alice@laptop-7", true), ("bob@mac", false)]);
        assert_eq!(journal.others(at("2026-12-07T09:05:00Z")), [("alice@laptop-7", true)]);
        assert!(journal.others(at("2026-12-07T09:20:00Z")).is_empty());
    }

    #[test]
    fn a_teammates_record_explains_a_route_now_on_its_side() {
        let mut journal = Journal::new("/cutover/E1".into());
        journal.hear(vec![entry(1, record(RecordKind::SwitchRequested, "2026-12-07T09:00:00Z", "a-1"))]);
        let now = at("2026-12-07T09:02:00Z");
        assert!(journal.explains("/orders/*", &Target::Origin.to_string(), now));
        assert!(!journal.explains("/orders/*", &Target::Lambda.to_string(), now));
        assert!(!journal.explains("/users/*", &Target::Origin.to_string(), now));
    }
}
