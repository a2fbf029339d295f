//! `cutover probe ROUTE [--count N] [--json]`: the route's configured probe, sent N times through
//! the distribution at the config's pace, one line per answer and a summary, or one JSON document.
//!
//! It works from the config alone when the probe names its `host` (and, for tests, its
//! `base_url`); otherwise it reads the distribution's alias or `*.cloudfront.net` name with one
//! `GetDistribution`. The probes themselves never carry AWS credentials. Text heard from the network
//! (POP, X-Cache, errors) is escaped before it reaches a terminal, field by field.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::HeadlessError;
use super::ProbeArgs;
use crate::backend::aws::{AwsClients, CloudFrontControlPlane, ConnectOptions, DistributionSpec};
use crate::backend::probe::{HttpProber, Prober};
use crate::backend::sim::{SimProber, catalog, demo_probe_spec};
use crate::cli::AwsArgs;
use crate::clock::Clock;
use crate::commands::demo_world::DemoWorld;
use crate::commands::live::{self, LiveError};
use crate::config::Config;
use crate::domain::Target;
use crate::domain::format::time_of_day;
use crate::domain::probe::{EdgeSummary, ProbeAnswer, ProbeSettings, ProbeSpec};
use crate::domain::visible;
use crate::output;

/// Bumped only when a field changes meaning or goes away; new fields may appear in any version.
pub const PROBE_SCHEMA_VERSION: u32 = 1;

/// Exit code when the answers were mixed, unexpected, or said nothing about the backend.
pub const EXIT_MIXED: u8 = 3;

/// `cutover probe`: 0 one side answered every probe as expected, 3 mixed or unexpected, 1 nothing
/// answered, 2 no probe configured.
pub async fn probe(args: &ProbeArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    if aws.demo {
        return probe_demo(args, aws).await;
    }
    let config = live::load_config(aws)?;
    let distribution_id = probed_distribution(&config, aws.distribution.as_deref(), &args.route)?;
    let spec = match config.probe_spec(&distribution_id, &args.route, None) {
        Ok(Some(spec)) => spec,
        // No host in the probe: the distribution's own, read from CloudFront.
        Ok(None) | Err(_) => {
            let host = viewer_host(&config, aws, &distribution_id).await?;
            let spec = config.probe_spec(&distribution_id, &args.route, Some(&host)).ok().flatten();
            spec.ok_or_else(|| HeadlessError::NoProbe(no_probe(&config, &args.route, Some(&distribution_id))))?
        }
    };
    let settings = config.probe_settings();
    let prober = HttpProber::new(settings, Clock::real());
    send(args, &distribution_id, &spec, &settings, &prober, &Clock::real()).await
}

/// `cutover probe --demo`: the route's probe through the kept demo world's edges, at the demo's
/// pace (its clock's).
async fn probe_demo(args: &ProbeArgs, aws: &AwsArgs) -> anyhow::Result<u8> {
    let world = DemoWorld::open(aws)?;
    let id = world.backend.distribution_id().to_string();
    let known: Vec<String> = catalog::routes_of(world.backend.route_count()).into_iter().map(|r| r.path).collect();
    if !known.contains(&args.route) {
        let error =
            HeadlessError::UnknownRoute { route: args.route.clone(), distributions: id, known: known.join(", ") };
        return world.after(false, Err(error.into()));
    }
    let settings = ProbeSettings::default();
    let prober = SimProber::new(Arc::clone(&world.backend), settings);
    let clock = world.backend.clock().clone();
    let result = send(args, &id, &demo_probe_spec(&args.route), &settings, &prober, &clock).await;
    world.after(false, result)
}

/// Send `spec` `args.count` times, `settings.every` apart on `clock`, printing as they come.
async fn send(
    args: &ProbeArgs,
    distribution_id: &str,
    spec: &ProbeSpec,
    settings: &ProbeSettings,
    prober: &dyn Prober,
    clock: &Clock,
) -> anyhow::Result<u8> {
    if !args.json {
        output::stdout_line(&visible::escape(&heading(distribution_id, spec, settings, args.count)));
    }
    let start = tokio::time::Instant::now();
    let mut answers = Vec::new();
    for n in 0..args.count {
        tokio::time::sleep_until(start + clock.real_duration(settings.every * n)).await;
        let answer = prober.probe(spec).await;
        if !args.json {
            output::stdout_line(&answer_line(n as usize + 1, &answer));
        }
        answers.push(answer);
    }
    let report = ProbeReport::new(distribution_id, spec, &answers);
    if args.json {
        output::stdout_line(&visible::escape_in_json(&report.to_json()));
    } else {
        output::stdout_line(&visible::escape(&report.summary.text));
    }
    Ok(report.exit_code())
}

/// The one chosen distribution whose config gives `route` a probe, or a sentence saying how to
/// configure one.
fn probed_distribution(config: &Config, wanted: Option<&str>, route: &str) -> anyhow::Result<String> {
    let ids = live::chosen_distributions(config, wanted)?;
    let listed: Vec<&String> =
        ids.iter().filter(|id| config.distribution(id).and_then(|d| d.route(route)).is_some()).collect();
    let probed: Vec<&String> = listed
        .iter()
        .copied()
        .filter(|id| config.distribution(id).and_then(|d| d.route(route)).is_some_and(|r| r.probe.is_some()))
        .collect();
    match probed.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(HeadlessError::NoProbe(no_probe(config, route, listed.first().map(|id| id.as_str()))).into()),
        several => Err(HeadlessError::AmbiguousRoute {
            route: route.to_string(),
            distributions: several.iter().map(|id| id.as_str()).collect::<Vec<_>>().join(", "),
        }
        .into()),
    }
}

/// How to give `route` a probe, in one sentence.
fn no_probe(config: &Config, route: &str, listed_in: Option<&str>) -> String {
    let example = match route.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('/') => format!("{prefix}health"),
        _ => "/health".to_string(),
    };
    let file = config.file_name();
    match listed_in {
        Some(id) => format!(
            "route {route} of distribution {id} has no probe; add a [distribution.route.probe] table with \
             path = \"{example}\" (a path that route serves) after its [[distribution.route]] in {file} \
             (see the book, \"Probes\")"
        ),
        None => format!(
            "route {route} has no probe in {file}; add a [[distribution.route]] with path = \"{route}\" and a \
             [distribution.route.probe] table with path = \"{example}\" (a path that route serves) to its \
             [[distribution]] (see the book, \"Probes\")"
        ),
    }
}

/// The distribution's alias or `*.cloudfront.net` name, read from CloudFront.
async fn viewer_host(config: &Config, aws: &AwsArgs, distribution_id: &str) -> anyhow::Result<String> {
    let region = aws.region.clone().or_else(|| config.region().map(str::to_string));
    let clients =
        AwsClients::load(&ConnectOptions { profile: aws.profile.clone(), region }).await.map_err(LiveError::from)?;
    let spec = DistributionSpec::find(config, distribution_id)
        .ok_or_else(|| LiveError::NoDistribution(config.file_name().to_string()))?;
    let control_plane = CloudFrontControlPlane::new(clients.cloudfront.clone(), spec);
    let host = control_plane
        .viewer_host()
        .await
        .map_err(|error| LiveError::Read { id: distribution_id.to_string(), error })?;
    Ok(host)
}

fn heading(distribution_id: &str, spec: &ProbeSpec, settings: &ProbeSettings, count: u32) -> String {
    let pace = if count > 1 { format!(", {count} probes every {} s", settings.every.as_secs()) } else { String::new() };
    format!(
        "probing {} of {distribution_id}: {} {} (Host {}){pace}, at most {} a minute",
        spec.route,
        spec.method,
        spec.url(),
        spec.host,
        settings.max_per_minute
    )
}

/// `#1   22:41:07  200     42 ms  IAD89-C1    Miss from cloudfront    ◼ origin (no API Gateway header)`,
/// every field from the network escaped.
fn answer_line(n: usize, answer: &ProbeAnswer) -> String {
    let dash = || "–".to_string();
    let field = |v: &Option<String>| v.as_deref().map_or_else(dash, |v| visible::escape(v).into_owned());
    let status = answer.status.map_or_else(dash, |s| s.to_string());
    let mut line = format!(
        "#{n:<3} {}  {status:>3}  {:>7}  {:<10}  {:<22}  {}",
        time_of_day(answer.at),
        format!("{} ms", answer.latency.as_millis()),
        field(&answer.pop),
        field(&answer.x_cache),
        visible::escape(&served(answer)),
    );
    if let Some(finding) = &answer.finding {
        line.push_str(&format!("  · {}", visible::escape(finding)));
    }
    line
}

/// Who served it, and `(cache hit: says nothing of the backend)` for hits.
fn served(answer: &ProbeAnswer) -> String {
    if answer.status.is_none() {
        return "no answer".to_string();
    }
    let who = answer.served_by.to_string();
    if answer.cache_hit() { format!("{who}, a cache hit: says nothing of the backend now") } else { who }
}

/// The whole run, as `--json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeReport {
    pub schema_version: u32,
    /// The route (cache behavior path pattern).
    pub route: String,
    pub distribution: String,
    pub request: RequestReport,
    pub answers: Vec<AnswerReport>,
    pub summary: SummaryReport,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestReport {
    /// `GET` or `HEAD`.
    pub method: String,
    pub url: String,
    /// The `Host` header sent.
    pub host: String,
    pub expect_status: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerReport {
    /// When the probe was sent, UTC, RFC 3339.
    pub at: Timestamp,
    /// `null` when nothing came back.
    pub status: Option<u16>,
    /// To the response's headers, connection set-up included (or to giving up).
    pub latency_ms: u64,
    /// `X-Amz-Cf-Pop`: the edge that answered.
    pub pop: Option<String>,
    /// `X-Cache` as sent.
    pub x_cache: Option<String>,
    /// `X-Cache` says the cache answered: `served_by` is then who answered when it was cached.
    pub cache_hit: bool,
    /// `lambda`, `origin`, or `null` when nobody can be named (no answer, CloudFront's own).
    pub served_by: Option<Target>,
    /// Why: `marker`, `rest_api`, `http_api`, `function_url` or `no_api_gateway_header`.
    pub evidence: Option<&'static str>,
    /// Only a configured marker header is proof.
    pub certain: bool,
    /// The answer in words, as the text output says it.
    pub text: String,
    /// What is wrong: no answer (and why), or another status than expected.
    pub finding: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryReport {
    pub probes: usize,
    /// Answers from a backend, by side; cache hits are counted apart in `cached`.
    pub lambda: usize,
    pub origin: usize,
    pub unknown: usize,
    pub cached: usize,
    pub unexpected_status: usize,
    pub no_answer: usize,
    /// The distinct edges that answered.
    pub pops: Vec<String>,
    /// The side every backend answer came from, all with the expected status; else `null`.
    pub one_side: Option<Target>,
    /// `edge 5/5 ◼ origin · 2 POPs`.
    pub text: String,
}

impl ProbeReport {
    pub fn new(distribution_id: &str, spec: &ProbeSpec, answers: &[ProbeAnswer]) -> Self {
        let summary = EdgeSummary::of(answers);
        ProbeReport {
            schema_version: PROBE_SCHEMA_VERSION,
            route: spec.route.clone(),
            distribution: distribution_id.to_string(),
            request: RequestReport {
                method: spec.method.to_string(),
                url: spec.url(),
                host: spec.host.clone(),
                expect_status: spec.expect_status,
            },
            answers: answers.iter().map(answer_report).collect(),
            summary: SummaryReport {
                probes: summary.probes,
                lambda: summary.lambda,
                origin: summary.origin,
                unknown: summary.unknown,
                cached: summary.cached,
                unexpected_status: summary.unexpected_status,
                no_answer: summary.no_answer,
                pops: summary.pops.clone(),
                one_side: summary.unanimous(),
                text: summary.describe(),
            },
        }
    }

    /// 0 when one side gave every backend answer, all as expected; 1 when nothing answered at all;
    /// else 3 (mixed sides, an unexpected status, an answer nobody can be named for, a probe
    /// without an answer, or only cache hits).
    pub fn exit_code(&self) -> u8 {
        if self.summary.one_side.is_some() {
            0
        } else if self.summary.probes > 0 && self.summary.no_answer == self.summary.probes {
            1
        } else {
            EXIT_MIXED
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a probe report is plain data")
    }
}

fn answer_report(answer: &ProbeAnswer) -> AnswerReport {
    AnswerReport {
        at: answer.at,
        status: answer.status,
        latency_ms: millis(answer.latency),
        pop: answer.pop.clone(),
        x_cache: answer.x_cache.clone(),
        cache_hit: answer.cache_hit(),
        served_by: answer.served_by.target(),
        evidence: answer.served_by.evidence().map(|e| e.key()),
        certain: answer.served_by.evidence().is_some_and(|e| e.certain()),
        text: served(answer),
        finding: answer.finding.clone(),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::probe::{Markers, ProbeFailure, ProbeMethod, ResponseHeaders};

    fn spec() -> ProbeSpec {
        ProbeSpec {
            route: "/orders/*".into(),
            path: "/orders/health".into(),
            method: ProbeMethod::Get,
            expect_status: 200,
            headers: Vec::new(),
            base_url: "http://127.0.0.1:9".into(),
            host: "api.example.com".into(),
            markers: Markers::default(),
        }
    }

    fn heard(pairs: &[(&str, &str)], status: u16) -> ProbeAnswer {
        let at: Timestamp = "2026-01-15T22:41:07Z".parse().unwrap();
        let headers = ResponseHeaders::new(pairs.iter().map(|(n, v)| (*n, v.to_string())));
        ProbeAnswer::heard(at, Duration::from_millis(42), status, &headers, &spec())
    }

    #[test]
    fn the_exit_code_says_one_side_mixed_or_nothing() {
        let origin = heard(&[("x-amz-cf-pop", "IAD89-C1")], 200);
        let lambda = heard(&[("x-amz-apigw-id", "x")], 200);
        let refused = ProbeAnswer::failed(origin.at, Duration::ZERO, &ProbeFailure::Refused);
        let code = |answers: &[ProbeAnswer]| ProbeReport::new("E1", &spec(), answers).exit_code();
        assert_eq!(code(&[origin.clone(), origin.clone()]), 0);
        assert_eq!(code(&[origin.clone(), lambda.clone()]), 3);
        assert_eq!(code(&[lambda.clone(), heard(&[("x-amz-apigw-id", "x")], 503)]), 3);
        assert_eq!(code(&[lambda, refused.clone()]), 3);
        assert_eq!(code(&[refused.clone(), refused]), 1);
        assert_eq!(code(&[heard(&[("x-cache", "Hit from cloudfront")], 200)]), 3, "a cache hit alone says nothing");
    }

    #[test]
    fn a_line_escapes_what_the_network_said() {
        let answer = heard(&[("x-amz-cf-pop", "IAD89\u{1b}[2J"), ("x-cache", "Miss from cloudfront")], 503);
        let line = answer_line(1, &answer);
        assert!(!line.contains('\u{1b}'), "{line}");
        assert!(line.starts_with("#1   22:41:07  503    42 ms  IAD89\\u{1b}[2J"), "{line}");
        assert!(
            line.ends_with("◼ origin (no API Gateway header)  · status 503 (a server error), expected 200"),
            "{line}"
        );
        let none = answer_line(2, &ProbeAnswer::failed(answer.at, Duration::from_secs(3), &ProbeFailure::Refused));
        assert!(none.contains("–") && none.ends_with("no answer  · connection refused"), "{none}");
    }

    #[test]
    fn the_json_names_sides_and_evidence_by_keys() {
        let report =
            ProbeReport::new("E1", &spec(), &[heard(&[("apigw-requestid", "x"), ("x-amz-cf-pop", "FRA56-P2")], 200)]);
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["request"]["url"], "http://127.0.0.1:9/orders/health");
        assert_eq!(json["answers"][0]["served_by"], "lambda");
        assert_eq!(json["answers"][0]["evidence"], "http_api");
        assert_eq!(json["answers"][0]["certain"], false);
        assert_eq!(json["summary"]["one_side"], "lambda");
        assert_eq!(json["summary"]["text"], "edge 1/1 λ Lambda · 1 POP");
    }
}
