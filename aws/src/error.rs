//! What can go wrong, by name: each variant's message says what happened and what to do, in the service's terms.

use aws_sdk_sfn::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::fmt;

/// An execution that ended without succeeding: its status (`FAILED`, `TIMED_OUT`, `ABORTED`), error and cause, as
/// DescribeExecution reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionError {
    pub execution_arn: String,
    pub status: String,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl fmt::Display for ExecutionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the execution {}", self.status)?;
        if let Some(error) = &self.error {
            write!(f, " with {error}")?;
        }
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        write!(f, " ({})", self.execution_arn)
    }
}

impl std::error::Error for ExecutionError {}

/// An error of stepfn's AWS commands and of the typed API (`Workflow::start`, `Execution::wait`, ...).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No state machine of that name in the client's account and region.
    StateMachineNotFound { name: String, region: String },
    /// StartExecution with a name already used: by an execution with a different input, or by one that has ended
    /// (AWS keeps names for 90 days).
    ExecutionAlreadyExists { name: String, message: String },
    /// No such execution (or state machine, by ARN).
    NotFound { arn: String, message: String },
    /// The execution ended without succeeding.
    Failed(ExecutionError),
    /// The execution succeeded, but its output does not deserialize into the type asked for.
    Output { message: String, output: String },
    /// The input does not serialize to JSON.
    Input(String),
    /// Any other error the service answered (`AccessDeniedException`, `ValidationException`, ...).
    Service {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The service could not be reached, or its answer could not be read.
    Connection {
        operation: &'static str,
        message: String,
    },
    /// No region, a malformed argument, ...
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::StateMachineNotFound { name, region } => write!(
                f,
                "no state machine named `{name}` in {region} for these credentials: deploy the workflow first, or \
                 give its ARN (--state-machine-arn)"
            ),
            Error::ExecutionAlreadyExists { name, message } => write!(
                f,
                "ExecutionAlreadyExists: an execution named `{name}` exists with another input, or has ended \
                 (names stay taken for 90 days): {message}"
            ),
            Error::NotFound { arn, message } => write!(f, "{arn} does not exist: {message}"),
            Error::Failed(error) => error.fmt(f),
            Error::Output { message, output } => write!(
                f,
                "the execution succeeded, but its output does not fit the workflow's output type: {message}; the \
                 output was {output}"
            ),
            Error::Input(message) => write!(f, "the input does not serialize to JSON: {message}"),
            Error::Service {
                operation,
                code,
                message,
            } => write!(f, "{operation}: {code}: {message}"),
            Error::Connection { operation, message } => {
                write!(f, "{operation}: cannot reach Step Functions: {message}")
            }
            Error::Config(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<ExecutionError> for Error {
    fn from(error: ExecutionError) -> Error {
        Error::Failed(error)
    }
}

/// An SDK error as a named [`Error`]; `about` is the name or ARN the call was about.
pub(crate) fn from_sdk<E, R>(operation: &'static str, about: &str, error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: fmt::Debug,
{
    let message = error.message().unwrap_or_default().to_owned();
    match error.code() {
        Some("ExecutionAlreadyExists") => Error::ExecutionAlreadyExists {
            name: about.to_owned(),
            message,
        },
        Some("ExecutionDoesNotExist" | "StateMachineDoesNotExist" | "ResourceNotFound") => {
            Error::NotFound {
                arn: about.to_owned(),
                message,
            }
        }
        Some(code) => Error::Service {
            operation,
            code: code.to_owned(),
            message,
        },
        None => Error::Connection {
            operation,
            message: DisplayErrorContext(&error).to_string(),
        },
    }
}
