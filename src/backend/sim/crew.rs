//! The demo's team (issue 23): the in-process journal and CloudTrail every demo distribution has
//! ([`SimTeam`]), and in the `crew` scenario a scripted teammate ([`spawn_crew`]) who acts during
//! the run, and a change made outside cutover. The console sees both through the same code as
//! live: her records come through the journal's reader, the outside change through the refresh,
//! its author through [`SimTrail`] as through CloudTrail.
//!
//! The story, in simulated time from the console's start (`Scenario::Crew`):
//!
//! | when | what |
//! | --- | --- |
//! | 0 | `alice@laptop-7` opens her console: a presence entry, renewed every minute (the header shows her) |
//! | [`ROLLBACK_AT`] (2 min) | she rolls [`TEAMMATE_ROUTE`] back to the origin as her cutover would: `switch_requested` in the journal, the switch through `backend::switch`, `switch_accepted`; its rollout runs one to three minutes, and `s` on the route meanwhile warns of her |
//! | when the distribution is `Deployed` | her `switch_deployed` (she looks every [`POLL_EVERY`]) |
//! | [`OUTSIDE_AT`] (5 min) | [`OUTSIDE_ROUTE`] moved to the origin outside cutover, as Terraform would: a new ETag, no journal record; the console reports it at its next read (within a minute) |
//! | [`OUTSIDE_AT`] + 3 min | the demo's CloudTrail has the write: the console names [`OUTSIDE_AUTHOR`] at its next lookup (within a minute) |
//!
//! A resumed world may have the routes elsewhere: each move goes to the side its route is not on.
//! The teammate ends when the [`Crew`] handle is dropped (the console ended).

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::oneshot;

use super::SimBackend;
use super::catalog;
use super::trail::SimTrail;
use crate::audit::journal_entry::{by, stream_name};
use crate::audit::{AuditRecord, Environment, Move, Outcome, RecordKind};
use crate::backend::change_authors::DistributionWrite;
use crate::backend::journal::{Identity, JournalSender, MemoryJournal, SenderOptions, spawn_sender};
use crate::backend::switch::switch_routes;
use crate::clock::Clock;
use crate::domain::{DeployStatus, RouteChange, Target};

/// The teammate: her user name and her laptop, `alice@laptop-7` in the console.
pub const TEAMMATE: &str = "alice";
pub const TEAMMATE_HOST: &str = "laptop-7";
/// The route she rolls back.
pub const TEAMMATE_ROUTE: &str = "/cart/*";
/// The route changed outside cutover.
pub const OUTSIDE_ROUTE: &str = "/catalog/*";
/// When she rolls it back, after the console's start (simulated time).
pub const ROLLBACK_AT: Duration = Duration::from_secs(2 * 60);
/// When the outside change is made.
pub const OUTSIDE_AT: Duration = Duration::from_secs(5 * 60);
/// How often her console looks whether her rollout is `Deployed`.
pub const POLL_EVERY: Duration = Duration::from_secs(15);
/// The most she waits for it.
const DEPLOY_WAIT: Duration = Duration::from_secs(30 * 60);

/// Who made the outside change, as the demo's CloudTrail names it.
pub fn outside_author() -> String {
    format!("arn:aws:iam::{}:user/terraform", catalog::ACCOUNT_ID)
}

/// [`outside_author`], for docs and tests that name it as text.
pub const OUTSIDE_AUTHOR: &str = "arn:aws:iam::111122223333:user/terraform";

/// The teammate's caller, as the demo's CloudTrail names her writes.
fn teammate_arn() -> String {
    format!("arn:aws:sts::{}:assumed-role/oncall/{TEAMMATE}", catalog::ACCOUNT_ID)
}

/// A demo distribution's team: its journal (the log group `group`, in this process only) and its
/// CloudTrail. Clones share both.
#[derive(Clone, Debug)]
pub struct SimTeam {
    pub journal: MemoryJournal,
    pub trail: SimTrail,
}

impl SimTeam {
    pub fn new(backend: &SimBackend, group: &str) -> Self {
        let clock = backend.clock().clone();
        SimTeam {
            journal: MemoryJournal::new(group, clock.clone()),
            trail: SimTrail::new(backend.distribution_id(), clock),
        }
    }
}

/// The running teammate; dropping it ends her (and her console's presence).
#[derive(Debug)]
pub struct Crew {
    _stop: oneshot::Sender<()>,
}

/// Start the teammate and the outside change on `backend`'s world, writing to `team`'s journal
/// and CloudTrail, on the world's clock from now. Call inside a tokio runtime.
pub fn spawn_crew(backend: Arc<SimBackend>, team: &SimTeam) -> Crew {
    let (stop, stopped) = oneshot::channel();
    let clock = backend.clock().clone();
    let started = clock.now();
    let teammate = by(TEAMMATE, TEAMMATE_HOST);
    let run_id = format!("{TEAMMATE}-{}", started.as_second());
    let identity = Identity { by: teammate.clone(), run: stream_name(&teammate, started, &run_id) };
    // Her console says it is here, as every console does; the demo keeps nothing for later runs.
    let options = SenderOptions { presence: Some("console".into()), outbox: None, ..Default::default() };
    let sender = spawn_sender(Arc::new(team.journal.clone()), identity, clock.clone(), options);
    let trail = team.trail.clone();
    tokio::spawn(async move {
        let rollback = async {
            sleep_until(&clock, started, ROLLBACK_AT).await;
            roll_back(&backend, &sender, &trail, &format!("{run_id}-1")).await;
        };
        let outside = async {
            sleep_until(&clock, started, OUTSIDE_AT).await;
            change_outside(&backend, &trail);
        };
        let story = async {
            tokio::join!(rollback, outside);
            // Her console stays open: its presence goes on until the demo ends.
            std::future::pending::<()>().await
        };
        tokio::select! {
            () = story => {}
            _ = stopped => {}
        }
        // The sender ends once it has sent what it holds.
        drop(sender);
    });
    Crew { _stop: stop }
}

async fn sleep_until(clock: &Clock, started: Timestamp, after: Duration) {
    let at = started + SignedDuration::try_from(after).unwrap_or(SignedDuration::ZERO);
    let left = clock.now().duration_until(at);
    if let Ok(left) = Duration::try_from(left) {
        clock.sleep(left).await;
    }
}

/// `path`'s move to the side it is not on (the origin from Lambda, its home; else Lambda), as
/// the world has it now; `None` when the world has no such route.
fn move_of(backend: &SimBackend, path: &str) -> Option<RouteChange> {
    let from = backend.world().behavior(path)?.target_origin_id.clone();
    let home = backend.routes.iter().find(|r| r.path == path)?.home;
    match from == catalog::LAMBDA_ORIGIN_ID {
        true => Some(RouteChange::new(path, &from, home, Target::Origin)),
        false => Some(RouteChange::new(path, &from, catalog::LAMBDA_ORIGIN_ID, Target::Lambda)),
    }
}

fn side(origin_id: &str) -> Target {
    super::world::target_of_origin(origin_id)
}

fn millis(from: Timestamp, to: Timestamp) -> Option<u64> {
    u64::try_from(from.duration_until(to).as_millis()).ok()
}

/// Her rollback of [`TEAMMATE_ROUTE`], record by record as her cutover writes them: the request
/// before the call, the answer after it, `Deployed` when she sees it.
async fn roll_back(backend: &SimBackend, sender: &JournalSender, trail: &SimTrail, attempt: &str) {
    let Some(change) = move_of(backend, TEAMMATE_ROUTE) else { return };
    let clock = backend.clock().clone();
    let id = backend.distribution_id().to_string();
    let requested_at = clock.now();
    let record = |kind: RecordKind| {
        let mut record = AuditRecord::new(clock.now(), kind, Environment::Demo, TEAMMATE, &id)
            .with_caller_arn(Some(teammate_arn()))
            .with_routes([TEAMMATE_ROUTE])
            .with_targets(side(&change.from_origin_id), change.to)
            .with_requested_at(requested_at)
            .with_attempt(attempt);
        record.moves = vec![Move::of(&change)];
        record
    };
    sender.send(record(RecordKind::SwitchRequested));
    let accepted = match switch_routes(backend, &id, std::slice::from_ref(&change), |_| {}).await {
        Ok(accepted) => accepted,
        Err(error) => {
            let failed = record(RecordKind::SwitchFailed).with_outcome(Outcome::Failed).with_error(error.to_string());
            sender.send(failed);
            return;
        }
    };
    let accepted_at = clock.now();
    let (before, after) = (accepted.etag_before.clone(), accepted.accepted.etag.clone());
    if before != after {
        trail.record(DistributionWrite {
            time: accepted_at,
            who: teammate_arn(),
            user_agent: Some(format!("cutover/{}", env!("CARGO_PKG_VERSION"))),
            etag: Some(after.clone()),
            etag_before: Some(before.clone()),
            event_id: format!("demo-{attempt}"),
        });
    }
    let mut answer = record(RecordKind::SwitchAccepted).with_outcome(Outcome::Accepted);
    answer = answer.with_etags(Some(before.clone()), Some(after.clone()));
    answer.request_to_accepted_ms = millis(requested_at, accepted_at);
    sender.send(answer);
    if wait_deployed(backend, &id).await {
        let mut deployed = record(RecordKind::SwitchDeployed).with_outcome(Outcome::Deployed);
        deployed = deployed.with_etags(Some(before), Some(after));
        deployed.request_to_accepted_ms = millis(requested_at, accepted_at);
        deployed.accepted_to_deployed_ms = millis(accepted_at, clock.now());
        sender.send(deployed);
    }
}

/// Whether the distribution reported `Deployed` within [`DEPLOY_WAIT`], looked at every
/// [`POLL_EVERY`] (a read that fails is tried again at the next look).
async fn wait_deployed(backend: &SimBackend, id: &str) -> bool {
    use crate::backend::ControlPlane as _;
    let clock = backend.clock().clone();
    let looks = DEPLOY_WAIT.as_secs() / POLL_EVERY.as_secs();
    for _ in 0..looks {
        clock.sleep(POLL_EVERY).await;
        if let Ok(DeployStatus::Deployed) = backend.deploy_status(id).await {
            return true;
        }
    }
    false
}

/// [`OUTSIDE_ROUTE`] moved outside cutover: written straight into the world with no journal
/// record, and into the demo's CloudTrail under [`outside_author`].
fn change_outside(backend: &SimBackend, trail: &SimTrail) {
    let Some(change) = move_of(backend, OUTSIDE_ROUTE) else { return };
    let Some((before, after)) = backend.write_outside(OUTSIDE_ROUTE, &change.to_origin_id) else { return };
    trail.record(DistributionWrite {
        time: backend.clock().now(),
        who: outside_author(),
        user_agent: Some("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io)".into()),
        etag: Some(after),
        etag_before: Some(before),
        event_id: "demo-outside-1".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outside_author_names_the_demo_account() {
        assert_eq!(outside_author(), OUTSIDE_AUTHOR);
    }
}
