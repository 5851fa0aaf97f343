//! One invocation of a step on JSON: deserialize the event, call the function, serialize the result. The Lambda
//! entry point uses this, and so does anything else that runs a step on JSON, so a type mismatch fails the same way
//! everywhere. Errors are always an [`ErrorPayload`] with a name; a panic in the step becomes one too.

use crate::error::names;
use crate::{Context, ErrorPayload, Step};
use futures_util::FutureExt;
use serde_json::Value;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

/// A boxed invocation future, for tables of steps of different types.
pub type Invocation = Pin<Box<dyn Future<Output = Result<Value, ErrorPayload>> + Send>>;

/// Runs step `S` on a JSON event.
pub async fn invoke<S: Step>(event: Value, context: Context) -> Result<Value, ErrorPayload> {
    let input: S::Input = serde_path_to_error::deserialize(event).map_err(|error| {
        let path = error.path().to_string();
        let place = if path == "." {
            "the event".to_owned()
        } else {
            format!("field `{path}`")
        };
        ErrorPayload::new(
            names::INVALID_INPUT,
            format!(
                "step {} cannot read its input: {place}: {}",
                S::NAME,
                error.inner()
            ),
        )
    })?;
    let output = match AssertUnwindSafe(S::call(input, context))
        .catch_unwind()
        .await
    {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(ErrorPayload::from_step_error(&error)),
        Err(panic) => {
            return Err(ErrorPayload::new(
                names::PANIC,
                format!("step {} panicked: {}", S::NAME, panic_message(&*panic)),
            ))
        }
    };
    serde_json::to_value(output).map_err(|error| {
        ErrorPayload::new(
            names::INVALID_OUTPUT,
            format!("step {} returned output that is not JSON: {error}", S::NAME),
        )
    })
}

/// [`invoke`] boxed, so steps of different types fit one table.
pub fn invoke_boxed<S: Step>(event: Value, context: Context) -> Invocation {
    Box::pin(invoke::<S>(event, context))
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(message) = panic.downcast_ref::<&str>() {
        message
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message
    } else {
        "(a panic without a message)"
    }
}
