//! End to end in a pseudo-terminal: on the demo's `/orders/*`, `D` lists the Lambda side's stage's
//! deployments (serving and fallback marked), `↓` and `Enter` ask, `y` moves the stage to the
//! proxy deployment, the route detail says so, and `u` moves it back.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir, line_with};

#[test]
fn d_picks_a_deployment_and_u_puts_the_stage_back() {
    let home = TempDir::new("cutover-e2e-stage");
    let mut console = Console::spawn(&["demo", "--seed", "4", "--speed", "30"], home.path(), &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    for _ in 0..12 {
        if line_with(&console.screen(), "/orders/*").contains('▶') {
            break;
        }
        console.type_keys("j");
        std::thread::sleep(Duration::from_millis(100));
    }
    console.type_keys("D");
    let picker = console.wait_for("proxy to monolith", TIMEOUT);
    assert!(picker.lines().any(|l| l.contains(" v42 ") && l.contains("serving")), "{picker}");
    assert!(line_with(&picker, "proxy to monolith").contains("fallback"), "{picker}");
    assert!(line_with(&picker, "proxy to monolith").contains('▶'), "the fallback is chosen first:\n{picker}");
    // Up to v41, then back down to the fallback: the arrows move the choice, not the table.
    console.type_keys("k");
    std::thread::sleep(Duration::from_millis(200));
    assert!(line_with(&console.screen(), "v41").contains('▶'), "{}", console.screen());
    console.type_keys("j");
    std::thread::sleep(Duration::from_millis(200));
    console.type_keys("\r");
    console.wait_for("move the stage?", TIMEOUT);
    console.type_keys("y");
    console.wait_for("stage prod: d0 (proxy to monolith)", TIMEOUT);
    console.type_keys("u");
    console.wait_for("undo the stage move?", TIMEOUT);
    console.type_keys("y");
    console.wait_for("stage prod: d2 (v42)", TIMEOUT);
    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}
