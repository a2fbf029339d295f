//! The hour a refresh covers: the last [`WINDOW_MINUTES`] whole minutes, ending where the current
//! minute starts.

use jiff::{SignedDuration, Timestamp};

use crate::domain::metrics::WINDOW_MINUTES;

/// Start of the oldest minute; minutes follow one another up to the start of the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
}

impl Window {
    /// The window for a refresh at `now`.
    pub fn ending_before(now: Timestamp) -> Self {
        let minute_start = now.as_second().div_euclid(60) * 60;
        let start = minute_start - 60 * WINDOW_MINUTES as i64;
        Window { start: Timestamp::from_second(start).unwrap_or(Timestamp::UNIX_EPOCH) }
    }

    /// Start of the current minute: nothing at or after it is asked for.
    pub fn end(&self) -> Timestamp {
        self.start + SignedDuration::from_mins(WINDOW_MINUTES as i64)
    }

    /// End of the minute at `index`.
    pub fn minute_end(&self, index: usize) -> Timestamp {
        self.start + SignedDuration::from_mins(index as i64 + 1)
    }

    /// The minute a datapoint stamped `epoch_seconds` belongs to, if it is inside the window.
    pub fn index_of(&self, epoch_seconds: i64) -> Option<usize> {
        let offset = epoch_seconds.checked_sub(self.start.as_second())?;
        if offset < 0 {
            return None;
        }
        let index = usize::try_from(offset / 60).ok()?;
        (index < WINDOW_MINUTES).then_some(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_the_last_sixty_whole_minutes() {
        let now: Timestamp = "2026-01-15T22:30:42.5Z".parse().unwrap();
        let w = Window::ending_before(now);
        assert_eq!(w.start, "2026-01-15T21:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(w.end(), "2026-01-15T22:30:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(w.minute_end(0), "2026-01-15T21:31:00Z".parse::<Timestamp>().unwrap());
        let s = w.start.as_second();
        assert_eq!(w.index_of(s), Some(0));
        assert_eq!(w.index_of(s + 59), Some(0));
        assert_eq!(w.index_of(s + 60 * 59), Some(59));
        assert_eq!(w.index_of(s + 60 * 60), None);
        assert_eq!(w.index_of(s - 1), None);
        assert_eq!(w.index_of(i64::MIN), None);
    }
}
