//! End to end in a pseudo-terminal: the real binary's demo reads its edge logs. The table shows the
//! edge's numbers (marked `ᵉ`) from the start, the bad deploy's 5xx at the edge, and after `s y`
//! the event log says the viewers are healthy again; the demo's trail records it.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir};

#[test]
fn the_demo_shows_edge_numbers_and_says_when_viewers_are_healthy_after_a_switch() {
    let home = TempDir::new("cutover-e2e-edge-logs");
    let args = ["demo", "--scenario", "bad-deploy", "--seed", "4", "--speed", "30"];
    let mut console = Console::spawn(&args, home.path(), &[]);
    let screen = console.wait_for("ᵉ", TIMEOUT);
    assert!(screen.contains("edge logs") || screen.contains("ᵉ"), "{screen}");
    // /orders/* is the second row.
    console.type_keys("j");
    console.type_keys("s");
    console.wait_for("switch /orders/*?", TIMEOUT);
    console.type_keys("y");
    console.type_keys("e");
    let screen = console.wait_for("viewers healthy again", Duration::from_secs(90));
    assert!(screen.contains("/orders/*"), "{screen}");
    console.quit_anyway();
    let trail = std::fs::read_to_string(home.path().join("state/cutover/audit-demo.jsonl")).expect("the demo's trail");
    assert!(trail.contains("\"kind\":\"viewers_healthy\""), "{trail}");
}
