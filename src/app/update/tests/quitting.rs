//! Quitting with switches unfinished: ask first, then end each with exactly one `abandoned` event.

use super::{audit_records, loaded, messages, orders_accepted, press, request_switch};
use crate::app::action::Action;
use crate::app::command::Command;
use crate::app::model::state::{MovePhase, Overlay};
use crate::audit::{Outcome, RecordKind};

#[test]
fn quitting_with_nothing_unfinished_needs_no_question() {
    let mut state = loaded();
    press(&mut state, Command::Quit);
    assert!(state.quit);
}

#[test]
fn quitting_mid_switch_asks_says_what_state_the_route_may_be_in_and_can_be_cancelled() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    press(&mut state, Command::Quit);
    assert!(!state.quit);
    let Overlay::ConfirmQuit(risks) = &state.view.overlay else { panic!("no question: {:?}", state.view.overlay) };
    assert_eq!(risks.len(), 1);
    assert!(risks[0].starts_with("/orders/* λ Lambda → ◼ origin: sent to CloudFront 0s ago with no answer yet"));
    assert!(risks[0].contains("may or may not be applied"), "{risks:?}");

    press(&mut state, Command::Cancel);
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(!state.quit);
    assert_eq!(state.moves[0].phase, MovePhase::Requested, "cancelling changes nothing");

    // Accepted and rolling out: CloudFront will finish it, and the question says so.
    let accepted = orders_accepted(1, "E1", "E2");
    crate::app::update::distribution(&mut state, accepted);
    press(&mut state, Command::Quit);
    let Overlay::ConfirmQuit(risks) = &state.view.overlay else { panic!("no question") };
    assert!(risks[0].contains("accepted and rolling out") && risks[0].contains("finishes it without cutover"));
}

#[test]
fn quitting_anyway_ends_each_unfinished_switch_with_one_abandoned_record() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    press(&mut state, Command::Quit);
    let effects = crate::app::update::distribution(&mut state, Action::Command(Command::ConfirmQuit));
    assert!(state.quit);
    assert_eq!(state.moves[0].phase, MovePhase::Abandoned);
    let records = audit_records(&effects);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, RecordKind::SwitchAbandoned);
    assert_eq!(records[0].outcome, Some(Outcome::Abandoned));
    let why = records[0].error.as_deref().unwrap();
    assert!(why.contains("the operator quit the console before AWS confirmed it"), "{why}");
    let logged = messages(&state).last().unwrap().clone();
    assert!(logged.starts_with("WARN /orders/* switch λ Lambda → ◼ origin abandoned"), "{logged}");

    // An answer arriving after the end does not end it a second time.
    let late = crate::app::update::distribution(&mut state, Action::Abandon { reason: "SIGTERM".into() });
    assert!(audit_records(&late).is_empty());
}

#[test]
fn other_distributions_unfinished_switches_are_named_in_the_question() {
    let mut state = loaded();
    let elsewhere = vec!["E2OTHER: /cart/* λ Lambda → ◼ origin: accepted and rolling out for 1m".to_string()];
    crate::app::update::quitting::request(&mut state, elsewhere.clone());
    assert_eq!(state.view.overlay, Overlay::ConfirmQuit(elsewhere));
}
