//! End to end in a pseudo-terminal: after a switch in the demo, the route's row shows how the move
//! goes (the probes through the edge answered by the new side, `◼ origin ⇄ 8/12`, then the numbers' share,
//! `◼ origin ⇄ 62 %`), and the event log says when every probe came from the new side and when the
//! traffic moved.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir, line_with};

#[test]
fn the_row_shows_the_moving_share_and_the_log_says_when_the_traffic_moved() {
    let home = TempDir::new("cutover-e2e-traffic");
    let mut console = Console::spawn(&["demo", "--seed", "4", "--speed", "30"], home.path(), &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    console.type_keys("j");
    std::thread::sleep(Duration::from_millis(200));
    assert!(line_with(&console.screen(), "/orders/*").contains('▶'), "/orders/* not selected");
    console.type_keys("sy");
    // The row's mark while it moves: first the probes' count, then the numbers' share.
    let mut marks = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline && !marks.iter().any(|m: &String| m.contains(" %")) {
        let screen = console.screen();
        let row = line_with(&screen, "/orders/*");
        if let Some(at) = row.find("◼ origin ⇄") {
            marks.push(row[at..].split("  ").next().unwrap_or_default().to_string());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(marks.iter().any(|m| m.contains(" %")), "the numbers' share was shown: {marks:?}");
    console.type_keys("e");
    let screen = console.wait_for("edge: every probe answered by ◼ origin since", Duration::from_secs(60));
    assert!(line_with(&screen, "edge: every probe").contains("after accepted)"), "{screen}");
    let screen = console.wait_for("traffic moved:", Duration::from_secs(60));
    let moved = line_with(&screen, "traffic moved:");
    assert!(moved.contains("on ◼ origin (legacy)") && moved.contains("after accepted"), "{moved:?}");
    // Deployed by now as a rule; if CloudFront is still rolling out, quitting asks first.
    console.quit_anyway();
}
