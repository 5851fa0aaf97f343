//! The [`Step`] trait that `#[step]` implements, and the [`Context`] a step may take as its second parameter.

use crate::StepError;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;
use std::time::{Duration, SystemTime};

/// A step of a workflow: one async function, one Lambda function, one kind of Task state.
///
/// `#[step]` implements this for a type named like the function, so `workflow!` (and your code) can name the step
/// by the function's path. You rarely implement it by hand.
pub trait Step: 'static {
    /// What the step reads: the Lambda event, the Task state's effective input.
    type Input: DeserializeOwned + Send;
    /// What the step returns: the Lambda response, the Task state's result.
    type Output: Serialize;
    /// What the step can fail with; its name becomes the Lambda `errorType` that `Retry`/`Catch` match.
    type Error: StepError;
    /// The Task state name: the PascalCase of the function name unless `#[step(name = "...")]` says otherwise.
    const NAME: &'static str;
    /// The function's own name, as written in Rust.
    const FN_NAME: &'static str;
    /// The key of the function's ARN in the definition's placeholders: `${<RESOURCE_KEY>FunctionArn}`.
    const RESOURCE_KEY: &'static str;
    /// Whether the function takes a [`Context`]; when it does not, the entry point does not build one.
    const TAKES_CONTEXT: bool = true;

    /// Runs the step's function.
    fn call(
        input: Self::Input,
        context: Context,
    ) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;
}

/// What a step can know about the invocation that runs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// The Lambda request id (a generated id when run locally).
    pub request_id: String,
    /// When the invocation times out, if known.
    pub deadline: Option<SystemTime>,
    /// The ARN of the Lambda function being invoked (empty when run locally).
    pub invoked_function_arn: String,
    /// The X-Ray trace id, if tracing is active.
    pub xray_trace_id: Option<String>,
}

impl Context {
    /// A context for calling a step outside Lambda, e.g. from a unit test.
    pub fn local(request_id: impl Into<String>) -> Self {
        Context {
            request_id: request_id.into(),
            ..Context::default()
        }
    }

    /// Time left before the deadline; `None` when there is no deadline or it has passed.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline?.duration_since(SystemTime::now()).ok()
    }
}

impl From<lambda_runtime::Context> for Context {
    fn from(ctx: lambda_runtime::Context) -> Self {
        Context {
            deadline: Some(SystemTime::UNIX_EPOCH + Duration::from_millis(ctx.deadline)),
            request_id: ctx.request_id,
            invoked_function_arn: ctx.invoked_function_arn,
            xray_trace_id: ctx.xray_trace_id,
        }
    }
}
