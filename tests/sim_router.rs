//! The router in the demo world, on tokio's paused clock: a share written to its KeyValueStore
//! splits a routed route's traffic within the next full minute of CloudWatch numbers, and setting
//! it back to 0 empties the Lambda side as fast, where a rollback by behavior (a distribution
//! update) takes its minutes. The store refuses a stale ETag and a route it does not serve.

use std::time::Duration;

use cutover::backend::share::{ShareChange, ShareStore, set_shares};
use cutover::backend::sim::{Scenario, SimBackend, SimOptions, catalog};
use cutover::backend::{BackendError, ControlPlane, FaultSet, MetricsSource};
use cutover::clock::Clock;
use cutover::domain::Target;
use cutover::domain::traffic::side_share_pct;
use jiff::{SignedDuration, Timestamp};

const MINUTE: SignedDuration = SignedDuration::from_mins(1);

/// The calm demo from 22:30:00, its router on `routed`.
fn world(routed: &[&str]) -> (SimBackend, Clock) {
    let clock = Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0);
    let options = SimOptions { scenario: Scenario::Calm, seed: 4, faults: FaultSet::NONE };
    (SimBackend::new(clock.clone(), options).with_router(routed), clock)
}

/// Sleep until the clock next reads `second` past a minute.
async fn until_second(clock: &Clock, second: i64) {
    let now = clock.now();
    let minute = Timestamp::from_second(now.as_second().div_euclid(60) * 60).unwrap();
    let mut at = minute + SignedDuration::from_secs(second);
    if at <= now {
        at += MINUTE;
    }
    clock.sleep(at.duration_since(now).unsigned_abs()).await;
}

fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second().div_euclid(60) * 60).unwrap()
}

/// The first minute that starts at or after `t`.
fn next_full_minute(t: Timestamp) -> Timestamp {
    let minute = minute_of(t);
    if minute == t { minute } else { minute + MINUTE }
}

/// Fetch the numbers every 5 s of the demo's time until the minute starting at `minute` has
/// arrived: Lambda's share of `path`'s requests in it (`None` for a minute without datapoints),
/// and when the fetch had it.
async fn lambda_pct(backend: &SimBackend, clock: &Clock, path: &str, minute: Timestamp) -> (Option<f64>, Timestamp) {
    for _ in 0..60 {
        let snapshot = backend.fetch(&[path.to_string()]).await.expect("the calm demo answers");
        let series = snapshot.series(path);
        if let Some(i) = (0..series.len()).find(|&i| snapshot.minute_start(i) == minute) {
            return (side_share_pct(&series[i], Target::Lambda), clock.now());
        }
        clock.sleep(Duration::from_secs(5)).await;
    }
    panic!("the minute {minute} never arrived");
}

/// The end of the first minute from the one of `since` on in which `path` had no Lambda traffic.
async fn lambda_gone_by(backend: &SimBackend, clock: &Clock, path: &str, since: Timestamp) -> Timestamp {
    let mut minute = minute_of(since);
    for _ in 0..15 {
        if lambda_pct(backend, clock, path, minute).await.0 == Some(0.0) {
            return minute + MINUTE;
        }
        minute += MINUTE;
    }
    panic!("{path} still had Lambda traffic at {minute}");
}

/// Move `path`'s router share, as the console does (re-read, `IfMatch`); when the write landed.
async fn set_share(backend: &SimBackend, clock: &Clock, path: &str, from: u8, to: u8) -> Timestamp {
    let change = ShareChange::new(path, from, to);
    set_shares(backend, &[change], |_| {}).await.expect("the store takes it");
    clock.now()
}

/// Switch `path`'s behavior to `origin_id`, as the console does; when the update was accepted.
async fn switch_behavior(backend: &SimBackend, clock: &Clock, path: &str, origin_id: &str) -> Timestamp {
    let id = backend.distribution_id().to_string();
    let (mut config, etag) = backend.get_config(&id).await.unwrap();
    SimBackend::set_origin(&mut config, path, origin_id);
    backend.update_config(&id, config, &etag).await.unwrap();
    clock.now()
}

fn secs(from: Timestamp, to: Timestamp) -> f64 {
    to.duration_since(from).as_secs_f64()
}

#[tokio::test(start_paused = true)]
async fn a_share_written_splits_the_route_from_the_next_full_minute() {
    let (backend, clock) = world(&["/search/*", "/payments/*"]);
    let path = "/search/*";
    backend.fetch(&[path.to_string()]).await.unwrap();

    // Written 20 s into a minute, as an operator might: the next full minute starts 40 s later.
    until_second(&clock, 19).await;
    let written = set_share(&backend, &clock, path, 0, 25).await;
    let before = lambda_pct(&backend, &clock, path, minute_of(written) - MINUTE).await.0;
    assert_eq!(before.unwrap_or(0.0), 0.0, "the minute before the write is untouched (or has no datapoint)");
    let minute = next_full_minute(written);
    let (pct, seen) = lambda_pct(&backend, &clock, path, minute).await;
    let pct = pct.expect("the minute has datapoints");
    println!(
        "25 %: {pct:.1} % on Lambda in the minute from {:.0} s after the write, in the numbers {:.0} s after it",
        secs(written, minute),
        secs(written, seen)
    );
    assert!((20.0..=30.0).contains(&pct), "{pct:.1} % on Lambda");

    until_second(&clock, 19).await;
    let written = set_share(&backend, &clock, path, 25, 100).await;
    let (pct, seen) = lambda_pct(&backend, &clock, path, next_full_minute(written)).await;
    let pct = pct.expect("the minute has datapoints");
    println!("100 %: {pct:.1} % on Lambda, in the numbers {:.0} s after the write", secs(written, seen));
    assert!(pct >= 99.0, "{pct:.1} % on Lambda");

    until_second(&clock, 19).await;
    let written = set_share(&backend, &clock, path, 100, 0).await;
    let (pct, seen) = lambda_pct(&backend, &clock, path, next_full_minute(written)).await;
    println!("0 %: {pct:?} % on Lambda, in the numbers {:.0} s after the write", secs(written, seen));
    assert_eq!(pct, Some(0.0), "the Lambda side's traffic is gone in the next full minute");
}

#[tokio::test(start_paused = true)]
async fn back_to_zero_by_the_router_ends_minutes_before_a_rollback_by_behavior() {
    // `/search/*` reaches Lambda by the router, `/orders/*` by its behavior (it starts there).
    let (backend, clock) = world(&["/search/*"]);
    until_second(&clock, 19).await;
    set_share(&backend, &clock, "/search/*", 0, 100).await;
    clock.sleep(Duration::from_secs(180)).await;
    let (search, orders) = (
        lambda_pct(&backend, &clock, "/search/*", minute_of(clock.now()) - 2 * MINUTE).await.0,
        lambda_pct(&backend, &clock, "/orders/*", minute_of(clock.now()) - 2 * MINUTE).await.0,
    );
    assert_eq!((search, orders), (Some(100.0), Some(100.0)), "both all on Lambda");

    // Both rolled back in the same second, 20 s into a minute.
    until_second(&clock, 19).await;
    let by_router = set_share(&backend, &clock, "/search/*", 100, 0).await;
    let by_behavior = switch_behavior(&backend, &clock, "/orders/*", catalog::LEGACY_ORIGIN_ID).await;
    let router_gone = lambda_gone_by(&backend, &clock, "/search/*", by_router).await;
    let behavior_gone = lambda_gone_by(&backend, &clock, "/orders/*", by_behavior).await;
    let (router_took, behavior_took) = (secs(by_router, router_gone), secs(by_behavior, behavior_gone));
    println!(
        "back to the origin: by the router no Lambda traffic in the minute ending {router_took:.0} s after the write, by behavior {behavior_took:.0} s after the update"
    );
    assert!(router_gone <= next_full_minute(by_router) + MINUTE, "the next full minute is clean: {router_took:.0} s");
    assert!(
        behavior_gone >= router_gone + MINUTE,
        "the behavior took {behavior_took:.0} s, the router {router_took:.0} s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stale_etag_and_a_route_without_the_router_are_refused() {
    let (backend, _clock) = world(&["/search/*"]);
    assert_eq!(backend.routed(), ["/search/*"]);
    let state = backend.read().await.unwrap();
    let record = |share| {
        let mut record = state.records["/search/*"].clone();
        record.share = share;
        vec![("/search/*".to_string(), record)]
    };
    let next = backend.put(&record(10), &state.etag).await.unwrap();
    assert_ne!(next, state.etag, "a new ETag on every write");
    assert_eq!(backend.put(&record(20), &state.etag).await, Err(BackendError::PreconditionFailed));
    assert_eq!(backend.read().await.unwrap().records["/search/*"].share, 10, "the stale write changed nothing");

    // `/payments/*` is routed in the default demo, not in this one.
    for path in ["/payments/*", "/orders/*"] {
        let change = ShareChange::new(path, 0, 5);
        let error = set_shares(&backend, &[change], |_| {}).await.unwrap_err();
        assert!(error.to_string().contains("no record in the router's store"), "{error}");
        assert!(error.to_string().contains("cutover router install"), "{error}");
    }
    let default = SimBackend::new(
        Clock::simulated("2026-01-15T22:30:00Z".parse().unwrap(), 10.0),
        SimOptions { scenario: Scenario::Calm, seed: 4, faults: FaultSet::NONE },
    );
    assert_eq!(default.routed(), ["/payments/*", "/search/*"], "the demo's own routes: catalog::ROUTED");
}
