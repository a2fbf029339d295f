//! The router's KeyValueStore as the console uses it: read every routed route's record with the
//! store's ETag, write records with `IfMatch`, and the safe share change built on the two (the
//! same rule as a switch: re-read on a stale ETag and go on only while every route still has the
//! share the operator saw, or already has the one wanted), then read the store back so the caller
//! can compare what it says with what was asked.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::BackendError;
use crate::router::RouteRecord;

/// How many keys one `UpdateKeys` call may put (AWS's limit on puts and deletes together).
pub const KEYS_PER_UPDATE: usize = 50;
/// How many times a stale ETag is re-read and re-applied before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 3;

/// The store as read: its ETag and each routed route's record, by path pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreState {
    pub etag: String,
    pub records: BTreeMap<String, RouteRecord>,
}

/// The router's store, simulated or real.
#[async_trait]
pub trait ShareStore: Send + Sync + 'static {
    /// The ETag and every `route:` record (`DescribeKeyValueStore`, then `ListKeys`). A value the
    /// router would not read is left out, as the router leaves its route alone.
    async fn read(&self) -> Result<StoreState, BackendError>;

    /// Put these records (path pattern, record), at most [`KEYS_PER_UPDATE`], in one `UpdateKeys`
    /// if the store is still at `if_match`; the new ETag. A stale ETag is
    /// [`BackendError::PreconditionFailed`].
    async fn put(&self, records: &[(String, RouteRecord)], if_match: &str) -> Result<String, BackendError>;
}

/// One route's share move, as the operator saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareChange {
    pub path: String,
    /// Lambda's share shown when the operator confirmed.
    pub from: u8,
    /// Lambda's share wanted.
    pub to: u8,
}

/// Accepted share changes: the ETags around them and how many `UpdateKeys` calls it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharesAccepted {
    pub etag_before: String,
    pub etag_after: String,
    pub calls: usize,
    /// Routes that already had the wanted share when read, so were left as they were.
    pub already_there: Vec<String>,
    /// The store read again after the writes: each route's share as the store has it now (`None`
    /// when it has no record cutover can read), for the caller to compare with what it asked; or
    /// why it could not be read.
    pub read_back: Result<Vec<(String, Option<u8>)>, BackendError>,
}

/// Set every route of `changes` to its new share, in as few `UpdateKeys` calls as the 50-key
/// limit allows. Each call carries the ETag the previous one returned. A stale ETag (someone else
/// wrote) re-reads the store and re-checks every route not yet written, so the first call's
/// routes are never written twice and no route is moved from a share the operator did not see.
pub async fn set_shares<S: ShareStore + ?Sized>(
    store: &S,
    changes: &[ShareChange],
    mut on_conflict: impl FnMut(&str) + Send,
) -> Result<SharesAccepted, BackendError> {
    let mut conflicts = 0;
    let mut pending: Vec<&ShareChange> = changes.iter().collect();
    let mut first_etag: Option<String> = None;
    let mut already_there = Vec::new();
    let mut calls = 0;
    loop {
        let state = store.read().await?;
        let etag_before = first_etag.get_or_insert_with(|| state.etag.clone()).clone();
        let mut to_put = Vec::new();
        for change in &pending {
            let record = state.records.get(&change.path).ok_or_else(|| not_routed(&change.path))?;
            if record.share == change.to {
                already_there.push(change.path.clone());
            } else if record.share == change.from {
                let mut moved = record.clone();
                moved.share = change.to;
                to_put.push((change.path.clone(), moved));
            } else {
                return Err(BackendError::ShareChangedElsewhere {
                    path: change.path.clone(),
                    expected: change.from,
                    found: record.share,
                });
            }
        }
        let mut etag = state.etag;
        let mut written = 0;
        let mut stale = false;
        for chunk in to_put.chunks(KEYS_PER_UPDATE) {
            match store.put(chunk, &etag).await {
                Ok(next) => {
                    etag = next;
                    written += chunk.len();
                    calls += 1;
                }
                Err(BackendError::PreconditionFailed) if conflicts < MAX_CONFLICT_RETRIES => {
                    conflicts += 1;
                    on_conflict(&etag);
                    stale = true;
                    break;
                }
                Err(BackendError::PreconditionFailed) => return Err(BackendError::TooManyConflicts(conflicts + 1)),
                Err(other) => return Err(other),
            }
        }
        if !stale {
            // Taken is not done: what the store says now decides.
            let read_back = store.read().await.map(|now| shares_in(&now, changes));
            return Ok(SharesAccepted { etag_before, etag_after: etag, calls, already_there, read_back });
        }
        // What was written stays written: re-check only the rest against a fresh read.
        let done: Vec<&str> = to_put[..written].iter().map(|(path, _)| path.as_str()).collect();
        pending.retain(|change| !done.contains(&change.path.as_str()) && !already_there.contains(&change.path));
    }
}

/// Each route of `changes` with its share in `state` (`None` without a record).
fn shares_in(state: &StoreState, changes: &[ShareChange]) -> Vec<(String, Option<u8>)> {
    changes.iter().map(|c| (c.path.clone(), state.records.get(&c.path).map(|r| r.share))).collect()
}

fn not_routed(path: &str) -> BackendError {
    BackendError::Other(format!(
        "route {path} has no record in the router's store: run `cutover router install` for it, or switch it by behavior"
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A store in memory that counts its writes and can be written by "someone else" once, just
    /// before the next put.
    #[derive(Default)]
    struct Memory {
        state: Mutex<StoreState>,
        puts: Mutex<Vec<usize>>,
        foreign: Mutex<Option<(String, u8)>>,
        serial: Mutex<u32>,
    }

    impl Memory {
        fn with(routes: &[(&str, u8)]) -> Self {
            let memory = Memory::default();
            {
                let mut state = memory.state.lock().unwrap();
                state.etag = "E0".into();
                for (path, share) in routes {
                    let record = RouteRecord::new(*share, "apigw", "legacy-elb", None).unwrap();
                    state.records.insert(path.to_string(), record);
                }
            }
            memory
        }

        fn share(&self, path: &str) -> u8 {
            self.state.lock().unwrap().records[path].share
        }

        fn bump(&self, state: &mut StoreState) {
            let mut serial = self.serial.lock().unwrap();
            *serial += 1;
            state.etag = format!("E{serial}");
        }
    }

    #[async_trait]
    impl ShareStore for Memory {
        async fn read(&self) -> Result<StoreState, BackendError> {
            Ok(self.state.lock().unwrap().clone())
        }

        async fn put(&self, records: &[(String, RouteRecord)], if_match: &str) -> Result<String, BackendError> {
            assert!(records.len() <= KEYS_PER_UPDATE, "{} keys in one call", records.len());
            let mut state = self.state.lock().unwrap();
            if let Some((path, share)) = self.foreign.lock().unwrap().take() {
                state.records.get_mut(&path).unwrap().share = share;
                self.bump(&mut state);
            }
            if state.etag != if_match {
                return Err(BackendError::PreconditionFailed);
            }
            for (path, record) in records {
                state.records.insert(path.clone(), record.clone());
            }
            self.bump(&mut state);
            self.puts.lock().unwrap().push(records.len());
            Ok(state.etag.clone())
        }
    }

    fn change(path: &str, from: u8, to: u8) -> ShareChange {
        ShareChange { path: path.into(), from, to }
    }

    #[tokio::test]
    async fn a_share_moves_with_the_etag_it_read() {
        let store = Memory::with(&[("/orders/*", 10), ("/cart/*", 0)]);
        let accepted = set_shares(&store, &[change("/orders/*", 10, 25)], |_| {}).await.unwrap();
        assert_eq!(store.share("/orders/*"), 25);
        assert_eq!(store.share("/cart/*"), 0, "other routes untouched");
        assert_eq!((accepted.etag_before.as_str(), accepted.etag_after.as_str(), accepted.calls), ("E0", "E1", 1));
    }

    #[tokio::test]
    async fn a_hundred_and_twenty_routes_take_three_calls() {
        let paths: Vec<String> = (0..120).map(|n| format!("/r{n}/*")).collect();
        let routes: Vec<(&str, u8)> = paths.iter().map(|p| (p.as_str(), 50)).collect();
        let store = Memory::with(&routes);
        let changes: Vec<ShareChange> = paths.iter().map(|p| change(p, 50, 0)).collect();
        let accepted = set_shares(&store, &changes, |_| {}).await.unwrap();
        assert_eq!(*store.puts.lock().unwrap(), vec![50, 50, 20]);
        assert_eq!(accepted.calls, 3);
        assert!(paths.iter().all(|p| store.share(p) == 0));
    }

    #[tokio::test]
    async fn someone_elses_write_to_another_route_is_retried_past() {
        let store = Memory::with(&[("/orders/*", 10), ("/cart/*", 0)]);
        *store.foreign.lock().unwrap() = Some(("/cart/*".into(), 5));
        let mut conflicts = Vec::new();
        set_shares(&store, &[change("/orders/*", 10, 0)], |etag| conflicts.push(etag.to_string())).await.unwrap();
        assert_eq!(conflicts, vec!["E0"]);
        assert_eq!((store.share("/orders/*"), store.share("/cart/*")), (0, 5));
    }

    #[tokio::test]
    async fn someone_elses_write_to_the_same_route_stops_it() {
        let store = Memory::with(&[("/orders/*", 10)]);
        *store.foreign.lock().unwrap() = Some(("/orders/*".into(), 50));
        let error = set_shares(&store, &[change("/orders/*", 10, 25)], |_| {}).await.unwrap_err();
        assert!(matches!(error, BackendError::ShareChangedElsewhere { found: 50, .. }), "{error}");
        assert_eq!(store.share("/orders/*"), 50, "their write stands");
    }

    #[tokio::test]
    async fn a_route_already_at_its_share_is_not_written() {
        let store = Memory::with(&[("/orders/*", 0)]);
        let accepted = set_shares(&store, &[change("/orders/*", 10, 0)], |_| {}).await.unwrap();
        assert_eq!(accepted.already_there, vec!["/orders/*"]);
        assert_eq!(accepted.calls, 0);
        assert!(store.puts.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_unrouted_route_is_refused_with_what_to_do() {
        let store = Memory::with(&[]);
        let error = set_shares(&store, &[change("/orders/*", 0, 5)], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("cutover router install"), "{error}");
    }
}
