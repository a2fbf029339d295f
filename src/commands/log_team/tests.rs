//! `cutover log --team` over an in-test journal: two operators' runs merged in time order, a
//! repeat shown once, presence entries left out, what cutover would not write counted, `--json`
//! with `by` and `run`, `--stats --team` with each switch's operator, and the errors' exit codes.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use clap::Parser;

use super::*;
use crate::audit::journal_entry::Presence;
use crate::audit::{Environment, Outcome, RecordKind};
use crate::backend::journal::{FilterPage, LoggedEvent};
use crate::domain::Target;

/// A log group in memory: its events (in the order given), answered two to a page.
struct Journal {
    group: String,
    events: Vec<LoggedEvent>,
    failure: Option<JournalError>,
    /// Every `FilterLogEvents` asked: its start and its token.
    asked: Mutex<Vec<(i64, Option<String>)>>,
}

impl Journal {
    fn new(group: &str, messages: &[(&str, String)]) -> Self {
        let events = messages
            .iter()
            .enumerate()
            .map(|(i, (stream, message))| LoggedEvent {
                stream: stream.to_string(),
                timestamp_ms: i as i64,
                ingestion_ms: None,
                message: message.clone(),
            })
            .collect();
        Journal { group: group.into(), events, failure: None, asked: Mutex::new(Vec::new()) }
    }
}

#[async_trait]
impl JournalCalls for Journal {
    fn group(&self) -> &str {
        &self.group
    }
    async fn ensure_group(&self) -> Result<(), JournalError> {
        Ok(())
    }
    async fn ensure_stream(&self, _stream: &str) -> Result<(), JournalError> {
        Ok(())
    }
    async fn put(&self, _stream: &str, _events: &[(i64, String)]) -> Result<(), JournalError> {
        Ok(())
    }
    async fn filter(
        &self,
        start_ms: i64,
        _end_ms: Option<i64>,
        next_token: Option<String>,
    ) -> Result<FilterPage, JournalError> {
        self.asked.lock().unwrap().push((start_ms, next_token.clone()));
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        let from: usize = next_token.as_deref().map_or(0, |t| t.parse().unwrap());
        let events = self.events.iter().skip(from).take(2).cloned().collect();
        let next_token = (from + 2 < self.events.len()).then(|| (from + 2).to_string());
        Ok(FilterPage { events, next_token })
    }
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    log: LogArgs,
    #[arg(long)]
    distribution: Option<String>,
}

fn args(argv: &[&str]) -> LogArgs {
    let cli = Cli::try_parse_from(std::iter::once("log").chain(argv.iter().copied())).unwrap();
    LogArgs { distribution: cli.distribution, ..cli.log }
}

fn now() -> Timestamp {
    "2026-12-07T10:00:00Z".parse().unwrap()
}

const ALICE: &str = "alice@laptop-7";
const BOB: &str = "bob@desk-2";
const ALICE_RUN: &str = "alice@laptop-7/2026-12-07T09-00-00Z/r1";
const BOB_RUN: &str = "bob@desk-2/2026-12-07T09-10-00Z/r2";

/// One of alice's switches on E1 (`/orders/*`, attempt `r1-1`), requested at 09:40:00.
fn alice(t: &str, kind: RecordKind) -> AuditRecord {
    AuditRecord::new(t.parse().unwrap(), kind, Environment::Live, "alice", "E1")
        .with_routes(["/orders/*"])
        .with_targets(Target::Lambda, Target::Origin)
        .with_requested_at("2026-12-07T09:40:00Z".parse().unwrap())
        .with_attempt("r1-1")
}

/// One of bob's on E1 (`/cart/*`, attempt `r2-1`), requested at 09:45:00.
fn bob(t: &str, kind: RecordKind) -> AuditRecord {
    AuditRecord::new(t.parse().unwrap(), kind, Environment::Live, "bob", "E1")
        .with_routes(["/cart/*"])
        .with_targets(Target::Origin, Target::Lambda)
        .with_requested_at("2026-12-07T09:45:00Z".parse().unwrap())
        .with_attempt("r2-1")
}

fn sent(by: &str, run: &str, seq: u64, record: AuditRecord) -> (&'static str, String) {
    let stream = if by == ALICE { ALICE_RUN } else { BOB_RUN };
    (stream, JournalEntry::of_record(by, run, seq, record).to_message())
}

/// Both runs' entries, as CloudWatch Logs might hand them over: stream by stream, not in time
/// order; alice's accepted record sent twice (a batch whose answer was lost); a presence entry;
/// an entry of another distribution and a line that is no entry.
fn journal() -> Journal {
    let ms = |n| Some(Duration::from_millis(n));
    let messages = vec![
        sent(ALICE, ALICE_RUN, 1, alice("2026-12-07T09:40:00Z", RecordKind::SwitchRequested)),
        sent(
            ALICE,
            ALICE_RUN,
            2,
            alice("2026-12-07T09:40:01Z", RecordKind::SwitchAccepted).with_durations(ms(1_000), None),
        ),
        sent(
            ALICE,
            ALICE_RUN,
            2,
            alice("2026-12-07T09:40:01Z", RecordKind::SwitchAccepted).with_durations(ms(1_000), None),
        ),
        sent(
            ALICE,
            ALICE_RUN,
            3,
            alice("2026-12-07T09:46:00Z", RecordKind::SwitchDeployed)
                .with_outcome(Outcome::Deployed)
                .with_durations(ms(1_000), ms(359_000)),
        ),
        (
            ALICE_RUN,
            JournalEntry::of_presence(
                ALICE,
                ALICE_RUN,
                4,
                Presence { what: "console".into(), until: "2026-12-07T09:50:00Z".parse().unwrap() },
            )
            .to_message(),
        ),
        sent(BOB, BOB_RUN, 1, bob("2026-12-07T09:45:00Z", RecordKind::SwitchRequested)),
        sent(
            BOB,
            BOB_RUN,
            2,
            bob("2026-12-07T09:45:02Z", RecordKind::SwitchFailed)
                .with_outcome(Outcome::Failed)
                .with_error("PreconditionFailed: the ETag changed"),
        ),
        sent(BOB, BOB_RUN, 3, bob("2026-12-07T09:47:00Z", RecordKind::GuardBreach).with_routes(["/cart/*"])),
        (
            BOB_RUN,
            JournalEntry::of_record(BOB, BOB_RUN, 4, bob("2026-12-07T09:48:00Z", RecordKind::SwitchRequested))
                .to_message()
                .replace("\"E1\"", "\"E9\""),
        ),
        ("mallory", "not json \u{1b}[2J".to_string()),
    ];
    Journal::new("/cutover/E1", &messages)
}

fn journals(journal: Journal) -> Vec<TeamJournal> {
    vec![TeamJournal { group: "/cutover/E1".into(), distributions: vec!["E1".into()], calls: Arc::new(journal) }]
}

async fn run_capture(argv: &[&str], journals: &[TeamJournal]) -> (Result<(), TeamLogError>, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let result = run_with(&args(argv), journals, now(), &mut out, &mut err).await;
    (result, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[tokio::test]
async fn every_operator_s_records_are_merged_in_time_order_each_with_who_sent_it() {
    assert!(args(&["--team"]).team);
    let (result, out, err) = run_capture(&[], &journals(journal())).await;
    result.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("TIME (UTC)            BY              MODE  KIND"), "{out}");
    let who_what: Vec<(&str, &str)> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split("  ").filter(|c| !c.is_empty()).map(str::trim).collect();
            (cells[1], cells[3])
        })
        .collect();
    assert_eq!(
        who_what,
        [
            (ALICE, "switch_requested"),
            (ALICE, "switch_accepted"),
            (BOB, "switch_requested"),
            (BOB, "switch_failed"),
            (ALICE, "switch_deployed"),
            (BOB, "guard_breach"),
        ],
        "the repeat once, no presence, time order across runs: {out}"
    );
    // What cutover would not write is counted by reason, its text escaped.
    let warnings: Vec<&str> = err.lines().collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(err.contains("warning: /cutover/E1: 1 journal entry skipped: about distribution E9"), "{err}");
    assert!(err.contains("1 journal entry skipped: not a journal entry"), "{err}");
    assert!(!err.contains('\u{1b}') && !out.contains('\u{1b}'));
}

#[tokio::test]
async fn json_is_one_object_a_line_the_record_with_by_and_run() {
    let (result, out, _) = run_capture(&["--json", "--route", "/cart/*"], &journals(journal())).await;
    result.unwrap();
    let objects: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(objects.len(), 3, "{out}");
    for object in &objects {
        assert_eq!((object["by"].as_str(), object["run"].as_str()), (Some(BOB), Some(BOB_RUN)));
        assert_eq!(object["distribution"], "E1");
        // The record's own fields read back as a record.
        serde_json::from_value::<AuditRecord>(object.clone()).unwrap();
    }
    assert_eq!(objects[1]["kind"], "switch_failed");
}

#[tokio::test]
async fn since_reads_the_group_from_then_and_ends_now() {
    let journal = Arc::new(journal());
    let journals =
        vec![TeamJournal { group: "/cutover/E1".into(), distributions: vec!["E1".into()], calls: journal.clone() }];
    let (result, out, _) = run_capture(&["--since", "15m", "--json"], &journals).await;
    result.unwrap();
    let kinds: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["switch_requested", "switch_failed", "switch_deployed", "guard_breach"]);
    let asked = journal.asked.lock().unwrap().clone();
    let from: i64 = "2026-12-07T09:45:00Z".parse::<Timestamp>().unwrap().as_millisecond();
    assert!(asked.iter().all(|(start, _)| *start == from), "{asked:?}");
    // Ten events, two a page: every page read.
    assert_eq!(asked.len(), 5);
}

#[tokio::test]
async fn stats_are_the_team_s_with_each_switch_s_operator() {
    let (result, out, err) = run_capture(&["--stats"], &journals(journal())).await;
    result.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let words = |l: &str| l.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("|");
    assert_eq!(
        lines[..3].iter().map(|l| words(l)).collect::<Vec<_>>(),
        [
            "REQUESTED (UTC)|OPERATOR|MODE|DISTRIBUTION|ROUTES|MOVE|VIA|OUTCOME|ACCEPTED|EDGE|TRAFFIC MOVED|VIEWERS OK|DEPLOYED",
            "2026-12-07T09:40:00Z|alice@laptop-7|live|E1|/orders/*|λ Lambda → ◼ origin|behavior|deployed|1.0s|—|—|—|6m 00s",
            "2026-12-07T09:45:00Z|bob@desk-2|live|E1|/cart/*|◼ origin → λ Lambda|behavior|failed|—|—|—|—|—",
        ],
        "{out}"
    );
    assert_eq!(err.lines().count(), 2, "the same two entries skipped: {err}");

    let (result, out, _) = run_capture(&["--stats", "--json"], &journals(journal())).await;
    result.unwrap();
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by: Vec<&str> = stats["switches"].as_array().unwrap().iter().map(|s| s["by"].as_str().unwrap()).collect();
    assert_eq!(by, [ALICE, BOB]);
    assert_eq!(stats["stages"]["request_to_deployed"]["count"], 1);
}

#[tokio::test]
async fn stats_since_keep_switches_whole_by_their_request() {
    // 17 minutes back is 09:43: alice's switch (requested 09:40) is out, bob's (09:45) in.
    let (result, out, _) = run_capture(&["--stats", "--json", "--since", "17m"], &journals(journal())).await;
    result.unwrap();
    let stats: serde_json::Value = serde_json::from_str(&out).unwrap();
    let routes: Vec<&str> =
        stats["switches"].as_array().unwrap().iter().map(|s| s["routes"][0].as_str().unwrap()).collect();
    assert_eq!(routes, ["/cart/*"]);
}

#[tokio::test]
async fn an_empty_journal_says_so_and_json_stays_valid() {
    let empty = || journals(Journal::new("/cutover/E1", &[]));
    let (result, out, _) = run_capture(&["--since", "5m"], &empty()).await;
    result.unwrap();
    assert_eq!(out, "no audit records in the team journal /cutover/E1 since 2026-12-07T09:55:00Z (5m ago)\n");
    let (result, out, err) = run_capture(&["--json"], &empty()).await;
    result.unwrap();
    assert_eq!((out.as_str(), err.as_str()), ("", "no audit records in the team journal /cutover/E1\n"));
    let (result, out, _) = run_capture(&["--stats", "--json"], &empty()).await;
    result.unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["switches"], serde_json::json!([]));
}

#[tokio::test]
async fn a_journal_that_does_not_answer_is_an_error_that_says_what_to_do() {
    let mut denied = Journal::new("/cutover/E1", &[]);
    denied.failure = Some(JournalError::AccessDenied("not authorized to perform logs:FilterLogEvents".into()));
    let (result, _, _) = run_capture(&[], &journals(denied)).await;
    let error = result.unwrap_err();
    assert_eq!(error.exit_code(), 1);
    let text = error.to_string();
    assert!(text.starts_with("cannot read the team journal /cutover/E1: access denied"), "{text}");
    assert!(text.ends_with("needs logs:FilterLogEvents on the log group"), "{text}");
}

fn config(text: &str) -> Config {
    crate::config::parse(text, "cutover.toml").unwrap()
}

const TWO: &str = "[[distribution]]\nid = \"E1\"\nlambda_origins = [\"l\"]\nlegacy_origins = [\"o\"]\n\
                   [[distribution]]\nid = \"E2\"\nlambda_origins = [\"l\"]\nlegacy_origins = [\"o\"]\n";

#[test]
fn each_distribution_reads_its_group_and_a_shared_group_is_read_once() {
    let own = config(&format!("[team]\n{TWO}"));
    assert_eq!(
        groups(&own, None).unwrap(),
        [("/cutover/E1".to_string(), vec!["E1".to_string()]), ("/cutover/E2".to_string(), vec!["E2".to_string()])]
    );
    assert_eq!(groups(&own, Some("E2")).unwrap(), [("/cutover/E2".to_string(), vec!["E2".to_string()])]);
    let shared = config(&format!("[team]\nlog_group = \"/oncall\"\n{TWO}"));
    assert_eq!(groups(&shared, None).unwrap(), [("/oncall".to_string(), vec!["E1".to_string(), "E2".to_string()])]);
}

#[test]
fn without_team_or_with_an_unknown_distribution_the_error_is_the_user_s_to_fix() {
    let error = groups(&config(TWO), None).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().starts_with("the config file cutover.toml has no [team] table"), "{error}");
    let error = groups(&config(&format!("[team]\n{TWO}")), Some("E7")).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert_eq!(error.to_string(), "distribution E7 is not in the config file cutover.toml; it has E1, E2");
    assert_eq!(TeamLogError::Demo.exit_code(), 2);
    assert_eq!(TeamLogError::Connect("no region".into()).exit_code(), 1);
}

#[tokio::test]
async fn a_shared_group_reads_each_distribution_s_entries() {
    let e2 = AuditRecord::new(
        "2026-12-07T09:41:00Z".parse().unwrap(),
        RecordKind::GuardBreach,
        Environment::Live,
        "bob",
        "E2",
    )
    .with_routes(["/x/*"]);
    let messages = vec![
        sent(ALICE, ALICE_RUN, 1, alice("2026-12-07T09:40:00Z", RecordKind::SwitchRequested)),
        sent(BOB, BOB_RUN, 1, e2),
    ];
    let shared = vec![TeamJournal {
        group: "/oncall".into(),
        distributions: vec!["E1".into(), "E2".into()],
        calls: Arc::new(Journal::new("/oncall", &messages)),
    }];
    let (result, out, err) = run_capture(&["--json"], &shared).await;
    result.unwrap();
    assert_eq!(err, "");
    let distributions: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["distribution"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(distributions, ["E1", "E2"]);
}
