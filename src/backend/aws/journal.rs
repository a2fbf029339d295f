//! The team journal's [`JournalCalls`] on CloudWatch Logs: one log group, named by the config's
//! `[team] log_group`, in the config's region. The client (`clients::logs_client`) makes no
//! retries of its own: the sender and the reader back off themselves.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;

use super::errors::{self, SdkError};
use crate::backend::BackendError;
use crate::backend::journal::{FilterPage, JournalCalls, JournalError, LoggedEvent};

/// One log group, through the SDK.
#[derive(Clone, Debug)]
pub struct LogsJournal {
    client: aws_sdk_cloudwatchlogs::Client,
    group: String,
}

impl LogsJournal {
    /// The log group `group`, with a client as `clients::logs_client` builds it from `sdk`.
    pub fn connect(sdk: &SdkConfig, group: &str) -> Self {
        Self::new(super::clients::logs_client(sdk), group)
    }

    /// The log group `group` through `client` (`AwsClients::logs`, or a test's).
    pub fn new(client: aws_sdk_cloudwatchlogs::Client, group: &str) -> Self {
        LogsJournal { client, group: group.to_string() }
    }
}

/// A CloudWatch Logs failure, by what the sender and reader do about it: the codes only CloudWatch
/// Logs has first, then what every SDK call can end in, as `errors::from_sdk` reads it.
pub fn journal_error<E>(operation: &str, err: SdkError<E>) -> JournalError
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let code = service.err().code().unwrap_or("");
        let message = crate::domain::visible::cut(service.err().message().unwrap_or(code), 200).into_owned();
        let said = format!("{operation}: {message}");
        match code {
            "ResourceNotFoundException" => return JournalError::NotFound(said),
            "ThrottlingException" | "LimitExceededException" => return JournalError::Throttled(said),
            "ServiceUnavailableException" => return JournalError::Network(said),
            _ => {}
        }
    }
    match errors::from_sdk(operation, err) {
        BackendError::Throttling => JournalError::Throttled(format!("{operation} was throttled")),
        BackendError::AccessDenied(why) => JournalError::AccessDenied(why),
        BackendError::Credentials(why) => JournalError::Credentials(why),
        BackendError::Network(why) => JournalError::Network(why),
        BackendError::Timeout => JournalError::Network(format!("{operation} timed out")),
        other => JournalError::Refused(other.to_string()),
    }
}

/// Whether `err` is CloudWatch Logs saying the thing to create is already there.
fn already_exists<E>(err: &SdkError<E>) -> bool
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata,
{
    matches!(err, SdkError::ServiceError(service) if service.err().code() == Some("ResourceAlreadyExistsException"))
}

#[async_trait]
impl JournalCalls for LogsJournal {
    fn group(&self) -> &str {
        &self.group
    }

    async fn ensure_group(&self) -> Result<(), JournalError> {
        match self.client.create_log_group().log_group_name(&self.group).send().await {
            Ok(_) => Ok(()),
            Err(err) if already_exists(&err) => Ok(()),
            Err(err) => Err(journal_error("CreateLogGroup", err)),
        }
    }

    async fn ensure_stream(&self, stream: &str) -> Result<(), JournalError> {
        let call = self.client.create_log_stream().log_group_name(&self.group).log_stream_name(stream);
        match call.send().await {
            Ok(_) => Ok(()),
            Err(err) if already_exists(&err) => Ok(()),
            Err(err) => Err(journal_error("CreateLogStream", err)),
        }
    }

    async fn put(&self, stream: &str, events: &[(i64, String)]) -> Result<(), JournalError> {
        let mut call = self.client.put_log_events().log_group_name(&self.group).log_stream_name(stream);
        for (timestamp, message) in events {
            let event = InputLogEvent::builder()
                .timestamp(*timestamp)
                .message(message)
                .build()
                .map_err(|e| JournalError::Refused(format!("PutLogEvents: {e}")))?;
            call = call.log_events(event);
        }
        let out = call.send().await.map_err(|e| journal_error("PutLogEvents", e))?;
        // Events CloudWatch Logs would not take (too old, too new, past retention) are refused for
        // good: sending them again would be refused again, and the rest of the batch was taken.
        if let Some(rejected) = out.rejected_log_events_info() {
            tracing::warn!(group = self.group, stream, ?rejected, "the journal refused some events of a batch");
        }
        Ok(())
    }

    async fn filter(
        &self,
        start_ms: i64,
        end_ms: Option<i64>,
        next_token: Option<String>,
    ) -> Result<FilterPage, JournalError> {
        let out = self
            .client
            .filter_log_events()
            .log_group_name(&self.group)
            .start_time(start_ms)
            // CloudWatch Logs' end is inclusive; the trait's is not.
            .set_end_time(end_ms.map(|end| end - 1))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| journal_error("FilterLogEvents", e))?;
        let events = out
            .events()
            .iter()
            .map(|e| LoggedEvent {
                stream: e.log_stream_name().unwrap_or_default().to_string(),
                timestamp_ms: e.timestamp().unwrap_or_default(),
                ingestion_ms: e.ingestion_time(),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect();
        Ok(FilterPage { events, next_token: out.next_token().map(str::to_string) })
    }
}
