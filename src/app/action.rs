//! What reaches `update` (actions: keys as commands, the clock, backend results) and what comes
//! out of it (effects: the work the runtime performs off the UI task).

use std::time::Duration;

use jiff::Timestamp;

use super::command::Command;
use crate::audit::AuditRecord;
use crate::backend::{BackendError, FaultSet};
use crate::domain::{DeployStatus, MetricsSnapshot, RouteChange, Topology};

/// Everything that can change the state, delivered by value: keys turned into commands, the
/// clock, and results of backend calls.
#[derive(Clone, Debug)]
pub enum Action {
    Tick(Timestamp),
    Command(Command),
    TopologyLoaded {
        generation: u64,
        result: Result<Topology, BackendError>,
    },
    MetricsLoaded(Result<MetricsSnapshot, BackendError>),
    /// A switch met a stale ETag and is re-reading the config.
    SwitchConflict {
        id: u64,
        stale_etag: String,
    },
    SwitchAccepted {
        id: u64,
        etag_before: String,
        etag_after: String,
        status: DeployStatus,
        already_there: Vec<String>,
    },
    SwitchFailed {
        id: u64,
        error: BackendError,
    },
    DeployStatus {
        distribution_id: String,
        result: Result<DeployStatus, BackendError>,
    },
    /// Quit was asked for; `elsewhere` are unfinished switches of the console's other distributions.
    QuitRequested {
        elsewhere: Vec<String>,
    },
    /// Stop following every unfinished switch, recording why, and quit (a signal, a confirmed quit,
    /// a headless run ending).
    Abandon {
        reason: String,
    },
    /// Headless `--force --reason`: send the open dialog's switch past the pre-flight, with the reason.
    ConfirmForced {
        reason: String,
    },
    /// Whether the audit trail took the record just written, or (checked before anything is sent)
    /// could take one; the error in words when not.
    AuditTrail(Result<(), String>),
}

/// Work `update` asks for; the effect runner performs it off the UI task and answers with actions.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadTopology {
        generation: u64,
    },
    LoadMetrics {
        paths: Vec<String>,
    },
    Switch {
        id: u64,
        distribution_id: String,
        changes: Vec<RouteChange>,
    },
    /// Wait (in the console's time), then read the distribution's deploy status once.
    PollDeploy {
        distribution_id: String,
        after: Duration,
    },
    /// Tell the backend which faults to have from now on (only the demo's simulated AWS obeys).
    InjectFaults(FaultSet),
    /// Ring the terminal bell.
    Bell,
    /// Append a record to the audit trail, synced to disk before the screen shows the step.
    Audit(Box<AuditRecord>),
}
