//! `cutover log --stats`, the real binary on a trail with known durations: every switch's stages,
//! each stage's count, median, 90th percentile and maximum (nearest-rank), a switch an older
//! cutover wrote (no `requested_at`), `--distribution` and `--since` keeping whole switches, and
//! text from the trail reaching the terminal escaped.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cutover::audit::{AuditLog, AuditRecord, Environment, RecordKind};
use cutover::domain::Target;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use support::binary::{code, shown, stderr, stdout};
use support::pty::TempDir;

/// A home for one run: the trail in `home/state/cutover/audit.jsonl`.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Self {
        Home { dir: TempDir::new("cutover-log-stats") }
    }

    fn trail(&self) -> PathBuf {
        let dir = self.dir.path().join("state/cutover");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("audit.jsonl")
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env_remove("CUTOVER_CONFIG")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        shown(args, output)
    }
}

/// One switch as the trail holds it: when it was requested (minutes after the trail's start), and
/// the milliseconds from the request of each stage it reached.
struct Switch {
    minute: i64,
    route: &'static str,
    first: RecordKind,
    accepted: Option<u64>,
    edge: Option<u64>,
    traffic: Option<u64>,
    deployed: Option<u64>,
    end: RecordKind,
}

const E1: &str = "E1STATS";

/// Six switches of `E1STATS` written as this cutover writes them, in the order of `minute`.
fn switches() -> [Switch; 6] {
    use RecordKind::*;
    let switch = |minute, route, accepted, edge, traffic, deployed, end| Switch {
        minute,
        route,
        first: SwitchRequested,
        accepted,
        edge,
        traffic,
        deployed,
        end,
    };
    [
        switch(0, "/orders/*", Some(800), Some(61_000), Some(95_000), Some(180_000), SwitchDeployed),
        switch(10, "/cart/*", Some(1_200), Some(45_000), Some(120_000), Some(240_000), SwitchDeployed),
        // No metric source on one side: traffic moved cannot be said.
        switch(20, "/search/*", Some(950), Some(70_000), None, Some(150_000), SwitchDeployed),
        // A headless switch that did not wait.
        switch(40, "/orders/*", Some(3_000), None, None, None, SwitchAbandoned),
        // Refused by CloudFront.
        switch(50, "/cart/*", None, None, None, None, SwitchFailed),
        // A guard's rollback.
        Switch {
            first: AutoRollback,
            ..switch(60, "/orders/*", Some(700), Some(30_000), Some(60_000), Some(300_000), SwitchDeployed)
        },
    ]
}

/// Every record of `switches`, with the milestones and answers in the order of their time, so
/// that switches close together interleave as they would in a live trail.
fn records(start: Timestamp, switches: &[Switch]) -> Vec<AuditRecord> {
    let mut records = Vec::new();
    for s in switches {
        let requested = start + SignedDuration::from_mins(s.minute);
        let after = |ms: u64| requested + SignedDuration::from_millis(ms as i64);
        let record = |at: Timestamp, kind| {
            AuditRecord::new(at, kind, Environment::Live, "runbook", E1)
                .with_routes([s.route])
                .with_targets(Target::Lambda, Target::Origin)
                .with_requested_at(requested)
        };
        records.push(record(requested, s.first));
        let accepted = s.accepted.map(Duration::from_millis);
        if let Some(ms) = s.accepted {
            records.push(record(after(ms), RecordKind::SwitchAccepted).with_durations(accepted, None));
        }
        if let Some(ms) = s.edge {
            records.push(AuditRecord { edge_ms: Some(ms), ..record(after(ms), RecordKind::EdgeMoved) });
        }
        if let Some(ms) = s.traffic {
            records.push(AuditRecord { traffic_moved_ms: Some(ms), ..record(after(ms), RecordKind::TrafficMoved) });
        }
        let ended = s.deployed.or(s.accepted.map(|ms| ms + 5_000)).unwrap_or(1_000);
        let deployed = s.deployed.zip(s.accepted).map(|(d, a)| Duration::from_millis(d - a));
        records.push(record(after(ended), s.end).with_durations(accepted, deployed));
    }
    records.sort_by_key(|r| r.time);
    records
}

/// A switch of `/legacy/*` as an older cutover wrote it: no `requested_at`, no milestones;
/// accepted 600 ms and deployed 210 s after the request at `at`.
fn old_switch(at: Timestamp) -> String {
    let line = |after: i64, kind: &str, outcome: &str, accepted: &str, deployed: &str| {
        let time = at + SignedDuration::from_millis(after);
        format!(
            concat!(
                r#"{{"time":"{}","kind":"{}","mode":"live","operator":"ana","caller_arn":null,"#,
                r#""distribution":"{}","routes":["/legacy/*"],"from":"lambda","to":"origin","#,
                r#""etag_before":null,"etag_after":null,"outcome":{},"error":null,"#,
                r#""request_to_accepted_ms":{},"accepted_to_deployed_ms":{},"message":null,"moves":[],"override":null}}"#,
                "\n"
            ),
            time, kind, E1, outcome, accepted, deployed
        )
    };
    [
        line(0, "switch_requested", "null", "null", "null"),
        line(600, "switch_accepted", r#""accepted""#, "600", "null"),
        line(210_000, "switch_deployed", r#""deployed""#, "600", "209400"),
    ]
    .concat()
}

/// The trail: the six switches from `start`, the old one 30 minutes in, a switch of another
/// distribution, a kind from a newer cutover and a torn last line.
fn write_trail(path: &Path, start: Timestamp) {
    let log = AuditLog::at(path);
    let mut written = records(start, &switches());
    let other = AuditRecord::new(start, RecordKind::SwitchRequested, Environment::Live, "ana", "E9OTHER")
        .with_routes(["/orders/*"])
        .with_requested_at(start);
    written.insert(1, other);
    let old_at = start + SignedDuration::from_mins(30);
    let (before, after): (Vec<_>, Vec<_>) = written.into_iter().partition(|r| r.time < old_at);
    for record in &before {
        log.append(record).unwrap();
    }
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(&old_switch(old_at));
    text.push_str(&format!(
        "{{\"time\":\"{}\",\"kind\":\"switch_teleported\",\"mode\":\"live\",\"operator\":\"x\",\"distribution\":\"{E1}\",\"requested_at\":\"{start}\"}}\n",
        start + SignedDuration::from_mins(31)
    ));
    std::fs::write(path, text).unwrap();
    for record in &after {
        log.append(record).unwrap();
    }
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut file, br#"{"time":"2026-01-15T23:59:00Z","kind":"switch_dep"#).unwrap();
}

fn stage(count: u64, median: u64, p90: u64, max: u64) -> Value {
    json!({"count": count, "median_ms": median, "p90_ms": p90, "max_ms": max})
}

// Long: one trail read three ways (one distribution, all, the table), each number checked by name.
#[test]
fn stats_of_a_trail_with_known_durations() {
    let home = Home::new();
    let start: Timestamp = "2026-01-15T22:00:00Z".parse().unwrap();
    write_trail(&home.trail(), start);

    let output = home.run(&["log", "--stats", "--json", "--distribution", E1]);
    assert_eq!(code(&output), 0);
    assert!(stderr(&output).contains("skipped"), "the torn line is warned about");
    let stats: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(stats["schema_version"], 1);

    let at = |minute: i64| (start + SignedDuration::from_mins(minute)).to_string();
    let row = |minute, route: &str, outcome: &str, stages: [Option<u64>; 4]| {
        json!({
            "distribution": E1, "mode": "live", "routes": [route], "from": "lambda", "to": "origin",
            "requested_at": at(minute), "via": "behavior", "outcome": outcome,
            "request_to_accepted_ms": stages[0], "edge_ms": stages[1], "traffic_moved_ms": stages[2],
            "request_to_deployed_ms": stages[3], "viewers_healthy_ms": null,
        })
    };
    let expected = [
        row(0, "/orders/*", "deployed", [Some(800), Some(61_000), Some(95_000), Some(180_000)]),
        row(10, "/cart/*", "deployed", [Some(1_200), Some(45_000), Some(120_000), Some(240_000)]),
        row(20, "/search/*", "deployed", [Some(950), Some(70_000), None, Some(150_000)]),
        row(30, "/legacy/*", "deployed", [Some(600), None, None, Some(210_000)]),
        row(40, "/orders/*", "abandoned", [Some(3_000), None, None, None]),
        row(50, "/cart/*", "failed", [None, None, None, None]),
        row(60, "/orders/*", "deployed", [Some(700), Some(30_000), Some(60_000), Some(300_000)]),
    ];
    let switches = stats["switches"].as_array().unwrap();
    assert_eq!(switches.len(), expected.len(), "{switches:#?}");
    for (got, want) in switches.iter().zip(&expected) {
        assert_eq!(got, want);
    }

    // Nearest rank: the p-th percentile of n values is the ⌈p·n/100⌉-th smallest.
    // accepted, 6 values 600 700 800 950 1200 3000: median the 3rd, p90 the 6th.
    // edge, 4 values 30 45 61 70 s: median the 2nd, p90 the 4th.
    // traffic moved, 3 values 60 95 120 s: median the 2nd, p90 the 3rd.
    // Deployed, 5 values 150 180 210 240 300 s: median the 3rd, p90 the 5th.
    assert_eq!(
        stats["stages"],
        json!({
            "request_to_accepted": stage(6, 800, 3_000, 3_000),
            "edge": stage(4, 45_000, 70_000, 70_000),
            "traffic_moved": stage(3, 95_000, 120_000, 120_000),
            "viewers_healthy": {"count": 0, "median_ms": null, "p90_ms": null, "max_ms": null},
            "request_to_deployed": stage(5, 210_000, 300_000, 300_000),
        })
    );

    // Without --distribution, the other distribution's switch is counted too.
    let output = home.run(&["log", "--stats", "--json"]);
    let all: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let distributions: Vec<&str> =
        all["switches"].as_array().unwrap().iter().map(|s| s["distribution"].as_str().unwrap()).collect();
    assert_eq!(distributions, [E1, "E9OTHER", E1, E1, E1, E1, E1, E1]);
    assert_eq!(all["switches"][1]["outcome"], "requested");
    assert_eq!(all["stages"], stats["stages"], "a switch with no answer adds to no stage");

    // The table says the same.
    let output = home.run(&["log", "--stats", "--route", "/orders/*", "--distribution", E1]);
    assert_eq!(code(&output), 0);
    let table = stdout(&output);
    let line = |start: &str| table.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}: {table}"));
    let words = |l: &str| l.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("|");
    assert_eq!(
        words(line(&at(0))),
        format!("{}|live|{E1}|/orders/*|λ Lambda → ◼ origin|behavior|deployed|800ms|1m 01s|1m 35s|—|3m 00s", at(0))
    );
    assert_eq!(words(line("request → Deployed")), "request → Deployed|2|3m 00s|5m 00s|5m 00s");
    assert_eq!(words(line("request → accepted")), "request → accepted|3|800ms|3.0s|3.0s");
}

#[test]
fn since_keeps_the_switches_requested_from_then_on_whole() {
    let home = Home::new();
    // The switches 2h25m ago and on: those requested 1h55m ago (minute 30) and later are in.
    let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    let start = now - SignedDuration::from_mins(145);
    write_trail(&home.trail(), start);

    let output = home.run(&["log", "--stats", "--json", "--distribution", E1, "--since", "2h"]);
    assert_eq!(code(&output), 0);
    let stats: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let requested: Vec<String> =
        stats["switches"].as_array().unwrap().iter().map(|s| s["requested_at"].as_str().unwrap().into()).collect();
    let at = |minute: i64| (start + SignedDuration::from_mins(minute)).to_string();
    assert_eq!(requested, [at(30), at(40), at(50), at(60)]);
    assert_eq!(
        stats["stages"]["request_to_deployed"],
        stage(2, 210_000, 300_000, 300_000),
        "the old switch and the rollback"
    );
}

/// Characters a terminal would act on, or hide: controls other than `\n`, and the format
/// characters this test puts in.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars().filter(|&c| (c.is_control() && c != '\n') || ['\u{202e}', '\u{200b}'].contains(&c)).collect()
}

#[test]
fn text_from_the_trail_reaches_the_terminal_escaped() {
    let home = Home::new();
    let evil = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\rOK \u{202e}gpj.exe\u{200b}\u{9b}31m";
    let at: Timestamp = "2026-01-15T22:41:00Z".parse().unwrap();
    let record = AuditRecord::new(at, RecordKind::SwitchRequested, Environment::Live, "mallory", format!("E1{evil}"))
        .with_routes([format!("/api/{evil}/*")])
        .with_targets(Target::Lambda, Target::Origin)
        .with_requested_at(at);
    AuditLog::at(home.trail()).append(&record).unwrap();

    let output = home.run(&["log", "--stats"]);
    assert_eq!(code(&output), 0);
    let out = stdout(&output);
    assert_eq!(terminal_controls(&out), Vec::<char>::new(), "{out:?}");
    assert!(
        out.contains("E1\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}\\u{1b}[2J\\rOK \\u{202e}gpj.exe\\u{200b}\\u{9b}31m"),
        "{out}"
    );

    let output = home.run(&["log", "--stats", "--json"]);
    let out = stdout(&output);
    assert_eq!(terminal_controls(&out), Vec::<char>::new(), "JSON escapes: {out:?}");
    let stats: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(stats["switches"][0]["distribution"], format!("E1{evil}"), "the same strings, escaped as JSON");
    assert_eq!(stats["switches"][0]["routes"][0], format!("/api/{evil}/*"));
}
