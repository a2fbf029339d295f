//! The console's notion of time. Live it is wall time; in the demo it runs `speed` times faster.
//! Both are driven by tokio's clock, so tests can pause time and run an incident in milliseconds.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock {
    wall_origin: Timestamp,
    instant_origin: Instant,
    speed: f64,
}

impl Clock {
    /// Wall time, at normal speed.
    pub fn real() -> Self {
        Clock { wall_origin: Timestamp::now(), instant_origin: Instant::now(), speed: 1.0 }
    }

    /// Simulated time starting at `start` and running `speed` times faster than tokio's clock.
    pub fn simulated(start: Timestamp, speed: f64) -> Self {
        assert!(speed.is_finite() && speed > 0.0, "speed must be positive");
        Clock { wall_origin: start, instant_origin: Instant::now(), speed }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn now(&self) -> Timestamp {
        let elapsed = self.instant_origin.elapsed().mul_f64(self.speed);
        self.wall_origin + SignedDuration::try_from(elapsed).unwrap_or(SignedDuration::MAX)
    }

    /// How long to wait on tokio's clock for `simulated` time to pass.
    pub fn real_duration(&self, simulated: Duration) -> Duration {
        simulated.div_f64(self.speed)
    }

    /// Sleep for a span of this clock's time.
    pub async fn sleep(&self, simulated: Duration) {
        tokio::time::sleep(self.real_duration(simulated)).await
    }
}
