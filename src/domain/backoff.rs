//! How long to wait before trying a failed call again: doubling from a base up to a cap, with
//! jitter, so a console does not add to the throttling it meets and many consoles retrying the
//! same API after the same outage do not all come back in the same second.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The pause after the first failure, before jitter.
    pub base: Duration,
    /// The longest pause, however many failures in a row.
    pub cap: Duration,
}

impl Backoff {
    /// The pause after `failures` failures in a row (1 for the first), "equal jitter": half the
    /// doubled pause for sure, the other half random. `salt` picks the random half; the same salt
    /// gives the same pause, which keeps `update` pure and tests repeatable.
    pub fn delay(&self, failures: u32, salt: u64) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        let full = self.base.saturating_mul(1 << doublings).min(self.cap).max(Duration::from_millis(1));
        let half = full / 2;
        let random = splitmix64(salt ^ u64::from(failures)) % (half.as_millis() as u64 + 1);
        half + Duration::from_millis(random)
    }
}

/// One step of SplitMix64: a few operations that scatter nearby inputs over the whole range.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Backoff = Backoff { base: Duration::from_secs(15), cap: Duration::from_secs(120) };

    #[test]
    fn pauses_double_within_their_jitter_and_stop_at_the_cap() {
        for failures in 1..=12 {
            let full = (15u64 << (failures - 1).min(10)).min(120);
            for salt in 0..50 {
                let delay = POLICY.delay(failures, salt).as_secs_f64();
                assert!(delay >= full as f64 / 2.0 && delay <= full as f64, "{failures}: {delay} vs {full}");
            }
        }
        assert!(POLICY.delay(u32::MAX, 7) <= POLICY.cap);
    }

    #[test]
    fn jitter_spreads_consoles_apart() {
        let delays: std::collections::HashSet<Duration> = (0..20).map(|salt| POLICY.delay(3, salt)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }
}
