//! What the console says to the operator: the event log, the banners and the last refusal.

use crate::app::intent::refusal::Refusal;
use crate::domain::LogEntry;
use crate::domain::demo_words::in_demo_words;

/// What the console says to the operator: the event log (oldest first), the banners, and the last
/// refusal. Written through `State::log` and `update::dialogs::refuse` mostly; read by the screen and
/// headless commands.
#[derive(Clone, Debug, Default)]
pub struct Notices {
    pub log: Vec<LogEntry>,
    /// A problem the operator should see until it clears.
    pub banner: Option<String>,
    /// Why the audit trail could not be written, from the last write (or check) that failed; cleared
    /// when a later write succeeds. Shown as a banner of its own that refreshes do not clear.
    pub audit_failure: Option<String>,
    /// Why the last switching key (or headless request) did nothing: read-only, an update still in
    /// flight, a route that cannot move, a blocked dialog. Cleared when a dialog opens or a switch
    /// is sent. Headless commands print this, never the event log's text.
    pub refused: Option<Refusal>,
    /// A one-line answer to a key that could not act (or one whose effect is not on screen, such as
    /// the theme's name), shown in the footer for a few seconds.
    pub flash: Option<Flash>,
    /// The console runs on the demo world: what it says names the demo's commands
    /// (`domain::demo_words`).
    pub demo: bool,
}

/// The footer's short answer to a key, and how many more console ticks (one a second) it stays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub ticks_left: u8,
}

/// How many ticks a flash stays: three to four seconds, whatever the demo's speed.
pub const FLASH_TICKS: u8 = 4;

impl Notices {
    /// Answer a key in the footer for a few seconds.
    pub fn flash(&mut self, text: impl Into<String>) {
        let text = text.into();
        let text = if self.demo { in_demo_words(&text) } else { text };
        self.flash = Some(Flash { text, ticks_left: FLASH_TICKS });
    }

    /// One tick of the console's clock: the flash fades after its ticks.
    pub fn tick(&mut self) {
        if let Some(flash) = &mut self.flash {
            flash.ticks_left = flash.ticks_left.saturating_sub(1);
            if flash.ticks_left == 0 {
                self.flash = None;
            }
        }
    }
}
