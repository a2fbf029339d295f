//! After acceptance, is the edge serving the new side? A probed route is probed through the
//! distribution every few seconds for a while (and once on the probe key); each answer is a
//! finding, never an error. Once every probe since some moment has come from the new side, the
//! log says so, once, with how long after acceptance — and the trail keeps it for `log --stats`.

use jiff::{SignedDuration, Timestamp};

use super::super::audit;
use crate::app::action::{Effect, Work};
use crate::app::model::state::{EDGE_ANSWERS_KEPT, EdgeFollow, State};
use crate::audit::RecordKind;
use crate::domain::Level;
use crate::domain::format::{duration_short, time_of_day};
use crate::domain::probe::{EdgeSummary, ProbeAnswer, all_on_since};

/// Answers in an unbroken run from the new side before the edge counts as moved: one could be a
/// single edge that happened to have the change.
const RUN_TO_TRUST: usize = 3;

/// Start probing the probed routes among `moved` for attempt `id`, the first probe at once.
pub fn start(state: &mut State, id: u64, moved: &[String]) -> Vec<Effect> {
    let Some(attempt) = state.moves.by_id(id) else { return Vec::new() };
    let Some(to) = attempt.to() else { return Vec::new() };
    let now = state.now;
    let until = now + SignedDuration::try_from(state.policy.probe_settings.follow_for).unwrap_or_default();
    let probed: Vec<String> = moved.iter().filter(|p| state.policy.probes.contains_key(*p)).cloned().collect();
    for path in &probed {
        let watch = state.edge.entry(path.clone()).or_default();
        watch.following = Some(EdgeFollow { attempt: id, to, accepted_at: now, until, said: false });
        watch.next_at = Some(now);
        watch.last_finding = None;
    }
    tick(state)
}

/// Send the follow-ups' probes that are due, and end the follow-ups whose time is up.
pub fn tick(state: &mut State) -> Vec<Effect> {
    let now = state.now;
    let every = SignedDuration::try_from(state.policy.probe_settings.every).unwrap_or_default();
    let mut due = Vec::new();
    let mut ended = Vec::new();
    for (path, watch) in &mut state.edge {
        let Some(follow) = &watch.following else { continue };
        if now >= follow.until {
            if !follow.said {
                ended.push((path.clone(), EdgeSummary::of(watch.recent()).describe()));
            }
            watch.following = None;
            watch.next_at = None;
            continue;
        }
        if !watch.in_flight && watch.next_at.is_some_and(|at| now >= at) {
            watch.in_flight = true;
            watch.next_at = Some(now + every);
            due.push(path.clone());
        }
    }
    for (path, summary) in ended {
        let message = format!("edge: probing stopped before every probe came from the new side; last: {summary}");
        state.log(Level::Warn, Some(&path), message);
    }
    due.sort();
    due.iter().filter_map(|path| probe_effect(state, path)).collect()
}

/// The probe key: probe the selected route once, now.
pub fn probe_now(state: &mut State) -> Vec<Effect> {
    let Some(path) = state.selected_route().map(|r| r.path.clone()) else { return Vec::new() };
    if !state.policy.probes.contains_key(&path) {
        let message = "no probe is configured for this route: add a [distribution.route.probe] with its path \
                       (the demo probes every route)";
        state.log(Level::Info, Some(&path), message);
        state.notices.flash(message);
        return Vec::new();
    }
    let watch = state.edge.entry(path.clone()).or_default();
    if watch.in_flight {
        return Vec::new();
    }
    watch.in_flight = true;
    probe_effect(state, &path).into_iter().collect()
}

fn probe_effect(state: &State, path: &str) -> Option<Effect> {
    let spec = state.policy.probes.get(path)?.clone();
    Some(Effect::on(state.distribution_id.clone(), Work::Probe { spec }))
}

/// An answer: kept, its finding said once per change, and the follow-up told whether the edge is
/// on the new side.
pub fn answered(state: &mut State, path: &str, answer: ProbeAnswer) -> Vec<Effect> {
    let Some(watch) = state.edge.get_mut(path) else { return Vec::new() };
    watch.in_flight = false;
    let finding = answer.finding.clone();
    watch.answers.push(answer);
    if watch.answers.len() > EDGE_ANSWERS_KEPT {
        watch.answers.remove(0);
    }
    let new_finding = finding.filter(|f| watch.last_finding.as_ref() != Some(f));
    if let Some(finding) = &new_finding {
        watch.last_finding = Some(finding.clone());
    }
    let moved = watch.following.as_ref().filter(|f| !f.said).and_then(|follow| {
        let recent = watch.recent();
        let since = all_on_since(recent, follow.to)?;
        let run = recent.iter().filter(|a| a.at >= since && a.side() == Some(follow.to)).count();
        (run >= RUN_TO_TRUST).then_some((follow.attempt, follow.to, follow.accepted_at, since))
    });
    if let Some(follow) = watch.following.as_mut().filter(|_| moved.is_some()) {
        follow.said = true;
    }
    if let Some(finding) = new_finding {
        state.log(Level::Warn, Some(path), format!("probe: {finding}"));
    }
    let Some((id, to, accepted_at, since)) = moved else { return Vec::new() };
    let after = duration_short(since.duration_since(accepted_at).as_secs().max(0));
    let message = format!("edge: every probe answered by {to} since {} ({after} after accepted)", time_of_day(since));
    state.log(Level::Info, Some(path), message.clone());
    state.moves.by_id(id).map(|attempt| edge_record(state, attempt, since, message)).into_iter().collect()
}

fn edge_record(state: &State, attempt: &crate::app::model::state::Move, since: Timestamp, message: String) -> Effect {
    let since_requested = since.duration_since(attempt.requested_at).unsigned_abs();
    audit::milestone(state, attempt, RecordKind::EdgeMoved, since_requested, message)
}
