//! The team (issue 23): others' records into the event log, never acted on; the confirm dialog's
//! warning of someone else's unfinished move; a change made outside cutover reported once with a
//! notification, explained away by a teammate's record, its author found in CloudTrail.

use super::*;
use crate::app::model::team::{Author, Placed, TrailWrite};
use crate::app::model::view::Overlay as Shown;
use crate::audit::journal_entry::JournalEntry;
use crate::audit::{AuditRecord, Environment, RecordKind};

fn with_journal() -> State {
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.team_log_group = Some("/cutover/E2TEST".into());
    let mut state = State::new(setup);
    update(&mut state, Action::Tick(t0()));
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    state
}

fn alices(kind: RecordKind, seq: u64, secs_ago: i64) -> JournalEntry {
    let time = t0() - SignedDuration::from_secs(secs_ago);
    let mut record = AuditRecord::new(time, kind, Environment::Demo, "alice", ID).with_routes(["/orders/*"]);
    record.attempt = Some("alice-run-1".into());
    record.to = Some(Target::Origin);
    record.from = Some(Target::Lambda);
    JournalEntry::of_record("alice@laptop-7", "alice@laptop-7/run", seq, record)
}

fn hear(state: &mut State, entries: Vec<JournalEntry>) -> Vec<Effect> {
    update(state, Action::to(ID, Event::JournalHeard { entries }))
}

fn read(state: &mut State, topology: Topology) -> Vec<Effect> {
    update(state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology) }))
}

/// The test topology with `/orders/*` on the legacy origin, as someone else left it.
fn orders_on_legacy(etag: &str) -> Topology {
    let mut moved = topology();
    moved.etag = etag.into();
    let orders = moved.routes.iter_mut().find(|r| r.path == "/orders/*").unwrap();
    orders.origin_id = "legacy".into();
    orders.target = Some(Target::Origin);
    moved
}

#[test]
fn the_journal_is_read_once_and_others_records_are_logged_with_who_never_acted_on() {
    let mut state = with_journal();
    let effects = update(&mut state, Action::Tick(t0()));
    assert_eq!(
        effects.iter().filter(|e| **e == Effect::on(ID, Work::ReadJournal)).count(),
        0,
        "read at the first tick"
    );
    let effects = hear(&mut state, vec![alices(RecordKind::SwitchRequested, 1, 40)]);
    assert!(effects.is_empty(), "a teammate's record asks for nothing: {effects:?}");
    let last = messages(&state).last().unwrap().clone();
    assert_eq!(last, "WARN /orders/* alice@laptop-7: alice asked to switch /orders/* λ Lambda → ◼ origin");
    assert!(state.moves.is_empty());
    hear(&mut state, vec![alices(RecordKind::SwitchRequested, 1, 40)]);
    assert_eq!(messages(&state).iter().filter(|m| m.contains("alice@laptop-7")).count(), 1, "a repeat is dropped");
}

#[test]
fn the_confirm_dialog_warns_of_someone_elses_unfinished_move_on_the_route() {
    let mut state = with_journal();
    hear(&mut state, vec![alices(RecordKind::SwitchRequested, 1, 40), alices(RecordKind::SwitchAccepted, 2, 39)]);
    select(&mut state, "/orders/*");
    press(&mut state, Command::Switch);
    let Shown::Confirm(confirm) = &state.view.overlay else { panic!("no dialog: {:?}", state.view.overlay) };
    assert_eq!(confirm.others, ["alice@laptop-7 is rolling /orders/* back: requested 40s ago, still InProgress"]);
    press(&mut state, Command::Cancel);
    select(&mut state, "/user/*");
    press(&mut state, Command::Switch);
    let Shown::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert!(confirm.others.is_empty(), "another route: {:?}", confirm.others);
    press(&mut state, Command::Cancel);
    press(&mut state, Command::RollbackAll);
    let Shown::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert_eq!(confirm.others.len(), 1, "R concerns the whole distribution");
}

#[test]
fn a_route_moved_outside_cutover_is_reported_once_with_a_notification_and_its_author_found_later() {
    let mut state = with_journal();
    let effects = read(&mut state, orders_on_legacy("E9"));
    let notices: Vec<&Effect> = effects.iter().filter(|e| matches!(e, Effect::Notify(_))).collect();
    assert_eq!(notices.len(), 1, "{effects:?}");
    let banner = state.notices.banner.clone().unwrap();
    assert_eq!(banner, "/orders/* changed outside cutover: now on ◼ origin (ETag E1 → E9)");
    assert_eq!(state.team.outside.len(), 1);
    assert_eq!(state.team.outside[0].who, Author::NotKnownYet);
    assert!(state.team.outside_on("/orders/*", state.now).is_some());
    // The same read again: nothing new.
    assert!(read(&mut state, orders_on_legacy("E9")).iter().all(|e| !matches!(e, Effect::Notify(_))));

    // CloudTrail is asked at the next tick, then not again for a minute.
    let asked = update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(1)));
    assert!(asked.iter().any(|e| matches!(e, Effect::On(On { work: Work::LookupAuthors { .. }, .. }))), "{asked:?}");
    let again = update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(2)));
    assert!(!again.iter().any(|e| matches!(e, Effect::On(On { work: Work::LookupAuthors { .. }, .. }))));
    let write = TrailWrite { time: t0(), who: "arn:aws:iam::123456789012:user/carol".into(), etag: Some("E9".into()) };
    let told = update(&mut state, Action::to(ID, Event::AuthorsFound { result: Ok(vec![write]) }));
    assert_eq!(state.team.outside[0].who, Author::Known("arn:aws:iam::123456789012:user/carol".into()));
    assert!(told.iter().any(|e| matches!(e, Effect::Notify(n) if n.text.contains("carol"))), "{told:?}");
    assert!(
        messages(&state)
            .last()
            .unwrap()
            .contains("was changed outside cutover by arn:aws:iam::123456789012:user/carol")
    );
}

#[test]
fn a_move_of_ours_or_a_teammates_record_is_no_outside_change() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    assert!(read(&mut state, orders_on_legacy("E2")).iter().all(|e| !matches!(e, Effect::Notify(_))));
    assert!(state.team.outside.is_empty(), "our own move");

    let mut state = with_journal();
    hear(&mut state, vec![alices(RecordKind::SwitchRequested, 1, 40)]);
    read(&mut state, orders_on_legacy("E9"));
    assert!(state.team.outside.is_empty(), "alice's record explains it");

    // The journal read late: the record explains a change already reported, which is withdrawn.
    let mut state = with_journal();
    read(&mut state, orders_on_legacy("E9"));
    assert_eq!(state.team.outside.len(), 1);
    hear(&mut state, vec![alices(RecordKind::SwitchRequested, 1, 40)]);
    assert!(state.team.outside.is_empty());
    assert!(state.notices.banner.is_none());
    assert!(messages(&state).iter().any(|m| m.contains("/orders/* was moved by a teammate")));
}

#[test]
fn the_first_read_is_compared_with_where_the_trail_last_put_each_route() {
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    let at = t0() - SignedDuration::from_secs(3600);
    setup.placed = vec![
        Placed { route: "/orders/*".into(), words: Target::Origin.to_string(), share: false, at },
        Placed { route: "/user/*".into(), words: Target::Lambda.to_string(), share: false, at },
    ];
    let mut state = State::new(setup);
    update(&mut state, Action::Tick(t0()));
    read(&mut state, topology());
    assert_eq!(state.team.outside.len(), 1, "{:?}", state.team.outside);
    let change = &state.team.outside[0];
    assert_eq!(
        (change.route.as_str(), change.from.as_str(), change.to.as_str()),
        ("/orders/*", "◼ origin", "λ Lambda")
    );
    assert_eq!(change.since, at);
}

#[test]
fn the_journal_failing_shows_a_banner_until_it_answers_and_says_how_many_went() {
    let mut state = with_journal();
    let failing = Event::JournalSending { pending: 3, sent: 1, trouble: Some("cannot reach CloudWatch Logs".into()) };
    update(&mut state, Action::to(ID, failing));
    let banner = state.notices.banner.clone().unwrap();
    assert_eq!(
        banner,
        "team journal unreachable (cannot reach CloudWatch Logs): 3 record(s) kept, sent when it answers"
    );
    update(&mut state, Action::Tick(t0() + SignedDuration::from_secs(90)));
    update(&mut state, Action::to(ID, Event::JournalSending { pending: 0, sent: 4, trouble: None }));
    assert!(state.notices.banner.is_none());
    assert!(
        messages(&state).last().unwrap().contains("team journal answers again after 1m 30s"),
        "{:?}",
        messages(&state)
    );
}

#[test]
fn once_the_journal_is_read_a_route_elsewhere_than_a_teammate_put_it_is_an_outside_change() {
    let mut state = with_journal();
    // Alice put /orders/* on the origin an hour ago; the distribution says λ Lambda now.
    let mut accepted = alices(RecordKind::SwitchAccepted, 1, 600);
    accepted.record.as_mut().unwrap().time = t0() - SignedDuration::from_secs(600);
    let effects = hear(&mut state, vec![accepted]);
    assert!(effects.iter().any(|e| matches!(e, Effect::Notify(_))), "{effects:?}");
    let change = &state.team.outside[0];
    assert_eq!(
        (change.route.as_str(), change.from.as_str(), change.to.as_str()),
        ("/orders/*", "◼ origin", "λ Lambda")
    );
    // Read again: not said twice.
    assert!(hear(&mut state, vec![alices(RecordKind::SwitchDeployed, 2, 500)]).is_empty());
    assert_eq!(state.team.outside.len(), 1);
}

#[test]
fn a_teammates_move_taken_after_the_read_is_no_outside_change() {
    let mut state = with_journal();
    let mut accepted = alices(RecordKind::SwitchAccepted, 1, 0);
    accepted.record.as_mut().unwrap().time = t0() + SignedDuration::from_secs(5);
    hear(&mut state, vec![accepted]);
    assert!(state.team.outside.is_empty(), "{:?}", state.team.outside);
}

#[test]
fn a_journal_read_before_the_distribution_still_tells_where_the_team_put_each_route() {
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.team_log_group = Some("/cutover/E2TEST".into());
    let mut state = State::new(setup);
    update(&mut state, Action::Tick(t0()));
    let mut accepted = alices(RecordKind::SwitchAccepted, 1, 600);
    accepted.record.as_mut().unwrap().time = t0() - SignedDuration::from_secs(600);
    hear(&mut state, vec![accepted]);
    assert!(state.team.outside.is_empty(), "nothing read yet to compare");
    read(&mut state, topology());
    assert_eq!(state.team.outside.len(), 1, "{:?}", state.team.outside);
    assert_eq!(state.team.outside[0].from, "◼ origin");
}
