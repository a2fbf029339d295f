//! End to end in a pseudo-terminal: `cutover demo --scenario crew`. The teammate's rollback of
//! `/cart/*` shows in the event log with her name, and `s` on `/cart/*` while it rolls out opens
//! the confirm dialog with her warning on screen; `n` leaves without a move. The demo's journal
//! is its own: nothing is left in the outbox a live run would send.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir};

#[test]
fn s_on_the_route_a_teammate_is_rolling_back_warns_of_her_before_y() {
    let home = TempDir::new("cutover-e2e-crew");
    // 20×: she acts 6 s in, and her rollout runs 3 s or more.
    let mut console = Console::spawn(&["demo", "--scenario", "crew", "--seed", "4", "--speed", "20"], home.path(), &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    console.type_keys("e");
    // The table starts on /user/*; /cart/* is two rows down.
    console.type_keys("jj");
    console.wait_for("alice@laptop-7: alice asked to switch /cart/*", TIMEOUT);
    console.type_keys("s");
    let screen = console.wait_for("alice@laptop-7 is rolling /cart/* back: requested", TIMEOUT);
    assert!(screen.contains("switch /cart/*?"), "the dialog is about /cart/*:\n{screen}");
    console.type_keys("n");
    let start = std::time::Instant::now();
    while console.screen().contains("is rolling /cart/* back") && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let after = console.screen();
    assert!(!after.contains("is rolling /cart/* back"), "the dialog stayed open:\n{after}");
    assert!(!after.contains("requested by e2e-tester"), "n sent a move:\n{after}");
    console.quit_anyway();

    let state = home.path().join("state/cutover");
    let left: Vec<String> = std::fs::read_dir(&state)
        .map(|dir| dir.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(!left.iter().any(|name| name.contains("outbox")), "the demo left journal entries: {left:?}");
}
