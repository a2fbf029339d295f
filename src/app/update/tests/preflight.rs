//! The confirm dialog's overrides: what the pre-flight blocks and a failing audit trail go through
//! only on `!`, and the override is said in the log and carried to the switch.

use super::{loaded, messages, press, select};
use crate::app::action::{Effect, On, Work};
use crate::app::command::Command;
use crate::app::model::state::Overlay;
use crate::domain::preflight::BehaviorPolicies;
use crate::domain::{OriginPair, Target};

const ALL_VIEWER: &str = "216adef6-5c7f-47e4-b989-5492eafa07d3";
const EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

fn forwarding_host(state: &mut crate::app::model::state::State, path: &str) {
    let row = state.routes.iter_mut().find(|r| r.path == path).unwrap();
    row.behavior = BehaviorPolicies { origin_request_policy_id: Some(ALL_VIEWER.into()), ..Default::default() };
}

fn switch_effects(effects: &[Effect]) -> usize {
    effects.iter().filter(|e| matches!(e, Effect::On(On { work: Work::Switch { .. }, .. }))).count()
}

#[test]
fn a_blocked_switch_goes_only_on_the_override_key_and_says_so() {
    let mut state = loaded();
    forwarding_host(&mut state, "/search/*");
    select(&mut state, "/search/*");
    press(&mut state, Command::Switch);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert_eq!(confirm.blocks.len(), 1, "{:?}", confirm.blocks);
    assert_eq!(confirm.changes[0].describe(), "/search/* ◼ origin (legacy) → λ Lambda (apigw)");

    assert_eq!(switch_effects(&press(&mut state, Command::Confirm)), 0);
    assert!(matches!(state.view.overlay, Overlay::Confirm(_)), "the dialog stays open");
    assert!(messages(&state).last().unwrap().contains("not switched: /search/* would send the viewer's Host"));

    let effects = press(&mut state, Command::ConfirmOverride);
    let Some(Effect::On(On { work: Work::Switch { changes, .. }, .. })) =
        effects.iter().find(|e| matches!(e, Effect::On(On { work: Work::Switch { .. }, .. })))
    else {
        panic!("no switch: {effects:?}")
    };
    let reason = changes[0].override_reason.as_deref().unwrap();
    assert!(reason.starts_with("overridden in the console by kim (overriding: /search/* would send"), "{reason}");
    assert!(messages(&state).iter().any(|m| m.starts_with("WARN /search/* pre-flight overridden")));
}

#[test]
fn a_policy_swap_the_config_names_clears_the_block_and_rides_in_the_change() {
    let mut state = loaded();
    forwarding_host(&mut state, "/search/*");
    let row = state.routes.iter_mut().find(|r| r.path == "/search/*").unwrap();
    row.pair = Ok(OriginPair {
        lambda: "apigw".into(),
        legacy: "legacy".into(),
        lambda_request_policy: Some(EXCEPT_HOST.into()),
        legacy_request_policy: None,
    });
    select(&mut state, "/search/*");
    press(&mut state, Command::Switch);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert!(confirm.blocks.is_empty(), "{:?}", confirm.blocks);
    let effects = press(&mut state, Command::Confirm);
    let Some(Effect::On(On { work: Work::Switch { changes, .. }, .. })) =
        effects.iter().find(|e| matches!(e, Effect::On(On { work: Work::Switch { .. }, .. })))
    else {
        panic!("no switch: {effects:?}")
    };
    assert_eq!(changes[0].request_policy, Some((Some(ALL_VIEWER.into()), EXCEPT_HOST.into())));
    assert_eq!(changes[0].to, Target::Lambda);
}

#[test]
fn while_the_audit_trail_fails_y_is_refused_and_the_override_is_recorded() {
    let mut state = loaded();
    state.notices.audit_failure = Some("No space left on device".into());
    select(&mut state, "/orders/*");
    press(&mut state, Command::Switch);
    assert_eq!(switch_effects(&press(&mut state, Command::Confirm)), 0);
    assert!(messages(&state).last().unwrap().contains("the audit trail cannot be written (No space left on device)"));
    let effects = press(&mut state, Command::ConfirmOverride);
    assert_eq!(switch_effects(&effects), 1);
    assert!(state.moves[0].override_reason.as_deref().unwrap().contains("would not be recorded"));
}

#[test]
fn routes_that_cannot_move_are_left_out_of_a_rollback_and_refused_alone() {
    let mut state = loaded();
    let row = state.routes.iter_mut().find(|r| r.path == "/user/*").unwrap();
    row.pair = Err("the config sets switchable = false".into());
    press(&mut state, Command::RollbackAll);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert_eq!(confirm.paths, ["/orders/*"]);
    assert!(confirm.notes.iter().any(|n| n.contains("left as it is: /user/* stays on λ Lambda (apigw): the config sets switchable = false")), "{:?}", confirm.notes);
    press(&mut state, Command::Cancel);

    select(&mut state, "/user/*");
    press(&mut state, Command::Switch);
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(messages(&state).last().unwrap().contains("not switchable: the config sets switchable = false"));
}
