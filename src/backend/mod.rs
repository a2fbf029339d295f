//! What the console needs from AWS, as traits (`ControlPlane` and `MetricsSource` here; the router's
//! store, the router's pieces, API Gateway stages and probes in their own modules), and the shared
//! logic built on them.
//! `sim` is the demo world behind the same traits; the real SDK backend implements them too.
//! `probe` sends requests through the distribution, as a viewer would, to see who answers.
//! `share` is the router's KeyValueStore: shares of a route's viewers moved in seconds.
//! `router_pieces` is the router's function, store and associations, as `cutover router` installs them.
//! `router_steps` carries out each planned step once, over the calls both worlds answer.
//! `edge_stream` reads CloudFront real-time logs off a Kinesis data stream, over the calls both worlds answer.
//! `stage` is API Gateway's stages: a stage pointed back at an earlier deployment (the stage rollback).
//! `change_authors` is who wrote the distribution, as CloudTrail recorded it (changes made outside cutover);
//! `pacer` keeps calls to an API under its per-second limit across the process.

pub mod aws;
pub mod change_authors;
pub mod edge_log_steps;
pub mod edge_stream;
pub mod error;
pub mod faults;
pub mod journal;
pub mod notify;
pub mod pacer;
pub mod ports;
pub mod probe;
pub mod router_pieces;
pub mod router_steps;
pub mod share;
pub mod sim;
pub mod stage;
pub mod step_done;
pub mod switch;

use async_trait::async_trait;

pub use error::BackendError;
pub use faults::{Fault, FaultSet};

use crate::domain::preflight::{BehaviorPolicies, PolicyBook, PolicyKind};
use crate::domain::{DeployStatus, MetricsSnapshot, ReadBack, Topology};

/// Where an accepted `UpdateDistribution` left the distribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateAccepted {
    pub etag: String,
    pub status: DeployStatus,
}

/// The CloudFront control plane, as far as cutover uses it.
///
/// `Config` is the backend's whole distribution config. Switching changes one field of it in
/// place and sends the rest back untouched, so nothing the console does not know about is lost.
#[async_trait]
pub trait ControlPlane: Send + Sync + 'static {
    type Config: Send + Sync;

    /// Routes, their origins and the deploy status of the distribution.
    async fn topology(&self) -> Result<Topology, BackendError>;

    /// The whole config and its ETag (`GetDistributionConfig`).
    async fn get_config(&self, distribution_id: &str) -> Result<(Self::Config, String), BackendError>;

    /// Replace the config if `if_match` is still current (`UpdateDistribution`).
    async fn update_config(
        &self,
        distribution_id: &str,
        config: Self::Config,
        if_match: &str,
    ) -> Result<UpdateAccepted, BackendError>;

    /// Deploy status of the distribution (`GetDistribution`).
    async fn deploy_status(&self, distribution_id: &str) -> Result<DeployStatus, BackendError>;

    /// What the distribution says now (`GetDistribution`): its deploy status and every route's
    /// origin, named as in the topology. Read after every write, and at every deploy poll, so that
    /// a switch is called done only when AWS shows it.
    async fn read_back(&self, distribution_id: &str) -> Result<ReadBack, BackendError> {
        let _ = distribution_id;
        self.topology().await.map(|t| ReadBack::of(&t))
    }

    /// The origin id a route of `config` sends to, or `None` if the config has no such route.
    fn origin_of(config: &Self::Config, path: &str) -> Option<String>;

    /// Point a route of `config` at another origin, in place.
    fn set_origin(config: &mut Self::Config, path: &str, origin_id: &str);

    /// The policies of a route's behavior in `config`, for the pre-flight.
    fn behavior_of(config: &Self::Config, path: &str) -> Option<BehaviorPolicies>;

    /// Attach another origin request policy to a route of `config`, in place.
    fn set_request_policy(config: &mut Self::Config, path: &str, policy_id: &str);

    /// The custom policies `wanted`, read (or remembered), or why each could not be.
    async fn policy_book(&self, wanted: &[(PolicyKind, String)]) -> PolicyBook;
}

/// CloudWatch, as far as cutover uses it.
#[async_trait]
pub trait MetricsSource: Send + Sync + 'static {
    /// The last hour of per-minute numbers for these routes and the account's concurrency.
    async fn fetch(&self, paths: &[String]) -> Result<MetricsSnapshot, BackendError>;
}

/// Everything the console needs from one world, simulated or real.
pub trait Backend: ControlPlane + MetricsSource {
    /// Make the world misbehave on purpose from now on (`FaultSet::NONE` heals it). Only the
    /// demo's simulated AWS has faults to inject: the real one ignores this and answers `false`.
    fn inject_faults(&self, _faults: FaultSet) -> bool {
        false
    }
}
