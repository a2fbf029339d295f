//! What a notification is about, by the names `[notify] on = [...]` chooses among: each event, the
//! names that stand for several (`switch`, `plan`), and the set a config chose.

/// One kind of notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotifyEvent {
    SwitchRequested,
    SwitchAccepted,
    SwitchDeployed,
    SwitchFailed,
    /// Any move back to the origin: a switch or share move to the origin (rollback-all and undo
    /// included), a stage moved to its fallback deployment.
    Rollback,
    /// A guard's breach.
    Guard,
    /// A guard moved a route back to the origin by itself.
    AutoRollback,
    /// A rollout plan started, took a step, paused or resumed.
    PlanStep,
    /// A rollout plan ended: done or aborted.
    PlanEnd,
    /// A stage move (requested, accepted, failed, abandoned).
    Stage,
    /// A route changed outside cutover.
    OutsideChange,
    /// The local audit trail could not be written.
    AuditFailure,
}

impl NotifyEvent {
    /// Every event, in the order the example config (the book's config page) lists them.
    pub const ALL: [NotifyEvent; 12] = [
        NotifyEvent::SwitchRequested,
        NotifyEvent::SwitchAccepted,
        NotifyEvent::SwitchDeployed,
        NotifyEvent::SwitchFailed,
        NotifyEvent::Rollback,
        NotifyEvent::Guard,
        NotifyEvent::AutoRollback,
        NotifyEvent::PlanStep,
        NotifyEvent::PlanEnd,
        NotifyEvent::Stage,
        NotifyEvent::OutsideChange,
        NotifyEvent::AuditFailure,
    ];

    /// The name `on = [...]` gives it.
    pub fn name(self) -> &'static str {
        match self {
            NotifyEvent::SwitchRequested => "switch_requested",
            NotifyEvent::SwitchAccepted => "switch_accepted",
            NotifyEvent::SwitchDeployed => "switch_deployed",
            NotifyEvent::SwitchFailed => "switch_failed",
            NotifyEvent::Rollback => "rollback",
            NotifyEvent::Guard => "guard",
            NotifyEvent::AutoRollback => "auto_rollback",
            NotifyEvent::PlanStep => "plan_step",
            NotifyEvent::PlanEnd => "plan_end",
            NotifyEvent::Stage => "stage",
            NotifyEvent::OutsideChange => "outside_change",
            NotifyEvent::AuditFailure => "audit_failure",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The names `on = [...]` takes that stand for several events.
pub const GROUPS: [(&str, &[NotifyEvent]); 2] = [
    (
        "switch",
        &[
            NotifyEvent::SwitchRequested,
            NotifyEvent::SwitchAccepted,
            NotifyEvent::SwitchDeployed,
            NotifyEvent::SwitchFailed,
        ],
    ),
    ("plan", &[NotifyEvent::PlanStep, NotifyEvent::PlanEnd]),
];

/// A set of events: what a config chose to hear about, or what one notice is about (a record can
/// be several at once: a switch requested back to the origin is `switch_requested` and `rollback`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NotifyOn(u16);

impl NotifyOn {
    pub const NONE: NotifyOn = NotifyOn(0);

    /// Without `on = [...]`: everything an on-call channel wants to hear, without the chatter —
    /// every switch's request, deployment and failure, every rollback, guard breach and automatic
    /// rollback, a plan's end, stage moves, outside changes and a failing trail. Not
    /// `switch_accepted` (the deployment follows within minutes) nor `plan_step` (one a hold).
    pub fn default_set() -> NotifyOn {
        NotifyOn::of(&[
            NotifyEvent::SwitchRequested,
            NotifyEvent::SwitchDeployed,
            NotifyEvent::SwitchFailed,
            NotifyEvent::Rollback,
            NotifyEvent::Guard,
            NotifyEvent::AutoRollback,
            NotifyEvent::PlanEnd,
            NotifyEvent::Stage,
            NotifyEvent::OutsideChange,
            NotifyEvent::AuditFailure,
        ])
    }

    pub fn of(events: &[NotifyEvent]) -> NotifyOn {
        NotifyOn(events.iter().fold(0, |bits, e| bits | e.bit()))
    }

    /// The events a name of `on = [...]` stands for; `None` for a name that is none of them.
    pub fn named(name: &str) -> Option<NotifyOn> {
        if let Some((_, events)) = GROUPS.iter().find(|(group, _)| *group == name) {
            return Some(NotifyOn::of(events));
        }
        NotifyEvent::ALL.iter().find(|e| e.name() == name).map(|e| NotifyOn(e.bit()))
    }

    /// Every name `on = [...]` takes, for an error's fix.
    pub fn every_name() -> Vec<&'static str> {
        let mut names: Vec<&str> = NotifyEvent::ALL.iter().map(|e| e.name()).collect();
        names.extend(GROUPS.iter().map(|(group, _)| *group));
        names
    }

    pub fn with(self, event: NotifyEvent) -> NotifyOn {
        NotifyOn(self.0 | event.bit())
    }

    pub fn union(self, other: NotifyOn) -> NotifyOn {
        NotifyOn(self.0 | other.0)
    }

    pub fn contains(self, event: NotifyEvent) -> bool {
        self.0 & event.bit() != 0
    }

    /// Whether the two sets share an event: a notice about `self` is wanted by a config of `other`.
    pub fn meets(self, other: NotifyOn) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The events, in [`NotifyEvent::ALL`]'s order.
    pub fn events(self) -> Vec<NotifyEvent> {
        NotifyEvent::ALL.into_iter().filter(|e| self.contains(*e)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_groups_stand_for_their_events() {
        for event in NotifyEvent::ALL {
            assert_eq!(NotifyOn::named(event.name()).unwrap().events(), [event]);
        }
        let switch = NotifyOn::named("switch").unwrap();
        assert_eq!(switch.events().len(), 4);
        assert!(!switch.contains(NotifyEvent::Rollback));
        assert_eq!(NotifyOn::named("plan").unwrap().events(), [NotifyEvent::PlanStep, NotifyEvent::PlanEnd]);
        assert_eq!(NotifyOn::named("rollbacks"), None);
        assert_eq!(NotifyOn::every_name().len(), 14);
    }

    #[test]
    fn the_default_leaves_out_the_chatter() {
        let default = NotifyOn::default_set();
        assert!(default.contains(NotifyEvent::Rollback) && default.contains(NotifyEvent::OutsideChange));
        assert!(!default.contains(NotifyEvent::SwitchAccepted) && !default.contains(NotifyEvent::PlanStep));
        let about = NotifyOn::of(&[NotifyEvent::SwitchAccepted, NotifyEvent::Rollback]);
        assert!(about.meets(default));
        assert!(!NotifyOn::of(&[NotifyEvent::SwitchAccepted]).meets(default));
    }
}
