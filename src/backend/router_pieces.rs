//! The router's pieces on one distribution, as `cutover router` uses them: read what exists (the
//! KeyValueStore and its keys, the function and its code in both stages, each behavior's
//! viewer-request function) into a [`Snapshot`], and carry out one planned [`InstallStep`] at a time.
//! AWS answers through `aws::router::RouterControl`, the demo world through `sim::router`; both carry
//! the steps out with `router_steps::carry_out`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::BackendError;
use crate::router::install::{Found, InstallStep, RecordState, index_of, record_of};

/// What a read found, with the ETags the later steps need.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub found: Found,
    pub store_etag: Option<String>,
    /// The function's ETag (DEVELOPMENT stage), for update, test, publish and delete.
    pub function_etag: Option<String>,
    /// Every route as (path, target origin id), default last, to choose the switchable ones.
    pub routes: Vec<(String, String)>,
}

pub use super::step_done::StepDone;

/// A failed call, with the IAM action it needed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct RouterError {
    /// The API call, which is also the IAM action's name after `cloudfront:`.
    pub action: &'static str,
    pub error: BackendError,
}

impl RouterError {
    /// `action` failed for a reason of its own, in words that end saying what to do.
    pub fn other(action: &'static str, message: String) -> Self {
        RouterError { action, error: BackendError::Other(message) }
    }
}

impl std::fmt::Display for RouterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            BackendError::AccessDenied(detail) => write!(
                f,
                "access denied: {detail}; grant the IAM action cloudfront:{} to this identity and run it again",
                self.action
            ),
            BackendError::Throttling => {
                write!(f, "{} was throttled by AWS; wait a minute and run it again", self.action)
            }
            error @ (BackendError::Network(_) | BackendError::Timeout) => {
                write!(f, "{error}; check the connection to AWS and run it again")
            }
            error => write!(f, "{error}"),
        }
    }
}

/// What a store read back after a `WriteKeys` step must show: the index lists `routes`, each with a
/// readable record. The line that says so, or what differs.
pub fn check_read_back(items: &BTreeMap<String, String>, routes: &[String]) -> Result<String, String> {
    let listed = index_of(items)?;
    if listed != routes {
        return Err(format!("the index lists {} instead of {}", listed.join(", "), routes.join(", ")));
    }
    for route in routes {
        if let RecordState::Missing | RecordState::Unreadable(_) = record_of(items, route) {
            return Err(format!("{route} has no readable record"));
        }
    }
    let listed = if routes.is_empty() { "nothing".to_string() } else { routes.join(", ") };
    Ok(format!("read back: the index lists {listed}, each with a readable record"))
}

/// A delete CloudFront refuses while the piece is in use: while it deploys the update that took the
/// router off (the function), or while the function still holds the store.
pub fn still_in_use(action: &'static str, name: &str) -> RouterError {
    RouterError::other(
        action,
        format!(
            "{name} is still in use while CloudFront deploys the update that took the router off (the usual minutes); run `cutover router remove --yes` again once `cutover status` shows the distribution Deployed"
        ),
    )
}

/// The router's pieces of one distribution, simulated or real.
#[async_trait]
pub trait RouterPieces: Send + Sync {
    /// The distribution whose router this is.
    fn distribution_id(&self) -> &str;

    /// What exists: the store and its keys, the function (both stages' code), the behaviors'
    /// viewer-request functions, the distribution's status and its routes.
    async fn read(&self) -> Result<Snapshot, RouterError>;

    /// Carry out one step, keeping `snapshot` up to date for the next.
    async fn carry_out(&self, step: &InstallStep, snapshot: &mut Snapshot) -> Result<StepDone, RouterError>;
}
