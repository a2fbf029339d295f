//! One row of the route table and what the chart and the probes keep about each route.

use jiff::Timestamp;

use crate::domain::probe::ProbeAnswer;
use crate::domain::router_route::StoreEntry;
use crate::domain::{BehaviorPolicies, Breach, OriginPair, Target};

/// One row of the route table.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub path: String,
    pub origin_id: String,
    /// The side serving it now; `None` on an origin that is neither (S3, a mixed group...).
    pub target: Option<Target>,
    /// Where it moves, or why nothing ever moves it.
    pub pair: Result<OriginPair, String>,
    /// Its behavior's policies as last read, for the pre-flight shown in the dialog.
    pub behavior: BehaviorPolicies,
    /// The move currently moving this route, if any (its id in `moves`).
    pub pending: Option<u64>,
    /// Thresholds crossed for the configured number of periods.
    pub alert: Vec<Breach>,
    /// The alert's minutes all came before the route's last accepted move, at this time: CloudWatch
    /// delivered them late. Said as such, without the bell, and no guard acts on it.
    pub alert_before: Option<Timestamp>,
    /// Lambda's share of its viewers in the router's store, when the route is routed: its
    /// behavior runs the router, the index lists it and its record decodes (`app::routing`).
    pub share: Option<u8>,
    /// Its behavior runs the router's function (the viewer-request association as fetched).
    pub runs_router: bool,
    /// What the router's store says of it, as last read; `None` before a read came back.
    pub router_entry: Option<StoreEntry>,
}

impl RouteRow {
    /// The side it is on and its pair, when it can be switched.
    pub fn switchable(&self) -> Result<(Target, &OriginPair), String> {
        crate::domain::route::switchable(self.target, &self.pair, &self.origin_id)
    }

    pub fn is_on(&self, target: Target) -> bool {
        self.target == Some(target)
    }

    /// Lambda's share when the router moves this route: routed, and its behavior on its home
    /// origin (a behavior already on Lambda sends everything there, whatever the store says).
    pub fn router_share(&self) -> Option<u8> {
        self.share.filter(|_| self.is_on(Target::Origin))
    }
}

/// How many answers of one route's probes are kept: a follow-up's worth with the defaults.
pub const EDGE_ANSWERS_KEPT: usize = 48;

/// What one route's probes have heard, and the switch they follow, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeWatch {
    /// The newest answers, oldest first.
    pub answers: Vec<ProbeAnswer>,
    pub following: Option<EdgeFollow>,
    /// A probe is out.
    pub in_flight: bool,
    /// When the follow-up's next probe goes.
    pub next_at: Option<Timestamp>,
    /// The last finding said in the event log, so that a run of the same one is said once.
    pub last_finding: Option<String>,
}

impl EdgeWatch {
    /// The answers since the switch it follows was accepted (all it has, when it follows none).
    pub fn recent(&self) -> &[ProbeAnswer] {
        let since = self.following.as_ref().map(|f| f.accepted_at);
        let start = since.map_or(0, |at| self.answers.iter().position(|a| a.at >= at).unwrap_or(self.answers.len()));
        &self.answers[start..]
    }
}

/// A switch whose route is probed every few seconds for a while after acceptance.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeFollow {
    pub attempt: u64,
    pub to: Target,
    pub accepted_at: Timestamp,
    /// Probing stops then.
    pub until: Timestamp,
    /// The edge line was logged: every probe has answered from the new side.
    pub said: bool,
}

/// A moment a route's target changed, for the chart's markers.
#[derive(Clone, Debug, PartialEq)]
pub struct SwitchMark {
    pub path: String,
    pub at: Timestamp,
    pub to: Target,
    /// For a share move, Lambda's share before and after: a part of the viewers moved, not the route.
    pub share: Option<(u8, u8)>,
}

impl SwitchMark {
    /// What moved, for the detail pane's title: `switched to λ Lambda`, or `λ 0 % → 1 %`.
    pub fn describe(&self) -> String {
        match self.share {
            Some((from, to)) => format!("λ {from} % → {to} %"),
            None => format!("switched to {}", self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_says_a_switch_or_a_share_move() {
        let at: Timestamp = "2026-01-15T22:40:05Z".parse().unwrap();
        let switch = SwitchMark { path: "/a/*".into(), at, to: Target::Origin, share: None };
        assert_eq!(switch.describe(), "switched to ◼ origin");
        let share = SwitchMark { share: Some((0, 1)), to: Target::Lambda, ..switch };
        assert_eq!(share.describe(), "λ 0 % → 1 %");
    }
}
