//! The ledger of moves: every change the console asks of AWS — a behavior pointed at the other
//! origin, a routed route's share in the router's store, an API Gateway stage pointed at another
//! deployment — from request to its end, in one list with one id space and one lifecycle. In-flight
//! checks, `u`, quitting and abandoning, and the audit records all read it.

use std::ops::Deref;

use jiff::Timestamp;

use crate::backend::share::{Seen, ShareChange};
use crate::domain::stage::StageRef;
use crate::domain::traffic::Movement;
use crate::domain::visible::escape as visible;
use crate::domain::{RouteChange, Target};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MovePhase {
    /// Sent to AWS, no answer yet.
    Requested,
    /// Accepted; the distribution is rolling it out (a behavior move only: the store and a stage
    /// have no rollout to follow).
    Propagating,
    /// In effect as far as AWS reports: deployed, taken by the store, served by the stage.
    Deployed,
    Failed,
    /// The console stopped following it before AWS confirmed it (quit, a signal, a headless run
    /// that ends at acceptance); the log and the audit trail say what state it may be in.
    Abandoned,
}

impl MovePhase {
    /// AWS has not said the move is in effect, nor that it failed.
    pub fn unfinished(self) -> bool {
        matches!(self, MovePhase::Requested | MovePhase::Propagating)
    }

    /// AWS took it: rolling out or done.
    pub fn accepted(self) -> bool {
        matches!(self, MovePhase::Propagating | MovePhase::Deployed)
    }
}

/// Who or what asked for a move (and what a confirm dialog is about to do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveSource {
    /// The operator moves the selected route (or stage).
    Manual,
    /// Every Lambda route of the distribution back to the origin (`R`).
    RollbackAll,
    /// The newest move of this session, reversed (`u`).
    Undo,
    /// A guard's automatic rollback; never asked, only logged.
    Automatic,
    /// A rollout plan's next step (or a paused plan's step sent again on resume).
    Plan,
}

/// What a move changes.
#[derive(Clone, Debug, PartialEq)]
pub enum MoveKind {
    /// Routes' cache behaviors pointed at the other origin of their pair: one `UpdateDistribution`,
    /// minutes of propagation.
    Behavior { changes: Vec<RouteChange>, from: Target, to: Target },
    /// Routed routes' shares in the router's store: `UpdateKeys`, seconds.
    Share { changes: Vec<ShareChange>, from: Target, to: Target },
    /// A route's API Gateway stage pointed at another deployment: `UpdateStage`, seconds, for every
    /// route behind the stage. The route stays on Lambda, so it moves no traffic between sides.
    Stage(StageStep),
}

/// A stage move: from the deployment the stage served to another.
#[derive(Clone, Debug, PartialEq)]
pub struct StageStep {
    /// The route it was asked from.
    pub path: String,
    pub stage: StageRef,
    pub from: String,
    pub to: String,
    /// The routes behind the stage that breached when it left `from`, with their numbers
    /// (`/orders/* 5xx 16.2% > 5%`): what `u` would serve again.
    pub left_breaching: Vec<String>,
}

impl StageStep {
    /// `stage prod of rest API a1 deployment d2 → d0`, escaped: ids come from AWS.
    pub fn describe(&self) -> String {
        format!("stage {} deployment {} → {}", visible(&self.stage.label()), visible(&self.from), visible(&self.to))
    }
}

/// One move the operator (or a guard, or a plan) asked for, from request to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct Move {
    pub id: u64,
    pub distribution_id: String,
    pub paths: Vec<String>,
    pub kind: MoveKind,
    pub source: MoveSource,
    /// Set when the operator overrode the pre-flight or a failing audit trail: why.
    pub override_reason: Option<String>,
    pub phase: MovePhase,
    pub requested_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub etag_before: Option<String>,
    pub etag_after: Option<String>,
    /// When the log last said the rollout was still going.
    pub last_progress_note: Option<Timestamp>,
    /// "still propagating …", held until the tick ends: a `Deployed` read in the same tick says
    /// more, and takes its place (`update::switching::rollout::say_progress`).
    pub unsaid_progress: Option<String>,
    /// Why it failed, in words, once it has (headless commands print this).
    pub failure: Option<String>,
    /// Each moved route's traffic, followed in the numbers from acceptance until it has moved.
    pub traffic: Vec<RouteTraffic>,
    /// The audit trail has its `traffic_moved` record.
    pub traffic_recorded: bool,
    /// After a fix (a move off Lambda), each route's first second from which its viewers were
    /// healthy again at the edge, as the edge logs showed it.
    pub viewers: Vec<ViewersHealthy>,
    /// Nothing more to follow at the edge: every route healthy, or given up.
    pub viewers_done: bool,
}

/// A route's viewers healthy again after a fix, as the edge logs showed: from `since`, its 5xx
/// rate stayed under its threshold for a whole edge window (`pct` over that window).
#[derive(Clone, Debug, PartialEq)]
pub struct ViewersHealthy {
    pub path: String,
    pub since: Timestamp,
    pub pct: f64,
}

impl Move {
    /// A move of `kind` on `paths`, asked for at `now` by `source` and not yet answered.
    pub fn requested(
        distribution_id: &str,
        source: MoveSource,
        paths: Vec<String>,
        kind: MoveKind,
        now: Timestamp,
    ) -> Self {
        Move {
            id: 0,
            distribution_id: distribution_id.to_string(),
            paths,
            kind,
            source,
            override_reason: None,
            phase: MovePhase::Requested,
            requested_at: now,
            accepted_at: None,
            etag_before: None,
            etag_after: None,
            last_progress_note: None,
            unsaid_progress: None,
            failure: None,
            traffic: Vec::new(),
            traffic_recorded: false,
            viewers: Vec::new(),
            viewers_done: false,
        }
    }

    pub fn label(&self) -> String {
        self.paths.join(", ")
    }

    /// The sides a switch moves traffic between; `None` for a stage move.
    pub fn sides(&self) -> Option<(Target, Target)> {
        match &self.kind {
            MoveKind::Behavior { from, to, .. } | MoveKind::Share { from, to, .. } => Some((*from, *to)),
            MoveKind::Stage(_) => None,
        }
    }

    /// The side it moves traffic to; `None` for a stage move.
    pub fn to(&self) -> Option<Target> {
        self.sides().map(|(_, to)| to)
    }

    /// Each route's behavior move (empty unless it moves behaviors).
    pub fn behaviors(&self) -> &[RouteChange] {
        match &self.kind {
            MoveKind::Behavior { changes, .. } => changes,
            _ => &[],
        }
    }

    /// Each routed route's share move (empty unless it moves shares).
    pub fn shares(&self) -> &[ShareChange] {
        match &self.kind {
            MoveKind::Share { changes, .. } => changes,
            _ => &[],
        }
    }

    /// The stage it moves, when it is a stage move.
    pub fn stage(&self) -> Option<&StageStep> {
        match &self.kind {
            MoveKind::Stage(step) => Some(step),
            _ => None,
        }
    }

    /// Whether it moves by share through the router's store.
    pub fn by_router(&self) -> bool {
        matches!(self.kind, MoveKind::Share { .. })
    }

    /// Whether it moves behaviors (an `UpdateDistribution`).
    pub fn by_behavior(&self) -> bool {
        matches!(self.kind, MoveKind::Behavior { .. })
    }

    /// Every move with the origin ids on both sides: `/a λ Lambda (apigw) → ◼ origin (elb-2)`.
    pub fn moves(&self) -> String {
        match &self.kind {
            MoveKind::Behavior { changes, .. } => {
                changes.iter().map(RouteChange::describe).collect::<Vec<_>>().join("; ")
            }
            MoveKind::Share { changes, .. } => changes.iter().map(describe_share).collect::<Vec<_>>().join("; "),
            MoveKind::Stage(step) => step.describe(),
        }
    }
}

/// Every move of this console's distribution, oldest first: read as a slice, written through its
/// methods, so that ids are given in one place.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moves(Vec<Move>);

impl Deref for Moves {
    type Target = [Move];

    fn deref(&self) -> &[Move] {
        &self.0
    }
}

impl Moves {
    /// Add `new` under the next id, which it returns.
    pub fn begin(&mut self, mut new: Move) -> u64 {
        let id = self.0.iter().map(|m| m.id).max().unwrap_or(0) + 1;
        new.id = id;
        self.0.push(new);
        id
    }

    /// Each move, to change what is learned of it (never its id).
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, Move> {
        self.0.iter_mut()
    }

    pub fn by_id(&self, id: u64) -> Option<&Move> {
        self.0.iter().find(|m| m.id == id)
    }

    pub fn by_id_mut(&mut self, id: u64) -> Option<&mut Move> {
        self.0.iter_mut().find(|m| m.id == id)
    }

    /// Move `id` while AWS has not answered it yet.
    pub fn requested_mut(&mut self, id: u64) -> Option<&mut Move> {
        self.0.iter_mut().find(|m| m.id == id && m.phase == MovePhase::Requested)
    }

    /// Whether a move that `same` picks out has been sent and not answered.
    pub fn in_flight(&self, same: impl Fn(&Move) -> bool) -> bool {
        self.0.iter().any(|m| m.phase == MovePhase::Requested && same(m))
    }

    /// Moves AWS has not confirmed yet, oldest first.
    pub fn unfinished(&self) -> impl Iterator<Item = &Move> {
        self.0.iter().filter(|m| m.phase.unfinished())
    }

    /// The newest move of route `path` AWS took (behavior or share; a stage move is not the
    /// route's own), if any did.
    pub fn last_accepted_on(&self, path: &str) -> Option<&Move> {
        (self.0.iter().rev())
            .filter(|m| m.stage().is_none() && m.paths.iter().any(|p| p == path))
            .find(|m| m.phase.accepted() && m.accepted_at.is_some())
    }

    /// The move `u` reverses: the newest AWS took, of any kind, that is not itself an undo.
    pub fn newest_undoable(&self) -> Option<&Move> {
        self.0.iter().rev().find(|m| m.phase.accepted() && m.source != MoveSource::Undo)
    }
}

/// One route of an accepted switch, followed minute by minute until the new side carries the
/// route's traffic (or its numbers cannot say, or a later switch takes the route over).
#[derive(Clone, Debug, PartialEq)]
pub struct RouteTraffic {
    pub path: String,
    pub movement: Movement,
    /// Nothing more to follow: moved, unmeasured, or superseded.
    pub done: bool,
    /// The "has not moved yet" warning was given.
    pub warned: bool,
    /// A later switch took the route over before its traffic was seen moved.
    pub superseded: bool,
}

impl RouteTraffic {
    pub fn new(path: impl Into<String>) -> Self {
        let movement = Movement::Moving { share_pct: None };
        RouteTraffic { path: path.into(), movement, done: false, warned: false, superseded: false }
    }
}

/// `/orders/* λ 10 % → 25 %`: one share move, as the dialog, the log and the audit say it.
pub fn describe_share(change: &ShareChange) -> String {
    match change.seen {
        Seen::Record => format!("{} λ {} % → {} %", change.path, change.from, change.to),
        Seen::Missing { .. } => format!("{} λ {} % (no record yet) → {} %", change.path, change.from, change.to),
        Seen::Unreadable { .. } => format!("{} λ ? % (record unreadable) → {} %", change.path, change.to),
    }
}
