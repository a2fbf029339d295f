//! Ctrl-C while `cutover stage --deployment` waits for `UpdateStage`: the move gets its
//! `stage_abandoned` record, saying why, and the command exits 130, as a switch does
//! (`headless_interrupt.rs`). Its own test binary, because the signal goes to the whole process.

mod support;

use std::time::Duration;

use cutover::audit::{AuditLog, RecordKind, read_trail};
use cutover::commands::headless::{Confirmer, EventPrinter, HeadlessError, StageArgs, run_stage};
use support::pty::TempDir;

struct Yes;

impl Confirmer for Yes {
    fn confirm(&mut self, _: &str) -> Result<bool, HeadlessError> {
        Ok(true)
    }
}

/// Real time at 10× speed: `UpdateStage` may take 60 s of the console's time (6 s), and the
/// signal arrives a second in.
#[tokio::test]
async fn ctrl_c_while_update_stage_is_out_records_stage_abandoned_and_exits_130() {
    let dir = TempDir::new("cutover-stage-interrupt");
    let trail = AuditLog::at(dir.path().join("audit.jsonl"));
    let mut runtime = support::unanswered_stage_demo().await.with_audit(trail.clone());

    let pid = std::process::id().to_string();
    let interrupt = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap()
    });
    let args = StageArgs {
        route: "/orders/*".into(),
        list: false,
        json: false,
        deployment: Some("d0".into()),
        yes: true,
        no_audit: false,
    };
    let mut printer = EventPrinter::new(Vec::new());
    let result = run_stage(&mut runtime, &args, &mut printer, &mut Yes).await;
    assert!(interrupt.join().unwrap().success());

    let Err(error) = result else { panic!("finished despite Ctrl-C") };
    assert!(matches!(error, HeadlessError::Interrupted("SIGINT")), "{error}");
    assert_eq!(error.exit_code(), 130);
    let printed = String::from_utf8(printer.into_inner()).unwrap();
    assert!(printed.contains("abandoned: cutover got SIGINT while waiting for UpdateStage's answer"), "{printed}");
    let trail = read_trail(trail.path()).unwrap();
    let kinds: Vec<RecordKind> = trail.records().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::StageRequested, RecordKind::StageAbandoned]);
    let last = trail.records().last().unwrap();
    assert!(last.error.as_deref().unwrap().contains("may serve either deployment"), "{last:?}");
}
