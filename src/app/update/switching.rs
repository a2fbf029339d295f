//! The switch flow: confirm, request, conflicts, acceptance, rollout, and its end.

use std::time::Duration;

use jiff::Timestamp;

use super::audit;
use crate::app::action::Effect;
use crate::app::state::{ConfirmSwitch, Overlay, State, SwitchAttempt, SwitchKind, SwitchMark, SwitchPhase};
use crate::audit::RecordKind;
use crate::backend::BackendError;
use crate::domain::format::{duration_short, thousands};
use crate::domain::preflight::check;
use crate::domain::{DeployStatus, Level, MinutePoint, RouteChange, Target};

/// Why the console turned read-only by itself: AWS refused an update.
pub const DENIED_REASON: &str = "AWS denied UpdateDistribution to these credentials";

/// A move to Lambda that would leave less than this share of the account's concurrency free is flagged.
const PREFLIGHT_FREE_SHARE: f64 = 0.10;

pub fn open_confirm(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.selected_route() else {
        return Vec::new();
    };
    let path = row.path.clone();
    match row.switchable() {
        Ok((from, _)) => open(state, SwitchKind::Manual, vec![path], from),
        Err(why) => {
            state.log(Level::Warn, Some(&path), format!("not switchable: {why}; nothing was switched"));
            Vec::new()
        }
    }
}

/// `R`: every switchable Lambda route of the distribution back to its home, in one update. Routes
/// on Lambda that cannot be switched are named in the dialog and left where they are.
pub fn open_rollback_all(state: &mut State) -> Vec<Effect> {
    let paths: Vec<String> = state
        .routes
        .iter()
        .filter(|r| r.switchable().is_ok_and(|(target, _)| target == Target::Lambda))
        .map(|r| r.path.clone())
        .collect();
    if paths.is_empty() {
        let stuck = left_out(state);
        let message = if stuck.is_empty() {
            "no route is on Lambda; nothing to roll back".to_string()
        } else {
            format!("no switchable route is on Lambda; nothing to roll back ({})", stuck.join("; "))
        };
        state.log(Level::Info, None, message);
        return Vec::new();
    }
    open(state, SwitchKind::RollbackAll, paths, Target::Lambda)
}

/// Routes a rollback leaves where they are, and why: on Lambda but not switchable, or on an
/// origin that is neither Lambda nor legacy.
fn left_out(state: &State) -> Vec<String> {
    state
        .routes
        .iter()
        .filter(|r| r.target != Some(Target::Origin))
        .filter_map(|r| r.switchable().err().map(|why| format!("{} not switchable: {why}", r.path)))
        .collect()
}

/// `u`: the last switch this session made, reversed, for the routes it moved that are still where it put them.
pub fn open_undo(state: &mut State) -> Vec<Effect> {
    let last =
        state.switches.iter().rev().find(|s| {
            matches!(s.phase, SwitchPhase::Propagating | SwitchPhase::Deployed) && s.kind != SwitchKind::Undo
        });
    let Some(last) = last else {
        state.log(Level::Info, None, "no switch in this session to undo");
        return Vec::new();
    };
    let (to_undo, target) = (last.paths.clone(), last.to);
    let paths: Vec<String> = to_undo
        .into_iter()
        .filter(|p| state.route(p).is_some_and(|r| r.switchable().is_ok_and(|(t, _)| t == target)))
        .collect();
    if paths.is_empty() {
        state.log(Level::Info, None, "the routes of the last switch have moved since; nothing to undo");
        return Vec::new();
    }
    open(state, SwitchKind::Undo, paths, target)
}

/// Each route's move from `from`, as the rows are now: its origin, the one its pair names for the
/// other side, and the origin request policy swap the config asks for.
fn changes_for(state: &State, paths: &[String], from: Target) -> Vec<RouteChange> {
    let to = from.other();
    paths
        .iter()
        .filter_map(|path| state.route(path))
        .filter_map(|row| {
            let (_, pair) = row.switchable().ok()?;
            let current = row.behavior.origin_request_policy_id.clone();
            let request_policy = pair
                .request_policy(to)
                .filter(|wanted| current.as_deref() != Some(*wanted))
                .map(|wanted| (current, wanted.to_string()));
            Some(RouteChange {
                path: row.path.clone(),
                from_origin_id: row.origin_id.clone(),
                to_origin_id: pair.origin(to).to_string(),
                to,
                request_policy,
                override_reason: None,
            })
        })
        .collect()
}

/// The pre-flight of `changes` on the behaviors as last read: what blocks, and what to know.
fn preflight_of(state: &State, changes: &[RouteChange]) -> (Vec<String>, Vec<String>) {
    let empty = Default::default();
    let book = state.topology.as_ref().map_or(&empty, |t| &t.policies);
    let (mut blocks, mut notes) = (Vec::new(), Vec::new());
    for change in changes {
        let Some(row) = state.route(&change.path) else { continue };
        let swap = change.request_policy.as_ref().map(|(_, to)| to.as_str());
        let findings = check(&change.path, &row.behavior, swap, change.to, book);
        blocks.extend(findings.blocks);
        notes.extend(findings.notes);
        if let Ok((_, pair)) = row.switchable()
            && row.origin_id != pair.origin(change.to.other())
        {
            notes.push(format!(
                "{} is on {}, not on its configured {} origin {} (changed by hand?); it moves to {} as configured",
                change.path,
                row.origin_id,
                change.to.other().word(),
                pair.origin(change.to.other()),
                change.to_origin_id
            ));
        }
    }
    (blocks, notes)
}

/// Open the confirm dialog for moving `paths` from `from` to the other target, unless the console is
/// read-only or an update of the distribution is still unanswered.
fn open(state: &mut State, kind: SwitchKind, paths: Vec<String>, from: Target) -> Vec<Effect> {
    let label = paths.join(", ");
    if let Some(reason) = &state.read_only {
        let message = format!("the console is read-only ({reason}); {label} was not switched");
        state.log(Level::Warn, Some(&label), message);
        return Vec::new();
    }
    let distribution_id = state.topology.as_ref().map(|t| t.distribution_id.clone()).unwrap_or_default();
    if state.update_in_flight(&distribution_id) {
        let message = format!(
            "an update of {distribution_id} is already on its way to CloudFront; switch {label} when it is accepted"
        );
        state.log(Level::Warn, Some(&label), &message);
        state.banner = Some(message);
        return Vec::new();
    }
    let to = from.other();
    let mut health = match kind {
        SwitchKind::Manual | SwitchKind::Undo if paths.len() == 1 => target_health(state, &paths[0], to),
        _ => target_health_across(state, to),
    };
    if health.is_empty() {
        health.push(format!("no {to} numbers in the last hour"));
    }
    let mut warning = None;
    if to == Target::Lambda
        && let Some((estimate, low)) = preflight(state, &paths)
    {
        health.push(estimate);
        warning = low;
    }
    let changes = changes_for(state, &paths, from);
    let (blocks, mut notes) = preflight_of(state, &changes);
    if kind == SwitchKind::RollbackAll {
        notes.extend(left_out(state).into_iter().map(|line| format!("left as it is: {line}")));
    }
    state.overlay = Overlay::Confirm(ConfirmSwitch {
        kind,
        distribution_id,
        paths,
        changes,
        from,
        to,
        health,
        warning,
        blocks,
        notes,
    });
    Vec::new()
}

/// What the operator should know about the target they are about to send a route to.
fn target_health(state: &State, path: &str, to: Target) -> Vec<String> {
    let Some(metrics) = &state.metrics else {
        return vec!["no metrics yet: health of the new target is unknown".into()];
    };
    let side = |p: &MinutePoint| if to == Target::Lambda { p.lambda } else { p.origin };
    let mut lines = Vec::new();
    let unmeasured = metrics.unmeasured.contains(&(path.to_string(), to));
    match metrics.series(path).iter().rev().map(side).find(|b| b.requests.get().is_some()) {
        None if unmeasured => lines.push(format!(
            "{to} on {path}: unknown, the config names no per-route metrics for that side (see the README's config reference)"
        )),
        Some(b) => {
            lines.push(format!("{to} on {path}, newest minute: {}", describe(b.requests.get(), b.errors_5xx.get(), b.latency_ms.get(), &state.latency_statistic)))
        }
        None => lines.push(format!("{to} served no {path} traffic in the last hour")),
    }
    lines.extend(target_health_across(state, to));
    lines
}

/// The target across every route, as of each route's newest minute, and account concurrency.
fn target_health_across(state: &State, to: Target) -> Vec<String> {
    let Some(metrics) = &state.metrics else {
        return vec!["no metrics yet: health of the new target is unknown".into()];
    };
    let side = |p: &MinutePoint| if to == Target::Lambda { p.lambda } else { p.origin };
    let mut lines = Vec::new();
    // The target across every route, as of each route's newest minute.
    let (mut requests, mut errors, mut slowest, mut serving) = (0.0, 0.0, None::<f64>, 0);
    // Routes on neither side (an S3 bucket) say nothing of the origin or of Lambda.
    for row in state.routes.iter().filter(|r| r.target.is_some()) {
        if let Some(b) = metrics.latest(&row.path).map(side).filter(|b| b.requests.get().is_some()) {
            requests += b.requests.get().unwrap_or(0.0);
            errors += b.errors_5xx.get().unwrap_or(0.0);
            slowest = Some(slowest.unwrap_or(0.0).max(b.latency_ms.get().unwrap_or(0.0)));
            serving += 1;
        }
    }
    if serving > 0 {
        lines.push(format!(
            "{to} across {serving} route(s): {}",
            describe(Some(requests), Some(errors), slowest, &state.latency_statistic)
        ));
    }
    if to == Target::Lambda
        && let Some(used) = metrics.latest_concurrency()
    {
        let limit = metrics.concurrency_limit.max(1);
        lines.push(format!(
            "account concurrency {}/{} ({:.0}% used)",
            thousands(used as u64),
            thousands(u64::from(limit)),
            used / f64::from(limit) * 100.0
        ));
    }
    lines
}

fn describe(requests: Option<f64>, errors: Option<f64>, latency: Option<f64>, latency_statistic: &str) -> String {
    let requests = requests.unwrap_or(0.0);
    let rate = if requests > 0.0 { errors.unwrap_or(0.0) / requests * 100.0 } else { 0.0 };
    let latency = latency.map_or("–".to_string(), |l| format!("{} ms", thousands(l.round() as u64)));
    format!("{} req/min, 5xx {rate:.1}%, {latency_statistic} {latency}", thousands(requests.round() as u64))
}

/// `y`: send the dialog's switch, unless the pre-flight blocked it or the audit trail is failing;
/// then only the override key sends it, so going on is deliberate.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    let Overlay::Confirm(confirm) = &state.overlay else {
        return Vec::new();
    };
    let reasons = override_reasons(confirm, state.audit_failure.as_deref());
    if !reasons.is_empty() {
        let label = confirm.paths.join(", ");
        let message = format!("{}: press ! to switch anyway, n to cancel", reasons.join("; "));
        state.log(Level::Warn, Some(&label), format!("not switched: {message}"));
        return Vec::new();
    }
    let Overlay::Confirm(confirm) = std::mem::replace(&mut state.overlay, Overlay::None) else {
        return Vec::new();
    };
    request(state, confirm.kind, &confirm.paths, confirm.from, None, None)
}

/// What only the override key goes past: the pre-flight's blocks, and an audit trail that cannot be
/// written (the switch would go unrecorded).
pub fn override_reasons(confirm: &ConfirmSwitch, audit_failure: Option<&str>) -> Vec<String> {
    let mut reasons = confirm.blocks.clone();
    if let Some(why) = audit_failure {
        reasons.push(format!("the audit trail cannot be written ({why}): the switch would not be recorded"));
    }
    reasons
}

/// `!` (or headless `--force --reason`): send the dialog's switch although the pre-flight blocked
/// it, recording who overrode what and why.
pub fn confirm_override(state: &mut State, reason: Option<String>) -> Vec<Effect> {
    let Overlay::Confirm(confirm) = std::mem::replace(&mut state.overlay, Overlay::None) else {
        return Vec::new();
    };
    let why = reason.unwrap_or_else(|| format!("overridden in the console by {}", state.operator));
    let reasons = override_reasons(&confirm, state.audit_failure.as_deref());
    let overridden = if reasons.is_empty() { "nothing was blocked".to_string() } else { reasons.join("; ") };
    let override_reason = format!("{why} (overriding: {overridden})");
    request(state, confirm.kind, &confirm.paths, confirm.from, None, Some(override_reason))
}

/// Send one update moving every route of `paths` that still targets `from` to the other side of
/// its pair. `reason` is said in the log for switches nobody confirmed (guards);
/// `override_reason` is set when the operator overrode the pre-flight.
pub fn request(
    state: &mut State,
    kind: SwitchKind,
    paths: &[String],
    from: Target,
    reason: Option<&str>,
    override_reason: Option<String>,
) -> Vec<Effect> {
    let Some(topology) = &state.topology else {
        return Vec::new();
    };
    let distribution_id = topology.distribution_id.clone();
    let to = from.other();
    let mut still = Vec::new();
    for path in paths {
        match state.route(path) {
            None => state.log(Level::Warn, Some(path), "route is gone from the distribution; nothing was switched"),
            Some(row) if row.target != Some(from) => {
                let now = row.target.map_or_else(|| row.origin_id.clone(), |t| t.to_string());
                let message =
                    format!("route now targets {now} (changed while the dialog was open); nothing was switched");
                state.log(Level::Warn, Some(path), message);
            }
            Some(row) => match row.switchable() {
                Ok(_) => still.push(row.path.clone()),
                Err(why) => state.log(Level::Warn, Some(path), format!("not switchable: {why}; nothing was switched")),
            },
        }
    }
    let mut changes = changes_for(state, &still, from);
    for change in &mut changes {
        change.override_reason = override_reason.clone();
    }
    if changes.is_empty() {
        return Vec::new();
    }
    let moving: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    let label = moving.join(", ");
    if state.update_in_flight(&distribution_id) {
        state.log(Level::Warn, Some(&label), "another update is still on its way; nothing was switched");
        return Vec::new();
    }
    let id = state.switches.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    let what = match kind {
        SwitchKind::Manual => "switch",
        SwitchKind::RollbackAll => "rollback of every Lambda route:",
        SwitchKind::Undo => "undo:",
        SwitchKind::Automatic => "automatic rollback:",
    };
    let who = match reason {
        Some(reason) => format!("by the guard, because {reason}"),
        None => format!("requested by {}", state.operator),
    };
    let level = if kind == SwitchKind::Automatic || override_reason.is_some() { Level::Warn } else { Level::Info };
    let moves = changes.iter().map(RouteChange::describe).collect::<Vec<_>>().join("; ");
    state.log(level, Some(&label), format!("{what} {moves} {who}"));
    if let Some(why) = &override_reason {
        state.log(Level::Warn, Some(&label), format!("pre-flight overridden: {why}"));
    }
    state.switches.push(SwitchAttempt {
        id,
        distribution_id: distribution_id.clone(),
        paths: moving.clone(),
        changes: changes.clone(),
        override_reason,
        from,
        to,
        kind,
        phase: SwitchPhase::Requested,
        requested_at: state.now,
        accepted_at: None,
        etag_before: None,
        etag_after: None,
        last_progress_note: None,
    });
    set_pending(state, &moving, Some(id));
    let step = if kind == SwitchKind::Automatic { RecordKind::AutoRollback } else { RecordKind::SwitchRequested };
    let mut record = state.switch(id).map(|a| audit::switch(state, a, step, None));
    if let (Some(Effect::Audit(record)), Some(reason)) = (record.as_mut(), reason) {
        record.message = Some(format!("automatic rollback by a guard, because {reason}"));
    }
    record.into_iter().chain([Effect::Switch { id, distribution_id, changes }]).collect()
}

/// The concurrency moving `paths` to Lambda would take, and a warning when it would leave less than
/// [`PREFLIGHT_FREE_SHARE`] of the account's limit free. The estimate is requests per second × seconds
/// per request, from each route's newest minute and the Lambda latency seen on it (or the mean across
/// Lambda routes, for a route Lambda has not served yet).
fn preflight(state: &State, paths: &[String]) -> Option<(String, Option<String>)> {
    let metrics = state.metrics.as_ref()?;
    let limit = f64::from(metrics.concurrency_limit.max(1));
    let used = metrics.latest_concurrency()?;
    let seen: Vec<f64> =
        state.routes.iter().filter_map(|r| metrics.latest(&r.path).and_then(|p| p.lambda.latency_ms.get())).collect();
    let fallback_ms = (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64);
    let (mut needed, mut per_second) = (0.0, 0.0);
    for path in paths {
        let Some(point) = metrics.latest(path) else { continue };
        let Some(duration_ms) = point.lambda.latency_ms.get().or(fallback_ms) else { continue };
        // What the origin serves now is what will arrive at Lambda.
        let rps = point.origin.requests.get().unwrap_or(0.0) / 60.0;
        per_second += rps;
        needed += rps * duration_ms / 1000.0;
    }
    let free = (limit - used).max(0.0);
    let estimate = format!(
        "pre-flight: needs about {} concurrent executions ({} req/s × {} duration); {} of {} free now",
        thousands(needed.round() as u64),
        thousands(per_second.round() as u64),
        state.latency_statistic,
        thousands(free.round() as u64),
        thousands(limit as u64),
    );
    let warning = (free - needed < limit * PREFLIGHT_FREE_SHARE).then(|| {
        format!(
            "less than {}% of the account's Lambda concurrency would be left free: expect throttles",
            (PREFLIGHT_FREE_SHARE * 100.0).round()
        )
    });
    Some((estimate, warning))
}

fn set_pending(state: &mut State, paths: &[String], pending: Option<u64>) {
    for row in state.routes.iter_mut().filter(|r| paths.contains(&r.path)) {
        row.pending = pending;
    }
}

pub fn conflict(state: &mut State, id: u64, stale_etag: &str) -> Vec<Effect> {
    if let Some(attempt) = state.switch(id) {
        let label = attempt.label();
        state.log(
            Level::Warn,
            Some(&label),
            format!("ETag {stale_etag} is stale (someone else updated the distribution); re-reading and re-applying"),
        );
    }
    Vec::new()
}

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
    if let Some(topology) = &mut state.topology {
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
    state.topology_pending = true;
    let mut effects: Vec<Effect> =
        state.switch(id).map(|a| audit::switch(state, a, RecordKind::SwitchAccepted, None)).into_iter().collect();
    effects.push(Effect::LoadTopology { generation: state.topology_generation });
    if status == DeployStatus::Deployed {
        effects.extend(deploy_status(state, &distribution_id, Ok(DeployStatus::Deployed)));
    } else {
        effects.extend(schedule_poll(state, &distribution_id, state.refresh.deploy_poll));
    }
    effects
}

pub fn failed(state: &mut State, id: u64, error: &BackendError) -> Vec<Effect> {
    let Some(attempt) = state.switches.iter_mut().find(|s| s.id == id && s.phase == SwitchPhase::Requested) else {
        return Vec::new();
    };
    attempt.phase = SwitchPhase::Failed;
    let (label, paths) = (attempt.label(), attempt.paths.clone());
    let message = format!("switch {} failed: {error}", attempt.moves());
    set_pending(state, &paths, None);
    state.log(Level::Error, Some(&label), &message);
    state.banner = Some(format!("{label}: {message}"));
    let mut effects: Vec<Effect> = state
        .switch(id)
        .map(|a| audit::switch(state, a, RecordKind::SwitchFailed, Some(error.to_string())))
        .into_iter()
        .collect();
    if let BackendError::AccessDenied(_) = error {
        let reason = DENIED_REASON;
        state.read_only = Some(reason.to_string());
        state.log(
            Level::Warn,
            None,
            format!("{reason}: the console is now read-only; it keeps watching, switch with a role allowed to update"),
        );
    }
    if matches!(error, BackendError::ChangedElsewhere { .. }) && !state.topology_pending {
        // Show what the distribution really looks like now.
        state.topology_pending = true;
        effects.push(Effect::LoadTopology { generation: state.topology_generation });
    }
    effects
}

fn schedule_poll(state: &mut State, distribution_id: &str, after: Duration) -> Vec<Effect> {
    let propagating =
        state.switches.iter().any(|s| s.distribution_id == distribution_id && s.phase == SwitchPhase::Propagating);
    if !propagating || !state.polling.insert(distribution_id.to_string()) {
        return Vec::new();
    }
    vec![Effect::PollDeploy { distribution_id: distribution_id.to_string(), after }]
}

pub fn deploy_status(
    state: &mut State,
    distribution_id: &str,
    result: Result<DeployStatus, BackendError>,
) -> Vec<Effect> {
    state.polling.remove(distribution_id);
    let now = state.now;
    let status = match result {
        Ok(status) => status,
        Err(error) => {
            // Back off on every failure, most of all on throttling: polling harder only adds to it.
            let failures = state.poll_failures.entry(distribution_id.to_string()).or_default();
            *failures += 1;
            let after = state.refresh.poll_backoff().delay(*failures, now.as_nanosecond() as u64);
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
    state.poll_failures.remove(distribution_id);
    if let Some(topology) = state.topology.as_mut().filter(|t| t.distribution_id == distribution_id) {
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
