//! One line of the audit trail: a flat JSON object with stable field names.
//!
//! Every field is written on every line (absent values as `null`), in this order:
//!
//! | field                     | type              | meaning                                                  |
//! |---------------------------|-------------------|----------------------------------------------------------|
//! | `time`                    | string            | when it happened, UTC, RFC 3339 (`2025-03-01T03:12:09Z`) |
//! | `kind`                    | string            | what happened, see [`RecordKind`]                        |
//! | `mode`                    | string            | `live` or `demo`                                         |
//! | `operator`                | string            | the local user name, always                              |
//! | `caller_arn`              | string or null    | the STS caller identity (live mode)                      |
//! | `distribution`            | string            | the CloudFront distribution id                           |
//! | `routes`                  | array of strings  | the path patterns concerned (one or several)             |
//! | `from`, `to`              | string or null    | `lambda` or `origin`                                     |
//! | `etag_before`             | string or null    | the distribution's ETag the change was made against     |
//! | `etag_after`              | string or null    | the ETag CloudFront returned for the change              |
//! | `outcome`                 | string or null    | see [`Outcome`]                                          |
//! | `error`                   | string or null    | the error text of a failure                              |
//! | `requested_at`            | string or null    | when the switch was requested, RFC 3339: the same on every record of one switch attempt, so that `distribution` and `requested_at` name it; `null` on other records and in trails older cutover wrote |
//! | `attempt`                 | string or null    | the attempt this record belongs to, the same on every record of it (request, answers, milestones, a stage move's, a rollout plan's step): the console run's id and the attempt's number (`mb1x9k2p4q-3f2a-7`; a stage move's `…-stage-2`), unique per run and distribution; `null` on other records and in trails older cutover wrote |
//! | `request_to_accepted_ms`  | integer or null   | from the request to CloudFront accepting the change      |
//! | `accepted_to_deployed_ms` | integer or null   | from acceptance to the distribution being `Deployed`     |
//! | `edge_ms`                 | integer or null   | on `edge_moved`: from the request to the first probe through the distribution answered by the new side |
//! | `traffic_moved_ms`        | integer or null   | on `traffic_moved`: from the request to the CloudWatch minute that showed the move |
//! | `viewers_healthy_ms`      | integer or null   | on `viewers_healthy`: from the request to the first second from which the route's edge 5xx rate stayed under its threshold for a whole edge window |
//! | `message`                 | string or null    | free text, e.g. a breach: `5xx 12.4% > 5% for 3 periods` |
//! | `moves`                   | array of objects  | per route: `route`, `from_origin`, `to_origin` (origin ids), and `request_policy_before` / `request_policy_after` when the switch swaps the origin request policy |
//! | `shares`                  | array of objects  | per routed route moved through the router's store: `route`, `from_pct`, `to_pct` (Lambda's share before and after); empty for a switch by behavior, whose moves are in `moves` |
//! | `plan`                    | object or null    | on `plan_step`: `name`, `steps` (`1% 10m, 5% 10m, 100%`), `step` (from 0), `share`, `state` (`started`, `step`, `paused`, `resumed`, `done`, `aborted`), `held_secs` (on `paused`) |
//! | `override`                | string or null    | set when the operator overrode the pre-flight or a failing audit trail: who, why and what was overridden |
//! | `stage`                   | object or null    | on `stage_*` records: `api` (`rest` or `http`), `api_id`, `stage`, `from_deployment`, `to_deployment` |
//!
//! The records of one switch attempt are `switch_requested` (or `auto_rollback` when a guard asked),
//! `switch_accepted`, then `switch_deployed`, `switch_failed` or `switch_abandoned`, and on the way
//! `edge_moved` and `traffic_moved` when they are seen, all with its `attempt`; `audit::stats`
//! reads them back as one switch.
//! `router_step` records (one per step of `cutover router install` / `remove` that changes AWS)
//! stand alone: `message` says which step (`create_store: ...`), `outcome` `accepted` or `failed`.
//! A stage rollback is `stage_requested`, then `stage_accepted`, `stage_failed` or
//! `stage_abandoned`, the same `requested_at` and `attempt` on each; `routes` is the route it was
//! asked from (the stage serves others too).
//!
//! Readers accept lines with missing optional fields, and unknown `kind`/`outcome` values read as
//! `unknown`, so that an older cutover can read a newer trail.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::{RouteChange, Target};

/// Where a record was made: against real AWS (`live`) or in the demo's simulated world (`demo`).
/// The trail's field for it is `mode`, as it has always been.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Live,
    Demo,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Live => "live",
            Environment::Demo => "demo",
        }
    }
}

/// What a record is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An operator (or a headless command) asked for a switch; written before the request is sent.
    SwitchRequested,
    /// CloudFront accepted the change (`UpdateDistribution` returned a new ETag).
    SwitchAccepted,
    /// The distribution reached `Deployed` with the change.
    SwitchDeployed,
    /// The change was refused or could not be sent.
    SwitchFailed,
    /// cutover stopped following the change before it deployed (quit, a signal, a headless run that
    /// ends at acceptance): `error` says why and what state the routes may be in.
    SwitchAbandoned,
    /// The first probe through the distribution after the switch was answered by the new side:
    /// `edge_ms` says how long after the request.
    EdgeMoved,
    /// CloudWatch shows the new side carrying the threshold share of the route's traffic:
    /// `traffic_moved_ms` says how long after the request that minute's evidence came, `message`
    /// gives the share.
    TrafficMoved,
    /// After a fix, the edge logs showed the route's viewers healthy again: `viewers_healthy_ms`
    /// says how long after the request the first healthy second was, `message` gives the rate.
    ViewersHealthy,
    /// A guard tripped: `message` gives the numbers.
    GuardBreach,
    /// A guard switched a route back to the origin by itself: `message` says why.
    AutoRollback,
    /// `cutover router install` or `remove` changed AWS by one step: `message` names the step and
    /// what it changed, `routes` the behaviors an association update touched (with `etag_before` /
    /// `etag_after`), `outcome` is `accepted` or `failed` (then `error` says why).
    RouterStep,
    /// `cutover edge-logs install` or `remove` changed AWS by one step (a stream, a role, a
    /// real-time log configuration, the behaviors' `RealtimeLogConfigArn`): as `RouterStep`.
    EdgeLogsStep,
    /// A rollout plan of a routed route moved on: `plan` says which plan, step and share, and
    /// `plan.state` what happened (`started`, `step` (the step's share was taken and its hold
    /// begins), `paused`, `resumed`, `done`, `aborted`); `message` says it in words. The last one
    /// of a route tells a restarted console where its plan was.
    PlanStep,
    /// The stage rollback: an operator asked to point an API Gateway stage at another deployment
    /// (`stage` says which stage, from which deployment to which); written before it is sent.
    StageRequested,
    /// API Gateway accepted the stage move (`UpdateStage`); it serves the deployment within seconds.
    StageAccepted,
    /// The stage move was refused or could not be sent (`error` says why).
    StageFailed,
    /// cutover stopped waiting for `UpdateStage`'s answer (quit, a signal, the end of input, a
    /// frame that could not be drawn, a headless deadline): `error` says why and that the stage
    /// may serve either deployment.
    StageAbandoned,
    /// A kind written by a newer cutover.
    #[serde(other)]
    Unknown,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::SwitchRequested => "switch_requested",
            RecordKind::SwitchAccepted => "switch_accepted",
            RecordKind::SwitchDeployed => "switch_deployed",
            RecordKind::SwitchFailed => "switch_failed",
            RecordKind::SwitchAbandoned => "switch_abandoned",
            RecordKind::EdgeMoved => "edge_moved",
            RecordKind::TrafficMoved => "traffic_moved",
            RecordKind::ViewersHealthy => "viewers_healthy",
            RecordKind::GuardBreach => "guard_breach",
            RecordKind::AutoRollback => "auto_rollback",
            RecordKind::RouterStep => "router_step",
            RecordKind::EdgeLogsStep => "edge_logs_step",
            RecordKind::PlanStep => "plan_step",
            RecordKind::StageRequested => "stage_requested",
            RecordKind::StageAccepted => "stage_accepted",
            RecordKind::StageFailed => "stage_failed",
            RecordKind::StageAbandoned => "stage_abandoned",
            RecordKind::Unknown => "unknown",
        }
    }
}

/// How a switch attempt ended (so far).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Deployed,
    Failed,
    /// The console stopped waiting (quit, or the wait was cancelled) before the change deployed.
    Abandoned,
    /// An outcome written by a newer cutover.
    #[serde(other)]
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Deployed => "deployed",
            Outcome::Failed => "failed",
            Outcome::Abandoned => "abandoned",
            Outcome::Unknown => "unknown",
        }
    }
}

/// One audit record. See the module documentation for the JSON form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: Timestamp,
    pub kind: RecordKind,
    #[serde(rename = "mode")]
    pub environment: Environment,
    pub operator: String,
    #[serde(default)]
    pub caller_arn: Option<String>,
    pub distribution: String,
    #[serde(default)]
    pub routes: Vec<String>,
    #[serde(default)]
    pub from: Option<Target>,
    #[serde(default)]
    pub to: Option<Target>,
    #[serde(default)]
    pub etag_before: Option<String>,
    #[serde(default)]
    pub etag_after: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub error: Option<String>,
    /// When the switch this record belongs to was requested; see the module documentation.
    #[serde(default)]
    pub requested_at: Option<Timestamp>,
    /// The attempt this record belongs to; see the module documentation.
    #[serde(default)]
    pub attempt: Option<String>,
    #[serde(default)]
    pub request_to_accepted_ms: Option<u64>,
    #[serde(default)]
    pub accepted_to_deployed_ms: Option<u64>,
    #[serde(default)]
    pub edge_ms: Option<u64>,
    #[serde(default)]
    pub traffic_moved_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewers_healthy_ms: Option<u64>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub moves: Vec<Move>,
    #[serde(default)]
    pub shares: Vec<ShareMove>,
    #[serde(default)]
    pub plan: Option<PlanMark>,
    #[serde(default, rename = "override")]
    pub override_reason: Option<String>,
    #[serde(default)]
    pub stage: Option<StageMark>,
}

/// Which API Gateway stage a stage record moved, and between which deployments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageMark {
    /// `rest` or `http`.
    pub api: String,
    pub api_id: String,
    pub stage: String,
    pub from_deployment: String,
    pub to_deployment: String,
}

/// One route's move in a switch record, with the origin ids on both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub route: String,
    pub from_origin: String,
    pub to_origin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_policy_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_policy_after: Option<String>,
}

/// Where a rollout plan was, on a `plan_step` record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanMark {
    pub name: String,
    /// Its steps as the config writes them: `1% 10m, 5% 10m, 100%`.
    pub steps: String,
    /// The step, counted from 0.
    pub step: usize,
    /// The step's share for Lambda.
    pub share: u8,
    /// `started`, `step`, `paused`, `resumed`, `done` or `aborted`.
    pub state: String,
    /// On `paused`: how far into the step's hold, in seconds.
    #[serde(default)]
    pub held_secs: Option<u64>,
}

/// One routed route's share move in the router's store, as the trail records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareMove {
    pub route: String,
    pub from_pct: u8,
    pub to_pct: u8,
    /// What the route's record was when it was not a readable record with `from_pct`:
    /// `unreadable` (overwritten with share 0, the safe direction) or `missing` (the first record
    /// written). Absent for a plain share move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_was: Option<String>,
}

impl Move {
    pub fn of(change: &RouteChange) -> Self {
        let (before, after) = match &change.request_policy {
            Some((before, after)) => (Some(before.clone().unwrap_or_else(|| "none".into())), Some(after.clone())),
            None => (None, None),
        };
        Move {
            route: change.path.clone(),
            from_origin: change.from_origin_id.clone(),
            to_origin: change.to_origin_id.clone(),
            request_policy_before: before,
            request_policy_after: after,
        }
    }
}

impl AuditRecord {
    /// A record with the required fields; the `with_*` methods fill in the rest.
    pub fn new(
        time: Timestamp,
        kind: RecordKind,
        environment: Environment,
        operator: impl Into<String>,
        distribution: impl Into<String>,
    ) -> Self {
        AuditRecord {
            time,
            kind,
            environment,
            operator: operator.into(),
            caller_arn: None,
            distribution: distribution.into(),
            routes: Vec::new(),
            from: None,
            to: None,
            etag_before: None,
            etag_after: None,
            outcome: None,
            error: None,
            requested_at: None,
            attempt: None,
            request_to_accepted_ms: None,
            accepted_to_deployed_ms: None,
            edge_ms: None,
            traffic_moved_ms: None,
            viewers_healthy_ms: None,
            message: None,
            moves: Vec::new(),
            shares: Vec::new(),
            plan: None,
            override_reason: None,
            stage: None,
        }
    }

    pub fn with_caller_arn(mut self, arn: Option<impl Into<String>>) -> Self {
        self.caller_arn = arn.map(Into::into);
        self
    }

    pub fn with_routes<I, S>(mut self, routes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.routes = routes.into_iter().map(Into::into).collect();
        self
    }

    pub fn with_targets(mut self, from: Target, to: Target) -> Self {
        self.from = Some(from);
        self.to = Some(to);
        self
    }

    pub fn with_etags(mut self, before: Option<impl Into<String>>, after: Option<impl Into<String>>) -> Self {
        self.etag_before = before.map(Into::into);
        self.etag_after = after.map(Into::into);
        self
    }

    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = Some(outcome);
        self
    }

    pub fn with_error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// When the switch this record belongs to was requested.
    pub fn with_requested_at(mut self, at: Timestamp) -> Self {
        self.requested_at = Some(at);
        self
    }

    /// The attempt this record belongs to.
    pub fn with_attempt(mut self, attempt: impl Into<String>) -> Self {
        self.attempt = Some(attempt.into());
        self
    }

    /// The two durations of a switch; either may be unknown.
    pub fn with_durations(
        mut self,
        request_to_accepted: Option<Duration>,
        accepted_to_deployed: Option<Duration>,
    ) -> Self {
        self.request_to_accepted_ms = request_to_accepted.map(millis);
        self.accepted_to_deployed_ms = accepted_to_deployed.map(millis);
        self
    }

    /// Whether `route` is one of the record's routes.
    pub fn concerns_route(&self, route: &str) -> bool {
        self.routes.iter().any(|r| r == route)
    }
}

/// Whole milliseconds, saturating.
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> AuditRecord {
        AuditRecord::new(
            "2025-03-01T03:12:09Z".parse().unwrap(),
            RecordKind::SwitchDeployed,
            Environment::Live,
            "ana",
            "E2ABC",
        )
        .with_caller_arn(Some("arn:aws:sts::123456789012:assumed-role/oncall/ana"))
        .with_routes(["/api/orders/*"])
        .with_targets(Target::Lambda, Target::Origin)
        .with_etags(Some("E1"), Some("E2"))
        .with_outcome(Outcome::Deployed)
        .with_durations(Some(Duration::from_millis(820)), Some(Duration::from_secs(184)))
        .with_requested_at("2025-03-01T03:08:44.180Z".parse().unwrap())
        .with_attempt("mb1x9k2p4q-3f2a-7")
        .with_message("rolled back by ana")
    }

    #[test]
    fn serializes_one_flat_object_with_the_documented_field_names_in_order() {
        let json = serde_json::to_string(&full()).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"time":"2025-03-01T03:12:09Z","kind":"switch_deployed","mode":"live","operator":"ana","#,
                r#""caller_arn":"arn:aws:sts::123456789012:assumed-role/oncall/ana","distribution":"E2ABC","#,
                r#""routes":["/api/orders/*"],"from":"lambda","to":"origin","etag_before":"E1","etag_after":"E2","#,
                r#""outcome":"deployed","error":null,"requested_at":"2025-03-01T03:08:44.18Z","attempt":"mb1x9k2p4q-3f2a-7","#,
                r#""request_to_accepted_ms":820,"accepted_to_deployed_ms":184000,"edge_ms":null,"traffic_moved_ms":null,"#,
                r#""message":"rolled back by ana","moves":[],"shares":[],"plan":null,"override":null,"stage":null}"#
            )
        );
        assert!(!json.contains('\n'));
    }

    #[test]
    fn round_trips_through_json() {
        let record = full();
        let back: AuditRecord = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(back, record);

        let bare = AuditRecord::new(Timestamp::UNIX_EPOCH, RecordKind::GuardBreach, Environment::Demo, "bo", "SIM");
        let json = serde_json::to_string(&bare).unwrap();
        assert!(json.contains(r#""caller_arn":null"#) && json.contains(r#""routes":[]"#), "{json}");
        assert_eq!(serde_json::from_str::<AuditRecord>(&json).unwrap(), bare);
    }

    #[test]
    fn every_kind_and_outcome_has_its_snake_case_name() {
        for kind in [
            RecordKind::SwitchRequested,
            RecordKind::SwitchAccepted,
            RecordKind::SwitchDeployed,
            RecordKind::SwitchFailed,
            RecordKind::SwitchAbandoned,
            RecordKind::EdgeMoved,
            RecordKind::TrafficMoved,
            RecordKind::ViewersHealthy,
            RecordKind::GuardBreach,
            RecordKind::AutoRollback,
            RecordKind::RouterStep,
            RecordKind::EdgeLogsStep,
            RecordKind::PlanStep,
            RecordKind::StageRequested,
            RecordKind::StageAccepted,
            RecordKind::StageFailed,
            RecordKind::StageAbandoned,
            RecordKind::Unknown,
        ] {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
        }
        for outcome in [Outcome::Accepted, Outcome::Deployed, Outcome::Failed, Outcome::Abandoned, Outcome::Unknown] {
            assert_eq!(serde_json::to_string(&outcome).unwrap(), format!("\"{}\"", outcome.as_str()));
        }
        for environment in [Environment::Live, Environment::Demo] {
            assert_eq!(serde_json::to_string(&environment).unwrap(), format!("\"{}\"", environment.as_str()));
        }
    }

    #[test]
    fn reads_minimal_lines_and_values_from_a_newer_version() {
        let line = r#"{"time":"2025-03-01T03:12:09.5+01:00","kind":"switch_teleported","mode":"demo","operator":"x","distribution":"D","outcome":"vaporised","extra":1}"#;
        let record: AuditRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.kind, RecordKind::Unknown);
        assert_eq!(record.outcome, Some(Outcome::Unknown));
        assert_eq!(record.time, "2025-03-01T02:12:09.5Z".parse::<Timestamp>().unwrap());
        assert!(record.routes.is_empty() && record.from.is_none());
    }

    #[test]
    fn reads_a_line_an_older_cutover_wrote_without_the_switch_timings() {
        let line = concat!(
            r#"{"time":"2025-03-01T03:12:09Z","kind":"switch_deployed","mode":"live","operator":"ana","#,
            r#""caller_arn":null,"distribution":"E2ABC","routes":["/a"],"from":"lambda","to":"origin","#,
            r#""etag_before":"E1","etag_after":"E2","outcome":"deployed","error":null,"#,
            r#""request_to_accepted_ms":820,"accepted_to_deployed_ms":184000,"message":null,"moves":[],"override":null}"#
        );
        let record: AuditRecord = serde_json::from_str(line).unwrap();
        assert_eq!((record.requested_at, record.edge_ms, record.traffic_moved_ms), (None, None, None));
        assert_eq!(record.accepted_to_deployed_ms, Some(184_000));
    }

    #[test]
    fn the_new_kinds_carry_their_durations() {
        let line = concat!(
            r#"{"time":"2025-03-01T03:14:00Z","kind":"traffic_moved","mode":"demo","operator":"ana","#,
            r#""distribution":"D","routes":["/a"],"requested_at":"2025-03-01T03:12:20Z","traffic_moved_ms":100000}"#
        );
        let record: AuditRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.kind, RecordKind::TrafficMoved);
        assert_eq!(record.requested_at, Some("2025-03-01T03:12:20Z".parse().unwrap()));
        assert_eq!((record.traffic_moved_ms, record.edge_ms), (Some(100_000), None));
        let edge = line.replace(r#""traffic_moved""#, r#""edge_moved""#).replace("traffic_moved_ms", "edge_ms");
        let edge: AuditRecord = serde_json::from_str(&edge).unwrap();
        assert_eq!((edge.kind, edge.edge_ms), (RecordKind::EdgeMoved, Some(100_000)));
    }

    #[test]
    fn concerns_route_matches_exact_paths() {
        let record = full();
        assert!(record.concerns_route("/api/orders/*"));
        assert!(!record.concerns_route("/api/orders"));
    }
}
