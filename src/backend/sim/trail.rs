//! The demo's CloudTrail: the distribution writes made in the demo world by someone other than the
//! console (a teammate's cutover, the AWS console, Terraform), answered through the same trait as
//! CloudTrail's `LookupEvents` ([`ChangeAuthors`]), so the console finds who made an outside change
//! the way it does live.
//!
//! Like CloudTrail, it is late: a write is in its answers only [`TRAIL_DELAY`] after it was made,
//! and until then the console says "who: not known yet".

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use crate::backend::BackendError;
use crate::backend::change_authors::{ChangeAuthors, DistributionWrite};
use crate::clock::Clock;

/// How long after a write the demo's CloudTrail has its event (the real one takes minutes, up to
/// a quarter of an hour).
pub const TRAIL_DELAY: Duration = Duration::from_secs(3 * 60);

/// The writes of one demo distribution; clones share them.
#[derive(Clone, Debug)]
pub struct SimTrail {
    distribution_id: String,
    clock: Clock,
    writes: Arc<Mutex<Vec<DistributionWrite>>>,
}

impl SimTrail {
    pub fn new(distribution_id: &str, clock: Clock) -> Self {
        SimTrail { distribution_id: distribution_id.to_string(), clock, writes: Arc::default() }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<DistributionWrite>> {
        // A list of plain records: a panic while it was held left nothing half-written.
        self.writes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An `UpdateDistribution` someone made: its event is answered from `write.time` +
    /// [`TRAIL_DELAY`] on.
    pub fn record(&self, write: DistributionWrite) {
        self.lock().push(write);
    }

    /// How many writes it holds, answered or not yet.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl ChangeAuthors for SimTrail {
    async fn writes(
        &self,
        distribution_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<DistributionWrite>, BackendError> {
        if distribution_id != self.distribution_id {
            return Ok(Vec::new());
        }
        let delay = SignedDuration::try_from(TRAIL_DELAY).unwrap_or(SignedDuration::ZERO);
        let arrived_by = self.clock.now() - delay;
        let mut writes: Vec<DistributionWrite> =
            (self.lock().iter()).filter(|w| from <= w.time && w.time <= to && w.time <= arrived_by).cloned().collect();
        writes.sort_by_key(|w| std::cmp::Reverse(w.time));
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(at: Timestamp, who: &str) -> DistributionWrite {
        DistributionWrite {
            time: at,
            who: who.into(),
            user_agent: None,
            etag: Some(format!("E-{who}")),
            etag_before: None,
            event_id: format!("ev-{who}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_is_answered_only_three_minutes_after_it_was_made_newest_first() {
        let start: Timestamp = "2026-12-07T09:00:00Z".parse().unwrap();
        let clock = Clock::simulated(start, 10.0);
        let trail = SimTrail::new("E1", clock.clone());
        trail.record(write(start, "terraform"));
        trail.record(write(start + SignedDuration::from_secs(30), "alice"));
        let span = (start - SignedDuration::from_mins(5), start + SignedDuration::from_mins(10));
        assert!(trail.writes("E1", span.0, span.1).await.unwrap().is_empty(), "not yet");
        clock.sleep(Duration::from_secs(3 * 60)).await;
        let first = trail.writes("E1", span.0, span.1).await.unwrap();
        assert_eq!(first.iter().map(|w| w.who.as_str()).collect::<Vec<_>>(), ["terraform"]);
        clock.sleep(Duration::from_secs(30)).await;
        let both = trail.writes("E1", span.0, span.1).await.unwrap();
        assert_eq!(both.iter().map(|w| w.who.as_str()).collect::<Vec<_>>(), ["alice", "terraform"]);
        assert!(trail.writes("E2", span.0, span.1).await.unwrap().is_empty(), "another distribution");
        assert!(trail.writes("E1", start + SignedDuration::from_secs(1), span.1).await.unwrap().len() == 1);
    }
}
