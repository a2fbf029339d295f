//! The last fix of a route: the newest accepted move that took its traffic off Lambda — a switch or
//! share move back to the origin, or its stage pointed at the fallback deployment — and from when
//! its minutes show it. CloudWatch's minutes arrive late, so a breach in minutes from before the
//! fix is the old side's: said as late, without the bell (`update::refresh`), and the footer waits
//! for minutes after it rather than offering remedies again (`intent::remedies`).

use jiff::{SignedDuration, Timestamp};

use super::state::{Move, MoveKind, State};
use crate::domain::Target;

/// How long after its acceptance a move whose traffic was never seen moving (its numbers cannot
/// say) counts as in effect anyway.
pub const TAKES_EFFECT_WITHIN: SignedDuration = SignedDuration::from_mins(15);

/// How long after `UpdateStage` is accepted API Gateway serves the new deployment, at most: it
/// says seconds; this leaves room for its slowest.
pub const STAGE_TAKES_EFFECT_WITHIN: SignedDuration = SignedDuration::from_secs(30);

/// One minute of numbers: a minute that began before a fix took effect carries traffic from before it.
const MINUTE: SignedDuration = SignedDuration::from_mins(1);

/// What the fix was, for the words around a late breach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    /// A switch or share move back to the origin.
    Switch,
    /// The route's stage moved to its fallback deployment.
    Stage,
}

impl FixKind {
    pub fn word(self) -> &'static str {
        match self {
            FixKind::Switch => "switch",
            FixKind::Stage => "stage move",
        }
    }
}

/// A route's last fix: when AWS accepted it, and what it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fix {
    pub kind: FixKind,
    pub accepted: Timestamp,
}

impl State {
    /// Whether `m` is a fix once accepted: it takes its routes' traffic off Lambda — back to the
    /// origin by behavior or share, or its stage to the configured fallback deployment.
    pub fn is_fix(&self, m: &Move) -> bool {
        match &m.kind {
            MoveKind::Stage(step) => {
                let fallback = self.policy.stages.get(&step.path).and_then(|s| s.fallback_deployment.as_deref());
                fallback == Some(step.to.as_str())
            }
            _ => m.to() == Some(Target::Origin),
        }
    }

    /// Whether `--wait` should still wait for move `id`'s viewers at the edge: the distribution
    /// has edge logs, the move is an accepted fix, and not every route has been seen healthy (nor
    /// given up on).
    pub fn viewers_pending(&self, id: u64) -> bool {
        self.edge_logs.is_some()
            && self.moves.by_id(id).is_some_and(|m| m.phase.accepted() && self.is_fix(m) && !m.viewers_done)
    }

    /// The newest accepted move that took `path`'s traffic off Lambda. After a move towards
    /// Lambda there is none: a breach while it takes effect may be the new side's, and a guard
    /// must be free to act on it.
    pub fn last_fix(&self, path: &str) -> Option<Fix> {
        let switch = (self.moves.last_accepted_on(path))
            .filter(|m| m.to() == Some(Target::Origin))
            .and_then(|m| m.accepted_at)
            .map(|accepted| Fix { kind: FixKind::Switch, accepted });
        let stage = self.policy.stages.get(path).and_then(|stage| {
            let fallback = stage.fallback_deployment.as_deref()?;
            let last = (self.moves.iter().rev())
                .filter(|m| m.phase.accepted())
                .find(|m| m.stage().is_some_and(|s| s.stage == stage.stage))?;
            let step = last.stage()?;
            (step.to == fallback).then_some(Fix { kind: FixKind::Stage, accepted: last.accepted_at? })
        });
        [switch, stage].into_iter().flatten().max_by_key(|f| f.accepted)
    }

    /// When a minute of `path`'s numbers ending at `end` carries traffic from before its last fix
    /// took effect: that fix. A switch is in effect once its traffic was seen moved (or, never
    /// seen, up to [`TAKES_EFFECT_WITHIN`] after acceptance); a stage move within seconds.
    pub fn minute_before_fix(&self, path: &str, end: Timestamp) -> Option<Fix> {
        let fix = self.last_fix(path)?;
        let before = match fix.kind {
            FixKind::Switch => {
                let moved =
                    (self.moved_marks.iter().rev()).find(|m| m.path == path && m.at >= fix.accepted).map(|m| m.at);
                end <= moved.unwrap_or_else(|| self.now.min(fix.accepted + TAKES_EFFECT_WITHIN))
            }
            FixKind::Stage => end - MINUTE < fix.accepted + STAGE_TAKES_EFFECT_WITHIN,
        };
        before.then_some(fix)
    }

    /// `path`'s last fix, while its newest minute of numbers is from before it took effect.
    pub fn numbers_predate_fix(&self, path: &str) -> Option<Fix> {
        let end = self.learned.metrics.as_ref()?.newest_minute_end(path)?;
        self.minute_before_fix(path, end)
    }
}
