//! The router's KeyValueStore as the console uses it: read the store (its ETag, the `routes` index as
//! the function walks it, every `route:` record, and the records that do not decode, kept with
//! why), write records with `IfMatch`, and the safe share change built on the two (the same rule as
//! a switch: re-read on a stale ETag and go on only while every route still has the share the
//! operator saw, or already has the one wanted), then read the store back so the caller can
//! compare what it says with what was asked.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::BackendError;
use crate::router::{IndexRead, ROUTE_KEY_PREFIX, RouteRecord, read_index};

/// How many keys one `UpdateKeys` call may put (AWS's limit on puts and deletes together).
pub const KEYS_PER_UPDATE: usize = 50;
/// How many times a stale ETag is re-read and re-applied before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 3;

/// The store as read: its ETag, its index, and each route's record, by path pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreState {
    pub etag: String,
    /// The `routes` index, as the function reads it.
    pub index: IndexRead,
    pub records: BTreeMap<String, RouteRecord>,
    /// `route:` records that do not decode, by path pattern, with why: never dropped, because the
    /// function may still act on them.
    pub unreadable: BTreeMap<String, String>,
}

/// A route's record, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordRead<'a> {
    Missing,
    Readable(&'a RouteRecord),
    /// Why it does not decode.
    Unreadable(&'a str),
}

impl StoreState {
    /// The store from every key and value `ListKeys` gave: the index walked as the function walks
    /// it, each `route:` record decoded or kept as unreadable; other keys are someone else's.
    pub fn from_items(etag: String, items: &BTreeMap<String, String>) -> Self {
        let index = read_index(|key| items.get(key).map(String::as_str));
        let mut state = StoreState { etag, index, ..StoreState::default() };
        for (key, value) in items {
            let Some(pattern) = key.strip_prefix(ROUTE_KEY_PREFIX) else { continue };
            match RouteRecord::decode(value) {
                Ok(record) => {
                    state.records.insert(pattern.to_string(), record);
                }
                Err(error) => {
                    state.unreadable.insert(pattern.to_string(), error.to_string());
                }
            }
        }
        state
    }

    /// A store whose index lists every one of `records` (in path order), as `router install`
    /// leaves it: for tests and the demo.
    pub fn indexed(etag: &str, records: BTreeMap<String, RouteRecord>) -> Self {
        let listed = records.keys().cloned().collect();
        let index = IndexRead { listed, note: None, complete: true };
        StoreState { etag: etag.to_string(), index, records, unreadable: BTreeMap::new() }
    }

    /// The record of `path`, as read.
    pub fn record(&self, path: &str) -> RecordRead<'_> {
        match (self.records.get(path), self.unreadable.get(path)) {
            (Some(record), _) => RecordRead::Readable(record),
            (None, Some(why)) => RecordRead::Unreadable(why),
            (None, None) => RecordRead::Missing,
        }
    }
}

/// The router's store, simulated or real.
#[async_trait]
pub trait ShareStore: Send + Sync + 'static {
    /// The ETag, then every key (`DescribeKeyValueStore`, then `ListKeys`): the index and the
    /// records, a record that does not decode kept as unreadable (see [`StoreState::from_items`]).
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
    /// Lambda's share shown when the operator confirmed (0 for a route without a record, and for
    /// an unreadable one, whose share nobody can tell).
    pub from: u8,
    /// Lambda's share wanted.
    pub to: u8,
    /// What the operator saw of the route's record.
    pub seen: Seen,
}

/// What the operator saw of a route's record when confirming a share move.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Seen {
    /// A record with share `from`.
    #[default]
    Record,
    /// No record, on a route whose behavior runs the router and which the index lists: the move
    /// writes the first one, with these origin ids.
    Missing { lambda: String, home: String },
    /// A record that does not decode: only share 0 may replace it (the safe direction), a record
    /// with these origin ids.
    Unreadable { lambda: String, home: String },
}

impl ShareChange {
    /// A move of a route whose record was read with share `from`.
    pub fn new(path: impl Into<String>, from: u8, to: u8) -> Self {
        ShareChange { path: path.into(), from, to, seen: Seen::Record }
    }

    /// The move that overwrites an unreadable record with share 0 (and these origin ids).
    pub fn zero_unreadable(path: impl Into<String>, lambda: &str, home: &str) -> Self {
        let seen = Seen::Unreadable { lambda: lambda.to_string(), home: home.to_string() };
        ShareChange { path: path.into(), from: 0, to: 0, seen }
    }

    /// The first share of a route that has no record yet.
    pub fn first(path: impl Into<String>, to: u8, lambda: &str, home: &str) -> Self {
        let seen = Seen::Missing { lambda: lambda.to_string(), home: home.to_string() };
        ShareChange { path: path.into(), from: 0, to, seen }
    }
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
            match planned_put(&state, change)? {
                Some(record) => to_put.push((change.path.clone(), record)),
                None => already_there.push(change.path.clone()),
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

/// Each route of `changes` with the share the function would act on in `state`: a record's share,
/// 0 without a record (the function leaves every viewer on the behavior's origin), `None` when the
/// record does not decode (nobody can say what it sends).
fn shares_in(state: &StoreState, changes: &[ShareChange]) -> Vec<(String, Option<u8>)> {
    let share = |path: &str| match state.record(path) {
        RecordRead::Readable(record) => Some(record.share),
        RecordRead::Missing => Some(0),
        RecordRead::Unreadable(_) => None,
    };
    changes.iter().map(|c| (c.path.clone(), share(&c.path))).collect()
}

/// What to write for one change against the store as now read, `None` when the route already has
/// the share wanted; an error when the route is no longer as the operator saw it. A record seen
/// unreadable and still unreadable is overwritten only with share 0; a route seen without a record
/// gets its first one only while it still has none (someone else's record stands).
fn planned_put(state: &StoreState, change: &ShareChange) -> Result<Option<RouteRecord>, BackendError> {
    let path = &change.path;
    let written = |share: u8, lambda: &str, home: &str| {
        RouteRecord::new(share, lambda, home, None)
            .map(Some)
            .map_err(|e| BackendError::Other(format!("{e}; nothing was written for {path}")))
    };
    match (state.record(path), &change.seen) {
        (RecordRead::Readable(record), Seen::Record) if record.share == change.to => Ok(None),
        (RecordRead::Readable(record), Seen::Record) if record.share == change.from => {
            let mut moved = record.clone();
            moved.share = change.to;
            Ok(Some(moved))
        }
        (RecordRead::Readable(record), Seen::Record) => {
            Err(BackendError::ShareChangedElsewhere { path: path.clone(), expected: change.from, found: record.share })
        }
        // The safe direction: whatever the unreadable value says, share 0 sends nobody to Lambda.
        (RecordRead::Unreadable(_), Seen::Unreadable { lambda, home }) if change.to == 0 => written(0, lambda, home),
        (RecordRead::Unreadable(_), Seen::Unreadable { .. }) => Err(BackendError::Other(format!(
            "route {path}'s record in the router's store is unreadable: only share 0 may replace it; run `cutover weight {path} 0` first"
        ))),
        (RecordRead::Missing, Seen::Missing { .. }) if change.to == 0 => Ok(None),
        (RecordRead::Missing, Seen::Missing { lambda, home }) => written(change.to, lambda, home),
        (RecordRead::Missing, Seen::Record | Seen::Unreadable { .. }) => Err(not_routed(path)),
        (RecordRead::Readable(record), _) => Err(changed_under(path, &format!("λ {} %", record.share))),
        (RecordRead::Unreadable(why), _) => Err(changed_under(path, &format!("unreadable ({why})"))),
    }
}

fn changed_under(path: &str, found: &str) -> BackendError {
    BackendError::Other(format!(
        "route {path}'s record in the router's store is now {found}, not what was shown; nothing was written for it: look again and move it again"
    ))
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
        ShareChange::new(path, from, to)
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

    #[tokio::test]
    async fn an_unreadable_record_seen_unreadable_is_overwritten_with_share_zero_only() {
        let store = Memory::with(&[("/cart/*", 0)]);
        store.state.lock().unwrap().unreadable.insert("/orders/*".into(), "share 100.0".into());
        let up = ShareChange { to: 5, ..ShareChange::zero_unreadable("/orders/*", "apigw", "legacy-elb") };
        let error = set_shares(&store, &[up], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("only share 0"), "{error}");
        assert!(store.puts.lock().unwrap().is_empty());

        let seen_readable = set_shares(&store, &[change("/orders/*", 10, 0)], |_| {}).await.unwrap_err();
        assert!(seen_readable.to_string().contains("now unreadable"), "{seen_readable}");

        let zero = ShareChange::zero_unreadable("/orders/*", "apigw", "legacy-elb");
        set_shares(&store, &[zero], |_| {}).await.unwrap();
        let state = store.state.lock().unwrap();
        assert_eq!(state.records["/orders/*"].share, 0, "share 0 written over it");
        assert_eq!(
            (state.records["/orders/*"].lambda.as_str(), state.records["/orders/*"].home.as_str()),
            ("apigw", "legacy-elb")
        );
    }

    #[tokio::test]
    async fn a_route_without_a_record_gets_one_on_its_first_share_move() {
        let store = Memory::with(&[]);
        let first = ShareChange::first("/orders/*", 10, "apigw", "legacy-elb");
        let accepted = set_shares(&store, std::slice::from_ref(&first), |_| {}).await.unwrap();
        assert_eq!(accepted.calls, 1);
        let record = store.state.lock().unwrap().records["/orders/*"].clone();
        assert_eq!((record.share, record.lambda.as_str(), record.home.as_str()), (10, "apigw", "legacy-elb"));
        // Someone else wrote one in the meantime: theirs stands.
        let error = set_shares(&store, &[first], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("now λ 10 %"), "{error}");
    }

    #[test]
    fn the_read_keeps_the_index_and_unreadable_records_with_why() {
        let items: BTreeMap<String, String> = [
            ("routes", r#"{"v":1,"routes":["/a/*"]}"#),
            ("route:/a/*", r#"{"v":1,"share":5,"lambda":"fn","home":"mono"}"#),
            ("route:/b/*", r#"{"v":1,"share":100.0,"lambda":"fn","home":"mono"}"#),
            ("feature-flag", "on"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let state = StoreState::from_items("E1".into(), &items);
        assert_eq!(state.index.listed, ["/a/*"]);
        assert!(matches!(state.record("/a/*"), RecordRead::Readable(r) if r.share == 5));
        assert!(
            matches!(state.record("/b/*"), RecordRead::Unreadable(why) if why.contains("router format")),
            "{:?}",
            state.record("/b/*")
        );
        assert_eq!(state.record("/c/*"), RecordRead::Missing);
    }
}
