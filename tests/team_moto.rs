//! The team (issue 23) with the real binary against moto (CloudFront, CloudWatch Logs, STS) and
//! LocalStack (CloudWatch): two operators share one journal — alice switches, bob reads her
//! records with her name; alice's journal unreachable, then back: every record sent once, in
//! order, by her next run; a change made with the SDK directly, outside cutover, reported by bob's
//! `status --json`; alice's notifications reach a webhook on 127.0.0.1.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use support::binary::{code, run_cutover, stderr, stdout};
use support::emulators::{clients, create_half_migrated_distribution};
use support::fake_edge::closed_port;
use support::pty::TempDir;

const REGION: &str = "eu-west-1";
const USERS: &str = "/api/users/*";
const ORDERS: &str = "/api/orders/*";

/// A webhook on 127.0.0.1 that keeps every body it is sent and answers 200.
fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&bodies);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_ok() {
                kept.lock().unwrap().push(String::from_utf8_lossy(&body).into_owned());
            }
            let _ = reader.get_mut().write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (url, bodies)
}

/// A home with a config sharing `group` as the team journal and telling `hook`.
fn home_for(id: &str, group: &str, hook: &str) -> (TempDir, PathBuf) {
    let home = TempDir::new("cutover-team");
    let config = home.path().join("cutover.toml");
    let text = format!(
        "latency_statistic = \"Average\"\n\n[team]\nlog_group = \"{group}\"\n\n[notify]\nwebhook_url = \"{hook}\"\n\
         on = [\"switch\", \"rollback\", \"outside_change\"]\n\n[[distribution]]\nid = \"{id}\"\n\
         lambda_origins = [\"apigw\"]\nlegacy_origins = [\"legacy\"]\n"
    );
    std::fs::write(&config, text).unwrap();
    (home, config)
}

fn as_user(user: &str, home: &Path, config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut env = env.to_vec();
    env.push(("USER", user));
    tokio::task::block_in_place(|| run_cutover(REGION, home, config, args, &env))
}

/// `log --team --json` as records: (by, kind, route).
fn team_log(output: &Output) -> Vec<(String, String, String)> {
    (stdout(output).lines())
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .map(|r| {
            let field = |name: &str| r[name].as_str().unwrap_or_default().to_string();
            (field("by"), field("kind"), r["routes"][0].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// Move `path` to `origin` with the SDK directly, as the AWS console or Terraform would.
async fn move_outside_cutover(id: &str, path: &str, origin: &str) {
    let cloudfront = clients(REGION).cloudfront;
    let got = cloudfront.get_distribution_config().id(id).send().await.unwrap();
    let etag = got.e_tag().unwrap().to_string();
    let mut config = got.distribution_config.unwrap();
    let behaviors = config.cache_behaviors.as_mut().unwrap().items.as_mut().unwrap();
    behaviors.iter_mut().find(|b| b.path_pattern == path).unwrap().target_origin_id = origin.into();
    cloudfront.update_distribution().id(id).if_match(etag).distribution_config(config).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn alice_switches_and_bob_reads_her_records_and_a_change_outside_cutover_is_reported() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "team").await;
    let group = format!("/cutover/team-{id}");
    let (hook, told) = webhook();
    let (alice_home, alice_config) = home_for(&id, &group, &hook);
    let (bob_home, bob_config) = home_for(&id, &group, &hook);
    let alice = |args: &[&str], env: &[(&str, &str)]| as_user("alice", alice_home.path(), &alice_config, args, env);
    let bob = |args: &[&str]| as_user("bob", bob_home.path(), &bob_config, args, &[]);

    // Alice's journal cannot be reached: her switch goes through, her records wait in her outbox.
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let unreachable = [("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", closed.as_str())];
    let first = alice(&["switch", USERS, "--to", "origin", "--yes", "--wait"], &unreachable);
    assert_eq!(code(&first), 0, "a journal down never blocks a switch: {}", stderr(&first));
    let outbox = alice_home.path().join("state/cutover/journal-outbox.jsonl");
    let kept = std::fs::read_to_string(&outbox).unwrap_or_else(|e| panic!("no outbox at {}: {e}", outbox.display()));
    assert_eq!(kept.lines().filter(|l| l.contains("switch_")).count(), 3, "{kept}");
    let read = bob(&["log", "--team", "--json"]);
    assert_eq!(code(&read), 1, "nothing reached the journal yet: its group was never made");
    assert!(stderr(&read).contains("nobody has sent to it yet"), "{}", stderr(&read));

    // Her next run reaches it: the outbox first, then its own records, each once and in order.
    let second = alice(&["switch", ORDERS, "--to", "origin", "--yes", "--wait"], &[]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    let read = bob(&["log", "--team", "--json"]);
    assert_eq!(code(&read), 0, "{}", stderr(&read));
    let records = team_log(&read);
    let kinds: Vec<(&str, &str)> = records.iter().map(|(_, kind, route)| (kind.as_str(), route.as_str())).collect();
    let each = |route| [("switch_requested", route), ("switch_accepted", route), ("switch_deployed", route)];
    assert_eq!(kinds, [each(USERS), each(ORDERS)].concat(), "{records:?}");
    assert!(records.iter().all(|(by, _, _)| by.starts_with("alice@")), "{records:?}");
    let text = bob(&["log", "--team"]);
    assert!(stdout(&text).lines().any(|l| l.contains("alice@") && l.contains(USERS)), "{}", stdout(&text));

    // Someone moves /api/users/* back to Lambda with the SDK: bob's status finds it outside cutover,
    // against where alice's records put it.
    move_outside_cutover(&id, USERS, "apigw").await;
    let status = bob(&["status", "--json"]);
    let report: Value = serde_json::from_slice(&status.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&status)));
    let outside = report["distributions"][0]["outside_changes"].as_array().unwrap();
    assert_eq!(outside.len(), 1, "{report}");
    assert_eq!((outside[0]["route"].as_str(), outside[0]["from"].as_str()), (Some(USERS), Some("◼ origin")));
    assert_eq!(outside[0]["to"], "λ Lambda");
    assert!(outside[0]["seen_at"].is_string());
    assert_eq!(outside[0]["who"], Value::Null, "CloudTrail's events come minutes late");
    let text = bob(&["status"]);
    assert!(
        stdout(&text).contains(&format!("changed outside cutover: {USERS} ◼ origin → λ Lambda")),
        "{}",
        stdout(&text)
    );

    // Alice's switches were told to the webhook, each naming her, the route and the distribution.
    let told = told.lock().unwrap().clone();
    let all = told.join("\n");
    for route in [USERS, ORDERS] {
        assert!(
            all.lines().any(|l| l.contains("alice") && l.contains(route) && l.contains(&id)),
            "no message about {route}: {all}"
        );
    }
    assert!(told.iter().all(|body| serde_json::from_str::<Value>(body).unwrap()["text"].is_string()), "{told:?}");
}
