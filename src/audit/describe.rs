//! Records in words, for the event log's history lines and the `cutover log` table.

use crate::domain::Target;
use crate::domain::format::duration_short;

use super::record::{AuditRecord, RecordKind};

/// `"820ms"`, `"3.4s"`, `"3m 04s"`.
pub fn millis_short(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 10_000 {
        format!("{:.1}s", ms as f64 / 1_000.0)
    } else {
        duration_short(i64::try_from(ms / 1_000).unwrap_or(i64::MAX))
    }
}

/// The routes, comma-separated; `-` for none.
pub fn routes(record: &AuditRecord) -> String {
    if record.routes.is_empty() { "-".into() } else { record.routes.join(", ") }
}

/// `"λ Lambda → ◼ origin"`, or whichever half is known; `-` for neither.
pub fn targets(record: &AuditRecord) -> String {
    between(record.from, record.to)
}

/// [`targets`] for a move given by its two ends.
pub fn between(from: Option<Target>, to: Option<Target>) -> String {
    match (from, to) {
        (Some(from), Some(to)) => format!("{from} → {to}"),
        (None, Some(to)) => format!("→ {to}"),
        (Some(from), None) => format!("{from} →"),
        (None, None) => "-".into(),
    }
}

/// `"accepted 820ms, deployed 3m 04s"` (request → accepted, accepted → deployed), and on the
/// milestones `"edge 1m 37s after the request"` or `"traffic 1m 40s after the request"`: what of it
/// is known.
pub fn durations(record: &AuditRecord) -> Option<String> {
    let steps = [("accepted", record.request_to_accepted_ms, ""), ("deployed", record.accepted_to_deployed_ms, "")];
    let milestones = [
        ("edge", record.edge_ms, " after the request"),
        ("traffic", record.traffic_moved_ms, " after the request"),
        ("viewers healthy", record.viewers_healthy_ms, " after the request"),
    ];
    let parts: Vec<String> = steps
        .into_iter()
        .chain(milestones)
        .filter_map(|(what, ms, from)| ms.map(|ms| format!("{what} {}{from}", millis_short(ms))))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The details a table row ends with: durations, error, message, ETags, caller.
pub fn details(record: &AuditRecord) -> String {
    let mut parts = Vec::new();
    if !record.moves.is_empty() {
        parts.push(origins(record));
    }
    if let Some(d) = durations(record) {
        parts.push(d);
    }
    if let Some(why) = &record.override_reason {
        parts.push(format!("OVERRIDE: {why}"));
    }
    if let Some(error) = &record.error {
        parts.push(format!("error: {error}"));
    }
    if let Some(message) = &record.message {
        parts.push(message.clone());
    }
    match (&record.etag_before, &record.etag_after) {
        (Some(b), Some(a)) => parts.push(format!("etag {b} → {a}")),
        (Some(b), None) => parts.push(format!("etag {b}")),
        (None, Some(a)) => parts.push(format!("etag → {a}")),
        (None, None) => {}
    }
    parts.join(" · ")
}

/// The origin ids each route moved between: `/a apigw → elb-2, /b apigw → elb-1`, with any policy swap.
pub fn origins(record: &AuditRecord) -> String {
    let moves: Vec<String> = record
        .moves
        .iter()
        .map(|m| {
            let mut text = format!("{} {} → {}", m.route, m.from_origin, m.to_origin);
            if let (Some(before), Some(after)) = (&m.request_policy_before, &m.request_policy_after) {
                text.push_str(&format!(" (origin request policy {before} → {after})"));
            }
            text
        })
        .collect();
    format!("origins {}", moves.join(", "))
}

/// Who: the operator, and the caller ARN when there is one.
pub fn who(record: &AuditRecord) -> String {
    match &record.caller_arn {
        Some(arn) => format!("{} ({arn})", record.operator),
        None => record.operator.clone(),
    }
}

/// A stage rollback's record in words: which stage, between which deployments.
fn stage_sentence(record: &AuditRecord, routes: &str) -> String {
    let what = match &record.stage {
        Some(s) => {
            format!(
                "stage {} of {} API {} from deployment {} to {}",
                s.stage, s.api, s.api_id, s.from_deployment, s.to_deployment
            )
        }
        None => "a stage".to_string(),
    };
    match record.kind {
        RecordKind::StageRequested => format!("{} asked to move {what} (from {routes})", record.operator),
        RecordKind::StageAccepted => format!("move of {what} accepted"),
        RecordKind::StageAbandoned => format!("move of {what} abandoned"),
        _ => format!("move of {what} failed"),
    }
}

/// What happened, in words: the sentence before its outcome, durations, error and message.
fn what_happened(record: &AuditRecord) -> String {
    let routes = routes(record);
    let moves = match (record.from, record.to) {
        (None, None) => routes.clone(),
        _ => format!("{routes} {}", targets(record)),
    };
    let shares: Vec<String> = record.shares.iter().map(describe_share_move).collect();
    let shares = shares.join(", ");
    match record.kind {
        // A share move through the router's store: the shares say more than the sides.
        RecordKind::SwitchRequested if !shares.is_empty() => {
            format!("{} asked to move {shares} by the router", record.operator)
        }
        RecordKind::AutoRollback if !shares.is_empty() => format!("automatic share move {shares} by the router"),
        RecordKind::SwitchAccepted if !shares.is_empty() => format!("share move {shares} taken by the router's store"),
        RecordKind::SwitchFailed if !shares.is_empty() => format!("share move {shares} failed"),
        // A plan's record says all in its message.
        RecordKind::PlanStep if record.message.is_some() => String::new(),
        RecordKind::SwitchRequested => format!("{} asked to switch {moves}", record.operator),
        RecordKind::SwitchAccepted => format!("switch of {moves} accepted"),
        RecordKind::SwitchDeployed => format!("switch of {moves} deployed"),
        RecordKind::SwitchFailed => format!("switch of {moves} failed"),
        RecordKind::SwitchAbandoned => format!("switch of {moves} abandoned"),
        RecordKind::EdgeMoved => format!("switch of {moves} answered at the edge by the new side"),
        RecordKind::TrafficMoved => format!("traffic of {moves} moved"),
        RecordKind::ViewersHealthy => format!("viewers of {moves} healthy again at the edge"),
        RecordKind::GuardBreach => format!("guard breach on {routes}"),
        RecordKind::AutoRollback => format!("automatic rollback of {moves}"),
        RecordKind::RouterStep if record.routes.is_empty() => format!("{}'s router step", record.operator),
        RecordKind::RouterStep => format!("{}'s router step on {routes}", record.operator),
        RecordKind::EdgeLogsStep if record.routes.is_empty() => format!("{}'s edge-logs step", record.operator),
        RecordKind::EdgeLogsStep => format!("{}'s edge-logs step on {routes}", record.operator),
        RecordKind::PlanStep => match &record.plan {
            Some(plan) => format!(
                "rollout plan {} of {routes}: {} at step {} (λ {} %)",
                plan.name,
                plan.state,
                plan.step + 1,
                plan.share
            ),
            None => format!("rollout plan of {routes}"),
        },
        RecordKind::StageRequested
        | RecordKind::StageAccepted
        | RecordKind::StageFailed
        | RecordKind::StageAbandoned => stage_sentence(record, &routes),
        RecordKind::Unknown => format!("{} {moves}", record.kind.as_str()),
    }
}

/// One sentence about the record, without its time.
pub fn sentence(record: &AuditRecord) -> String {
    let mut text = what_happened(record);
    if let Some(outcome) = record.outcome
        && !matches!(
            (record.kind, outcome.as_str()),
            (RecordKind::SwitchAccepted, "accepted")
                | (RecordKind::SwitchDeployed, "deployed")
                | (RecordKind::SwitchFailed, "failed")
                | (RecordKind::SwitchAbandoned, "abandoned")
                | (RecordKind::StageAccepted, "accepted")
                | (RecordKind::StageFailed, "failed")
                | (RecordKind::StageAbandoned, "abandoned")
        )
    {
        text.push_str(&format!(" ({})", outcome.as_str()));
    }
    if let Some(d) = durations(record) {
        text.push_str(&format!(" ({d})"));
    }
    if let Some(error) = &record.error {
        text.push_str(&format!(": {error}"));
    }
    if let Some(message) = &record.message {
        if text.is_empty() {
            text = message.clone();
        } else {
            text.push_str(&format!(": {message}"));
        }
    }
    text
}

/// One share move in words: `/a λ 5 % → 25 %`, or what the record was when it was not readable.
fn describe_share_move(s: &crate::audit::ShareMove) -> String {
    match s.record_was.as_deref() {
        Some("unreadable") => format!("{} λ ? % (record unreadable, overwritten) → {} %", s.route, s.to_pct),
        Some("missing") => format!("{} λ 0 % (first record) → {} %", s.route, s.to_pct),
        _ => format!("{} λ {} % → {} %", s.route, s.from_pct, s.to_pct),
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::audit::record::{Environment, Outcome};

    fn rec(kind: RecordKind) -> AuditRecord {
        AuditRecord::new(Timestamp::UNIX_EPOCH, kind, Environment::Demo, "ana", "D").with_routes(["/a", "/b"])
    }

    #[test]
    fn share_moves_and_plans_read_as_what_they_did() {
        let share = crate::audit::ShareMove { route: "/a".into(), from_pct: 5, to_pct: 25, record_was: None };
        let requested = AuditRecord { shares: vec![share.clone()], ..rec(RecordKind::SwitchRequested) };
        assert_eq!(sentence(&requested), "ana asked to move /a λ 5 % → 25 % by the router");
        let taken = AuditRecord { shares: vec![share], ..rec(RecordKind::SwitchAccepted) };
        assert_eq!(sentence(&taken), "share move /a λ 5 % → 25 % taken by the router's store");
        let plan = rec(RecordKind::PlanStep).with_message("rollout plan default step 3/5: λ 25 %, held 15m");
        assert_eq!(sentence(&plan), "rollout plan default step 3/5: λ 25 %, held 15m");
    }

    #[test]
    fn millis_read_as_people_say_them() {
        assert_eq!(millis_short(820), "820ms");
        assert_eq!(millis_short(3_400), "3.4s");
        assert_eq!(millis_short(184_000), "3m 04s");
    }

    #[test]
    fn sentences() {
        let switch = rec(RecordKind::SwitchDeployed)
            .with_targets(Target::Lambda, Target::Origin)
            .with_outcome(Outcome::Deployed)
            .with_durations(Some(std::time::Duration::from_millis(820)), Some(std::time::Duration::from_secs(184)));
        assert_eq!(
            sentence(&switch),
            "switch of /a, /b λ Lambda → ◼ origin deployed (accepted 820ms, deployed 3m 04s)"
        );

        let failed = rec(RecordKind::SwitchFailed)
            .with_targets(Target::Origin, Target::Lambda)
            .with_outcome(Outcome::Failed)
            .with_error("PreconditionFailed");
        assert_eq!(sentence(&failed), "switch of /a, /b ◼ origin → λ Lambda failed: PreconditionFailed");

        let router = rec(RecordKind::RouterStep).with_outcome(Outcome::Accepted).with_message("install associate: ...");
        assert_eq!(sentence(&router), "ana's router step on /a, /b (accepted): install associate: ...");
        let mut store = router.clone().with_outcome(Outcome::Failed).with_error("denied");
        store.routes.clear();
        assert_eq!(sentence(&store), "ana's router step (failed): denied: install associate: ...");

        let breach = rec(RecordKind::GuardBreach).with_message("5xx 12.4% > 5% for 3 periods");
        assert_eq!(sentence(&breach), "guard breach on /a, /b: 5xx 12.4% > 5% for 3 periods");

        let abandoned = rec(RecordKind::SwitchAccepted).with_outcome(Outcome::Abandoned);
        assert_eq!(sentence(&abandoned), "switch of /a, /b accepted (abandoned)");

        let mut edge = rec(RecordKind::EdgeMoved).with_targets(Target::Lambda, Target::Origin);
        edge.edge_ms = Some(97_000);
        let edge = edge.with_message("every probe answered by ◼ origin");
        assert_eq!(
            sentence(&edge),
            "switch of /a, /b λ Lambda → ◼ origin answered at the edge by the new side \
             (edge 1m 37s after the request): every probe answered by ◼ origin"
        );
        let mut traffic = rec(RecordKind::TrafficMoved).with_targets(Target::Lambda, Target::Origin);
        traffic.traffic_moved_ms = Some(100_000);
        assert_eq!(
            sentence(&traffic),
            "traffic of /a, /b λ Lambda → ◼ origin moved (traffic 1m 40s after the request)"
        );
        assert_eq!(details(&traffic), "traffic 1m 40s after the request");
    }

    #[test]
    fn details_and_who() {
        let r = rec(RecordKind::SwitchFailed)
            .with_error("throttled")
            .with_etags(Some("E1"), None::<String>)
            .with_caller_arn(Some("arn:aws:iam::1:user/ana"));
        assert_eq!(details(&r), "error: throttled · etag E1");
        assert_eq!(who(&r), "ana (arn:aws:iam::1:user/ana)");
        assert_eq!(details(&rec(RecordKind::GuardBreach)), "");
    }
}
