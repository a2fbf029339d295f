//! The edge-log reader's [`StreamCalls`] on a real Kinesis data stream, named by its ARN
//! (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`: its region is where the client goes, and every
//! call sends `StreamARN`, never the name, as AWS recommends and as the endpoint rules use).
//! The client makes no retries of its own: the reader paces each shard's reads and backs off
//! itself, and an SDK retry would spend the shard's five reads a second behind its back.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_kinesis::primitives::DateTime;
use aws_sdk_kinesis::types::ShardIteratorType;
use bytes::Bytes;
use jiff::Timestamp;

use super::errors::{self, SdkError};
use crate::backend::BackendError;
use crate::backend::edge_stream::{
    ChildShard, RecordBatch, ShardInfo, ShardPage, Start, StreamCalls, StreamError, StreamRecord,
};

/// A stream ARN that does not say its region, or is not a Kinesis stream's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a Kinesis data stream ARN; it looks like arn:aws:kinesis:us-east-1:123456789012:stream/NAME")]
pub struct NotAStreamArn(pub String);

/// The region of `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME`.
pub fn stream_region(arn: &str) -> Result<&str, NotAStreamArn> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "kinesis", region, account, resource]
            if !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("stream/").is_some_and(|name| !name.is_empty()) =>
        {
            Ok(region)
        }
        _ => Err(NotAStreamArn(arn.to_string())),
    }
}

/// One stream, read through the SDK.
#[derive(Clone, Debug)]
pub struct KinesisStream {
    client: aws_sdk_kinesis::Client,
    stream_arn: String,
}

impl KinesisStream {
    /// The stream at `stream_arn`, with a client as `clients::kinesis_client` builds it.
    pub fn connect(sdk: &SdkConfig, stream_arn: &str) -> Result<Self, NotAStreamArn> {
        let region = stream_region(stream_arn)?;
        Ok(Self::new(super::clients::kinesis_client(sdk, region), stream_arn))
    }

    /// The stream at `stream_arn` through `client` (tests give a mocked one).
    pub fn new(client: aws_sdk_kinesis::Client, stream_arn: &str) -> Self {
        KinesisStream { client, stream_arn: stream_arn.to_string() }
    }

    pub fn stream_arn(&self) -> &str {
        &self.stream_arn
    }
}

/// A Kinesis failure, by what the reader does about it: the codes only Kinesis has first, then
/// what every SDK call can end in, as `errors::from_sdk` reads it (credentials, access, network).
pub fn stream_error<E>(operation: &str, err: SdkError<E>) -> StreamError
where
    E: aws_sdk_kinesis::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let code = service.err().code().unwrap_or("");
        let message = crate::domain::visible::cut(service.err().message().unwrap_or(code), 200).into_owned();
        let said = format!("{operation}: {message}");
        match code {
            "ExpiredIteratorException" => return StreamError::ExpiredIterator(said),
            "ProvisionedThroughputExceededException" | "LimitExceededException" | "KMSThrottlingException" => {
                return StreamError::Throughput(said);
            }
            "ResourceNotFoundException" => return StreamError::NotFound(said),
            code if code.starts_with("KMS") => {
                return StreamError::AccessDenied(format!("{said} (the stream's KMS key refuses the read)"));
            }
            _ => {}
        }
    }
    match errors::from_sdk(operation, err) {
        BackendError::Throttling => StreamError::Throughput(format!("{operation} was throttled")),
        BackendError::AccessDenied(why) => StreamError::AccessDenied(why),
        BackendError::Credentials(why) => StreamError::Credentials(why),
        BackendError::Network(why) => StreamError::Network(why),
        BackendError::Timeout => StreamError::Network(format!("{operation} timed out")),
        other => StreamError::Other(other.to_string()),
    }
}

fn timestamp(at: &DateTime) -> Option<Timestamp> {
    let millis = at.to_millis().ok()?;
    Timestamp::from_millisecond(millis).ok()
}

#[async_trait]
impl StreamCalls for KinesisStream {
    async fn list_shards(&self, next_token: Option<&str>) -> Result<ShardPage, StreamError> {
        let out = self
            .client
            .list_shards()
            .stream_arn(&self.stream_arn)
            .set_next_token(next_token.map(str::to_string))
            .send()
            .await
            .map_err(|e| stream_error("ListShards", e))?;
        let shards = out
            .shards()
            .iter()
            .map(|s| ShardInfo {
                id: s.shard_id().to_string(),
                parent: s.parent_shard_id().map(str::to_string),
                adjacent_parent: s.adjacent_parent_shard_id().map(str::to_string),
                closed: s.sequence_number_range().and_then(|r| r.ending_sequence_number()).is_some(),
            })
            .collect();
        Ok(ShardPage { shards, next_token: out.next_token().map(str::to_string) })
    }

    async fn get_shard_iterator(&self, shard: &str, start: &Start) -> Result<String, StreamError> {
        let call = self.client.get_shard_iterator().stream_arn(&self.stream_arn).shard_id(shard);
        let call = match start {
            Start::AtTimestamp(at) => call
                .shard_iterator_type(ShardIteratorType::AtTimestamp)
                .timestamp(DateTime::from_millis(at.as_millisecond())),
            Start::AfterSequence(sequence) => {
                call.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).starting_sequence_number(sequence)
            }
            Start::TrimHorizon => call.shard_iterator_type(ShardIteratorType::TrimHorizon),
            Start::Latest => call.shard_iterator_type(ShardIteratorType::Latest),
        };
        let out = call.send().await.map_err(|e| stream_error("GetShardIterator", e))?;
        out.shard_iterator()
            .map(str::to_string)
            .ok_or_else(|| StreamError::Other(format!("GetShardIterator gave no iterator for {shard}")))
    }

    async fn get_records(&self, iterator: &str, limit: u32) -> Result<RecordBatch, StreamError> {
        let out = self
            .client
            .get_records()
            .stream_arn(&self.stream_arn)
            .shard_iterator(iterator)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| stream_error("GetRecords", e))?;
        let records = out
            .records()
            .iter()
            .map(|r| StreamRecord {
                data: Bytes::copy_from_slice(r.data().as_ref()),
                sequence: r.sequence_number().to_string(),
                arrival: r.approximate_arrival_timestamp().and_then(timestamp),
            })
            .collect();
        let child_shards = out
            .child_shards()
            .iter()
            .map(|c| ChildShard { id: c.shard_id().to_string(), parents: c.parent_shards().to_vec() })
            .collect();
        Ok(RecordBatch {
            records,
            next_iterator: out.next_shard_iterator().map(str::to_string),
            millis_behind: out.millis_behind_latest(),
            child_shards,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_read_from_the_stream_arn() {
        assert_eq!(stream_region("arn:aws:kinesis:eu-west-1:123456789012:stream/cutover-E2AB"), Ok("eu-west-1"));
        assert_eq!(stream_region("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s"), Ok("cn-north-1"));
        for bad in [
            "",
            "cutover-E2AB",
            "arn:aws:kinesis::123456789012:stream/s",
            "arn:aws:kinesis:eu-west-1:1234:stream/s",
            "arn:aws:kinesis:eu-west-1:123456789012:stream/",
            "arn:aws:firehose:eu-west-1:123456789012:deliverystream/s",
        ] {
            assert!(stream_region(bad).is_err(), "{bad}");
        }
    }
}
