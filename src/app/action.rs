//! What reaches `update` (actions: keys as commands, the clock, backend results) and what comes
//! out of it (effects: the work the runtime performs off the UI task).

use std::time::Duration;

use jiff::Timestamp;

use super::command::Command;
use super::intent::Dialog;
use super::model::team::TrailWrite;
use crate::audit::AuditRecord;
use crate::audit::journal_entry::JournalEntry;
use crate::backend::share::{ShareChange, SharesAccepted, StoreState};
use crate::backend::{BackendError, FaultSet};
use crate::domain::probe::{ProbeAnswer, ProbeSpec};
use crate::domain::stage::{StageDeployments, StageRef};
use crate::domain::{DeployStatus, MetricsSnapshot, ReadBack, RouteChange, Topology};

/// Everything that can change the console, delivered by value to the one `update`: keys turned
/// into commands, the clock, and what the runtime learned. `Tick`, `Command` and `Abandon` concern
/// the whole console; everything else is about one distribution and travels in its envelope (`To`).
// Each action is made once and moved once through the channel; a distribution's event is as large
// as it was before the envelope, and boxing it would only add an allocation per answer.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Action {
    /// The console's time: every distribution refreshes and follows its rollouts by it.
    Tick(Timestamp),
    /// A key, for the distribution shown (or the console: tabs, theme, quitting).
    Command(Command),
    /// Stop following every unfinished move of every distribution, recording why, and quit (a
    /// signal, a confirmed quit, the terminal's input ending, a headless run ending).
    Abandon { reason: String },
    /// Something about one distribution: it goes there alone.
    To(To),
}

impl Action {
    /// `event` for distribution `distribution_id`.
    pub fn to(distribution_id: impl Into<String>, event: Event) -> Action {
        Action::To(To { distribution_id: distribution_id.into(), event })
    }

    /// The distribution this action is about; `None` for the console-wide ones.
    pub fn distribution_id(&self) -> Option<&str> {
        match self {
            Action::To(to) => Some(&to.distribution_id),
            Action::Tick(_) | Action::Command(_) | Action::Abandon { .. } => None,
        }
    }
}

/// The envelope of what concerns one distribution: which, and what.
#[derive(Clone, Debug)]
pub struct To {
    pub distribution_id: String,
    pub event: Event,
}

/// What one distribution hears: a backend's answer, a key meant for it, a headless request.
#[derive(Clone, Debug)]
pub enum Event {
    TopologyLoaded {
        generation: u64,
        result: Result<Topology, BackendError>,
    },
    MetricsLoaded {
        result: Result<MetricsSnapshot, BackendError>,
    },
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
        /// The distribution read again right after: a switch is done only when it agrees.
        read_back: Result<ReadBack, BackendError>,
    },
    SwitchFailed {
        id: u64,
        error: BackendError,
    },
    /// A deploy poll's answer: the status and every route's origin, read again.
    DeployStatus {
        result: Result<ReadBack, BackendError>,
    },
    /// The router's store as read: its ETag and every routed route's record.
    SharesLoaded {
        generation: u64,
        result: Result<StoreState, BackendError>,
    },
    /// The store took a share move (one `UpdateKeys` per 50 routes, each with the ETag before it).
    /// A stale ETag on the way comes as `SwitchConflict`, a refusal as `SwitchFailed`.
    SharesAccepted {
        id: u64,
        accepted: SharesAccepted,
    },
    /// A probe of a route through the distribution came back (or gave up): a finding, never an error.
    ProbeAnswered {
        route: String,
        answer: ProbeAnswer,
    },
    /// Stop following one distribution's unfinished switches, recording why (a headless run that
    /// ends at acceptance, or whose `--timeout` ran out).
    StopFollowing {
        reason: String,
    },
    /// A key's command for this distribution, shown or not: headless commands act on the
    /// distribution a route lives in.
    Command(Command),
    /// Headless commands: show the dialog the planner (`intent::plan`) made, as the key would.
    Show(Dialog),
    /// Headless `--force --reason`: send the open dialog's switch past the pre-flight, with the reason.
    ConfirmForced {
        reason: String,
    },
    /// Whether the audit trail took the distribution's record just written, or (checked before
    /// anything is sent) could take one; the error in words when not.
    AuditTrail {
        result: Result<(), String>,
    },
    /// A route's stage's deployments, read for the stage rollback's picker.
    StageLoaded {
        path: String,
        result: Result<StageDeployments, BackendError>,
    },
    /// Records read off the distribution's real-time log stream, each one or more lines.
    EdgeRecords {
        shard: String,
        records: Vec<bytes::Bytes>,
        /// How far behind the shard's tip the read is (0: caught up), when Kinesis said.
        millis_behind: Option<i64>,
    },
    /// The real-time log stream could not be read (and why), or reads again (`None`).
    EdgeStream {
        trouble: Option<String>,
    },
    /// The reader lists the stream's shards: it reads them from five minutes back (at its first
    /// listing), so every second since then is known.
    EdgeShards {
        reading: usize,
        /// Shards read to their end (a reshard's parents): no longer behind.
        finished: Vec<String>,
        look_back: Duration,
    },
    /// New entries read from the team journal, others' only, in time order.
    JournalHeard {
        entries: Vec<JournalEntry>,
    },
    /// Entries of the journal this cutover refuses (too large, unreadable, newer), and why.
    JournalRefused {
        count: u64,
        why: String,
    },
    /// The team journal could not be read (and why), or reads again (`None`).
    JournalReading {
        trouble: Option<String>,
    },
    /// How this run's records are reaching the team journal: kept and not yet sent, sent so far,
    /// and why sending fails (`None`: it works).
    JournalSending {
        pending: usize,
        sent: u64,
        trouble: Option<String>,
    },
    /// CloudTrail's `UpdateDistribution` events of the distribution in a span, for the authors of
    /// outside changes.
    AuthorsFound {
        result: Result<Vec<TrailWrite>, BackendError>,
    },
    /// Whether `UpdateStage` of stage move `id` was accepted.
    StageSet {
        id: u64,
        /// The deployment the stage serves when read back after `UpdateStage` took the move; or
        /// why the move (or the read after it) failed.
        result: Result<String, BackendError>,
    },
}

/// Work `update` asks for: the runtime's own (the bell, an audit record) or one distribution's,
/// which travels in its envelope (`On`) to the runner over that distribution's ports.
// As with `Action`: made once, moved once; boxing the work would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Ring the terminal bell.
    Bell,
    /// Append a record to the audit trail, synced to disk before the screen shows the step.
    Audit(Box<AuditRecord>),
    /// Work for one distribution's ports.
    On(On),
}

impl Effect {
    /// `work` for distribution `distribution_id`.
    pub fn on(distribution_id: impl Into<String>, work: Work) -> Effect {
        Effect::On(On { distribution_id: distribution_id.into(), work })
    }
}

/// The envelope of one distribution's work: which, and what.
#[derive(Clone, Debug, PartialEq)]
pub struct On {
    pub distribution_id: String,
    pub work: Work,
}

/// What one distribution's runner does: read, move, poll, probe.
#[derive(Clone, Debug, PartialEq)]
pub enum Work {
    LoadTopology {
        generation: u64,
    },
    LoadMetrics {
        paths: Vec<String>,
    },
    Switch {
        id: u64,
        changes: Vec<RouteChange>,
    },
    /// Read the router's store: its ETag and every routed route's share.
    LoadShares {
        generation: u64,
    },
    /// Move routed routes' shares in the router's store, safely (`backend::share::set_shares`).
    SetShares {
        id: u64,
        changes: Vec<ShareChange>,
    },
    /// Wait (in the console's time), then read the distribution's deploy status once.
    PollDeploy {
        after: Duration,
    },
    /// Send one probe through the distribution (no AWS credentials; the prober's cap applies).
    Probe {
        spec: ProbeSpec,
    },
    /// Tell the distribution's backend which faults to have from now on (only the demo's simulated
    /// AWS obeys).
    InjectFaults {
        faults: FaultSet,
    },
    /// Start reading the distribution's real-time log stream, for the console's life.
    ReadEdgeLogs,
    /// Start reading the team journal, for the console's life.
    ReadJournal,
    /// Ask CloudTrail who wrote the distribution between `from` and `to`.
    LookupAuthors {
        from: Timestamp,
        to: Timestamp,
    },
    /// Read a stage's deployments (`GetDeployments`, `GetStage`) for route `path`'s picker.
    LoadStage {
        path: String,
        stage: StageRef,
    },
    /// Point a stage at another deployment (`UpdateStage`): stage move `id`.
    SetStage {
        id: u64,
        stage: StageRef,
        deployment_id: String,
    },
}
