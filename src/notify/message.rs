//! What a notification says, from an audit record or from what the console saw: one line that names
//! who, what, the route(s), from → to and the distribution, and which `on` names it answers to.
//!
//! Records may come from other operators' journals: every piece of their text is made visible
//! (controls escaped, so one notice stays one line) and cut to a length. Slack's own escaping
//! (`<`, `>`, `&`) is the webhook's, in `slack.rs`, since SNS and the file take the text as it is.

use std::collections::BTreeSet;

use crate::audit::describe::between;
use crate::audit::{AuditRecord, RecordKind};
use crate::domain::Target;
use crate::domain::visible::{cut, escape};

use super::on::{NotifyEvent, NotifyOn};

/// The most characters of one piece of record text (an error, a message, a route) a notice keeps.
const MAX_FIELD_CHARS: usize = 200;

/// One notification: what it is about, the line it says, and the distribution it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Every `on` name it answers to.
    pub on: NotifyOn,
    /// One line: `alice: switch /orders/* λ Lambda → ◼ origin requested on E2ABCDEF12345`.
    pub text: String,
    /// Its distribution, for the SNS subject.
    pub distribution: String,
}

impl Notice {
    /// The notice of an audit record, or `None` for a record nobody is notified of (milestones,
    /// router and edge-log steps, kinds from a newer cutover). `fallback_deployments` are the
    /// stages' fallback deployments (`Config::stages_of`): a stage moved to one is a rollback.
    pub fn of_record(record: &AuditRecord, fallback_deployments: &BTreeSet<String>) -> Option<Notice> {
        let on = events_of(record, fallback_deployments);
        if on.is_empty() {
            return None;
        }
        let text = format!("{}: {} on {}", field(&record.operator), what(record)?, field(&record.distribution));
        Some(Notice { on, text, distribution: record.distribution.clone() })
    }

    /// A route whose target changed without a record that explains it. `who` is CloudTrail's
    /// answer when it came: `None` says "not known yet".
    pub fn outside_change(
        route: &str,
        from: Option<Target>,
        to: Target,
        who: Option<&str>,
        distribution: &str,
    ) -> Notice {
        let who = who.map_or_else(|| "someone (not known yet)".to_string(), field);
        let text = format!(
            "{who}: {} changed outside cutover: {} on {}",
            field(route),
            between(from, Some(to)),
            field(distribution)
        );
        Notice { on: NotifyOn::of(&[NotifyEvent::OutsideChange]), text, distribution: distribution.into() }
    }

    /// The local audit trail could not be written: moves now need an override.
    pub fn audit_failure(operator: &str, distribution: &str, error: &str) -> Notice {
        let text = format!(
            "{}: the audit trail could not be written on {}: {}",
            field(operator),
            field(distribution),
            field(error)
        );
        Notice { on: NotifyOn::of(&[NotifyEvent::AuditFailure]), text, distribution: distribution.into() }
    }
}

/// Which `on` names a record answers to.
fn events_of(record: &AuditRecord, fallback_deployments: &BTreeSet<String>) -> NotifyOn {
    let back = is_back_to_origin(record);
    let mut on = NotifyOn::NONE;
    let mut add = |event| on = on.with(event);
    match record.kind {
        RecordKind::SwitchRequested => add(NotifyEvent::SwitchRequested),
        RecordKind::SwitchAccepted => add(NotifyEvent::SwitchAccepted),
        RecordKind::SwitchDeployed => add(NotifyEvent::SwitchDeployed),
        RecordKind::SwitchFailed => add(NotifyEvent::SwitchFailed),
        // The request record of a switch a guard asked for.
        RecordKind::AutoRollback => {
            add(NotifyEvent::AutoRollback);
            add(NotifyEvent::SwitchRequested);
            add(NotifyEvent::Rollback);
        }
        RecordKind::GuardBreach => add(NotifyEvent::Guard),
        RecordKind::PlanStep => match record.plan.as_ref().map(|p| p.state.as_str()) {
            Some("done" | "aborted") => add(NotifyEvent::PlanEnd),
            _ => add(NotifyEvent::PlanStep),
        },
        RecordKind::StageRequested
        | RecordKind::StageAccepted
        | RecordKind::StageFailed
        | RecordKind::StageAbandoned => {
            add(NotifyEvent::Stage);
            let to_fallback = record.stage.as_ref().is_some_and(|s| fallback_deployments.contains(&s.to_deployment));
            // A rollback is heard of when asked and when it fails, as a switch's.
            if to_fallback && matches!(record.kind, RecordKind::StageRequested | RecordKind::StageFailed) {
                add(NotifyEvent::Rollback);
            }
        }
        _ => {}
    }
    // A move back is heard of when asked, when it is deployed and when it fails; its acceptance is
    // the step in between nobody acts on.
    if back
        && matches!(record.kind, RecordKind::SwitchRequested | RecordKind::SwitchDeployed | RecordKind::SwitchFailed)
    {
        on = on.with(NotifyEvent::Rollback);
    }
    on
}

/// A switch to the origin, or a share move that leaves Lambda no share.
fn is_back_to_origin(record: &AuditRecord) -> bool {
    record.to == Some(Target::Origin) && record.shares.iter().all(|s| s.to_pct == 0)
}

/// The part between the operator and the distribution; `None` for a kind with nothing to say.
fn what(record: &AuditRecord) -> Option<String> {
    let routes = routes(record);
    let sides = if record.shares.is_empty() {
        between(record.from, record.to)
    } else {
        let shares: Vec<String> = record.shares.iter().map(|s| format!("λ {}% → {}%", s.from_pct, s.to_pct)).collect();
        shares.join(", ")
    };
    let switch = if record.shares.is_empty() { "switch" } else { "share move" };
    // Who asked, when it was not the operator by hand: `(rollback of every Lambda route)`,
    // `(undo of the last switch (u))`, `(automatic rollback by a guard)`.
    let source = record.message.as_deref().map(|m| format!(" ({})", field(m))).unwrap_or_default();
    let text = match record.kind {
        RecordKind::SwitchRequested | RecordKind::AutoRollback => {
            format!("{switch} {routes} {sides} requested{source}")
        }
        RecordKind::SwitchAccepted => format!("{switch} {routes} {sides} accepted{source}"),
        RecordKind::SwitchDeployed => format!("{switch} {routes} {sides} deployed{source}"),
        RecordKind::SwitchFailed => format!("{switch} {routes} {sides} failed{}{source}", because(&record.error)),
        RecordKind::GuardBreach => format!("guard breach on {routes}{}", because(&record.message)),
        RecordKind::PlanStep => {
            let plan = record.plan.as_ref()?;
            format!(
                "plan {} {} on {routes}: step {} of {}, λ {}%",
                field(&plan.name),
                field(&plan.state),
                plan.step + 1,
                plan.steps.split(',').count(),
                plan.share
            )
        }
        RecordKind::StageRequested
        | RecordKind::StageAccepted
        | RecordKind::StageFailed
        | RecordKind::StageAbandoned => {
            let stage = record.stage.as_ref()?;
            let state = match record.kind {
                RecordKind::StageRequested => "requested".to_string(),
                RecordKind::StageAccepted => "accepted".to_string(),
                RecordKind::StageFailed => format!("failed{}", because(&record.error)),
                _ => format!("abandoned{}", because(&record.error)),
            };
            format!(
                "stage {} {}/{} {} → {} (for {routes}) {state}",
                if stage.api == "http" { "HTTP" } else { "REST" },
                field(&stage.api_id),
                field(&stage.stage),
                field(&stage.from_deployment),
                field(&stage.to_deployment),
            )
        }
        _ => return None,
    };
    Some(text)
}

/// `: why`, or nothing.
fn because(why: &Option<String>) -> String {
    why.as_deref().map(|why| format!(": {}", field(why))).unwrap_or_default()
}

/// The routes, comma-separated, each made visible; `-` for none.
fn routes(record: &AuditRecord) -> String {
    if record.routes.is_empty() {
        return "-".into();
    }
    record.routes.iter().map(|r| field(r)).collect::<Vec<_>>().join(", ")
}

/// Untrusted text as one visible line of bounded length.
fn field(text: &str) -> String {
    escape(&cut(text, MAX_FIELD_CHARS)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Environment, PlanMark, ShareMove, StageMark};

    fn record(kind: RecordKind) -> AuditRecord {
        AuditRecord::new("2026-12-07T09:00:00Z".parse().unwrap(), kind, Environment::Live, "alice@laptop-7", "E2ABC")
            .with_routes(["/orders/*"])
            .with_targets(Target::Lambda, Target::Origin)
    }

    fn notice(record: &AuditRecord) -> Option<Notice> {
        Notice::of_record(record, &BTreeSet::from(["abc123".to_string()]))
    }

    #[test]
    fn a_switch_back_names_who_what_where_and_is_a_rollback() {
        let n = notice(&record(RecordKind::SwitchRequested)).unwrap();
        assert_eq!(n.text, "alice@laptop-7: switch /orders/* λ Lambda → ◼ origin requested on E2ABC");
        assert_eq!(n.on.events(), [NotifyEvent::SwitchRequested, NotifyEvent::Rollback]);
        let accepted = notice(&record(RecordKind::SwitchAccepted)).unwrap();
        assert_eq!(accepted.on.events(), [NotifyEvent::SwitchAccepted], "an acceptance is not heard as a rollback");
        let failed = record(RecordKind::SwitchFailed).with_error("PreconditionFailed");
        let n = notice(&failed).unwrap();
        assert!(n.text.ends_with("failed: PreconditionFailed on E2ABC"), "{}", n.text);
        assert!(n.on.contains(NotifyEvent::Rollback));
    }

    #[test]
    fn a_switch_to_lambda_is_not_a_rollback() {
        let forward = record(RecordKind::SwitchDeployed).with_targets(Target::Origin, Target::Lambda);
        let n = notice(&forward).unwrap();
        assert_eq!(n.on.events(), [NotifyEvent::SwitchDeployed]);
        assert!(n.text.contains("◼ origin → λ Lambda deployed"));
    }

    #[test]
    fn a_share_move_is_a_rollback_only_when_lambda_keeps_nothing() {
        let mut down = record(RecordKind::SwitchRequested);
        down.shares = vec![ShareMove { route: "/orders/*".into(), from_pct: 50, to_pct: 10, record_was: None }];
        let n = notice(&down).unwrap();
        assert_eq!(n.text, "alice@laptop-7: share move /orders/* λ 50% → 10% requested on E2ABC");
        assert!(!n.on.contains(NotifyEvent::Rollback));
        down.shares[0].to_pct = 0;
        assert!(notice(&down).unwrap().on.contains(NotifyEvent::Rollback));
    }

    #[test]
    fn guards_plans_and_stages_say_what_they_are() {
        let breach = record(RecordKind::GuardBreach).with_message("5xx 12.4% > 5% for 3 periods");
        let n = notice(&breach).unwrap();
        assert_eq!(n.text, "alice@laptop-7: guard breach on /orders/*: 5xx 12.4% > 5% for 3 periods on E2ABC");
        assert_eq!(n.on.events(), [NotifyEvent::Guard]);
        let auto = notice(&record(RecordKind::AutoRollback).with_message("automatic rollback by a guard")).unwrap();
        assert_eq!(
            auto.text,
            "alice@laptop-7: switch /orders/* λ Lambda → ◼ origin requested (automatic rollback by a guard) on E2ABC"
        );
        assert!(auto.on.contains(NotifyEvent::AutoRollback) && auto.on.contains(NotifyEvent::Rollback));

        let mut plan = record(RecordKind::PlanStep);
        plan.plan = Some(PlanMark {
            name: "careful".into(),
            steps: "1% 30m, 5% 30m, 100%".into(),
            step: 1,
            share: 5,
            state: "step".into(),
            held_secs: None,
        });
        let n = notice(&plan).unwrap();
        assert_eq!(n.text, "alice@laptop-7: plan careful step on /orders/*: step 2 of 3, λ 5% on E2ABC");
        assert_eq!(n.on.events(), [NotifyEvent::PlanStep]);
        plan.plan.as_mut().unwrap().state = "aborted".into();
        assert_eq!(notice(&plan).unwrap().on.events(), [NotifyEvent::PlanEnd]);

        let mut stage = AuditRecord::new(
            "2026-12-07T09:00:00Z".parse().unwrap(),
            RecordKind::StageRequested,
            Environment::Live,
            "bob",
            "E2ABC",
        )
        .with_routes(["/orders/*"]);
        stage.stage = Some(StageMark {
            api: "rest".into(),
            api_id: "a1b2".into(),
            stage: "prod".into(),
            from_deployment: "def456".into(),
            to_deployment: "abc123".into(),
        });
        let n = notice(&stage).unwrap();
        assert_eq!(n.text, "bob: stage REST a1b2/prod def456 → abc123 (for /orders/*) requested on E2ABC");
        assert_eq!(n.on.events(), [NotifyEvent::Rollback, NotifyEvent::Stage]);
        stage.stage.as_mut().unwrap().to_deployment = "zzz999".into();
        assert_eq!(notice(&stage).unwrap().on.events(), [NotifyEvent::Stage], "not the fallback");
    }

    #[test]
    fn milestones_and_steps_notify_nobody() {
        for kind in [RecordKind::EdgeMoved, RecordKind::TrafficMoved, RecordKind::RouterStep, RecordKind::Unknown] {
            assert_eq!(notice(&record(kind)), None, "{kind:?}");
        }
    }

    #[test]
    fn text_from_a_record_stays_one_line_of_bounded_length() {
        let mut odd = record(RecordKind::SwitchFailed).with_error(format!("bad\nline\u{202e}{}", "x".repeat(500)));
        odd.operator = "mallory\r\n@evil".into();
        let n = notice(&odd).unwrap();
        assert!(!n.text.contains('\n') && !n.text.contains('\r') && !n.text.contains('\u{202e}'), "{}", n.text);
        assert!(n.text.contains("more characters"), "{}", n.text);
    }

    #[test]
    fn outside_changes_and_a_failing_trail_name_who_and_where() {
        let n = Notice::outside_change("/x/*", Some(Target::Lambda), Target::Origin, None, "E2ABC");
        assert_eq!(n.text, "someone (not known yet): /x/* changed outside cutover: λ Lambda → ◼ origin on E2ABC");
        let n = Notice::outside_change("/x/*", None, Target::Origin, Some("arn:aws:iam::1:user/carol"), "E2ABC");
        assert_eq!(n.text, "arn:aws:iam::1:user/carol: /x/* changed outside cutover: → ◼ origin on E2ABC");
        assert_eq!(n.on.events(), [NotifyEvent::OutsideChange]);
        let n = Notice::audit_failure("alice", "E2ABC", "No space left on device");
        assert_eq!(n.text, "alice: the audit trail could not be written on E2ABC: No space left on device");
        assert_eq!(n.on.events(), [NotifyEvent::AuditFailure]);
    }
}
