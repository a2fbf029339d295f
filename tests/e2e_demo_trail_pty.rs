//! End to end in a pseudo-terminal: the demo keeps a trail of its own. A switch in one demo run is
//! recorded in `audit-demo.jsonl` (never the live trail), and the next run, on a world made afresh,
//! shows none of it: no `history:` line, whose simulated time would be ahead of the new run's clock.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir};

#[test]
fn a_new_demo_run_shows_no_record_of_an_earlier_run_and_the_live_trail_stays_empty() {
    let home = TempDir::new("cutover-e2e-demo-trail");
    let mut first = Console::spawn(&["demo", "--seed", "4", "--speed", "30"], home.path(), &[]);
    first.wait_for("λ Lambda", TIMEOUT);
    first.type_keys("s");
    first.wait_for("switch /user/*?", TIMEOUT);
    first.type_keys("y");
    first.type_keys("e");
    first.wait_for("Deployed after", Duration::from_secs(60));
    first.quit_anyway();

    let state = home.path().join("state/cutover");
    let demo_trail = std::fs::read_to_string(state.join("audit-demo.jsonl")).expect("the demo's trail");
    assert!(demo_trail.contains("switch_requested") && demo_trail.contains("\"mode\":\"demo\""), "{demo_trail}");
    assert!(!state.join("audit.jsonl").exists(), "the demo wrote to the live trail");

    let mut second = Console::spawn(&["demo", "--seed", "4", "--speed", "30"], home.path(), &[]);
    second.wait_for("λ Lambda", TIMEOUT);
    second.type_keys("e");
    let screen = second.wait_for("cutover log --demo", TIMEOUT);
    assert!(!screen.contains("history:"), "an earlier run's records came back:\n{screen}");
    second.quit_anyway();
}
