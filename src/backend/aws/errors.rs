//! SDK errors, turned into the few [`BackendError`]s the console knows how to explain and react to.

// The SDK crates share these types; CloudFront's re-exports serve for all of them.
use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata};

use crate::backend::BackendError;
use crate::domain::visible::{self, MAX_AWS_TEXT_CHARS};

type SdkError<E> = aws_sdk_cloudfront::error::SdkError<E, HttpResponse>;

/// Error codes that mean "slow down", across CloudFront (REST-XML), CloudWatch (CBOR), Lambda and STS.
const THROTTLING_CODES: &[&str] =
    &["Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceeded"];
const DENIED_CODES: &[&str] = &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"];
const EXPIRED_CODES: &[&str] =
    &["ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException"];

/// One readable [`BackendError`] for any SDK call's failure.
pub fn from_sdk<E>(operation: &str, err: SdkError<E>) -> BackendError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::TimeoutError(_) => BackendError::Timeout,
        SdkError::DispatchFailure(failure) if failure.is_timeout() => BackendError::Timeout,
        SdkError::DispatchFailure(_) => {
            BackendError::Network(format!("{operation} could not reach AWS ({})", root_cause(&err)))
        }
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or("");
            let message = visible::cut(service.err().message().unwrap_or(""), MAX_AWS_TEXT_CHARS).into_owned();
            let status = service.raw().status().as_u16();
            from_code(operation, code, &message, status)
        }
        SdkError::ResponseError(_) => BackendError::Other(format!(
            "{operation} got an answer cutover could not read: {}",
            DisplayErrorContext(&err)
        )),
        _ => BackendError::Other(format!("{operation} failed: {}", DisplayErrorContext(&err))),
    }
}

/// The innermost error's own words ("Connection refused (os error 111)"), which is what the operator
/// can act on; the layers above it only repeat that a call failed.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    visible::cut(&cause.to_string(), MAX_AWS_TEXT_CHARS).into_owned()
}

/// The [`BackendError`] for a service error code, message and HTTP status.
pub fn from_code(operation: &str, code: &str, message: &str, status: u16) -> BackendError {
    let detail = match (code.is_empty(), message.is_empty()) {
        // Some answers (an emulator's 404, a proxy's error page) carry neither: say what is known.
        (true, true) => format!("HTTP {status}"),
        (_, true) => code.to_string(),
        (true, false) => message.to_string(),
        (false, false) => format!("{code}: {message}"),
    };
    if code == "PreconditionFailed" || status == 412 {
        BackendError::PreconditionFailed
    } else if THROTTLING_CODES.contains(&code) || status == 429 {
        BackendError::Throttling
    } else if DENIED_CODES.contains(&code) || status == 403 && !EXPIRED_CODES.contains(&code) {
        BackendError::AccessDenied(format!("{operation} is not allowed ({detail})"))
    } else if EXPIRED_CODES.contains(&code) {
        BackendError::Other(format!(
            "{operation} was refused because the credentials are expired or invalid ({detail}); renew them (for SSO: aws sso login) and press r"
        ))
    } else if status >= 500 {
        BackendError::Network(format!("{operation} failed on the AWS side (HTTP {status}, {detail})"))
    } else {
        BackendError::Other(format!("{operation} failed ({detail})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_the_errors_the_console_reacts_to() {
        assert_eq!(from_code("UpdateDistribution", "PreconditionFailed", "", 412), BackendError::PreconditionFailed);
        assert_eq!(from_code("GetDistribution", "Throttling", "Rate exceeded", 400), BackendError::Throttling);
        assert_eq!(from_code("GetMetricData", "", "", 429), BackendError::Throttling);
        assert!(matches!(from_code("UpdateDistribution", "AccessDenied", "no", 403), BackendError::AccessDenied(_)));
        let expired =
            from_code("GetDistribution", "ExpiredToken", "The security token included in the request is expired", 403);
        assert!(expired.to_string().contains("expired"), "{expired}");
        assert!(matches!(from_code("GetDistribution", "InternalError", "", 503), BackendError::Network(_)));
        let other =
            from_code("GetDistribution", "NoSuchDistribution", "The specified distribution does not exist.", 404);
        assert_eq!(
            other.to_string(),
            "GetDistribution failed (NoSuchDistribution: The specified distribution does not exist.)"
        );
        assert_eq!(from_code("GetAccountSettings", "", "", 404).to_string(), "GetAccountSettings failed (HTTP 404)");
    }
}
