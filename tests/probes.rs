//! Probes through a distribution, against a fake CloudFront on 127.0.0.1 that switches its backend
//! mid-test: the live prober classifies every answer before and after the change, a silent server,
//! a 5xx and a closed port are findings, the rate cap holds, and `cutover probe` (the real binary)
//! prints the same in JSON and exits 0, 3, 1 or 2 as it says.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cutover::backend::probe::{HttpProber, Prober};
use cutover::clock::Clock;
use cutover::domain::Target;
use cutover::domain::probe::{
    EdgeSummary, Evidence, Marker, Markers, ProbeAnswer, ProbeMethod, ProbeSettings, ProbeSpec, ServedBy, all_on_since,
};
use support::binary::{code, shown, stderr, stdout};
use support::fake_edge::{Behind, FakeEdge, POPS, closed_port};

fn spec(base_url: &str, markers: Markers) -> ProbeSpec {
    ProbeSpec {
        route: "/orders/*".into(),
        path: "/orders/health".into(),
        method: ProbeMethod::Get,
        expect_status: 200,
        headers: vec![("accept".into(), "application/json".into())],
        base_url: base_url.into(),
        host: "api.example.com".into(),
        markers,
    }
}

fn prober(timeout_secs: u64, max_per_minute: u32) -> HttpProber {
    let settings =
        ProbeSettings { timeout: Duration::from_secs(timeout_secs), max_per_minute, ..ProbeSettings::default() };
    HttpProber::new(settings, Clock::real())
}

async fn probes(prober: &HttpProber, spec: &ProbeSpec, count: usize) -> Vec<ProbeAnswer> {
    let mut answers = Vec::new();
    for _ in 0..count {
        answers.push(prober.probe(spec).await);
    }
    answers
}

#[tokio::test]
async fn every_answer_is_classified_before_and_after_the_backend_changes() {
    let edge = FakeEdge::start(Behind::Elb);
    let prober = prober(3, 60);
    let spec = spec(&edge.base_url(), Markers::default());

    let mut answers = probes(&prober, &spec, 3).await;
    for (answer, pop) in answers.iter().zip(POPS) {
        assert_eq!(answer.served_by, ServedBy::Origin(Evidence::NoApiGatewayHeader), "{answer:?}");
        assert_eq!((answer.status, answer.finding.as_deref()), (Some(200), None));
        assert_eq!((answer.pop.as_deref(), answer.x_cache.as_deref()), (Some(pop), Some("Miss from cloudfront")));
    }
    edge.switch_to(Behind::RestApi);
    answers.extend(probes(&prober, &spec, 3).await);
    assert!(answers[3..].iter().all(|a| a.served_by == ServedBy::Lambda(Evidence::RestApi) && a.ok()), "{answers:?}");
    assert_eq!(all_on_since(&answers, Target::Lambda), Some(answers[3].at), "the first answer after the change");
    assert_eq!(EdgeSummary::of(&answers).describe(), "edge 3/6 λ Lambda, 3/6 ◼ origin · 3 POPs");

    edge.switch_to(Behind::HttpApi);
    assert_eq!(prober.probe(&spec).await.served_by, ServedBy::Lambda(Evidence::HttpApi));
    edge.switch_to(Behind::FunctionUrl);
    assert_eq!(prober.probe(&spec).await.served_by, ServedBy::Lambda(Evidence::FunctionUrl));
    edge.switch_to(Behind::Elb);
    assert_eq!(prober.probe(&spec).await.side(), Some(Target::Origin));

    // What went over the wire: the path, the Host, the agent, the extra header, and no credentials.
    let requests = edge.requests();
    assert_eq!(requests.len(), 9);
    for request in &requests {
        assert!(request.starts_with("get /orders/health http/1.1\r\n"), "{request}");
        assert!(request.contains("\r\nhost: api.example.com\r\n"), "{request}");
        assert!(request.contains("\r\nuser-agent: cutover-probe/"), "{request}");
        assert!(request.contains("\r\naccept: application/json\r\n"), "{request}");
        assert!(!request.contains("authorization") && !request.contains("x-amz-"), "{request}");
    }
}

#[tokio::test]
async fn a_marker_makes_the_origin_certain_and_cache_hits_are_counted_apart() {
    let edge = FakeEdge::start(Behind::Elb);
    edge.mark_elb("X-Served-By", "monolith");
    let markers = Markers { origin: Some(Marker::new("x-served-by", "monolith")), lambda: None };
    let prober = prober(3, 60);
    let spec = spec(&edge.base_url(), markers);
    let answer = prober.probe(&spec).await;
    assert_eq!(answer.served_by, ServedBy::Origin(Evidence::Marker(Marker::new("x-served-by", "monolith"))));
    assert!(answer.served_by.evidence().unwrap().certain());
    edge.cache("Hit from cloudfront");
    let hit = prober.probe(&spec).await;
    assert!(hit.cache_hit() && hit.side().is_none(), "{hit:?}");
    let summary = EdgeSummary::of(&[answer, hit]);
    assert_eq!(summary.describe(), "edge 1/2 ◼ origin · 2 POPs · 1 cached");
}

#[tokio::test]
async fn silence_a_server_error_and_a_closed_port_are_findings() {
    let prober = prober(1, 60);

    let sick = FakeEdge::start(Behind::RestApi);
    sick.answer_with(503);
    let answer = prober.probe(&spec(&sick.base_url(), Markers::default())).await;
    assert_eq!(answer.status, Some(503));
    assert_eq!(answer.finding.as_deref(), Some("status 503 (a server error), expected 200"));
    assert_eq!(answer.served_by, ServedBy::Lambda(Evidence::RestApi), "API Gateway's own header names it");
    assert_eq!(answer.x_cache.as_deref(), Some("Error from cloudfront"));

    let silent = FakeEdge::start(Behind::Elb);
    silent.go_silent();
    let answer = prober.probe(&spec(&silent.base_url(), Markers::default())).await;
    assert_eq!((answer.status, answer.finding.as_deref()), (None, Some("no answer within 1 s")));
    assert!(
        answer.latency >= Duration::from_secs(1) && answer.latency < Duration::from_secs(3),
        "{:?}",
        answer.latency
    );
    assert_eq!(answer.served_by, ServedBy::Unknown);

    let closed = format!("http://127.0.0.1:{}", closed_port());
    let answer = prober.probe(&spec(&closed, Markers::default())).await;
    assert_eq!((answer.status, answer.finding.as_deref()), (None, Some("connection refused")));

    // TLS to a server that answers in plain HTTP fails as a finding too.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tls = format!("https://{}", plain.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::Write as _;
        if let Ok((mut stream, _)) = plain.accept() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let answer = prober.probe(&spec(&tls, Markers::default())).await;
    assert_eq!(answer.status, None);
    assert!(answer.finding.as_deref().unwrap().starts_with("TLS failed: "), "{answer:?}");
}

#[tokio::test]
async fn the_rate_cap_holds_and_what_it_stops_is_never_sent() {
    let edge = FakeEdge::start(Behind::RestApi);
    let prober = prober(3, 3);
    let answers = probes(&prober, &spec(&edge.base_url(), Markers::default()), 5).await;
    assert_eq!(answers.iter().filter(|a| a.ok()).count(), 3);
    for refused in &answers[3..] {
        assert_eq!(refused.status, None);
        assert_eq!(
            refused.finding.as_deref(),
            Some("not sent: the cap of 3 probes a minute for this distribution is reached")
        );
    }
    assert_eq!(edge.requests().len(), 3, "the capped probes never reached the edge");
}

/// A scratch home for the binary, and a config whose route `/orders/*` probes `base_url`.
fn config_in(name: &str, base_url: &str, probe: bool) -> (PathBuf, PathBuf) {
    let home = std::env::temp_dir().join(format!("cutover-probes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let probe = if probe {
        format!(
            "[distribution.route.probe]\npath = \"/orders/health\"\nhost = \"api.example.com\"\nbase_url = \"{base_url}\"\n"
        )
    } else {
        String::new()
    };
    let text = format!(
        "[probes]\nevery_secs = 1\ntimeout_secs = 1\nmax_per_minute = 60\n\n[[distribution]]\nid = \"E1\"\n\
         lambda_origins = [\"apigw\"]\nlegacy_origins = [\"elb\"]\n[[distribution.route]]\npath = \"/orders/*\"\n{probe}"
    );
    let config = home.join("cutover.toml");
    std::fs::write(&config, text).unwrap();
    (home, config)
}

/// `cutover --config CONFIG ARGS...` with AWS credentials in the environment and every AWS
/// endpoint on a closed port: a probe must neither need AWS nor carry the credentials.
fn cutover(home: &Path, config: &Path, args: &[&str]) -> Output {
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let output = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .env_remove("AWS_PROFILE")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .env("AWS_SESSION_TOKEN", "session-token-example")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL", &closed)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    shown(args, output)
}

#[test]
fn cutover_probe_json_follows_the_edge_from_the_config_alone() {
    let edge = FakeEdge::start(Behind::Elb);
    let (home, config) = config_in("json", &edge.base_url(), true);
    let output = cutover(&home, &config, &["probe", "/orders/*", "--count", "3", "--json"]);
    assert_eq!(code(&output), 0);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!((json["route"].as_str(), json["distribution"].as_str()), (Some("/orders/*"), Some("E1")));
    assert_eq!(json["request"]["url"], format!("{}/orders/health", edge.base_url()));
    assert_eq!(json["request"]["host"], "api.example.com");
    let answers = json["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3);
    for (answer, pop) in answers.iter().zip(POPS) {
        assert_eq!(answer["status"], 200);
        assert_eq!(
            (answer["served_by"].as_str(), answer["evidence"].as_str()),
            (Some("origin"), Some("no_api_gateway_header"))
        );
        assert_eq!((answer["pop"].as_str(), answer["x_cache"].as_str()), (Some(pop), Some("Miss from cloudfront")));
        assert!(answer["finding"].is_null() && answer["latency_ms"].as_u64().is_some());
    }
    assert_eq!(json["summary"]["one_side"], "origin");
    assert_eq!(json["summary"]["text"], "edge 3/3 ◼ origin · 3 POPs");
    // Paced one a second, as configured.
    let at = |i: usize| answers[i]["at"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
    assert!(at(2).duration_since(at(0)).as_secs_f64() >= 1.9, "{} {}", at(0), at(2));
    for request in edge.requests() {
        assert!(!request.contains("authorization") && !request.contains("x-amz-"), "{request}");
        assert!(!request.contains("akidexample") && !request.contains("session-token"), "{request}");
    }

    // Switched while probing: mixed answers, exit 3, and the text says so line by line.
    let handle = std::thread::spawn({
        let (home, config) = (home.clone(), config.clone());
        move || cutover(&home, &config, &["probe", "/orders/*", "--count", "4"])
    });
    // Probes go a second apart: switch once the second has been answered (three came before).
    while edge.requests().len() < 5 {
        std::thread::sleep(Duration::from_millis(20));
    }
    edge.switch_to(Behind::RestApi);
    let output = handle.join().unwrap();
    assert_eq!(code(&output), 3);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("probing /orders/* of E1: GET http://127.0.0.1:"), "{text}");
    assert!(
        lines[1].starts_with("#1")
            && lines[1].contains("IAD89-C1")
            && lines[1].ends_with("◼ origin (no API Gateway header)"),
        "{text}"
    );
    assert!(lines[4].starts_with("#4") && lines[4].ends_with("λ Lambda (x-amz-apigw-id: REST API)"), "{text}");
    assert_eq!(lines[5], "edge 2/4 λ Lambda, 2/4 ◼ origin · 3 POPs", "{text}");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn cutover_probe_without_an_answer_or_without_a_probe_says_so() {
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let (home, config) = config_in("closed", &closed, true);
    let output = cutover(&home, &config, &["probe", "/orders/*", "--count", "2", "--json"]);
    assert_eq!(code(&output), 1, "nothing answered");
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["answers"][1]["finding"], "connection refused");
    assert_eq!(json["summary"]["no_answer"], 2);

    let (bare_home, bare) = config_in("bare", &closed, false);
    let output = cutover(&bare_home, &bare, &["probe", "/orders/*"]);
    assert_eq!(code(&output), 2);
    assert!(stdout(&output).is_empty());
    assert_eq!(
        stderr(&output).trim_end(),
        format!(
            "cutover: route /orders/* of distribution E1 has no probe; add a [distribution.route.probe] table with \
             path = \"/orders/health\" (a path that route serves) after its [[distribution.route]] in {} (see the \
             book, \"Probes\")",
            bare.display()
        )
    );
    let output = cutover(&bare_home, &bare, &["probe", "/cart/*"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("route /cart/* has no probe in"), "{}", stderr(&output));
    for home in [home, bare_home] {
        std::fs::remove_dir_all(home).unwrap();
    }
}
