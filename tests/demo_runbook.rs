//! The runbook rehearsed on the demo world: the real binary's headless commands with `--demo`, one
//! process each, in a home of their own with no config and every AWS endpoint a closed port. The
//! world they share is kept in the state directory: a switch is seen moving, then moved; a share,
//! a stage move and the router's removal and install are seen by the next command; a file that does
//! not read is an error that names it; `cutover demo --reset` starts afresh; and every record goes
//! to the demo's trail, never the live one.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::binary::{code, shown, stderr, stdout};
use support::pty::TempDir;

/// `cutover ARGS...` with nothing of this machine's environment but `home`.
fn cutover(home: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
    command
        .env_clear()
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("USER", "runbook")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .stdin(Stdio::null());
    shown(args, command.output().unwrap())
}

fn state_dir(home: &Path) -> PathBuf {
    home.join("state").join("cutover")
}

fn world_file(home: &Path) -> PathBuf {
    state_dir(home).join("demo-world.json")
}

/// `status --demo --json`, its exit code and its one distribution.
fn status(home: &Path) -> (i32, Value) {
    let out = cutover(home, &["status", "--demo", "--json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("status --json prints JSON");
    (code(&out), report["distributions"][0].clone())
}

fn route<'a>(distribution: &'a Value, path: &str) -> &'a Value {
    distribution["routes"].as_array().unwrap().iter().find(|r| r["path"] == path).expect("the route is listed")
}

/// Real time passing between two commands, without waiting for it: the kept world says it was
/// written `minutes` earlier, so the next command's clock runs on by that much at the world's speed.
fn let_time_pass(home: &Path, minutes: i64) {
    let path = world_file(home);
    let mut kept: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let saved: jiff::Timestamp = kept["saved_at"].as_str().unwrap().parse().unwrap();
    kept["saved_at"] = Value::String((saved - jiff::SignedDuration::from_mins(minutes)).to_string());
    std::fs::write(&path, serde_json::to_string(&kept).unwrap()).unwrap();
}

#[test]
fn headless_demo_commands_in_sequence_keep_the_worlds_targets_shares_stage_and_router() {
    let home = TempDir::new("demo-runbook");
    let home = home.path();
    let reset = cutover(home, &["demo", "--reset", "--scenario", "calm", "--seed", "7"]);
    assert_eq!(code(&reset), 0);
    assert!(stdout(&reset).contains("`cutover status --demo` reads it"), "{}", stdout(&reset));

    // A switch, then status: moving (deploying), then, once the world's minutes have passed, moved.
    let (_, before) = status(home);
    assert_eq!(route(&before, "/orders/*")["target"], "lambda");
    let switch = cutover(home, &["switch", "/orders/*", "--to", "origin", "--yes", "--demo"]);
    assert_eq!(code(&switch), 0);
    assert!(stdout(&switch).contains("`cutover status --demo`"), "the demo names its own command");
    assert!(!stdout(&switch).contains("`cutover status`"), "and never the live one");
    let (_, moving) = status(home);
    assert_eq!(route(&moving, "/orders/*")["target"], "origin");
    assert_eq!(route(&moving, "/orders/*")["pending"], true, "the switch is still rolling out");
    assert_eq!(moving["status"], "InProgress");
    let_time_pass(home, 1);
    let (_, moved) = status(home);
    assert_eq!(route(&moved, "/orders/*")["target"], "origin");
    assert_eq!(route(&moved, "/orders/*")["pending"], false, "moved: every edge has it");
    assert_eq!(moved["status"], "Deployed");

    // A share through the router's store, seen by the next status.
    assert_eq!(code(&cutover(home, &["weight", "/search/*", "30", "--yes", "--demo"])), 0);
    let (_, shared) = status(home);
    assert_eq!(route(&shared, "/search/*")["lambda_share_pct"], 30);

    // The stage rollback, seen by the next list.
    assert_eq!(code(&cutover(home, &["stage", "/orders/*", "--deployment", "d0", "--yes", "--demo"])), 0);
    let listed = cutover(home, &["stage", "/orders/*", "--list", "--json", "--demo"]);
    let listed: Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(listed["current"], "d0", "{listed}");

    // The router removed, then installed again, each seen by the next `router status`.
    assert_eq!(code(&cutover(home, &["router", "remove", "--yes", "--demo"])), 0);
    let removed = cutover(home, &["router", "status", "--demo", "--route", "/search/*"]);
    assert_eq!(code(&removed), 3, "partly or not installed");
    assert_eq!(code(&cutover(home, &["router", "install", "--yes", "--demo", "--route", "/search/*"])), 0);
    let_time_pass(home, 1);
    let installed = cutover(home, &["router", "status", "--demo", "--route", "/search/*"]);
    assert_eq!(code(&installed), 0, "installed and current");

    // Every record went to the demo's trail, marked demo; the live trail was never written.
    assert!(!state_dir(home).join("audit.jsonl").exists(), "the live trail stays untouched");
    let trail = std::fs::read_to_string(state_dir(home).join("audit-demo.jsonl")).unwrap();
    let records: Vec<Value> = trail.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(records.iter().all(|r| r["mode"] == "demo"), "{trail}");
    for kind in ["switch_requested", "switch_accepted", "stage_accepted", "router_step"] {
        assert!(records.iter().any(|r| r["kind"] == kind), "no {kind} in {trail}");
    }
    let log = cutover(home, &["log", "--demo"]);
    assert!(stdout(&log).lines().any(|l| l.contains(" demo ") && l.contains("/orders/*")), "MODE demo");
}

#[test]
fn a_corrupt_or_newer_world_file_is_an_error_naming_it_and_reset_starts_afresh() {
    let home = TempDir::new("demo-runbook-corrupt");
    let home = home.path();
    assert_eq!(code(&cutover(home, &["demo", "--reset", "--seed", "3"])), 0);
    assert_eq!(code(&cutover(home, &["switch", "/orders/*", "--to", "origin", "--yes", "--demo"])), 0);
    let path = world_file(home);
    let kept = std::fs::read_to_string(&path).unwrap();

    std::fs::write(&path, "{ torn").unwrap();
    for args in [&["status", "--demo"][..], &["switch", "/cart/*", "--to", "origin", "--yes", "--demo"]] {
        let out = cutover(home, args);
        assert_eq!(code(&out), 2, "refused, nothing done");
        let said = stderr(&out);
        assert!(said.contains(&path.display().to_string()) && said.contains("cutover demo --reset"), "{said}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ torn", "never silently made afresh");

    let mut newer: Value = serde_json::from_str(&kept).unwrap();
    newer["schema_version"] = Value::from(2);
    std::fs::write(&path, newer.to_string()).unwrap();
    let out = cutover(home, &["router", "status", "--demo"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("newer cutover"), "{}", stderr(&out));

    // The reset: a fresh world, /orders/* back where the demo starts it.
    assert_eq!(code(&cutover(home, &["demo", "--reset"])), 0);
    let (exit, fresh) = status(home);
    assert_eq!(exit, 0);
    assert_eq!(route(&fresh, "/orders/*")["target"], "lambda");
    assert_eq!(route(&fresh, "/orders/*")["pending"], false);
}

#[test]
fn demo_runs_refuse_another_distribution_and_the_consoles_live_forms() {
    let home = TempDir::new("demo-runbook-refusals");
    let home = home.path();
    let out = cutover(home, &["status", "--demo", "--distribution", "E123"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("drop --distribution or --demo"), "{}", stderr(&out));
    assert_eq!(code(&cutover(home, &["init", "--demo"])), 2);
    let unknown = cutover(home, &["switch", "/nope/*", "--to", "origin", "--yes", "--demo"]);
    assert_eq!(code(&unknown), 2);
    let probe = cutover(home, &["probe", "/orders/*", "--count", "2", "--demo"]);
    assert_eq!(code(&probe), 0, "one side answered every probe");
    assert!(!stderr(&probe).contains("credentials"));
}
