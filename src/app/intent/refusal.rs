//! Why a request opened no dialog (or a dialog sent nothing): one variant per cause, each giving
//! the sentence the event log and headless print, the exit code and a stable JSON reason.

use serde_json::{Value, json};

use crate::domain::Level;
use crate::domain::visible::escape as visible;

/// A request the console turned down, with everything needed to say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The console is read-only; `untouched` says what was left alone.
    ReadOnly { why: String, untouched: Untouched },
    /// A move of the same kind is still unanswered.
    InFlight(InFlight),
    /// The route cannot be moved by behavior, and why (its pair, a repeated pattern, …).
    NotSwitchable { path: String, why: String },
    /// The route is not moved by the router, naming the missing piece and the fix.
    NotRouted { path: String, why: String },
    /// `+` at 100 % or `-` at 0 %.
    ShareAtEnd { path: String, current: u8, up: bool },
    /// A share outside 0–100.
    NotAShare { path: String, to: u8 },
    /// The route already has the share asked for.
    ShareAlready { path: String, share: u8 },
    /// `R` with nothing on Lambda that can move; `stuck` names what stays and why.
    NothingToRollBack { stuck: Vec<String> },
    /// `u` with no move AWS took in this session.
    NothingToUndo,
    /// `u` when what the newest move moved has moved again since.
    MovedSince(Since),
    /// A rollout plan is already under way on the route.
    PlanUnderWay { path: String, plan: String, progress: String },
    /// The plan has no step above the route's share.
    PlanHasNoStep { path: String, plan: String, current: u8 },
    /// `Z` or `X` on a route with no rollout plan under way.
    NoPlan { path: String },
    /// `Z` while the plan's step is still on its way to the store.
    PlanStepOnItsWay { path: String },
    /// The route names no API Gateway stage in the config.
    NoStage { path: String },
    /// A stage move asked for before the stage's deployments were read.
    StageNotRead { path: String },
    /// A deployment the stage does not have.
    UnknownDeployment { path: String, deployment: String },
    /// The stage already serves the deployment chosen.
    AlreadyServed { path: String, deployment: String },
    /// `!` on a stage move, which the pre-flight never blocks.
    NothingToOverride,
    /// `y` on a dialog the pre-flight (or a failing audit trail) blocks: only `!` sends it.
    Blocked { paths: String, reasons: Vec<String> },
}

/// What a read-only console left alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Untouched {
    /// Routes moved by behavior.
    Switched(String),
    /// Routes moved by share.
    Moved(String),
    Stage,
}

/// The move still on its way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InFlight {
    /// An `UpdateDistribution` of the distribution, when a dialog would open.
    Update { distribution_id: String, paths: String },
    /// An `UpdateDistribution`, when the confirmed switch would be sent.
    UpdateAtSend { paths: String },
    /// A share move to the router's store.
    Shares { paths: String },
    /// An `UpdateStage`.
    Stage,
}

/// What moved since the move `u` would undo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Since {
    Routes,
    Shares,
    /// The stage no longer serves the deployment the move gave it.
    Stage {
        stage: String,
        deployment: String,
    },
}

impl Refusal {
    // Long: one arm per refusal, each its own sentence; splitting it would only scatter the wording.
    /// The sentence for the event log and for headless commands: what was refused, why, and what
    /// would do it.
    pub fn sentence(&self) -> String {
        match self {
            Refusal::ReadOnly { why, untouched: Untouched::Switched(paths) } => {
                format!("the console is read-only ({why}); {paths} was not switched")
            }
            Refusal::ReadOnly { why, untouched: Untouched::Moved(paths) } => {
                format!("the console is read-only ({why}); {paths} was not moved")
            }
            Refusal::ReadOnly { why, untouched: Untouched::Stage } => {
                format!("read-only ({why}): the stage was not touched")
            }
            Refusal::InFlight(InFlight::Update { distribution_id, paths }) => format!(
                "an update of {distribution_id} is already on its way to CloudFront; switch {paths} when it is accepted"
            ),
            Refusal::InFlight(InFlight::UpdateAtSend { .. }) => {
                "another update is still on its way; nothing was switched".to_string()
            }
            Refusal::InFlight(InFlight::Shares { paths }) => {
                format!("a share move is still on its way to the router's store; move {paths} when it is taken")
            }
            Refusal::InFlight(InFlight::Stage) => "a stage move is still on its way; wait for its answer".to_string(),
            Refusal::NotSwitchable { why, .. } => format!("not switchable: {why}; nothing was switched"),
            Refusal::NotRouted { why, .. } => why.clone(),
            Refusal::ShareAtEnd { current, up, .. } => {
                let end = if *up { "all of it already goes to Lambda" } else { "none of it goes to Lambda" };
                format!("λ {current} %: {end}; the share stays")
            }
            Refusal::NotAShare { to, .. } => format!("{to} % is not a share: give 0 to 100"),
            Refusal::ShareAlready { share, .. } => format!("λ {share} % already; nothing to move"),
            Refusal::NothingToRollBack { stuck } if stuck.is_empty() => {
                "no route is on Lambda; nothing to roll back".to_string()
            }
            Refusal::NothingToRollBack { stuck } => {
                format!("no switchable route is on Lambda; nothing to roll back ({})", stuck.join("; "))
            }
            Refusal::NothingToUndo => "no move in this session to undo".to_string(),
            Refusal::MovedSince(Since::Routes) => {
                "the routes of the last switch have moved since; nothing to undo".to_string()
            }
            Refusal::MovedSince(Since::Shares) => {
                "the shares of the last move have moved since; nothing to undo".to_string()
            }
            Refusal::MovedSince(Since::Stage { stage, deployment }) => format!(
                "stage {} no longer serves deployment {}: it was moved since; nothing to undo",
                visible(stage),
                visible(deployment)
            ),
            Refusal::PlanUnderWay { plan, progress, .. } => {
                format!("rollout plan {plan} is already under way at step {progress} (Z pauses, X aborts)")
            }
            Refusal::PlanHasNoStep { plan, current, .. } => {
                format!("λ {current} % already: plan {plan} has no step above it")
            }
            Refusal::NoPlan { .. } => "no rollout plan is under way on this route".to_string(),
            Refusal::PlanStepOnItsWay { .. } => {
                "the plan's step is on its way to the store; pause once it is taken".to_string()
            }
            Refusal::NoStage { path } => format!(
                "{path} names no API Gateway stage; add [distribution.route.stage] to its route in the config to roll its stage back"
            ),
            Refusal::StageNotRead { .. } => "the stage's deployments have not been read".to_string(),
            Refusal::UnknownDeployment { deployment, .. } => format!(
                "deployment {} is not one of the stage's; list them with --list and pick one",
                visible(deployment)
            ),
            Refusal::AlreadyServed { deployment, .. } => {
                format!("the stage already serves deployment {}; choose another", visible(deployment))
            }
            Refusal::NothingToOverride => {
                "a stage move has nothing to override: press y to send it, n to cancel".to_string()
            }
            Refusal::Blocked { reasons, .. } => {
                format!("not switched: {}: press ! to switch anyway, n to cancel", reasons.join("; "))
            }
        }
    }

    /// The route (or routes) the refusal is about, for the event log's route column.
    pub fn route(&self) -> Option<&str> {
        match self {
            Refusal::ReadOnly { untouched: Untouched::Switched(paths) | Untouched::Moved(paths), .. }
            | Refusal::InFlight(
                InFlight::Update { paths, .. } | InFlight::UpdateAtSend { paths } | InFlight::Shares { paths },
            )
            | Refusal::Blocked { paths, .. } => Some(paths),
            Refusal::NotSwitchable { path, .. }
            | Refusal::NotRouted { path, .. }
            | Refusal::ShareAtEnd { path, .. }
            | Refusal::NotAShare { path, .. }
            | Refusal::ShareAlready { path, .. }
            | Refusal::PlanUnderWay { path, .. }
            | Refusal::PlanHasNoStep { path, .. }
            | Refusal::NoPlan { path }
            | Refusal::PlanStepOnItsWay { path }
            | Refusal::NoStage { path }
            | Refusal::StageNotRead { path }
            | Refusal::UnknownDeployment { path, .. }
            | Refusal::AlreadyServed { path, .. } => Some(path),
            Refusal::ReadOnly { untouched: Untouched::Stage, .. }
            | Refusal::InFlight(InFlight::Stage)
            | Refusal::NothingToRollBack { .. }
            | Refusal::NothingToUndo
            | Refusal::MovedSince(_)
            | Refusal::NothingToOverride => None,
        }
    }

    /// How loud the event log says it: a refusal that protects (read-only, in flight, blocked, a
    /// route that cannot move, a stage) warns; one that only finds nothing to do informs.
    pub fn level(&self) -> Level {
        match self {
            Refusal::ReadOnly { .. }
            | Refusal::InFlight(_)
            | Refusal::NotSwitchable { .. }
            | Refusal::NotAShare { .. }
            | Refusal::NoStage { .. }
            | Refusal::StageNotRead { .. }
            | Refusal::UnknownDeployment { .. }
            | Refusal::AlreadyServed { .. }
            | Refusal::NothingToOverride
            | Refusal::Blocked { .. } => Level::Warn,
            Refusal::NotRouted { .. }
            | Refusal::ShareAtEnd { .. }
            | Refusal::ShareAlready { .. }
            | Refusal::NothingToRollBack { .. }
            | Refusal::NothingToUndo
            | Refusal::MovedSince(_)
            | Refusal::PlanUnderWay { .. }
            | Refusal::PlanHasNoStep { .. }
            | Refusal::NoPlan { .. }
            | Refusal::PlanStepOnItsWay { .. } => Level::Info,
        }
    }

    /// A stable word for scripts (`--json`): what kind of refusal, whatever the sentence says.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::ReadOnly { .. } => "read_only",
            Refusal::InFlight(_) => "in_flight",
            Refusal::NotSwitchable { .. } => "not_switchable",
            Refusal::NotRouted { .. } => "not_routed",
            Refusal::ShareAtEnd { .. } => "share_at_end",
            Refusal::NotAShare { .. } => "not_a_share",
            Refusal::ShareAlready { .. } => "already_there",
            Refusal::NothingToRollBack { .. } => "nothing_to_roll_back",
            Refusal::NothingToUndo => "nothing_to_undo",
            Refusal::MovedSince(_) => "moved_since",
            Refusal::PlanUnderWay { .. } => "plan_under_way",
            Refusal::PlanHasNoStep { .. } => "plan_has_no_step",
            Refusal::NoPlan { .. } => "no_plan",
            Refusal::PlanStepOnItsWay { .. } => "plan_step_on_its_way",
            Refusal::NoStage { .. } => "no_stage",
            Refusal::StageNotRead { .. } => "stage_not_read",
            Refusal::UnknownDeployment { .. } => "unknown_deployment",
            Refusal::AlreadyServed { .. } => "already_served",
            Refusal::NothingToOverride => "nothing_to_override",
            Refusal::Blocked { .. } => "blocked",
        }
    }

    /// The exit code of a headless command that ends on it: 0 when what was asked for already
    /// holds (nothing needed doing), else 2 (nothing was tried; what to change is on the command
    /// line or in the console's state).
    pub fn exit_code(&self) -> u8 {
        match self {
            Refusal::ShareAlready { .. } | Refusal::AlreadyServed { .. } => 0,
            _ => 2,
        }
    }

    /// The refusal as one JSON object, for `--json` output.
    pub fn to_json(&self) -> Value {
        json!({ "refused": self.reason(), "route": self.route(), "message": self.sentence() })
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_says_what_was_left_alone_with_its_own_reason_and_code() {
        let read_only = Refusal::ReadOnly { why: "--read-only".into(), untouched: Untouched::Moved("/a/*".into()) };
        assert_eq!(read_only.sentence(), "the console is read-only (--read-only); /a/* was not moved");
        assert_eq!((read_only.reason(), read_only.exit_code(), read_only.route()), ("read_only", 2, Some("/a/*")));
        let already = Refusal::ShareAlready { path: "/a/*".into(), share: 5 };
        assert_eq!((already.sentence().as_str(), already.exit_code()), ("λ 5 % already; nothing to move", 0));
        let json = Refusal::NothingToUndo.to_json();
        assert_eq!(json["refused"], "nothing_to_undo");
        assert_eq!(json["route"], Value::Null);
        assert_eq!(json["message"], "no move in this session to undo");
    }

    #[test]
    fn text_from_aws_is_escaped_in_the_sentence() {
        let refusal = Refusal::AlreadyServed { path: "/a/*".into(), deployment: "d1\u{1b}[2J".into() };
        assert!(!refusal.sentence().contains('\u{1b}'), "{}", refusal.sentence());
    }
}
