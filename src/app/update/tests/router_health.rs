//! The router guard: the router function's own numbers bad for the configured periods warn once,
//! ring, leave a `guard_breach` and a banner that says what to do; recovery is said; without the
//! router nothing happens.

use super::*;
use crate::app::action::Event;
use crate::audit::RecordKind;
use crate::backend::share::StoreState;
use crate::domain::RouterMinute;
use crate::router::RouteRecord;

fn minute(errors: f64, compute: f64) -> RouterMinute {
    RouterMinute {
        execution_errors: Some(errors),
        validation_errors: Some(0.0),
        throttles: Some(0.0),
        compute_utilization_pct: Some(compute),
    }
}

/// The healthy window of [`metrics`], with the router's hour: quiet and low, then `bad` minutes of
/// `bad_minute` at its end.
fn router_metrics(bad: usize, bad_minute: RouterMinute) -> MetricsSnapshot {
    let mut snapshot = metrics(0);
    snapshot.router = vec![minute(0.0, 12.0); WINDOW_MINUTES];
    for m in snapshot.router.iter_mut().rev().take(bad) {
        *m = bad_minute;
    }
    snapshot
}

fn failing(bad: usize) -> MetricsSnapshot {
    router_metrics(bad, minute(37.0, 20.0))
}

/// A state with the router, `/search/*` routed at 10 %, after one healthy refresh.
fn with_router(router: bool) -> State {
    let mut setup = Setup::new(ID, Mode::Live { account: "000000000000".into(), profile: None }, "kim", t0());
    setup.router = router;
    let mut state = State::new(setup);
    update(&mut state, Action::Tick(t0()));
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    if router {
        let record = RouteRecord::new(10, "apigw", "legacy", None).unwrap();
        let store = StoreState::indexed("K1", [("/search/*".to_string(), record)].into());
        update(&mut state, Action::to(ID, Event::SharesLoaded { generation: 0, result: Ok(store) }));
    }
    refresh(&mut state, failing(0));
    state
}

/// One refresh's numbers, with the audit records kept.
fn refresh(state: &mut State, snapshot: MetricsSnapshot) -> Vec<Effect> {
    super::super::distribution(state, Action::to(ID, Event::MetricsLoaded { result: Ok(snapshot) }))
}

fn router_lines(state: &State) -> Vec<String> {
    messages(state).into_iter().filter(|m| m.contains("router")).collect()
}

#[test]
fn errors_for_the_configured_periods_warn_once_ring_record_and_call_for_taking_the_router_off() {
    let mut state = with_router(true);
    assert_eq!(state.policy.thresholds.periods, 3);
    assert!(refresh(&mut state, failing(2)).is_empty(), "two bad minutes of three are not yet a breach");
    assert!(router_lines(&state).is_empty() && state.notices.banner.is_none());

    let effects = refresh(&mut state, failing(3));
    assert_eq!(effects.iter().filter(|e| **e == Effect::Bell).count(), 1, "{effects:?}");
    let records = audit_records(&effects);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, RecordKind::GuardBreach);
    assert_eq!(records[0].routes, ["/search/*"], "the routes the router serves");
    assert_eq!(
        records[0].message.as_deref(),
        Some("router cutover-router-E2TEST: FunctionExecutionErrors 37/min for 3 periods")
    );
    let lines = router_lines(&state);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with(
            "WARN - the router function cutover-router-E2TEST itself is in trouble (FunctionExecutionErrors 37/min for 3 periods)"
        ),
        "{}",
        lines[0]
    );
    for what in
        ["moving shares (+ - s) cannot help", "`cutover router remove --distribution E2TEST --yes`", "by behavior (s)"]
    {
        assert!(lines[0].contains(what), "{what}: {}", lines[0]);
    }
    let banner = state.notices.banner.clone().expect("a banner while it lasts");
    assert!(
        banner.starts_with(
            "router in trouble: take it off with `cutover router remove --distribution E2TEST --yes` (minutes); \
             shares cannot help (37 errors/min for 3 min)"
        ),
        "{banner}"
    );
    assert_eq!(state.learned.router_alert.len(), 1);

    // Still failing at the next refresh: no second warning, bell or record, and the banner stays.
    let effects = refresh(&mut state, failing(4));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(router_lines(&state).len(), 1);
    assert_eq!(state.notices.banner.as_deref(), Some(banner.as_str()));

    // A clean minute: it has recovered, once, and the banner goes.
    assert!(refresh(&mut state, failing(0)).is_empty());
    let lines = router_lines(&state);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], "INFO - the router is healthy again (was FunctionExecutionErrors 37/min)");
    assert!(state.notices.banner.is_none() && state.learned.router_alert.is_empty());
    refresh(&mut state, failing(0));
    assert_eq!(router_lines(&state).len(), 2, "said once");

    // And a new breach is told again.
    let effects = refresh(&mut state, failing(3));
    assert_eq!(audit_records(&effects).len(), 1);
    assert_eq!(router_lines(&state).len(), 3);
}

#[test]
fn compute_over_the_limit_for_the_periods_is_a_breach_too_and_rings_one_bell_with_a_routes_breach() {
    let mut state = with_router(true);
    let mut snapshot = router_metrics(3, minute(0.0, 93.0));
    // /orders/* breaches its own thresholds in the same refresh: one bell for both.
    snapshot.routes = metrics(3).routes;
    let effects = refresh(&mut state, snapshot);
    assert_eq!(effects.iter().filter(|e| **e == Effect::Bell).count(), 1, "{effects:?}");
    let kinds: Vec<_> = audit_records(&effects).iter().map(|r| (r.kind, r.routes.clone())).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(
        state.learned.router_alert.iter().map(|b| b.describe()).collect::<Vec<_>>(),
        ["FunctionComputeUtilization 93% > 80%"]
    );
}

#[test]
fn quiet_minutes_do_not_count_and_without_the_router_nothing_is_judged() {
    // Minutes the function did not run are skipped: three bad minutes with a quiet one between.
    let mut state = with_router(true);
    let mut snapshot = failing(4);
    snapshot.router[WINDOW_MINUTES - 2] = RouterMinute::default();
    assert_eq!(audit_records(&refresh(&mut state, snapshot)).len(), 1);

    let mut state = with_router(false);
    let effects = refresh(&mut state, failing(10));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(router_lines(&state).is_empty() && state.notices.banner.is_none() && state.learned.router_alert.is_empty());
}

#[test]
fn in_the_demo_a_failing_router_points_to_the_fault_key_not_a_live_command() {
    let mut state = with_router(true);
    state.policy.mode = Mode::Demo { scenario: "calm".into() };
    refresh(&mut state, failing(3));
    let lines = router_lines(&state);
    assert!(lines[0].contains("In the demo it is the injected fault: f cycles the faults off"), "{}", lines[0]);
    let banner = state.notices.banner.clone().unwrap();
    assert!(banner.starts_with("router in trouble (the demo's injected fault): f cycles it off"), "{banner}");
    assert!(!lines[0].contains("`cutover") && !banner.contains("`cutover"), "no command to run: {}", lines[0]);
}
