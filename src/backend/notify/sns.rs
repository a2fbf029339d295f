//! SNS `Publish`: the message with its subject. The SDK retries throttling and 5xx itself
//! (standard mode); what still fails is a network or service trouble tried again by the notifier,
//! or a refusal (no such topic, access denied) that will not mend.

use aws_config::SdkConfig;
use aws_sdk_sns::error::{ProvideErrorMetadata as _, SdkError};

use crate::notify::Message;
use crate::notify::retry::Verdict;

/// A client for the topic's region (from its ARN), built from the SDK config as the other clients
/// are: `AWS_ENDPOINT_URL_SNS` (or `AWS_ENDPOINT_URL`) is honoured as the SDK reads it.
pub fn sns_client(sdk: &SdkConfig, topic_arn: &str) -> aws_sdk_sns::Client {
    let mut config = aws_sdk_sns::config::Builder::from(sdk);
    if let Some(region) = topic_arn.split(':').nth(3).filter(|r| !r.is_empty()) {
        config = config.region(aws_config::Region::new(region.to_string()));
    }
    aws_sdk_sns::Client::from_conf(config.build())
}

pub(super) async fn publish(client: &aws_sdk_sns::Client, topic_arn: &str, message: &Message) -> Verdict {
    let sent = client.publish().topic_arn(topic_arn).subject(&message.subject).message(&message.text).send().await;
    match sent {
        Ok(_) => Verdict::Sent,
        Err(SdkError::ServiceError(e)) => {
            let code = e.err().code().unwrap_or("unknown").to_string();
            let why = match e.err().message() {
                Some(text) => format!("SNS {code}: {text}"),
                None => format!("SNS {code}"),
            };
            let transient = matches!(code.as_str(), "Throttled" | "Throttling" | "InternalError" | "KMSThrottling")
                || e.raw().status().is_server_error();
            if transient { Verdict::Retry(why) } else { Verdict::GiveUp(why) }
        }
        Err(e @ SdkError::ConstructionFailure(_)) => Verdict::GiveUp(format!("SNS: {}", chain(&e))),
        Err(e) => Verdict::Retry(format!("SNS: {}", chain(&e))),
    }
}

/// An error and its sources, joined: the SDK's top line alone says only "dispatch failure".
fn chain(error: &dyn std::error::Error) -> String {
    let mut words = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        let text = e.to_string();
        if words.last() != Some(&text) {
            words.push(text);
        }
        source = e.source();
    }
    words.join(": ")
}
