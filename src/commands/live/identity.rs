//! Who is calling AWS, from STS `GetCallerIdentity`, for the header and the log.

use crate::backend::BackendError;
use crate::backend::aws::errors::from_sdk;

#[derive(Clone, Debug, Default)]
pub struct Identity {
    pub account: Option<String>,
    pub arn: Option<String>,
    /// Why STS could not say, when it could not; the console still starts.
    pub error: Option<BackendError>,
}

impl Identity {
    pub async fn look_up(sts: &aws_sdk_sts::Client) -> Self {
        match sts.get_caller_identity().send().await {
            Ok(out) => Identity { account: out.account, arn: out.arn, error: None },
            Err(error) => Identity { error: Some(from_sdk("GetCallerIdentity", error)), ..Default::default() },
        }
    }

    pub fn account_label(&self) -> String {
        self.account.clone().unwrap_or_else(|| "unknown".to_string())
    }

    pub fn caller_label(&self) -> String {
        self.arn.clone().unwrap_or_else(|| "an unknown caller".to_string())
    }
}
