//! Rollout plans: started once, held step by step while Lambda's guards are quiet, aborted in
//! seconds on a breach, paused and resumed, and picked up again from the trail.

use crate::app::action::{Event, On, Work};
use jiff::SignedDuration;

use super::*;
use crate::app::history::plans_under_way;
use crate::app::model::plan_run::PlanPhase;
use crate::app::model::state::MoveSource;
use crate::backend::share::{ShareChange, StoreState};
use crate::router::RouteRecord;

fn store(share: u8) -> StoreState {
    let record = RouteRecord::new(share, "apigw", "legacy", None).unwrap();
    StoreState::indexed("K1", [("/search/*".to_string(), record)].into())
}

/// `/search/*` routed at `share` %, selected.
fn routed(share: u8) -> State {
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.router = true;
    let mut state = State::new(setup);
    update(&mut state, Action::Tick(t0()));
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(share)) }));
    state.view.selected = Some("/search/*".into());
    state
}

/// The hour up to `now`, `/search/*` served by both sides, Lambda's 5xx at `lambda_5xx` per 1,000
/// in its last `bad` minutes.
fn numbers_at(now: Timestamp, bad: usize) -> MetricsSnapshot {
    let mut snapshot = MetricsSnapshot {
        window_start: now - SignedDuration::from_mins(WINDOW_MINUTES as i64),
        concurrency: vec![Some(400.0); WINDOW_MINUTES],
        concurrency_limit: 1000,
        newest_datapoint: Some(now),
        ..Default::default()
    };
    let good = MinutePoint {
        lambda: BackendMinute::new(Some(100.0), Some(0.0), Some(120.0)),
        origin: BackendMinute::new(Some(900.0), Some(1.0), Some(90.0)),
        throttles: Some(0.0).into(),
    };
    let mut series = vec![good; WINDOW_MINUTES];
    for point in series.iter_mut().rev().take(bad) {
        point.lambda = BackendMinute::new(Some(100.0), Some(40.0), Some(120.0));
    }
    snapshot.routes.insert("/search/*".into(), series);
    snapshot
}

/// Let the clock run to `at` and numbers arrive: the effects of both.
fn at(state: &mut State, minutes: i64, bad: usize) -> Vec<Effect> {
    let now = t0() + SignedDuration::from_mins(minutes);
    let mut effects = update(state, Action::Tick(now));
    effects.extend(update(state, Action::to(ID, Event::MetricsLoaded { result: Ok(numbers_at(now, bad)) })));
    effects
}

fn taken(state: &mut State, id: u64) -> Vec<Effect> {
    let accepted = super::taken_as_asked(state, id);
    update(state, Action::to(ID, Event::SharesAccepted { id, accepted }))
}

fn set_shares(effects: &[Effect]) -> Vec<(u64, Vec<ShareChange>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::On(On { work: Work::SetShares { id, changes, .. }, .. }) => Some((*id, changes.clone())),
            _ => None,
        })
        .collect()
}

fn change(from: u8, to: u8) -> ShareChange {
    ShareChange::new("/search/*", from, to)
}

fn started(share: u8) -> State {
    let mut state = routed(share);
    press(&mut state, Command::StartPlan);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no dialog: {:?}", state.notices.refused) };
    assert_eq!(confirm.title(), "start rollout plan default on /search/*?");
    assert!(confirm.notes[0].starts_with("rollout plan default: 1% 10m, 5% 10m, 25% 15m, 50% 15m, 100%"));
    let effects = press(&mut state, Command::Confirm);
    assert_eq!(set_shares(&effects), vec![(1, vec![change(share, 1)])]);
    assert_eq!(state.plan_on("/search/*").unwrap().phase, PlanPhase::Moving { attempt: 1 });
    taken(&mut state, 1);
    state
}

#[test]
fn each_step_waits_its_hold_with_quiet_guards_then_the_next_goes_to_the_store() {
    let mut state = started(0);
    assert_eq!(state.plan_on("/search/*").unwrap().phase, PlanPhase::Holding { since: t0() });
    assert!(set_shares(&at(&mut state, 5, 0)).is_empty(), "5 of 10 minutes held: no step yet");
    let effects = at(&mut state, 10, 0);
    assert_eq!(set_shares(&effects), vec![(2, vec![change(1, 5)])]);
    let run = state.plan_on("/search/*").unwrap();
    assert_eq!((run.step, run.phase.clone()), (1, PlanPhase::Moving { attempt: 2 }));
    taken(&mut state, 2);
    assert!(messages(&state).iter().any(|m| m.contains("rollout plan default step 2/5: λ 5 %, held 10m")));
}

#[test]
fn a_breach_on_lambda_puts_the_share_back_to_zero_and_ends_the_plan() {
    let mut state = started(0);
    let effects = at(&mut state, 4, 3);
    assert_eq!(set_shares(&effects), vec![(2, vec![change(1, 0)])]);
    let aborted = state.plans.last().unwrap();
    assert!(
        matches!(&aborted.phase, PlanPhase::Aborted { why } if why.contains("Lambda's guard was breached (5xx 40.0% > 5%"))
    );
    assert!(state.plan_on("/search/*").is_none());
    assert!(effects.contains(&Effect::Bell));
}

#[test]
fn a_crossing_shorter_than_the_periods_holds_the_plan_where_it_is() {
    let mut state = started(0);
    assert!(set_shares(&at(&mut state, 12, 1)).is_empty(), "one bad minute: neither a breach nor quiet");
    assert_eq!(state.plan_on("/search/*").unwrap().step, 0);
}

#[test]
fn pause_keeps_the_hold_and_resume_goes_on_from_it() {
    let mut state = started(0);
    at(&mut state, 4, 0);
    press(&mut state, Command::PausePlan);
    assert!(matches!(state.plan_on("/search/*").unwrap().phase, PlanPhase::Paused { .. }));
    assert!(set_shares(&at(&mut state, 30, 0)).is_empty(), "paused: no step however long");
    press(&mut state, Command::PausePlan);
    // 4 minutes were held before the pause: 6 more from the resume at minute 30.
    assert!(set_shares(&at(&mut state, 35, 0)).is_empty());
    assert_eq!(set_shares(&at(&mut state, 36, 0)), vec![(2, vec![change(1, 5)])]);
}

#[test]
fn x_aborts_and_sends_the_share_back() {
    let mut state = started(0);
    let effects = press(&mut state, Command::AbortPlan);
    assert_eq!(set_shares(&effects), vec![(2, vec![change(1, 0)])]);
    assert!(state.plan_on("/search/*").is_none());
}

/// `update` with its audit records kept.
fn with_audit(state: &mut State, action: Action) -> Vec<Effect> {
    crate::app::update::distribution(state, action)
}

fn accepted(state: &State, id: u64) -> Action {
    Action::to(ID, Event::SharesAccepted { id, accepted: super::taken_as_asked(state, id) })
}

#[test]
fn x_is_recorded_as_the_operators_share_move_and_a_breach_as_a_guards() {
    use crate::audit::RecordKind;
    let mut state = started(0);
    let effects = with_audit(&mut state, Action::Command(Command::AbortPlan));
    let records = audit_records(&effects);
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::PlanStep, RecordKind::SwitchRequested], "X is no guard's rollback");
    let request = records[1];
    let message = request.message.as_deref().unwrap();
    assert_eq!(message, "rollout plan default aborted by kim: λ back to 0 %");
    assert_eq!((request.operator.as_str(), request.shares.len()), ("kim", 1));
    assert_eq!(state.moves.last().unwrap().source, MoveSource::Manual);
    // The plan's `aborted` record and the share move it caused are one attempt.
    assert_eq!(records[0].plan.as_ref().unwrap().state, "aborted");
    assert!(records[1].attempt.is_some());
    assert_eq!(records[0].attempt, records[1].attempt);

    // A breach's abort stays a guard's automatic rollback.
    let mut state = started(0);
    let now = t0() + SignedDuration::from_mins(4);
    update(&mut state, Action::Tick(now));
    let numbers = Action::to(ID, Event::MetricsLoaded { result: Ok(numbers_at(now, 3)) });
    let records: Vec<_> = with_audit(&mut state, numbers)
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(r) => Some(r.as_ref().clone()),
            _ => None,
        })
        .collect();
    let rollback = records.iter().find(|r| r.kind == RecordKind::AutoRollback).expect("a guard's rollback");
    assert!(rollback.message.as_deref().unwrap().starts_with("automatic rollback by a guard"), "{rollback:?}");
    let aborted = records.iter().find(|r| r.kind == RecordKind::PlanStep).unwrap();
    assert_eq!(aborted.attempt, rollback.attempt);
}

#[test]
fn every_record_of_a_plan_step_carries_its_share_moves_attempt() {
    let mut state = routed(0);
    let mut effects = with_audit(&mut state, Action::Command(Command::StartPlan));
    effects.extend(with_audit(&mut state, Action::Command(Command::Confirm)));
    let answer = accepted(&state, 1);
    effects.extend(with_audit(&mut state, answer));
    let records = audit_records(&effects);
    let attempts: Vec<Option<&str>> = records.iter().map(|r| r.attempt.as_deref()).collect();
    let first = format!("{}-1", state.policy.run_id);
    assert_eq!(records.len(), 4, "requested, started, accepted, step: {records:#?}");
    assert!(attempts.iter().all(|a| *a == Some(first.as_str())), "{attempts:?}");
    let now = t0() + SignedDuration::from_mins(10);
    update(&mut state, Action::Tick(now));
    let numbers = Action::to(ID, Event::MetricsLoaded { result: Ok(numbers_at(now, 0)) });
    let mut next = with_audit(&mut state, numbers);
    let answer = accepted(&state, 2);
    next.extend(with_audit(&mut state, answer));
    let second = format!("{}-2", state.policy.run_id);
    assert!(audit_records(&next).iter().all(|r| r.attempt.as_deref() == Some(second.as_str())));
    // The operator's pause is about the step being held: its share move's attempt.
    let paused = with_audit(&mut state, Action::Command(Command::PausePlan));
    assert_eq!(audit_records(&paused)[0].attempt.as_deref(), Some(second.as_str()));
}

#[test]
fn the_last_step_ends_the_plan() {
    let mut state = routed(50);
    press(&mut state, Command::StartPlan);
    press(&mut state, Command::Confirm);
    taken(&mut state, 1);
    assert_eq!(state.plans[0].phase, PlanPhase::Done, "50 % → 100 %, the last step");
    assert!(messages(&state).last().unwrap().contains("rollout plan default done: λ 100 %"));
}

#[test]
fn a_restarted_console_resumes_the_plan_where_the_trail_and_the_store_say() {
    // What a session that started the plan and saw its first step taken wrote to the trail.
    let records: Vec<crate::audit::AuditRecord> = {
        let mut all = routed(0);
        let mut out = Vec::new();
        out.extend(crate::app::update::distribution(&mut all, Action::Command(Command::StartPlan)));
        out.extend(crate::app::update::distribution(&mut all, Action::Command(Command::Confirm)));
        let accepted = super::taken_as_asked(&all, 1);
        out.extend(crate::app::update::distribution(
            &mut all,
            Action::to(ID, Event::SharesAccepted { id: 1, accepted }),
        ));
        audit_records(&out).into_iter().cloned().collect()
    };
    let (resumed, warnings) = plans_under_way(records.iter(), ID);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(resumed.len(), 1);
    assert_eq!((resumed[0].step, resumed[0].share()), (0, 1));
    assert!(matches!(resumed[0].phase, PlanPhase::Restored { .. }));

    // The store still has 1 %: the plan holds its step again.
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.router = true;
    setup.resumed_plans = resumed.clone();
    let mut again = State::new(setup);
    update(&mut again, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut again, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(1)) }));
    assert!(matches!(again.plans[0].phase, PlanPhase::Holding { .. }), "{:?}", again.plans[0].phase);

    // The store has another share (moved by hand meanwhile): the plan pauses and says why.
    let mut setup = Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0());
    setup.router = true;
    setup.resumed_plans = resumed;
    let mut moved = State::new(setup);
    update(&mut moved, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut moved, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store(0)) }));
    assert!(matches!(&moved.plans[0].phase, PlanPhase::Paused { why, .. } if why.contains("the store has λ 0 %")));
    // Z resumes by sending the step's share again first.
    moved.view.selected = Some("/search/*".into());
    let effects = press(&mut moved, Command::PausePlan);
    assert_eq!(set_shares(&effects), vec![(1, vec![change(0, 1)])]);
}

#[test]
fn a_plan_is_refused_on_an_unrouted_route_and_twice_on_one() {
    let mut state = started(0);
    press(&mut state, Command::StartPlan);
    assert!(state.refused_sentence().as_deref().unwrap().contains("already under way at step 1/5"));
    state.view.selected = Some("*".into());
    press(&mut state, Command::StartPlan);
    // The demo names what moves it here, not a live command.
    assert!(state.refused_sentence().as_deref().unwrap().contains("s or `cutover switch` moves it by behavior"));
}

#[test]
fn a_plan_step_the_store_takes_but_reads_back_otherwise_pauses_the_plan() {
    let mut state = started(0);
    let effects = at(&mut state, 10, 0);
    assert_eq!(set_shares(&effects), vec![(2, vec![change(1, 5)])]);
    // The store answers the write, and still says 1 % when read again.
    let mut accepted = super::taken_as_asked(&state, 2);
    accepted.read_back = Ok(vec![("/search/*".into(), Some(1))]);
    update(&mut state, Action::to(ID, Event::SharesAccepted { id: 2, accepted }));
    let run = state.plan_on("/search/*").unwrap();
    assert!(
        matches!(&run.phase, PlanPhase::Paused { why, .. } if why.contains("sends λ 1 % to Lambda, not 5 % as asked")),
        "{:?}",
        run.phase
    );
    assert_eq!(run.step, 0, "the step that did not take is sent again on resume");
    assert_eq!(state.moves.by_id(2).unwrap().phase, crate::app::model::state::MovePhase::Failed);
}

/// A `plan_step` record of `/search/*` at `time` with `steps`, its step 0 taken.
fn trail_step(time: Timestamp, steps: &str, state_word: &str) -> crate::audit::AuditRecord {
    let mut record = crate::audit::AuditRecord::new(
        time,
        crate::audit::RecordKind::PlanStep,
        crate::audit::Environment::Demo,
        "kim",
        ID,
    )
    .with_routes(["/search/*"]);
    record.plan = Some(crate::audit::PlanMark {
        name: "slow".into(),
        steps: steps.into(),
        step: 0,
        share: 1,
        state: state_word.into(),
        held_secs: Some(u64::MAX),
    });
    record
}

#[test]
fn a_trail_step_that_cannot_be_represented_is_ignored_with_a_warning() {
    // Holds an older cutover let through (one crashed every later start, one became a hold of 0,
    // one wrapped), a step the plan does not have, and a hold ending past the last timestamp.
    let mut beyond = trail_step(Timestamp::MAX - SignedDuration::from_hours(1), "1% 2h, 100%", "step");
    let mut missing = trail_step(t0(), "1% 10m, 100%", "step");
    missing.plan.as_mut().unwrap().step = 7;
    missing.routes = vec!["/payments/*".into()];
    beyond.routes = vec!["/other/*".into()];
    let mut records = vec![beyond, missing];
    for (route, hold) in [("/a/*", "70000000h"), ("/b/*", "5124095576030431h"), ("/c/*", "5124095576030432h")] {
        let mut record = trail_step(t0(), &format!("1% {hold}, 100%"), "step");
        record.routes = vec![route.into()];
        records.push(record);
    }
    let (plans, warnings) = plans_under_way(records.iter(), ID);
    assert!(plans.is_empty(), "{plans:?}");
    assert_eq!(warnings.len(), 5, "{warnings:#?}");
    assert!(warnings.iter().all(|w| w.contains("is not resumed") && w.ends_with("if it should go on")));
    assert!(warnings[0].contains("ends past the last instant"), "{}", warnings[0]);
    assert!(warnings[1].contains("its step 8 is not one of plan slow's 2"), "{}", warnings[1]);
    assert!(warnings[2..].iter().all(|w| w.contains("holds longer than 7 days")), "{warnings:#?}");

    // A pause that went on past its hold (waiting for quiet numbers) resumes with its hold over.
    let paused = trail_step(t0(), "1% 10m, 100%", "paused");
    let (plans, warnings) = plans_under_way([paused].iter(), ID);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(matches!(&plans[0].phase, PlanPhase::Paused { held, .. } if held.as_secs() == 600));
}

#[test]
fn a_hold_whose_end_cannot_be_represented_never_ends_and_never_panics() {
    // A plan built by hand (not parsed), its hold beyond any timestamp: the plan holds, and the
    // screen says so without a countdown.
    let mut state = started(0);
    let run = state.plans.last_mut().unwrap();
    run.plan.steps[0].hold = std::time::Duration::from_secs(u64::MAX);
    assert!(set_shares(&at(&mut state, 60, 0)).is_empty(), "the hold is not over");
    press(&mut state, Command::PausePlan);
    press(&mut state, Command::PausePlan);
    assert!(set_shares(&at(&mut state, 120, 0)).is_empty(), "resumed: still not over");
    let run = state.plan_on("/search/*").unwrap();
    assert!(run.hold_ends(t0()).is_none());
}
