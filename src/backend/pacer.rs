//! At most N calls in any second, across every task that shares the [`Pacer`]: for APIs whose
//! limit is per account and small (CloudTrail's `LookupEvents`: 2 a second), where exceeding it
//! only earns throttling errors that slow everybody down.
//!
//! It keeps the times of the last N calls: a call may go when the N-th before it is at least a
//! second old. Waiters are served in order (tokio's mutex is fair), on tokio's clock, so a test
//! under a paused clock sees the same pacing without waiting.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// The window the limit counts calls in.
const WINDOW: Duration = Duration::from_secs(1);

/// A shared limit of `per_second` calls in any second.
#[derive(Debug)]
pub struct Pacer {
    per_second: usize,
    recent: Mutex<VecDeque<Instant>>,
}

impl Pacer {
    /// A pacer of `per_second` calls (at least one).
    pub fn new(per_second: usize) -> Self {
        let per_second = per_second.max(1);
        Pacer { per_second, recent: Mutex::new(VecDeque::with_capacity(per_second)) }
    }

    /// The process's one pacer for CloudTrail `LookupEvents` (2 calls a second per account and
    /// region): every reader of CloudTrail in this process goes through it.
    pub fn lookup_events() -> Arc<Pacer> {
        static PACER: OnceLock<Arc<Pacer>> = OnceLock::new();
        Arc::clone(PACER.get_or_init(|| Arc::new(Pacer::new(2))))
    }

    /// Wait until one more call keeps to the limit, and count it as made now.
    pub async fn ready(&self) {
        let mut recent = self.recent.lock().await;
        if recent.len() >= self.per_second
            && let Some(&oldest) = recent.front()
        {
            tokio::time::sleep_until(oldest + WINDOW).await;
        }
        while recent.len() >= self.per_second {
            recent.pop_front();
        }
        recent.push_back(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_second_holds_more_calls_than_the_limit() {
        let pacer = Arc::new(Pacer::new(2));
        let start = Instant::now();
        let tasks: Vec<_> = (0..7)
            .map(|_| {
                let pacer = Arc::clone(&pacer);
                tokio::spawn(async move {
                    pacer.ready().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for task in tasks {
            times.push(task.await.unwrap());
        }
        times.sort();
        for pair in times.windows(3) {
            assert!(pair[2] - pair[0] >= WINDOW, "three calls within a second: {times:?}");
        }
        // Two at once, then two a second: seven calls take three seconds, not more.
        assert_eq!(times[6] - start, Duration::from_secs(3));
    }
}
