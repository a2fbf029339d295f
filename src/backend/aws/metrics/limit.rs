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

    /// The configured limit used while the account's is not known.
    pub fn fallback(&self) -> u32 {
        self.fallback
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
                let limit = out.account_limit().and_then(|l| u32::try_from(l.concurrent_executions()).ok());
                let limit = limit.filter(|n| *n > 0);
                if limit.is_none() {
                    tracing::info!("GetAccountSettings gave no concurrency limit; using the configured one");
                }
                limit
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

    use aws_sdk_lambda::config::retry::RetryConfig;
    use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_lambda::operation::get_account_settings::GetAccountSettingsOutput;
    use aws_sdk_lambda::types::AccountLimit as SdkAccountLimit;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    fn mock_lambda(rule: &Rule) -> aws_sdk_lambda::Client {
        let interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(rule);
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("a", "b", None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        aws_sdk_lambda::Client::from_conf(config)
    }

    fn settings(limit: i32) -> GetAccountSettingsOutput {
        GetAccountSettingsOutput::builder()
            .account_limit(SdkAccountLimit::builder().concurrent_executions(limit).build())
            .build()
    }

    #[tokio::test]
    async fn the_account_limit_is_asked_once() {
        let rule = mock!(aws_sdk_lambda::Client::get_account_settings).sequence().output(|| settings(3000)).build();
        let limit = AccountLimit::new(mock_lambda(&rule), 1000);
        let t0: Timestamp = "2026-01-15T22:30:00Z".parse().unwrap();
        assert_eq!(limit.get(t0).await, Limit { value: 3000, assumed: false });
        assert_eq!(limit.get(t0 + SignedDuration::from_hours(1)).await, Limit { value: 3000, assumed: false });
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_refused_call_is_retried_every_ten_minutes_with_the_configured_limit_meanwhile() {
        let rule = mock!(aws_sdk_lambda::Client::get_account_settings)
            .sequence()
            .http_status(403, None)
            .output(|| settings(0))
            .output(|| settings(5000))
            .build();
        let limit = AccountLimit::new(mock_lambda(&rule), 1000);
        let t0: Timestamp = "2026-01-15T22:30:00Z".parse().unwrap();
        let assumed = Limit { value: 1000, assumed: true };
        assert_eq!(limit.get(t0).await, assumed);
        assert_eq!(limit.get(t0 + SignedDuration::from_mins(5)).await, assumed);
        assert_eq!(rule.num_calls(), 1);
        // A limit of zero is no answer either.
        assert_eq!(limit.get(t0 + RETRY_AFTER).await, assumed);
        assert_eq!(rule.num_calls(), 2);
        assert_eq!(limit.get(t0 + RETRY_AFTER * 2).await, Limit { value: 5000, assumed: false });
        assert_eq!(rule.num_calls(), 3);
    }
}
