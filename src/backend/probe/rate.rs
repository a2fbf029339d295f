//! The hard cap on probes: at most `max` sent in any sliding minute. A probe over the cap is not
//! sent at all; the caller answers it with a finding instead.

use std::collections::VecDeque;
use std::time::Duration;

/// The window the cap counts over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// When the last `max` probes went, as offsets on one monotonic clock.
#[derive(Clone, Debug)]
pub struct RateCap {
    max: u32,
    sent: VecDeque<Duration>,
}

impl RateCap {
    pub fn per_minute(max: u32) -> Self {
        RateCap { max, sent: VecDeque::with_capacity(max as usize) }
    }

    pub fn max(&self) -> u32 {
        self.max
    }

    /// Whether a probe may go at `now` (an offset on the same clock as every earlier call); if it
    /// may, it is counted.
    pub fn admit(&mut self, now: Duration) -> bool {
        while self.sent.front().is_some_and(|&at| now.saturating_sub(at) >= WINDOW) {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.max as usize {
            return false;
        }
        self.sent.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_max_in_any_minute() {
        let mut cap = RateCap::per_minute(3);
        let secs = Duration::from_secs;
        assert!(cap.admit(secs(0)) && cap.admit(secs(1)) && cap.admit(secs(2)));
        assert!(!cap.admit(secs(3)), "the fourth within a minute");
        assert!(!cap.admit(secs(59)));
        assert!(cap.admit(secs(60)), "the first has left the window");
        assert!(!cap.admit(secs(60)));
        assert!(cap.admit(secs(61)) && cap.admit(secs(62)));
        assert!(!cap.admit(secs(100)));
        let sent: usize = (0..600).filter(|s| cap.admit(secs(200 + s))).count();
        assert_eq!(sent, 30, "ten minutes of asking every second: three a minute");
    }

    #[test]
    fn a_refused_probe_is_not_counted() {
        let mut cap = RateCap::per_minute(1);
        assert!(cap.admit(Duration::ZERO));
        for s in 1..60 {
            assert!(!cap.admit(Duration::from_secs(s)));
        }
        assert!(cap.admit(Duration::from_secs(60)), "refusals do not keep the window full");
    }
}
