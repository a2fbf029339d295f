//! What one distribution's console has read from AWS (`Learned`) and the reads that keep failing.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use super::fetch::Fetch;
use crate::backend::share::StoreState;
use crate::domain::router_health::RouterBreach;
use crate::domain::stage::{StageDeployments, StageRef};
use crate::domain::{DeployStatus, MetricsSnapshot, Topology};

/// What one distribution's console has read from AWS (each read a `Fetch`: the last good answer,
/// whether a read is out, failures in a row), the generations that keep a read sent before a move
/// from showing after it, and the refresh round's schedule. Written by the refresh and by the
/// answers to moves (`tests/tidy.rs` names the writers).
#[derive(Clone, Debug)]
pub struct Learned {
    /// The distribution's routes and status, as last read.
    pub topology: Fetch<Topology>,
    /// Bumped whenever a switch lands, so topology read before it is not shown after it.
    pub topology_generation: u64,
    /// The last hour's numbers, as last read.
    pub metrics: Fetch<MetricsSnapshot>,
    /// The router's store as last read: its ETag and each routed route's record.
    pub shares: Fetch<StoreState>,
    /// What the router function itself has done wrong for the configured periods (empty: healthy).
    pub router_alert: Vec<RouterBreach>,
    /// Bumped when a share move is accepted: a read sent before it would show the old shares.
    pub shares_generation: u64,
    /// Why the last read of the router's store failed, until one succeeds.
    pub router_store_error: Option<String>,
    /// The deploy status, read while a switch propagates.
    pub deploy: Fetch<DeployStatus>,
    pub next_refresh: Timestamp,
    /// Set while refreshes fail: what is on screen is the last good data, and stale.
    pub read_trouble: Option<ReadTrouble>,
    /// When the current (or last) refresh round asked for routes or numbers.
    pub refresh_started_at: Timestamp,
    /// Each stage's deployments as last read, the one it serves among them.
    pub stage_serving: HashMap<StageRef, StageDeployments>,
    /// How long this distribution's last deploy took, from the update's acceptance to `Deployed`:
    /// what the remedies line says a switch by behavior takes.
    pub last_deploy_took: Option<SignedDuration>,
    /// Stages whose deployments are being read in the background (each refresh round reads every
    /// configured stage, so the detail pane shows what it serves from the start).
    pub stages_reading: HashSet<StageRef>,
    /// Stages whose last read failed: said once in the log, not every round, until one succeeds.
    pub stages_unreadable: HashSet<StageRef>,
}

/// Reads that keep failing: since when, how often in a row, and why, for the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadTrouble {
    pub since: Timestamp,
    pub failures: u32,
    pub last_error: String,
    /// The refresh round the last failure was counted in.
    pub round: Option<Timestamp>,
}
