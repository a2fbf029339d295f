//! After CloudFront accepts: the distribution is read back (a route not where it was asked fails the
//! switch), the rows take their new origins, and the deploy status is polled with the config read
//! again each time, backing off while AWS throttles, until the distribution is `Deployed` and shows
//! every route where it was asked.

use std::time::Duration;

use jiff::Timestamp;

use super::super::audit;
use super::set_pending;
use crate::app::action::{Effect, Work};
use crate::app::model::state::{MovePhase, State, SwitchMark};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::format::duration_short;
use crate::domain::route::Misplaced;
use crate::domain::{DeployStatus, Level, ReadBack, RouteChange};

// Long: one answer and everything it changes (attempt, rows, marks, log, audit record, next poll),
// in the order they must happen; split, the order would live in several places.
pub fn accepted(
    state: &mut State,
    id: u64,
    (etag_before, etag_after): (String, String),
    status: DeployStatus,
    already_there: Vec<String>,
    read_back: Result<ReadBack, BackendError>,
) -> Vec<Effect> {
    let now = state.now;
    // An answer for an attempt that already ended (abandoned at quit) changes nothing.
    let Some(attempt) = state.moves.iter_mut().find(|s| s.id == id && s.phase == MovePhase::Requested) else {
        return Vec::new();
    };
    attempt.accepted_at = Some(now);
    attempt.etag_before = Some(etag_before.clone());
    attempt.etag_after = Some(etag_after.clone());
    // Accepted is not done: a route the distribution does not show where it was asked fails here.
    if let Ok(read_back) = &read_back {
        let wrong = read_back.not_as_asked(attempt.behaviors());
        if !wrong.is_empty() {
            return not_as_asked(state, id, &wrong);
        }
    }
    let Some(to) = attempt.to() else { return Vec::new() };
    let (label, distribution_id) = (attempt.label(), attempt.distribution_id.clone());
    let moved: Vec<String> = attempt.paths.iter().filter(|p| !already_there.contains(p)).cloned().collect();
    if moved.is_empty() {
        attempt.phase = MovePhase::Deployed;
        let paths = attempt.paths.clone();
        state.log(Level::Info, Some(&label), format!("already targets {to}; nothing to change"));
        set_pending(state, &paths, None);
        return state
            .moves
            .by_id(id)
            .map(|a| audit::switch(state, a, RecordKind::SwitchDeployed, None))
            .into_iter()
            .collect();
    }
    attempt.phase = MovePhase::Propagating;
    let changes = attempt.behaviors().to_vec();
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
    if let Some(topology) = state.learned.topology.last_mut() {
        topology.status = status;
        topology.etag = etag_after.clone();
    }
    state.marks.extend(moved.iter().map(|path| SwitchMark { path: path.clone(), at: now, to, share: None }));
    let moves = changes.iter().filter(|c| moved.contains(&c.path)).map(RouteChange::describe).collect::<Vec<_>>();
    state.log(
        Level::Info,
        Some(&label),
        format!("UpdateDistribution accepted (ETag {etag_before} → {etag_after}), {status}: {}", moves.join("; ")),
    );
    // Anything read before this moment shows the old target.
    state.learned.topology_generation += 1;
    state.learned.topology.start_anew();
    let mut effects: Vec<Effect> =
        state.moves.by_id(id).map(|a| audit::switch(state, a, RecordKind::SwitchAccepted, None)).into_iter().collect();
    effects.push(Effect::on(
        state.distribution_id.clone(),
        Work::LoadTopology { generation: state.learned.topology_generation },
    ));
    match read_back {
        // Deployed, and read back where it was asked: done now.
        Ok(read_back) if read_back.status == DeployStatus::Deployed => {
            effects.extend(deploy_status(state, Ok(read_back)));
        }
        Ok(_) => effects.extend(schedule_poll(state, &distribution_id, state.policy.refresh.deploy_poll)),
        Err(error) => {
            // Unknown is not done: the deploy poll reads the distribution again until it can say.
            state.log(
                Level::Warn,
                Some(&label),
                format!("reading the distribution back after the update failed: {error}; cutover reads it again before calling it deployed"),
            );
            effects.extend(schedule_poll(state, &distribution_id, state.policy.refresh.deploy_poll));
        }
    }
    effects.extend(probes);
    effects
}

fn schedule_poll(state: &mut State, distribution_id: &str, after: Duration) -> Vec<Effect> {
    let propagating =
        state.moves.iter().any(|s| s.distribution_id == distribution_id && s.phase == MovePhase::Propagating);
    if !propagating || !state.learned.deploy.start() {
        return Vec::new();
    }
    vec![Effect::on(distribution_id.to_string(), Work::PollDeploy { after })]
}

// Long: one poll answer for every attempt of the distribution, with its backoff on failure; the
// notes, ends and audit records are gathered first so that state is borrowed once.
pub fn deploy_status(state: &mut State, result: Result<ReadBack, BackendError>) -> Vec<Effect> {
    let now = state.now;
    let distribution_id = state.distribution_id.clone();
    let distribution_id = distribution_id.as_str();
    let read_back = match result {
        Ok(read_back) => read_back,
        Err(error) => {
            // Back off on every failure, most of all on throttling: polling harder only adds to it.
            let failures = state.learned.deploy.failed();
            let after = state.policy.refresh.poll_backoff().delay(failures, now.as_nanosecond() as u64);
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
    let status = read_back.status;
    state.learned.deploy.arrived(status, now);
    if let Some(topology) = state.learned.topology.last_mut().filter(|t| t.distribution_id == distribution_id) {
        topology.status = status;
    }
    let note_every = jiff::SignedDuration::try_from(state.policy.refresh.progress_note_every).unwrap_or_default();
    let mut notes: Vec<(String, String)> = Vec::new();
    let mut finished: Vec<String> = Vec::new();
    let mut deployed_ids: Vec<u64> = Vec::new();
    let mut wrong_ids: Vec<(u64, Vec<Misplaced>)> = Vec::new();
    let later = later_moves(state, distribution_id);
    let mut took: Option<i64> = None;
    for attempt in
        state.moves.iter_mut().filter(|s| s.distribution_id == distribution_id && s.phase == MovePhase::Propagating)
    {
        // Read back: each route still where this attempt put it, unless a later switch moved it.
        let own =
            attempt.behaviors().iter().filter(|c| !later.iter().any(|(id, path)| *id > attempt.id && *path == c.path));
        let wrong = read_back.not_as_asked(own);
        if !wrong.is_empty() {
            wrong_ids.push((attempt.id, wrong));
            continue;
        }
        let accepted_at = attempt.accepted_at.unwrap_or(attempt.requested_at);
        let elapsed = seconds_between(accepted_at, now);
        match status {
            DeployStatus::Deployed => {
                attempt.phase = MovePhase::Deployed;
                deployed_ids.push(attempt.id);
                finished.extend(attempt.paths.iter().cloned());
                took = Some(elapsed);
                // Said instead of a "still propagating" read earlier in this tick.
                attempt.unsaid_progress = None;
                notes.push((attempt.label(), format!("Deployed after {}", duration_short(elapsed))));
            }
            DeployStatus::InProgress => {
                let last = attempt.last_progress_note.unwrap_or(accepted_at);
                if now.duration_since(last) >= note_every {
                    attempt.last_progress_note = Some(now);
                    attempt.unsaid_progress =
                        Some(format!("still propagating, InProgress for {}", duration_short(elapsed)));
                }
            }
        }
    }
    set_pending(state, &finished, None);
    if let Some(secs) = took {
        state.learned.last_deploy_took = Some(jiff::SignedDuration::from_secs(secs));
    }
    for (label, message) in notes {
        state.log(Level::Info, Some(&label), message);
    }
    let mut effects: Vec<Effect> = deployed_ids
        .iter()
        .filter_map(|id| state.moves.by_id(*id))
        .map(|a| audit::switch(state, a, RecordKind::SwitchDeployed, None))
        .collect();
    for (id, wrong) in wrong_ids {
        effects.extend(not_as_asked(state, id, &wrong));
    }
    let poll = state.policy.refresh.deploy_poll;
    effects.extend(schedule_poll(state, distribution_id, poll));
    effects
}

/// The "still propagating" notes of the tick that ends, said at that tick's time, for the moves
/// still propagating: a deploy poll may answer twice in one tick (the demo at 10×), and a rollout
/// said to be still going in the same second as it is said deployed reads as a contradiction.
pub fn say_progress(state: &mut State) {
    let notes: Vec<(String, String)> = (state.moves.iter_mut())
        .filter(|m| m.phase == MovePhase::Propagating)
        .filter_map(|m| m.unsaid_progress.take().map(|note| (m.label(), note)))
        .collect();
    for (label, note) in notes {
        state.log(Level::Info, Some(&label), note);
    }
}

/// (attempt id, route) of every behavior switch of the distribution still standing: a later one
/// moving the same route takes it over, so an earlier one is not read back against it.
fn later_moves(state: &State, distribution_id: &str) -> Vec<(u64, String)> {
    (state.moves.iter())
        .filter(|s| s.distribution_id == distribution_id && !s.by_router())
        .filter(|s| !matches!(s.phase, MovePhase::Failed))
        .flat_map(|s| s.paths.iter().map(move |p| (s.id, p.clone())))
        .collect()
}

/// A route of attempt `id` read back somewhere other than where it was asked (or gone): the
/// attempt failed, whatever CloudFront accepted. Said as an error and a banner, recorded as
/// `switch_failed`, and the distribution read again so the rows show where the routes are.
pub fn not_as_asked(state: &mut State, id: u64, wrong: &[Misplaced]) -> Vec<Effect> {
    let phases = [MovePhase::Requested, MovePhase::Propagating];
    let Some(attempt) = state.moves.iter_mut().find(|s| s.id == id && phases.contains(&s.phase)) else {
        return Vec::new();
    };
    attempt.phase = MovePhase::Failed;
    let (label, paths) = (attempt.label(), attempt.paths.clone());
    let said: Vec<String> = wrong
        .iter()
        .map(|(path, found)| {
            let asked = attempt.behaviors().iter().find(|c| &c.path == path);
            let asked_origin = asked.map_or("?", |c| c.to_origin_id.as_str());
            match (found, asked) {
                (None, _) => format!("{path} is gone from the distribution"),
                (Some(found), Some(c)) if *found == c.from_origin_id => {
                    format!("{path} is still on {found} ({}), not on {asked_origin} as asked", c.to.other())
                }
                (Some(found), _) => format!("{path} is on {found}, not on {asked_origin} as asked"),
            }
        })
        .collect();
    let why = format!("read back from CloudFront, {}", said.join("; "));
    let message = format!(
        "switch {} not done: AWS accepted the update, but {why}; check with `cutover status` and switch again",
        attempt.moves()
    );
    attempt.failure = Some(format!("{label}: {message}"));
    set_pending(state, &paths, None);
    state.log(Level::Error, Some(&label), &message);
    state.notices.banner = Some(format!("{label}: {message}"));
    let mut effects: Vec<Effect> = state
        .moves
        .by_id(id)
        .map(|a| audit::switch(state, a, RecordKind::SwitchFailed, Some(why)))
        .into_iter()
        .collect();
    // Show where the routes really are.
    state.learned.topology_generation += 1;
    state.learned.topology.start_anew();
    effects.push(Effect::on(
        state.distribution_id.clone(),
        Work::LoadTopology { generation: state.learned.topology_generation },
    ));
    effects
}

fn seconds_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs()
}
