//! What to do after a notification target answered: done, wait as `Retry-After` says, back off
//! and try again, or give up. Pure: the sender supplies the clock.

use std::time::Duration;

use jiff::Timestamp;

/// The longest `Retry-After` honoured: a target that asks for longer has the message dropped (and
/// the failure reported) rather than holding every later notice for that long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// What the answer to one send means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Sent,
    /// Try again after this long (`429` with `Retry-After`).
    RetryAfter(Duration),
    /// Try again after the backoff (a 5xx, a `429` without a usable `Retry-After`, the network).
    Retry(String),
    /// Trying again would not help (a 4xx: the URL is wrong or the hook was removed).
    GiveUp(String),
}

/// The verdict of an HTTP status and its `Retry-After` header, at `now`.
pub fn of_status(status: u16, retry_after: Option<&str>, now: Timestamp) -> Verdict {
    match status {
        200..=299 => Verdict::Sent,
        429 => match retry_after.and_then(|value| parse_retry_after(value, now)) {
            Some(wait) if wait > MAX_RETRY_AFTER => Verdict::GiveUp(format!(
                "429: asked to wait {}s, longer than {}s",
                wait.as_secs(),
                MAX_RETRY_AFTER.as_secs()
            )),
            Some(wait) => Verdict::RetryAfter(wait),
            None => Verdict::Retry("429 without a Retry-After".into()),
        },
        408 | 500..=599 => Verdict::Retry(format!("HTTP {status}")),
        _ => Verdict::GiveUp(format!("HTTP {status}")),
    }
}

/// `Retry-After` as seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`), as the wait
/// from `now` (zero for a date past); `None` when it is neither.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The wait before attempt `attempt` (1 for the first retry): `base`, doubled each time.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(1 << attempt.saturating_sub(1).min(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2015-10-21T07:27:30Z".parse().unwrap()
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(parse_retry_after(" 2 ", now()), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now()), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now()), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now()), None);
        assert_eq!(parse_retry_after("-1", now()), None);
    }

    #[test]
    fn statuses_decide_what_follows() {
        assert_eq!(of_status(200, None, now()), Verdict::Sent);
        assert_eq!(of_status(429, Some("3"), now()), Verdict::RetryAfter(Duration::from_secs(3)));
        assert!(matches!(of_status(429, None, now()), Verdict::Retry(_)));
        assert!(matches!(of_status(429, Some("86400"), now()), Verdict::GiveUp(_)));
        assert!(matches!(of_status(503, None, now()), Verdict::Retry(_)));
        assert!(matches!(of_status(404, None, now()), Verdict::GiveUp(_)));
    }

    #[test]
    fn backoff_doubles() {
        let base = Duration::from_millis(500);
        assert_eq!([1, 2, 3].map(|a| backoff(base, a)), [500, 1000, 2000].map(Duration::from_millis));
    }
}
