//! The team's news (issue 23): others' records read from the shared journal into the event log,
//! the journal's sending and reading trouble said once when it starts and once when it ends, and
//! changes made outside cutover found at each read of the distribution and of the router's store.
//! Others' records are shown and warned about, never acted on.

use jiff::ToSpan;

use crate::app::action::{Effect, Work};
use crate::app::model::state::{MoveKind, State};
use crate::app::model::team::{Author, OutsideChange, Placed, TrailWrite, share_words};
use crate::audit::journal_entry::JournalEntry;
use crate::audit::{AuditRecord, RecordKind};
use crate::backend::BackendError;
use crate::domain::format::duration_short;
use crate::domain::visible::escape as visible;
use crate::domain::{Level, Topology};
use crate::notify::Notice;

/// Ask for the journal to be read, once, when the distribution has one.
pub fn start_reader(state: &mut State) -> Vec<Effect> {
    match &mut state.team.journal {
        Some(journal) if !journal.reader_started => {
            journal.reader_started = true;
            let group = journal.log_group.clone();
            state.log(Level::Info, None, format!("team journal: {} (records sent and read)", visible(&group)));
            vec![Effect::on(state.distribution_id.clone(), Work::ReadJournal)]
        }
        _ => Vec::new(),
    }
}

/// Entries read from the journal: each new record of someone else's into the event log, with who.
pub fn heard(state: &mut State, entries: Vec<JournalEntry>) -> Vec<Effect> {
    let Some(journal) = &mut state.team.journal else { return Vec::new() };
    let first = !journal.caught_up;
    journal.caught_up = true;
    for heard in journal.hear(entries) {
        let (level, route, sentence) = in_words(&heard.record);
        state.log(level, route.as_deref(), format!("{}: {sentence}", visible(&heard.by)));
    }
    explained_late(state);
    if first { since_the_team_placed(state) } else { Vec::new() }
}

/// Once the journal's last hour is read: the distribution as read against where anyone's cutover
/// last put each route (this machine's trail, and the team's records), so a change made outside
/// cutover after a teammate's move is found by a console that never saw the move.
fn since_the_team_placed(state: &mut State) -> Vec<Effect> {
    let Some(topology) = state.learned.topology.as_ref().cloned() else { return Vec::new() };
    let read_at = state.learned.topology.received_at().unwrap_or(state.now);
    let placed = placed_before(state, read_at);
    since_placed(state, &placed, &topology)
}

/// Where cutover last put each route before `read_at`: this machine's trail, and the team's
/// records heard so far (a move taken after the read cannot show in it).
fn placed_before(state: &State, read_at: jiff::Timestamp) -> Vec<Placed> {
    let mut placed = state.team.placed.clone();
    let Some(journal) = &state.team.journal else { return placed };
    let records = journal.heard.iter().map(|h| &h.record).filter(|r| r.time <= read_at);
    for place in crate::app::history::placed_by_cutover(records, &state.distribution_id) {
        match placed.iter_mut().find(|p| p.route == place.route && p.share == place.share) {
            Some(older) if older.at < place.at => *older = place,
            Some(_) => {}
            None => placed.push(place),
        }
    }
    placed
}

/// A change reported as outside cutover that a teammate's record, read since, explains: it was
/// theirs. (The journal is read after the distribution, and a record can be sent late.)
fn explained_late(state: &mut State) {
    let Some(journal) = &state.team.journal else { return };
    let now = state.now;
    let (theirs, kept): (Vec<_>, Vec<_>) =
        std::mem::take(&mut state.team.outside).into_iter().partition(|c| journal.explains(&c.route, &c.to, now));
    state.team.outside = kept;
    for change in theirs {
        let route = visible(&change.route).into_owned();
        state.log(
            Level::Info,
            Some(&change.route),
            format!("{route} was moved by a teammate: the journal has their record"),
        );
        if state.notices.banner.as_deref() == Some(change.describe().as_str()) {
            state.notices.banner = None;
        }
    }
}

/// One of someone else's records as an event-log line: its level, its route, a sentence.
fn in_words(record: &AuditRecord) -> (Level, Option<String>, String) {
    let entry = crate::audit::to_log_entry(record);
    let sentence = crate::audit::describe::sentence(record);
    let level = match record.kind {
        RecordKind::SwitchRequested | RecordKind::StageRequested | RecordKind::AutoRollback => Level::Warn,
        _ => entry.level,
    };
    (level, entry.route, visible(&sentence).into_owned())
}

/// Entries the journal held that this cutover refuses: said once per reason.
pub fn refused(state: &mut State, count: u64, why: &str) -> Vec<Effect> {
    let Some(journal) = &mut state.team.journal else { return Vec::new() };
    let seen = journal.refused.entry(why.to_string()).or_insert(0);
    let first = *seen == 0;
    *seen += count;
    if first {
        let message = format!("team journal: an entry ignored ({}); such entries are counted, not shown", visible(why));
        state.log(Level::Warn, None, message);
    }
    Vec::new()
}

/// The journal cannot be read (and why), or reads again.
pub fn reading(state: &mut State, trouble: Option<String>) -> Vec<Effect> {
    let now = state.now;
    let Some(journal) = &mut state.team.journal else { return Vec::new() };
    match (journal.reading_trouble.take(), trouble) {
        (None, Some(why)) => {
            journal.reading_trouble = Some((now, why.clone()));
            let message = format!("team journal unreadable: {}; others' records are not shown", visible(&why));
            state.log(Level::Warn, None, message);
        }
        (Some(since), Some(_)) => journal.reading_trouble = Some(since),
        (Some((since, _)), None) => {
            let outage = duration_short(now.duration_since(since).as_secs());
            state.log(Level::Info, None, format!("team journal reads again after {outage}"));
        }
        (None, None) => {}
    }
    Vec::new()
}

/// How this run's records are reaching the journal: a failure shows a banner (the records are
/// kept and sent when it answers), and its end is said with how many went.
pub fn sending(state: &mut State, pending: usize, sent: u64, trouble: Option<String>) -> Vec<Effect> {
    let now = state.now;
    let Some(journal) = &mut state.team.journal else { return Vec::new() };
    let was = journal.sending.trouble.take();
    journal.sending.pending = pending;
    journal.sending.sent = sent;
    let banner = |why: &str| {
        format!("team journal unreachable ({}): {pending} record(s) kept, sent when it answers", visible(why))
    };
    match (was, trouble) {
        (None, Some(why)) => {
            journal.sending.trouble = Some((now, why.clone()));
            state.notices.banner = Some(banner(&why));
            state.log(Level::Warn, None, banner(&why));
        }
        (Some((since, _)), Some(why)) => {
            journal.sending.trouble = Some((since, why.clone()));
            state.notices.banner = Some(banner(&why));
        }
        (Some((since, _)), None) => {
            if state.notices.banner.as_deref().is_some_and(|b| b.starts_with("team journal unreachable")) {
                state.notices.banner = None;
            }
            let outage = duration_short(now.duration_since(since).as_secs());
            let message = format!("team journal answers again after {outage}; every kept record is sent");
            state.log(Level::Info, None, message);
        }
        (None, None) => {}
    }
    Vec::new()
}

/// The distribution as read now against the last good read: a route whose origin changed with no
/// move of ours and no record of a teammate's to explain it was changed outside cutover.
pub fn outside_in_topology(state: &mut State, new: &Topology) -> Vec<Effect> {
    let Some(old) = state.learned.topology.as_ref() else { return since_last_placed(state, new) };
    let since = state.learned.topology.received_at().unwrap_or(state.now);
    let mut found = Vec::new();
    for route in &new.routes {
        let Some(before) = old.route(&route.path) else { continue };
        if before.origin_id == route.origin_id {
            continue;
        }
        let words = |info: &crate::domain::RouteInfo| info.target.map_or(info.origin_id.clone(), |t| t.to_string());
        let to = words(route);
        if ours_by_behavior(state, &route.path, &route.origin_id) || teammates(state, &route.path, &to) {
            continue;
        }
        found.push(OutsideChange {
            route: route.path.clone(),
            from: words(before),
            to,
            etag_before: Some(old.etag.clone()),
            etag_after: Some(new.etag.clone()),
            seen_at: state.now,
            since,
            who: Author::NotKnownYet,
        });
    }
    report(state, found)
}

/// The first read against where cutover last put each route (the trail's end): a route elsewhere
/// was changed outside cutover while no console of this machine ran (or by a teammate whose
/// record the journal may still bring, which then explains it).
fn since_last_placed(state: &mut State, new: &Topology) -> Vec<Effect> {
    // The journal may have been read first: its records count as well.
    let placed = placed_before(state, state.now);
    since_placed(state, &placed, new)
}

/// `new` against `placed`: each route elsewhere than it was put, not said already, and no move
/// of ours nor a teammate's record to explain it.
fn since_placed(state: &mut State, placed: &[Placed], new: &Topology) -> Vec<Effect> {
    let mut found = Vec::new();
    for placed in placed.iter().filter(|p| !p.share) {
        let Some(route) = new.route(&placed.route) else { continue };
        let Some(now) = route.target.map(|t| t.to_string()) else { continue };
        let said = state.team.outside_on(&route.path, state.now).is_some();
        if now == placed.words || said || teammates(state, &route.path, &now) {
            continue;
        }
        if ours_by_behavior(state, &route.path, &route.origin_id) {
            continue;
        }
        found.push(OutsideChange {
            route: route.path.clone(),
            from: placed.words.clone(),
            to: now,
            etag_before: None,
            etag_after: Some(new.etag.clone()),
            seen_at: state.now,
            since: placed.at,
            who: Author::NotKnownYet,
        });
    }
    report(state, found)
}

/// The router's store as read now against the shares shown: a routed route whose share changed
/// with no share move of ours nor a teammate's record was changed outside cutover.
pub fn outside_in_shares(state: &mut State, before: &[(String, Option<u8>)]) -> Vec<Effect> {
    let since = state.learned.shares.received_at();
    let mut found = Vec::new();
    for row in &state.routes {
        // The first read of the store: against the share cutover last gave the route.
        let first =
            || state.team.placed.iter().find(|p| p.share && p.route == row.path).map(|p| (p.words.clone(), p.at));
        let (was, since) = match before.iter().find(|(p, _)| *p == row.path) {
            Some((_, Some(was))) => (share_words(*was), since.unwrap_or(state.now)),
            Some((_, None)) => continue,
            None if since.is_none() => match first() {
                Some(place) => place,
                None => continue,
            },
            None => continue,
        };
        let Some(now) = row.share else { continue };
        if was == share_words(now)
            || ours_by_share(state, &row.path, now)
            || teammates(state, &row.path, &share_words(now))
        {
            continue;
        }
        found.push(OutsideChange {
            route: row.path.clone(),
            from: was,
            to: share_words(now),
            etag_before: None,
            etag_after: None,
            seen_at: state.now,
            since,
            // CloudTrail does not record the KeyValueStore's data plane (`UpdateKeys`) by default.
            who: Author::Unknown("the store's writes are not in CloudTrail's management events".into()),
        });
    }
    report(state, found)
}

/// Said once each: an event, a banner, the row's mark (`Team::outside_on`), `status --json`, and
/// a notification.
fn report(state: &mut State, found: Vec<OutsideChange>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for change in found {
        let said = change.describe();
        state.log(Level::Warn, Some(&change.route), format!("{said}; who: {}", change.who.describe()));
        state.notices.banner = Some(said);
        let who = match &change.who {
            Author::Known(who) => Some(who.as_str()),
            _ => None,
        };
        effects.push(Effect::Notify(Notice::outside_change(
            &change.route,
            &change.from,
            &change.to,
            who,
            &state.distribution_id,
        )));
        state.team.outside.push(change);
    }
    effects
}

/// A notification target's trouble, or its end, in the event log.
pub fn notified(state: &mut State, failed: bool, message: &str) -> Vec<Effect> {
    state.log(if failed { Level::Warn } else { Level::Info }, None, visible(message).into_owned());
    Vec::new()
}

/// A move of ours in the last hour that put `path` on `origin_id` by behavior.
fn ours_by_behavior(state: &State, path: &str, origin_id: &str) -> bool {
    let since = state.now.checked_sub(1.hour()).unwrap_or(state.now);
    state.moves.iter().filter(|m| m.requested_at >= since).any(|m| match &m.kind {
        MoveKind::Behavior { changes, .. } => changes.iter().any(|c| c.path == path && c.to_origin_id == origin_id),
        _ => false,
    })
}

/// A share move of ours in the last hour that gave `path` Lambda's share `pct`.
fn ours_by_share(state: &State, path: &str, pct: u8) -> bool {
    let since = state.now.checked_sub(1.hour()).unwrap_or(state.now);
    state.moves.iter().filter(|m| m.requested_at >= since).any(|m| match &m.kind {
        MoveKind::Share { changes, .. } => changes.iter().any(|c| c.path == path && c.to == pct),
        _ => false,
    })
}

fn teammates(state: &State, path: &str, to: &str) -> bool {
    state.team.journal.as_ref().is_some_and(|j| j.explains(path, to, state.now))
}

/// Each tick: while an outside change's author is not known, ask CloudTrail, at most once a
/// [`AUTHOR_LOOKUP_EVERY_SECS`](crate::app::model::team::AUTHOR_LOOKUP_EVERY_SECS); after
/// [`AUTHOR_LOOKUP_FOR_MINUTES`](crate::app::model::team::AUTHOR_LOOKUP_FOR_MINUTES), give up.
pub fn look_for_authors(state: &mut State) -> Vec<Effect> {
    use crate::app::model::team::{AUTHOR_LOOKUP_EVERY_SECS, AUTHOR_LOOKUP_FOR_MINUTES};
    let now = state.now;
    let give_up = now.checked_sub(AUTHOR_LOOKUP_FOR_MINUTES.minutes()).unwrap_or(now);
    let mut gave_up = Vec::new();
    for change in state.team.outside.iter_mut().filter(|c| c.who == Author::NotKnownYet && c.seen_at < give_up) {
        change.who =
            Author::Unknown(format!("CloudTrail had no event for it within {AUTHOR_LOOKUP_FOR_MINUTES} minutes"));
        gave_up.push(change.route.clone());
    }
    for route in gave_up {
        state.log(
            Level::Warn,
            Some(&route),
            format!("who changed {} outside cutover: not found in CloudTrail", visible(&route)),
        );
    }
    let due = state.team.next_author_lookup.is_none_or(|at| now >= at);
    match state.team.authors_wanted(now) {
        Some((from, to)) if due => {
            state.team.next_author_lookup = now.checked_add(AUTHOR_LOOKUP_EVERY_SECS.seconds()).ok();
            // Events are stamped when AWS took the call: a little before the read that showed it.
            let from = from.checked_sub(5.minutes()).unwrap_or(from);
            vec![Effect::on(state.distribution_id.clone(), Work::LookupAuthors { from, to })]
        }
        _ => Vec::new(),
    }
}

/// CloudTrail's answer: each outside change still without an author takes the write whose ETag is
/// the one read after it, else the newest write in its span.
pub fn authors_found(state: &mut State, result: Result<Vec<TrailWrite>, BackendError>) -> Vec<Effect> {
    let writes = match result {
        Ok(writes) => writes,
        Err(why) => {
            let open: Vec<String> =
                state.team.outside.iter().filter(|c| c.who == Author::NotKnownYet).map(|c| c.route.clone()).collect();
            if matches!(why, BackendError::AccessDenied(_) | BackendError::Credentials(_)) {
                for change in state.team.outside.iter_mut().filter(|c| c.who == Author::NotKnownYet) {
                    change.who = Author::Unknown("cloudtrail:LookupEvents is not allowed".into());
                }
            }
            if !open.is_empty() {
                state.log(
                    Level::Warn,
                    None,
                    format!(
                        "CloudTrail could not be asked who changed {}: {}",
                        open.join(", "),
                        visible(&why.to_string())
                    ),
                );
            }
            return Vec::new();
        }
    };
    let mut told = Vec::new();
    for change in state.team.outside.iter_mut().filter(|c| c.who == Author::NotKnownYet) {
        let by_etag = writes.iter().find(|w| w.etag.is_some() && w.etag == change.etag_after);
        let in_span =
            || writes.iter().filter(|w| w.time <= change.seen_at && w.time >= change.since).max_by_key(|w| w.time);
        if let Some(write) = by_etag.or_else(in_span) {
            change.who = Author::Known(write.who.clone());
            told.push((change.route.clone(), write.who.clone()));
        }
    }
    let mut effects = Vec::new();
    for (route, who) in told {
        let message = format!("{} was changed outside cutover by {}", visible(&route), visible(&who));
        state.log(Level::Info, Some(&route), message);
        // The first notice said "not known yet": the team hears who, once known.
        if let Some(change) = state.team.outside.iter().rev().find(|c| c.route == route) {
            let notice = Notice::outside_change(&route, &change.from, &change.to, Some(&who), &state.distribution_id);
            effects.push(Effect::Notify(notice));
        }
    }
    effects
}
