//! The stage rollback in `update`: `D` opens the picker and reads the stage, ↑/↓ choose, Enter
//! asks, `y` sends `UpdateStage` recorded first, the answer is logged and recorded, `u` moves the
//! stage back, and read-only refuses it.

use super::{ID, audit_records, loaded, messages, orders_accepted, press, request_switch, select};
use crate::app::action::{Action, Effect, Event, On, Work};
use crate::app::command::Command;
use crate::app::model::state::{MoveSource, Overlay, State};
use crate::audit::{Outcome, RecordKind};
use crate::backend::BackendError;
use crate::domain::stage::{Deployment, RouteStage, StageDeployments, StageRef};

fn prod() -> StageRef {
    StageRef::Rest { rest_api_id: "r1".into(), stage: "prod".into() }
}

fn with_stage() -> State {
    let mut state = loaded();
    let stage = RouteStage { stage: prod(), fallback_deployment: Some("d0".into()) };
    state.policy.stages.insert("/orders/*".into(), stage);
    state
}

fn deployments(current: &str) -> StageDeployments {
    let d = |id: &str, description: &str| Deployment { id: id.into(), description: description.into(), created: None };
    StageDeployments {
        current: current.into(),
        list: vec![d("d2", "v42"), d("d1", "v41: orders on Lambda"), d("d0", "proxy to monolith")],
    }
}

/// `D` on /orders/*, and the stage's deployments read.
fn picker_open(state: &mut State) {
    select(state, "/orders/*");
    let effects = press(state, Command::StageRollback);
    assert_eq!(effects, vec![Effect::on(ID, Work::LoadStage { path: "/orders/*".into(), stage: prod() })]);
    let loaded = Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Ok(deployments("d2")) });
    super::update(state, loaded);
}

/// `D`, Enter on the fallback, `y`, and API Gateway took it: the stage serves d0.
fn rolled_back_to_d0(state: &mut State) {
    picker_open(state);
    press(state, Command::Confirm);
    press(state, Command::Confirm);
    super::update(state, Action::to(ID, Event::StageSet { id: 1, result: Ok("d0".into()) }));
}

/// Everything `update` returns, audit records included.
fn all(state: &mut State, action: Action) -> Vec<Effect> {
    crate::app::update::distribution(state, action)
}

#[test]
fn d_opens_the_picker_with_the_fallback_chosen_and_arrows_choose() {
    let mut state = with_stage();
    picker_open(&mut state);
    let Overlay::StagePicker(picker) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!(picker.chosen, 2, "the fallback first");
    assert_eq!(state.learned.stage_serving[&prod()].current, "d2", "the route detail knows what the stage serves");
    press(&mut state, Command::SelectUp);
    press(&mut state, Command::SelectUp);
    press(&mut state, Command::SelectUp);
    let Overlay::StagePicker(picker) = &state.view.overlay else { panic!() };
    assert_eq!(picker.chosen, 0, "stops at the top");
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"), "the route table did not move");

    // The serving one cannot be chosen.
    press(&mut state, Command::Confirm);
    assert!(matches!(state.view.overlay, Overlay::StagePicker(_)));
    assert!(state.refused_sentence().as_deref().unwrap().contains("already serves deployment d2"));
    press(&mut state, Command::Cancel);
    assert_eq!(state.view.overlay, Overlay::None);
}

#[test]
fn confirming_records_then_sends_update_stage_and_the_answer_is_logged_and_recorded() {
    let mut state = with_stage();
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    let Overlay::ConfirmStage(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!((confirm.from.as_str(), confirm.to.as_str(), confirm.to_fallback), ("d2", "d0", true));

    let effects = all(&mut state, Action::Command(Command::Confirm));
    assert!(matches!(&effects[0], Effect::Audit(r) if r.kind == RecordKind::StageRequested), "recorded first");
    assert_eq!(effects[1], Effect::on(ID, Work::SetStage { id: 1, stage: prod(), deployment_id: "d0".into() }));
    let requested = audit_records(&effects)[0];
    let mark = requested.stage.as_ref().unwrap();
    assert_eq!((mark.api.as_str(), mark.from_deployment.as_str(), mark.to_deployment.as_str()), ("rest", "d2", "d0"));
    assert_eq!(requested.routes, ["/orders/*"]);

    // Another D while it is out is refused.
    press(&mut state, Command::StageRollback);
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.refused_sentence().as_deref().unwrap().contains("still on its way"));

    let effects = all(&mut state, Action::to(ID, Event::StageSet { id: 1, result: Ok("d0".into()) }));
    let accepted = audit_records(&effects);
    assert_eq!((accepted[0].kind, accepted[0].outcome), (RecordKind::StageAccepted, Some(Outcome::Accepted)));
    assert_eq!(accepted[0].requested_at, requested.requested_at);
    assert_eq!(state.learned.stage_serving[&prod()].current, "d0");
    assert!(messages(&state).iter().any(|m| m.contains("now serves deployment d0")), "{:?}", messages(&state));
    // The way back, by key and by command (a headless run has no `u`), in the demo as it runs it.
    let said = messages(&state).into_iter().find(|m| m.contains("now serves deployment d0")).unwrap();
    assert!(said.ends_with("u (or `cutover stage '/orders/*' --deployment d2 --demo`) moves it back"), "{said}");
}

#[test]
fn a_refused_move_is_logged_recorded_and_leaves_the_stage_as_it_was() {
    let mut state = with_stage();
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    press(&mut state, Command::Confirm);
    let error = BackendError::AccessDenied("UpdateStage is not allowed".into());
    let effects = all(&mut state, Action::to(ID, Event::StageSet { id: 1, result: Err(error) }));
    let failed = audit_records(&effects);
    assert_eq!((failed[0].kind, failed[0].outcome), (RecordKind::StageFailed, Some(Outcome::Failed)));
    assert!(failed[0].error.as_deref().unwrap().contains("UpdateStage is not allowed"));
    assert_eq!(state.learned.stage_serving[&prod()].current, "d2");
    // AWS's refusal is a failure, said in the log (and the move's `failure`), not a request the
    // console turned down: `refused` stays for those.
    assert!(messages(&state).iter().any(|m| m.contains("was not moved")), "{:?}", messages(&state));
    // Nothing to undo.
    press(&mut state, Command::Undo);
    assert!(!matches!(state.view.overlay, Overlay::ConfirmStage(_)));
}

#[test]
fn u_moves_the_stage_back_until_a_switch_comes_after_it() {
    let mut state = with_stage();
    rolled_back_to_d0(&mut state);

    press(&mut state, Command::Undo);
    let Overlay::ConfirmStage(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert!(confirm.undo);
    assert_eq!((confirm.from.as_str(), confirm.to.as_str(), confirm.to_description.as_str()), ("d0", "d2", "v42"));
    let effects = all(&mut state, Action::Command(Command::Confirm));
    assert_eq!(audit_records(&effects)[0].message.as_deref(), Some("undo of the last stage move (u)"));
    assert!(effects.contains(&Effect::on(ID, Work::SetStage { id: 2, stage: prod(), deployment_id: "d2".into() })));
    super::update(&mut state, Action::to(ID, Event::StageSet { id: 2, result: Ok("d2".into()) }));
    assert_eq!(state.learned.stage_serving[&prod()].current, "d2");

    // A switch after the last stage move: u is the switch's again.
    request_switch(&mut state, "/user/*");
    state.view.overlay = Overlay::None;
    press(&mut state, Command::Undo);
    assert!(!matches!(state.view.overlay, Overlay::ConfirmStage(_)));
}

#[test]
fn read_only_may_look_but_not_move_and_a_route_without_a_stage_is_refused() {
    let mut state = with_stage();
    select(&mut state, "/user/*");
    assert!(press(&mut state, Command::StageRollback).is_empty());
    assert!(state.refused_sentence().as_deref().unwrap().contains("names no API Gateway stage"));

    // Read-only may look at the deployments, and not choose one.
    state.read_only = Some("--read-only".into());
    picker_open(&mut state);
    assert!(matches!(state.view.overlay, Overlay::StagePicker(_)));
    assert!(press(&mut state, Command::Confirm).is_empty());
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.refused_sentence().as_deref().unwrap().starts_with("read-only (--read-only)"));
    assert!(state.moves.is_empty());
}

#[test]
fn a_stage_move_read_back_on_another_deployment_fails_with_a_banner() {
    let mut state = with_stage();
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    press(&mut state, Command::Confirm);
    // UpdateStage took it, but the stage read again still serves d2.
    let effects = all(&mut state, Action::to(ID, Event::StageSet { id: 1, result: Ok("d2".into()) }));
    let failed = audit_records(&effects);
    assert_eq!((failed[0].kind, failed[0].outcome), (RecordKind::StageFailed, Some(Outcome::Failed)));
    assert!(failed[0].error.as_deref().unwrap().contains("serves deployment d2, not d0 as asked"));
    assert_eq!(state.learned.stage_serving[&prod()].current, "d2", "what the stage serves, as read");
    assert!(state.notices.banner.as_deref().unwrap().contains("serves deployment d2, not d0 as asked"));
    assert!(messages(&state).last().unwrap().starts_with("ERROR"));
    press(&mut state, Command::Undo);
    assert!(!matches!(state.view.overlay, Overlay::ConfirmStage(_)), "nothing to undo");
}

#[test]
fn an_unanswered_stage_move_is_asked_about_at_quit_and_recorded_stage_abandoned() {
    let mut state = with_stage();
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    let sent = all(&mut state, Action::Command(Command::Confirm));
    let requested = audit_records(&sent)[0].clone();

    // q asks, naming the stage and what it may serve.
    press(&mut state, Command::Quit);
    assert!(!state.quit);
    let Overlay::ConfirmQuit(risks) = &state.view.overlay else { panic!("no question: {:?}", state.view.overlay) };
    assert_eq!(risks.len(), 1, "{risks:?}");
    assert!(risks[0].starts_with("stage REST r1/prod deployment d2 → d0: UpdateStage sent 0s ago"), "{risks:?}");
    assert!(risks[0].contains("may serve either deployment"), "{risks:?}");

    let effects = all(&mut state, Action::Command(Command::ConfirmQuit));
    assert!(state.quit);
    let records = audit_records(&effects);
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].kind, records[0].outcome), (RecordKind::StageAbandoned, Some(Outcome::Abandoned)));
    assert_eq!((&records[0].attempt, records[0].requested_at), (&requested.attempt, requested.requested_at));
    assert!(records[0].attempt.as_deref().is_some_and(|a| a.ends_with("-stage-1")), "{:?}", records[0].attempt);
    let why = records[0].error.as_deref().unwrap();
    assert!(why.contains("the operator quit the console before AWS confirmed it"), "{why}");
    assert!(messages(&state).last().unwrap().contains("stage REST r1/prod deployment d2 → d0 abandoned"));

    // A signal after it, or the answer arriving late, does not end it a second time.
    assert!(audit_records(&all(&mut state, Action::Abandon { reason: "SIGTERM".into() })).is_empty());
    let late = all(&mut state, Action::to(ID, Event::StageSet { id: 1, result: Ok("d0".into()) }));
    assert!(audit_records(&late).is_empty());

    // A signal with the move out ends it the same way, with the signal's words.
    let mut state = with_stage();
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    all(&mut state, Action::Command(Command::Confirm));
    let effects = all(&mut state, Action::Abandon { reason: "cutover got SIGTERM".into() });
    let records = audit_records(&effects);
    assert_eq!(records[0].kind, RecordKind::StageAbandoned);
    assert!(records[0].error.as_deref().unwrap().contains("abandoned: cutover got SIGTERM"));
}

/// `/orders/*`'s switch to the origin, accepted as asked.
fn switch_accepted(state: &mut State, id: u64) {
    request_switch(state, "/orders/*");
    super::update(state, orders_accepted(id, "E3X", "E9Q"));
}

#[test]
fn switches_and_stage_moves_are_numbered_in_one_ledger() {
    let mut state = with_stage();
    switch_accepted(&mut state, 1);
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    let effects = all(&mut state, Action::Command(Command::Confirm));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::On(On { work: Work::SetStage { id: 2, .. }, .. }))),
        "{effects:?}"
    );
    let record = audit_records(&effects)[0];
    assert!(record.attempt.as_deref().is_some_and(|a| a.ends_with("-stage-2")), "{:?}", record.attempt);
    let kinds: Vec<bool> = state.moves.iter().map(|m| m.stage().is_some()).collect();
    assert_eq!(kinds, [false, true]);
    assert!(state.moves.iter().all(|m| m.distribution_id == ID));
}

#[test]
fn u_undoes_the_newest_move_of_either_kind() {
    // A switch taken after a stage move: u is the switch's.
    let mut state = with_stage();
    rolled_back_to_d0(&mut state);
    switch_accepted(&mut state, 2);
    press(&mut state, Command::Undo);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!((confirm.kind, confirm.paths.as_slice()), (MoveSource::Undo, &["/orders/*".to_string()][..]));

    // A stage move taken after a switch: u is the stage's.
    let mut state = with_stage();
    switch_accepted(&mut state, 1);
    picker_open(&mut state);
    press(&mut state, Command::Confirm);
    press(&mut state, Command::Confirm);
    super::update(&mut state, Action::to(ID, Event::StageSet { id: 2, result: Ok("d0".into()) }));
    press(&mut state, Command::Undo);
    let Overlay::ConfirmStage(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!((confirm.from.as_str(), confirm.to.as_str(), confirm.undo), ("d0", "d2", true));

    // Once undone, u does not offer the undone move again: the stage has moved since.
    press(&mut state, Command::Confirm);
    super::update(&mut state, Action::to(ID, Event::StageSet { id: 3, result: Ok("d2".into()) }));
    press(&mut state, Command::Undo);
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.refused_sentence().as_deref().unwrap().contains("nothing to undo"), "{:?}", state.notices.refused);
}

#[test]
fn every_refresh_reads_each_configured_stage_once_and_a_failing_read_is_said_once() {
    let mut state = with_stage();
    state.policy.stages.insert("/user/*".into(), RouteStage { stage: prod(), fallback_deployment: Some("d0".into()) });
    let effects = crate::app::update::refresh::refresh_now(&mut state);
    let reads: Vec<_> =
        effects.iter().filter(|e| matches!(e, Effect::On(On { work: Work::LoadStage { .. }, .. }))).collect();
    assert_eq!(reads.len(), 1, "one read for the one stage both routes are behind: {effects:?}");
    let again = crate::app::update::refresh::refresh_now(&mut state);
    assert!(
        !again.iter().any(|e| matches!(e, Effect::On(On { work: Work::LoadStage { .. }, .. }))),
        "one out at a time"
    );

    let denied = || BackendError::AccessDenied("apigateway:GET".into());
    super::update(&mut state, Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Err(denied()) }));
    crate::app::update::refresh::refresh_now(&mut state);
    super::update(&mut state, Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Err(denied()) }));
    let said = messages(&state).iter().filter(|m| m.contains("could not read the deployments")).count();
    assert_eq!(said, 1, "{:?}", messages(&state));

    super::update(
        &mut state,
        Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Ok(deployments("d2")) }),
    );
    assert_eq!(state.learned.stage_serving[&prod()].current, "d2", "known before any D");
}

#[test]
fn a_breaching_route_offers_the_stage_rollback_first_until_the_stage_serves_its_fallback() {
    use crate::app::intent::remedies::for_breach;
    let mut state = with_stage();
    super::update(
        &mut state,
        Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Ok(deployments("d2")) }),
    );
    assert!(for_breach(&state, "/orders/*").is_empty(), "healthy: no remedy");
    super::update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(super::metrics(1)) }));
    let said: Vec<String> = for_breach(&state, "/orders/*").iter().map(|r| r.describe()).collect();
    assert_eq!(said, ["D stage → d0: seconds, stage prod", "s origin: 1–3 min"], "from the first bad minute");

    // Behind the same stage as another route: the rollback reaches it too, and says so.
    state.policy.stages.insert("/user/*".into(), RouteStage { stage: prod(), fallback_deployment: Some("d0".into()) });
    assert_eq!(for_breach(&state, "/orders/*")[0].describe(), "D stage → d0: seconds, every route behind prod");

    // Once the stage serves its fallback, the switch is what is left.
    super::update(
        &mut state,
        Action::to(ID, Event::StageLoaded { path: "/orders/*".into(), result: Ok(deployments("d0")) }),
    );
    let keys: Vec<&str> = for_breach(&state, "/orders/*").iter().map(|r| r.key).collect();
    assert_eq!(keys, ["s"]);
}

#[test]
fn after_the_stage_rollback_late_minutes_are_said_late_and_u_warns_with_the_numbers() {
    let mut state = with_stage();
    select(&mut state, "/orders/*");
    super::update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(super::metrics(3)) }));
    assert_eq!(state.route("/orders/*").unwrap().alert.len(), 1);
    rolled_back_to_d0(&mut state);

    // The same bad minutes, delivered again: from before the stage move, no bell, no remedy.
    super::update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(super::metrics(0)) }));
    let effects = super::update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(super::metrics(3)) }));
    assert!(!effects.contains(&Effect::Bell), "{effects:?}");
    assert!(messages(&state).last().unwrap().ends_with("— from before the stage move at 22:40:05 took effect"));
    assert!(crate::app::intent::remedies::for_breach(&state, "/orders/*").is_empty());

    press(&mut state, Command::Undo);
    let Overlay::ConfirmStage(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!(
        confirm.warning().as_deref(),
        Some("d2 was breaching when the stage left it (/orders/* 5xx 12.4% > 5%): this serves it again")
    );
}

#[test]
fn u_warns_with_the_newest_minute_when_the_rollback_came_before_the_alert() {
    let mut state = with_stage();
    select(&mut state, "/orders/*");
    super::update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(super::metrics(1)) }));
    assert!(state.route("/orders/*").unwrap().alert.is_empty(), "one bad minute: the first `!`, no alert yet");
    rolled_back_to_d0(&mut state);
    press(&mut state, Command::Undo);
    let Overlay::ConfirmStage(confirm) = &state.view.overlay else { panic!("{:?}", state.view.overlay) };
    assert_eq!(
        confirm.warning().as_deref(),
        Some("d2 was breaching when the stage left it (/orders/* 5xx 12.4%): this serves it again")
    );
}
