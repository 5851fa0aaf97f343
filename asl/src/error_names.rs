//! The error names a Task state over a Lambda function can see besides the function's own: those Step Functions
//! reports for the Lambda invocation, and those stepfn raises around every step. A `Retry` or `Catch` on a step may
//! name any of them (and the `States.*` names), whatever the step's own error type.
//!
//! Step Functions reports an error of the Lambda service with the exception's name prefixed `Lambda.`.

/// The errors of the Lambda `Invoke` action, prefixed `Lambda.`, from the Errors section of
/// <https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html>.
pub const LAMBDA_INVOKE: &[&str] = &[
    "Lambda.CodeArtifactUserDeletedException",
    "Lambda.CodeArtifactUserFailedException",
    "Lambda.CodeArtifactUserPendingException",
    "Lambda.DurableExecutionAlreadyStartedException",
    "Lambda.EC2AccessDeniedException",
    "Lambda.EC2ThrottledException",
    "Lambda.EC2UnexpectedException",
    "Lambda.EFSIOException",
    "Lambda.EFSMountConnectivityException",
    "Lambda.EFSMountFailureException",
    "Lambda.EFSMountTimeoutException",
    "Lambda.ENILimitReachedException",
    "Lambda.ENINotReadyException",
    "Lambda.InvalidParameterValueException",
    "Lambda.InvalidRequestContentException",
    "Lambda.InvalidRuntimeException",
    "Lambda.InvalidSecurityGroupIDException",
    "Lambda.InvalidSubnetIDException",
    "Lambda.InvalidZipFileException",
    "Lambda.KMSAccessDeniedException",
    "Lambda.KMSDisabledException",
    "Lambda.KMSInvalidStateException",
    "Lambda.KMSNotFoundException",
    "Lambda.ModeNotSupportedException",
    "Lambda.NoPublishedVersionException",
    "Lambda.RecursiveInvocationException",
    "Lambda.RequestTooLargeException",
    "Lambda.ResourceConflictException",
    "Lambda.ResourceNotFoundException",
    "Lambda.ResourceNotReadyException",
    "Lambda.S3FilesMountConnectivityException",
    "Lambda.S3FilesMountFailureException",
    "Lambda.S3FilesMountTimeoutException",
    "Lambda.SerializedRequestEntityTooLargeException",
    "Lambda.ServiceException",
    "Lambda.SnapStartException",
    "Lambda.SnapStartNotReadyException",
    "Lambda.SnapStartTimeoutException",
    "Lambda.SubnetIPAddressLimitReachedException",
    "Lambda.TooManyRequestsException",
    "Lambda.UnsupportedMediaTypeException",
];

/// The other names Step Functions gives a failed Lambda invocation, from "Handle Lambda service exceptions"
/// (<https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html>): the SDK client's
/// transient errors, and `Lambda.Unknown` for an error the function did not handle (out of memory, a timeout).
pub const LAMBDA_CLIENT: &[&str] = &[
    "Lambda.AWSLambdaException",
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.SdkClientException",
    "Lambda.Unknown",
];

/// The errors stepfn raises around every step (the runtime's `stepfn::error_names`, documented in the README's
/// "Errors have names"): its input does not deserialize, its output does not serialize, it panicked.
pub const STEPFN: &[&str] = &[
    "Stepfn.InvalidInput",
    "Stepfn.InvalidOutput",
    "Stepfn.Panic",
];

/// Every name above: what a `Retry`/`Catch` on a step may name whatever the step's error type.
pub fn around_steps() -> impl Iterator<Item = &'static str> {
    [LAMBDA_INVOKE, LAMBDA_CLIENT, STEPFN]
        .into_iter()
        .flatten()
        .copied()
}

/// Whether a Task state over a step can see `name` whatever the step's error type raises.
pub fn is_raised_around_steps(name: &str) -> bool {
    around_steps().any(|known| known == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for name in around_steps() {
            assert!(
                name.starts_with("Lambda.") || name.starts_with("Stepfn."),
                "{name}"
            );
            assert!(seen.insert(name), "{name} twice");
        }
    }

    #[test]
    fn aws_recommended_retrier_is_known() {
        for name in [
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
            "Lambda.ClientExecutionTimeoutException",
        ] {
            assert!(is_raised_around_steps(name), "{name}");
        }
        assert!(!is_raised_around_steps("Lambda.servicexception"));
        assert!(!is_raised_around_steps("States.TaskFailed"));
    }

    #[test]
    fn misspellings_find_their_name() {
        let closest = |name| crate::closest(name, around_steps());
        assert_eq!(
            closest("Lambda.ServiceExeption"),
            Some("Lambda.ServiceException")
        );
        assert_eq!(
            closest("Lambda.servicexception"),
            Some("Lambda.ServiceException")
        );
        assert_eq!(closest("Stepfn.Panick"), Some("Stepfn.Panic"));
        assert_eq!(closest("Timeout"), None);
    }
}
