//! After CloudFront accepts: the rows take their new origins, and the deploy status is polled,
//! backing off while AWS throttles, until the distribution is `Deployed`.

use std::time::Duration;

use jiff::Timestamp;

use super::super::audit;
use super::set_pending;
use crate::app::action::Effect;
use crate::app::state::{State, SwitchMark, SwitchPhase};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::format::duration_short;
use crate::domain::{DeployStatus, Level, RouteChange};

// Long: one answer and everything it changes (attempt, rows, marks, log, audit record, next poll),
// in the order they must happen; split, the order would live in several places.
pub fn accepted(
    state: &mut State,
    id: u64,
    etag_before: String,
    etag_after: String,
    status: DeployStatus,
    already_there: Vec<String>,
) -> Vec<Effect> {
    let now = state.now;
    // An answer for an attempt that already ended (abandoned at quit) changes nothing.
    let Some(attempt) = state.switches.iter_mut().find(|s| s.id == id && s.phase == SwitchPhase::Requested) else {
        return Vec::new();
    };
    attempt.accepted_at = Some(now);
    attempt.etag_before = Some(etag_before.clone());
    attempt.etag_after = Some(etag_after.clone());
    let (label, to, distribution_id) = (attempt.label(), attempt.to, attempt.distribution_id.clone());
    let moved: Vec<String> = attempt.paths.iter().filter(|p| !already_there.contains(p)).cloned().collect();
    if moved.is_empty() {
        attempt.phase = SwitchPhase::Deployed;
        let paths = attempt.paths.clone();
        state.log(Level::Info, Some(&label), format!("already targets {to}; nothing to change"));
        set_pending(state, &paths, None);
        return state
            .switch(id)
            .map(|a| audit::switch(state, a, RecordKind::SwitchDeployed, None))
            .into_iter()
            .collect();
    }
    attempt.phase = SwitchPhase::Propagating;
    let changes = attempt.changes.clone();
    super::traffic::start(state, id, &moved);
    let probes = super::edge::start(state, id, &moved);
    for path in &already_there {
        state.log(Level::Info, Some(path), format!("already targeted {to}; left as it was"));
    }
    set_pending(state, &already_there, None);
    for change in changes.iter().filter(|c| moved.contains(&c.path)) {
        if let Some(row) = state.routes.iter_mut().find(|r| r.path == change.path) {
            row.target = Some(to);
            row.origin_id = change.to_origin_id.clone();
            if let Some((_, policy)) = &change.request_policy {
                row.behavior.origin_request_policy_id = Some(policy.clone());
            }
        }
    }
    if let Some(topology) = state.topology.last_mut() {
        topology.status = status;
        topology.etag = etag_after.clone();
    }
    state.marks.extend(moved.iter().map(|path| SwitchMark { path: path.clone(), at: now, to }));
    let moves = changes.iter().filter(|c| moved.contains(&c.path)).map(RouteChange::describe).collect::<Vec<_>>();
    state.log(
        Level::Info,
        Some(&label),
        format!("UpdateDistribution accepted (ETag {etag_before} → {etag_after}), {status}: {}", moves.join("; ")),
    );
    // Anything read before this moment shows the old target.
    state.topology_generation += 1;
    state.topology.start_anew();
    let mut effects: Vec<Effect> =
        state.switch(id).map(|a| audit::switch(state, a, RecordKind::SwitchAccepted, None)).into_iter().collect();
    effects.push(Effect::LoadTopology {
        distribution_id: state.distribution_id.clone(),
        generation: state.topology_generation,
    });
    if status == DeployStatus::Deployed {
        effects.extend(deploy_status(state, &distribution_id, Ok(DeployStatus::Deployed)));
    } else {
        effects.extend(schedule_poll(state, &distribution_id, state.refresh.deploy_poll));
    }
    effects.extend(probes);
    effects
}

fn schedule_poll(state: &mut State, distribution_id: &str, after: Duration) -> Vec<Effect> {
    let propagating =
        state.switches.iter().any(|s| s.distribution_id == distribution_id && s.phase == SwitchPhase::Propagating);
    if !propagating || !state.deploy.start() {
        return Vec::new();
    }
    vec![Effect::PollDeploy { distribution_id: distribution_id.to_string(), after }]
}

// Long: one poll answer for every attempt of the distribution, with its backoff on failure; the
// notes, ends and audit records are gathered first so that state is borrowed once.
pub fn deploy_status(
    state: &mut State,
    distribution_id: &str,
    result: Result<DeployStatus, BackendError>,
) -> Vec<Effect> {
    let now = state.now;
    let status = match result {
        Ok(status) => status,
        Err(error) => {
            // Back off on every failure, most of all on throttling: polling harder only adds to it.
            let failures = state.deploy.failed();
            let after = state.refresh.poll_backoff().delay(failures, now.as_nanosecond() as u64);
            state.log(
                Level::Warn,
                None,
                format!(
                    "reading the deploy status of {distribution_id} failed: {error}; next try in {}",
                    duration_short(after.as_secs() as i64)
                ),
            );
            return schedule_poll(state, distribution_id, after);
        }
    };
    state.deploy.arrived(status, now);
    if let Some(topology) = state.topology.last_mut().filter(|t| t.distribution_id == distribution_id) {
        topology.status = status;
    }
    let note_every = jiff::SignedDuration::try_from(state.refresh.progress_note_every).unwrap_or_default();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut finished: Vec<String> = Vec::new();
    let mut deployed_ids: Vec<u64> = Vec::new();
    for attempt in state
        .switches
        .iter_mut()
        .filter(|s| s.distribution_id == distribution_id && s.phase == SwitchPhase::Propagating)
    {
        let accepted_at = attempt.accepted_at.unwrap_or(attempt.requested_at);
        let elapsed = seconds_between(accepted_at, now);
        match status {
            DeployStatus::Deployed => {
                attempt.phase = SwitchPhase::Deployed;
                deployed_ids.push(attempt.id);
                finished.extend(attempt.paths.iter().cloned());
                notes.push((attempt.label(), format!("Deployed after {}", duration_short(elapsed))));
            }
            DeployStatus::InProgress => {
                let last = attempt.last_progress_note.unwrap_or(accepted_at);
                if now.duration_since(last) >= note_every {
                    attempt.last_progress_note = Some(now);
                    notes.push((
                        attempt.label(),
                        format!("still propagating, InProgress for {}", duration_short(elapsed)),
                    ));
                }
            }
        }
    }
    set_pending(state, &finished, None);
    for (label, message) in notes {
        state.log(Level::Info, Some(&label), message);
    }
    let mut effects: Vec<Effect> = deployed_ids
        .iter()
        .filter_map(|id| state.switch(*id))
        .map(|a| audit::switch(state, a, RecordKind::SwitchDeployed, None))
        .collect();
    let poll = state.refresh.deploy_poll;
    effects.extend(schedule_poll(state, distribution_id, poll));
    effects
}

fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs()
}
