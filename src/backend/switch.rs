//! Switching routes safely on any control plane: read the config with its ETag, change only the
//! target origin of the routes in place, write it back with `IfMatch`, and on a stale ETag re-read
//! and re-apply only while every route still targets what the operator saw.

use super::{BackendError, ControlPlane, UpdateAccepted};
use crate::domain::RouteChange;

/// How many times a stale ETag is re-read and re-applied before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 3;

/// An accepted switch: the ETags around it and the status the distribution reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchAccepted {
    pub etag_before: String,
    pub accepted: UpdateAccepted,
    /// Routes that already had the wanted target when read, so were left as they were.
    pub already_there: Vec<String>,
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
        for change in changes {
            match C::origin_of(&config, &change.path) {
                None => return Err(BackendError::UnknownRoute(change.path.clone())),
                Some(found) if found == change.from_origin_id => {
                    C::set_origin(&mut config, &change.path, &change.to_origin_id)
                }
                Some(found) if found == change.to_origin_id && conflicts == 0 => {
                    already_there.push(change.path.clone())
                }
                Some(found) => {
                    return Err(BackendError::ChangedElsewhere {
                        path: change.path.clone(),
                        expected: change.from_origin_id.clone(),
                        found,
                    });
                }
            }
        }
        if already_there.len() == changes.len() {
            let status = control_plane.deploy_status(distribution_id).await?;
            return Ok(SwitchAccepted {
                etag_before: etag.clone(),
                accepted: UpdateAccepted { etag, status },
                already_there,
            });
        }
        match control_plane.update_config(distribution_id, config, &etag).await {
            Ok(accepted) => return Ok(SwitchAccepted { etag_before: etag, accepted, already_there }),
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
