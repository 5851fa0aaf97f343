//! A failed state or execution: an error name and a cause, as Step Functions reports them.

use std::fmt;

/// An error raised while running a state: what `Retry`/`Catch` match on and what a failed execution reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error name (`States.Runtime`, a step's error name, ...); `None` for a `Fail` state without `Error`.
    pub error: Option<String>,
    /// The human-readable cause, if any.
    pub cause: Option<String>,
}

impl Failure {
    /// A failure with the given error name and cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Failure {
        Failure {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }
    }

    /// `States.Runtime`: the definition asked for something the data cannot give (AWS never retries these).
    pub fn runtime(cause: impl Into<String>) -> Failure {
        Failure::new(names::RUNTIME, cause)
    }

    /// The error name, or the empty string for an unnamed failure.
    pub fn error_name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error, &self.cause) {
            (Some(e), Some(c)) => write!(f, "{e}: {c}"),
            (Some(e), None) => f.write_str(e),
            (None, Some(c)) => f.write_str(c),
            (None, None) => f.write_str("failed without an error name"),
        }
    }
}

/// The predefined error names the executor raises.
pub mod names {
    pub const ALL: &str = "States.ALL";
    pub const RUNTIME: &str = "States.Runtime";
    pub const TIMEOUT: &str = "States.Timeout";
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    pub const TASK_FAILED: &str = "States.TaskFailed";
    pub const PERMISSIONS: &str = "States.Permissions";
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}
