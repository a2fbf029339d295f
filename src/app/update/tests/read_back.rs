//! Every accepted switch is read back: a route CloudFront shows somewhere other than where it was
//! asked fails the switch (an error line, a banner, `switch_failed`), whether the read comes with
//! the acceptance or with a deploy poll; a read that fails leaves it unconfirmed, never deployed.

use super::*;
use crate::app::action::{Event, On, Work};
use crate::audit::RecordKind;

fn accepted(status: DeployStatus, read_back: Result<ReadBack, BackendError>) -> Action {
    Action::to(
        ID,
        Event::SwitchAccepted {
            id: 1,
            etag_before: "E1".into(),
            etag_after: "E2".into(),
            status,
            already_there: vec![],
            read_back,
        },
    )
}

fn kinds(effects: &[Effect]) -> Vec<RecordKind> {
    audit_records(effects).iter().map(|r| r.kind).collect()
}

#[test]
fn a_switch_accepted_but_read_back_on_its_old_origin_fails_and_is_never_deployed() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    // CloudFront answers Deployed, but the config read back still sends /orders/* to apigw.
    let effects = super::super::distribution(
        &mut state,
        accepted(DeployStatus::Deployed, Ok(read_back(DeployStatus::Deployed, &[]))),
    );
    assert_eq!(kinds(&effects), [RecordKind::SwitchFailed]);
    let failed = audit_records(&effects)[0];
    assert!(
        failed.error.as_deref().unwrap().contains("/orders/* is still on apigw (λ Lambda), not on legacy as asked")
    );
    assert!(effects.contains(&Effect::on(ID, Work::LoadTopology { generation: 1 })), "read again");
    let attempt = &state.moves[0];
    assert_eq!(attempt.phase, MovePhase::Failed);
    let failure = attempt.failure.as_deref().unwrap();
    assert!(failure.contains("not done: AWS accepted the update, but read back from CloudFront"), "{failure}");
    assert!(failure.ends_with("check with `cutover status` and switch again"), "{failure}");
    assert!(state.notices.banner.as_deref().unwrap().contains("/orders/* is still on apigw"));
    assert!(messages(&state).last().unwrap().starts_with("ERROR"), "{:?}", messages(&state));
    let row = state.route("/orders/*").unwrap();
    assert_eq!((row.target, row.pending), (Some(Target::Lambda), None), "the row says where it is");
}

#[test]
fn a_route_gone_from_the_read_back_fails_the_switch() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let mut gone = read_back(DeployStatus::Deployed, ORDERS_BACK);
    gone.origins.retain(|(path, _)| path != "/orders/*");
    update(&mut state, accepted(DeployStatus::Deployed, Ok(gone)));
    assert_eq!(state.moves[0].phase, MovePhase::Failed);
    assert!(state.moves[0].failure.as_deref().unwrap().contains("/orders/* is gone from the distribution"));
}

#[test]
fn a_deploy_poll_that_reads_the_route_elsewhere_fails_the_switch_instead_of_deploying_it() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    update(&mut state, accepted(DeployStatus::InProgress, Ok(read_back(DeployStatus::InProgress, ORDERS_BACK))));
    assert_eq!(state.moves[0].phase, MovePhase::Propagating);
    // By the time CloudFront says Deployed, the behavior is on another origin.
    let elsewhere = read_back(DeployStatus::Deployed, &[("/orders/*", "other-elb")]);
    let effects = super::super::distribution(&mut state, Action::to(ID, Event::DeployStatus { result: Ok(elsewhere) }));
    assert_eq!(kinds(&effects), [RecordKind::SwitchFailed]);
    assert_eq!(state.moves[0].phase, MovePhase::Failed);
    assert!(state.moves[0].failure.as_deref().unwrap().contains("/orders/* is on other-elb, not on legacy as asked"));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::On(On { work: Work::PollDeploy { .. }, .. }))),
        "nothing left to poll: {effects:?}"
    );
}

#[test]
fn a_read_back_that_fails_leaves_the_switch_unconfirmed_until_a_poll_reads_it() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let effects =
        super::super::distribution(&mut state, accepted(DeployStatus::Deployed, Err(BackendError::Throttling)));
    assert_eq!(kinds(&effects), [RecordKind::SwitchAccepted], "accepted, not deployed");
    assert!(effects.iter().any(|e| matches!(e, Effect::On(On { work: Work::PollDeploy { .. }, .. }))), "{effects:?}");
    assert_eq!(state.moves[0].phase, MovePhase::Propagating);
    assert!(messages(&state).iter().any(|m| m.contains("reading the distribution back after the update failed")));
    let deployed = read_back(DeployStatus::Deployed, ORDERS_BACK);
    let effects = super::super::distribution(&mut state, Action::to(ID, Event::DeployStatus { result: Ok(deployed) }));
    assert_eq!(kinds(&effects), [RecordKind::SwitchDeployed]);
    assert_eq!(state.moves[0].phase, MovePhase::Deployed);
}

#[test]
fn an_earlier_switch_is_not_read_back_against_a_route_a_later_one_moved() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    update(&mut state, accepted(DeployStatus::InProgress, Ok(read_back(DeployStatus::InProgress, ORDERS_BACK))));
    // The operator sends /orders/* back to Lambda while the first switch still propagates.
    request_switch(&mut state, "/orders/*");
    assert_eq!(state.moves.len(), 2, "{:?}", messages(&state));
    let back_on_lambda = read_back(DeployStatus::InProgress, &[]);
    update(
        &mut state,
        Action::to(
            ID,
            Event::SwitchAccepted {
                id: 2,
                etag_before: "E2".into(),
                etag_after: "E3".into(),
                status: DeployStatus::InProgress,
                already_there: vec![],
                read_back: Ok(back_on_lambda.clone()),
            },
        ),
    );
    let deployed = ReadBack { status: DeployStatus::Deployed, ..back_on_lambda };
    update(&mut state, Action::to(ID, Event::DeployStatus { result: Ok(deployed) }));
    let phases: Vec<MovePhase> = state.moves.iter().map(|s| s.phase).collect();
    assert_eq!(phases, [MovePhase::Deployed, MovePhase::Deployed]);
}
