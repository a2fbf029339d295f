//! Reading the live distribution's config for `cutover init`.

use aws_sdk_cloudfront::operation::get_distribution_config::GetDistributionConfigError;
use aws_sdk_cloudfront::types::DistributionConfig;

use super::error::InitError;
use crate::backend::BackendError;
use crate::backend::aws::errors::from_sdk;

/// `GetDistributionConfig` for `id`; an id the account does not have is [`InitError::UnknownDistribution`].
pub async fn read_distribution(client: &aws_sdk_cloudfront::Client, id: &str) -> Result<DistributionConfig, InitError> {
    let read_error = |source| InitError::Read { id: id.to_string(), source };
    match client.get_distribution_config().id(id).send().await {
        Ok(out) => out
            .distribution_config
            .ok_or_else(|| read_error(BackendError::Other("GetDistributionConfig returned no config".into()))),
        Err(e) if matches!(e.as_service_error(), Some(GetDistributionConfigError::NoSuchDistribution(_))) => {
            Err(InitError::UnknownDistribution(id.to_string()))
        }
        Err(e) => Err(read_error(from_sdk("GetDistributionConfig", e))),
    }
}
