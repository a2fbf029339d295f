//! Time to mitigate, measured: each switch's stages read back from the audit trail, and per stage
//! the count, median, 90th percentile and maximum (`cutover log --stats`).
//!
//! A switch's records share its distribution and `attempt` (see [`super::record`]): those two name
//! it, so attempts requested at the same instant (a behavior rollback and a share move of one `R`)
//! stay apart. Records an older cutover wrote without `attempt` are named by distribution and
//! `requested_at`, as that cutover meant them. Older still, records have no `requested_at`; such a `switch_requested`
//! (or `auto_rollback`) record opens a switch of its distribution and routes, and the
//! `switch_accepted`, `switch_deployed`, `switch_failed` and `switch_abandoned` records that follow
//! with the same distribution and routes belong to it. An answer with no request before it (the
//! trail was cut) is a switch of its own whose request time is unknown.
//!
//! Records may come out of order (two consoles appending, clocks apart): an `accepted` read after
//! the switch's `deployed`, `failed` or `abandoned` does not take its place as the outcome.
//!
//! Every stage is measured from the request, and is absent when the trail does not hold it:
//!
//! | stage                    | from                                                                             |
//! |--------------------------|----------------------------------------------------------------------------------|
//! | `request_to_accepted_ms` | the switch's records: CloudFront took the `UpdateDistribution`                   |
//! | `edge_ms`                | its `edge_moved` record: a probe through the distribution was served by the new side |
//! | `traffic_moved_ms`       | its `traffic_moved` record: the CloudWatch minute where the new side carried the threshold share |
//! | `viewers_healthy_ms`     | its `viewers_healthy` record: the first second from which the edge logs showed the route's 5xx rate under its threshold for a whole window |
//! | `request_to_deployed_ms` | `request_to_accepted_ms` + `accepted_to_deployed_ms`: CloudFront says every edge has it |
//!
//! Percentiles are nearest-rank ([`nearest_rank`]): the p-th percentile of n values is the
//! ⌈p·n/100⌉-th smallest, always one of the values; the median is the 50th by the same rule, so with
//! an even count it is the lower of the two middle values, never their average.
//!
//! `cutover log --stats --json` prints one [`Stats`] object:
//!
//! | field                          | type            | meaning                                                   |
//! |--------------------------------|-----------------|-----------------------------------------------------------|
//! | `schema_version`               | integer         | `1`; bumped only when a field changes meaning or goes away |
//! | `switches[]`                   | array           | one per switch, in the order the trail first mentions them |
//! | `.distribution`                | string          | the CloudFront distribution id                            |
//! | `.mode`                        | string          | `live` or `demo`                                          |
//! | `.routes`                      | array of strings| the path patterns it moved                                |
//! | `.from`, `.to`                 | string or null  | `lambda` or `origin`                                      |
//! | `.requested_at`                | string or null  | when it was requested, RFC 3339; `null` when the trail lost the request |
//! | `.via`                         | string          | `behavior` (an `UpdateDistribution`; minutes), `router` (the router's store; seconds, and no `Deployed`) or `stage` (an API Gateway stage moved to another deployment) |
//! | `.outcome`                     | string          | `deployed`, `failed`, `abandoned`, `accepted` (not seen deployed), `requested` (no answer recorded) or `unknown` |
//! | `.request_to_accepted_ms`, `.edge_ms`, `.traffic_moved_ms`, `.viewers_healthy_ms`, `.request_to_deployed_ms` | integer or null | the stages above |
//! | `stages`                       | object          | `request_to_accepted`, `edge`, `traffic_moved`, `viewers_healthy`, `request_to_deployed` |
//! | `stages.*.count`               | integer         | switches that recorded the stage                          |
//! | `stages.*.median_ms`, `.p90_ms`, `.max_ms` | integer or null | over those switches; `null` when there are none |
//! | `stages_by_behavior`, `stages_by_router`, `stages_by_stage` | object | the same, over the switches of that `via` only |

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use super::record::{AuditRecord, Environment, Outcome, RecordKind};
use crate::domain::Target;

/// Bumped only when a field changes meaning or goes away; new fields may appear in any version.
pub const SCHEMA_VERSION: u32 = 1;
/// A switch by `UpdateDistribution`.
pub const VIA_BEHAVIOR: &str = "behavior";
/// A share move through the router's store.
pub const VIA_ROUTER: &str = "router";
/// An API Gateway stage moved to another deployment (the stage rollback).
pub const VIA_STAGE: &str = "stage";

/// The `via` of a switch's record.
fn via_of(record: &AuditRecord) -> Option<&'static str> {
    if record.stage.is_some() {
        Some(VIA_STAGE)
    } else if !record.shares.is_empty() {
        Some(VIA_ROUTER)
    } else {
        None
    }
}

/// Every switch found, and its spans summed up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub schema_version: u32,
    pub switches: Vec<SwitchStats>,
    // The schema's names stay `stages…` (published with `schema_version` 1); in the code a
    // stage is only ever an API Gateway stage, and a part of time to mitigate is a span.
    #[serde(rename = "stages")]
    pub spans: Spans,
    #[serde(rename = "stages_by_behavior")]
    pub spans_by_behavior: Spans,
    #[serde(rename = "stages_by_router")]
    pub spans_by_router: Spans,
    #[serde(rename = "stages_by_stage")]
    pub spans_by_stage: Spans,
}

/// One switch: what moved, how it ended, and how long each stage took from the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SwitchStats {
    pub distribution: String,
    pub mode: Environment,
    pub routes: Vec<String>,
    pub from: Option<Target>,
    pub to: Option<Target>,
    pub requested_at: Option<Timestamp>,
    /// `behavior` or `router`: how it moved.
    pub via: &'static str,
    pub outcome: &'static str,
    pub request_to_accepted_ms: Option<u64>,
    pub edge_ms: Option<u64>,
    pub traffic_moved_ms: Option<u64>,
    pub viewers_healthy_ms: Option<u64>,
    pub request_to_deployed_ms: Option<u64>,
    /// Who asked for it (`operator@host`), when read from the team's journal
    /// ([`Switches::add_by`]); absent from a local trail's stats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// Each span of time to mitigate over every switch that recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Spans {
    pub request_to_accepted: Span,
    pub edge: Span,
    pub traffic_moved: Span,
    pub viewers_healthy: Span,
    pub request_to_deployed: Span,
}

/// One span's count, median, 90th percentile and maximum (nearest-rank), in milliseconds: the time
/// from the request to one milestone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Span {
    pub count: usize,
    pub median_ms: Option<u64>,
    pub p90_ms: Option<u64>,
    pub max_ms: Option<u64>,
}

impl Span {
    /// The span over `values`, in any order.
    pub fn of(mut values: Vec<u64>) -> Self {
        values.sort_unstable();
        Span {
            count: values.len(),
            median_ms: nearest_rank(&values, 50),
            p90_ms: nearest_rank(&values, 90),
            max_ms: values.last().copied(),
        }
    }
}

/// The `p`-th percentile (1 to 100) of `sorted`, ascending, by nearest rank: the ⌈p·n/100⌉-th
/// smallest of the n values, so always one of them; `None` when there are none.
pub fn nearest_rank(sorted: &[u64], p: u32) -> Option<u64> {
    debug_assert!((1..=100).contains(&p), "a percentile from 1 to 100: {p}");
    debug_assert!(sorted.is_sorted(), "the values are sorted");
    let n = sorted.len();
    let rank = (usize::try_from(p).unwrap_or(100) * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// Which part of a switch a record is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Request,
    Answer,
    Milestone,
}

impl Part {
    fn of(kind: RecordKind) -> Option<Part> {
        match kind {
            RecordKind::SwitchRequested | RecordKind::AutoRollback | RecordKind::StageRequested => Some(Part::Request),
            RecordKind::SwitchAccepted
            | RecordKind::SwitchDeployed
            | RecordKind::SwitchFailed
            | RecordKind::SwitchAbandoned
            | RecordKind::StageAccepted
            | RecordKind::StageFailed
            | RecordKind::StageAbandoned => Some(Part::Answer),
            RecordKind::EdgeMoved | RecordKind::TrafficMoved | RecordKind::ViewersHealthy => Some(Part::Milestone),
            RecordKind::GuardBreach
            | RecordKind::RouterStep
            | RecordKind::EdgeLogsStep
            | RecordKind::PlanStep
            | RecordKind::Unknown => None,
        }
    }
}

/// A switch while its records are read.
struct Building {
    stats: SwitchStats,
    /// The time of its first record: its place for `--since` when the request is unknown.
    first_seen: Timestamp,
    outcome: Option<Outcome>,
    accepted_to_deployed_ms: Option<u64>,
}

impl Building {
    fn new(record: &AuditRecord, requested_at: Option<Timestamp>) -> Self {
        Building {
            stats: SwitchStats {
                distribution: record.distribution.clone(),
                mode: record.environment,
                routes: record.routes.clone(),
                from: record.from,
                to: record.to,
                requested_at,
                via: via_of(record).unwrap_or(VIA_BEHAVIOR),
                outcome: "requested",
                request_to_accepted_ms: None,
                edge_ms: None,
                traffic_moved_ms: None,
                viewers_healthy_ms: None,
                request_to_deployed_ms: None,
                by: None,
            },
            first_seen: record.time,
            outcome: None,
            accepted_to_deployed_ms: None,
        }
    }

    fn absorb(&mut self, record: &AuditRecord, step: Part) {
        let stats = &mut self.stats;
        stats.from = stats.from.or(record.from);
        stats.to = stats.to.or(record.to);
        if let Some(via) = via_of(record) {
            stats.via = via;
        }
        stats.request_to_accepted_ms = stats.request_to_accepted_ms.or(record.request_to_accepted_ms);
        if step == Part::Answer {
            let outcome = record.outcome.or(match record.kind {
                RecordKind::SwitchAccepted => Some(Outcome::Accepted),
                RecordKind::SwitchDeployed => Some(Outcome::Deployed),
                RecordKind::SwitchFailed | RecordKind::StageFailed => Some(Outcome::Failed),
                RecordKind::SwitchAbandoned | RecordKind::StageAbandoned => Some(Outcome::Abandoned),
                RecordKind::StageAccepted => Some(Outcome::Accepted),
                _ => None,
            });
            // An answer read late (out of order) never takes back a final one.
            let ended = self.outcome.is_some_and(is_final);
            if let Some(outcome) = outcome
                && (is_final(outcome) || !ended)
            {
                self.outcome = Some(outcome);
            }
        }
        if record.kind == RecordKind::SwitchDeployed {
            self.accepted_to_deployed_ms = self.accepted_to_deployed_ms.or(record.accepted_to_deployed_ms);
        }
        // Should a milestone be recorded twice, the first moment it was seen counts.
        let earliest = |kept: Option<u64>, new: Option<u64>| match (kept, new) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match record.kind {
            RecordKind::EdgeMoved => stats.edge_ms = earliest(stats.edge_ms, record.edge_ms),
            RecordKind::TrafficMoved => {
                stats.traffic_moved_ms = earliest(stats.traffic_moved_ms, record.traffic_moved_ms)
            }
            RecordKind::ViewersHealthy => {
                stats.viewers_healthy_ms = earliest(stats.viewers_healthy_ms, record.viewers_healthy_ms)
            }
            _ => {}
        }
    }

    fn finish(mut self) -> SwitchStats {
        self.stats.outcome = self.outcome.map_or("requested", Outcome::as_str);
        self.stats.request_to_deployed_ms = match (self.stats.request_to_accepted_ms, self.accepted_to_deployed_ms) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            _ => None,
        };
        self.stats
    }
}

/// How an attempt ended for good: after it, only another attempt moves its routes.
fn is_final(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Deployed | Outcome::Failed | Outcome::Abandoned)
}

/// The switches of a trail, gathered a record at a time in file order; [`Switches::finish`] sums
/// them up.
#[derive(Default)]
pub struct Switches {
    switches: Vec<Building>,
    /// Switches named by distribution and `attempt`.
    attempts: HashMap<(String, String), usize>,
    /// Switches of records without `attempt`, named by distribution and `requested_at`.
    named: HashMap<(String, Timestamp), usize>,
    /// The latest switch of each distribution and routes among records without `requested_at`.
    unnamed: HashMap<(String, Vec<String>), usize>,
}

impl Switches {
    /// Take in the next record of the trail; records that are no step of a switch are left out.
    pub fn add(&mut self, record: &AuditRecord) {
        self.take(record);
    }

    /// Take in the next record of the team's journal, sent by `by` (`operator@host`): a switch is
    /// the operator's whose record of it came first. Attempt ids name their run, so the records
    /// of every operator can be taken in together.
    pub fn add_by(&mut self, record: &AuditRecord, by: &str) {
        if let Some(index) = self.take(record) {
            let stats = &mut self.switches[index].stats;
            stats.by.get_or_insert_with(|| by.to_string());
        }
    }

    /// [`Switches::add`], saying which switch took the record.
    fn take(&mut self, record: &AuditRecord) -> Option<usize> {
        let step = Part::of(record.kind)?;
        let index = match (&record.attempt, record.requested_at) {
            (Some(attempt), _) => {
                let key = (record.distribution.clone(), attempt.clone());
                match self.attempts.get(&key) {
                    Some(&index) => index,
                    None => {
                        // The request time every record of the attempt carries, else the request's own.
                        let at = record.requested_at.or((step == Part::Request).then_some(record.time));
                        let index = self.open(record, at);
                        self.attempts.insert(key, index);
                        index
                    }
                }
            }
            (None, Some(at)) => {
                let key = (record.distribution.clone(), at);
                match self.named.get(&key) {
                    Some(&index) => index,
                    None => {
                        let index = self.open(record, Some(at));
                        self.named.insert(key, index);
                        index
                    }
                }
            }
            (None, None) => {
                let key = (record.distribution.clone(), record.routes.clone());
                match self.unnamed.get(&key) {
                    Some(&index) if step != Part::Request => index,
                    _ => {
                        // A request was written when it was made: its time is the request's.
                        let at = (step == Part::Request).then_some(record.time);
                        let index = self.open(record, at);
                        self.unnamed.insert(key, index);
                        index
                    }
                }
            }
        };
        self.switches[index].absorb(record, step);
        Some(index)
    }

    fn open(&mut self, record: &AuditRecord, requested_at: Option<Timestamp>) -> usize {
        self.switches.push(Building::new(record, requested_at));
        self.switches.len() - 1
    }

    /// Every switch requested at or after `since` (a switch whose request is unknown: first seen
    /// then), in the order the trail first mentions them, and its stages summed up.
    pub fn finish(self, since: Option<Timestamp>) -> Stats {
        let switches: Vec<SwitchStats> = self
            .switches
            .into_iter()
            .filter(|b| since.is_none_or(|since| b.stats.requested_at.unwrap_or(b.first_seen) >= since))
            .map(Building::finish)
            .collect();
        let spans = Spans::over(switches.iter());
        let spans_by_behavior = Spans::over(switches.iter().filter(|s| s.via == VIA_BEHAVIOR));
        let spans_by_router = Spans::over(switches.iter().filter(|s| s.via == VIA_ROUTER));
        let spans_by_stage = Spans::over(switches.iter().filter(|s| s.via == VIA_STAGE));
        Stats { schema_version: SCHEMA_VERSION, switches, spans, spans_by_behavior, spans_by_router, spans_by_stage }
    }
}

impl Spans {
    fn over<'a>(switches: impl Iterator<Item = &'a SwitchStats> + Clone) -> Self {
        let stage = |ms: fn(&SwitchStats) -> Option<u64>| Span::of(switches.clone().filter_map(ms).collect());
        Spans {
            request_to_accepted: stage(|s| s.request_to_accepted_ms),
            edge: stage(|s| s.edge_ms),
            traffic_moved: stage(|s| s.traffic_moved_ms),
            viewers_healthy: stage(|s| s.viewers_healthy_ms),
            request_to_deployed: stage(|s| s.request_to_deployed_ms),
        }
    }
}

/// The switches in `records`, in file order, requested at or after `since`.
pub fn stats<'a>(records: impl IntoIterator<Item = &'a AuditRecord>, since: Option<Timestamp>) -> Stats {
    let mut switches = Switches::default();
    records.into_iter().for_each(|r| switches.add(r));
    switches.finish(since)
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    #[test]
    fn nearest_rank_is_always_one_of_the_values() {
        let values = [15, 20, 35, 40, 50];
        let at = |p| nearest_rank(&values, p);
        assert_eq!([at(5), at(30), at(40), at(50), at(90), at(100)], [15, 20, 20, 35, 50, 50].map(Some));
        let ten: Vec<u64> = (1..=10).collect();
        assert_eq!((nearest_rank(&ten, 50), nearest_rank(&ten, 90)), (Some(5), Some(9)));
        // An even count's median is the lower middle value, never an average.
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 51), Some(3));
    }

    #[test]
    fn no_values_have_no_percentile_and_one_value_is_every_percentile() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(Span::of(vec![]), Span { count: 0, median_ms: None, p90_ms: None, max_ms: None });
        assert_eq!([1, 50, 90, 100].map(|p| nearest_rank(&[820], p)), [Some(820); 4]);
        assert_eq!(Span::of(vec![820]), Span { count: 1, median_ms: Some(820), p90_ms: Some(820), max_ms: Some(820) });
    }

    #[test]
    fn a_stage_sorts_its_values_first() {
        let stage = Span::of(vec![9_000, 1_000, 4_000, 2_000, 3_000, 10_000, 5_000, 8_000, 7_000, 6_000, 11_000]);
        // 11 values: the median is the 6th (⌈5.5⌉), the 90th percentile the 10th (⌈9.9⌉).
        assert_eq!(stage, Span { count: 11, median_ms: Some(6_000), p90_ms: Some(10_000), max_ms: Some(11_000) });
    }

    fn t(secs: i64) -> Timestamp {
        "2026-01-15T22:40:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_secs(secs)
    }

    /// A record of distribution `E1`, moving `routes` from Lambda to the origin, at `t(secs)`.
    fn rec(secs: i64, kind: RecordKind, routes: &[&str]) -> AuditRecord {
        AuditRecord::new(t(secs), kind, Environment::Live, "ana", "E1")
            .with_routes(routes.iter().copied())
            .with_targets(Target::Lambda, Target::Origin)
    }

    /// A record of the switch requested at `t(requested)`.
    fn of(requested: i64, secs: i64, kind: RecordKind) -> AuditRecord {
        rec(secs, kind, &["/a"]).with_requested_at(t(requested))
    }

    fn ms(record: AuditRecord, accepted: Option<u64>, deployed: Option<u64>) -> AuditRecord {
        AuditRecord { request_to_accepted_ms: accepted, accepted_to_deployed_ms: deployed, ..record }
    }

    fn milestone(record: AuditRecord, edge: Option<u64>, traffic: Option<u64>) -> AuditRecord {
        AuditRecord { edge_ms: edge, traffic_moved_ms: traffic, ..record }
    }

    #[test]
    fn records_that_share_distribution_and_request_time_are_one_switch_even_interleaved() {
        use RecordKind::*;
        let trail = [
            of(0, 0, SwitchRequested),
            of(5, 5, SwitchRequested),
            ms(of(0, 1, SwitchAccepted), Some(1_200), None),
            milestone(of(0, 70, EdgeMoved), Some(70_000), None),
            ms(of(5, 6, SwitchFailed), None, None),
            rec(80, GuardBreach, &["/a"]),
            milestone(of(0, 100, TrafficMoved), None, Some(100_000)),
            ms(of(0, 190, SwitchDeployed), Some(1_200), Some(188_800)),
            // Seen again later (another console watching): the first moment counts.
            milestone(of(0, 200, TrafficMoved), None, Some(200_000)),
        ];
        let stats = stats(&trail, None);
        let summary: Vec<_> = stats
            .switches
            .iter()
            .map(|s| {
                let stages = [s.request_to_accepted_ms, s.edge_ms, s.traffic_moved_ms, s.request_to_deployed_ms];
                (s.requested_at, s.outcome, stages)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Some(t(0)), "deployed", [Some(1_200), Some(70_000), Some(100_000), Some(190_000)]),
                (Some(t(5)), "failed", [None, None, None, None]),
            ]
        );
        assert_eq!(stats.spans.request_to_accepted.count, 1);
        assert_eq!(stats.spans.edge.max_ms, Some(70_000));
    }

    #[test]
    fn the_same_request_time_on_another_distribution_is_another_switch() {
        let other = AuditRecord { distribution: "E2".into(), ..of(0, 0, RecordKind::SwitchRequested) };
        let stats = stats(&[of(0, 0, RecordKind::SwitchRequested), other], None);
        assert_eq!(stats.switches.iter().map(|s| s.distribution.as_str()).collect::<Vec<_>>(), ["E1", "E2"]);
    }

    #[test]
    fn records_without_requested_at_follow_the_request_of_their_distribution_and_routes() {
        use RecordKind::*;
        let trail = [
            rec(0, SwitchRequested, &["/a"]),
            rec(1, SwitchRequested, &["/a", "/b"]),
            ms(rec(2, SwitchAccepted, &["/a"]).with_outcome(Outcome::Accepted), Some(2_000), None),
            ms(rec(3, SwitchAccepted, &["/a", "/b"]), Some(2_000), None),
            ms(rec(95, SwitchDeployed, &["/a"]).with_outcome(Outcome::Deployed), Some(2_000), Some(93_000)),
            // The next switch of /a starts a switch of its own.
            rec(300, AutoRollback, &["/a"]),
            ms(rec(301, SwitchAbandoned, &["/a"]).with_outcome(Outcome::Abandoned), Some(800), None),
            // An answer whose request the trail no longer holds.
            ms(rec(400, SwitchDeployed, &["/c"]), Some(900), Some(60_000)),
        ];
        let stats = stats(&trail, None);
        let summary: Vec<_> = stats
            .switches
            .iter()
            .map(|s| {
                (s.routes.join(","), s.requested_at, s.outcome, s.request_to_accepted_ms, s.request_to_deployed_ms)
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("/a".into(), Some(t(0)), "deployed", Some(2_000), Some(95_000)),
                ("/a,/b".into(), Some(t(1)), "accepted", Some(2_000), None),
                ("/a".into(), Some(t(300)), "abandoned", Some(800), None),
                ("/c".into(), None, "deployed", Some(900), Some(60_900)),
            ]
        );
        let deployed = stats.spans.request_to_deployed;
        assert_eq!((deployed.count, deployed.median_ms, deployed.max_ms), (2, Some(60_900), Some(95_000)));
    }

    #[test]
    fn old_and_new_records_of_the_same_routes_do_not_mix() {
        use RecordKind::*;
        let trail = [
            rec(0, SwitchRequested, &["/a"]),
            of(10, 10, SwitchRequested),
            ms(of(10, 11, SwitchAccepted), Some(1_000), None),
            ms(rec(12, SwitchAccepted, &["/a"]), Some(12_000), None),
        ];
        let stats = stats(&trail, None);
        let accepted: Vec<_> = stats.switches.iter().map(|s| (s.requested_at, s.request_to_accepted_ms)).collect();
        assert_eq!(accepted, [(Some(t(0)), Some(12_000)), (Some(t(10)), Some(1_000))]);
    }

    #[test]
    fn since_keeps_whole_switches_requested_from_then_on() {
        use RecordKind::*;
        let trail = [
            of(0, 0, SwitchRequested),
            ms(of(0, 130, SwitchDeployed), Some(1_000), Some(129_000)),
            of(100, 100, SwitchRequested),
            ms(of(100, 101, SwitchAccepted), Some(1_000), None),
            // An older record whose request the trail no longer holds: placed at its own time.
            ms(rec(230, SwitchDeployed, &["/z"]), Some(500), Some(29_500)),
        ];
        let stats = stats(&trail, Some(t(100)));
        let kept: Vec<_> = stats.switches.iter().map(|s| (s.requested_at, s.outcome)).collect();
        assert_eq!(kept, [(Some(t(100)), "accepted"), (None, "deployed")]);
        assert_eq!(stats.spans.request_to_deployed.median_ms, Some(30_000));
    }

    #[test]
    fn share_moves_are_via_the_router_and_summed_apart() {
        use RecordKind::*;
        let shares = |record: AuditRecord| AuditRecord {
            shares: vec![crate::audit::ShareMove { route: "/a".into(), from_pct: 100, to_pct: 0, record_was: None }],
            ..record
        };
        let trail = [
            of(0, 0, SwitchRequested),
            ms(of(0, 1, SwitchAccepted), Some(1_000), None),
            ms(of(0, 150, SwitchDeployed), Some(1_000), Some(149_000)),
            shares(of(200, 200, SwitchRequested)),
            ms(shares(of(200, 200, SwitchAccepted)), Some(600), None),
            // A milestone carries no shares: it joins the switch its request time names.
            milestone(of(200, 210, EdgeMoved), Some(9_000), None),
        ];
        let stats = stats(&trail, None);
        let via: Vec<_> = stats.switches.iter().map(|s| (s.via, s.outcome)).collect();
        assert_eq!(via, [(VIA_BEHAVIOR, "deployed"), (VIA_ROUTER, "accepted")]);
        assert_eq!(stats.spans_by_router.edge.median_ms, Some(9_000));
        assert_eq!(stats.spans_by_router.request_to_accepted.median_ms, Some(600));
        assert_eq!(stats.spans_by_behavior.request_to_deployed.median_ms, Some(150_000));
        assert_eq!(stats.spans_by_router.request_to_deployed.count, 0, "a store has no Deployed");
        assert_eq!(stats.spans.request_to_accepted.count, 2, "both in the overall stages");
    }

    #[test]
    fn a_stage_rollback_is_a_switch_via_the_stage() {
        use RecordKind::*;
        let stage = |record: AuditRecord| AuditRecord {
            stage: Some(crate::audit::StageMark {
                api: "rest".into(),
                api_id: "a1".into(),
                stage: "prod".into(),
                from_deployment: "d2".into(),
                to_deployment: "d0".into(),
            }),
            ..record
        };
        let trail = [stage(of(0, 0, StageRequested)), ms(stage(of(0, 1, StageAccepted)), Some(700), None)];
        let stats = stats(&trail, None);
        let got: Vec<_> = stats.switches.iter().map(|s| (s.via, s.outcome, s.request_to_accepted_ms)).collect();
        assert_eq!(got, [(VIA_STAGE, "accepted", Some(700))]);
        assert_eq!(stats.spans_by_stage.request_to_accepted.count, 1);
        assert_eq!(stats.spans_by_behavior.request_to_accepted.count, 0);
    }

    /// A record of attempt `id` (requested at `t(0)`) on `routes`.
    fn attempt(id: &str, secs: i64, kind: RecordKind, routes: &[&str]) -> AuditRecord {
        rec(secs, kind, routes).with_requested_at(t(0)).with_attempt(id)
    }

    #[test]
    fn attempts_requested_at_the_same_instant_stay_apart() {
        use RecordKind::*;
        let shares = |record: AuditRecord| AuditRecord {
            shares: vec![crate::audit::ShareMove { route: "/s/*".into(), from_pct: 20, to_pct: 0, record_was: None }],
            ..record
        };
        let four = ["/a/*", "/b/*", "/c/*", "/d/*"];
        // One `R`: a behavior rollback of four routes and a share move, the same request time.
        let trail = [
            attempt("run-1", 0, SwitchRequested, &four),
            shares(attempt("run-2", 0, SwitchRequested, &["/s/*"])),
            ms(shares(attempt("run-2", 1, SwitchAccepted, &["/s/*"])), Some(400), None),
            ms(attempt("run-1", 2, SwitchAccepted, &four), Some(1_500), None),
            ms(attempt("run-1", 200, SwitchDeployed, &four), Some(1_500), Some(198_000)),
            // A failed /x/* and a deployed /y/* asked at the same instant.
            ms(attempt("run-3", 300, SwitchFailed, &["/x/*"]), None, None),
            ms(attempt("run-4", 400, SwitchDeployed, &["/y/*"]), Some(900), Some(99_000)),
        ];
        let stats = stats(&trail, None);
        let got: Vec<_> = stats.switches.iter().map(|s| (s.routes.join(","), s.via, s.outcome)).collect();
        assert_eq!(
            got,
            [
                ("/a/*,/b/*,/c/*,/d/*".to_string(), VIA_BEHAVIOR, "deployed"),
                ("/s/*".to_string(), VIA_ROUTER, "accepted"),
                ("/x/*".to_string(), VIA_BEHAVIOR, "failed"),
                ("/y/*".to_string(), VIA_BEHAVIOR, "deployed"),
            ]
        );
        assert!(stats.switches.iter().all(|s| s.requested_at == Some(t(0))));
        assert_eq!(stats.spans_by_router.request_to_accepted.median_ms, Some(400));
        assert_eq!(stats.spans_by_behavior.request_to_deployed.max_ms, Some(199_500));
        // The same attempt id on another distribution is another switch.
        let other = AuditRecord { distribution: "E2".into(), ..attempt("run-1", 0, SwitchRequested, &["/a/*"]) };
        assert_eq!(super::stats(&[attempt("run-1", 0, SwitchRequested, &["/a/*"]), other], None).switches.len(), 2);
    }

    #[test]
    fn records_of_older_trails_without_attempt_ids_keep_todays_grouping() {
        use RecordKind::*;
        // Written before attempt ids: named by distribution and request time, so two attempts of
        // one instant are one switch, as that cutover meant them.
        let trail = [
            of(0, 0, SwitchRequested),
            ms(of(0, 1, SwitchAccepted), Some(1_000), None),
            ms(of(0, 90, SwitchDeployed), Some(1_000), Some(89_000)),
            rec(100, SwitchRequested, &["/old"]),
            ms(rec(101, SwitchFailed, &["/old"]), None, None),
            // A newer console's records beside them, at the same request time: their own switch.
            attempt("run-9", 0, SwitchRequested, &["/a"]),
            ms(attempt("run-9", 2, SwitchFailed, &["/a"]), None, None),
        ];
        let stats = stats(&trail, None);
        let got: Vec<_> = stats.switches.iter().map(|s| (s.routes.join(","), s.requested_at, s.outcome)).collect();
        assert_eq!(
            got,
            [
                ("/a".to_string(), Some(t(0)), "deployed"),
                ("/old".to_string(), Some(t(100)), "failed"),
                ("/a".to_string(), Some(t(0)), "failed"),
            ]
        );
    }

    #[test]
    fn an_accepted_read_after_the_end_does_not_replace_it() {
        use RecordKind::*;
        let trail = [
            attempt("run-1", 0, SwitchRequested, &["/a"]),
            ms(
                attempt("run-1", 200, SwitchDeployed, &["/a"]).with_outcome(Outcome::Deployed),
                Some(1_000),
                Some(199_000),
            ),
            ms(attempt("run-1", 2, SwitchAccepted, &["/a"]).with_outcome(Outcome::Accepted), Some(1_000), None),
            attempt("run-2", 0, SwitchRequested, &["/b"]),
            ms(attempt("run-2", 5, SwitchFailed, &["/b"]), None, None),
            ms(attempt("run-2", 2, SwitchAccepted, &["/b"]), Some(700), None),
            // Older trails too.
            of(0, 0, SwitchRequested),
            ms(of(0, 90, SwitchDeployed), Some(1_000), Some(89_000)),
            ms(of(0, 1, SwitchAccepted), Some(1_000), None),
        ];
        let stats = stats(&trail, None);
        let got: Vec<_> = stats.switches.iter().map(|s| (s.outcome, s.request_to_deployed_ms)).collect();
        assert_eq!(got, [("deployed", Some(200_000)), ("failed", None), ("deployed", Some(90_000))]);
    }

    #[test]
    fn breaches_and_unknown_kinds_are_no_switch() {
        let trail = [rec(0, RecordKind::GuardBreach, &["/a"]), rec(1, RecordKind::Unknown, &["/a"])];
        assert_eq!(
            stats(&trail, None),
            Stats {
                schema_version: 1,
                switches: vec![],
                spans: Spans::default(),
                spans_by_behavior: Spans::default(),
                spans_by_router: Spans::default(),
                spans_by_stage: Spans::default(),
            }
        );
    }
}
