//! The audit trail before a headless change. A switch nobody can account for afterwards is a
//! second incident, so `switch` and `rollback-all` check that the trail can take a record before
//! they ask or send anything, and refuse when it cannot — unless the responder says `--no-audit`,
//! in which case they go on and every record the trail cannot take is printed on standard error
//! as one JSON line (the trail's own format), where a terminal or a CI log keeps it.

use std::io::Write;

use super::HeadlessError;
use super::apply::Proposal;
use super::drive::EventPrinter;
use crate::app::runtime::Runtime;
use crate::backend::Backend;

/// `Ok` when every planned change's trail can be written, or when `no_audit` lets cutover go on
/// without it (then said on `printer`); else the refusal, which has sent nothing.
pub fn require_audit_trail<B: Backend, W: Write>(
    runtime: &mut Runtime<B>,
    plans: &[Proposal],
    no_audit: bool,
    printer: &mut EventPrinter<W>,
) -> Result<(), HeadlessError> {
    if plans.is_empty() {
        return Ok(());
    }
    let Err(why) = runtime.check_audit() else { return Ok(()) };
    if !no_audit {
        return Err(HeadlessError::Refused(format!(
            "nothing was sent: the audit trail cannot be written ({why}); make it writable, or add --no-audit \
             to go ahead with every record printed on standard error as a JSON line instead"
        )));
    }
    printer.print_all(&runtime.console);
    printer.note(
        "going on without the audit trail (--no-audit): every record it cannot take follows on standard error \
         as one JSON line; keep them",
    );
    Ok(())
}
