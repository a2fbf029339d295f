//! Pure tests of `update`: actions in, state and effects out.

mod accounts;
mod audit_trail;
mod intents;
mod plans;
mod preflight;
mod quitting;
mod read_back;
mod router_health;
mod shares;
mod stage;
mod team;
mod traffic;

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::app::action::{Action, Effect, Event, On, Work};
use crate::app::command::Command;
use crate::app::console::Console;
use crate::app::model::setup::Setup;
use crate::app::model::state::{Mode, MovePhase, Overlay, State};
use crate::backend::BackendError;
use crate::domain::metrics::WINDOW_MINUTES;
use crate::domain::{
    BackendMinute, DeployStatus, Level, MetricsSnapshot, MinutePoint, OriginPair, ReadBack, RouteChange, RouteInfo,
    Target, Topology,
};

/// The distribution every test state is.
pub(super) const ID: &str = "E2TEST";
/// The router's function for [`ID`].
pub(super) const ROUTER_ARN: &str = "arn:aws:cloudfront::123456789012:function/cutover-router-E2TEST";

/// `update` with the audit records left out; the audit test below looks at them.
pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    super::distribution(state, action).into_iter().filter(|e| !matches!(e, Effect::Audit(_))).collect()
}

pub(super) fn audit_records(effects: &[Effect]) -> Vec<&crate::audit::AuditRecord> {
    effects.iter().filter_map(|e| if let Effect::Audit(r) = e { Some(r.as_ref()) } else { None }).collect()
}

pub(super) fn t0() -> Timestamp {
    "2026-01-15T22:40:05Z".parse().unwrap()
}

pub(super) fn topology() -> Topology {
    let route = |path: &str, origin: &str| RouteInfo {
        path: path.into(),
        origin_id: origin.into(),
        target: Some(if origin == "apigw" { Target::Lambda } else { Target::Origin }),
        pair: Ok(OriginPair { lambda: "apigw".into(), legacy: "legacy".into(), ..Default::default() }),
        behavior: Default::default(),
        // The router's function runs on `/search/*`, as `router install --route /search/*` leaves it.
        viewer_request: (path == "/search/*").then(|| ROUTER_ARN.to_string()),
    };
    Topology {
        distribution_id: "E2TEST".into(),
        status: DeployStatus::Deployed,
        etag: "E1".into(),
        routes: vec![
            route("/user/*", "apigw"),
            route("/orders/*", "apigw"),
            route("/search/*", "legacy"),
            route("*", "legacy"),
        ],
        policies: Default::default(),
        problems: Vec::new(),
    }
}

/// The switch most tests make: `/orders/*` back to the legacy origin.
pub(super) const ORDERS_BACK: &[(&str, &str)] = &[("/orders/*", "legacy")];

/// What CloudFront says when read back: the test topology with `moved` routes on their new origins.
pub(super) fn read_back(status: DeployStatus, moved: &[(&str, &str)]) -> ReadBack {
    let mut read = ReadBack::of(&topology());
    read.status = status;
    for (path, origin) in moved {
        if let Some(entry) = read.origins.iter_mut().find(|(p, _)| p == path) {
            entry.1 = origin.to_string();
        }
    }
    read
}

/// The store's answer to share move `id`: taken (ETags K1 → K2, one call), and read back as asked.
pub(super) fn taken_as_asked(state: &State, id: u64) -> crate::backend::share::SharesAccepted {
    let asked = state.moves.by_id(id).map(|a| a.shares().to_vec()).unwrap_or_default();
    crate::backend::share::SharesAccepted {
        etag_before: "K1".into(),
        etag_after: "K2".into(),
        calls: 1,
        already_there: Vec::new(),
        read_back: Ok(asked.iter().map(|c| (c.path.clone(), Some(c.to))).collect()),
    }
}

fn healthy() -> MinutePoint {
    MinutePoint {
        lambda: BackendMinute::new(Some(1000.0), Some(1.0), Some(200.0)),
        origin: BackendMinute::default(),
        throttles: Some(0.0).into(),
    }
}

fn failing() -> MinutePoint {
    MinutePoint { lambda: BackendMinute::new(Some(1000.0), Some(124.0), Some(300.0)), ..healthy() }
}

/// A window where `/orders/*` has `bad` failing minutes at its end.
pub(super) fn metrics(bad: usize) -> MetricsSnapshot {
    let mut snapshot = MetricsSnapshot {
        window_start: t0() - SignedDuration::from_mins(61),
        concurrency: vec![Some(400.0); WINDOW_MINUTES],
        concurrency_limit: 1000,
        newest_datapoint: Some(t0() - SignedDuration::from_mins(1)),
        ..Default::default()
    };
    for route in topology().routes {
        let normal = match route.target.expect("every test route is on a side") {
            Target::Lambda => healthy(),
            Target::Origin => {
                MinutePoint { origin: healthy().lambda, lambda: BackendMinute::default(), throttles: None.into() }
            }
        };
        let mut series = vec![normal; WINDOW_MINUTES];
        if route.path == "/orders/*" {
            for p in series.iter_mut().rev().take(bad) {
                *p = failing();
            }
        }
        snapshot.routes.insert(route.path, series);
    }
    snapshot
}

/// A state that has read its distribution and one round of healthy metrics.
pub(super) fn loaded() -> State {
    let mut state = State::new(Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0()));
    update(&mut state, Action::Tick(t0()));
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    state
}

pub(super) fn press(state: &mut State, command: Command) -> Vec<Effect> {
    update(state, Action::Command(command))
}

pub(super) fn messages(state: &State) -> Vec<String> {
    state
        .notices
        .log
        .iter()
        .map(|e| format!("{} {} {}", e.level, e.route.as_deref().unwrap_or("-"), e.message))
        .collect()
}

#[test]
fn the_first_tick_reads_the_distribution_and_its_routes_bring_metrics() {
    let mut state = State::new(Setup::new(ID, Mode::Demo { scenario: "calm".into() }, "kim", t0()));
    assert_eq!(update(&mut state, Action::Tick(t0())), vec![Effect::on(ID, Work::LoadTopology { generation: 0 })]);
    let effects = update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    assert!(matches!(&effects[..], [Effect::On(On { work: Work::LoadMetrics { paths, .. }, .. })] if paths.len() == 4));
    assert_eq!(state.view.selected.as_deref(), Some("/user/*"));
}

#[test]
fn refreshes_come_once_a_minute_after_the_data_lands_and_never_twice_at_once() {
    let mut state = loaded();
    // Loaded at 22:40:05: the next refresh is at 22:40:20, then at 22:41:20.
    assert_eq!(state.learned.next_refresh, "2026-01-15T22:40:20Z".parse().unwrap());
    assert!(update(&mut state, Action::Tick("2026-01-15T22:40:19Z".parse().unwrap())).is_empty());
    let effects = update(&mut state, Action::Tick("2026-01-15T22:40:20Z".parse().unwrap()));
    assert_eq!(effects.len(), 2, "topology and metrics: {effects:?}");
    // `r` while both are out asks for nothing more.
    assert!(press(&mut state, Command::Refresh).is_empty());
    assert_eq!(state.learned.next_refresh, "2026-01-15T22:41:20Z".parse().unwrap());
}

#[test]
fn selection_moves_within_the_visible_rows() {
    let mut state = loaded();
    press(&mut state, Command::SelectUp);
    assert_eq!(state.view.selected.as_deref(), Some("/user/*"));
    press(&mut state, Command::SelectDown);
    press(&mut state, Command::SelectDown);
    assert_eq!(state.view.selected.as_deref(), Some("/search/*"));
    press(&mut state, Command::SelectLast);
    press(&mut state, Command::SelectDown);
    assert_eq!(state.view.selected.as_deref(), Some("*"));
    press(&mut state, Command::SelectFirst);
    assert_eq!(state.view.selected.as_deref(), Some("/user/*"));
}

#[test]
fn a_jumps_to_the_next_breached_route_and_wraps_round() {
    use crate::domain::thresholds::{Breach, BreachKind};
    let mut state = loaded();
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("/user/*"), "nothing breached: the selection stays");
    assert_eq!(messages(&state).last().unwrap(), "INFO - no route is breached: a has nothing to jump to");
    // The first bad minute (a `!` in the table), before any alert: a goes there.
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(1)) }));
    assert!(state.route("/orders/*").unwrap().alert.is_empty());
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    state.view.selected = Some("/user/*".into());
    let breach = Breach { kind: BreachKind::ErrorRate, value: 9.0, limit: 5.0 };
    for path in ["/orders/*", "*"] {
        state.routes.iter_mut().find(|r| r.path == path).unwrap().alert = vec![breach.clone()];
    }
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"));
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("*"));
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"), "wraps round");
    // Only rows the filter shows are candidates: "r" hides the default behavior `*`.
    press(&mut state, Command::StartFilter);
    press(&mut state, Command::FilterInput('r'));
    press(&mut state, Command::FilterDone);
    press(&mut state, Command::SelectNextBreached);
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"), "the hidden `*` is skipped");
}

#[test]
fn filtering_hides_rows_and_keeps_or_moves_the_selection() {
    let mut state = loaded();
    press(&mut state, Command::SelectDown);
    press(&mut state, Command::StartFilter);
    for c in "ORD".chars() {
        press(&mut state, Command::FilterInput(c));
    }
    let visible: Vec<_> = state.visible_routes().iter().map(|r| r.path.clone()).collect();
    assert_eq!(visible, ["/orders/*"], "case-insensitive match");
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"));
    press(&mut state, Command::FilterDone);
    assert!(!state.view.filter_editing);
    assert_eq!(state.view.filter, "ORD", "the filter stays after Enter");
    press(&mut state, Command::FilterClear);
    assert_eq!(state.visible_routes().len(), 4);
    assert_eq!(state.view.selected.as_deref(), Some("/orders/*"));
    press(&mut state, Command::StartFilter);
    press(&mut state, Command::FilterInput('z'));
    assert!(state.visible_routes().is_empty());
    assert!(press(&mut state, Command::Switch).is_empty(), "nothing to switch when nothing is shown");
    assert_eq!(state.view.overlay, Overlay::None);
}

pub(super) fn select(state: &mut State, path: &str) {
    state.view.selected = Some(path.into());
}

#[test]
fn confirm_dialog_names_route_targets_and_health_and_cancel_changes_nothing() {
    let mut state = loaded();
    select(&mut state, "/orders/*");
    assert!(press(&mut state, Command::Switch).is_empty());
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no confirm dialog: {:?}", state.view.overlay) };
    assert_eq!(
        (confirm.paths.as_slice(), confirm.from, confirm.to),
        (&["/orders/*".to_string()][..], Target::Lambda, Target::Origin)
    );
    assert_eq!(confirm.health[0], "◼ origin served no /orders/* traffic in the last hour");
    assert!(press(&mut state, Command::Cancel).is_empty());
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.moves.is_empty());
    assert_eq!(state.route("/orders/*").unwrap().target, Some(Target::Lambda));
}

#[test]
fn switching_to_lambda_shows_lambda_health_and_account_concurrency() {
    let mut state = loaded();
    select(&mut state, "/search/*");
    press(&mut state, Command::Switch);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no confirm dialog") };
    assert_eq!(confirm.to, Target::Lambda);
    assert!(confirm.health.iter().any(|h| h == "account concurrency 400/1,000 (40% used)"), "{:?}", confirm.health);
    assert!(confirm.health.iter().any(|h| h.starts_with("λ Lambda across 2 route(s): 2,000 req/min, 5xx 0.1%")));
}

/// Select, open, confirm: the switch is requested.
pub(super) fn request_switch(state: &mut State, path: &str) -> Vec<Effect> {
    select(state, path);
    press(state, Command::Switch);
    press(state, Command::Confirm)
}

#[test]
fn confirming_requests_exactly_that_route_change_and_marks_it_pending() {
    let mut state = loaded();
    let effects = request_switch(&mut state, "/orders/*");
    assert_eq!(
        effects,
        vec![Effect::on(
            "E2TEST",
            Work::Switch { id: 1, changes: vec![RouteChange::new("/orders/*", "apigw", "legacy", Target::Origin)] }
        )]
    );
    assert_eq!(state.route("/orders/*").unwrap().pending, Some(1));
    assert_eq!(
        messages(&state).last().unwrap(),
        "INFO /orders/* switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) requested by kim"
    );
    // A second update of the same distribution waits for the first to be accepted.
    select(&mut state, "/user/*");
    assert!(press(&mut state, Command::Switch).is_empty());
    assert_eq!(state.view.overlay, Overlay::None);
    assert!(state.notices.banner.as_deref().unwrap().contains("already on its way"));
}

#[test]
fn an_accepted_switch_is_tracked_until_deployed_with_every_step_logged() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let accepted = orders_accepted(1, "E3X", "E9Q");
    let effects = update(&mut state, accepted);
    assert_eq!(
        effects,
        vec![
            Effect::on(ID, Work::LoadTopology { generation: 1 }),
            Effect::on("E2TEST", Work::PollDeploy { after: Duration::from_secs(10) }),
        ]
    );
    let row = state.route("/orders/*").unwrap();
    assert_eq!((row.target, row.pending), (Some(Target::Origin), Some(1)));
    assert_eq!(state.learned.topology.as_ref().unwrap().status, DeployStatus::InProgress);
    assert_eq!(state.marks.len(), 1, "the chart gets a switch marker");

    // A topology read that started before the switch landed must not undo it on screen.
    update(&mut state, Action::to(ID, Event::TopologyLoaded { generation: 0, result: Ok(topology()) }));
    assert_eq!(state.route("/orders/*").unwrap().target, Some(Target::Origin));

    let mut now = state.now;
    let poll = |status| Action::to(ID, Event::DeployStatus { result: Ok(read_back(status, ORDERS_BACK)) });
    for _ in 0..4 {
        now += SignedDuration::from_secs(10);
        update(&mut state, Action::Tick(now));
        let effects = update(&mut state, poll(DeployStatus::InProgress));
        assert!(
            matches!(&effects[..], [Effect::On(On { work: Work::PollDeploy { .. }, .. })]),
            "keeps polling: {effects:?}"
        );
    }
    now += SignedDuration::from_secs(55);
    update(&mut state, Action::Tick(now));
    let effects = update(&mut state, poll(DeployStatus::Deployed));
    assert!(effects.is_empty(), "polling stops: {effects:?}");
    assert_eq!(state.route("/orders/*").unwrap().pending, None);
    assert_eq!(state.moves[0].phase, MovePhase::Deployed);
    let log = messages(&state);
    let steps: Vec<&str> = log.iter().filter(|m| m.contains("/orders/*")).map(String::as_str).collect();
    assert_eq!(
        steps,
        [
            "INFO /orders/* switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) requested by kim",
            "INFO /orders/* UpdateDistribution accepted (ETag E3X → E9Q), InProgress: /orders/* λ Lambda (apigw) → ◼ origin (legacy)",
            "INFO /orders/* still propagating, InProgress for 30s",
            "INFO /orders/* Deployed after 1m 35s",
        ]
    );
}

/// Two deploy polls answered in one tick (the demo at 10×): `InProgress`, then `Deployed`. Only
/// the deployed line is said for that tick, never "still propagating … 1m 30s" beside "Deployed
/// after 1m 30s"; a note whose tick ends with the rollout still going is said, at its own time.
#[test]
fn a_rollout_deployed_in_the_tick_it_was_still_propagating_says_only_deployed() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    update(&mut state, orders_accepted(1, "E3X", "E9Q"));
    let poll = |status| Action::to(ID, Event::DeployStatus { result: Ok(read_back(status, ORDERS_BACK)) });
    let accepted_at = state.now;

    // A tick whose rollout is still going at its end: its note is said, at that tick's time.
    let mut now = accepted_at + SignedDuration::from_secs(40);
    update(&mut state, Action::Tick(now));
    update(&mut state, poll(DeployStatus::InProgress));
    now += SignedDuration::from_secs(1);
    update(&mut state, Action::Tick(now));
    let said: Vec<_> = state.notices.log.iter().filter(|e| e.message.starts_with("still propagating")).collect();
    assert_eq!(said.len(), 1, "{:?}", messages(&state));
    assert_eq!(
        (said[0].message.as_str(), said[0].at),
        ("still propagating, InProgress for 40s", now - SignedDuration::from_secs(1))
    );

    // Then, in one tick, InProgress (a note is due) and Deployed: only Deployed.
    now = accepted_at + SignedDuration::from_secs(90);
    update(&mut state, Action::Tick(now));
    update(&mut state, poll(DeployStatus::InProgress));
    update(&mut state, poll(DeployStatus::Deployed));
    update(&mut state, Action::Tick(now + SignedDuration::from_secs(1)));
    let steps: Vec<String> = messages(&state).into_iter().filter(|m| m.contains("/orders/*")).skip(2).collect();
    assert_eq!(steps, ["INFO /orders/* still propagating, InProgress for 40s", "INFO /orders/* Deployed after 1m 30s"]);
}

#[test]
fn a_failed_switch_says_why_and_leaves_the_route_as_it_was() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let error =
        BackendError::ChangedElsewhere { path: "/orders/*".into(), expected: "apigw".into(), found: "canary".into() };
    let effects = update(&mut state, Action::to(ID, Event::SwitchFailed { id: 1, error }));
    assert_eq!(effects, vec![Effect::on(ID, Work::LoadTopology { generation: 0 })], "re-reads what really is there");
    let row = state.route("/orders/*").unwrap();
    assert_eq!((row.target, row.pending), (Some(Target::Lambda), None));
    assert_eq!(state.moves[0].phase, MovePhase::Failed);
    let last = state.notices.log.last().unwrap();
    assert_eq!(last.level, Level::Error);
    assert!(last.message.starts_with(
        "switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) failed: someone else changed the distribution"
    ));
    assert!(state.notices.banner.is_some());
}

#[test]
fn stale_etag_retries_are_visible_in_the_log() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    update(&mut state, Action::to(ID, Event::SwitchConflict { id: 1, stale_etag: "E3X".into() }));
    assert!(messages(&state).last().unwrap().starts_with("WARN /orders/* ETag E3X is stale"));
}

#[test]
fn a_sustained_breach_alerts_once_with_the_numbers_and_a_bell() {
    let mut state = loaded();
    assert!(
        update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(2)) })).is_empty(),
        "two bad periods are not enough"
    );
    assert!(state.route("/orders/*").unwrap().alert.is_empty());

    assert_eq!(update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(3)) })), vec![Effect::Bell]);
    assert_eq!(state.route("/orders/*").unwrap().alert.len(), 1);
    assert_eq!(messages(&state).last().unwrap(), "WARN /orders/* 5xx 12.4% > 5% for 3 periods");

    assert!(
        update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(4)) })).is_empty(),
        "no second bell while it lasts"
    );
    let warnings = state.notices.log.iter().filter(|e| e.level == Level::Warn).count();
    assert_eq!(warnings, 1);

    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    assert!(state.route("/orders/*").unwrap().alert.is_empty());
    assert_eq!(messages(&state).last().unwrap(), "INFO /orders/* back within thresholds");
}

#[test]
fn a_breach_from_before_the_last_switch_is_said_late_without_the_bell_and_a_later_one_rings() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    update(&mut state, orders_accepted(1, "E1", "E2"));
    // The three bad minutes CloudWatch delivers now all ended before the switch was accepted (t0).
    let effects = update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(3)) }));
    assert!(!effects.contains(&Effect::Bell), "{effects:?}");
    let orders = state.route("/orders/*").unwrap();
    assert_eq!((orders.alert.len(), orders.alert_before), (1, Some(t0())));
    assert_eq!(
        messages(&state).last().unwrap(),
        "INFO /orders/* 5xx 12.4% > 5% for 3 periods — from before the switch at 22:40:05 took effect"
    );
    // Two minutes on, the bad minutes reach past the switch: the side it moved to breaches too.
    let mut later = metrics(4);
    later.window_start += SignedDuration::from_mins(2);
    let effects = update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(later) }));
    assert_eq!(effects, vec![Effect::Bell]);
    assert_eq!(state.route("/orders/*").unwrap().alert_before, None);
    assert_eq!(messages(&state).last().unwrap(), "WARN /orders/* 5xx 12.4% > 5% for 3 periods — after the switch");
}

#[test]
fn a_failed_refresh_keeps_the_last_numbers_and_says_so() {
    let mut state = loaded();
    let before = state.learned.metrics.as_ref().cloned();
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Err(BackendError::Timeout) }));
    assert_eq!(state.learned.metrics.as_ref().cloned(), before);
    let banner = state.notices.banner.clone().unwrap();
    assert_eq!(banner, "metrics refresh failed: the call timed out; showing numbers from 22:40:05");
    let logged = messages(&state).last().unwrap().clone();
    assert!(logged.starts_with(&format!("WARN - {banner}; next try in ")), "{logged}");
    assert!(state.is_stale());
}

/// Fail every read of `rounds` refresh rounds, each as soon as it is due; the pauses between them.
fn fail_rounds(state: &mut State, rounds: usize, error: BackendError) -> Vec<u64> {
    let mut pauses = Vec::new();
    for _ in 0..rounds {
        let now = state.learned.next_refresh;
        let effects = update(state, Action::Tick(now));
        assert!(!effects.is_empty(), "a round is due at {now}");
        for effect in effects {
            match effect {
                Effect::On(On { work: Work::LoadTopology { generation, .. }, .. }) => {
                    update(state, Action::to(ID, Event::TopologyLoaded { generation, result: Err(error.clone()) }));
                }
                Effect::On(On { work: Work::LoadMetrics { .. }, .. }) => {
                    update(state, Action::to(ID, Event::MetricsLoaded { result: Err(error.clone()) }));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        pauses.push(state.learned.next_refresh.duration_since(now).as_secs() as u64);
    }
    pauses
}

#[test]
fn failing_refreshes_back_off_with_jitter_to_a_cap_and_recover_by_themselves() {
    let mut state = loaded();
    let before = state.learned.metrics.as_ref().cloned();
    let pauses = fail_rounds(&mut state, 8, BackendError::Throttling);
    // 15 s doubling to the two-minute cap, each pause in the upper half of its step.
    for (pause, full) in pauses.iter().zip([15, 30, 60, 120, 120, 120, 120, 120]) {
        assert!((full / 2..=full).contains(pause), "{pauses:?}");
    }
    assert_eq!(
        state.learned.read_trouble.as_ref().unwrap().failures,
        8,
        "routes and numbers failing together count once"
    );
    assert_eq!(state.learned.metrics.as_ref().cloned(), before, "the last good numbers stay");
    let warnings = messages(&state).iter().filter(|m| m.contains("failed: AWS is throttling")).count();
    assert_eq!(warnings, 1, "the log says it once, not every retry");

    // A new kind of failure is worth a line; then AWS answers and the console says it is current.
    fail_rounds(&mut state, 1, BackendError::Network("connection refused".into()));
    assert!(messages(&state).last().unwrap().contains("connection refused"));
    let now = state.learned.next_refresh;
    update(&mut state, Action::Tick(now));
    let current = MetricsSnapshot { newest_datapoint: Some(now), ..metrics(0) };
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(current) }));
    assert_eq!(state.learned.read_trouble, None);
    assert_eq!(state.notices.banner, None);
    assert!(!state.is_stale());
    assert!(messages(&state).last().unwrap().contains("AWS answers again after"), "{:?}", messages(&state));
    assert!(fail_rounds(&mut state, 1, BackendError::Timeout)[0] <= 15, "the backoff starts over");
}

#[test]
fn help_theme_events_and_quit() {
    // The theme is the console's: every distribution is drawn in it.
    let mut console = Console::new(vec![loaded()]).with_themes("dark", vec!["dark".into(), "light".into()]);
    super::update(&mut console, Action::Command(Command::CycleTheme));
    assert_eq!(console.theme, "light");
    super::update(&mut console, Action::Command(Command::CycleTheme));
    assert_eq!(console.theme, "dark");
    let mut state = loaded();
    press(&mut state, Command::ToggleHelp);
    assert_eq!(state.view.overlay, Overlay::Help);
    press(&mut state, Command::ToggleHelp);
    assert_eq!(state.view.overlay, Overlay::None);
    press(&mut state, Command::ToggleEvents);
    assert!(state.view.log_open);
    press(&mut state, Command::Quit);
    assert!(state.quit);
}

#[test]
fn the_event_log_scrolls_back_and_keeps_its_place_as_entries_arrive() {
    let mut state = loaded();
    for i in 0..20 {
        state.log(Level::Info, None, format!("entry {i}"));
    }
    press(&mut state, Command::ScrollEventsUp);
    assert!(state.view.log_open, "scrolling opens the pane");
    assert_eq!(state.view.log_scroll, 5);
    state.log(Level::Info, None, "a new entry");
    assert_eq!(state.view.log_scroll, 6, "the view stays on the same entries");
    press(&mut state, Command::ScrollEventsDown);
    press(&mut state, Command::ScrollEventsDown);
    assert_eq!(state.view.log_scroll, 0, "back at the newest");
    for _ in 0..10 {
        press(&mut state, Command::ScrollEventsUp);
    }
    assert_eq!(state.view.log_scroll, state.notices.log.len() - 1, "never past the oldest entry");
}

#[test]
fn access_denied_on_update_makes_the_console_read_only_and_switch_keys_explain() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let error = BackendError::AccessDenied("UpdateDistribution is not allowed (AccessDenied: nope)".into());
    update(&mut state, Action::to(ID, Event::SwitchFailed { id: 1, error }));
    assert!(state.read_only.as_deref().unwrap().contains("denied UpdateDistribution"));
    assert!(messages(&state).iter().any(|m| m.contains("the console is now read-only")));

    select(&mut state, "/user/*");
    assert!(press(&mut state, Command::Switch).is_empty());
    assert_eq!(state.view.overlay, Overlay::None, "no dialog opens");
    let last = messages(&state).pop().unwrap();
    assert!(last.starts_with("WARN /user/* the console is read-only ("), "{last}");
    assert!(last.ends_with("/user/* was not switched"), "{last}");
    // A later successful refresh clears the error banner, never the read-only mode.
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    assert_eq!(state.notices.banner, None);
    assert!(state.read_only.is_some());
}

#[test]
fn throttled_deploy_polls_back_off_to_a_cap_and_reset_on_success() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let accepted = orders_accepted(1, "E1", "E2");
    update(&mut state, accepted);
    let poll = |state: &mut State, result| {
        let effects = update(state, Action::to("E2TEST", Event::DeployStatus { result }));
        match &effects[..] {
            [Effect::On(On { work: Work::PollDeploy { after, .. }, .. })] => after.as_secs(),
            other => panic!("expected one poll, got {other:?}"),
        }
    };
    // Doubling from twice the poll interval to the cap, each pause somewhere in its upper half.
    let waits: Vec<u64> = (0..6).map(|_| poll(&mut state, Err(BackendError::Throttling))).collect();
    for (wait, full) in waits.iter().zip([20, 40, 80, 160, 160, 160]) {
        assert!((full / 2..=full).contains(wait), "{waits:?}");
    }
    assert!(messages(&state).last().unwrap().contains("AWS is throttling requests; retrying more slowly; next try in"));
    assert_eq!(
        poll(&mut state, Ok(read_back(DeployStatus::InProgress, ORDERS_BACK))),
        10,
        "back to the normal pace once AWS answers"
    );
    assert!((10..=20).contains(&poll(&mut state, Err(BackendError::Throttling))));
}

#[test]
fn the_cost_of_polling_cloudwatch_follows_the_queries_and_the_refresh_interval() {
    let mut state = loaded();
    assert_eq!(state.metrics_cost_per_hour(), None, "the demo asks CloudWatch for nothing");
    state.policy.metrics_per_refresh = Some(50);
    // 50 metrics × 60 refreshes an hour × $0.01 / 1,000.
    assert!((state.metrics_cost_per_hour().unwrap() - 0.03).abs() < 1e-9);
    state.policy.refresh.every = Duration::from_secs(5);
    assert!((state.metrics_cost_per_hour().unwrap() - 0.36).abs() < 1e-9, "every 5 s costs twelve times more");
}

#[test]
fn the_confirm_dialog_says_when_the_target_side_has_no_metric_source() {
    let mut state = loaded();
    let mut snapshot = metrics(0);
    snapshot.unmeasured.insert(("/orders/*".to_string(), Target::Origin));
    snapshot.routes.insert("/orders/*".into(), vec![healthy(); WINDOW_MINUTES]);
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(snapshot) }));
    select(&mut state, "/orders/*");
    press(&mut state, Command::Switch);
    let Overlay::Confirm(confirm) = &state.view.overlay else { panic!("no dialog") };
    assert!(confirm.health[0].starts_with("◼ origin on /orders/*: unknown, the config names no per-route metrics"));
}

#[test]
fn a_route_with_its_own_thresholds_is_judged_by_them() {
    let mut state = loaded();
    let lenient = crate::domain::Thresholds { error_rate_pct: 20.0, ..state.policy.thresholds.clone() };
    state.policy.route_thresholds.insert("/orders/*".into(), lenient);
    assert!(
        update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(5)) })).is_empty(),
        "12.4% is within 20%"
    );
    assert!(state.route("/orders/*").unwrap().alert.is_empty());

    let strict = crate::domain::Thresholds { error_rate_pct: 10.0, periods: 1, ..state.policy.thresholds.clone() };
    state.policy.route_thresholds.insert("/orders/*".into(), strict);
    assert_eq!(update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(1)) })), vec![Effect::Bell]);
    assert_eq!(messages(&state).last().unwrap(), "WARN /orders/* 5xx 12.4% > 10% for 1 period");
}

#[test]
fn latency_is_named_by_the_statistic_it_was_measured_with() {
    let mut state = loaded();
    state.policy.latency_statistic = "Average".into();
    let slow = crate::domain::Thresholds { latency_ms: 250.0, periods: 1, ..state.policy.thresholds.clone() };
    state.policy.route_thresholds.insert("/orders/*".into(), slow);
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(1)) }));
    assert_eq!(messages(&state).last().unwrap(), "WARN /orders/* 5xx 12.4% > 5%, Average 300 ms > 250 ms for 1 period");
}

#[test]
fn a_guard_acts_once_and_never_while_read_only() {
    let mut state = loaded();
    state.policy.auto_rollback.insert("/orders/*".into());
    state.read_only = Some("--read-only".into());
    let effects = update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(3)) }));
    assert_eq!(effects, vec![Effect::Bell], "no switch while read-only");
    assert!(messages(&state).last().unwrap().contains("auto_rollback is on, but the console is read-only"));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(4)) }));
    assert!(state.moves.is_empty());

    let mut state = loaded();
    state.policy.auto_rollback.insert("/orders/*".into());
    let effects = update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(3)) }));
    assert!(
        matches!(&effects[..], [Effect::Bell, Effect::On(On { work: Work::Switch { changes, .. }, .. })] if changes.len() == 1),
        "{effects:?}"
    );
    update(&mut state, Action::to(ID, Event::SwitchFailed { id: 1, error: BackendError::Throttling }));
    let effects = update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(4)) }));
    assert!(effects.is_empty(), "a guard does not try again by itself: {effects:?}");
}

#[test]
fn every_step_of_a_switch_and_every_breach_is_an_audit_record() {
    use crate::audit::{Outcome, RecordKind};
    let mut state = loaded();
    state.policy.caller_arn = Some("arn:aws:sts::123456789012:assumed-role/oncall/kim".into());
    select(&mut state, "/orders/*");
    press(&mut state, Command::Switch);
    let requested = super::distribution(&mut state, Action::Command(Command::Confirm));
    let accepted = super::distribution(&mut state, orders_accepted(1, "E1", "E2"));
    let mut now = state.now;
    now += SignedDuration::from_secs(95);
    update(&mut state, Action::Tick(now));
    let deployed = super::distribution(
        &mut state,
        Action::to("E2TEST", Event::DeployStatus { result: Ok(read_back(DeployStatus::Deployed, ORDERS_BACK)) }),
    );
    let records: Vec<_> = [&requested, &accepted, &deployed].iter().flat_map(|e| audit_records(e)).cloned().collect();
    let kinds: Vec<RecordKind> = records.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RecordKind::SwitchRequested, RecordKind::SwitchAccepted, RecordKind::SwitchDeployed]);
    let last = records.last().unwrap();
    assert_eq!((last.operator.as_str(), last.caller_arn.as_deref()), ("kim", state.policy.caller_arn.as_deref()));
    assert_eq!((last.distribution.as_str(), last.routes.as_slice()), ("E2TEST", &["/orders/*".to_string()][..]));
    assert_eq!(
        (last.from, last.to, last.outcome),
        (Some(Target::Lambda), Some(Target::Origin), Some(Outcome::Deployed))
    );
    assert_eq!((last.etag_before.as_deref(), last.etag_after.as_deref()), (Some("E1"), Some("E2")));
    assert_eq!((last.request_to_accepted_ms, last.accepted_to_deployed_ms), (Some(0), Some(95_000)));
    // The audit record comes before the work it describes is started.
    assert!(
        matches!(requested.as_slice(), [Effect::Audit(_), Effect::On(On { work: Work::Switch { .. }, .. })]),
        "{requested:?}"
    );

    let breach = super::distribution(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(3)) }));
    let records = audit_records(&breach);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, RecordKind::GuardBreach);
    assert_eq!(records[0].message.as_deref(), Some("5xx 12.4% > 5% for 3 periods"));
}

/// CloudFront's answer accepting switch `id` of `/orders/*` to the origin, ETag `before` → `after`,
/// still `InProgress`, the route read back where it was asked.
pub(super) fn orders_accepted(id: u64, before: &str, after: &str) -> Action {
    Action::to(
        ID,
        Event::SwitchAccepted {
            id,
            etag_before: before.into(),
            etag_after: after.into(),
            status: DeployStatus::InProgress,
            already_there: vec![],
            read_back: Ok(read_back(DeployStatus::InProgress, ORDERS_BACK)),
        },
    )
}
