//! [`ChangeAuthors`] on CloudTrail: `LookupEvents` in us-east-1 (CloudFront is global; CloudTrail
//! records its calls there), by the one lookup attribute CloudTrail allows per call, the
//! distribution as `ResourceName`, and `UpdateDistribution` picked out here.
//!
//! `LookupEvents` allows 2 calls a second per account and region: every call, a retry after
//! throttling included, waits for the process's shared [`Pacer`]. A lookup reads at most
//! [`MAX_PAGES`] pages (a distribution written more often than that in the window is answered with
//! the newest writes, which are the ones a change is looked up for).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use jiff::Timestamp;

use super::cloudtrail_event::{Listed, distribution_write};
use super::errors;
use crate::backend::BackendError;
use crate::backend::change_authors::{ChangeAuthors, DistributionWrite};
use crate::backend::pacer::Pacer;

/// The most pages one lookup reads.
pub const MAX_PAGES: usize = 5;
/// Events a page holds at most (CloudTrail's largest `MaxResults`).
const PAGE_SIZE: i32 = 50;
/// Retries of a throttled page, each after [`backoff`] and the pacer.
const THROTTLED_RETRIES: u32 = 3;

/// The distribution writes CloudTrail recorded, read through the SDK.
#[derive(Clone, Debug)]
pub struct CloudTrailAuthors {
    client: aws_sdk_cloudtrail::Client,
    pacer: Arc<Pacer>,
}

impl CloudTrailAuthors {
    /// Through a client as `clients::cloudtrail_client` builds it, paced by the process's shared
    /// `LookupEvents` pacer.
    pub fn connect(sdk: &SdkConfig) -> Self {
        Self::new(super::clients::cloudtrail_client(sdk), Pacer::lookup_events())
    }

    /// Through `client` (tests give a mocked one), paced by `pacer`.
    pub fn new(client: aws_sdk_cloudtrail::Client, pacer: Arc<Pacer>) -> Self {
        CloudTrailAuthors { client, pacer }
    }

    /// One page, throttling retried; `(events, next token)`.
    async fn page(
        &self,
        distribution_id: &str,
        from: Timestamp,
        to: Timestamp,
        token: Option<String>,
    ) -> Result<(Vec<Event>, Option<String>), BackendError> {
        let resource = LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::ResourceName)
            .attribute_value(distribution_id)
            .build()
            .map_err(|e| BackendError::Other(format!("LookupEvents was not sent: {e}")))?;
        let mut retries = 0;
        loop {
            self.pacer.ready().await;
            let sent = self
                .client
                .lookup_events()
                .lookup_attributes(resource.clone())
                .start_time(date_time(from))
                .end_time(date_time(to))
                .max_results(PAGE_SIZE)
                .set_next_token(token.clone())
                .send()
                .await;
            match sent.map_err(|e| errors::from_sdk("LookupEvents", e)) {
                Ok(out) => {
                    let next = out.next_token().filter(|t| !t.is_empty()).map(str::to_string);
                    return Ok((out.events.unwrap_or_default(), next));
                }
                Err(BackendError::Throttling) if retries < THROTTLED_RETRIES => {
                    tokio::time::sleep(backoff(retries)).await;
                    retries += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// 1 s, 2 s, 4 s: CloudTrail's limit is per account, shared with whoever else reads it.
fn backoff(retry: u32) -> Duration {
    Duration::from_secs(1 << retry.min(4))
}

fn date_time(at: Timestamp) -> DateTime {
    DateTime::from_millis(at.as_millisecond())
}

fn timestamp(at: &DateTime) -> Option<Timestamp> {
    Timestamp::from_millisecond(at.to_millis().ok()?).ok()
}

#[async_trait]
impl ChangeAuthors for CloudTrailAuthors {
    async fn writes(
        &self,
        distribution_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<DistributionWrite>, BackendError> {
        let mut writes = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let (events, next) = self.page(distribution_id, from, to, token.take()).await?;
            writes.extend(events.iter().filter_map(|event| {
                let listed = Listed {
                    event_id: event.event_id(),
                    event_name: event.event_name(),
                    event_time: event.event_time().and_then(timestamp),
                    username: event.username(),
                    cloud_trail_event: event.cloud_trail_event(),
                };
                distribution_write(&listed, distribution_id)
            }));
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        writes.sort_by_key(|w| std::cmp::Reverse(w.time));
        Ok(writes)
    }
}
