//! End to end in a pseudo-terminal: the demo's `/auth/*` forwards the viewer's Host header, so its
//! confirm dialog names the origins on both sides, shows the pre-flight's block and its fix, refuses
//! `y`, and sends the switch only on the override key `!`, saying so in the event log.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir, line_with};

#[test]
fn a_blocked_switch_shows_its_cause_refuses_y_and_goes_only_on_the_override_key() {
    let home = TempDir::new("cutover-e2e-preflight");
    let mut console = Console::spawn(&["demo", "--seed", "1", "--speed", "30"], home.path(), &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    // /auth/* is the seventh row: six steps down from /user/*.
    console.type_keys("jjjjjj");
    std::thread::sleep(Duration::from_millis(200));
    let screen = console.screen();
    assert!(line_with(&screen, "/auth/*").contains('▶'), "/auth/* not selected:\n{screen}");
    console.type_keys("s");
    let screen = console.wait_for("switch /auth/*?", TIMEOUT);
    assert!(screen.contains("origin legacy → apigw"), "the dialog names both origin ids:\n{screen}");
    assert!(screen.contains("✗ /auth/* would send the viewer's Host header"), "no block:\n{screen}");
    assert!(screen.contains("AllViewer"), "the block names the cause:\n{screen}");
    assert!(screen.contains("! switch anyway (recorded)"), "the override key is offered:\n{screen}");
    assert!(!screen.contains("y switch"), "y is not offered for a blocked switch:\n{screen}");
    assert!(screen.contains("! override · n/Esc cancel"), "the footer offers the override key:\n{screen}");
    assert!(!screen.contains("y confirm"), "the footer does not offer y:\n{screen}");

    // `y` does nothing but say why (in the event log); the dialog stays.
    console.type_keys("y");
    std::thread::sleep(Duration::from_millis(500));
    let screen = console.screen();
    assert!(screen.contains("switch /auth/*?"), "the dialog should still be open:\n{screen}");
    assert!(!screen.contains("⇄"), "nothing was requested:\n{screen}");

    console.type_keys("!");
    console.wait_for("⇄", TIMEOUT);
    console.type_keys("e");
    let screen = console.wait_for("pre-flight overridden", TIMEOUT);
    assert!(screen.contains("not switched: /auth/* would send"), "y said why it did nothing:\n{screen}");
    let requested = line_with(&screen, "switch /auth/* ◼ origin (legacy) → λ Lambda (apigw) requested by");
    assert!(requested.contains("WARN"), "an override is a warning: {requested:?}");
    console.wait_for("UpdateDistribution accepted", TIMEOUT);

    console.type_keys("q");
    // A switch is still rolling out: quitting asks first.
    console.wait_for("quit anyway", TIMEOUT);
    console.type_keys("y");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
}
