//! A way for end-to-end tests to make the real binary panic, in debug builds only (release
//! binaries have none of this): `CUTOVER_DEBUG_PANIC=ui:X` panics on the UI task when key `X` is
//! pressed, `CUTOVER_DEBUG_PANIC=task:X` in a background task, as a failing AWS call would.

use crossterm::event::{KeyCode, KeyEvent};

/// Panic as `CUTOVER_DEBUG_PANIC` asks, if this key is its trigger.
pub fn on_key(key: &KeyEvent) {
    let Ok(wanted) = std::env::var("CUTOVER_DEBUG_PANIC") else { return };
    let Some((place, trigger)) = wanted.split_once(':') else { return };
    if KeyCode::Char(trigger.chars().next().unwrap_or('\0')) != key.code {
        return;
    }
    match place {
        "ui" => panic!("CUTOVER_DEBUG_PANIC on the UI task"),
        "task" => {
            tokio::spawn(async { panic!("CUTOVER_DEBUG_PANIC in a background task") });
        }
        _ => {}
    }
}
