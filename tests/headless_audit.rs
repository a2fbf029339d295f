//! Headless changes and the audit trail, on the simulator with a paused clock: an unwritable
//! trail stops `switch` and `rollback-all` before anything is asked or sent; `--no-audit` goes
//! on and hands every record the trail could not take to standard error (here: a buffer) as the
//! trail's own JSON lines; a trail that breaks mid-run loses no record either.

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cutover::app::runtime::Runtime;
use cutover::audit::{AuditLog, AuditRecord, RecordKind};
use cutover::backend::sim::{Scenario, SimBackend};
use cutover::commands::headless::{
    ApplyArgs, Confirmer, EventPrinter, HeadlessError, carry_out, plan_rollback_all, require_audit_trail,
};
use cutover::domain::Target;
use support::pty::TempDir;
use support::{Drive, demo};

/// Records the questions; says yes.
struct Yes(Vec<String>);

impl Confirmer for Yes {
    fn confirm(&mut self, question: &str) -> Result<bool, HeadlessError> {
        self.0.push(question.to_string());
        Ok(true)
    }
}

/// Standard error, as the test reads it afterwards.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn records(&self) -> Vec<AuditRecord> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
    }
}

fn args(no_audit: bool) -> ApplyArgs {
    ApplyArgs { yes: true, wait: true, timeout: Duration::from_secs(30 * 60), force: false, reason: None, no_audit }
}

/// The demo with its trail at `trail`, records it cannot store going to the returned buffer.
async fn session(trail: PathBuf) -> (Runtime<SimBackend>, Arc<SimBackend>, Captured) {
    let (session, backend) = demo(Scenario::Calm, 1).await;
    let mut session = session.with_audit(AuditLog::at(trail));
    let unstored = Captured::default();
    session.keep_unstored_audit_in(Box::new(unstored.clone()));
    (session, backend, unstored)
}

/// A trail path that cannot be created, for root too: its parent is a regular file.
fn unwritable(dir: &TempDir) -> PathBuf {
    std::fs::write(dir.path().join("file"), "").unwrap();
    dir.path().join("file/cutover/audit.jsonl")
}

#[tokio::test(start_paused = true)]
async fn an_unwritable_trail_refuses_before_asking_or_sending_and_names_no_audit() {
    let dir = TempDir::new("cutover-gate-refuse");
    let (mut runtime, backend, unstored) = session(unwritable(&dir)).await;
    let (plans, _) = plan_rollback_all(&mut runtime).unwrap();
    let mut printer = EventPrinter::new(Vec::new());

    let error = require_audit_trail(&mut runtime, &plans, false, &mut printer).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    let message = error.to_string();
    assert!(
        message.starts_with("nothing was sent: the audit trail cannot be written (cannot create the audit directory ")
    );
    assert!(message.contains("add --no-audit to go ahead"), "{message}");

    runtime.run_until(Duration::from_secs(300), |_| false).await;
    assert_eq!(backend.updates_accepted(), 0);
    assert!(runtime.state().moves.is_empty());
    assert!(unstored.records().is_empty(), "nothing happened, so there is nothing to record");
}

#[tokio::test(start_paused = true)]
async fn no_audit_goes_on_and_every_record_lands_on_standard_error_as_a_trail_line() {
    let dir = TempDir::new("cutover-gate-no-audit");
    let (mut runtime, backend, unstored) = session(unwritable(&dir)).await;
    let (plans, _) = plan_rollback_all(&mut runtime).unwrap();
    let mut printer = EventPrinter::new(Vec::new());

    require_audit_trail(&mut runtime, &plans, true, &mut printer).unwrap();
    let mut yes = Yes(Vec::new());
    let applied = carry_out(&mut runtime, &plans, &args(true), &mut yes, &mut printer).await.unwrap();
    assert!(applied.finish().1.is_none());
    assert_eq!(backend.updates_accepted(), 1);
    assert!(runtime.state().notices.audit_failure.is_some(), "the console would show it");

    let printed = String::from_utf8(printer.into_inner()).unwrap();
    assert!(printed.contains("the audit trail could not be written: cannot create the audit directory"), "{printed}");
    assert!(printed.contains("going on without the audit trail (--no-audit)"), "{printed}");
    let records = unstored.records();
    // The switch's own steps, in order; the moment its traffic was seen moved may come among them.
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).filter(|k| *k != RecordKind::TrafficMoved).collect();
    assert_eq!(kinds, [RecordKind::SwitchRequested, RecordKind::SwitchAccepted, RecordKind::SwitchDeployed]);
    for record in &records {
        assert_eq!(record.routes, ["/user/*", "/orders/*", "/cart/*", "/catalog/*"]);
        assert_eq!((record.from, record.to), (Some(Target::Lambda), Some(Target::Origin)));
    }
}

#[tokio::test(start_paused = true)]
async fn a_trail_that_breaks_after_the_check_still_loses_no_record() {
    let dir = TempDir::new("cutover-gate-breaks");
    let trail = dir.path().join("state/cutover/audit.jsonl");
    let (mut runtime, backend, unstored) = session(trail.clone()).await;
    let (plans, _) = plan_rollback_all(&mut runtime).unwrap();
    let mut printer = EventPrinter::new(Vec::new());
    require_audit_trail(&mut runtime, &plans, false, &mut printer).unwrap();

    // Between the check and the first record, the directory is replaced by a file.
    let state = trail.parent().unwrap();
    std::fs::remove_dir_all(state).unwrap();
    std::fs::write(state, "").unwrap();
    let mut yes = Yes(Vec::new());
    carry_out(&mut runtime, &plans, &args(false), &mut yes, &mut printer).await.unwrap();
    assert_eq!(backend.updates_accepted(), 1);
    let steps = unstored.records().into_iter().filter(|r| r.kind != RecordKind::TrafficMoved).count();
    assert_eq!(steps, 3, "requested, accepted and deployed, all on standard error");
}
