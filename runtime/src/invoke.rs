//! One invocation of a step on JSON: deserialize the event, call the function, serialize the result. The Lambda
//! entry point uses this, and so does anything else that runs a step on JSON, so a type mismatch fails the same way
//! everywhere. Errors are always an [`ErrorPayload`] with a name; a panic in the step becomes one too.

use crate::error::names;
use crate::{Context, ErrorPayload, Step};
use futures_util::FutureExt;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

/// A boxed invocation future, for tables of steps of different types.
pub type Invocation = Pin<Box<dyn Future<Output = Result<Value, ErrorPayload>> + Send>>;

/// Runs step `S` on a JSON value (for running steps in process).
pub async fn invoke<S: Step>(event: Value, context: Context) -> Result<Value, ErrorPayload> {
    let input: S::Input = serde_path_to_error::deserialize(event).map_err(invalid_input::<S, _>)?;
    let output = call::<S>(input, context).await?;
    serde_json::to_value(output).map_err(invalid_output::<S>)
}

/// An event as the Lambda entry point reads it: the step's input, or why the event is not one.
///
/// It never fails to deserialize, so a bad event reaches stepfn's own error path (a named `Stepfn.InvalidInput`
/// that names the field) instead of `lambda_runtime`'s, and the input is read straight from the request bytes, with
/// no `serde_json::Value` or second parse in between.
pub struct StepInput<T>(Result<T, serde_path_to_error::Error<String>>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StepInput<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let input = serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().clone();
            serde_path_to_error::Error::new(path, error.into_inner().to_string())
        });
        Ok(StepInput(input))
    }
}

/// Runs step `S` on an event read as [`StepInput`]; the output goes back to the caller to serialize.
pub async fn invoke_input<S: Step>(
    event: StepInput<S::Input>,
    context: Context,
) -> Result<S::Output, ErrorPayload> {
    let input = event.0.map_err(invalid_input::<S, String>)?;
    call::<S>(input, context).await
}

/// Calls the step, turning its error or panic into a named [`ErrorPayload`].
async fn call<S: Step>(input: S::Input, context: Context) -> Result<S::Output, ErrorPayload> {
    match AssertUnwindSafe(S::call(input, context))
        .catch_unwind()
        .await
    {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(error)) => Err(ErrorPayload::from_step_error(&error)),
        Err(panic) => Err(ErrorPayload::new(
            names::PANIC,
            format!("step {} panicked: {}", S::NAME, panic_message(&*panic)),
        )),
    }
}

fn invalid_input<S: Step, E: std::fmt::Display>(
    error: serde_path_to_error::Error<E>,
) -> ErrorPayload {
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
}

fn invalid_output<S: Step>(error: serde_json::Error) -> ErrorPayload {
    ErrorPayload::new(
        names::INVALID_OUTPUT,
        format!("step {} returned output that is not JSON: {error}", S::NAME),
    )
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
