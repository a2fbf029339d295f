//! End to end: the real binary in a pseudo-terminal, driven by keystrokes, read back through a
//! terminal emulator (vt100). Slow-ish (a few seconds) but the only test that covers raw mode,
//! the alternate screen, key decoding and the event loop together.

mod support;

use std::time::{Duration, Instant};

use support::pty::{Console, TIMEOUT, TempDir, line_with};

#[test]
fn demo_switch_is_recorded_in_the_event_log() {
    let home = TempDir::new("cutover-e2e");
    let started = Instant::now();
    let mut console = Console::spawn(&["demo", "--seed", "1", "--speed", "30"], home.path(), &[]);

    let screen = console.wait_for("/orders/*", TIMEOUT);
    assert!(screen.contains("cutover  DEMO"), "no demo header; screen:\n{screen}");
    assert_ne!(console.canonical_mode(), Some(true), "the console should put the terminal in raw mode");
    console.wait_for("λ Lambda", TIMEOUT);
    let screen = console.screen();
    let first = line_with(&screen, "/user/*");
    assert!(first.contains('▶'), "/user/* should start selected; row: {first:?}\nscreen:\n{screen}");
    let row = line_with(&screen, "/orders/*");
    assert!(row.contains("λ Lambda"), "/orders/* should start on Lambda; row: {row:?}\nscreen:\n{screen}");

    console.type_keys("j");
    std::thread::sleep(Duration::from_millis(200));
    console.type_keys("s");
    let screen = console.wait_for("switch /orders/*?", TIMEOUT);
    assert!(screen.contains("from   λ Lambda"), "confirm dialog without `from`; screen:\n{screen}");
    assert!(screen.contains("to     ◼ origin"), "confirm dialog without `to`; screen:\n{screen}");

    console.type_keys("y");
    console.type_keys("e");
    let screen = console.wait_for("UpdateDistribution accepted", TIMEOUT);
    assert!(screen.contains(" events ("), "events pane not open; screen:\n{screen}");
    let requested = line_with(&screen, "switch /orders/* λ Lambda (apigw) → ◼ origin (legacy) requested by");
    assert!(requested.contains("/orders/*"), "switch request not for /orders/*: {requested:?}");
    assert!(requested.contains("e2e-tester"), "switch request without the operator: {requested:?}");
    let row = line_with(&screen, "/orders/*");
    assert!(row.contains('▶'), "/orders/* should be selected: {row:?}\nscreen:\n{screen}");
    assert!(row.contains("◼ origin"), "/orders/* row should now target the origin: {row:?}\nscreen:\n{screen}");

    // Rollout takes 1–3 simulated minutes: 2–6 real seconds at 30×.
    console.wait_for("Deployed after", TIMEOUT);

    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
    let raw = console.raw();
    assert!(
        raw.windows(8).any(|w| w == b"\x1b[?1049l"),
        "the alternate screen was not left (no ESC[?1049l in {} bytes of output)",
        raw.len()
    );
    assert_ne!(console.canonical_mode(), Some(false), "raw mode was not turned off on exit");
    // Nothing should have asked the terminal for its cursor position: the test never answers.
    assert!(!raw.windows(4).any(|w| w == b"\x1b[6n"), "cutover queried the cursor position");
    eprintln!("e2e run took {:?}", started.elapsed());
}

/// Three keystrokes roll back every Lambda route of the shown distribution, and only that one.
#[test]
fn with_several_distributions_tab_then_r_y_rolls_back_only_the_shown_one() {
    let home = TempDir::new("cutover-e2e-deck");
    let mut console =
        Console::spawn(&["demo", "--seed", "1", "--speed", "10", "--distributions", "2"], home.path(), &[]);
    let screen = console.wait_for("▶ 1 EDEMO7CUTOVER", TIMEOUT);
    assert!(screen.contains("2 EDEMO8CUTOVER"), "no second tab; screen:\n{screen}");
    console.wait_for("λ Lambda", TIMEOUT);

    console.type_keys("\t");
    console.wait_for("▶ 2 EDEMO8CUTOVER", TIMEOUT);
    console.type_keys("R");
    let screen = console.wait_for("roll back all 4 Lambda routes to the origin?", TIMEOUT);
    assert!(screen.contains("distribution EDEMO8CUTOVER"), "the dialog names the distribution; screen:\n{screen}");
    console.type_keys("y");
    let screen = console.wait_for("◼ origin ⇄", TIMEOUT);
    for path in ["/user/*", "/orders/*", "/cart/*", "/catalog/*"] {
        let row = line_with(&screen, path);
        assert!(row.contains("◼ origin ⇄"), "every Lambda route of the shown distribution moves: {row:?}\n{screen}");
    }

    console.type_keys("\x1b[Z"); // Shift-Tab
    let screen = console.wait_for("▶ 1 EDEMO7CUTOVER", TIMEOUT);
    assert!(line_with(&screen, "/orders/*").contains("λ Lambda"), "the other distribution is untouched:\n{screen}");
    // The rollback on the hidden tab is still rolling out (at least 6 s at 10×): quitting names it.
    console.type_keys("q");
    let screen = console.wait_for("quit with a switch unfinished?", TIMEOUT);
    assert!(
        screen.contains("EDEMO8CUTOVER: /user/*, /orders/*"),
        "the question names the other tab's switch:\n{screen}"
    );
    console.type_keys("y");
    assert!(console.wait_exit(Duration::from_secs(10)).success());
}

/// A closed terminal window (SIGHUP) or `kill` (SIGTERM) ends the console cleanly: raw mode off,
/// the main screen back, the cursor visible.
#[test]
fn sigterm_and_sighup_give_the_terminal_back() {
    for signal in ["TERM", "HUP"] {
        let home = TempDir::new("cutover-e2e-signal");
        let mut console = Console::spawn(&["demo", "--seed", "1"], home.path(), &[]);
        console.wait_for("/orders/*", TIMEOUT);
        assert_ne!(console.canonical_mode(), Some(true), "raw mode while running");
        console.signal(signal);
        let status = console.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "SIG{signal}: cutover exited with {status:?}");
        assert!(console.canonical_mode().unwrap_or(true), "SIG{signal}: raw mode left on");
        let raw = String::from_utf8_lossy(&console.raw()).into_owned();
        let tail = &raw[raw.rfind("\x1b[?1049h").expect("entered the alternate screen")..];
        assert!(tail.contains("\x1b[?1049l"), "SIG{signal}: the main screen was not restored");
        assert!(tail.contains("\x1b[?25h"), "SIG{signal}: the cursor was left hidden");
    }
}

/// A panic, on the UI task or in a background task, gives the terminal back (raw mode off, main
/// screen, cursor shown), says so in one line naming the log file, leaves the message and a
/// backtrace there, and ends the process with 101 instead of running on with a broken screen.
#[test]
fn a_panic_anywhere_gives_the_terminal_back_and_ends_the_process() {
    for place in ["ui", "task"] {
        let home = TempDir::new("cutover-e2e-panic");
        let trigger = [("CUTOVER_DEBUG_PANIC", format!("{place}:!"))];
        let mut console = Console::spawn(&["demo", "--seed", "1"], home.path(), &trigger);
        console.wait_for("/orders/*", TIMEOUT);
        console.type_keys("!");
        let status = console.wait_exit(Duration::from_secs(10));
        assert_eq!(status.exit_code(), 101, "{place}: exit status {status:?}");
        assert!(console.canonical_mode().unwrap_or(true), "{place}: raw mode left on");
        let raw = String::from_utf8_lossy(&console.raw()).into_owned();
        let tail = &raw[raw.rfind("\x1b[?1049h").expect("entered the alternate screen")..];
        assert!(tail.contains("\x1b[?1049l"), "{place}: the main screen was not restored");
        assert!(tail.contains("\x1b[?25h"), "{place}: the cursor was left hidden");
        let line = tail.lines().find(|l| l.contains("cutover: internal error:")).unwrap_or_default();
        assert!(line.contains("CUTOVER_DEBUG_PANIC") && line.contains("cutover.log"), "{place}: {tail:?}");
        let log = std::fs::read_to_string(home.path().join("state/cutover/cutover.log")).expect("a log file");
        assert!(log.contains("ERROR panic:") && log.contains("debug_panic.rs"), "{place}: {log}");
    }
}

/// With every AWS call hanging (`--faults timeouts` at real speed, so the first read of the
/// distribution hangs for 40 s), the console still answers keys: help opens and closes, the event
/// log opens, and `q` quits at once.
#[test]
fn keys_work_while_every_aws_call_hangs() {
    let home = TempDir::new("cutover-e2e-hang");
    let args = ["demo", "--seed", "1", "--speed", "1", "--faults", "timeouts"];
    let mut console = Console::spawn(&args, home.path(), &[]);
    let screen = console.wait_for("reading distribution…", TIMEOUT);
    assert!(screen.contains("timeouts"), "the header does not name the fault:\n{screen}");
    let started = std::time::Instant::now();
    console.type_keys("?");
    console.wait_for("closes this help.", TIMEOUT);
    console.type_keys("?");
    console.type_keys("e");
    console.wait_for("┌ events", TIMEOUT);
    let screen = console.screen();
    assert!(!screen.contains("closes this help."), "help did not close:\n{screen}");
    assert!(screen.contains("reading routes…"), "the first read should still be hanging:\n{screen}");
    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}");
    assert!(started.elapsed() < Duration::from_secs(40), "the keys waited for the hanging call");
}

/// `cutover log --demo --json` of the demo console that ran in `home`: one JSON record per line.
fn audit_trail(home: &std::path::Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(["log", "--demo", "--json"])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .output()
        .expect("cutover log runs");
    assert!(output.status.success(), "cutover log failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Start switching /orders/* at real speed, so the rollout is still under way minutes later.
fn console_mid_switch(home: &std::path::Path) -> Console {
    let mut console = Console::spawn(&["demo", "--seed", "1", "--speed", "1"], home, &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    console.type_keys("j");
    std::thread::sleep(Duration::from_millis(200));
    console.type_keys("s");
    console.wait_for("switch /orders/*?", TIMEOUT);
    console.type_keys("y");
    console.wait_for("◼ origin ⇄", TIMEOUT);
    console
}

/// `q` while a switch is unconfirmed asks first and says what state the route may be in; `n`
/// stays, `y` quits and the audit trail ends the switch as abandoned.
#[test]
fn quitting_mid_switch_asks_and_records_the_switch_as_abandoned() {
    let home = TempDir::new("cutover-e2e-quit");
    let mut console = console_mid_switch(home.path());
    console.type_keys("q");
    let screen = console.wait_for("quit with a switch unfinished?", TIMEOUT);
    assert!(screen.contains("/orders/* λ Lambda → ◼ origin"), "the question names the switch:\n{screen}");
    assert!(screen.contains("edges serve either target"), "the question says what state it may be in:\n{screen}");
    console.type_keys("n");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!console.screen().contains("quit with a switch"), "n keeps the console open");

    console.type_keys("q");
    console.wait_for("quit with a switch unfinished?", TIMEOUT);
    console.type_keys("y");
    assert!(console.wait_exit(Duration::from_secs(10)).success());
    let trail = audit_trail(home.path());
    let kinds: Vec<&str> = trail.lines().filter_map(|l| l.split("\"kind\":\"").nth(1)?.split('"').next()).collect();
    assert_eq!(kinds, ["switch_requested", "switch_accepted", "switch_abandoned"], "{trail}");
    assert!(trail.contains("the operator quit the console before AWS confirmed it"), "{trail}");
}

/// SIGTERM cannot be asked about: the switch under way is recorded as abandoned, naming the signal.
#[test]
fn sigterm_mid_switch_records_the_switch_as_abandoned() {
    let home = TempDir::new("cutover-e2e-term");
    let mut console = console_mid_switch(home.path());
    console.signal("TERM");
    assert!(console.wait_exit(Duration::from_secs(10)).success());
    let trail = audit_trail(home.path());
    let abandoned: Vec<&str> = trail.lines().filter(|l| l.contains("\"kind\":\"switch_abandoned\"")).collect();
    assert_eq!(abandoned.len(), 1, "{trail}");
    assert!(abandoned[0].contains("cutover got SIGTERM before AWS confirmed it"), "{trail}");
}

/// A thousand routes in the real binary: `G` scrolls to the default behavior, the filter finds a
/// route far down the list, and `Esc` brings the whole table back.
#[test]
fn a_thousand_routes_scroll_and_filter_in_the_real_terminal() {
    let home = TempDir::new("cutover-e2e-many");
    let mut console = Console::spawn(&["demo", "--seed", "1", "--routes", "1000"], home.path(), &[]);
    let screen = console.wait_for("routes 1–", TIMEOUT);
    assert!(screen.contains(" of 1,000"), "no row range in the title; screen:\n{screen}");
    console.wait_for("λ Lambda", TIMEOUT);

    console.type_keys("G");
    let screen = console.wait_for("–1,000 of 1,000", TIMEOUT);
    let last = line_with(&screen, "/svc/991/*");
    assert!(!last.contains('▶'), "the last service is not the last route: {last:?}");

    console.type_keys("/svc/777");
    let screen = console.wait_for("(1 of 1,000)", TIMEOUT);
    assert!(line_with(&screen, "/svc/777/*").contains('▶'), "the match is not selected; screen:\n{screen}");
    console.type_keys("\x1b");
    console.wait_for(" of 1,000 ", TIMEOUT);

    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
}
