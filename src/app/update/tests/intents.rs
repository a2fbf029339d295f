//! The planner (`intent::plan`) on its own: the same request gives the dialog a key would open, or
//! the refusal the key would say, from the state alone and without changing it.

use super::{ID, loaded, orders_accepted, select};
use crate::app::command::Command;
use crate::app::intent::refusal::{InFlight, Untouched};
use crate::app::intent::{self, Dialog, Refusal, Request};
use crate::app::model::state::{Overlay, State};
use crate::domain::Target;

fn switch_of(dialog: Dialog) -> crate::app::model::state::ConfirmSwitch {
    match dialog {
        Dialog::Switch(confirm) => confirm,
        other => panic!("expected the switch dialog, got {other:?}"),
    }
}

#[test]
fn a_planned_switch_is_the_dialog_the_key_opens_and_planning_changes_nothing() {
    let mut state = loaded();
    let before = format!("{:?}", (&state.view.overlay, &state.notices.log, &state.notices.refused, state.moves.len()));
    let planned = switch_of(intent::plan(&state, Request::Switch { path: "/orders/*".into() }).unwrap());
    assert_eq!(
        (planned.from, planned.to, planned.paths.clone()),
        (Target::Lambda, Target::Origin, vec!["/orders/*".to_string()])
    );
    assert_eq!(
        before,
        format!("{:?}", (&state.view.overlay, &state.notices.log, &state.notices.refused, state.moves.len()))
    );
    select(&mut state, "/orders/*");
    super::press(&mut state, Command::Switch);
    assert_eq!(state.view.overlay, Overlay::Confirm(planned));
}

#[test]
fn each_request_refused_on_a_read_only_console_says_what_it_left_alone() {
    let mut state = loaded();
    state.read_only = Some("--read-only".into());
    let refused = |state: &State, request| intent::plan(state, request).unwrap_err();
    let switch = refused(&state, Request::Switch { path: "/orders/*".into() });
    assert_eq!(
        switch,
        Refusal::ReadOnly { why: "--read-only".into(), untouched: Untouched::Switched("/orders/*".into()) }
    );
    assert_eq!(switch.exit_code(), 2);
    assert_eq!(switch.reason(), "read_only");
    assert!(matches!(refused(&state, Request::RollbackAll), Refusal::ReadOnly { .. }));
    assert_eq!(refused(&state, Request::Undo), Refusal::NothingToUndo);
    // A route the distribution does not have says so before anything else.
    let stuck = refused(&state, Request::Switch { path: "/nope/*".into() });
    assert!(matches!(stuck, Refusal::NotSwitchable { .. }), "{stuck:?}");
    // The key says the same sentence in the log, and keeps the refusal for headless commands.
    select(&mut state, "/orders/*");
    super::press(&mut state, Command::Switch);
    assert_eq!(state.notices.refused.as_ref(), Some(&switch));
    assert_eq!(state.notices.log.last().map(|e| e.message.clone()), Some(switch.sentence()));
}

#[test]
fn while_an_update_is_on_its_way_the_planner_refuses_and_the_key_also_says_it_in_the_banner() {
    let mut state = loaded();
    select(&mut state, "/orders/*");
    super::press(&mut state, Command::Switch);
    super::press(&mut state, Command::Confirm);
    let refusal = intent::plan(&state, Request::Switch { path: "/user/*".into() }).unwrap_err();
    assert_eq!(refusal, Refusal::InFlight(InFlight::Update { distribution_id: ID.into(), paths: "/user/*".into() }));
    select(&mut state, "/user/*");
    super::press(&mut state, Command::Switch);
    assert_eq!(state.notices.banner, Some(refusal.sentence()));
    // Once AWS took it, `u` plans the undo of that switch.
    super::update(&mut state, orders_accepted(1, "E1", "E2"));
    let undo = switch_of(intent::plan(&state, Request::Undo).unwrap());
    assert_eq!((undo.paths, undo.to), (vec!["/orders/*".to_string()], Target::Lambda));
}

#[test]
fn a_share_outside_0_to_100_and_a_route_without_a_stage_are_refused_with_their_own_reasons() {
    let state = loaded();
    let share = intent::plan(&state, Request::Share { path: "/search/*".into(), to: 120 }).unwrap_err();
    assert_eq!((share.reason(), share.sentence()), ("not_a_share", "120 % is not a share: give 0 to 100".to_string()));
    let stage = intent::plan(&state, Request::StageList { path: "/orders/*".into() }).unwrap_err();
    assert_eq!(stage.reason(), "no_stage");
    assert_eq!(stage.to_json()["route"], "/orders/*");
}

#[test]
fn a_key_that_cannot_act_answers_in_the_footer_for_four_ticks() {
    let mut state = loaded();
    state.read_only = Some("--read-only".into());
    select(&mut state, "/orders/*");
    super::press(&mut state, Command::Switch);
    let sentence = state.refused_sentence().unwrap();
    assert_eq!(state.notices.flash.as_ref().map(|f| f.text.clone()), Some(sentence));
    let tick = |state: &mut State| {
        let now = state.now;
        super::update(state, crate::app::action::Action::Tick(now));
    };
    for _ in 0..3 {
        tick(&mut state);
    }
    assert!(state.notices.flash.is_some(), "still there after three ticks");
    tick(&mut state);
    assert_eq!(state.notices.flash, None, "gone after the fourth");
    // `a` with no route breached says so instead of doing nothing.
    super::press(&mut state, Command::SelectNextBreached);
    let flash = state.notices.flash.as_ref().map(|f| f.text.as_str());
    assert_eq!(flash, Some("no route is breached: a has nothing to jump to"));
}
