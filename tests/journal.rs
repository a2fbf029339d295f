//! The team journal's sender and reader on the in-memory log group, under tokio's paused clock:
//! batches within a second, the journal down then back (every record once, in order), a lost
//! answer (read once), the outbox (kept by flush, taken once by two starting runs), presence,
//! and hostile entries refused without stopping the reader.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cutover::audit::journal_entry::JournalEntry;
use cutover::audit::{AuditRecord, Environment, RecordKind};
use cutover::backend::journal::memory::{Call, Fault};
use cutover::backend::journal::outbox;
use cutover::backend::journal::{
    Identity, JournalCalls, JournalFeed, JournalSender, MemoryJournal, ReaderOptions, SenderOptions, spawn_reader,
    spawn_sender,
};
use cutover::clock::Clock;
use jiff::Timestamp;
use tokio::sync::mpsc::Receiver;

const GROUP: &str = "/cutover/E1";

fn clock() -> Clock {
    Clock::simulated(Timestamp::from_second(1_796_000_000).unwrap(), 1.0)
}

fn record(clock: &Clock, n: usize) -> AuditRecord {
    AuditRecord::new(clock.now(), RecordKind::SwitchRequested, Environment::Live, "alice", "E1")
        .with_routes([format!("/r{n}/*")])
}

fn identity(who: &str) -> Identity {
    Identity { by: format!("{who}@laptop"), run: format!("{who}@laptop/2026-12-07T09-00-00Z/{who}-run") }
}

fn sender(journal: &MemoryJournal, who: &str, clock: &Clock, options: SenderOptions) -> JournalSender {
    spawn_sender(Arc::new(journal.clone()), identity(who), clock.clone(), SenderOptions { salt: 3, ..options })
}

fn reader(journal: &MemoryJournal, own: &str, clock: &Clock) -> Receiver<JournalFeed> {
    let options = ReaderOptions { salt: 5, ..ReaderOptions::default() };
    spawn_reader(Arc::new(journal.clone()), "E1", &identity(own).run, clock.clone(), options)
}

/// The entries in the group, in the order taken (repeats included).
fn stored(journal: &MemoryJournal) -> Vec<JournalEntry> {
    journal.messages().iter().map(|(_, m)| JournalEntry::parse(m, "E1").expect("cutover's own entry")).collect()
}

fn keys(entries: &[JournalEntry]) -> Vec<(String, u64)> {
    entries.iter().map(|e| (e.run.clone(), e.seq)).collect()
}

/// The records' entries the reader handed over until `count` have come (or a minute of quiet),
/// and everything else it said.
async fn read_entries(feed: &mut Receiver<JournalFeed>, count: usize) -> (Vec<JournalEntry>, Vec<JournalFeed>) {
    let (mut entries, mut other) = (Vec::new(), Vec::new());
    while entries.len() < count {
        match tokio::time::timeout(Duration::from_secs(60), feed.recv()).await {
            Ok(Some(JournalFeed::Entries(new))) => entries.extend(new.into_iter().filter(|e| e.record.is_some())),
            Ok(Some(said)) => other.push(said),
            _ => panic!("only {} of {count} entries came: {entries:#?} {other:#?}", entries.len()),
        }
    }
    (entries, other)
}

/// Nothing more from the reader for `span`.
async fn quiet(feed: &mut Receiver<JournalFeed>, span: Duration) -> Vec<JournalFeed> {
    let mut said = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(span, feed.recv()).await {
        said.push(message);
    }
    said
}

fn temp_outbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-journal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join(outbox::FILE_NAME)
}

#[tokio::test(start_paused = true)]
async fn records_within_a_second_go_in_one_batch_and_others_read_them_in_order() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let alice = sender(&journal, "alice", &clock, SenderOptions::default());
    let mut bob = reader(&journal, "bob", &clock);
    let mut own = reader(&journal, "alice", &clock);
    for n in 0..3 {
        alice.send(record(&clock, n));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (entries, _) = read_entries(&mut bob, 3).await;
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(entries[2].record.as_ref().unwrap().routes, ["/r2/*"]);
    assert_eq!(entries[0].by, "alice@laptop");
    let puts: Vec<Call> = journal.calls().into_iter().filter(|c| matches!(c, Call::Put(_))).collect();
    assert_eq!(puts, [Call::Put(3)]);
    assert_eq!(journal.streams(), [identity("alice").run]);
    // A run never reads its own entries back.
    assert!(
        quiet(&mut own, Duration::from_secs(20))
            .await
            .iter()
            .all(|f| !matches!(f, JournalFeed::Entries(e) if !e.is_empty()))
    );
    assert_eq!(alice.status().borrow().sent, 3);
    assert_eq!(alice.unsent(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_journal_down_then_back_gets_every_record_once_in_order() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    journal.set_fault(Some(Fault::Down));
    let alice = sender(&journal, "alice", &clock, SenderOptions::default());
    let mut status = alice.status();
    for n in 0..5 {
        alice.send(record(&clock, n));
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    let trouble = status.borrow_and_update().trouble.clone().expect("the trouble is said");
    assert!(trouble.contains("/cutover/E1") && trouble.contains("cannot reach CloudWatch Logs"), "{trouble}");
    assert_eq!(alice.unsent(), 5);
    journal.set_fault(None);
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(keys(&stored(&journal)), (1..=5).map(|seq| (identity("alice").run, seq)).collect::<Vec<_>>());
    let now = status.borrow().clone();
    assert_eq!((now.trouble, now.sent, now.pending, now.left_out), (None, 5, 0, 0));
    assert_eq!(alice.unsent(), 0);
    // Every record a failed call carried was sent again after a backoff, never dropped.
    let tries = journal.calls().iter().filter(|c| **c == Call::EnsureGroup).count();
    assert!((3..20).contains(&tries), "{tries} tries in 2 minutes");
}

#[tokio::test(start_paused = true)]
async fn a_batch_whose_answer_was_lost_is_sent_again_and_read_once() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let alice = sender(&journal, "alice", &clock, SenderOptions::default());
    let mut bob = reader(&journal, "bob", &clock);
    tokio::time::sleep(Duration::from_secs(1)).await;
    journal.set_fault(Some(Fault::AnswerLost));
    alice.send(record(&clock, 1));
    alice.send(record(&clock, 2));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    journal.set_fault(None);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let run = identity("alice").run;
    let twice: Vec<(String, u64)> = [1, 2, 1, 2].iter().map(|seq| (run.clone(), *seq)).collect();
    assert_eq!(keys(&stored(&journal)), twice, "the lost answer's batch was taken, then sent again");
    let (entries, _) = read_entries(&mut bob, 2).await;
    assert_eq!(keys(&entries), twice[..2]);
    let later = quiet(&mut bob, Duration::from_secs(30)).await;
    assert!(later.iter().all(|f| !matches!(f, JournalFeed::Entries(e) if !e.is_empty())), "{later:#?}");
}

#[tokio::test(start_paused = true)]
async fn flush_keeps_what_is_left_and_the_next_run_sends_it_with_its_own_run_and_seq() {
    let clock = clock();
    let path = temp_outbox("flush");
    let journal = MemoryJournal::new(GROUP, clock.clone());
    journal.set_fault(Some(Fault::Down));
    let options = SenderOptions { outbox: Some(path.clone()), ..SenderOptions::default() };
    let alice = sender(&journal, "alice", &clock, options.clone());
    alice.send(record(&clock, 1));
    alice.send(record(&clock, 2));
    let flushed = alice.flush(Duration::from_secs(5)).await;
    assert_eq!(flushed.left, 2);
    assert_eq!(flushed.kept, Some(Ok(path.clone())));
    // The handle still takes records, and drops them quietly: the run is over.
    alice.send(record(&clock, 3));

    journal.set_fault(None);
    let later = sender(&journal, "alice-again", &clock, options);
    let mut bob = reader(&journal, "bob", &clock);
    later.send(record(&clock, 4));
    let (entries, _) = read_entries(&mut bob, 3).await;
    let run = identity("alice").run;
    assert_eq!(keys(&entries), [(run.clone(), 1), (run, 2), (identity("alice-again").run, 1)]);
    assert!(journal.messages().iter().all(|(stream, _)| *stream == identity("alice-again").run));
    assert_eq!(later.flush(Duration::from_secs(5)).await.left, 0);
    assert!(!path.exists(), "the taken outbox is removed once sent");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test(start_paused = true)]
async fn two_starting_runs_take_the_outbox_once_and_leave_other_groups_entries() {
    let clock = clock();
    let path = temp_outbox("twice");
    let old = |seq| JournalEntry::of_record("carol@desk", "carol-run", seq, record(&clock, seq as usize));
    outbox::keep(&path, GROUP, &[old(1), old(2), old(3)]).unwrap();
    outbox::keep(&path, "/cutover/E2", &[old(4)]).unwrap();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let options = SenderOptions { outbox: Some(path.clone()), ..SenderOptions::default() };
    let alice = sender(&journal, "alice", &clock, options.clone());
    let dave = sender(&journal, "dave", &clock, options);
    tokio::time::sleep(Duration::from_secs(10)).await;
    let sent = keys(&stored(&journal));
    let carol: Vec<(String, u64)> = (1..=3).map(|seq| ("carol-run".to_string(), seq)).collect();
    assert_eq!(sent, carol, "each kept entry sent once, by one of the two");
    assert_eq!(alice.unsent() + dave.unsent(), 0);
    let left = outbox::take(&path, "/cutover/E2").unwrap().expect("the other group's entry is kept");
    assert_eq!(keys(&left.mine), [("carol-run".to_string(), 4)]);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test(start_paused = true)]
async fn presence_is_said_at_start_and_every_minute() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let options = SenderOptions { presence: Some("console".into()), ..SenderOptions::default() };
    let _alice = sender(&journal, "alice", &clock, options);
    let started = clock.now();
    tokio::time::sleep(Duration::from_secs(150)).await;
    let here: Vec<_> = stored(&journal).into_iter().filter_map(|e| e.here.map(|h| (e.seq, h))).collect();
    assert_eq!(here.len(), 3, "{here:#?}");
    assert_eq!(here.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(here.iter().all(|(_, h)| h.what == "console"));
    let until = here[0].1.until.duration_since(started).as_secs();
    assert!((180..=182).contains(&until), "{until}");
}

#[tokio::test(start_paused = true)]
async fn hostile_entries_are_refused_said_once_and_the_reader_goes_on() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let mut bob = reader(&journal, "bob", &clock);
    let good = |seq| JournalEntry::of_record("eve@x", "eve-run", seq, record(&clock, 1)).to_message();
    let other = JournalEntry::of_record("eve@x", "eve-run", 9, {
        let mut r = record(&clock, 1);
        r.distribution = "E2".into();
        r
    });
    journal.write_raw("eve", &"x".repeat(cutover::audit::journal_entry::MAX_MESSAGE_BYTES + 1));
    journal.write_raw("eve", "{\"v\":1,");
    journal.write_raw("eve", "not json either");
    journal.write_raw("eve", &other.to_message());
    journal.write_raw("eve", &good(1));
    let (entries, said) = read_entries(&mut bob, 1).await;
    assert_eq!(keys(&entries), [("eve-run".to_string(), 1)]);
    let refused: Vec<(usize, String)> = said
        .into_iter()
        .chain(quiet(&mut bob, Duration::from_secs(1)).await)
        .filter_map(|f| match f {
            JournalFeed::Refused { count, why } => Some((count, why)),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:#?}");
    assert!(refused.contains(&(1, "larger than 65536 bytes".to_string())), "{refused:#?}");
    assert!(refused.iter().any(|(count, why)| *count == 2 && why.starts_with("not a journal entry")), "{refused:#?}");
    // Read again in the next rounds (the overlap), nothing is said twice; a new entry still comes.
    tokio::time::sleep(Duration::from_secs(12)).await;
    journal.write_raw("eve", &good(2));
    let (entries, said) = read_entries(&mut bob, 1).await;
    assert_eq!(keys(&entries), [("eve-run".to_string(), 2)]);
    assert!(said.is_empty(), "{said:#?}");
}

#[tokio::test(start_paused = true)]
async fn reading_trouble_is_said_once_then_its_end() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    journal.ensure_group().await.unwrap();
    journal.set_fault(Some(Fault::AccessDenied));
    let mut bob = reader(&journal, "bob", &clock);
    let said = quiet(&mut bob, Duration::from_secs(90)).await;
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(matches!(&said[0], JournalFeed::Trouble(Some(t)) if t.contains("access denied")), "{said:#?}");
    journal.set_fault(None);
    // Its end, then the first round read, said even when it holds nothing.
    assert_eq!(
        quiet(&mut bob, Duration::from_secs(90)).await,
        [JournalFeed::Trouble(None), JournalFeed::Entries(vec![])]
    );
}

#[tokio::test(start_paused = true)]
async fn the_reader_ends_when_its_receiver_is_dropped() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    journal.ensure_group().await.unwrap();
    drop(reader(&journal, "bob", &clock));
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(journal.calls().iter().filter(|c| **c == Call::Filter).count() <= 1);
}

#[tokio::test(start_paused = true)]
async fn an_entry_cloudwatch_logs_refuses_is_left_out_and_said_and_the_rest_go_on() {
    let clock = clock();
    let journal = MemoryJournal::new(GROUP, clock.clone());
    let alice = sender(&journal, "alice", &clock, SenderOptions::default());
    let status = alice.status();
    alice.send(record(&clock, 1));
    // Larger than a whole batch may be: it can only go alone, and is refused alone.
    alice.send(record(&clock, 2).with_message("x".repeat(1_100_000)));
    alice.send(record(&clock, 3));
    tokio::time::sleep(Duration::from_secs(10)).await;
    let run = identity("alice").run;
    assert_eq!(keys(&stored(&journal)), [(run.clone(), 1), (run, 3)]);
    assert_eq!(alice.unsent(), 0);
    // Said for good in the count; the trouble it was ended with the next batch taken.
    let now = status.borrow().clone();
    assert_eq!((now.left_out, now.sent, now.trouble), (1, 2, None));
}
