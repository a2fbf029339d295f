//! Moving routed routes by share: `+`/`-` steps, `s` all or nothing, `R` beside the behaviors,
//! the guard's share rollback, stale reads, and what the store's answers do to the rows.

use super::*;
use crate::app::action::{Event, On, Work};
use crate::app::intent::share::{ShareStep, next_share};
use crate::app::model::state::MoveSource;
use crate::backend::share::{ShareChange, StoreState};
use crate::router::RouteRecord;

/// `/search/*` and `*` sit on the origin; the router routes `/search/*` at `share` %.
fn routed(share: u8) -> State {
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.router = true;
    let mut state = State::new(setup);
    let effects = update(&mut state, Action::Tick(t0()));
    assert!(effects.contains(&Effect::on(ID, Work::LoadShares { generation: 0 })), "{effects:?}");
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(share)) }));
    state.view.selected = Some("/search/*".into());
    state
}

fn store(share: u8) -> StoreState {
    let record = RouteRecord::new(share, "apigw", "legacy", None).unwrap();
    StoreState::indexed("K1", [("/search/*".to_string(), record)].into())
}

fn open_shares(state: &State) -> Vec<ShareChange> {
    match &state.view.overlay {
        Overlay::Confirm(confirm) => confirm.shares.clone(),
        other => panic!("no dialog: {other:?}, refused: {:?}", state.notices.refused),
    }
}

fn change(from: u8, to: u8) -> ShareChange {
    ShareChange::new("/search/*", from, to)
}

/// The store takes share move 1 and reads back as asked.
fn take(state: &mut State) -> Vec<Effect> {
    let accepted = super::taken_as_asked(state, 1);
    update(state, Action::to(ID, Event::SharesAccepted { id: 1, accepted }))
}

#[test]
fn steps_go_through_the_ladder_and_stop_at_its_ends() {
    assert_eq!(next_share(0, ShareStep::Up), Some(1));
    assert_eq!(next_share(10, ShareStep::Up), Some(25));
    assert_eq!(next_share(30, ShareStep::Up), Some(50), "a share set by hand goes to the next step");
    assert_eq!(next_share(30, ShareStep::Down), Some(25));
    assert_eq!(next_share(100, ShareStep::Up), None);
    assert_eq!(next_share(0, ShareStep::Down), None);
}

#[test]
fn the_rows_show_the_store_and_a_behavior_on_lambda_ignores_it() {
    let state = routed(25);
    let search = state.route("/search/*").unwrap();
    assert_eq!((search.share, search.router_share()), (Some(25), Some(25)));
    assert_eq!(state.route("*").unwrap().share, None, "not routed");
}

#[test]
fn plus_opens_the_next_step_and_y_writes_it_to_the_store() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    assert_eq!(open_shares(&state), vec![change(10, 25)]);
    let Overlay::Confirm(confirm) = &state.view.overlay else { unreachable!() };
    assert_eq!(confirm.title(), "move /search/* λ 10 % → 25 % by the router?");
    assert!(confirm.changes.is_empty(), "no behavior changes");
    assert_eq!(confirm.to, Target::Lambda);
    // The pre-flight counts only the part being added: 15 of the 90 % the origin serves.
    assert!(confirm.health.iter().any(|h| h.starts_with("pre-flight: needs about")), "{:?}", confirm.health);
    let effects = press(&mut state, Command::Confirm);
    assert_eq!(effects, vec![Effect::on(ID, Work::SetShares { id: 1, changes: vec![change(10, 25)] })]);
    assert_eq!(state.route("/search/*").unwrap().pending, Some(1));
    assert!(state.shares_in_flight() && !state.update_in_flight(ID), "a share move is not a distribution update");
    take(&mut state);
    let search = state.route("/search/*").unwrap();
    assert_eq!((search.share, search.pending), (Some(25), None));
    assert_eq!(state.moves.by_id(1).unwrap().phase, MovePhase::Deployed, "nothing to propagate by CloudFront");
    assert!(messages(&state).last().unwrap().contains("router's store took it (ETag K1 → K2, 1 UpdateKeys call)"));
    // The chart's mark says a part of the viewers moved, not that the route switched.
    assert_eq!(state.marks.last().map(|m| m.describe()).as_deref(), Some("λ 10 % → 25 %"));
}

#[test]
fn u_after_a_share_move_puts_the_share_back_and_not_once_it_moved_since() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    take(&mut state);
    press(&mut state, Command::Undo);
    assert_eq!(open_shares(&state), vec![change(25, 10)]);
    let Overlay::Confirm(confirm) = &state.view.overlay else { unreachable!() };
    assert_eq!(confirm.kind, MoveSource::Undo);
    // Audit records included.
    let effects = crate::app::update::distribution(&mut state, Action::Command(Command::Confirm));
    assert_eq!(effects.last(), Some(&Effect::on(ID, Work::SetShares { id: 2, changes: vec![change(25, 10)] })));
    let record = audit_records(&effects).into_iter().next().cloned();
    assert_eq!(record.and_then(|r| r.message).as_deref(), Some("undo of the last switch (u)"));

    // Moved since by someone else: nothing to undo.
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    take(&mut state);
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 1, result: Ok(store(50)) }));
    press(&mut state, Command::Undo);
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.refused_sentence().as_deref().unwrap().contains("moved since"), "{:?}", state.notices.refused);
}

#[test]
fn minus_at_zero_and_plus_on_an_unrouted_route_say_why_not() {
    let mut state = routed(0);
    assert!(press(&mut state, Command::ShareDown).is_empty());
    assert!(state.refused_sentence().as_deref().unwrap().contains("none of it goes to Lambda"));
    state.view.selected = Some("*".into());
    press(&mut state, Command::ShareUp);
    assert!(
        state.refused_sentence().as_deref().unwrap().contains("is not routed (the demo routes /search/*)"),
        "{:?}",
        state.notices.refused
    );
    assert_eq!(state.view.overlay, Overlay::None);
}

#[test]
fn s_on_a_routed_route_moves_all_or_nothing_through_the_store() {
    let mut state = routed(0);
    press(&mut state, Command::Switch);
    assert_eq!(open_shares(&state), vec![change(0, 100)]);
    press(&mut state, Command::Cancel);
    let mut state = routed(50);
    press(&mut state, Command::Switch);
    assert_eq!(open_shares(&state), vec![change(50, 0)]);
}

#[test]
fn a_whole_move_is_followed_in_the_numbers_a_part_is_not() {
    let mut state = routed(0);
    press(&mut state, Command::Switch);
    press(&mut state, Command::Confirm);
    take(&mut state);
    assert_eq!(state.moves.by_id(1).unwrap().traffic.len(), 1, "100 % is followed until it has moved");
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    take(&mut state);
    assert!(state.moves.by_id(1).unwrap().traffic.is_empty(), "25 % has no moved to wait for");
}

#[test]
fn rollback_all_puts_routed_shares_to_zero_beside_the_behaviors() {
    let mut state = routed(25);
    press(&mut state, Command::RollbackAll);
    let Overlay::Confirm(confirm) = state.view.overlay.clone() else { panic!("no dialog") };
    assert_eq!(confirm.paths, ["/user/*", "/orders/*"]);
    assert_eq!(confirm.shares, vec![change(25, 0)]);
    assert_eq!(confirm.title(), "roll back all 2 Lambda routes to the origin and 1 routed share(s) to 0 %?");
    let effects = press(&mut state, Command::Confirm);
    assert!(
        matches!(&effects[0], Effect::On(On { work: Work::Switch { changes, .. }, .. }) if changes.len() == 2),
        "{effects:?}"
    );
    assert!(
        matches!(&effects[1], Effect::On(On { work: Work::SetShares { changes, .. }, .. }) if changes == &vec![change(25, 0)])
    );
}

#[test]
fn s_back_home_by_behavior_puts_the_routes_router_share_to_zero_in_the_same_confirmation() {
    // `/search/*`'s behavior went to Lambda (someone's switch) while its record says 25 %: moved
    // home by behavior alone, the router would still send a quarter of its viewers to Lambda.
    let mut state = routed(25);
    let mut moved = topology();
    moved.routes.iter_mut().find(|r| r.path == "/search/*").unwrap().origin_id = "apigw".into();
    moved.routes.iter_mut().find(|r| r.path == "/search/*").unwrap().target = Some(Target::Lambda);
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 1, result: Ok(moved) }));
    assert!(state.route("/search/*").unwrap().is_on(Target::Lambda));
    press(&mut state, Command::Switch);
    let Overlay::Confirm(confirm) = state.view.overlay.clone() else {
        panic!("no dialog: {:?}", state.notices.refused)
    };
    assert_eq!(confirm.paths, ["/search/*"]);
    assert_eq!(confirm.shares, vec![change(25, 0)]);
    assert!(confirm.notes.iter().any(|n| n.starts_with("and through the router's store")), "{:?}", confirm.notes);
    let effects = press(&mut state, Command::Confirm);
    assert!(
        matches!(&effects[0], Effect::On(On { work: Work::Switch { changes, .. }, .. }) if changes.len() == 1),
        "{effects:?}"
    );
    assert!(
        matches!(&effects[1], Effect::On(On { work: Work::SetShares { changes, .. }, .. }) if changes == &vec![change(25, 0)])
    );

    // A route the router has nothing of moves by behavior alone.
    let mut state = routed(25);
    state.view.selected = Some("/orders/*".into());
    press(&mut state, Command::Switch);
    assert!(open_shares(&state).is_empty());
}

#[test]
fn a_share_moved_by_someone_else_while_the_dialog_was_open_is_not_written() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(50)) }));
    assert!(press(&mut state, Command::Confirm).is_empty());
    assert!(messages(&state).last().unwrap().contains("route now has λ 50 %"), "{:?}", messages(&state));
}

#[test]
fn a_read_sent_before_an_accepted_move_is_discarded() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    take(&mut state);
    // Generation 0 left before the move was taken: its 10 % is the past.
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(10)) }));
    assert_eq!(state.route("/search/*").unwrap().share, Some(25));
}

#[test]
fn a_store_conflict_elsewhere_fails_the_move_and_rereads_the_store() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    let error = BackendError::ShareChangedElsewhere { path: "/search/*".into(), expected: 10, found: 50 };
    let effects = update(&mut state, Action::to(ID, Event::SwitchFailed { id: 1, error }));
    assert_eq!(effects, vec![Effect::on(ID, Work::LoadShares { generation: 0 })]);
    assert_eq!(state.moves.by_id(1).unwrap().phase, MovePhase::Failed);
    assert!(state.notices.banner.as_deref().unwrap().contains("share move /search/* λ 10 % → 25 % failed"));
}

#[test]
fn a_breached_guard_puts_a_routed_share_back_to_zero_in_seconds() {
    use crate::domain::thresholds::{Breach, BreachKind};
    let mut state = routed(25);
    state.policy.auto_rollback.insert("/search/*".into());
    let breach = Breach { kind: BreachKind::ErrorRate, value: 9.0, limit: 5.0 };
    state.routes.iter_mut().find(|r| r.path == "/search/*").unwrap().alert = vec![breach];
    let effects = crate::app::update::guards::auto_rollback(&mut state);
    let attempt = state.moves.last().unwrap();
    assert_eq!((attempt.source, attempt.shares().to_vec()), (MoveSource::Automatic, vec![change(25, 0)]));
    assert!(effects.iter().any(|e| matches!(e, Effect::On(On { work: Work::SetShares { .. }, .. }))), "{effects:?}");
    assert!(messages(&state).last().unwrap().contains("by the guard, because its guard was breached"));
}

#[test]
fn the_trail_records_a_share_move_with_its_shares() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    let effects = crate::app::update::distribution(&mut state, Action::Command(Command::Confirm));
    let records = audit_records(&effects);
    assert_eq!(records.len(), 1);
    let json = serde_json::to_value(records[0]).unwrap();
    assert_eq!(json["shares"], serde_json::json!([{"route": "/search/*", "from_pct": 10, "to_pct": 25}]));
    assert_eq!(json["moves"], serde_json::json!([]));
}

#[test]
fn a_share_the_store_took_but_reads_back_otherwise_fails_the_move() {
    let mut state = routed(10);
    press(&mut state, Command::ShareUp);
    press(&mut state, Command::Confirm);
    let mut taken = super::taken_as_asked(&state, 1);
    taken.read_back = Ok(vec![("/search/*".into(), Some(10))]);
    let effects =
        crate::app::update::distribution(&mut state, Action::to(ID, Event::SharesAccepted { id: 1, accepted: taken }));
    let records = audit_records(&effects);
    assert_eq!(records.iter().map(|r| r.kind).collect::<Vec<_>>(), [crate::audit::RecordKind::SwitchFailed]);
    assert!(effects.contains(&Effect::on(ID, Work::LoadShares { generation: 0 })), "read again: {effects:?}");
    let attempt = state.moves.by_id(1).unwrap();
    assert_eq!(attempt.phase, MovePhase::Failed);
    let failure = attempt.failure.as_deref().unwrap();
    assert!(failure.contains("read back /search/* sends λ 10 % to Lambda, not 25 % as asked"), "{failure}");
    assert!(state.notices.banner.as_deref().unwrap().contains("not 25 % as asked"));
    let search = state.route("/search/*").unwrap();
    assert_eq!((search.share, search.pending), (Some(10), None), "the row keeps what the store said");
}

#[test]
fn a_share_move_whose_store_cannot_be_read_back_is_not_done() {
    let mut state = routed(50);
    press(&mut state, Command::Switch);
    press(&mut state, Command::Confirm);
    let mut taken = super::taken_as_asked(&state, 1);
    taken.read_back = Err(BackendError::Throttling);
    update(&mut state, Action::to(ID, Event::SharesAccepted { id: 1, accepted: taken }));
    let attempt = state.moves.by_id(1).unwrap();
    assert_eq!(attempt.phase, MovePhase::Failed);
    assert!(attempt.failure.as_deref().unwrap().contains("reading it back failed"), "{:?}", attempt.failure);
    // A record it cannot read is not the share asked either.
    let mut state = routed(50);
    press(&mut state, Command::Switch);
    press(&mut state, Command::Confirm);
    let mut taken = super::taken_as_asked(&state, 1);
    taken.read_back = Ok(vec![("/search/*".into(), None)]);
    update(&mut state, Action::to(ID, Event::SharesAccepted { id: 1, accepted: taken }));
    assert!(state.moves.by_id(1).unwrap().failure.as_deref().unwrap().contains("a record cutover cannot read"));
}

/// `/search/*` as the store holds it: `index` says whether the index lists it, `value` its record.
fn store_with(index: bool, value: &str) -> StoreState {
    let mut items: std::collections::BTreeMap<String, String> =
        [("route:/search/*".to_string(), value.to_string())].into();
    let listed = if index { r#"{"v":1,"routes":["/search/*"]}"# } else { r#"{"v":1,"routes":[]}"# };
    items.insert("routes".into(), listed.into());
    StoreState::from_items("K1".into(), &items)
}

#[test]
fn a_record_without_an_index_entry_is_not_routed_and_its_share_above_zero_goes_back_with_r() {
    let mut state = routed(0);
    let record = RouteRecord::new(10, "apigw", "legacy", None).unwrap().encode().unwrap();
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store_with(false, &record)) }));
    let search = state.route("/search/*").unwrap();
    assert_eq!((search.share, search.router_missing()), (None, vec![crate::app::model::routing::NOT_IN_INDEX]));
    assert!(
        messages(&state).iter().any(|m| m.contains("not routed: not in the router's index")),
        "{:?}",
        messages(&state)
    );
    press(&mut state, Command::ShareUp);
    assert!(
        state.refused_sentence().as_deref().is_some_and(|r| r.contains("not in the router's index")),
        "{:?}",
        state.notices.refused
    );
    // R puts the record to 0 all the same: it would go live the moment the index lists it again.
    press(&mut state, Command::RollbackAll);
    let Overlay::Confirm(confirm) = state.view.overlay.clone() else { panic!("no dialog") };
    assert_eq!(confirm.shares, vec![change(10, 0)]);
    assert!(
        confirm.notes.iter().any(|n| n.contains("the router does not act on this record now")),
        "{:?}",
        confirm.notes
    );
}

#[test]
fn an_unreadable_record_is_never_dropped_and_r_overwrites_it_with_zero_saying_so_in_the_audit_record() {
    let mut state = routed(0);
    let garbled = r#"{"v":1,"share":100.0,"lambda":"apigw","home":"legacy"}"#;
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store_with(true, garbled)) }));
    let search = state.route("/search/*").unwrap();
    assert_eq!(search.via_router(), crate::app::model::routing::Via::Unknown, "possibly on Lambda, never 0");
    assert!(state.route("/search/*").unwrap().router_words().unwrap().contains("router record unreadable"));
    press(&mut state, Command::RollbackAll);
    let Overlay::Confirm(confirm) = state.view.overlay.clone() else { panic!("no dialog") };
    let zero = ShareChange::zero_unreadable("/search/*", "apigw", "legacy");
    assert_eq!(confirm.shares, vec![zero.clone()]);
    assert!(confirm.notes.iter().any(|n| n.contains("overwritten with a share-0 record")), "{:?}", confirm.notes);
    let effects = super::super::distribution(&mut state, Action::Command(Command::Confirm));
    let records = audit_records(&effects);
    let shares: Vec<_> = records.iter().flat_map(|r| r.shares.iter()).collect();
    assert!(
        shares.iter().any(|s| s.route == "/search/*" && s.record_was.as_deref() == Some("unreadable")),
        "{shares:?}"
    );
    assert!(effects.iter().any(
        |e| matches!(e, Effect::On(On { work: Work::SetShares { changes, .. }, .. }) if changes == &vec![zero.clone()])
    ));
}

#[test]
fn a_breaching_routed_route_offers_the_share_step_the_minus_key_would_write() {
    use crate::app::intent::remedies::for_breach;
    let mut state = routed(25);
    assert!(for_breach(&state, "/search/*").is_empty());
    let mut bad = metrics(0);
    let last = bad.routes.get_mut("/search/*").unwrap().last_mut().unwrap();
    *last = failing();
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(bad) }));
    let said: Vec<String> = for_breach(&state, "/search/*").iter().map(|r| r.describe()).collect();
    // On the origin by behavior: `s` would send it all to Lambda, so only the share is a remedy.
    assert_eq!(said, ["- router share 25 % → 10 %: seconds"]);

    // A store nobody can read: a share move may not reach the edges, so it is not offered.
    update(&mut state, Action::Tick(t0() + SignedDuration::from_mins(2)));
    let failed = Err(BackendError::Other("DescribeKeyValueStore failed".into()));
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: failed }));
    assert!(for_breach(&state, "/search/*").is_empty(), "{:?}", state.router_unknown());
}

#[test]
fn in_the_demo_a_route_that_is_not_routed_is_answered_with_what_moves_it_here() {
    let mut state = routed(25);
    select(&mut state, "*");
    press(&mut state, Command::ShareUp);
    let said = state.refused_sentence().unwrap();
    assert_eq!(said, "* is not routed (the demo routes /search/*): s or `cutover switch` moves it by behavior");
    // Said in the log and the flash as the demo runs its commands.
    assert!(state.notices.flash.as_ref().unwrap().text.ends_with("s or `cutover switch --demo` moves it by behavior"));
    state.policy.mode = Mode::Live { account: "000000000000".into(), profile: None };
    press(&mut state, Command::ShareUp);
    let said = state.refused_sentence().unwrap();
    assert!(said.contains("`cutover router install --distribution"), "{said}");
}
