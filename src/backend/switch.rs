//! Switching routes safely on any control plane: read the config with its ETag, run the
//! compatibility pre-flight on each behavior as fetched, change only the target origin (and, when
//! the config asks, the origin request policy) of the routes in place, write it back with
//! `IfMatch`, and on a stale ETag re-read and re-apply only while every route still targets what
//! the operator saw or is already where it should be; then read the distribution again, so the caller
//! can compare what AWS says with what it asked.

use super::{BackendError, ControlPlane, UpdateAccepted};
use crate::domain::preflight::{self, PolicyBook, custom_policies};
use crate::domain::{ReadBack, RouteChange};

/// How many times a stale ETag is re-read and re-applied before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 3;

/// An accepted switch: the ETags around it and the status the distribution reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchAccepted {
    pub etag_before: String,
    pub accepted: UpdateAccepted,
    /// Routes that already had the wanted target when read, so were left as they were.
    pub already_there: Vec<String>,
    /// The distribution read again after the update (or, when nothing needed writing, instead of
    /// it): what AWS says now, for the caller to compare with what it asked. A read that fails
    /// leaves the switch accepted but unconfirmed.
    pub read_back: Result<ReadBack, BackendError>,
}

/// Apply all `changes` to one distribution in a single `UpdateDistribution`.
///
/// `on_conflict` is told each time a stale ETag forces a re-read, so the operator can see it.
pub async fn switch_routes<C: ControlPlane + ?Sized>(
    control_plane: &C,
    distribution_id: &str,
    changes: &[RouteChange],
    mut on_conflict: impl FnMut(&str) + Send,
) -> Result<SwitchAccepted, BackendError> {
    let mut conflicts = 0;
    loop {
        let (mut config, etag) = control_plane.get_config(distribution_id).await?;
        let mut already_there = Vec::new();
        let mut to_apply = Vec::new();
        for change in changes {
            match C::origin_of(&config, &change.path) {
                None => return Err(BackendError::UnknownRoute(change.path.clone())),
                Some(found) if found == change.from_origin_id => to_apply.push(change),
                // Someone (another responder, or our own earlier try) already put it there.
                Some(found) if found == change.to_origin_id => already_there.push(change.path.clone()),
                Some(found) => {
                    return Err(BackendError::ChangedElsewhere {
                        path: change.path.clone(),
                        expected: change.from_origin_id.clone(),
                        found,
                    });
                }
            }
        }
        preflight_fetched::<C>(control_plane, &config, &to_apply).await?;
        for change in &to_apply {
            C::set_origin(&mut config, &change.path, &change.to_origin_id);
            if let Some((_, policy)) = &change.request_policy {
                C::set_request_policy(&mut config, &change.path, policy);
            }
        }
        if to_apply.is_empty() {
            let read_back = control_plane.read_back(distribution_id).await?;
            return Ok(SwitchAccepted {
                etag_before: etag.clone(),
                accepted: UpdateAccepted { etag, status: read_back.status },
                already_there,
                read_back: Ok(read_back),
            });
        }
        match control_plane.update_config(distribution_id, config, &etag).await {
            Ok(accepted) => {
                // Accepted is not done: what the distribution says now decides.
                let read_back = control_plane.read_back(distribution_id).await;
                return Ok(SwitchAccepted { etag_before: etag, accepted, already_there, read_back });
            }
            Err(BackendError::PreconditionFailed) if conflicts < MAX_CONFLICT_RETRIES => {
                conflicts += 1;
                on_conflict(&etag);
            }
            Err(BackendError::PreconditionFailed) => {
                return Err(BackendError::TooManyConflicts(conflicts + 1));
            }
            Err(other) => return Err(other),
        }
    }
}

/// The pre-flight on each behavior exactly as fetched: a change the check blocks goes nowhere
/// unless the operator overrode it on purpose.
async fn preflight_fetched<C: ControlPlane + ?Sized>(
    control_plane: &C,
    config: &C::Config,
    changes: &[&RouteChange],
) -> Result<(), BackendError> {
    let mut wanted = Vec::new();
    let mut behaviors = Vec::new();
    for change in changes {
        let behavior = C::behavior_of(config, &change.path).unwrap_or_default();
        let swap = change.request_policy.as_ref().map(|(_, to)| to.as_str());
        wanted.extend(custom_policies(&behavior, swap));
        behaviors.push(behavior);
    }
    let book = if wanted.is_empty() { PolicyBook::new() } else { control_plane.policy_book(&wanted).await };
    let mut blocks = Vec::new();
    for (change, behavior) in changes.iter().zip(&behaviors) {
        if change.override_reason.is_some() {
            continue;
        }
        let swap = change.request_policy.as_ref().map(|(_, to)| to.as_str());
        blocks.extend(preflight::check(&change.path, behavior, swap, change.to, &book).blocks);
    }
    if blocks.is_empty() { Ok(()) } else { Err(BackendError::Blocked(blocks)) }
}
