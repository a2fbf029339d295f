//! SDK errors, turned into the few [`BackendError`]s the console knows how to explain and react to.

// The SDK crates share these types; CloudFront's re-exports serve for all of them.
use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::error::{DisplayErrorContext, ProvideErrorMetadata};

use aws_credential_types::provider::error::CredentialsError;

use crate::backend::BackendError;
use crate::domain::visible::{self, MAX_AWS_TEXT_CHARS};

pub type SdkError<E> = aws_sdk_cloudfront::error::SdkError<E, HttpResponse>;

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
    if let Some(error) = credentials_error(&err) {
        return error.into_backend(operation);
    }
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

/// What to do about credentials that are missing, expired or cannot be loaded.
const CREDENTIALS_FIX: &str = "sign in (aws sso login --profile NAME) and pass --profile NAME, or set AWS_PROFILE, or \
     AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/// Why a call was never sent for want of credentials, read from its error's chain.
enum CredentialsTrouble {
    /// A named profile the files do not define: its own sentence, fix included.
    MissingProfile(super::MissingProfile),
    /// Nothing in the chain (environment, profiles, SSO, container or instance role) had any.
    NotFound(String),
    /// There were some, and they have expired (an SSO session, a role's session).
    Expired(String),
    /// A provider failed otherwise (a broken profile, a credential process that fails).
    Failed(String),
}

impl CredentialsTrouble {
    fn into_backend(self, operation: &str) -> BackendError {
        BackendError::Credentials(match self {
            CredentialsTrouble::MissingProfile(missing) => format!("{operation} was not sent: {missing}"),
            CredentialsTrouble::NotFound(why) => {
                // The last provider's words ("IMDS is disabled") say where it looked last, not why.
                tracing::debug!(operation, why, "no credentials");
                format!(
                    "{operation} was not sent: no AWS credentials were found (not in the environment, the profile \
                     files, SSO, a container or an instance role); {CREDENTIALS_FIX}"
                )
            }
            CredentialsTrouble::Expired(why) => {
                format!("{operation} was not sent: the AWS credentials have expired ({why}); {CREDENTIALS_FIX}")
            }
            CredentialsTrouble::Failed(why) => format!(
                "{operation} was not sent: the AWS credentials could not be loaded ({why}); check the profile \
                 (aws configure list), or {CREDENTIALS_FIX}"
            ),
        })
    }
}

/// The credentials trouble behind `err`, when it never left for want of credentials: the SDK
/// reports that as a dispatch failure, like a network error, with a `CredentialsError` inside.
fn credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<CredentialsTrouble> {
    let mut current = Some(err);
    let mut found = None;
    while let Some(e) = current {
        if let Some(missing) = e.downcast_ref::<super::MissingProfile>() {
            return Some(CredentialsTrouble::MissingProfile(missing.clone()));
        }
        if found.is_none() {
            found = e.downcast_ref::<CredentialsError>();
        }
        current = e.source();
    }
    let found = found?;
    let why = root_cause(found);
    let expired = chain_text(found).to_ascii_lowercase().contains("expired");
    Some(match found {
        CredentialsError::CredentialsNotLoaded(_) => CredentialsTrouble::NotFound(why),
        _ if expired => CredentialsTrouble::Expired(why),
        _ => CredentialsTrouble::Failed(why),
    })
}

/// Every layer's words, joined: where "expired" is said may be any of them.
fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut words = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        words.push(e.to_string());
        current = e.source();
    }
    words.join(": ")
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
        BackendError::Credentials(format!(
            "{operation} was refused because the AWS credentials are expired or invalid ({detail}); renew them \
             (aws sso login --profile NAME, for SSO) or pass --profile NAME with credentials that work"
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
        assert!(
            matches!(&expired, BackendError::Credentials(m) if m.contains("expired") && m.contains("aws sso login"))
        );
        assert!(matches!(from_code("GetDistribution", "InternalError", "", 503), BackendError::Network(_)));
        let other =
            from_code("GetDistribution", "NoSuchDistribution", "The specified distribution does not exist.", 404);
        assert_eq!(
            other.to_string(),
            "GetDistribution failed (NoSuchDistribution: The specified distribution does not exist.)"
        );
        assert_eq!(from_code("GetAccountSettings", "", "", 404).to_string(), "GetAccountSettings failed (HTTP 404)");
    }

    /// A call that never left for want of credentials, as the SDK reports it: a dispatch failure
    /// whose connector error holds the credentials provider's error.
    fn unsent(
        credentials: CredentialsError,
    ) -> SdkError<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError> {
        let connector = aws_smithy_runtime_api::client::result::ConnectorError::other(Box::new(credentials), None);
        SdkError::dispatch_failure(connector)
    }

    #[test]
    fn missing_or_expired_credentials_are_named_as_such_never_a_network_error() {
        let imds = std::io::Error::other("request forbidden: IMDS is disabled");
        let none = from_sdk("GetDistribution", unsent(CredentialsError::not_loaded(imds)));
        let BackendError::Credentials(text) = &none else { panic!("{none:?}") };
        assert!(text.starts_with("GetDistribution was not sent: no AWS credentials were found"), "{text}");
        assert!(text.contains("aws sso login") && text.contains("--profile"), "{text}");
        assert!(!text.contains("network") && !text.contains("IMDS"), "{text}");
        assert!(!none.is_transient());

        let sso = std::io::Error::other("the SSO token has expired and cannot be refreshed");
        let expired = from_sdk("GetDistribution", unsent(CredentialsError::provider_error(sso)));
        let BackendError::Credentials(text) = &expired else { panic!("{expired:?}") };
        assert!(text.contains("the AWS credentials have expired (the SSO token has expired"), "{text}");
        assert!(text.contains("aws sso login"), "{text}");

        let process = std::io::Error::other("credential_process exited with 1");
        let failed = from_sdk("GetMetricData", unsent(CredentialsError::provider_error(process)));
        assert!(
            matches!(&failed, BackendError::Credentials(t) if t.contains("could not be loaded (credential_process"))
        );

        let missing = crate::backend::aws::MissingProfile::new("nope", "[distribution.lambda_accounts.pay]");
        let refused = from_sdk("GetMetricData", unsent(CredentialsError::invalid_configuration(missing)));
        let BackendError::Credentials(text) = &refused else { panic!("{refused:?}") };
        assert!(text.starts_with("GetMetricData was not sent: profile nope not found in "), "{text}");
        assert!(text.contains("aws configure --profile nope") && text.contains("lambda_accounts.pay"), "{text}");

        // A network failure stays one.
        let refused_port = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let connector = aws_smithy_runtime_api::client::result::ConnectorError::io(Box::new(refused_port));
        let network = from_sdk(
            "GetDistribution",
            SdkError::<aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError>::dispatch_failure(
                connector,
            ),
        );
        assert!(matches!(network, BackendError::Network(_)), "{network:?}");
    }
}
