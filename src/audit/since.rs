//! `--since 2h`: the moment `cutover log` looks back to (the command line reads the duration).

use jiff::{SignedDuration, Timestamp};

/// The moment `ago` before `now`, or the earliest representable one.
pub fn since_timestamp(now: Timestamp, ago: SignedDuration) -> Timestamp {
    now.checked_sub(ago).unwrap_or(Timestamp::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtracts_from_now_without_overflowing() {
        let now: Timestamp = "2025-03-01T03:00:00Z".parse().unwrap();
        assert_eq!(since_timestamp(now, SignedDuration::from_hours(2)).to_string(), "2025-03-01T01:00:00Z");
        assert_eq!(since_timestamp(now, SignedDuration::MAX), Timestamp::MIN);
    }
}
