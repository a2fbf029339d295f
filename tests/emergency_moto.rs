//! The emergency commands as the real binary against moto (CloudFront, STS) and LocalStack
//! (CloudWatch) on a machine that misbehaves: broken themes, a state directory that cannot be
//! written, standard output and error closed early, and AWS strings that carry characters a
//! terminal would obey. `status`, `switch` and `rollback-all` must still do their job, or refuse
//! with one sentence before sending anything when the audit trail cannot be written.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use cutover::audit::{AuditRecord, RecordKind, read_trail};
use serde_json::Value;
use support::binary::{code, shown, stderr, stdout};
use support::emulators::{binary_env, clients, create_half_migrated_distribution, distribution_config};
use support::pty::TempDir;

const REGION: &str = "eu-west-1";
const USERS: &str = "/api/users/*";
const ORDERS: &str = "/api/orders/*";

/// A home with a config for distribution `id`, and where its state directory is.
struct Home {
    dir: TempDir,
    config: PathBuf,
    state: PathBuf,
}

impl Home {
    fn new(id: &str) -> Self {
        let dir = TempDir::new("cutover-emergency-moto");
        let config = dir.path().join("cutover.toml");
        let text = format!(
            "latency_statistic = \"Average\"\n\n[[distribution]]\nid = \"{id}\"\nlambda_origins = [\"apigw\"]\n\
             legacy_origins = [\"legacy\"]\n"
        );
        std::fs::write(&config, text).unwrap();
        let state = dir.path().join("state");
        Home { dir, config, state }
    }

    /// The same, with a state directory that cannot be created (for root too): under a regular file.
    fn unwritable(id: &str) -> Self {
        let home = Home::new(id);
        std::fs::write(home.dir.path().join("file"), "").unwrap();
        Home { state: home.dir.path().join("file/state"), ..home }
    }

    fn break_themes(&self) {
        let themes = self.dir.path().join("config/cutover/themes");
        std::fs::create_dir_all(&themes).unwrap();
        std::fs::write(themes.join("dark.toml"), "[base]\nfg = \"no such colour\"\n").unwrap();
    }

    fn trail(&self) -> PathBuf {
        self.state.join("cutover/audit.jsonl")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cutover"));
        command
            .env_remove("AWS_PROFILE")
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .envs(binary_env(REGION).iter().map(|(k, v)| (*k, v.as_str())))
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", &self.state)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("USER", "runbook")
            .env_remove("CUTOVER_THEME")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        shown(args, tokio::task::block_in_place(|| self.command(args).envs(env.iter().copied()).output().unwrap()))
    }
}

/// What moto says the route's cache behavior targets now, read with the SDK alone.
async fn origin_in_moto(id: &str, path: &str) -> String {
    let answer = clients(REGION).cloudfront.get_distribution_config().id(id).send().await.unwrap();
    let config = answer.distribution_config.unwrap();
    let behaviors = config.cache_behaviors.map(|b| b.items.unwrap_or_default()).unwrap_or_default();
    let behavior = behaviors.iter().find(|b| b.path_pattern == path).unwrap_or_else(|| panic!("no behavior {path:?}"));
    behavior.target_origin_id.clone()
}

/// The lines of standard error that are audit records, in order.
fn records_on_stderr(output: &Output) -> Vec<AuditRecord> {
    stderr(output).lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_themes_do_not_touch_the_commands_without_a_screen() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "emergency-themes").await;
    let home = Home::new(&id);
    home.break_themes();
    let env = [("CUTOVER_THEME", "unknown")];

    let status = home.run(&["status"], &env);
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    let switched = home.run(&["switch", USERS, "--to", "origin", "--yes"], &env);
    assert_eq!(code(&switched), 0);
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
    let rolled = home.run(&["--theme", "nope", "rollback-all", "--yes"], &[]);
    assert_eq!(code(&rolled), 0);
    assert_eq!(origin_in_moto(&id, ORDERS).await, "legacy");
    let log = home.run(&["log"], &env);
    assert_eq!(code(&log), 0);
    for output in [&status, &switched, &rolled, &log] {
        assert!(!stderr(output).contains("theme"), "{}", stderr(output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_state_directory_refuses_changes_unless_no_audit_which_prints_the_records() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "emergency-state").await;
    let home = Home::unwritable(&id);

    let status = home.run(&["status"], &[]);
    assert_eq!(code(&status), 0);
    assert_eq!(stderr(&status).lines().count(), 1, "one warning: {}", stderr(&status));
    assert!(stderr(&status).starts_with("cutover: logging is off: cannot create the log directory "));
    assert!(stdout(&status).contains(USERS));

    for args in [&["switch", USERS, "--to", "origin", "--yes"][..], &["rollback-all", "--yes"][..]] {
        let refused = home.run(args, &[]);
        assert_eq!(code(&refused), 2, "{args:?}");
        let last = stderr(&refused).lines().last().unwrap().to_string();
        assert!(
            last.starts_with(
                "cutover: nothing was sent: the audit trail cannot be written (cannot create the audit directory "
            ),
            "{last}"
        );
        assert!(last.contains("add --no-audit to go ahead"), "{last}");
        assert!(records_on_stderr(&refused).is_empty());
    }
    assert_eq!(origin_in_moto(&id, USERS).await, "apigw", "nothing was sent");
    assert_eq!(origin_in_moto(&id, ORDERS).await, "apigw", "nothing was sent");

    let switched = home.run(&["switch", USERS, "--to", "origin", "--yes", "--wait", "--no-audit"], &[]);
    assert_eq!(code(&switched), 0);
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
    assert!(stderr(&switched).contains("going on without the audit trail (--no-audit)"));
    let records = records_on_stderr(&switched);
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::SwitchRequested, RecordKind::SwitchAccepted, RecordKind::SwitchDeployed]);
    assert!(records.iter().all(|r| r.distribution == id && r.routes == [USERS] && r.operator == "runbook"));

    let rolled = home.run(&["rollback-all", "--yes", "--no-audit"], &[]);
    assert_eq!(code(&rolled), 0);
    assert_eq!(origin_in_moto(&id, ORDERS).await, "legacy");
    assert!(records_on_stderr(&rolled).iter().any(|r| r.kind == RecordKind::SwitchAccepted && r.routes == [ORDERS]));
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_pipes_neither_panic_nor_stop_a_rollback_half_way() {
    let id = create_half_migrated_distribution(&clients(REGION).cloudfront, "emergency-pipes").await;
    let home = Home::new(&id);

    // `cutover status | head -0`
    let status = tokio::task::block_in_place(|| home.command(&["status"]).stdout(closed()).output().unwrap());
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    assert!(!stderr(&status).contains("panicked"), "{}", stderr(&status));

    // `cutover rollback-all --yes --wait 2>&1 | true`: nobody reads either stream.
    let rolled = tokio::task::block_in_place(|| {
        home.command(&["rollback-all", "--yes", "--wait"]).stdout(closed()).stderr(closed()).status().unwrap()
    });
    assert_eq!(rolled.code(), Some(0), "a panic would be 101");
    assert_eq!(origin_in_moto(&id, USERS).await, "legacy");
    assert_eq!(origin_in_moto(&id, ORDERS).await, "legacy");
    let kinds: Vec<RecordKind> = read_trail(&home.trail()).unwrap().records().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::SwitchRequested, RecordKind::SwitchAccepted, RecordKind::SwitchDeployed]);
}

/// Path patterns can hold what XML allows: C1 controls, `\r`, bidi overrides, zero-width spaces.
#[tokio::test(flavor = "multi_thread")]
async fn aws_strings_that_a_terminal_would_obey_are_printed_as_escapes() {
    let bidi = "/api/\u{202e}sredro/*";
    let csi = "/api/\u{9b}2J\r\u{200b}/*";
    let cloudfront = clients(REGION).cloudfront;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let config = distribution_config(&format!("emergency-escapes-{nanos}"), &[(bidi, "apigw"), (csi, "legacy")]);
    let created = cloudfront.create_distribution().distribution_config(config).send().await.unwrap();
    let id = created.distribution.unwrap().id;
    let home = Home::new(&id);
    let offending = |text: &str| -> Vec<char> {
        text.chars().filter(|&c| (c.is_control() && c != '\n') || ['\u{202e}', '\u{200b}'].contains(&c)).collect()
    };

    let status = home.run(&["status"], &[]);
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    assert_eq!(offending(&stdout(&status)), Vec::<char>::new());
    assert!(stdout(&status).contains("/api/\\u{202e}sredro/*"), "{}", stdout(&status));
    assert!(stdout(&status).contains("/api/\\u{9b}2J\\r\\u{200b}/*"), "{}", stdout(&status));

    let json = home.run(&["status", "--json"], &[]);
    assert_eq!(offending(&stdout(&json)), Vec::<char>::new(), "as JSON escapes");
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let paths: Vec<&str> =
        report["distributions"][0]["routes"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&bidi) && paths.contains(&csi), "JSON keeps the strings exactly: {paths:?}");

    let switched = home.run(&["switch", bidi, "--to", "origin", "--yes"], &[]);
    assert_eq!(code(&switched), 0);
    assert_eq!(offending(&stdout(&switched)), Vec::<char>::new());
    assert_eq!(offending(&stderr(&switched)), Vec::<char>::new());
    assert!(stderr(&switched).contains("/api/\\u{202e}sredro/*"), "{}", stderr(&switched));
    assert_eq!(origin_in_moto(&id, bidi).await, "legacy");

    let log = home.run(&["log"], &[]);
    assert_eq!(offending(&stdout(&log)), Vec::<char>::new());
    assert!(stdout(&log).contains("/api/\\u{202e}sredro/*"));
    assert!(
        read_trail(&home.trail()).unwrap().records().all(|r| r.routes == [bidi]),
        "the trail keeps the path as it is"
    );

    let unknown = home.run(&["switch", "/x\u{1b}[2J", "--to", "origin", "--yes"], &[]);
    assert_eq!(code(&unknown), 2);
    assert_eq!(offending(&stderr(&unknown)), Vec::<char>::new(), "the error echoes the argument escaped");
}
