//! The dialogs a request opens, as the planner (`intent::plan`) makes them: what each shows, which
//! keys it takes, and the lines both the screen and headless commands print.

use crate::app::keymap::Context;
use crate::app::model::moves::{MoveSource, describe_share};
use crate::backend::share::ShareChange;
use crate::domain::plan::RolloutPlan;
use crate::domain::stage::{RouteStage, StageDeployments, StageRef};
use crate::domain::{RouteChange, Target};

/// A dialog the planner opened: a switch or share move to confirm, the stage's deployments to
/// pick from, or a stage move to confirm.
// Made once per request and moved once into the overlay.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Dialog {
    Switch(ConfirmSwitch),
    StagePicker(StagePicker),
    ConfirmStage(ConfirmStage),
}

impl Dialog {
    /// Which keys the dialog takes.
    pub fn context(&self) -> Context {
        match self {
            Dialog::Switch(_) | Dialog::ConfirmStage(_) => Context::Confirm,
            Dialog::StagePicker(_) => Context::StagePicker,
        }
    }
}

/// The confirm dialog's content, fixed when it opens.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmSwitch {
    pub kind: MoveSource,
    /// The distribution the update goes to.
    pub distribution_id: String,
    /// The routes it moves, all in one `UpdateDistribution`.
    pub paths: Vec<String>,
    /// Each route's move, origin ids on both sides, as the dialog opened.
    pub changes: Vec<RouteChange>,
    /// Each routed route's share move in the router's store (seconds, not minutes), sent beside
    /// the update of `changes` when both are there (`R`).
    pub shares: Vec<ShareChange>,
    /// The rollout plan this share move starts, and its first step.
    pub plan: Option<Box<(RolloutPlan, usize)>>,
    pub from: Target,
    pub to: Target,
    /// Lines that describe the new target's current health.
    pub health: Vec<String>,
    /// A warning that deserves its own line, such as too little free Lambda concurrency.
    pub warning: Option<String>,
    /// What the pre-flight refuses, each naming the cause and the fix; only the override key goes on.
    pub blocks: Vec<String>,
    /// What the pre-flight wants known: cached responses, a route not on its configured origin,
    /// routes a rollback leaves where they are and why.
    pub notes: Vec<String>,
    /// Remedies of a breaching route that act sooner than this move (`remedies::Remedy::describe`),
    /// the fastest first: the responder sees them before waiting minutes on the edges.
    pub faster: Vec<String>,
    /// Someone else's unfinished move on the same routes (or, for `R`, the distribution), from the
    /// team journal: `alice@laptop-7 is rolling /orders/* back: requested 40s ago, still InProgress`.
    pub others: Vec<String>,
}

impl ConfirmSwitch {
    /// Whether `y` is refused and only the override key sends it.
    pub fn needs_override(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// What only the override key goes past: the pre-flight's blocks, and an audit trail that
    /// cannot be written (the switch would go unrecorded). The dialog, its footer and `y` all ask this.
    pub fn override_reasons(&self, audit_failure: Option<&str>) -> Vec<String> {
        let mut reasons = self.blocks.clone();
        if let Some(why) = audit_failure {
            reasons.push(format!("the audit trail cannot be written ({why}): the switch would not be recorded"));
        }
        reasons
    }
}

/// What one line of a switch dialog is: the screen styles (and for long lists, shortens) each part
/// its own way, headless commands print every line as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The distribution the update goes to.
    On,
    Routes,
    From(Target),
    To(Target),
    /// The origin ids on both sides (or the store's shares), summed up.
    Origins,
    HealthHeading,
    Health,
    Warning,
    /// What only the override key goes past.
    Block,
    /// A remedy that acts sooner than this move.
    Faster,
    /// Someone else is moving the same routes now.
    Others,
    Note,
    /// One route's move by behavior, origins on both sides.
    Move,
    /// One routed route's share move through the store.
    Share,
    /// What the update changes, and how fast the edges follow.
    Scope,
}

impl Part {
    /// The label the line starts with, where it has one.
    pub fn label(self, routes: usize) -> &'static str {
        match self {
            Part::On => "on     ",
            Part::Routes if routes == 1 => "route  ",
            Part::Routes => "routes ",
            Part::From(_) => "from   ",
            Part::To(_) => "to     ",
            Part::Origins => "origin ",
            Part::Move => "move   ",
            Part::Share => "share  ",
            Part::Faster => "faster ",
            Part::Others => "others ",
            _ => "",
        }
    }
}

/// One line of the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DialogLine {
    pub part: Part,
    pub text: String,
}

impl ConfirmSwitch {
    /// Everything the dialog says, in the order it reads: the screen draws these, headless prints
    /// them. `audit_failure` is a block of its own while the trail cannot be written.
    pub fn lines(&self, audit_failure: Option<&str>) -> Vec<DialogLine> {
        let line = |part, text: String| DialogLine { part, text };
        let mut lines = vec![
            line(Part::On, format!("distribution {}", self.distribution_id)),
            line(Part::Routes, self.paths.join(", ")),
            line(Part::From(self.from), self.from.to_string()),
            line(Part::To(self.to), self.to.to_string()),
            line(Part::Origins, self.origins()),
            line(Part::HealthHeading, format!("health of {} now:", self.to)),
        ];
        lines.extend(self.health.iter().map(|h| line(Part::Health, h.clone())));
        lines.extend(self.warning.iter().map(|w| line(Part::Warning, w.clone())));
        lines.extend(self.others.iter().map(|o| line(Part::Others, o.clone())));
        lines.extend(self.faster.iter().map(|f| line(Part::Faster, f.clone())));
        lines.extend(self.override_reasons(audit_failure).into_iter().map(|b| line(Part::Block, b)));
        lines.extend(self.notes.iter().map(|n| line(Part::Note, n.clone())));
        lines.extend(self.changes.iter().map(|c| line(Part::Move, c.describe())));
        lines.extend(self.shares.iter().map(|c| line(Part::Share, describe_share(c))));
        lines.push(line(Part::Scope, self.scope()));
        lines
    }

    /// The origin ids on both sides: one pair when every route moves alike, else each pair; for
    /// share moves alone, the store's shares.
    fn origins(&self) -> String {
        if self.changes.is_empty() && !self.shares.is_empty() {
            let mut moves: Vec<(u8, u8)> = self.shares.iter().map(|c| (c.from, c.to)).collect();
            moves.sort_unstable();
            moves.dedup();
            return match moves.as_slice() {
                [(from, to)] => format!("router's store: λ {from} % → {to} %"),
                _ => format!("router's store: {} shares → λ {} %", self.shares.len(), self.shares[0].to),
            };
        }
        let mut pairs: Vec<(&str, &str)> =
            self.changes.iter().map(|c| (c.from_origin_id.as_str(), c.to_origin_id.as_str())).collect();
        pairs.sort_unstable();
        pairs.dedup();
        match pairs.as_slice() {
            [] => "no route can move".to_string(),
            [(from, to)] => format!("{from} → {to}"),
            several => several.iter().map(|(f, t)| format!("{f} → {t}")).collect::<Vec<_>>().join(", "),
        }
    }

    /// What the update changes (which fields of how many behaviors, or which keys of the store)
    /// and how soon the edges follow.
    fn scope(&self) -> String {
        let swaps = self.changes.iter().filter(|c| c.request_policy.is_some()).count();
        let fields = if swaps > 0 { "TargetOriginId and OriginRequestPolicyId" } else { "TargetOriginId" };
        if self.changes.is_empty() {
            let keys = if self.shares.len() == 1 { "one key" } else { "their keys" };
            format!("Changes {keys} of the router's store (UpdateKeys, IfMatch); edges follow within seconds.")
        } else if self.paths.len() == 1 {
            format!("Changes this behavior's {fields} only; edges follow within minutes.")
        } else {
            format!("Changes {} behaviors' {fields} in one update; edges follow within minutes.", self.paths.len())
        }
    }
}

impl ConfirmSwitch {
    pub fn title(&self) -> String {
        match self.kind {
            MoveSource::Manual | MoveSource::Plan if self.plan.is_some() => {
                let (plan, _) = self.plan.as_deref().expect("matched");
                format!("start rollout plan {} on {}?", plan.name, self.paths.join(", "))
            }
            MoveSource::Manual | MoveSource::Plan | MoveSource::Automatic
                if self.changes.is_empty() && !self.shares.is_empty() =>
            {
                let moves: Vec<String> = self.shares.iter().map(describe_share).collect();
                format!("move {} by the router?", moves.join(", "))
            }
            MoveSource::Manual | MoveSource::Plan | MoveSource::Automatic => {
                format!("switch {}?", self.paths.join(", "))
            }
            MoveSource::RollbackAll if self.changes.is_empty() => {
                format!("put all {} routed Lambda shares back to 0 %?", self.shares.len())
            }
            MoveSource::RollbackAll => {
                let shares = match self.shares.len() {
                    0 => String::new(),
                    n => format!(" and {n} routed share(s) to 0 %"),
                };
                format!("roll back all {} Lambda routes to the origin{shares}?", self.paths.len())
            }
            MoveSource::Undo => format!("undo: switch {} back?", self.paths.join(", ")),
        }
    }
}

/// The stage rollback's picker: the route whose stage it is, its deployments once read, the one
/// chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct StagePicker {
    pub path: String,
    pub stage: RouteStage,
    /// `None` while the read is out.
    pub deployments: Option<StageDeployments>,
    /// Why the read failed, if it did.
    pub error: Option<String>,
    /// Index into the deployments.
    pub chosen: usize,
}

/// A stage move about to be sent: from the deployment the stage serves to another.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmStage {
    pub path: String,
    pub stage: StageRef,
    pub from: String,
    pub to: String,
    /// The chosen deployment's description, for the dialog.
    pub to_description: String,
    /// Whether `to` is the configured fallback (the proxy to the monolith).
    pub to_fallback: bool,
    /// `u`: this move puts back the one before.
    pub undo: bool,
    /// `u` back to a deployment that was breaching when the stage left it: the routes and their
    /// numbers then.
    pub breached_before: Vec<String>,
}

impl ConfirmStage {
    pub fn title(&self) -> &'static str {
        if self.undo { "undo the stage move?" } else { "move the stage?" }
    }

    /// What the dialog says, in the order it reads, its last line the scope: the screen draws these,
    /// headless `stage` prints them. Text from AWS is left as it came: each printer escapes it.
    pub fn lines(&self) -> [String; 4] {
        let fallback = if self.to_fallback { " — the configured fallback" } else { "" };
        [
            format!("stage {}", self.stage.label()),
            format!("serves deployment {} now", self.from),
            format!("→ deployment {} ({}){fallback}", self.to, self.to_description),
            "Every route behind this stage changes, within seconds; CloudFront is not touched.".to_string(),
        ]
    }

    /// The warning over an undo back to a deployment that was breaching, for both printers.
    pub fn warning(&self) -> Option<String> {
        (!self.breached_before.is_empty()).then(|| {
            format!(
                "{} was breaching when the stage left it ({}): this serves it again",
                self.to,
                self.breached_before.join("; ")
            )
        })
    }
}
