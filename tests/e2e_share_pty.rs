//! End to end in a pseudo-terminal: on the demo's routed `/search/*`, `+` and `-` step Lambda's
//! share through the router's store (the row shows `λ 5 %`), `s` moves all of it, and `R` puts it
//! back to 0 beside a behavior rollback: the edge answers from the origin for the routed route
//! before the behaviors' update is `Deployed`.

mod support;

use std::time::Duration;

use support::pty::{Console, TIMEOUT, TempDir, line_with};

/// Select `path` by walking down from the top of the table.
fn select(console: &mut Console, path: &str) {
    for _ in 0..12 {
        if line_with(&console.screen(), path).contains('▶') {
            return;
        }
        console.type_keys("j");
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{path} was never selected:\n{}", console.screen());
}

/// Wait until the row of `path` shows `text` (the store's answer is in).
fn wait_row(console: &mut Console, path: &str, text: &str) {
    let deadline = std::time::Instant::now() + TIMEOUT;
    while std::time::Instant::now() < deadline {
        if line_with(&console.screen(), path).contains(text) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the row of {path} never showed {text:?}:\n{}", console.screen());
}

/// Confirm the dialog a key opened, once it is on screen.
fn confirm(console: &mut Console, title: &str) {
    console.wait_for(title, TIMEOUT);
    console.type_keys("y");
}

/// The demo with `/search/*` selected and moved from 0 to 1 % by `+`, the store's answer shown.
fn demo_with_search_at_one_percent(home: &TempDir) -> Console {
    let mut console = Console::spawn(&["demo", "--seed", "4", "--speed", "30"], home.path(), &[]);
    console.wait_for("λ Lambda", TIMEOUT);
    select(&mut console, "/search/*");
    console.type_keys("+");
    confirm(&mut console, "move /search/* λ 0 % → 1 % by the router?");
    wait_row(&mut console, "/search/*", "λ 1 %");
    console
}

#[test]
fn plus_and_minus_step_the_share_and_a_share_rollback_beats_the_behavior() {
    let home = TempDir::new("cutover-e2e-share");
    // 0 → 1 → 5 %, each confirmed, each taken by the store before the next.
    let mut console = demo_with_search_at_one_percent(&home);
    console.type_keys("+");
    confirm(&mut console, "move /search/* λ 1 % → 5 % by the router?");
    wait_row(&mut console, "/search/*", "λ 5 %");
    // One step down, then all the way back with s: a rollback by share.
    console.type_keys("-");
    confirm(&mut console, "move /search/* λ 5 % → 1 % by the router?");
    wait_row(&mut console, "/search/*", "λ 1 %");
    console.type_keys("s");
    confirm(&mut console, "move /search/* λ 1 % → 0 % by the router?");
    wait_row(&mut console, "/search/*", "◼ origin");
    // All of it to Lambda, then R: the behaviors roll back in one update and the share in the store.
    console.type_keys("s");
    confirm(&mut console, "move /search/* λ 0 % → 100 % by the router?");
    wait_row(&mut console, "/search/*", "λ 100 %");
    console.type_keys("R");
    confirm(&mut console, "and 1 routed share(s) to 0 %?");
    console.type_keys("e");
    let screen = console.wait_for("/search/*   edge: every probe answered by ◼ origin", Duration::from_secs(60));
    assert!(
        !screen.contains("Deployed after"),
        "the share's edge moved before the behaviors' update deployed:\n{screen}"
    );
    console.wait_for("Deployed after", Duration::from_secs(60));
    console.quit_anyway();
}

#[test]
fn u_after_a_share_move_puts_the_share_back_and_then_says_it_moved_since() {
    let home = TempDir::new("cutover-e2e-share-undo");
    let mut console = demo_with_search_at_one_percent(&home);
    // u: the share the store took goes back to what it was, read back from the store.
    console.type_keys("u");
    confirm(&mut console, "undo: switch /search/* back?");
    wait_row(&mut console, "/search/*", "◼ origin");
    // Nothing newer to undo: the share of that move is no longer the one it gave.
    console.type_keys("e");
    console.type_keys("u");
    console.wait_for("the shares of the last move have moved since; nothing to undo", TIMEOUT);
    console.type_keys("q");
    let status = console.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "cutover exited with {status:?}; screen:\n{}", console.screen());
}
