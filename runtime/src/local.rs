//! Running a workflow in process: its emitted definition on `stepfn-engine`, with each Task state over a step
//! calling the Rust step directly, through the same serde path as the Lambda entry point (so a type mismatch fails
//! locally exactly as it would on AWS: `Stepfn.InvalidInput` naming the field). Part of the `local` feature.

use crate::lambda::Handler;
use crate::{placeholder, Context};
use serde_json::json;
use stepfn_engine::{Failure, Resources, TaskCall, TaskFuture};

pub use stepfn_engine::{
    CompileError, Event, Machine, Mock, MockConfig, MockConfigError, MockItem, Options, Outcome,
    Response, Status,
};

/// Resources that call each step in process, keyed by its ARN placeholder (`${<Key>FunctionArn}`).
pub fn step_resources(handlers: &[Handler]) -> Resources {
    let mut resources = Resources::default();
    for handler in handlers.iter().copied() {
        resources.resource(
            format!("${{{}}}", placeholder(handler.resource_key)),
            move |call: TaskCall| -> TaskFuture {
                let context = Context::local(format!("{}:{}", call.execution_id, call.state));
                let invocation = handler.invoke(call.input, context);
                Box::pin(async move {
                    invocation.await.map_err(|error| {
                        // Step Functions reports a Lambda error with the function's error response as the cause.
                        let cause = json!({
                            "errorMessage": error.error_message,
                            "errorType": error.error_type,
                        });
                        Failure::new(error.error_type, cause.to_string())
                    })
                })
            },
        );
    }
    resources
}

/// `options` with the steps of `handlers` under its resources; what `options` already has for the same resource
/// or state (mocks) wins.
pub(crate) fn with_steps(handlers: &[Handler], mut options: Options) -> Options {
    let mut resources = step_resources(handlers);
    resources.merge(&options.resources);
    options.resources = resources;
    options
}
