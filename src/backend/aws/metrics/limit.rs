//! The account's Lambda concurrency limit from `GetAccountSettings`: asked once and kept after it
//! answers; when it is not allowed or not available, the configured value is used ("assumed") and the
//! call is tried again only every [`RETRY_AFTER`].

use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

use super::assemble::Limit;

/// How long after a failed `GetAccountSettings` it is tried again.
pub const RETRY_AFTER: SignedDuration = SignedDuration::from_mins(10);

/// What is known about the limit so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimitState {
    known: Option<u32>,
    failed_at: Option<Timestamp>,
}

impl LimitState {
    /// Whether to call `GetAccountSettings` at `now`.
    pub fn should_ask(&self, now: Timestamp) -> bool {
        self.known.is_none() && self.failed_at.is_none_or(|at| now.duration_since(at) >= RETRY_AFTER)
    }

    /// Records an answer: the limit, or `None` when the call failed or gave no usable number.
    pub fn record(&mut self, now: Timestamp, answer: Option<u32>) {
        match answer {
            Some(limit) => self.known = Some(limit),
            None => self.failed_at = Some(now),
        }
    }

    /// The limit to show: the account's, else `fallback` marked as assumed.
    pub fn limit(&self, fallback: u32) -> Limit {
        match self.known {
            Some(value) => Limit { value, assumed: false },
            None => Limit { value: fallback, assumed: true },
        }
    }
}

/// The cached limit behind the Lambda client.
#[derive(Debug)]
pub struct AccountLimit {
    lambda: aws_sdk_lambda::Client,
    fallback: u32,
    state: Mutex<LimitState>,
}

impl AccountLimit {
    pub fn new(lambda: aws_sdk_lambda::Client, fallback: u64) -> Self {
        AccountLimit { lambda, fallback: u32::try_from(fallback).unwrap_or(u32::MAX), state: Mutex::default() }
    }

    fn state(&self) -> LimitState {
        *self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The limit at `now`, asking Lambda first when it is not known and not recently refused.
    pub async fn get(&self, now: Timestamp) -> Limit {
        if self.state().should_ask(now) {
            let answer = self.ask().await;
            self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).record(now, answer);
        }
        self.state().limit(self.fallback)
    }

    async fn ask(&self) -> Option<u32> {
        match self.lambda.get_account_settings().send().await {
            Ok(out) => {
                let limit = out.account_limit().map(|l| l.concurrent_executions()).and_then(|n| u32::try_from(n).ok());
                if limit.is_none() {
                    tracing::info!("GetAccountSettings gave no concurrency limit; using the configured one");
                }
                limit.filter(|n| *n > 0)
            }
            Err(e) => {
                let reason = crate::backend::aws::errors::from_sdk("GetAccountSettings", e);
                tracing::info!(%reason, "no account concurrency limit; using the configured one");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_limit_is_kept_and_a_failure_is_retried_after_ten_minutes() {
        let t0: Timestamp = "2026-01-15T22:30:00Z".parse().unwrap();
        let mut s = LimitState::default();
        assert!(s.should_ask(t0));
        assert_eq!(s.limit(1000), Limit { value: 1000, assumed: true });

        s.record(t0, None);
        assert!(!s.should_ask(t0 + SignedDuration::from_mins(1)));
        assert!(!s.should_ask(t0 + SignedDuration::from_secs(599)));
        assert!(s.should_ask(t0 + RETRY_AFTER));
        assert_eq!(s.limit(1000), Limit { value: 1000, assumed: true });

        s.record(t0 + RETRY_AFTER, Some(3000));
        assert_eq!(s.limit(1000), Limit { value: 3000, assumed: false });
        assert!(!s.should_ask(t0 + SignedDuration::from_hours(5)));
    }
}
