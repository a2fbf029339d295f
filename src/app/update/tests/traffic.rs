//! Following a switch's traffic in the numbers: a warning once when it has not moved in time.

use jiff::SignedDuration;

use super::{ID, loaded, messages, metrics, orders_accepted, request_switch, t0, update};
use crate::app::action::{Action, Event};

#[test]
fn a_route_whose_traffic_has_not_moved_in_time_is_said_once() {
    let mut state = loaded();
    request_switch(&mut state, "/orders/*");
    let accepted = orders_accepted(1, "E1", "E2");
    update(&mut state, accepted);
    let not_yet = |state: &crate::app::model::state::State| {
        messages(state).into_iter().filter(|m| m.contains("traffic has not moved")).collect::<Vec<_>>()
    };
    update(&mut state, Action::Tick(t0() + SignedDuration::from_mins(5)));
    update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    assert!(not_yet(&state).is_empty(), "five minutes is within the default ten");

    for minutes in [11, 12] {
        update(&mut state, Action::Tick(t0() + SignedDuration::from_mins(minutes)));
        update(&mut state, Action::to(ID, Event::MetricsLoaded { result: Ok(metrics(0)) }));
    }
    let warned = not_yet(&state);
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert_eq!(
        warned[0],
        "WARN /orders/* traffic has not moved 11m 00s after accepted: no request on either side since"
    );
    assert_eq!(state.moving_share("/orders/*"), None, "no minute since acceptance: no share to show");
}
